/* log and time for Lua: log.error/warn/info/debug(...) write through the engine's logger with
 * the script's file:line; time.now_ms() (monotonic), time.wall_ms(), time.iso([wall_ms]). */
#include "script/script.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include <lauxlib.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static int log_at(lua_State *L, oo_log_level level)
{
    if (level > oo_log_get_level()) return 0;
    oo_buf b;
    oo_buf_init(&b);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, i, &len);
        if (i > 1) oo_buf_putc(&b, ' ');
        oo_buf_append(&b, s, len);
        lua_pop(L, 1);
    }
    lua_Debug ar;
    char where[256] = "lua";
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
        snprintf(where, sizeof where, "%s:%d", ar.short_src, ar.currentline);
    oo_log(level, where, "%s", b.data ? b.data : "");
    oo_buf_free(&b);
    return 0;
}

static int l_error(lua_State *L) { return log_at(L, OO_LOG_ERROR); }
static int l_warn(lua_State *L) { return log_at(L, OO_LOG_WARN); }
static int l_info(lua_State *L) { return log_at(L, OO_LOG_INFO); }
static int l_debug(lua_State *L) { return log_at(L, OO_LOG_DEBUG); }

int script_open_log(lua_State *L)
{
    static const luaL_Reg fns[] = {{"error", l_error}, {"warn", l_warn}, {"info", l_info}, {"debug", l_debug}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

static int l_now(lua_State *L) { lua_pushinteger(L, oo_now_ms()); return 1; }
static int l_wall(lua_State *L) { lua_pushinteger(L, oo_wall_ms()); return 1; }
static int l_iso(lua_State *L)
{
    lua_Integer ms = luaL_optinteger(L, 1, oo_wall_ms());
    char buf[40];
    oo_iso_time(ms, buf, sizeof buf);
    lua_pushstring(L, buf);
    return 1;
}

int script_open_time(lua_State *L)
{
    static const luaL_Reg fns[] = {{"now_ms", l_now}, {"wall_ms", l_wall}, {"iso", l_iso}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

/* fs for Lua: fs.list(dir) -> sorted file names (nil, message when unreadable),
 * fs.exists(path), fs.read(path) -> text (nil, message). Enough for discovery and fixtures. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int l_list(lua_State *L)
{
    const char *dir = luaL_checkstring(L, 1);
    DIR *d = opendir(dir);
    if (!d) {
        lua_pushnil(L);
        lua_pushfstring(L, "cannot list %s: %s", dir, strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) names = oo_realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
        names[n++] = oo_strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
        free(names[i]);
    }
    free(names);
    return 1;
}

static int l_exists(lua_State *L)
{
    const char *p = luaL_checkstring(L, 1);
    lua_pushboolean(L, oo_file_exists(p) || oo_dir_exists(p));
    return 1;
}

static int l_read(lua_State *L)
{
    oo_err err = {0};
    size_t len;
    char *text = oo_read_file(luaL_checkstring(L, 1), &len, &err);
    if (!text) {
        lua_pushnil(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    lua_pushlstring(L, text, len);
    free(text);
    return 1;
}

static int l_resource(lua_State *L)
{
    char *p = oo_resource_path(luaL_optstring(L, 1, "."));
    lua_pushstring(L, p);
    free(p);
    return 1;
}

/* fs.write(path, text) (atomically: a temporary file renamed), fs.mkdir(path) (with parents);
 * both return true or nil, message. */
static int l_write(lua_State *L)
{
    size_t len;
    const char *path = luaL_checkstring(L, 1);
    const char *text = luaL_checklstring(L, 2, &len);
    oo_err err = {0};
    if (oo_write_file(path, text, len, &err) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_mkdir(lua_State *L)
{
    oo_err err = {0};
    if (oo_mkdir_p(luaL_checkstring(L, 1), &err) != 0) {
        lua_pushnil(L);
        lua_pushstring(L, err.msg);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

int script_open_fs(lua_State *L)
{
    static const luaL_Reg fns[] = {{"list", l_list}, {"exists", l_exists}, {"read", l_read},
                                   {"write", l_write}, {"mkdir", l_mkdir}, {"resource", l_resource}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

/* config for Lua: config.get("base_url") gives the layered configuration's value (flags, then
 * environment, then the config files, then defaults) or nil; the password is not readable this
 * way: config.secret("password") returns it for a recording's placeholder and nothing else
 * should ever print it (the logger masks it anyway). */
#include "base/config.h"
#include <string.h>

static int find_key(const char *name)
{
    for (int k = 0; k < OO_CFG_COUNT; k++)
        if (strcmp(oo_config_key_name((oo_cfg_key)k), name) == 0) return k;
    return -1;
}

static int l_config_get(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int k = find_key(name);
    if (k < 0) return luaL_error(L, "config.get: no setting named \"%s\"", name);
    if (k == OO_CFG_PASSWORD) return luaL_error(L, "config.get: the password is read with config.secret(\"password\")");
    const char *v = oo_config_get(oo_cfg(), (oo_cfg_key)k);
    if (v && *v) lua_pushstring(L, v); else lua_pushnil(L);
    return 1;
}

static int l_config_secret(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (strcmp(name, "password") != 0) return luaL_error(L, "config.secret: only \"password\" is a secret");
    const char *v = oo_config_get(oo_cfg(), OO_CFG_PASSWORD);
    if (v && *v) lua_pushstring(L, v); else lua_pushnil(L);
    return 1;
}

/* config.cpus() -> the CPUs this process may run on (what defaults such as OO_PIPELINE=auto
 * are sized by). */
static int l_config_cpus(lua_State *L)
{
    cpu_set_t set;
    long n = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
    lua_pushinteger(L, n > 0 ? n : 1);
    return 1;
}

int script_open_config(lua_State *L)
{
    static const luaL_Reg fns[] = {{"get", l_config_get}, {"secret", l_config_secret}, {"cpus", l_config_cpus}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
