/* loop: the engine thread's event loop — the libwebsockets context, its timers (lws_sul),
 * fds watched through lws raw-file adoption (for readability, or once for writability), and a
 * thread-safe wake-up. */
#include "cdp/internal.h"
#include "base/buf.h"
#include "base/util.h"
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct cdp_timer {
    lws_sorted_usec_list_t sul;    /* first: lws hands this back */
    cdp_loop *loop;
    cdp_timer_cb cb;
    void *ud;
    cdp_timer *prev, *next;
};

struct cdp_watch {
    cdp_loop *loop;
    struct lws *wsi;
    int fd;
    cdp_fd_cb cb;
    void *ud;
    int closing;
    int in_cb;          /* its callback is running: a cdp_unwatch then closes it on return */
    int once_writable;  /* cdp_watch_writable: cb once, when the fd can take more bytes */
};

static void timer_fire(lws_sorted_usec_list_t *sul)
{
    cdp_timer *t = (cdp_timer *)sul;
    cdp_loop *loop = t->loop;
    if (t->prev) t->prev->next = t->next; else loop->timers = t->next;
    if (t->next) t->next->prev = t->prev;
    cdp_timer_cb cb = t->cb;
    void *ud = t->ud;
    free(t);
    cb(ud);
}

cdp_timer *cdp_timer_add(cdp_loop *loop, int64_t delay_ms, cdp_timer_cb cb, void *ud)
{
    cdp_timer *t = oo_calloc(1, sizeof *t);
    t->loop = loop;
    t->cb = cb;
    t->ud = ud;
    t->next = loop->timers;
    if (loop->timers) loop->timers->prev = t;
    loop->timers = t;
    lws_sul_schedule(loop->ctx, 0, &t->sul, timer_fire, (lws_usec_t)(delay_ms < 0 ? 0 : delay_ms) * LWS_US_PER_MS);
    return t;
}

void cdp_timer_cancel(cdp_timer *t)
{
    if (!t) return;
    lws_sul_cancel(&t->sul);
    cdp_loop *loop = t->loop;
    if (t->prev) t->prev->next = t->next; else loop->timers = t->next;
    if (t->next) t->next->prev = t->prev;
    free(t);
}

/* Runs a watch's callback. An unwatch from inside it is done by lws once the callback
 * returns (-1 asks lws to close the wsi): closing a wsi inside its own callback is not safe. */
static int watch_call(cdp_watch *w)
{
    if (w->in_cb) return 0;      /* a service nested in its callback: the outer call decides */
    if (w->closing) return -1;
    w->in_cb = 1;
    w->cb(w->ud, w->fd);
    w->in_cb = 0;
    return w->closing ? -1 : 0;
}

/* The one protocol: every adopted raw fd. */
static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void)user;
    (void)in;
    (void)len;
    cdp_watch *w = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_RAW_RX_FILE:
        return w && !w->once_writable ? watch_call(w) : 0;
    case LWS_CALLBACK_RAW_WRITEABLE_FILE:
        if (!w || !w->once_writable || w->in_cb) return 0;
        watch_call(w);
        w->closing = 1;          /* once: its owner forgets it as the callback runs */
        return -1;
    case LWS_CALLBACK_RAW_CLOSE_FILE:
        /* closed by lws (a hang-up) or by cdp_unwatch: the owner hears fd -1 unless it asked */
        if (w) {
            lws_set_opaque_user_data(wsi, NULL);
            if (!w->closing) w->cb(w->ud, -1);
            free(w);
        }
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {"oo-cdp", callback, 0, 1 << 16, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void lws_quiet(int level, const char *line) { (void)level; (void)line; }

cdp_loop *cdp_loop_new(oo_err *err)
{
    lws_set_log_level(LLL_ERR, lws_quiet);
    cdp_loop *loop = oo_calloc(1, sizeof *loop);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.gid = -1;
    info.uid = -1;
    info.options = LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    loop->ctx = lws_create_context(&info);
    if (!loop->ctx) {
        free(loop);
        oo_err_set(err, OO_E_GENERIC, "cannot start the event loop (libwebsockets context)");
        return NULL;
    }
    loop->vh = lws_get_vhost_by_name(loop->ctx, "default");
    /* a write to the DevTools pipe of a Chromium that died fails with EPIPE instead of killing
     * the engine (libwebsockets does the same at context creation, unless built not to) */
    signal(SIGPIPE, SIG_IGN);
    return loop;
}

void cdp_loop_free(cdp_loop *loop)
{
    if (!loop) return;
    while (loop->browsers) cdp_browser_close(loop->browsers);
    while (loop->timers) cdp_timer_cancel(loop->timers);
    lws_context_destroy(loop->ctx);
    free(loop);
}

/* lws_service() (lws 4.1) ignores its timeout and sleeps until the next scheduled timer: a
 * timer of our own bounds each turn. */
static void woke(void *ud) { *(int *)ud = 1; }

int cdp_loop_run_once(cdp_loop *loop, int timeout_ms)
{
    int fired = 0;
    cdp_timer *t = cdp_timer_add(loop, timeout_ms > 0 ? timeout_ms : 0, woke, &fired);
    int rc = lws_service(loop->ctx, 0);
    if (!fired) cdp_timer_cancel(t);
    return rc < 0 ? -1 : 0;
}

int cdp_loop_run_until(cdp_loop *loop, const int *done, int64_t deadline_ms)
{
    while (!*done) {
        int wait = 1000;
        if (deadline_ms) {
            int64_t left = deadline_ms - oo_now_ms();
            if (left <= 0) return -1;
            if (left < wait) wait = (int)left;
        }
        if (cdp_loop_run_once(loop, wait) < 0) return -1;
    }
    return 0;
}

void cdp_loop_wake(cdp_loop *loop)
{
    loop->wakes++;
    lws_cancel_service(loop->ctx);
}
long cdp_loop_wakes(const cdp_loop *loop) { return loop->wakes; }

static cdp_watch *watch_new(cdp_loop *loop, int fd, cdp_fd_cb cb, void *ud, int once_writable)
{
    cdp_watch *w = oo_calloc(1, sizeof *w);
    w->loop = loop;
    w->fd = fd;
    w->cb = cb;
    w->ud = ud;
    w->once_writable = once_writable;
    lws_sock_file_fd_type u;
    u.filefd = fd;
    w->wsi = lws_adopt_descriptor_vhost(loop->vh, LWS_ADOPT_RAW_FILE_DESC, u, "oo-cdp", NULL);
    if (!w->wsi) { free(w); return NULL; }
    lws_set_opaque_user_data(w->wsi, w);
    return w;
}

cdp_watch *cdp_watch_fd(cdp_loop *loop, int fd, cdp_fd_cb cb, void *ud)
{
    return watch_new(loop, fd, cb, ud, 0);
}

cdp_watch *cdp_watch_writable(cdp_loop *loop, int fd, cdp_fd_cb cb, void *ud)
{
    cdp_watch *w = watch_new(loop, fd, cb, ud, 1);
    if (w) lws_callback_on_writable(w->wsi);
    return w;
}

void cdp_watch_pause(cdp_watch *w)
{
    if (w && w->wsi) lws_rx_flow_control(w->wsi, 0);
}

void cdp_unwatch(cdp_watch *w)
{
    if (!w || w->closing) return;
    /* lws closes the wsi and, with it, the fd (the loop owns it, cdp.h); w is freed in
     * RAW_CLOSE_FILE. The caller must not close the fd itself. */
    w->closing = 1;
    if (!w->in_cb) lws_set_timeout(w->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
}
