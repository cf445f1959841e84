/* queue: the `q` object (run.h) through which Lua's runner leases, completes and fails the
 * tasks of one run. Every method is one or two store calls; the leases this engine holds are
 * remembered so that whatever happens they go back to the queue (run_release_all). */
#include "run/internal.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "script/script.h"
#include "store/store.h"
#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MT_QUEUE "oo.run.queue"

typedef struct lq { run_ctx *ctx; } lq;

/* ---- held leases ----------------------------------------------------------------------------- */

static run_held *held_find(run_ctx *c, int64_t id)
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

static void held_add(run_ctx *c, const cJSON *task, const char *owner)
{
    if (c->nheld == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->held = oo_realloc(c->held, (size_t)c->cap * sizeof *c->held);
    }
    run_held *h = &c->held[c->nheld++];
    h->task_id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(task, "id"));
    h->attempts = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(task, "attempts"));
    h->retries = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(task, "retries"));
    snprintf(h->owner, sizeof h->owner, "%s", owner);
}

void run_release_all(run_ctx *c)
{
    for (int i = 0; i < c->nheld; i++) {
        oo_err e = {0};
        if (store_task_release(c->st, c->held[i].task_id, c->held[i].owner, &e) != 0)
            OO_WARN("run", "task %lld: %s", (long long)c->held[i].task_id, e.msg);
        else run_counts_move(c, "running", "pending", 1);
    }
    c->nheld = 0;
}

/* ---- helpers ---------------------------------------------------------------------------------- */

static run_ctx *checkq(lua_State *L)
{
    lq *q = luaL_checkudata(L, 1, MT_QUEUE);
    if (!q->ctx) script_error(L, OO_E_SCRIPT, "this run is over");
    return q->ctx;
}

static int push_json_owned(lua_State *L, cJSON *v)
{
    if (!v) { lua_pushnil(L); return 1; }
    script_push_json(L, v);
    cJSON_Delete(v);
    return 1;
}

static int fail_store(lua_State *L, const oo_err *e) { return script_error(L, e->code ? e->code : OO_E_DB, "store: %s", e->msg); }

static const char *opt_str(lua_State *L, int t, const char *k, char *buf, size_t n)
{
    lua_getfield(L, t, k);
    const char *v = lua_tostring(L, -1);
    if (v) snprintf(buf, n, "%s", v);
    lua_pop(L, 1);
    return v ? buf : NULL;
}

static int opt_bool(lua_State *L, int t, const char *k)
{
    lua_getfield(L, t, k);
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* ---- methods -------------------------------------------------------------------------------- */

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
    held_add(c, task, owner);
    if (c->counts.pending > 0) run_counts_move(c, "pending", "running", 1);
    return push_json_owned(L, task);
}

static int q_complete(lua_State *L)
{
    run_ctx *c = checkq(L);
    int64_t id = (int64_t)luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    oo_err e = {0};
    cJSON *result = script_to_json(L, 3, &e);
    if (!result) return script_error(L, OO_E_SCRIPT, "q:complete: the result: %s", e.msg);
    cJSON *trades = NULL;
    if (!lua_isnoneornil(L, 4)) {
        trades = script_to_json(L, 4, &e);
        if (!trades) { cJSON_Delete(result); return script_error(L, OO_E_SCRIPT, "q:complete: the trades: %s", e.msg); }
        if (cJSON_IsObject(trades) && !trades->child) {   /* {} is an empty list here */
            cJSON_Delete(trades);
            trades = cJSON_CreateArray();
        }
    }
    int64_t rid = store_task_complete(c->st, id, result, trades, &e);
    cJSON_Delete(result);
    cJSON_Delete(trades);
    if (rid < 0) return fail_store(L, &e);
    if (held_find(c, id)) run_counts_move(c, "running", "completed", 1);
    held_drop(c, id);
    run_report(c, 0);
    lua_pushinteger(L, (lua_Integer)rid);
    return 1;
}

/* What becomes of a task after a failed attempt. */
typedef enum { FAIL_RETRY, FAIL_FINAL, FAIL_SKIP, FAIL_UNCOUNTED } fail_next;

/* Records the failure (and its evidence) and moves the task on, in one transaction. */
static int record_failure(run_ctx *c, const store_failure *f, fail_next next, const char *owner, oo_err *e)
{
    int rc = store_begin(c->st, e);
    if (rc == 0 && store_failure_add(c->st, f, e) < 0) rc = -1;
    /* uncounted: not the task's fault (the session expired, Chromium died, a rate limit): the
     * failure is recorded, the task goes back to the queue without using up an attempt; skip:
     * the site refuses the configuration itself, the task is skipped for good */
    if (rc == 0 && next == FAIL_UNCOUNTED && store_task_release(c->st, f->task_id, owner, e) != 0) rc = -1;
    if (rc == 0 && next == FAIL_SKIP && store_task_skip(c->st, f->task_id, f->message, e) != 0) rc = -1;
    if (rc == 0 && (next == FAIL_RETRY || next == FAIL_FINAL) &&
        store_task_fail(c->st, f->task_id, f->message, next == FAIL_FINAL, e) != 0) rc = -1;
    if (rc == 0) return store_commit(c->st, e);
    store_rollback(c->st);
    return -1;
}

static int q_fail(lua_State *L)
{
    run_ctx *c = checkq(L);
    int64_t id = (int64_t)luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    char msg[4096], type[32], shot[1024], html[1024], net[1024];
    const char *m = opt_str(L, 3, "message", msg, sizeof msg), *t = opt_str(L, 3, "type", type, sizeof type);
    int skip = opt_bool(L, 3, "skip");
    int permanent = opt_bool(L, 3, "permanent") || skip;
    int uncounted = opt_bool(L, 3, "uncounted") && !permanent;
    oo_err e = {0};
    cJSON *console = NULL;
    lua_getfield(L, 3, "console");
    if (!lua_isnil(L, -1)) console = script_to_json(L, -1, &e);
    lua_pop(L, 1);
    run_held *h = held_find(c, id);
    int attempt = (h ? h->attempts : 0) + 1;
    /* each round (the first, then each retry) has max_attempts; the attempts keep counting */
    int final = !uncounted && (permanent || attempt >= c->o.max_attempts * (1 + (h ? h->retries : 0)));
    store_failure f = {.task_id = id, .attempt = attempt, .type = t ? t : "timing", .message = m ? m : "failed",
                       .screenshot_path = opt_str(L, 3, "screenshot", shot, sizeof shot),
                       .html_path = opt_str(L, 3, "html", html, sizeof html),
                       .network_log_path = opt_str(L, 3, "network_log", net, sizeof net), .console_log = console};
    int rc = record_failure(c, &f, uncounted ? FAIL_UNCOUNTED : skip ? FAIL_SKIP : final ? FAIL_FINAL : FAIL_RETRY,
                            h ? h->owner : "", &e);
    cJSON_Delete(console);
    if (rc != 0) return fail_store(L, &e);
    if (h) run_counts_move(c, "running", skip ? "skipped" : final ? "failed" : "pending", 1);
    held_drop(c, id);
    run_report(c, 0);
    lua_pushboolean(L, final);
    lua_pushinteger(L, attempt);
    return 2;
}

static int q_release(lua_State *L)
{
    run_ctx *c = checkq(L);
    int64_t id = (int64_t)luaL_checkinteger(L, 2);
    run_held *h = held_find(c, id);
    if (!h) return 0;
    oo_err e = {0};
    if (store_task_release(c->st, id, h->owner, &e) != 0) OO_WARN("run", "task %lld: %s", (long long)id, e.msg);
    else run_counts_move(c, "running", "pending", 1);
    held_drop(c, id);
    return 0;
}

static int q_counts(lua_State *L)
{
    run_ctx *c = checkq(L);
    lua_createtable(L, 0, 6);
    const struct { const char *k; int v; } n[] = {{"total", c->counts.total}, {"pending", c->counts.pending},
        {"running", c->counts.running}, {"completed", c->counts.completed}, {"failed", c->counts.failed},
        {"skipped", c->counts.skipped}};
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
        lua_pushinteger(L, n[i].v);
        lua_setfield(L, -2, n[i].k);
    }
    return 1;
}

static int q_open_tasks(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    int n = store_run_open_tasks(c->st, c->run_id, &e);
    if (n < 0) return fail_store(L, &e);
    lua_pushinteger(L, n);
    return 1;
}

static int q_results(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    cJSON *r = store_run_results(c->st, c->run_id, &e);
    if (!r) return fail_store(L, &e);
    return push_json_owned(L, r);
}

/* q:tasks(): every task of the run in order, failed ones too (store_run_tasks) */
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
    if (!tasks) return script_error(L, OO_E_SCRIPT, "q:add_tasks: %s", e.msg);
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
    run_counts_move(c, "", "pending", n);
    run_report(c, 0);
    lua_pushinteger(L, n);
    return 1;
}

static int q_max_stage(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    int max = store_run_max_stage(c->st, c->run_id, &e);
    if (max < 0) return fail_store(L, &e);
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

static int q_failed_tasks(lua_State *L)
{
    run_ctx *c = checkq(L);
    oo_err e = {0};
    cJSON *r = store_run_failed_tasks(c->st, c->run_id, &e);
    if (!r) return fail_store(L, &e);
    return push_json_owned(L, r);
}

static int q_retry(lua_State *L)
{
    run_ctx *c = checkq(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    oo_err e = {0};
    cJSON *ids = script_to_json(L, 2, &e);
    if (!ids) return script_error(L, OO_E_SCRIPT, "q:retry: %s", e.msg);
    if (cJSON_IsObject(ids) && !ids->child) {   /* {} is an empty list here */
        cJSON_Delete(ids);
        ids = cJSON_CreateArray();
    }
    int n = store_tasks_retry(c->st, c->run_id, ids, "automatic", &e);
    cJSON_Delete(ids);
    if (n < 0) return fail_store(L, &e);
    run_counts_move(c, "failed", "pending", n);
    run_report(c, 0);
    lua_pushinteger(L, n);
    return 1;
}

/* q:step_times(task_id | nil, recording, {{step, type, ms}, ...}): timing baselines */
static int q_step_times(lua_State *L)
{
    run_ctx *c = checkq(L);
    int64_t task_id = lua_isnoneornil(L, 2) ? 0 : (int64_t)luaL_checkinteger(L, 2);
    const char *rec = luaL_checkstring(L, 3);
    oo_err e = {0};
    cJSON *times = script_to_json(L, 4, &e);
    if (!times) return script_error(L, OO_E_SCRIPT, "q:step_times: %s", e.msg);
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
    /* a signal the loop has not taken yet (busy Lua) counts already */
    if (!c->stop_reason && script_signals_received() > 0) c->stop_reason = "interrupted";
    if (c->stop_reason) lua_pushstring(L, c->stop_reason); else lua_pushnil(L);
    return 1;
}

static int q_event(lua_State *L)
{
    run_ctx *c = checkq(L);
    const char *kind = luaL_checkstring(L, 2);
    oo_err e = {0};
    cJSON *payload = lua_isnoneornil(L, 3) ? cJSON_CreateObject() : script_to_json(L, 3, &e);
    if (!payload) return script_error(L, OO_E_SCRIPT, "q:event: %s", e.msg);
    int64_t id = store_event_append(c->st, c->run_id, kind, payload, &e);
    cJSON_Delete(payload);
    if (id < 0) return fail_store(L, &e);
    return 0;
}

static int q_worker_state(lua_State *L)
{
    run_ctx *c = checkq(L);
    const char *name = luaL_checkstring(L, 2), *state = luaL_checkstring(L, 3), *values = luaL_optstring(L, 4, "");
    run_worker *w = run_worker_find(c, name);
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
    run_report(c, 0);
    return 0;
}

/* ---- the object ------------------------------------------------------------------------------- */

static int q_index(lua_State *L)
{
    luaL_checkudata(L, 1, MT_QUEUE);
    lua_getiuservalue(L, 1, 1);          /* the fields table: run_id, spec, script, test, options */
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1)) return 1;
    luaL_getmetatable(L, MT_QUEUE);
    lua_getfield(L, -1, "methods");
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

static void queue_metatable(lua_State *L)
{
    if (!luaL_newmetatable(L, MT_QUEUE)) return;
    static const luaL_Reg m[] = {{"lease", q_lease}, {"complete", q_complete}, {"fail", q_fail},
        {"release", q_release}, {"counts", q_counts}, {"open_tasks", q_open_tasks}, {"results", q_results},
        {"tasks", q_tasks}, {"add_tasks", q_add_tasks}, {"max_stage", q_max_stage}, {"cached", q_cached},
        {"set_hash", q_set_hash}, {"step_times", q_step_times}, {"step_baselines", q_step_baselines},
        {"stopping", q_stopping}, {"event", q_event}, {"worker_state", q_worker_state},
        {"failed_tasks", q_failed_tasks}, {"retry", q_retry}, {NULL, NULL}};
    luaL_newlib(L, m);
    lua_setfield(L, -2, "methods");
    lua_pushcfunction(L, q_index);
    lua_setfield(L, -2, "__index");
}

static void set_string(lua_State *L, const char *k, const char *v)
{
    if (!v) return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void push_options(lua_State *L, const run_ctx *c)
{
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, c->o.browsers);
    lua_setfield(L, -2, "browsers");
    lua_pushboolean(L, c->o.headless);
    lua_setfield(L, -2, "headless");
    lua_pushboolean(L, c->o.no_cache);
    lua_setfield(L, -2, "no_cache");
    lua_pushinteger(L, c->o.max_attempts);
    lua_setfield(L, -2, "max_attempts");
    set_string(L, "data_dir", c->o.data_dir);
    set_string(L, "artifacts_dir", c->artifacts_dir);
}

void run_queue_push(lua_State *L, run_ctx *c, const cJSON *run, const char *script)
{
    lq *q = lua_newuserdatauv(L, sizeof *q, 1);
    q->ctx = c;
    queue_metatable(L);
    lua_setmetatable(L, -2);
    lua_newtable(L);
    lua_pushinteger(L, (lua_Integer)c->run_id);
    lua_setfield(L, -2, "run_id");
    script_push_json(L, cJSON_GetObjectItem(run, "config"));
    lua_setfield(L, -2, "spec");
    set_string(L, "script", script);
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)c->test_id);
    lua_setfield(L, -2, "id");
    set_string(L, "url", cJSON_GetStringValue(cJSON_GetObjectItem(run, "test_url")));
    set_string(L, "name", cJSON_GetStringValue(cJSON_GetObjectItem(run, "test_name")));
    lua_setfield(L, -2, "test");
    push_options(L, c);
    lua_setfield(L, -2, "options");
    lua_setiuservalue(L, -2, 1);
    lua_pushvalue(L, -1);
    c->qref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* The q object may outlive the execution inside suspended coroutines: cut it loose. */
void run_queue_detach(lua_State *L, run_ctx *c)
{
    if (c->qref <= 0) return;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->qref);
    lq *q = lua_touserdata(L, -1);
    if (q) q->ctx = NULL;
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, c->qref);
    c->qref = 0;
}
