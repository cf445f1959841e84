/* web_fixture: the other processes of the dashboard's tests.
 *   web_fixture seed DB DATADIR                 fill a store (prints the ids as JSON)
 *   web_fixture serve DB DATADIR WEBDIR VENDOR  the dashboard with a stand-in run engine: a
 *                                               started run is written with its tasks, as the
 *                                               run engine writes it first (a search: its
 *                                               grid), and a resumed one taken by a live
 *                                               engine; the estimate is the real one (Lua,
 *                                               oo.cli.estimate_spec); prints the URL
 *   web_fixture complete DB RUN [N]             complete the next N pending tasks of a run
 *   web_fixture event DB RUN KIND               append one event
 *   web_fixture status DB RUN STATUS            set a run's status
 *   web_fixture fail DB RUN                     the next pending task fails for good
 *   web_fixture skip DB RUN                     the next pending task is skipped (the site refused it)
 *   web_fixture interrupt DB RUN                the run's engine was killed: it reads interrupted
 *   web_fixture queue DB RUN HOLDER             the run waits for the account of the running
 *                                               run HOLDER (its engine: the test driver)
 *   web_fixture newrun DB TEST NAME N           a run started elsewhere (as by `oo-automator
 *                                               run`): a delta sweep of N tasks, running
 * Everything goes through store functions, from a process of its own. */
#include "seed.h"
#include "web/web.h"
#include "script/script.h"
#include "run/run.h"
#include "base/buf.h"
#include "base/util.h"
#include <lauxlib.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what, const oo_err *err)
{
    fprintf(stderr, "web_fixture: %s: %s\n", what, err ? err->msg : "");
    return 1;
}

/* require(module)[fn]() as JSON text, through the engine's own Lua. */
static char *lua_json(const char *module, const char *fn, oo_err *err)
{
    script_opts opts = {0};
    oo_script *s = script_new(&opts, err);
    cJSON *v = s ? script_call(s, module, fn, NULL, err) : NULL;
    char *out = v ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    script_free(s);
    return out;
}

static char *parameters_json(oo_err *err)
{
    static const char code[] =
        "local p = require('oo.parameters') local reg, errors = p.discover() local json = require('json')\n"
        "return json.encode({ parameters = p.schemas(reg), errors = json.array(errors) })";
    script_opts opts = {0};
    oo_script *s = script_new(&opts, err);
    if (!s) return NULL;
    lua_State *L = script_state(s);
    char *out = NULL;
    if (luaL_loadbufferx(L, code, sizeof code - 1, "=fixture", "t") == LUA_OK && script_pcall(s, 0, 1, err) == 0)
        out = oo_strdup(lua_tostring(L, -1));
    script_free(s);
    return out;
}

/* ---- the stand-in run engine: what it writes first ---------------------------------------- */

typedef struct { const char *db; oo_store *store; } fixture;

static double num_or(const cJSON *o, const char *k, double d)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : d;
}

static void range(cJSON *out, const cJSON *base, const char *name, const cJSON *cfg, int stage)
{
    double a = num_or(cfg, "start", 1), b = num_or(cfg, "stop", 3), s = num_or(cfg, "step", 1);
    if (s <= 0) s = 1;
    for (double v = a; v <= b + 1e-9 && cJSON_GetArraySize(out) < 2000; v += s) {
        cJSON *t = cJSON_CreateObject();
        cJSON *vals = base ? cJSON_Duplicate(base, 1) : cJSON_CreateObject();
        cJSON_AddNumberToObject(vals, name, round(v * 1e6) / 1e6);
        cJSON_AddItemToObject(t, "values", vals);
        cJSON_AddNumberToObject(t, "stage", stage);
        cJSON_AddItemToArray(out, t);
    }
}

static int64_t fake_start_run(void *ud, const cJSON *spec, oo_err *err)
{
    fixture *f = ud;
    if (!f->store && !(f->store = store_open(f->db, err))) return -1;
    const char *mode = cJSON_GetStringValue(cJSON_GetObjectItem(spec, "mode"));
    int64_t test = (int64_t)num_or(spec, "test_id", 0);
    if (!test) test = store_test_upsert(f->store, cJSON_GetStringValue(cJSON_GetObjectItem(spec, "test_url")), NULL, err);
    if (test < 0) return -1;
    cJSON *tasks = cJSON_CreateArray();
    if (!strcmp(mode, "sweep")) {
        range(tasks, NULL, cJSON_GetStringValue(cJSON_GetObjectItem(spec, "parameter")), cJSON_GetObjectItem(spec, "config"), 1);
    } else if (!strcmp(mode, "grid") || cJSON_GetObjectItem(spec, "parameters")) {
        const cJSON *ps = cJSON_GetObjectItem(spec, "parameters"), *p;
        cJSON *acc = cJSON_CreateArray();
        cJSON *seed = cJSON_CreateObject();
        cJSON_AddItemToObject(seed, "values", cJSON_CreateObject());
        cJSON_AddItemToArray(acc, seed);
        cJSON_ArrayForEach(p, ps) {
            const char *name = cJSON_IsArray(ps) ? cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")) : p->string;
            const cJSON *cfg = cJSON_IsArray(ps) ? cJSON_GetObjectItem(p, "config") : p;
            cJSON *next = cJSON_CreateArray(), *t;
            cJSON_ArrayForEach(t, acc) range(next, cJSON_GetObjectItem(t, "values"), name, cfg, 1);
            cJSON_Delete(acc);
            acc = next;
        }
        cJSON_Delete(tasks);
        tasks = acc;
    } else {
        const cJSON *st = cJSON_GetArrayItem(cJSON_GetObjectItem(spec, "stages"), 0);
        range(tasks, NULL, cJSON_GetStringValue(cJSON_GetObjectItem(st, "parameter")), cJSON_GetObjectItem(st, "config"), 1);
    }
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(spec, "name"));
    cJSON *cfg = cJSON_Duplicate(spec, 1);
    if (strcmp(mode, "grid") && cJSON_GetObjectItem(spec, "parameters"))   /* a search, as `run` stores it */
        cJSON_AddNumberToObject(cfg, "grid", cJSON_GetArraySize(tasks));
    int64_t id = store_run_create(f->store, test, name, mode, cfg, (int)num_or(spec, "browsers", 2), err);
    cJSON_Delete(cfg);
    if (id > 0 && (store_tasks_add(f->store, id, tasks, err) < 0 || seed_claim(f->store, id, err) != 0))
        id = -1;
    cJSON_Delete(tasks);
    return id;
}

/* The stand-in's resume: the run is taken by a live engine (the test driver), as the engine
 * process serve starts would take it. */
static int fake_resume_run(void *ud, int64_t id, oo_err *err)
{
    fixture *f = ud;
    if (!f->store && !(f->store = store_open(f->db, err))) return -1;
    return seed_claim(f->store, id, err);
}

/* The estimate New Run shows, as `oo-automator serve` makes it: Lua's oo.cli.estimate_spec with
 * the run engine's `runs` module bound to the store (the recent backtest times). */
static cJSON *real_estimate(void *ud, const cJSON *spec, oo_err *err)
{
    fixture *f = ud;
    if (!f->store && !(f->store = store_open(f->db, err))) return NULL;
    script_opts so = {0};
    oo_script *sc = script_new(&so, err);
    if (!sc) return NULL;
    run_bind(sc, f->store, &(run_opts){0});
    cJSON *arg = cJSON_CreateObject();
    cJSON_AddItemToObject(arg, "spec", cJSON_Duplicate(spec, 1));
    cJSON_AddStringToObject(arg, "where", "the run spec");
    cJSON *out = script_call(sc, "oo.cli", "estimate_spec", arg, err);
    cJSON_Delete(arg);
    script_free(sc);
    return out;
}

static int serve(int argc, char **argv)
{
    if (argc < 6) return fail("usage", NULL);
    oo_err err = {0};
    char *params = parameters_json(&err);
    if (!params) return fail("parameters", &err);
    char *metrics = lua_json("oo.metrics", "public", &err);
    if (!metrics) { free(params); return fail("metrics", &err); }
    fixture f = {.db = argv[2]};
    web_opts o = {.port = 0, .db_path = argv[2], .data_dir = argv[3], .web_dir = argv[4], .vendor_dir = argv[5],
                  .parameters_json = params, .metrics_json = metrics, .start_run = fake_start_run, .resume_run = fake_resume_run,
                  .start_run_ud = &f, .estimate = real_estimate};
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    web_server *w = web_start(&o, &err);
    free(params);
    free(metrics);
    if (!w) return fail("web_start", &err);
    printf("%s\n", web_url(w));
    fflush(stdout);
    int sig;
    sigwait(&sigs, &sig);
    web_stop(w);
    store_close(f.store);
    return 0;
}

/* The run was worked by an engine that is gone (killed): it reads interrupted. */
static int interrupt(oo_store *s, int64_t run, oo_err *err)
{
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    char engine[128];
    seed_engine(engine, sizeof engine);
    snprintf(strrchr(engine, ':') + 1, 24, "%ld", (long)p);
    if (store_run_set_status(s, run, "paused", NULL, err) != 0) return -1;
    return store_run_claim(s, run, "killed@example.com", engine, STORE_CLAIM_F_WAIT, NULL, err) == STORE_CLAIM_RUN ? 0 : -1;
}

/* The run waits for the account of a running run (its engine: the test driver, alive). */
static int queue_behind(oo_store *s, int64_t run, int64_t holder, oo_err *err)
{
    cJSON *h = store_run_get(s, holder, err);
    const char *account = h ? cJSON_GetStringValue(cJSON_GetObjectItem(h, "account")) : NULL;
    char engine[128];
    seed_engine(engine, sizeof engine);
    int rc = account && store_run_set_status(s, run, "paused", NULL, err) == 0 &&
             store_run_claim(s, run, account, engine, STORE_CLAIM_F_WAIT, NULL, err) == STORE_CLAIM_WAIT ? 0 : -1;
    if (rc != 0 && !err->code) oo_err_set(err, OO_E_INPUT, "run %lld did not join the queue behind run %lld", (long long)run, (long long)holder);
    cJSON_Delete(h);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) return fail("usage: seed|serve|complete|event|status DB ...", NULL);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "serve")) return serve(argc, argv);
    oo_err err = {0};
    oo_store *s = store_open(argv[2], &err);
    if (!s) return fail("store", &err);
    int rc = 0;
    if (!strcmp(cmd, "seed") && argc >= 4) {
        seed_ids ids;
        if (seed_fill(s, argv[3], &ids, &err) != 0) rc = fail("seed", &err);
        else printf("{\"test1\":%lld,\"test2\":%lld,\"sweep_run\":%lld,\"grid_run\":%lld,\"staged_run\":%lld,"
                    "\"live_run\":%lld,\"failure_id\":%lld,\"result_id\":%lld}\n",
                    (long long)ids.test1, (long long)ids.test2, (long long)ids.sweep_run, (long long)ids.grid_run,
                    (long long)ids.staged_run, (long long)ids.live_run, (long long)ids.failure_id, (long long)ids.result_id);
    } else if (!strcmp(cmd, "complete") && argc >= 4) {
        int n = argc >= 5 ? atoi(argv[4]) : 1;
        for (int i = 0; i < n && rc == 0; i++)
            if (seed_complete_next(s, atoll(argv[3]), &err) != 1) rc = fail("complete", &err);
    } else if (!strcmp(cmd, "event") && argc >= 5) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "from", "another process");
        if (store_event_append(s, atoll(argv[3]), argv[4], p, &err) < 0) rc = fail("event", &err);
        cJSON_Delete(p);
    } else if (!strcmp(cmd, "newrun") && argc >= 6) {
        char *spec = oo_asprintf("{\"mode\":\"sweep\",\"test_id\":%s,\"name\":\"%s\",\"parameter\":\"delta\","
                                 "\"config\":{\"start\":30,\"stop\":%d,\"step\":1}}", argv[3], argv[4], 29 + atoi(argv[5]));
        cJSON *j = cJSON_Parse(spec);
        fixture f = {.db = argv[2], .store = s};
        int64_t id = j ? fake_start_run(&f, j, &err) : -1;
        if (id <= 0) rc = fail("newrun", &err);
        else printf("%lld\n", (long long)id);
        cJSON_Delete(j);
        free(spec);
    } else if (!strcmp(cmd, "fail") && argc >= 4) {
        cJSON *t = NULL;   /* the next pending task fails for good */
        if (store_task_lease(s, atoll(argv[3]), "browser-1", 60000, &t, &err) != 1 ||
            store_task_fail(s, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id")), "Backtest failed", 1, &err) != 0)
            rc = fail("fail", &err);
        cJSON_Delete(t);
    } else if (!strcmp(cmd, "skip") && argc >= 4) {
        cJSON *t = NULL;   /* the next pending task, refused by the site: skipped */
        if (store_task_lease(s, atoll(argv[3]), "browser-1", 60000, &t, &err) != 1 ||
            store_task_skip(s, (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id")), "No trades were found", &err) != 0)
            rc = fail("skip", &err);
        cJSON_Delete(t);
    } else if (!strcmp(cmd, "interrupt") && argc >= 4) {
        if (interrupt(s, atoll(argv[3]), &err) != 0) rc = fail("interrupt", &err);
    } else if (!strcmp(cmd, "queue") && argc >= 5) {
        if (queue_behind(s, atoll(argv[3]), atoll(argv[4]), &err) != 0) rc = fail("queue", &err);
    } else if (!strcmp(cmd, "status") && argc >= 5) {
        if (store_run_set_status(s, atoll(argv[3]), argv[4], NULL, &err) != 0) rc = fail("status", &err);
    } else {
        rc = fail("unknown command", NULL);
    }
    store_close(s);
    return rc;
}
