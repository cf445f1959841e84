/* analyze: `oo-automator analyze`, and the seam through which export (tradeblocks, markdown)
 * and the dashboard (serve: GET /api/runs/{id}/analysis, GET /api/results/{id}/analysis) reach
 * the same Lua (lua/oo/analysis/cli.lua): the command's one Lua state, with the store bound
 * as the `runs` module (run_bind). */
#include "cli/analyze.h"
#include "cli/commands.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include "run/run.h"
#include "script/script.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cli_analyze_opts[] = {
    {"run-id", 0, "N", "a run: the recommendation, the Pareto front, what to avoid, significance"},
    {"result-id", 0, "N", "a result: its metrics, breakdowns, curves and Monte Carlo"},
    {"goal", 0, "GOAL", "returns, capital or balanced (default balanced; with --run-id)"},
    {"mc-paths", 0, "N", "Monte Carlo paths (default 10000; 100 to 1000000)"},
    {"seed", 0, "S", "the seed of every resampling (default 1): same seed, same numbers"},
    {"drawdown-limit", 0, "PCT", "the returns goal's drawdown limit in percent (default 30)"},
    {"top", 0, "N", "how many configurations to recommend (default 5)"},
    {"fragile-loss", 0, "PCT", "a configuration whose neighbours lose more than this share is fragile (default 30)"},
    {"block-length", 0, "N", "the significance test's mean block length in days (default T^(1/3))"},
    {"risk-free", 0, "PCT", "the annual risk-free rate the risk-adjusted measures use, in percent (default 0)"},
    {"mc-threshold", 0, "PCT", "the Monte Carlo's drawdown threshold in percent (default 1.5 x the result's own)"},
    {0},
};

/* A decimal flag within [lo, hi] into args (when given). -1 after a usage error. */
static int num_arg(cli_args *a, cJSON *args, const char *flag, const char *key, double lo, double hi)
{
    const char *v = cli_get(a, flag);
    if (!v) return 0;
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !(d >= lo && d <= hi)) {
        cli_usage_error("analyze", "--%s must be a number from %g to %g, found \"%s\"", flag, lo, hi, v);
        return -1;
    }
    cJSON_AddNumberToObject(args, key, d);
    return 0;
}

char *cli_analysis_call(oo_script *sc, const char *fn, const cJSON *args, oo_err *err)
{
    cJSON *answer = script_call(sc, "oo.analysis.cli", fn, args, err);
    if (!answer) return NULL;
    char *text = NULL;
    const cJSON *e = cJSON_GetObjectItem(answer, "error");
    const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(answer, "text"));
    if (e) {
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(e, "msg"));
        oo_err_set(err, oo_err_code_of(cJSON_GetStringValue(cJSON_GetObjectItem(e, "code"))), "%s", msg ? msg : "the analysis failed");
    } else if (t) {
        text = oo_strdup(t);
    } else {
        oo_err_set(err, OO_E_SCRIPT, "oo.analysis.cli.%s returned no text", fn);
    }
    cJSON_Delete(answer);
    return text;
}

/* oo.analysis.cli[fn](args) as a command: its one Lua state, made here with st bound into it
 * as `runs`. The text, or NULL and err. */
static char *call_once(oo_store *st, const char *fn, const cJSON *args, oo_err *err)
{
    script_opts so = {.traceback = oo_cfg()->verbose > 0};
    oo_script *sc = script_new(&so, err);
    if (!sc) return NULL;
    run_bind(sc, st, &(run_opts){.data_dir = oo_config_get(oo_cfg(), OO_CFG_DATA_DIR)});
    char *text = cli_analysis_call(sc, fn, args, err);
    script_free(sc);
    return text;
}

/* An integer flag into args (when given). -1 after a usage error. */
static int int_arg(cli_args *a, cJSON *args, const char *flag, const char *key, long lo, long hi)
{
    long v = 0;
    int rc = cli_get_int(a, flag, lo, hi, &v);
    if (rc < 0) return -1;
    if (rc > 0) cJSON_AddNumberToObject(args, key, (double)v);
    return 0;
}

int cli_cmd_analyze(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    cJSON *args = cJSON_CreateObject();
    int bad = int_arg(a, args, "run-id", "run_id", 1, 2147483647L) || int_arg(a, args, "result-id", "result_id", 1, 2147483647L) ||
              int_arg(a, args, "mc-paths", "mc_paths", 100, 1000000) || int_arg(a, args, "seed", "seed", 0, 2147483647L) ||
              int_arg(a, args, "drawdown-limit", "drawdown_limit", 1, 100) || int_arg(a, args, "top", "top", 1, 100) ||
              int_arg(a, args, "fragile-loss", "fragile_loss", 1, 100) || int_arg(a, args, "block-length", "block", 1, 1000) ||
              num_arg(a, args, "risk-free", "risk_free", 0, 50) || num_arg(a, args, "mc-threshold", "mc_threshold", 0.1, 100);
    if (bad) { cJSON_Delete(args); return 2; }
    int by_run = cJSON_HasObjectItem(args, "run_id"), by_result = cJSON_HasObjectItem(args, "result_id");
    const char *goal = cli_get(a, "goal");
    if (by_run == by_result) {
        cJSON_Delete(args);
        return cli_usage_error("analyze", "give --run-id N (a run) or --result-id N (one result)");
    }
    if (goal && !by_run) {
        cJSON_Delete(args);
        return cli_usage_error("analyze", "--goal ranks a run's configurations: use it with --run-id");
    }
    if (goal) cJSON_AddStringToObject(args, "goal", goal);
    if (oo_cfg()->json) cJSON_AddTrueToObject(args, "json");
    /* analyze only reads: the database is opened read-only. Without one yet, an empty store in
     * memory answers as the file would (no run N; a goal's name still checked), and nothing is
     * created on disk. */
    int missing;
    oo_store *st = cli_open_store_readonly(&missing);
    oo_err oerr = {0};
    if (!st && missing && !(st = store_open(":memory:", &oerr))) fprintf(stderr, "oo-automator: %s\n", oerr.msg);
    if (!st) { cJSON_Delete(args); return 1; }
    oo_err err = {0};
    char *text = call_once(st, "analyze", args, &err);
    store_close(st);
    cJSON_Delete(args);
    if (!text) return err.code == OO_E_USAGE ? cli_usage_error("analyze", "%s", err.msg) : cli_fail("%s", err.msg);
    fputs(text, stdout);
    free(text);
    return 0;
}

/* ---- export --format tradeblocks | markdown ------------------------------------------------ */

int cli_analysis_export(long run_id, const char *format, const char *output)
{
    int missing;    /* export only reads, whatever the format: the database is opened read-only */
    oo_store *st = cli_open_store_readonly(&missing);
    if (!st && missing)
        return cli_fail("no run %ld: there is no database yet (%s)", run_id, oo_config_get(oo_cfg(), OO_CFG_DB_PATH));
    if (!st) return 1;
    cJSON *args = cJSON_CreateObject();
    cJSON_AddNumberToObject(args, "run_id", (double)run_id);
    cJSON_AddStringToObject(args, "format", format);
    cJSON_AddStringToObject(args, "output", output);
    oo_err err = {0};
    char *text = call_once(st, "export", args, &err);
    store_close(st);
    cJSON_Delete(args);
    if (!text) return err.code == OO_E_USAGE ? cli_usage_error("export", "%s", err.msg) : cli_fail("%s", err.msg);
    int rc = 0;
    if (!strcmp(format, "tradeblocks")) {
        if (!oo_cfg()->json) fputs(text, stderr);
    } else if (!strcmp(output, "-")) {
        fputs(text, stdout);
    } else if (oo_write_file(output, text, strlen(text), &err) != 0) {
        rc = cli_fail("%s", err.msg);
    } else if (!oo_cfg()->json) {
        fprintf(stderr, "exported run %ld's report to %s\n", run_id, output);
    }
    free(text);
    return rc;
}

/* ---- the dashboard's analysis endpoints --------------------------------------------------- */

#define CACHE_SLOTS 16

struct cli_analysis_server {
    oo_store *store;                                   /* serve's, borrowed */
    oo_script *sc;                                     /* serve's, borrowed: it remembers trades */
    struct { char *key; char *text; } cache[CACHE_SLOTS];
    int next;                                          /* the slot to replace next */
};

cli_analysis_server *cli_analysis_server_new(oo_store *st, oo_script *sc)
{
    cli_analysis_server *s = oo_calloc(1, sizeof *s);
    s->store = st;
    s->sc = sc;
    return s;
}

void cli_analysis_server_free(cli_analysis_server *s)
{
    if (!s) return;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(s->cache[i].key);
        free(s->cache[i].text);
    }
    free(s);
}

/* What the answer depends on: a result never changes; a run changes with its results. */
static char *cache_key(cli_analysis_server *s, const char *kind, int64_t id, const char *goal, oo_err *err)
{
    if (strcmp(kind, "run")) return oo_asprintf("%s/%lld", kind, (long long)id);
    cJSON *run = store_run_get(s->store, id, err);
    if (!run) return NULL;
    const cJSON *c = cJSON_GetObjectItem(run, "counts");
    char *key = oo_asprintf("run/%lld/%s/%s/%.0f/%.0f", (long long)id, goal ? goal : "", cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")),
                            cJSON_GetNumberValue(cJSON_GetObjectItem(c, "completed")), cJSON_GetNumberValue(cJSON_GetObjectItem(c, "total")));
    cJSON_Delete(run);
    return key;
}

static const char *cache_find(cli_analysis_server *s, const char *key)
{
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (s->cache[i].key && !strcmp(s->cache[i].key, key)) return s->cache[i].text;
    return NULL;
}

/* Keeps key (taken) -> a copy of text, in place of the oldest answer. */
static void cache_keep(cli_analysis_server *s, char *key, const char *text)
{
    int slot = s->next;
    s->next = (s->next + 1) % CACHE_SLOTS;
    free(s->cache[slot].key);
    free(s->cache[slot].text);
    s->cache[slot].key = key;
    s->cache[slot].text = oo_strdup(text);
}

char *cli_analysis_serve(void *ud, const char *kind, int64_t id, const char *goal, oo_err *err)
{
    cli_analysis_server *s = ud;
    char *key = cache_key(s, kind, id, goal, err);
    if (!key) return NULL;
    const char *kept = cache_find(s, key);
    if (kept) {
        free(key);
        return oo_strdup(kept);
    }
    cJSON *args = cJSON_CreateObject();
    if (goal) cJSON_AddStringToObject(args, "goal", goal);
    cJSON_AddStringToObject(args, "kind", kind);
    cJSON_AddNumberToObject(args, "id", (double)id);
    char *text = cli_analysis_call(s->sc, "json", args, err);
    cJSON_Delete(args);
    if (!text) {
        if (err->code == OO_E_SCRIPT) {   /* a Lua failure (memory?): the trades it kept are let go */
            oo_err ignored = {0};
            cJSON_Delete(script_call(s->sc, "oo.analysis.cli", "forget", NULL, &ignored));
        }
        free(key);
        return NULL;
    }
    cache_keep(s, key, text);
    return text;
}
