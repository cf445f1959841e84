/* commands: the handlers of the command table (one file per command group) and what they
 * share: opening the store named by the config, printing JSON. */
#ifndef OO_CLI_COMMANDS_H
#define OO_CLI_COMMANDS_H
#include "cli/args.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include "base/err.h"

struct oo_store;
/* Opens the configured database; prints the error and returns NULL on failure. */
struct oo_store *cli_open_store(void);
/* Prints a JSON value (pretty) on stdout and deletes it. */
void cli_print_json(cJSON *v);
/* Resolves a test given as a number, URL, OptionOmega id or name to its row id: 0 and a
 * printed error when nothing or several tests match. */
long long cli_resolve_test(struct oo_store *s, const char *key);

/* Executes a stored run (run, resume, demo) and prints its results table; the exit code. */
int cli_execute_run(struct oo_store *st, long long run_id, int browsers, int headless, int no_cache);
/* Checks a run's arguments ({script|config|url, param, start, stop, step, name, browsers}) in
 * Lua, creates the run and executes it (run, demo). The exit code. */
int cli_plan_and_run(const cJSON *args, int yes, int headless, int no_cache, long long *run_id_out);
/* Plans a run ({spec|script|config|url..., yes?}) in Lua and stores it: the run id, 0 when the
 * user declined at the confirmation (interactive), -1 and err. No browser starts. */
int64_t cli_create_run(struct oo_store *st, const cJSON *args, int interactive, long *browsers_out, oo_err *err);
struct oo_script;
/* require(module)[fn](arg) in a Lua state: its result as JSON, or NULL and err. */
cJSON *cli_lua_call(struct oo_script *sc, const char *module, const char *fn, const cJSON *arg, oo_err *err);

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
int cli_cmd_analyze(const cli_cmd *cmd, cli_args *a);
int cli_cmd_version(const cli_cmd *cmd, cli_args *a);
int cli_cmd_completion(const cli_cmd *cmd, cli_args *a);
int cli_cmd_doctor(const cli_cmd *cmd, cli_args *a);

/* The command table (what --help lists), terminated by {0}: read by the completion and the
 * manual page, so they never disagree with --help. */
const cli_cmd *cli_commands(void);
/* What --help says about the program as a whole, and about its configuration. */
extern const char cli_about[], cli_config_help[];

extern const cli_opt cli_run_opts[], cli_resume_opts[], cli_pause_opts[], cli_status_opts[],
    cli_list_opts[], cli_export_opts[], cli_serve_opts[], cli_tests_opts[],
    cli_record_check_opts[], cli_demo_opts[], cli_replay_opts[], cli_doctor_opts[], cli_analyze_opts[];
#endif
