/* account: one engine per account (store.h, "engines"). Before an engine works a run it claims
 * the run for its account (the OptionOmega login). While another live engine works that
 * account, the run waits in the account's queue (status queued), its place kept and its
 * engine's hold renewed every second, until its turn; a pause or a cancel of the waiting run,
 * or Ctrl-C, ends the wait. Once working, the engine renews its hold from its tick. The wait
 * is reported through the progress callback (run_progress.waiting_for). */
#include "run/internal.h"
#include "base/log.h"
#include "base/util.h"
#include "script/script.h"
#include "store/store.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WAIT_POLL_MS 1000

/* Waits up to ms for a signal (Ctrl-C, SIGTERM): 1 when one came. */
static int signal_within(int ms)
{
    if (script_signals_received() > 0) return 1;
    int fd = script_signals_watch_fd();
    if (fd < 0) {
        struct pollfd none;
        poll(&none, 0, ms);        /* no signal handling on: only the interval */
        return script_signals_received() > 0;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    do r = poll(&p, 1, ms); while (r < 0 && errno == EINTR && script_signals_received() == 0);
    close(fd);
    return script_signals_received() > 0;
}

static void report_waiting(run_ctx *c, const cJSON *ahead)
{
    int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(ahead, "id"));
    const char *engine = cJSON_GetStringValue(cJSON_GetObjectItem(ahead, "engine"));
    if (id == c->waiting_for) return;
    c->waiting_for = id;
    snprintf(c->waiting_engine, sizeof c->waiting_engine, "%s", engine ? engine : "");
    run_report(c, 0);
}

/* What ended a wait that the store says is over for this engine: the run's status now. */
static int wait_ended(run_ctx *c, oo_err *err)
{
    char status[32] = "";
    if (store_run_status(c->st, c->run_id, status, sizeof status, err) != 0) return -1;
    if (!strcmp(status, "cancelled")) return RUN_CANCELLED;
    if (!strcmp(status, "paused")) return RUN_PAUSED;
    oo_err_set(err, OO_E_INPUT, "run %lld left the queue (it is %s now): another engine has it",
               (long long)c->run_id, status);
    return RUN_ELSEWHERE;
}

static int elsewhere(run_ctx *c, const cJSON *run, oo_err *err)
{
    const char *engine = cJSON_GetStringValue(cJSON_GetObjectItem(run, "engine"));
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(run, "status"));
    oo_err_set(err, OO_E_INPUT, "run %lld is %s in another engine (%s): nothing to do here; `oo-automator pause "
               "--run-id %lld` pauses it", (long long)c->run_id, status ? status : "held", engine ? engine : "?",
               (long long)c->run_id);
    return RUN_ELSEWHERE;
}

/* Not started because the account is busy (no_wait): a run that was never started is left
 * paused, so that `resume` starts it later. */
static int busy(run_ctx *c, const cJSON *ahead, oo_err *err)
{
    char status[32] = "";
    oo_err e = {0};
    if (store_run_status(c->st, c->run_id, status, sizeof status, &e) == 0 && !strcmp(status, "pending"))
        store_run_set_status(c->st, c->run_id, "paused", "not started: the account was busy (--no-wait)", &e);
    oo_err_set(err, OO_E_INPUT, "the account %s is busy with run %.0f (engine %s): run %lld was not started "
               "(without --no-wait it waits for its turn)", c->o.account && *c->o.account ? c->o.account : "(no login)",
               cJSON_GetNumberValue(cJSON_GetObjectItem(ahead, "id")),
               cJSON_GetStringValue(cJSON_GetObjectItem(ahead, "engine")) ? cJSON_GetStringValue(cJSON_GetObjectItem(ahead, "engine")) : "?",
               (long long)c->run_id);
    return RUN_BUSY;
}

int run_wait_turn(run_ctx *c, oo_err *err)
{
    int flags = c->o.no_wait ? 0 : STORE_CLAIM_F_WAIT;
    for (;;) {
        cJSON *ahead = NULL;
        int rc = store_run_claim(c->st, c->run_id, c->o.account, c->owner_base, flags, &ahead, err);
        int out = -2;
        if (rc < 0) out = -1;
        else if (rc == STORE_CLAIM_RUN) out = 0;
        else if (rc == STORE_CLAIM_ELSEWHERE) out = elsewhere(c, ahead, err);
        else if (rc == STORE_CLAIM_GONE) out = wait_ended(c, err);
        else if (c->o.no_wait) out = busy(c, ahead, err);
        else report_waiting(c, ahead);
        cJSON_Delete(ahead);
        if (out != -2) {
            if (c->waiting_for && out == 0) OO_INFO("run", "run %lld: its turn came", (long long)c->run_id);
            c->waiting_for = 0;
            return out;
        }
        if (signal_within(WAIT_POLL_MS)) {
            store_run_set_status(c->st, c->run_id, "paused", "interrupted", err);
            oo_err_clear(err);
            c->waiting_for = 0;
            return RUN_INTERRUPTED;
        }
        flags |= STORE_CLAIM_F_AGAIN;
    }
}

void run_account_heartbeat(run_ctx *c)
{
    oo_err e = {0};
    if (c->lost || store_run_heartbeat(c->st, c->run_id, c->owner_base, &e) == 0) return;
    if (e.code == OO_E_INPUT) {     /* another engine took the run over: leave it to that one */
        OO_WARN("run", "%s", e.msg);
        c->lost = 1;
        c->stop_reason = "interrupted";
        c->stop = 1;
    } else {
        OO_WARN("run", "run %lld: %s", (long long)c->run_id, e.msg);
    }
}
