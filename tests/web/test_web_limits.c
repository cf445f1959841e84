/* The dashboard cannot be locked out by connections held open. Real sockets on 127.0.0.1:
 *   - 300 idle WebSockets from one address: the first few are live streams, the rest get a
 *     JSON 503 at once, and the dashboard's page and API still answer;
 *   - 200 idle TCP connections from one address: past the per-address cap they are closed at
 *     once, and a client from another address (127.0.0.2) is still answered;
 *   - a stream that answers the server's pings stays; one that never reads is closed. */
#include "testlib.h"
#include "client.h"
#include "web/web.h"
#include "store/store.h"
#include "base/buf.h"
#include "base/util.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* the limits of engine/web/internal.h, as a user meets them */
#define MAX_CONNS_PER_ADDR 128
#define MAX_WS_PER_ADDR 16

static char *g_db, *g_data, *g_web;

static web_server *serve(int ping_ms)
{
    web_opts o = {.port = 0, .db_path = g_db, .data_dir = g_data, .web_dir = g_web, .poll_ms = 50, .ws_ping_ms = ping_ms};
    oo_err err = {0};
    web_server *w = web_start(&o, &err);
    if (!w) fprintf(stderr, "web_start: %s\n", err.msg);
    return w;
}

static int status_of(int port, const char *path)
{
    http_resp r;
    http_req(port, "GET", path, NULL, NULL, 0, &r);
    int st = r.status;
    http_free(&r);
    return st;
}

static double ws_clients(int port)
{
    http_resp r;
    http_req(port, "GET", "/api/health", NULL, NULL, 0, &r);
    cJSON *h = cJSON_Parse(r.body ? r.body : "");
    double n = h ? cJSON_GetNumberValue(cJSON_GetObjectItem(h, "ws_clients")) : -1;
    cJSON_Delete(h);
    http_free(&r);
    return n;
}

/* Whether the server closed fd within ms (EOF), rather than leaving it open. */
static int closed_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    return poll(&p, 1, ms) == 1 && recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static int dial_from(const char *src, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0}, to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, src, &a.sin_addr);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

static void test_idle_streams(void)
{
    web_server *w = serve(0);
    REQUIRE(w);
    int port = web_port(w), fds[300], open_ = 0, refused = 0;
    for (int i = 0; i < 300; i++) {
        int st = 0;
        fds[i] = ws_connect(port, "/ws", NULL, &st);
        if (fds[i] >= 0) open_++;
        else refused += st == 503;
    }
    CHECK_INT(open_, MAX_WS_PER_ADDR);
    CHECK_INT(refused, 300 - MAX_WS_PER_ADDR);
    http_resp r;
    http_req(port, "GET", "/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n", NULL, 0, &r);
    CHECK_MSG(r.status == 503 && r.body && strstr(r.body, "\"error\":\"too many live streams"), "%d %s", r.status, r.body);
    http_free(&r);
    /* the dashboard still loads and answers */
    CHECK_INT(status_of(port, "/"), 200);
    CHECK_INT(status_of(port, "/api/health"), 200);
    CHECK_INT(status_of(port, "/api/runs"), 200);
    CHECK(ws_clients(port) == MAX_WS_PER_ADDR);
    /* a stream closed makes room for a new one */
    for (int i = 0; i < 300; i++) if (fds[i] >= 0) ws_close(fds[i]);
    int64_t until = now_ms() + 5000;
    while (ws_clients(port) != 0 && now_ms() < until) {
        struct pollfd none = {.fd = -1};
        poll(&none, 1, 20);
    }
    CHECK(ws_clients(port) == 0);
    int st, fd = ws_connect(port, "/ws", NULL, &st);
    CHECK_MSG(fd >= 0, "no stream after the others closed: %d", st);
    if (fd >= 0) ws_close(fd);
    web_stop(w);
}

static void test_per_address(void)
{
    web_server *w = serve(0);
    REQUIRE(w);
    int port = web_port(w), fds[200], closed = 0, open_ = 0;
    for (int i = 0; i < 200; i++) fds[i] = dial_from("127.0.0.1", port);
    for (int i = 0; i < 200; i++) {
        if (fds[i] < 0) continue;
        if (closed_within(fds[i], i < MAX_CONNS_PER_ADDR ? 20 : 2000)) closed++;
        else open_++;
    }
    CHECK_INT(open_, MAX_CONNS_PER_ADDR);
    CHECK_INT(closed, 200 - MAX_CONNS_PER_ADDR);
    /* another address is answered */
    int fd = dial_from("127.0.0.2", port);
    REQUIRE(fd >= 0);
    static const char req[] = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    CHECK(send(fd, req, sizeof req - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof req - 1));
    char buf[64] = "";
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 5000) == 1) recv(fd, buf, sizeof buf - 1, 0);
    CHECK_MSG(!strncmp(buf, "HTTP/1.1 200", 12), "from 127.0.0.2: %s", buf);
    close(fd);
    for (int i = 0; i < 200; i++) if (fds[i] >= 0) close(fds[i]);
    web_stop(w);
}

static void test_ping(void)
{
    web_server *w = serve(300);
    REQUIRE(w);
    int port = web_port(w), st;
    int alive = ws_connect(port, "/ws", NULL, &st), silent = ws_connect(port, "/ws", NULL, &st);
    REQUIRE(alive >= 0 && silent >= 0);
    free(ws_read(alive, 3000));
    free(ws_read(silent, 3000));
    /* the live one answers pings for 3 s (10 ping intervals) while the silent one reads nothing */
    int pings = 0, closed = 0;
    int64_t until = now_ms() + 3000;
    while (now_ms() < until && !closed) free(ws_read_ex(alive, 100, 1, &pings, &closed));
    CHECK_MSG(pings >= 2 && !closed, "the answering client: %d pings, closed %d", pings, closed);
    int silent_closed = 0, silent_pings = 0;
    until = now_ms() + 5000;
    while (now_ms() < until && !silent_closed) free(ws_read_ex(silent, 200, 0, &silent_pings, &silent_closed));
    CHECK_MSG(silent_closed && silent_pings >= 1, "the silent client: closed %d after %d pings", silent_closed, silent_pings);
    CHECK(ws_clients(port) == 1);
    ws_close(alive);
    close(silent);
    web_stop(w);
}

int main(void)
{
    char *dir = tl_tmpdir("web-limits");
    g_db = oo_path_join(dir, "oo.db");
    g_data = oo_path_join(dir, "data");
    const char *src = getenv("OO_SOURCE_DIR") ? getenv("OO_SOURCE_DIR") : ".";
    g_web = oo_path_join(src, "web");
    oo_err err = {0};
    oo_store *s = store_open(g_db, &err);
    REQUIRE(s);
    store_close(s);
    test_idle_streams();
    test_per_address();
    test_ping();
    free(g_db);
    free(g_data);
    free(g_web);
    free(dir);
    return tl_finish();
}
