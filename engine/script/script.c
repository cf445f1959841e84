#include "script/script.h"
#include "script/sched.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include <lauxlib.h>
#include <lualib.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct oo_script {
    lua_State *L;
    size_t used, limit;
    int traceback;
};

static const char REGKEY = 'S';  /* registry key: address of this byte */

static void error_metatable(lua_State *L);

/* The capped allocator: a runaway script gets "not enough memory", the engine goes on. */
static void *cap_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    oo_script *s = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        s->used -= old;
        return NULL;
    }
    if (nsize > old && s->used - old + nsize > s->limit) return NULL;
    void *p = realloc(ptr, nsize);
    if (p) s->used = s->used - old + nsize;
    return p;
}

static int on_panic(lua_State *L)
{
    /* Only reached for errors outside any pcall, which the engine never makes; say so. */
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "oo-automator: unprotected Lua error: %s\n", msg ? msg : "?");
    return 0;  /* lua aborts after this */
}

static void add_path(oo_buf *b, const char *dir, int with_init)
{
    oo_buf_printf(b, "%s%s/?.lua", b->len ? ";" : "", dir);
    if (with_init) oo_buf_printf(b, ";%s/?/init.lua", dir);
}

static void add_env_dirs(oo_buf *b, const char *list)
{
    if (!list || !*list) return;
    char *copy = oo_strdup(list), *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
        if (*d) add_path(b, d, 1);
    free(copy);
}

static void set_paths(lua_State *L)
{
    oo_buf b;
    oo_buf_init(&b);
    const oo_config *c = oo_cfg();
    add_env_dirs(&b, oo_config_get(c, OO_CFG_LUA_PATH));
    char *lua = oo_resource_path("lua"), *params = oo_resource_path("parameters");
    add_path(&b, lua, 1);
    add_path(&b, params, 0);
    add_env_dirs(&b, oo_config_get(c, OO_CFG_PARAMETERS_PATH));
    free(lua);
    free(params);
    lua_getglobal(L, "package");
    lua_pushstring(L, b.data);
    lua_setfield(L, -2, "path");
    lua_pushstring(L, "");
    lua_setfield(L, -2, "cpath");
    /* no C loaders from disk: keep only the preload and Lua-file searchers */
    lua_getfield(L, -1, "searchers");
    lua_pushnil(L);
    lua_seti(L, -2, 4);
    lua_pushnil(L);
    lua_seti(L, -2, 3);
    lua_pop(L, 1);
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, script_open_json);
    lua_setfield(L, -2, "json");
    lua_pushcfunction(L, script_open_log);
    lua_setfield(L, -2, "log");
    lua_pushcfunction(L, script_open_time);
    lua_setfield(L, -2, "time");
    lua_pushcfunction(L, script_open_fs);
    lua_setfield(L, -2, "fs");
    lua_pushcfunction(L, script_open_sched);
    lua_setfield(L, -2, "sched");
    lua_pushcfunction(L, script_open_browser);
    lua_setfield(L, -2, "browser");
    lua_pushcfunction(L, script_open_config);
    lua_setfield(L, -2, "config");
    lua_pushcfunction(L, script_open_yaml);
    lua_setfield(L, -2, "yaml");
    lua_pushcfunction(L, script_open_stats);
    lua_setfield(L, -2, "stats");
    lua_pop(L, 2);
    oo_buf_free(&b);
}

/* The folder the engine's own Lua comes from must hold it: an OO_HOME pointing elsewhere would
 * otherwise end in Lua's "module 'oo.cli' not found" and a list of search paths. */
static int check_resource_root(oo_err *err)
{
    char *oo = oo_resource_path("lua/oo/init.lua");
    int ok = oo_file_exists(oo);
    free(oo);
    if (ok) return 0;
    const char *home = oo_config_get(oo_cfg(), OO_CFG_HOME);
    if (home && *home)
        return oo_err_set(err, OO_E_USAGE, "OO_HOME is %s, which holds no lua/oo/init.lua: set it to the folder holding "
                                           "lua/, parameters/, recordings/ and web/ (the checkout, or an installation's "
                                           "share/oo-automator), or unset it", home);
    return oo_err_set(err, OO_E_USAGE, "the installation at %s is incomplete (no lua/oo/init.lua): install it again, "
                                       "or set OO_HOME to the folder holding lua/, parameters/, recordings/ and web/",
                      oo_resource_root());
}

oo_script *script_new(const script_opts *opts, oo_err *err)
{
    if (check_resource_root(err) != 0) return NULL;
    oo_script *s = oo_calloc(1, sizeof *s);
    s->limit = opts && opts->memory_limit ? opts->memory_limit : 0;
    if (!s->limit) {
        long n = oo_config_int(oo_cfg(), OO_CFG_LUA_MEMORY_MB);
        s->limit = (size_t)(n > 0 ? n : 512) * 1024 * 1024;
    }
    s->traceback = opts ? opts->traceback : 0;
    s->L = lua_newstate(cap_alloc, s);
    if (!s->L) {
        free(s);
        oo_err_set(err, OO_E_SCRIPT, "cannot create the Lua state: out of memory");
        return NULL;
    }
    lua_atpanic(s->L, on_panic);
    lua_pushlightuserdata(s->L, (void *)&REGKEY);
    lua_pushlightuserdata(s->L, s);
    lua_rawset(s->L, LUA_REGISTRYINDEX);
    luaL_openlibs(s->L);
    error_metatable(s->L);
    lua_pop(s->L, 1);
    set_paths(s->L);
    return s;
}

void script_free(oo_script *s)
{
    if (!s) return;
    if (s->L) {
        sched_closing(s->L);
        lua_close(s->L);
    }
    free(s);
}

lua_State *script_state(oo_script *s) { return s->L; }
size_t script_memory_used(const oo_script *s) { return s->used; }

oo_script *script_from_state(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&REGKEY);
    lua_rawget(L, LUA_REGISTRYINDEX);
    oo_script *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return s;
}

/* ---- typed errors ----------------------------------------------------------------------------- */

#define MT_ERROR "oo.error"

static int error_tostring(lua_State *L)
{
    lua_getfield(L, 1, "msg");
    if (!lua_isstring(L, -1)) lua_pushliteral(L, "error");
    return 1;
}

/* The metatable of typed errors, shared with lua/oo/errors.lua (which finds it in the registry). */
static void error_metatable(lua_State *L)
{
    if (luaL_newmetatable(L, MT_ERROR)) {
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushvalue(L, -1);
        lua_setfield(L, -2, "__index");
    }
}

static void push_error_named(lua_State *L, const char *code, const char *msg)
{
    lua_createtable(L, 0, 2);
    lua_pushstring(L, code);
    lua_setfield(L, -2, "code");
    lua_pushstring(L, msg);
    lua_setfield(L, -2, "msg");
    error_metatable(L);
    lua_setmetatable(L, -2);
}

void script_push_error(lua_State *L, int code, const char *msg)
{
    push_error_named(L, oo_err_code_name(code), msg ? msg : "");
}

int script_error(lua_State *L, int code, const char *fmt, ...)
{
    char msg[OO_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    script_push_error(L, code, msg);
    return lua_error(L);
}

int script_error_at(lua_State *L, int code, const char *fmt, ...)
{
    char msg[OO_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    luaL_where(L, 1);
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    script_push_error(L, code, lua_tostring(L, -1));
    lua_remove(L, -2);
    return lua_error(L);
}

/* The code of a typed error at idx (a table whose code is a string and msg a string), or NULL. */
static const char *typed_code(lua_State *L, int idx, const char **msg)
{
    if (lua_type(L, idx) != LUA_TTABLE) return NULL;
    idx = lua_absindex(L, idx);
    lua_getfield(L, idx, "code");
    lua_getfield(L, idx, "msg");
    const char *code = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 2);   /* both strings stay alive in the table */
    return code && *msg ? code : NULL;
}

void script_error_of(lua_State *L, int idx, oo_err *err)
{
    const char *msg = NULL, *code = typed_code(L, idx, &msg);
    if (code) { oo_err_set(err, oo_err_code_of(code), "%s", msg); return; }
    msg = lua_tostring(L, idx);
    oo_err_set(err, OO_E_SCRIPT, "%s", msg ? msg : "unknown Lua error");
}

/* The message handler of script_pcall: a typed error keeps its code (its message gains the
 * traceback when verbose); anything else becomes a string. */
static int msg_handler(lua_State *L)
{
    oo_script *s = script_from_state(L);
    const char *msg = NULL, *code = typed_code(L, 1, &msg);
    if (!code) msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(a Lua error object of type %s)", luaL_typename(L, 1));
    }
    if (s && s->traceback) luaL_traceback(L, L, msg, 1);
    else lua_pushstring(L, msg);
    if (code) {
        push_error_named(L, code, lua_tostring(L, -1));
        lua_remove(L, -2);
    }
    return 1;
}

int script_pcall(oo_script *s, int nargs, int nresults, oo_err *err)
{
    lua_State *L = s->L;
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msg_handler);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    if (rc != LUA_OK) {
        if (rc == LUA_ERRMEM) oo_err_set(err, OO_E_SCRIPT, "not enough memory for Lua (limit %zu MiB; set OO_LUA_MEMORY_MB)", s->limit >> 20);
        else script_error_of(L, -1, err);
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

cJSON *script_call(oo_script *s, const char *module, const char *fn, const cJSON *arg, oo_err *err)
{
    lua_State *L = s->L;
    lua_getglobal(L, "require");
    lua_pushstring(L, module);
    if (script_pcall(s, 1, 1, err) != 0) return NULL;
    lua_getfield(L, -1, fn);
    lua_remove(L, -2);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        oo_err_set(err, OO_E_SCRIPT, "%s has no function %s", module, fn);
        return NULL;
    }
    if (arg) script_push_json(L, arg); else lua_pushnil(L);
    if (script_pcall(s, 1, 1, err) != 0) return NULL;
    cJSON *out = lua_isnil(L, -1) ? cJSON_CreateNull() : script_to_json(L, -1, err);
    lua_pop(L, 1);
    return out;
}

void script_preload(oo_script *s, const char *name, lua_CFunction open)
{
    lua_State *L = s->L;
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, open);
    lua_setfield(L, -2, name);
    lua_pop(L, 2);
}

void script_set_args(oo_script *s, const char *path, int argc, char **argv)
{
    lua_State *L = s->L;
    lua_createtable(L, argc, 1);
    lua_pushstring(L, path);
    lua_rawseti(L, -2, 0);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setglobal(L, "arg");
}

int script_run_string(oo_script *s, const char *code, const char *name, oo_err *err)
{
    if (luaL_loadbufferx(s->L, code, strlen(code), name, "t") != LUA_OK) {
        oo_err_set(err, OO_E_SCRIPT, "%s", lua_tostring(s->L, -1));
        lua_pop(s->L, 1);
        return -1;
    }
    return script_pcall(s, 0, 0, err);
}
