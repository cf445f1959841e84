/* internal: what the cdp/ files share (not part of cdp.h). */
#ifndef OO_CDP_INTERNAL_H
#define OO_CDP_INTERNAL_H
#include "cdp/cdp.h"
#include "base/buf.h"
#include <libwebsockets.h>
#include <sys/types.h>

struct cdp_loop {
    struct lws_context *ctx;
    struct lws_vhost *vh;
    cdp_browser *browsers;
    cdp_timer *timers;
    long wakes;          /* cdp_loop_wake calls (cdp_loop_wakes) */
};

typedef struct cdp_pending {
    int64_t id;
    char method[64];
    cdp_result_cb cb;
    void *ud;
    cdp_timer *timer;
    cdp_browser *b;
    int timeout_ms;
    struct cdp_pending *prev, *next;
} cdp_pending;

struct cdp_sub {
    cdp_browser *b;
    char *session, *method;
    cdp_event_cb cb;
    void *ud;
    int dead;
    cdp_sub *next;
};

struct cdp_browser {
    cdp_loop *loop;
    cdp_browser *next_in_loop;
    pid_t pid, pgid;
    int pidfd, errfd;
    cdp_watch *pid_watch, *err_watch;
    char *profile, *exe, *version;
    oo_buf errline;
    int connected, gone, closing, dispatching;
    int *alive;               /* set to 0 when b is freed: a loop over messages stops there */
    /* the DevTools pipe (cdp/pipe.c): we write Chromium's fd 3 and read its fd 4 */
    int to_fd;
    cdp_watch *rx_watch, *tx_watch;
    oo_buf rx, tx;            /* bytes read, not yet a whole message; bytes not yet written */
    size_t rx_scanned, tx_done;
    cdp_timer *broken_timer;
    int64_t next_id;
    int64_t answers_awaited;  /* requests sent with a callback: what cdp_browser_counts tells */
    cdp_pending *pending;
    cdp_sub *subs;
    cdp_browser_cb launch_cb;
    void *launch_ud;
    cdp_timer *launch_timer;
    cdp_gone_cb gone_cb;
    void *gone_ud;
    cdp_context *contexts;
    int discovering;          /* Target.setDiscoverTargets sent: popups of our pages are seen */
};

/* Watches fd (the loop owns it, as cdp_watch_fd) until it can take more bytes: cb runs once
 * then (fd -1: closed meanwhile), after which the watch is gone. */
cdp_watch *cdp_watch_writable(cdp_loop *loop, int fd, cdp_fd_cb cb, void *ud);

/* The DevTools pipe (cdp/pipe.c). Messages are JSON texts, each ended by a NUL byte. */
/* Takes both fds (our ends, non-blocking and close-on-exec) and starts reading; -1 if the
 * loop cannot watch the read end (it is then closed). */
int cdp_pipe_open(cdp_browser *b, int to_fd, int from_fd);
/* Sends a message: len bytes of JSON followed by their NUL (text[len], as an oo_buf has it),
 * written now as far as the pipe takes them, the rest queued. Never calls back. */
void cdp_pipe_send(cdp_browser *b, const char *text, size_t len);
/* Closes both fds and drops whatever was not written or not yet whole (idempotent). */
void cdp_pipe_close(cdp_browser *b);
/* What cdp/browser.c does with the pipe's news. dispatch: one whole message (not
 * NUL-terminated); returns 0 if a callback freed the browser meanwhile. pipe_closed: the pipe
 * ended or broke (called from the loop). */
int cdp_browser_dispatch(cdp_browser *b, const char *text, size_t len);
void cdp_browser_pipe_closed(cdp_browser *b, const char *why);
/* Page bookkeeping for a context (cdp/page.c) */
void cdp_page_free_all(cdp_context *ctx);
#endif
