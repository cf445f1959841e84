/* store for Lua: read-only access to a store handle the caller keeps open, for Lua that works
 * over stored results (lua/oo/analysis/). Registered with script_bind_store as the module
 * `store`; every function returns the stored JSON as Lua values, or nil, message, code
 * ("input" when the thing does not exist, "db" when SQLite failed):
 *   store.run(id)                    the run (store_run_get)
 *   store.results(run_id)            its completed results (store_run_results)
 *   store.result(id)                 one result (store_result_get)
 *   store.trades(result_id[, names]) its trades (store_result_trades), or only the named fields
 *                                    of each (store_result_trade_fields) */
#include "script/script.h"
#include "store/store.h"
#include <lauxlib.h>

static oo_store *store_of(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

/* Pushes v (deleted here) or nil, message, code. */
static int answer(lua_State *L, cJSON *v, const oo_err *err)
{
    if (v) {
        script_push_json(L, v);
        cJSON_Delete(v);
        return 1;
    }
    lua_pushnil(L);
    lua_pushstring(L, err->msg[0] ? err->msg : "not found");
    lua_pushstring(L, err->code == OO_E_INPUT ? "input" : "db");
    return 3;
}

static int64_t id_arg(lua_State *L, int idx, const char *fn)
{
    lua_Integer id = luaL_checkinteger(L, idx);
    if (id < 1) luaL_error(L, "store.%s: expected a positive id", fn);
    return (int64_t)id;
}

static int l_run(lua_State *L)
{
    oo_err err = {0};
    return answer(L, store_run_get(store_of(L), id_arg(L, 1, "run"), &err), &err);
}

static int l_results(lua_State *L)
{
    oo_err err = {0};
    return answer(L, store_run_results(store_of(L), id_arg(L, 1, "results"), &err), &err);
}

static int l_result(lua_State *L)
{
    oo_err err = {0};
    return answer(L, store_result_get(store_of(L), id_arg(L, 1, "result"), &err), &err);
}

static int l_trades(lua_State *L)
{
    oo_err err = {0};
    int64_t id = id_arg(L, 1, "trades");
    if (lua_isnoneornil(L, 2)) return answer(L, store_result_trades(store_of(L), id, &err), &err);
    cJSON *names = script_to_json(L, 2, &err);
    if (!names) return luaL_error(L, "store.trades: %s", err.msg);
    cJSON *rows = store_result_trade_fields(store_of(L), id, names, &err);
    cJSON_Delete(names);
    if (!rows && err.code == OO_E_INPUT) return luaL_error(L, "store.trades: %s", err.msg);
    return answer(L, rows, &err);
}

static int open_store(lua_State *L)
{
    static const luaL_Reg fns[] = {{"run", l_run}, {"results", l_results}, {"result", l_result},
                                   {"trades", l_trades}, {NULL, NULL}};
    luaL_newlibtable(L, fns);
    lua_pushvalue(L, lua_upvalueindex(1));
    luaL_setfuncs(L, fns, 1);
    return 1;
}

void script_bind_store(oo_script *s, oo_store *st)
{
    lua_State *L = script_state(s);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushlightuserdata(L, st);
    lua_pushcclosure(L, open_store, 1);
    lua_setfield(L, -2, "store");
    lua_pop(L, 2);
}
