#include "seed.h"
#include "base/alive.h"
#include "base/buf.h"
#include "base/util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* a 1x1 PNG */
const unsigned char seed_png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
const size_t seed_png_len = sizeof seed_png;

cJSON *seed_metrics(double x, double y)
{
    cJSON *m = cJSON_CreateObject();
    double cagr = 0.20 - 0.002 * (x - 9) * (x - 9) + 0.001 * y;
    double dd = -(0.05 + 0.004 * x);
    cJSON_AddNumberToObject(m, "cagr", round(cagr * 10000) / 10000);
    cJSON_AddNumberToObject(m, "max_drawdown", round(dd * 10000) / 10000);
    cJSON_AddNumberToObject(m, "mar", round(cagr / -dd * 1000) / 1000);
    cJSON_AddNumberToObject(m, "win_percentage", 60 + x / 2);
    cJSON_AddNumberToObject(m, "capture_rate", 0.3 + x / 100);
    cJSON_AddNumberToObject(m, "pl", round(10000 * cagr));
    cJSON_AddNumberToObject(m, "trades", 100 + (int)x);
    return m;
}

static int complete_one(oo_store *s, int64_t run_id, const char *owner, int fail, int64_t *result_id, oo_err *err)
{
    cJSON *task = NULL;
    int rc = store_task_lease(s, run_id, owner, 60000, &task, err);
    if (rc <= 0) return rc;
    int64_t tid = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(task, "id"));
    const cJSON *vals = cJSON_GetObjectItem(task, "values"), *v;
    double x = 0, y = 0;
    int i = 0;
    cJSON_ArrayForEach(v, vals) {
        if (cJSON_IsNumber(v)) { if (i == 0) x = v->valuedouble; else y = v->valuedouble; }
        i++;
    }
    if (fail) {
        rc = store_task_fail(s, tid, "timing: the results never appeared", 1, err) == 0 ? 1 : -1;
        if (result_id) *result_id = tid;   /* the task, for the failure record */
    } else {
        cJSON *res = cJSON_CreateObject();
        cJSON_AddItemToObject(res, "metrics", seed_metrics(x, y));
        cJSON *trades = cJSON_CreateArray();
        for (int t = 0; t < 3; t++) {
            cJSON *tr = cJSON_CreateObject();
            cJSON_AddStringToObject(tr, "date_opened", "2024-01-02");
            cJSON_AddNumberToObject(tr, "pl", 10.5 * (t + 1));
            cJSON_AddItemToArray(trades, tr);
        }
        int64_t rid = store_task_complete(s, tid, res, trades, err);
        cJSON_Delete(res);
        cJSON_Delete(trades);
        if (result_id) *result_id = rid;
        rc = rid > 0 ? 1 : -1;
    }
    cJSON_Delete(task);
    return rc;
}

int seed_complete_next(oo_store *s, int64_t run_id, oo_err *err)
{
    return complete_one(s, run_id, "browser-1", 0, NULL, err);
}

static cJSON *values1(const char *k, double v)
{
    cJSON *t = cJSON_CreateObject(), *vals = cJSON_AddObjectToObject(t, "values");
    cJSON_AddNumberToObject(vals, k, v);
    return t;
}

/* A run stored as the engine stores one: its config is {spec, count}. */
static int64_t make_run(oo_store *s, int64_t test, const char *name, const char *mode, const char *config, oo_err *err)
{
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddItemToObject(cfg, "spec", cJSON_Parse(config));
    int64_t id = store_run_create(s, test, name, mode, cfg, 2, err);
    cJSON_Delete(cfg);
    return id;
}

int seed_fill(oo_store *s, const char *data_dir, seed_ids *ids, oo_err *err)
{
    memset(ids, 0, sizeof *ids);
    if ((ids->test1 = store_test_upsert(s, "https://example.test/test/abc123", SEED_TEST1_NAME, err)) < 0) return -1;
    if ((ids->test2 = store_test_upsert(s, "https://example.test/test/def456", "Iron Condor", err)) < 0) return -1;

    /* a completed sweep with one failed task and its artifacts */
    ids->sweep_run = make_run(s, ids->test1, "Delta sweep", "sweep",
                              "{\"mode\":\"sweep\",\"parameter\":\"delta\",\"config\":{\"start\":5,\"stop\":14,\"step\":1}}", err);
    if (ids->sweep_run < 0) return -1;
    cJSON *tasks = cJSON_CreateArray();
    for (int d = 5; d <= 14; d++) cJSON_AddItemToArray(tasks, values1("delta", d));
    int rc = store_tasks_add(s, ids->sweep_run, tasks, err);
    cJSON_Delete(tasks);
    if (rc < 0 || store_run_set_status(s, ids->sweep_run, "running", NULL, err) != 0) return -1;
    for (int d = 5; d <= 14; d++) {
        int64_t rid = 0;
        if (complete_one(s, ids->sweep_run, d % 2 ? "browser-1" : "browser-2", d == 11, &rid, err) != 1) return -1;
        if (d == 6) ids->result_id = rid;
        if (d == 11) {
            char *png = oo_asprintf("%s/runs/%lld/task-%lld.png", data_dir, (long long)ids->sweep_run, (long long)rid);
            char *html = oo_asprintf("%s/runs/%lld/task-%lld.html", data_dir, (long long)ids->sweep_run, (long long)rid);
            char *dir = oo_asprintf("%s/runs/%lld", data_dir, (long long)ids->sweep_run);
            static const char snap[] = "<!doctype html><html><body><h1 id=\"snap\">Snapshot of the page</h1>"
                                       "<script>window.parent.__snapshot_script_ran = 1</script></body></html>";
            int ok = oo_mkdir_p(dir, err) == 0 && oo_write_file(png, seed_png, seed_png_len, err) == 0 &&
                     oo_write_file(html, snap, sizeof snap - 1, err) == 0;
            store_failure f = {.task_id = rid, .attempt = 1, .type = "timing", .message = "the results never appeared <script>",
                               .screenshot_path = png, .html_path = html};
            if (ok) ids->failure_id = store_failure_add(s, &f, err);
            store_failure g = {.task_id = rid, .attempt = 2, .type = "permanent", .message = "gave up",
                               .screenshot_path = "/etc/hostname", .html_path = "../../../../etc/passwd"};
            if (ok && ids->failure_id > 0) ids->outside_failure_id = store_failure_add(s, &g, err);
            free(png);
            free(html);
            free(dir);
            if (!ok || ids->failure_id < 0 || ids->outside_failure_id < 0) return -1;
        }
    }
    if (store_run_set_status(s, ids->sweep_run, "completed", NULL, err) != 0) return -1;

    /* a grid */
    ids->grid_run = make_run(s, ids->test2, "Delta x PT grid", "grid",
                             "{\"mode\":\"grid\",\"parameters\":{\"delta\":{\"start\":5,\"stop\":15,\"step\":5},"
                             "\"profit_target\":{\"start\":10,\"stop\":30,\"step\":10}}}", err);
    if (ids->grid_run < 0) return -1;
    tasks = cJSON_CreateArray();
    for (int d = 5; d <= 15; d += 5)
        for (int p = 10; p <= 30; p += 10) {
            cJSON *t = values1("delta", d);
            cJSON_AddNumberToObject(cJSON_GetObjectItem(t, "values"), "profit_target", p);
            cJSON_AddItemToArray(tasks, t);
        }
    rc = store_tasks_add(s, ids->grid_run, tasks, err);
    cJSON_Delete(tasks);
    if (rc < 0 || store_run_set_status(s, ids->grid_run, "running", NULL, err) != 0) return -1;
    while ((rc = complete_one(s, ids->grid_run, "browser-1", 0, NULL, err)) == 1) {}
    if (rc < 0 || store_run_set_status(s, ids->grid_run, "completed", NULL, err) != 0) return -1;

    /* staged: delta first, then profit_target at the best delta (9 has the best mar) */
    ids->staged_run = make_run(s, ids->test1, "Staged delta then PT", "staged",
                               "{\"mode\":\"staged\",\"stages\":[{\"parameter\":\"delta\",\"config\":{\"start\":5,\"stop\":9,\"step\":1},"
                               "\"optimize_by\":\"cagr\"},{\"parameter\":\"profit_target\",\"use_best_from\":\"delta\","
                               "\"config\":{\"start\":10,\"stop\":30,\"step\":10}}]}", err);
    if (ids->staged_run < 0) return -1;
    tasks = cJSON_CreateArray();
    for (int d = 5; d <= 9; d++) cJSON_AddItemToArray(tasks, values1("delta", d));
    rc = store_tasks_add(s, ids->staged_run, tasks, err);
    cJSON_Delete(tasks);
    if (rc < 0 || store_run_set_status(s, ids->staged_run, "running", NULL, err) != 0) return -1;
    while ((rc = complete_one(s, ids->staged_run, "browser-1", 0, NULL, err)) == 1) {}
    if (rc < 0) return -1;
    tasks = cJSON_CreateArray();
    for (int p = 10; p <= 30; p += 10) {
        cJSON *t = values1("delta", 9);
        cJSON_AddNumberToObject(cJSON_GetObjectItem(t, "values"), "profit_target", p);
        cJSON_AddNumberToObject(t, "stage", 2);
        cJSON_AddItemToArray(tasks, t);
    }
    rc = store_tasks_add(s, ids->staged_run, tasks, err);
    cJSON_Delete(tasks);
    if (rc < 0) return -1;
    while ((rc = complete_one(s, ids->staged_run, "browser-2", 0, NULL, err)) == 1) {}
    if (rc < 0 || store_run_set_status(s, ids->staged_run, "completed", NULL, err) != 0) return -1;

    /* a run in progress: 3 of 10 done */
    ids->live_run = make_run(s, ids->test2, "Live delta sweep", "sweep",
                             "{\"mode\":\"sweep\",\"parameter\":\"delta\",\"config\":{\"start\":20,\"stop\":29,\"step\":1}}", err);
    if (ids->live_run < 0) return -1;
    tasks = cJSON_CreateArray();
    for (int d = 20; d <= 29; d++) cJSON_AddItemToArray(tasks, values1("delta", d));
    rc = store_tasks_add(s, ids->live_run, tasks, err);
    cJSON_Delete(tasks);
    if (rc < 0 || seed_claim(s, ids->live_run, err) != 0) return -1;
    for (int i = 0; i < 3; i++)
        if (complete_one(s, ids->live_run, "browser-1", 0, NULL, err) != 1) return -1;
    return 0;
}

void seed_engine(char *buf, size_t n)
{
    char self[96];
    oo_engine_self(self, sizeof self);
    char *colon = strrchr(self, ':');
    if (colon) *colon = '\0';
    snprintf(buf, n, "%s:%ld", self, (long)getppid());
}

int seed_claim(oo_store *s, int64_t run, oo_err *err)
{
    char engine[128], account[64];
    seed_engine(engine, sizeof engine);
    snprintf(account, sizeof account, "seed-%lld@example.com", (long long)run);   /* one account each: none waits */
    return store_run_claim(s, run, account, engine, STORE_CLAIM_F_WAIT, NULL, err) == STORE_CLAIM_RUN ? 0 : -1;
}

/* One stage of a search: its tasks added, leased and completed with the seed's metrics, then the
 * engine's stage_best event for it, as lua/oo/runner.lua reports a stage judged by
 * optimize_by = "mar": the completed task with the highest MAR (ties: the earlier), its score
 * the MAR itself (metrics.lua's sense "max"). dates: every task's dates value, or NULL. */
static int search_stage(oo_store *s, int64_t run, int stage, const double *deltas, int n, const char *dates, oo_err *err)
{
    cJSON *tasks = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *t = values1("delta", deltas[i]);
        if (dates) cJSON_AddStringToObject(cJSON_GetObjectItem(t, "values"), "dates", dates);
        cJSON_AddNumberToObject(t, "stage", stage);
        cJSON_AddItemToArray(tasks, t);
    }
    int rc = store_tasks_add(s, run, tasks, err);
    cJSON_Delete(tasks);
    if (rc < 0) return -1;
    while ((rc = complete_one(s, run, "browser-1", 0, NULL, err)) == 1) {}
    cJSON *all = rc < 0 ? NULL : store_run_tasks(s, run, err);
    if (!all) return -1;
    const cJSON *t, *best = NULL;
    double best_mar = 0;
    cJSON_ArrayForEach(t, all) {
        const cJSON *m = cJSON_GetObjectItem(t, "mar");
        if (cJSON_GetNumberValue(cJSON_GetObjectItem(t, "stage")) != stage || !cJSON_IsNumber(m)) continue;
        if (!best || m->valuedouble > best_mar) { best = t; best_mar = m->valuedouble; }
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "stage", stage);
    if (best) {
        cJSON_AddItemToObject(p, "values", cJSON_Duplicate(cJSON_GetObjectItem(best, "values"), 1));
        cJSON_AddNumberToObject(p, "task_id", cJSON_GetNumberValue(cJSON_GetObjectItem(best, "id")));
        cJSON_AddNumberToObject(p, "score", best_mar);
    }
    cJSON_AddStringToObject(p, "optimize_by", "mar");
    int64_t ev = best ? store_event_append(s, run, "stage_best", p, err) : -1;
    cJSON_Delete(p);
    cJSON_Delete(all);
    return ev > 0 ? 0 : -1;
}

/* A completed search run as `run` stores one: config {spec, count, grid}. */
static int64_t search_run(oo_store *s, int64_t test, const char *name, const char *mode, const char *spec, int count,
                          int grid, oo_err *err)
{
    cJSON *cfg = cJSON_CreateObject();
    cJSON_AddItemToObject(cfg, "spec", cJSON_Parse(spec));
    cJSON_AddNumberToObject(cfg, "count", count);
    cJSON_AddNumberToObject(cfg, "grid", grid);
    int64_t id = store_run_create(s, test, name, mode, cfg, 2, err);
    cJSON_Delete(cfg);
    if (id > 0 && store_run_set_status(s, id, "running", NULL, err) != 0) return -1;
    return id;
}

int seed_searches(oo_store *s, int64_t test, int64_t *optimize, int64_t *halving, oo_err *err)
{
    /* optimize: its design finds delta 3 (MAR 2.065 > 2.043 at 11); its second batch finds 7 */
    static const double design[] = {3, 11}, batch[] = {6, 7};
    *optimize = search_run(s, test, "Optimize in two batches", "optimize",
                           "{\"mode\":\"optimize\",\"optimize_by\":\"mar\",\"max_backtests\":4,\"seed\":1,\"batch\":2,"
                           "\"parameters\":{\"delta\":{\"start\":3,\"stop\":13,\"step\":1}}}", 4, 11, err);
    if (*optimize < 0 || search_stage(s, *optimize, 1, design, 2, NULL, err) != 0 ||
        search_stage(s, *optimize, 2, batch, 2, NULL, err) != 0 ||
        store_run_set_status(s, *optimize, "completed", NULL, err) != 0)
        return -1;
    /* halving: delta 5, 7, 9 on the short window, 5 and 7 on the full period; 7 wins both rungs,
     * and the answer is the full period's delta 7, not the short window's */
    static const double rung1[] = {5, 7, 9}, rung2[] = {5, 7};
    *halving = search_run(s, test, "Halving in two rungs", "halving",
                          "{\"mode\":\"halving\",\"optimize_by\":\"mar\",\"period\":\"2020-01-02..2024-12-31\",\"rungs\":2,"
                          "\"parameter\":\"delta\",\"config\":{\"start\":5,\"stop\":9,\"step\":2}}", 5, 3, err);
    if (*halving < 0 || search_stage(s, *halving, 1, rung1, 3, "2023-05-03..2024-12-31", err) != 0 ||
        search_stage(s, *halving, 2, rung2, 2, "2020-01-02..2024-12-31", err) != 0 ||
        store_run_set_status(s, *halving, "completed", NULL, err) != 0)
        return -1;
    return 0;
}
