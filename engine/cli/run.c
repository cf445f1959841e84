/* run: start a run. The flags are checked here; everything else (the spec, its parameters and
 * values, the test, the limits) by lua/oo/cli.lua in the command's one Lua state, all before
 * any browser starts. The run is then written to the store and executed in that same state
 * (engine/run), and its results table ends it. */
#include "cli/commands.h"
#include "base/config.h"
#include "base/util.h"
#include "store/store.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const cli_opt cli_run_opts[] = {
    {"url", 0, "URL", "the OptionOmega test (URL, or a saved test's number, id or name)"},
    {"param", 0, "NAME", "the parameter to sweep (see parameters/)"},
    {"start", 0, "A", "first value of the sweep (a decimal number, or a time HH:MM)"},
    {"end", 0, "B", "last value of the sweep, included (a decimal number, or a time HH:MM)"},
    {"step", 0, "S", "step between values (a decimal number; minutes for times: 15 or 0:15)"},
    {"browsers", 0, "N", "browsers working at once (default 2; env OO_BROWSERS)"},
    {"config", 0, "FILE", "a run spec in JSON, YAML (.yaml/.yml) or Lua"},
    {"mode", 0, "MODE", "sweep, grid, staged, refine, optimize or halving (overrides the spec's; see the README's Modes)"},
    {"max-backtests", 0, "N", "optimize: the budget of backtests"},
    {"seed", 0, "N", "optimize: the seed of the search (the same seed, the same search)"},
    {"name", 0, "NAME", "a name for the run (at most 200 characters)"},
    {"yes", 'y', NULL, "do not ask (also allows runs of over 1,000 backtests)"},
    {"no-cache", 0, NULL, "run every backtest even when the same configuration was computed before"},
    {"headed", 0, NULL, "show the browser windows"},
    {"no-wait", 0, NULL, "when another run works the same account, refuse (exit 75) instead of waiting"},
    {"dry-run", 0, NULL, "check the spec and print what would run and the estimate; start and store nothing"},
    {0},
};

/* A decimal number as people write one: digits, one point, an exponent; never hex, inf or nan. */
static int is_decimal(const char *s)
{
    const char *p = s + (*s == '+' || *s == '-');
    int digits = 0;
    while (isdigit((unsigned char)*p)) { p++; digits++; }
    if (*p == '.') for (p++; isdigit((unsigned char)*p); p++) digits++;
    if (!digits) return 0;
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '+' || p[1] == '-');
        if (!isdigit((unsigned char)*p)) return 0;
        while (isdigit((unsigned char)*p)) p++;
    }
    return *p == '\0';
}

/* H:MM or HH:MM (a time of day, or a step in hours and minutes). */
static int is_clock(const char *s)
{
    size_t n = strlen(s);
    return (n == 4 || n == 5) && isdigit((unsigned char)s[0]) && (n == 4 || isdigit((unsigned char)s[1])) &&
           s[n - 3] == ':' && isdigit((unsigned char)s[n - 2]) && isdigit((unsigned char)s[n - 1]);
}

/* --start, --end and --step into args (as "start", "stop", "step"): a number, or a time. A
 * step given as H:MM is minutes. Returns 1 when given, 0 when not, -1 (printed) when bad. */
static int range_flag(cli_args *a, const char *flag, const char *key, cJSON *args)
{
    const char *v = cli_get(a, flag);
    if (!v) return 0;
    if (is_decimal(v)) {
        double d = strtod(v, NULL);
        if (!isfinite(d)) return cli_usage_error("run", "--%s is out of range: \"%s\"", flag, v), -1;
        if (!strcmp(flag, "step") && d == 0) return cli_usage_error("run", "--step must not be 0"), -1;
        cJSON_AddNumberToObject(args, key, d);
    } else if (is_clock(v) && !strcmp(flag, "step")) {
        int minutes = atoi(v) * 60 + atoi(strchr(v, ':') + 1);
        if (minutes == 0) return cli_usage_error("run", "--step must not be 0"), -1;
        cJSON_AddNumberToObject(args, key, minutes);
    } else if (is_clock(v)) {
        cJSON_AddStringToObject(args, key, v);
    } else {
        cli_usage_error("run", "--%s must be a decimal number (or a time HH:MM), found \"%s\"", flag, v);
        return -1;
    }
    return 1;
}

static int range_flags(cli_args *a, cJSON *args)
{
    int hs = range_flag(a, "start", "start", args), he = range_flag(a, "end", "stop", args);
    int hp = range_flag(a, "step", "step", args);
    if (hs < 0 || he < 0 || hp < 0) return -1;
    if ((hs || he || hp) && !cli_has(a, "param"))
        return cli_usage_error("run", "--start, --end and --step need --param"), -1;
    const cJSON *s = cJSON_GetObjectItem(args, "start"), *e = cJSON_GetObjectItem(args, "stop");
    const cJSON *p = cJSON_GetObjectItem(args, "step");
    double step = cJSON_IsNumber(p) ? p->valuedouble : 1;
    if (cJSON_IsNumber(s) && cJSON_IsNumber(e) && (e->valuedouble - s->valuedouble) * step < 0)
        return cli_usage_error("run", "--start %g is past --end %g for --step %g", s->valuedouble, e->valuedouble, step), -1;
    return 0;
}

static int ask_yes(const char *question)
{
    fprintf(stderr, "%s [Y/n] ", question);
    fflush(stderr);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) return 0;
    return line[0] == '\n' || line[0] == 'y' || line[0] == 'Y';
}

/* The plan's summary: what will run, on how many browsers, and how long it should take. */
static void summary(const cJSON *plan)
{
    const cJSON *b = cJSON_GetObjectItem(plan, "browsers");
    long browsers = cJSON_IsNumber(b) ? (long)b->valuedouble : oo_config_int(oo_cfg(), OO_CFG_BROWSERS);
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "summary"));
    const char *estimate = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "estimate"));
    fprintf(stderr, "%s on %ld browser%s\nestimate: %s\n", text ? text : "run", browsers, browsers == 1 ? "" : "s",
            estimate ? estimate : "-");
}

/* --dry-run: the plan as it would run, and nothing started or stored. A script that drives its
 * runs itself (oo.run) stopped at its first run, whose plan is the one shown. */
static int dry_run(cli_session *s, const cJSON *plan)
{
    oo_err err = {0};
    cJSON *checked = cli_session_call(s, "dry_check", NULL, &err);   /* the recordings parse */
    if (!checked) return cli_error_exit(&err);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(plan, "plans"), 0);
    const cJSON *shown = first ? first : plan;
    if (oo_cfg()->json) {
        cJSON *out = cJSON_Duplicate(shown, 1);
        cJSON_DeleteItemFromObject(out, "key");
        cJSON_AddTrueToObject(out, "dry_run");
        cli_print_json(out);   /* which takes it */
    } else {
        summary(shown);
    }
    if (first)
        fprintf(stderr, "the script runs its runs itself (oo.run): its first run is the one above; what it runs next "
                        "depends on that run's results, which a dry run does not make\n");
    const char *note = cJSON_GetStringValue(cJSON_GetObjectItem(checked, "note"));
    if (note && *note) fprintf(stderr, "note: %s\n", note);
    cJSON_Delete(checked);
    fprintf(stderr, "dry run: nothing was started or stored\n");
    return 0;
}

/* In a terminal, the question whether to go on: 1 go, 0 declined. */
static int confirm(const cJSON *plan, int interactive)
{
    if (!interactive || !isatty(0) || !isatty(2)) return 1;
    char q[128];
    snprintf(q, sizeof q, "Ready to run %.0f tests. Continue?", cJSON_GetNumberValue(cJSON_GetObjectItem(plan, "count")));
    if (ask_yes(q)) return 1;
    fprintf(stderr, "nothing was started\n");
    return 0;
}

/* With --no-wait, a run is not even created while another engine works the account: 0 and
 * the exit status printed, or -1 to go on. */
static int account_busy(cli_session *s)
{
    if (!s->ro.no_wait) return -1;
    oo_err err = {0};
    cJSON *in_way = store_account_holder(s->st, s->ro.account, &err);
    if (!in_way) return err.code ? cli_fail("%s", err.msg) : -1;
    const char *engine = cJSON_GetStringValue(cJSON_GetObjectItem(in_way, "engine"));
    cli_fail("the account %s is busy with run %.0f (%s, engine %s): nothing was started (without --no-wait the run "
             "waits for its turn)", s->ro.account && *s->ro.account ? s->ro.account : "(no login)",
             cJSON_GetNumberValue(cJSON_GetObjectItem(in_way, "id")),
             cJSON_GetStringValue(cJSON_GetObjectItem(in_way, "status")), engine ? engine : "?");
    cJSON_Delete(in_way);
    return CLI_EXIT_BUSY;
}

/* Creates the planned run and executes it. */
static int create_and_execute(cli_session *s, const cJSON *plan, long long *run_id_out)
{
    oo_err err = {0};
    int busy = account_busy(s);
    if (busy >= 0) return busy;
    cJSON *key = cJSON_CreateNumber(cJSON_GetNumberValue(cJSON_GetObjectItem(plan, "key")));
    cJSON *id = cli_session_call(s, "create", key, &err);
    cJSON_Delete(key);
    if (!id) return cli_error_exit(&err);
    long long run_id = (long long)cJSON_GetNumberValue(id);
    cJSON_Delete(id);
    if (run_id_out) *run_id_out = run_id;
    return cli_session_execute(s, run_id);
}

int cli_plan_and_run(cli_session *s, const cJSON *args, int interactive, long long *run_id_out)
{
    oo_err err = {0};
    cJSON *plan = cli_session_call(s, "prepare", args, &err);
    if (!plan) return cli_error_exit(&err);
    int rc = 0;
    if (cJSON_IsTrue(cJSON_GetObjectItem(args, "dry_run"))) {
        rc = dry_run(s, plan);
    } else if (cJSON_IsTrue(cJSON_GetObjectItem(plan, "imperative"))) {
        rc = 0;                             /* the script ran its own runs */
    } else {
        summary(plan);
        cJSON *ready = cli_session_call(s, "ready", NULL, &err);
        if (!ready) rc = cli_error_exit(&err);
        else if (confirm(plan, interactive)) rc = create_and_execute(s, plan, run_id_out);
        cJSON_Delete(ready);
    }
    cJSON_Delete(plan);
    return rc;
}

/* `run` without arguments: the interactive wizard (lua/oo/wizard.lua), planned like the rest. */
static int wizard(cli_session *s, long browsers)
{
    oo_err err = {0};
    cJSON *arg = cJSON_CreateObject();
    cJSON *tests = store_tests_list(s->st, 9, &err);
    cJSON_AddItemToObject(arg, "tests", tests ? tests : cJSON_CreateArray());
    if (browsers) cJSON_AddNumberToObject(arg, "browsers", (double)browsers);
    cJSON *plan = cli_session_call(s, "wizard", arg, &err);
    cJSON_Delete(arg);
    int rc = 0;
    if (!plan) rc = cli_error_exit(&err);
    else if (cJSON_IsTrue(cJSON_GetObjectItem(plan, "cancelled"))) fprintf(stderr, "nothing was started\n");
    else {
        cJSON *ready = cli_session_call(s, "ready", NULL, &err);
        rc = ready ? create_and_execute(s, plan, NULL) : cli_error_exit(&err);
        cJSON_Delete(ready);
    }
    cJSON_Delete(plan);
    return rc;
}

/* The flags' combination; 0, or 2 after the usage error. */
static int check_flags(cli_args *a, const char *script, const char *config)
{
    if (script && (config || cli_has(a, "param")))
        return cli_usage_error("run", "give a SCRIPT.lua, or --config, or --url with --param: not several");
    if (config && cli_has(a, "param")) return cli_usage_error("run", "give --config FILE or --param NAME, not both");
    if (cli_has(a, "param") && !cli_has(a, "url"))
        return cli_usage_error("run", "--param needs --url (the test to run it on)");
    if (!script && !config && !cli_has(a, "param") && cli_has(a, "url"))
        return cli_usage_error("run", "--url needs --param NAME (or run without arguments for the wizard)");
    if (!script && !config && !cli_has(a, "param") && cli_has(a, "dry-run"))
        return cli_usage_error("run", "--dry-run checks a spec: give SCRIPT.lua, --config or --url with --param");
    if (!script && !config && !cli_has(a, "param") &&
        (cli_has(a, "mode") || cli_has(a, "max-backtests") || cli_has(a, "seed")))
        return cli_usage_error("run", "--mode, --max-backtests and --seed apply to a spec: give SCRIPT.lua, --config "
                                      "or --url with --param");
    return 0;
}

/* --mode, --max-backtests and --seed into args (the spec's own are overridden by oo.cli);
 * 0, or -1 after the usage error. */
static int search_flags(cli_args *a, cJSON *args)
{
    long budget = 0, seed = 0;
    int hb = cli_get_int(a, "max-backtests", 2, 100000, &budget);
    int hs = cli_get_int(a, "seed", -1000000000L, 1000000000L, &seed);
    if (hb < 0 || hs < 0) return -1;
    if (cli_get(a, "mode")) cJSON_AddStringToObject(args, "mode", cli_get(a, "mode"));
    if (hb) cJSON_AddNumberToObject(args, "max_backtests", (double)budget);
    if (hs) cJSON_AddNumberToObject(args, "seed", (double)seed);
    return 0;
}

/* The command line as the arguments of oo.cli.prepare; NULL after a usage error. */
static cJSON *run_args(cli_args *a, const char *script, const char *config, long browsers)
{
    cJSON *args = cJSON_CreateObject();
    if (range_flags(a, args) != 0 || search_flags(a, args) != 0) { cJSON_Delete(args); return NULL; }
    if (script) cJSON_AddStringToObject(args, "script", script);
    if (config) cJSON_AddStringToObject(args, "config", config);
    if (cli_get(a, "url")) cJSON_AddStringToObject(args, "url", cli_get(a, "url"));
    if (cli_get(a, "param")) cJSON_AddStringToObject(args, "param", cli_get(a, "param"));
    if (cli_get(a, "name")) cJSON_AddStringToObject(args, "name", cli_get(a, "name"));
    if (browsers) cJSON_AddNumberToObject(args, "browsers", (double)browsers);
    if (cli_has(a, "yes")) cJSON_AddTrueToObject(args, "yes");
    if (cli_has(a, "dry-run")) cJSON_AddTrueToObject(args, "dry_run");
    return args;
}

int cli_cmd_run(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long browsers = 0;
    if (cli_get_int(a, "browsers", 1, 8, &browsers) < 0) return 2;
    const char *script = a->npos ? a->pos[0] : NULL, *config = cli_get(a, "config");
    if (check_flags(a, script, config) != 0) return 2;
    const char *file = script ? script : config;
    if (file && !oo_file_exists(file)) return cli_fail("cannot read %s: no such file", file);
    cJSON *args = NULL;
    if ((script || config || cli_has(a, "param")) && !(args = run_args(a, script, config, browsers))) return 2;
    cli_session s;
    int rc = cli_has(a, "dry-run") ? cli_session_open_readonly(&s, (int)browsers)
                                   : cli_session_open(&s, (int)browsers, cli_headless(a), cli_has(a, "no-cache"), cli_has(a, "no-wait"));
    if (rc == 0) rc = args ? cli_plan_and_run(&s, args, !cli_has(a, "yes"), NULL) : wizard(&s, browsers);
    cli_session_close(&s);
    cJSON_Delete(args);
    return rc;
}
