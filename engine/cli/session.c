/* session: what the commands that execute runs (run, resume, demo) share: the store, the
 * command's one Lua state with the run engine bound into it (the `runs` module) and Ctrl-C
 * handling on; executing a stored run with the live progress line rendered here; the results
 * table afterwards; and the exit code of an error. */
#include "cli/commands.h"
#include "base/config.h"
#include "base/util.h"
#include "run/run.h"
#include "script/script.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the progress line ------------------------------------------------------------------------- */

static void fmt_duration(int64_t ms, char *out, size_t n)
{
    int64_t s = ms / 1000;
    if (s >= 3600) snprintf(out, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
    else if (s >= 60) snprintf(out, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else snprintf(out, n, "%llds", (long long)s);
}

static void progress_line(const run_progress *p, char *line, size_t size)
{
    int done = p->completed + p->failed + p->skipped;
    char eta[32] = "?";
    int here = done - p->done_before;
    if (here > 0 && p->total > done) fmt_duration(p->elapsed_ms * (p->total - done) / here, eta, sizeof eta);
    else if (p->total <= done) snprintf(eta, sizeof eta, "0s");
    int n = snprintf(line, size, "run %lld: %d/%d done, %d failed, ", (long long)p->run_id, done, p->total, p->failed);
    if (p->skipped) n += snprintf(line + n, size - (size_t)n, "%d skipped, ", p->skipped);
    n += snprintf(line + n, size - (size_t)n, "ETA %s", eta);
    for (int i = 0; i < p->nworkers && n < (int)size - 64; i++) {
        const run_worker *w = &p->workers[i];
        if (w->state[0])
            n += snprintf(line + n, size - (size_t)n, " | %s %s%s%s", w->name, w->state, w->values[0] ? " " : "", w->values);
    }
}

/* The run waits for its account: said once per run in the way, on a line of its own. */
static void render_waiting(cli_progress *pr, const run_progress *p)
{
    fprintf(stderr, "%srun %lld: queued: the account is busy with run %lld (engine %s); it starts when its turn "
            "comes (Ctrl-C leaves the queue; --no-wait refuses instead of waiting)\n", pr->tty ? "\r\033[K" : "",
            (long long)p->run_id, (long long)p->waiting_for, p->waiting_engine && *p->waiting_engine ? p->waiting_engine : "?");
    fflush(stderr);
}

/* On a terminal the line is rewritten in place; elsewhere (a log) one line every 5 s. */
static void render_progress(void *ud, const run_progress *p)
{
    cli_progress *pr = ud;
    if (p->waiting_for > 0) { render_waiting(pr, p); return; }
    int64_t now = oo_now_ms();
    if (!p->final && !pr->tty && now - pr->last_ms < 5000) return;
    pr->last_ms = now;
    char line[512];
    progress_line(p, line, sizeof line);
    if (pr->tty) fprintf(stderr, "\r\033[K%.*s%s", 200, line, p->final ? "\n" : "");
    else fprintf(stderr, "%s\n", line);
    fflush(stderr);
}

/* ---- the session -------------------------------------------------------------------------------- */

/* The session's Lua state and run engine on the store s->st. */
static int session_start(cli_session *s, int browsers, int headless, int no_cache, int no_wait)
{
    oo_err err = {0};
    script_opts so = {.traceback = oo_cfg()->verbose > 0};
    if (!(s->sc = script_new(&so, &err)) || script_signals_on(s->sc, &err) < 0) {
        cli_session_close(s);
        return cli_fail("%s", err.msg);
    }
    s->progress.tty = isatty(2);
    s->ro = (run_opts){.browsers = browsers, .headless = headless, .no_cache = no_cache,
                       .data_dir = oo_config_get(oo_cfg(), OO_CFG_DATA_DIR), .on_progress = render_progress,
                       .progress_ud = &s->progress};
    s->ro.lease_ms = oo_config_int(oo_cfg(), OO_CFG_LEASE_MS);
    s->ro.account = oo_config_get(oo_cfg(), OO_CFG_EMAIL);
    s->ro.no_wait = no_wait;
    run_bind(s->sc, s->st, &s->ro);
    return 0;
}

int cli_session_open(cli_session *s, int browsers, int headless, int no_cache, int no_wait)
{
    memset(s, 0, sizeof *s);
    if (!(s->st = cli_open_store())) return 1;
    return session_start(s, browsers, headless, no_cache, no_wait);
}

int cli_session_open_readonly(cli_session *s, int browsers)
{
    memset(s, 0, sizeof *s);
    int missing;
    oo_err err = {0};
    s->st = cli_open_store_readonly(&missing);
    if (!s->st && missing && !(s->st = store_open(":memory:", &err))) fprintf(stderr, "oo-automator: %s\n", err.msg);
    if (!s->st) return 1;
    return session_start(s, browsers, 1, 0, 0);
}

void cli_session_close(cli_session *s)
{
    script_signals_off();
    script_free(s->sc);
    store_close(s->st);
    s->sc = NULL;
    s->st = NULL;
}

cJSON *cli_session_call(cli_session *s, const char *fn, const cJSON *arg, oo_err *err)
{
    return script_call(s->sc, "oo.cli", fn, arg, err);
}

int cli_error_exit(const oo_err *err)
{
    if (err->code == OO_E_CANCELLED || script_signals_received() > 0) {
        fprintf(stderr, "oo-automator: %s\n", err->msg);
        return 130;
    }
    if (err->code == OO_E_USAGE) return cli_usage_error("run", "%s", err->msg);
    return cli_fail("%s", err->msg);
}

/* ---- executing a stored run ------------------------------------------------------------------- */

static int outcome_exit(long long id, int outcome, const oo_err *err)
{
    if (outcome < 0) return cli_fail("run %lld failed: %s", id, err->msg);
    if (outcome == RUN_BUSY) {
        cli_fail("%s", err->msg);
        return CLI_EXIT_BUSY;
    }
    if (outcome == RUN_ELSEWHERE) return cli_fail("%s", err->msg);
    if (outcome == RUN_INTERRUPTED) {
        fprintf(stderr, "run %lld interrupted: the backtests in flight go back to the queue; "
                        "`oo-automator resume --run-id %lld` continues it\n", id, id);
        return 130;
    }
    if (outcome == RUN_PAUSED && err->code == OO_E_NETWORK) {   /* the site stayed unreachable: try again later */
        fprintf(stderr, "oo-automator: run %lld paused: %s\n", id, err->msg);
        return CLI_EXIT_BUSY;
    }
    if (outcome == RUN_PAUSED) fprintf(stderr, "run %lld paused; `oo-automator resume --run-id %lld` continues it\n", id, id);
    if (outcome == RUN_CANCELLED) fprintf(stderr, "run %lld cancelled\n", id);
    return 0;
}

/* The results table (also of a partial run, but not after Ctrl-C: the user wants out, and the
 * table may run the script's own optimize_by) and the counts line. */
static void print_results(cli_session *s, long long id, int interrupted)
{
    oo_err err = {0};
    if (oo_cfg()->json) {         /* the run and its results, as the store has them */
        cJSON *o = cJSON_CreateObject(), *run = store_run_get(s->st, id, &err);
        cJSON *res = run ? store_run_results(s->st, id, &err) : NULL;
        cJSON_AddItemToObject(o, "run", run ? run : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "results", res ? res : cJSON_CreateArray());
        cli_print_json(o);
        return;
    }
    if (!interrupted) {
        cJSON *arg = cJSON_CreateNumber((double)id);
        cJSON *text = cli_session_call(s, "report_run", arg, &err);
        cJSON_Delete(arg);
        if (text && cJSON_IsString(text)) fputs(text->valuestring, stdout);
        else if (!text) fprintf(stderr, "cannot print the results: %s\n", err.msg);
        cJSON_Delete(text);
    }
    cJSON *run = store_run_get(s->st, id, &err);
    if (!run) return;
    const cJSON *c = cJSON_GetObjectItem(run, "counts");
    printf("run %lld %s: %d completed, %d failed, %d skipped, %d to do\n", id,
           cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")),
           (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "completed")),
           (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "failed")),
           (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "skipped")),
           (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "pending")) +
               (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, "running")));
    cJSON_Delete(run);
}

/* Where to watch the run: a live dashboard serving this database (its record in the store). */
static void say_dashboard(cli_session *s, long long id)
{
    oo_err err = {0};
    char *url = store_dashboard_url(s->st, &err);
    if (url) fprintf(stderr, "dashboard: %s%sruns/%lld\n", url, url[strlen(url) - 1] == '/' ? "" : "/", id);
    free(url);
}

int cli_session_execute(cli_session *s, long long id)
{
    fprintf(stderr, "run %lld: started (oo-automator pause --run-id %lld pauses it; Ctrl-C stops, resume continues)\n",
            id, id);
    say_dashboard(s, id);
    oo_err err = {0};
    int64_t t0 = oo_now_ms();
    int outcome = run_execute(s->st, s->sc, id, &s->ro, &err);
    if (oo_cfg()->verbose > 0)   /* the run's wall time and the engine's own peak memory */
        fprintf(stderr, "run %lld: %lld ms; engine peak RSS: %ld kB\n", id, (long long)(oo_now_ms() - t0), oo_peak_rss_kb());
    int rc = outcome_exit(id, outcome, &err);
    if (outcome == RUN_BUSY || outcome == RUN_ELSEWHERE) return rc;   /* this command did nothing to the run */
    print_results(s, id, outcome == RUN_INTERRUPTED || script_signals_received() > 0);
    return rc;
}
