/* page_internal: what the browser bindings share inside script/ (lua_page.c: browsers,
 * contexts, pages and their operations; lua_replay.c: recordings, replays and evidence). A page
 * call starts its CDP operation with a `wait` and yields (lp_yield); the operation's callback
 * hands the answer to lp_wait_done, which resumes the coroutine on the loop's next turn. */
#ifndef OO_SCRIPT_PAGE_INTERNAL_H
#define OO_SCRIPT_PAGE_INTERNAL_H
#include "cdp/cdp.h"
#include <lua.h>

typedef struct bhandle { cdp_browser *b; int closed, refs; } bhandle;

typedef struct { bhandle *h; } lbrowser;
typedef struct { bhandle *h; cdp_context *c; int closed; } lcontext;
/* A page object names its page by target id and finds it anew at each call: a page closed
 * meanwhile (by another object of it, its context, the browser) is then an error, never a
 * dangling pointer. A popup comes to Lua this way too (page:expect_popup()). */
typedef struct { bhandle *h; cdp_page *p; char *tid; int closed; } lpage;

#define MT_BROWSER "oo.browser"
#define MT_CONTEXT "oo.context"
#define MT_PAGE "oo.page"

/* R_REPLAY: page:replay's {times} (one value) or {which, times} (two values). */
typedef enum { R_NONE, R_VALUE, R_BROWSER, R_CONTEXT, R_PAGE, R_STRING_FIELD, R_HELPER_VALUE, R_BYTES_FIELD,
               R_REPLAY } rkind;

typedef struct wait {
    lua_State *co;
    int ref;              /* keeps the coroutine alive while it waits */
    rkind kind;
    const char *field;
    bhandle *h;
    /* the answer, kept until the coroutine resumes (an operation may answer before the yield) */
    char *error;
    int code;             /* the error's oo_err code */
    cJSON *value;
    void *obj;
    char *tid;            /* R_PAGE: the page's target id */
} wait;

/* A wait for an answer of `kind` on the calling coroutine (h: the browser it depends on). */
wait *lp_wait_new(lua_State *L, rkind kind, bhandle *h);
/* The answer (value, or err, or an object): resumes the waiting coroutine on the next turn. */
void lp_wait_done(wait *w, cJSON *value, const oo_err *err, void *obj);
/* Yields the calling coroutine until its wait is done; an error is raised at the caller's line. */
int lp_yield(lua_State *L);
/* The same, keeping the first `keep` values of the stack alive while it waits. */
int lp_yield_keep(lua_State *L, int keep);
/* The page object at index 1 with its page found anew (an error when it is gone). */
lpage *lp_check_page(lua_State *L);
/* The page a page object names, or NULL when it is gone. */
cdp_page *lp_page_of(lpage *lp);
/* An integer field of the options table at idx, or def. */
int lp_opt_int(lua_State *L, int idx, const char *k, int def);
/* A Lua target (a selector, alternatives, or {selectors, frame}) as page.js takes it. */
cJSON *lp_target(lua_State *L, int idx);

/* lua_replay.c: page:replay, page:evidence, and browser.recording (the recording object). */
int lp_replay(lua_State *L);
int lp_evidence(lua_State *L);
int lp_recording(lua_State *L);
void lp_open_recording(lua_State *L);
#endif
