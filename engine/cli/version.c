/* version: the program's version, its libraries' and its Chromium's (see version.h). */
#include "cli/version.h"
#include "cli/commands.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include "cdp/cdp.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <h2o/version.h>
#include <libwebsockets.h>
#include <lua.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Reads fd until EOF, the buffer is full, or the monotonic deadline; 0 at EOF, -1 otherwise. */
static int read_until(int fd, char *buf, size_t cap, int64_t deadline)
{
    size_t len = 0;
    for (;;) {
        int64_t left = deadline - oo_now_ms();
        if (left <= 0) return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n == 0 ? 0 : -1;
        len += (size_t)n;
        buf[len] = '\0';
        if (len == cap - 1) return 0;
    }
}

static pid_t spawn_version(const char *path, int out_fd, oo_err *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)path, "--version", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        oo_err_set(err, OO_E_BROWSER, "cannot start %s: %s", path, strerror(rc));
        return -1;
    }
    return pid;
}

char *cli_chromium_version(const char *path, int timeout_ms, oo_err *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        oo_err_set(err, OO_E_IO, "cannot create a pipe: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = spawn_version(path, fds[1], err);
    close(fds[1]);
    if (pid < 0) { close(fds[0]); return NULL; }
    char buf[512] = "";
    int done = read_until(fds[0], buf, sizeof buf, oo_now_ms() + timeout_ms);
    close(fds[0]);
    if (done != 0) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    buf[strcspn(buf, "\r\n")] = '\0';
    if (done != 0) {
        oo_err_set(err, OO_E_TIMEOUT, "%s --version did not answer within %d ms", path, timeout_ms);
        return NULL;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !buf[0]) {
        oo_err_set(err, OO_E_BROWSER, "%s --version failed (%s %d)", path,
                   WIFEXITED(status) ? "exit status" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return NULL;
    }
    return oo_strdup(buf);
}

/* "Chromium 156.0.1 built on Debian" -> label "Chromium", the rest from the first digit. */
static void print_browser(const char *path, const char *line)
{
    const char *v = line;
    while (*v && !isdigit((unsigned char)*v)) v++;
    int label = (int)(v - line);
    while (label > 0 && line[label - 1] == ' ') label--;
    if (!*v || label == 0) printf("  %-14s %s (%s)\n", "Chromium", line, path);
    else printf("  %-14.*s %s (%s)\n", label, line, v, path);
}

static void print_chromium(void)
{
    oo_err err = {0};
    char *path = cdp_chromium_find(oo_config_get(oo_cfg(), OO_CFG_CHROMIUM), &err);
    char *line = path ? cli_chromium_version(path, 10000, &err) : NULL;
    if (line) print_browser(path, line);
    else printf("  %-14s %s\n", "Chromium", err.msg);
    free(line);
    free(path);
}

int cli_print_version(void)
{
    oo_err err = {0};
    oo_config *cfg = oo_cfg();
    if (!oo_config_get(cfg, OO_CFG_DATA_DIR)) oo_config_load(cfg, NULL, NULL, &err);  /* best effort */
    char lws[64];
    snprintf(lws, sizeof lws, "%s", lws_get_library_version());
    lws[strcspn(lws, "- ")] = '\0';  /* "4.1.6-" and "4.3.2-v4.3.2": the release */
    int lua = (int)lua_version(NULL);
    printf("oo-automator %s\n", oo_version());
    printf("  %-14s %d.%d%s%s\n", "Lua", lua / 100, lua % 100,
           lua == LUA_VERSION_NUM ? "." : "", lua == LUA_VERSION_NUM ? LUA_VERSION_RELEASE : "");
    printf("  %-14s %s\n", "SQLite", sqlite3_libversion());
    printf("  %-14s %s\n", "cJSON", cJSON_Version());
    printf("  %-14s %s\n", "libwebsockets", lws);
    printf("  %-14s %s\n", "h2o", H2O_VERSION);
    fflush(stdout);
    print_chromium();
    return 0;
}

int cli_cmd_version(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    (void)a;
    return cli_print_version();
}
