/* run internals: the state of one execution (run_ctx), shared by run.c (its lifecycle: start,
 * the engine's tick, the outcome), account.c (one engine per account: the wait for its turn),
 * queue.c (the `q` object Lua's runner works with) and progress.c (the counts this engine
 * keeps in memory, and the reports to the caller). */
#ifndef OO_RUN_INTERNAL_H
#define OO_RUN_INTERNAL_H
#include "run/run.h"
#include <lua.h>
#include <stdint.h>

struct oo_store;
struct oo_script;
struct cdp_watch;
struct cdp_timer;
struct cJSON;

#define RUN_MAX_WORKERS 16

typedef struct run_held { int64_t task_id; int attempts, retries; char owner[128]; } run_held;

typedef struct run_counts { int total, pending, running, completed, failed, skipped; } run_counts;

typedef struct run_ctx {
    struct oo_store *st;
    struct oo_script *sc;
    int64_t run_id, test_id;
    run_opts o;
    char owner_base[96];           /* host:pid, the prefix of every lease this engine takes */
    char *artifacts_dir;
    run_held *held;                /* the leases this engine holds */
    int nheld, cap;
    volatile int stop;             /* leave the loop now (a signal) */
    const char *stop_reason;       /* paused | cancelled | interrupted, seen by q:stopping() */
    struct cdp_watch *sigwatch;
    struct cdp_timer *tick;
    run_counts counts;             /* kept in memory: loaded once, moved by this engine */
    int planned;                   /* the run's task count as planned (all stages) */
    int done_before;
    int64_t started_ms;
    run_worker workers[RUN_MAX_WORKERS];
    int nworkers;
    int qref;                      /* registry ref of the q userdata, to cut it loose at the end */
    int64_t waiting_for;           /* while it waits for the account: the run in the way */
    char waiting_engine[96];       /* and the engine that holds it */
    int lost;                      /* another engine took the run over: leave its status alone */
} run_ctx;

/* queue.c */
void run_queue_push(lua_State *L, run_ctx *c, const struct cJSON *run, const char *script);
void run_queue_detach(lua_State *L, run_ctx *c);
void run_release_all(run_ctx *c);

/* account.c */
/* Claims the run for the account, waiting in its queue when another engine works it: 0 when
 * the run is this engine's (status running), else the outcome that ended the wait (RUN_PAUSED,
 * RUN_CANCELLED, RUN_INTERRUPTED, RUN_BUSY, RUN_ELSEWHERE: err says why), or -1 with err. */
int run_wait_turn(run_ctx *c, oo_err *err);
/* The engine still works the run (from the tick); when another engine took it over, the run
 * stops here. */
void run_account_heartbeat(run_ctx *c);

/* progress.c */
int run_counts_load(run_ctx *c);
/* A task moved from one status to another in this engine ("" for none: added). */
void run_counts_move(run_ctx *c, const char *from, const char *to, int n);
void run_report(run_ctx *c, int final);
run_worker *run_worker_find(run_ctx *c, const char *name);
#endif
