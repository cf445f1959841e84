/* seed: fills a real store through store functions the way the run engine would (tests, runs,
 * tasks leased and completed or failed, results, trades, failures with artifact files in the
 * data directory), for the dashboard's tests. */
#ifndef OO_TEST_WEB_SEED_H
#define OO_TEST_WEB_SEED_H
#include "store/store.h"

typedef struct seed_ids {
    int64_t test1, test2;              /* test1's name holds HTML (escaping checks) */
    int64_t sweep_run;                 /* completed: delta 5..14, 9 results, 1 failed task */
    int64_t grid_run;                  /* completed: delta {5,10,15} x profit_target {10,20,30} */
    int64_t staged_run;                /* completed: delta 5..9, then profit_target 10..30 at the best delta */
    int64_t live_run;                  /* running: delta 20..29, 3 completed, 7 pending, held by the
                                          engine seed_engine names */
    int64_t failure_id;                /* with a screenshot and an HTML snapshot in the data dir */
    int64_t outside_failure_id;        /* its screenshot path points outside the data dir */
    int64_t result_id;                 /* a result with 3 trades */
} seed_ids;

#define SEED_TEST1_NAME "Put <b>Credit</b> Spread <img src=x onerror=\"window.__xss=1\">"
extern const unsigned char seed_png[];
extern const size_t seed_png_len;

int seed_fill(oo_store *s, const char *data_dir, seed_ids *ids, oo_err *err);
/* The engine that works the seeded running runs ("host:pid"): the process that started this
 * one (the test driver), alive as long as the test runs, so the runs read "running". */
void seed_engine(char *buf, size_t n);
/* Marks run running, worked by seed_engine (store_run_claim). */
int seed_claim(oo_store *s, int64_t run, oo_err *err);
/* Leases the next pending task of run and completes it with the metrics of its values (the
 * events task_started and task_completed are appended). 1 done, 0 none left, -1 error. */
int seed_complete_next(oo_store *s, int64_t run_id, oo_err *err);
/* Two completed searches of test, each in two stages with the engine's stage_best events
 * (judged by MAR): an optimize run whose best is in its second batch (delta 7; its first
 * batch's is delta 3), and a halving run whose rungs both find delta 7 (the answer: the full
 * period's, dates 2020-01-02..2024-12-31). 0, or -1 with err. */
int seed_searches(oo_store *s, int64_t test, int64_t *optimize, int64_t *halving, oo_err *err);
/* Metrics for a value (deterministic, a hill with a top near delta 9). */
cJSON *seed_metrics(double x, double y);
#endif
