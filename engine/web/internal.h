/* web internals: the server state shared by server.c (thread, loop, connections, auth),
 * http.c (request and response helpers), api.c (REST), ws.c (WebSocket and the events tail),
 * files.c (static files and failure artifacts), settings.c and analysis.c. Everything here runs on the web
 * thread, except web_start/web_stop. */
#ifndef OO_WEB_INTERNAL_H
#define OO_WEB_INTERNAL_H
#include "web/web.h"
#include "store/store.h"
#include <h2o.h>
#include <h2o/websocket.h>
#include <stdarg.h>
#include <stdatomic.h>

#define WEB_MAX_BODY (1024 * 1024)            /* larger bodies: 413 with a JSON error */
#define WEB_MAX_CONNS 256                      /* more at once are closed on accept */
#define WEB_MAX_CONNS_PER_ADDR 128             /* one client address never takes them all */
#define WEB_MAX_WS 64                          /* live streams at once: the other connections */
                                               /* are always there for plain requests */
#define WEB_MAX_WS_PER_ADDR 16                 /* live streams of one client address */
#define WEB_WS_PING_MS 20000                   /* a stream silent this long is pinged; closed */
                                               /* when still silent as long again */
#define WEB_H2O_MAX_BODY WEB_MAX_BODY          /* h2o reads no more than that of a body: past it, */
                                               /* its own 413 (made JSON), connection closed */
#define WEB_MAX_ARTIFACT (64 * 1024 * 1024)    /* a failure's screenshot, HTML or network log */
/* A browser gives a WebSocket no header of its own but Sec-WebSocket-Protocol: the dashboard
 * offers WEB_WS_PROTOCOL (the one the server answers with) and, when the server has a token,
 * WEB_WS_TOKEN_PREFIX followed by the token's bytes in hex (a protocol name is an HTTP token). */
#define WEB_WS_PROTOCOL "oo-dashboard"
#define WEB_WS_TOKEN_PREFIX "oo-token."

typedef struct web_conn {          /* an accepted socket, until h2o closes it */
    h2o_socket_t *sock;
    char addr[64];                 /* the client's address, without its port */
    struct web_server *w;
    struct web_conn *prev, *next;
} web_conn;

typedef struct web_ws {            /* a WebSocket client of the events stream */
    h2o_websocket_conn_t *conn;
    struct web_server *w;
    int64_t sent_upto;             /* the last event id sent to it */
    char addr[64];                 /* the client's address, without its port */
    int64_t heard_ms;              /* when it last sent anything (a pong included) */
    int64_t pinged_ms;             /* when it was pinged after falling silent; 0: not */
    struct web_ws *prev, *next;
} web_ws;

struct web_server {
    /* options, copied */
    char *host, *token, *db_path, *data_dir, *web_dir, *vendor_dir, *parameters_json, *metrics_json, *modes_json;
    cJSON *settings_defaults;
    web_start_run_fn start_run;
    web_resume_run_fn resume_run;
    void *start_run_ud;
    web_estimate_fn estimate;
    web_analysis_fn analysis;
    void *analysis_ud;
    int poll_ms;
    int ws_ping_ms;
    int loopback;                  /* host is a loopback address */
    char url[128];

    oo_store *store;               /* the web thread's own connection */
    int listen_fd, port;
    int wake_pipe[2];
    atomic_int stop;                /* set by web_stop, read by the loop */
    pthread_t thread;
    int thread_started;
    pthread_mutex_t done_mu;       /* the thread says the server is disposed of (then parks) */
    pthread_cond_t done_cv;
    int done, sync_init;

    h2o_globalconf_t conf;
    h2o_context_t ctx;
    h2o_evloop_t *loop;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener, *wake_sock;
    web_conn *conns;
    int nconns;
    web_ws *clients;
    int nclients;
    h2o_timeout_t tail_timeout;
    h2o_timeout_entry_t tail_entry;
    int64_t last_event_id;         /* the events table's tail, as far as broadcast */
    int64_t record_id;             /* this dashboard's row in the store's dashboards */
    int64_t record_seen_ms;        /* when it was last renewed (every 5 s, from the tail) */
};

typedef struct web_handler {
    h2o_handler_t super;
    struct web_server *w;
} web_handler;

/* ---- http.c ---------------------------------------------------------------------------- */
int web_method_is(h2o_req_t *req, const char *m);
/* The request path without the query (raw, not decoded), NUL-terminated in the pool. */
char *web_path(h2o_req_t *req);
/* A query parameter, percent-decoded, in the pool; NULL when absent. */
const char *web_query(h2o_req_t *req, const char *name);
/* Whether every escape of the query string decodes (and none is a NUL). */
int web_query_valid(h2o_req_t *req);
/* A request header's value, NUL-terminated in the pool; NULL when absent. */
const char *web_header(h2o_req_t *req, const char *name);
/* The items of a comma-separated request header, every occurrence of it, each trimmed of
 * spaces: fn(item, len, ud) until it returns non-zero. That value, or 0. */
int web_header_items(h2o_req_t *req, const char *name, int (*fn)(const char *item, size_t len, void *ud), void *ud);
/* Percent-decodes s (and '+' as space when plus is set) into the pool; NULL when malformed
 * (a bad escape or an encoded NUL). */
char *web_decode(h2o_req_t *req, const char *s, size_t len, int plus);
void web_add_header(h2o_req_t *req, const char *name, const char *value);
void web_send(h2o_req_t *req, int status, const char *type, const char *body, size_t len);
/* Sends v (and deletes it). */
int web_send_json(h2o_req_t *req, int status, cJSON *v);
/* {"error": msg}. Returns 0 (the request is handled). */
int web_send_error(h2o_req_t *req, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int web_send_405(h2o_req_t *req, const char *allow);
/* The body as JSON (an object or array); NULL after answering 400/413/415. */
cJSON *web_body_json(h2o_req_t *req);
/* A positive id from a path segment or query value; 0 when it is not one. */
int64_t web_parse_id(const char *s);
const char *web_reason(int status);

/* ---- api.c ----------------------------------------------------------------------------- */
int web_api(struct web_server *w, h2o_req_t *req, const char *path);

/* ---- analysis.c ------------------------------------------------------------------------ */
/* GET /api/runs/{id}/analysis and /api/results/{id}/analysis (kind "run" or "result"). */
int web_analysis(struct web_server *w, h2o_req_t *req, const char *kind, int64_t id);

/* ---- server.c -------------------------------------------------------------------------- */
/* A socket's peer address as text, without the port ("127.0.0.1", "::1"); "" when unknown. */
void web_peer_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t n);

/* ---- ws.c ------------------------------------------------------------------------------ */
int web_ws_accept(struct web_server *w, h2o_req_t *req);
void web_ws_start_tail(struct web_server *w);
void web_ws_stop(struct web_server *w);   /* closes every client, stops the tail timer */

/* ---- files.c --------------------------------------------------------------------------- */
/* Serves a static file of the front end or vendor/; 404 for anything else. */
int web_static(struct web_server *w, h2o_req_t *req, const char *path);
/* Serves an artifact recorded for a failure ("screenshot", "html", "network"). */
int web_artifact(struct web_server *w, h2o_req_t *req, int64_t failure_id, const char *kind);

/* ---- settings.c ------------------------------------------------------------------------ */
int web_settings(struct web_server *w, h2o_req_t *req);
#endif
