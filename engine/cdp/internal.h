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

typedef struct cdp_out { struct cdp_out *next; size_t len; char data[]; } cdp_out;

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
    char *profile, *exe, *ws_url, *version;
    oo_buf errline;
    struct lws *ws;
    int connected, gone, closing, dispatching;
    oo_buf rx;
    cdp_out *out_head, *out_tail;
    int64_t next_id;
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

int cdp_browser_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *in, size_t len);
/* Page bookkeeping for a context (cdp/page.c) */
void cdp_page_free_all(cdp_context *ctx);
#endif
