/* browser: a Chromium process and its DevTools websocket. Launch finds the browser, starts it
 * with a temporary profile in its own process group, learns the websocket from the line
 * Chromium prints on stderr (a pipe watched by the loop), and connects with libwebsockets.
 * Its death is seen through a pidfd, never by polling; every request pending on a dead
 * browser fails at once. Requests carry deadlines; events go to subscribers. */
#include "cdp/internal.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static void fail_all(cdp_browser *b, const char *why);

/* ---- finding and starting Chromium ------------------------------------------------------ */

static char *on_path(const char *name)
{
    const char *path = oo_config_search_path();
    if (!path) return NULL;
    char *copy = oo_strdup(path), *save = NULL, *found = NULL;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *p = oo_path_join(d, name);
        if (access(p, X_OK) == 0) found = p; else free(p);
    }
    free(copy);
    return found;
}

static char *find_chromium(const char *given, oo_err *err)
{
    if (given && *given) {
        if (access(given, X_OK) == 0) return oo_strdup(given);
        oo_err_set(err, OO_E_BROWSER, "Chromium not found at %s (OO_CHROMIUM): give the path of an executable", given);
        return NULL;
    }
    const char *env = oo_config_get(oo_cfg(), OO_CFG_CHROMIUM);
    if (env && *env) return find_chromium(env, err);
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", NULL};
    for (int i = 0; names[i]; i++) {
        char *p = on_path(names[i]);
        if (p) return p;
    }
    const char *home = oo_config_home_dir();
    if (home) {
        char *cache = oo_asprintf("%s/.cache/ms-playwright", home);
        char *cmd = NULL;
        /* the newest chromium-* folder of Playwright's cache */
        for (int v = 2000; v > 900 && !cmd; v--) {
            char *p = oo_asprintf("%s/chromium-%d/chrome-linux/chrome", cache, v);
            if (access(p, X_OK) == 0) cmd = p; else free(p);
        }
        free(cache);
        if (cmd) return cmd;
    }
    oo_err_set(err, OO_E_BROWSER, "Chromium not found: apt-get install chromium, or set OO_CHROMIUM to its path");
    return NULL;
}

char *cdp_chromium_find(const char *given, oo_err *err) { return find_chromium(given, err); }

static void on_pid_exit(void *ud, int fd)
{
    cdp_browser *b = ud;
    if (fd < 0) { b->pid_watch = NULL; b->pidfd = -1; return; }
    int status = 0;
    cdp_watch_pause(b->pid_watch);   /* a dead process's pidfd stays readable */
    if (b->pid > 0 && waitpid(b->pid, &status, WNOHANG) == b->pid) b->pid = 0;
    if (!b->gone) {
        char why[128];
        if (WIFSIGNALED(status)) snprintf(why, sizeof why, "Chromium was killed by signal %d", WTERMSIG(status));
        else snprintf(why, sizeof why, "Chromium exited with status %d", WEXITSTATUS(status));
        b->gone = CDP_GONE_EXITED;
        fail_all(b, why);
    }
}

static void connect_ws(cdp_browser *b);

/* Chromium's stderr: the "DevTools listening on ws://..." line tells where to connect; the
 * rest is kept for diagnostics at debug level. */
static void on_stderr(void *ud, int fd)
{
    cdp_browser *b = ud;
    if (fd < 0) { b->err_watch = NULL; b->errfd = -1; return; }
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) {                      /* EOF: Chromium closed its stderr */
        if (n == 0) cdp_watch_pause(b->err_watch);
        return;
    }
    oo_buf_append(&b->errline, chunk, (size_t)n);
    char *nl;
    while ((nl = memchr(b->errline.data, '\n', b->errline.len))) {
        *nl = '\0';
        const char *line = b->errline.data;
        const char *ws = strstr(line, "DevTools listening on ");
        if (ws && !b->ws_url) {
            b->ws_url = oo_strdup(ws + strlen("DevTools listening on "));
            connect_ws(b);
        } else if (*line) {
            OO_DEBUG("chromium", "%s", line);
        }
        size_t used = (size_t)(nl - b->errline.data) + 1;
        memmove(b->errline.data, nl + 1, b->errline.len - used);
        b->errline.len -= used;
        b->errline.data[b->errline.len] = '\0';
    }
}

static void launch_done(cdp_browser *b, const oo_err *err)
{
    if (!b->launch_cb) return;
    cdp_browser_cb cb = b->launch_cb;
    b->launch_cb = NULL;
    cdp_timer_cancel(b->launch_timer);
    b->launch_timer = NULL;
    if (err) {
        cb(b->launch_ud, NULL, err);
        cdp_browser_close(b);
    } else {
        cb(b->launch_ud, b, NULL);
    }
}

static void on_launch_timeout(void *ud)
{
    cdp_browser *b = ud;
    b->launch_timer = NULL;
    oo_err err = {0};
    oo_err_set(&err, OO_E_TIMEOUT, "Chromium (%s) did not open its DevTools socket in time", b->exe);
    launch_done(b, &err);
}

static void on_version(void *ud, cJSON *result, const oo_err *err)
{
    cdp_browser *b = ud;
    if (err) { launch_done(b, err); return; }
    const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(result, "product"));
    b->version = oo_strdup(p ? p : "?");
    launch_done(b, NULL);
}

int cdp_browser_launch(cdp_loop *loop, const cdp_launch_opts *opts, cdp_browser_cb cb, void *ud)
{
    oo_err err = {0};
    char *exe = find_chromium(opts ? opts->executable : NULL, &err);
    if (!exe) { cb(ud, NULL, &err); return -1; }
    char tmpl[] = "/tmp/oo-chromium-XXXXXX";
    if (!mkdtemp(tmpl)) {
        oo_err_set(&err, OO_E_IO, "cannot create a browser profile folder in /tmp: %s", strerror(errno));
        free(exe);
        cb(ud, NULL, &err);
        return -1;
    }
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        oo_err_set(&err, OO_E_IO, "cannot create a pipe: %s", strerror(errno));
        oo_rm_rf(tmpl);
        free(exe);
        cb(ud, NULL, &err);
        return -1;
    }
    char *udd = oo_asprintf("--user-data-dir=%s", tmpl);
    const char *argv[64];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = (opts && opts->headless == 0) ? "--no-startup-window" : "--headless=new";
    static const char *const flags[] = {"--remote-debugging-port=0", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--no-default-browser-check", "--disable-default-apps", "--disable-extensions", "--mute-audio",
        "--hide-scrollbars", "--disable-features=Translate,MediaRouter,OptimizationHints", "--disable-dev-shm-usage",
        "--password-store=basic", "--use-mock-keychain", "--disable-breakpad", "--metrics-recording-only",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows", "--disable-ipc-flooding-protection",
        /* a popup opened a moment after the click (after a fetch) opens here as it did when
         * the flow was recorded: replays follow it, the popup blocker would not */
        "--disable-popup-blocking", NULL};
    for (int i = 0; flags[i]; i++) argv[n++] = flags[i];
    if (opts && opts->extra_args)
        for (int i = 0; opts->extra_args[i] && n < 60; i++) argv[n++] = opts->extra_args[i];
    argv[n++] = udd;
    argv[n++] = "about:blank";
    argv[n] = NULL;

    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        /* the engine killed (SIGKILL, a crash) takes its Chromium with it: no orphan browsers */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(pipefd[1], 2);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    free(udd);
    if (pid < 0) {
        oo_err_set(&err, OO_E_BROWSER, "cannot start Chromium: %s", strerror(errno));
        close(pipefd[0]);
        oo_rm_rf(tmpl);
        free(exe);
        cb(ud, NULL, &err);
        return -1;
    }
    setpgid(pid, pid);
    cdp_browser *b = oo_calloc(1, sizeof *b);
    b->loop = loop;
    b->pid = pid;
    b->pgid = pid;
    b->exe = exe;
    b->profile = oo_strdup(tmpl);
    b->errfd = pipefd[0];
    b->next_id = 1;
    b->launch_cb = cb;
    b->launch_ud = ud;
    oo_buf_init(&b->rx);
    oo_buf_init(&b->errline);
    b->next_in_loop = loop->browsers;
    loop->browsers = b;
    b->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (b->pidfd >= 0) b->pid_watch = cdp_watch_fd(loop, b->pidfd, on_pid_exit, b);
    b->err_watch = cdp_watch_fd(loop, b->errfd, on_stderr, b);
    b->launch_timer = cdp_timer_add(loop, opts && opts->timeout_ms > 0 ? opts->timeout_ms : 30000, on_launch_timeout, b);
    return 0;
}

/* ---- the websocket ---------------------------------------------------------------------- */

static void connect_ws(cdp_browser *b)
{
    /* ws://127.0.0.1:PORT/devtools/browser/ID */
    char host[64] = "";
    int port = 0;
    char path[512] = "";
    if (sscanf(b->ws_url, "ws://%63[^:]:%d%511s", host, &port, path) != 3) {
        oo_err err = {0};
        oo_err_set(&err, OO_E_BROWSER, "cannot read Chromium's DevTools address \"%s\"", b->ws_url);
        launch_done(b, &err);
        return;
    }
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = b->loop->ctx;
    ci.vhost = b->loop->vh;
    ci.address = host;
    ci.port = port;
    ci.path = path;
    ci.host = host;
    ci.ietf_version_or_minus_one = -1;
    ci.local_protocol_name = "oo-cdp";
    ci.pwsi = &b->ws;
    ci.opaque_user_data = b;
    if (!lws_client_connect_via_info(&ci)) {
        oo_err err = {0};
        oo_err_set(&err, OO_E_BROWSER, "cannot connect to Chromium at %s", b->ws_url);
        launch_done(b, &err);
    }
}

static void dispatch(cdp_browser *b, const char *text, size_t len);

int cdp_browser_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *in, size_t len)
{
    cdp_browser *b = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!b) return -1;
        b->connected = 1;
        cdp_send(b, NULL, "Browser.getVersion", NULL, 10000, on_version, b);
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        if (!b) return 0;
        b->ws = NULL;
        oo_err err = {0};
        oo_err_set(&err, OO_E_BROWSER, "cannot connect to Chromium's DevTools at %s: %s", b->ws_url ? b->ws_url : "?",
                   in ? (const char *)in : "connection error");
        if (b->launch_cb) launch_done(b, &err);
        else if (!b->gone) { b->gone = CDP_GONE_SOCKET; fail_all(b, err.msg); }
        return 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!b) return 0;
        oo_buf_append(&b->rx, in, len);
        if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
            oo_buf msg = b->rx;
            oo_buf_init(&b->rx);
            dispatch(b, msg.data, msg.len);
            oo_buf_free(&msg);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
        if (!b || !b->out_head) return 0;
        cdp_out *o = b->out_head;
        b->out_head = o->next;
        if (!b->out_head) b->out_tail = NULL;
        int w = lws_write(wsi, (unsigned char *)o->data + LWS_PRE, o->len, LWS_WRITE_TEXT);
        free(o);
        if (w < 0) return -1;
        if (b->out_head) lws_callback_on_writable(wsi);
        return 0;
    }
    case LWS_CALLBACK_CLIENT_CLOSED:
    case LWS_CALLBACK_CLOSED:
        if (!b) return 0;
        b->ws = NULL;
        b->connected = 0;
        if (!b->gone && !b->closing) {
            b->gone = CDP_GONE_SOCKET;
            fail_all(b, "the DevTools connection to Chromium closed");
        }
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        if (b && b->ws == wsi) b->ws = NULL;
        return 0;
    default:
        return 0;
    }
}

/* ---- requests and events ------------------------------------------------------------------ */

static void pending_unlink(cdp_browser *b, cdp_pending *p)
{
    if (p->prev) p->prev->next = p->next; else b->pending = p->next;
    if (p->next) p->next->prev = p->prev;
}

static void on_request_timeout(void *ud)
{
    cdp_pending *p = ud;
    p->timer = NULL;
    pending_unlink(p->b, p);
    oo_err err = {0};
    oo_err_set(&err, OO_E_TIMEOUT, "%s got no answer from Chromium within %d ms", p->method, p->timeout_ms);
    cdp_result_cb cb = p->cb;
    void *ud2 = p->ud;
    free(p);
    if (cb) cb(ud2, NULL, &err);
}

int64_t cdp_send(cdp_browser *b, const char *session_id, const char *method, cJSON *params,
                 int timeout_ms, cdp_result_cb cb, void *ud)
{
    if (b->gone || b->closing || !b->ws) {
        cJSON_Delete(params);
        oo_err err = {0};
        oo_err_set(&err, OO_E_BROWSER, "%s: the browser is gone", method);
        if (cb) cb(ud, NULL, &err);
        return -1;
    }
    int64_t id = b->next_id++;
    oo_buf msg;
    oo_buf_init(&msg);
    oo_buf_reserve(&msg, LWS_PRE + 256);
    msg.len = LWS_PRE;
    oo_buf_printf(&msg, "{\"id\":%lld,\"method\":", (long long)id);
    oo_buf_json_str(&msg, method);
    if (session_id) {
        oo_buf_puts(&msg, ",\"sessionId\":");
        oo_buf_json_str(&msg, session_id);
    }
    if (params) {
        char *ptxt = cJSON_PrintUnformatted(params);
        oo_buf_puts(&msg, ",\"params\":");
        oo_buf_puts(&msg, ptxt ? ptxt : "{}");
        free(ptxt);
        cJSON_Delete(params);
    }
    oo_buf_putc(&msg, '}');
    cdp_out *o = oo_malloc(sizeof *o + msg.len + 1);
    o->next = NULL;
    o->len = msg.len - LWS_PRE;
    memcpy(o->data, msg.data, msg.len + 1);
    oo_buf_free(&msg);
    if (b->out_tail) b->out_tail->next = o; else b->out_head = o;
    b->out_tail = o;
    OO_TRACE("cdp", "-> %s", o->data + LWS_PRE);

    cdp_pending *p = oo_calloc(1, sizeof *p);
    p->id = id;
    snprintf(p->method, sizeof p->method, "%s", method);
    p->cb = cb;
    p->ud = ud;
    p->b = b;
    p->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
    p->timer = cdp_timer_add(b->loop, p->timeout_ms, on_request_timeout, p);
    p->next = b->pending;
    if (b->pending) b->pending->prev = p;
    b->pending = p;
    lws_callback_on_writable(b->ws);
    return id;
}

void cdp_cancel(cdp_browser *b, int64_t request_id)
{
    for (cdp_pending *p = b->pending; p; p = p->next)
        if (p->id == request_id) { p->cb = NULL; return; }
}

static void dispatch(cdp_browser *b, const char *text, size_t len)
{
    cJSON *msg = cJSON_ParseWithLength(text, len);
    if (!msg) { OO_WARN("cdp", "unreadable message from Chromium (%zu bytes)", len); return; }
    OO_TRACE("cdp", "<- %.300s", text);
    cJSON *id = cJSON_GetObjectItem(msg, "id");
    if (cJSON_IsNumber(id)) {
        cdp_pending *p = b->pending;
        while (p && p->id != (int64_t)id->valuedouble) p = p->next;
        if (p) {
            pending_unlink(b, p);
            cdp_timer_cancel(p->timer);
            cJSON *error = cJSON_GetObjectItem(msg, "error");
            if (p->cb) {
                if (error) {
                    oo_err err = {0};
                    const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(error, "message"));
                    const char *d = cJSON_GetStringValue(cJSON_GetObjectItem(error, "data"));
                    oo_err_set(&err, OO_E_BROWSER, "%s: %s%s%s", p->method, m ? m : "error", d ? ": " : "", d ? d : "");
                    p->cb(p->ud, NULL, &err);
                } else {
                    p->cb(p->ud, cJSON_GetObjectItem(msg, "result"), NULL);
                }
            }
            free(p);
        }
        cJSON_Delete(msg);
        return;
    }
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "method"));
    const char *session = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "sessionId"));
    cJSON *params = cJSON_GetObjectItem(msg, "params");
    if (method) {
        b->dispatching++;
        for (cdp_sub *s = b->subs; s; s = s->next) {
            if (s->dead) continue;
            if (s->method && strcmp(s->method, method)) continue;
            if (s->session && (!session || strcmp(s->session, session))) continue;
            s->cb(s->ud, session, method, params);
        }
        if (--b->dispatching == 0) {
            cdp_sub **pp = &b->subs;
            while (*pp) {
                cdp_sub *s = *pp;
                if (s->dead) { *pp = s->next; free(s->session); free(s->method); free(s); }
                else pp = &s->next;
            }
        }
    }
    cJSON_Delete(msg);
}

cdp_sub *cdp_subscribe(cdp_browser *b, const char *session_id, const char *method, cdp_event_cb cb, void *ud)
{
    cdp_sub *s = oo_calloc(1, sizeof *s);
    s->b = b;
    s->session = session_id ? oo_strdup(session_id) : NULL;
    s->method = method ? oo_strdup(method) : NULL;
    s->cb = cb;
    s->ud = ud;
    s->next = b->subs;
    b->subs = s;
    return s;
}

void cdp_unsubscribe(cdp_sub *s)
{
    if (!s) return;
    cdp_browser *b = s->b;
    s->dead = 1;
    if (b->dispatching) return;   /* removed once the dispatch loop is done */
    cdp_sub **pp = &b->subs;
    while (*pp && *pp != s) pp = &(*pp)->next;
    if (*pp) *pp = s->next;
    free(s->session);
    free(s->method);
    free(s);
}

/* Every pending request fails with the reason, then the owner hears of it. */
static void fail_all(cdp_browser *b, const char *why)
{
    OO_DEBUG("cdp", "browser gone: %s", why);
    while (b->pending) {
        cdp_pending *p = b->pending;
        pending_unlink(b, p);
        cdp_timer_cancel(p->timer);
        oo_err err = {0};
        oo_err_set(&err, OO_E_BROWSER, "%s: %s", p->method, why);
        if (p->cb) p->cb(p->ud, NULL, &err);
        free(p);
    }
    if (b->launch_cb) {
        oo_err err = {0};
        oo_err_set(&err, OO_E_BROWSER, "Chromium (%s) did not start: %s", b->exe, why);
        launch_done(b, &err);
        return;
    }
    if (b->gone_cb) b->gone_cb(b->gone_ud, b, (cdp_gone_reason)b->gone, why);
}

void cdp_browser_on_gone(cdp_browser *b, cdp_gone_cb cb, void *ud)
{
    b->gone_cb = cb;
    b->gone_ud = ud;
}

int cdp_browser_alive(const cdp_browser *b) { return !b->gone && b->connected; }
int cdp_browser_pid(const cdp_browser *b) { return b->pid; }
const char *cdp_browser_version(const cdp_browser *b) { return b->version ? b->version : ""; }

/* Waits for the process with a deadline, on its pidfd (no sleeping). */
static int reap(cdp_browser *b, int timeout_ms)
{
    if (b->pid <= 0) return 0;
    if (b->pidfd >= 0) {
        struct pollfd pfd = {.fd = b->pidfd, .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) <= 0) return -1;
    }
    if (waitpid(b->pid, NULL, b->pidfd >= 0 ? WNOHANG : 0) == b->pid) b->pid = 0;
    return b->pid ? -1 : 0;
}

void cdp_browser_close(cdp_browser *b)
{
    if (!b || b->closing) return;
    b->closing = 1;
    cdp_loop *loop = b->loop;
    cdp_browser **pp = &loop->browsers;
    while (*pp && *pp != b) pp = &(*pp)->next_in_loop;
    if (*pp) *pp = b->next_in_loop;
    while (b->contexts) cdp_context_close(b->contexts);
    if (!b->gone) { b->gone = CDP_GONE_CLOSED; }
    b->gone_cb = NULL;
    fail_all(b, "the browser was closed");
    cdp_timer_cancel(b->launch_timer);
    b->launch_timer = NULL;
    if (b->ws) {
        lws_set_opaque_user_data(b->ws, NULL);
        lws_set_timeout(b->ws, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
        b->ws = NULL;
    }
    if (b->pid > 0) {
        kill(-b->pgid, SIGTERM);
        if (reap(b, 3000) != 0) {
            kill(-b->pgid, SIGKILL);
            reap(b, 5000);
        }
    }
    /* Chromium's helpers share its process group: nothing of it outlives the browser */
    if (b->pgid > 0) kill(-b->pgid, SIGKILL);
    /* watched fds belong to the loop (it closes them); others are ours */
    if (b->pid_watch) cdp_unwatch(b->pid_watch); else if (b->pidfd >= 0) close(b->pidfd);
    if (b->err_watch) cdp_unwatch(b->err_watch); else if (b->errfd >= 0) close(b->errfd);
    /* let lws close the adopted fds now */
    lws_service(loop->ctx, -1);   /* service without waiting (0 would block until the next timer) */
    if (b->profile) oo_rm_rf(b->profile);
    while (b->out_head) { cdp_out *o = b->out_head; b->out_head = o->next; free(o); }
    while (b->subs) { cdp_sub *s = b->subs; b->subs = s->next; free(s->session); free(s->method); free(s); }
    oo_buf_free(&b->rx);
    oo_buf_free(&b->errline);
    free(b->profile);
    free(b->exe);
    free(b->ws_url);
    free(b->version);
    free(b);
}
