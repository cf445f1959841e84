/* DNS rebinding, as a browser meets it: a real Chromium whose resolver maps foreign names to
 * 127.0.0.1 (--host-resolver-rules, what an attacker's DNS does after the page has loaded)
 * opens the dashboard under those names. Every read and every write from such a page is
 * refused with 403, the WebSocket does not open, and nothing in the store changes; the same
 * page under 127.0.0.1 works (so the refusals are the Host check, not a broken setup). */
#include "testlib.h"
#include "pagekit.h"
#include "web/web.h"
#include "store/store.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The requests a rebinding page would send, each answered with its status ("403"). */
static const struct { const char *what, *js; } probes[] = {
    {"the page itself", "fetch(location.href).then(r => r.status)"},
    {"GET /api/settings", "fetch('/api/settings').then(r => r.status)"},
    {"GET /api/runs", "fetch('/api/runs').then(r => r.status)"},
    {"GET /api/failures/1/html", "fetch('/api/failures/1/html').then(r => r.status)"},
    {"PUT /api/settings", "fetch('/api/settings', {method: 'PUT', headers: {'Content-Type': 'application/json'},"
                          " body: JSON.stringify({browsers: 7, email: 'attacker@evil.test'})}).then(r => r.status)"},
    {"PATCH /api/tests/1", "fetch('/api/tests/1', {method: 'PATCH', headers: {'Content-Type': 'application/json'},"
                           " body: JSON.stringify({name: 'pwned'})}).then(r => r.status)"},
    {"DELETE /api/tests/1", "fetch('/api/tests/1', {method: 'DELETE'}).then(r => r.status)"},
    {"POST /api/runs/1/cancel", "fetch('/api/runs/1/cancel', {method: 'POST'}).then(r => r.status)"},
    {NULL, NULL}};

/* Whether a WebSocket to /ws of the page's own origin opens ("open" or "refused"). */
static const char ws_probe[] =
    "new Promise(res => { const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws');"
    " ws.onopen = () => { ws.close(); res('open') }; ws.onerror = () => res('refused') })";

static void check_origin(cdp_page *p, const char *base, const char *want, const char *want_ws)
{
    char *url = oo_asprintf("%s/", base);
    CHECK_MSG(pk_navigate(p, url), "%s did not load", url);
    free(url);
    for (int i = 0; probes[i].what; i++) {
        if (!strcmp(want, "200") && strstr(probes[i].what, "DELETE")) continue;
        if (!strcmp(want, "200") && strstr(probes[i].what, "/api/failures")) continue;  /* no such failure: 404 */
        if (!strcmp(want, "200") && strstr(probes[i].what, "cancel")) continue;          /* 409 for a completed run */
        char *st = pk_eval(p, probes[i].js);
        CHECK_MSG(!strcmp(st, want), "%s from %s: %s, wanted %s", probes[i].what, base, st, want);
        free(st);
    }
    char *ws = pk_eval(p, ws_probe);
    CHECK_MSG(!strcmp(ws, want_ws), "WebSocket from %s: %s, wanted %s", base, ws, want_ws);
    free(ws);
}

int main(void)
{
    char *dir = tl_tmpdir("web-rebind");
    char *db = oo_path_join(dir, "oo.db"), *data = oo_path_join(dir, "data");
    oo_err err = {0};
    oo_store *s = store_open(db, &err);
    REQUIRE(s);
    int64_t test = store_test_upsert(s, "https://optionomega.com/test/rebind", "My strategy", &err);
    REQUIRE(test == 1);
    int64_t run = store_run_create(s, test, "a run", "sweep", NULL, 1, &err);
    REQUIRE(run == 1 && store_run_set_status(s, run, "completed", NULL, &err) == 0);
    REQUIRE(store_setting_set(s, "browsers", "3", &err) == 0);

    const char *src = getenv("OO_SOURCE_DIR") ? getenv("OO_SOURCE_DIR") : ".";
    char *web = oo_path_join(src, "web");
    web_opts o = {.port = 0, .db_path = db, .data_dir = data, .web_dir = web};
    web_server *w = web_start(&o, &err);
    CHECK_MSG(w != NULL, "web_start: %s", err.msg);
    REQUIRE(w);
    int port = web_port(w);

    cdp_loop *L = cdp_loop_new(&err);
    REQUIRE(L);
    pk_use(L);
    const char *args[] = {"--host-resolver-rules=MAP *.attacker.test 127.0.0.1, MAP rebind.test 127.0.0.1", NULL};
    cdp_browser *b = pk_launch(args, &err);
    CHECK_MSG(b != NULL, "launch: %s", err.msg);
    REQUIRE(b);
    cdp_page *p = pk_new_page(b, NULL);
    REQUIRE(p);

    /* foreign names that resolve to this machine: 403 for everything, no WebSocket */
    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1.attacker.test:%d", port);
    check_origin(p, base, "403", "refused");
    snprintf(base, sizeof base, "http://rebind.test:%d", port);
    check_origin(p, base, "403", "refused");
    snprintf(base, sizeof base, "http://localhost.attacker.test:%d", port);
    check_origin(p, base, "403", "refused");

    /* nothing the rebinding pages sent changed anything */
    char *v = store_setting_get(s, "browsers", &err);
    CHECK_STR(v, "3");
    free(v);
    v = store_setting_get(s, "email", &err);
    CHECK(v == NULL);
    free(v);
    cJSON *t = store_test_get(s, test, &err);
    CHECK_STR(t ? cJSON_GetStringValue(cJSON_GetObjectItem(t, "name")) : NULL, "My strategy");
    cJSON_Delete(t);
    cJSON *r = store_run_get(s, run, &err);
    CHECK_STR(r ? cJSON_GetStringValue(cJSON_GetObjectItem(r, "status")) : NULL, "completed");
    cJSON_Delete(r);

    /* the same page under the loopback literal: answered (the check is the Host, nothing else) */
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    check_origin(p, base, "200", "open");
    v = store_setting_get(s, "browsers", &err);
    CHECK_STR(v, "7");
    free(v);

    cdp_browser_close(b);
    cdp_loop_free(L);
    web_stop(w);
    store_close(s);
    free(web);
    free(db);
    free(data);
    free(dir);
    return tl_finish();
}
