/* progress: the counts of a run as this engine knows them (loaded from the store once, then
 * moved by what this engine does: it never asks the store again for numbers it changed itself)
 * and the reports to the caller's progress callback. */
#include "run/internal.h"
#include "base/util.h"
#include "store/store.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static int count_of(const cJSON *c, const char *k) { return (int)cJSON_GetNumberValue(cJSON_GetObjectItem(c, k)); }

int run_counts_load(run_ctx *c)
{
    oo_err e = {0};
    cJSON *n = store_run_counts(c->st, c->run_id, &e);
    if (!n) return -1;
    c->counts = (run_counts){.total = count_of(n, "total"), .pending = count_of(n, "pending"),
                             .running = count_of(n, "running"), .completed = count_of(n, "completed"),
                             .failed = count_of(n, "failed"), .skipped = count_of(n, "skipped")};
    cJSON_Delete(n);
    return 0;
}

static int *slot(run_counts *k, const char *status)
{
    if (!status || !*status) return NULL;
    if (!strcmp(status, "pending")) return &k->pending;
    if (!strcmp(status, "running")) return &k->running;
    if (!strcmp(status, "completed")) return &k->completed;
    if (!strcmp(status, "failed")) return &k->failed;
    if (!strcmp(status, "skipped")) return &k->skipped;
    return NULL;
}

void run_counts_move(run_ctx *c, const char *from, const char *to, int n)
{
    int *a = slot(&c->counts, from), *b = slot(&c->counts, to);
    if (a) *a = *a - n < 0 ? 0 : *a - n;
    if (b) *b += n;
    if (!a) c->counts.total += n;
}

run_worker *run_worker_find(run_ctx *c, const char *name)
{
    for (int i = 0; i < c->nworkers; i++)
        if (!strcmp(c->workers[i].name, name)) return &c->workers[i];
    if (c->nworkers == RUN_MAX_WORKERS) return NULL;
    run_worker *w = &c->workers[c->nworkers++];
    memset(w, 0, sizeof *w);
    snprintf(w->name, sizeof w->name, "%s", name);
    return w;
}

void run_report(run_ctx *c, int final)
{
    if (!c->o.on_progress) return;
    run_progress p = {
        .run_id = c->run_id, .total = c->counts.total > c->planned ? c->counts.total : c->planned,
        .completed = c->counts.completed, .failed = c->counts.failed, .skipped = c->counts.skipped,
        .done_before = c->done_before, .elapsed_ms = oo_now_ms() - c->started_ms,
        .nworkers = c->nworkers, .workers = c->workers, .final = final,
        .waiting_for = c->waiting_for, .waiting_engine = c->waiting_engine,
    };
    c->o.on_progress(c->o.progress_ud, &p);
}
