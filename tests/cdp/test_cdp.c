/* The CDP client against real Chromium: launch, contexts, pages, the page operations with
 * their waiting (late, disabled, covered, far-away and shadow elements), evaluation errors,
 * screenshots, HTML with the password blanked, console capture, deadlines, and Chromium killed
 * mid-request: the pending request fails at once, the engine hears of it, nothing is left. */
#include "testlib.h"
#include "httpd.h"
#include "cdp/cdp.h"
#include "base/util.h"
#include "base/log.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdp_waiter.h"

static cJSON *eval(cdp_page *p, const char *js)
{
    static waiter w;
    reset(&w);
    cdp_page_evaluate(p, js, 5000, on_done, &w);
    wait_for(&w, 10000);
    return w.value;
}

/* The helper's action point for a click on target: its answer (ok, x, y, frames waited). */
static cJSON *action_point(cdp_page *p, const char *target_json)
{
    static waiter w;
    reset(&w);
    cJSON *t = cJSON_Parse(target_json), *o = cJSON_Parse("{\"action\": \"click\"}");
    cdp_page_helper(p, "actionPoint", t, o, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "actionPoint %s: %s", target_json, w.err.msg);
    cJSON_Delete(t);
    cJSON_Delete(o);
    return w.value;
}

/* A ready button beside a spinner (an endless rotation elsewhere: it moves nothing else) is
 * clicked at once, no animation frame waited; beside an element whose height animates (layout:
 * what follows it may shift) the click still waits for the same box in two frames. */
static void test_click_beside_animations(cdp_page *p)
{
    eval(p, "(() => { const st = document.createElement('style'); st.id = 'anim-style';"
            " st.textContent = '@keyframes t-spin{to{transform:rotate(360deg)}} @keyframes t-grow{from{height:4px}to{height:40px}}"
            " .t-spin{width:20px;height:20px;border:2px solid #000;animation:t-spin .8s linear infinite}"
            " .t-grow{width:20px;background:#000;animation:t-grow 1s linear infinite alternate}';"
            " document.head.appendChild(st); const box = document.createElement('div'); box.id = 'anim-box';"
            " box.style.cssText = 'position:fixed;top:0;left:300px;background:#fff;z-index:5';"
            " box.innerHTML = '<button id=\"ready\">Ready</button><div class=\"t-spin\"></div><div id=\"grow-slot\"></div>';"
            " document.body.appendChild(box);"
            " document.getElementById('ready').onclick = () => window.readyClicks = (window.readyClicks || 0) + 1;"
            " return document.getAnimations().length })()");
    cJSON *v = action_point(p, "{\"selectors\": [\"#ready\"]}");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(v, "ok")));
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(v, "frames")) == 0, "frames waited beside a spinner: %g",
              cJSON_GetNumberValue(cJSON_GetObjectItem(v, "frames")));
    waiter w = {0};
    cJSON *ready = cJSON_Parse("{\"selectors\": [\"#ready\"]}");
    cdp_page_click(p, ready, NULL, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "click beside a spinner: %s", w.err.msg);
    CHECK_INT(cJSON_GetNumberValue(eval(p, "window.readyClicks")), 1);
    reset(&w);
    cJSON_Delete(ready);
    eval(p, "document.getElementById('grow-slot').className = 't-grow';"
            " document.getElementById('grow-slot').insertAdjacentHTML('beforebegin', '<button id=\"ready2\">Ready too</button>'); true");
    v = action_point(p, "{\"selectors\": [\"#ready2\"]}");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(v, "ok")));
    CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItem(v, "frames")) >= 1, "frames waited beside a layout animation: %g",
              cJSON_GetNumberValue(cJSON_GetObjectItem(v, "frames")));
    eval(p, "document.getElementById('anim-box').remove(); document.getElementById('anim-style').remove(); true");
}

/* The round trips an action costs (cdp_browser_counts): a fill where nothing hears typing is
 * one (the helper checks, focuses and types in one call), a click two (the helper's check, then
 * the gesture's mouse events, of which only the last is waited for). */
static void test_round_trips(cdp_browser *b, cdp_page *p)
{
    eval(p, "(() => { const box = document.createElement('div'); box.id = 'trips';"
            " box.style.cssText = 'position:fixed;top:0;left:500px;background:#fff;z-index:5';"
            " box.innerHTML = '<input id=\"trip-in\"><button id=\"trip-b\" onclick=\"window.tripClicks = (window.tripClicks || 0) + 1\">Go</button>';"
            " document.body.appendChild(box); return true })()");
    cJSON *in = cJSON_Parse("{\"selectors\": [\"#trip-in\"]}"), *btn = cJSON_Parse("{\"selectors\": [\"#trip-b\"]}");
    waiter w = {0};
    cdp_counts c0 = cdp_browser_counts(b);
    cdp_page_fill(p, in, "typed", 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "fill: %s", w.err.msg);
    cdp_counts c1 = cdp_browser_counts(b);
    CHECK_INT(c1.awaited - c0.awaited, 1);
    CHECK_INT(c1.requests - c0.requests, 1);
    reset(&w);
    cdp_page_click(p, btn, NULL, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "click: %s", w.err.msg);
    cdp_counts c2 = cdp_browser_counts(b);
    CHECK_INT(c2.awaited - c1.awaited, 2);
    CHECK_INT(c2.requests - c1.requests, 4);     /* the check; move, press, release */
    reset(&w);
    CHECK_STR(cJSON_GetStringValue(eval(p, "document.getElementById('trip-in').value + '/' + window.tripClicks")), "typed/1");
    eval(p, "document.getElementById('trips').remove(); true");
    cJSON_Delete(in);
    cJSON_Delete(btn);
}

static int popups_seen;
static void on_popup(void *ud, cdp_page *page, const oo_err *err)
{
    (void)ud;
    if (page && !err) popups_seen++;
}

static int gone_called;
static void on_gone(void *ud, cdp_browser *b, cdp_gone_reason why, const char *detail)
{
    (void)ud; (void)b; (void)why; (void)detail;
    gone_called++;
}

int main(void)
{
    char url[256];
    tl_httpd *srv = cdp_test_start(url, sizeof url);

    waiter w = {0};
    cdp_launch_opts opts = {.headless = 1, .timeout_ms = 30000};
    cdp_browser_launch(L, &opts, on_browser, &w);
    REQUIRE(wait_for(&w, 40000) == 0);
    CHECK_MSG(w.obj != NULL, "launch: %s", w.err.msg);
    cdp_browser *b = w.obj;
    REQUIRE(b != NULL);
    CHECK(strstr(cdp_browser_version(b), "Chrome") != NULL);
    int pid = cdp_browser_pid(b);
    CHECK(pid > 0 && kill(pid, 0) == 0);
    cdp_browser_on_gone(b, on_gone, NULL);

    /* the browser runs no WebUI renderer of its own (Chromium preloads its omnibox popups in
     * every window, ~0.8 CPU-seconds as a replay starts): its only targets are pages */
    reset(&w);
    cdp_send(b, NULL, "Target.getTargets", NULL, 10000, on_done, &w);
    REQUIRE(wait_for(&w, 15000) == 0);
    CHECK_MSG(w.err.code == 0, "Target.getTargets: %s", w.err.msg);
    cJSON *ti;
    int ntargets = 0;
    cJSON_ArrayForEach(ti, cJSON_GetObjectItem(w.value, "targetInfos")) {
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(ti, "type"));
        const char *turl = cJSON_GetStringValue(cJSON_GetObjectItem(ti, "url"));
        CHECK_MSG(type && strcmp(type, "browser_ui") && (!turl || strncmp(turl, "chrome://", 9)),
                  "a target of Chromium's own: %s %s", type ? type : "?", turl ? turl : "?");
        ntargets++;
    }
    CHECK(ntargets >= 1);

    /* two isolated contexts */
    reset(&w);
    cdp_context_new(b, on_ctx, &w);
    wait_for(&w, 10000);
    cdp_context *c1 = w.obj;
    reset(&w);
    cdp_context_new(b, on_ctx, &w);
    wait_for(&w, 10000);
    cdp_context *c2 = w.obj;
    REQUIRE(c1 && c2);
    reset(&w);
    cdp_page_new(c1, on_page, &w);
    wait_for(&w, 15000);
    cdp_page *p = w.obj;
    REQUIRE(p != NULL);
    reset(&w);
    cdp_page_new(c2, on_page, &w);
    wait_for(&w, 15000);
    cdp_page *p2 = w.obj;
    REQUIRE(p2 != NULL);

    reset(&w);
    cdp_page_navigate(p, url, CDP_WAIT_LOAD, 10000, on_done, &w);
    wait_for(&w, 15000);
    CHECK_MSG(w.err.code == 0, "navigate: %s", w.err.msg);
    CHECK(strstr(cdp_page_url(p), "/basic.html") != NULL);
    reset(&w);
    cdp_page_navigate(p2, url, CDP_WAIT_NETWORKIDLE, 10000, on_done, &w);
    wait_for(&w, 15000);
    CHECK_MSG(w.err.code == 0, "navigate (network idle): %s", w.err.msg);
    cJSON *v = eval(p, "document.title");
    CHECK_STR(cJSON_GetStringValue(v), "Basic page");
    /* isolation: storage set in one context is not seen in the other */
    eval(p, "localStorage.setItem('k', 'one'); document.cookie = 'c=1'; true");
    v = eval(p2, "String(localStorage.getItem('k')) + '|' + document.cookie");
    CHECK_STR(cJSON_GetStringValue(v), "null|");

    /* a context's blocked URLs: its pages never make those requests; other contexts' do */
    {
        static const char *const blocked[] = {"*/data.csv", "*.woff2"};
        reset(&w);
        cdp_context_new(b, on_ctx, &w);
        wait_for(&w, 10000);
        cdp_context *c3 = w.obj;
        REQUIRE(c3 != NULL);
        cdp_context_block_urls(c3, blocked, 2);
        reset(&w);
        cdp_page_new(c3, on_page, &w);
        wait_for(&w, 15000);
        cdp_page *p3 = w.obj;
        REQUIRE(p3 != NULL);
        reset(&w);
        cdp_page_navigate(p3, url, CDP_WAIT_LOAD, 10000, on_done, &w);
        wait_for(&w, 15000);
        CHECK_MSG(w.err.code == 0, "navigate with a block list: %s", w.err.msg);
        static const char fetch_csv[] = "fetch('data.csv').then(r => 'loaded ' + r.status, e => 'blocked')";
        CHECK_STR(cJSON_GetStringValue(eval(p3, fetch_csv)), "blocked");
        CHECK_STR(cJSON_GetStringValue(eval(p, fetch_csv)), "loaded 200");
        cdp_context_close(c3);
    }

    /* an exception comes back as an error with the page's message */
    reset(&w);
    cdp_page_evaluate(p, "(() => { throw new Error('boom in page') })()", 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK(w.err.code != 0 && strstr(w.err.msg, "boom in page"));
    /* a promise is awaited */
    v = eval(p, "new Promise(r => setTimeout(() => r(7 * 6), 50))");
    CHECK_INT(cJSON_GetNumberValue(v), 42);

    /* click: the button appears late, starts disabled, sits under an overlay: the click waits */
    cJSON *late = cJSON_Parse("{\"selectors\": [[\"aria/Nothing here\"], [\"button:has-text('Late button')\"]]}");
    eval(p, "startLate(); true");
    reset(&w);
    int64_t t0 = oo_now_ms();
    cdp_page_click(p, late, NULL, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "click: %s", w.err.msg);
    CHECK(oo_now_ms() - t0 >= 300);   /* it had to wait for the overlay to go */
    v = eval(p, "window.clicks");
    CHECK_INT(cJSON_GetNumberValue(v), 1);
    /* double click */
    cdp_click_opts dbl = {.click_count = 2};
    reset(&w);
    cdp_page_click(p, late, &dbl, 5000, on_done, &w);
    wait_for(&w, 10000);
    v = eval(p, "window.clicks");
    CHECK_INT(cJSON_GetNumberValue(v), 3);
    cJSON_Delete(late);
    /* far below: scrolled into view first; in a shadow root: a selector path */
    cJSON *far = cJSON_Parse("{\"selectors\": [\"#far\"]}");
    reset(&w);
    cdp_page_click(p, far, NULL, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_INT(cJSON_GetNumberValue(eval(p, "window.farClicks")), 1);
    cJSON_Delete(far);
    cJSON *shadow = cJSON_Parse("{\"selectors\": [[\"#host\", \"#inner\"]]}");
    reset(&w);
    cdp_page_click(p, shadow, NULL, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "shadow click: %s", w.err.msg);
    CHECK_INT(cJSON_GetNumberValue(eval(p, "window.shadowClicks")), 1);
    cJSON_Delete(shadow);
    test_click_beside_animations(p);
    test_round_trips(b, p);

    /* fill: text (typed, change fired), time, select */
    cJSON *name = cJSON_Parse("{\"selectors\": [\"aria/Your name\"]}");
    reset(&w);
    cdp_page_fill(p, name, "Ada Lovelace", 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "fill: %s", w.err.msg);
    CHECK_STR(cJSON_GetStringValue(eval(p, "document.getElementById('name').value")), "Ada Lovelace");
    CHECK_INT(cJSON_GetNumberValue(eval(p, "window.changes")), 1);
    reset(&w);
    cdp_page_fill(p, name, "Grace", 5000, on_done, &w);   /* replaces, not appends */
    wait_for(&w, 10000);
    CHECK_STR(cJSON_GetStringValue(eval(p, "document.getElementById('name').value")), "Grace");
    cJSON_Delete(name);
    cJSON *when = cJSON_Parse("{\"selectors\": [\"#when\"]}"), *pick = cJSON_Parse("{\"selectors\": [\"#pick\"]}");
    reset(&w);
    cdp_page_fill(p, when, "14:30", 5000, on_done, &w);
    wait_for(&w, 10000);
    reset(&w);
    cdp_page_fill(p, pick, "Beta", 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_STR(cJSON_GetStringValue(eval(p, "document.getElementById('when').value + '/' + document.getElementById('pick').value")), "14:30/b");
    cJSON_Delete(when);
    cJSON_Delete(pick);

    /* keys */
    reset(&w);
    cdp_page_key(p, "Enter", 1, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK(w.err.code == 0);
    reset(&w);
    cdp_page_key(p, "NoSuchKey", 1, 5000, on_done, &w);
    CHECK(w.done && w.err.code == OO_E_INPUT);

    /* waits: for a selector, for an expression; a missing element times out naming each selector */
    cJSON *missing = cJSON_Parse("{\"selectors\": [[\"#does-not-exist\"], [\"text/Nowhere to be seen\"]]}");
    reset(&w);
    cdp_page_click(p, missing, NULL, 400, on_done, &w);
    wait_for(&w, 10000);
    CHECK(w.err.code == OO_E_TIMEOUT);
    CHECK_MSG(strstr(w.err.msg, "#does-not-exist: no element matches") && strstr(w.err.msg, "text/Nowhere to be seen: no element matches"), "%s", w.err.msg);
    cJSON_Delete(missing);
    reset(&w);
    cdp_page_wait_expression(p, "window.clicks >= 3", 2000, on_done, &w);
    wait_for(&w, 10000);
    CHECK(w.err.code == 0);
    /* a promise that never settles: the wait ends at its own deadline, saying so; one that
     * settles true later wakes the wait */
    reset(&w);
    cdp_page_wait_expression(p, "new Promise(() => {})", 300, on_done, &w);
    wait_for(&w, 10000);
    CHECK(w.err.code == OO_E_TIMEOUT);
    CHECK_MSG(strstr(w.err.msg, "the expression stayed false") != NULL, "%s", w.err.msg);
    reset(&w);
    cdp_page_wait_expression(p, "new Promise(r => setTimeout(() => r(window.clicks), 30))", 2000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "%s", w.err.msg);
    CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(w.value, "value")), 3);

    /* screenshot, HTML (password blanked), console */
    reset(&w);
    cdp_page_screenshot(p, 1, 10000, on_done, &w);
    wait_for(&w, 15000);
    const char *png = cJSON_GetStringValue(cJSON_GetObjectItem(w.value, "data"));
    CHECK(png && strlen(png) > 1000 && !strncmp(png, "iVBOR", 5));
    reset(&w);
    cdp_page_html(p, 5000, on_done, &w);
    wait_for(&w, 10000);
    const char *html = cJSON_GetStringValue(cJSON_GetObjectItem(w.value, "html"));
    CHECK(html && strstr(html, "Conformance: basic") && !strstr(html, "secret-should-not-leak"));
    cJSON *console = cdp_page_console(p);
    char *ctext = cJSON_PrintUnformatted(console);
    CHECK_MSG(strstr(ctext, "hello from the page 42") != NULL, "%s", ctext);
    free(ctext);
    cJSON_Delete(console);

    /* a network response, with its body */
    reset(&w);
    cdp_page_wait_response(p, "*/second.html", 0, 5000, on_done, &w);
    eval(p, "fetch('/second.html').then(r => r.status)");
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "wait_response: %s", w.err.msg);
    CHECK_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(w.value, "status")), 200);
    CHECK(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(w.value, "body")) ?: "", "<h1>Second</h1>") != NULL);

    /* a response received before the wait began counts when it came after since_ms (the
     * page's log of recent responses), with its body; one from before since_ms does not */
    int64_t before = oo_now_ms();
    v = eval(p, "fetch('/second.html?early=1').then(r => r.text()).then(t => t.length)");
    CHECK(cJSON_GetNumberValue(v) > 10);
    reset(&w);
    cdp_page_wait_response(p, "*/second.html?early=1", before, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.done && w.err.code == 0, "wait_response since: %s", w.err.msg);
    CHECK(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(w.value, "body")) ?: "", "<h1>Second</h1>") != NULL);
    reset(&w);
    cdp_page_wait_response(p, "*/second.html?early=1", oo_now_ms() + 1, 300, on_done, &w);
    wait_for(&w, 5000);
    CHECK_MSG(w.done && w.err.code == OO_E_TIMEOUT, "an older response does not count: %s", w.err.msg);
    reset(&w);
    cdp_page_wait_response(p, "*/second.html?early=1", 0, 300, on_done, &w);   /* 0: from now on */
    wait_for(&w, 5000);
    CHECK(w.done && w.err.code == OO_E_TIMEOUT);

    /* a download lands in the context's folder under its own name */
    char *dldir = tl_tmpdir("downloads");
    reset(&w);
    cdp_context_set_download_dir(c1, dldir, 5000, on_done, &w);
    wait_for(&w, 10000);
    CHECK_MSG(w.err.code == 0, "download dir: %s", w.err.msg);
    reset(&w);
    cdp_page_wait_download(p, 10000, on_done, &w);
    eval(p, "(() => { const a = document.createElement('a'); a.href = '/data.csv'; document.body.append(a); a.click(); return true })()");
    wait_for(&w, 15000);
    CHECK_MSG(w.err.code == 0, "download: %s", w.err.msg);
    const char *dlpath = cJSON_GetStringValue(cJSON_GetObjectItem(w.value, "path"));
    char *content = dlpath ? oo_read_file(dlpath, NULL, NULL) : NULL;
    CHECK_MSG(dlpath && strstr(dlpath, "/data.csv"), "path %s", dlpath ? dlpath : "(none)");
    CHECK(content && !strcmp(content, "Date Opened,P/L\n2024-01-02,12.5\n"));
    free(content);
    free(dldir);

    /* a popup (window.open): attached and set up like any page, heard of by on_popup and by
     * wait_popup; closed by close_target, its calls then fail at once */
    cdp_page_on_popup(p, on_popup, NULL);
    reset(&w);
    cdp_page_wait_popup(p, 10000, on_page, &w);
    eval(p, "window.open('/second.html?from=basic'), true");
    wait_for(&w, 15000);
    cdp_page *pop = w.obj;
    CHECK_MSG(pop != NULL, "popup: %s", w.err.msg);
    if (pop) {
        CHECK_INT(popups_seen, 1);
        CHECK(cdp_browser_page(b, cdp_page_target_id(pop)) == pop);
        cJSON *h1 = cJSON_Parse("{\"selectors\": [\"h1:text-is('Second')\"]}");
        reset(&w);
        cdp_page_wait_selector(pop, h1, "visible", NULL, 5000, on_done, &w);
        wait_for(&w, 10000);
        CHECK_MSG(w.err.code == 0, "popup wait: %s", w.err.msg);
        cJSON_Delete(h1);
        CHECK(strstr(cdp_page_url(pop), "/second.html?from=basic") != NULL);
        reset(&w);
        cdp_page_close_target(pop, 5000, on_done, &w);
        wait_for(&w, 10000);
        CHECK_MSG(w.done && w.err.code == 0, "close_target: %s", w.err.msg);
        CHECK(cdp_page_closed(pop));
        reset(&w);
        cdp_page_evaluate(pop, "1", 1000, on_done, &w);
        CHECK(w.done && w.err.code == OO_E_CANCELLED);
        cdp_page_close(pop);
    }
    reset(&w);
    cdp_page_wait_popup(p, 200, on_page, &w);
    wait_for(&w, 5000);
    CHECK(w.done && w.err.code == OO_E_TIMEOUT && !w.obj);

    /* a request deadline fires */
    reset(&w);
    cdp_page_evaluate(p, "new Promise(() => {})", 300, on_done, &w);
    wait_for(&w, 10000);
    CHECK(w.err.code == OO_E_TIMEOUT);

    /* Chromium killed mid-request: the request fails at once, the engine hears of it */
    reset(&w);
    cdp_page_wait_expression(p, "false", 60000, on_done, &w);
    kill(pid, SIGKILL);
    t0 = oo_now_ms();
    wait_for(&w, 20000);
    CHECK(w.done && w.err.code == OO_E_BROWSER);
    CHECK(oo_now_ms() - t0 < 10000);
    CHECK_INT(gone_called, 1);
    CHECK(!cdp_browser_alive(b));
    reset(&w);
    cdp_page_evaluate(p, "1", 1000, on_done, &w);   /* later calls fail at once, no hang */
    CHECK(w.done && w.err.code == OO_E_BROWSER);
    char profile_probe[64];
    snprintf(profile_probe, sizeof profile_probe, "/proc/%d", pid);
    cdp_browser_close(b);
    struct stat st;
    CHECK(stat(profile_probe, &st) != 0);   /* reaped: no zombie */

    /* a fresh browser after the crash, closed cleanly: process and profile gone */
    reset(&w);
    cdp_browser_launch(L, &opts, on_browser, &w);
    wait_for(&w, 40000);
    b = w.obj;
    REQUIRE(b != NULL);
    pid = cdp_browser_pid(b);
    cdp_browser_close(b);
    snprintf(profile_probe, sizeof profile_probe, "/proc/%d", pid);
    CHECK(stat(profile_probe, &st) != 0);

    reset(&w);
    cdp_loop_free(L);
    tl_httpd_stop(srv);
    return tl_finish();
}
