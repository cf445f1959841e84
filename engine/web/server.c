/* server: the web thread. web_start binds the socket and opens the store (so errors come back
 * at once), then the thread runs h2o's event loop until web_stop wakes it through a pipe.
 * Every accepted socket is tracked, so that shutdown can close them all before h2o's context
 * is disposed (h2o 2.2.5 asserts when connections outlive it). Every request first passes the
 * access check (token, Host, Origin), then goes to the API, the WebSocket or the files. The
 * token travels only in headers, never in a cookie (a cookie reaches every port of the host). */
#include "web/internal.h"
#include "base/alive.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- access: token, Host, Origin --------------------------------------------------------- */

static int same_secret(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    unsigned char diff = (unsigned char)(alen != blen);
    for (size_t i = 0; i < alen; i++) diff |= (unsigned char)(a[i] ^ b[i % (blen ? blen : 1)]);
    return diff == 0;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Whether a WebSocket protocol item is WEB_WS_TOKEN_PREFIX and this server's token in hex. */
static int ws_token_item(const char *item, size_t len, void *ud)
{
    web_server *w = ud;
    size_t pl = sizeof WEB_WS_TOKEN_PREFIX - 1;
    if (len <= pl || memcmp(item, WEB_WS_TOKEN_PREFIX, pl) != 0 || (len - pl) % 2) return 0;
    size_t n = (len - pl) / 2;
    char *tok = oo_malloc(n + 1);
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        int hi = hex_digit(item[pl + 2 * i]), lo = hex_digit(item[pl + 2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        tok[i] = (char)(hi * 16 + lo);
    }
    ok = ok && same_secret(tok, n, w->token);
    free(tok);
    return ok;
}

/* Whether the request carries this dashboard's token: "Authorization: Bearer TOKEN", or on a
 * WebSocket upgrade the protocol item a browser can send there. Nothing else: no query
 * parameter (it would sit in logs and history) and no cookie (a cookie goes to every port of
 * the host, so to every other server on it). */
static int carries_token(web_server *w, h2o_req_t *req)
{
    const char *auth = web_header(req, "authorization");
    if (auth && !strncasecmp(auth, "Bearer ", 7) && same_secret(auth + 7, strlen(auth + 7), w->token)) return 1;
    return req->upgrade.base && web_header_items(req, "sec-websocket-protocol", ws_token_item, w);
}

/* The static files (the page, its scripts and styles, the redirect of /runs/N) hold no data:
 * they are the same for everyone, and a browser loads them without any header of ours. Data
 * (/api/, /ws) is what the token guards. */
static int public_path(const char *path)
{
    return strcmp(path, "/api") && strncmp(path, "/api/", 5) && strcmp(path, "/ws");
}

/* Whether s[0..n) is a decimal number from lo to hi, without leading zeros (0177 is octal to
 * some resolvers: never a guess). */
static int decimal_in(const char *s, size_t n, long lo, long hi)
{
    if (n == 0 || n > 5 || (n > 1 && s[0] == '0')) return 0;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v >= lo && v <= hi;
}

/* A full dotted quad in 127.0.0.0/8: exactly four decimal octets, the first 127. */
static int loopback_quad(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    for (int octet = 0; octet < 4; octet++) {
        const char *dot = octet < 3 ? memchr(p, '.', (size_t)(end - p)) : end;
        if (!dot || !decimal_in(p, (size_t)(dot - p), octet == 0 ? 127 : 0, octet == 0 ? 127 : 255)) return 0;
        p = dot + (octet < 3);
    }
    return 1;
}

/* Whether a Host header names this machine by an exact loopback literal: a dotted quad in
 * 127.0.0.0/8, [::1] or localhost, with an optional numeric port. Anything else (a name that
 * merely starts like one, "127.0.0.1.attacker.test", "[::1].evil.com", "localhost:evil.com")
 * could be an attacker's name resolving to 127.0.0.1: DNS rebinding. */
static int loopback_host_header(const char *h)
{
    size_t n = strlen(h);
    const char *colon = NULL;
    if (h[0] == '[') {
        if (strncmp(h, "[::1]", 5) != 0) return 0;
        colon = h + 5;
        if (*colon && *colon != ':') return 0;
    } else {
        colon = memchr(h, ':', n);
    }
    size_t name_len = colon ? (size_t)(colon - h) : n;
    if (colon && *colon && !decimal_in(colon + 1, strlen(colon + 1), 0, 65535)) return 0;
    if (h[0] == '[') return 1;
    return (name_len == 9 && !strncasecmp(h, "localhost", 9)) || loopback_quad(h, name_len);
}

/* 0 when the request may proceed; otherwise the answer has been sent. */
static int check_access(web_server *w, h2o_req_t *req, const char *path)
{
    /* h2o keeps the Host header as the request's authority */
    const char *host = req->authority.len ? h2o_strdup(&req->pool, req->authority.base, req->authority.len).base : NULL;
    if (host && strlen(host) != req->authority.len) host = NULL;   /* a NUL inside: no host at all */
    if (w->token) {
        if (!public_path(path) && !carries_token(w, req)) {
            web_add_header(req, "www-authenticate", "Bearer");
            web_send_error(req, 401, "this dashboard needs its token: send \"Authorization: Bearer TOKEN\" "
                                     "(the dashboard's page asks for it once, or takes it from #token=TOKEN)");
            return -1;
        }
    } else if (!host || !loopback_host_header(host)) {
        /* without a token the server only answers to loopback names (no DNS rebinding) */
        web_send_error(req, 403, "this dashboard answers to 127.0.0.1, [::1] or localhost only (Host was %.100s); "
                                 "serve it with --host and --token to reach it otherwise", host ? host : "missing");
        return -1;
    }
    int unsafe = !web_method_is(req, "GET") && !web_method_is(req, "HEAD");
    if (unsafe || req->upgrade.base) {
        const char *origin = web_header(req, "origin");
        if (origin && strcmp(origin, "null") != 0) {
            const char *o = !strncmp(origin, "http://", 7) ? origin + 7 : !strncmp(origin, "https://", 8) ? origin + 8 : NULL;
            if (!o || !host || strcasecmp(o, host) != 0) {
                web_send_error(req, 403, "cross-origin request refused (Origin %.100s)", origin);
                return -1;
            }
        } else if (origin) {
            web_send_error(req, 403, "cross-origin request refused (Origin null)");
            return -1;
        }
    }
    return 0;
}

/* /runs/N, the design's address of a run (what `run` prints): the dashboard's page of it,
 * /?run=N, which the page turns into its route #/runs/N. The Location has no fragment of its
 * own, so the browser keeps the one the address had: /runs/N#token=TOKEN arrives with it. */
static int run_page(h2o_req_t *req, const char *id)
{
    int64_t n = web_parse_id(id);
    if (!n || !web_method_is(req, "GET")) return web_send_error(req, 404, "no run \"%.40s\": runs are numbered", id);
    char loc[64];
    snprintf(loc, sizeof loc, "/?run=%lld", (long long)n);
    web_add_header(req, "location", loc);
    web_send(req, 302, "text/plain; charset=utf-8", loc, strlen(loc));
    return 0;
}

static int on_request(h2o_handler_t *self, h2o_req_t *req)
{
    web_server *w = ((web_handler *)self)->w;
    web_add_header(req, "x-content-type-options", "nosniff");
    web_add_header(req, "referrer-policy", "no-referrer");
    if (!web_query_valid(req)) return web_send_error(req, 400, "malformed query string (a bad %%-escape)");
    const char *path = web_path(req);
    if (check_access(w, req, path) != 0) return 0;
    if (req->entity.len > WEB_MAX_BODY)
        return web_send_error(req, 413, "the body is %zu bytes; the limit is %d", req->entity.len, WEB_MAX_BODY);
    if (!strcmp(path, "/api") || !strncmp(path, "/api/", 5)) return web_api(w, req, path);
    if (!strcmp(path, "/ws")) return web_ws_accept(w, req);
    if (!strncmp(path, "/runs/", 6)) return run_page(req, path + 6);
    return web_static(w, req, path);
}

/* ---- h2o's own errors, as JSON ---------------------------------------------------------- *
 * h2o answers some requests itself before any handler sees them, in plain text: a body past
 * its limit (413), a malformed request. A filter on every path (the fallback one included,
 * where those answers are made) turns each into {"error": "..."} like every other answer. */

typedef struct json_error_ostream {
    h2o_ostream_t super;
    h2o_iovec_t body;
} json_error_ostream;

static void json_error_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t n, h2o_send_state_t state)
{
    (void)bufs;
    (void)n;
    json_error_ostream *o = (json_error_ostream *)self;
    if (state == H2O_SEND_STATE_IN_PROGRESS) {        /* h2o's text is dropped; ours goes last */
        h2o_ostream_send_next(self, req, NULL, 0, state);
        return;
    }
    h2o_ostream_send_next(self, req, &o->body, 1, state);
}

static int plain_error(h2o_req_t *req)
{
    if (req->res.status < 400) return 0;
    ssize_t i = h2o_find_header(&req->res.headers, H2O_TOKEN_CONTENT_TYPE, -1);
    return i >= 0 && !strncmp(req->res.headers.entries[i].value.base, "text/plain", 10);
}

static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    (void)self;
    if (plain_error(req)) {
        char msg[256];
        if (req->res.status == 413)
            snprintf(msg, sizeof msg, "the body is over the limit of %d bytes", WEB_MAX_BODY);
        else
            snprintf(msg, sizeof msg, "%s (HTTP %d)", req->res.reason ? req->res.reason : "error", req->res.status);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", msg);
        char *txt = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        ssize_t i = h2o_find_header(&req->res.headers, H2O_TOKEN_CONTENT_TYPE, -1);
        req->res.headers.entries[i].value = h2o_iovec_init(H2O_STRLIT("application/json; charset=utf-8"));
        json_error_ostream *os = (json_error_ostream *)h2o_add_ostream(req, sizeof *os, slot);
        os->super.do_send = json_error_send;
        os->body = h2o_strdup(&req->pool, txt, SIZE_MAX);
        free(txt);
        req->res.content_length = os->body.len;
        slot = &os->super.next;
    }
    h2o_setup_next_ostream(req, slot);
}

/* One handler for every path; h2o's own plain-text errors made JSON, on the fallback path too
 * (where h2o answers what it refuses before any path is chosen). */
static void register_paths(web_server *w)
{
    h2o_hostconf_t *hc = h2o_config_register_host(&w->conf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pc = h2o_config_register_path(hc, "/", 0);
    web_handler *h = (web_handler *)h2o_create_handler(pc, sizeof *h);
    h->super.on_req = on_request;
    h->w = w;
    h2o_create_filter(pc, sizeof(h2o_filter_t))->on_setup_ostream = on_setup_ostream;
    h2o_create_filter(&hc->fallback_path, sizeof(h2o_filter_t))->on_setup_ostream = on_setup_ostream;
}

/* ---- connections ------------------------------------------------------------------------ */

static void conn_closed(void *data);

void web_peer_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t n)
{
    out[0] = '\0';
    if (len == 0) return;
    if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    web_server *w = listener->data;
    if (err) return;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (!sock) return;
    struct sockaddr_storage ss;
    char addr[64];
    web_peer_addr((struct sockaddr *)&ss, h2o_socket_getpeername(sock, (struct sockaddr *)&ss), addr, sizeof addr);
    int same = 0;
    for (web_conn *o = w->conns; o; o = o->next) same += !strcmp(o->addr, addr);
    /* a local dashboard has a handful of clients; no one address takes every slot */
    if (w->nconns >= WEB_MAX_CONNS || same >= WEB_MAX_CONNS_PER_ADDR) {
        h2o_socket_close(sock);
        return;
    }
    /* a WebSocket message goes out as a header and a payload: without this, Nagle holds the
     * payload back until the client acknowledges the header (tens of ms an event) */
    int one = 1;
    setsockopt(h2o_socket_get_fd(sock), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    web_conn *c = oo_calloc(1, sizeof *c);
    c->sock = sock;
    c->w = w;
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    w->nconns++;
    sock->on_close.cb = conn_closed;
    sock->on_close.data = c;
    h2o_accept(&w->accept_ctx, sock);
}

static void conn_closed(void *data)
{
    web_conn *c = data;
    web_server *w = c->w;
    if (c->prev) c->prev->next = c->next;
    else w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    w->nconns--;
    free(c);
}

static void on_wake(h2o_socket_t *sock, const char *err)
{
    (void)err;
    h2o_buffer_consume(&sock->input, sock->input->size);  /* wake-up bytes: the loop checks stop */
}

/* The server is disposed of: web_stop may free it. The thread itself stays, parked for the rest
 * of the process: h2o keeps up to 16 freed memory-pool chunks per thread for reuse (its own,
 * private cache, with no public way to empty it), and they stay h2o's and reachable as long as
 * the thread lives, instead of being freed from outside by assuming their layout. One parked
 * thread per server the process started (serve: one), blocked with every signal blocked. */
static void park(web_server *w)
{
    pthread_mutex_lock(&w->done_mu);
    w->done = 1;
    pthread_cond_signal(&w->done_cv);
    pthread_mutex_unlock(&w->done_mu);
    for (;;) pause();     /* w is gone from here on: touch nothing */
}

static void *thread_main(void *arg)
{
    web_server *w = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);   /* signals are the process's, never this thread's */
    w->loop = h2o_evloop_create();
    h2o_context_init(&w->ctx, w->loop, &w->conf);
    w->accept_ctx.ctx = &w->ctx;
    w->accept_ctx.hosts = w->conf.hosts;
    w->listener = h2o_evloop_socket_create(w->loop, w->listen_fd, H2O_SOCKET_FLAG_DONT_READ);
    w->listener->data = w;
    h2o_socket_read_start(w->listener, on_accept);
    w->wake_sock = h2o_evloop_socket_create(w->loop, w->wake_pipe[0], 0);
    w->wake_sock->data = w;
    h2o_socket_read_start(w->wake_sock, on_wake);
    web_ws_start_tail(w);

    while (!atomic_load(&w->stop)) h2o_evloop_run(w->loop, INT32_MAX);

    h2o_socket_read_stop(w->listener);
    h2o_socket_close(w->listener);      /* closes listen_fd */
    w->listener = NULL;
    w->listen_fd = -1;
    h2o_socket_read_stop(w->wake_sock);
    h2o_socket_close(w->wake_sock);     /* closes wake_pipe[0] */
    w->wake_sock = NULL;
    w->wake_pipe[0] = -1;
    web_ws_stop(w);
    oo_err rerr = {0};
    if (store_dashboard_remove(w->store, w->record_id, &rerr) != 0) OO_WARN("web", "%s", rerr.msg);
    /* every other connection: shut the socket down; h2o sees the end and closes it */
    for (web_conn *c = w->conns; c; c = c->next) shutdown(h2o_socket_get_fd(c->sock), SHUT_RDWR);
    int64_t deadline = oo_now_ms() + 3000;
    while (w->nconns > 0 && oo_now_ms() < deadline) h2o_evloop_run(w->loop, 50);
    if (w->nconns > 0) {
        /* never expected; disposing now would assert inside h2o, so leave it to the exit */
        OO_WARN("web", "%d connection(s) did not close within 3 s of the shutdown", w->nconns);
        park(w);
    }
    h2o_multithread_queue_t *queue = w->ctx.queue;
    h2o_context_dispose(&w->ctx);
    h2o_evloop_run(w->loop, 0);         /* let the closes complete */
    h2o_evloop_destroy(w->loop);
    w->loop = NULL;
    free(queue);  /* h2o 2.2.5 (evloop): h2o_multithread_destroy_queue closes but never frees it */
    /* h2o keeps freed socket buffers for reuse in a recycling list: empty it (public API) */
    h2o_mem_recycle_t *recycled = &h2o_socket_buffer_prototype.allocator;
    while (recycled->cnt > 0) free(h2o_mem_alloc_recycle(recycled, 1));
    park(w);
    return NULL;
}

/* ---- start / stop ------------------------------------------------------------------------ */

static char *dup_or_null(const char *s) { return s && *s ? oo_strdup(s) : NULL; }

static char *real_dir(const char *dir, const char *what, oo_err *err)
{
    char buf[PATH_MAX];
    if (!realpath(dir, buf) || !oo_dir_exists(buf)) {
        oo_err_set(err, OO_E_IO, "web: the %s folder %s is missing (%s)", what, dir, strerror(errno ? errno : ENOENT));
        return NULL;
    }
    return oo_strdup(buf);
}

/* An address to listen on that only this machine reaches (the Host rules, without a port). */
static int is_loopback(const char *host)
{
    return !strcmp(host, "::1") || (!strchr(host, ':') && loopback_host_header(host));
}

static int bind_socket(web_server *w, int port, oo_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    const char *host = !strcmp(w->host, "localhost") ? "127.0.0.1" : w->host;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0 || !res)
        return oo_err_set(err, OO_E_USAGE, "web: cannot resolve --host %s: %s", w->host, gai_strerror(gai));
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        freeaddrinfo(res);
        return oo_err_set(err, OO_E_IO, "web: cannot listen on %s:%d: %s%s", w->host, port, strerror(e),
                          e == EADDRINUSE ? " (another server uses the port: pick another with --port)" : "");
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t slen = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &slen);
    w->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    w->listen_fd = fd;
    int v6 = strchr(host, ':') != NULL;
    snprintf(w->url, sizeof w->url, "http://%s%s%s:%d/", v6 ? "[" : "", w->host, v6 ? "]" : "", w->port);
    return 0;
}

static void free_server(web_server *w)
{
    if (w->listen_fd >= 0) close(w->listen_fd);
    if (w->wake_pipe[0] >= 0) close(w->wake_pipe[0]);
    if (w->wake_pipe[1] >= 0) close(w->wake_pipe[1]);
    if (w->conf.hosts) h2o_config_dispose(&w->conf);
    store_close(w->store);
    free(w->host);
    free(w->token);
    free(w->db_path);
    free(w->data_dir);
    free(w->web_dir);
    free(w->vendor_dir);
    free(w->parameters_json);
    free(w->metrics_json);
    free(w->modes_json);
    cJSON_Delete(w->settings_defaults);
    if (w->sync_init) {
        pthread_cond_destroy(&w->done_cv);
        pthread_mutex_destroy(&w->done_mu);
    }
    free(w);
}

/* The options the server keeps, copied (the caller's web_opts may go away). */
static void copy_opts(web_server *w, const web_opts *o)
{
    w->host = oo_strdup(o->host && *o->host ? o->host : "127.0.0.1");
    w->token = dup_or_null(o->token);
    w->loopback = is_loopback(w->host);
    w->start_run = o->start_run;
    w->resume_run = o->resume_run;
    w->start_run_ud = o->start_run_ud;
    w->estimate = o->estimate;
    w->analysis = o->analysis;
    w->analysis_ud = o->analysis_ud;
    w->poll_ms = o->poll_ms > 0 ? o->poll_ms : 100;
    w->ws_ping_ms = o->ws_ping_ms > 0 ? o->ws_ping_ms : WEB_WS_PING_MS;
    w->parameters_json = dup_or_null(o->parameters_json);
    w->metrics_json = dup_or_null(o->metrics_json);
    w->modes_json = dup_or_null(o->modes_json);
    w->settings_defaults = o->settings_defaults ? cJSON_Duplicate(o->settings_defaults, 1) : cJSON_CreateObject();
}

/* The usage rules (a token off loopback, a port, a database) and the folders, made real
 * paths (the data folder created). 0, or -1 with err set. */
static int check_opts(web_server *w, const web_opts *o, oo_err *err)
{
    if (!w->loopback && !w->token) {
        oo_err_set(err, OO_E_USAGE, "listening on %s exposes the dashboard: give a token too (--token TOKEN)", w->host);
        return -1;
    }
    if (o->port < 0 || o->port > 65535) {
        oo_err_set(err, OO_E_USAGE, "web: port %d is not 0 to 65535", o->port);
        return -1;
    }
    if (!o->db_path || !*o->db_path) {
        oo_err_set(err, OO_E_USAGE, "web: no database path");
        return -1;
    }
    w->db_path = oo_strdup(o->db_path);
    if (!o->web_dir || !(w->web_dir = real_dir(o->web_dir, "dashboard (web/)", err))) {
        if (!o->web_dir) oo_err_set(err, OO_E_USAGE, "web: no dashboard folder (web/)");
        return -1;
    }
    if (o->vendor_dir && oo_dir_exists(o->vendor_dir)) w->vendor_dir = real_dir(o->vendor_dir, "vendor", err);
    if (o->data_dir && *o->data_dir) {
        if (oo_mkdir_p(o->data_dir, err) != 0 || !(w->data_dir = real_dir(o->data_dir, "data", err))) return -1;
    }
    return 0;
}

/* The store, the listening socket, the dashboard's record in the store (`run` finds this
 * dashboard by the database it serves) and the wake pipe. 0, or -1 with err set. */
static int open_resources(web_server *w, const web_opts *o, oo_err *err)
{
    if (!(w->store = store_open(w->db_path, err))) return -1;
    store_set_engine_silence(w->store, o->engine_silence_ms);
    w->last_event_id = store_events_last_id(w->store, err);
    if (w->last_event_id < 0) return -1;
    if (bind_socket(w, o->port, err) != 0) return -1;
    char self[96];
    oo_engine_self(self, sizeof self);
    if ((w->record_id = store_dashboard_add(w->store, w->url, self, err)) < 0) return -1;
    w->record_seen_ms = oo_now_ms();
    if (pipe2(w->wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        oo_err_set(err, OO_E_IO, "web: cannot create a pipe: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* h2o's configuration and the server thread. 0, or -1 with err set. */
static int start_thread(web_server *w, oo_err *err)
{
    h2o_config_init(&w->conf);
    /* h2o reads a whole body before the handler sees it: never more than WEB_MAX_BODY (256
     * connections of 16 MB each would have been 4 GB); past it h2o answers 413 itself, made
     * JSON by the filter above */
    w->conf.max_request_entity_size = WEB_H2O_MAX_BODY;
    register_paths(w);

    /* a client that goes away mid-answer must not kill the process */
    signal(SIGPIPE, SIG_IGN);
    pthread_mutex_init(&w->done_mu, NULL);
    pthread_cond_init(&w->done_cv, NULL);
    w->sync_init = 1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);   /* it parks: see park() */
    int started = pthread_create(&w->thread, &attr, thread_main, w) == 0;
    pthread_attr_destroy(&attr);
    if (!started) {
        oo_err_set(err, OO_E_GENERIC, "web: cannot start the server thread");
        return -1;
    }
    w->thread_started = 1;
    return 0;
}

web_server *web_start(const web_opts *o, oo_err *err)
{
    web_server *w = oo_calloc(1, sizeof *w);
    w->listen_fd = w->wake_pipe[0] = w->wake_pipe[1] = -1;
    copy_opts(w, o);
    if (check_opts(w, o, err) != 0 || open_resources(w, o, err) != 0 || start_thread(w, err) != 0) {
        free_server(w);
        return NULL;
    }
    return w;
}

int web_port(const web_server *w) { return w->port; }
const char *web_url(const web_server *w) { return w->url; }

void web_stop(web_server *w)
{
    if (!w) return;
    if (w->thread_started) {
        atomic_store(&w->stop, 1);
        char c = 1;
        if (write(w->wake_pipe[1], &c, 1) < 0) { /* the pipe is non-blocking; a full pipe wakes too */ }
        pthread_mutex_lock(&w->done_mu);
        while (!w->done) pthread_cond_wait(&w->done_cv, &w->done_mu);
        pthread_mutex_unlock(&w->done_mu);
    }
    free_server(w);
}
