/* The dashboard's server over real HTTP on 127.0.0.1, against a real SQLite file filled through
 * store functions: every REST route and its errors, the run seam (start_run and the 503 without
 * it), pause/resume/cancel through the store, settings and the password file, static files and
 * path traversal, oversized and malformed bodies, the token, Host and Origin checks, garbage on
 * the wire, and the WebSocket stream receiving an event that another process appends (within
 * 500 ms), with catch-up from ?after=. Shutting down with connections open is clean. */
#include "testlib.h"
#include "client.h"
#include "seed.h"
#include "web/web.h"
#include "run/run.h"
#include "script/script.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char *g_dir, *g_db, *g_data, *g_webdir;
static seed_ids g_ids;

static double num(const cJSON *o, const char *k) { return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k)); }
static const char *str(const cJSON *o, const char *k) { return cJSON_GetStringValue(cJSON_GetObjectItem(o, k)); }

/* GET/POST... and parse the JSON answer; *status gets the code. */
static cJSON *call(int port, const char *method, const char *path, const char *body, int *status)
{
    http_resp r;
    http_req(port, method, path, NULL, body, body ? strlen(body) : 0, &r);
    *status = r.status;
    cJSON *v = cJSON_Parse(r.body ? r.body : "");
    char ct[128];
    if (!http_header(&r, "content-type", ct, sizeof ct) || !strstr(ct, "application/json")) {
        cJSON_Delete(v);
        v = NULL;
    }
    http_free(&r);
    return v;
}

/* An error answer: the status and a JSON {"error": "..."} containing `has`. */
#define CHECK_ERROR(port, method, path, body, want, has) do { int st_; \
    cJSON *e_ = call(port, method, path, body, &st_); \
    CHECK_MSG(st_ == (want), "%s %s: status %d, wanted %d", method, path, st_, want); \
    const char *m_ = e_ ? str(e_, "error") : NULL; \
    CHECK_MSG(m_ && strstr(m_, has), "%s %s: error %s lacks \"%s\"", method, path, m_ ? m_ : "(none)", has); \
    cJSON_Delete(e_); } while (0)

/* Makes a run's engine silent for longer than the store allows (another machine's engine that
 * stopped saying it works), as the table would be an hour later. */
static void age_engine(const char *db_path, int64_t run)
{
    sqlite3 *db = NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE runs SET engine_seen_at = engine_seen_at - 3600000 WHERE id = %lld", (long long)run);
    CHECK(sqlite3_open(db_path, &db) == SQLITE_OK && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

/* ---- the stand-in run engine ---------------------------------------------------------------- */

typedef struct { int calls, resumed; int64_t last_resumed; char last_mode[32]; oo_store *store; oo_script *sc; } engine;

/* The stand-in checks a spec with the real check (lua/oo/cli.lua's prepare, with the real
 * parameter scripts, in a Lua state of its own bound to the store, as `serve` does); only what
 * passes counts as a call, and is stored without an engine to execute it. */
static cJSON *cli_call(engine *e, const char *fn, const cJSON *spec, oo_err *err)
{
    if (!e->store && !(e->store = store_open(g_db, err))) return NULL;
    if (!e->sc) {
        script_opts so = {0};
        if (!(e->sc = script_new(&so, err))) return NULL;
        run_bind(e->sc, e->store, &(run_opts){0});
    }
    cJSON *args = cJSON_CreateObject();
    cJSON_AddItemToObject(args, "spec", cJSON_Duplicate(spec, 1));
    cJSON_AddStringToObject(args, "where", "the run spec");
    cJSON *out = script_call(e->sc, "oo.cli", fn, args, err);
    cJSON_Delete(args);
    return out;
}

static cJSON *check(engine *e, const cJSON *spec, oo_err *err) { return cli_call(e, "prepare", spec, err); }

static int64_t start_run(void *ud, const cJSON *spec, oo_err *err)
{
    engine *e = ud;
    cJSON *plan = check(e, spec, err);
    if (!plan) return -1;
    cJSON_Delete(plan);
    e->calls++;
    snprintf(e->last_mode, sizeof e->last_mode, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(spec, "mode")));
    if (cJSON_GetObjectItem(spec, "name") && !strcmp(str(spec, "name"), "refuse me")) {
        oo_err_set(err, OO_E_INPUT, "staged: the run engine says no");
        return -1;
    }
    return store_run_create(e->store, (int64_t)num(spec, "test_id"), str(spec, "name"), str(spec, "mode"), spec, 2, err);
}

/* The stand-in's resume: the run is counted and taken by a live engine (the driver), as the
 * engine process serve starts would take it. */
static int resume_run(void *ud, int64_t id, oo_err *err)
{
    engine *e = ud;
    if (!e->store && !(e->store = store_open(g_db, err))) return -1;
    e->resumed++;
    e->last_resumed = id;
    return seed_claim(e->store, id, err);
}

/* The estimate: the real one (lua/oo/cli.lua's estimate_spec in the stand-in's state, as serve
 * does). */
static cJSON *estimate(void *ud, const cJSON *spec, oo_err *err) { return cli_call(ud, "estimate_spec", spec, err); }

static const char *params_json =
    "{\"parameters\":[{\"name\":\"delta\",\"display_name\":\"Delta\",\"fields\":["
    "{\"name\":\"start\",\"type\":\"int\",\"min\":1,\"max\":100},{\"name\":\"stop\",\"type\":\"int\",\"min\":1,\"max\":100},"
    "{\"name\":\"step\",\"type\":\"int\",\"min\":1},{\"name\":\"apply_to\",\"type\":\"choice\",\"choices\":[\"both\",\"put_only\",\"call_only\"]}]},"
    "{\"name\":\"entry_time\",\"display_name\":\"Entry Time\",\"fields\":[{\"name\":\"start\",\"type\":\"time\"},"
    "{\"name\":\"stop\",\"type\":\"time\"},{\"name\":\"step\",\"type\":\"int\",\"min\":1}]},"
    "{\"name\":\"profit_target\",\"display_name\":\"Profit Target\",\"fields\":[{\"name\":\"start\",\"type\":\"number\",\"min\":0}]}],"
    "\"errors\":[]}";

/* module.fn() of a fresh Lua state as JSON text, as serve gives it to the server (kept in
 * *cache, freed at the end). */
static const char *lua_list_json(const char *module, const char *fn, char **cache)
{
    if (*cache) return *cache;
    oo_err err = {0};
    script_opts so = {0};
    oo_script *sc = script_new(&so, &err);
    cJSON *list = sc ? script_call(sc, module, fn, NULL, &err) : NULL;
    if (!list) fprintf(stderr, "%s.%s: %s\n", module, fn, err.msg);
    *cache = list ? cJSON_PrintUnformatted(list) : NULL;
    cJSON_Delete(list);
    script_free(sc);
    return *cache;
}

/* The one list of metrics (lua/oo/metrics.lua) and the modes' forms (lua/oo/forms.lua). */
static char *g_metrics, *g_modes;
static const char *metrics_json(void) { return lua_list_json("oo.metrics", "public", &g_metrics); }
static const char *modes_json(void) { return lua_list_json("oo.forms", "for_forms", &g_modes); }

static web_server *start(const char *token, web_start_run_fn fn, void *ud)
{
    char *vendor = oo_asprintf("%s/vendor/node_modules", getenv("OO_SOURCE_DIR") ? getenv("OO_SOURCE_DIR") : ".");
    cJSON *defaults = cJSON_Parse("{\"browsers\":2,\"headless\":true,\"rate_limit\":10}");
    web_opts o = {.port = 0, .token = token, .db_path = g_db, .data_dir = g_data, .web_dir = g_webdir,
                  .vendor_dir = vendor, .parameters_json = params_json, .metrics_json = metrics_json(),
                  .modes_json = modes_json(),
                  .settings_defaults = defaults,
                  .start_run = fn, .resume_run = fn ? resume_run : NULL, .start_run_ud = ud, .estimate = fn ? estimate : NULL,
                  .poll_ms = 50};
    oo_err err = {0};
    web_server *w = web_start(&o, &err);
    free(vendor);
    cJSON_Delete(defaults);
    if (!w) fprintf(stderr, "web_start: %s\n", err.msg);
    return w;
}

/* ---- the stand-in analysis (serve provides the real one: tests/run/analyze.sh) ---------------- */

typedef struct { int calls; char kind[16], goal[48]; int64_t id; int fail; } analyst;

static char *analyse(void *ud, const char *kind, int64_t id, const char *goal, oo_err *err)
{
    analyst *a = ud;
    a->calls++;
    snprintf(a->kind, sizeof a->kind, "%s", kind);
    snprintf(a->goal, sizeof a->goal, "%s", goal ? goal : "");
    a->id = id;
    if (a->fail) {
        oo_err_set(err, a->fail, a->fail == OO_E_USAGE ? "unknown goal \"%s\"" : "the analysis broke (%s)", goal ? goal : "");
        return NULL;
    }
    return oo_asprintf("{\"kind\":\"%s\",\"id\":%lld}", kind, (long long)id);
}

static web_server *start_analyst(analyst *a)
{
    web_opts o = {.port = 0, .db_path = g_db, .data_dir = g_data, .web_dir = g_webdir, .analysis = analyse,
                  .analysis_ud = a, .poll_ms = 50};
    oo_err err = {0};
    web_server *w = web_start(&o, &err);
    if (!w) fprintf(stderr, "web_start: %s\n", err.msg);
    return w;
}

/* Runs the fixture program (another process) and waits for it. */
static int run_fixture(const char *a1, const char *a2, const char *a3, const char *a4)
{
    const char *bin = getenv("OO_WEB_FIXTURE");
    if (!bin) return -1;
    char *argv[] = {(char *)bin, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
    pid_t pid;
    if (posix_spawn(&pid, bin, NULL, NULL, argv, environ) != 0) return -1;
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- tests ----------------------------------------------------------------------------------- */

static void test_reads(int port)
{
    int st;
    char path[256];
    cJSON *v = call(port, "GET", "/api/health", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(v && cJSON_IsTrue(cJSON_GetObjectItem(v, "ok")));
    cJSON_Delete(v);

    v = call(port, "GET", "/api/tests", NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(cJSON_GetArraySize(v), 2);
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/tests/%lld", (long long)g_ids.test1);
    v = call(port, "GET", path, NULL, &st);
    CHECK_STR(v ? str(v, "name") : NULL, SEED_TEST1_NAME);
    cJSON_Delete(v);

    v = call(port, "GET", "/api/runs", NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(cJSON_GetArraySize(v), 4);
    CHECK(v && num(cJSON_GetArrayItem(v, 0), "id") == g_ids.live_run);   /* newest first */
    cJSON_Delete(v);
    v = call(port, "GET", "/api/runs?status=running", NULL, &st);
    CHECK_INT(cJSON_GetArraySize(v), 1);
    cJSON_Delete(v);
    v = call(port, "GET", "/api/runs?mode=grid", NULL, &st);
    CHECK(cJSON_GetArraySize(v) == 1 && num(cJSON_GetArrayItem(v, 0), "id") == g_ids.grid_run);
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/runs?test_id=%lld", (long long)g_ids.test1);
    v = call(port, "GET", path, NULL, &st);
    CHECK_INT(cJSON_GetArraySize(v), 2);
    cJSON_Delete(v);
    v = call(port, "GET", "/api/runs?search=live%20delta", NULL, &st);
    CHECK(cJSON_GetArraySize(v) == 1 && num(cJSON_GetArrayItem(v, 0), "id") == g_ids.live_run);
    cJSON_Delete(v);
    v = call(port, "GET", "/api/runs?search=Iron+Condor&limit=1&offset=1", NULL, &st);
    CHECK(cJSON_GetArraySize(v) == 1 && num(cJSON_GetArrayItem(v, 0), "id") == g_ids.grid_run);
    cJSON_Delete(v);
    CHECK_ERROR(port, "GET", "/api/runs?status=bogus", NULL, 400, "status");
    CHECK_ERROR(port, "GET", "/api/runs?limit=0", NULL, 400, "limit");
    CHECK_ERROR(port, "GET", "/api/runs?test_id=x", NULL, 400, "test_id");
    CHECK_ERROR(port, "GET", "/api/runs?search=%zz", NULL, 400, "malformed query");

    snprintf(path, sizeof path, "/api/runs/%lld", (long long)g_ids.sweep_run);
    v = call(port, "GET", path, NULL, &st);
    CHECK_INT(st, 200);
    const cJSON *c = cJSON_GetObjectItem(v, "counts");
    CHECK(c && num(c, "total") == 10 && num(c, "completed") == 9 && num(c, "failed") == 1);
    CHECK_STR(v ? str(v, "status") : NULL, "completed");
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/runs/%lld/results", (long long)g_ids.sweep_run);
    v = call(port, "GET", path, NULL, &st);
    CHECK_INT(cJSON_GetArraySize(v), 9);
    CHECK(v && cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetArrayItem(v, 0), "cagr")));
    CHECK(v && num(cJSON_GetObjectItem(cJSON_GetArrayItem(v, 0), "values"), "delta") == 5);
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/runs/%lld/tasks", (long long)g_ids.live_run);
    v = call(port, "GET", path, NULL, &st);
    CHECK_INT(cJSON_GetArraySize(v), 10);
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/runs/%lld/failures", (long long)g_ids.sweep_run);
    v = call(port, "GET", path, NULL, &st);
    CHECK_INT(cJSON_GetArraySize(v), 2);
    CHECK(v && num(cJSON_GetArrayItem(v, 0), "id") == g_ids.failure_id);
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/results/%lld/trades", (long long)g_ids.result_id);
    v = call(port, "GET", path, NULL, &st);
    CHECK(st == 200 && cJSON_GetArraySize(v) == 3 && num(cJSON_GetArrayItem(v, 2), "pl") == 31.5);
    cJSON_Delete(v);
    v = call(port, "GET", "/api/parameters", NULL, &st);
    CHECK(st == 200 && cJSON_GetArraySize(cJSON_GetObjectItem(v, "parameters")) == 3);
    cJSON_Delete(v);
    v = call(port, "GET", "/api/events?after=0&limit=5", NULL, &st);
    CHECK(st == 200 && cJSON_GetArraySize(v) == 5 && num(cJSON_GetArrayItem(v, 0), "id") == 1);
    cJSON_Delete(v);

    /* not found, wrong ids, wrong methods: JSON errors */
    CHECK_ERROR(port, "GET", "/api/runs/999999", NULL, 404, "no run 999999");
    CHECK_ERROR(port, "GET", "/api/runs/999999/results", NULL, 404, "no run");
    CHECK_ERROR(port, "GET", "/api/runs/abc", NULL, 404, "no run");
    CHECK_ERROR(port, "GET", "/api/runs/-1", NULL, 404, "no run");
    CHECK_ERROR(port, "GET", "/api/runs/1/nothing", NULL, 404, "no such API");
    CHECK_ERROR(port, "GET", "/api/nothing", NULL, 404, "no such API");
    CHECK_ERROR(port, "GET", "/api", NULL, 404, "no such API");
    CHECK_ERROR(port, "GET", "/api/tests/77777", NULL, 404, "no test");
    CHECK_ERROR(port, "DELETE", "/api/runs", NULL, 405, "not allowed");
    CHECK_ERROR(port, "POST", "/api/health", NULL, 405, "not allowed");
    CHECK_ERROR(port, "GET", "/api/events?after=x", NULL, 400, "after");
}

/* GET /api/runs/N/analysis and /api/results/N/analysis: checked here, answered by the callback
 * (with its status kept: 400 for a wrong request, 500 for a failure), 503 without one. */
static void test_analysis(int port_none)
{
    analyst a = {0};
    web_server *w = start_analyst(&a);
    REQUIRE(w);
    int port = web_port(w), st;
    char path[160];
    snprintf(path, sizeof path, "/api/runs/%lld/analysis", (long long)g_ids.sweep_run);
    cJSON *v = call(port, "GET", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK(v && !strcmp(str(v, "kind"), "run") && num(v, "id") == (double)g_ids.sweep_run);
    CHECK(a.calls == 1 && !strcmp(a.kind, "run") && a.goal[0] == '\0');
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/runs/%lld/analysis?goal=capital", (long long)g_ids.grid_run);
    v = call(port, "GET", path, NULL, &st);
    CHECK(st == 200 && !strcmp(a.goal, "capital") && a.id == g_ids.grid_run);
    cJSON_Delete(v);
    a.fail = OO_E_USAGE;
    snprintf(path, sizeof path, "/api/runs/%lld/analysis?goal=yolo", (long long)g_ids.grid_run);
    CHECK_ERROR(port, "GET", path, NULL, 400, "unknown goal \"yolo\"");
    a.fail = OO_E_DB;
    CHECK_ERROR(port, "GET", path, NULL, 500, "the analysis broke");
    a.fail = 0;
    int before = a.calls;
    CHECK_ERROR(port, "GET", "/api/runs/99999/analysis", NULL, 404, "no run 99999");
    CHECK_ERROR(port, "GET", "/api/results/99999/analysis", NULL, 404, "no result 99999");
    CHECK_ERROR(port, "GET", "/api/results/abc/analysis", NULL, 404, "no result");
    snprintf(path, sizeof path, "/api/results/%lld/analysis?goal=returns", (long long)g_ids.result_id);
    CHECK_ERROR(port, "GET", path, NULL, 400, "has no goal");
    snprintf(path, sizeof path, "/api/results/%lld/analysis", (long long)g_ids.result_id);
    CHECK_ERROR(port, "POST", path, "{}", 405, "GET");
    CHECK_MSG(a.calls == before, "the callback was called for a bad request");
    v = call(port, "GET", path, NULL, &st);
    CHECK(st == 200 && v && !strcmp(str(v, "kind"), "result") && a.id == g_ids.result_id);
    cJSON_Delete(v);
    CHECK_ERROR(port_none, "GET", path, NULL, 503, "no analysis");
    web_stop(w);
}

static void test_export(int port)
{
    char path[128];
    snprintf(path, sizeof path, "/api/runs/%lld/export.csv", (long long)g_ids.sweep_run);
    http_resp r;
    http_req(port, "GET", path, NULL, NULL, 0, &r);
    char h[256];
    CHECK_INT(r.status, 200);
    CHECK(http_header(&r, "content-type", h, sizeof h) && strstr(h, "text/csv"));
    CHECK(http_header(&r, "content-disposition", h, sizeof h) && strstr(h, "attachment") && strstr(h, ".csv"));
    CHECK_MSG(r.body && !strncmp(r.body, "task_id,stage,status,delta,pl,cagr,max_drawdown,mar,", 52), "%.80s", r.body);
    int lines = 0;
    for (const char *p = r.body; p && *p; p++) lines += *p == '\n';
    CHECK_INT(lines, 11);
    CHECK(r.body && strstr(r.body, ",failed,11,"));
    http_free(&r);
    CHECK_ERROR(port, "GET", "/api/runs/424242/export.csv", NULL, 404, "no run");

    /* the one list of metrics: what the dashboard formats with and the export's columns */
    int st;
    cJSON *m = call(port, "GET", "/api/metrics", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(cJSON_IsArray(m) && cJSON_GetArraySize(m) >= 17);
    const cJSON *first = cJSON_GetArrayItem(m, 0), *cagr = cJSON_GetArrayItem(m, 1);
    CHECK_STR(str(first, "key"), "pl");
    CHECK_STR(str(first, "format"), "money");
    CHECK_STR(str(cagr, "key"), "cagr");
    CHECK_STR(str(cagr, "format"), "pct");
    CHECK_STR(str(cagr, "sense"), "max");
    cJSON_Delete(m);
    /* the modes' forms New Run is drawn from: every mode, a walk-forward's windows among them */
    cJSON *modes = call(port, "GET", "/api/modes", NULL, &st), *md, *wf = NULL;
    CHECK_INT(st, 200);
    CHECK(cJSON_IsArray(modes) && cJSON_GetArraySize(modes) >= 4);
    CHECK_STR(str(cJSON_GetArrayItem(modes, 0), "name"), "sweep");
    cJSON_ArrayForEach(md, modes) if (str(md, "name") && !strcmp(str(md, "name"), "walkforward")) wf = md;
    const cJSON *wff = wf ? cJSON_GetArrayItem(cJSON_GetObjectItem(wf, "fields"), 0) : NULL;
    CHECK_STR(str(wff, "key"), "windows.from");
    CHECK_STR(str(wff, "type"), "date");
    CHECK_STR(str(wff, "at"), "walkforward.windows.from");
    cJSON_Delete(modes);
    CHECK_ERROR(port, "POST", "/api/modes", "{}", 405, "");
    /* a run's own events, by kind */
    snprintf(path, sizeof path, "/api/runs/%lld/events?kind=run_created", (long long)g_ids.sweep_run);
    cJSON *ev = call(port, "GET", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(cJSON_GetArraySize(ev), 1);
    CHECK_STR(str(cJSON_GetArrayItem(ev, 0), "kind"), "run_created");
    cJSON_Delete(ev);
    snprintf(path, sizeof path, "/api/runs/%lld/events?kind=a;b", (long long)g_ids.sweep_run);
    CHECK_ERROR(port, "GET", path, NULL, 400, "kind");
}

/* A failures row may name any path (a database written by anything): only regular files under
 * <data dir>/runs/ are served, whatever the spelling, and no symbolic link leads out. */
static void test_artifact_paths(int port)
{
    oo_err err = {0};
    oo_store *s = store_open(g_db, &err);
    REQUIRE(s);
    cJSON *tasks = store_run_tasks(s, g_ids.sweep_run, &err);
    int64_t task = (int64_t)num(cJSON_GetArrayItem(tasks, 0), "id");
    cJSON_Delete(tasks);
    char *runs = oo_path_join(g_data, "runs"), *dir = oo_path_join(runs, "77");
    oo_mkdir_p(dir, NULL);
    char *pw = oo_path_join(g_data, "password"), *inside = oo_path_join(dir, "ok.png");
    oo_write_file(pw, "secret-password", 15, NULL);
    oo_write_file(inside, "PNGDATA", 7, NULL);
    char *data_db = oo_path_join(g_data, "oo_automator.db");
    oo_write_file(data_db, "SQLite format 3", 15, NULL);
    char *to_pw = oo_path_join(dir, "to-password.png"), *to_ok = oo_path_join(dir, "to-ok.png");
    CHECK(symlink(pw, to_pw) == 0 && symlink(inside, to_ok) == 0);
    char *dir_link = oo_path_join(runs, "78");          /* a folder link out of runs/ */
    CHECK(symlink(g_data, dir_link) == 0);
    char *fifo = oo_path_join(dir, "fifo.png");
    CHECK(mkfifo(fifo, 0600) == 0);
    char *via_link = oo_asprintf("%s/password", dir_link), *rel_up = oo_strdup("runs/77/../../password");
    char *db_abs = oo_strdup(g_db), *dotdot = oo_asprintf("%s/../password", runs);
    const struct { const char *path; int status; const char *body; } cases[] = {
        {inside, 200, "PNGDATA"}, {"runs/77/ok.png", 200, "PNGDATA"}, {to_ok, 200, "PNGDATA"},
        {pw, 404, NULL}, {"password", 404, NULL}, {to_pw, 404, NULL}, {via_link, 404, NULL},
        {rel_up, 404, NULL}, {dotdot, 404, NULL}, {db_abs, 404, NULL}, {data_db, 404, NULL}, {"oo_automator.db", 404, NULL},
        {dir, 404, NULL}, {runs, 404, NULL}, {fifo, 404, NULL}, {"/etc/passwd", 404, NULL},
        {"runs/77/missing.png", 404, NULL}, {NULL, 0, NULL}};
    for (int i = 0; cases[i].path; i++) {
        store_failure f = {.task_id = task, .attempt = 9, .type = "timing", .message = "probe", .screenshot_path = cases[i].path};
        int64_t id = store_failure_add(s, &f, &err);
        char path[64];
        snprintf(path, sizeof path, "/api/failures/%lld/screenshot", (long long)id);
        http_resp r;
        http_req(port, "GET", path, NULL, NULL, 0, &r);
        CHECK_MSG(r.status == cases[i].status, "artifact %s: %d, wanted %d", cases[i].path, r.status, cases[i].status);
        if (cases[i].body) CHECK_MSG(r.body && !strcmp(r.body, cases[i].body), "artifact %s: %s", cases[i].path, r.body);
        CHECK_MSG(!r.body || !strstr(r.body, "secret-password"), "artifact %s leaked the password", cases[i].path);
        CHECK_MSG(!r.body || !strstr(r.body, "SQLite format"), "artifact %s leaked the database", cases[i].path);
        http_free(&r);
    }
    store_close(s);
    unlink(pw);
    unlink(fifo);
    unlink(data_db);
    char *all[] = {data_db, runs, dir, pw, inside, to_pw, to_ok, dir_link, fifo, via_link, rel_up, db_abs, dotdot};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
}

static void test_artifacts(int port)
{
    char path[128], h[512];
    http_resp r;
    snprintf(path, sizeof path, "/api/failures/%lld/screenshot", (long long)g_ids.failure_id);
    http_req(port, "GET", path, NULL, NULL, 0, &r);
    CHECK_INT(r.status, 200);
    CHECK(http_header(&r, "content-type", h, sizeof h) && !strcmp(h, "image/png"));
    CHECK(r.body_len == seed_png_len && !memcmp(r.body, seed_png, seed_png_len));
    http_free(&r);
    snprintf(path, sizeof path, "/api/failures/%lld/html", (long long)g_ids.failure_id);
    http_req(port, "GET", path, NULL, NULL, 0, &r);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strstr(r.body, "Snapshot of the page"));
    CHECK_MSG(http_header(&r, "content-security-policy", h, sizeof h) && !strncmp(h, "sandbox", 7), "%s", h);
    http_free(&r);
    /* recorded paths outside the data dir are never served */
    snprintf(path, sizeof path, "/api/failures/%lld/screenshot", (long long)g_ids.outside_failure_id);
    CHECK_ERROR(port, "GET", path, NULL, 404, "not a file in the data directory's runs/ folder");
    snprintf(path, sizeof path, "/api/failures/%lld/html", (long long)g_ids.outside_failure_id);
    CHECK_ERROR(port, "GET", path, NULL, 404, "not a file in the data directory's runs/ folder");
    snprintf(path, sizeof path, "/api/failures/%lld/network", (long long)g_ids.failure_id);
    CHECK_ERROR(port, "GET", path, NULL, 404, "has no network");
    snprintf(path, sizeof path, "/api/failures/%lld/passwd", (long long)g_ids.failure_id);
    CHECK_ERROR(port, "GET", path, NULL, 404, "screenshot, html");
    CHECK_ERROR(port, "GET", "/api/failures/99999/screenshot", NULL, 404, "no failure");
    test_artifact_paths(port);
}

static void test_start_run(int port_engine, int port_none, engine *eng)
{
    int st;
    char body[1024];
    /* validation comes first, the same with or without an engine */
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\": \"sweep\",", 400, "malformed JSON");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\": \"sweep\"} trailing", 400, "malformed JSON");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "[1,2]", 400, "object");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "\"sweep\"", 400, "object");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{}", 400, "mode");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\":\"sweep\",\"parameter\":\"delta\"}", 400, "test_id");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\":\"sweep\",\"test_url\":\"ftp://x\",\"parameter\":\"delta\"}", 400, "test_url");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\":\"sweep\",\"test_id\":99999,\"parameter\":\"delta\"}", 400, "no test 99999");
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"vega\"}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "unknown parameter \"vega\" (known: dates, delta, entry_sl_ratio, ");
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"delta\",\"config\":{\"start\":0}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "delta.start: 0 is below the minimum 1");
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"delta\",\"config\":{\"start\":2.5}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "whole number");
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"delta\",\"config\":{\"apply_to\":\"neither\"}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "delta.apply_to: \"neither\" is not one of both, put_only, call_only");
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"delta\",\"config\":{\"vega\":1}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "delta.vega: unknown field");
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"entry_time\",\"config\":{\"start\":\"9:99\"}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "HH:MM");
    snprintf(body, sizeof body, "{\"mode\":\"grid\",\"test_id\":%lld,\"parameters\":{}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "at least one parameter");
    snprintf(body, sizeof body, "{\"mode\":\"staged\",\"test_id\":%lld,\"stages\":[{\"parameter\":\"delta\"},"
             "{\"parameter\":\"profit_target\",\"use_best_from\":\"rsi\"}]}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "stages[2].use_best_from");
    snprintf(body, sizeof body, "{\"mode\":\"staged\",\"test_id\":%lld,\"stages\":[{\"parameter\":\"delta\",\"optimize_by\":\"luck\"}]}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "optimize_by");
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"delta\",\"browsers\":9}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "browsers");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\":\"sweep\"}", 400, "test");
    /* ids are whole ids, never a cast of an out-of-range number (issue 12.6) */
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\":\"sweep\",\"test_id\":1e20,\"parameter\":\"delta\"}", 400, "test_id");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\":\"sweep\",\"test_id\":-3,\"parameter\":\"delta\"}", 400, "test_id");
    CHECK_ERROR(port_engine, "POST", "/api/runs", "{\"mode\":\"sweep\",\"test_id\":1.5,\"parameter\":\"delta\"}", 400, "test_id");
    /* over 1,000 backtests need "yes"; over 100,000 are refused outright */
    snprintf(body, sizeof body, "{\"mode\":\"grid\",\"test_id\":%lld,\"parameters\":{\"delta\":{\"start\":1,\"stop\":100},"
             "\"profit_target\":{\"start\":0,\"stop\":100,\"step\":1}}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "10100 backtests");
    snprintf(body, sizeof body, "{\"mode\":\"grid\",\"test_id\":%lld,\"yes\":true,\"parameters\":{\"delta\":{\"start\":1,\"stop\":100},"
             "\"stop_loss\":{\"start\":0,\"stop\":2000,\"step\":0.5}}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "over the 100000");
    /* names: at most 200 characters, no control characters (issues 12.9, 12.13) */
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"delta\",\"name\":\"a\\u001b[2Jb\"}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "control character");
    char longname[260];
    memset(longname, 'n', 201);
    longname[201] = '\0';
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"delta\",\"name\":\"%s\"}",
             (long long)g_ids.test1, longname);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "201 characters");
    CHECK_INT(eng->calls, 0);

    /* wrong content type, oversized bodies */
    http_resp r;
    http_req(port_engine, "POST", "/api/runs", "Content-Type: text/plain\r\n", "{}", 2, &r);
    CHECK_INT(r.status, 415);
    CHECK(r.body && strstr(r.body, "\"error\""));
    http_free(&r);
    size_t big = 2 * 1024 * 1024;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    http_req(port_engine, "POST", "/api/runs", NULL, huge, big, &r);
    CHECK_INT(r.status, 413);
    CHECK_MSG(r.body && strstr(r.body, "\"error\":\"the body is"), "%.100s", r.body);
    http_free(&r);
    http_req(port_engine, "PUT", "/api/settings", NULL, huge, big, &r);
    CHECK_INT(r.status, 413);
    http_free(&r);
    free(huge);
    /* past h2o's own limit: still a 413, the connection closed */
    char over[200];
    int n = snprintf(over, sizeof over, "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\n\r\n{", 64 * 1024 * 1024);
    http_raw(port_engine, over, (size_t)n, 5000, &r);
    CHECK_INT(r.status, 413);
    char ct413[128];
    CHECK_MSG(http_header(&r, "content-type", ct413, sizeof ct413) && strstr(ct413, "application/json"), "413 as %s", ct413);
    cJSON *e413 = cJSON_Parse(r.body ? r.body : "");
    CHECK_MSG(e413 && strstr(str(e413, "error") ? str(e413, "error") : "", "the body is over the limit of 1048576 bytes"),
              "413 body: %s", r.body);
    cJSON_Delete(e413);
    http_free(&r);

    /* valid: the engine's start_run gets it, 201 with the run */
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"name\":\"From the API\",\"parameter\":\"delta\","
             "\"config\":{\"start\":5,\"stop\":10,\"step\":1,\"apply_to\":\"put_only\"},\"browsers\":2}", (long long)g_ids.test1);
    http_req(port_engine, "POST", "/api/runs", NULL, body, strlen(body), &r);
    CHECK_INT(r.status, 201);
    char loc[128];
    CHECK(http_header(&r, "location", loc, sizeof loc) && !strncmp(loc, "/api/runs/", 10));
    cJSON *run = cJSON_Parse(r.body);
    CHECK_STR(run ? str(run, "name") : NULL, "From the API");
    CHECK_STR(run ? str(run, "mode") : NULL, "sweep");
    cJSON_Delete(run);
    http_free(&r);
    CHECK_INT(eng->calls, 1);
    CHECK_STR(eng->last_mode, "sweep");
    snprintf(body, sizeof body, "{\"mode\":\"grid\",\"test_id\":%lld,\"parameters\":[{\"name\":\"delta\",\"config\":{\"start\":5}},"
             "{\"name\":\"profit_target\",\"config\":{\"start\":10}}]}", (long long)g_ids.test1);
    cJSON *ok = call(port_engine, "POST", "/api/runs", body, &st);
    CHECK_INT(st, 201);
    cJSON_Delete(ok);
    snprintf(body, sizeof body, "{\"mode\":\"staged\",\"test_id\":%lld,\"name\":\"refuse me\",\"stages\":[{\"parameter\":\"delta\"}]}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "the run engine says no");

    /* the searches: a grid's (or a sweep's) parameters, checked by the modes themselves */
    snprintf(body, sizeof body, "{\"mode\":\"optimize\",\"test_id\":%lld,\"max_backtests\":9,\"parameters\":[{\"name\":\"delta\","
             "\"config\":{\"start\":0}}]}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "the run spec: delta.start: 0 is below the minimum 1");
    snprintf(body, sizeof body, "{\"mode\":\"refine\",\"test_id\":%lld,\"parameter\":\"vega\"}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "refine.vega: unknown parameter \"vega\"");
    snprintf(body, sizeof body, "{\"mode\":\"halving\",\"test_id\":%lld,\"parameters\":{}}", (long long)g_ids.test1);
    CHECK_ERROR(port_engine, "POST", "/api/runs", body, 400, "halving: at least one parameter is needed");
    snprintf(body, sizeof body, "{\"mode\":\"optimize\",\"test_id\":%lld,\"max_backtests\":9,\"seed\":4,"
             "\"parameters\":{\"delta\":{\"start\":5},\"profit_target\":{\"start\":10}}}", (long long)g_ids.test1);
    ok = call(port_engine, "POST", "/api/runs", body, &st);
    CHECK_INT(st, 201);
    CHECK_STR(eng->last_mode, "optimize");
    cJSON_Delete(ok);

    /* the estimate New Run shows: the same Lua check as POST /api/runs, then the backtests */
    snprintf(body, sizeof body, "{\"mode\":\"optimize\",\"test_id\":%lld,\"max_backtests\":9,\"seed\":4,\"browsers\":3,"
             "\"parameters\":{\"delta\":{\"start\":5,\"stop\":14,\"step\":1},\"profit_target\":{\"start\":10,\"stop\":14,\"step\":1}}}",
             (long long)g_ids.test1);
    cJSON *e = call(port_engine, "POST", "/api/estimate", body, &st);
    CHECK_INT(st, 200);
    CHECK(e && num(e, "backtests") == 9 && num(e, "browsers") == 3);
    CHECK_MSG(e && str(e, "summary") && strstr(str(e, "summary"), "up to 9 backtests of a 50-point grid (seed 4)"),
              "summary %s", e ? str(e, "summary") : "(none)");
    CHECK_MSG(e && str(e, "text") && strstr(str(e, "text"), ": 9 backtests, "), "text %s", e ? str(e, "text") : "(none)");
    cJSON_Delete(e);
    /* a wrong spec: the very message POST /api/runs answers (and `run` prints) */
    snprintf(body, sizeof body, "{\"mode\":\"optimize\",\"test_id\":%lld,\"parameters\":{\"delta\":{\"start\":5}}}",
             (long long)g_ids.test1);
    int st_run = 0;
    cJSON *er = call(port_engine, "POST", "/api/runs", body, &st_run);
    e = call(port_engine, "POST", "/api/estimate", body, &st);
    CHECK_INT(st_run, 400);
    CHECK_INT(st, 400);
    CHECK_MSG(er && e && str(er, "error") && str(e, "error") && !strcmp(str(er, "error"), str(e, "error")) &&
              strstr(str(e, "error"), "the run spec: optimize.max_backtests: missing"),
              "runs: %s, estimate: %s", er ? str(er, "error") : "(none)", e ? str(e, "error") : "(none)");
    cJSON_Delete(er);
    cJSON_Delete(e);
    CHECK_ERROR(port_engine, "POST", "/api/estimate", "{\"mode\":\"sweep\",\"parameter\":\"vega\"}", 400, "unknown parameter \"vega\"");
    CHECK_ERROR(port_engine, "POST", "/api/estimate", "[1]", 400, "object");
    CHECK_ERROR(port_engine, "POST", "/api/estimate", "{\"mode\":", 400, "malformed JSON");
    CHECK_ERROR(port_engine, "GET", "/api/estimate", NULL, 405, "not allowed");
    CHECK_ERROR(port_none, "POST", "/api/estimate", "{\"mode\":\"sweep\"}", 503, "no run engine");

    /* without a run engine: 503 with a JSON error */
    snprintf(body, sizeof body, "{\"mode\":\"sweep\",\"test_id\":%lld,\"parameter\":\"delta\"}", (long long)g_ids.test1);
    CHECK_ERROR(port_none, "POST", "/api/runs", body, 503, "no run engine");
    cJSON *h = call(port_none, "GET", "/api/health", NULL, &st);
    CHECK(h && cJSON_IsFalse(cJSON_GetObjectItem(h, "run_engine")));
    cJSON_Delete(h);
}

/* Resume gives a run no engine works an engine (the resume_run seam); a run a live engine works
 * is left alone; a finished run cannot be resumed; without an engine in the process, 503. */
static void test_resume(int port, int port_none, engine *eng)
{
    char path[128];
    int st;
    oo_err err = {0};
    oo_store *s = store_open(g_db, &err);
    REQUIRE(s);
    snprintf(path, sizeof path, "/api/runs/%lld/resume", (long long)g_ids.live_run);
    cJSON *v = call(port, "POST", path, NULL, &st);           /* worked by a live engine: as it is */
    CHECK_INT(st, 200);
    CHECK_STR(v ? str(v, "status") : NULL, "running");
    CHECK_INT(eng->resumed, 0);
    cJSON_Delete(v);
    /* a run whose engine is gone reads interrupted, and Resume gives it an engine */
    int64_t run = store_run_create(s, g_ids.test2, "Killed mid-run", "sweep", NULL, 1, &err);
    char dead[128];
    snprintf(dead, sizeof dead, "no-such-host-%d:1", (int)getpid());
    CHECK_INT(store_run_claim(s, run, "killed@example.com", dead, STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_RUN);
    age_engine(g_db, run);
    snprintf(path, sizeof path, "/api/runs/%lld", (long long)run);
    v = call(port, "GET", path, NULL, &st);
    CHECK_STR(v ? str(v, "status") : NULL, "interrupted");
    cJSON_Delete(v);
    v = call(port, "GET", "/api/runs?status=interrupted", NULL, &st);
    CHECK(v && cJSON_GetArraySize(v) == 1 && num(cJSON_GetArrayItem(v, 0), "id") == run);
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/runs/%lld/resume", (long long)run);
    CHECK_ERROR(port_none, "POST", path, NULL, 503, "oo-automator resume --run-id");
    v = call(port, "POST", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(eng->resumed, 1);
    CHECK_INT(eng->last_resumed, run);
    CHECK_STR(v ? str(v, "status") : NULL, "running");
    cJSON_Delete(v);
    /* paused: resumed the same way */
    CHECK_INT(store_run_set_status(s, run, "paused", NULL, &err), 0);
    v = call(port, "POST", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(eng->resumed, 2);
    cJSON_Delete(v);
    CHECK_ERROR(port, "GET", path, NULL, 405, "not allowed");
    snprintf(path, sizeof path, "/api/runs/%lld/resume", (long long)g_ids.sweep_run);
    CHECK_ERROR(port, "POST", path, NULL, 409, "only a paused, interrupted or failed run can be resumed");
    CHECK_INT(eng->resumed, 2);
    CHECK_INT(store_run_set_status(s, run, "completed", NULL, &err), 0);
    store_close(s);
}

/* Retry: a finished run's failed tasks go back to the queue and an engine works them. */
static void test_retry(int port, int port_none, engine *eng)
{
    oo_err err = {0};
    oo_store *s = store_open(g_db, &err);
    REQUIRE(s);
    int64_t run = store_run_create(s, g_ids.test2, "Passing trouble", "sweep", NULL, 1, &err);
    cJSON *tasks = cJSON_Parse("[{\"values\":{\"delta\":5}},{\"values\":{\"delta\":6}}]"), *t = NULL;
    CHECK_INT(store_tasks_add(s, run, tasks, &err), 2);
    cJSON_Delete(tasks);
    CHECK_INT(store_task_lease(s, run, "w1", 60000, &t, &err), 1);
    int64_t tid = (int64_t)num(t, "id");
    cJSON_Delete(t);
    CHECK_INT(store_task_fail(s, tid, "Backtest failed", 1, &err), 0);
    CHECK_INT(store_run_set_status(s, run, "failed", "every task failed", &err), 0);
    char path[128];
    int st;
    snprintf(path, sizeof path, "/api/runs/%lld/retry", (long long)run);
    CHECK_ERROR(port_none, "POST", path, NULL, 503, "oo-automator retry --run-id");
    CHECK_ERROR(port, "GET", path, NULL, 405, "not allowed");
    int before = eng->resumed;
    cJSON *v = call(port, "POST", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_STR(v ? str(v, "status") : NULL, "running");
    CHECK_INT(v ? num(cJSON_GetObjectItem(v, "counts"), "failed") : -1, 0);
    CHECK_INT(v ? num(cJSON_GetObjectItem(v, "counts"), "pending") : -1, 2);
    CHECK_INT(eng->resumed, before + 1);
    CHECK_INT(eng->last_resumed, run);
    cJSON_Delete(v);
    cJSON *ts = store_run_tasks(s, run, &err);
    CHECK(ts && num(cJSON_GetArrayItem(ts, 0), "retries") == 1 && num(cJSON_GetArrayItem(ts, 0), "attempts") == 1);
    cJSON_Delete(ts);
    CHECK_ERROR(port, "POST", path, NULL, 409, "retry its failed tasks when it has ended");   /* an engine works it */
    CHECK_INT(store_run_set_status(s, run, "paused", NULL, &err), 0);
    CHECK_ERROR(port, "POST", path, NULL, 409, "no failed task");
    CHECK_INT(eng->resumed, before + 1);
    store_close(s);
}

static void test_control(int port)
{
    char path[128];
    int st;
    snprintf(path, sizeof path, "/api/runs/%lld/pause", (long long)g_ids.live_run);
    cJSON *v = call(port, "POST", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_STR(v ? str(v, "status") : NULL, "paused");
    cJSON_Delete(v);
    v = call(port, "POST", path, NULL, &st);   /* again: still paused, no error */
    CHECK_INT(st, 200);
    cJSON_Delete(v);
    CHECK_ERROR(port, "GET", path, NULL, 405, "not allowed");
    /* the store holds it, for the engine polling in another process */
    oo_err err = {0};
    oo_store *s = store_open(g_db, &err);
    cJSON *run = store_run_get(s, g_ids.live_run, &err);
    CHECK_STR(run ? str(run, "status") : NULL, "paused");
    cJSON_Delete(run);
    snprintf(path, sizeof path, "/api/runs/%lld/resume", (long long)g_ids.live_run);
    v = call(port, "POST", path, NULL, &st);              /* paused: it gets an engine again */
    CHECK_INT(st, 200);
    CHECK_STR(v ? str(v, "status") : NULL, "running");
    cJSON_Delete(v);
    snprintf(path, sizeof path, "/api/runs/%lld/resume", (long long)g_ids.sweep_run);
    CHECK_ERROR(port, "POST", path, NULL, 409, "is completed");
    snprintf(path, sizeof path, "/api/runs/%lld/cancel", (long long)g_ids.sweep_run);
    CHECK_ERROR(port, "POST", path, NULL, 409, "only a pending, queued, running, interrupted or paused run");
    CHECK_ERROR(port, "POST", "/api/runs/888888/pause", NULL, 404, "no run");
    /* events were appended for the status changes */
    cJSON *evs = store_events_after(s, 0, 1000, &err), *e;
    int paused = 0;
    cJSON_ArrayForEach(e, evs)
        if (!strcmp(str(e, "kind"), "run_status") && !strcmp(str(cJSON_GetObjectItem(e, "payload"), "status"), "paused")) paused++;
    CHECK(paused >= 1);
    cJSON_Delete(evs);
    store_close(s);
}

static void test_tests_edit(int port)
{
    char path[128];
    int st;
    snprintf(path, sizeof path, "/api/tests/%lld", (long long)g_ids.test2);
    cJSON *v = call(port, "PATCH", path, "{\"name\": \"Iron Condor 45 DTE\"}", &st);
    CHECK_INT(st, 200);
    CHECK_STR(v ? str(v, "name") : NULL, "Iron Condor 45 DTE");
    cJSON_Delete(v);
    CHECK_ERROR(port, "PATCH", path, "{\"name\": 5}", 400, "name");
    /* a name is one line of plain text: terminal controls refused, 200 characters (not bytes) */
    static const char *const controls[] = {"{\"name\": \"a\\u001b[2Jb\"}", "{\"name\": \"bell\\u0007\"}",
        "{\"name\": \"cr\\rover\"}", "{\"name\": \"two\\nlines\"}", "{\"name\": \"csi \\u009b31m\"}",
        "{\"name\": \"rlo \\u202etxt\"}", NULL};
    for (int i = 0; controls[i]; i++) CHECK_ERROR(port, "PATCH", path, controls[i], 400, "no control characters");
    oo_buf long_name;
    oo_buf_init(&long_name);
    oo_buf_puts(&long_name, "{\"name\": \"");
    for (int i = 0; i < 200; i++) oo_buf_puts(&long_name, "\xc3\xa9");     /* 200 characters, 400 bytes */
    oo_buf_puts(&long_name, "\"}");
    v = call(port, "PATCH", path, long_name.data, &st);
    CHECK_INT(st, 200);
    CHECK(v && strlen(str(v, "name")) == 400);
    cJSON_Delete(v);
    long_name.len -= 2;
    oo_buf_puts(&long_name, "x\"}");
    CHECK_ERROR(port, "PATCH", path, long_name.data, 400, "201 characters; at most 200");
    oo_buf_free(&long_name);
    CHECK_ERROR(port, "PATCH", path, "{\"nom\": \"x\"}", 400, "name");
    CHECK_ERROR(port, "PATCH", path, "not json", 400, "malformed");
    CHECK_ERROR(port, "POST", path, "{}", 405, "not allowed");
    CHECK_ERROR(port, "PATCH", "/api/tests/55555", "{\"name\":\"x\"}", 404, "no test");
    v = call(port, "DELETE", path, NULL, &st);
    CHECK_INT(st, 200);
    cJSON_Delete(v);
    v = call(port, "GET", "/api/tests", NULL, &st);
    CHECK_INT(cJSON_GetArraySize(v), 1);
    cJSON_Delete(v);
    CHECK_ERROR(port, "DELETE", path, NULL, 404, "no test");
    /* its runs stay */
    snprintf(path, sizeof path, "/api/runs/%lld", (long long)g_ids.grid_run);
    v = call(port, "GET", path, NULL, &st);
    CHECK_INT(st, 200);
    cJSON_Delete(v);
}

static int file_contains(const char *path, const char *needle)
{
    size_t n = 0;
    char *d = oo_read_file(path, &n, NULL);
    if (!d) return 0;
    int found = memmem(d, n, needle, strlen(needle)) != NULL;
    free(d);
    return found;
}

static void test_settings(int port)
{
    int st;
    cJSON *v = call(port, "GET", "/api/settings", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(v && num(v, "browsers") == 2 && cJSON_IsFalse(cJSON_GetObjectItem(v, "password_set")));
    CHECK(v && cJSON_IsNull(cJSON_GetObjectItem(v, "email")));
    cJSON_Delete(v);
    const char *secret = "pa55-W0rd-never-sent";
    char body[256];
    snprintf(body, sizeof body, "{\"email\":\"me@example.test\",\"browsers\":3,\"headless\":false,\"timeout_s\":90,"
             "\"rate_limit\":0,\"password\":\"%s\"}", secret);
    http_resp r;
    http_req(port, "PUT", "/api/settings", NULL, body, strlen(body), &r);
    CHECK_INT(r.status, 200);
    CHECK(r.body && !strstr(r.body, secret));
    v = cJSON_Parse(r.body);
    CHECK(v && num(v, "browsers") == 3 && cJSON_IsTrue(cJSON_GetObjectItem(v, "password_set")));
    CHECK(v && cJSON_IsFalse(cJSON_GetObjectItem(v, "headless")) && num(v, "timeout_s") == 90);
    CHECK_STR(v ? str(v, "email") : NULL, "me@example.test");
    CHECK(v && !cJSON_GetObjectItem(v, "password"));
    cJSON_Delete(v);
    http_free(&r);
    http_req(port, "GET", "/api/settings", NULL, NULL, 0, &r);
    CHECK(r.body && !strstr(r.body, secret) && strstr(r.body, "\"password_set\":true"));
    http_free(&r);
    char *pw = web_password_path(g_data);
    struct stat sb;
    CHECK(stat(pw, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK(file_contains(pw, secret));
    /* the configuration reads it (under the environment, files and flags) */
    oo_config cfg = {0};
    setenv("OO_DATA_DIR", g_data, 1);
    unsetenv("OO_PASSWORD");
    oo_err cerr = {0};
    CHECK_MSG(oo_config_load(&cfg, g_dir, g_dir, &cerr) == 0, "%s", cerr.msg);
    CHECK_STR(oo_config_get(&cfg, OO_CFG_PASSWORD), secret);
    CHECK(cfg.source[OO_CFG_PASSWORD] == OO_SRC_FILE && cfg.where[OO_CFG_PASSWORD] && strstr(cfg.where[OO_CFG_PASSWORD], "password"));
    char *described = oo_config_describe(&cfg);
    CHECK(described && !strstr(described, secret));
    free(described);
    setenv("OO_PASSWORD", "from-the-environment", 1);
    CHECK(oo_config_load(&cfg, g_dir, g_dir, &cerr) == 0);
    CHECK_STR(oo_config_get(&cfg, OO_CFG_PASSWORD), "from-the-environment");
    unsetenv("OO_PASSWORD");
    unsetenv("OO_DATA_DIR");
    oo_config_free(&cfg);
    oo_log_set_secret(NULL);
    /* (the database is searched for it at the end: opening its file here would drop the
     * process's SQLite locks, a POSIX rule) */
    CHECK_ERROR(port, "PUT", "/api/settings", "{\"browsers\": 99}", 400, "browsers: a whole number from 1 to 8");
    CHECK_ERROR(port, "PUT", "/api/settings", "{\"headless\": \"yes\"}", 400, "headless");
    CHECK_ERROR(port, "PUT", "/api/settings", "{\"email\": \"nope\"}", 400, "email");
    CHECK_ERROR(port, "PUT", "/api/settings", "{\"cookies\": 1}", 400, "unknown setting");
    CHECK_ERROR(port, "PUT", "/api/settings", "{\"password\": 5}", 400, "password");
    CHECK_ERROR(port, "PUT", "/api/settings", "[]", 400, "object");
    CHECK_ERROR(port, "DELETE", "/api/settings", NULL, 405, "not allowed");
    /* null: back to the default; a null password removes the file */
    v = call(port, "PATCH", "/api/settings", "{\"browsers\": null, \"password\": null}", &st);
    CHECK(st == 200 && v && num(v, "browsers") == 2 && cJSON_IsFalse(cJSON_GetObjectItem(v, "password_set")));
    cJSON_Delete(v);
    CHECK(!oo_file_exists(pw));
    free(pw);
}

/* A body is JSON only when it says so and is exactly that: the Content-Type application/json
 * (415 otherwise), UTF-8 without NUL, one document, each key once (400 otherwise). None of the
 * refused bodies changes anything. */
static void test_strict_bodies(int port)
{
    static const struct { const char *ct; const char *body; size_t len; int status; const char *has; } cases[] = {
        {NULL, "{\"browsers\":3}", 0, 415, "Content-Type: application/json"},
        {"application/jsonx", "{\"browsers\":3}", 0, 415, "application/jsonx"},
        {"text/plain", "{\"browsers\":3}", 0, 415, "text/plain"},
        {"application/json; charset=latin1", "{\"browsers\":3}", 0, 415, "latin1"},
        {"application/json", "{\"browsers\":3} x", 0, 400, "unexpected data at byte 15"},
        {"application/json", "{\"browsers\":3}{}", 0, 400, "unexpected data"},
        {"application/json", "{\"email\":\"a\\u0000@b.example\"}", 0, 400, "escaped NUL"},
        {"application/json", "{\"email\":\"a\0@b.example\"}", 24, 400, "byte 11 is not UTF-8"},
        {"application/json", "{\"email\":\"\xff@b.example\"}", 0, 400, "byte 10 is not UTF-8"},
        {"application/json", "{\"email\":\"\xc0\xaf@b.example\"}", 0, 400, "not UTF-8"},
        {"application/json", "{\"email\":\"\xed\xa0\x80@b.example\"}", 0, 400, "not UTF-8"},
        {"application/json", "{\"browsers\":3,\"browsers\":8}", 0, 400, "\"browsers\" is given twice"},
        {NULL, NULL, 0, 0, NULL}};
    for (int i = 0; cases[i].body; i++) {
        size_t blen = cases[i].len ? cases[i].len : strlen(cases[i].body);
        char head[512];
        int n = snprintf(head, sizeof head, "PUT /api/settings HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s"
                         "Content-Length: %zu\r\n\r\n", cases[i].ct ? "Content-Type: " : "", cases[i].ct ? cases[i].ct : "",
                         cases[i].ct ? "\r\n" : "", blen);
        char *raw = malloc((size_t)n + blen);
        memcpy(raw, head, (size_t)n);
        memcpy(raw + n, cases[i].body, blen);
        http_resp r;
        http_raw(port, raw, (size_t)n + blen, 5000, &r);
        free(raw);
        cJSON *e = cJSON_Parse(r.body ? r.body : "");
        const char *msg = e ? str(e, "error") : NULL;
        CHECK_MSG(r.status == cases[i].status && msg && strstr(msg, cases[i].has), "case %d: %d %s", i, r.status, r.body);
        cJSON_Delete(e);
        http_free(&r);
    }
    int st;
    cJSON *v = call(port, "GET", "/api/settings", NULL, &st);
    CHECK_MSG(v && num(v, "browsers") == 2 && cJSON_IsNull(cJSON_GetObjectItem(v, "email")), "a refused body changed the settings");
    cJSON_Delete(v);
    /* what a browser or curl sends is fine, whatever the case of the type */
    http_resp r;
    http_req(port, "PUT", "/api/settings", "Content-Type: Application/JSON; charset=UTF-8\r\n", "{\"browsers\": 2}", 15, &r);
    CHECK_MSG(r.status == 200, "%d %s", r.status, r.body);
    http_free(&r);
}

static void test_static(int port)
{
    http_resp r;
    char h[512];
    http_req(port, "GET", "/", NULL, NULL, 0, &r);
    CHECK_INT(r.status, 200);
    CHECK(http_header(&r, "content-type", h, sizeof h) && strstr(h, "text/html"));
    CHECK(http_header(&r, "content-security-policy", h, sizeof h) && strstr(h, "default-src 'self'"));
    CHECK(r.body && strstr(r.body, "dashboard test page"));
    http_free(&r);
    http_req(port, "GET", "/app.js", NULL, NULL, 0, &r);
    CHECK(r.status == 200 && http_header(&r, "content-type", h, sizeof h) && strstr(h, "text/javascript"));
    http_free(&r);
    http_req(port, "GET", "/css/app.css", NULL, NULL, 0, &r);
    CHECK(r.status == 200 && http_header(&r, "content-type", h, sizeof h) && strstr(h, "text/css"));
    http_free(&r);
    if (oo_dir_exists(getenv("OO_SOURCE_DIR") ? getenv("OO_SOURCE_DIR") : ".")) {
        http_req(port, "GET", "/vendor/vue/package.json", NULL, NULL, 0, &r);
        CHECK_MSG(r.status == 200 && r.body && strstr(r.body, "\"name\": \"vue\""), "vendor vue: %d", r.status);
        http_free(&r);
        http_req(port, "GET", "/vendor/playwright-core/package.json", NULL, NULL, 0, &r);
        CHECK_INT(r.status, 404);   /* only the dashboard's packages */
        http_free(&r);
    }
    /* traversal in every spelling: never a file outside web/ (or the allowed packages) */
    static const char *const bad[] = {
        "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2f..%2f..%2fetc/passwd", "/css/../../../etc/passwd", "/vendor/vue/../../../../../etc/passwd",
        "/vendor/vue/%2e%2e/playwright-core/package.json", "/vendor/../vendor/vue/package.json",
        "/leak.txt", "/outside/passwd", "/.hidden", "/css/.hidden", "/%00index.html", "/index.html%00.png",
        "//etc/passwd", "/css//app.css", "/css/", "/..", "/vendor/", "/vendor/%76ue/../../../etc/passwd",
        "/\\..\\..\\etc\\passwd", NULL};
    for (int i = 0; bad[i]; i++) {
        char raw[512];
        int n = snprintf(raw, sizeof raw, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", bad[i]);
        http_raw(port, raw, (size_t)n, 5000, &r);
        CHECK_MSG(r.status == 404 || r.status == 400, "%s: %d", bad[i], r.status);
        CHECK_MSG(!r.body || (!strstr(r.body, "root:") && !strstr(r.body, "playwright") && !strstr(r.body, "secret-outside")),
                  "%s leaked", bad[i]);
        http_free(&r);
    }
    CHECK_ERROR(port, "POST", "/index.html", "{}", 405, "not allowed");
}

static void test_access(void)
{
    /* a non-loopback address needs a token */
    oo_err err = {0};
    web_opts o = {.host = "0.0.0.0", .port = 0, .db_path = g_db, .web_dir = g_webdir};
    web_server *w = web_start(&o, &err);
    CHECK(w == NULL && strstr(err.msg, "token"));
    web_stop(w);
    oo_err_clear(&err);
    web_opts o2 = {.port = 0, .db_path = g_db, .web_dir = "/nonexistent/web"};
    CHECK(web_start(&o2, &err) == NULL && strstr(err.msg, "/nonexistent/web"));

    /* with a token every request for data carries it, in a header: never a query, never a
     * cookie (a cookie goes to every port of the host); the page and its files hold no data */
    w = start("t0k-3n", NULL, NULL);
    REQUIRE(w);
    int port = web_port(w), st;
    http_resp r;
    char h[256];
    CHECK_ERROR(port, "GET", "/api/health", NULL, 401, "token");
    CHECK_ERROR(port, "GET", "/api/runs?token=t0k-3n", NULL, 401, "token");
    CHECK_ERROR(port, "GET", "/api/runs?token=wrong", NULL, 401, "token");
    http_req(port, "GET", "/api/health", "Authorization: Bearer wrong-t0k-3n\r\n", NULL, 0, &r);
    CHECK_INT(r.status, 401);
    CHECK(http_header(&r, "www-authenticate", h, sizeof h) && !strcmp(h, "Bearer"));
    http_free(&r);
    http_req(port, "GET", "/api/health", "Authorization: Bearer t0k-3n\r\n", NULL, 0, &r);
    CHECK_INT(r.status, 200);
    http_free(&r);
    http_req(port, "GET", "/?token=t0k-3n", NULL, NULL, 0, &r);
    CHECK(r.status == 200 && r.body && strstr(r.body, "dashboard test page"));
    CHECK_MSG(!http_header(&r, "set-cookie", h, sizeof h), "a cookie was set: %s", h);
    http_free(&r);
    http_req(port, "GET", "/app.js", NULL, NULL, 0, &r);
    CHECK_INT(r.status, 200);
    CHECK(!http_header(&r, "set-cookie", h, sizeof h));
    http_free(&r);
    /* the cookie earlier versions set is no key any more */
    http_req(port, "GET", "/api/runs", "Cookie: a=b; oo_token=t0k-3n\r\n", NULL, 0, &r);
    CHECK_INT(r.status, 401);
    http_free(&r);
    /* /runs/N leads to the page with no fragment of its own: the browser keeps #token= */
    http_req(port, "GET", "/runs/5", NULL, NULL, 0, &r);
    CHECK_INT(r.status, 302);
    CHECK(http_header(&r, "location", h, sizeof h) && !strcmp(h, "/?run=5"));
    http_free(&r);
    int ws = ws_connect(port, "/ws", NULL, &st);
    CHECK(ws < 0 && st == 401);
    ws = ws_connect(port, "/ws?token=t0k-3n", NULL, &st);
    CHECK(ws < 0 && st == 401);
    ws = ws_connect(port, "/ws", "Cookie: oo_token=t0k-3n\r\n", &st);
    CHECK(ws < 0 && st == 401);
    /* what a browser sends: the token's bytes in hex as a protocol item ("t0k-3n") */
    ws = ws_connect(port, "/ws", "Sec-WebSocket-Protocol: oo-dashboard, oo-token.7430772d336f\r\n", &st);
    CHECK(ws < 0 && st == 401);   /* 7430772d336f is "t0w-3o": one letter off */
    ws = ws_connect(port, "/ws", "Sec-WebSocket-Protocol: oo-dashboard, oo-token.74306b2d336e\r\n", &st);
    CHECK_MSG(ws >= 0, "protocol token: %d", st);
    char *hello = ws >= 0 ? ws_read(ws, 5000) : NULL;
    CHECK(hello && strstr(hello, "\"hello\""));
    free(hello);
    if (ws >= 0) ws_close(ws);
    ws = ws_connect(port, "/ws", "Sec-WebSocket-Protocol: oo-token.74306b2d336\r\n", &st);
    CHECK(ws < 0 && st == 401);   /* an odd number of hex digits */
    ws = ws_connect(port, "/ws", "Authorization: Bearer t0k-3n\r\n", &st);
    CHECK(ws >= 0);
    if (ws >= 0) ws_close(ws);
    web_stop(w);

    /* without a token: loopback Host names only; cross-origin writes refused */
    w = start(NULL, NULL, NULL);
    REQUIRE(w);
    port = web_port(w);
    char raw[256];
    int n = snprintf(raw, sizeof raw, "GET /api/health HTTP/1.1\r\nHost: evil.example:%d\r\nConnection: close\r\n\r\n", port);
    http_raw(port, raw, (size_t)n, 5000, &r);
    CHECK_INT(r.status, 403);
    CHECK(r.body && strstr(r.body, "\"error\""));
    http_free(&r);
    n = snprintf(raw, sizeof raw, "GET /api/health HTTP/1.1\r\nHost: localhost:%d\r\nConnection: close\r\n\r\n", port);
    http_raw(port, raw, (size_t)n, 5000, &r);
    CHECK_INT(r.status, 200);
    http_free(&r);
    /* DNS rebinding: only an exact loopback literal, with an optional numeric port, is this
     * machine; a name that starts like one may resolve there for an attacker's page */
    static const struct { const char *host; int status; } hosts[] = {
        {"127.0.0.1", 200}, {"127.0.0.1:8000", 200}, {"127.1.2.3:80", 200}, {"localhost", 200},
        {"LocalHost:1", 200}, {"[::1]", 200}, {"[::1]:8000", 200}, {"127.255.255.255:65535", 200},
        {"127.0.0.1.attacker.test", 403}, {"127.0.0.1.attacker.test:8000", 403}, {"[::1].evil.com", 403},
        {"[::1].evil.com:8000", 403}, {"localhost:evil.com", 403}, {"localhost.evil.com", 403},
        {"localhost.", 403}, {"127.evil.com", 403}, {"127.0.0.1:80:80", 403}, {"127.0.0.1:", 403},
        {"127.0.0.1:65536", 403}, {"127.0.0.1:+80", 403}, {"127.0.0.256", 403}, {"127.0.0", 403},
        {"127.1", 403}, {"0177.0.0.1", 403}, {"127.00.0.1", 403}, {"128.0.0.1", 403}, {"[::2]", 403},
        {"[::1", 403}, {"[0:0:0:0:0:0:0:1]", 403}, {"2130706433", 403}, {"", 403}, {"127.0.0.1 .x", 403},
        {NULL, 0}};
    for (int i = 0; hosts[i].host; i++) {
        n = snprintf(raw, sizeof raw, "GET /api/settings HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", hosts[i].host);
        http_raw(port, raw, (size_t)n, 5000, &r);
        CHECK_MSG(r.status == hosts[i].status, "Host: %s: %d, wanted %d", hosts[i].host, r.status, hosts[i].status);
        http_free(&r);
        /* a write with the same Host as its Origin: refused alike */
        n = snprintf(raw, sizeof raw, "PUT /api/settings HTTP/1.1\r\nHost: %s\r\nOrigin: http://%s\r\n"
                     "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                     hosts[i].host, hosts[i].host);
        http_raw(port, raw, (size_t)n, 5000, &r);
        CHECK_MSG(hosts[i].status == 200 ? r.status == 200 : r.status == 403, "PUT with Host: %s: %d", hosts[i].host, r.status);
        http_free(&r);
    }
    /* no Host at all (HTTP/1.0): refused too */
    http_raw(port, "GET /api/settings HTTP/1.0\r\n\r\n", 30, 5000, &r);
    CHECK_INT(r.status, 403);
    http_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/api/runs/%lld/pause", (long long)g_ids.live_run);
    http_req(port, "POST", path, "Origin: http://evil.example\r\n", NULL, 0, &r);
    CHECK_INT(r.status, 403);
    http_free(&r);
    ws = ws_connect(port, "/ws", "Origin: http://evil.example\r\n", &st);
    CHECK(ws < 0 && st == 403);
    char origin[64];
    snprintf(origin, sizeof origin, "Origin: http://127.0.0.1:%d\r\n", port);
    snprintf(path, sizeof path, "/api/runs/%lld/resume", (long long)g_ids.live_run);
    http_req(port, "POST", path, origin, NULL, 0, &r);
    CHECK_MSG(r.status == 200 || r.status == 409, "same-origin POST: %d", r.status);
    http_free(&r);
    web_stop(w);
}

static void test_garbage(int port)
{
    static const char *const junk[] = {
        "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        "GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
        "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n",
        "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nContent-Length: 9\r\n\r\n{}",
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\n\r\n",
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /api/runs?limit=%ff%fe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /api/runs/99999999999999999999999 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /api/runs?search=%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /api/runs/1/results/x/y/z/w/v/u HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "HEAD /api/runs HTTP/1.0\r\n\r\n",
        NULL};
    for (int i = 0; junk[i]; i++) {
        http_resp r;
        http_raw(port, junk[i], strlen(junk[i]), 3000, &r);
        CHECK_MSG(r.status == 0 || (r.status >= 200 && r.status < 500), "junk %d: %d", i, r.status);
        http_free(&r);
    }
    /* a header of 100 KB, a path of 60 KB */
    size_t n = 100 * 1024;
    char *big = malloc(n + 256);
    int k = snprintf(big, 256, "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ");
    memset(big + k, 'a', n);
    memcpy(big + k + n, "\r\n\r\n", 4);
    http_resp r;
    http_raw(port, big, (size_t)k + n + 4, 3000, &r);
    http_free(&r);
    k = snprintf(big, 256, "GET /");
    memset(big + k, 'b', 60 * 1024);
    memcpy(big + k + 60 * 1024, " HTTP/1.1\r\n\r\n", 13);
    http_raw(port, big, (size_t)k + 60 * 1024 + 13, 3000, &r);
    http_free(&r);
    free(big);
    /* a client that goes away mid-request */
    http_raw(port, "POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{", 66, 50, &r);
    http_free(&r);
    /* still alive and answering */
    int st;
    cJSON *v = call(port, "GET", "/api/health", NULL, &st);
    CHECK_INT(st, 200);
    cJSON_Delete(v);
}

static void test_websocket(int port)
{
    int st;
    int fd = ws_connect(port, "/ws", NULL, &st);
    REQUIRE(fd >= 0);
    char *m = ws_read(fd, 5000);
    CHECK_MSG(m && strstr(m, "\"type\":\"hello\""), "%s", m ? m : "(nothing)");
    cJSON *hello = cJSON_Parse(m);
    int64_t last = (int64_t)num(hello, "last_event_id");
    cJSON_Delete(hello);
    free(m);
    CHECK(last > 0);

    /* another process appends an event: it arrives within 500 ms */
    char run[32];
    snprintf(run, sizeof run, "%lld", (long long)g_ids.live_run);
    for (int round = 0; round < 3; round++) {
        int64_t t0 = now_ms();
        CHECK_INT(run_fixture("event", g_db, run, "progress_probe"), 0);
        int64_t written = now_ms();
        char *ev = NULL;
        int64_t got = 0;
        while ((ev = ws_read(fd, 2000))) {
            if (strstr(ev, "progress_probe")) { got = now_ms(); break; }
            free(ev);
        }
        CHECK_MSG(ev && strstr(ev, "\"type\":\"event\"") && strstr(ev, "another process"), "%s", ev ? ev : "(no event)");
        CHECK_MSG(got && got - written <= 500, "event after %lld ms (the writer took %lld ms)",
                  (long long)(got - written), (long long)(written - t0));
        free(ev);
    }
    /* a task completed by another process: task_started then task_completed with metrics */
    CHECK_INT(run_fixture("complete", g_db, run, "1"), 0);
    int started = 0, completed = 0;
    char *ev;
    while ((!started || !completed) && (ev = ws_read(fd, 2000))) {
        started |= strstr(ev, "\"kind\":\"task_started\"") != NULL;
        completed |= strstr(ev, "\"kind\":\"task_completed\"") && strstr(ev, "\"cagr\"");
        free(ev);
    }
    CHECK(started && completed);

    /* a second client catching up from ?after= gets exactly the events it missed, in order */
    oo_err err = {0};
    oo_store *s = store_open(g_db, &err);
    int64_t tail = store_events_last_id(s, &err);
    store_close(s);
    char path[64];
    snprintf(path, sizeof path, "/ws?after=%lld", (long long)(tail - 3));
    int fd2 = ws_connect(port, path, NULL, &st);
    REQUIRE(fd2 >= 0);
    m = ws_read(fd2, 3000);
    CHECK(m && strstr(m, "hello"));
    free(m);
    for (int i = 2; i >= 0; i--) {
        m = ws_read(fd2, 3000);
        cJSON *e = cJSON_Parse(m ? m : "");
        CHECK_MSG(e && (int64_t)num(e, "id") == tail - i, "catch-up event %lld: %s", (long long)(tail - i), m ? m : "(none)");
        cJSON_Delete(e);
        free(m);
    }
    /* both clients get the next one */
    CHECK_INT(run_fixture("event", g_db, run, "for_both"), 0);
    int both = 0;
    int fds[2] = {fd, fd2};
    for (int c = 0; c < 2; c++)
        while ((m = ws_read(fds[c], 2000))) {
            int hit = strstr(m, "for_both") != NULL;
            free(m);
            if (hit) { both++; break; }
        }
    CHECK_INT(both, 2);
    cJSON *h = call(port, "GET", "/api/health", NULL, &st);
    CHECK(h && num(h, "ws_clients") == 2);
    cJSON_Delete(h);
    ws_close(fd2);
    /* a client ahead of the store (it knew a replaced or smaller database) is told to reload,
     * then gets the store's next event: before, it waited for ids that never came */
    s = store_open(g_db, &err);
    tail = store_events_last_id(s, &err);
    store_close(s);
    snprintf(path, sizeof path, "/ws?after=%lld", (long long)(tail + 1000));
    int fd4 = ws_connect(port, path, NULL, &st);
    REQUIRE(fd4 >= 0);
    m = ws_read(fd4, 3000);
    CHECK_MSG(m && strstr(m, "\"hello\""), "%s", m ? m : "(nothing)");
    free(m);
    m = ws_read(fd4, 3000);
    CHECK_MSG(m && !strcmp(m, "{\"type\":\"reset\"}"), "ahead of the store: %s", m ? m : "(nothing)");
    free(m);
    CHECK_INT(run_fixture("event", g_db, run, "after_reset"), 0);
    m = ws_read(fd4, 3000);
    cJSON *next = cJSON_Parse(m ? m : "");
    CHECK_MSG(next && (int64_t)num(next, "id") == tail + 1 && strstr(m, "after_reset"), "after the reset: %s", m ? m : "(nothing)");
    cJSON_Delete(next);
    free(m);
    ws_close(fd4);
    CHECK_ERROR(port, "GET", "/ws?after=abc", NULL, 400, "WebSocket");
    /* a client sending a big message is dropped; a small one is ignored */
    int fd3 = ws_connect(port, "/ws", NULL, &st);
    REQUIRE(fd3 >= 0);
    m = ws_read(fd3, 3000);
    free(m);
    ws_send(fd3, "{\"hi\":1}", 8);
    size_t bigl = 100000;
    char *bigm = malloc(bigl);
    memset(bigm, 'x', bigl);
    ws_send(fd3, bigm, bigl);
    free(bigm);
    int closed = 0;
    int64_t until = now_ms() + 3000;
    while (!closed && now_ms() < until) {
        char *x = ws_read(fd3, 3000);
        if (!x) closed = 1;
        free(x);
    }
    CHECK_MSG(closed, "the server kept a client that sent 100 KB");
    close(fd3);
    /* fd stays open: web_stop must close it */
}

/* a front end of a few files, a symlink out of it, and a secret next to it */
static void make_webdir(void)
{
    g_webdir = oo_path_join(g_dir, "web");
    char *css = oo_path_join(g_webdir, "css");
    oo_mkdir_p(css, NULL);
    char *p = oo_path_join(g_webdir, "index.html");
    oo_write_file(p, "<!doctype html><title>dashboard test page</title>", 49, NULL);
    free(p);
    p = oo_path_join(g_webdir, "app.js");
    oo_write_file(p, "export const x = 1;\n", 20, NULL);
    free(p);
    p = oo_path_join(css, "app.css");
    oo_write_file(p, "body{}", 6, NULL);
    free(p);
    p = oo_path_join(css, ".hidden");
    oo_write_file(p, "secret-outside", 14, NULL);
    free(p);
    p = oo_path_join(g_webdir, ".hidden");
    oo_write_file(p, "secret-outside", 14, NULL);
    free(p);
    char *outside = oo_path_join(g_dir, "outside.txt");
    oo_write_file(outside, "secret-outside", 14, NULL);
    p = oo_path_join(g_webdir, "leak.txt");
    CHECK(symlink(outside, p) == 0);
    free(p);
    free(outside);
    p = oo_path_join(g_webdir, "outside");
    CHECK(symlink("/etc", p) == 0);
    free(p);
    free(css);
}

int main(void)
{
    g_dir = tl_tmpdir("web-api");
    g_db = oo_path_join(g_dir, "oo.db");
    g_data = oo_path_join(g_dir, "data");
    make_webdir();
    oo_err err = {0};
    oo_store *s = store_open(g_db, &err);
    REQUIRE(s);
    CHECK_MSG(seed_fill(s, g_data, &g_ids, &err) == 0, "%s", err.msg);
    store_close(s);

    engine eng = {0};
    web_server *w = start(NULL, start_run, &eng);
    web_server *none = start(NULL, NULL, NULL);
    REQUIRE(w && none);
    int port = web_port(w);
    test_reads(port);
    test_export(port);
    test_analysis(web_port(none));
    test_artifacts(port);
    test_start_run(port, web_port(none), &eng);
    test_resume(port, web_port(none), &eng);
    test_retry(port, web_port(none), &eng);
    test_control(port);
    test_strict_bodies(port);
    test_settings(port);
    test_static(port);
    test_garbage(port);
    test_websocket(port);
    test_tests_edit(port);
    test_access();
    /* a keep-alive connection left open, and the WebSocket of test_websocket: a clean stop */
    int keep = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(0x7f000001)};
    CHECK(connect(keep, (struct sockaddr *)&a, sizeof a) == 0);
    int64_t t0 = now_ms();
    web_stop(w);
    web_stop(none);
    CHECK_MSG(now_ms() - t0 < 3000, "stopping took %lld ms", (long long)(now_ms() - t0));
    close(keep);
    script_free(eng.sc);
    store_close(eng.store);
    /* the password never reached the database */
    char *wal = oo_asprintf("%s-wal", g_db);
    CHECK(!file_contains(g_db, "pa55-W0rd-never-sent") && !file_contains(wal, "pa55-W0rd-never-sent"));
    free(wal);
    free(g_metrics);
    free(g_modes);
    free(g_db);
    free(g_data);
    free(g_webdir);
    free(g_dir);
    return tl_finish();
}
