/* store: everything the engine keeps, in one SQLite file (WAL, foreign keys on). The only code
 * in the project that writes SQL. Tables: tests, runs, tasks, results, trades, failures,
 * events (append-only, the source of live updates), settings (never the password).
 *
 * One store handle per thread (SQLite connections are not shared between threads here); many
 * processes may open the same file. Statements are prepared once per handle and reused.
 *
 * Ownership: the caller owns the oo_store and closes it. Functions returning cJSON * hand the
 * caller a new tree to cJSON_Delete; cJSON * parameters are borrowed. Strings are copied.
 * Errors fill the oo_err with what, where and how to fix; nothing prints.
 */
#ifndef OO_STORE_H
#define OO_STORE_H
#include <cjson/cJSON.h>
#include <stdint.h>
#include "base/err.h"

typedef struct oo_store oo_store;

#define STORE_SCHEMA_VERSION 4

/* Opens (creating parent folders and the schema, migrating an older schema forward). A file
 * written by a newer oo-automator, or another program's SQLite file, is refused before
 * anything is written to it. */
oo_store *store_open(const char *path, oo_err *err);
/* Opens an existing database for reading only (list, status, export, tests, doctor,
 * completion): nothing is created, migrated or written, not even SQLite's -wal and -shm files
 * when no engine has it open; a read-only file can be read. A file that is no database,
 * another program's, at another schema or no regular file is refused as it is, saying which
 * and what to do; OO_E_INPUT when there is no database there yet (no file, or an empty one). */
oo_store *store_open_readonly(const char *path, oo_err *err);
void store_close(oo_store *s);
const char *store_path(const oo_store *s);
int store_schema_version(oo_store *s);

/* Transactions (nest-safe: inner begin/commit pairs are counted). */
int store_begin(oo_store *s, oo_err *err);
int store_commit(oo_store *s, oo_err *err);
void store_rollback(oo_store *s);

/* ---- tests: the OptionOmega tests a user has worked with ------------------------------- */
/* Adds a test by URL (or revives a deleted one); a non-NULL name sets it. Returns its id.
 * A name (here and in store_test_rename) is checked as base/text.h says: one line of plain
 * text of at most OO_NAME_MAX_CHARS characters; OO_E_INPUT otherwise. */
int64_t store_test_upsert(oo_store *s, const char *url, const char *name, oo_err *err);
/* {id, url, name, last_run_at, run_count, created_at} or NULL (err says "no test N"). */
cJSON *store_test_get(oo_store *s, int64_t id, oo_err *err);
/* Tests matching a key: an id, a URL, or a name (case-insensitive; every word of the key
 * must occur), best first (exact name, then most recently run). Array, maybe empty. */
cJSON *store_test_find(oo_store *s, const char *key, oo_err *err);
/* All tests, most recently run first; limit 0 = all. */
cJSON *store_tests_list(oo_store *s, int limit, oo_err *err);
int store_test_rename(oo_store *s, int64_t id, const char *name, oo_err *err);
/* Removes a test from the history; its runs and results are kept. */
int store_test_delete(oo_store *s, int64_t id, oo_err *err);

/* ---- runs -------------------------------------------------------------------------------- */
int64_t store_run_create(oo_store *s, int64_t test_id, const char *name, const char *mode,
                         const cJSON *config, int browsers, oo_err *err);
/* {id, test_id, test_url, test_name, name, mode, config, status, browsers, started_at,
 *  completed_at, created_at, error, engine, engine_seen_at, engine_alive, account, queued_at,
 *  counts: {total, pending, running, completed, failed, skipped}} or NULL. status is
 *  "interrupted" for a running or queued run whose engine is gone (stored_status: the table's;
 *  see engines below). */
cJSON *store_run_get(oo_store *s, int64_t id, oo_err *err);
typedef struct store_run_filter {
    int64_t test_id;       /* 0 = any */
    const char *status;    /* NULL = any; "interrupted" as store_run_get reads it */
    const char *mode;      /* NULL = any */
    const char *search;    /* substring of the run's or the test's name, NULL = any */
    int limit, offset;     /* limit 0 = 100 */
} store_run_filter;
cJSON *store_runs_list(oo_store *s, const store_run_filter *f, oo_err *err);
/* pending | queued | running | paused | completed | failed | cancelled; sets started_at/completed_at,
 * appends a run_status event in the same transaction. */
int store_run_set_status(oo_store *s, int64_t id, const char *status, const char *error_msg,
                         oo_err *err);

/* The run script's text a run was created from (stored as it was then, so that a resume runs
 * what was started, not what the file says today). store_run_script returns a copy to free,
 * or NULL: with err empty when the run has no script, filled when there is no such run. */
int store_run_set_script(oo_store *s, int64_t id, const char *text, oo_err *err);
char *store_run_script(oo_store *s, int64_t id, oo_err *err);
/* The run's status into buf (0), or -1 with err ("no run N"). One small query: what an engine
 * polls to see a pause or a cancel from elsewhere. */
int store_run_status(oo_store *s, int64_t id, char *buf, size_t n, oo_err *err);
/* The run's tasks still to do (pending, or running whoever holds them); -1 on error. */
int store_run_open_tasks(oo_store *s, int64_t run_id, oo_err *err);
/* The highest stage that has tasks (0: none yet); -1 on error. */
int store_run_max_stage(oo_store *s, int64_t run_id, oo_err *err);
/* {total, pending, running, completed, failed, skipped} of the run's tasks. */
cJSON *store_run_counts(oo_store *s, int64_t run_id, oo_err *err);
/* The owners of the run's leased (running) tasks, distinct: an array of strings. */
cJSON *store_run_lease_owners(oo_store *s, int64_t run_id, oo_err *err);
/* Every running task of the run that owner holds goes back to pending; the number given back. */
int store_run_release_owner(oo_store *s, int64_t run_id, const char *owner, oo_err *err);

/* ---- engines: one engine per account --------------------------------------------------------
 * An engine (a process executing a run, named "host:pid") holds a run while it works it or
 * waits for its turn: runs.engine names it, runs.engine_seen_at says when it last renewed that
 * (store_run_heartbeat). It counts as gone when it was silent for longer than the store's
 * engine silence, or at once when its process is gone from this machine (base/alive.h). A
 * running or queued run whose engine is gone reads as status "interrupted" (stored_status
 * keeps what the table says): resumable, and in nobody's way. An account (the OptionOmega
 * login) is worked by one live engine at a time; the others wait in its queue, in the order
 * they joined it (queued_at). */
/* How long an engine may stay silent before it counts as gone; default 60000 ms. */
void store_set_engine_silence(oo_store *s, int64_t ms);
typedef enum { STORE_CLAIM_WAIT = 0, STORE_CLAIM_RUN = 1, STORE_CLAIM_ELSEWHERE = 2, STORE_CLAIM_GONE = 3 }
    store_claim_result;
enum { STORE_CLAIM_F_WAIT = 1,    /* join the queue when something is ahead */
       STORE_CLAIM_F_AGAIN = 2 }; /* a later call of the same wait: only while the run is still queued for
                                     this engine (a pause or a cancel meanwhile ends the wait) */
/* Engine `engine` asks to work run_id for `account` (NULL counts as ""), in one transaction:
 *   STORE_CLAIM_RUN: nothing of the account is ahead: the run is its (status running);
 *   STORE_CLAIM_WAIT: a live engine works another run of the account, or waits for it from an
 *     earlier place in the queue: the run waits (status queued, its place kept between calls,
 *     the engine's hold renewed) with STORE_CLAIM_F_WAIT; without it nothing changes;
 *   STORE_CLAIM_ELSEWHERE: another live engine works or waits for this very run;
 *   STORE_CLAIM_GONE: (F_AGAIN) the run is no longer queued for this engine: nothing changes.
 * *ahead (may be NULL) gets the run in the way, {id, name, status, engine, account}, to free.
 * -1 with err ("no run N"). */
int store_run_claim(oo_store *s, int64_t run_id, const char *account, const char *engine, int flags,
                    cJSON **ahead, oo_err *err);
/* The engine renews its hold on the run: 0, or -1 with err when the run is no longer its
 * (another engine took it over after it fell silent). */
int store_run_heartbeat(oo_store *s, int64_t run_id, const char *engine, oo_err *err);
/* Puts a run in the account's queue for an engine process just started for it (the
 * dashboard's): status queued, engine, queued_at now; unless that engine claimed it already
 * (or the run is completed or cancelled). 1 queued, 0 left as it was. */
int store_run_enqueue(oo_store *s, int64_t run_id, const char *account, const char *engine, oo_err *err);
/* The run in the way of a new run of the account ({id, name, status, engine, account}): the
 * one a live engine works, else the first one waiting with a live engine; NULL (err empty)
 * when none. */
cJSON *store_account_holder(oo_store *s, const char *account, oo_err *err);

/* ---- dashboards serving this database -------------------------------------------------------- */
/* A dashboard says it serves (url, engine "host:pid"): a new row, its id. Renewed with
 * store_dashboard_seen, removed when it stops; one that fell silent counts as gone. */
int64_t store_dashboard_add(oo_store *s, const char *url, const char *engine, oo_err *err);
int store_dashboard_seen(oo_store *s, int64_t id, oo_err *err);
int store_dashboard_remove(oo_store *s, int64_t id, oo_err *err);
/* The URL of the newest live dashboard (to free), or NULL (err empty when none). */
char *store_dashboard_url(oo_store *s, oo_err *err);

/* ---- tasks: the durable queue -------------------------------------------------------------- */
/* Adds tasks in one transaction: an array of {values: {...}, stage?: N, config_hash?: ""}.
 * Returns the number added. */
int store_tasks_add(oo_store *s, int64_t run_id, const cJSON *tasks, oo_err *err);
/* Leases the next pending task of the run (or one whose lease expired) for `owner` until
 * now + lease_ms. Returns 1 with *task_out = {id, run_id, stage, seq, values, attempts,
 * retries, config_hash}, 0 when none is available, -1 on error. Two callers never get the
 * same task. */
int store_task_lease(oo_store *s, int64_t run_id, const char *owner, int64_t lease_ms,
                     cJSON **task_out, oo_err *err);
/* Extends a lease; 0 ok, -1 when the task is no longer leased by owner. */
int store_task_renew(oo_store *s, int64_t task_id, const char *owner, int64_t lease_ms, oo_err *err);
/* Gives a leased task back (pending again, attempt not counted). */
int store_task_release(oo_store *s, int64_t task_id, const char *owner, oo_err *err);
/* Sets the full configuration hash of a task (what the dialog held before Run). */
int store_task_set_hash(oo_store *s, int64_t task_id, const char *config_hash, oo_err *err);
/* Completes a task with its result and trades in ONE transaction, with a task_completed event;
 * the successful attempt counts (a task done at the first try has attempts 1).
 * result: {metrics: {pl, cagr, ...}, config: {...}, raw_data: any, config_hash: "",
 *          cached_from: result id}; trades: array of JSON objects (may be NULL).
 * Idempotent: a task already completed keeps its one result; returns that result's id. */
int64_t store_task_complete(oo_store *s, int64_t task_id, const cJSON *result,
                            const cJSON *trades, oo_err *err);
/* Records a failed attempt (attempts + 1). final: the task is failed for good; otherwise
 * it goes back to pending for a retry. Appends a task_failed event. */
int store_task_fail(oo_store *s, int64_t task_id, const char *error_msg, int final, oo_err *err);
/* The site refuses the task's configuration itself (it says so every time): the attempt counts,
 * the task is skipped for good. Appends a task_skipped event. */
int store_task_skip(oo_store *s, int64_t task_id, const char *error_msg, oo_err *err);
/* The run's failed tasks, in order: [{id, stage, seq, attempts, retries, types}], types being
 * the failure types of every attempt that was recorded (distinct, comma-separated). */
cJSON *store_run_failed_tasks(oo_store *s, int64_t run_id, oo_err *err);
/* One more round for failed tasks of the run: each goes back to pending with retries + 1 (its
 * attempts keep counting). ids: an array of task ids, or NULL for every failed task. by: who
 * asked ("automatic", "hand"), in the tasks_retried event. Returns how many went back. */
int store_tasks_retry(oo_store *s, int64_t run_id, const cJSON *ids, const char *by, oo_err *err);
/* Puts every running task of the run back to pending (Ctrl-C, resume after a kill). */
int store_run_reset_running(oo_store *s, int64_t run_id, oo_err *err);
/* Tasks of a run in order, each with its result's metrics when completed (and cached_from: the
 * result it reused from the cache, or null). */
cJSON *store_run_tasks(oo_store *s, int64_t run_id, oo_err *err);
/* Completed results of a run: [{task_id, stage, values, metrics..., config_hash}]. */
cJSON *store_run_results(oo_store *s, int64_t run_id, oo_err *err);
/* A stored result for the same test and full configuration, or NULL (no error). */
cJSON *store_result_cached(oo_store *s, int64_t test_id, const char *config_hash, oo_err *err);
/* A result's trade log, oldest first; for a result served from the cache (cached_from), the log
 * of the result it reuses: the trades are stored once. */
cJSON *store_result_trades(oo_store *s, int64_t result_id, oo_err *err);
/* What run estimates are made of: the time of each backtest actually run (not served by the
 * cache) in the last `runs` runs that ran any (0 = 10): [{run_id, seconds}], newest run first.
 * seconds: from the task's (last) lease to its result. */
cJSON *store_backtest_seconds(oo_store *s, int runs, oo_err *err);
/* One result: {id, task_id, run_id, stage, seq, values, test_id, the metric columns, metrics,
 * config, raw_data, config_hash, cached_from, created_at} or NULL (err says "no result N"). */
cJSON *store_result_get(oo_store *s, int64_t result_id, oo_err *err);
/* The trades of a result with only the named fields of each (the trade_data keys given in
 * `fields`, a JSON array of 1 to 64 strings): [{field: value}, ...] in stored order. A trade
 * without a field lacks the key. Cheaper for Lua than whole trades: less to convert. */
cJSON *store_result_trade_fields(oo_store *s, int64_t result_id, const cJSON *fields, oo_err *err);

/* ---- failures ---------------------------------------------------------------------------- */
typedef struct store_failure {
    int64_t task_id;
    int attempt;
    const char *type;            /* timing | modal | session | browser | site_error | rate_limited | permanent */
    const char *message;
    const char *screenshot_path, *html_path, *network_log_path;  /* may be NULL */
    const cJSON *console_log;    /* may be NULL */
} store_failure;
int64_t store_failure_add(oo_store *s, const store_failure *f, oo_err *err);
cJSON *store_failures_list(oo_store *s, int64_t run_id, oo_err *err);
/* One failure: {id, task_id, run_id, attempt_number, failure_type, error_message,
 * screenshot_path, html_path, network_log_path, console_log, created_at} or NULL (err says
 * "no failure N"). */
cJSON *store_failure_get(oo_store *s, int64_t id, oo_err *err);

/* ---- events: append-only, tailed by the dashboard --------------------------------------- */
int64_t store_event_append(oo_store *s, int64_t run_id, const char *kind, const cJSON *payload,
                           oo_err *err);
/* Events with id > after_id, oldest first, at most limit (0 = 500). */
cJSON *store_events_after(oo_store *s, int64_t after_id, int limit, oo_err *err);
int64_t store_events_last_id(oo_store *s, oo_err *err);
/* The events of one run, oldest first (at most 10,000); kind NULL: every kind. */
cJSON *store_run_events(oo_store *s, int64_t run_id, const char *kind, oo_err *err);

/* ---- timing baselines: each recording step's duration, run by run ------------------------ */
/* Stores the durations of one replay's steps: times = [{step: index, type: "click", ms: 12.5}].
 * recording is the file's name ("open_test.json"); run_id and task_id may be 0. */
int store_step_times_add(oo_store *s, int64_t run_id, int64_t task_id, const char *recording,
                         const cJSON *times, oo_err *err);
/* Each step's baseline from its `window` most recent durations (0 = 50), runs before
 * before_run_id only (0 = every run): [{recording, step, type, n, p50, p95, max}], by recording
 * and step. recording NULL = every recording. */
cJSON *store_step_baselines(oo_store *s, const char *recording, int64_t before_run_id, int window,
                            oo_err *err);
/* The steps of run_id whose median this run is more than `factor` times their baseline's 95th
 * percentile (and 250 ms over it), the baseline taken from earlier runs with at least 5
 * durations: [{recording, step, type, n, p50, baseline_p95, baseline_n, ratio}], slowest first. */
cJSON *store_run_slow_steps(oo_store *s, int64_t run_id, double factor, oo_err *err);

/* ---- settings (never secrets) ------------------------------------------------------------ */
char *store_setting_get(oo_store *s, const char *key, oo_err *err);   /* NULL when unset */
int store_setting_set(oo_store *s, const char *key, const char *value, oo_err *err);

#endif
