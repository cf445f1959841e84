/* yaml for Lua, on libyaml: yaml.decode(text) -> the document as Lua values, the same shapes a
 * JSON document gives (a mapping is a table, a sequence a list, a scalar a string, a number, a
 * boolean or nil), so that `run --config my-run.yaml` takes the JSON config's schema. Plain
 * scalars are read as YAML 1.2's core schema reads them: null, ~ and nothing are nil,
 * true/false booleans, decimal integers and floats numbers, anything else text; a quoted scalar
 * is always text. One document; anchors and aliases are refused. Every error names the line
 * and column ("yaml: line 3, column 7: mapping values are not allowed in this context"). */
#include "script/script.h"
#include <ctype.h>
#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 100

typedef struct reader { yaml_parser_t parser; char err[512]; } reader;

static int fail_at(reader *r, const yaml_mark_t *m, const char *what)
{
    snprintf(r->err, sizeof r->err, "yaml: line %zu, column %zu: %s", m->line + 1, m->column + 1, what);
    return -1;
}

static int next(reader *r, yaml_event_t *ev)
{
    if (yaml_parser_parse(&r->parser, ev)) return 0;
    const yaml_mark_t *m = r->parser.problem ? &r->parser.problem_mark : &r->parser.mark;
    char what[384];
    snprintf(what, sizeof what, "%s%s%s", r->parser.problem ? r->parser.problem : "malformed YAML",
             r->parser.context ? " " : "", r->parser.context ? r->parser.context : "");
    return fail_at(r, m, what);
}

static int is_number(const char *s, int *integer)
{
    const char *p = s + (*s == '+' || *s == '-');
    int digits = 0, dot = 0, exp = 0;
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) digits++;
        else if (*p == '.' && !dot && !exp) dot = 1;
        else if ((*p == 'e' || *p == 'E') && digits && !exp) { exp = 1; if (p[1] == '+' || p[1] == '-') p++; }
        else return 0;
    }
    *integer = !dot && !exp;
    return digits > 0;
}

/* A plain scalar as the core schema reads it. */
static void push_plain(lua_State *L, const char *s)
{
    int integer = 0;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL")) lua_pushnil(L);
    else if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) lua_pushboolean(L, 1);
    else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) lua_pushboolean(L, 0);
    else if (is_number(s, &integer)) {
        errno = 0;
        if (integer) {
            long long v = strtoll(s, NULL, 10);
            if (errno) lua_pushnumber(L, strtod(s, NULL)); else lua_pushinteger(L, v);
        } else {
            lua_pushnumber(L, strtod(s, NULL));
        }
    } else lua_pushstring(L, s);
}

static int node(lua_State *L, reader *r, yaml_event_t *ev, int depth);

static int mapping(lua_State *L, reader *r, int depth)
{
    lua_newtable(L);
    for (;;) {
        yaml_event_t key;
        if (next(r, &key) != 0) return -1;
        if (key.type == YAML_MAPPING_END_EVENT) { yaml_event_delete(&key); return 0; }
        if (key.type != YAML_SCALAR_EVENT) {
            int rc = fail_at(r, &key.start_mark, "a key must be plain text");
            yaml_event_delete(&key);
            return rc;
        }
        lua_pushlstring(L, (const char *)key.data.scalar.value, key.data.scalar.length);
        yaml_event_delete(&key);
        yaml_event_t val;
        if (next(r, &val) != 0 || node(L, r, &val, depth + 1) != 0) return -1;
        lua_rawset(L, -3);
    }
}

static int sequence(lua_State *L, reader *r, int depth)
{
    lua_newtable(L);
    for (lua_Integer i = 1;; i++) {
        yaml_event_t ev;
        if (next(r, &ev) != 0) return -1;
        if (ev.type == YAML_SEQUENCE_END_EVENT) { yaml_event_delete(&ev); return 0; }
        if (node(L, r, &ev, depth + 1) != 0) return -1;
        lua_rawseti(L, -2, i);
    }
}

/* The node that starts with ev (deleted here) pushed on the stack: 0, or -1 with r->err. */
static int node(lua_State *L, reader *r, yaml_event_t *ev, int depth)
{
    int rc = 0;
    luaL_checkstack(L, 4, "YAML too deep");
    if (depth > MAX_DEPTH) rc = fail_at(r, &ev->start_mark, "nested too deep");
    else if (ev->type == YAML_ALIAS_EVENT) rc = fail_at(r, &ev->start_mark, "aliases (*name) are not supported: write the value out");
    else if (ev->type == YAML_SCALAR_EVENT) {
        if (ev->data.scalar.anchor) rc = fail_at(r, &ev->start_mark, "anchors (&name) are not supported");
        else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) push_plain(L, (const char *)ev->data.scalar.value);
        else lua_pushlstring(L, (const char *)ev->data.scalar.value, ev->data.scalar.length);
    } else if (ev->type == YAML_MAPPING_START_EVENT) rc = mapping(L, r, depth);
    else if (ev->type == YAML_SEQUENCE_START_EVENT) rc = sequence(L, r, depth);
    else rc = fail_at(r, &ev->start_mark, "expected a value");
    yaml_event_delete(ev);
    return rc;
}

/* Expects an event of type want (and deletes it): 0, or -1 with r->err. */
static int expect(reader *r, yaml_event_type_t want, const char *what)
{
    yaml_event_t ev;
    if (next(r, &ev) != 0) return -1;
    int rc = ev.type == want ? 0 : fail_at(r, &ev.start_mark, what);
    yaml_event_delete(&ev);
    return rc;
}

/* The one document of the stream pushed: 0, or -1 with r->err. */
static int document(lua_State *L, reader *r)
{
    if (expect(r, YAML_STREAM_START_EVENT, "not a YAML stream") != 0) return -1;
    yaml_event_t ev;
    if (next(r, &ev) != 0) return -1;
    if (ev.type == YAML_STREAM_END_EVENT) { yaml_event_delete(&ev); lua_pushnil(L); return 0; }
    int rc = ev.type == YAML_DOCUMENT_START_EVENT ? 0 : fail_at(r, &ev.start_mark, "expected a document");
    yaml_event_delete(&ev);
    if (rc != 0 || next(r, &ev) != 0 || node(L, r, &ev, 0) != 0) return -1;
    if (expect(r, YAML_DOCUMENT_END_EVENT, "expected the end of the document") != 0) return -1;
    return expect(r, YAML_STREAM_END_EVENT, "one document only: remove the second ---");
}

static int l_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    reader r = {0};
    if (!yaml_parser_initialize(&r.parser)) return script_error(L, OO_E_SCRIPT, "yaml: out of memory");
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
    int top = lua_gettop(L);
    int rc = document(L, &r);
    yaml_parser_delete(&r.parser);
    if (rc != 0) {
        lua_settop(L, top);
        return script_error(L, OO_E_INPUT, "%s", r.err);
    }
    return 1;
}

int script_open_yaml(lua_State *L)
{
    static const luaL_Reg fns[] = {{"decode", l_decode}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
