/* The store under concurrency and crashes, with real processes on a real file:
 * - two processes leasing the same run never get the same task;
 * - a reader reads consistent snapshots while a writer writes (WAL);
 * - a process killed with SIGKILL in the middle of a write loop leaves a consistent database:
 *   integrity_check ok, every completed task has exactly one result and all its trades, and
 *   an event for it. */
#include "testlib.h"
#include "store/store.h"
#include "base/util.h"
#include "base/buf.h"
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define TASKS 300
#define TRADES_PER_RESULT 5

static int64_t make_run(const char *path, int ntasks)
{
    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    if (!s) { fprintf(stderr, "%s\n", err.msg); exit(2); }
    int64_t run = store_run_create(s, 0, "durability", "sweep", NULL, 2, &err);
    cJSON *tasks = cJSON_CreateArray();
    for (int i = 0; i < ntasks; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON *v = cJSON_AddObjectToObject(t, "values");
        cJSON_AddNumberToObject(v, "delta", i);
        cJSON_AddItemToArray(tasks, t);
    }
    if (store_tasks_add(s, run, tasks, &err) != ntasks) { fprintf(stderr, "%s\n", err.msg); exit(2); }
    cJSON_Delete(tasks);
    store_close(s);
    return run;
}

/* A worker process: lease and complete tasks until none is left; writes the ids it leased to
 * fd. Exits 0. */
static void worker(const char *path, int64_t run, const char *owner, int fd)
{
    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    if (!s) _exit(3);
    for (;;) {
        cJSON *t = NULL;
        int rc = store_task_lease(s, run, owner, 60000, &t, &err);
        if (rc < 0) { fprintf(stderr, "lease: %s\n", err.msg); _exit(4); }
        if (rc == 0) break;
        int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id"));
        cJSON_Delete(t);
        if (write(fd, &id, sizeof id) != sizeof id) _exit(5);
        cJSON *res = cJSON_CreateObject();
        cJSON *m = cJSON_AddObjectToObject(res, "metrics");
        cJSON_AddNumberToObject(m, "pl", (double)id);
        cJSON *trades = cJSON_CreateArray();
        for (int k = 0; k < TRADES_PER_RESULT; k++) {
            cJSON *tr = cJSON_CreateObject();
            cJSON_AddNumberToObject(tr, "n", k);
            cJSON_AddItemToArray(trades, tr);
        }
        if (store_task_complete(s, id, res, trades, &err) < 0) { fprintf(stderr, "%s\n", err.msg); _exit(6); }
        cJSON_Delete(res);
        cJSON_Delete(trades);
    }
    store_close(s);
    _exit(0);
}

static void test_concurrent_leases(void)
{
    char *dir = tl_tmpdir("store-lease");
    char *path = oo_path_join(dir, "oo.db");
    int64_t run = make_run(path, 200);
    int pipes[2][2];
    pid_t pids[2];
    for (int w = 0; w < 2; w++) {
        if (pipe(pipes[w]) != 0) { perror("pipe"); exit(2); }
        pids[w] = fork();
        if (pids[w] == 0) {
            close(pipes[w][0]);
            worker(path, run, w ? "engine-b" : "engine-a", pipes[w][1]);
        }
        close(pipes[w][1]);
    }
    static unsigned char seen[100000];
    int total = 0, dup = 0;
    for (int w = 0; w < 2; w++) {
        int64_t id;
        while (read(pipes[w][0], &id, sizeof id) == sizeof id) {
            if (id > 0 && id < 100000) { if (seen[id]++) dup++; }
            total++;
        }
        close(pipes[w][0]);
        int st = 0;
        waitpid(pids[w], &st, 0);
        CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d exit %d", w, WEXITSTATUS(st));
    }
    CHECK_INT(total, 200);
    CHECK_INT(dup, 0);
    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    cJSON *r = store_run_get(s, run, &err);
    CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "counts"), "completed")), 200);
    cJSON_Delete(r);
    store_close(s);
    free(path);
    free(dir);
}

/* Checks the invariants straight in SQL (the test may read the file however it likes). */
static void check_consistent(const char *path, int *completed_out)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) { CHECK(!"open"); return; }
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "ok"));
    sqlite3_finalize(st);
    const char *q[] = {
        /* completed tasks without exactly one result */
        "SELECT COUNT(*) FROM tasks t WHERE t.status = 'completed' AND "
        "(SELECT COUNT(*) FROM results r WHERE r.task_id = t.id) <> 1",
        /* results of tasks that are not completed */
        "SELECT COUNT(*) FROM results r JOIN tasks t ON t.id = r.task_id WHERE t.status <> 'completed'",
        /* results with a partial set of trades */
        "SELECT COUNT(*) FROM results r WHERE (SELECT COUNT(*) FROM trades WHERE result_id = r.id) <> 5",
        /* completed tasks without their event */
        "SELECT COUNT(*) FROM tasks t WHERE t.status = 'completed' AND NOT EXISTS (SELECT 1 FROM events e "
        "WHERE e.kind = 'task_completed' AND json_extract(e.payload, '$.task_id') = t.id)",
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        sqlite3_prepare_v2(db, q[i], -1, &st, NULL);
        CHECK_MSG(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0, "invariant %zu broken: %d",
                  i, sqlite3_column_int(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM tasks WHERE status = 'completed'", -1, &st, NULL);
    sqlite3_step(st);
    if (completed_out) *completed_out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_reader_while_writer(void)
{
    char *dir = tl_tmpdir("store-rw");
    char *path = oo_path_join(dir, "oo.db");
    int64_t run = make_run(path, TASKS);
    int devnull[2];
    if (pipe(devnull) != 0) exit(2);
    pid_t pid = fork();
    if (pid == 0) { close(devnull[0]); worker(path, run, "writer", devnull[1]); }
    close(devnull[1]);
    /* read snapshots until the writer is done: completed count never goes down and every
     * completed task visible in a snapshot has its result in that same snapshot */
    oo_err err = {0};
    oo_store *s = store_open(path, &err);
    int last = 0, reads = 0, bad = 0;
    int64_t buf;
    for (;;) {
        ssize_t n = read(devnull[0], &buf, sizeof buf);   /* paced by the writer's progress */
        store_begin(s, &err);  /* one snapshot for both queries */
        cJSON *r = store_run_get(s, run, &err);
        cJSON *res = store_run_results(s, run, &err);
        store_commit(s, &err);
        int completed = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "counts"), "completed"));
        if (completed < last || completed != cJSON_GetArraySize(res)) bad++;
        last = completed;
        reads++;
        cJSON_Delete(r);
        cJSON_Delete(res);
        if (n <= 0) break;
    }
    close(devnull[0]);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_INT(bad, 0);
    CHECK_INT(last, TASKS);
    CHECK(reads > 10);
    store_close(s);
    check_consistent(path, NULL);
    free(path);
    free(dir);
}

static void test_kill_during_writes(void)
{
    char *dir = tl_tmpdir("store-kill");
    char *path = oo_path_join(dir, "oo.db");
    int64_t run = make_run(path, TASKS);
    srand((unsigned)getpid());
    for (int round = 0; round < 3; round++) {
        int p[2];
        if (pipe(p) != 0) exit(2);
        pid_t pid = fork();
        if (pid == 0) { close(p[0]); worker(path, run, "victim", p[1]); }
        close(p[1]);
        /* let it lease a random number of tasks, then kill it mid-flight */
        int target = 5 + rand() % 40, got = 0;
        int64_t id;
        while (got < target && read(p[0], &id, sizeof id) == sizeof id) got++;
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        close(p[0]);
        int completed = 0;
        check_consistent(path, &completed);
        /* resume: running tasks back to pending, as `oo-automator resume` does */
        oo_err err = {0};
        oo_store *s = store_open(path, &err);
        CHECK_MSG(s != NULL, "%s", err.msg);
        store_run_reset_running(s, run, &err);
        store_close(s);
    }
    /* finish the run and check every task completed exactly once */
    int p[2];
    if (pipe(p) != 0) exit(2);
    pid_t pid = fork();
    if (pid == 0) { close(p[0]); worker(path, run, "finisher", p[1]); }
    close(p[1]);
    int64_t id;
    while (read(p[0], &id, sizeof id) == sizeof id) {}
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    int completed = 0;
    check_consistent(path, &completed);
    CHECK_INT(completed, TASKS);
    free(path);
    free(dir);
}

int main(void)
{
    test_concurrent_leases();
    test_reader_while_writer();
    test_kill_during_writes();
    return tl_finish();
}
