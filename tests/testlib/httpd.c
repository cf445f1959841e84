#include "httpd.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct tl_httpd {
    int fd, port, stop;
    pthread_t th;
    char dir[1024];
    pthread_mutex_t mu;      /* guards received */
    char *received;
    size_t received_len;
};

static void keep(tl_httpd *h, const char *req, size_t n)
{
    pthread_mutex_lock(&h->mu);
    char *grown = realloc(h->received, h->received_len + n + 1);
    if (grown) {
        memcpy(grown + h->received_len, req, n);
        h->received_len += n;
        grown[h->received_len] = 0;
        h->received = grown;
    }
    pthread_mutex_unlock(&h->mu);
}

char *tl_httpd_received(tl_httpd *h)
{
    pthread_mutex_lock(&h->mu);
    char *copy = strdup(h->received ? h->received : "");
    pthread_mutex_unlock(&h->mu);
    return copy;
}

static const char *type_of(const char *p)
{
    const char *dot = strrchr(p, '.');
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".html")) return "text/html; charset=utf-8";
    if (!strcmp(dot, ".js")) return "text/javascript";
    if (!strcmp(dot, ".css")) return "text/css";
    if (!strcmp(dot, ".json")) return "application/json";
    if (!strcmp(dot, ".csv")) return "text/csv";
    return "application/octet-stream";
}

static void serve(tl_httpd *h, int c)
{
    char req[4096];
    ssize_t n = recv(c, req, sizeof req - 1, 0);
    if (n <= 0) return;
    req[n] = 0;
    keep(h, req, (size_t)n);
    char path[1024] = "/";
    sscanf(req, "GET %1023s", path);
    char *q = strchr(path, '?');
    if (q) *q = 0;
    char file[2100];
    snprintf(file, sizeof file, "%s%s", h->dir, strstr(path, "..") ? "/nope" : path);
    FILE *f = fopen(file, "rb");
    if (!f) {
        const char *r = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";
        send(c, r, strlen(r), MSG_NOSIGNAL);
        return;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char head[512];
    int hl = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %ld\r\n%sConnection: close\r\n\r\n",
                      type_of(file), len, strstr(file, ".csv") ? "Content-Disposition: attachment; filename=\"data.csv\"\r\n" : "");
    send(c, head, (size_t)hl, MSG_NOSIGNAL);
    char buf[65536];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0) send(c, buf, r, MSG_NOSIGNAL);
    fclose(f);
}

static void *loop(void *arg)
{
    tl_httpd *h = arg;
    while (!h->stop) {
        int c = accept(h->fd, NULL, NULL);
        if (c < 0) continue;
        if (!h->stop) serve(h, c);
        close(c);
    }
    return NULL;
}

tl_httpd *tl_httpd_start(const char *dir)
{
    tl_httpd *h = calloc(1, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "%s", dir);
    pthread_mutex_init(&h->mu, NULL);
    h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (bind(h->fd, (struct sockaddr *)&a, sizeof a) || listen(h->fd, 64) || getsockname(h->fd, (struct sockaddr *)&a, &al)) {
        perror("httpd");
        exit(2);
    }
    h->port = ntohs(a.sin_port);
    pthread_create(&h->th, NULL, loop, h);
    return h;
}

int tl_httpd_port(const tl_httpd *h) { return h->port; }

void tl_httpd_stop(tl_httpd *h)
{
    h->stop = 1;
    /* wake the accept() with a connection of our own */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    connect(c, (struct sockaddr *)&a, sizeof a);
    close(c);
    pthread_join(h->th, NULL);
    close(h->fd);
    pthread_mutex_destroy(&h->mu);
    free(h->received);
    free(h);
}
