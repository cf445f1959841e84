#include "run/run.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "cdp/cdp.h"
#include "script/sched.h"
#include "script/script.h"
#include "store/store.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MT_QUEUE "oo.run.queue"
#define MAX_WORKERS 16

typedef struct held { int64_t task_id; int attempts; char owner[128]; } held;

typedef struct wstate { char name[32], state[32], values[96]; } wstate;

typedef struct run_ctx {
    oo_store *st;
    oo_script *sc;
    int64_t run_id, test_id;
    run_opts o;
    char owner_base[96];
    char *artifacts_dir;
    held *held;
    int nheld, cap;
    volatile int stop;             /* leave the loop now (a signal) */
    const char *stop_reason;       /* paused | cancelled | interrupted, seen by q:stopping() */
    cdp_watch *sigwatch;
    cdp_timer *tick;
    /* progress */
    int64_t started_ms;
    int total, completed, failed, done_before;
    int planned;                   /* the run's task count as planned (all stages) */
    int tty, printed;
    int64_t last_print_ms;
    wstate workers[MAX_WORKERS];
    int nworkers;
    int qref;                      /* registry ref of the q userdata, to cut it loose at the end */
} run_ctx;

typedef struct lq { run_ctx *ctx; } lq;

/* The one global a signal handler needs: the write end of the self-pipe of the run in
 * progress (one run per process). */
static int g_sigpipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (g_sigpipe[1] >= 0) {
        ssize_t w = write(g_sigpipe[1], &b, 1);
        (void)w;
    }
    errno = saved;
}

/* ---- held leases --------------------------------------------------------------------------- */

static held *held_find(run_ctx *c, int64_t id)
{
    for (int i = 0; i < c->nheld; i++)
        if (c->held[i].task_id == id) return &c->held[i];
    return NULL;
}

static void held_drop(run_ctx *c, int64_t id)
{
    for (int i = 0; i < c->nheld; i++)
        if (c->held[i].task_id == id) {
            c->held[i] = c->held[--c->nheld];
            return;
        }
}

static void release_all(run_ctx *c)
{
    for (int i = 0; i < c->nheld; i++) {
        oo_err e = {0};
        if (store_task_release(c->st, c->held[i].task_id, c->held[i].owner, &e) != 0)
            OO_WARN("run", "task %lld: %s", (long long)c->held[i].task_id, e.msg);
    }
    c->nheld = 0;
}

/* ---- progress ------------------------------------------------------------------------------- */

static void fmt_duration(int64_t ms, char *out, size_t n)
{
    int64_t s = ms / 1000;
    if (s >= 3600) snprintf(out, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
    else if (s >= 60) snprintf(out, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else snprintf(out, n, "%llds", (long long)s);
}

static void progress(run_ctx *c, int force)
{
    if (!c->o.progress) return;
    int64_t now = oo_now_ms();
    if (!force && !c->tty && now - c->last_print_ms < 5000) return;
    c->last_print_ms = now;
    int done = c->completed + c->failed;
    char eta[32] = "?";
    int here = done - c->done_before;
    if (here > 0 && c->total > done) fmt_duration((now - c->started_ms) * (c->total - done) / here, eta, sizeof eta);
    else if (c->total <= done) snprintf(eta, sizeof eta, "0s");
    char line[512];
    int n = snprintf(line, sizeof line, "run %lld: %d/%d done, %d failed, ETA %s", (long long)c->run_id,
                     done, c->total, c->failed, eta);
    for (int i = 0; i < c->nworkers && n < (int)sizeof line - 64; i++)
        if (c->workers[i].state[0])
            n += snprintf(line + n, sizeof line - (size_t)n, " | %s %s%s%s", c->workers[i].name, c->workers[i].state,
                          c->workers[i].values[0] ? " " : "", c->workers[i].values);
    if (c->tty) fprintf(stderr, "\r\033[K%.*s", 200, line);
    else fprintf(stderr, "%s\n", line);
    fflush(stderr);
    c->printed = 1;
}

static void refresh_counts(run_ctx *c)
{
    oo_err e = {0};
    cJSON *run = store_run_get(c->st, c->run_id, &e);
    if (!run) return;
    cJSON *counts = cJSON_GetObjectItem(run, "counts");
    c->total = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "total"));
    if (c->planned > c->total) c->total = c->planned;
    c->completed = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "completed"));
    c->failed = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "failed"));
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(run, "status"));
    /* another process (oo-automator pause / the dashboard) changed the run's status */
    if (status && !c->stop_reason) {
        if (strcmp(status, "paused") == 0) c->stop_reason = "paused";
        else if (strcmp(status, "cancelled") == 0) c->stop_reason = "cancelled";
    }
    cJSON_Delete(run);
}

static void on_tick(void *ud)
{
    run_ctx *c = ud;
    c->tick = NULL;
    for (int i = 0; i < c->nheld; i++) {
        oo_err e = {0};
        if (store_task_renew(c->st, c->held[i].task_id, c->held[i].owner, c->o.lease_ms, &e) != 0)
            OO_WARN("run", "task %lld: the lease could not be renewed: %s", (long long)c->held[i].task_id, e.msg);
    }
    refresh_counts(c);
    progress(c, 0);
    lua_State *L = script_state(c->sc);
    int64_t every = c->o.lease_ms / 3 < 1000 ? c->o.lease_ms / 3 : 1000;
    c->tick = cdp_timer_add(sched_loop(L), every > 100 ? every : 100, on_tick, c);
}

static void on_sigpipe(void *ud, int fd)
{
    run_ctx *c = ud;
    unsigned char b[16];
    if (fd < 0) return;
    ssize_t n = read(fd, b, sizeof b);
    if (n <= 0) return;
    if (c->stop_reason && strcmp(c->stop_reason, "interrupted") == 0) {
        /* a second Ctrl-C: the user insists; still give the leases back */
        release_all(c);
        _exit(130);
    }
    c->stop_reason = "interrupted";
    c->stop = 1;
}

/* ---- the Lua side: q ------------------------------------------------------------------------ */

static run_ctx *checkq(lua_State *L)
{
    lq *q = luaL_checkudata(L, 1, MT_QUEUE);
    if (!q->ctx) luaL_error(L, "this run is over");
    return q->ctx;
}

static int push_json_owned(lua_State *L, cJSON *v)
{
    if (!v) { lua_pushnil(L); return 1; }
    script_push_json(L, v);
    cJSON_Delete(v);
    return 1;
}

static int fail_store(lua_State *L, const oo_err *e) { return luaL_error(L, "store: %s", e->msg); }

static int q_lease(lua_State *L)
{
    run_ctx *c = checkq(L);
    const char *worker = luaL_checkstring(L, 2);
    if (c->stop_reason) { lua_pushnil(L); return 1; }
    char owner[128];
    snprintf(owner, sizeof owner, "%s/%s", c->owner_base, worker);
    cJSON *task = NULL;
    oo_err e = {0};
    int rc = store_task_lease(c->st, c->run_id, owner, c->o.lease_ms, &task, &e);
    if (rc < 0) return fail_store(L, &e);
    if (rc == 0) { lua_pushnil(L); return 1; }
    if (c->nheld == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->held = oo_realloc(c->held, (size_t)c->cap * sizeof *c->held);
    }
    held *h = &c->held[c->nheld++];
    h->task_id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(task, "id"));
    h->attempts = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(task, "attempts"));
    snprintf(h->owner, sizeof h->owner, "%s", owner);
    return push_json_owned(L, task);
}

static int q_complete(lua_State *L)
{
    run_ctx *c = checkq(L);
    int64_t id = (int64_t)luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    oo_err e = {0};
    cJSON *result = script_to_json(L, 3, &e);
    if (!result) return luaL_error(L, "q:complete: the result: %s", e.msg);
    cJSON *trades = NULL;
    if (!lua_isnoneornil(L, 4)) {
        trades = script_to_json(L, 4, &e);
        if (!trades) { cJSON_Delete(result); return luaL_error(L, "q:complete: the trades: %s", e.msg); }
        if (cJSON_IsObject(trades) && !trades->child) {   /* {} is an empty list here */
            cJSON_Delete(trades);
            trades = cJSON_CreateArray();
        }
    }
    int64_t rid = store_task_complete(c->st, id, result, trades, &e);
    cJSON_Delete(result);
    cJSON_Delete(trades);
    if (rid < 0) return fail_store(L, &e);
    held_drop(c, id);
    refresh_counts(c);
    progress(c, 0);
    lua_pushinteger(L, (lua_Integer)rid);
    return 1;
}

static const char *opt_str(lua_State *L, int t, const char *k, char *buf, size_t n)
{
    lua_getfield(L, t, k);
    const char *v = lua_tostring(L, -1);
    if (v) snprintf(buf, n, "%s", v);
    lua_pop(L, 1);
    return v ? buf : NULL;
}

static int q_fail(lua_State *L)
{
    run_ctx *c = checkq(L);
    int64_t id = (int64_t)luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    char msg[4096], type[32], shot[1024], html[1024], net[1024];
    const char *m = opt_str(L, 3, "message", msg, sizeof msg);
    const char *t = opt_str(L, 3, "type", type, sizeof type);
    lua_getfield(L, 3, "permanent");
    int permanent = lua_toboolean(L, -1);
    lua_pop(L, 1);
    oo_err e = {0};
    cJSON *console = NULL;
    lua_getfield(L, 3, "console");
    if (!lua_isnil(L, -1)) console = script_to_json(L, -1, &e);
    lua_pop(L, 1);
    lua_getfield(L, 3, "uncounted");
    int uncounted = lua_toboolean(L, -1) && !permanent;
    lua_pop(L, 1);
    held *h = held_find(c, id);
    int attempt = (h ? h->attempts : 0) + 1;
    int final = !uncounted && (permanent || attempt >= c->o.max_attempts);
    store_failure f = {.task_id = id, .attempt = attempt, .type = t ? t : "timing",
                       .message = m ? m : "failed", .screenshot_path = opt_str(L, 3, "screenshot", shot, sizeof shot),
                       .html_path = opt_str(L, 3, "html", html, sizeof html),
                       .network_log_path = opt_str(L, 3, "network_log", net, sizeof net), .console_log = console};
    int rc = store_begin(c->st, &e);
    if (rc == 0 && store_failure_add(c->st, &f, &e) < 0) rc = -1;
    /* uncounted: not the task's fault (the session expired, Chromium died, a rate limit): the
     * failure is recorded, the task goes back to the queue without using up an attempt */
    if (rc == 0 && uncounted && store_task_release(c->st, id, h ? h->owner : "", &e) != 0) rc = -1;
    if (rc == 0 && !uncounted && store_task_fail(c->st, id, f.message, final, &e) != 0) rc = -1;
    if (rc == 0) rc = store_commit(c->st, &e);
    else store_rollback(c->st);
    cJSON_Delete(console);
    if (rc != 0) return fail_store(L, &e);
    held_drop(c, id);
    refresh_counts(c);
    progress(c, 0);
    lua_pushboolean(L, final);
    lua_pushinteger(L, attempt);
    return 2;
}

static int q_release(lua_State *L)
{
    run_ctx *c = checkq(L);
    int64_t id = (int64_t)luaL_checkinteger(L, 2);
    held *h = held_find(c, id);
    if (!h) return 0;
    oo_err e = {0};
    if (store_task_release(c->st, id, h->owner, &e) != 0) OO_WARN("run", "task %lld: %s", (long long)id, e.msg);
    held_drop(c, id);
    return 0;
}

static int q_counts(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    cJSON *run = store_run_get(c->st, c->run_id, &e);
    if (!run) return fail_store(L, &e);
    cJSON *counts = cJSON_DetachItemFromObject(run, "counts");
    cJSON_Delete(run);
    return push_json_owned(L, counts);
}

static int q_results(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    cJSON *r = store_run_results(c->st, c->run_id, &e);
    if (!r) return fail_store(L, &e);
    return push_json_owned(L, r);
}

static int q_tasks(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    cJSON *r = store_run_tasks(c->st, c->run_id, &e);
    if (!r) return fail_store(L, &e);
    return push_json_owned(L, r);
}

static int q_add_tasks(lua_State *L)
{
    run_ctx *c = checkq(L);
    lua_Integer stage = luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    oo_err e = {0};
    cJSON *tasks = script_to_json(L, 3, &e);
    if (!tasks) return luaL_error(L, "q:add_tasks: %s", e.msg);
    cJSON *arr = cJSON_CreateArray();
    cJSON *t;
    cJSON_ArrayForEach(t, tasks) {
        cJSON *o = cJSON_CreateObject();
        cJSON *v = cJSON_GetObjectItem(t, "values");
        cJSON_AddItemToObject(o, "values", v ? cJSON_Duplicate(v, 1) : cJSON_CreateObject());
        cJSON_AddNumberToObject(o, "stage", (double)stage);
        cJSON_AddItemToArray(arr, o);
    }
    cJSON_Delete(tasks);
    int n = store_tasks_add(c->st, c->run_id, arr, &e);
    cJSON_Delete(arr);
    if (n < 0) return fail_store(L, &e);
    refresh_counts(c);
    lua_pushinteger(L, n);
    return 1;
}

static int q_max_stage(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    cJSON *tasks = store_run_tasks(c->st, c->run_id, &e);
    if (!tasks) return fail_store(L, &e);
    int max = 0;
    cJSON *t;
    cJSON_ArrayForEach(t, tasks) {
        int s = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(t, "stage"));
        if (s > max) max = s;
    }
    cJSON_Delete(tasks);
    lua_pushinteger(L, max);
    return 1;
}

static int q_cached(lua_State *L)
{
    run_ctx *c = checkq(L);
    const char *hash = luaL_checkstring(L, 2);
    if (c->o.no_cache) { lua_pushnil(L); return 1; }
    oo_err e = {0};
    cJSON *r = store_result_cached(c->st, c->test_id, hash, &e);
    if (!r && e.msg[0]) return fail_store(L, &e);
    return push_json_owned(L, r);
}

static int q_set_hash(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    if (store_task_set_hash(c->st, (int64_t)luaL_checkinteger(L, 2), luaL_checkstring(L, 3), &e) != 0)
        return fail_store(L, &e);
    return 0;
}

/* q:step_times(task_id | nil, recording, {{step, type, ms}, ...}): timing baselines */
static int q_step_times(lua_State *L)
{
    run_ctx *c = checkq(L);
    int64_t task_id = lua_isnoneornil(L, 2) ? 0 : (int64_t)luaL_checkinteger(L, 2);
    const char *rec = luaL_checkstring(L, 3);
    oo_err e = {0};
    cJSON *times = script_to_json(L, 4, &e);
    if (!times) return luaL_error(L, "q:step_times: %s", e.msg);
    int rc = store_step_times_add(c->st, c->run_id, task_id, rec, times, &e);
    cJSON_Delete(times);
    if (rc != 0) return fail_store(L, &e);
    return 0;
}

/* q:step_baselines(recording) -> {{step, type, n, p50, p95, max}, ...} over recent durations */
static int q_step_baselines(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    cJSON *b = store_step_baselines(c->st, luaL_checkstring(L, 2), 0, 0, &e);
    if (!b) return fail_store(L, &e);
    return push_json_owned(L, b);
}

static int q_stopping(lua_State *L)
{
    run_ctx *c = checkq(L);
    if (c->stop_reason) lua_pushstring(L, c->stop_reason); else lua_pushnil(L);
    return 1;
}

static int q_event(lua_State *L)
{
    run_ctx *c = checkq(L);
    const char *kind = luaL_checkstring(L, 2);
    oo_err e = {0};
    cJSON *payload = lua_isnoneornil(L, 3) ? cJSON_CreateObject() : script_to_json(L, 3, &e);
    if (!payload) return luaL_error(L, "q:event: %s", e.msg);
    int64_t id = store_event_append(c->st, c->run_id, kind, payload, &e);
    cJSON_Delete(payload);
    if (id < 0) return fail_store(L, &e);
    return 0;
}

static int q_worker_state(lua_State *L)
{
    run_ctx *c = checkq(L);
    const char *name = luaL_checkstring(L, 2);
    const char *state = luaL_checkstring(L, 3);
    const char *values = luaL_optstring(L, 4, "");
    wstate *w = NULL;
    for (int i = 0; i < c->nworkers; i++)
        if (strcmp(c->workers[i].name, name) == 0) w = &c->workers[i];
    if (!w && c->nworkers < MAX_WORKERS) {
        w = &c->workers[c->nworkers++];
        snprintf(w->name, sizeof w->name, "%s", name);
    }
    if (w && !strcmp(w->state, state) && !strcmp(w->values, values)) return 0;   /* no change */
    if (w) {
        snprintf(w->state, sizeof w->state, "%s", state);
        snprintf(w->values, sizeof w->values, "%s", values);
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "worker", name);
    cJSON_AddStringToObject(p, "state", state);
    cJSON_AddStringToObject(p, "values", values);
    oo_err e = {0};
    int64_t id = store_event_append(c->st, c->run_id, "worker", p, &e);
    cJSON_Delete(p);
    if (id < 0) return fail_store(L, &e);
    progress(c, 0);
    return 0;
}

static int q_index(lua_State *L)
{
    lq *q = luaL_checkudata(L, 1, MT_QUEUE);
    luaL_getmetatable(L, MT_QUEUE);
    lua_getiuservalue(L, 1, 1);          /* the fields table: run_id, spec, test, options */
    (void)q;
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 2);
    lua_getfield(L, -1, "methods");
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

static void push_queue(lua_State *L, run_ctx *c, cJSON *run)
{
    lq *q = lua_newuserdatauv(L, sizeof *q, 1);
    q->ctx = c;
    if (luaL_newmetatable(L, MT_QUEUE)) {
        static const luaL_Reg m[] = {{"lease", q_lease}, {"complete", q_complete}, {"fail", q_fail},
            {"release", q_release}, {"counts", q_counts}, {"results", q_results}, {"tasks", q_tasks},
            {"add_tasks", q_add_tasks},
            {"max_stage", q_max_stage}, {"cached", q_cached}, {"set_hash", q_set_hash}, {"stopping", q_stopping},
            {"event", q_event}, {"worker_state", q_worker_state}, {"step_times", q_step_times},
            {"step_baselines", q_step_baselines}, {NULL, NULL}};
        luaL_newlib(L, m);
        lua_setfield(L, -2, "methods");
        lua_pushcfunction(L, q_index);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    lua_newtable(L);
    lua_pushinteger(L, (lua_Integer)c->run_id);
    lua_setfield(L, -2, "run_id");
    script_push_json(L, cJSON_GetObjectItem(run, "config"));
    lua_setfield(L, -2, "spec");
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)c->test_id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, cJSON_GetStringValue(cJSON_GetObjectItem(run, "test_url")));
    lua_setfield(L, -2, "url");
    const char *tn = cJSON_GetStringValue(cJSON_GetObjectItem(run, "test_name"));
    if (tn) { lua_pushstring(L, tn); lua_setfield(L, -2, "name"); }
    lua_setfield(L, -2, "test");
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, c->o.browsers);
    lua_setfield(L, -2, "browsers");
    lua_pushboolean(L, c->o.headless);
    lua_setfield(L, -2, "headless");
    lua_pushboolean(L, c->o.no_cache);
    lua_setfield(L, -2, "no_cache");
    lua_pushinteger(L, c->o.max_attempts);
    lua_setfield(L, -2, "max_attempts");
    lua_pushstring(L, c->o.data_dir);
    lua_setfield(L, -2, "data_dir");
    lua_pushstring(L, c->artifacts_dir);
    lua_setfield(L, -2, "artifacts_dir");
    lua_setfield(L, -2, "options");
    lua_setiuservalue(L, -2, 1);
}

/* ---- run_execute --------------------------------------------------------------------------- */

/* Tasks left running by an engine of this machine that is gone (killed, crashed) go back to
 * the queue now instead of when their lease expires; another live engine's are left alone. */
static void reclaim_dead_leases(run_ctx *c)
{
    oo_err e = {0};
    cJSON *tasks = store_run_tasks(c->st, c->run_id, &e);
    if (!tasks) return;
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    size_t hl = strlen(host);
    cJSON *t;
    cJSON_ArrayForEach(t, tasks) {
        const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(t, "status"));
        const char *owner = cJSON_GetStringValue(cJSON_GetObjectItem(t, "lease_owner"));
        if (!status || strcmp(status, "running") || !owner) continue;
        if (strncmp(owner, host, hl) != 0 || owner[hl] != ':') continue;
        long pid = strtol(owner + hl + 1, NULL, 10);
        if (pid <= 0 || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id"));
        if (store_task_release(c->st, id, owner, &e) == 0)
            OO_INFO("run", "task %lld: its engine (pid %ld) is gone; back in the queue", (long long)id, pid);
    }
    cJSON_Delete(tasks);
}

static int finish_status(run_ctx *c, const char *status, const char *msg)
{
    oo_err e = {0};
    if (store_run_set_status(c->st, c->run_id, status, msg, &e) != 0) {
        OO_ERROR("run", "run %lld: cannot set its status to %s: %s", (long long)c->run_id, status, e.msg);
        return -1;
    }
    return 0;
}

int run_execute(oo_store *st, oo_script *sc, int64_t run_id, const run_opts *o, oo_err *err)
{
    cJSON *run = store_run_get(st, run_id, err);
    if (!run) return -1;
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(run, "status"));
    if (status && (strcmp(status, "completed") == 0)) {
        cJSON_Delete(run);
        return RUN_DONE;
    }
    run_ctx c = {0};
    c.st = st;
    c.sc = sc;
    c.run_id = run_id;
    c.test_id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(run, "test_id"));
    c.o = *o;
    if (c.o.max_attempts <= 0) c.o.max_attempts = 3;
    if (c.o.lease_ms <= 0) c.o.lease_ms = 60000;
    if (c.o.browsers <= 0) c.o.browsers = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(run, "browsers"));
    if (c.o.browsers <= 0) c.o.browsers = 2;
    if (!c.o.data_dir) c.o.data_dir = ".";
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    snprintf(c.owner_base, sizeof c.owner_base, "%s:%ld", host, (long)getpid());
    char rel[64];
    snprintf(rel, sizeof rel, "runs/%lld", (long long)run_id);
    c.artifacts_dir = oo_path_join(c.o.data_dir, rel);
    if (oo_mkdir_p(c.artifacts_dir, err) != 0) {
        free(c.artifacts_dir);
        cJSON_Delete(run);
        return -1;
    }
    c.tty = isatty(2);
    const cJSON *planned = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "config"), "count");
    if (cJSON_IsNumber(planned) && planned->valuedouble > 0 && planned->valuedouble < 1e9) c.planned = (int)planned->valuedouble;
    c.started_ms = oo_now_ms();

    /* Tasks a dead engine of this run left running go back to the queue when their lease
     * expires (store_task_lease takes them); ours start clean. */
    if (finish_status(&c, "running", NULL) != 0) {
        oo_err_set(err, OO_E_IO, "cannot mark run %lld running", (long long)run_id);
        free(c.artifacts_dir);
        cJSON_Delete(run);
        return -1;
    }
    reclaim_dead_leases(&c);
    refresh_counts(&c);
    c.done_before = c.completed + c.failed;

    lua_State *L = script_state(sc);
    int rc = -1;
    struct sigaction sa = {0}, old_int, old_term;
    if (pipe(g_sigpipe) == 0) {
        fcntl(g_sigpipe[0], F_SETFL, O_NONBLOCK);
        fcntl(g_sigpipe[1], F_SETFL, O_NONBLOCK);
        fcntl(g_sigpipe[0], F_SETFD, FD_CLOEXEC);
        fcntl(g_sigpipe[1], F_SETFD, FD_CLOEXEC);
    }
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    lua_getglobal(L, "require");
    lua_pushstring(L, "oo.runner");
    if (script_pcall(sc, 1, 1, err) == 0) {
        lua_getfield(L, -1, "execute");
        lua_remove(L, -2);
        if (!lua_isfunction(L, -1)) {
            lua_pop(L, 1);
            oo_err_set(err, OO_E_SCRIPT, "lua/oo/runner.lua has no execute function");
        } else {
            push_queue(L, &c, run);
            lua_pushvalue(L, -1);
            c.qref = luaL_ref(L, LUA_REGISTRYINDEX);
            cdp_loop *loop = sched_loop(L);
            if (g_sigpipe[0] >= 0) c.sigwatch = cdp_watch_fd(loop, g_sigpipe[0], on_sigpipe, &c);
            c.tick = cdp_timer_add(loop, 1000, on_tick, &c);
            rc = script_run_call(sc, 1, &c.stop, err);
            cdp_timer_cancel(c.tick);
            c.tick = NULL;
            if (c.sigwatch) cdp_unwatch(c.sigwatch);
            c.sigwatch = NULL;
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    release_all(&c);
    refresh_counts(&c);
    progress(&c, 1);
    if (c.tty && c.printed) fputc('\n', stderr);

    int outcome;
    if (rc == 1 || (c.stop_reason && strcmp(c.stop_reason, "interrupted") == 0)) {
        finish_status(&c, "paused", "interrupted");
        outcome = RUN_INTERRUPTED;
    } else if (rc < 0) {
        finish_status(&c, "failed", err->msg);
        outcome = -1;
    } else if (c.stop_reason && strcmp(c.stop_reason, "paused") == 0) {
        outcome = RUN_PAUSED;
    } else if (c.stop_reason && strcmp(c.stop_reason, "cancelled") == 0) {
        outcome = RUN_CANCELLED;
    } else {
        oo_err e = {0};
        cJSON *r = store_run_get(st, run_id, &e);
        cJSON *counts = r ? cJSON_GetObjectItem(r, "counts") : NULL;
        int left = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "pending")) +
                   (int)cJSON_GetNumberValue(cJSON_GetObjectItem(counts, "running"));
        cJSON_Delete(r);
        if (left > 0) {
            oo_err_set(err, OO_E_SCRIPT, "the runner ended with %d tasks still to do", left);
            finish_status(&c, "failed", err->msg);
            outcome = -1;
        } else if (c.completed == 0 && c.failed > 0) {
            oo_err_set(err, OO_E_SCRIPT, "every task failed (see `oo-automator status --run-id %lld` and the failures' artifacts in %s)",
                       (long long)run_id, c.artifacts_dir);
            finish_status(&c, "failed", err->msg);
            outcome = -1;
        } else {
            finish_status(&c, "completed", NULL);
            outcome = RUN_DONE;
        }
    }
    /* the q object may outlive this call inside suspended coroutines: cut it loose */
    if (c.qref > 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c.qref);
        lq *q = lua_touserdata(L, -1);
        if (q) q->ctx = NULL;
        lua_pop(L, 1);
        luaL_unref(L, LUA_REGISTRYINDEX, c.qref);
    }
    if (g_sigpipe[0] >= 0) { close(g_sigpipe[0]); close(g_sigpipe[1]); }
    g_sigpipe[0] = g_sigpipe[1] = -1;
    free(c.held);
    free(c.artifacts_dir);
    cJSON_Delete(run);
    return outcome;
}
