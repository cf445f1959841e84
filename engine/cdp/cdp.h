/* cdp: Chromium over the Chrome DevTools Protocol.
 *
 * One cdp_loop per engine thread: it owns the libwebsockets context (the event loop), timers
 * and watched fds, and runs every callback. Nothing here blocks: every operation takes a deadline and a
 * callback, and every callback is called exactly once — with a result, or with an error
 * (timeout, browser gone, cancelled). A caller that goes away first cancels what it started.
 *
 * This module knows nothing of recordings, runs, Lua or any particular web site. Selectors
 * are opaque to C: a "target spec" (see cdp_page_*) is JSON handed to the injected page
 * helper (page.js), which resolves and waits in the page.
 *
 * Ownership: the loop owns browsers; a browser owns its contexts; a context owns its pages.
 * Freeing a parent frees (and cancels everything pending on) its children. cJSON values
 * passed to callbacks are borrowed and valid only during the callback; cJSON params passed
 * to cdp_send are taken (freed by cdp).
 */
#ifndef OO_CDP_H
#define OO_CDP_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

typedef struct cdp_loop cdp_loop;
typedef struct cdp_timer cdp_timer;
typedef struct cdp_watch cdp_watch;
typedef struct cdp_browser cdp_browser;
typedef struct cdp_context cdp_context;
typedef struct cdp_page cdp_page;
typedef struct cdp_sub cdp_sub;

/* ---- event loop ------------------------------------------------------------------------- */
cdp_loop *cdp_loop_new(oo_err *err);
void cdp_loop_free(cdp_loop *loop);            /* closes browsers, cancels everything */
/* Services the loop once, waiting at most timeout_ms. */
int cdp_loop_run_once(cdp_loop *loop, int timeout_ms);
/* Runs the loop until *done becomes non-zero (set by a callback) or the monotonic deadline
 * (oo_now_ms() based; 0 = none) passes. Returns 0 when done, -1 on deadline. Only for the
 * top level of a program (CLI commands, tests); never from inside a callback. */
int cdp_loop_run_until(cdp_loop *loop, const int *done, int64_t deadline_ms);
/* Wakes a loop blocked in run_once/run_until from another thread (thread-safe). */
void cdp_loop_wake(cdp_loop *loop);
/* How many times cdp_loop_wake was called: whoever must end a turn early (the scheduler when
 * its last coroutine is done) can be seen to do so. */
long cdp_loop_wakes(const cdp_loop *loop);

typedef void (*cdp_timer_cb)(void *ud);
cdp_timer *cdp_timer_add(cdp_loop *loop, int64_t delay_ms, cdp_timer_cb cb, void *ud);
void cdp_timer_cancel(cdp_timer *t);           /* a pending timer; NULL is fine */

/* Watches an fd for readability (a wake-up eventfd, a pipe); cb runs on the loop thread.
 * The loop owns the fd from then on and closes it, at a hang-up or at cdp_unwatch (hand it a
 * dup() of an fd you keep); cb with fd -1 says the watch is gone (a hang-up), after which the
 * cdp_watch pointer must not be used. */
typedef void (*cdp_fd_cb)(void *ud, int fd);
cdp_watch *cdp_watch_fd(cdp_loop *loop, int fd, cdp_fd_cb cb, void *ud);
void cdp_unwatch(cdp_watch *w);
/* Stops reporting readability (an fd at EOF stays readable: without this the loop would spin). */
void cdp_watch_pause(cdp_watch *w);

/* ---- browser ---------------------------------------------------------------------------- */
typedef struct cdp_launch_opts {
    const char *executable;   /* NULL: OO_CHROMIUM, then chromium/chromium-browser/google-chrome
                                 on PATH, then Playwright's cache (~/.cache/ms-playwright) */
    int headless;             /* 1 headless (default), 0 headed */
    int timeout_ms;           /* launch + connect deadline (default 30000) */
    const char *const *extra_args; /* NULL-terminated, may be NULL */
} cdp_launch_opts;

/* Why a browser stopped being usable. */
typedef enum { CDP_GONE_NONE = 0, CDP_GONE_EXITED, CDP_GONE_PIPE, CDP_GONE_CLOSED } cdp_gone_reason;

/* The executable cdp_browser_launch would start for `given` (see executable above): a path
 * the caller frees, or NULL and err saying how to install or point at one. */
char *cdp_chromium_find(const char *given, oo_err *err);

typedef void (*cdp_browser_cb)(void *ud, cdp_browser *browser, const oo_err *err);
/* Finds and launches Chromium (temporary profile, the flags a locked-down machine needs) with
 * CDP on a pipe (--remote-debugging-pipe: no TCP port another local user could reach), and
 * waits for its first answer. cb gets the browser or an error. */
int cdp_browser_launch(cdp_loop *loop, const cdp_launch_opts *opts, cdp_browser_cb cb, void *ud);
/* Called once when the browser dies (process exit, DevTools pipe closed). All pending requests on it
 * fail with OO_E_BROWSER before this runs. The browser object stays valid until freed. */
typedef void (*cdp_gone_cb)(void *ud, cdp_browser *browser, cdp_gone_reason why, const char *detail);
void cdp_browser_on_gone(cdp_browser *b, cdp_gone_cb cb, void *ud);
int cdp_browser_alive(const cdp_browser *b);
int cdp_browser_pid(const cdp_browser *b);
const char *cdp_browser_version(const cdp_browser *b);   /* "Chrome/156.0..." */
/* Kills the process (if any), reaps it, removes the profile folder, frees everything. */
void cdp_browser_close(cdp_browser *b);

/* Raw protocol: a request on the browser connection, to session_id (NULL = browser target).
 * Returns the request id (> 0) or -1 (err not touched: cb is called with the error). */
typedef void (*cdp_result_cb)(void *ud, cJSON *result, const oo_err *err);
int64_t cdp_send(cdp_browser *b, const char *session_id, const char *method, cJSON *params,
                 int timeout_ms, cdp_result_cb cb, void *ud);
/* What was sent so far: every request, and those whose answer someone waited for (a callback;
 * a gesture's earlier mouse events go out without one). Between two moments on one page, the
 * second is the number of round trips to Chromium an operation made. */
typedef struct { int64_t requests, awaited; } cdp_counts;
cdp_counts cdp_browser_counts(const cdp_browser *b);
/* Drops a pending request's callback (it is then never called). */
void cdp_cancel(cdp_browser *b, int64_t request_id);

/* Events: method NULL = every event; session_id NULL = any session. */
typedef void (*cdp_event_cb)(void *ud, const char *session_id, const char *method, cJSON *params);
cdp_sub *cdp_subscribe(cdp_browser *b, const char *session_id, const char *method,
                       cdp_event_cb cb, void *ud);
void cdp_unsubscribe(cdp_sub *s);

/* ---- contexts and pages ----------------------------------------------------------------- */
/* An isolated browser context (own cookies, storage, downloads folder): one per worker. */
typedef void (*cdp_context_cb)(void *ud, cdp_context *ctx, const oo_err *err);
int cdp_context_new(cdp_browser *b, cdp_context_cb cb, void *ud);
void cdp_context_close(cdp_context *ctx);
cdp_browser *cdp_context_browser(cdp_context *ctx);
/* Requests no page of the context makes: URL patterns ('*' matches anything), for the pages
 * opened from now on (popups included); copied. n = 0 lifts the block for later pages. */
void cdp_context_block_urls(cdp_context *ctx, const char *const *patterns, int n);

typedef void (*cdp_page_cb)(void *ud, cdp_page *page, const oo_err *err);
/* An operation's answer: its value (borrowed, may be NULL) or an error. */
typedef void (*cdp_done_cb)(void *ud, cJSON *value, const oo_err *err);
/* Opens a new page (about:blank) in the context, attached with a flat session, with the page
 * helper installed for every document, console capture and network tracking on. */
int cdp_page_new(cdp_context *ctx, cdp_page_cb cb, void *ud);
void cdp_page_close(cdp_page *page);
const char *cdp_page_session(const cdp_page *page);
const char *cdp_page_target_id(const cdp_page *page);
/* The page of this browser with that target id (any context), or NULL: a way back to a page
 * that may have been closed meanwhile. */
cdp_page *cdp_browser_page(cdp_browser *b, const char *target_id);
const char *cdp_page_url(const cdp_page *page);    /* last known main-frame URL (pushState too) */
int cdp_page_crashed(const cdp_page *page);
/* Pages opened by this page (window.open, target=_blank, noopener too) are attached and set up
 * like any page of its context (helper, console, network), which owns them: they stay valid
 * until cdp_page_close or the context goes, also after their tab closed (cdp_page_closed).
 * cb runs for each new one, set up (one callback per page; NULL stops). */
void cdp_page_on_popup(cdp_page *page, cdp_page_cb cb, void *ud);
/* 1 once the page's tab is gone (window.close(), cdp_page_close_target, the browser): its
 * operations then fail at once. */
int cdp_page_closed(const cdp_page *page);
/* Closes the page's tab as a user would; done once the browser has closed it. The cdp_page
 * stays valid (closed) until cdp_page_close. */
int cdp_page_close_target(cdp_page *p, int timeout_ms, cdp_done_cb done, void *ud);
/* A page "below" root: root itself, a popup it opened, a popup of that one... Scores a
 * candidate: 0 no, higher better. */
typedef int (*cdp_page_match)(void *ud, cdp_page *candidate);
/* The best-scoring open page below root (newest first on a tie), or NULL. */
cdp_page *cdp_page_find(cdp_page *root, cdp_page_match match, void *match_ud);
/* Waits until a page below root scores > 0 — checked when a popup below root is set up and
 * whenever such a page's URL changes (navigation, pushState); only changes from now on count
 * (call cdp_page_find first). done gets the page, or an error at the deadline. */
int cdp_page_wait_page(cdp_page *root, cdp_page_match match, void *match_ud, int timeout_ms,
                       cdp_page_cb done, void *ud);
/* Waits for the next popup this page opens (set up); done gets it. */
int cdp_page_wait_popup(cdp_page *p, int timeout_ms, cdp_page_cb done, void *ud);
/* Makes the page the active tab of its window, as a user switching tabs does: a tab behind
 * another (a target=_blank page opened over its opener) is hidden and gets no animation frames. */
int cdp_page_bring_to_front(cdp_page *p, int timeout_ms, cdp_done_cb done, void *ud);

/* Every page operation below: `done` is called exactly once with its value (borrowed; may be
 * NULL) or an error. A target spec is JSON understood by page.js:
 *   {"selectors": [["css or aria/.. text/.. xpath/.. pierce/.."], ["a", "b"]], "frame": [0]}
 * — alternatives are tried as the Recorder schema says; an inner array steps into shadow
 * roots; Playwright's :has-text(), :text-is() and ">> nth=N" are understood. Before acting,
 * the helper waits until the element is attached, visible, stable, enabled and hit-testable,
 * scrolled into view; on timeout the error names each selector and why it failed. */

typedef enum { CDP_WAIT_LOAD = 0, CDP_WAIT_DOMCONTENTLOADED, CDP_WAIT_NETWORKIDLE, CDP_WAIT_COMMIT } cdp_wait_until;
int cdp_page_navigate(cdp_page *p, const char *url, cdp_wait_until until, int timeout_ms,
                      cdp_done_cb done, void *ud);
/* Evaluates a JS expression in the page (promises awaited, value returned by value). */
int cdp_page_evaluate(cdp_page *p, const char *expression, int timeout_ms, cdp_done_cb done, void *ud);

typedef struct cdp_click_opts {
    const char *button;    /* "left" (default), "middle", "right", "back", "forward" */
    int click_count;       /* 1 (default) or 2 for a double click */
    int has_offset;        /* offset_x/offset_y relative to the element's box, else its centre */
    double offset_x, offset_y;
} cdp_click_opts;
int cdp_page_click(cdp_page *p, const cJSON *target, const cdp_click_opts *opts, int timeout_ms,
                   cdp_done_cb done, void *ud);
int cdp_page_hover(cdp_page *p, const cJSON *target, int timeout_ms, cdp_done_cb done, void *ud);
/* Replaces the value of an input/textarea/contenteditable (or picks a <select> option by value
 * or label), firing the events a user's typing would. */
int cdp_page_fill(cdp_page *p, const cJSON *target, const char *value, int timeout_ms,
                  cdp_done_cb done, void *ud);
/* Key events with the key names of the Recorder/Puppeteer ("Enter", "a", "Shift", "ArrowDown"). */
int cdp_page_key(cdp_page *p, const char *key, int down /*1 down, 0 up, 2 press*/, int timeout_ms,
                 cdp_done_cb done, void *ud);
/* Scrolls the element (target non-NULL) or the window to x, y. */
int cdp_page_scroll(cdp_page *p, const cJSON *target, double x, double y, int timeout_ms,
                    cdp_done_cb done, void *ud);
int cdp_page_set_viewport(cdp_page *p, int width, int height, double scale, int mobile,
                          int timeout_ms, cdp_done_cb done, void *ud);

/* Waits in the page. state: "attached", "visible", "hidden", "detached". The JSON `opts` may
 * carry the Recorder's count/operator/attributes/properties; value: {"count": N}. */
int cdp_page_wait_selector(cdp_page *p, const cJSON *target, const char *state, const cJSON *opts,
                           int timeout_ms, cdp_done_cb done, void *ud);
/* Waits until the expression (evaluated in the page, may return a promise) is truthy. */
int cdp_page_wait_expression(cdp_page *p, const char *expression, int timeout_ms,
                             cdp_done_cb done, void *ud);
/* Waits for the next main-frame navigation to commit / reach `until`; value {"url","title"}. */
int cdp_page_wait_navigation(cdp_page *p, cdp_wait_until until, int timeout_ms,
                             cdp_done_cb done, void *ud);
/* Calls a function of the page helper (page.js) with a target and options; value = its answer. */
int cdp_page_helper(cdp_page *p, const char *fn, const cJSON *target, const cJSON *opts, int timeout_ms,
                    cdp_done_cb done, void *ud);
/* Any CDP method on the page's session (params taken); value = the result. */
int cdp_page_send(cdp_page *p, const char *method, cJSON *params, int timeout_ms, cdp_done_cb done, void *ud);

/* Waits for a network response whose URL contains `url_pattern` (or matches a glob with
 * '*'); value {"url","status","mimeType","body","binary"} (body as text when it is text). With
 * since_ms > 0 (oo_now_ms() based) the oldest matching response already seen since then
 * counts too (from the page's bounded log of recent responses); 0 = from the call on. */
int cdp_page_wait_response(cdp_page *p, const char *url_pattern, int64_t since_ms, int timeout_ms,
                           cdp_done_cb done, void *ud);
/* Screenshot of the viewport (full_page 0) or whole page; value {"png_base64": "..."}. */
int cdp_page_screenshot(cdp_page *p, int full_page, int timeout_ms, cdp_done_cb done, void *ud);
/* The page's current HTML (document.documentElement.outerHTML); value {"html": "..."}.
 * Values of password inputs are blanked. */
int cdp_page_html(cdp_page *p, int timeout_ms, cdp_done_cb done, void *ud);
/* Console messages and uncaught exceptions seen so far (a bounded ring), as a JSON array of
 * {"time","level","text"}; caller owns the returned cJSON. */
cJSON *cdp_page_console(cdp_page *p);
/* The responses this page received since `since_ms` (wall clock) as a JSON array of {"time",
 * "mono_ms","url","status","type","mimeType","requestId","state": loading|finished|failed}
 * (bounded, oldest first); caller owns it. */
cJSON *cdp_page_network_log(cdp_page *p, int64_t since_ms);
/* Emulated network conditions (Recorder emulateNetworkConditions). */
int cdp_page_emulate_network(cdp_page *p, int offline, double latency_ms, double download_bps,
                             double upload_bps, int timeout_ms, cdp_done_cb done, void *ud);

/* Downloads of this page's context go into `dir`; the next finished download's path is given
 * as {"path": "...", "suggestedFilename": "..."} once it completes. */
int cdp_context_set_download_dir(cdp_context *ctx, const char *dir, int timeout_ms,
                                 cdp_done_cb done, void *ud);
int cdp_page_wait_download(cdp_page *p, int timeout_ms, cdp_done_cb done, void *ud);

#endif
