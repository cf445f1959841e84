/* runs: creating a run from a checked plan (run_create), and the `runs` Lua module through which
 * a command's Lua creates, executes and reads runs in-process (run_bind; see run.h). */
#include "run/internal.h"
#include "base/buf.h"
#include "base/util.h"
#include "script/script.h"
#include "store/store.h"
#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- run_create ------------------------------------------------------------------------------- */

static int64_t plan_test(oo_store *st, const cJSON *plan, oo_err *err)
{
    const cJSON *id = cJSON_GetObjectItem(plan, "test_id");
    if (cJSON_IsNumber(id)) {
        if (!(id->valuedouble >= 1 && id->valuedouble < 9007199254740992.0))
            return oo_err_set(err, OO_E_INPUT, "test_id: expected a saved test's id");
        cJSON *t = store_test_get(st, (int64_t)id->valuedouble, err);
        if (!t) return -1;
        cJSON_Delete(t);
        return (int64_t)id->valuedouble;
    }
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "test_url"));
    if (!url) return oo_err_set(err, OO_E_INPUT, "the run has no test");
    return store_test_upsert(st, url, cJSON_GetStringValue(cJSON_GetObjectItem(plan, "test_name")), err);
}

/* The stored config: the plan's, with the script's absolute path (for messages) added. */
static cJSON *stored_config(const cJSON *plan)
{
    const cJSON *cfg = cJSON_GetObjectItem(plan, "config");
    cJSON *out = cfg ? cJSON_Duplicate(cfg, 1) : cJSON_CreateObject();
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "script_path"));
    if (path) {
        char *abs = realpath(path, NULL);
        cJSON_DeleteItemFromObject(out, "script");
        cJSON_AddStringToObject(out, "script", abs ? abs : path);
        free(abs);
    }
    return out;
}

int64_t run_create(oo_store *st, const cJSON *plan, int default_browsers, oo_err *err)
{
    const char *mode = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "mode"));
    const cJSON *b = cJSON_GetObjectItem(plan, "browsers");
    int browsers = cJSON_IsNumber(b) && b->valuedouble >= 1 && b->valuedouble <= 8 ? (int)b->valuedouble : default_browsers;
    if (browsers < 1 || browsers > 8) browsers = 2;
    if (store_begin(st, err) != 0) return -1;
    int64_t test_id = plan_test(st, plan, err), run_id = -1;
    if (test_id > 0) {
        cJSON *cfg = stored_config(plan);
        run_id = store_run_create(st, test_id, cJSON_GetStringValue(cJSON_GetObjectItem(plan, "name")), mode, cfg,
                                  browsers, err);
        cJSON_Delete(cfg);
    }
    const char *script = cJSON_GetStringValue(cJSON_GetObjectItem(plan, "script"));
    if (run_id > 0 && script && store_run_set_script(st, run_id, script, err) != 0) run_id = -1;
    if (run_id > 0 && store_commit(st, err) == 0) return run_id;
    store_rollback(st);
    return -1;
}

/* ---- run_retry_failed -------------------------------------------------------------------------- */

int run_retry_failed(oo_store *st, int64_t run_id, oo_err *err)
{
    cJSON *run = store_run_get(st, run_id, err);
    if (!run) return -1;
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(run, "status"));
    const char *engine = cJSON_GetStringValue(cJSON_GetObjectItem(run, "engine"));
    int rc = -1;
    if (!strcmp(status, "running") || !strcmp(status, "queued"))
        oo_err_set(err, OO_E_INPUT, "run %lld is %s (engine %s): retry its failed tasks when it has ended, or pause it "
                   "first", (long long)run_id, status, engine ? engine : "?");
    else if (!strcmp(status, "cancelled"))
        oo_err_set(err, OO_E_INPUT, "run %lld was cancelled: nothing to retry", (long long)run_id);
    else if (store_begin(st, err) == 0) {
        rc = store_tasks_retry(st, run_id, NULL, "hand", err);
        if (rc > 0 && (!strcmp(status, "completed") || !strcmp(status, "failed")) &&
            store_run_set_status(st, run_id, "paused", NULL, err) != 0)
            rc = -1;
        if (rc >= 0 && store_commit(st, err) != 0) rc = -1;
        else if (rc < 0) store_rollback(st);
    }
    cJSON_Delete(run);
    return rc;
}

/* ---- the `runs` module ----------------------------------------------------------------------- */

typedef struct binding { oo_store *st; oo_script *sc; run_opts defaults; } binding;

static binding *bound(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

static int64_t check_id(lua_State *L, int idx)
{
    lua_Integer id = luaL_checkinteger(L, idx);
    if (id < 1) script_error(L, OO_E_INPUT, "no run %lld", (long long)id);
    return (int64_t)id;
}

static int push_or_raise(lua_State *L, cJSON *v, const oo_err *e)
{
    if (!v) return script_error(L, e->code ? e->code : OO_E_DB, "%s", e->msg);
    script_push_json(L, v);
    cJSON_Delete(v);
    return 1;
}

static int l_create(lua_State *L)
{
    binding *b = bound(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    oo_err e = {0};
    cJSON *plan = script_to_json(L, 1, &e);
    if (!plan) return script_error(L, OO_E_SCRIPT, "runs.create: %s", e.msg);
    int64_t id = run_create(b->st, plan, b->defaults.browsers, &e);
    cJSON_Delete(plan);
    if (id < 0) return script_error(L, e.code ? e.code : OO_E_DB, "%s", e.msg);
    lua_pushinteger(L, (lua_Integer)id);
    return 1;
}

static const char *outcome_name(int outcome)
{
    switch (outcome) {
    case RUN_DONE: return "completed";
    case RUN_PAUSED: return "paused";
    case RUN_CANCELLED: return "cancelled";
    case RUN_INTERRUPTED: return "interrupted";
    case RUN_BUSY: return "busy";
    case RUN_ELSEWHERE: return "elsewhere";
    default: return "failed";
    }
}

/* runs.execute(id, {browsers, no_cache}) -> outcome, message. Drives its own loop: it runs from
 * a script's top level, never inside a coroutine of a running loop. */
static int l_execute(lua_State *L)
{
    binding *b = bound(L);
    int64_t id = check_id(L, 1);
    if (lua_isyieldable(L))
        return script_error(L, OO_E_USAGE, "runs.execute: call it from the run script's top level, not in a coroutine");
    run_opts o = b->defaults;
    if (lua_istable(L, 2)) {
        lua_getfield(L, 2, "browsers");
        if (lua_isinteger(L, -1)) o.browsers = (int)lua_tointeger(L, -1);
        lua_getfield(L, 2, "no_cache");
        if (!lua_isnil(L, -1)) o.no_cache = lua_toboolean(L, -1);
        lua_pop(L, 2);
    }
    oo_err e = {0};
    int outcome = run_execute(b->st, b->sc, id, &o, &e);
    lua_pushstring(L, outcome_name(outcome));
    if (e.msg[0]) lua_pushstring(L, e.msg); else lua_pushnil(L);
    return 2;
}

static int l_get(lua_State *L)
{
    oo_err e = {0};
    return push_or_raise(L, store_run_get(bound(L)->st, check_id(L, 1), &e), &e);
}

static int l_results(lua_State *L)
{
    oo_err e = {0};
    return push_or_raise(L, store_run_results(bound(L)->st, check_id(L, 1), &e), &e);
}

static int l_script(lua_State *L)
{
    oo_err e = {0};
    char *text = store_run_script(bound(L)->st, check_id(L, 1), &e);
    if (!text && e.code) return script_error(L, e.code, "%s", e.msg);
    if (text) lua_pushstring(L, text); else lua_pushnil(L);
    free(text);
    return 1;
}

static int l_test(lua_State *L)
{
    lua_Integer id = luaL_checkinteger(L, 1);
    oo_err e = {0};
    if (id < 1) return script_error(L, OO_E_INPUT, "no test %lld: see `oo-automator tests` for the saved ones", (long long)id);
    return push_or_raise(L, store_test_get(bound(L)->st, (int64_t)id, &e), &e);
}

static int l_result(lua_State *L)
{
    lua_Integer id = luaL_checkinteger(L, 1);
    oo_err e = {0};
    if (id < 1) return script_error(L, OO_E_INPUT, "no result %lld", (long long)id);
    return push_or_raise(L, store_result_get(bound(L)->st, (int64_t)id, &e), &e);
}

/* runs.trades(result_id [, {field, ...}]): every field of each trade, or only those named. */
static int l_trades(lua_State *L)
{
    lua_Integer id = luaL_checkinteger(L, 1);
    oo_err e = {0};
    if (lua_isnoneornil(L, 2)) return push_or_raise(L, store_result_trades(bound(L)->st, (int64_t)id, &e), &e);
    cJSON *names = script_to_json(L, 2, &e);
    if (!names) return script_error(L, OO_E_SCRIPT, "runs.trades: the fields: %s", e.msg);
    cJSON *rows = store_result_trade_fields(bound(L)->st, (int64_t)id, names, &e);
    cJSON_Delete(names);
    return push_or_raise(L, rows, &e);
}

/* runs.trades_csv(result_id, {column, ...}): the trades through the one CSV writer. */
static int l_trades_csv(lua_State *L)
{
    lua_Integer id = luaL_checkinteger(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    oo_err e = {0};
    cJSON *columns = script_to_json(L, 2, &e);
    if (!columns) return script_error(L, OO_E_SCRIPT, "runs.trades_csv: the columns: %s", e.msg);
    cJSON *rows = store_result_trades(bound(L)->st, (int64_t)id, &e);
    if (!rows) {
        cJSON_Delete(columns);
        return script_error(L, e.code ? e.code : OO_E_DB, "%s", e.msg);
    }
    oo_buf out;
    oo_buf_init(&out);
    run_export_rows(columns, rows, &out);
    lua_pushlstring(L, out.data ? out.data : "", out.len);
    oo_buf_free(&out);
    cJSON_Delete(rows);
    cJSON_Delete(columns);
    return 1;
}

/* runs.backtest_seconds() -> [{run_id, seconds}]: the backtests actually run (not served by the
 * cache) in the recent runs, what oo.estimate measures the account's pace by. */
static int l_backtest_seconds(lua_State *L)
{
    oo_err e = {0};
    return push_or_raise(L, store_backtest_seconds(bound(L)->st, 0, &e), &e);
}

static int l_find_tests(lua_State *L)
{
    oo_err e = {0};
    return push_or_raise(L, store_test_find(bound(L)->st, luaL_checkstring(L, 1), &e), &e);
}

static int open_runs(lua_State *L)
{
    static const luaL_Reg fns[] = {{"create", l_create}, {"execute", l_execute}, {"get", l_get},
        {"results", l_results}, {"result", l_result}, {"script", l_script}, {"trades", l_trades}, {"trades_csv", l_trades_csv}, {"test", l_test},
        {"find_tests", l_find_tests}, {"backtest_seconds", l_backtest_seconds}, {NULL, NULL}};
    lua_newtable(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    luaL_setfuncs(L, fns, 1);
    return 1;
}

void run_bind(oo_script *sc, oo_store *st, const run_opts *defaults)
{
    lua_State *L = script_state(sc);
    binding *b = lua_newuserdatauv(L, sizeof *b, 0);   /* owned by the state: in the registry */
    b->st = st;
    b->sc = sc;
    b->defaults = *defaults;
    lua_pushvalue(L, -1);
    luaL_ref(L, LUA_REGISTRYINDEX);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushvalue(L, -3);
    lua_pushcclosure(L, open_runs, 1);
    lua_setfield(L, -2, "runs");
    lua_pop(L, 3);
}
