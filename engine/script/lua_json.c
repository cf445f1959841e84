/* json for Lua, on cJSON: json.encode(value[, {indent = true}]), json.decode(text),
 * json.null (a sentinel for JSON null), json.array(t) (marks a table as an array, so an
 * empty one encodes as []), json.ordered(t, keys) (its keys are encoded in that order first).
 * Decoded arrays carry that mark, so they round-trip. */
#include "script/script.h"
#include "base/buf.h"
#include <cjson/cJSON.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 200
static const char ARRAY_MT = 'A';

static void push_null(lua_State *L) { lua_pushlightuserdata(L, NULL); }

static void push_array_mt(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&ARRAY_MT);
    lua_rawget(L, LUA_REGISTRYINDEX);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_createtable(L, 0, 1);
        lua_pushliteral(L, "array");
        lua_setfield(L, -2, "__jsontype");
        lua_pushlightuserdata(L, (void *)&ARRAY_MT);
        lua_pushvalue(L, -2);
        lua_rawset(L, LUA_REGISTRYINDEX);
    }
}

void script_push_json(lua_State *L, const cJSON *v)
{
    luaL_checkstack(L, 4, "JSON too deep");
    if (!v || cJSON_IsNull(v)) { push_null(L); return; }
    if (cJSON_IsBool(v)) { lua_pushboolean(L, cJSON_IsTrue(v)); return; }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9007199254740992.0) lua_pushinteger(L, (lua_Integer)d);
        else lua_pushnumber(L, d);
        return;
    }
    if (cJSON_IsString(v)) { lua_pushstring(L, v->valuestring); return; }
    if (cJSON_IsArray(v)) {
        lua_createtable(L, cJSON_GetArraySize(v), 0);
        int i = 1;
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            script_push_json(L, e);
            lua_rawseti(L, -2, i++);
        }
        push_array_mt(L);
        lua_setmetatable(L, -2);
        return;
    }
    lua_createtable(L, 0, cJSON_GetArraySize(v));
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        script_push_json(L, e);
        lua_setfield(L, -2, e->string);
    }
}

/* Is the table at idx a sequence 1..n (n >= 1), or marked as an array? Sets *n. */
static int is_array(lua_State *L, int idx, lua_Integer *n)
{
    *n = 0;
    if (lua_getmetatable(L, idx)) {
        lua_getfield(L, -1, "__jsontype");
        int marked = lua_isstring(L, -1) && !strcmp(lua_tostring(L, -1), "array");
        lua_pop(L, 2);
        if (marked) { *n = (lua_Integer)lua_rawlen(L, idx); return 1; }
    }
    lua_Integer count = 0, max = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TNUMBER || !lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
            lua_pop(L, 1);
            return 0;
        }
        lua_Integer k = lua_tointeger(L, -1);
        if (k > max) max = k;
        count++;
    }
    if (count == 0 || max != count) return 0;
    *n = count;
    return 1;
}

static cJSON *to_json(lua_State *L, int idx, int depth, oo_buf *path, oo_err *err);

/* A table made by json.ordered(t, keys): its keys, in that order, go first (the rest follow in
 * any order). 0, or -1 with err. */
static int add_ordered(lua_State *L, int idx, cJSON *obj, int depth, oo_buf *path, oo_err *err)
{
    if (!lua_getmetatable(L, idx)) return 0;
    lua_getfield(L, -1, "__jsonorder");
    int order = lua_absindex(L, -1), rc = 0;
    lua_Integer n = lua_istable(L, order) ? (lua_Integer)lua_rawlen(L, order) : 0;
    size_t mark = path->len;
    for (lua_Integer i = 1; i <= n && rc == 0; i++) {
        lua_rawgeti(L, order, i);
        const char *key = lua_tostring(L, -1);
        if (key && !cJSON_GetObjectItemCaseSensitive(obj, key)) {
            lua_getfield(L, idx, key);
            if (!lua_isnil(L, -1)) {
                oo_buf_printf(path, ".%s", key);
                cJSON *e = to_json(L, -1, depth + 1, path, err);
                path->len = mark;
                path->data[mark] = '\0';
                if (e) cJSON_AddItemToObject(obj, key, e); else rc = -1;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return rc;
}

/* The table at idx as a JSON array of its n elements; path grows by "[i]" for each. */
static cJSON *array_to_json(lua_State *L, int idx, lua_Integer n, int depth, oo_buf *path, oo_err *err)
{
    size_t mark = path->len;
    cJSON *arr = cJSON_CreateArray();
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        oo_buf_printf(path, "[%lld]", (long long)i);
        cJSON *e = to_json(L, -1, depth + 1, path, err);
        lua_pop(L, 1);
        path->len = mark;
        path->data[mark] = '\0';
        if (!e) { cJSON_Delete(arr); return NULL; }
        cJSON_AddItemToArray(arr, e);
    }
    return arr;
}

/* The table at idx as a JSON object: its ordered keys first (add_ordered), then the others;
 * a key that is neither a string nor a number is an error naming the path. */
static cJSON *object_to_json(lua_State *L, int idx, int depth, oo_buf *path, oo_err *err)
{
    size_t mark = path->len;
    cJSON *obj = cJSON_CreateObject();
    if (add_ordered(L, idx, obj, depth, path, err) != 0) { cJSON_Delete(obj); return NULL; }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING && lua_type(L, -2) != LUA_TNUMBER) {
            const char *kt = luaL_typename(L, -2);
            lua_pop(L, 2);
            cJSON_Delete(obj);
            oo_err_set(err, OO_E_SCRIPT, "json.encode: %s: a table key of type %s cannot be JSON",
                       path->len ? path->data : "value", kt);
            return NULL;
        }
        lua_pushvalue(L, -2);
        const char *key = lua_tostring(L, -1);  /* a copy: tostring on the original would confuse lua_next */
        if (cJSON_GetObjectItemCaseSensitive(obj, key)) { lua_pop(L, 2); continue; }   /* ordered, done */
        oo_buf_printf(path, ".%s", key);
        cJSON *e = to_json(L, -2, depth + 1, path, err);
        if (e) cJSON_AddItemToObject(obj, key, e);
        lua_pop(L, 2);
        path->len = mark;
        path->data[mark] = '\0';
        if (!e) { lua_pop(L, 1); cJSON_Delete(obj); return NULL; }
    }
    return obj;
}

static cJSON *to_json(lua_State *L, int idx, int depth, oo_buf *path, oo_err *err)
{
    idx = lua_absindex(L, idx);
    if (depth > MAX_DEPTH) {
        oo_err_set(err, OO_E_SCRIPT, "json.encode: %s: nested too deep (a cycle?)", path->len ? path->data : "value");
        return NULL;
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL: return cJSON_CreateNull();
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL) return cJSON_CreateNull();
        break;
    case LUA_TBOOLEAN: return cJSON_CreateBool(lua_toboolean(L, idx));
    case LUA_TNUMBER: {
        double d = lua_tonumber(L, idx);
        if (!isfinite(d)) {
            oo_err_set(err, OO_E_SCRIPT, "json.encode: %s: %g cannot be JSON", path->len ? path->data : "value", d);
            return NULL;
        }
        return cJSON_CreateNumber(d);
    }
    case LUA_TSTRING: return cJSON_CreateString(lua_tostring(L, idx));
    case LUA_TTABLE: {
        luaL_checkstack(L, 6, "JSON too deep");
        lua_Integer n;
        if (is_array(L, idx, &n)) return array_to_json(L, idx, n, depth, path, err);
        return object_to_json(L, idx, depth, path, err);
    }
    default:
        break;
    }
    oo_err_set(err, OO_E_SCRIPT, "json.encode: %s: a %s cannot be JSON", path->len ? path->data : "value",
               luaL_typename(L, idx));
    return NULL;
}

cJSON *script_to_json(lua_State *L, int idx, oo_err *err)
{
    oo_buf path;
    oo_buf_init(&path);
    oo_buf_reserve(&path, 64);
    path.data[0] = '\0';
    cJSON *v = to_json(L, idx, 0, &path, err);
    oo_buf_free(&path);
    return v;
}

static int l_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    int indent = 0;
    if (lua_istable(L, 2)) {
        lua_getfield(L, 2, "indent");
        indent = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    oo_err err = {0};
    cJSON *v = script_to_json(L, 1, &err);
    if (!v) return luaL_error(L, "%s", err.msg);
    char *txt = indent ? cJSON_Print(v) : cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    if (!txt) return luaL_error(L, "json.encode: out of memory");
    lua_pushstring(L, txt);
    free(txt);
    return 1;
}

static int l_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!v) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        size_t line = 1, col = 1;
        for (size_t i = 0; i < at && i < len; i++) {
            if (text[i] == '\n') { line++; col = 1; } else col++;
        }
        return luaL_error(L, "json.decode: invalid JSON at line %d, column %d", (int)line, (int)col);
    }
    script_push_json(L, v);
    cJSON_Delete(v);
    return 1;
}

static int l_array(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) lua_newtable(L);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    push_array_mt(L);
    lua_setmetatable(L, 1);
    return 1;
}

/* json.ordered(t, keys): t, its keys encoded in that order (a trade log's columns as in the CSV). */
static int l_ordered(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, 2);
    lua_setfield(L, -2, "__jsonorder");
    lua_setmetatable(L, 1);
    lua_settop(L, 1);
    return 1;
}

int script_open_json(lua_State *L)
{
    static const luaL_Reg fns[] = {{"encode", l_encode}, {"decode", l_decode}, {"array", l_array},
                                   {"ordered", l_ordered}, {NULL, NULL}};
    luaL_newlib(L, fns);
    push_null(L);
    lua_setfield(L, -2, "null");
    return 1;
}
