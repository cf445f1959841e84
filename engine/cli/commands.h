/* commands: the handlers of the command table (one file per command group) and what they
 * share: opening the store named by the config, printing JSON. */
#ifndef OO_CLI_COMMANDS_H
#define OO_CLI_COMMANDS_H
#include "cli/args.h"
#include <cjson/cJSON.h>

struct oo_store;
/* Opens the configured database; prints the error and returns NULL on failure. */
struct oo_store *cli_open_store(void);
/* Prints a JSON value (pretty) on stdout and deletes it. */
void cli_print_json(cJSON *v);
/* Resolves a test given as a number, URL, OptionOmega id or name to its row id: 0 and a
 * printed error when nothing or several tests match. */
long long cli_resolve_test(struct oo_store *s, const char *key);

int cli_cmd_run(const cli_cmd *cmd, cli_args *a);
int cli_cmd_resume(const cli_cmd *cmd, cli_args *a);
int cli_cmd_pause(const cli_cmd *cmd, cli_args *a);
int cli_cmd_status(const cli_cmd *cmd, cli_args *a);
int cli_cmd_list(const cli_cmd *cmd, cli_args *a);
int cli_cmd_export(const cli_cmd *cmd, cli_args *a);
int cli_cmd_serve(const cli_cmd *cmd, cli_args *a);
int cli_cmd_tests(const cli_cmd *cmd, cli_args *a);
int cli_cmd_record_check(const cli_cmd *cmd, cli_args *a);
int cli_cmd_demo(const cli_cmd *cmd, cli_args *a);
int cli_cmd_lua(const cli_cmd *cmd, cli_args *a);

extern const cli_opt cli_run_opts[], cli_resume_opts[], cli_pause_opts[], cli_status_opts[],
    cli_list_opts[], cli_export_opts[], cli_serve_opts[], cli_tests_opts[],
    cli_record_check_opts[], cli_demo_opts[], cli_replay_opts[];
#endif
