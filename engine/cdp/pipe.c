/* pipe: the DevTools pipe to Chromium (--remote-debugging-pipe). Chromium reads requests on its
 * fd 3 and writes answers and events on its fd 4, each message one JSON text ended by a NUL
 * byte. Unlike --remote-debugging-port, nothing listens on a TCP port that any local user could
 * connect to and read the session through.
 *
 * Both of our ends are non-blocking. Reading gathers bytes until a NUL ends a message, whatever
 * its size (a screenshot or a DOM snapshot is tens of MB), and hands each whole message to the
 * browser. Writing goes out at once while the pipe takes it; what it does not take waits, in
 * order, for the loop to say the pipe is writable again (back-pressure). End of file on fd 4, or
 * a write refused, is the browser's pipe closing: cdp/browser.c turns it into the typed error
 * every pending request gets.
 *
 * Ownership: the browser owns to_fd and the two buffers; the loop owns the read end (watched)
 * and the duplicate of to_fd a writable watch holds. */
#include "cdp/internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    READ_MIN = 64 * 1024,          /* room made before each read; the buffer doubles as needed */
    READ_BUDGET = 16 << 20,        /* bytes read per wake-up before others get their turn */
    KEEP_BUFFER = 1 << 20          /* a buffer larger than this is released once empty */
};

static void on_readable(void *ud, int fd);
static void on_writable(void *ud, int fd);

int cdp_pipe_open(cdp_browser *b, int to_fd, int from_fd)
{
    b->to_fd = to_fd;
    oo_buf_init(&b->rx);
    oo_buf_init(&b->tx);
    b->rx_scanned = b->tx_done = 0;
    b->rx_watch = cdp_watch_fd(b->loop, from_fd, on_readable, b);
    if (b->rx_watch) return 0;
    close(from_fd);
    return -1;
}

void cdp_pipe_close(cdp_browser *b)
{
    if (b->rx_watch) cdp_unwatch(b->rx_watch);    /* the loop closes the read end */
    if (b->tx_watch) cdp_unwatch(b->tx_watch);
    b->rx_watch = b->tx_watch = NULL;
    if (b->to_fd >= 0) close(b->to_fd);
    b->to_fd = -1;
    cdp_timer_cancel(b->broken_timer);
    b->broken_timer = NULL;
    oo_buf_free(&b->rx);
    oo_buf_free(&b->tx);
    b->rx_scanned = b->tx_done = 0;
}

/* ---- reading ------------------------------------------------------------------------------ */

static void release_if_big(oo_buf *buf)
{
    if (buf->len == 0 && buf->cap > KEEP_BUFFER) oo_buf_free(buf);
}

/* Hands every whole message read so far to the browser, keeps the unfinished rest. Returns 0
 * when the browser was freed meanwhile (a callback closed it): then nothing of b is touched. */
static int deliver(cdp_browser *b)
{
    size_t start = 0;
    char *nul;
    while (b->rx.len > b->rx_scanned &&
           (nul = memchr(b->rx.data + b->rx_scanned, '\0', b->rx.len - b->rx_scanned))) {
        size_t end = (size_t)(nul - b->rx.data);
        if (!cdp_browser_dispatch(b, b->rx.data + start, end - start)) return 0;
        start = b->rx_scanned = end + 1;
    }
    b->rx_scanned = b->rx.len - start;
    if (start) {
        memmove(b->rx.data, b->rx.data + start, b->rx.len - start);
        b->rx.len -= start;
        b->rx.data[b->rx.len] = '\0';
    }
    release_if_big(&b->rx);
    return 1;
}

/* Reads what the pipe holds (up to a budget). Returns 1 while it stays open, 0 at end of file,
 * -1 on an error (errno). */
static int read_available(cdp_browser *b, int fd)
{
    size_t budget = READ_BUDGET;
    while (budget > 0) {
        oo_buf_reserve(&b->rx, READ_MIN);
        size_t room = b->rx.cap - b->rx.len - 1;
        ssize_t n = read(fd, b->rx.data + b->rx.len, room < budget ? room : budget);
        if (n > 0) {
            b->rx.len += (size_t)n;
            b->rx.data[b->rx.len] = '\0';
            budget -= (size_t)n;
        } else if (n == 0) {
            return 0;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return 1;
}

static void on_readable(void *ud, int fd)
{
    cdp_browser *b = ud;
    if (fd < 0) {                           /* a hang-up with nothing left to read */
        b->rx_watch = NULL;
        cdp_browser_pipe_closed(b, "the DevTools pipe from Chromium closed");
        return;
    }
    int state = read_available(b, fd);
    int err = errno;
    if (!deliver(b) || state > 0) return;
    cdp_unwatch(b->rx_watch);               /* at end of file the fd stays readable */
    b->rx_watch = NULL;
    if (state == 0) {
        cdp_browser_pipe_closed(b, "the DevTools pipe from Chromium closed");
    } else {
        char why[160];
        snprintf(why, sizeof why, "cannot read the DevTools pipe from Chromium: %s", strerror(err));
        cdp_browser_pipe_closed(b, why);
    }
}

/* ---- writing ------------------------------------------------------------------------------ */

static void on_broken(void *ud)
{
    cdp_browser *b = ud;
    b->broken_timer = NULL;
    cdp_browser_pipe_closed(b, "the DevTools pipe to Chromium closed");
}

/* A write refused (Chromium closed its end): reported from the loop, never from inside the
 * cdp_send that hit it (its caller must get its request id first). Nothing more is written. */
static void broken(cdp_browser *b)
{
    if (!b->broken_timer) b->broken_timer = cdp_timer_add(b->loop, 0, on_broken, b);
}

/* Writes what the pipe takes now: the count written, or -1 when the pipe is broken. */
static ssize_t write_some(int fd, const char *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n > 0) done += (size_t)n;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        else if (n < 0 && errno == EINTR) continue;
        else return -1;
    }
    return (ssize_t)done;
}

static void wait_writable(cdp_browser *b)
{
    if (b->tx_watch) return;
    int fd = fcntl(b->to_fd, F_DUPFD_CLOEXEC, 0);   /* the watch owns (and closes) its fd */
    if (fd >= 0) b->tx_watch = cdp_watch_writable(b->loop, fd, on_writable, b);
    if (!b->tx_watch) {
        if (fd >= 0) close(fd);
        broken(b);
    }
}

static void flush(cdp_browser *b)
{
    ssize_t n = write_some(b->to_fd, b->tx.data + b->tx_done, b->tx.len - b->tx_done);
    if (n < 0) { broken(b); return; }
    b->tx_done += (size_t)n;
    if (b->tx_done == b->tx.len) {
        oo_buf_reset(&b->tx);
        b->tx_done = 0;
        release_if_big(&b->tx);
        return;
    }
    if (b->tx_done > KEEP_BUFFER && b->tx_done > b->tx.len / 2) {   /* drop what went out */
        memmove(b->tx.data, b->tx.data + b->tx_done, b->tx.len - b->tx_done);
        b->tx.len -= b->tx_done;
        b->tx.data[b->tx.len] = '\0';
        b->tx_done = 0;
    }
    wait_writable(b);
}

static void on_writable(void *ud, int fd)
{
    cdp_browser *b = ud;
    b->tx_watch = NULL;                     /* a writable watch fires once */
    if (fd < 0) broken(b);
    else flush(b);
}

void cdp_pipe_send(cdp_browser *b, const char *text, size_t len)
{
    if (b->to_fd < 0 || b->broken_timer) return;
    size_t total = len + 1, done = 0;       /* the message and its NUL */
    if (b->tx.len == b->tx_done) {          /* nothing queued: straight from the caller's text */
        ssize_t n = write_some(b->to_fd, text, total);
        if (n < 0) { broken(b); return; }
        done = (size_t)n;
    }
    if (done == total) return;
    oo_buf_append(&b->tx, text + done, total - done);
    wait_writable(b);
}
