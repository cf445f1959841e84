/* script: the engine's one Lua 5.4 state (one per command). package.path reaches lua/ and
 * parameters/ of the installation plus the folders of OO_LUA_PATH (and OO_PARAMETERS_PATH for
 * parameters); no C modules are loaded from disk. Preloaded modules: json (cJSON), log, time,
 * fs, config, yaml (libyaml), stats (stats.h's kernels), sched, browser (and what other rooms
 * add with script_preload).
 * Errors cross the boundary typed: a C error reaches Lua as a table {code = "timeout", msg =
 * "..."} (the code is oo_err_code_name of the oo_err's; lua/oo/errors.lua makes the same
 * values), and a Lua error comes back as an oo_err whose code is the table's (a plain string
 * error is OO_E_SCRIPT), its message "file:line: message" (with a traceback when verbose).
 * Memory is capped so a runaway script fails instead of eating the machine.
 * The oo_script owns the lua_State; script_free closes it. */
#ifndef OO_SCRIPT_H
#define OO_SCRIPT_H
#include <lua.h>
#include <stddef.h>
#include "base/err.h"

typedef struct oo_script oo_script;

typedef struct script_opts {
    size_t memory_limit;      /* bytes; 0 = the configuration's (OO_LUA_MEMORY_MB, 512 MiB) */
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
/* require(module)[fn](arg) with JSON in and out (arg may be NULL: nil): its result, or NULL and
 * err (the code of a typed error is kept). JSON null for nil. */
struct cJSON;
struct cJSON *script_call(oo_script *s, const char *module, const char *fn, const struct cJSON *arg, oo_err *err);
/* Adds a module to package.preload (what require(name) opens). */
void script_preload(oo_script *s, const char *name, lua_CFunction open);

/* Typed errors: pushes {code = oo_err_code_name(code), msg = msg} (metatable "oo.error", whose
 * __tostring is the message); script_error raises it (does not return). script_error_of reads
 * a typed error (or a string) at idx into err. */
void script_push_error(lua_State *L, int code, const char *msg);
int script_error(lua_State *L, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, its message prefixed with the calling Lua line ("task.lua:12: ..."), as luaL_error
 * does: for an error at a call site (a page operation), not about data. */
int script_error_at(lua_State *L, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void script_error_of(lua_State *L, int idx, oo_err *err);

/* Ctrl-C and SIGTERM while a command runs Lua (script/signals.c). script_signals_on installs
 * handlers for both (the command's one state; the previous handlers come back with _off). A
 * signal is counted and makes the fd of script_signals_watch_fd readable (a dup for an event
 * loop to watch and close: a run stops cleanly from its loop, which then calls _take). Lua code
 * that stays busy without letting the loop take the signal gets a {code = "cancelled"} error
 * after 10^6 instructions. script_signals_received: signals since _on (a command that was
 * interrupted exits 130). script_signals_running: the scheduler says which coroutine runs.
 * script_signals_on returns 1 when it installed them, 0 when they were on already, -1 + err. */
int script_signals_on(oo_script *s, oo_err *err);
void script_signals_off(void);
int script_signals_watch_fd(void);
int script_signals_received(void);
int script_signals_take(void);
void script_signals_running(lua_State *co);

/* Bindings (script/lua_json.c ...): luaopen-style functions registered in package.preload. */
int script_open_json(lua_State *L);
int script_open_log(lua_State *L);
int script_open_time(lua_State *L);
int script_open_fs(lua_State *L);
int script_open_config(lua_State *L);
int script_open_yaml(lua_State *L);
int script_open_stats(lua_State *L);     /* script/lua_stats.c: resampling kernels (stats.h) */
/* JSON <-> Lua helpers for other bindings: push a cJSON value; convert the value at idx (NULL
 * and err filled when it cannot be JSON). */
void script_push_json(lua_State *L, const struct cJSON *v);
struct cJSON *script_to_json(lua_State *L, int idx, oo_err *err);
#endif
