/* The dashboard's token stays on the dashboard's own origin (scheme, host and port), in a real
 * Chromium against the real `oo-automator serve` with a token (OO_TOKEN). A cookie is not
 * scoped by port: one set by the dashboard goes to every other server of the same host. So a
 * second HTTP server on another port of 127.0.0.1 records everything the browser sends it
 * after the dashboard was opened with the token (from #token= after /runs/N, the URL `run`
 * prints; and from ?token=), and must find no token and no cookie. With the token the
 * dashboard works: Run Detail, live updates over the WebSocket, the runs list, a failure's
 * screenshot and HTML snapshot, the CSV export (a real download). Without it: 401 for data,
 * the WebSocket refused, a stale oo_token cookie refused, and the page asks for the token. */
#include "testlib.h"
#include "httpd.h"
#include "seed.h"
#include "pagekit.h"
#include "base/buf.h"
#include "base/util.h"
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* a token with characters an address must escape */
#define TOKEN "t0k+9f/3a=Q"
#define TOKEN_ESCAPED "t0k%2B9f%2F3a%3DQ"

static void check_eval(cdp_page *p, const char *js, const char *want)
{
    char *v = pk_eval(p, js);
    CHECK_MSG(!strcmp(v, want), "%s: %s, wanted %s", js, v, want);
    free(v);
}

/* Whether the expression became true within 30 s (it says which one did not). */
static int wait_true(cdp_page *p, const char *js)
{
    pk_waiter w = {0};
    cdp_page_wait_expression(p, js, 30000, pk_on_done, &w);
    int ok = pk_wait(&w, 35000) && w.err.code == 0;
    if (!ok) fprintf(stderr, "never true: %s (%s)\n", js, w.err.msg);
    pk_reset(&w);
    return ok;
}

/* The cookies the page's browser context holds for these URLs (none is what we want). */
static int cookies_for(cdp_browser *b, cdp_page *p, const char *url1, const char *url2)
{
    cJSON *params = cJSON_CreateObject(), *urls = cJSON_AddArrayToObject(params, "urls");
    cJSON_AddItemToArray(urls, cJSON_CreateString(url1));
    cJSON_AddItemToArray(urls, cJSON_CreateString(url2));
    pk_waiter w = {0};
    cdp_send(b, cdp_page_session(p), "Network.getCookies", params, 10000, pk_on_done, &w);
    pk_wait(&w, 15000);
    cJSON *list = cJSON_GetObjectItem(w.value, "cookies");
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : -1;
    pk_reset(&w);
    return n;
}

/* ---- the real serve, with its token from the environment ---------------------------------- */

static pid_t g_serve = -1;

/* Starts `oo-automator serve --port 0` on db with OO_TOKEN; its port, or 0. */
static int start_serve(const char *bin, const char *db, const char *data)
{
    int p[2];
    if (pipe(p) != 0) return 0;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    char *argv[] = {(char *)bin, "--db", (char *)db, "--data-dir", (char *)data, "serve", "--port", "0", NULL};
    setenv("OO_TOKEN", TOKEN, 1);
    if (posix_spawn(&g_serve, bin, &fa, NULL, argv, environ) != 0) g_serve = -1;
    unsetenv("OO_TOKEN");
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    char line[256];
    size_t n = 0;
    int64_t end = oo_now_ms() + 30000;
    while (g_serve > 0 && n < sizeof line - 1) {   /* the first line: the URL */
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        int left = (int)(end - oo_now_ms());
        if (left <= 0 || poll(&pf, 1, left) <= 0 || read(p[0], line + n, 1) != 1 || line[n] == '\n') break;
        n++;
    }
    line[n] = '\0';
    close(p[0]);
    const char *colon = strrchr(line, ':');
    return !strncmp(line, "http://127.0.0.1:", 17) && colon ? atoi(colon + 1) : 0;
}

static void stop_serve(void)
{
    if (g_serve <= 0) return;
    kill(g_serve, SIGTERM);
    int st = 0;
    waitpid(g_serve, &st, 0);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "serve ended with %d", st);
}

/* ---- the checks ----------------------------------------------------------------------------- */

/* What the other server received: the page and its request (so it did record), and nothing of
 * the token: no cookie at all. */
static void check_other_port(cdp_page *p, tl_httpd *other, const char *page)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", tl_httpd_port(other), page);
    CHECK_MSG(pk_navigate(p, url), "%s did not load", url);
    check_eval(p, "fetch('/again', {credentials: 'include'}).then(r => String(r.status))", "404");
    check_eval(p, "String(localStorage.getItem('oo-token'))", "null");   /* storage is per origin */
    char *got = tl_httpd_received(other), want[160];
    snprintf(want, sizeof want, "GET /%s", page);
    CHECK_MSG(strstr(got, want) && strstr(got, "GET /again"), "the other server recorded: %s", got);
    CHECK_MSG(!strstr(got, "t0k") && !strstr(got, "9f/3a") && !strstr(got, "9f%2F3a"), "the token reached another port: %s", got);
    CHECK_MSG(!strcasestr(got, "cookie:") && !strstr(got, "oo_token"), "a cookie reached another port: %s", got);
    free(got);
}

/* The token in the query, as earlier versions took it (and answered with a cookie): the page
 * works, the address is cleaned, no cookie anywhere, nothing reaches the other port. */
static void check_query(cdp_browser *b, int port, tl_httpd *other, const char *dash, const char *oth)
{
    char url[128];
    cdp_page *q = pk_new_page(b, NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/?token=%s#/history", port, TOKEN_ESCAPED);
    CHECK(pk_navigate(q, url));
    CHECK(wait_true(q, "Number((document.querySelector('table.runs') || {dataset: {}}).dataset.rows) >= 4"));
    check_eval(q, "location.search + location.hash", "#/history");
    CHECK_INT(cookies_for(b, q, dash, oth), 0);
    check_other_port(q, other, "after-query.html");
}

/* Run Detail of the live run opened from /runs/N#token=: the address is cleaned, the token
 * kept for this origin only; a task completed elsewhere shows up over the WebSocket. */
static void check_live(cdp_page *p, int port, oo_store *s, const seed_ids *ids)
{
    char url[160], js[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/runs/%lld#token=%s", port, (long long)ids->live_run, TOKEN_ESCAPED);
    CHECK_MSG(pk_navigate(p, url), "%s did not load", url);
    CHECK(wait_true(p, "!!document.querySelector('.run-name') && window.ooLive.connected"));
    snprintf(js, sizeof js, "location.href === 'http://127.0.0.1:%d/#/runs/%lld'", port, (long long)ids->live_run);
    CHECK(wait_true(p, js));
    check_eval(p, "localStorage.getItem('oo-token')", TOKEN);
    check_eval(p, "document.querySelector('.progress').dataset.done", "3");
    oo_err err = {0};
    CHECK_MSG(seed_complete_next(s, ids->live_run, &err) == 1, "%s", err.msg);
    CHECK(wait_true(p, "document.querySelector('.progress').dataset.done === '4' && window.ooLive.received > 0"));
}

/* The runs list, a failure's screenshot and HTML snapshot, and the CSV export as a download. */
static void check_pages(cdp_page *p, cdp_context *ctx, const char *dir, const seed_ids *ids)
{
    char js[256];
    check_eval(p, "(location.hash = '#/history', 'ok')", "ok");
    CHECK(wait_true(p, "Number((document.querySelector('table.runs') || {dataset: {}}).dataset.rows) >= 4"));
    snprintf(js, sizeof js, "(location.hash = '#/runs/%lld', 'ok')", (long long)ids->sweep_run);
    check_eval(p, js, "ok");
    CHECK(wait_true(p, "!!document.querySelector('.failure button[data-artifact=screenshot]')"));
    check_eval(p, "(document.querySelector('.failure button[data-artifact=screenshot]').click(), 'ok')", "ok");
    CHECK(wait_true(p, "(() => { const i = document.querySelector('img.shot'); "
                       "return !!i && i.src.startsWith('blob:') && i.complete && i.naturalWidth === 1 })()"));
    check_eval(p, "(document.querySelector('.failure button[data-artifact=html]').click(), 'ok')", "ok");
    CHECK(wait_true(p, "(() => { const f = document.querySelector('iframe.snapshot'); return !!f && "
                       "f.getAttribute('sandbox') === '' && f.srcdoc.includes('Snapshot of the page') && f.srcdoc.startsWith('<meta http-equiv=\"Content-Security-Policy\"') })()"));
    check_eval(p, "String(window.__snapshot_script_ran)", "undefined");
    char *dl = oo_path_join(dir, "downloads");
    pk_waiter w = {0};
    cdp_context_set_download_dir(ctx, dl, 10000, pk_on_done, &w);
    pk_wait(&w, 15000);
    pk_reset(&w);
    cdp_page_wait_download(p, 30000, pk_on_done, &w);
    check_eval(p, "(document.querySelector('a[data-action=export]').click(), 'ok')", "ok");
    pk_wait(&w, 35000);
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(w.value, "path"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(w.value, "suggestedFilename"));
    char want[64];
    snprintf(want, sizeof want, "run-%lld.csv", (long long)ids->sweep_run);
    CHECK_MSG(name && !strcmp(name, want), "the export downloaded as %s: %s", name ? name : "(nothing)", w.err.msg);
    size_t len = 0;
    char *csv = path ? oo_read_file(path, &len, NULL) : NULL;
    CHECK_MSG(csv && strstr(csv, "delta") && !strstr(csv, "error"), "the export: %s", csv ? csv : "(none)");
    free(csv);
    pk_reset(&w);
    free(dl);
}

/* A browser without the token: data refused (a stale oo_token cookie too), the WebSocket
 * refused, the page asks for the token and, given it, opens the run it was asked for. */
static void check_without(cdp_page *p, int port, const seed_ids *ids)
{
    char url[128], js[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/runs/%lld", port, (long long)ids->sweep_run);
    CHECK_MSG(pk_navigate(p, url), "%s did not load", url);
    CHECK(wait_true(p, "!!document.querySelector('.token-form input[name=token]')"));
    check_eval(p, "fetch('/api/runs').then(r => String(r.status))", "401");
    check_eval(p, "(document.cookie = 'oo_token=" TOKEN_ESCAPED "; path=/', "
                  "fetch('/api/runs', {credentials: 'include'}).then(r => String(r.status)))", "401");
    check_eval(p, "new Promise(res => { const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws');"
                  " ws.onopen = () => { ws.close(); res('open') }; ws.onerror = () => res('refused') })", "refused");
    check_eval(p, "document.cookie = 'oo_token=; max-age=0; path=/'", "oo_token=; max-age=0; path=/");
    check_eval(p, "(() => { const i = document.querySelector('.token-form input[name=token]'); i.value = '" TOKEN "';"
                  " i.dispatchEvent(new Event('input')); document.querySelector('button[data-action=token]').click();"
                  " return 'ok' })()", "ok");
    snprintf(js, sizeof js, "location.hash === '#/runs/%lld' && !!document.querySelector('.run-name') && "
                            "!document.querySelector('.token-form') && window.ooLive.connected", (long long)ids->sweep_run);
    CHECK(wait_true(p, js));
}

int main(void)
{
    const char *bin = getenv("OO_BIN");
    REQUIRE(bin);
    signal(SIGPIPE, SIG_IGN);
    char *dir = tl_tmpdir("web-token");
    char *db = oo_path_join(dir, "oo.db"), *data = oo_path_join(dir, "data"), *site = oo_path_join(dir, "other");
    oo_err err = {0};
    oo_store *s = store_open(db, &err);
    REQUIRE(s);
    seed_ids ids;
    REQUIRE(seed_fill(s, data, &ids, &err) == 0);
    REQUIRE(oo_mkdir_p(site, &err) == 0);
    static const char probe[] = "<!doctype html><title>another server of this machine</title>";
    char *f1 = oo_path_join(site, "after-fragment.html"), *f2 = oo_path_join(site, "after-query.html");
    REQUIRE(oo_write_file(f1, probe, sizeof probe - 1, &err) == 0 && oo_write_file(f2, probe, sizeof probe - 1, &err) == 0);
    tl_httpd *other = tl_httpd_start(site);

    int port = start_serve(bin, db, data);
    CHECK_MSG(port > 0, "serve did not print its URL");
    cdp_loop *L = cdp_loop_new(&err);
    REQUIRE(L);
    pk_use(L);
    cdp_browser *b = pk_launch(NULL, &err);
    CHECK_MSG(b != NULL, "launch: %s", err.msg);
    if (port > 0 && b) {
        char dash[64], oth[64];
        snprintf(dash, sizeof dash, "http://127.0.0.1:%d/", port);
        snprintf(oth, sizeof oth, "http://127.0.0.1:%d/", tl_httpd_port(other));
        check_query(b, port, other, dash, oth);
        /* the URL `run` prints, with the token in its fragment */
        cdp_context *ctx = NULL;
        cdp_page *p = pk_new_page(b, &ctx);
        check_live(p, port, s, &ids);
        check_pages(p, ctx, dir, &ids);
        CHECK_INT(cookies_for(b, p, dash, oth), 0);
        check_other_port(p, other, "after-fragment.html");
        /* a browser without it */
        check_without(pk_new_page(b, NULL), port, &ids);
        cdp_browser_close(b);
    }
    cdp_loop_free(L);
    stop_serve();
    tl_httpd_stop(other);
    store_close(s);
    free(f1);
    free(f2);
    free(site);
    free(db);
    free(data);
    free(dir);
    return tl_finish();
}
