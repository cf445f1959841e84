/* oo-sim: the OptionOmega stand-in's server. state.c keeps sessions, saved tests, backtests
 * and the fault plan; api.c answers HTTP; main.c reads the flags and runs h2o's event loop.
 * One process, one h2o loop thread; backtests compute on worker threads, which hand their
 * results back to the loop through a pipe (sim_state.done_pipe); --latency-ms is a timer on
 * the loop. Backtest records are only ever touched on the loop thread, so no request ever
 * waits on a computation. The state owns sessions, tests, backtests and their results. */
#ifndef OO_SIM_H
#define OO_SIM_H
#include <pthread.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <h2o.h>
#include "bt/bt.h"

/* F_DRIFT is not part of `all`, and drawn only when its rate is set: existing seeds keep their faults */
enum { F_SLOW, F_OVERLAY, F_STUCK, F_SESSION, F_ERROR, F_RATELIMIT, F_DROP, F_DRIFT, F_COUNT };
extern const char *const sim_fault_names[F_COUNT];

typedef struct sim_opts {
    const char *host;
    int port, latency_ms, ui_variant, session_max_backtests, session_ttl_s;
    int print_tests;            /* after the URL line, one line per saved test: URL TAB name */
    const char *password;
    double fault_rate[F_COUNT];
    int fault_limit;            /* > 0: at most that many faults fire in all, then none */
    uint64_t seed;
    char *ui_dir, *vendor_dir, *strategies_dir;
} sim_opts;

typedef struct sim_test {
    char id[16];
    char *name;
    char updated_at[32];        /* ISO 8601, from the file's "updatedAt" or its mtime */
    cJSON *config;
} sim_test;

/* What a backtest whose settings open no trade at all ends with (status error), every time:
 * OptionOmega's answer to a configuration that cannot trade (dates without a trading day, entry
 * conditions never met). */
#define SIM_NO_TRADES "No trades were found for these settings. Check your entry conditions and dates."

typedef struct sim_backtest {
    int n;                      /* bt_<n> */
    char test_id[16];
    int64_t received_ms;
    char received_at[32];       /* wall clock, ISO 8601 with milliseconds */
    char over_at[32];           /* when it stopped running (done, error, lost); "" while it runs */
    cJSON *config;              /* canonical */
    char *status;               /* running | done | error | lost | rejected */
    char *error;
    const char *fault;          /* the fault that fired, or NULL */
    char *result_json, *trades_json, *csv;
    int computed, polled_after_done;
    int ntrades;                /* trades the computed backtest opened: none is an error */
    int latency_over;           /* the --latency-ms timer fired (or there is no latency) */
    h2o_timeout_entry_t latency_entry;
} sim_backtest;

typedef struct sim_state {
    sim_opts opt;
    bt_market *market;
    pthread_mutex_t lock;       /* guards workers (the only thing worker threads share) */
    struct job *done_jobs;      /* finished computations, pushed by workers under the lock */
    int done_pipe[2];           /* a worker writes a byte after pushing: wakes the loop */
    h2o_loop_t *loop;
    h2o_socket_t *done_sock;
    h2o_timeout_t latency_timeout;
    pthread_cond_t idle;
    int workers;                /* backtests computing */
    int ntests;
    sim_test *tests;
    int nbt, capbt;
    sim_backtest **bt;
    struct sim_session { char token[40]; char *email; int64_t created_ms; int backtests; int valid; int doomed; } *sessions;
    int nsessions, capsessions;
    int log_start;              /* /__sim/backtests lists bt[log_start..]; POST /__sim/reset moves it */
    char base_url[80];          /* http://HOST:PORT (set by main once bound) */
    uint64_t rng;
    cJSON *fault_log;           /* every fault that fired, in order */
    int page_loads;             /* pages served whole (the app's shell): full loads since the last reset */
} sim_state;

int64_t sim_now_ms(void);
int sim_state_init(sim_state *s, char *err, size_t errlen);
void sim_state_free(sim_state *s);
/* true with probability rate, from the one seeded generator (call under the lock) */
int sim_fault(sim_state *s, int kind, const char *context);
double sim_rand(sim_state *s);

/* sessions (under the lock) */
const char *sim_session_new(sim_state *s, const char *email);
struct sim_session *sim_session_get(sim_state *s, const char *token);

const sim_test *sim_test_find(const sim_state *s, const char *id);
/* Starts a backtest for a test with a parsed config; returns it (owned by the state). */
sim_backtest *sim_backtest_start(sim_state *s, const sim_test *t, bt_config *cfg, const char *fault);
sim_backtest *sim_backtest_get(sim_state *s, int n);
/* On the loop thread: takes every finished computation into its backtest. */
void sim_backtests_collect(sim_state *s);
/* Blocks until no backtest computes (shutdown). */
void sim_state_wait_idle(sim_state *s);
/* Settles a running backtest once computed and its latency is over: done, error or lost. */
void sim_backtest_settle(sim_backtest *b);

/* Loop wiring (api.c): the pipe reader and the latency timer; detach before the loop dies. */
void sim_loop_attach(sim_state *s, h2o_loop_t *loop);
void sim_loop_detach(sim_state *s);

/* api.c: registers the routes on a host configuration. */
struct st_h2o_hostconf_t;
struct st_h2o_globalconf_t;
void sim_api_register(sim_state *s, struct st_h2o_globalconf_t *conf, struct st_h2o_hostconf_t *host);
#endif
