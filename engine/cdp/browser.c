/* browser: a Chromium process and its DevTools pipe. Launch finds the browser, starts it with
 * a temporary profile in its own process group and --remote-debugging-pipe (CDP on its fds 3
 * and 4, cdp/pipe.c: no TCP port for another local user to connect to), and asks its version.
 * Its death is seen through a pidfd and through the pipe's end, never by polling; every
 * request pending on a dead browser fails at once. Requests carry deadlines; events go to
 * subscribers. Chromium's stderr is read for diagnostics only. */
#include "cdp/internal.h"
#include "cdp/trace.h"
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

/* The browser stopped being usable: the pipe is shut (nothing more is sent or read), every
 * pending request fails, then the owner hears of it. Once. */
static void browser_gone(cdp_browser *b, cdp_gone_reason why, const char *detail)
{
    if (b->gone || b->closing) return;
    b->gone = why;
    cdp_pipe_close(b);
    fail_all(b, detail);
}

void cdp_browser_pipe_closed(cdp_browser *b, const char *why) { browser_gone(b, CDP_GONE_PIPE, why); }

static void on_pid_exit(void *ud, int fd)
{
    cdp_browser *b = ud;
    if (fd < 0) { b->pid_watch = NULL; b->pidfd = -1; return; }
    int status = 0;
    cdp_watch_pause(b->pid_watch);   /* a dead process's pidfd stays readable */
    if (b->pid > 0 && waitpid(b->pid, &status, WNOHANG) == b->pid) b->pid = 0;
    char why[128];
    if (WIFSIGNALED(status)) snprintf(why, sizeof why, "Chromium was killed by signal %d", WTERMSIG(status));
    else snprintf(why, sizeof why, "Chromium exited with status %d", WEXITSTATUS(status));
    browser_gone(b, CDP_GONE_EXITED, why);
}

/* Chromium's stderr: kept for diagnostics at debug level, a line at a time. */
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
        if (*b->errline.data) OO_DEBUG("chromium", "%s", b->errline.data);
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
    oo_err_set(&err, OO_E_TIMEOUT, "Chromium (%s) did not answer on its DevTools pipe in time", b->exe);
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

/* The descriptors a launch makes, all close-on-exec: the DevTools pipe (we write to[1], Chromium
 * reads to[0] as its fd 3; it writes from[1] as its fd 4, we read from[0]) and its stderr. */
typedef struct { int to[2], from[2], err[2]; } launch_fds;

static void fds_close(int *fd, int n)
{
    for (int i = 0; i < n; i++)
        if (fd[i] >= 0) { close(fd[i]); fd[i] = -1; }
}

static void fds_close_all(launch_fds *f)
{
    fds_close(f->to, 2);
    fds_close(f->from, 2);
    fds_close(f->err, 2);
}

static int fds_open(launch_fds *f, oo_err *err)
{
    int *all[3] = {f->to, f->from, f->err};
    memset(f, -1, sizeof *f);
    for (int i = 0; i < 3; i++) {
        if (pipe2(all[i], O_CLOEXEC) != 0) {
            oo_err_set(err, OO_E_IO, "cannot create a pipe for Chromium: %s", strerror(errno));
            fds_close_all(f);
            return -1;
        }
    }
    /* our ends never block the loop; a bigger pipe means fewer wake-ups for a large message */
    fcntl(f->to[1], F_SETFL, O_NONBLOCK);
    fcntl(f->from[0], F_SETFL, O_NONBLOCK);
    fcntl(f->to[1], F_SETPIPE_SZ, 1 << 20);
    fcntl(f->from[0], F_SETPIPE_SZ, 1 << 20);
    return 0;
}

/* The command line; its strings are borrowed (exe, udd, opts, static flags). */
static void build_argv(const char **argv, int cap, const char *exe, const char *udd, const cdp_launch_opts *opts)
{
    static const char *const flags[] = {"--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--no-default-browser-check", "--disable-default-apps", "--disable-extensions", "--mute-audio",
        /* WebUIOmniboxPopup, WebUIOmniboxAimPopup: Chromium preloads its omnibox popups, two
         * WebUI renderers of its own, in every window, headless too: ~0.8 CPU-seconds in the
         * first second, right when a replay starts; no one ever opens an omnibox here */
        "--hide-scrollbars",
        "--disable-features=Translate,MediaRouter,OptimizationHints,WebUIOmniboxPopup,WebUIOmniboxAimPopup",
        "--disable-dev-shm-usage",
        "--password-store=basic", "--use-mock-keychain", "--disable-breakpad", "--metrics-recording-only",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows", "--disable-ipc-flooding-protection",
        /* a popup opened a moment after the click (after a fetch) opens here as it did when
         * the flow was recorded: replays follow it, the popup blocker would not */
        "--disable-popup-blocking", NULL};
    int n = 0;
    argv[n++] = exe;
    argv[n++] = (opts && opts->headless == 0) ? "--no-startup-window" : "--headless=new";
    for (int i = 0; flags[i]; i++) argv[n++] = flags[i];
    if (opts && opts->extra_args)
        for (int i = 0; opts->extra_args[i] && n < cap - 3; i++) argv[n++] = opts->extra_args[i];
    argv[n++] = udd;
    argv[n++] = "about:blank";
    argv[n] = NULL;
}

/* In the child, between fork and exec (async-signal-safe calls only): its own process group,
 * killed with the engine, stdin/stdout on /dev/null, stderr to our pipe, the DevTools pipe on
 * fds 3 and 4, and no other descriptor of ours. */
static void exec_chromium(const char *exe, const char *const *argv, char **env, const launch_fds *f, pid_t parent)
{
    setpgid(0, 0);
    /* the engine killed (SIGKILL, a crash) takes its Chromium with it: no orphan browsers */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    signal(SIGPIPE, SIG_DFL);
    int devnull = open("/dev/null", O_RDWR);
    /* above 4 first, so that placing one on 3 or 4 cannot overwrite the other */
    int in = fcntl(f->to[0], F_DUPFD, 5), out = fcntl(f->from[1], F_DUPFD, 5);
    if (devnull < 0 || in < 0 || out < 0) _exit(127);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(f->err[1], 2);
    dup2(in, 3);                     /* dup2 clears close-on-exec on 3 and 4 only */
    dup2(out, 4);
    close_range(5, ~0U, 0);
    execve(exe, (char *const *)argv, env);
    _exit(127);
}

/* Starts Chromium; its pid, or -1 and err. */
static pid_t spawn(const char *exe, const char *profile, const cdp_launch_opts *opts, const launch_fds *f, oo_err *err)
{
    char *udd = oo_asprintf("--user-data-dir=%s", profile);
    const char *argv[64];
    build_argv(argv, 64, exe, udd, opts);
    /* Chromium, its crashpad handler and every process it starts get no secret: an environment
     * without any OO_* variable, and no descriptor of ours but the five above */
    char **env = oo_config_foreign_env();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) exec_chromium(exe, argv, env, f, parent);
    oo_config_env_free(env);
    free(udd);
    if (pid < 0) {
        oo_err_set(err, OO_E_BROWSER, "cannot start Chromium: %s", strerror(errno));
        return -1;
    }
    setpgid(pid, pid);
    return pid;
}

/* The browser object of a started Chromium: takes exe, our pipe ends and the pid. */
static cdp_browser *browser_new(cdp_loop *loop, pid_t pid, char *exe, const char *profile, launch_fds *f)
{
    cdp_browser *b = oo_calloc(1, sizeof *b);
    b->loop = loop;
    b->pid = pid;
    b->pgid = pid;
    b->exe = exe;
    b->profile = oo_strdup(profile);
    b->errfd = f->err[0];
    b->to_fd = -1;
    b->next_id = 1;
    b->connected = 1;
    oo_buf_init(&b->errline);
    b->next_in_loop = loop->browsers;
    loop->browsers = b;
    b->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (b->pidfd >= 0) b->pid_watch = cdp_watch_fd(loop, b->pidfd, on_pid_exit, b);
    b->err_watch = cdp_watch_fd(loop, b->errfd, on_stderr, b);
    cdp_pipe_open(b, f->to[1], f->from[0]);   /* if it cannot read, the launch times out */
    f->to[1] = f->from[0] = f->err[0] = -1;     /* b has them now */
    return b;
}

int cdp_browser_launch(cdp_loop *loop, const cdp_launch_opts *opts, cdp_browser_cb cb, void *ud)
{
    oo_err err = {0};
    char *exe = find_chromium(opts ? opts->executable : NULL, &err);
    if (!exe) { cb(ud, NULL, &err); return -1; }
    char profile[] = "/tmp/oo-chromium-XXXXXX";
    launch_fds f;
    pid_t pid = -1;
    if (!mkdtemp(profile)) {
        oo_err_set(&err, OO_E_IO, "cannot create a browser profile folder in /tmp: %s", strerror(errno));
        *profile = '\0';
    } else if (fds_open(&f, &err) == 0) {
        pid = spawn(exe, profile, opts, &f, &err);
        fds_close(&f.to[0], 1);          /* Chromium's ends */
        fds_close(&f.from[1], 1);
        fds_close(&f.err[1], 1);
        if (pid < 0) fds_close_all(&f);
    }
    if (pid < 0) {
        if (*profile) oo_rm_rf(profile);
        free(exe);
        cb(ud, NULL, &err);
        return -1;
    }
    cdp_browser *b = browser_new(loop, pid, exe, profile, &f);
    b->launch_cb = cb;
    b->launch_ud = ud;
    int timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 30000;
    b->launch_timer = cdp_timer_add(loop, timeout_ms, on_launch_timeout, b);
    /* the first answer on the pipe says Chromium is up */
    cdp_send(b, NULL, "Browser.getVersion", NULL, timeout_ms, on_version, b);
    return 0;
}

/* ---- requests and events ------------------------------------------------------------------ */

cdp_counts cdp_browser_counts(const cdp_browser *b)
{
    return (cdp_counts){.requests = b->next_id - 1, .awaited = b->answers_awaited};
}

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

/* The request's JSON text, as Chromium reads it; params taken. */
static void request_text(oo_buf *msg, int64_t id, const char *session_id, const char *method, cJSON *params)
{
    oo_buf_printf(msg, "{\"id\":%lld,\"method\":", (long long)id);
    oo_buf_json_str(msg, method);
    if (session_id) {
        oo_buf_puts(msg, ",\"sessionId\":");
        oo_buf_json_str(msg, session_id);
    }
    if (params) {
        char *ptxt = cJSON_PrintUnformatted(params);
        oo_buf_puts(msg, ",\"params\":");
        oo_buf_puts(msg, ptxt ? ptxt : "{}");
        free(ptxt);
        cJSON_Delete(params);
    }
    oo_buf_putc(msg, '}');
}

int64_t cdp_send(cdp_browser *b, const char *session_id, const char *method, cJSON *params,
                 int timeout_ms, cdp_result_cb cb, void *ud)
{
    if (b->gone || b->closing || b->to_fd < 0) {
        cJSON_Delete(params);
        oo_err err = {0};
        oo_err_set(&err, OO_E_BROWSER, "%s: the browser is gone", method);
        if (cb) cb(ud, NULL, &err);
        return -1;
    }
    int64_t id = b->next_id++;
    if (cb) b->answers_awaited++;
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

    oo_buf msg;
    oo_buf_init(&msg);
    request_text(&msg, id, session_id, method, params);
    cdp_trace_sent(msg.data);
    cdp_pipe_send(b, msg.data, msg.len);
    oo_buf_free(&msg);
    return id;
}

void cdp_cancel(cdp_browser *b, int64_t request_id)
{
    for (cdp_pending *p = b->pending; p; p = p->next)
        if (p->id == request_id) { p->cb = NULL; return; }
}

/* An answer: its request's callback gets the result or Chromium's error. */
static void dispatch_answer(cdp_browser *b, cJSON *msg, int64_t id)
{
    cdp_pending *p = b->pending;
    while (p && p->id != id) p = p->next;
    if (!p) return;
    pending_unlink(b, p);
    cdp_timer_cancel(p->timer);
    cJSON *error = cJSON_GetObjectItem(msg, "error");
    if (p->cb && error) {
        oo_err err = {0};
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(error, "message"));
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItem(error, "data"));
        oo_err_set(&err, OO_E_BROWSER, "%s: %s%s%s", p->method, m ? m : "error", d ? ": " : "", d ? d : "");
        p->cb(p->ud, NULL, &err);
    } else if (p->cb) {
        p->cb(p->ud, cJSON_GetObjectItem(msg, "result"), NULL);
    }
    free(p);
}

/* Subscriptions dropped during a dispatch are freed once no dispatch runs. */
static void subs_sweep(cdp_browser *b)
{
    cdp_sub **pp = &b->subs;
    while (*pp) {
        cdp_sub *s = *pp;
        if (s->dead) { *pp = s->next; free(s->session); free(s->method); free(s); }
        else pp = &s->next;
    }
}

/* An event: every matching subscriber hears it. Stops if a subscriber freed b (*alive 0). */
static void dispatch_event(cdp_browser *b, cJSON *msg, const int *alive)
{
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "method"));
    const char *session = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "sessionId"));
    cJSON *params = cJSON_GetObjectItem(msg, "params");
    if (!method) return;
    b->dispatching++;
    for (cdp_sub *s = b->subs; s; s = s->next) {
        if (s->dead) continue;
        if (s->method && strcmp(s->method, method)) continue;
        if (s->session && (!session || strcmp(s->session, session))) continue;
        s->cb(s->ud, session, method, params);
        if (!*alive) return;
    }
    if (--b->dispatching == 0) subs_sweep(b);
}

int cdp_browser_dispatch(cdp_browser *b, const char *text, size_t len)
{
    cJSON *msg = cJSON_ParseWithLength(text, len);
    if (!msg) { OO_WARN("cdp", "unreadable message from Chromium (%zu bytes)", len); return 1; }
    cdp_trace_received(msg);
    int alive = 1, *outer = b->alive;
    b->alive = &alive;
    cJSON *id = cJSON_GetObjectItem(msg, "id");
    if (cJSON_IsNumber(id)) dispatch_answer(b, msg, (int64_t)id->valuedouble);
    else dispatch_event(b, msg, &alive);
    cJSON_Delete(msg);
    if (alive) b->alive = outer;
    else if (outer) *outer = 0;
    return alive;
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
    if (!b->gone) b->gone = CDP_GONE_CLOSED;
    b->gone_cb = NULL;
    fail_all(b, "the browser was closed");
    cdp_timer_cancel(b->launch_timer);
    b->launch_timer = NULL;
    cdp_pipe_close(b);
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
    /* one turn of the loop without waiting: the watches close, and what the failures above
     * scheduled (a waiting script's resumption) runs now, before its owner may be torn down */
    lws_service(loop->ctx, -1);
    if (b->profile) oo_rm_rf(b->profile);
    while (b->subs) { cdp_sub *s = b->subs; b->subs = s->next; free(s->session); free(s->method); free(s); }
    oo_buf_free(&b->errline);
    free(b->profile);
    free(b->exe);
    free(b->version);
    if (b->alive) *b->alive = 0;     /* a dispatch under way stops touching b */
    free(b);
}
