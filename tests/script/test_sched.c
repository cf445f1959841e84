/* test_sched: the scheduler's driver (script_run_call) returns as soon as the last coroutine is
 * done. Its loop turn used to go on polling until the next timer was due or its 1 s timeout ran
 * out: every run's end (the runner's last coroutine, once the browser was closed) waited up to a
 * second for nothing. Here the coroutines end at once (0 ms delays and wake-ups) while a timer
 * is pending 5 s ahead: the old driver returned after its turn's whole 1 s timeout; the new
 * scheduler wakes the loop (cdp_loop_wake) the moment its last coroutine is done, and that wake
 * is what is checked (cdp_loop_wakes), not a duration: the time it saves is run_bench's "end". */
#include "testlib.h"
#include "base/util.h"
#include "cdp/cdp.h"
#include "script/script.h"
#include "script/sched.h"

static void on_late(void *ud) { *(int *)ud = 1; }

/* Runs the global function `fn` as the first coroutine with a timer pending 5 s ahead: how many
 * times the loop was woken meanwhile. */
static long wakes_of(oo_script *s, const char *fn)
{
    lua_State *L = script_state(s);
    lua_getglobal(L, fn);
    int fired = 0;
    cdp_timer *late = cdp_timer_add(sched_loop(L), 5000, on_late, &fired);
    oo_err err = {0};
    long before = cdp_loop_wakes(sched_loop(L));
    int rc = script_run_call(s, 0, NULL, &err);
    CHECK_MSG(rc == 0, "%s: %s", fn, err.msg);
    if (!fired) cdp_timer_cancel(late);
    return cdp_loop_wakes(sched_loop(L)) - before;
}

int main(void)
{
    oo_err err = {0};
    script_opts o = {0};
    oo_script *s = script_new(&o, &err);
    REQUIRE(s != NULL);
    REQUIRE(script_run_string(s,
        "local sched = require('sched')\n"
        "function after_delay() sched.delay(0) end\n"
        "function after_event()\n"
        "  local ev = sched.event()\n"
        "  sched.spawn(function() sched.delay(0); ev:notify() end)\n"
        "  ev:wait(60000)\n"
        "end\n"
        "function after_workers()\n"
        "  local done, n = sched.event(), 0\n"
        "  for _ = 1, 3 do sched.spawn(function() sched.delay(0); n = n + 1; done:notify() end) end\n"
        "  while n < 3 do done:wait(60000) end\n"
        "end\n", "test_sched", &err) == 0);
    /* the last coroutine ends in a timer's callback: a delay's, an event's wake-up */
    const char *fns[] = {"after_delay", "after_event", "after_workers"};
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        CHECK_MSG(wakes_of(s, fns[i]) >= 1, "%s: its last coroutine ended and nothing woke the loop: the driver's "
                  "turn waits out its timeout (1 s) before it sees that", fns[i]);
    }
    script_free(s);
    return tl_finish();
}
