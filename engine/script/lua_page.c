/* lua_page: Chromium in Lua — require("browser").launch{...}, browser:new_context(),
 * context:new_page(), and the page operations. A page call starts its CDP operation and
 * yields the calling coroutine; the operation's callback resumes it with the answer. So
 * several workers (coroutines) run on one thread and one Lua state, and nothing blocks.
 *
 * A failed operation raises a typed error at the calling Lua line: {code = oo_err_code_name of
 * the C error ("timeout", "browser", "page", ...), msg = "file:line: what"}.
 *
 * Ownership: a Lua browser object owns its cdp_browser (closed by :close() or when collected);
 * contexts and pages hold a counted reference to a shared handle that says whether the browser
 * still exists, so a page of a closed browser raises an error instead of touching freed memory. */
#include "script/script.h"
#include "script/sched.h"
#include "script/page_internal.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include "cdp/cdp.h"
#include "replay/replay.h"
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

static void h_release(bhandle *h)
{
    if (h && --h->refs == 0) {
        if (!h->closed && h->b) cdp_browser_close(h->b);
        free(h);
    }
}

/* ---- yielding: one pending operation per suspended coroutine --------------------------------- */

wait *lp_wait_new(lua_State *L, rkind kind, bhandle *h)
{
    wait *w = oo_calloc(1, sizeof *w);
    w->co = L;
    lua_pushthread(L);
    w->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    w->kind = kind;
    w->h = h;
    if (h) h->refs++;
    return w;
}

static void push_page(lua_State *L, bhandle *h, const char *tid)
{
    lpage *lp = lua_newuserdatauv(L, sizeof *lp, 0);
    lp->h = h;
    h->refs++;
    lp->p = NULL;
    lp->tid = oo_strdup(tid ? tid : "");
    lp->closed = 0;
    luaL_setmetatable(L, MT_PAGE);
}

/* The page of a page object, or NULL when it is gone. */
cdp_page *lp_page_of(lpage *lp)
{
    if (lp->closed || !lp->h || lp->h->closed || !lp->tid) return NULL;
    return cdp_browser_page(lp->h->b, lp->tid);
}

/* Pushes the kept answer onto the resumed coroutine: value, or nil and a typed error. */
static int push_answer(wait *w)
{
    lua_State *co = w->co;
    if (w->error) {
        lua_pushnil(co);
        script_push_error(co, w->code, w->error);
        return 2;
    }
    switch (w->kind) {
    case R_NONE: lua_pushboolean(co, 1); break;
    case R_STRING_FIELD: {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(w->value, w->field));
        if (s) lua_pushstring(co, s); else lua_pushnil(co);
        break;
    }
    case R_BYTES_FIELD: {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(w->value, w->field));
        size_t n = 0;
        unsigned char *bytes = s ? replay_base64_decode(s, &n) : NULL;
        if (bytes) lua_pushlstring(co, (const char *)bytes, n); else lua_pushnil(co);
        free(bytes);
        break;
    }
    case R_HELPER_VALUE:
        script_push_json(co, cJSON_GetObjectItem(w->value, "value"));
        break;
    case R_REPLAY: {
        const cJSON *which = cJSON_GetObjectItem(w->value, "which");
        if (which) script_push_json(co, which);
        script_push_json(co, cJSON_GetObjectItem(w->value, "times"));
        return which ? 2 : 1;
    }
    case R_BROWSER: {
        lbrowser *lb = lua_newuserdatauv(co, sizeof *lb, 0);
        lb->h = oo_calloc(1, sizeof *lb->h);
        lb->h->b = w->obj;
        lb->h->refs = 1;
        luaL_setmetatable(co, MT_BROWSER);
        break;
    }
    case R_CONTEXT: {
        lcontext *lc = lua_newuserdatauv(co, sizeof *lc, 0);
        lc->h = w->h;
        lc->h->refs++;
        lc->c = w->obj;
        lc->closed = 0;
        luaL_setmetatable(co, MT_CONTEXT);
        break;
    }
    case R_PAGE:
        push_page(co, w->h, w->tid);
        break;
    default:
        script_push_json(co, w->value);
    }
    return 1;
}

static void resume_now(void *ud)
{
    wait *w = ud;
    lua_State *co = w->co;
    int ref = w->ref;
    bhandle *h = w->h;
    int n = push_answer(w);
    free(w->error);
    free(w->tid);
    cJSON_Delete(w->value);
    free(w);
    sched_resume(co, n);
    luaL_unref(co, LUA_REGISTRYINDEX, ref);
    h_release(h);
}

/* The answer is kept; the coroutine resumes on the loop's next turn — after its yield even if
 * the operation answered at once, and never inside a socket callback (Lua code may close the
 * very browser whose message is being handled). */
void lp_wait_done(wait *w, cJSON *value, const oo_err *err, void *obj)
{
    if (err) {
        w->error = oo_strdup(err->msg);
        w->code = err->code;
    } else if (value) {
        w->value = cJSON_Duplicate(value, 1);
    }
    w->obj = obj;
    cdp_timer_add(sched_loop(w->co), 0, resume_now, w);
}

static void on_value(void *ud, cJSON *value, const oo_err *err) { lp_wait_done(ud, value, err, NULL); }

/* The yield: results come back as the C function's results (value) or (nil, typed error). A
 * continuation raises the error at the caller's line, its code kept ({code = "timeout", msg =
 * "task.lua:80: ..."}): Lua decides what a failure is from the code, never from the words. */
static int k_raise(lua_State *L, int status, lua_KContext keep)
{
    (void)status;
    if (lua_gettop(L) >= 2 && lua_isnil(L, -2) && lua_istable(L, -1)) {
        oo_err e = {0};
        script_error_of(L, -1, &e);
        return script_error_at(L, e.code, "%s", e.msg);
    }
    return lua_gettop(L) - (int)keep;   /* every value the answer pushed (page:replay's two) */
}

int lp_yield_keep(lua_State *L, int keep)
{
    if (!lua_isyieldable(L))
        return script_error_at(L, OO_E_USAGE, "a browser call must run in a coroutine (use oo.spawn, or run the script with `oo-automator lua`)");
    lua_settop(L, keep);
    return lua_yieldk(L, 0, (lua_KContext)keep, k_raise);
}

int lp_yield(lua_State *L) { return lp_yield_keep(L, 0); }

/* ---- targets ------------------------------------------------------------------------------- */

/* A Lua target: "css", {"alt1", {"path", "in shadow"}}, or {selectors = ..., frame = {...}}. */
cJSON *lp_target(lua_State *L, int idx)
{
    cJSON *t = cJSON_CreateObject();
    if (lua_type(L, idx) == LUA_TSTRING) {
        cJSON *alts = cJSON_AddArrayToObject(t, "selectors");
        cJSON *one = cJSON_CreateArray();
        cJSON_AddItemToArray(one, cJSON_CreateString(lua_tostring(L, idx)));
        cJSON_AddItemToArray(alts, one);
        return t;
    }
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_getfield(L, idx, "selectors");
    int has = !lua_isnil(L, -1);
    lua_pop(L, 1);
    oo_err err = {0};
    if (has) {
        cJSON_Delete(t);
        t = script_to_json(L, idx, &err);
    } else {
        cJSON *alts = script_to_json(L, idx, &err);
        if (alts) cJSON_AddItemToObject(t, "selectors", alts);
    }
    if (!t || err.code) {
        cJSON_Delete(t);
        script_error_at(L, OO_E_INPUT, "bad target: %s (expected a selector string, a list of alternatives, or {selectors=..., frame=...})", err.msg);
        return NULL;
    }
    /* normalise alternatives: each a list of strings */
    cJSON *alts = cJSON_GetObjectItem(t, "selectors"), *a;
    if (cJSON_IsString(alts)) {
        cJSON *arr = cJSON_CreateArray(), *one = cJSON_CreateArray();
        cJSON_AddItemToArray(one, cJSON_CreateString(alts->valuestring));
        cJSON_AddItemToArray(arr, one);
        cJSON_ReplaceItemInObject(t, "selectors", arr);
        return t;
    }
    int i = 0;
    cJSON_ArrayForEach(a, alts) {
        if (cJSON_IsString(a)) {
            cJSON *one = cJSON_CreateArray();
            cJSON_AddItemToArray(one, cJSON_CreateString(a->valuestring));
            cJSON_ReplaceItemInArray(alts, i, one);
            a = one;
        }
        i++;
    }
    return t;
}

int lp_opt_int(lua_State *L, int idx, const char *k, int def)
{
    if (!lua_istable(L, idx)) return def;
    lua_getfield(L, idx, k);
    int v = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : def;
    lua_pop(L, 1);
    return v;
}

lpage *lp_check_page(lua_State *L)
{
    lpage *p = luaL_checkudata(L, 1, MT_PAGE);
    if (!(p->p = lp_page_of(p))) {
        int gone = p->h && (p->h->closed || !p->h->b || !cdp_browser_alive(p->h->b));
        script_error_at(L, gone ? OO_E_BROWSER : OO_E_PAGE, "this page is closed%s", gone ? " (its browser is gone)" : "");
    }
    return p;
}

/* ---- browser ------------------------------------------------------------------------------- */

static void on_browser(void *ud, cdp_browser *b, const oo_err *err) { lp_wait_done(ud, NULL, err, b); }

static int l_launch(lua_State *L)
{
    cdp_loop *loop = sched_loop(L);
    /* the Chromium the configuration names (flag, environment or a config file), as replay does */
    cdp_launch_opts o = {.executable = oo_config_get(oo_cfg(), OO_CFG_CHROMIUM), .headless = 1, .timeout_ms = 60000};
    if (lua_istable(L, 1)) {
        lua_getfield(L, 1, "headless");
        if (!lua_isnil(L, -1)) o.headless = lua_toboolean(L, -1);
        lua_pop(L, 1);
        o.timeout_ms = lp_opt_int(L, 1, "timeout", 60000);
    }
    /* OO_HEADLESS=0 (any layer but the default) shows every window, whatever the script asks */
    if (oo_cfg()->source[OO_CFG_HEADLESS] != OO_SRC_DEFAULT && !oo_config_int(oo_cfg(), OO_CFG_HEADLESS)) o.headless = 0;
    cdp_browser_launch(loop, &o, on_browser, lp_wait_new(L, R_BROWSER, NULL));
    return lp_yield(L);
}

static void on_context(void *ud, cdp_context *c, const oo_err *err) { lp_wait_done(ud, NULL, err, c); }

static int l_new_context(lua_State *L)
{
    lbrowser *lb = luaL_checkudata(L, 1, MT_BROWSER);
    if (lb->h->closed) return script_error_at(L, OO_E_BROWSER, "this browser is closed");
    cdp_context_new(lb->h->b, on_context, lp_wait_new(L, R_CONTEXT, lb->h));
    return lp_yield(L);
}

static int l_browser_close(lua_State *L)
{
    lbrowser *lb = luaL_checkudata(L, 1, MT_BROWSER);
    if (!lb->h->closed) { lb->h->closed = 1; cdp_browser_close(lb->h->b); lb->h->b = NULL; }
    return 0;
}

static int l_browser_alive(lua_State *L)
{
    lbrowser *lb = luaL_checkudata(L, 1, MT_BROWSER);
    lua_pushboolean(L, !lb->h->closed && cdp_browser_alive(lb->h->b));
    return 1;
}

static int l_browser_version(lua_State *L)
{
    lbrowser *lb = luaL_checkudata(L, 1, MT_BROWSER);
    lua_pushstring(L, lb->h->closed ? "" : cdp_browser_version(lb->h->b));
    return 1;
}

static int l_browser_gc(lua_State *L)
{
    lbrowser *lb = luaL_checkudata(L, 1, MT_BROWSER);
    if (lb->h) {
        if (!lb->h->closed && lb->h->b) { lb->h->closed = 1; cdp_browser_close(lb->h->b); lb->h->b = NULL; }
        h_release(lb->h);
        lb->h = NULL;
    }
    return 0;
}

/* ---- context ------------------------------------------------------------------------------- */

static void on_page(void *ud, cdp_page *p, const oo_err *err)
{
    wait *w = ud;
    if (p) w->tid = oo_strdup(cdp_page_target_id(p));
    lp_wait_done(w, NULL, err, p);
}

static int l_new_page(lua_State *L)
{
    lcontext *lc = luaL_checkudata(L, 1, MT_CONTEXT);
    if (lc->closed || lc->h->closed)
        return script_error_at(L, lc->h->closed ? OO_E_BROWSER : OO_E_PAGE, "this context is closed");
    cdp_page_new(lc->c, on_page, lp_wait_new(L, R_PAGE, lc->h));
    return lp_yield(L);
}

static int l_context_close(lua_State *L)
{
    lcontext *lc = luaL_checkudata(L, 1, MT_CONTEXT);
    if (!lc->closed && !lc->h->closed) cdp_context_close(lc->c);
    lc->closed = 1;
    return 0;
}

static int l_context_gc(lua_State *L)
{
    lcontext *lc = luaL_checkudata(L, 1, MT_CONTEXT);
    if (lc->h) { h_release(lc->h); lc->h = NULL; }
    return 0;
}

/* ---- page ---------------------------------------------------------------------------------- */

static int l_goto(lua_State *L)
{
    lpage *p = lp_check_page(L);
    const char *url = luaL_checkstring(L, 2);
    const char *until = "load";
    if (lua_istable(L, 3)) { lua_getfield(L, 3, "wait"); if (lua_isstring(L, -1)) until = lua_tostring(L, -1); lua_pop(L, 1); }
    cdp_wait_until u = !strcmp(until, "domcontentloaded") ? CDP_WAIT_DOMCONTENTLOADED : !strcmp(until, "networkidle") ? CDP_WAIT_NETWORKIDLE
                     : !strcmp(until, "commit") ? CDP_WAIT_COMMIT : CDP_WAIT_LOAD;
    cdp_page_navigate(p->p, url, u, lp_opt_int(L, 3, "timeout", 30000), on_value, lp_wait_new(L, R_NONE, p->h));
    return lp_yield(L);
}

static int click_like(lua_State *L, int count)
{
    lpage *p = lp_check_page(L);
    cJSON *t = lp_target(L, 2);
    cdp_click_opts o = {.click_count = count};
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "offset");
        if (lua_istable(L, -1)) {
            lua_rawgeti(L, -1, 1);
            lua_rawgeti(L, -2, 2);
            o.has_offset = 1;
            o.offset_x = lua_tonumber(L, -2);
            o.offset_y = lua_tonumber(L, -1);
            lua_pop(L, 2);
        }
        lua_pop(L, 1);
    }
    cdp_page_click(p->p, t, &o, lp_opt_int(L, 3, "timeout", 5000), on_value, lp_wait_new(L, R_NONE, p->h));
    cJSON_Delete(t);
    return lp_yield(L);
}
static int l_click(lua_State *L) { return click_like(L, 1); }
static int l_dblclick(lua_State *L) { return click_like(L, 2); }

static int l_hover(lua_State *L)
{
    lpage *p = lp_check_page(L);
    cJSON *t = lp_target(L, 2);
    cdp_page_hover(p->p, t, lp_opt_int(L, 3, "timeout", 5000), on_value, lp_wait_new(L, R_NONE, p->h));
    cJSON_Delete(t);
    return lp_yield(L);
}

static int l_fill(lua_State *L)
{
    lpage *p = lp_check_page(L);
    cJSON *t = lp_target(L, 2);
    const char *v = luaL_checkstring(L, 3);
    cdp_page_fill(p->p, t, v, lp_opt_int(L, 4, "timeout", 5000), on_value, lp_wait_new(L, R_NONE, p->h));
    cJSON_Delete(t);
    return lp_yield(L);
}

static int key(lua_State *L, int down)
{
    lpage *p = lp_check_page(L);
    cdp_page_key(p->p, luaL_checkstring(L, 2), down, 5000, on_value, lp_wait_new(L, R_NONE, p->h));
    return lp_yield(L);
}
static int l_key_down(lua_State *L) { return key(L, 1); }
static int l_key_up(lua_State *L) { return key(L, 0); }

static int l_wait_for(lua_State *L)
{
    lpage *p = lp_check_page(L);
    cJSON *t = lp_target(L, 2);
    cJSON *o = NULL;
    const char *state = NULL;
    if (lua_istable(L, 3)) {
        oo_err err = {0};
        o = script_to_json(L, 3, &err);
        state = cJSON_GetStringValue(cJSON_GetObjectItem(o, "state"));
    }
    cdp_page_wait_selector(p->p, t, state, o, lp_opt_int(L, 3, "timeout", 5000), on_value, lp_wait_new(L, R_VALUE, p->h));
    cJSON_Delete(t);
    cJSON_Delete(o);
    return lp_yield(L);
}

static int l_wait_for_expression(lua_State *L)
{
    lpage *p = lp_check_page(L);
    cdp_page_wait_expression(p->p, luaL_checkstring(L, 2), lp_opt_int(L, 3, "timeout", 5000), on_value, lp_wait_new(L, R_HELPER_VALUE, p->h));
    return lp_yield(L);
}

static int l_eval(lua_State *L)
{
    lpage *p = lp_check_page(L);
    cdp_page_evaluate(p->p, luaL_checkstring(L, 2), lp_opt_int(L, 3, "timeout", 30000), on_value, lp_wait_new(L, R_VALUE, p->h));
    return lp_yield(L);
}

/* query / input_value / text / attr: helper calls answering {ok, value|count...} */
static int helper(lua_State *L, const char *fn, rkind kind, cJSON *opts)
{
    lpage *p = lp_check_page(L);
    cJSON *t = lp_target(L, 2);
    cdp_page_helper(p->p, fn, t, opts, 5000, on_value, lp_wait_new(L, kind, p->h));
    cJSON_Delete(t);
    cJSON_Delete(opts);
    return lp_yield(L);
}
static int l_query(lua_State *L) { return helper(L, "query", R_VALUE, NULL); }
static int l_input_value(lua_State *L) { return helper(L, "inputValue", R_HELPER_VALUE, NULL); }
static int l_text(lua_State *L) { return helper(L, "text", R_HELPER_VALUE, NULL); }
static int l_attr(lua_State *L)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", luaL_checkstring(L, 3));
    return helper(L, "attr", R_HELPER_VALUE, o);
}

static int l_screenshot(lua_State *L)
{
    lpage *p = lp_check_page(L);
    wait *w = lp_wait_new(L, R_BYTES_FIELD, p->h);
    w->field = "data";
    cdp_page_screenshot(p->p, lua_toboolean(L, 2), 15000, on_value, w);
    return lp_yield(L);
}

static int l_html(lua_State *L)
{
    lpage *p = lp_check_page(L);
    wait *w = lp_wait_new(L, R_STRING_FIELD, p->h);
    w->field = "html";
    cdp_page_html(p->p, 10000, on_value, w);
    return lp_yield(L);
}

static int l_console(lua_State *L)
{
    lpage *p = lp_check_page(L);
    cJSON *c = cdp_page_console(p->p);
    script_push_json(L, c);
    cJSON_Delete(c);
    return 1;
}

/* page:network([since_ms]) -> the page's recent requests {url, status, ...}, oldest first */
static int l_network(lua_State *L)
{
    lpage *p = lp_check_page(L);
    cJSON *n = cdp_page_network_log(p->p, (int64_t)luaL_optinteger(L, 2, 0));
    script_push_json(L, n);
    cJSON_Delete(n);
    return 1;
}

static int l_url(lua_State *L)
{
    lpage *p = lp_check_page(L);
    lua_pushstring(L, cdp_page_url(p->p));
    return 1;
}

/* ---- expectations: start waiting now, collect later ------------------------------------------
 * local dl = page:expect_download(); page:click("text=Download"); local file = dl:wait() */
#define MT_EXPECT "oo.expectation"
typedef struct expect {
    int done, waiting_ref;
    lua_State *waiter;
    cJSON *value;
    char *error;
    int code;             /* the error's oo_err code */
    char *tid;            /* a page was expected (a popup): its target id */
    bhandle *h;
} expect;

/* The expected answer: a page object, or the value. */
static void expect_push(lua_State *L, expect *e)
{
    if (e->tid) push_page(L, e->h, e->tid);
    else script_push_json(L, e->value);
}

static void expect_wake(void *ud)
{
    expect *e = ud;
    lua_State *co = e->waiter;
    int ref = e->waiting_ref;
    e->waiter = NULL;
    if (e->error) { lua_pushnil(co); script_push_error(co, e->code, e->error); }
    else expect_push(co, e);
    sched_resume(co, e->error ? 2 : 1);
    luaL_unref(co, LUA_REGISTRYINDEX, ref);
}

static void on_expect(void *ud, cJSON *value, const oo_err *err)
{
    expect **slot = ud;
    expect *e = *slot;
    free(slot);
    if (!e) return;                                  /* the handle was collected meanwhile */
    e->done = 1;
    if (err) { e->error = oo_strdup(err->msg); e->code = err->code; }
    else e->value = value ? cJSON_Duplicate(value, 1) : cJSON_CreateNull();
    if (e->waiter) cdp_timer_add(sched_loop(e->waiter), 0, expect_wake, e);
}

static expect *expect_new(lua_State *L, bhandle *h, expect ***slot_out)
{
    expect *e = lua_newuserdatauv(L, sizeof *e, 1);
    memset(e, 0, sizeof *e);
    e->h = h;
    h->refs++;
    luaL_setmetatable(L, MT_EXPECT);
    expect **slot = oo_malloc(sizeof *slot);   /* the callback's way back to e */
    *slot = e;
    *slot_out = slot;
    /* the slot pointer lives in the user value so __gc can detach it */
    lua_pushlightuserdata(L, slot);
    lua_setiuservalue(L, -2, 1);
    return e;
}

static int l_expect_wait(lua_State *L)
{
    expect *e = luaL_checkudata(L, 1, MT_EXPECT);
    if (e->done) {
        if (e->error) return script_error_at(L, e->code, "%s", e->error);
        expect_push(L, e);
        return 1;
    }
    if (!lua_isyieldable(L)) return script_error_at(L, OO_E_USAGE, "wait() must run in a coroutine");
    if (e->waiter) return script_error_at(L, OO_E_USAGE, "another coroutine already waits on this");
    e->waiter = L;
    lua_pushthread(L);
    e->waiting_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return lp_yield(L);
}

static int l_expect_gc(lua_State *L)
{
    expect *e = luaL_checkudata(L, 1, MT_EXPECT);
    lua_getiuservalue(L, 1, 1);
    expect **slot = lua_touserdata(L, -1);
    if (slot && !e->done) *slot = NULL;          /* the pending callback finds no handle */
    cJSON_Delete(e->value);
    free(e->error);
    free(e->tid);
    h_release(e->h);
    return 0;
}

static int l_expect_response(lua_State *L)
{
    lpage *p = lp_check_page(L);
    const char *pattern = luaL_checkstring(L, 2);
    expect **slot;
    expect_new(L, p->h, &slot);
    /* since = time.now_ms() of an earlier moment: a response already seen since then counts */
    int64_t since = 0;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "since");
        since = lua_isinteger(L, -1) ? (int64_t)lua_tointeger(L, -1) : 0;
        lua_pop(L, 1);
    }
    cdp_page_wait_response(p->p, pattern, since, lp_opt_int(L, 3, "timeout", 30000), on_expect, slot);
    return 1;
}

/* local pop = page:expect_popup{timeout = ms}; page:click("#open"); local child = pop:wait()
 * — the page that this page opens next (window.open, a target=_blank link), set up. */
static void on_expect_page(void *ud, cdp_page *page, const oo_err *err)
{
    expect **slot = ud;
    expect *e = *slot;
    free(slot);
    if (!e) return;
    e->done = 1;
    if (err) { e->error = oo_strdup(err->msg); e->code = err->code; }
    else e->tid = oo_strdup(cdp_page_target_id(page));
    if (e->waiter) cdp_timer_add(sched_loop(e->waiter), 0, expect_wake, e);
}

static int l_expect_popup(lua_State *L)
{
    lpage *p = lp_check_page(L);
    expect **slot;
    expect_new(L, p->h, &slot);
    cdp_page_wait_popup(p->p, lp_opt_int(L, 2, "timeout", 30000), on_expect_page, slot);
    return 1;
}

/* page:bring_to_front(): the page becomes its window's active tab (a tab behind another is
 * hidden: no animation frames) */
static int l_bring_to_front(lua_State *L)
{
    lpage *p = lp_check_page(L);
    cdp_page_bring_to_front(p->p, 5000, on_value, lp_wait_new(L, R_NONE, p->h));
    return lp_yield(L);
}

static int l_expect_download(lua_State *L)
{
    lpage *p = lp_check_page(L);
    expect **slot;
    expect_new(L, p->h, &slot);
    cdp_page_wait_download(p->p, lp_opt_int(L, 2, "timeout", 60000), on_expect, slot);
    return 1;
}

static int l_set_download_dir(lua_State *L)
{
    lcontext *lc = luaL_checkudata(L, 1, MT_CONTEXT);
    if (lc->closed || lc->h->closed)
        return script_error_at(L, lc->h->closed ? OO_E_BROWSER : OO_E_PAGE, "this context is closed");
    cdp_context_set_download_dir(lc->c, luaL_checkstring(L, 2), 10000, on_value, lp_wait_new(L, R_NONE, lc->h));
    return lp_yield(L);
}

/* ctx:block_urls({pattern, ...}): requests the context's pages opened from now on never make
 * (Network.setBlockedURLs; '*' matches anything); {} lifts it. */
static int l_block_urls(lua_State *L)
{
    lcontext *lc = luaL_checkudata(L, 1, MT_CONTEXT);
    if (lc->closed || lc->h->closed)
        return script_error_at(L, lc->h->closed ? OO_E_BROWSER : OO_E_PAGE, "this context is closed");
    luaL_checktype(L, 2, LUA_TTABLE);
    int n = (int)luaL_len(L, 2);
    if (n > 1000) return script_error_at(L, OO_E_INPUT, "block_urls: at most 1000 patterns, found %d", n);
    const char **pats = oo_calloc((size_t)(n > 0 ? n : 1), sizeof *pats);
    for (int i = 0; i < n; i++) {
        lua_geti(L, 2, i + 1);
        pats[i] = lua_tostring(L, -1);
        lua_pop(L, 1);   /* the string stays alive in the table */
        if (!pats[i] || !*pats[i]) {
            free(pats);
            return script_error_at(L, OO_E_INPUT, "block_urls: pattern %d is not a non-empty string", i + 1);
        }
    }
    cdp_context_block_urls(lc->c, pats, n);
    free(pats);
    return 0;
}

static int l_page_close(lua_State *L)
{
    lpage *p = luaL_checkudata(L, 1, MT_PAGE);
    cdp_page *cp = lp_page_of(p);
    if (cp) cdp_page_close(cp);
    p->closed = 1;
    return 0;
}

static int l_page_gc(lua_State *L)
{
    lpage *p = luaL_checkudata(L, 1, MT_PAGE);
    if (p->h) { h_release(p->h); p->h = NULL; }
    free(p->tid);
    p->tid = NULL;
    return 0;
}

static void new_mt(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc)
{
    luaL_newmetatable(L, name);
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
    lua_pushstring(L, name);
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
}

int script_open_browser(lua_State *L)
{
    static const luaL_Reg browser_m[] = {{"new_context", l_new_context}, {"close", l_browser_close},
        {"alive", l_browser_alive}, {"version", l_browser_version}, {NULL, NULL}};
    static const luaL_Reg context_m[] = {{"new_page", l_new_page}, {"close", l_context_close},
        {"set_download_dir", l_set_download_dir}, {"block_urls", l_block_urls}, {NULL, NULL}};
    static const luaL_Reg expect_m[] = {{"wait", l_expect_wait}, {NULL, NULL}};
    static const luaL_Reg page_m[] = {{"navigate", l_goto}, {"click", l_click}, {"dblclick", l_dblclick}, {"hover", l_hover},
        {"fill", l_fill}, {"key_down", l_key_down}, {"key_up", l_key_up}, {"wait_for", l_wait_for},
        {"wait_for_expression", l_wait_for_expression}, {"eval", l_eval}, {"query", l_query}, {"input_value", l_input_value},
        {"text", l_text}, {"attr", l_attr}, {"screenshot", l_screenshot}, {"html", l_html}, {"console", l_console}, {"network", l_network},
        {"url", l_url}, {"replay", lp_replay}, {"evidence", lp_evidence}, {"close", l_page_close}, {"expect_response", l_expect_response},
        {"expect_download", l_expect_download}, {"expect_popup", l_expect_popup}, {"bring_to_front", l_bring_to_front},
        {NULL, NULL}};
    new_mt(L, MT_BROWSER, browser_m, l_browser_gc);
    new_mt(L, MT_CONTEXT, context_m, l_context_gc);
    new_mt(L, MT_PAGE, page_m, l_page_gc);
    new_mt(L, MT_EXPECT, expect_m, l_expect_gc);
    lp_open_recording(L);
    static const luaL_Reg fns[] = {{"launch", l_launch}, {"recording", lp_recording}, {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
