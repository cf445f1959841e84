#include "replay/replay.h"
#include "replay/evidence.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay {
    cdp_page *page;        /* the main page */
    cdp_page *cur;         /* the page of the current step: main, or a popup named by its target */
    char *want_url;        /* the current step's target URL (expanded) */
    cdp_page *front;       /* the page brought to the front last (NULL: none yet) */
    const recording *rec;
    replay_opts o;
    replay_done_cb done;
    void *ud;
    int i, waiting, failed, finished;
    oo_err part_err;
    int64_t step_start;
    oo_err err;
    cdp_timer *slow;
    cJSON *artifacts;
    char *nav_url;
};

unsigned char *replay_base64_decode(const char *in, size_t *out_len)
{
    static signed char map[256];
    static int ready;
    if (!ready) {
        memset(map, -1, sizeof map);
        const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; a[i]; i++) map[(unsigned char)a[i]] = (signed char)i;
        ready = 1;
    }
    size_t n = strlen(in);
    unsigned char *out = oo_malloc(n / 4 * 3 + 3);
    size_t o = 0;
    unsigned v = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=') break;
        if (c == '\n' || c == '\r') continue;
        if (map[c] < 0) { free(out); return NULL; }
        v = (v << 6) | (unsigned)map[c];
        bits += 6;
        if (bits >= 8) { bits -= 8; out[o++] = (unsigned char)(v >> bits); }
    }
    *out_len = o;
    return out;
}

static void run_step(replay *rp);

static void finish(replay *rp)
{
    if (rp->finished) return;
    rp->finished = 1;
    cdp_timer_cancel(rp->slow);
    replay_done_cb done = rp->done;
    void *ud = rp->ud;
    int failed = rp->failed ? rp->i : -1;
    oo_err err = rp->err;
    cJSON *art = rp->artifacts;
    free(rp->nav_url);
    free(rp->want_url);
    free(rp);
    done(ud, failed, failed >= 0 ? &err : NULL, art);
    cJSON_Delete(art);
}

/* ---- evidence of a failure ------------------------------------------------------------------- */

/* The evidence comes from the step's page while it is open, else from the main page. */
static cdp_page *evidence_page(replay *rp)
{
    return rp->cur && !cdp_page_closed(rp->cur) ? rp->cur : rp->page;
}

static void on_evidence(void *ud, const cJSON *paths)
{
    replay *rp = ud;
    cJSON_Delete(rp->artifacts);
    rp->artifacts = cJSON_Duplicate(paths, 1);
    finish(rp);
}

static void fail_step(replay *rp, const oo_err *err)
{
    if (rp->failed) return;
    rp->failed = 1;
    const rec_step *s = &rp->rec->steps[rp->i];
    oo_err_set(&rp->err, err->code ? err->code : OO_E_GENERIC, "step %d (%s) failed: %s", rp->i, s->type_name, err->msg);
    if (rp->o.on_step) rp->o.on_step(rp->o.ud, s, 2, rp->err.msg, (oo_now_us() - rp->step_start) / 1000.0);
    rp->artifacts = cJSON_CreateObject();
    cdp_page *ev = evidence_page(rp);
    if (!rp->o.artifacts_dir || cdp_page_crashed(ev) || cdp_page_closed(ev)) {
        finish(rp);
        return;
    }
    char base[96];
    snprintf(base, sizeof base, "step-%02d-%s", rp->i, s->type_name);
    evidence_collect(ev, rp->o.artifacts_dir, base, on_evidence, rp);
}

/* ---- steps --------------------------------------------------------------------------------- */

static void next_step(void *ud)
{
    replay *rp = ud;
    rp->slow = NULL;
    rp->i++;
    run_step(rp);
}

static void step_passed(replay *rp)
{
    const rec_step *s = &rp->rec->steps[rp->i];
    if (rp->o.on_step) rp->o.on_step(rp->o.ud, s, 1, NULL, (oo_now_us() - rp->step_start) / 1000.0);
    if (s->type == REC_CLOSE && rp->cur == rp->page) { rp->i++; finish(rp); return; }
    if (rp->o.slowmo_ms > 0 && rp->o.loop) { rp->slow = cdp_timer_add(rp->o.loop, rp->o.slowmo_ms, next_step, rp); return; }
    next_step(rp);
}

static int url_matches(const char *want, const char *got)
{
    if (!want || !*want) return 1;
    return !strcmp(want, got);
}

static void on_title(void *ud, cJSON *v, const oo_err *err)
{
    replay *rp = ud;
    const rec_step *s = &rp->rec->steps[rp->i];
    if (err) { fail_step(rp, err); return; }
    const char *t = cJSON_GetStringValue(v);
    if (s->assert_title && (!t || strcmp(t, s->assert_title))) {
        oo_err e = {0};
        oo_err_set(&e, OO_E_PAGE, "the page's title is \"%s\", the recording expects \"%s\"", t ? t : "", s->assert_title);
        fail_step(rp, &e);
        return;
    }
    step_passed(rp);
}

/* Every part of the step (the action, and the navigation it asserts) has answered. */
static void part_done(replay *rp)
{
    if (--rp->waiting > 0) return;
    if (rp->part_err.code) { oo_err e = rp->part_err; fail_step(rp, &e); return; }
    const rec_step *s = &rp->rec->steps[rp->i];
    if (s->asserts_navigation) {
        oo_err e = {0};
        char *want = recording_expand(s->assert_url, rp->o.vars, "assertedEvents url", &e);
        if (e.code) { fail_step(rp, &e); return; }
        const char *got = cdp_page_url(rp->cur);
        if (!url_matches(want, got)) {
            oo_err_set(&e, OO_E_PAGE, "navigated to %s, the recording expects %s", got, want);
            free(want);
            fail_step(rp, &e);
            return;
        }
        free(want);
        if (s->assert_title) { cdp_page_evaluate(rp->cur, "document.title", 5000, on_title, rp); return; }
    }
    step_passed(rp);
}

static void on_part(void *ud, cJSON *v, const oo_err *err)
{
    (void)v;
    replay *rp = ud;
    if (err && !rp->part_err.code) rp->part_err = *err;   /* the first error of the step wins */
    part_done(rp);
}

/* The step's own timeout, else the recording's, else the caller's default; a timeout the caller
 * gives for this very step (learned from its history) comes before them all; max_timeout caps. */
static int step_timeout(replay *rp, const rec_step *s)
{
    int i = (int)(s - rp->rec->steps);
    int own = i >= 0 && i < rp->o.nstep_timeouts ? rp->o.step_timeouts_ms[i] : 0;
    int t = own > 0 ? own : s->timeout > 0 ? s->timeout : rp->rec->timeout > 0 ? rp->rec->timeout : rp->o.timeout_ms > 0 ? rp->o.timeout_ms : 5000;
    return rp->o.max_timeout_ms > 0 && t > rp->o.max_timeout_ms ? rp->o.max_timeout_ms : t;
}

/* ---- the step's page -------------------------------------------------------------------------- */

/* The URL without its query and fragment: "same origin and path". */
static size_t url_base_len(const char *u)
{
    return strcspn(u, "?#");
}

/* A page for the step's target URL: exact (2), else the same origin and path (1). The main page
 * is "main" in a recording, never a URL target. */
static int match_target(void *ud, cdp_page *page)
{
    replay *rp = ud;
    if (page == rp->page || !rp->want_url) return 0;
    const char *url = cdp_page_url(page);
    if (!strcmp(url, rp->want_url)) return 2;
    size_t n = url_base_len(url);
    return n == url_base_len(rp->want_url) && !strncmp(url, rp->want_url, n) ? 1 : 0;
}

typedef struct { replay *rp; oo_buf b; } page_list;

static int list_pages(void *ud, cdp_page *page)
{
    page_list *l = ud;
    oo_buf_printf(&l->b, "%s%s%s", l->b.len ? ", " : "", page == l->rp->page ? "main " : "", cdp_page_url(page));
    return 0;
}

static void run_action(replay *rp);

static void on_front(void *ud, cJSON *v, const oo_err *err)
{
    (void)v;
    replay *rp = ud;
    if (err) { fail_step(rp, err); return; }
    run_action(rp);
}

/* A step on another page than the last one: that tab comes to the front first, as the user
 * switched to it (a tab behind another is hidden: no animation frames, no focus). */
static void run_on(replay *rp, cdp_page *page)
{
    rp->cur = page;
    if (rp->front == page || (!rp->front && page == rp->page)) { rp->front = page; run_action(rp); return; }
    rp->front = page;
    cdp_page_bring_to_front(page, step_timeout(rp, &rp->rec->steps[rp->i]), on_front, rp);
}

static void on_target_page(void *ud, cdp_page *page, const oo_err *err)
{
    replay *rp = ud;
    if (err) {
        const rec_step *s = &rp->rec->steps[rp->i];
        oo_err e = *err;
        if (err->code == OO_E_TIMEOUT) {
            page_list open = {.rp = rp};
            oo_buf_init(&open.b);
            cdp_page_find(rp->page, list_pages, &open);
            oo_err_set(&e, OO_E_TIMEOUT, "no page at the step's target %s opened within %d ms (pages open: %s)",
                       rp->want_url, step_timeout(rp, s), open.b.len ? open.b.data : "none");
            oo_buf_free(&open.b);
        }
        fail_step(rp, &e);
        return;
    }
    run_on(rp, page);
}

static void run_step(replay *rp)
{
    int last = rp->o.last >= 0 && rp->o.last < rp->rec->nsteps ? rp->o.last : rp->rec->nsteps;
    if (rp->i >= last) { finish(rp); return; }
    const rec_step *s = &rp->rec->steps[rp->i];
    rp->step_start = oo_now_us();
    oo_err_clear(&rp->part_err);
    if (rp->o.on_step) rp->o.on_step(rp->o.ud, s, 0, NULL, 0);
    rp->cur = rp->page;
    free(rp->want_url);
    rp->want_url = NULL;
    if (!s->target || !strcmp(s->target, "main")) { run_on(rp, rp->page); return; }
    /* another page (a popup): the newest open one at that URL, or the first to get there */
    oo_err e = {0};
    char where[64];
    snprintf(where, sizeof where, "step %d (%s) target", rp->i, s->type_name);
    rp->want_url = recording_expand(s->target, rp->o.vars, where, &e);
    if (!rp->want_url) { fail_step(rp, &e); return; }
    cdp_page *p = cdp_page_find(rp->page, match_target, rp);
    if (!p) { cdp_page_wait_page(rp->page, match_target, rp, step_timeout(rp, s), on_target_page, rp); return; }
    run_on(rp, p);
}

static void start_click(replay *rp, const rec_step *s, const cJSON *target, int timeout)
{
    cdp_click_opts co = {.click_count = s->type == REC_DOUBLE_CLICK ? 2 : 1, .has_offset = s->has_offset,
                         .offset_x = s->offset_x, .offset_y = s->offset_y};
    if (s->button) co.button = !strcmp(s->button, "secondary") ? "right" : !strcmp(s->button, "auxiliary") ? "middle" : "left";
    cdp_page_click(rp->cur, target, &co, timeout, on_part, rp);
}

static void start_wait_element(replay *rp, const rec_step *s, const cJSON *target, int timeout)
{
    cJSON *wo = cJSON_CreateObject();
    if (s->count >= 0) cJSON_AddNumberToObject(wo, "count", s->count);
    if (s->op) cJSON_AddStringToObject(wo, "operator", s->op);
    if (s->attributes) cJSON_AddItemToObject(wo, "attributes", cJSON_Duplicate(s->attributes, 1));
    if (s->properties) cJSON_AddItemToObject(wo, "properties", cJSON_Duplicate(s->properties, 1));
    const char *state = s->visible == 1 ? "visible" : s->visible == 0 ? "hidden" : "attached";
    cdp_page_wait_selector(rp->cur, target, state, wo, timeout, on_part, rp);
    cJSON_Delete(wo);
}

/* A step whose text ({{NAME}} filled in) is its argument: navigate, change, waitForExpression. */
static void start_with_text(replay *rp, const rec_step *s, const cJSON *target, int timeout, const char *where, oo_err *e)
{
    const char *raw = s->type == REC_NAVIGATE ? s->url : s->type == REC_CHANGE ? s->value : s->expression;
    char *text = recording_expand(raw, rp->o.vars, where, e);
    if (!text) return;
    if (s->type == REC_NAVIGATE) cdp_page_navigate(rp->cur, text, CDP_WAIT_LOAD, timeout, on_part, rp);
    else if (s->type == REC_CHANGE) cdp_page_fill(rp->cur, target, text, timeout, on_part, rp);
    else cdp_page_wait_expression(rp->cur, text, timeout, on_part, rp);
    free(text);
}

/* Starts the step's own operation on its page (its answer comes to on_part); 0, or 1 when the
 * step has none (a close of the main page, a customStep): it is done at once. */
static int start_action(replay *rp, const rec_step *s, const cJSON *target, int timeout, const char *where, oo_err *e)
{
    cdp_page *page = rp->cur;
    switch (s->type) {
    case REC_SET_VIEWPORT: cdp_page_set_viewport(page, s->width, s->height, s->scale, s->is_mobile, timeout, on_part, rp); break;
    case REC_NAVIGATE: case REC_CHANGE: case REC_WAIT_EXPRESSION: start_with_text(rp, s, target, timeout, where, e); break;
    case REC_CLICK: case REC_DOUBLE_CLICK: start_click(rp, s, target, timeout); break;
    case REC_HOVER: cdp_page_hover(page, target, timeout, on_part, rp); break;
    case REC_KEY_DOWN: case REC_KEY_UP: cdp_page_key(page, s->key, s->type == REC_KEY_DOWN, timeout, on_part, rp); break;
    case REC_SCROLL: cdp_page_scroll(page, target, s->x, s->y, timeout, on_part, rp); break;
    case REC_WAIT_ELEMENT: start_wait_element(rp, s, target, timeout); break;
    case REC_EMULATE_NETWORK:
        cdp_page_emulate_network(page, s->offline, s->latency, s->download, s->upload, timeout, on_part, rp);
        break;
    case REC_CLOSE:
        if (page == rp->page) return 1;                  /* the main page: the replay ends */
        cdp_page_close_target(page, timeout, on_part, rp);   /* a popup's close step closes that page */
        break;
    case REC_CUSTOM:
        OO_WARN("replay", "step %d: customStep \"%s\" has no meaning here; skipped", rp->i, s->name ? s->name : "");
        return 1;
    }
    return 0;
}

static void run_action(replay *rp)
{
    const rec_step *s = &rp->rec->steps[rp->i];
    int timeout = step_timeout(rp, s);
    oo_err e = {0};
    char where[64];
    snprintf(where, sizeof where, "step %d (%s)", rp->i, s->type_name);
    cJSON *target = s->selectors ? recording_step_target(s) : NULL;
    rp->waiting = 1;
    if (s->asserts_navigation && s->type != REC_NAVIGATE) {
        rp->waiting = 2;
        cdp_page_wait_navigation(rp->cur, CDP_WAIT_LOAD, timeout, on_part, rp);
    }
    int nothing = start_action(rp, s, target, timeout, where, &e);
    cJSON_Delete(target);
    if (e.code) rp->part_err = e;
    if (nothing || e.code) part_done(rp);
}

replay *replay_start(cdp_page *page, const recording *r, const replay_opts *opts, replay_done_cb done, void *ud)
{
    replay *rp = oo_calloc(1, sizeof *rp);
    rp->page = page;
    rp->rec = r;
    if (opts) rp->o = *opts; else rp->o.last = -1;
    rp->done = done;
    rp->ud = ud;
    rp->i = rp->o.first > 0 ? rp->o.first : 0;
    run_step(rp);
    return rp;
}

void replay_cancel(replay *rp)
{
    /* the page's close cancels what is in flight; the callbacks then finish the replay */
    (void)rp;
}
