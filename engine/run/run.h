/* run: executes a run — the durable task queue in the store, worker coroutines leasing from it,
 * stage after stage, until every task is completed or failed for good, or the run is paused,
 * cancelled or interrupted. What a task does (OptionOmega's dialog, recordings, parameters) is
 * Lua (lua/oo/runner.lua, lua/oo/task.lua); this module is the queue's side of it, bound into
 * Lua as the `q` object the runner receives:
 *
 *   q.run_id, q.spec (the run's config), q.test {id, url, name}, q.options {browsers, headless,
 *     no_cache, max_attempts, data_dir, artifacts_dir}
 *   q:lease(worker) -> task {id, stage, seq, values, attempts} | nil    (nil: none pending now)
 *   q:complete(task_id, result, trades) -> result_id   (one transaction, idempotent)
 *   q:fail(task_id, {message, type, screenshot, html, network_log, console, permanent, uncounted})
 *       -> final, attempts   (final once attempts reach max_attempts or permanent; uncounted:
 *       recorded, but the task goes back to the queue without using up an attempt)
 *   q:release(task_id)      gives a leased task back untouched (stop, lost browser)
 *   q:counts() -> {total, pending, running, completed, failed}
 *   q:results() -> completed results [{task_id, stage, values, metrics..., cached_from}]
 *   q:tasks() -> every task in order [{id, stage, seq, values, status, ...}] (failed ones too)
 *   q:add_tasks(stage, {{values = {...}}, ...}) -> n
 *   q:max_stage() -> the highest stage that has tasks (0 = none yet)
 *   q:cached(config_hash) -> a stored result of the same test and configuration | nil
 *   q:set_hash(task_id, config_hash)
 *   q:stopping() -> nil | "paused" | "cancelled" | "interrupted"
 *   q:event(kind, payload)  appends an event (worker states for the dashboard)
 *   q:worker_state(worker, state, values)  the progress line and a worker event
 *   q:step_times(task_id | nil, recording, {{step, type, ms}, ...})  stores step durations
 *   q:step_baselines(recording) -> {{step, type, n, p50, p95, max}, ...}  (timing baselines)
 *
 * Ownership: run_execute borrows the store and the script; it owns the browser processes the
 * Lua runner launches only through the script's state (closed with it by the caller).
 */
#ifndef OO_RUN_H
#define OO_RUN_H
#include <stdint.h>
#include "base/err.h"

struct oo_store;
struct oo_script;

typedef struct run_opts {
    int browsers;           /* workers (browser contexts); 0 = the run's own setting */
    int headless;           /* 1 headless, 0 headed */
    int no_cache;           /* run every backtest even when a stored result matches */
    int max_attempts;       /* 0 = 3 */
    int progress;           /* print a live progress line on stderr */
    int64_t lease_ms;       /* 0 = 60 s; renewed every lease/3 while the task runs */
    const char *data_dir;   /* artifacts go to data_dir/runs/<id>/ */
} run_opts;

typedef enum { RUN_DONE = 0, RUN_PAUSED, RUN_CANCELLED, RUN_INTERRUPTED } run_outcome;

/* Executes the run until it ends. Returns the outcome (>= 0) or -1 with err filled (the run is
 * then marked failed unless the error was the interruption itself). Running tasks of this
 * process are given back to the queue whatever happens. */
int run_execute(struct oo_store *st, struct oo_script *sc, int64_t run_id, const run_opts *o,
                oo_err *err);

/* SIGINT/SIGTERM during run_execute stop the run cleanly; run_execute installs and removes the
 * handlers itself. */
#endif
