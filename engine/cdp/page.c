/* page: browser contexts, pages (flat sessions) and the operations on a page. Each operation
 * is a small state machine driven by CDP answers and events: waiting happens in the page
 * (page.js answers a promise when the element is ready) or on CDP events, with a deadline.
 * An operation's `done` is called exactly once; closing the page cancels what is pending. */
#include "cdp/internal.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char oo_page_js[];
extern const size_t oo_page_js_len;

#define CONSOLE_MAX 500
#define NETLOG_MAX 1000

struct cdp_context {
    cdp_browser *b;
    char *id;
    char *download_dir;
    cJSON *blocked;        /* URL patterns no page of the context loads (NULL: none) */
    cdp_context *next;
    cdp_page *pages;
};

typedef struct op op;

struct cdp_page {
    cdp_context *ctx;
    cdp_page *next;
    char *target_id, *session, *url, *main_frame;
    char *opener_id;       /* a popup: the target that opened it */
    int crashed, ready;
    int closed;            /* its tab is gone (window.close(), cdp_page_close_target, the browser) */
    cdp_sub *sub;
    cJSON *console, *netlog;
    int netlog_n;
    op *ops;
    cdp_page_cb ready_cb;
    void *ready_ud;
    int init_left, init_failed;
    cdp_page_cb popup_cb;
    void *popup_ud;
};

/* ---- contexts --------------------------------------------------------------------------- */

typedef struct { cdp_browser *b; cdp_context_cb cb; void *ud; } ctx_req;

static void on_context(void *ud, cJSON *result, const oo_err *err)
{
    ctx_req *r = ud;
    if (err) { r->cb(r->ud, NULL, err); free(r); return; }
    cdp_context *c = oo_calloc(1, sizeof *c);
    c->b = r->b;
    c->id = oo_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(result, "browserContextId")));
    c->next = r->b->contexts;
    r->b->contexts = c;
    r->cb(r->ud, c, NULL);
    free(r);
}

int cdp_context_new(cdp_browser *b, cdp_context_cb cb, void *ud)
{
    ctx_req *r = oo_malloc(sizeof *r);
    r->b = b;
    r->cb = cb;
    r->ud = ud;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddTrueToObject(p, "disposeOnDetach");
    return cdp_send(b, NULL, "Target.createBrowserContext", p, 10000, on_context, r) > 0 ? 0 : -1;
}

cdp_browser *cdp_context_browser(cdp_context *ctx) { return ctx->b; }

void cdp_context_close(cdp_context *ctx)
{
    if (!ctx) return;
    cdp_browser *b = ctx->b;
    while (ctx->pages) cdp_page_close(ctx->pages);
    cdp_context **pp = &b->contexts;
    while (*pp && *pp != ctx) pp = &(*pp)->next;
    if (*pp) *pp = ctx->next;
    if (!b->gone && !b->closing) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "browserContextId", ctx->id);
        cdp_send(b, NULL, "Target.disposeBrowserContext", p, 5000, NULL, NULL);
    }
    free(ctx->id);
    free(ctx->download_dir);
    cJSON_Delete(ctx->blocked);
    free(ctx);
}

void cdp_context_block_urls(cdp_context *ctx, const char *const *patterns, int n)
{
    cJSON_Delete(ctx->blocked);
    ctx->blocked = NULL;
    if (n <= 0) return;
    ctx->blocked = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(ctx->blocked, cJSON_CreateString(patterns[i]));
}

/* ---- operations --------------------------------------------------------------------------- */

enum { OP_EVAL, OP_HELPER, OP_CLICK, OP_HOVER, OP_FILL, OP_NAVIGATE, OP_KEY, OP_RAW, OP_WAIT_NAV, OP_RESPONSE, OP_DOWNLOAD,
       OP_PAGE, OP_CLOSE };

/* Where an operation of several requests or events is: what its next answer or event means. */
typedef enum {
    ST_START = 0,          /* the first request is out (a helper call, Page.navigate), or nothing yet */
    ST_HELPER_INSTALLING,  /* the helper was missing from the document: its install is out */
    ST_INPUT_SENT,         /* click, hover: the gesture's mouse events are out; the last answer ends it */
    ST_TEXT_INSERTED,      /* fill: Input.insertText is out */
    ST_CHANGE_FIRED,       /* fill: the change event (afterFill) is out; its answer ends it */
    ST_LOADING,            /* navigate: the loader is known; wait_navigation: committed. Lifecycle
                              events decide */
    ST_BODY_ASKED          /* wait_response: the response finished, Network.getResponseBody is out */
} op_state;

struct op {
    cdp_page *p;
    op *next;
    int kind, retried, navigations;
    op_state state;
    cdp_done_cb done;
    void *ud;
    int timeout_ms;
    cdp_timer *timer;
    cdp_sub *sub;
    char *expr;            /* the JS to evaluate (helper call or expression) */
    char *text;            /* fill value, key name, url */
    cdp_click_opts click;
    double x, y;
    char *loader;
    cdp_wait_until until;
    int64_t req;
    char *request_id;      /* OP_RESPONSE: the matching request; OP_DOWNLOAD: the download guid */
    cJSON *info;           /* what is known so far of the response or download */
    cdp_page_cb page_done; /* OP_PAGE: answered with a page instead of a value */
    cdp_page_match match;  /* OP_PAGE: NULL = the next popup this page opens */
    void *match_ud;
    cdp_page *found;
};

static void op_free(op *o)
{
    cdp_timer_cancel(o->timer);
    cdp_unsubscribe(o->sub);
    free(o->request_id);
    cJSON_Delete(o->info);
    free(o->expr);
    free(o->text);
    free(o->loader);
    free(o);
}

static void op_unlink(op *o)
{
    op **pp = &o->p->ops;
    while (*pp && *pp != o) pp = &(*pp)->next;
    if (*pp) *pp = o->next;
}

static void op_finish(op *o, cJSON *value, const oo_err *err)
{
    op_unlink(o);
    cdp_done_cb done = o->done;
    cdp_page_cb page_done = o->page_done;
    cdp_page *found = o->found;
    void *ud = o->ud;
    if (o->req > 0 && !o->p->ctx->b->gone) cdp_cancel(o->p->ctx->b, o->req);
    op_free(o);
    if (page_done) page_done(ud, err ? NULL : found, err);
    else if (done) done(ud, value, err);
}

static void op_fail(op *o, int code, const char *fmt, const char *arg)
{
    oo_err err = {0};
    oo_err_set(&err, code, fmt, arg ? arg : "");
    op_finish(o, NULL, &err);
}

static void on_op_timeout(void *ud)
{
    op *o = ud;
    o->timer = NULL;
    oo_err err = {0};
    if (o->kind == OP_PAGE && !o->match)
        oo_err_set(&err, OO_E_TIMEOUT, "no popup was opened by the page within %d ms", o->timeout_ms);
    else if (o->kind == OP_PAGE)
        oo_err_set(&err, OO_E_TIMEOUT, "no such page appeared within %d ms", o->timeout_ms);
    else
        oo_err_set(&err, OO_E_TIMEOUT, "timed out after %d ms", o->timeout_ms);
    op_finish(o, NULL, &err);
}

static op *op_new(cdp_page *p, int kind, int timeout_ms, cdp_done_cb done, void *ud)
{
    op *o = oo_calloc(1, sizeof *o);
    o->p = p;
    o->kind = kind;
    o->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
    o->done = done;
    o->ud = ud;
    o->next = p->ops;
    p->ops = o;
    /* the helper answers its own timeout; this one (a little later) covers a silent page */
    o->timer = cdp_timer_add(p->ctx->b->loop, o->timeout_ms + 2000, on_op_timeout, o);
    return o;
}

static void op_step(op *o, cJSON *result, const oo_err *err);
static void on_answer(void *ud, cJSON *result, const oo_err *err)
{
    op *o = ud;
    o->req = 0;
    op_step(o, result, err);
}

static void send_op(op *o, const char *method, cJSON *params)
{
    o->req = cdp_send(o->p->ctx->b, o->p->session, method, params, o->timeout_ms + 1000, on_answer, o);
}

static void send_eval(op *o, const char *expr)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "expression", expr);
    cJSON_AddTrueToObject(p, "awaitPromise");
    cJSON_AddTrueToObject(p, "returnByValue");
    cJSON_AddTrueToObject(p, "userGesture");
    if (o->kind == OP_FILL) cJSON_AddTrueToObject(p, "includeCommandLineAPI");
    send_op(o, "Runtime.evaluate", p);
}

/* The value of a Runtime.evaluate answer, or an error from its exception. */
static cJSON *eval_value(cJSON *result, oo_err *err)
{
    cJSON *ex = cJSON_GetObjectItem(result, "exceptionDetails");
    if (ex) {
        cJSON *exc = cJSON_GetObjectItem(ex, "exception");
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItem(exc, "description"));
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(ex, "text"));
        oo_err_set(err, OO_E_PAGE, "the page threw: %s", d ? d : t ? t : "an exception");
        return NULL;
    }
    return cJSON_GetObjectItem(cJSON_GetObjectItem(result, "result"), "value");
}

/* One mouse event; only the last of a gesture is waited for (`last`): the others go out at
 * once behind each other. Chromium hands a session's input events to the page in order, and a
 * press makes the page handle a pending move first, so the last answer means all were handled
 * — one round trip for move, press and release instead of three (a move alone waits for the
 * page's next animation frame). */
static void mouse(op *o, const char *type, int count, int last)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "type", type);
    cJSON_AddNumberToObject(p, "x", o->x);
    cJSON_AddNumberToObject(p, "y", o->y);
    if (strcmp(type, "mouseMoved")) {
        cJSON_AddStringToObject(p, "button", o->click.button ? o->click.button : "left");
        cJSON_AddNumberToObject(p, "clickCount", count);
    }
    if (last) send_op(o, "Input.dispatchMouseEvent", p);
    else cdp_send(o->p->ctx->b, o->p->session, "Input.dispatchMouseEvent", p, o->timeout_ms + 1000, NULL, NULL);
}

/* A helper answer {ok:false, error, tried:[{selector, reason}]} as one message. */
static void helper_error(op *o, cJSON *v)
{
    oo_buf b;
    oo_buf_init(&b);
    const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(v, "error"));
    oo_buf_puts(&b, e ? e : "the page helper failed");
    cJSON *tried = cJSON_GetObjectItem(v, "tried"), *t;
    cJSON_ArrayForEach(t, tried) {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(t, "selector"));
        const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(t, "reason"));
        oo_buf_printf(&b, "\n  %s: %s", s ? s : "?", r ? r : "?");
    }
    int code = cJSON_IsTrue(cJSON_GetObjectItem(v, "timeout")) ? OO_E_TIMEOUT : OO_E_PAGE;
    oo_err err = {0};
    oo_err_set(&err, code, "%s", b.data);
    oo_buf_free(&b);
    /* the tried list goes along as the value, for callers that report it */
    op_finish(o, v, &err);
}

static char *install_expr(void)
{
    return oo_strndup(oo_page_js, oo_page_js_len);
}

/* Runs the helper call in o->expr; when the helper is missing (a new document raced the
 * install), installs it and tries once more. Returns the value or NULL when handled. */
static cJSON *helper_value(op *o, cJSON *result, const oo_err *err, int *again)
{
    *again = 0;
    if (err) { op_finish(o, NULL, err); return NULL; }
    oo_err e = {0};
    cJSON *v = eval_value(result, &e);
    if (!v && e.code) { op_finish(o, NULL, &e); return NULL; }
    if (cJSON_IsTrue(cJSON_GetObjectItem(v, "missing")) && !o->retried) {
        o->retried = 1;
        *again = 1;
        char *js = install_expr();
        send_eval(o, js);
        free(js);
        return NULL;
    }
    return v;
}

/* Runtime.evaluate's answer when the document it ran in was replaced while it waited. */
static int navigated_away(const oo_err *err)
{
    return err->code == OO_E_BROWSER && (strstr(err->msg, "Inspected target navigated or closed") ||
                                         strstr(err->msg, "Execution context was destroyed") ||
                                         strstr(err->msg, "Cannot find context with specified id"));
}

/* The document went away under the helper's wait (a navigation, a popup leaving about:blank):
 * the wait goes on in the new one, until the deadline. 0 when this is not that. */
static int helper_follows_navigation(op *o, const oo_err *err)
{
    if (!err || !navigated_away(err) || o->navigations >= 20) return 0;
    o->navigations++;
    o->retried = 0;
    o->state = ST_START;
    send_eval(o, o->expr);
    return 1;
}

/* The element is ready at the helper's (x, y): a fill types into it (or is done already: a
 * select), a checkbox to fill and a click get the mouse gesture, a hover the move. */
static void act_on_element(op *o, cJSON *v)
{
    o->x = cJSON_GetNumberValue(cJSON_GetObjectItem(v, "x"));
    o->y = cJSON_GetNumberValue(cJSON_GetObjectItem(v, "y"));
    if (o->kind == OP_FILL) {
        const char *mode = cJSON_GetStringValue(cJSON_GetObjectItem(v, "mode"));
        if (mode && !strcmp(mode, "done")) { op_finish(o, v, NULL); return; }
        if (mode && !strcmp(mode, "insertText")) {
            o->state = ST_TEXT_INSERTED;
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "text", o->text ? o->text : "");
            send_op(o, "Input.insertText", p);
            return;
        }
        o->kind = OP_CLICK;   /* a checkbox: click it */
        o->click.click_count = 1;
    }
    o->state = ST_INPUT_SENT;
    if (o->kind == OP_HOVER) { mouse(o, "mouseMoved", 0, 1); return; }
    /* move, then press and release per click (a double click sends both pairs) */
    int count = o->click.click_count > 0 ? o->click.click_count : 1;
    mouse(o, "mouseMoved", 0, 0);
    for (int k = 0; k < 2 * count; k++)
        mouse(o, (k % 2) == 0 ? "mousePressed" : "mouseReleased", k / 2 + 1, k == 2 * count - 1);
}

/* The helper call's answer (ST_START), or the install's (ST_HELPER_INSTALLING). */
static void helper_answered(op *o, cJSON *result, const oo_err *err)
{
    if (helper_follows_navigation(o, err)) return;
    if (o->state == ST_HELPER_INSTALLING) {   /* the helper was just installed: call again */
        o->state = ST_START;
        send_eval(o, o->expr);
        return;
    }
    int again;
    cJSON *v = helper_value(o, result, err, &again);
    if (again) { o->state = ST_HELPER_INSTALLING; return; }
    if (!v) return;
    if (!cJSON_IsTrue(cJSON_GetObjectItem(v, "ok"))) { helper_error(o, v); return; }
    if (o->kind == OP_HELPER) { op_finish(o, v, NULL); return; }
    act_on_element(o, v);
}

/* The input's answer: after Input.insertText, change fires as leaving the field would; after
 * that, or after the gesture's last mouse event, the operation is done. */
static void input_answered(op *o, const oo_err *err)
{
    if (err) { op_finish(o, NULL, err); return; }
    if (o->state == ST_TEXT_INSERTED) {
        o->state = ST_CHANGE_FIRED;
        send_eval(o, "globalThis.__oo && globalThis.__oo.afterFill()");
        return;
    }
    op_finish(o, NULL, NULL);
}

/* Is a request's net:: error one of "the server could not be reached" (no connection, no name,
 * no route, no internet), as opposed to one the page or the engine caused (a blocked URL, an
 * aborted load, a certificate, a redirect loop)? Chromium's net error names. */
static int unreachable_error(const char *et)
{
    static const char *const names[] = {
        "net::ERR_CONNECTION_REFUSED", "net::ERR_CONNECTION_RESET", "net::ERR_CONNECTION_CLOSED",
        "net::ERR_CONNECTION_ABORTED", "net::ERR_CONNECTION_FAILED", "net::ERR_CONNECTION_TIMED_OUT",
        "net::ERR_TIMED_OUT", "net::ERR_NAME_NOT_RESOLVED", "net::ERR_NAME_RESOLUTION_FAILED",
        "net::ERR_INTERNET_DISCONNECTED", "net::ERR_ADDRESS_UNREACHABLE", "net::ERR_NETWORK_CHANGED",
        "net::ERR_EMPTY_RESPONSE", "net::ERR_PROXY_CONNECTION_FAILED", "net::ERR_TUNNEL_CONNECTION_FAILED",
        "net::ERR_NETWORK_IO_SUSPENDED", "net::ERR_SOCKET_NOT_CONNECTED",
    };
    for (size_t i = 0; et && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(et, names[i])) return 1;
    return 0;
}

/* Page.navigate's answer: a failure, a same-document navigation (done), or the loader whose
 * lifecycle events decide from now on (on_page_event). */
static void navigate_answered(op *o, cJSON *result, const oo_err *err)
{
    if (err) { op_finish(o, NULL, err); return; }
    if (o->state != ST_START) return;
    const char *et = cJSON_GetStringValue(cJSON_GetObjectItem(result, "errorText"));
    if (et && *et && unreachable_error(et)) { op_fail(o, OO_E_NETWORK, "navigation failed: %s (the site could not be reached)", et); return; }
    if (et && *et) { op_fail(o, OO_E_PAGE, "navigation failed: %s", et); return; }
    const char *loader = cJSON_GetStringValue(cJSON_GetObjectItem(result, "loaderId"));
    if (!loader) { op_finish(o, NULL, NULL); return; }   /* same-document navigation */
    o->loader = oo_strdup(loader);
    o->state = ST_LOADING;
}

/* Network.getResponseBody's answer: the response's value, body included. */
static void body_answered(op *o, cJSON *result, const oo_err *err)
{
    if (err) { op_finish(o, NULL, err); return; }
    cJSON *body = cJSON_GetObjectItem(result, "body");
    int b64 = cJSON_IsTrue(cJSON_GetObjectItem(result, "base64Encoded"));
    cJSON_AddStringToObject(o->info, "body", b64 ? "" : (cJSON_GetStringValue(body) ?: ""));
    cJSON_AddBoolToObject(o->info, "binary", b64);
    cJSON *v = o->info;
    o->info = NULL;
    op_finish(o, v, NULL);
    cJSON_Delete(v);
}

static void eval_answered(op *o, cJSON *result, const oo_err *err)
{
    if (err) { op_finish(o, NULL, err); return; }
    oo_err e = {0};
    cJSON *v = eval_value(result, &e);
    if (e.code) op_finish(o, NULL, &e); else op_finish(o, v, NULL);
}

/* An answer to the operation's request: what it means depends on the kind and state. */
static void op_step(op *o, cJSON *result, const oo_err *err)
{
    switch (o->kind) {
    case OP_RAW:
        if (err) op_finish(o, NULL, err); else op_finish(o, result, NULL);
        return;
    case OP_KEY:
        op_finish(o, NULL, err);
        return;
    case OP_EVAL:
        eval_answered(o, result, err);
        return;
    case OP_HELPER:
    case OP_CLICK:
    case OP_HOVER:
    case OP_FILL:
        if (o->state == ST_START || o->state == ST_HELPER_INSTALLING) helper_answered(o, result, err);
        else input_answered(o, err);
        return;
    case OP_NAVIGATE:
        navigate_answered(o, result, err);
        return;
    case OP_RESPONSE:
        body_answered(o, result, err);
        return;
    case OP_CLOSE:                       /* Target.closeTarget answered: the detach finishes it */
        if (err) op_finish(o, NULL, err);
        else if (o->p->closed) op_finish(o, NULL, NULL);
        return;
    default:                             /* OP_WAIT_NAV, OP_DOWNLOAD, OP_PAGE: events decide */
        return;
    }
}

/* A URL pattern: a glob with '*' (matching anything), else a substring. */
static int url_match(const char *pattern, const char *url)
{
    if (!strchr(pattern, '*')) return strstr(url, pattern) != NULL;
    const char *p = pattern, *u = url, *star = NULL, *mark = NULL;
    while (*u) {
        if (*p == '*') { star = p++; mark = u; }
        else if (*p == *u) { p++; u++; }
        else if (star) { p = star + 1; u = ++mark; }
        else return 0;
    }
    while (*p == '*') p++;
    return *p == '\0';
}

/* The logged response of a request, newest first (the log is bounded: old ones are gone). */
static cJSON *netlog_find(cdp_page *p, const char *request_id)
{
    if (!request_id || !p->netlog->child) return NULL;
    cJSON *e = p->netlog->child->prev;          /* cJSON keeps the last item as the first's prev */
    for (int n = 0; e && n < NETLOG_MAX; n++) {
        const char *rid = cJSON_GetStringValue(cJSON_GetObjectItem(e, "requestId"));
        if (rid && !strcmp(rid, request_id)) return e;
        if (e == p->netlog->child) break;
        e = e->prev;
    }
    return NULL;
}

static const char *lifecycle_name(cdp_wait_until u)
{
    switch (u) {
    case CDP_WAIT_DOMCONTENTLOADED: return "DOMContentLoaded";
    case CDP_WAIT_NETWORKIDLE: return "networkIdle";
    case CDP_WAIT_COMMIT: return "commit";
    default: return "load";
    }
}

/* ---- pages opened by pages (popups), and waiting for one ------------------------------------ */

static cdp_page *page_by_target(cdp_browser *b, const char *target_id)
{
    if (!target_id) return NULL;
    for (cdp_context *c = b->contexts; c; c = c->next)
        for (cdp_page *p = c->pages; p; p = p->next)
            if (p->target_id && !strcmp(p->target_id, target_id)) return p;
    return NULL;
}

static cdp_page *page_by_session(cdp_browser *b, const char *session)
{
    if (!session) return NULL;
    for (cdp_context *c = b->contexts; c; c = c->next)
        for (cdp_page *p = c->pages; p; p = p->next)
            if (p->session && !strcmp(p->session, session)) return p;
    return NULL;
}

/* How far below `root` p is in the opener chain: 0 itself, 1 its popup, ...; -1 not below it. */
static int popup_depth(cdp_page *root, cdp_page *p)
{
    cdp_browser *b = root->ctx->b;
    for (int depth = 0; p && depth < 64; depth++) {
        if (p == root) return depth;
        p = page_by_target(b, p->opener_id);
    }
    return -1;
}

/* p became ready (is_new) or changed its URL: pages waiting for such a page hear of it — waits
 * on p itself and on each page above it in the opener chain. A callback may close pages: the
 * scan starts again (p looked up anew) after each answer. */
static void notify_pages(cdp_page *p, int is_new)
{
    if (!p->ready || p->closed || !p->target_id) return;
    cdp_browser *b = p->ctx->b;
    char *tid = oo_strdup(p->target_id);
    for (int found = 1; found;) {
        found = 0;
        p = page_by_target(b, tid);
        if (!p || p->closed) break;
        int depth = 0;
        for (cdp_page *a = p; a && depth < 64 && !found; a = page_by_target(b, a->opener_id), depth++) {
            for (op *o = a->ops; o; o = o->next) {
                if (o->kind != OP_PAGE) continue;
                if (o->match ? o->match(o->match_ud, p) > 0 : (is_new && depth == 1)) {
                    o->found = p;
                    op_finish(o, NULL, NULL);
                    found = 1;
                    break;
                }
            }
        }
    }
    free(tid);
}

static void set_url(cdp_page *p, const char *url)
{
    if (p->url && url && !strcmp(p->url, url)) return;
    free(p->url);
    p->url = oo_strdup(url ? url : "");
    notify_pages(p, 0);
}

/* The page's tab is gone: what waits on it ends (a close it asked for succeeds). */
static void page_gone(cdp_page *p)
{
    if (p->closed) return;
    p->closed = 1;
    while (p->ops) {
        op *o = p->ops;
        if (o->kind == OP_CLOSE) op_finish(o, NULL, NULL);
        else op_fail(o, OO_E_CANCELLED, "the page was closed%s", "");
    }
}

/* A navigation operation hears a lifecycle event (name) of a loader: Page.navigate waits for its
 * own loader; wait_navigation takes the first loader that commits, then waits on that one. */
static void lifecycle_to_ops(cdp_page *p, const char *name, const char *loader)
{
    for (op *o = p->ops, *next; o; o = next) {
        next = o->next;
        int nav = o->kind == OP_NAVIGATE && o->state == ST_LOADING && loader && o->loader && !strcmp(loader, o->loader);
        int wait = o->kind == OP_WAIT_NAV && (o->state == ST_LOADING || (name && !strcmp(name, "commit")));
        if (!nav && !wait) continue;
        if (o->kind == OP_WAIT_NAV && o->state == ST_START) {
            o->state = ST_LOADING;
            free(o->loader);
            o->loader = loader ? oo_strdup(loader) : NULL;
        }
        if (o->kind == OP_WAIT_NAV && o->loader && loader && strcmp(o->loader, loader)) continue;
        if (name && !strcmp(name, lifecycle_name(o->until))) {
            cJSON *v = cJSON_CreateObject();
            cJSON_AddStringToObject(v, "url", p->url ? p->url : "");
            op_finish(o, v, NULL);
            cJSON_Delete(v);
        }
    }
}

/* Page.lifecycleEvent, or Page.frameNavigated (the main frame's commit: its id and URL). */
static void on_lifecycle(cdp_page *p, const char *session, cJSON *params)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(params, "name"));
    const char *loader = cJSON_GetStringValue(cJSON_GetObjectItem(params, "loaderId"));
    cJSON *frame = cJSON_GetObjectItem(params, "frame");
    if (frame && !cJSON_GetObjectItem(frame, "parentId")) {
        cdp_browser *b = p->ctx->b;
        free(p->main_frame);
        p->main_frame = oo_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(frame, "id")) ?: "");
        loader = cJSON_GetStringValue(cJSON_GetObjectItem(frame, "loaderId"));
        name = "commit";
        set_url(p, cJSON_GetStringValue(cJSON_GetObjectItem(frame, "url")));
        if (!(p = page_by_session(b, session))) return;   /* a waiter closed it */
    }
    lifecycle_to_ops(p, name, loader);
}

/* history.pushState and #fragments: single-page apps change their URL this way. */
static void on_same_document(cdp_page *p, cJSON *params)
{
    const char *frame = cJSON_GetStringValue(cJSON_GetObjectItem(params, "frameId"));
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(params, "url"));
    if (url && frame && (!p->main_frame || !strcmp(frame, p->main_frame))) set_url(p, url);
}

/* A console call's level and text: its arguments, joined by spaces. */
static const char *console_api_text(cJSON *params, oo_buf *text)
{
    cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(params, "args")) {
        cJSON *val = cJSON_GetObjectItem(a, "value");
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItem(a, "description"));
        if (text->len) oo_buf_putc(text, ' ');
        if (cJSON_IsString(val)) oo_buf_puts(text, val->valuestring);
        else if (val) { char *t = cJSON_PrintUnformatted(val); oo_buf_puts(text, t); free(t); }
        else oo_buf_puts(text, d ? d : "");
    }
    return cJSON_GetStringValue(cJSON_GetObjectItem(params, "type")) ?: "log";
}

/* A console message, an uncaught exception or a log entry, into the page's bounded ring. */
static void on_console(cdp_page *p, const char *method, cJSON *params)
{
    oo_buf text;
    oo_buf_init(&text);
    const char *level;
    if (!strcmp(method, "Runtime.consoleAPICalled")) {
        level = console_api_text(params, &text);
    } else if (!strcmp(method, "Runtime.exceptionThrown")) {
        level = "exception";
        cJSON *ex = cJSON_GetObjectItem(params, "exceptionDetails");
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(ex, "exception"), "description"));
        oo_buf_puts(&text, d ? d : cJSON_GetStringValue(cJSON_GetObjectItem(ex, "text")) ?: "exception");
    } else {
        cJSON *entry = cJSON_GetObjectItem(params, "entry");
        level = cJSON_GetStringValue(cJSON_GetObjectItem(entry, "level")) ?: "info";
        oo_buf_puts(&text, cJSON_GetStringValue(cJSON_GetObjectItem(entry, "text")) ?: "");
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "time", (double)oo_wall_ms());
    cJSON_AddStringToObject(e, "level", level);
    cJSON_AddStringToObject(e, "text", text.data ? text.data : "");
    oo_buf_free(&text);
    cJSON_AddItemToArray(p->console, e);
    if (cJSON_GetArraySize(p->console) > CONSOLE_MAX) cJSON_DeleteItemFromArray(p->console, 0);
}

/* A response finished or failed: the log says so; a wait for it asks for its body, or fails. */
static void on_loading_done(cdp_page *p, const char *method, cJSON *params)
{
    const char *rid = cJSON_GetStringValue(cJSON_GetObjectItem(params, "requestId"));
    const char *error = cJSON_GetStringValue(cJSON_GetObjectItem(params, "errorText"));
    int failed = !strcmp(method, "Network.loadingFailed");
    cJSON *logged = netlog_find(p, rid);
    if (logged) {
        cJSON_ReplaceItemInObject(logged, "state", cJSON_CreateString(failed ? "failed" : "finished"));
        if (failed) cJSON_AddStringToObject(logged, "error", error ?: "");
    }
    for (op *o = p->ops, *next; o; o = next) {
        next = o->next;
        if (o->kind != OP_RESPONSE || !o->request_id || !rid || strcmp(o->request_id, rid) || o->state != ST_START)
            continue;
        if (failed) {
            op_fail(o, unreachable_error(error) ? OO_E_NETWORK : OO_E_PAGE, "the response failed to load: %s", error);
            continue;
        }
        o->state = ST_BODY_ASKED;
        cJSON *gp = cJSON_CreateObject();
        cJSON_AddStringToObject(gp, "requestId", rid);
        send_op(o, "Network.getResponseBody", gp);
    }
}

/* The log of recent responses: what page:network() shows, and what a wait for a response
 * "since" a moment looks at first. */
static void netlog_add(cdp_page *p, cJSON *params)
{
    cJSON *r = cJSON_GetObjectItem(params, "response");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "time", (double)oo_wall_ms());
    cJSON_AddNumberToObject(e, "mono_ms", (double)oo_now_ms());
    cJSON_AddStringToObject(e, "url", cJSON_GetStringValue(cJSON_GetObjectItem(r, "url")) ?: "");
    cJSON_AddNumberToObject(e, "status", cJSON_GetNumberValue(cJSON_GetObjectItem(r, "status")));
    cJSON_AddStringToObject(e, "type", cJSON_GetStringValue(cJSON_GetObjectItem(params, "type")) ?: "");
    cJSON_AddStringToObject(e, "mimeType", cJSON_GetStringValue(cJSON_GetObjectItem(r, "mimeType")) ?: "");
    cJSON_AddStringToObject(e, "requestId", cJSON_GetStringValue(cJSON_GetObjectItem(params, "requestId")) ?: "");
    cJSON_AddStringToObject(e, "state", "loading");
    cJSON_AddItemToArray(p->netlog, e);
    if (++p->netlog_n > NETLOG_MAX) { cJSON_DeleteItemFromArray(p->netlog, 0); p->netlog_n--; }
}

/* A response arrived: waits for a matching URL take it (its body comes when it finished). */
static void on_response(cdp_page *p, cJSON *params)
{
    cJSON *r = cJSON_GetObjectItem(params, "response");
    const char *rurl = cJSON_GetStringValue(cJSON_GetObjectItem(r, "url"));
    for (op *o = p->ops; o; o = o->next) {
        if (o->kind != OP_RESPONSE || o->request_id || !rurl || !url_match(o->text, rurl)) continue;
        o->request_id = oo_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(params, "requestId")) ?: "");
        o->info = cJSON_CreateObject();
        cJSON_AddStringToObject(o->info, "url", rurl);
        cJSON_AddNumberToObject(o->info, "status", cJSON_GetNumberValue(cJSON_GetObjectItem(r, "status")));
        cJSON_AddStringToObject(o->info, "mimeType", cJSON_GetStringValue(cJSON_GetObjectItem(r, "mimeType")) ?: "");
    }
    netlog_add(p, params);
}

static void on_crashed(cdp_page *p)
{
    p->crashed = 1;
    for (op *o = p->ops, *next; o; o = next) {
        next = o->next;
        op_fail(o, OO_E_BROWSER, "the page crashed%s", "");
    }
}

/* Page-level events: lifecycle (for navigations), console, network log, crashes, URL. */
static void on_page_event(void *ud, const char *session, const char *method, cJSON *params)
{
    cdp_page *p = ud;
    if (!strcmp(method, "Page.lifecycleEvent") || !strcmp(method, "Page.frameNavigated"))
        on_lifecycle(p, session, params);
    else if (!strcmp(method, "Page.navigatedWithinDocument"))
        on_same_document(p, params);
    else if (!strcmp(method, "Runtime.consoleAPICalled") || !strcmp(method, "Runtime.exceptionThrown") ||
             !strcmp(method, "Log.entryAdded"))
        on_console(p, method, params);
    else if (!strcmp(method, "Network.loadingFinished") || !strcmp(method, "Network.loadingFailed"))
        on_loading_done(p, method, params);
    else if (!strcmp(method, "Network.responseReceived"))
        on_response(p, params);
    else if (!strcmp(method, "Inspector.detached"))
        page_gone(p);
    else if (!strcmp(method, "Inspector.targetCrashed"))
        on_crashed(p);
}

/* ---- opening a page ----------------------------------------------------------------------- */

static void page_ready(cdp_page *p, const oo_err *err)
{
    cdp_page_cb cb = p->ready_cb;
    void *ud = p->ready_ud;
    p->ready_cb = NULL;
    if (err) {
        cdp_page_close(p);
        if (cb) cb(ud, NULL, err);
        return;
    }
    p->ready = 1;
    if (cb) cb(ud, p, NULL);
}

/* The answers to the setup requests (all sent at once: a session runs them in order). */
static void on_init(void *ud, cJSON *result, const oo_err *err)
{
    cdp_page *p = ud;
    if (p->init_failed) return;
    if (err) { p->init_failed = 1; page_ready(p, err); return; }
    cJSON *frame = cJSON_GetObjectItem(cJSON_GetObjectItem(result, "frameTree"), "frame");
    if (frame) {                 /* Page.getFrameTree: where the page is (a popup may be loaded already) */
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(frame, "id"));
        const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(frame, "url"));
        if (id) { free(p->main_frame); p->main_frame = oo_strdup(id); }
        if (url) { free(p->url); p->url = oo_strdup(url); }
    }
    if (--p->init_left == 0) page_ready(p, NULL);
}

static void init_send(cdp_page *p, const char *method, cJSON *params)
{
    p->init_left++;
    cdp_send(p->ctx->b, p->session, method, params, 15000, on_init, p);
}

static void on_attached(void *ud, cJSON *result, const oo_err *err)
{
    cdp_page *p = ud;
    oo_err gone = {0};
    if (!err && (p->ctx->b->gone || p->ctx->b->closing || p->ctx->b->to_fd < 0)) {
        oo_err_set(&gone, OO_E_BROWSER, "the browser is gone");
        err = &gone;
    }
    if (err) { page_ready(p, err); return; }
    /* from here no send fails at once (the browser is up): p outlives the sends below */
    p->session = oo_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(result, "sessionId")) ?: "");
    p->sub = cdp_subscribe(p->ctx->b, p->session, NULL, on_page_event, p);
    cJSON *params;
    /* one more answer is counted until every request is sent: none finishes the setup early */
    p->init_left = 1;
    init_send(p, "Page.enable", NULL);
    init_send(p, "Runtime.enable", NULL);
    init_send(p, "Network.enable", NULL);
    init_send(p, "Log.enable", NULL);
    params = cJSON_CreateObject();
    cJSON_AddTrueToObject(params, "enabled");
    init_send(p, "Page.setLifecycleEventsEnabled", params);
    /* no one watches these pages: a site that honours the user's wish for less motion
     * renders fewer animation frames */
    params = cJSON_CreateObject();
    cJSON *feats = cJSON_AddArrayToObject(params, "features"), *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "name", "prefers-reduced-motion");
    cJSON_AddStringToObject(f, "value", "reduce");
    cJSON_AddItemToArray(feats, f);
    init_send(p, "Emulation.setEmulatedMedia", params);
    if (p->ctx->blocked) {
        params = cJSON_CreateObject();
        cJSON_AddItemToObject(params, "urls", cJSON_Duplicate(p->ctx->blocked, 1));
        init_send(p, "Network.setBlockedURLs", params);
    }
    char *js = install_expr();
    params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "source", js);
    init_send(p, "Page.addScriptToEvaluateOnNewDocument", params);
    params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "expression", js);
    init_send(p, "Runtime.evaluate", params);
    free(js);
    init_send(p, "Page.getFrameTree", NULL);
    if (--p->init_left == 0) page_ready(p, NULL);
}

static void attach(cdp_page *p)
{
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "targetId", p->target_id);
    cJSON_AddTrueToObject(params, "flatten");
    cdp_send(p->ctx->b, NULL, "Target.attachToTarget", params, 10000, on_attached, p);
}

static void on_target(void *ud, cJSON *result, const oo_err *err)
{
    cdp_page *p = ud;
    if (err) { page_ready(p, err); return; }
    p->target_id = oo_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(result, "targetId")) ?: "");
    attach(p);
}

static cdp_page *page_alloc(cdp_context *ctx, cdp_page_cb cb, void *ud)
{
    cdp_page *p = oo_calloc(1, sizeof *p);
    p->ctx = ctx;
    p->console = cJSON_CreateArray();
    p->netlog = cJSON_CreateArray();
    p->ready_cb = cb;
    p->ready_ud = ud;
    p->next = ctx->pages;
    ctx->pages = p;
    return p;
}

/* A popup is attached and set up like any page: its opener's popup callback and the waits for
 * it hear of it then. */
static void on_popup_ready(void *ud, cdp_page *p, const oo_err *err)
{
    (void)ud;
    if (err) { OO_DEBUG("cdp", "a popup could not be attached: %s", err->msg); return; }
    if (p->closed) return;                  /* it closed while being set up: nobody hears of it */
    cdp_browser *b = p->ctx->b;
    char *tid = oo_strdup(p->target_id);
    cdp_page *opener = page_by_target(b, p->opener_id);
    OO_DEBUG("cdp", "popup %s (%s) opened by %s", tid, cdp_page_url(p), p->opener_id);
    if (opener && opener->popup_cb) opener->popup_cb(opener->popup_ud, p, NULL);
    if ((p = page_by_target(b, tid))) notify_pages(p, 1);
    free(tid);
}

/* Browser-level target events: a page opened by one of ours (window.open, target=_blank,
 * noopener too: Chromium still names the opener) is attached as a popup; a target that goes
 * away closes its page. */
static void on_target_event(void *ud, const char *session, const char *method, cJSON *params)
{
    cdp_browser *b = ud;
    if (session || strncmp(method, "Target.", 7)) return;
    if (!strcmp(method, "Target.targetCreated")) {
        cJSON *ti = cJSON_GetObjectItem(params, "targetInfo");
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(ti, "type"));
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(ti, "targetId"));
        const char *opener_id = cJSON_GetStringValue(cJSON_GetObjectItem(ti, "openerId"));
        if (!type || strcmp(type, "page") || !id || !opener_id || page_by_target(b, id)) return;
        cdp_page *opener = page_by_target(b, opener_id);
        if (!opener || opener->closed) return;
        cdp_page *p = page_alloc(opener->ctx, on_popup_ready, NULL);
        p->target_id = oo_strdup(id);
        p->opener_id = oo_strdup(opener_id);
        attach(p);
    } else if (!strcmp(method, "Target.targetDestroyed") || !strcmp(method, "Target.detachedFromTarget")) {
        cdp_page *p = page_by_target(b, cJSON_GetStringValue(cJSON_GetObjectItem(params, "targetId")));
        if (!p) p = page_by_session(b, cJSON_GetStringValue(cJSON_GetObjectItem(params, "sessionId")));
        if (p) page_gone(p);
    }
}

int cdp_page_new(cdp_context *ctx, cdp_page_cb cb, void *ud)
{
    cdp_browser *b = ctx->b;
    if (!b->discovering && !b->gone && !b->closing) {
        b->discovering = 1;
        cdp_subscribe(b, NULL, NULL, on_target_event, b);
        cJSON *params = cJSON_CreateObject();
        cJSON_AddTrueToObject(params, "discover");
        cdp_send(b, NULL, "Target.setDiscoverTargets", params, 10000, NULL, NULL);
    }
    cdp_page *p = page_alloc(ctx, cb, ud);
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "url", "about:blank");
    cJSON_AddStringToObject(params, "browserContextId", ctx->id);
    return cdp_send(b, NULL, "Target.createTarget", params, 10000, on_target, p) > 0 ? 0 : -1;
}

void cdp_page_close(cdp_page *p)
{
    if (!p) return;
    cdp_context *ctx = p->ctx;
    cdp_page **pp = &ctx->pages;
    while (*pp && *pp != p) pp = &(*pp)->next;
    if (*pp) *pp = p->next;
    while (p->ops) op_fail(p->ops, OO_E_CANCELLED, "the page was closed%s", "");
    cdp_unsubscribe(p->sub);
    cdp_browser *b = ctx->b;
    if (p->target_id && !p->closed && !b->gone && !b->closing) {
        cJSON *params = cJSON_CreateObject();
        cJSON_AddStringToObject(params, "targetId", p->target_id);
        cdp_send(b, NULL, "Target.closeTarget", params, 5000, NULL, NULL);
    }
    /* requests of this page still in flight must not call back into it */
    for (cdp_pending *q = b->pending; q; q = q->next)
        if (q->ud == p) q->cb = NULL;
    cJSON_Delete(p->console);
    cJSON_Delete(p->netlog);
    free(p->target_id);
    free(p->opener_id);
    free(p->session);
    free(p->url);
    free(p->main_frame);
    free(p);
}

const char *cdp_page_session(const cdp_page *p) { return p->session; }
cdp_page *cdp_browser_page(cdp_browser *b, const char *target_id) { return page_by_target(b, target_id); }
const char *cdp_page_target_id(const cdp_page *p) { return p->target_id; }
const char *cdp_page_url(const cdp_page *p) { return p->url ? p->url : ""; }
int cdp_page_crashed(const cdp_page *p) { return p->crashed; }
void cdp_page_on_popup(cdp_page *p, cdp_page_cb cb, void *ud) { p->popup_cb = cb; p->popup_ud = ud; }
cJSON *cdp_page_console(cdp_page *p) { return cJSON_Duplicate(p->console, 1); }

cJSON *cdp_page_network_log(cdp_page *p, int64_t since_ms)
{
    cJSON *out = cJSON_CreateArray(), *e;
    cJSON_ArrayForEach(e, p->netlog)
        if (cJSON_GetNumberValue(cJSON_GetObjectItem(e, "time")) >= (double)since_ms)
            cJSON_AddItemToArray(out, cJSON_Duplicate(e, 1));
    return out;
}

/* ---- the operations ----------------------------------------------------------------------- */

static int check_page(cdp_page *p, cdp_done_cb done, void *ud)
{
    if (!p->crashed && !p->closed && !p->ctx->b->gone) return 0;
    oo_err err = {0};
    if (p->ctx->b->gone) oo_err_set(&err, OO_E_BROWSER, "the browser is gone");
    else if (p->crashed) oo_err_set(&err, OO_E_BROWSER, "the page crashed");
    else oo_err_set(&err, OO_E_CANCELLED, "the page was closed");
    done(ud, NULL, &err);
    return -1;
}

/* ---- popups --------------------------------------------------------------------------------- */

int cdp_page_closed(const cdp_page *p) { return p->closed; }

cdp_page *cdp_page_find(cdp_page *root, cdp_page_match match, void *match_ud)
{
    cdp_page *best = NULL;
    int best_score = 0;
    /* newest first: of two equally good pages, the one opened last */
    for (cdp_page *p = root->ctx->pages; p; p = p->next) {
        if (!p->ready || p->closed || popup_depth(root, p) < 0) continue;
        int score = match(match_ud, p);
        if (score > best_score) { best = p; best_score = score; }
    }
    return best;
}

static int wait_page(cdp_page *p, cdp_page_match match, void *match_ud, int timeout_ms, cdp_page_cb done, void *ud)
{
    oo_err err = {0};
    if (p->crashed || p->closed || p->ctx->b->gone) {
        oo_err_set(&err, p->ctx->b->gone ? OO_E_BROWSER : OO_E_CANCELLED,
                   p->ctx->b->gone ? "the browser is gone" : p->crashed ? "the page crashed" : "the page was closed");
        done(ud, NULL, &err);
        return -1;
    }
    op *o = op_new(p, OP_PAGE, timeout_ms, NULL, ud);
    o->page_done = done;
    o->match = match;
    o->match_ud = match_ud;
    /* nothing in the page answers this one: the deadline is exactly the caller's */
    cdp_timer_cancel(o->timer);
    o->timer = cdp_timer_add(p->ctx->b->loop, o->timeout_ms, on_op_timeout, o);
    return 0;
}

int cdp_page_wait_page(cdp_page *root, cdp_page_match match, void *match_ud, int timeout_ms, cdp_page_cb done, void *ud)
{
    return wait_page(root, match, match_ud, timeout_ms, done, ud);
}

int cdp_page_wait_popup(cdp_page *p, int timeout_ms, cdp_page_cb done, void *ud)
{
    return wait_page(p, NULL, NULL, timeout_ms, done, ud);
}

int cdp_page_close_target(cdp_page *p, int timeout_ms, cdp_done_cb done, void *ud)
{
    if (p->closed) { done(ud, NULL, NULL); return 0; }
    if (p->ctx->b->gone) {
        oo_err err = {0};
        oo_err_set(&err, OO_E_BROWSER, "the browser is gone");
        done(ud, NULL, &err);
        return -1;
    }
    op *o = op_new(p, OP_CLOSE, timeout_ms, done, ud);
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "targetId", p->target_id);
    o->req = cdp_send(p->ctx->b, NULL, "Target.closeTarget", params, o->timeout_ms, on_answer, o);
    return 0;
}

/* __oo.fn(target, opts) as an expression; target and opts are JSON (NULL -> null). */
static char *helper_call(const char *fn, const cJSON *target, const cJSON *opts)
{
    char *t = target ? cJSON_PrintUnformatted(target) : NULL;
    char *o = opts ? cJSON_PrintUnformatted(opts) : NULL;
    char *e = oo_asprintf("(globalThis.__oo ? globalThis.__oo.%s(%s, %s) : {ok: false, missing: true})", fn,
                          t ? t : "null", o ? o : "{}");
    free(t);
    free(o);
    return e;
}

static int start_helper(cdp_page *p, int kind, const char *fn, const cJSON *target, cJSON *opts, int timeout_ms,
                        cdp_done_cb done, void *ud, op **out)
{
    if (check_page(p, done, ud)) { cJSON_Delete(opts); return -1; }
    op *o = op_new(p, kind, timeout_ms, done, ud);
    if (!opts) opts = cJSON_CreateObject();
    cJSON_AddNumberToObject(opts, "timeoutMs", o->timeout_ms);
    o->expr = helper_call(fn, target, opts);
    cJSON_Delete(opts);
    if (out) *out = o;
    send_eval(o, o->expr);
    return 0;
}

int cdp_page_evaluate(cdp_page *p, const char *expression, int timeout_ms, cdp_done_cb done, void *ud)
{
    if (check_page(p, done, ud)) return -1;
    op *o = op_new(p, OP_EVAL, timeout_ms, done, ud);
    send_eval(o, expression);
    return 0;
}

int cdp_page_click(cdp_page *p, const cJSON *target, const cdp_click_opts *opts, int timeout_ms,
                   cdp_done_cb done, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "action", opts && opts->click_count == 2 ? "dblclick" : "click");
    if (opts && opts->has_offset) {
        cJSON_AddNumberToObject(o, "offsetX", opts->offset_x);
        cJSON_AddNumberToObject(o, "offsetY", opts->offset_y);
    }
    op *op_out = NULL;
    int rc = start_helper(p, OP_CLICK, "actionPoint", target, o, timeout_ms, done, ud, &op_out);
    if (op_out && opts) op_out->click = *opts;
    return rc;
}

int cdp_page_hover(cdp_page *p, const cJSON *target, int timeout_ms, cdp_done_cb done, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "action", "hover");
    return start_helper(p, OP_HOVER, "actionPoint", target, o, timeout_ms, done, ud, NULL);
}

int cdp_page_fill(cdp_page *p, const cJSON *target, const char *value, int timeout_ms, cdp_done_cb done, void *ud)
{
    if (check_page(p, done, ud)) return -1;
    op *o = op_new(p, OP_FILL, timeout_ms, done, ud);
    char *t = cJSON_PrintUnformatted(target);
    oo_buf v;
    oo_buf_init(&v);
    oo_buf_json_str(&v, value);
    /* DevTools' getEventListeners (the command-line API) tells the helper whether the page
     * listens for beforeinput: if not, it inserts the text itself in this one call */
    o->expr = oo_asprintf("(globalThis.__oo ? globalThis.__oo.prepareFill(%s, %s, {timeoutMs: %d}, "
                          "typeof getEventListeners === 'function' ? getEventListeners : undefined) : {ok: false, missing: true})",
                          t, v.data, o->timeout_ms);
    o->text = oo_strdup(value);
    free(t);
    oo_buf_free(&v);
    send_eval(o, o->expr);
    return 0;
}

int cdp_page_wait_selector(cdp_page *p, const cJSON *target, const char *state, const cJSON *opts, int timeout_ms,
                           cdp_done_cb done, void *ud)
{
    cJSON *o = opts ? cJSON_Duplicate(opts, 1) : cJSON_CreateObject();
    if (state) cJSON_AddStringToObject(o, "state", state);
    return start_helper(p, OP_HELPER, "waitFor", target, o, timeout_ms, done, ud, NULL);
}

int cdp_page_wait_expression(cdp_page *p, const char *expression, int timeout_ms, cdp_done_cb done, void *ud)
{
    cJSON *src = cJSON_CreateString(expression);
    int rc = start_helper(p, OP_HELPER, "waitForExpression", src, NULL, timeout_ms, done, ud, NULL);
    cJSON_Delete(src);
    return rc;
}

int cdp_page_helper(cdp_page *p, const char *fn, const cJSON *target, const cJSON *opts, int timeout_ms,
                    cdp_done_cb done, void *ud)
{
    return start_helper(p, OP_HELPER, fn, target, opts ? cJSON_Duplicate(opts, 1) : NULL, timeout_ms, done, ud, NULL);
}

int cdp_page_scroll(cdp_page *p, const cJSON *target, double x, double y, int timeout_ms, cdp_done_cb done, void *ud)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "x", x);
    cJSON_AddNumberToObject(o, "y", y);
    return start_helper(p, OP_HELPER, "scroll", target, o, timeout_ms, done, ud, NULL);
}

int cdp_page_html(cdp_page *p, int timeout_ms, cdp_done_cb done, void *ud)
{
    return start_helper(p, OP_HELPER, "html", NULL, NULL, timeout_ms, done, ud, NULL);
}

int cdp_page_navigate(cdp_page *p, const char *url, cdp_wait_until until, int timeout_ms, cdp_done_cb done, void *ud)
{
    if (check_page(p, done, ud)) return -1;
    op *o = op_new(p, OP_NAVIGATE, timeout_ms, done, ud);
    o->until = until;
    o->text = oo_strdup(url);
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "url", url);
    send_op(o, "Page.navigate", params);
    return 0;
}

int cdp_page_wait_navigation(cdp_page *p, cdp_wait_until until, int timeout_ms, cdp_done_cb done, void *ud)
{
    if (check_page(p, done, ud)) return -1;
    op *o = op_new(p, OP_WAIT_NAV, timeout_ms, done, ud);
    o->until = until;
    return 0;
}

static int raw(cdp_page *p, const char *method, cJSON *params, int timeout_ms, cdp_done_cb done, void *ud)
{
    if (check_page(p, done, ud)) { cJSON_Delete(params); return -1; }
    op *o = op_new(p, OP_RAW, timeout_ms, done, ud);
    send_op(o, method, params);
    return 0;
}

int cdp_page_send(cdp_page *p, const char *method, cJSON *params, int timeout_ms, cdp_done_cb done, void *ud)
{
    return raw(p, method, params, timeout_ms, done, ud);
}

int cdp_page_bring_to_front(cdp_page *p, int timeout_ms, cdp_done_cb done, void *ud)
{
    return raw(p, "Page.bringToFront", NULL, timeout_ms, done, ud);
}

int cdp_page_screenshot(cdp_page *p, int full_page, int timeout_ms, cdp_done_cb done, void *ud)
{
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "format", "png");
    if (full_page) cJSON_AddTrueToObject(params, "captureBeyondViewport");
    return raw(p, "Page.captureScreenshot", params, timeout_ms, done, ud);
}

int cdp_page_set_viewport(cdp_page *p, int width, int height, double scale, int mobile, int timeout_ms,
                          cdp_done_cb done, void *ud)
{
    cJSON *params = cJSON_CreateObject();
    cJSON_AddNumberToObject(params, "width", width);
    cJSON_AddNumberToObject(params, "height", height);
    cJSON_AddNumberToObject(params, "deviceScaleFactor", scale > 0 ? scale : 1);
    cJSON_AddBoolToObject(params, "mobile", mobile);
    return raw(p, "Emulation.setDeviceMetricsOverride", params, timeout_ms, done, ud);
}

int cdp_page_emulate_network(cdp_page *p, int offline, double latency_ms, double download_bps, double upload_bps,
                             int timeout_ms, cdp_done_cb done, void *ud)
{
    cJSON *params = cJSON_CreateObject();
    cJSON_AddBoolToObject(params, "offline", offline);
    cJSON_AddNumberToObject(params, "latency", latency_ms);
    cJSON_AddNumberToObject(params, "downloadThroughput", download_bps);
    cJSON_AddNumberToObject(params, "uploadThroughput", upload_bps);
    return raw(p, "Network.emulateNetworkConditions", params, timeout_ms, done, ud);
}

/* Keys of the Recorder / Puppeteer vocabulary. */
static const struct { const char *key, *code; int vk; const char *text; } keys[] = {
    {"Enter", "Enter", 13, "\r"}, {"Tab", "Tab", 9, ""}, {"Backspace", "Backspace", 8, ""},
    {"Delete", "Delete", 46, ""}, {"Escape", "Escape", 27, ""}, {"ArrowUp", "ArrowUp", 38, ""},
    {"ArrowDown", "ArrowDown", 40, ""}, {"ArrowLeft", "ArrowLeft", 37, ""}, {"ArrowRight", "ArrowRight", 39, ""},
    {"Home", "Home", 36, ""}, {"End", "End", 35, ""}, {"PageUp", "PageUp", 33, ""}, {"PageDown", "PageDown", 34, ""},
    {"Shift", "ShiftLeft", 16, ""}, {"Control", "ControlLeft", 17, ""}, {"Alt", "AltLeft", 18, ""},
    {"Meta", "MetaLeft", 91, ""}, {" ", "Space", 32, " "}, {"Space", "Space", 32, " "},
    {"F1", "F1", 112, ""}, {"F2", "F2", 113, ""}, {"F5", "F5", 116, ""}, {"F12", "F12", 123, ""},
};

int cdp_page_key(cdp_page *p, const char *key, int down, int timeout_ms, cdp_done_cb done, void *ud)
{
    if (check_page(p, done, ud)) return -1;
    const char *code = NULL, *text = "";
    int vk = 0;
    char one[8] = "", codebuf[16] = "";
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(keys[i].key, key)) { code = keys[i].code; vk = keys[i].vk; text = keys[i].text; }
    if (!code && strlen(key) == 1) {
        char c = key[0];
        snprintf(one, sizeof one, "%c", c);
        text = one;
        if (c >= 'a' && c <= 'z') { snprintf(codebuf, sizeof codebuf, "Key%c", c - 32); vk = c - 32; }
        else if (c >= 'A' && c <= 'Z') { snprintf(codebuf, sizeof codebuf, "Key%c", c); vk = c; }
        else if (c >= '0' && c <= '9') { snprintf(codebuf, sizeof codebuf, "Digit%c", c); vk = c; }
        code = codebuf[0] ? codebuf : "";
    }
    if (!code) {
        oo_err err = {0};
        oo_err_set(&err, OO_E_INPUT, "unknown key \"%s\" (use names like Enter, Tab, ArrowDown, a, 1)", key);
        done(ud, NULL, &err);
        return -1;
    }
    op *o = op_new(p, OP_KEY, timeout_ms, done, ud);
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "type", down ? (text[0] ? "keyDown" : "rawKeyDown") : "keyUp");
    cJSON_AddStringToObject(params, "key", key);
    cJSON_AddStringToObject(params, "code", code);
    cJSON_AddNumberToObject(params, "windowsVirtualKeyCode", vk);
    if (down && text[0]) {
        cJSON_AddStringToObject(params, "text", text);
        cJSON_AddStringToObject(params, "unmodifiedText", text);
    }
    send_op(o, "Input.dispatchKeyEvent", params);
    return 0;
}

/* ---- network responses and downloads ------------------------------------------------------ */

int cdp_page_wait_response(cdp_page *p, const char *url_pattern, int64_t since_ms, int timeout_ms,
                           cdp_done_cb done, void *ud)
{
    if (check_page(p, done, ud)) return -1;
    op *o = op_new(p, OP_RESPONSE, timeout_ms, done, ud);
    o->text = oo_strdup(url_pattern);
    if (since_ms <= 0) return 0;
    /* the oldest response seen since then that matches counts, finished or not yet */
    cJSON *e;
    cJSON_ArrayForEach(e, p->netlog) {
        const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(e, "url"));
        if (cJSON_GetNumberValue(cJSON_GetObjectItem(e, "mono_ms")) < (double)since_ms || !url || !url_match(url_pattern, url))
            continue;
        const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(e, "state"));
        if (state && !strcmp(state, "failed")) {
            op_fail(o, OO_E_PAGE, "the response failed to load: %s", cJSON_GetStringValue(cJSON_GetObjectItem(e, "error")));
            return 0;
        }
        o->request_id = oo_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(e, "requestId")) ?: "");
        o->info = cJSON_CreateObject();
        cJSON_AddStringToObject(o->info, "url", url);
        cJSON_AddNumberToObject(o->info, "status", cJSON_GetNumberValue(cJSON_GetObjectItem(e, "status")));
        cJSON_AddStringToObject(o->info, "mimeType", cJSON_GetStringValue(cJSON_GetObjectItem(e, "mimeType")) ?: "");
        if (state && !strcmp(state, "finished")) {     /* its body is there already */
            o->state = ST_BODY_ASKED;
            cJSON *gp = cJSON_CreateObject();
            cJSON_AddStringToObject(gp, "requestId", o->request_id);
            send_op(o, "Network.getResponseBody", gp);
        }
        break;
    }
    return 0;
}

static void on_set_download(void *ud, cJSON *result, const oo_err *err);
typedef struct { cdp_context *ctx; char *dir; cdp_done_cb done; void *ud; } dl_req;

int cdp_context_set_download_dir(cdp_context *ctx, const char *dir, int timeout_ms, cdp_done_cb done, void *ud)
{
    oo_err err = {0};
    if (oo_mkdir_p(dir, &err) != 0) { done(ud, NULL, &err); return -1; }
    dl_req *r = oo_malloc(sizeof *r);
    r->ctx = ctx;
    r->dir = oo_strdup(dir);
    r->done = done;
    r->ud = ud;
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "behavior", "allowAndName");
    cJSON_AddStringToObject(params, "browserContextId", ctx->id);
    cJSON_AddStringToObject(params, "downloadPath", dir);
    cJSON_AddTrueToObject(params, "eventsEnabled");
    return cdp_send(ctx->b, NULL, "Browser.setDownloadBehavior", params, timeout_ms, on_set_download, r) > 0 ? 0 : -1;
}

static void on_set_download(void *ud, cJSON *result, const oo_err *err)
{
    (void)result;
    dl_req *r = ud;
    if (!err) { free(r->ctx->download_dir); r->ctx->download_dir = r->dir; r->dir = NULL; }
    r->done(r->ud, NULL, err);
    free(r->dir);
    free(r);
}

/* Browser-level download events: the first download that begins in this page's frame, until it
 * completes; the file (named by its guid) gets its suggested name, made unique. */
static void on_download_event(void *ud, const char *session, const char *method, cJSON *params)
{
    (void)session;
    op *o = ud;
    if (!strcmp(method, "Browser.downloadWillBegin") && !o->request_id) {
        const char *frame = cJSON_GetStringValue(cJSON_GetObjectItem(params, "frameId"));
        if (o->p->main_frame && frame && strcmp(frame, o->p->main_frame) && strcmp(frame, o->p->target_id)) return;
        o->request_id = oo_strdup(cJSON_GetStringValue(cJSON_GetObjectItem(params, "guid")) ?: "");
        o->info = cJSON_CreateObject();
        cJSON_AddStringToObject(o->info, "url", cJSON_GetStringValue(cJSON_GetObjectItem(params, "url")) ?: "");
        cJSON_AddStringToObject(o->info, "suggestedFilename",
                                cJSON_GetStringValue(cJSON_GetObjectItem(params, "suggestedFilename")) ?: "download");
    } else if (!strcmp(method, "Browser.downloadProgress") && o->request_id) {
        const char *guid = cJSON_GetStringValue(cJSON_GetObjectItem(params, "guid"));
        const char *state = cJSON_GetStringValue(cJSON_GetObjectItem(params, "state"));
        if (!guid || strcmp(guid, o->request_id) || !state) return;
        if (!strcmp(state, "canceled")) { op_fail(o, OO_E_PAGE, "the download was canceled%s", ""); return; }
        if (strcmp(state, "completed")) return;
        const char *dir = o->p->ctx->download_dir;
        char *from = oo_path_join(dir, o->request_id);
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o->info, "suggestedFilename"));
        /* keep only a plain file name */
        const char *slash = strrchr(name, '/');
        if (slash) name = slash + 1;
        if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) name = "download";
        char *to = oo_path_join(dir, name);
        for (int i = 2; oo_file_exists(to) && i < 1000; i++) {
            free(to);
            char *n = oo_asprintf("%d-%s", i, name);
            to = oo_path_join(dir, n);
            free(n);
        }
        if (rename(from, to) != 0) { free(to); to = oo_strdup(from); }
        cJSON_AddStringToObject(o->info, "path", to);
        free(from);
        free(to);
        cJSON *v = o->info;
        o->info = NULL;
        op_finish(o, v, NULL);
        cJSON_Delete(v);
    }
}

int cdp_page_wait_download(cdp_page *p, int timeout_ms, cdp_done_cb done, void *ud)
{
    if (check_page(p, done, ud)) return -1;
    if (!p->ctx->download_dir) {
        oo_err err = {0};
        oo_err_set(&err, OO_E_INPUT, "no download folder for this context: call cdp_context_set_download_dir first");
        done(ud, NULL, &err);
        return -1;
    }
    op *o = op_new(p, OP_DOWNLOAD, timeout_ms, done, ud);
    o->sub = cdp_subscribe(p->ctx->b, NULL, NULL, on_download_event, o);
    return 0;
}
