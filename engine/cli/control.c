/* pause, resume and retry: work from any terminal, through the store (the engine running the
 * run watches its status). */
#include "cli/commands.h"
#include "base/config.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>

const cli_opt cli_pause_opts[] = {
    {"run-id", 0, "N", "the run to pause (required)"},
    {0},
};
const cli_opt cli_resume_opts[] = {
    {"run-id", 0, "N", "the run to continue (required)"},
    {"browsers", 0, "N", "browsers to use (default: the run's, or OO_BROWSERS)"},
    {"headed", 0, NULL, "show the browser windows"},
    {"no-cache", 0, NULL, "run every backtest even when the same configuration was computed before"},
    {"no-wait", 0, NULL, "when another run works the same account, refuse (exit 75) instead of waiting"},
    {0},
};

const cli_opt cli_retry_opts[] = {
    {"run-id", 0, "N", "the run whose failed tasks get one more round (required)"},
    {"browsers", 0, "N", "browsers to use (default: the run's, or OO_BROWSERS)"},
    {"headed", 0, NULL, "show the browser windows"},
    {"no-cache", 0, NULL, "run every backtest even when the same configuration was computed before"},
    {"no-wait", 0, NULL, "when another run works the same account, refuse (exit 75) instead of waiting"},
    {0},
};

static long run_id_of(cli_args *a)
{
    long id = 0;
    int rc = cli_get_int(a, "run-id", 1, 2147483647L, &id);
    if (rc < 0) return -1;
    if (rc == 0) { cli_usage_error(a->command, "--run-id N is required"); return -1; }
    return id;
}

int cli_cmd_pause(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long id = run_id_of(a);
    if (id < 0) return 2;
    oo_store *s = cli_open_store();
    if (!s) return 1;
    oo_err err = {0};
    cJSON *run = store_run_get(s, id, &err);
    int rc = 0;
    if (!run) rc = cli_fail("%s", err.msg);
    else {
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(run, "status"));
        if (!strcmp(st, "paused")) { if (!oo_cfg()->json) printf("run %ld is already paused\n", id); }
        else if (strcmp(st, "running") && strcmp(st, "pending") && strcmp(st, "queued") && strcmp(st, "interrupted"))
            rc = cli_fail("run %ld is %s: only a pending, queued, running or interrupted run can be paused", id, st);
        else if (store_run_set_status(s, id, "paused", NULL, &err) != 0) rc = cli_fail("%s", err.msg);
        else if (!oo_cfg()->json) printf("run %ld paused: backtests in flight finish, no new ones start; "
                                         "`oo-automator resume --run-id %ld` continues it\n", id, id);
        cJSON_Delete(run);
        if (rc == 0 && oo_cfg()->json) cli_print_json(store_run_get(s, id, &err));
    }
    store_close(s);
    return rc;
}

/* resume and retry: --run-id and the session (browsers, headless, cache, waiting) to execute the
 * run in. -1 with *id and *s ready, or the exit status of a usage error or a failed open. */
static int open_for_run(cli_args *a, long *id, cli_session *s)
{
    long browsers = 0;
    if ((*id = run_id_of(a)) < 0) return 2;
    if (cli_get_int(a, "browsers", 1, 8, &browsers) < 0) return 2;
    int rc = cli_session_open(s, (int)browsers, cli_headless(a), cli_has(a, "no-cache"), cli_has(a, "no-wait"));
    return rc != 0 ? rc : -1;
}

int cli_cmd_retry(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long id;
    cli_session s;
    int rc = open_for_run(a, &id, &s);
    if (rc >= 0) return rc;
    rc = 0;
    oo_err err = {0};
    int n = run_retry_failed(s.st, id, &err);
    if (n < 0) rc = cli_fail("%s", err.msg);
    else if (n == 0) fprintf(stderr, "run %ld has no failed task: nothing to retry\n", id);
    else {
        fprintf(stderr, "run %ld: %d failed task%s back in the queue for one more round\n", id, n, n == 1 ? "" : "s");
        rc = cli_session_execute(&s, id);
    }
    cli_session_close(&s);
    return rc;
}

int cli_cmd_resume(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long id;
    cli_session s;
    int rc = open_for_run(a, &id, &s);
    if (rc >= 0) return rc;
    rc = 0;
    oo_err err = {0};
    cJSON *run = store_run_get(s.st, id, &err);
    const char *st = run ? cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")) : NULL;
    if (!run) rc = cli_fail("%s", err.msg);
    else if (!strcmp(st, "completed") || !strcmp(st, "cancelled")) rc = cli_fail("run %ld is %s: nothing to resume", id, st);
    else rc = cli_session_execute(&s, id);   /* what was stored: its spec, its script's text */
    cJSON_Delete(run);
    cli_session_close(&s);
    return rc;
}
