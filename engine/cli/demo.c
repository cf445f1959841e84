/* demo: what the README's first command ends with. Starts oo-sim (the OptionOmega stand-in that
 * ships with oo-automator) with OptionOmega-like latency on a free port, then runs the two
 * example scripts a user would start from — a delta sweep and a staged delta -> profit target
 * optimization — on 2 browsers through the very same path as `oo-automator run`, and prints the
 * results and the best configuration. The demo keeps its runs in its own database (demo.db in
 * the data folder, unless --db is given) so a user's history stays theirs. */
#include "cli/commands.h"
#include "base/config.h"
#include "store/store.h"
#include "base/buf.h"
#include "base/util.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdint.h>


const cli_opt cli_demo_opts[] = {
    {"exit", 0, NULL, "stop at the end instead of leaving the dashboard open"},
    {"latency-ms", 0, "MS", "oo-sim's time per backtest (default 1500, like OptionOmega)"},
    {"headed", 0, NULL, "show the browser windows"},
    {0},
};

typedef struct sim_proc { pid_t pid; int out; char url[128]; char test_url[256]; char test_name[128]; } sim_proc;

static char *find_sim(void)
{
    const char *env = oo_config_get(oo_cfg(), OO_CFG_SIM);
    if (env && *env) return oo_strdup(env);
    char *dir = oo_exe_dir();
    char *p = dir ? oo_path_join(dir, "oo-sim") : NULL;
    free(dir);
    if (p && access(p, X_OK) == 0) return p;
    free(p);
    return oo_strdup("oo-sim");   /* on PATH (posix_spawnp) */
}

/* Reads one line from fd within the deadline; 1 = a line, 0 = EOF/timeout, -1 = error. */
static int read_line(int fd, char *buf, size_t n, int64_t deadline)
{
    size_t len = 0;
    for (;;) {
        int64_t left = deadline - oo_now_ms();
        if (left <= 0) return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return r < 0 ? -1 : 0;
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got <= 0) return got < 0 ? -1 : 0;
        if (c == '\n') { buf[len] = 0; return 1; }
        if (len + 1 < n) buf[len++] = c;
    }
}

static int sim_start(sim_proc *s, int latency_ms)
{
    char *exe = find_sim();
    int fds[2];
    if (pipe(fds) != 0) { free(exe); return cli_fail("demo: cannot create a pipe: %s", strerror(errno)); }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);   /* no secret of ours (config.h) */
    char lat[32];
    snprintf(lat, sizeof lat, "%d", latency_ms);
    char *argv[] = {exe, "--port", "0", "--latency-ms", lat, "--print-tests", NULL};
    char **env = oo_config_foreign_env();
    int rc = posix_spawnp(&s->pid, exe, &fa, NULL, argv, env);
    oo_config_env_free(env);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        int r = cli_fail("demo: cannot start %s: %s (build it with ./dev.sh build, or set OO_SIM)", exe, strerror(rc));
        free(exe);
        return r;
    }
    free(exe);
    s->out = fds[0];
    int64_t deadline = oo_now_ms() + 20000;
    char line[512];
    if (read_line(s->out, line, sizeof line, deadline) != 1 || strncmp(line, "http://", 7) != 0)
        return cli_fail("demo: oo-sim did not say where it listens (see its error above)");
    size_t ul = strlen(line);
    while (ul > 0 && line[ul - 1] == '/') line[--ul] = 0;      /* http://127.0.0.1:PORT */
    snprintf(s->url, sizeof s->url, "%.127s", line);
    while (read_line(s->out, line, sizeof line, deadline) == 1 && line[0]) {
        char *tab = strchr(line, '\t');
        if (!tab || s->test_url[0]) continue;
        *tab = 0;
        snprintf(s->test_url, sizeof s->test_url, "%.255s", line);
        snprintf(s->test_name, sizeof s->test_name, "%.127s", tab + 1);
    }
    if (!s->test_url[0]) return cli_fail("demo: oo-sim listed no saved test (sim/bt/strategies/*.json)");
    return 0;
}

static void sim_stop(sim_proc *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        int st;
        while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR) {}
        s->pid = 0;
    }
    if (s->out > 0) close(s->out);
    s->out = -1;
}

/* Can 127.0.0.1:port be bound now? */
static int port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static int run_example(cli_session *s, const char *file)
{
    char *path = oo_resource_path(file);
    cJSON *args = cJSON_CreateObject();
    cJSON_AddStringToObject(args, "script", path);
    cJSON_AddNumberToObject(args, "browsers", 2);
    cJSON_AddTrueToObject(args, "yes");
    printf("\n== oo-automator run %s\n", file);
    fflush(stdout);
    int rc = cli_plan_and_run(s, args, 0, NULL);
    cJSON_Delete(args);
    free(path);
    return rc;
}

/* The two examples, in one session (one Lua state), as `run` does each. */
static int run_examples(int headless)
{
    cli_session s;
    int rc = cli_session_open(&s, 2, headless, 0, 0);
    if (rc == 0) rc = run_example(&s, "examples/delta_sweep.lua");
    if (rc == 0) rc = run_example(&s, "examples/staged_delta_profit_target.lua");
    cli_session_close(&s);
    return rc;
}

int cli_cmd_demo(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    long latency = 1500;
    if (cli_get_int(a, "latency-ms", 0, 600000, &latency) < 0) return 2;
    oo_config *cfg = oo_cfg();
    oo_err err = {0};
    if (cfg->source[OO_CFG_DB_PATH] != OO_SRC_FLAG) {
        const char *data = oo_config_get(cfg, OO_CFG_DATA_DIR);
        char *db = oo_path_join(data ? data : ".", "demo.db");
        oo_config_set_flag(cfg, OO_CFG_DB_PATH, db, "demo", &err);
        free(db);
    }
    sim_proc s = {.out = -1};
    printf("oo-automator %s demo: oo-sim (the OptionOmega stand-in) with %ld ms per backtest\n", oo_version(), latency);
    int rc = sim_start(&s, (int)latency);
    if (rc != 0) { sim_stop(&s); return rc; }
    printf("oo-sim at %s/, test \"%s\": %s\nresults go to %s\n", s.url, s.test_name, s.test_url,
           oo_config_get(cfg, OO_CFG_DB_PATH));
    fflush(stdout);
    /* the demo logs in to oo-sim: its password is oo-sim's default, whatever the user's config says */
    if (oo_config_set_flag(cfg, OO_CFG_BASE_URL, s.url, "demo", &err) != 0 ||
        oo_config_set_flag(cfg, OO_CFG_EMAIL, "demo@oo-sim.local", "demo", &err) != 0 ||
        oo_config_set_flag(cfg, OO_CFG_PASSWORD, "demo", "demo", &err) != 0 ||
        /* oo-sim is no account to protect: no 10-a-minute pace */
        oo_config_set_flag(cfg, OO_CFG_RATE_LIMIT, "0", "demo", &err) != 0) {
        sim_stop(&s);
        return cli_fail("demo: %s", err.msg);
    }
    setenv("OO_TEST_URL", s.test_url, 1);
    oo_store *st = cli_open_store();           /* the saved test under its name, as a user would */
    if (st) {
        if (store_test_upsert(st, s.test_url, s.test_name, &err) < 0) fprintf(stderr, "demo: %s\n", err.msg);
        store_close(st);
    }
    rc = run_examples(cli_headless(a));
    if (rc != 0 || cli_has(a, "exit")) {
        sim_stop(&s);
        if (rc == 0)
            printf("\nThe demo is done. `oo-automator --db %s list` shows its runs; `oo-automator run --help` runs your own.\n",
                   oo_config_get(cfg, OO_CFG_DB_PATH));
        return rc;
    }
    /* the dashboard, on the demo's runs (and oo-sim still up, so New Run works too) */
    printf("\nThe demo's runs are on the dashboard below (Ctrl-C stops it and oo-sim).\n");
    fflush(stdout);
    if (cfg->source[OO_CFG_PORT] == OO_SRC_DEFAULT && !port_free(oo_config_int(cfg, OO_CFG_PORT)))
        oo_config_set_flag(cfg, OO_CFG_PORT, "0", "demo", &err);   /* 8000 is taken: any free port */
    cli_args sa = {.command = "serve"};
    rc = cli_cmd_serve(NULL, &sa);
    sim_stop(&s);
    return rc;
}
