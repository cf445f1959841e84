/* oo-sim: the OptionOmega stand-in. See sim/README.md. */
#include "sim.h"
#include <h2o.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef OO_SOURCE_DIR
#define OO_SOURCE_DIR "."
#endif

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "oo-sim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "; see oo-sim --help\n");
    return 2;
}

static void help(void)
{
    puts("usage: oo-sim [OPTIONS]\n\n"
         "An OptionOmega stand-in on 127.0.0.1: the real site's pages and dialog, a real options\n"
         "backtest engine, and fault injection. The first line of output is the URL it serves.\n\n"
         "  --port N                 port (0 = a free one; default 0)\n"
         "  --host ADDR              address (default 127.0.0.1)\n"
         "  --password PW            the password any email logs in with (default demo)\n"
         "  --latency-ms N           server time added to every backtest (default 0)\n"
         "  --faults KIND=RATE,...   slow, overlay, stuck-modal, session, error, ratelimit, drop, drift, all\n"
         "  --seed N                 seed of the fault decisions (default 1)\n"
         "  --fault-limit N          at most N faults fire in all (then none): trouble that passes\n"
         "  --ui-variant 1|2         2 = a changed UI (renamed buttons and labels, moved fields)\n"
         "  --session-max-backtests N  sessions expire after N backtests\n"
         "  --session-ttl-s T        sessions expire after T seconds\n"
         "  --print-tests            after the URL line, print each saved test: its URL, a tab, its name");
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

static int parse_faults(sim_opts *o, const char *spec)
{
    char *copy = strdup(spec), *save = NULL;
    int rc = 0;
    for (char *item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        char *end = NULL;
        double rate = eq ? strtod(eq + 1, &end) : -1;
        if (!eq || end == eq + 1 || *end || rate < 0 || rate > 1) {
            rc = usage("--faults: expected KIND=RATE with RATE from 0 to 1, found \"%s\"", item);
            break;
        }
        *eq = '\0';
        int found = 0;
        for (int k = 0; k < F_COUNT; k++)
            if (!strcmp(item, sim_fault_names[k]) || (!strcmp(item, "all") && k != F_DRIFT)) { o->fault_rate[k] = rate; found = 1; }
        if (!found) rc = usage("--faults: unknown kind \"%s\" (slow, overlay, stuck-modal, session, error, ratelimit, drop, drift, all)", item);
    }
    free(copy);
    return rc;
}

/* <exe>/../share/oo-automator/<rel> when installed, else the source tree. */
static char *resource(const char *rel)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *path = malloc(PATH_MAX * 2);
    struct stat st;
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        snprintf(path, PATH_MAX * 2, "%s/../share/oo-automator/%s", exe, rel);
        if (stat(path, &st) == 0) return path;
    }
    snprintf(path, PATH_MAX * 2, "%s/%s", OO_SOURCE_DIR, rel);
    return path;
}

static int g_signal_pipe[2] = {-1, -1};
static int g_stop;

static void on_signal(int sig)
{
    (void)sig;
    char c = 1;
    if (write(g_signal_pipe[1], &c, 1) < 0) {}
}

static void on_signal_readable(h2o_socket_t *sock, const char *err)
{
    (void)sock;
    (void)err;
    g_stop = 1;
}

/* The open connections, so that a shutdown can close the keep-alive ones first: h2o asserts
 * when a context is disposed with a connection still on its timeouts. */
typedef struct conn { struct conn *next, *prev; h2o_socket_t *sock; } conn;
static conn *g_conns;
static int g_nconns;

static void conn_closed(void *data)
{
    conn *c = data;
    if (c->prev) c->prev->next = c->next;
    else g_conns = c->next;
    if (c->next) c->next->prev = c->prev;
    g_nconns--;
    free(c);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err) return;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (!sock) return;
    conn *c = calloc(1, sizeof *c);
    if (!c) { h2o_socket_close(sock); return; }
    c->sock = sock;
    c->next = g_conns;
    if (g_conns) g_conns->prev = c;
    g_conns = c;
    g_nconns++;
    sock->on_close.cb = conn_closed;
    sock->on_close.data = c;
    h2o_accept(listener->data, sock);
}

/* One --name=value or --name value option. Returns 0, or 2 after the usage message. */
static int set_option(sim_opts *o, const char *name, const char *v)
{
    if (!strcmp(name, "--port")) { if (parse_int(v, 0, 65535, &o->port)) return usage("--port: expected 0 to 65535, found \"%s\"", v); }
    else if (!strcmp(name, "--host")) o->host = v;
    else if (!strcmp(name, "--password")) o->password = v;
    else if (!strcmp(name, "--latency-ms")) { if (parse_int(v, 0, 600000, &o->latency_ms)) return usage("--latency-ms: expected 0 to 600000, found \"%s\"", v); }
    else if (!strcmp(name, "--faults")) { if (parse_faults(o, v)) return 2; }
    else if (!strcmp(name, "--seed")) { char *end; o->seed = strtoull(v, &end, 10); if (*end || end == v) return usage("--seed: expected a number, found \"%s\"", v); }
    else if (!strcmp(name, "--fault-limit")) { if (parse_int(v, 0, 100000000, &o->fault_limit)) return usage("--fault-limit: expected a number, found \"%s\"", v); }
    else if (!strcmp(name, "--ui-variant")) { if (parse_int(v, 1, 2, &o->ui_variant)) return usage("--ui-variant: expected 1 or 2, found \"%s\"", v); }
    else if (!strcmp(name, "--session-max-backtests")) { if (parse_int(v, 0, 1000000, &o->session_max_backtests)) return usage("--session-max-backtests: expected a number, found \"%s\"", v); }
    else if (!strcmp(name, "--session-ttl-s")) { if (parse_int(v, 0, 100000000, &o->session_ttl_s)) return usage("--session-ttl-s: expected a number, found \"%s\"", v); }
    return 0;
}

/* The flags into o. Returns -1 to go on, else the exit code (0 after --help, 2 on bad usage). */
static int parse_args(sim_opts *o, int argc, char **argv)
{
    static const char *const with_value[] = {"--port", "--host", "--password", "--latency-ms", "--faults", "--seed",
                                             "--fault-limit", "--ui-variant", "--session-max-backtests", "--session-ttl-s", NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help(); return 0; }
        if (!strcmp(a, "--print-tests")) { o->print_tests = 1; continue; }
        const char *eq = strchr(a, '=');
        char name[64];
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        int known = 0;
        for (int k = 0; with_value[k]; k++) known |= !strcmp(name, with_value[k]);
        if (!known) return usage("unknown option \"%s\"", a);
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) return usage("%s needs a value", name);
        if (set_option(o, name, v)) return 2;
    }
    return -1;
}

/* A non-blocking listening socket on --host:--port; addr gets the bound address. Returns the
 * fd, or -1 with *rc the exit code (2 for a bad --host, 1 when it cannot listen). */
static int open_listener(sim_opts *o, struct sockaddr_in *addr, int *rc)
{
    *addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (!strcmp(o->host, "localhost")) o->host = "127.0.0.1";
    if (inet_pton(AF_INET, o->host, &addr->sin_addr) != 1) {
        fprintf(stderr, "oo-sim: --host: \"%s\" is not an IPv4 address; see oo-sim --help\n", o->host);
        *rc = 2;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t alen = sizeof *addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)addr, &alen) != 0) {
        fprintf(stderr, "oo-sim: cannot listen on %s:%d: %s\n", o->host, o->port, strerror(errno));
        if (fd >= 0) close(fd);
        *rc = 1;
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* The h2o side of the server: configuration, context, loop, the listener and the signal pipe. */
typedef struct server {
    h2o_globalconf_t conf;
    h2o_context_t ctx;
    h2o_evloop_t *loop;
    h2o_accept_ctx_t accept_ctx;
    h2o_socket_t *listener, *sigsock;
} server;

/* Registers the API, accepts on fd and turns SIGINT/SIGTERM into a stop. 0, or -1 (no pipe). */
static int server_start(server *srv, sim_state *s, int fd)
{
    h2o_config_init(&srv->conf);
    srv->conf.max_request_entity_size = 1024 * 1024;
    h2o_hostconf_t *host = h2o_config_register_host(&srv->conf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    sim_api_register(s, &srv->conf, host);
    srv->loop = h2o_evloop_create();
    h2o_context_init(&srv->ctx, srv->loop, &srv->conf);
    srv->accept_ctx = (h2o_accept_ctx_t){.ctx = &srv->ctx, .hosts = srv->conf.hosts};
    srv->listener = h2o_evloop_socket_create(srv->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    srv->listener->data = &srv->accept_ctx;
    h2o_socket_read_start(srv->listener, on_accept);
    sim_loop_attach(s, srv->loop);
    if (pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    srv->sigsock = h2o_evloop_socket_create(srv->loop, g_signal_pipe[0], 0);
    h2o_socket_read_start(srv->sigsock, on_signal_readable);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* The first line is the URL served; with --print-tests each saved test follows, then a blank line. */
static void print_banner(sim_state *s, int port)
{
    snprintf(s->base_url, sizeof s->base_url, "http://%s:%d", s->opt.host, port);
    printf("%s/\n", s->base_url);
    if (s->opt.print_tests) {
        for (int i = 0; i < s->ntests; i++) printf("%s/test/%s\t%s\n", s->base_url, s->tests[i].id, s->tests[i].name);
        printf("\n");
    }
    fflush(stdout);
}

/* Every connection still open (browsers keep them alive): shut the socket down, and let h2o
 * see the end and close it, for up to 3 s. Returns 0 when all closed. */
static int close_connections(h2o_evloop_t *loop)
{
    for (conn *c = g_conns; c; c = c->next) shutdown(h2o_socket_get_fd(c->sock), SHUT_RDWR);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        if (g_nconns == 0) break;
        h2o_evloop_run(loop, 50);
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 < 3000);
    return g_nconns > 0 ? -1 : 0;
}

/* Stops accepting, waits for the backtests, closes the connections and frees h2o. */
static void server_stop(server *srv, sim_state *s)
{
    h2o_socket_read_stop(srv->listener);
    h2o_socket_close(srv->listener);
    h2o_socket_read_stop(srv->sigsock);
    h2o_socket_close(srv->sigsock);
    sim_state_wait_idle(s);       /* no worker writes to the pipe any more */
    sim_backtests_collect(s);
    sim_loop_detach(s);
    if (close_connections(srv->loop) != 0) {
        /* never expected; disposing now would assert inside h2o: leave the rest to the exit */
        fprintf(stderr, "oo-sim: %d connection(s) did not close within 3 s of the shutdown\n", g_nconns);
        exit(0);
    }
    h2o_multithread_queue_t *queue = srv->ctx.queue;
    h2o_context_dispose(&srv->ctx);
    /* let the closes complete, then free */
    h2o_evloop_run(srv->loop, 0);
    h2o_evloop_destroy(srv->loop);
    free(queue);  /* h2o 2.2.5 (evloop): h2o_multithread_destroy_queue closes but never frees it */
    h2o_config_dispose(&srv->conf);
    close(g_signal_pipe[1]);
}

int main(int argc, char **argv)
{
    sim_state s;
    memset(&s, 0, sizeof s);
    s.opt.host = "127.0.0.1";
    s.opt.password = "demo";
    s.opt.ui_variant = 1;
    s.opt.seed = 1;
    int rc = parse_args(&s.opt, argc, argv);
    if (rc >= 0) return rc;
    s.opt.ui_dir = resource("sim/ui");
    s.opt.vendor_dir = resource("vendor/node_modules");
    s.opt.strategies_dir = resource("sim/bt/strategies");

    char err[512] = "";
    if (sim_state_init(&s, err, sizeof err) != 0) {
        fprintf(stderr, "oo-sim: %s\n", err);
        return 1;
    }
    if (err[0]) fprintf(stderr, "oo-sim: warning: %s\n", err);
    struct sockaddr_in addr;
    int fd = open_listener(&s.opt, &addr, &rc);
    if (fd >= 0) {
        server srv;
        if (server_start(&srv, &s, fd) != 0) return 1;
        print_banner(&s, ntohs(addr.sin_port));
        /* an interrupted wait (EINTR: a stopped process continued, SIGCONT) is no reason to
         * stop: oo-sim exited 0 then, dropping every client of a site that was only paused */
        while (!g_stop && (h2o_evloop_run(srv.loop, INT32_MAX) == 0 || errno == EINTR)) {}
        server_stop(&srv, &s);
        rc = 0;
    }
    /* a --host that is no address, or a port it cannot listen on, frees what it loaded too */
    sim_state_free(&s);
    free(s.opt.ui_dir);
    free(s.opt.vendor_dir);
    free(s.opt.strategies_dir);
    return rc;
}
