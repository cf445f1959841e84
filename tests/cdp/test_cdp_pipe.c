/* The DevTools pipe (--remote-debugging-pipe) against real Chromium, through the engine's cdp
 * module: the session works (navigate, evaluate); no process of the Chromium tree listens on a
 * TCP port (read from /proc: each process's socket inodes against the LISTEN entries of
 * /proc/<pid>/net/tcp and tcp6, the check first shown to see the port of a browser started
 * with --remote-debugging-port=0); a 20 MB string goes to the page and back; every pipe end
 * the engine holds is close-on-exec; Chromium exiting (Browser.close) ends the pipe: the
 * pending request fails with the browser error, the owner hears of it once; and a request
 * written to a Chromium that died unseen fails the same way (no SIGPIPE, no hang). */
#include "testlib.h"
#include "httpd.h"
#include "cdp/cdp.h"
#include "base/buf.h"
#include "base/util.h"
#include "base/log.h"
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdp_waiter.h"

static int gone_calls;
static cdp_gone_reason gone_why;
static void on_gone(void *ud, cdp_browser *b, cdp_gone_reason why, const char *detail)
{
    (void)ud; (void)b; (void)detail;
    gone_calls++;
    gone_why = why;
}

/* ---- the process tree and its sockets, from /proc ---------------------------------------- */

static int parent_of(int pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *rp = strrchr(buf, ')');   /* the name may hold spaces and parentheses */
    int ppid = -1;
    if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1) return -1;
    return ppid;
}

/* root and every live process under it; returns the count. */
static int tree(int root, int *pids, int cap)
{
    int n = 0;
    pids[n++] = root;
    for (int i = 0; i < n; i++) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        while (d && (e = readdir(d)) && n < cap) {
            int pid = atoi(e->d_name);
            if (pid > 0 && parent_of(pid) == pids[i]) pids[n++] = pid;
        }
        if (d) closedir(d);
    }
    return n;
}

/* The inodes of sockets in LISTEN state in one of the /proc/<pid>/net/tcp* tables. */
static int listening_inodes(int pid, const char *table, unsigned long *inodes, int n, int cap)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/net/%s", pid, table);
    FILE *f = fopen(path, "r");
    if (!f) return n;
    while (fgets(line, sizeof line, f) && n < cap) {
        char local[128], rem[128], st[8];
        unsigned long inode;
        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
        if (sscanf(line, " %*s %127s %127s %7s %*s %*s %*s %*s %*s %lu", local, rem, st, &inode) == 4 &&
            strcmp(st, "0A") == 0)
            inodes[n++] = inode;
    }
    fclose(f);
    return n;
}

/* How many sockets of the tree under root listen on TCP (IPv4 or IPv6). */
static int listening_sockets(int root)
{
    static int pids[512];
    static unsigned long inodes[4096];
    int np = tree(root, pids, 512), ni = 0, found = 0;
    ni = listening_inodes(root, "tcp", inodes, ni, 4096);
    ni = listening_inodes(root, "tcp6", inodes, ni, 4096);
    for (int i = 0; i < np; i++) {
        char dir[64];
        snprintf(dir, sizeof dir, "/proc/%d/fd", pids[i]);
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char link[400], target[128];
            snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
            ssize_t k = readlink(link, target, sizeof target - 1);
            unsigned long inode;
            if (k <= 0) continue;
            target[k] = '\0';
            if (sscanf(target, "socket:[%lu]", &inode) != 1) continue;
            for (int j = 0; j < ni; j++) if (inodes[j] == inode) found++;
        }
        if (d) closedir(d);
    }
    return found;
}

/* The fds this test was started with (its parent's business, not the engine's). */
static char started_with[1024];
static void note_started_with(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int fd = atoi(e->d_name);
        if (fd >= 0 && fd < 1024 && fd != dirfd(d)) started_with[fd] = 1;
    }
    if (d) closedir(d);
}

/* Pipes the engine opened without close-on-exec (they would leak into every child). */
static int inheritable_pipes(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int fd = atoi(e->d_name);
        char link[64], target[128];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, target, sizeof target - 1);
        if (k <= 0 || fd == dirfd(d) || (fd < 1024 && started_with[fd])) continue;
        target[k] = '\0';
        int flags = fcntl(fd, F_GETFD);
        if (strncmp(target, "pipe:", 5) == 0 && flags >= 0 && !(flags & FD_CLOEXEC)) {
            fprintf(stderr, "fd %d (%s) is inherited by children\n", fd, target);
            n++;
        }
    }
    if (d) closedir(d);
    return n;
}

/* Chromium's fds 3 and 4 are pipes: the DevTools pipe. */
static int is_pipe_fd(int pid, int fd)
{
    char link[64], target[128];
    snprintf(link, sizeof link, "/proc/%d/fd/%d", pid, fd);
    ssize_t k = readlink(link, target, sizeof target - 1);
    if (k <= 0) return 0;
    target[k] = '\0';
    return strncmp(target, "pipe:", 5) == 0;
}

/* ---- a browser, a page ------------------------------------------------------------------- */

static cdp_browser *launch(const char *const *extra)
{
    waiter w = {0};
    cdp_launch_opts opts = {.headless = 1, .timeout_ms = 60000, .extra_args = extra};
    cdp_browser_launch(L, &opts, on_browser, &w);
    wait_for(&w, 70000);
    CHECK_MSG(w.obj != NULL, "launch: %s", w.err.msg);
    return w.obj;
}

static cdp_page *open_page(cdp_browser *b)
{
    waiter w = {0};
    cdp_context_new(b, on_ctx, &w);
    wait_for(&w, 20000);
    REQUIRE(w.obj != NULL);
    cdp_context *c = w.obj;
    reset(&w);
    cdp_page_new(c, on_page, &w);
    wait_for(&w, 20000);
    CHECK_MSG(w.obj != NULL, "page: %s", w.err.msg);
    return w.obj;
}

/* Waits (with a deadline, running the loop) until the tree's listening count is non-zero. */
static int wait_listening(int pid, int ms)
{
    int64_t end = oo_now_ms() + ms;
    int n;
    while ((n = listening_sockets(pid)) == 0 && oo_now_ms() < end) cdp_loop_run_once(L, 50);
    return n;
}

static void check_session(cdp_page *p, const char *url)
{
    waiter w = {0};
    cdp_page_navigate(p, url, CDP_WAIT_LOAD, 20000, on_done, &w);
    wait_for(&w, 30000);
    CHECK_MSG(w.done && w.err.code == 0, "navigate: %s", w.err.msg);
    reset(&w);
    cdp_page_evaluate(p, "document.title + ' ' + (6 * 7)", 10000, on_done, &w);
    wait_for(&w, 20000);
    CHECK_STR(cJSON_GetStringValue(w.value), "Basic page 42");
    reset(&w);
}

/* 20 MB of text to the page (in the expression) and back (its value), byte for byte; and a
 * 20 MB answer made in the page. */
static void check_large(cdp_page *p)
{
    const size_t n = 20u << 20;
    oo_buf expr;
    oo_buf_init(&expr);
    oo_buf_reserve(&expr, n + 16);
    oo_buf_putc(&expr, '\'');
    for (size_t i = 0; i < n; i++) expr.data[expr.len++] = (char)('a' + (i * 7 + i / 4093) % 26);
    oo_buf_putc(&expr, '\'');
    waiter w = {0};
    cdp_page_evaluate(p, expr.data, 120000, on_done, &w);
    wait_for(&w, 150000);
    const char *got = cJSON_GetStringValue(w.value);
    CHECK_MSG(w.done && w.err.code == 0, "20 MB round trip: %s", w.err.msg);
    CHECK(got && strlen(got) == n && memcmp(got, expr.data + 1, n) == 0);
    reset(&w);
    oo_buf_free(&expr);
    cdp_page_evaluate(p, "'0123456789abcdef'.repeat(20 * 65536) + '!'", 120000, on_done, &w);
    wait_for(&w, 150000);
    got = cJSON_GetStringValue(w.value);
    CHECK(got && strlen(got) == n + 1 && strncmp(got, "0123456789abcdef0123", 20) == 0 && got[n] == '!');
    reset(&w);
    /* the session goes on after the large messages */
    cdp_page_evaluate(p, "1 + 1", 10000, on_done, &w);
    wait_for(&w, 20000);
    CHECK(w.value && cJSON_IsNumber(w.value) && w.value->valuedouble == 2);
    reset(&w);
}

/* Browser.close: Chromium exits, its pipe ends. What was pending fails, the owner hears of it
 * once, and later calls fail at once with the browser error. */
static void check_exit(cdp_browser *b, cdp_page *p)
{
    cdp_browser_on_gone(b, on_gone, NULL);
    waiter pending = {0}, closed = {0};
    cdp_page_wait_expression(p, "false", 60000, on_done, &pending);
    cdp_send(b, NULL, "Browser.close", NULL, 20000, on_done, &closed);
    int64_t t0 = oo_now_ms(), end = t0 + 30000;
    while (!gone_calls && oo_now_ms() < end) cdp_loop_run_once(L, 1000);
    CHECK_MSG(gone_calls == 1, "the browser was not seen gone within %lld ms", (long long)(oo_now_ms() - t0));
    CHECK(gone_why == CDP_GONE_PIPE || gone_why == CDP_GONE_EXITED);
    CHECK_MSG(pending.done && pending.err.code != 0, "the pending request: %s", pending.err.msg);
    CHECK(!cdp_browser_alive(b));
    waiter later = {0};
    cdp_page_evaluate(p, "1", 1000, on_done, &later);
    CHECK(later.done && later.err.code == OO_E_BROWSER);
    waiter raw = {0};
    cdp_send(b, NULL, "Browser.getVersion", NULL, 1000, on_done, &raw);
    CHECK(raw.done && raw.err.code == OO_E_BROWSER);
    reset(&pending);
    reset(&closed);
    reset(&later);
    reset(&raw);
}

/* Whether pid has exited (a zombie) within ms: on its pidfd, or where there is none (valgrind
 * knows no pidfd_open) on its state in /proc, looked at every 10 ms until the deadline. */
static int exited(int pid, int ms)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) {
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        int n = poll(&pfd, 1, ms);
        close(pidfd);
        return n == 1;
    }
    for (int64_t end = oo_now_ms() + ms; oo_now_ms() < end; poll(NULL, 0, 10)) {
        char path[64], buf[512], state = 0;
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f) return 1;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *rp = strrchr(buf, ')');
        if (rp && sscanf(rp + 1, " %c", &state) == 1 && state == 'Z') return 1;
    }
    return 0;
}

/* Chromium killed, and a request written before the loop has seen it: the write finds no
 * reader; the request fails with the browser error and the engine lives on. */
static void check_dead_write(void)
{
    cdp_browser *b = launch(NULL);
    REQUIRE(b != NULL);
    int pid = cdp_browser_pid(b);
    kill(pid, SIGKILL);
    CHECK(exited(pid, 20000));                 /* (not reaped: the loop did not run) */
    waiter w = {0};
    int64_t id = cdp_send(b, NULL, "Browser.getVersion", NULL, 20000, on_done, &w);
    CHECK(id > 0 && !w.done);                  /* its callback never runs inside cdp_send */
    wait_for(&w, 30000);
    CHECK_MSG(w.done && w.err.code == OO_E_BROWSER, "the request to a dead Chromium: %s", w.err.msg);
    CHECK(!cdp_browser_alive(b));
    reset(&w);
    cdp_browser_close(b);
}

int main(void)
{
    note_started_with();
    char url[256];
    tl_httpd *srv = cdp_test_start(url, sizeof url);

    /* the check sees a DevTools port when there is one */
    static const char *const with_port[] = {"--remote-debugging-port=0", NULL};
    cdp_browser *control = launch(with_port);
    REQUIRE(control != NULL);
    CHECK_MSG(wait_listening(cdp_browser_pid(control), 20000) > 0, "the control browser's DevTools port was not seen");
    cdp_browser_close(control);

    cdp_browser *b = launch(NULL);
    REQUIRE(b != NULL);
    int pid = cdp_browser_pid(b);
    CHECK(is_pipe_fd(pid, 3) && is_pipe_fd(pid, 4));
    cdp_page *p = open_page(b);
    REQUIRE(p != NULL);
    check_session(p, url);
    CHECK_INT(listening_sockets(pid), 0);
    CHECK_INT(inheritable_pipes(), 0);
    check_large(p);
    CHECK_INT(listening_sockets(pid), 0);
    check_exit(b, p);
    cdp_browser_close(b);
    CHECK(kill(pid, 0) != 0);   /* reaped */
    check_dead_write();

    cdp_loop_free(L);
    tl_httpd_stop(srv);
    return tl_finish();
}
