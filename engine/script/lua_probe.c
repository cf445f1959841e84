/* probe: read-only checks of this machine for the doctor (see probe.h). */
#include "script/probe.h"
#include "script/script.h"
#include "base/config.h"
#include "base/proc.h"
#include "cdp/cdp.h"
#include "replay/recording.h"
#include "store/store.h"
#include <errno.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fail(lua_State *L, const char *msg)
{
    lua_pushnil(L);
    lua_pushstring(L, msg);
    return 2;
}

static int l_chromium(lua_State *L)
{
    oo_err err = {0};
    char *path = cdp_chromium_find(oo_config_get(oo_cfg(), OO_CFG_CHROMIUM), &err);
    if (!path) return fail(L, err.msg);
    const char *const argv[] = {path, "--version", NULL};
    char *version = oo_proc_first_line(argv, 15000, &err);
    if (!version) {
        free(path);
        return fail(L, err.msg);
    }
    lua_createtable(L, 0, 2);
    lua_pushstring(L, path);
    lua_setfield(L, -2, "path");
    lua_pushstring(L, version);
    lua_setfield(L, -2, "version");
    free(version);
    free(path);
    return 1;
}

static int l_store(lua_State *L)
{
    oo_err err = {0};
    oo_store *s = store_open_readonly(luaL_checkstring(L, 1), &err);
    if (!s) return fail(L, err.msg);
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, store_schema_version(s));
    lua_setfield(L, -2, "schema");
    store_close(s);
    return 1;
}

static int l_recording(lua_State *L)
{
    oo_err err = {0};
    recording *r = recording_load(luaL_checkstring(L, 1), &err);
    if (!r) return fail(L, err.msg);
    recording_free(r);
    lua_pushboolean(L, 1);
    return 1;
}

static int l_mode(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (stat(path, &st) != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, strerror(errno));
        return 2;
    }
    lua_pushinteger(L, (lua_Integer)(st.st_mode & 07777));
    return 1;
}

static int open_probe(lua_State *L)
{
    static const luaL_Reg fns[] = {{"chromium", l_chromium}, {"store", l_store}, {"recording", l_recording},
                                   {"mode", l_mode}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

void probe_register(oo_script *s)
{
    lua_State *L = script_state(s);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, open_probe);
    lua_setfield(L, -2, "probe");
    lua_pop(L, 1);
}
