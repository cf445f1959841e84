/* proc: a short-lived program's first line of output (see proc.h). */
#include "base/proc.h"
#include "base/buf.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Reads fd until EOF, a full buffer or the monotonic deadline: 0 at EOF or full, -1 late. */
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

static pid_t spawn(const char *const argv[], int out_fd, oo_err *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        oo_err_set(err, OO_E_IO, "cannot start %s: %s", argv[0], strerror(rc));
        return -1;
    }
    return pid;
}

char *oo_proc_first_line(const char *const argv[], int timeout_ms, oo_err *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        oo_err_set(err, OO_E_IO, "cannot create a pipe: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = spawn(argv, fds[1], err);
    close(fds[1]);
    if (pid < 0) { close(fds[0]); return NULL; }
    char buf[1024] = "";
    int late = read_until(fds[0], buf, sizeof buf, oo_now_ms() + timeout_ms) != 0;
    close(fds[0]);
    if (late) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    buf[strcspn(buf, "\r\n")] = '\0';
    if (late) {
        oo_err_set(err, OO_E_TIMEOUT, "%s did not answer within %d ms", argv[0], timeout_ms);
        return NULL;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        oo_err_set(err, OO_E_IO, "%s failed (%s %d)", argv[0], WIFEXITED(status) ? "exit status" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return NULL;
    }
    if (!buf[0]) {
        oo_err_set(err, OO_E_IO, "%s printed nothing", argv[0]);
        return NULL;
    }
    return oo_strdup(buf);
}
