/* run: the lifecycle of one execution of a run (run.h): set up, hand the `q` object to Lua's
 * runner and drive the loop until it returns or the run stops, then give every lease back and
 * decide the outcome. Meanwhile a tick renews this engine's leases and reads the run's status
 * (a pause or a cancel written by another process); a signal stops the run from the loop. */
#include "run/internal.h"
#include "base/alive.h"
#include "base/log.h"
#include "base/util.h"
#include "cdp/cdp.h"
#include "script/sched.h"
#include "script/script.h"
#include "store/store.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <lauxlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the engine's tick and the signals --------------------------------------------------------- */

static void renew_leases(run_ctx *c)
{
    for (int i = 0; i < c->nheld; i++) {
        oo_err e = {0};
        if (store_task_renew(c->st, c->held[i].task_id, c->held[i].owner, c->o.lease_ms, &e) != 0)
            OO_WARN("run", "task %lld: the lease could not be renewed: %s", (long long)c->held[i].task_id, e.msg);
    }
}

/* Another process (oo-automator pause, the dashboard) may have changed the run's status. */
static void read_status(run_ctx *c)
{
    char status[32];
    oo_err e = {0};
    if (c->stop_reason || store_run_status(c->st, c->run_id, status, sizeof status, &e) != 0) return;
    if (!strcmp(status, "paused")) c->stop_reason = "paused";
    else if (!strcmp(status, "cancelled")) c->stop_reason = "cancelled";
}

static void on_tick(void *ud)
{
    run_ctx *c = ud;
    c->tick = NULL;
    renew_leases(c);
    run_account_heartbeat(c);
    read_status(c);
    run_report(c, 0);
    int64_t every = c->o.lease_ms / 3 < 1000 ? c->o.lease_ms / 3 : 1000;
    c->tick = cdp_timer_add(sched_loop(script_state(c->sc)), every > 100 ? every : 100, on_tick, c);
}

/* Ctrl-C or SIGTERM: the run stops now; the tasks in flight go back to the queue. A second one
 * changes nothing more: the loop is left at its next turn either way. */
static void on_signal_fd(void *ud, int fd)
{
    run_ctx *c = ud;
    if (fd < 0) { c->sigwatch = NULL; return; }
    if (script_signals_take() <= 0) return;
    c->stop_reason = "interrupted";
    c->stop = 1;
}

/* ---- set up ------------------------------------------------------------------------------------- */

/* Tasks left running by an engine of this machine that is gone (killed, crashed) go back to the
 * queue now instead of when their lease expires; another live engine's are left alone. */
static void reclaim_dead_leases(run_ctx *c)
{
    oo_err e = {0};
    cJSON *owners = store_run_lease_owners(c->st, c->run_id, &e);
    const cJSON *o;
    cJSON_ArrayForEach(o, owners) {
        const char *owner = cJSON_GetStringValue(o);
        if (!owner || oo_engine_process_alive(owner)) continue;
        int n = store_run_release_owner(c->st, c->run_id, owner, &e);
        if (n > 0) OO_INFO("run", "%d task(s) of %s: its engine is gone; back in the queue", n, owner);
    }
    cJSON_Delete(owners);
}

static int set_status(run_ctx *c, const char *status, const char *msg)
{
    oo_err e = {0};
    if (store_run_set_status(c->st, c->run_id, status, msg, &e) != 0) {
        OO_ERROR("run", "run %lld: cannot set its status to %s: %s", (long long)c->run_id, status, e.msg);
        return -1;
    }
    return 0;
}

/* The options, with their defaults, and this engine's name. */
static void ctx_options(run_ctx *c, const cJSON *run, const run_opts *o)
{
    c->test_id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(run, "test_id"));
    c->o = *o;
    if (c->o.max_attempts <= 0) c->o.max_attempts = 3;
    if (c->o.lease_ms <= 0) c->o.lease_ms = 60000;
    if (c->o.browsers <= 0) c->o.browsers = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(run, "browsers"));
    if (c->o.browsers <= 0) c->o.browsers = 2;
    if (!c->o.data_dir) c->o.data_dir = ".";
    oo_engine_self(c->owner_base, sizeof c->owner_base);
}

/* The run is this engine's now (run_wait_turn): its artifacts folder, its counts. */
static int ctx_init(run_ctx *c, const cJSON *run, oo_err *err)
{
    char rel[64];
    snprintf(rel, sizeof rel, "runs/%lld", (long long)c->run_id);
    c->artifacts_dir = oo_path_join(c->o.data_dir, rel);
    if (oo_mkdir_p(c->artifacts_dir, err) != 0) return -1;
    const cJSON *planned = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "config"), "count");
    if (cJSON_IsNumber(planned) && planned->valuedouble > 0 && planned->valuedouble < 1e9) c->planned = (int)planned->valuedouble;
    c->started_ms = oo_now_ms();
    reclaim_dead_leases(c);
    if (run_counts_load(c) != 0) return oo_err_set(err, OO_E_DB, "cannot count the tasks of run %lld", (long long)c->run_id);
    c->done_before = c->counts.completed + c->counts.failed;
    return 0;
}

/* ---- the runner -------------------------------------------------------------------------------- */

/* Calls require("oo.runner").execute(q) as the first coroutine and drives the loop: 0 done,
 * 1 stopped (a signal), -1 with err. */
static int call_runner(run_ctx *c, const cJSON *run, const char *script, oo_err *err)
{
    lua_State *L = script_state(c->sc);
    lua_getglobal(L, "require");
    lua_pushstring(L, "oo.runner");
    if (script_pcall(c->sc, 1, 1, err) != 0) return -1;
    lua_getfield(L, -1, "execute");
    lua_remove(L, -2);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        return oo_err_set(err, OO_E_SCRIPT, "lua/oo/runner.lua has no execute function");
    }
    run_queue_push(L, c, run, script);
    cdp_loop *loop = sched_loop(L);
    int fd = script_signals_watch_fd();
    if (fd >= 0 && !(c->sigwatch = cdp_watch_fd(loop, fd, on_signal_fd, c))) close(fd);
    c->tick = cdp_timer_add(loop, 1000, on_tick, c);
    int rc = script_run_call(c->sc, 1, &c->stop, err);
    cdp_timer_cancel(c->tick);
    c->tick = NULL;
    if (c->sigwatch) cdp_unwatch(c->sigwatch);   /* the loop closes the fd */
    c->sigwatch = NULL;
    return rc;
}

/* The runner returned: completed, or failed when tasks are left or every one failed. */
static int finished_outcome(run_ctx *c, oo_err *err)
{
    oo_err e = {0};
    int left = store_run_open_tasks(c->st, c->run_id, &e);
    if (left > 0) {
        oo_err_set(err, OO_E_SCRIPT, "the runner ended with %d tasks still to do", left);
    } else if (c->counts.completed == 0 && c->counts.failed > 0) {
        oo_err_set(err, OO_E_SCRIPT, "every task failed (see `oo-automator status --run-id %lld` and the failures' "
                   "artifacts in %s)", (long long)c->run_id, c->artifacts_dir);
    } else {
        set_status(c, "completed", NULL);
        return RUN_DONE;
    }
    set_status(c, "failed", err->msg);
    return -1;
}

static int outcome_of(run_ctx *c, int rc, oo_err *err)
{
    if (c->lost) {                 /* another engine works the run now: its status is that one's */
        if (!err->code) oo_err_set(err, OO_E_INPUT, "run %lld: another engine took it over", (long long)c->run_id);
        return RUN_ELSEWHERE;
    }
    int interrupted = rc == 1 || (c->stop_reason && !strcmp(c->stop_reason, "interrupted")) ||
                      (rc < 0 && err->code == OO_E_CANCELLED);
    if (interrupted) {
        set_status(c, "paused", "interrupted");
        return RUN_INTERRUPTED;
    }
    if (rc < 0 && err->code == OO_E_NETWORK) {   /* the site stayed unreachable (lua/oo/runner.lua): paused, resumable */
        set_status(c, "paused", err->msg);
        return RUN_PAUSED;
    }
    if (rc < 0) {
        set_status(c, "failed", err->msg);
        return -1;
    }
    if (c->stop_reason && !strcmp(c->stop_reason, "paused")) return RUN_PAUSED;
    if (c->stop_reason && !strcmp(c->stop_reason, "cancelled")) return RUN_CANCELLED;
    return finished_outcome(c, err);
}

int run_execute(oo_store *st, oo_script *sc, int64_t run_id, const run_opts *o, oo_err *err)
{
    cJSON *run = store_run_get(st, run_id, err);
    if (!run) return -1;
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(run, "status"));
    if (status && (!strcmp(status, "completed") || !strcmp(status, "cancelled"))) {
        cJSON_Delete(run);
        return !strcmp(status, "completed") ? RUN_DONE : RUN_CANCELLED;
    }
    oo_err e = {0};
    char *script = store_run_script(st, run_id, &e);
    run_ctx c = {.st = st, .sc = sc, .run_id = run_id};
    ctx_options(&c, run, o);
    int signals_mine = script_signals_on(sc, err);
    int rc = signals_mine < 0 ? -1 : run_wait_turn(&c, err);
    if (rc == 0) rc = ctx_init(&c, run, err);
    if (rc == 0) {
        run_report(&c, 0);
        rc = call_runner(&c, run, script, err);
    }
    int outcome = rc;
    if (c.artifacts_dir) {       /* the run was started: leases back, status, last report */
        run_release_all(&c);
        outcome = outcome_of(&c, rc, err);
        run_report(&c, 1);
    }
    run_queue_detach(script_state(sc), &c);
    if (signals_mine > 0) script_signals_off();
    free(c.held);
    free(c.artifacts_dir);
    free(script);
    cJSON_Delete(run);
    return outcome;
}
