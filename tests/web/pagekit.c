#include "pagekit.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cdp_loop *g_loop;

void pk_use(cdp_loop *loop) { g_loop = loop; }

void pk_on_done(void *ud, cJSON *value, const oo_err *err)
{
    pk_waiter *w = ud;
    w->done = 1;
    w->value = value ? cJSON_Duplicate(value, 1) : NULL;
    if (err) w->err = *err;
}

static void on_browser(void *ud, cdp_browser *b, const oo_err *err) { pk_waiter *w = ud; w->done = 1; w->obj = b; if (err) w->err = *err; }
static void on_ctx(void *ud, cdp_context *c, const oo_err *err) { pk_waiter *w = ud; w->done = 1; w->obj = c; if (err) w->err = *err; }
static void on_page(void *ud, cdp_page *p, const oo_err *err) { pk_waiter *w = ud; w->done = 1; w->obj = p; if (err) w->err = *err; }

void pk_reset(pk_waiter *w)
{
    cJSON_Delete(w->value);
    memset(w, 0, sizeof *w);
}

int pk_wait(pk_waiter *w, int ms)
{
    cdp_loop_run_until(g_loop, &w->done, oo_now_ms() + ms);
    return w->done;
}

cdp_browser *pk_launch(const char *const *extra_args, oo_err *err)
{
    cdp_launch_opts lo = {.headless = 1, .timeout_ms = 60000, .extra_args = extra_args};
    pk_waiter w = {0};
    cdp_browser_launch(g_loop, &lo, on_browser, &w);
    pk_wait(&w, 70000);
    if (!w.obj) *err = w.err;
    return w.obj;
}

cdp_page *pk_new_page(cdp_browser *b, cdp_context **ctx_out)
{
    pk_waiter cw = {0}, pw = {0};
    cdp_context_new(b, on_ctx, &cw);
    pk_wait(&cw, 15000);
    if (cw.obj) cdp_page_new(cw.obj, on_page, &pw);
    if (cw.obj) pk_wait(&pw, 15000);
    if (!pw.obj) fprintf(stderr, "a new page: %s%s\n", cw.err.msg, pw.err.msg);
    if (ctx_out) *ctx_out = cw.obj;
    return pw.obj;
}

int pk_navigate(cdp_page *p, const char *url)
{
    pk_waiter w = {0};
    cdp_page_navigate(p, url, CDP_WAIT_LOAD, 15000, pk_on_done, &w);
    pk_wait(&w, 20000);
    int ok = w.done && w.err.code == 0;
    if (!ok) fprintf(stderr, "navigate %s: %s\n", url, w.err.msg);
    pk_reset(&w);
    return ok;
}

char *pk_eval(cdp_page *p, const char *js)
{
    pk_waiter w = {0};
    cdp_page_evaluate(p, js, 10000, pk_on_done, &w);
    pk_wait(&w, 15000);
    char *out;
    if (cJSON_IsString(w.value)) out = oo_strdup(w.value->valuestring);
    else if (cJSON_IsNumber(w.value)) out = oo_asprintf("%.0f", w.value->valuedouble);
    else if (cJSON_IsBool(w.value)) out = oo_strdup(cJSON_IsTrue(w.value) ? "true" : "false");
    else {
        fprintf(stderr, "eval %s: %s\n", js, w.err.msg);
        out = oo_strdup("");
    }
    pk_reset(&w);
    return out;
}
