/* pagekit: a page of a real Chromium driven from a C test through the engine's own CDP client
 * (tests of the dashboard as a browser meets it). Every call runs the one loop given to
 * pk_use and blocks until its answer or its deadline. Strings returned are the caller's. */
#ifndef OO_TEST_WEB_PAGEKIT_H
#define OO_TEST_WEB_PAGEKIT_H
#include "cdp/cdp.h"

/* What an asynchronous CDP call answered: done, its value (owned: pk_reset frees it), its
 * error, or the object it made (browser, context, page). */
typedef struct { int done; cJSON *value; oo_err err; void *obj; } pk_waiter;

void pk_use(cdp_loop *loop);
void pk_on_done(void *ud, cJSON *value, const oo_err *err);
void pk_reset(pk_waiter *w);
/* Runs the loop until w is done or ms have passed; whether it is done. */
int pk_wait(pk_waiter *w, int ms);
/* A headless Chromium with these extra arguments (NULL-terminated, or NULL); NULL with err. */
cdp_browser *pk_launch(const char *const *extra_args, oo_err *err);
/* A page in a context of its own (its own cookies and storage); the context in *ctx_out. */
cdp_page *pk_new_page(cdp_browser *b, cdp_context **ctx_out);
/* Navigates and waits for the load; whether it loaded (the error is printed). */
int pk_navigate(cdp_page *p, const char *url);
/* A page expression's value as a string (a number without decimals, true/false); "" when it
 * failed (the error is printed). */
char *pk_eval(cdp_page *p, const char *js);
#endif
