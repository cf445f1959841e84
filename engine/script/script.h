/* script: the engine's one Lua 5.4 state. package.path reaches lua/ and parameters/ of the
 * installation plus the folders of OO_LUA_PATH (and OO_PARAMETERS_PATH for parameters);
 * no C modules are loaded from disk. Preloaded modules: json (cJSON), log, time, fs, stats.
 * Every Lua error comes back as an oo_err "file:line: message" (with a traceback when
 * verbose); memory is capped so a runaway script fails instead of eating the machine.
 * The oo_script owns the lua_State; script_free closes it. */
#ifndef OO_SCRIPT_H
#define OO_SCRIPT_H
#include <lua.h>
#include <stddef.h>
#include "base/err.h"

typedef struct oo_script oo_script;

typedef struct script_opts {
    size_t memory_limit;      /* bytes; 0 = OO_LUA_MEMORY_MB or 512 MiB */
    int traceback;            /* append a Lua traceback to error messages */
} script_opts;

oo_script *script_new(const script_opts *opts, oo_err *err);
void script_free(oo_script *s);
lua_State *script_state(oo_script *s);
oo_script *script_from_state(lua_State *L);

/* Sets the global `arg` table = {[0]=path, args...} (as the lua interpreter does). Files run
 * with script_run_main (script/sched.h): as a coroutine, the loop driven until all are done. */
void script_set_args(oo_script *s, const char *path, int argc, char **argv);
/* Runs a string (name is used in messages). */
int script_run_string(oo_script *s, const char *code, const char *name, oo_err *err);
/* lua_pcall with the engine's message handler; the error message goes into err and is
 * popped. Results stay on the stack on success. */
int script_pcall(oo_script *s, int nargs, int nresults, oo_err *err);
size_t script_memory_used(const oo_script *s);

/* Bindings (script/lua_json.c ...): luaopen-style functions registered in package.preload. */
int script_open_json(lua_State *L);
int script_open_log(lua_State *L);
int script_open_time(lua_State *L);
int script_open_fs(lua_State *L);
int script_open_config(lua_State *L);
int script_open_stats(lua_State *L);     /* script/lua_stats.c: resampling kernels (stats.h) */
/* Registers the read-only module `store` (script/lua_store.c: runs, results, trades) over st,
 * which the caller keeps open for as long as the script lives. */
typedef struct oo_store oo_store;
void script_bind_store(oo_script *s, oo_store *st);
/* JSON <-> Lua helpers for other bindings: push a cJSON value; convert the value at idx. */
struct cJSON;
void script_push_json(lua_State *L, const struct cJSON *v);
/* NULL with a message pushed... no: NULL and err filled when the value cannot be JSON. */
struct cJSON *script_to_json(lua_State *L, int idx, oo_err *err);
#endif
