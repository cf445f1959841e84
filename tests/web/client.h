/* client: a small HTTP/1.1 and WebSocket client over real sockets on 127.0.0.1, for the
 * dashboard's tests. Every read has a deadline; nothing sleeps. */
#ifndef OO_TEST_WEB_CLIENT_H
#define OO_TEST_WEB_CLIENT_H
#include <stddef.h>
#include <stdint.h>

typedef struct http_resp {
    int status;              /* 0 when no answer came */
    char *head;              /* status line and headers */
    char *body;              /* de-chunked, NUL-terminated */
    size_t body_len;
} http_resp;

/* One request on a fresh connection (Connection: close). extra: more header lines, each
 * ending in \r\n, or NULL. A body gets Content-Length and, unless extra names one,
 * Content-Type: application/json. */
int http_req(int port, const char *method, const char *path, const char *extra, const char *body,
             size_t body_len, http_resp *out);
/* Sends raw bytes and reads the answer until the server closes (or timeout_ms passes). */
int http_raw(int port, const char *raw, size_t len, int timeout_ms, http_resp *out);
/* A header's value (case-insensitive name) into buf; NULL when absent. */
const char *http_header(const http_resp *r, const char *name, char *buf, size_t n);
void http_free(http_resp *r);

/* WebSocket: connects and completes the handshake; the fd, or -1 (status in *status). */
int ws_connect(int port, const char *path, const char *extra, int *status);
/* The next text message (caller frees), or NULL on timeout or close. */
char *ws_read(int fd, int timeout_ms);
/* ws_read, answering the server's pings with pongs when answer_pings is set (as a browser
 * does); *pings (if given) counts the pings seen, *closed (if given) is set when the server
 * closed the connection (rather than the time running out). */
char *ws_read_ex(int fd, int timeout_ms, int answer_pings, int *pings, int *closed);
/* Sends one masked text frame (as a browser does). */
int ws_send(int fd, const char *data, size_t len);
void ws_close(int fd);

int64_t now_ms(void);
#endif
