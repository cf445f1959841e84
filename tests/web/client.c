#include "client.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads until EOF or the deadline; returns the bytes (NUL-terminated). */
static char *read_all(int fd, int timeout_ms, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(deadline - now_ms());
        if (left <= 0) break;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0) break;
        if (n + 65536 > cap) buf = realloc(buf, cap *= 2);
        ssize_t r = recv(fd, buf + n, cap - n - 1, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void parse(char *raw, size_t len, http_resp *out)
{
    memset(out, 0, sizeof *out);
    char *sep = strstr(raw, "\r\n\r\n");
    if (!sep || sscanf(raw, "HTTP/1.%*d %d", &out->status) != 1) {
        out->status = 0;
        out->head = strdup("");
        out->body = raw;
        out->body_len = len;
        return;
    }
    *sep = '\0';
    out->head = strdup(raw);
    char *body = sep + 4;
    size_t blen = len - (size_t)(body - raw);
    char te[64];
    if (http_header(out, "transfer-encoding", te, sizeof te) && strstr(te, "chunked")) {
        char *o = malloc(blen + 1), *p = body, *end = body + blen;
        size_t n = 0;
        while (p < end) {
            unsigned long sz = strtoul(p, NULL, 16);
            char *crlf = strstr(p, "\r\n");
            if (!crlf || sz == 0) break;
            p = crlf + 2;
            if (p + sz > end) sz = (size_t)(end - p);
            memcpy(o + n, p, sz);
            n += sz;
            p += sz + 2;
        }
        o[n] = '\0';
        out->body = o;
        out->body_len = n;
        free(raw);
    } else {
        memmove(raw, body, blen);
        raw[blen] = '\0';
        out->body = raw;
        out->body_len = blen;
    }
}

int http_raw(int port, const char *raw, size_t len, int timeout_ms, http_resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = dial(port);
    if (fd < 0) return -1;
    send_all(fd, raw, len);   /* the server may answer (and close) before reading it all */
    size_t n;
    char *buf = read_all(fd, timeout_ms, &n);
    close(fd);
    parse(buf, n, out);
    return 0;
}

int http_req(int port, const char *method, const char *path, const char *extra, const char *body,
             size_t body_len, http_resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = dial(port);
    if (fd < 0) return -1;
    char head[4096];
    int has_ct = extra && strcasestr(extra, "content-type:");
    int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s%s", method, path,
                     port, extra ? extra : "", body && !has_ct ? "Content-Type: application/json\r\n" : "");
    if (body) n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", body_len);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    send_all(fd, head, (size_t)n);
    if (body) send_all(fd, body, body_len);
    size_t len;
    char *buf = read_all(fd, 10000, &len);
    close(fd);
    parse(buf, len, out);
    return out->status ? 0 : -1;
}

const char *http_header(const http_resp *r, const char *name, char *buf, size_t n)
{
    if (!r->head) return NULL;
    size_t nl = strlen(name);
    for (const char *p = strstr(r->head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (!strncasecmp(line, name, nl) && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ') v++;
            const char *e = strstr(v, "\r\n");
            size_t l = e ? (size_t)(e - v) : strlen(v);
            if (l >= n) l = n - 1;
            memcpy(buf, v, l);
            buf[l] = '\0';
            return buf;
        }
    }
    return NULL;
}

void http_free(http_resp *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* ---- WebSocket ---------------------------------------------------------------------------- */

int ws_connect(int port, const char *path, const char *extra, int *status)
{
    *status = 0;
    int fd = dial(port);
    if (fd < 0) return -1;
    char req[2048];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
                     path, port, extra ? extra : "");
    send_all(fd, req, (size_t)n);
    /* read the head byte by byte (frames may follow at once) */
    char head[4096];
    size_t h = 0;
    int64_t deadline = now_ms() + 5000;
    while (h < sizeof head - 1) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)(deadline - now_ms());
        if (left <= 0 || poll(&p, 1, left) <= 0) break;
        if (recv(fd, head + h, 1, 0) != 1) break;
        h++;
        if (h >= 4 && !memcmp(head + h - 4, "\r\n\r\n", 4)) break;
    }
    head[h] = '\0';
    sscanf(head, "HTTP/1.%*d %d", status);
    if (*status != 101 || !strcasestr(head, "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")) {
        close(fd);
        return -1;
    }
    return fd;
}

/* 0, -1 on timeout, -2 when the peer closed the connection. */
static int read_n(int fd, unsigned char *buf, size_t n, int64_t deadline)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)(deadline - now_ms());
        if (left <= 0 || poll(&p, 1, left) <= 0) return -1;
        ssize_t r = recv(fd, buf + got, n - got, 0);
        if (r <= 0) return -2;
        got += (size_t)r;
    }
    return 0;
}

static int ws_pong(int fd, const char *data, size_t len);

char *ws_read(int fd, int timeout_ms) { return ws_read_ex(fd, timeout_ms, 0, NULL, NULL); }

char *ws_read_ex(int fd, int timeout_ms, int answer_pings, int *pings, int *closed)
{
    int64_t deadline = now_ms() + timeout_ms;
    if (closed) *closed = 0;
    for (;;) {
        unsigned char h[2];
        int r = read_n(fd, h, 2, deadline);
        if (r != 0) {
            if (closed && r == -2) *closed = 1;
            return NULL;
        }
        int op = h[0] & 0x0f;
        /* a frame begun is read to its end, whatever the time left: never half a frame */
        int64_t frame_deadline = now_ms() + 5000;
        uint64_t len = h[1] & 0x7f;
        if (len == 126) {
            unsigned char e[2];
            if (read_n(fd, e, 2, frame_deadline) != 0) return NULL;
            len = ((uint64_t)e[0] << 8) | e[1];
        } else if (len == 127) {
            unsigned char e[8];
            if (read_n(fd, e, 8, frame_deadline) != 0) return NULL;
            len = 0;
            for (int i = 0; i < 8; i++) len = (len << 8) | e[i];
        }
        if (len > (64u << 20)) return NULL;
        char *msg = malloc(len + 1);
        if (read_n(fd, (unsigned char *)msg, len, frame_deadline) != 0) { free(msg); return NULL; }
        msg[len] = '\0';
        if (op == 1) return msg;
        if (op == 9) {
            if (pings) (*pings)++;
            if (answer_pings) ws_pong(fd, msg, len);
        }
        free(msg);
        if (op == 8) {              /* close */
            if (closed) *closed = 1;
            return NULL;
        }
    }
}

static int ws_frame(int fd, unsigned char opcode, const char *data, size_t len);

int ws_send(int fd, const char *data, size_t len) { return ws_frame(fd, 0x1, data, len); }
static int ws_pong(int fd, const char *data, size_t len) { return ws_frame(fd, 0xA, data, len); }

static int ws_frame(int fd, unsigned char opcode, const char *data, size_t len)
{
    unsigned char h[14];
    size_t n = 0;
    h[n++] = (unsigned char)(0x80 | opcode);
    if (len < 126) h[n++] = (unsigned char)(0x80 | len);
    else if (len < 65536) { h[n++] = 0x80 | 126; h[n++] = (unsigned char)(len >> 8); h[n++] = (unsigned char)len; }
    else { h[n++] = 0x80 | 127; for (int i = 7; i >= 0; i--) h[n++] = (unsigned char)(len >> (8 * i)); }
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    memcpy(h + n, mask, 4);
    n += 4;
    char *buf = malloc(n + len);
    memcpy(buf, h, n);
    for (size_t i = 0; i < len; i++) buf[n + i] = (char)(data[i] ^ mask[i % 4]);
    int rc = send_all(fd, buf, n + len);
    free(buf);
    return rc;
}

void ws_close(int fd)
{
    /* a masked close frame, then the socket */
    unsigned char f[6] = {0x88, 0x80, 1, 2, 3, 4};
    send_all(fd, (const char *)f, sizeof f);
    close(fd);
}
