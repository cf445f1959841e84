/* search_bench: how many backtests the searches (lua/modes/refine.lua, optimize.lua) spend to
 * find the best configuration, against a full grid and a random search. The modes' planning is
 * pure Lua; this program gives it a Lua state and oo-sim's backtest engine (sim/bt) as the
 * `simbt` module, and runs tests/bench/search_bench.lua, which drives the modes exactly as
 * lua/oo/runner.lua does, without a browser, at the engine's full speed.
 *
 *   simbt.load(path) -> strategy id, its startDate, its endDate (a saved test of
 *       sim/bt/strategies/, by its JSON file)
 *   simbt.run(id, {["pl.profitTarget"] = 50, ["legs.1.value"] = 16, ...}) -> metrics table
 *       (keys of lua/oo/metrics.lua; "legs.1" is the first leg)
 *
 * Usage: search_bench [SEEDS] (default 10). Prints a table; it asserts nothing.
 * Ownership: the strategies' JSON trees and the market live until main returns. */
#include "bt/bt.h"
#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STRATEGIES 16

static bt_market *g_market;
static cJSON *g_strategies[MAX_STRATEGIES];
static int g_nstrategies;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) { free(s); s = NULL; }
    if (s) s[n] = 0;
    fclose(f);
    return s;
}

static int l_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (g_nstrategies == MAX_STRATEGIES) return luaL_error(L, "simbt.load: too many strategies");
    char *text = read_file(path);
    if (!text) return luaL_error(L, "simbt.load: cannot read %s", path);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cJSON *cfg = doc ? cJSON_DetachItemFromObject(doc, "config") : NULL;
    cJSON_Delete(doc);
    if (!cfg) return luaL_error(L, "simbt.load: %s has no config", path);
    g_strategies[g_nstrategies++] = cfg;
    lua_pushinteger(L, g_nstrategies);
    lua_pushstring(L, cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "startDate")));
    lua_pushstring(L, cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "endDate")));
    return 3;
}

/* The object holding the item a dotted path names ("pl.profitTarget", "legs.2.value": 1-based
 * array index; "startDate": the root's), its last key in `last`. */
static cJSON *at_path(cJSON *root, const char *path, char *last, size_t lastlen)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    char *dot = strrchr(buf, '.');
    if (!dot) {
        snprintf(last, lastlen, "%s", buf);
        return root;
    }
    *dot = 0;
    snprintf(last, lastlen, "%s", dot + 1);
    cJSON *node = root;
    for (char *tok = strtok(buf, "."); tok && node; tok = strtok(NULL, ".")) {
        if (cJSON_IsArray(node)) node = cJSON_GetArrayItem(node, atoi(tok) - 1);
        else node = cJSON_GetObjectItem(node, tok);
    }
    return node;
}

/* Sets config[path] = the Lua value at the top of the stack; -1 when the path names nothing. */
static int set_path(lua_State *L, cJSON *cfg, const char *path)
{
    char last[128];
    cJSON *parent = at_path(cfg, path, last, sizeof last);
    if (!parent || !cJSON_IsObject(parent) || !cJSON_GetObjectItem(parent, last)) return -1;
    cJSON *v;
    if (lua_type(L, -1) == LUA_TBOOLEAN) v = cJSON_CreateBool(lua_toboolean(L, -1));
    else if (lua_type(L, -1) == LUA_TNUMBER) v = cJSON_CreateNumber(lua_tonumber(L, -1));
    else if (lua_type(L, -1) == LUA_TSTRING) v = cJSON_CreateString(lua_tostring(L, -1));
    else return -1;
    cJSON_ReplaceItemInObject(parent, last, v);
    return 0;
}

static void push_metrics(lua_State *L, const bt_metrics *m)
{
    lua_createtable(L, 0, 12);
    const struct { const char *k; double v; } f[] = {
        {"pl", m->pl}, {"cagr", m->cagr}, {"max_drawdown", m->max_drawdown}, {"mar", m->mar},
        {"win_percentage", m->win_percentage}, {"capture_rate", m->capture_rate},
        {"total_premium", m->total_premium}, {"avg_per_trade", m->avg_per_trade},
        {"starting_capital", m->starting_capital}, {"ending_capital", m->ending_capital},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        lua_pushnumber(L, f[i].v);
        lua_setfield(L, -2, f[i].k);
    }
    lua_pushinteger(L, m->trades);
    lua_setfield(L, -2, "trades");
    lua_pushinteger(L, m->winners);
    lua_setfield(L, -2, "winners");
}

static int l_run(lua_State *L)
{
    lua_Integer id = luaL_checkinteger(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (id < 1 || id > g_nstrategies) return luaL_error(L, "simbt.run: no strategy %d", (int)id);
    cJSON *cfg = cJSON_Duplicate(g_strategies[id - 1], 1);
    char bad[128] = "";
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        const char *path = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        if (!bad[0] && (!path || set_path(L, cfg, path) != 0)) snprintf(bad, sizeof bad, "%s", path ? path : "(not a string)");
        lua_pop(L, 1);
    }
    if (bad[0]) {
        cJSON_Delete(cfg);
        return luaL_error(L, "simbt.run: no field %s (or not a boolean, number or string)", bad);
    }
    char *json = cJSON_PrintUnformatted(cfg);
    cJSON_Delete(cfg);
    char err[256];
    bt_config *c = bt_config_parse(json, err, sizeof err);
    free(json);
    if (!c) return luaL_error(L, "simbt.run: %s", err);
    bt_result *r = bt_run(g_market, c);
    push_metrics(L, bt_result_metrics(r));
    bt_result_free(r);
    bt_config_free(c);
    return 1;
}

static int open_simbt(lua_State *L)
{
    static const luaL_Reg fns[] = {{"load", l_load}, {"run", l_run}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

int main(int argc, char **argv)
{
    const char *src = OO_SOURCE_DIR;
    g_market = bt_market_new(20130102);
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, open_simbt);
    lua_setfield(L, -2, "simbt");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushstring(L, src);
    lua_setfield(L, -2, "source_dir");
    lua_pushinteger(L, argc > 1 ? atoi(argv[1]) : 10);
    lua_setfield(L, -2, "seeds");
    lua_setglobal(L, "BENCH");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/bench/search_bench.lua", src);
    int rc = luaL_dofile(L, path);
    if (rc != LUA_OK) fprintf(stderr, "search_bench: %s\n", lua_tostring(L, -1));
    lua_close(L);
    for (int i = 0; i < g_nstrategies; i++) cJSON_Delete(g_strategies[i]);
    bt_market_free(g_market);
    return rc == LUA_OK ? 0 : 1;
}
