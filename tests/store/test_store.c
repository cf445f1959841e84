/* The store on real SQLite files: schema, migrations, CRUD of every table, leases, the
 * idempotent completion, events, settings, one engine per account (claims, the queue's order,
 * stale and dead holders, "interrupted"), the dashboards' records. */
#include "testlib.h"
#include "store/store.h"
#include "store/schema.h"
#include "base/util.h"
#include "base/buf.h"
#include "base/alive.h"
#include <sqlite3.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char *db_path(const char *name)
{
    char *dir = tl_tmpdir(name);
    char *p = oo_path_join(dir, "sub/dir/oo.db");  /* parent folders are created */
    free(dir);
    return p;
}

static double num(const cJSON *o, const char *k) { return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k)); }
static const char *str(const cJSON *o, const char *k) { return cJSON_GetStringValue(cJSON_GetObjectItem(o, k)); }

static void test_open_and_version(void)
{
    char *path = db_path("store-open");
    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (!s) { free(path); return; }
    CHECK_INT(store_schema_version(s), STORE_SCHEMA_VERSION);
    store_close(s);

    /* reopening is a no-op migration */
    s = store_open(path, &err);
    CHECK(s != NULL);
    CHECK_INT(store_schema_version(s), STORE_SCHEMA_VERSION);
    store_close(s);

    /* a database from a newer oo-automator is refused with a clear message */
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(db);
    oo_err_clear(&err);
    s = store_open(path, &err);
    CHECK(s == NULL);
    CHECK_MSG(strstr(err.msg, "newer oo-automator") && strstr(err.msg, "99"), "%s", err.msg);
    store_close(s);

    /* garbage is not a database */
    char *junk = oo_asprintf("%s.junk", path);
    oo_write_file(junk, "this is not sqlite at all, not even close............", 53, NULL);
    oo_err_clear(&err);
    s = store_open(junk, &err);
    CHECK(s == NULL);
    CHECK_MSG(err.msg[0] != '\0' && strstr(err.msg, junk), "%s", err.msg);
    free(junk);
    free(path);
}

static void test_migrate_from_v0(void)
{
    /* An empty file at version 0 (as a first install leaves it) is migrated to the latest. */
    char *path = db_path("store-migrate");
    char *dir = oo_strdup(path);
    *strrchr(dir, '/') = '\0';
    oo_mkdir_p(dir, NULL);
    free(dir);
    oo_write_file(path, "", 0, NULL);
    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    CHECK_INT(store_schema_version(s), STORE_SCHEMA_VERSION);
    store_close(s);
    sqlite3 *db;
    sqlite3_stmt *st;
    sqlite3_open(path, &db);
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "wal"));
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* Another program's tables at version 0: refused, and left as it was (no table of ours,
     * not switched to WAL, its data there). */
    char *other = oo_asprintf("%s.other", path);
    sqlite3_open(other, &db);
    sqlite3_exec(db, "CREATE TABLE keep_me(x); INSERT INTO keep_me VALUES (42);", NULL, NULL, NULL);
    sqlite3_close(db);
    size_t before_len = 0, after_len = 0;
    char *before = oo_read_file(other, &before_len, NULL);
    oo_err_clear(&err);
    s = store_open(other, &err);
    CHECK(s == NULL);
    CHECK_MSG(strstr(err.msg, "another program's SQLite database"), "%s", err.msg);
    store_close(s);
    oo_err_clear(&err);
    s = store_open_readonly(other, &err);
    CHECK(s == NULL && strstr(err.msg, "another program's"));
    store_close(s);
    char *after = oo_read_file(other, &after_len, NULL);
    CHECK(before && after && before_len == after_len && !memcmp(before, after, before_len));
    sqlite3_open(other, &db);
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "SELECT x FROM keep_me", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 42);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(before);
    free(after);
    free(other);
    free(path);
}

/* One integer answer of a query on an open sqlite3 handle (-1 when it fails). */
static long long q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A text answer, copied into buf ("" when none). */
static const char *q_text(sqlite3 *db, const char *sql, char *buf, size_t n)
{
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

/* A database of schema 1 holding tests, runs of every status, tasks, results, trades, failures
 * and events is migrated to the latest schema: every row is still there, unchanged, still
 * joined to its run, and the foreign keys still hold (and cascade) afterwards. */
static void test_migrate_from_v1(void)
{
    char *path = db_path("store-migrate-v1");
    char *dir = oo_strdup(path);
    *strrchr(dir, '/') = '\0';
    oo_mkdir_p(dir, NULL);
    free(dir);
    sqlite3 *db;
    REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, store_schema_migration(1), NULL, NULL, NULL) == SQLITE_OK);
    static const char fill[] =
        "PRAGMA user_version = 1;"
        "INSERT INTO tests(id, url, name, run_count) VALUES (1, 'https://optionomega.com/test/a', 'A', 3),"
        "  (2, 'https://optionomega.com/test/b', NULL, 0);"
        "INSERT INTO runs(id, test_id, name, mode, config, status, browsers, error, started_at, completed_at,"
        "  created_at) VALUES"
        "  (1, 1, 'done', 'sweep', '{\"spec\":{\"mode\":\"sweep\"},\"script\":\"/x/sweep.lua\"}', 'completed', 2,"
        "   NULL, '2026-01-02 10:00:00', '2026-01-02 11:00:00', '2026-01-02 09:59:00'),"
        "  (2, 1, 'stopped', 'staged', '{\"spec\":{\"mode\":\"staged\"}}', 'paused', 3, 'interrupted',"
        "   '2026-01-03 10:00:00', NULL, '2026-01-03 09:00:00'),"
        "  (3, 2, NULL, 'grid', '{}', 'failed', 1, 'every task failed', NULL, NULL, '2026-01-04 09:00:00');"
        "INSERT INTO tasks(id, run_id, stage, seq, parameter_values, status, attempts, error, lease_owner) VALUES"
        "  (1, 1, 1, 1, '{\"delta\":5}', 'completed', 0, NULL, NULL),"
        "  (2, 1, 1, 2, '{\"delta\":10}', 'completed', 1, NULL, NULL),"
        "  (3, 2, 1, 1, '{\"delta\":5}', 'completed', 0, NULL, NULL),"
        "  (4, 2, 2, 2, '{\"delta\":5,\"profit_target\":25}', 'running', 0, NULL, 'host:42/w1'),"
        "  (5, 3, 1, 1, '{\"delta\":5,\"stop_loss\":100}', 'failed', 3, 'timed out', NULL);"
        "INSERT INTO results(id, task_id, test_id, config_hash, pl, cagr, mar, trades_count, metrics) VALUES"
        "  (1, 1, 1, 'h1', 13376, 0.142, 1.78, 480, '{\"pl\":13376}'),"
        "  (2, 2, 1, 'h2', -155.5, 0.156, 1.73, 470, '{\"pl\":-155.5}'),"
        "  (3, 3, 1, 'h1', 13376, 0.142, 1.78, 480, '{\"pl\":13376}');"
        "UPDATE results SET cached_from = 1 WHERE id = 3;"
        "INSERT INTO trades(result_id, trade_data) VALUES (1, '{\"P/L\":\"10\"}'), (1, '{\"P/L\":\"-3\"}'),"
        "  (3, '{\"P/L\":\"10\"}');"
        "INSERT INTO failures(task_id, attempt_number, failure_type, error_message) VALUES"
        "  (5, 1, 'timing', 'timed out'), (5, 2, 'timing', 'timed out'), (2, 1, 'site_error', 'oops');"
        "INSERT INTO events(run_id, kind, payload) VALUES (1, 'run_created', '{}'), (2, 'task_started', '{}');"
        "INSERT INTO settings(key, value) VALUES ('browsers', '3');";
    char *msg = NULL;
    CHECK_MSG(sqlite3_exec(db, fill, NULL, NULL, &msg) == SQLITE_OK, "%s", msg ? msg : "");
    sqlite3_free(msg);
    char before[4096];
    q_text(db, "SELECT group_concat(id || '|' || test_id || '|' || COALESCE(name, '-') || '|' || mode || '|' || config"
               " || '|' || status || '|' || browsers || '|' || COALESCE(error, '-') || '|' || COALESCE(started_at, '-')"
               " || '|' || COALESCE(completed_at, '-') || '|' || created_at, ';') FROM (SELECT * FROM runs ORDER BY id)",
           before, sizeof before);
    sqlite3_close(db);

    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (s) CHECK_INT(store_schema_version(s), STORE_SCHEMA_VERSION);
    store_close(s);

    REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
    char after[4096];
    q_text(db, "SELECT group_concat(id || '|' || test_id || '|' || COALESCE(name, '-') || '|' || mode || '|' || config"
               " || '|' || status || '|' || browsers || '|' || COALESCE(error, '-') || '|' || COALESCE(started_at, '-')"
               " || '|' || COALESCE(completed_at, '-') || '|' || created_at, ';') FROM (SELECT * FROM runs ORDER BY id)",
           after, sizeof after);
    CHECK_STR(after, before);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM tests"), 2);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM tasks"), 5);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM tasks t JOIN runs r ON r.id = t.run_id"), 5);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM results r JOIN tasks t ON t.id = r.task_id"), 3);
    CHECK_INT(q_int(db, "SELECT cached_from FROM results WHERE id = 3"), 1);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM trades"), 3);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM failures"), 3);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM events"), 2);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM settings"), 1);
    char buf[256];
    CHECK_STR(q_text(db, "SELECT lease_owner FROM tasks WHERE id = 4", buf, sizeof buf), "host:42/w1");
    /* the new columns are there and empty; the new status is allowed, a bogus one is not */
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM runs WHERE script IS NULL AND engine IS NULL AND engine_seen_at IS NULL"), 3);
    CHECK(sqlite3_exec(db, "UPDATE runs SET status = 'queued' WHERE id = 3", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE runs SET status = 'sleeping' WHERE id = 3", NULL, NULL, NULL) != SQLITE_OK);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('idx_runs_status', 'idx_runs_test')"), 2);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs_v2'"), 0);
    /* migration 2's table is there, and its foreign keys, like the tasks', point at the rebuilt
     * runs: enforced, and they cascade */
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('step_timings', 'idx_step_timings_step')"), 2);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    CHECK(sqlite3_exec(db, "INSERT INTO step_timings(run_id, task_id, recording, step, step_type, ms)"
                           " VALUES (3, 5, 'open_test.json', 0, 'navigate', 120)", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "INSERT INTO step_timings(run_id, recording, step, step_type, ms)"
                           " VALUES (99, 'open_test.json', 0, 'navigate', 120)", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "INSERT INTO tasks(run_id, seq, parameter_values) VALUES (99, 1, '{}')", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM runs WHERE id = 3", NULL, NULL, NULL) == SQLITE_OK);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM tasks WHERE run_id = 3"), 0);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM failures WHERE task_id = 5"), 0);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM step_timings"), 0);
    sqlite3_close(db);

    /* and the store reads the migrated runs as before */
    s = store_open(path, &err);
    REQUIRE(s != NULL);
    cJSON *run = store_run_get(s, 2, &err);
    CHECK_STR(run ? str(run, "status") : NULL, "paused");
    CHECK_INT(run ? num(cJSON_GetObjectItem(run, "counts"), "running") : -1, 1);
    cJSON_Delete(run);
    store_close(s);
    free(path);
}

static void test_tests_table(oo_store *s)
{
    oo_err err = {0};
    int64_t a = store_test_upsert(s, "https://optionomega.com/test/abc123", "Put Credit Spread METF", &err);
    int64_t b = store_test_upsert(s, "https://optionomega.com/test/def456", NULL, &err);
    int64_t a2 = store_test_upsert(s, "https://optionomega.com/test/abc123", NULL, &err);
    CHECK(a > 0 && b > 0 && a != b);
    CHECK_INT(a2, a);
    cJSON *t = store_test_get(s, a, &err);
    REQUIRE(t != NULL);
    CHECK_STR(str(t, "name"), "Put Credit Spread METF");  /* a NULL name keeps the old one */
    cJSON_Delete(t);

    cJSON *found = store_test_find(s, "credit put", &err);
    CHECK_INT(cJSON_GetArraySize(found), 1);
    cJSON_Delete(found);
    found = store_test_find(s, "def456", &err);
    CHECK_INT(cJSON_GetArraySize(found), 1);
    CHECK_INT(num(cJSON_GetArrayItem(found, 0), "id"), b);
    cJSON_Delete(found);
    char idtxt[32];
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)b);
    found = store_test_find(s, idtxt, &err);
    CHECK_INT(num(cJSON_GetArrayItem(found, 0), "id"), b);
    cJSON_Delete(found);
    found = store_test_find(s, "iron condor", &err);
    CHECK_INT(cJSON_GetArraySize(found), 0);
    cJSON_Delete(found);

    CHECK_INT(store_test_rename(s, b, "Iron Condor SPY", &err), 0);
    t = store_test_get(s, b, &err);
    CHECK_STR(str(t, "name"), "Iron Condor SPY");
    cJSON_Delete(t);
    oo_err_clear(&err);
    CHECK(store_test_rename(s, 9999, "x", &err) != 0 && strstr(err.msg, "no test 9999"));

    oo_err_clear(&err);
    CHECK_INT(store_test_delete(s, b, &err), 0);
    cJSON *list = store_tests_list(s, 0, &err);
    CHECK_INT(cJSON_GetArraySize(list), 1);
    cJSON_Delete(list);
    /* re-adding the URL revives it */
    CHECK_INT(store_test_upsert(s, "https://optionomega.com/test/def456", NULL, &err), b);
    list = store_tests_list(s, 0, &err);
    CHECK_INT(cJSON_GetArraySize(list), 2);
    cJSON_Delete(list);
}

static void test_runs_and_tasks(oo_store *s)
{
    oo_err err = {0};
    int64_t test_id = store_test_upsert(s, "https://optionomega.com/test/run1", "Runner", &err);
    cJSON *cfg = cJSON_Parse("{\"mode\":\"sweep\",\"parameter\":\"delta\"}");
    int64_t run = store_run_create(s, test_id, "Delta sweep", "sweep", cfg, 2, &err);
    cJSON_Delete(cfg);
    REQUIRE(run > 0);
    cJSON *tasks = cJSON_Parse("[{\"values\":{\"delta\":5}},{\"values\":{\"delta\":6}},"
                               "{\"values\":{\"delta\":7},\"stage\":2}]");
    CHECK_INT(store_tasks_add(s, run, tasks, &err), 3);
    cJSON_Delete(tasks);
    tasks = cJSON_Parse("[{\"values\":5}]");
    oo_err_clear(&err);
    CHECK(store_tasks_add(s, run, tasks, &err) < 0 && strstr(err.msg, "tasks[0].values"));
    cJSON_Delete(tasks);

    cJSON *r = store_run_get(s, run, &err);
    REQUIRE(r != NULL);
    CHECK_STR(str(r, "status"), "pending");
    CHECK_STR(str(r, "test_name"), "Runner");
    CHECK_INT(num(cJSON_GetObjectItem(r, "counts"), "total"), 3);
    CHECK_STR(str(cJSON_GetObjectItem(r, "config"), "parameter"), "delta");
    cJSON_Delete(r);
    CHECK_INT(store_run_set_status(s, run, "running", NULL, &err), 0);
    oo_err_clear(&err);
    CHECK(store_run_set_status(s, run, "exploded", NULL, &err) != 0);

    /* leases: stage order, then sequence */
    cJSON *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
    CHECK_INT(store_task_lease(s, run, "w1", 60000, &t1, &err), 1);
    CHECK_INT(store_task_lease(s, run, "w2", 60000, &t2, &err), 1);
    CHECK_INT(store_task_lease(s, run, "w1", 60000, &t3, &err), 1);
    CHECK_INT(store_task_lease(s, run, "w2", 60000, &t4, &err), 0);
    REQUIRE(t1 && t2 && t3);
    CHECK_INT(num(cJSON_GetObjectItem(t1, "values"), "delta"), 5);
    CHECK_INT(num(cJSON_GetObjectItem(t2, "values"), "delta"), 6);
    CHECK_INT(num(t3, "stage"), 2);
    int64_t id1 = (int64_t)num(t1, "id"), id2 = (int64_t)num(t2, "id"), id3 = (int64_t)num(t3, "id");

    CHECK_INT(store_task_renew(s, id1, "w1", 60000, &err), 0);
    oo_err_clear(&err);
    CHECK(store_task_renew(s, id1, "w2", 60000, &err) != 0);

    /* complete with result + trades; a second completion keeps one result */
    cJSON *res = cJSON_Parse("{\"metrics\":{\"pl\":13376,\"cagr\":0.142,\"max_drawdown\":-0.081,"
                             "\"mar\":1.75,\"win_percentage\":0.682,\"trades\":480},"
                             "\"config\":{\"x\":1},\"raw_data\":{\"api\":true},\"config_hash\":\"h1\"}");
    cJSON *trades = cJSON_Parse("[{\"P/L\":10},{\"P/L\":-3}]");
    int64_t rid = store_task_complete(s, id1, res, trades, &err);
    CHECK_MSG(rid > 0, "%s", err.msg);
    CHECK_INT(store_task_complete(s, id1, res, trades, &err), rid);
    /* done at the first try: one attempt (the idempotent second completion adds none) */
    cJSON *done_tasks = store_run_tasks(s, run, &err);
    CHECK_INT(num(cJSON_GetArrayItem(done_tasks, 0), "attempts"), 1);
    cJSON_Delete(done_tasks);
    cJSON *tr = store_result_trades(s, rid, &err);
    CHECK_INT(cJSON_GetArraySize(tr), 2);
    cJSON_Delete(tr);
    cJSON *cached = store_result_cached(s, test_id, "h1", &err);
    CHECK(cached && num(cached, "id") == rid);
    CHECK(cached && cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(cached, "raw_data"), "api")));
    cJSON_Delete(cached);
    CHECK(store_result_cached(s, test_id, "nope", &err) == NULL);
    cJSON_Delete(res);
    cJSON_Delete(trades);

    /* failures: a retryable one goes back to pending, a final one is failed */
    CHECK_INT(store_task_fail(s, id2, "timing: element not found", 0, &err), 0);
    store_failure f = {.task_id = id2, .attempt = 1, .type = "timing", .message = "element not found",
                       .screenshot_path = "/x/1.png", .html_path = "/x/1.html"};
    int64_t fid = store_failure_add(s, &f, &err);
    CHECK(fid > 0);
    cJSON *one = store_failure_get(s, fid, &err);
    CHECK(one && num(one, "run_id") == run && num(one, "task_id") == id2);
    CHECK_STR(str(one, "screenshot_path"), "/x/1.png");
    cJSON_Delete(one);
    oo_err nf = {0};
    CHECK(store_failure_get(s, fid + 100, &nf) == NULL && strstr(nf.msg, "no failure"));
    cJSON *again = NULL;
    CHECK_INT(store_task_lease(s, run, "w2", 60000, &again, &err), 1);
    CHECK(again && num(again, "id") == id2 && num(again, "attempts") == 1);
    cJSON_Delete(again);
    CHECK_INT(store_task_fail(s, id2, "permanent", 1, &err), 0);
    cJSON *fails = store_failures_list(s, run, &err);
    CHECK_INT(cJSON_GetArraySize(fails), 1);
    CHECK_STR(str(cJSON_GetArrayItem(fails, 0), "failure_type"), "timing");
    cJSON_Delete(fails);

    /* Ctrl-C: running tasks go back to pending */
    CHECK_INT(store_run_reset_running(s, run, &err), 1);
    cJSON *back = NULL;
    CHECK_INT(store_task_lease(s, run, "w3", 60000, &back, &err), 1);
    CHECK(back && num(back, "id") == id3);
    cJSON_Delete(back);
    CHECK_INT(store_task_release(s, id3, "w3", &err), 0);

    r = store_run_get(s, run, &err);
    cJSON *c = cJSON_GetObjectItem(r, "counts");
    CHECK_INT(num(c, "completed"), 1);
    CHECK_INT(num(c, "failed"), 1);
    CHECK_INT(num(c, "pending"), 1);
    cJSON_Delete(r);

    cJSON *results = store_run_results(s, run, &err);
    CHECK_INT(cJSON_GetArraySize(results), 1);
    CHECK(results && num(cJSON_GetArrayItem(results, 0), "mar") == 1.75);
    cJSON_Delete(results);
    cJSON *all = store_run_tasks(s, run, &err);
    CHECK_INT(cJSON_GetArraySize(all), 3);
    cJSON_Delete(all);

    store_run_filter flt = {.search = "runner"};
    cJSON *runs = store_runs_list(s, &flt, &err);
    CHECK_INT(cJSON_GetArraySize(runs), 1);
    cJSON_Delete(runs);
    flt = (store_run_filter){.status = "completed"};
    runs = store_runs_list(s, &flt, &err);
    CHECK_INT(cJSON_GetArraySize(runs), 0);
    cJSON_Delete(runs);

    /* events: every change above left one, in order */
    cJSON *ev = store_events_after(s, 0, 0, &err);
    CHECK(cJSON_GetArraySize(ev) >= 8);
    CHECK_STR(str(cJSON_GetArrayItem(ev, 0), "kind"), "run_created");
    int completed = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, ev) if (!strcmp(str(e, "kind"), "task_completed")) completed++;
    CHECK_INT(completed, 1);
    int64_t last = store_events_last_id(s, &err);
    cJSON *none = store_events_after(s, last, 0, &err);
    CHECK_INT(cJSON_GetArraySize(none), 0);
    cJSON_Delete(none);
    cJSON_Delete(ev);

    cJSON_Delete(t1);
    cJSON_Delete(t2);
    cJSON_Delete(t3);
    cJSON_Delete(t4);
}

/* A task served from the result cache stores no trades of its own (500 rows a task would be
 * copied for nothing): its trade log is the one of the result it reuses, through any chain of
 * reuses, with the same trades_count. */
static void test_cached_trades(oo_store *s)
{
    oo_err err = {0};
    int64_t test_id = store_test_upsert(s, "https://optionomega.com/test/cache", NULL, &err);
    int64_t run = store_run_create(s, test_id, "cache", "sweep", NULL, 1, &err);
    cJSON *tasks = cJSON_Parse("[{\"values\":{\"delta\":5}},{\"values\":{\"delta\":5}},{\"values\":{\"delta\":5}}]");
    CHECK_INT(store_tasks_add(s, run, tasks, &err), 3);
    cJSON_Delete(tasks);
    int64_t rid[3] = {0};
    for (int i = 0; i < 3; i++) {
        cJSON *t = NULL;
        REQUIRE(store_task_lease(s, run, "w", 60000, &t, &err) == 1);
        char *res = i == 0 ? oo_strdup("{\"metrics\":{\"pl\":7,\"trades\":3},\"config_hash\":\"hc\"}")
                           : oo_asprintf("{\"metrics\":{\"pl\":7,\"trades\":3},\"config_hash\":\"hc\",\"cached_from\":%lld}",
                                         (long long)rid[i - 1]);
        cJSON *r = cJSON_Parse(res), *trades = i == 0 ? cJSON_Parse("[{\"P/L\":1},{\"P/L\":2},{\"P/L\":4}]") : NULL;
        rid[i] = store_task_complete(s, (int64_t)num(t, "id"), r, trades, &err);
        CHECK_MSG(rid[i] > 0, "%s", err.msg);
        cJSON_Delete(r);
        cJSON_Delete(trades);
        cJSON_Delete(t);
        free(res);
    }
    cJSON *orig = store_result_trades(s, rid[0], &err);
    REQUIRE(cJSON_GetArraySize(orig) == 3);
    for (int i = 1; i < 3; i++) {
        cJSON *tr = store_result_trades(s, rid[i], &err);
        CHECK_MSG(tr && cJSON_Compare(tr, orig, 1), "the cached result %d (reusing %lld) has %d trades", i,
                  (long long)rid[i - 1], cJSON_GetArraySize(tr));
        cJSON_Delete(tr);
    }
    cJSON_Delete(orig);
    cJSON *all = store_run_tasks(s, run, &err), *t;
    cJSON_ArrayForEach(t, all) CHECK_INT(num(t, "trades_count"), 3);
    cJSON_Delete(all);
    /* a result that does not exist has no trades, and no error */
    cJSON *none = store_result_trades(s, rid[2] + 1000, &err);
    CHECK(none && cJSON_GetArraySize(none) == 0);
    cJSON_Delete(none);
}

static void test_expired_lease_is_stolen(oo_store *s)
{
    oo_err err = {0};
    int64_t run = store_run_create(s, 0, NULL, "sweep", NULL, 1, &err);
    cJSON *tasks = cJSON_Parse("[{\"values\":{\"a\":1}}]");
    store_tasks_add(s, run, tasks, &err);
    cJSON_Delete(tasks);
    cJSON *t = NULL, *u = NULL;
    CHECK_INT(store_task_lease(s, run, "dead-engine", -1000000, &t, &err), 1); /* already expired */
    CHECK_INT(store_task_lease(s, run, "live-engine", 60000, &u, &err), 1);
    CHECK(t && u && num(t, "id") == num(u, "id"));
    CHECK_STR(str(u, "lease_owner"), "live-engine");
    cJSON_Delete(t);
    cJSON_Delete(u);
}

/* Adds a run with one task per duration, each leased and completed; then sets each task's
 * lease-to-result time (seconds) in the file the way a run of that pace would have left it.
 * cached[i]: task i's result came from the cache. Returns the run's id. */
static int64_t timed_run(oo_store *s, const char *path, const int *seconds, const int *cached, int n)
{
    oo_err err = {0};
    int64_t run = store_run_create(s, 0, NULL, "sweep", NULL, 1, &err);
    for (int i = 0; i < n; i++) {
        cJSON *tasks = cJSON_Parse("[{\"values\":{\"a\":1}}]");
        store_tasks_add(s, run, tasks, &err);
        cJSON_Delete(tasks);
        cJSON *t = NULL;
        REQUIRE(store_task_lease(s, run, "w", 60000, &t, &err) == 1);
        int64_t id = (int64_t)num(t, "id");
        cJSON_Delete(t);
        char res[128];
        snprintf(res, sizeof res, "{\"metrics\":{\"mar\":1}%s}", cached[i] ? ",\"cached_from\":null" : "");
        cJSON *r = cJSON_Parse(res);
        REQUIRE(store_task_complete(s, id, r, NULL, &err) > 0);
        cJSON_Delete(r);
        if (cached[i]) {   /* a result served by the cache points at the one it reuses */
            sqlite3 *db;
            sqlite3_open(path, &db);
            char sql[160];
            snprintf(sql, sizeof sql, "UPDATE results SET cached_from = (SELECT MIN(id) FROM results) WHERE task_id = %lld",
                     (long long)id);
            sqlite3_exec(db, sql, NULL, NULL, NULL);
            sqlite3_close(db);
        }
        sqlite3 *db;
        sqlite3_open(path, &db);
        char sql[200];
        snprintf(sql, sizeof sql, "UPDATE tasks SET started_at = '2025-03-01 10:00:00', "
                                  "completed_at = datetime('2025-03-01 10:00:00', '+%d seconds') WHERE id = %lld",
                 seconds[i], (long long)id);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_close(db);
    }
    return run;
}

/* The estimate's measure: backtests actually run, of the last runs that ran any. */
static void test_backtest_seconds(oo_store *s, const char *path)
{
    oo_err err = {0};
    const int a_s[] = {10, 30, 20, 99}, a_c[] = {0, 0, 0, 1};   /* the cached one is left out */
    const int b_s[] = {40, 60}, b_c[] = {0, 0};
    const int c_s[] = {5}, c_c[] = {1};                         /* a run served only by the cache */
    int64_t a = timed_run(s, path, a_s, a_c, 4), b = timed_run(s, path, b_s, b_c, 2);
    timed_run(s, path, c_s, c_c, 1);
    cJSON *rows = store_backtest_seconds(s, 10, &err);
    REQUIRE(rows != NULL);
    int na = 0, nb = 0;
    double sum_a = 0, sum_b = 0;
    cJSON *r;
    cJSON_ArrayForEach(r, rows) {
        if ((int64_t)num(r, "run_id") == a) { na++; sum_a += num(r, "seconds"); }
        else if ((int64_t)num(r, "run_id") == b) { nb++; sum_b += num(r, "seconds"); }
    }
    CHECK_INT(na, 3);
    CHECK_INT(nb, 2);
    CHECK(fabs(sum_a - 60) < 0.01 && fabs(sum_b - 100) < 0.01);
    CHECK_INT((int64_t)num(cJSON_GetArrayItem(rows, 0), "run_id"), b);   /* newest run first */
    cJSON_Delete(rows);
    rows = store_backtest_seconds(s, 1, &err);   /* the last run that ran a backtest: b */
    CHECK_INT(cJSON_GetArraySize(rows), 2);
    cJSON_Delete(rows);
}

/* A result read back whole, and its trades with only some fields (what the analysis reads). */
static void test_result_reads(oo_store *s)
{
    oo_err err = {0};
    int64_t test_id = store_test_upsert(s, "https://optionomega.com/test/reads", NULL, &err);
    int64_t run = store_run_create(s, test_id, "reads", "sweep", NULL, 1, &err);
    cJSON *tasks = cJSON_Parse("[{\"values\":{\"delta\":15}}]");
    CHECK_INT(store_tasks_add(s, run, tasks, &err), 1);
    cJSON_Delete(tasks);
    cJSON *t = NULL;
    CHECK_INT(store_task_lease(s, run, "w", 60000, &t, &err), 1);
    cJSON *res = cJSON_Parse("{\"metrics\":{\"pl\":7,\"trades\":2},\"raw_data\":{\"equity\":[[\"2024-01-02\",100007]]}}");
    cJSON *trades = cJSON_Parse("[{\"Date Opened\":\"2024-01-02\",\"P/L\":\"10.00\",\"Legs\":\"1 Jan 2 4700 P STO 1.2\"},"
                                "{\"Date Opened\":\"2024-01-03\",\"P/L\":-3,\"Strategy\":\"PCS, 16d\"}]");
    int64_t rid = store_task_complete(s, (int64_t)num(t, "id"), res, trades, &err);
    REQUIRE(rid > 0);
    cJSON *r = store_result_get(s, rid, &err);
    REQUIRE(r != NULL);
    CHECK_INT(num(r, "run_id"), run);
    CHECK_INT(num(cJSON_GetObjectItem(r, "values"), "delta"), 15);
    CHECK_INT(num(cJSON_GetObjectItem(r, "metrics"), "trades"), 2);
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "raw_data"), "equity")));
    cJSON_Delete(r);
    oo_err_clear(&err);
    CHECK(store_result_get(s, 999999, &err) == NULL && err.code == OO_E_INPUT && strstr(err.msg, "no result 999999"));
    cJSON *fields = cJSON_Parse("[\"P/L\",\"Strategy\",\"Nope\"]");
    cJSON *rows = store_result_trade_fields(s, rid, fields, &err);
    REQUIRE(rows != NULL);
    CHECK_INT(cJSON_GetArraySize(rows), 2);
    cJSON *a = cJSON_GetArrayItem(rows, 0), *b = cJSON_GetArrayItem(rows, 1);
    CHECK_STR(str(a, "P/L"), "10.00");
    CHECK(cJSON_GetObjectItem(a, "Legs") == NULL && cJSON_GetObjectItem(a, "Nope") == NULL && cJSON_GetObjectItem(a, "Strategy") == NULL);
    CHECK_INT(num(b, "P/L"), -3);
    CHECK_STR(str(b, "Strategy"), "PCS, 16d");
    cJSON_Delete(rows);
    cJSON_Delete(fields);
    fields = cJSON_Parse("[\"P/L\"]");
    rows = store_result_trade_fields(s, 999999, fields, &err);
    CHECK(rows && cJSON_GetArraySize(rows) == 0);
    cJSON_Delete(rows);
    cJSON_Delete(fields);
    fields = cJSON_Parse("[1]");
    oo_err_clear(&err);
    CHECK(store_result_trade_fields(s, rid, fields, &err) == NULL && err.code == OO_E_INPUT);
    cJSON_Delete(fields);
    cJSON_Delete(res);
    cJSON_Delete(trades);
    cJSON_Delete(t);
}

static void test_settings(oo_store *s)
{
    oo_err err = {0};
    CHECK(store_setting_get(s, "browsers", &err) == NULL);
    CHECK_INT(store_setting_set(s, "browsers", "2", &err), 0);
    CHECK_INT(store_setting_set(s, "browsers", "3", &err), 0);
    char *v = store_setting_get(s, "browsers", &err);
    CHECK_STR(v, "3");
    free(v);
    oo_err_clear(&err);
    CHECK(store_setting_set(s, "oo_password", "hunter2", &err) != 0);
}

/* A database at schema 2 (the timing baselines) holding step timings is migrated to the
 * latest: the rebuild of runs (migration 3) keeps every step timing, still joined to its run
 * and task, and their foreign keys hold and cascade from the rebuilt table. */
static void test_migrate_from_v2(void)
{
    char *path = db_path("store-migrate-v2");
    char *dir = oo_strdup(path);
    *strrchr(dir, '/') = '\0';
    oo_mkdir_p(dir, NULL);
    free(dir);
    sqlite3 *db;
    REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, store_schema_migration(1), NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(db, store_schema_migration(2), NULL, NULL, NULL) == SQLITE_OK);
    static const char fill[] =
        "PRAGMA user_version = 2;"
        "INSERT INTO tests(id, url) VALUES (1, 'https://optionomega.com/test/a');"
        "INSERT INTO runs(id, test_id, mode, config, status) VALUES (1, 1, 'sweep', '{}', 'completed'),"
        "  (2, 1, 'grid', '{}', 'running');"
        "INSERT INTO tasks(id, run_id, seq, parameter_values, status) VALUES (1, 1, 1, '{}', 'completed'),"
        "  (2, 2, 1, '{}', 'running');"
        "INSERT INTO step_timings(run_id, task_id, recording, step, step_type, ms) VALUES"
        "  (1, 1, 'open_test.json', 0, 'navigate', 310), (1, 1, 'open_test.json', 1, 'click', 42.5),"
        "  (2, 2, 'open_test.json', 0, 'navigate', 290);";
    char *msg = NULL;
    CHECK_MSG(sqlite3_exec(db, fill, NULL, NULL, &msg) == SQLITE_OK, "%s", msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(db);

    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (s) CHECK_INT(store_schema_version(s), STORE_SCHEMA_VERSION);
    cJSON *b = s ? store_step_baselines(s, "open_test.json", 0, 0, &err) : NULL;
    CHECK_MSG(b && cJSON_GetArraySize(b) == 2, "%s", err.msg);   /* steps 0 and 1, as before */
    cJSON_Delete(b);
    store_close(s);

    REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM step_timings"), 3);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM step_timings st JOIN runs r ON r.id = st.run_id"), 3);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    CHECK(sqlite3_exec(db, "INSERT INTO step_timings(run_id, recording, step, step_type, ms) VALUES (99, 'a.json', 0, 'click', 1)",
                       NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM runs WHERE id = 2", NULL, NULL, NULL) == SQLITE_OK);
    CHECK_INT(q_int(db, "SELECT COUNT(*) FROM step_timings"), 2);
    sqlite3_close(db);
    free(path);
}

/* Timing baselines. Expected figures by hand: step 1's durations 1..20 ms (run 1): nearest-rank
 * p50 = the 10th = 10, p95 = the 19th (ceil(0.95 x 20)) = 19, max 20; within a window of the
 * last 10 (11..20): p50 = the 5th = 15, p95 = the 10th = 20. */
static void test_step_timings(oo_store *s)
{
    oo_err err = {0};
    int64_t test_id = store_test_upsert(s, "https://optionomega.com/test/timing", NULL, &err);
    cJSON *cfg = cJSON_CreateObject();
    int64_t r1 = store_run_create(s, test_id, "t1", "sweep", cfg, 1, &err);
    int64_t r2 = store_run_create(s, test_id, "t2", "sweep", cfg, 1, &err);
    cJSON_Delete(cfg);
    for (int i = 1; i <= 20; i++) {
        char js[160];
        snprintf(js, sizeof js, "[{\"step\": 1, \"type\": \"click\", \"ms\": %d}, {\"step\": 2, \"type\": \"waitForElement\", \"ms\": 100}]", i);
        cJSON *t = cJSON_Parse(js);
        CHECK_MSG(store_step_times_add(s, r1, 0, "open_test.json", t, &err) == 0, "%s", err.msg);
        cJSON_Delete(t);
    }
    cJSON *b = store_step_baselines(s, "open_test.json", 0, 0, &err);
    CHECK_MSG(b && cJSON_GetArraySize(b) == 2, "%s", err.msg);
    cJSON *s1 = cJSON_GetArrayItem(b, 0);
    CHECK(num(s1, "step") == 1 && !strcmp(str(s1, "type"), "click") && num(s1, "n") == 20);
    CHECK(num(s1, "p50") == 10 && num(s1, "p95") == 19 && num(s1, "max") == 20);
    cJSON_Delete(b);
    b = store_step_baselines(s, "open_test.json", 0, 10, &err);
    s1 = cJSON_GetArrayItem(b, 0);
    CHECK(num(s1, "n") == 10 && num(s1, "p50") == 15 && num(s1, "p95") == 20);
    cJSON_Delete(b);
    b = store_step_baselines(s, "other.json", 0, 0, &err);
    CHECK(b && cJSON_GetArraySize(b) == 0);
    cJSON_Delete(b);

    /* run 2: step 1 takes 2 s (far over its p95 of 19 ms), step 2 as before: only step 1 flagged */
    for (int i = 0; i < 3; i++) {
        cJSON *t = cJSON_Parse("[{\"step\": 1, \"type\": \"click\", \"ms\": 2000}, {\"step\": 2, \"type\": \"waitForElement\", \"ms\": 110}]");
        CHECK(store_step_times_add(s, r2, 0, "open_test.json", t, &err) == 0);
        cJSON_Delete(t);
    }
    cJSON *slow = store_run_slow_steps(s, r2, 3, &err);
    CHECK_MSG(slow && cJSON_GetArraySize(slow) == 1, "%s", slow ? cJSON_PrintUnformatted(slow) : err.msg);
    cJSON *f = cJSON_GetArrayItem(slow, 0);
    CHECK(f && num(f, "step") == 1 && num(f, "p50") == 2000 && num(f, "baseline_p95") == 19 && num(f, "baseline_n") == 20);
    cJSON_Delete(slow);
    /* run 1 has no earlier runs: nothing to compare with, nothing flagged */
    slow = store_run_slow_steps(s, r1, 3, &err);
    CHECK(slow && cJSON_GetArraySize(slow) == 0);
    cJSON_Delete(slow);
    /* the baseline of run 2 excludes run 2 itself */
    b = store_step_baselines(s, "open_test.json", r2, 0, &err);
    CHECK(b && num(cJSON_GetArrayItem(b, 0), "max") == 20);
    cJSON_Delete(b);

    /* bad input: one clear error, nothing stored */
    cJSON *bad = cJSON_Parse("[{\"step\": 0, \"type\": \"click\", \"ms\": 3}, {\"step\": 1, \"ms\": 4}]");
    oo_err_clear(&err);
    CHECK(store_step_times_add(s, r2, 0, "bad.json", bad, &err) != 0 && strstr(err.msg, "bad.json"));
    cJSON_Delete(bad);
    b = store_step_baselines(s, "bad.json", 0, 0, &err);
    CHECK(b && cJSON_GetArraySize(b) == 0);
    cJSON_Delete(b);
}

/* ---- one engine per account ------------------------------------------------------------------- */

static int64_t new_run(oo_store *s, const char *name)
{
    oo_err err = {0};
    int64_t test_id = store_test_upsert(s, "https://optionomega.com/test/acct", NULL, &err);
    return store_run_create(s, test_id, name, "sweep", NULL, 1, &err);
}

/* "host:pid" of a process of this machine: this one, its parent (alive), one that exited. */
static void engine_name(char *buf, size_t n, long pid)
{
    char self[96];
    oo_engine_self(self, sizeof self);
    *strrchr(self, ':') = '\0';
    snprintf(buf, n, "%s:%ld", self, pid);
}

static long dead_pid(void)
{
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

static const char *status_of(oo_store *s, int64_t run)
{
    static char buf[32];
    oo_err err = {0};
    cJSON *r = store_run_get(s, run, &err);
    snprintf(buf, sizeof buf, "%s", r ? str(r, "status") : "?");
    cJSON_Delete(r);
    return buf;
}

static void age_engine(const char *path, int64_t run, int64_t ms)
{
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE runs SET engine_seen_at = engine_seen_at - %lld WHERE id = %lld", (long long)ms, (long long)run);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
}

static void test_account_queue(oo_store *s, const char *path)
{
    oo_err err = {0};
    char me[128], parent[128], dead[128];
    engine_name(me, sizeof me, (long)getpid());
    engine_name(parent, sizeof parent, (long)getppid());
    engine_name(dead, sizeof dead, dead_pid());
    int64_t r1 = new_run(s, "first"), r2 = new_run(s, "second"), r3 = new_run(s, "other account");
    cJSON *ahead = NULL;
    /* the parent works r1 for a@x; r2 of the same account waits behind it, r3 of b@x does not */
    CHECK_INT(store_run_claim(s, r1, "a@x", parent, STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_RUN);
    CHECK_STR(status_of(s, r1), "running");
    CHECK_INT(store_run_claim(s, r2, "a@x", me, 0, &ahead, &err), STORE_CLAIM_WAIT);
    CHECK_STR(status_of(s, r2), "pending");                  /* without F_WAIT nothing changes */
    CHECK_INT(num(ahead, "id"), r1);
    cJSON_Delete(ahead);
    CHECK_INT(store_run_claim(s, r2, "a@x", me, STORE_CLAIM_F_WAIT, &ahead, &err), STORE_CLAIM_WAIT);
    CHECK_STR(status_of(s, r2), "queued");
    CHECK_STR(ahead ? str(ahead, "engine") : NULL, parent);
    cJSON_Delete(ahead);
    CHECK_INT(store_run_claim(s, r3, "b@x", me, STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_RUN);
    /* r1 is worked by a live engine: nobody else takes it */
    CHECK_INT(store_run_claim(s, r1, "a@x", me, STORE_CLAIM_F_WAIT, &ahead, &err), STORE_CLAIM_ELSEWHERE);
    CHECK_STR(ahead ? str(ahead, "engine") : NULL, parent);
    cJSON_Delete(ahead);
    cJSON *holder = store_account_holder(s, "a@x", &err);
    CHECK_INT(holder ? num(holder, "id") : 0, r1);
    cJSON_Delete(holder);
    /* the queue's order: r4 joins after r2; when r1 ends, r4 still waits for r2, which runs */
    int64_t r4 = new_run(s, "fourth");
    CHECK_INT(store_run_claim(s, r4, "a@x", parent, STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_WAIT);
    CHECK_INT(store_run_set_status(s, r1, "completed", NULL, &err), 0);
    CHECK_INT(store_run_claim(s, r4, "a@x", parent, STORE_CLAIM_F_WAIT | STORE_CLAIM_F_AGAIN, &ahead, &err), STORE_CLAIM_WAIT);
    CHECK_INT(ahead ? num(ahead, "id") : 0, r2);
    cJSON_Delete(ahead);
    CHECK_INT(store_run_claim(s, r2, "a@x", me, STORE_CLAIM_F_WAIT | STORE_CLAIM_F_AGAIN, NULL, &err), STORE_CLAIM_RUN);
    CHECK_INT(store_run_heartbeat(s, r2, me, &err), 0);
    CHECK(store_run_heartbeat(s, r2, parent, &err) < 0 && strstr(err.msg, "no longer worked"));
    oo_err_clear(&err);
    /* a pause while waiting ends the wait */
    CHECK_INT(store_run_set_status(s, r4, "paused", NULL, &err), 0);
    CHECK_INT(store_run_claim(s, r4, "a@x", parent, STORE_CLAIM_F_WAIT | STORE_CLAIM_F_AGAIN, NULL, &err), STORE_CLAIM_GONE);
    CHECK_STR(status_of(s, r4), "paused");
    /* a dead holder (its process gone from this machine) is in nobody's way and reads interrupted */
    CHECK_INT(store_run_set_status(s, r2, "completed", NULL, &err), 0);
    int64_t r5 = new_run(s, "killed"), r6 = new_run(s, "after the killed one");
    CHECK_INT(store_run_claim(s, r5, "a@x", dead, STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_RUN);
    cJSON *r = store_run_get(s, r5, &err);
    CHECK_STR(r ? str(r, "status") : NULL, "interrupted");
    CHECK_STR(r ? str(r, "stored_status") : NULL, "running");
    CHECK(r && cJSON_IsFalse(cJSON_GetObjectItem(r, "engine_alive")));
    cJSON_Delete(r);
    CHECK_INT(store_run_claim(s, r6, "a@x", me, STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_RUN);
    /* another machine's engine is judged by its silence alone */
    CHECK_INT(store_run_set_status(s, r6, "completed", NULL, &err), 0);
    int64_t r7 = new_run(s, "elsewhere"), r8 = new_run(s, "after the silent one");
    CHECK_INT(store_run_claim(s, r7, "a@x", "another-machine:1", STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_RUN);
    CHECK_INT(store_run_claim(s, r8, "a@x", me, STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_WAIT);
    CHECK_STR(status_of(s, r7), "running");
    age_engine(path, r7, 61000);                         /* silent for longer than the default 60 s */
    CHECK_STR(status_of(s, r7), "interrupted");
    CHECK_INT(store_run_claim(s, r8, "a@x", me, STORE_CLAIM_F_WAIT | STORE_CLAIM_F_AGAIN, NULL, &err), STORE_CLAIM_RUN);
    store_set_engine_silence(s, 120000);
    CHECK_STR(status_of(s, r7), "running");
    store_set_engine_silence(s, 60000);
    /* the list filters by the status as read */
    store_run_filter f = {.status = "interrupted"};
    cJSON *list = store_runs_list(s, &f, &err), *e;
    int has5 = 0, has7 = 0, has9 = 0;
    cJSON_ArrayForEach(e, list) {
        has5 |= num(e, "id") == r5;
        has7 |= num(e, "id") == r7;
        has9 |= num(e, "id") == r3;     /* worked by this process: alive */
        CHECK_STR(str(e, "status"), "interrupted");
    }
    CHECK(has5 && has7 && !has9);
    cJSON_Delete(list);
    /* a run queued for an engine just started (the dashboard's) keeps its place; the engine's
     * own claim later finds it its own */
    CHECK_INT(store_run_set_status(s, r8, "completed", NULL, &err), 0);
    int64_t r9 = new_run(s, "from the dashboard");
    CHECK_INT(store_run_enqueue(s, r9, "a@x", me, &err), 1);
    CHECK_STR(status_of(s, r9), "queued");
    CHECK_INT(store_run_enqueue(s, r9, "a@x", me, &err), 0);
    CHECK_INT(store_run_claim(s, r9, "a@x", me, STORE_CLAIM_F_WAIT, NULL, &err), STORE_CLAIM_RUN);
    CHECK_INT(store_run_enqueue(s, r9, "a@x", me, &err), 0);     /* claimed already: left alone */
    CHECK_STR(status_of(s, r9), "running");
    /* each status change is an event the dashboard hears of */
    cJSON *evs = store_run_events(s, r9, "run_status", &err);
    CHECK_INT(cJSON_GetArraySize(evs), 2);
    cJSON_Delete(evs);
}

static void test_dashboards(oo_store *s)
{
    oo_err err = {0};
    char me[128], dead[128];
    engine_name(me, sizeof me, (long)getpid());
    engine_name(dead, sizeof dead, dead_pid());
    char *url = store_dashboard_url(s, &err);
    CHECK(url == NULL && !err.code);
    int64_t a = store_dashboard_add(s, "http://127.0.0.1:8001/", me, &err);
    CHECK(a > 0);
    CHECK(store_dashboard_add(s, "http://127.0.0.1:8002/", dead, &err) > 0);
    url = store_dashboard_url(s, &err);                    /* the newest live one */
    CHECK_STR(url, "http://127.0.0.1:8001/");
    free(url);
    CHECK_INT(store_dashboard_seen(s, a, &err), 0);
    CHECK_INT(store_dashboard_remove(s, a, &err), 0);
    url = store_dashboard_url(s, &err);
    CHECK(url == NULL);
    free(url);
}

int main(void)
{
    test_open_and_version();
    test_migrate_from_v0();
    test_migrate_from_v1();
    test_migrate_from_v2();
    char *path = db_path("store-crud");
    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    REQUIRE(s != NULL);
    test_tests_table(s);
    test_runs_and_tasks(s);
    test_cached_trades(s);
    test_expired_lease_is_stolen(s);
    test_result_reads(s);
    test_settings(s);
    test_step_timings(s);
    test_account_queue(s, path);
    test_dashboards(s);
    test_backtest_seconds(s, path);
    store_close(s);
    free(path);
    return tl_finish();
}
