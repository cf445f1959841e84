/* cli: global options, the command table, dispatch. */
#include "cli/cli.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "base/config.h"
#include "base/log.h"
#include "base/text.h"
#include "base/util.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/replay.h"
#include "cli/version.h"

static int run_replay(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    (void)a;
    return 0;  /* never called: replay is dispatched with its raw argv below */
}

const cli_opt cli_replay_opts[] = {
    {"headless", 0, NULL, "run Chromium without a window (default)"},
    {"headed", 0, NULL, "show the browser window"},
    {"timeout", 0, "MS", "default timeout of a step (default 5000)"},
    {"slowmo", 0, "MS", "pause between steps, to watch"},
    {"artifacts", 0, "DIR", "where a failure's screenshot, HTML and console log go"},
    {0},
};

static const cli_cmd commands[] = {
    {"run", "Run a sweep, grid or staged optimization of an OptionOmega test",
     "run [SCRIPT.lua] [OPTIONS]",
     "With no arguments: the interactive wizard (test by number, URL, id or name; any mode and\n"
     "what its form asks, e.g. a walk-forward's windows, inner search and objective; browsers;\n"
     "it can save the answers as a run script; a last confirmation). With SCRIPT.lua: the run spec the\n"
     "script returns, or the runs it drives through require(\"oo\"). With --url and --param:\n"
     "a sweep from the flags. With --config FILE: a run spec in JSON or Lua.\n"
     "Bad input (a step of 0, start past end, out-of-bounds values, unknown parameters or\n"
     "modes, failing scripts, grids over 1,000 tasks without --yes) is refused before any\n"
     "browser starts. Every task is written to the database first, then N browsers work.\n"
     "One run works an account (OO_EMAIL) at a time: while another one does, the run waits\n"
     "its turn (status queued) and says so; --no-wait refuses instead (exit 75).",
     cli_run_opts, 0, 1, cli_cmd_run},
    {"resume", "Continue a paused or interrupted run", "resume --run-id N [OPTIONS]",
     "Tasks that were mid-backtest when the run stopped (Ctrl-C, a crash, kill -9) run again;\n"
     "completed tasks are never run twice. Like run, it waits while another run works the\n"
     "account (--no-wait: exit 75); a run another engine works already is left to it (exit 1).",
     cli_resume_opts, 0, 0, cli_cmd_resume},
    {"retry", "Give a run's failed tasks one more round", "retry --run-id N [OPTIONS]",
     "Every failed task of the run goes back to the queue (its attempts keep counting; a\n"
     "skipped task, which the site refused, stays skipped) and the run continues here, as\n"
     "resume does. A run that meets only passing trouble gets such a round by itself, once\n"
     "its queue drains (after OO_RETRY_COOLDOWN seconds); this is the same by hand.",
     cli_retry_opts, 0, 0, cli_cmd_retry},
    {"pause", "Pause a run (from any terminal)", "pause --run-id N",
     "The engine working on the run finishes the backtests in flight and stops taking tasks;\n"
     "`oo-automator resume --run-id N` continues it.",
     cli_pause_opts, 0, 0, cli_cmd_pause},
    {"status", "Show a run's progress", "status [--run-id N]",
     "Without --run-id: every run that is running, queued or interrupted (its engine is gone:\n"
     "resume continues it), each with its progress line; when there is none, the latest run.",
     cli_status_opts, 0, 0, cli_cmd_status},
    {"list", "List past runs", "list [OPTIONS]", "Newest first; filter by test, status, mode or name.",
     cli_list_opts, 0, 0, cli_cmd_list},
    {"export", "Export a run's results", "export --run-id N --format csv|json|tradeblocks|markdown --output FILE|DIR",
     "csv, json: one row per task, its parameter values and every metric (--output - writes to\n"
     "stdout). tradeblocks: a folder (--output DIR) with one folder per result, named by its\n"
     "values, each holding tradelog.csv in OptionOmega's trade-log format (TradeBlocks imports it).\n"
     "markdown: a report to share or hand to an AI assistant: the spec, the results, the\n"
     "recommendation for each goal with its reasons, what to avoid, significance, the caveats.",
     cli_export_opts, 0, 0, cli_cmd_export},
    {"analyze", "Turn a run's results into a decision, or look into one result",
     "analyze --run-id N [--goal returns|capital|balanced] | analyze --result-id N [OPTIONS]",
     "--run-id: the configurations ranked for a goal (returns, capital or balanced, as\n"
     "lua/oo/analysis/goals.lua defines them; the answer states the goal's definition) with\n"
     "scores 0-100 and reasons, the Pareto front of growth against drawdown, what to avoid and\n"
     "why, each configuration's robustness (its neighbours at ±1 step), and whether the best\n"
     "beats luck (Hansen's SPA over daily P/L, a permutation test).\n"
     "--result-id: the analysis' measures beyond OptionOmega's (lua/oo/analysis/result.lua's\n"
     "list: risk-adjusted returns, sizing, tail risk, ...), whether the trade log reconciles\n"
     "with OptionOmega's numbers, P/L by month, weekday and reason, and a Monte Carlo of the\n"
     "trades. --json for the full answer\n"
     "(the same JSON as the dashboard's /api/runs/N/analysis and /api/results/N/analysis).",
     cli_analyze_opts, 0, 0, cli_cmd_analyze},
    {"serve", "Serve the dashboard (REST, WebSocket, browser UI)",
     "serve [--port 8000] [--host 127.0.0.1] [--token TOKEN] [--db PATH]",
     "Listens on 127.0.0.1 by default; any other address requires --token, and then every\n"
     "request for data must carry it (Authorization: Bearer TOKEN; in a browser, open the\n"
     "dashboard once with #token=TOKEN, or paste it when the page asks: the browser keeps it for\n"
     "that address only). The first line printed is the dashboard's URL. Ctrl-C stops it.",
     cli_serve_opts, 0, 0, cli_cmd_serve},
    {"tests", "List, rename or delete saved OptionOmega tests",
     "tests [--recent] | tests rename TEST NAME | tests delete TEST",
     "TEST is the number shown by `oo-automator tests`, the test's URL, its OptionOmega id, or\n"
     "its name. Deleting removes a test from the history; its runs and results stay.",
     cli_tests_opts, 0, 3, cli_cmd_tests},
    {"replay", "Replay a Chrome DevTools Recorder recording", "replay FILE.json [OPTIONS]",
     "Every step type of the Recorder's export. {{NAME}} in a step's value is filled from the\n"
     "environment. Exit 0 when every step passed; on failure the step, the selectors tried and\n"
     "why each failed, with a screenshot, HTML snapshot and console log in --artifacts.",
     cli_replay_opts, 1, 1, run_replay},
    {"record-check", "Check which selectors of a recording still resolve",
     "record-check FILE [--url URL] [--login FILE] [--timeout MS]",
     "Replays FILE up to (not including) anything that runs a backtest and reports, step by\n"
     "step, which selectors resolve and which broke: what OptionOmega changed, at a glance.\n"
     "Unless FILE logs in itself, it first logs in with the login recording (when OO_EMAIL is\n"
     "set), then opens --url. One line per step: OK(matches) or BROKEN(why) for each\n"
     "alternative selector. Exit 0 when everything resolved, 1 when something broke.\n"
     "FILE may be a bare name (new_backtest.json), looked up in OO_RECORDINGS, then recordings/.",
     cli_record_check_opts, 1, 1, cli_cmd_record_check},
    {"demo", "Show it all against oo-sim, the built-in OptionOmega stand-in", "demo [--exit]",
     "Starts oo-sim with OptionOmega-like latency, runs a delta sweep and a staged\n"
     "delta -> profit-target optimization on 2 browsers, prints the results and the best\n"
     "configuration, and leaves the dashboard open (--exit: stop at the end).",
     cli_demo_opts, 0, 0, cli_cmd_demo},
    {"lua", "Run a Lua file under the engine's runtime", "lua FILE [ARGS...]",
     "The file runs with require() reaching lua/ and parameters/ (and OO_LUA_PATH), and the\n"
     "json, log and time modules. ARGS are in the global `arg` table. A Lua error is reported\n"
     "as file:line: message and exits 1; a file that returns an integer exits with it.",
     NULL, 1, -1, cli_cmd_lua},
    {"doctor", "Check this machine before a night run: Chromium, database, files, login",
     "doctor [--login] [--headed]",
     "Each check prints OK with what it found, or FAIL with what is wrong and the fix:\n"
     "Chromium found (and its version); it starts headless and answers CDP; the database\n"
     "opens (read-only: nothing is created, migrated or written) at the current schema; the\n"
     "data dir is private (0700); the recordings are there and parse; the parameter scripts\n"
     "load (file:line of those that do not); OO_EMAIL and OO_PASSWORD are set (never shown);\n"
     "the site answers at OO_BASE_URL; with --login, login.json gets past the sign-in.\n"
     "Exit 0 when every check passed, 1 otherwise. --json prints the results as JSON.",
     cli_doctor_opts, 0, 0, cli_cmd_doctor},
    {"completion", "Print the shell completion script for bash, zsh or fish",
     "completion bash|zsh|fish",
     "Prints the script on stdout. The package installs all three where the shells look; by hand:\n"
     "  bash   oo-automator completion bash > ~/.local/share/bash-completion/completions/oo-automator\n"
     "  zsh    oo-automator completion zsh > ~/.zfunc/_oo-automator   (with fpath+=(~/.zfunc))\n"
     "  fish   oo-automator completion fish > ~/.config/fish/completions/oo-automator.fish\n"
     "or for the current shell only: source <(oo-automator completion bash).\n"
     "It completes commands, options, parameter names, modes, and saved tests and runs from\n"
     "the database (read-only). At each TAB the script asks the program what fits:\n"
     "`oo-automator completion candidates -- WORDS...` prints one \"value<TAB>description\" a line.",
     NULL, 1, -1, cli_cmd_completion},
    {"version", "Print the version, the libraries' and Chromium's", "version",
     "The program's version, then the versions of Lua, SQLite, cJSON, libwebsockets and h2o it\n"
     "runs with, and the Chromium it found (OO_CHROMIUM, else chromium on PATH) with its path.",
     NULL, 0, 0, cli_cmd_version},
    {0},
};

const cli_cmd *cli_commands(void) { return commands; }

const char cli_about[] =
    "Automates OptionOmega backtests: sweeps, grids and staged optimizations over many\n"
    "parameter values, on several browsers, every result kept in SQLite.";
const char cli_config_help[] =
    "Configuration: flags, then OO_* environment variables, then ./.env, then\n"
    "~/.config/oo-automator/config. `oo-automator COMMAND --help` for a command.";

static void print_main_help(void)
{
    printf("usage: oo-automator [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\n%s\n\ncommands:\n", cli_about);
    for (const cli_cmd *c = commands; c->name; c++) printf("  %-14s %s\n", c->name, c->summary);
    printf("\nglobal options:\n"
           "  --db PATH          the SQLite database (env OO_DB_PATH)\n"
           "  --data-dir DIR     results, artifacts and the database (env OO_DATA_DIR)\n"
           "  -v, --verbose      say more (repeat for more)\n"
           "  --json             JSON on stdout instead of text, for every command that prints data\n"
           "  --version          print the version (and the libraries', Chromium's)\n\n%s\n",
           cli_config_help);
}

/* "--name=value" or "--name" split: key gets the name, the value (or NULL) is returned. */
static const char *split_flag(const char *name, char *key, size_t n)
{
    const char *eq = strchr(name, '=');
    snprintf(key, n, "%.*s", eq ? (int)(eq - name) : (int)strlen(name), name);
    return eq ? eq + 1 : NULL;
}

static int global_takes_value(const char *key) { return !strcmp(key, "db") || !strcmp(key, "data-dir"); }

/* The global options before the command, checked (not applied: the configuration is loaded
 * after). *cmd_at gets the command's index. -1 to go on; else the exit status (--help,
 * --version, usage errors). */
static int scan_globals(int argc, char **argv, int *cmd_at)
{
    oo_config *cfg = oo_cfg();
    int i = 1;
    for (; i < argc; i++) {
        const char *s = argv[i];
        if (s[0] != '-' || !strcmp(s, "-")) break;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) { print_main_help(); return 0; }
        if (!strcmp(s, "--version")) return cli_print_version();
        if (!strcmp(s, "-v") || !strcmp(s, "-vv") || !strcmp(s, "-vvv")) { cfg->verbose += (int)strlen(s) - 1; continue; }
        if (s[1] != '-') return cli_usage_error(NULL, "unknown option %s", s);
        char key[64];
        const char *value = split_flag(s + 2, key, sizeof key);
        if (!strcmp(key, "verbose")) { cfg->verbose++; continue; }
        if (global_takes_value(key) && !value && i + 1 >= argc) return cli_usage_error(NULL, "--%s needs a value", key);
        if (global_takes_value(key) && !value) i++;
        else if (!global_takes_value(key) && strcmp(key, "json")) return cli_usage_error(NULL, "unknown option --%s", key);
    }
    if (i >= argc) { print_main_help(); return 2; }
    *cmd_at = i;
    return -1;
}

/* The configuration's layers loaded, then the global flags before argv[cmd_at] applied on top;
 * 0, or 2 after the error. */
static int load_config(char **argv, int cmd_at)
{
    oo_config *cfg = oo_cfg();
    oo_err err = {0};
    int verbose = cfg->verbose;
    if (oo_config_load(cfg, NULL, NULL, &err) != 0) {
        fprintf(stderr, "oo-automator: %s\n", err.msg);
        return 2;
    }
    cfg->verbose = verbose;
    for (int j = 1; j < cmd_at; j++) {
        const char *s = argv[j];
        if (s[0] != '-' || s[1] != '-') continue;
        char key[64];
        const char *value = split_flag(s + 2, key, sizeof key);
        if (global_takes_value(key) && !value) value = argv[++j];
        if (!strcmp(key, "verbose")) continue;  /* counted by scan_globals */
        if (cli_global_option(key, value) < 0) return 2;
    }
    return 0;
}

static void set_log_level(int verbose)
{
    oo_log_set_level(verbose >= 3 ? OO_LOG_TRACE : verbose == 2 ? OO_LOG_DEBUG : verbose ? OO_LOG_INFO : OO_LOG_WARN);
}

/* The command argv[0] (its options after it) run; its exit status. */
static int run_command(const cli_cmd *cmd, int argc, char **argv)
{
    oo_config *cfg = oo_cfg();
    if (!strcmp(cmd->name, "replay")) {   /* replay reads its own options: a FILE among them */
        for (int j = 1; j < argc; j++)
            if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) { cli_print_help(cmd); return 0; }
        set_log_level(cfg->verbose);
        return cli_cmd_replay(argc, argv);
    }
    cli_args a;
    int rc = cli_parse(cmd, argc, argv, &a, !strcmp(cmd->name, "lua"));
    if (rc) return rc;
    if (a.help) { cli_print_help(cmd); return 0; }
    set_log_level(cfg->verbose);
    if (cfg->verbose) {
        char *d = oo_config_describe(cfg);
        OO_INFO("config", "configuration:\n%s", d);
        free(d);
    }
    return cmd->fn(cmd, &a);
}

int oo_cli_main(int argc, char **argv)
{
    /* Everything this program creates (the data dir, the database with its WAL and SHM, logs,
     * screenshots, page snapshots, downloads, exports) is private to the user whatever the
     * shell's umask: folders 0700, files 0600. Chromium inherits it for its downloads. */
    umask(077);
    int cmd_at = 0, rc = scan_globals(argc, argv, &cmd_at);
    if (rc >= 0) return rc;
    if (load_config(argv, cmd_at) != 0) return 2;
    const cli_cmd *cmd = NULL;
    for (const cli_cmd *c = commands; c->name; c++)
        if (!strcmp(c->name, argv[cmd_at])) cmd = c;
    rc = cmd ? run_command(cmd, argc - cmd_at, argv + cmd_at)
             : cli_usage_error(NULL, "unknown command \"%s\"", argv[cmd_at]);
    oo_config_free(oo_cfg());
    oo_log_clear_secrets();
    return rc;
}

/* A data dir made by an older version under a lax umask is made private (0700) as soon as a
 * command writes to it: what it holds is the user's alone. */
static void private_data_dir(void)
{
    const char *dir = oo_config_get(oo_cfg(), OO_CFG_DATA_DIR);
    struct stat st;
    if (dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077) && st.st_uid == geteuid())
        chmod(dir, st.st_mode & 0700);
}

/* The dashboard's Settings page is one layer of the configuration (base/config.c decides
 * where it ranks): its saved values go to the config once the store is open. The password
 * lives in its own file, read with the config. */
void cli_apply_settings(struct oo_store *s)
{
    for (int k = 0; k < OO_CFG_COUNT; k++) {
        if (k == OO_CFG_PASSWORD) continue;
        const char *name = oo_config_key_name((oo_cfg_key)k);
        oo_err err = {0};
        char *v = store_setting_get(s, name, &err);
        int rc = v ? oo_config_set_setting(oo_cfg(), name, v, &err) : 0;
        if (rc < 0) fprintf(stderr, "oo-automator: warning: setting %s: %s\n", name, err.msg);
        if (rc > 0) OO_INFO("config", "%s = %s (the dashboard's settings)", oo_config_env_name((oo_cfg_key)k), v);
        free(v);
    }
}

struct oo_store *cli_open_store(void)
{
    oo_err err = {0};
    private_data_dir();
    oo_store *s = store_open(oo_config_get(oo_cfg(), OO_CFG_DB_PATH), &err);
    if (!s) {
        fprintf(stderr, "oo-automator: %s\n", err.msg);
        return NULL;
    }
    store_set_engine_silence(s, oo_config_int(oo_cfg(), OO_CFG_LEASE_MS));
    cli_apply_settings(s);
    return s;
}

struct oo_store *cli_open_store_readonly(int *missing)
{
    oo_err err = {0};
    *missing = 0;
    oo_store *s = store_open_readonly(oo_config_get(oo_cfg(), OO_CFG_DB_PATH), &err);
    if (!s && err.code == OO_E_INPUT) *missing = 1;
    else if (!s) fprintf(stderr, "oo-automator: %s\n", err.msg);
    if (s) cli_apply_settings(s);
    return s;
}

void cli_for_terminal(cJSON *v)
{
    cJSON *c;
    if (cJSON_IsString(v)) {
        char *t = oo_text_for_terminal(v->valuestring);
        if (strcmp(t, v->valuestring)) cJSON_SetValuestring(v, t);
        free(t);
    }
    cJSON_ArrayForEach(c, v) cli_for_terminal(c);
}

void cli_print_json(cJSON *v)
{
    char *txt = cJSON_Print(v);
    if (txt) puts(txt);
    free(txt);
    cJSON_Delete(v);
}
