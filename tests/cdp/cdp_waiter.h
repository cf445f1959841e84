/* cdp_waiter: what the cdp tests share. A waiter is filled by the callback it is handed (done,
 * a copy of the value the waiter owns, the error, the object made); wait_for runs the test's
 * loop L until it is done or the deadline passes; reset frees the value and clears it.
 * cdp_test_start makes L and serves the test pages ($OO_CDP_PAGES) on 127.0.0.1. */
#ifndef OO_TEST_CDP_WAITER_H
#define OO_TEST_CDP_WAITER_H
#include "testlib.h"
#include "httpd.h"
#include "cdp/cdp.h"
#include "base/log.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cdp_loop *L;
typedef struct { int done; cJSON *value; oo_err err; void *obj; } waiter;

static inline void on_done(void *ud, cJSON *value, const oo_err *err)
{
    waiter *w = ud;
    w->done = 1;
    w->value = value ? cJSON_Duplicate(value, 1) : NULL;
    if (err) w->err = *err;
}
static inline void on_browser(void *ud, cdp_browser *b, const oo_err *err) { waiter *w = ud; w->done = 1; w->obj = b; if (err) w->err = *err; }
static inline void on_ctx(void *ud, cdp_context *c, const oo_err *err) { waiter *w = ud; w->done = 1; w->obj = c; if (err) w->err = *err; }
static inline void on_page(void *ud, cdp_page *p, const oo_err *err) { waiter *w = ud; w->done = 1; w->obj = p; if (err) w->err = *err; }

static inline int wait_for(waiter *w, int ms) { return cdp_loop_run_until(L, &w->done, oo_now_ms() + ms); }
static inline void reset(waiter *w) { cJSON_Delete(w->value); memset(w, 0, sizeof *w); }

/* L, and the pages' server; url gets basic.html's address. */
static inline tl_httpd *cdp_test_start(char *url, size_t size)
{
    oo_err err = {0};
    if (getenv("OO_TEST_VERBOSE")) oo_log_set_level(OO_LOG_TRACE);
    L = cdp_loop_new(&err);
    REQUIRE(L != NULL);
    tl_httpd *srv = tl_httpd_start(getenv("OO_CDP_PAGES") ? getenv("OO_CDP_PAGES") : "pages");
    snprintf(url, size, "http://127.0.0.1:%d/basic.html", tl_httpd_port(srv));
    return srv;
}
#endif
