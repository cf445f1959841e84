/* run: creates and executes runs. A run is its durable task queue in the store, worker
 * coroutines leasing from it, stage after stage, until every task is completed or failed for
 * good, or the run is paused, cancelled or interrupted. What a task does (OptionOmega's dialog,
 * recordings, parameters) is Lua (lua/oo/runner.lua, lua/oo/task.lua); this module is the
 * queue's side of it, bound into Lua as the `q` object the runner receives:
 *
 *   q.run_id, q.spec (the run's stored config: {spec, count, script}), q.script (the text of the
 *     run script it was created from, or nil), q.test {id, url, name}, q.options {browsers,
 *     headless, no_cache, max_attempts, data_dir, artifacts_dir}
 *   q:lease(worker) -> task {id, stage, seq, values, attempts, retries} | nil    (nil: none pending now)
 *   q:complete(task_id, result, trades) -> result_id   (one transaction, idempotent)
 *   q:fail(task_id, {message, type, screenshot, html, network_log, console, permanent, uncounted, skip})
 *       -> final, attempts   (final once attempts reach max_attempts or permanent; uncounted:
 *       recorded, but the task goes back to the queue without using up an attempt; skip: the
 *       site refuses the configuration itself: recorded once, the task is skipped)
 *   q:release(task_id)      gives a leased task back untouched (stop, lost browser)
 *   q:failed_tasks() -> the run's failed tasks [{id, stage, seq, attempts, retries, types}]
 *       (types: the failure types of its attempts, comma-separated)
 *   q:retry({task_id, ...}) -> n   one more round for those failed tasks (retries + 1: each
 *       round has max_attempts, q:fail counts on from the attempts before)
 *   q:counts() -> {total, pending, running, completed, failed, skipped}, as this engine knows
 *       them (kept in memory; another engine on the same run may have moved some since)
 *   q:open_tasks() -> the tasks still to do (pending or running, whoever holds them), from
 *       the store: what decides that a stage is over
 *   q:results() -> completed results [{task_id, stage, values, metrics..., cached_from}]
 *   q:tasks() -> every task in order [{id, stage, seq, values, status, ...}] (failed ones too)
 *   q:add_tasks(stage, {{values = {...}}, ...}) -> n
 *   q:max_stage() -> the highest stage that has tasks (0 = none yet)
 *   q:cached(config_hash) -> a stored result of the same test and configuration | nil
 *   q:set_hash(task_id, config_hash)
 *   q:stopping() -> nil | "paused" | "cancelled" | "interrupted"
 *   q:event(kind, payload)  appends an event (worker states for the dashboard)
 *   q:worker_state(worker, state, values)  the progress report and a worker event
 *   q:step_times(task_id | nil, recording, {{step, type, ms}, ...})  stores step durations
 *   q:step_baselines(recording) -> {{step, type, n, p50, p95, max}, ...}  (timing baselines)
 *
 * Commands reach runs from Lua through the `runs` module (run_bind): runs.create(plan) -> id,
 * runs.execute(id [, {browsers, no_cache}]) -> outcome, message, runs.get(id), runs.results(id),
 * runs.result(result_id), runs.script(id), runs.trades(result_id [, {field, ...}]),
 * runs.trades_csv(result_id, {column, ...}) -> a result's trades as CSV text under those columns
 * (run_export_rows), runs.test(id), runs.find_tests(key), runs.backtest_seconds() -> the recent
 * backtests' times [{run_id, seconds}] (store_backtest_seconds: what a run's estimate is made
 * of); each raises a typed error (input: no such run, result or test). That is
 * how `oo-automator run`, the dashboard's New Run and require("oo").run create and execute runs,
 * in-process, and how the analysis (lua/oo/analysis/) reads stored results.
 *
 * Nothing here prints: progress goes to the caller's callback (cli/ renders it), errors to an
 * oo_err. Ctrl-C and SIGTERM come through script/'s signal handling (script_signals_*).
 *
 * Ownership: run_execute borrows the store and the script; it owns the browser processes the
 * Lua runner launches only through the script's state (closed with it by the caller).
 * run_bind borrows both too: they must outlive the state's use of `runs`.
 */
#ifndef OO_RUN_H
#define OO_RUN_H
#include <stdint.h>
#include "base/err.h"

struct oo_store;
struct oo_script;
struct cJSON;

/* What a worker is doing, for the progress line. */
typedef struct run_worker { char name[32], state[32], values[96]; } run_worker;

typedef struct run_progress {
    int64_t run_id;
    int total, completed, failed, skipped;  /* total: all stages as planned */
    int done_before;            /* completed + failed when this engine started */
    int64_t elapsed_ms;         /* since this engine started on the run */
    int nworkers;
    const run_worker *workers;
    int final;                  /* the last report of this execution */
    int64_t waiting_for;        /* > 0: the run waits for its account, behind this run */
    const char *waiting_engine; /* the engine that holds that run ("host:pid") */
} run_progress;

/* Called on the engine thread whenever the progress changes (often: a renderer throttles). */
typedef void (*run_progress_fn)(void *ud, const run_progress *p);

typedef struct run_opts {
    int browsers;           /* workers (browser contexts); 0 = the run's own setting */
    int headless;           /* 1 headless, 0 headed */
    int no_cache;           /* run every backtest even when a stored result matches */
    int max_attempts;       /* 0 = 3 */
    int64_t lease_ms;       /* 0 = 60 s; renewed every lease/3 while the task runs */
    const char *data_dir;   /* artifacts go to data_dir/runs/<id>/ */
    const char *account;    /* the OptionOmega login: one engine per account works at a time */
    int no_wait;            /* when another engine works the account: RUN_BUSY instead of waiting */
    run_progress_fn on_progress;   /* may be NULL */
    void *progress_ud;
} run_opts;

/* RUN_BUSY: another engine works the account and no_wait was set (err says which run);
 * RUN_ELSEWHERE: another live engine works (or waits for) this very run. Neither touched it. */
typedef enum { RUN_DONE = 0, RUN_PAUSED, RUN_CANCELLED, RUN_INTERRUPTED, RUN_BUSY, RUN_ELSEWHERE } run_outcome;

/* Executes the run until it ends. First the run takes its turn on the account (one engine per
 * account: it waits in the account's queue, status queued, while another engine works it;
 * see store.h). Returns the outcome (>= 0) or -1 with err filled (the run is then marked
 * failed unless the error was the interruption itself). Running tasks of this process are
 * given back to the queue whatever happens. */
int run_execute(struct oo_store *st, struct oo_script *sc, int64_t run_id, const run_opts *o,
                oo_err *err);

/* Creates a run from a plan (what lua/oo/cli.lua's prepare() checked): {test_id | test_url,
 * test_name?, name?, mode, config (the stored config: {spec, count}), script? (the script's
 * text), script_path?, browsers?}. The test is saved (a URL) or must exist (an id); the run,
 * its config and its script's text are written in one transaction. Returns the run's id, or
 * -1 with err (OO_E_INPUT: "no test N"). */
int64_t run_create(struct oo_store *st, const struct cJSON *plan, int default_browsers, oo_err *err);

/* One more round, by hand (`oo-automator retry`, the dashboard's Retry): every failed task of
 * the run goes back to the queue (store_tasks_retry) and a finished run is paused, so that an
 * engine resuming it works them. Returns how many went back (0: none had failed), or -1 with
 * err (OO_E_INPUT: no such run, a cancelled run, or one a live engine works: retry it when it
 * has ended, or pause it first). */
int run_retry_failed(struct oo_store *st, int64_t run_id, oo_err *err);

/* A run's tasks (store_run_tasks) as CSV into out: task_id, stage, status, each parameter, then
 * each metric of `metrics` (the one list, as lua/oo/metrics.lua's public() gives it: {key,
 * column, ...}), headed by its key, read from its store column. The one CSV writer of the
 * project (the export command and the dashboard's export). */
struct oo_buf;
void run_export_csv(const struct cJSON *tasks, const struct cJSON *metrics, struct oo_buf *out);
/* rows (objects) as CSV into out with the same writer: a header of `columns` (a JSON array of
 * names, in order), then each row's value under each name (empty when it has none). */
void run_export_rows(const struct cJSON *columns, const struct cJSON *rows, struct oo_buf *out);

/* Makes the `runs` module (above) available to the script's require, on this store, with these
 * options as defaults for runs.execute. */
void run_bind(struct oo_script *sc, struct oo_store *st, const run_opts *defaults);
#endif
