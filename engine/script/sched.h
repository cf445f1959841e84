/* sched: the coroutine scheduler. Every worker is a Lua coroutine; a page call yields it and
 * the CDP callback resumes it (sched_resume), so many workers share one thread and one Lua
 * state. sched.spawn(fn, ...) starts one; sched.delay(ms) paces one with a timer (explicit
 * pacing such as a rate limit, never to let a page settle). script_run_main runs a file as the first coroutine and
 * drives the event loop until every coroutine has finished. */
#ifndef OO_SCRIPT_SCHED_H
#define OO_SCRIPT_SCHED_H
#include <lua.h>
#include "base/err.h"

struct cdp_loop;
struct oo_script;
/* The engine's event loop, created on first use (owned by the script runtime). */
struct cdp_loop *sched_loop(lua_State *L);
/* Resumes a suspended coroutine with nargs values on its stack. */
void sched_resume(lua_State *co, int nargs);
/* Runs a Lua file as the main coroutine (arg table as lua's), then the loop until every
 * coroutine is done. The first error of any coroutine is reported as file:line: message. */
int script_run_main(struct oo_script *s, const char *path, int argc, char **argv, oo_err *err);
/* Calls the function below nargs arguments on the stack as the first coroutine and drives the
 * loop until every coroutine is done (0), one failed (-1, err), or *stop turned non-zero (1:
 * the coroutines still waiting are left as they are; closing the state frees them). */
int script_run_call(struct oo_script *s, int nargs, const volatile int *stop, oo_err *err);
/* The state is about to close: from now on nothing resumes a coroutine. Closing runs the
 * finalizers, and a browser's closes its connection by turning the loop, which would otherwise
 * resume a coroutine waiting on it inside lua_close. */
void sched_closing(lua_State *L);
/* Makes a loop turn return now (e.g. after a signal set the stop flag). */
void sched_wake(lua_State *L);
/* After script_run_main succeeded: the integer the file returned (`return 1`), its exit
 * status; 0 when it returned nothing or something else. */
int sched_main_status(lua_State *L);
int script_open_sched(lua_State *L);
int script_open_browser(lua_State *L);
#endif
