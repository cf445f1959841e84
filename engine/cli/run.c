/* run: start a run. The command line is checked here (flags) and in Lua (lua/oo/cli.lua: the
 * spec, its parameters and values, the test URL), all before any browser starts; then the
 * run is written to the store and executed by engine/run; the results table ends it. */
#include "cli/commands.h"
#include "base/config.h"
#include "base/util.h"
#include "run/run.h"
#include "script/script.h"
#include "store/store.h"
#include <lauxlib.h>
#include <unistd.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cli_run_opts[] = {
    {"url", 0, "URL", "the OptionOmega test (URL, or a saved test's number, id or name)"},
    {"param", 0, "NAME", "the parameter to sweep (see parameters/)"},
    {"start", 0, "A", "first value of the sweep"},
    {"end", 0, "B", "last value of the sweep (included)"},
    {"step", 0, "S", "step between values"},
    {"browsers", 0, "N", "browsers working at once (default 2; env OO_BROWSERS)"},
    {"config", 0, "FILE", "a run spec in JSON or Lua"},
    {"mode", 0, "MODE", "sweep, grid, staged, refine or optimize (overrides the spec's; see the README's Modes)"},
    {"max-backtests", 0, "N", "optimize: the budget of backtests"},
    {"seed", 0, "N", "optimize: the seed of the search (the same seed, the same search)"},
    {"name", 0, "NAME", "a name for the run"},
    {"yes", 'y', NULL, "do not ask (also allows grids of over 1,000 tasks)"},
    {"no-cache", 0, NULL, "run every backtest even when the same configuration was computed before"},
    {"headed", 0, NULL, "show the browser windows"},
    {0},
};

static int number(cli_args *a, const char *name, double *out)
{
    const char *v = cli_get(a, name);
    if (!v) return 0;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(d)) {
        cli_usage_error("run", "--%s must be a number, found \"%s\"", name, v);
        return -1;
    }
    *out = d;
    return 1;
}

/* A whole number field of a JSON object; 0 when missing or not a number. */
static long jint(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    if (!cJSON_IsNumber(v) || !(v->valuedouble > -1e9 && v->valuedouble < 1e9)) return 0;
    return (long)v->valuedouble;
}

/* Calls require(module)[fn](arg) and returns its result as JSON (NULL and err on error). */
cJSON *cli_lua_call(oo_script *sc, const char *module, const char *fn, const cJSON *arg, oo_err *err)
{
    lua_State *L = script_state(sc);
    lua_getglobal(L, "require");
    lua_pushstring(L, module);
    if (script_pcall(sc, 1, 1, err) != 0) return NULL;
    lua_getfield(L, -1, fn);
    lua_remove(L, -2);
    if (arg) script_push_json(L, arg); else lua_pushnil(L);
    if (script_pcall(sc, 1, 1, err) != 0) return NULL;
    cJSON *out = lua_isnil(L, -1) ? cJSON_CreateNull() : script_to_json(L, -1, err);
    lua_pop(L, 1);
    return out;
}

static int ask_yes(const char *question)
{
    fprintf(stderr, "%s [Y/n] ", question);
    fflush(stderr);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) return 0;
    return line[0] == '\n' || line[0] == 'y' || line[0] == 'Y';
}

/* The trades the report of a mode reads (a walk-forward's out-of-sample ones), as
 * oo.cli.report_trades names them: {"<result id>": [trade rows]}. Empty when none or on error
 * (the report then says what it lacks). */
static cJSON *report_trades(oo_store *st, oo_script *rs, const cJSON *arg)
{
    oo_err err = {0};
    cJSON *out = cJSON_CreateObject();
    cJSON *ids = cli_lua_call(rs, "oo.cli", "report_trades", arg, &err);
    if (!ids) fprintf(stderr, "cannot tell which trades the report reads: %s\n", err.msg);
    const cJSON *id;
    cJSON_ArrayForEach(id, ids) {
        if (!cJSON_IsNumber(id)) continue;
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)id->valuedouble);
        if (cJSON_GetObjectItem(out, key)) continue;
        cJSON *trades = store_result_trades(st, (int64_t)id->valuedouble, &err);
        if (trades) cJSON_AddItemToObject(out, key, trades);
    }
    cJSON_Delete(ids);
    return out;
}

int cli_execute_run(oo_store *st, long long run_id, int browsers, int headless, int no_cache)
{
    oo_err err = {0};
    script_opts so = {.traceback = oo_cfg()->verbose > 0};
    oo_script *sc = script_new(&so, &err);
    if (!sc) return cli_fail("%s", err.msg);
    run_opts ro = {.browsers = browsers, .headless = headless, .no_cache = no_cache, .progress = 1,
                   .data_dir = oo_config_get(oo_cfg(), OO_CFG_DATA_DIR)};
    const char *lease = getenv("OO_LEASE_MS");
    if (lease) ro.lease_ms = atoll(lease);
    fprintf(stderr, "run %lld: started (oo-automator pause --run-id %lld pauses it; Ctrl-C stops, resume continues)\n",
            run_id, run_id);
    int64_t t0 = oo_now_ms();
    int outcome = run_execute(st, sc, run_id, &ro, &err);
    script_free(sc);
    if (oo_cfg()->verbose > 0)   /* the run's wall time and the engine's own peak memory */
        fprintf(stderr, "run %lld: %lld ms; engine peak RSS: %ld kB\n", run_id, (long long)(oo_now_ms() - t0),
                oo_peak_rss_kb());
    int rc = 0;
    if (outcome < 0) rc = cli_fail("run %lld failed: %s", run_id, err.msg);
    else if (outcome == RUN_INTERRUPTED) {
        fprintf(stderr, "run %lld interrupted: the backtests in flight go back to the queue; "
                        "`oo-automator resume --run-id %lld` continues it\n", run_id, run_id);
        rc = 130;
    } else if (outcome == RUN_PAUSED) {
        fprintf(stderr, "run %lld paused; `oo-automator resume --run-id %lld` continues it\n", run_id, run_id);
    } else if (outcome == RUN_CANCELLED) {
        fprintf(stderr, "run %lld cancelled\n", run_id);
    }
    /* the results table, also for a partial run */
    cJSON *run = store_run_get(st, run_id, &err);
    cJSON *results = run ? store_run_results(st, run_id, &err) : NULL;
    if (run && results && cJSON_GetArraySize(results) > 0) {
        oo_script *rs = script_new(&so, &err);
        if (rs) {
            cJSON *arg = cJSON_CreateObject();
            cJSON_AddItemToObject(arg, "run", cJSON_Duplicate(run, 1));
            cJSON_AddItemToObject(arg, "results", cJSON_Duplicate(results, 1));
            cJSON_AddItemToObject(arg, "trades", report_trades(st, rs, arg));
            cJSON *text = cli_lua_call(rs, "oo.cli", "report_json", arg, &err);
            if (text && cJSON_IsString(text)) fputs(text->valuestring, stdout);
            else if (!text) fprintf(stderr, "cannot print the results: %s\n", err.msg);
            cJSON_Delete(text);
            cJSON_Delete(arg);
            script_free(rs);
        }
    }
    if (run) {
        cJSON *c = cJSON_GetObjectItem(run, "counts");
        printf("run %lld %s: %d completed, %d failed, %d to do\n", run_id,
               cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")),
               (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "completed")),
               (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "failed")),
               (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "pending")) +
                   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "running")));
    }
    cJSON_Delete(results);
    cJSON_Delete(run);
    return rc;
}

/* `run` without arguments: the interactive wizard (lua/oo/wizard.lua). */
static int wizard(long browsers, int headless, int no_cache)
{
    oo_store *st = cli_open_store();
    if (!st) return 1;
    oo_err err = {0};
    cJSON *arg = cJSON_CreateObject();
    cJSON *tests = store_tests_list(st, 9, &err);
    cJSON_AddItemToObject(arg, "tests", tests ? tests : cJSON_CreateArray());
    oo_err herr = {0};
    cJSON *history = store_backtest_seconds(st, 0, &herr);   /* the wizard's estimate */
    cJSON_AddItemToObject(arg, "history", history ? history : cJSON_CreateArray());
    if (browsers) cJSON_AddNumberToObject(arg, "browsers", (double)browsers);
    script_opts so = {.traceback = oo_cfg()->verbose > 0};
    oo_script *sc = script_new(&so, &err);
    cJSON *answers = sc ? cli_lua_call(sc, "oo.wizard", "run", arg, &err) : NULL;
    script_free(sc);
    cJSON_Delete(arg);
    int rc = 0;
    if (!answers) rc = cli_fail("%s", err.msg);
    else if (cJSON_IsTrue(cJSON_GetObjectItem(answers, "cancelled"))) fprintf(stderr, "nothing was started\n");
    else {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(answers, "test_name"));
        const char *test = cJSON_GetStringValue(cJSON_GetObjectItem(answers, "test"));
        if (name && test && store_test_upsert(st, test, name, &err) < 0) rc = cli_fail("%s", err.msg);
        if (rc == 0) {
            cJSON *args = cJSON_CreateObject();
            cJSON_AddItemToObject(args, "spec", cJSON_Duplicate(cJSON_GetObjectItem(answers, "spec"), 1));
            cJSON_AddTrueToObject(args, "confirmed");
            store_close(st);
            st = NULL;
            rc = cli_plan_and_run(args, 1, headless, no_cache, NULL);
            cJSON_Delete(args);
        }
    }
    cJSON_Delete(answers);
    if (st) store_close(st);
    return rc;
}

int cli_cmd_run(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long browsers = 0, budget = 0, seed = 0;
    if (cli_get_int(a, "browsers", 1, 8, &browsers) < 0) return 2;
    int hb = cli_get_int(a, "max-backtests", 2, 100000, &budget), hseed = cli_get_int(a, "seed", -1000000000L, 1000000000L, &seed);
    if (hb < 0 || hseed < 0) return 2;
    double start = 0, stop = 0, step = 1;
    int hs = number(a, "start", &start), he = number(a, "end", &stop), hp = number(a, "step", &step);
    if (hs < 0 || he < 0 || hp < 0) return 2;
    const char *script = a->npos ? a->pos[0] : NULL;
    const char *config = cli_get(a, "config");
    if (script && (config || cli_has(a, "param")))
        return cli_usage_error("run", "give a SCRIPT.lua, or --config, or --url with --param: not several");
    if (config && cli_has(a, "param"))
        return cli_usage_error("run", "give --config FILE or --param NAME, not both");
    if (cli_has(a, "param") && !cli_has(a, "url"))
        return cli_usage_error("run", "--param needs --url (the test to run it on)");
    if ((hs || he || hp) && !cli_has(a, "param"))
        return cli_usage_error("run", "--start, --end and --step need --param");
    if (hp && step == 0) return cli_usage_error("run", "--step must not be 0");
    if (hs && he && (stop - start) * step < 0)
        return cli_usage_error("run", "--start %g is past --end %g for --step %g", start, stop, step);
    const char *file = script ? script : config;
    if (file && !oo_file_exists(file)) return cli_fail("cannot read %s: no such file", file);
    if (!script && !config && !cli_has(a, "param")) {
        if (cli_has(a, "mode") || hb || hseed)
            return cli_usage_error("run", "--mode, --max-backtests and --seed apply to a spec: give SCRIPT.lua, --config or --url with --param");
        if (cli_has(a, "url"))
            return cli_usage_error("run", "--url needs --param NAME (or run without arguments for the wizard)");
        return wizard(browsers, cli_headless(a), cli_has(a, "no-cache"));
    }

    cJSON *args = cJSON_CreateObject();
    if (script) cJSON_AddStringToObject(args, "script", script);
    if (config) cJSON_AddStringToObject(args, "config", config);
    if (cli_get(a, "url")) cJSON_AddStringToObject(args, "url", cli_get(a, "url"));
    if (cli_get(a, "param")) cJSON_AddStringToObject(args, "param", cli_get(a, "param"));
    if (cli_get(a, "name")) cJSON_AddStringToObject(args, "name", cli_get(a, "name"));
    if (cli_get(a, "mode")) cJSON_AddStringToObject(args, "mode", cli_get(a, "mode"));
    if (hb) cJSON_AddNumberToObject(args, "max_backtests", (double)budget);
    if (hseed) cJSON_AddNumberToObject(args, "seed", (double)seed);
    if (hs) cJSON_AddNumberToObject(args, "start", start);
    if (he) cJSON_AddNumberToObject(args, "stop", stop);
    if (hp) cJSON_AddNumberToObject(args, "step", step);
    if (browsers) cJSON_AddNumberToObject(args, "browsers", (double)browsers);
    int rc = cli_plan_and_run(args, cli_has(a, "yes"), cli_headless(a), cli_has(a, "no-cache"), NULL);
    cJSON_Delete(args);
    return rc;
}

/* Plans a run in Lua and writes it to the store (with its test). Returns the run id, 0 when the
 * user said no at the confirmation (interactive), -1 with err. browsers_out: the browsers. */
int64_t cli_create_run(oo_store *st, const cJSON *args, int interactive, long *browsers_out, oo_err *err)
{
    script_opts so = {.traceback = oo_cfg()->verbose > 0};
    oo_script *sc = script_new(&so, err);
    if (!sc) return -1;
    cJSON *pargs = cJSON_Duplicate(args, 1);
    oo_err herr = {0};
    cJSON *history = store_backtest_seconds(st, 0, &herr);   /* for the estimate; none is fine */
    cJSON_AddItemToObject(pargs, "history", history ? history : cJSON_CreateArray());
    cJSON *plan = cli_lua_call(sc, "oo.cli", "prepare", pargs, err);
    cJSON_Delete(pargs);
    script_free(sc);
    if (!plan) return -1;
    if (cJSON_IsTrue(cJSON_GetObjectItem(plan, "imperative"))) {
        cJSON_Delete(plan);
        return 0;
    }
    int64_t run_id = -1;
    long browsers = jint(args, "browsers");
    int count = (int)jint(plan, "count");
    const char *summary = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "summary"));
    const char *test = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "test"));
    if (count > 1000 && !cJSON_IsTrue(cJSON_GetObjectItem(args, "yes"))) {
        oo_err_set(err, OO_E_INPUT, "this run has %d backtests (over 1,000): check the ranges, or add --yes to run them all", count);
        goto out;
    }
    if (!browsers) browsers = jint(plan, "browsers");
    if (!browsers) browsers = oo_config_int(oo_cfg(), OO_CFG_BROWSERS);
    if (browsers < 1 || browsers > 8) browsers = 2;
    long long test_id;
    if (cJSON_IsTrue(cJSON_GetObjectItem(plan, "test_is_url"))) {
        test_id = store_test_upsert(st, test, NULL, err);
        if (test_id < 0) goto out;
    } else {
        cJSON *found = store_test_find(st, test, err);
        if (!found) goto out;
        int n = cJSON_GetArraySize(found);
        test_id = n >= 1 ? (long long)jint(cJSON_GetArrayItem(found, 0), "id") : 0;
        cJSON_Delete(found);
        if (n != 1) {
            if (n == 0) oo_err_set(err, OO_E_INPUT, "no saved test matches \"%s\": see `oo-automator tests`", test);
            else oo_err_set(err, OO_E_INPUT, "\"%s\" matches %d saved tests: give its number from `oo-automator tests`", test, n);
            goto out;
        }
    }
    const char *estimate = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "estimate"));
    /* a terminal says what it starts (the wizard has, before its confirmation; the dashboard does not) */
    if (interactive || (cJSON_IsTrue(cJSON_GetObjectItem(args, "yes")) && !cJSON_IsTrue(cJSON_GetObjectItem(args, "confirmed"))))
        fprintf(stderr, "%s on %ld browser%s\nestimate: %s\n", summary ? summary : "run", browsers,
                browsers == 1 ? "" : "s", estimate ? estimate : "-");
    if (interactive) {
        if (isatty(0) && isatty(2)) {
            char q[128];
            snprintf(q, sizeof q, "Ready to run %d tests. Continue?", count);
            if (!ask_yes(q)) { fprintf(stderr, "nothing was started\n"); run_id = 0; goto out; }
        }
    }
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddItemToObject(cfg, "spec", cJSON_DetachItemFromObject(plan, "spec"));
    const char *sp = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "script"));
    if (sp) {
        char *abs = realpath(sp, NULL);
        cJSON_AddStringToObject(cfg, "script", abs ? abs : sp);
        free(abs);
    }
    cJSON_AddNumberToObject(cfg, "count", count);
    long grid = jint(plan, "grid");   /* a search: the full grid it saves backtests against */
    if (grid > 0) cJSON_AddNumberToObject(cfg, "grid", (double)grid);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "name"));
    const char *mode = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "mode"));
    run_id = store_run_create(st, test_id, name, mode, cfg, (int)browsers, err);
    cJSON_Delete(cfg);
    if (browsers_out) *browsers_out = browsers;
out:
    cJSON_Delete(plan);
    return run_id;
}

int cli_plan_and_run(const cJSON *args, int yes, int headless, int no_cache, long long *run_id_out)
{
    oo_err err = {0};
    oo_store *st = cli_open_store();
    if (!st) return 1;
    cJSON *a = cJSON_Duplicate(args, 1);
    if (yes) cJSON_AddTrueToObject(a, "yes");
    long browsers = 0;
    int64_t run_id = cli_create_run(st, a, !yes, &browsers, &err);
    cJSON_Delete(a);
    int rc;
    if (run_id < 0) rc = cli_fail("%s", err.msg);
    else if (run_id == 0) rc = 0;      /* declined, or a script that ran its own runs */
    else {
        if (yes) fprintf(stderr, "run %lld: %ld browser%s\n", (long long)run_id, browsers, browsers == 1 ? "" : "s");
        if (run_id_out) *run_id_out = run_id;
        rc = cli_execute_run(st, run_id, (int)browsers, headless, no_cache);
    }
    store_close(st);
    return rc;
}
