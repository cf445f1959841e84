#include "script/sched.h"
#include "script/script.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "cdp/cdp.h"
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

/* Scheduler state, one per Lua state, kept in the registry (a full userdata whose __gc frees
 * the loop when the state closes). */
typedef struct pend pend;
/* A coroutine suspended by sched.delay or ev:wait, until its timer or a notify. Listed in the
 * scheduler so that closing the state with coroutines still waiting frees them. */
struct pend {
    pend *next, *prev;           /* in sched.pending */
    pend *enext, *eprev;         /* in its event's waiters */
    struct sevent *ev;
    lua_State *co;
    int ref, result;
    cdp_timer *timer;
};

typedef struct sched {
    cdp_loop *loop;
    pend *pending;       /* coroutines suspended in delay or an event wait (freed at close) */
    int live;            /* coroutines started and not finished */
    int idle;            /* live reached 0 */
    char *first_error;
    int first_code;      /* its oo_err code (a typed error's, else OO_E_SCRIPT) */
    int closing;         /* the state is closing: resume nothing (sched_closing) */
    lua_State *main_co;  /* the file run by script_run_main */
    lua_State *running;  /* the coroutine resumed now (NULL: the main thread) */
    int main_status;     /* the integer it returned (its exit status), else 0 */
} sched;

static const char KEY = 'K';

static int sched_gc(lua_State *L)
{
    sched *s = lua_touserdata(L, 1);
    if (s->loop) cdp_loop_free(s->loop);
    s->loop = NULL;
    while (s->pending) {
        pend *p = s->pending;
        s->pending = p->next;
        free(p);
    }
    free(s->first_error);
    s->first_error = NULL;
    return 0;
}

static sched *get(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&KEY);
    lua_rawget(L, LUA_REGISTRYINDEX);
    sched *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (s) return s;
    s = lua_newuserdatauv(L, sizeof *s, 0);
    memset(s, 0, sizeof *s);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, sched_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_pushlightuserdata(L, (void *)&KEY);
    lua_insert(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
    return s;
}

cdp_loop *sched_loop(lua_State *L)
{
    sched *s = get(L);
    if (!s->loop) {
        oo_err err = {0};
        s->loop = cdp_loop_new(&err);
        if (!s->loop) luaL_error(L, "%s", err.msg);
    }
    return s->loop;
}

static void finished(lua_State *co, int status)
{
    sched *s = get(co);
    if (status != LUA_OK) {
        oo_err e = {0};
        script_error_of(co, -1, &e);    /* a typed error keeps its code */
        if (!lua_isstring(co, -1) && e.code == OO_E_SCRIPT) {
            const char *what = luaL_typename(co, -1);
            oo_err_set(&e, OO_E_SCRIPT, "(a Lua error object of type %s)", what);
            if (luaL_callmeta(co, -1, "__tostring")) {
                if (lua_isstring(co, -1)) oo_err_set(&e, OO_E_SCRIPT, "%s", lua_tostring(co, -1));
                lua_pop(co, 1);
            }
        }
        luaL_traceback(co, co, e.msg, 0);
        const char *tb = lua_tostring(co, -1);
        if (!s->first_error) {
            s->first_error = oo_strdup(oo_log_get_level() >= OO_LOG_INFO ? tb : e.msg);
            s->first_code = e.code;
        } else {
            OO_ERROR("lua", "%s", e.msg);
        }
        lua_pop(co, 2);
    }
    if (--s->live <= 0) s->idle = 1;
    /* the driver looks at idle and first_error between loop turns: this turn ends now, not when
     * the next timer is due or its whole timeout has passed (a run's end waited up to 1 s) */
    if ((s->idle || s->first_error) && s->loop) cdp_loop_wake(s->loop);
}

void sched_closing(lua_State *L) { get(L)->closing = 1; }

void sched_resume(lua_State *co, int nargs)
{
    if (get(co)->closing) return;   /* left suspended: lua_close frees it */
    int nres = 0;
    lua_State *was = get(co)->running;
    get(co)->running = co;
    script_signals_running(co);
    int st = lua_resume(co, NULL, nargs, &nres);
    get(co)->running = was;
    script_signals_running(was);
    if (st == LUA_YIELD) { lua_pop(co, nres); return; }
    if (st == LUA_OK) {
        sched *s = get(co);
        if (co == s->main_co && nres >= 1 && lua_isinteger(co, -nres)) s->main_status = (int)lua_tointeger(co, -nres);
        lua_pop(co, nres);
    }
    finished(co, st);
}

/* sched.spawn(fn, ...): runs fn in a new coroutine now, until its first wait. */
static int l_spawn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    int n = lua_gettop(L);
    lua_State *co = lua_newthread(L);
    lua_insert(L, 1);                      /* keep the thread referenced while we set it up */
    lua_xmove(L, co, n);                   /* fn and args */
    int ref;
    lua_pushvalue(L, 1);
    ref = luaL_ref(L, LUA_REGISTRYINDEX);  /* alive until it finishes: its waits ref it too */
    get(L)->live++;
    get(L)->idle = 0;
    sched_resume(co, n - 1);
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return 0;
}

typedef struct sevent { pend *waiters; int signalled; } sevent;
#define MT_EVENT "oo.sched.event"

static pend *pend_new(lua_State *L)
{
    sched *s = get(L);
    pend *p = oo_calloc(1, sizeof *p);
    p->co = L;
    lua_pushthread(L);
    p->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    p->next = s->pending;
    if (s->pending) s->pending->prev = p;
    s->pending = p;
    return p;
}

static void ev_unlink(pend *p)
{
    if (!p->ev) return;
    if (p->eprev) p->eprev->enext = p->enext; else p->ev->waiters = p->enext;
    if (p->enext) p->enext->eprev = p->eprev;
    p->ev = NULL;
    p->enext = p->eprev = NULL;
}

/* Resumes the coroutine with (result) and frees the record. */
static void pend_fire(void *ud)
{
    pend *p = ud;
    p->timer = NULL;
    ev_unlink(p);
    sched *s = get(p->co);
    if (p->prev) p->prev->next = p->next; else s->pending = p->next;
    if (p->next) p->next->prev = p->prev;
    lua_State *co = p->co;
    int ref = p->ref, result = p->result;
    free(p);
    lua_pushboolean(co, result);
    sched_resume(co, 1);
    luaL_unref(co, LUA_REGISTRYINDEX, ref);
}

/* sched.delay(ms): explicit pacing (a rate limit, a back-off), never to let a page settle. */
static int l_delay(lua_State *L)
{
    lua_Integer ms = luaL_checkinteger(L, 1);
    if (!lua_isyieldable(L)) return luaL_error(L, "sched.delay must run in a coroutine");
    pend *p = pend_new(L);
    p->result = 1;
    p->timer = cdp_timer_add(sched_loop(L), ms < 0 ? 0 : ms, pend_fire, p);
    lua_settop(L, 0);
    return lua_yield(L, 0);
}

/* sched.event(): a condition coroutines wait on. ev:wait([timeout_ms]) suspends the caller
 * until ev:notify() (returns true) or the timeout (returns false); notify wakes every waiter
 * from the loop, never inside the notifier's call. */
static int l_event(lua_State *L)
{
    sevent *e = lua_newuserdatauv(L, sizeof *e, 0);
    memset(e, 0, sizeof *e);
    luaL_setmetatable(L, MT_EVENT);
    return 1;
}

static int l_event_wait(lua_State *L)
{
    sevent *e = luaL_checkudata(L, 1, MT_EVENT);
    lua_Integer ms = luaL_optinteger(L, 2, -1);
    if (!lua_isyieldable(L)) return luaL_error(L, "ev:wait must run in a coroutine");
    pend *p = pend_new(L);
    p->ev = e;
    p->enext = e->waiters;
    if (e->waiters) e->waiters->eprev = p;
    e->waiters = p;
    if (ms >= 0) p->timer = cdp_timer_add(sched_loop(L), ms, pend_fire, p);
    /* the event stays on this coroutine's stack (below the yield), so it lives while waited on */
    lua_settop(L, 1);
    return lua_yield(L, 0);
}

static int l_event_notify(lua_State *L)
{
    sevent *e = luaL_checkudata(L, 1, MT_EVENT);
    int n = 0;
    while (e->waiters) {
        pend *p = e->waiters;
        ev_unlink(p);
        cdp_timer_cancel(p->timer);
        p->result = 1;
        p->timer = cdp_timer_add(sched_loop(L), 0, pend_fire, p);
        n++;
    }
    lua_pushinteger(L, n);
    return 1;
}

static int l_event_waiting(lua_State *L)
{
    sevent *e = luaL_checkudata(L, 1, MT_EVENT);
    int n = 0;
    for (pend *p = e->waiters; p; p = p->enext) n++;
    lua_pushinteger(L, n);
    return 1;
}

static int l_live(lua_State *L)
{
    lua_pushinteger(L, get(L)->live);
    return 1;
}

int script_open_sched(lua_State *L)
{
    static const luaL_Reg ev_m[] = {{"wait", l_event_wait}, {"notify", l_event_notify},
        {"waiting", l_event_waiting}, {NULL, NULL}};
    if (luaL_newmetatable(L, MT_EVENT)) {
        luaL_newlib(L, ev_m);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    static const luaL_Reg fns[] = {{"spawn", l_spawn}, {"delay", l_delay}, {"live", l_live},
        {"event", l_event}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}

/* Runs the function below nargs arguments on the stack as the first coroutine, then the loop
 * until every coroutine is done, one fails, or *stop becomes non-zero. */
static int drive(oo_script *scr, int nargs, const volatile int *stop, const char *what, oo_err *err)
{
    lua_State *L = script_state(scr);
    sched *s = get(L);
    lua_State *co = lua_newthread(L);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_xmove(L, co, nargs + 1);
    s->live++;
    s->idle = 0;
    s->main_co = co;
    s->main_status = 0;
    sched_resume(co, nargs);
    while (!s->idle && !s->first_error && !(stop && *stop)) {
        if (!s->loop) break;       /* nothing can wake a waiting coroutine */
        cdp_loop_run_once(s->loop, 1000);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    s->main_co = NULL;
    if (s->first_error) {
        oo_err_set(err, s->first_code ? s->first_code : OO_E_SCRIPT, "%s", s->first_error);
        free(s->first_error);
        s->first_error = NULL;
        return -1;
    }
    if (stop && *stop) return 1;
    if (!s->idle) {
        oo_err_set(err, OO_E_SCRIPT, "%s: a coroutine is still waiting but nothing can wake it", what);
        return -1;
    }
    return 0;
}

int script_run_main(oo_script *scr, const char *path, int argc, char **argv, oo_err *err)
{
    lua_State *L = script_state(scr);
    script_set_args(scr, path, argc, argv);
    int rc = luaL_loadfilex(L, path, "t");
    if (rc != LUA_OK) {
        oo_err_set(err, rc == LUA_ERRFILE ? OO_E_IO : OO_E_SCRIPT, "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    for (int i = 0; i < argc; i++) lua_pushstring(L, argv[i]);
    return drive(scr, argc, NULL, path, err);
}

int script_run_call(oo_script *scr, int nargs, const volatile int *stop, oo_err *err)
{
    return drive(scr, nargs, stop, "script", err);
}

void sched_wake(lua_State *L)
{
    sched *s = get(L);
    if (s->loop) cdp_loop_wake(s->loop);
}

int sched_main_status(lua_State *L)
{
    return get(L)->main_status;
}
