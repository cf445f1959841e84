/* api: oo-sim's HTTP routes — the single-page app's shell for every page route, its JSON API
 * (login, saved tests, backtests, results, trade log, app config), and the /__sim endpoints
 * for tests. Every answer is built on the h2o loop thread under the state's lock. */
#include "sim.h"
#include <h2o.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct { h2o_handler_t super; sim_state *s; } handler;

static void send_text(h2o_req_t *req, int status, const char *reason, const char *type, const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = reason;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_iovec_t copy = h2o_strdup(&req->pool, body, len);
    h2o_send_inline(req, copy.base, copy.len);
}

static int send_json(h2o_req_t *req, int status, const char *reason, cJSON *v)
{
    char *txt = cJSON_PrintUnformatted(v);
    cJSON_Delete(v);
    send_text(req, status, reason, "application/json", txt, strlen(txt));
    free(txt);
    return 0;
}

static int send_raw_json(h2o_req_t *req, const char *txt)
{
    send_text(req, 200, "OK", "application/json", txt, strlen(txt));
    return 0;
}

static int send_error(h2o_req_t *req, int status, const char *reason, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    return send_json(req, status, reason, o);
}

static int method_is(h2o_req_t *req, const char *m) { return h2o_memis(req->method.base, req->method.len, m, strlen(m)); }

/* The request path without the query, NUL-terminated in the request's pool. */
static char *path_of(h2o_req_t *req)
{
    size_t n = req->query_at != SIZE_MAX ? req->query_at : req->path_normalized.len;
    if (n > req->path_normalized.len) n = req->path_normalized.len;
    char *p = h2o_mem_alloc_pool(&req->pool, n + 1);
    memcpy(p, req->path_normalized.base, n);
    p[n] = '\0';
    return p;
}

static const char *query_param(h2o_req_t *req, const char *name)
{
    if (req->query_at == SIZE_MAX) return NULL;
    const char *q = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
    size_t nl = strlen(name);
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        if (!amp) amp = end;
        if ((size_t)(amp - q) > nl && !memcmp(q, name, nl) && q[nl] == '=') {
            h2o_iovec_t v = h2o_strdup(&req->pool, q + nl + 1, (size_t)(amp - q - nl - 1));
            return v.base;
        }
        q = amp + 1;
    }
    return NULL;
}

static const char *session_token(h2o_req_t *req)
{
    ssize_t i = -1;
    while ((i = h2o_find_header(&req->headers, H2O_TOKEN_COOKIE, i)) != -1) {
        h2o_iovec_t v = req->headers.entries[i].value;
        const char *p = v.base, *end = v.base + v.len;
        while (p < end) {
            while (p < end && (*p == ' ' || *p == ';')) p++;
            const char *semi = memchr(p, ';', (size_t)(end - p));
            if (!semi) semi = end;
            if ((size_t)(semi - p) > 11 && !memcmp(p, "oo_session=", 11))
                return h2o_strdup(&req->pool, p + 11, (size_t)(semi - p - 11)).base;
            p = semi;
        }
    }
    return NULL;
}

static struct sim_session *session_of(sim_state *s, h2o_req_t *req) { return sim_session_get(s, session_token(req)); }

static cJSON *body_json(h2o_req_t *req)
{
    if (!req->entity.base || !req->entity.len) return NULL;
    return cJSON_ParseWithLength(req->entity.base, req->entity.len);
}

/* ---- pages ----------------------------------------------------------------------------- */

static int on_page(h2o_handler_t *self, h2o_req_t *req)
{
    sim_state *s = ((handler *)self)->s;
    char *path = path_of(req);
    int page = !strcmp(path, "/") || !strcmp(path, "/dashboard") || !strncmp(path, "/test/", 6);
    if (!page) return send_error(req, 404, "Not Found", "not found");
    if (!method_is(req, "GET") && !method_is(req, "HEAD")) return send_error(req, 405, "Method Not Allowed", "use GET");
    if (strcmp(path, "/")) {
        pthread_mutex_lock(&s->lock);
        int in = session_of(s, req) != NULL;
        pthread_mutex_unlock(&s->lock);
        if (!in) {
            h2o_send_redirect(req, 302, "Found", H2O_STRLIT("/"));
            return 0;
        }
    }
    char file[2048];
    snprintf(file, sizeof file, "%s/index-v2.html", s->opt.ui_dir);
    FILE *f = s->opt.ui_variant == 2 ? fopen(file, "rb") : NULL;
    if (!f) {
        snprintf(file, sizeof file, "%s/index.html", s->opt.ui_dir);
        f = fopen(file, "rb");
    }
    if (!f) return send_error(req, 500, "Internal Server Error", "the UI is missing (sim/ui/index.html)");
    h2o_buffer_t *buf;
    h2o_buffer_init(&buf, &h2o_socket_buffer_prototype);
    for (;;) {
        h2o_iovec_t room = h2o_buffer_reserve(&buf, 8192);
        size_t n = fread(room.base, 1, room.len, f);
        if (!n) break;
        buf->size += n;
    }
    fclose(f);
    pthread_mutex_lock(&s->lock);
    s->page_loads++;
    pthread_mutex_unlock(&s->lock);
    send_text(req, 200, "OK", "text/html; charset=utf-8", buf->bytes, buf->size);
    h2o_buffer_dispose(&buf);
    return 0;
}

/* ---- the JSON API ---------------------------------------------------------------------- */

static cJSON *test_summary(const sim_test *t, const char *base)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", t->id);
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "ticker", cJSON_GetStringValue(cJSON_GetObjectItem(t->config, "ticker")));
    cJSON_AddStringToObject(o, "updatedAt", t->updated_at);
    char url[160];
    snprintf(url, sizeof url, "%s/test/%s", base, t->id);
    cJSON_AddStringToObject(o, "url", url);
    return o;
}

static void on_latency_over(h2o_timeout_entry_t *entry);

static cJSON *backtest_status(sim_backtest *b)
{
    cJSON *o = cJSON_CreateObject();
    char id[32];
    snprintf(id, sizeof id, "bt_%d", b->n);
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "testId", b->test_id);
    cJSON_AddStringToObject(o, "status", b->status);
    if (b->error) cJSON_AddStringToObject(o, "error", b->error);
    return o;
}

static int api_backtests(sim_state *s, h2o_req_t *req, const char *rest)
{
    /* rest: "<n>", "<n>/results", "<n>/trades", "<n>/tradelog.csv" */
    int n = 0;
    char tail[64] = "";
    if (sscanf(rest, "bt_%d%63s", &n, tail) < 1) return send_error(req, 404, "Not Found", "no such backtest");
    sim_backtest *b = sim_backtest_get(s, n);
    if (!b || !strcmp(b->status, "rejected")) return send_error(req, 404, "Not Found", "no such backtest");
    if (!method_is(req, "GET")) return send_error(req, 405, "Method Not Allowed", "use GET");
    sim_backtest_settle(b);
    if (b->fault && !strcmp(b->fault, "drop") && !b->polled_after_done++) {
        /* the connection drops mid-backtest: no response at all, and the backtest is lost */
        free(b->status);
        b->status = strdup("lost");
        h2o_socket_t *sock = req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
        if (sock) shutdown(h2o_socket_get_fd(sock), SHUT_RDWR);
        send_text(req, 502, "Bad Gateway", "text/plain", "connection dropped", 18);
        return 0;
    }
    if (!strcmp(b->status, "lost")) return send_error(req, 404, "Not Found", "no such backtest");
    if (!tail[0]) return send_json(req, 200, "OK", backtest_status(b));
    if (strcmp(b->status, "done")) return send_error(req, 409, "Conflict", "the backtest has no results");
    if (!strcmp(tail, "/results")) {
        cJSON *r = cJSON_Parse(b->result_json);
        cJSON_AddStringToObject(r, "testId", b->test_id);
        cJSON_AddItemToObject(r, "config", cJSON_Duplicate(b->config, 1));
        return send_json(req, 200, "OK", r);
    }
    if (!strcmp(tail, "/trades")) return send_raw_json(req, b->trades_json);
    if (!strcmp(tail, "/tradelog.csv")) {
        const sim_test *t = sim_test_find(s, b->test_id);
        char disp[300];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s-bt_%d-trade-log.csv\"", t ? t->name : "backtest", b->n);
        for (char *p = disp + 22; *p; p++)
            if (*p == ' ' || *p == '/') *p = '-';
        h2o_iovec_t dv = h2o_strdup(&req->pool, disp, strlen(disp));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_DISPOSITION, NULL, dv.base, dv.len);
        send_text(req, 200, "OK", "text/csv; charset=utf-8", b->csv, strlen(b->csv));
        return 0;
    }
    return send_error(req, 404, "Not Found", "no such backtest resource");
}

static int api_start(sim_state *s, h2o_req_t *req, struct sim_session *ses, const sim_test *t)
{
    char err[300] = "";
    char *body = h2o_mem_alloc_pool(&req->pool, req->entity.len + 1);
    memcpy(body, req->entity.base ? req->entity.base : "", req->entity.len);
    body[req->entity.len] = '\0';
    bt_config *cfg = bt_config_parse(body, err, sizeof err);
    if (!cfg) return send_error(req, 400, "Bad Request", err);
    if (sim_fault(s, F_RATELIMIT, "backtest")) {
        sim_backtest_start(s, t, cfg, "ratelimit");
        return send_error(req, 429, "Too Many Requests", "Too many requests");
    }
    const char *fault = NULL;
    if (sim_fault(s, F_ERROR, "backtest")) fault = "error";
    else if (sim_fault(s, F_DROP, "backtest")) fault = "drop";
    sim_backtest *b = sim_backtest_start(s, t, cfg, fault);
    b->latency_entry.cb = on_latency_over;
    if (s->opt.latency_ms > 0 && s->loop) h2o_timeout_link(s->loop, &s->latency_timeout, &b->latency_entry);
    else b->latency_over = 1;
    ses->backtests++;
    int session_fault = sim_fault(s, F_SESSION, "backtest");
    if (session_fault && !b->fault) b->fault = "session";  /* one fault per backtest in the log */
    int expire = session_fault ||
                 (s->opt.session_max_backtests > 0 && ses->backtests >= s->opt.session_max_backtests);
    if (expire) ses->doomed = 1;  /* this backtest finishes; the next action finds itself logged out */
    return send_json(req, 202, "Accepted", backtest_status(b));
}

/* GET /api/app-config: the UI variant; for the dialog, the faults that shape its rendering. */
static int api_app_config(sim_state *s, h2o_req_t *req)
{
    if (!method_is(req, "GET")) return send_error(req, 405, "Method Not Allowed", "use GET");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "variant", s->opt.ui_variant);
    const char *ctx = query_param(req, "context");
    if (ctx && !strcmp(ctx, "dialog")) {
        int slow = sim_fault(s, F_SLOW, "dialog");
        cJSON_AddNumberToObject(o, "renderDelayMs", slow ? 1200 + (int)(800 * sim_rand(s)) : 0);
        cJSON_AddNumberToObject(o, "revealDelayMs", slow ? 900 : 0);
        cJSON_AddNumberToObject(o, "overlayMs", sim_fault(s, F_OVERLAY, "dialog") ? 1500 : 0);
        cJSON_AddBoolToObject(o, "cancelIgnored", sim_fault(s, F_STUCK, "dialog"));
        /* drift: a dialog reopened on a loaded page (the page says reopen=1) comes back with
         * fields changed; drawn only when its rate is set */
        const char *re = query_param(req, "reopen");
        int drift = re && !strcmp(re, "1") && s->opt.fault_rate[F_DRIFT] > 0 && sim_fault(s, F_DRIFT, "dialog");
        cJSON_AddBoolToObject(o, "drift", drift);
    }
    return send_json(req, 200, "OK", o);
}

/* POST /api/login {email, password}: any email with the password; sets the session cookie. */
static int api_login(sim_state *s, h2o_req_t *req)
{
    int rc;
    cJSON *b = body_json(req);
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItem(b, "email"));
    const char *pw = cJSON_GetStringValue(cJSON_GetObjectItem(b, "password"));
    if (!method_is(req, "POST")) rc = send_error(req, 405, "Method Not Allowed", "use POST");
    else if (!email || !*email || !pw || strcmp(pw, s->opt.password))
        rc = send_error(req, 401, "Unauthorized", "Invalid email or password");
    else {
        const char *tok = sim_session_new(s, email);
        char cookie[128];
        snprintf(cookie, sizeof cookie, "oo_session=%s; HttpOnly; Path=/; SameSite=Lax", tok);
        h2o_iovec_t cv = h2o_strdup(&req->pool, cookie, strlen(cookie));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_SET_COOKIE, NULL, cv.base, cv.len);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "email", email);
        rc = send_json(req, 200, "OK", o);
    }
    cJSON_Delete(b);
    return rc;
}

/* /api/tests/{id}[/backtests]: a saved test with its configuration; POST starts a backtest. */
static int api_test(sim_state *s, h2o_req_t *req, struct sim_session *ses, const char *rest)
{
    char id[32] = "", tail[32] = "";
    sscanf(rest, "%31[^/]%31s", id, tail);
    const sim_test *t = sim_test_find(s, id);
    if (!t) return send_error(req, 404, "Not Found", "no such test");
    if (!tail[0] && !method_is(req, "GET")) return send_error(req, 405, "Method Not Allowed", "use GET");
    if (!tail[0]) {
        cJSON *o = test_summary(t, "");
        cJSON_AddItemToObject(o, "config", cJSON_Duplicate(t->config, 1));
        return send_json(req, 200, "OK", o);
    }
    if (!strcmp(tail, "/backtests"))
        return method_is(req, "POST") ? api_start(s, req, ses, t) : send_error(req, 405, "Method Not Allowed", "use POST");
    return send_error(req, 404, "Not Found", "not found");
}

/* The API behind a session: logout, me, tests, backtests. A doomed session (expired by the
 * fault plan or --session-max-backtests) still polls its backtests, and nothing else. */
static int api_signed_in(sim_state *s, h2o_req_t *req, const char *path)
{
    struct sim_session *ses = session_of(s, req);
    if (ses && ses->doomed && strncmp(path, "/backtests/", 11)) { ses->valid = 0; ses = NULL; }
    if (!ses) return send_error(req, 401, "Unauthorized", "Unauthenticated");
    if (!strcmp(path, "/logout") && !method_is(req, "POST")) return send_error(req, 405, "Method Not Allowed", "use POST");
    if ((!strcmp(path, "/me") || !strcmp(path, "/tests")) && !method_is(req, "GET"))
        return send_error(req, 405, "Method Not Allowed", "use GET");
    if (!strcmp(path, "/logout")) {
        ses->valid = 0;
        return send_json(req, 200, "OK", cJSON_CreateObject());
    }
    if (!strcmp(path, "/me")) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "email", ses->email);
        return send_json(req, 200, "OK", o);
    }
    if (!strcmp(path, "/tests")) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < s->ntests; i++) cJSON_AddItemToArray(arr, test_summary(&s->tests[i], ""));
        return send_json(req, 200, "OK", arr);
    }
    if (!strncmp(path, "/tests/", 7)) return api_test(s, req, ses, path + 7);
    if (!strncmp(path, "/backtests/", 11)) return api_backtests(s, req, path + 11);
    return send_error(req, 404, "Not Found", "no such API");
}

static int on_api(h2o_handler_t *self, h2o_req_t *req)
{
    sim_state *s = ((handler *)self)->s;
    char *path = path_of(req) + 4;   /* after "/api" */
    int rc;
    pthread_mutex_lock(&s->lock);
    if (!strcmp(path, "/app-config")) rc = api_app_config(s, req);
    else if (!strcmp(path, "/login")) rc = api_login(s, req);
    else rc = api_signed_in(s, req, path);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- for tests only -------------------------------------------------------------------- */

static int on_sim(h2o_handler_t *self, h2o_req_t *req)
{
    sim_state *s = ((handler *)self)->s;
    char *path = path_of(req);
    int rc;
    pthread_mutex_lock(&s->lock);
    if (strcmp(path, "/__sim/reset") && !method_is(req, "GET")) {
        rc = send_error(req, 405, "Method Not Allowed", "use GET");
    } else if (!strcmp(path, "/__sim/backtests")) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = s->log_start; i < s->nbt; i++) {
            sim_backtest *b = s->bt[i];
            sim_backtest_settle(b);
            cJSON *o = backtest_status(b);
            cJSON_AddStringToObject(o, "receivedAt", b->received_at);
            if (b->over_at[0]) cJSON_AddStringToObject(o, "overAt", b->over_at);
            cJSON_AddItemToObject(o, "config", cJSON_Duplicate(b->config, 1));
            if (b->fault) cJSON_AddStringToObject(o, "fault", b->fault);
            if (b->computed && b->result_json) {
                cJSON *r = cJSON_Parse(b->result_json);
                cJSON_AddItemToObject(o, "metrics", cJSON_DetachItemFromObject(r, "metrics"));
                cJSON_Delete(r);
            }
            cJSON_AddItemToArray(arr, o);
        }
        rc = send_json(req, 200, "OK", arr);
    } else if (!strcmp(path, "/__sim/tests")) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < s->ntests; i++) cJSON_AddItemToArray(arr, test_summary(&s->tests[i], s->base_url));
        rc = send_json(req, 200, "OK", arr);
    } else if (!strcmp(path, "/__sim/reset")) {
        if (!method_is(req, "POST")) rc = send_error(req, 405, "Method Not Allowed", "use POST");
        else {
            s->log_start = s->nbt;  /* backtests keep their ids and finish; the log starts afresh */
            cJSON_Delete(s->fault_log);
            s->fault_log = cJSON_CreateArray();
            s->page_loads = 0;
            rc = send_json(req, 200, "OK", cJSON_CreateObject());
        }
    } else if (!strcmp(path, "/__sim/faults")) {
        rc = send_json(req, 200, "OK", cJSON_Duplicate(s->fault_log, 1));
    } else if (!strcmp(path, "/__sim/loads")) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "pages", s->page_loads);
        rc = send_json(req, 200, "OK", o);
    } else {
        rc = send_error(req, 404, "Not Found", "no such test endpoint");
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* ---- the loop side of backtests ------------------------------------------------------ */

static void on_latency_over(h2o_timeout_entry_t *entry)
{
    sim_backtest *b = H2O_STRUCT_FROM_MEMBER(sim_backtest, latency_entry, entry);
    b->latency_over = 1;
    sim_backtest_settle(b);
}

static void on_backtests_done(h2o_socket_t *sock, const char *err)
{
    sim_state *s = sock->data;
    if (err) return;
    h2o_buffer_consume(&sock->input, sock->input->size);  /* wake-up bytes only */
    sim_backtests_collect(s);
}

void sim_loop_attach(sim_state *s, h2o_loop_t *loop)
{
    s->loop = loop;
    h2o_timeout_init(loop, &s->latency_timeout, (uint64_t)s->opt.latency_ms);
    s->done_sock = h2o_evloop_socket_create(loop, s->done_pipe[0], 0);
    s->done_sock->data = s;
    h2o_socket_read_start(s->done_sock, on_backtests_done);
}

void sim_loop_detach(sim_state *s)
{
    if (!s->loop) return;
    for (int i = 0; i < s->nbt; i++)
        if (h2o_timeout_is_linked(&s->bt[i]->latency_entry)) h2o_timeout_unlink(&s->bt[i]->latency_entry);
    h2o_timeout_dispose(s->loop, &s->latency_timeout);
    h2o_socket_read_stop(s->done_sock);
    h2o_socket_close(s->done_sock);  /* closes done_pipe[0] */
    s->done_sock = NULL;
    s->done_pipe[0] = -1;
    s->loop = NULL;
}

static void add(sim_state *s, h2o_hostconf_t *host, const char *path, int (*fn)(h2o_handler_t *, h2o_req_t *))
{
    h2o_pathconf_t *pc = h2o_config_register_path(host, path, 0);
    handler *h = (handler *)h2o_create_handler(pc, sizeof *h);
    h->super.on_req = fn;
    h->s = s;
}

void sim_api_register(sim_state *s, h2o_globalconf_t *conf, h2o_hostconf_t *host)
{
    (void)conf;
    /* ES modules need a JavaScript type; h2o 2.2's default for .js is application/javascript */
    h2o_mimemap_define_mimetype(host->mimemap, "js", "text/javascript", NULL);
    h2o_mimemap_define_mimetype(host->mimemap, "mjs", "text/javascript", NULL);
    h2o_mimemap_define_mimetype(host->mimemap, "json", "application/json", NULL);
    h2o_mimemap_define_mimetype(host->mimemap, "svg", "image/svg+xml", NULL);
    h2o_mimemap_define_mimetype(host->mimemap, "css", "text/css", NULL);
    add(s, host, "/api", on_api);
    add(s, host, "/__sim", on_sim);
    h2o_file_register(h2o_config_register_path(host, "/assets", 0), s->opt.ui_dir, NULL, host->mimemap, 0);
    static const char *const pkgs[] = {"vue", "@headlessui/vue", "@tanstack/vue-virtual", "@tanstack/virtual-core", "chart.js", "@kurkle/color", NULL};
    for (int i = 0; pkgs[i]; i++) {
        char url[256], dir[2048];
        snprintf(url, sizeof url, "/vendor/%s", pkgs[i]);
        snprintf(dir, sizeof dir, "%s/%s", s->opt.vendor_dir, pkgs[i]);
        h2o_file_register(h2o_config_register_path(host, url, 0), dir, NULL, host->mimemap, 0);
    }
    add(s, host, "/", on_page);
}
