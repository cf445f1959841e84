/* web: the dashboard's server. h2o (its own event loop) in a thread of its own serves the REST
 * API under /api/, the WebSocket event stream at /ws, and the static front end (web/ and the
 * allowed packages of vendor/node_modules). It reads the store through its own connection and
 * tails the events table, so runs driven by another process show up exactly like its own.
 *
 * web/ uses store/ and the run engine's command seam only: starting a run is the caller's
 * start_run callback (called on the web thread; it checks the spec, creates the run, starts an
 * engine for it and returns quickly), resuming one its resume_run callback (an engine for a
 * stored run). Pause and cancel write the run's status through the store, which the engine
 * working on the run polls, in this process or another.
 *
 * While it serves, the server keeps a record of itself in the store (dashboards: its URL and
 * its process, renewed every 5 s, removed when it stops), so that a command working on the same
 * database can say where to watch; /runs/N sends the browser to that run's page.
 *
 * Ownership: web_start copies every string and JSON of the options; the caller keeps its own.
 * The web_server owns its loop, sockets and store handle; web_stop releases them all. Its thread
 * then parks for the rest of the process instead of ending, so that h2o's per-thread cache of
 * memory-pool chunks stays h2o's (server.c says why).
 */
#ifndef OO_WEB_H
#define OO_WEB_H
#include <cjson/cJSON.h>
#include <stdint.h>
#include "base/err.h"

typedef struct web_server web_server;

/* Starts a run from a spec (the JSON body of POST /api/runs, an object): checks it exactly as
 * `oo-automator run` checks its input (web/ checks nothing of a spec itself), creates the run
 * and has an engine execute it. Returns the new run's id, or -1 with err: OO_E_INPUT or
 * OO_E_USAGE (the spec is wrong) is answered 400 with err's message, the one the command line
 * prints; anything else 500. */
typedef int64_t (*web_start_run_fn)(void *ud, const cJSON *spec, oo_err *err);
/* Resumes a stored run that no engine works (paused, interrupted, failed with work left): has an
 * engine execute it (it takes its turn on the account like any run). 0, or -1 with err (500). */
typedef int (*web_resume_run_fn)(void *ud, int64_t run_id, oo_err *err);
/* Estimates a run spec before it starts (POST /api/estimate): checks it as start_run does (the
 * same check, the same messages) and returns a new JSON object the server sends and frees
 * ({backtests, summary, minutes, text, ...}), or NULL with err filled (OO_E_INPUT/OO_E_USAGE:
 * answered 400 with err's message; anything else 500). */
typedef cJSON *(*web_estimate_fn)(void *ud, const cJSON *spec, oo_err *err);

/* The analysis of a run (kind "run", goal may be NULL) or of a result (kind "result") as JSON
 * text (malloc'd, the server frees it), or NULL with err filled (OO_E_USAGE/OO_E_INPUT: the
 * request is wrong, answered 400). Called on the web thread: it must stay bounded. */
typedef char *(*web_analysis_fn)(void *ud, const char *kind, int64_t id, const char *goal, oo_err *err);

typedef struct web_opts {
    const char *host;            /* NULL = 127.0.0.1 */
    int port;                    /* 0 = a free port (see web_port) */
    const char *token;           /* required (and then checked) when host is not loopback */
    const char *db_path;         /* the store */
    const char *data_dir;        /* failure artifacts and the password file; may be NULL */
    const char *web_dir;         /* the front end (web/) */
    const char *vendor_dir;      /* vendor/node_modules; may be NULL */
    const char *parameters_json; /* {"parameters": [...schemas], "errors": [...]}; may be NULL */
    const char *metrics_json;    /* the one list of metrics (lua/oo/metrics.lua's public()): GET
                                    /api/metrics, the CSV export's columns; may be NULL */
    const cJSON *settings_defaults; /* what GET /api/settings shows for unset keys; may be NULL */
    web_start_run_fn start_run;  /* NULL: POST /api/runs answers 503 */
    web_resume_run_fn resume_run;/* NULL: POST /api/runs/{id}/resume answers 503 */
    void *start_run_ud;          /* for start_run, resume_run and estimate */
    web_estimate_fn estimate;    /* NULL: POST /api/estimate answers 503; called with start_run_ud */
    web_analysis_fn analysis;    /* NULL: the analysis endpoints answer 503 */
    void *analysis_ud;
    int poll_ms;                 /* how often the events table is tailed; 0 = 100 */
    int64_t engine_silence_ms;   /* how long an engine may stay silent before its run reads
                                    "interrupted" (store_set_engine_silence); 0 = the store's default */
    int ws_ping_ms;              /* a live stream silent this long is pinged, and closed when
                                    still silent as long again; 0 = 20000 */
} web_opts;

/* Binds the socket, opens the store and starts the server thread. NULL + err on failure. */
web_server *web_start(const web_opts *opts, oo_err *err);
/* The port actually bound. */
int web_port(const web_server *w);
/* The URL it serves ("http://127.0.0.1:8000/"), owned by the server. */
const char *web_url(const web_server *w);
/* Stops accepting, closes every connection, waits until the thread disposed of the server and
 * frees everything. */
void web_stop(web_server *w);

/* The settings the dashboard edits (stored in the settings table) and the password, which is
 * kept in <data_dir>/password (mode 0600), never in the database and never sent back. */
char *web_password_path(const char *data_dir);
#endif
