/* status, list, export: read commands over the store, opened for reading only (nothing is
 * created, migrated or written). --json prints the store's JSON (status adds each run's
 * progress: done, total, percent, ETA, what each browser is on, what a queued run waits for). */
#include "cli/commands.h"
#include "cli/analyze.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include "run/run.h"
#include "script/script.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const cli_opt cli_status_opts[] = {
    {"run-id", 0, "N", "the run (default: the runs in progress, else the latest)"},
    {0},
};
const cli_opt cli_list_opts[] = {
    {"limit", 0, "N", "at most N runs (default 50)"},
    {"status", 0, "STATUS", "pending, queued, running, interrupted, paused, completed, failed or cancelled"},
    {"mode", 0, "MODE", "runs of one mode (sweep, grid, staged, refine, optimize, halving, walkforward)"},
    {"test", 0, "TEST", "runs of one test (number, URL, id or name)"},
    {"search", 0, "TEXT", "runs whose name or test matches TEXT"},
    {0},
};
const cli_opt cli_export_opts[] = {
    {"run-id", 0, "N", "the run to export (required)"},
    {"format", 0, "csv|json|tradeblocks|markdown", "the file format (default csv)"},
    {"output", 0, "FILE", "where to write (required; - for stdout; a folder for tradeblocks)"},
    {0},
};

static double num(const cJSON *o, const char *k) { return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k)); }
static const char *str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : "";
}

/* What a read command shows before anything was ever stored: its empty answer (JSON or
 * words), exit 0. Takes empty. */
static int no_database(cJSON *empty, const char *words)
{
    if (oo_cfg()->json) cli_print_json(empty);
    else { cJSON_Delete(empty); printf("%s\n", words); }
    return 0;
}

static void print_run_line(const cJSON *r)
{
    const cJSON *c = cJSON_GetObjectItem(r, "counts");
    const char *name = str(r, "name");
    const char *test = *str(r, "test_name") ? str(r, "test_name") : str(r, "test_url");
    printf("%5.0f  %-11s %-8s %4.0f/%-4.0f done  %3.0f failed  %3.0f skipped  %s%s%s\n", num(r, "id"), str(r, "status"),
           str(r, "mode"), num(c, "completed") + num(c, "failed") + num(c, "skipped"), num(c, "total"), num(c, "failed"),
           num(c, "skipped"),
           *name ? name : "(unnamed)", *test ? "  · " : "", test);
}

/* Seconds since a store timestamp ("YYYY-MM-DD HH:MM:SS", UTC); -1 when there is none. */
static int64_t seconds_since(const char *stamp)
{
    struct tm tm = {0};
    if (!stamp || !*stamp || !strptime(stamp, "%Y-%m-%d %H:%M:%S", &tm)) return -1;
    return (int64_t)time(NULL) - (int64_t)timegm(&tm);
}

/* What each browser of the run is on: [{worker, values}] from its running tasks. */
static cJSON *workers_of(oo_store *s, int64_t id)
{
    oo_err err = {0};
    cJSON *tasks = store_run_tasks(s, id, &err), *t, *out = cJSON_CreateArray();
    cJSON_ArrayForEach(t, tasks) {
        if (strcmp(str(t, "status"), "running")) continue;
        const char *owner = str(t, "lease_owner"), *slash = strrchr(owner, '/');
        oo_buf b;
        oo_buf_init(&b);
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(t, "values")) {
            char *txt = cJSON_IsString(v) ? oo_strdup(v->valuestring) : cJSON_PrintUnformatted(v);
            oo_buf_printf(&b, "%s%s=%s", b.len ? " " : "", v->string, txt);
            free(txt);
        }
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "worker", slash ? slash + 1 : owner);
        cJSON_AddStringToObject(w, "values", b.data ? b.data : "");
        oo_buf_free(&b);
        cJSON_AddItemToArray(out, w);
    }
    cJSON_Delete(tasks);
    return out;
}

/* A run's progress line as data, added to the run: {done, total, percent, eta_s (running),
 * workers, waiting_for (queued: the run in the way)}. */
static void add_progress(oo_store *s, cJSON *run)
{
    const cJSON *c = cJSON_GetObjectItem(run, "counts");
    double total = num(c, "total"), done = num(c, "completed") + num(c, "failed") + num(c, "skipped");
    cJSON *p = cJSON_AddObjectToObject(run, "progress");
    cJSON_AddNumberToObject(p, "done", done);
    cJSON_AddNumberToObject(p, "total", total);
    cJSON_AddNumberToObject(p, "percent", total > 0 ? (double)(int)(100.0 * done / total) : 0);
    const char *status = str(run, "status");
    int64_t elapsed = seconds_since(str(run, "started_at"));
    if (!strcmp(status, "running") && done > 0 && done < total && elapsed > 0)
        cJSON_AddNumberToObject(p, "eta_s", (double)(int64_t)((double)elapsed / done * (total - done)));
    cJSON_AddItemToObject(p, "workers", workers_of(s, (int64_t)num(run, "id")));
    if (!strcmp(status, "queued")) {
        oo_err err = {0};
        cJSON *in_way = store_account_holder(s, str(run, "account"), &err);
        if (in_way && num(in_way, "id") != num(run, "id")) cJSON_AddNumberToObject(p, "waiting_for", num(in_way, "id"));
        cJSON_Delete(in_way);
    }
}

/* The progress line under a run's line: how far, when done, what each browser is on, or what
 * it waits for. */
static void print_progress(const cJSON *run)
{
    const cJSON *p = cJSON_GetObjectItem(run, "progress"), *w;
    const char *status = str(run, "status");
    printf("       %.0f%%", num(p, "percent"));
    if (cJSON_GetObjectItem(p, "eta_s")) {
        int64_t eta = (int64_t)num(p, "eta_s");
        printf(", ETA %lldm%02llds", (long long)(eta / 60), (long long)(eta % 60));
    }
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(p, "workers")) printf(" · %s %s", str(w, "worker"), str(w, "values"));
    if (!strcmp(status, "queued") && cJSON_GetObjectItem(p, "waiting_for"))
        printf(" · waiting for run %.0f (the account's)", num(p, "waiting_for"));
    if (!strcmp(status, "interrupted"))
        printf(" · its engine is gone: `oo-automator resume --run-id %.0f` continues it", num(run, "id"));
    printf("\n");
}

/* status without --run-id: every run that is running, queued or interrupted, else the latest. */
static cJSON *runs_in_progress(oo_store *s, oo_err *err)
{
    cJSON *out = cJSON_CreateArray();
    static const char *const live[] = {"running", "queued", "interrupted"};
    for (int i = 0; i < 3; i++) {
        store_run_filter f = {.status = live[i]};
        cJSON *rs = store_runs_list(s, &f, err), *r;
        if (!rs) { cJSON_Delete(out); return NULL; }
        while ((r = cJSON_DetachItemFromArray(rs, 0))) {
            add_progress(s, r);
            cJSON_AddItemToArray(out, r);
        }
        cJSON_Delete(rs);
    }
    if (cJSON_GetArraySize(out) > 0) return out;
    store_run_filter f = {.limit = 1};
    cJSON_Delete(out);
    return store_runs_list(s, &f, err);
}

static void print_run(const cJSON *out)
{
    const cJSON *c = cJSON_GetObjectItem(out, "counts");
    printf("run %.0f: %s (%s)\n", num(out, "id"), *str(out, "name") ? str(out, "name") : "(unnamed)", str(out, "mode"));
    printf("  test:      %s %s\n", str(out, "test_name"), str(out, "test_url"));
    printf("  status:    %s\n", str(out, "status"));
    double total = num(c, "total"), done = num(c, "completed");
    printf("  progress:  %.0f/%.0f completed (%.0f%%), %.0f failed, %.0f skipped, %.0f running, %.0f pending\n", done,
           total, total > 0 ? 100.0 * done / total : 0, num(c, "failed"), num(c, "skipped"), num(c, "running"),
           num(c, "pending"));
    if (*str(out, "started_at")) printf("  started:   %s\n", str(out, "started_at"));
    if (*str(out, "completed_at")) printf("  finished:  %s\n", str(out, "completed_at"));
    if (*str(out, "engine") && cJSON_IsTrue(cJSON_GetObjectItem(out, "engine_alive"))) printf("  engine:    %s\n", str(out, "engine"));
    if (*str(out, "error")) printf("  error:     %s\n", str(out, "error"));
}

/* status -v: the steps of the run far slower than their baseline (an early sign that the
 * site changed). */
static void print_slow_steps(const cJSON *slow)
{
    if (!cJSON_IsArray(slow) || cJSON_GetArraySize(slow) == 0) {
        printf("  steps:     none far slower than their baseline (median against the 95th percentile of earlier runs)\n");
        return;
    }
    printf("  steps far slower than their baseline (median this run against the 95th percentile of earlier runs;\n"
           "  the site may have changed: `oo-automator record-check RECORDING --url ...` checks a flow):\n");
    const cJSON *r;
    cJSON_ArrayForEach(r, slow)
        printf("    %s step %.0f (%s): %.0f ms against %.0f ms, %.1fx (%.0f durations this run, %.0f before)\n",
               str(r, "recording"), num(r, "step"), str(r, "type"), num(r, "p50"), num(r, "baseline_p95"),
               num(r, "ratio"), num(r, "n"), num(r, "baseline_n"));
}

int cli_cmd_status(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long run_id = 0;
    if (cli_get_int(a, "run-id", 1, 2147483647L, &run_id) < 0) return 2;
    int missing;
    oo_store *s = cli_open_store_readonly(&missing);
    if (!s && missing && !run_id) return no_database(cJSON_CreateArray(), "no runs yet: start one with `oo-automator run`");
    if (!s && missing) return cli_fail("no run %ld: there is no database yet (%s)", run_id, oo_config_get(oo_cfg(), OO_CFG_DB_PATH));
    if (!s) return 1;
    oo_err err = {0};
    cJSON *out = run_id ? store_run_get(s, run_id, &err) : runs_in_progress(s, &err);
    cJSON *slow = NULL;
    if (out && run_id) {
        add_progress(s, out);
        if (oo_cfg()->verbose && !(slow = store_run_slow_steps(s, run_id, 3, &err))) {
            store_close(s);
            cJSON_Delete(out);
            return cli_fail("%s", err.msg);
        }
        if (slow && oo_cfg()->json) { cJSON_AddItemToObject(out, "slow_steps", slow); slow = NULL; }
    }
    store_close(s);
    if (!out) return cli_fail("%s", err.msg);
    if (oo_cfg()->json) { cli_print_json(out); return 0; }
    cli_for_terminal(out);        /* names and messages are shown, never obeyed by the terminal */
    if (cJSON_IsArray(out) && cJSON_GetArraySize(out) == 0) {
        printf("no runs yet: start one with `oo-automator run`\n");
    } else if (cJSON_IsArray(out)) {
        const cJSON *r;
        cJSON_ArrayForEach(r, out) {
            print_run_line(r);
            if (cJSON_GetObjectItem(r, "progress")) print_progress(r);
        }
    } else {
        print_run(out);
        const char *st = str(out, "status");
        if (!strcmp(st, "running") || !strcmp(st, "queued") || !strcmp(st, "interrupted")) print_progress(out);
        if (slow) print_slow_steps(slow);
    }
    cJSON_Delete(slow);
    cJSON_Delete(out);
    return 0;
}

int cli_cmd_list(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long limit = 50;
    if (cli_get_int(a, "limit", 1, 100000, &limit) < 0) return 2;
    const char *status = cli_get(a, "status"), *mode = cli_get(a, "mode");
    static const char *const statuses[] = {"pending", "queued", "running", "interrupted", "paused", "completed", "failed",
                                           "cancelled", NULL};
    if (status) {
        int ok = 0;
        for (int i = 0; statuses[i]; i++) ok |= !strcmp(status, statuses[i]);
        if (!ok) return cli_usage_error("list", "--status must be pending, queued, running, interrupted, paused, completed, "
                                        "failed or cancelled, found \"%s\"", status);
    }
    int missing;
    oo_store *s = cli_open_store_readonly(&missing);
    if (!s && missing) return no_database(cJSON_CreateArray(), "no runs");
    if (!s) return 1;
    store_run_filter f = {.status = status, .mode = mode, .search = cli_get(a, "search"), .limit = (int)limit};
    if (cli_get(a, "test")) {
        f.test_id = cli_resolve_test(s, cli_get(a, "test"));
        if (!f.test_id) { store_close(s); return 1; }
    }
    oo_err err = {0};
    cJSON *runs = store_runs_list(s, &f, &err);
    store_close(s);
    if (!runs) return cli_fail("%s", err.msg);
    if (oo_cfg()->json) { cli_print_json(runs); return 0; }
    cli_for_terminal(runs);
    if (cJSON_GetArraySize(runs) == 0) printf("no runs\n");
    const cJSON *r;
    cJSON_ArrayForEach(r, runs) print_run_line(r);
    cJSON_Delete(runs);
    return 0;
}

/* The one list of metrics (lua/oo/metrics.lua), as GET /api/metrics serves it. */
static cJSON *metric_list(oo_err *err)
{
    script_opts so = {.traceback = oo_cfg()->verbose > 0};
    oo_script *sc = script_new(&so, err);
    cJSON *list = sc ? script_call(sc, "oo.metrics", "public", NULL, err) : NULL;
    script_free(sc);
    return list;
}

int cli_cmd_export(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long run_id = 0;
    if (cli_get_int(a, "run-id", 1, 2147483647L, &run_id) < 0) return 2;
    if (!run_id) return cli_usage_error("export", "--run-id N is required");
    const char *format = cli_get(a, "format") ? cli_get(a, "format") : "csv";
    const char *output = cli_get(a, "output");
    if (!strcmp(format, "tradeblocks") || !strcmp(format, "markdown")) {   /* the analysis writes these */
        if (!output || !*output || (!strcmp(output, "-") && !strcmp(format, "tradeblocks")))
            return cli_usage_error("export", "--output %s is required", !strcmp(format, "tradeblocks") ? "DIR" : "FILE (- for stdout)");
        return cli_analysis_export(run_id, format, output);
    }
    if (strcmp(format, "csv") && strcmp(format, "json"))
        return cli_usage_error("export", "--format must be csv, json, tradeblocks or markdown, found \"%s\"", format);
    if (!output || !*output) return cli_usage_error("export", "--output FILE is required (- for stdout)");
    int missing;
    oo_store *s = cli_open_store_readonly(&missing);
    if (!s && missing) return cli_fail("no run %ld: there is no database yet (%s)", run_id, oo_config_get(oo_cfg(), OO_CFG_DB_PATH));
    if (!s) return 1;
    oo_err err = {0};
    cJSON *run = store_run_get(s, run_id, &err);
    cJSON *tasks = run ? store_run_tasks(s, run_id, &err) : NULL;
    store_close(s);
    if (!tasks) { cJSON_Delete(run); return cli_fail("%s", err.msg); }

    oo_buf b;
    oo_buf_init(&b);
    if (!strcmp(format, "json")) {
        cJSON_AddItemToObject(run, "tasks", tasks);
        char *t = cJSON_Print(run);
        oo_buf_puts(&b, t);
        oo_buf_putc(&b, '\n');
        free(t);
        cJSON_Delete(run);
    } else {
        cJSON *metrics = metric_list(&err);
        if (!metrics) {
            cJSON_Delete(tasks);
            cJSON_Delete(run);
            oo_buf_free(&b);
            return cli_fail("%s", err.msg);
        }
        run_export_csv(tasks, metrics, &b);
        cJSON_Delete(metrics);
        cJSON_Delete(tasks);
        cJSON_Delete(run);
    }
    int rc = 0;
    if (!strcmp(output, "-")) fwrite(b.data, 1, b.len, stdout);
    else if (oo_write_file(output, b.data, b.len, &err) != 0) rc = cli_fail("%s", err.msg);
    else if (oo_cfg()->json) printf("{\"run_id\": %ld, \"format\": \"%s\", \"bytes\": %zu}\n", run_id, format, b.len);
    else fprintf(stderr, "exported run %ld to %s\n", run_id, output);
    oo_buf_free(&b);
    return rc;
}
