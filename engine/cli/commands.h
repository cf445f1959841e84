/* commands: the handlers of the command table (one file per command group) and what they
 * share: opening the store named by the config, printing JSON. */
#ifndef OO_CLI_COMMANDS_H
#define OO_CLI_COMMANDS_H
#include "cli/args.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include "base/err.h"

struct oo_store;
/* Opens the configured database and applies the dashboard's Settings (a layer of the config);
 * prints the error and returns NULL on failure. */
struct oo_store *cli_open_store(void);
/* Opens it for reading only (list, status, export, tests): nothing is created, migrated or
 * written; the Settings are applied as by cli_open_store. NULL when there is none yet (*missing
 * set, nothing printed) or on failure (printed). */
struct oo_store *cli_open_store_readonly(int *missing);
/* Hands the Settings page's saved values (the store's settings table) to the config. */
void cli_apply_settings(struct oo_store *s);
/* Prints a JSON value (pretty) on stdout and deletes it. */
void cli_print_json(cJSON *v);
/* Rewrites every string in v (at any depth) as it may reach a terminal: control characters
 * and the like escaped (base/text.h). For text output; --json needs none (JSON escapes). */
void cli_for_terminal(cJSON *v);
/* Resolves a test given as a number, URL, OptionOmega id or name to its row id: 0 and a
 * printed error when nothing or several tests match. */
long long cli_resolve_test(struct oo_store *s, const char *key);

/* A command that executes runs (run, resume, demo): its store, its one Lua state with the run
 * engine bound into it (`runs`) and Ctrl-C handling on, the options of its runs and the state
 * of its progress line. cli_session_open prints what went wrong and returns the exit code. */
typedef struct cli_progress { int tty; int64_t last_ms; } cli_progress;
struct oo_script;
#include "run/run.h"
typedef struct cli_session {
    struct oo_store *st;
    struct oo_script *sc;
    run_opts ro;
    cli_progress progress;
} cli_session;
/* The exit status of a run refused with --no-wait because another engine works the account. */
#define CLI_EXIT_BUSY 75
int cli_session_open(cli_session *s, int browsers, int headless, int no_cache, int no_wait);
/* The same on the database opened read-only (an empty one in memory when there is none yet):
 * for what checks and plans without writing (run --dry-run). */
int cli_session_open_readonly(cli_session *s, int browsers);
void cli_session_close(cli_session *s);
/* require("oo.cli")[fn](arg) in the session's state. */
cJSON *cli_session_call(cli_session *s, const char *fn, const cJSON *arg, oo_err *err);
/* Executes a stored run with the live progress line, then prints its results table; the exit
 * code (130 when interrupted). */
int cli_session_execute(cli_session *s, long long run_id);
/* Prints an error of a command's Lua and returns its exit code: 130 after Ctrl-C, 2 for a
 * usage error, else 1. */
int cli_error_exit(const oo_err *err);
/* Plans (lua/oo/cli.lua), asks for confirmation when interactive, creates and executes a run:
 * args {script|config|url, param, start, stop, step, name, browsers}. The exit code. */
int cli_plan_and_run(cli_session *s, const cJSON *args, int interactive, long long *run_id_out);

int cli_cmd_run(const cli_cmd *cmd, cli_args *a);
int cli_cmd_resume(const cli_cmd *cmd, cli_args *a);
int cli_cmd_retry(const cli_cmd *cmd, cli_args *a);
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

extern const cli_opt cli_run_opts[], cli_resume_opts[], cli_retry_opts[], cli_pause_opts[], cli_status_opts[],
    cli_list_opts[], cli_export_opts[], cli_serve_opts[], cli_tests_opts[],
    cli_record_check_opts[], cli_demo_opts[], cli_replay_opts[], cli_doctor_opts[], cli_analyze_opts[];
#endif
