/* The dashboard in headless Chromium, driven by the project's own engine: recordings of using
 * it (the JSON files of tests/web/recordings) replayed with `oo-automator replay`, asserting with
 * waitForElement and waitForExpression. The server is web_fixture serve (the real web/ with a
 * stand-in run engine that writes a started run and its tasks); other processes play the run
 * engine: they complete tasks and start runs while a recording waits for them to show up.
 * A recording signals the driver through the server (it pauses a run; the driver sees the
 * status in the store), so nothing waits on a clock. Also `oo-automator serve` itself: its URL
 * line, the real parameter schemas, the 503 without a run engine, --token, a clean SIGTERM. */
#include "testlib.h"
#include "client.h"
#include "seed.h"
#include "web/web.h"
#include "base/buf.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *g_bin, *g_fixture, *g_src;
static char *g_dir, *g_db, *g_data;

/* ---- processes ------------------------------------------------------------------------------ */

typedef struct { pid_t pid; int out; } child;

/* Starts argv with extra environment entries ("K=V", NULL-terminated); stdout to a pipe when
 * capture is set. */
static child spawn(char *const argv[], const char *const *extra_env, int capture)
{
    child c = {.pid = -1, .out = -1};
    int n = 0, k = 0;
    while (environ[n]) n++;
    while (extra_env && extra_env[k]) k++;
    char **env = calloc((size_t)(n + k + 1), sizeof *env);
    for (int i = 0; i < n; i++) env[i] = environ[i];
    for (int i = 0; i < k; i++) env[n + i] = (char *)extra_env[i];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    int p[2] = {-1, -1};
    if (capture && pipe(p) == 0) {
        posix_spawn_file_actions_adddup2(&fa, p[1], 1);
        posix_spawn_file_actions_addclose(&fa, p[0]);
    }
    if (posix_spawn(&c.pid, argv[0], &fa, NULL, argv, env) != 0) c.pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    if (p[1] >= 0) close(p[1]);
    c.out = p[0];
    return c;
}

/* Waits for a child until deadline_ms from now (on a pidfd: no polling); its exit code, or -1
 * (killed at the deadline). */
static int wait_child(child *c, int deadline_ms)
{
    int st = 0;
    int pfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
    struct pollfd pf = {.fd = pfd, .events = POLLIN};
    if (pfd < 0 || poll(&pf, 1, deadline_ms) <= 0) {
        kill(c->pid, SIGKILL);
        fprintf(stderr, "process %d killed after %d ms\n", (int)c->pid, deadline_ms);
    }
    if (pfd >= 0) close(pfd);
    waitpid(c->pid, &st, 0);
    if (c->out >= 0) close(c->out);
    c->out = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first line a child prints (its URL), within deadline_ms. */
static char *first_line(child *c, int deadline_ms)
{
    char buf[512];
    size_t n = 0;
    int64_t end = now_ms() + deadline_ms;
    while (n < sizeof buf - 1) {
        struct pollfd pf = {.fd = c->out, .events = POLLIN};
        int left = (int)(end - now_ms());
        if (left <= 0 || poll(&pf, 1, left) <= 0) return NULL;
        ssize_t r = read(c->out, buf + n, 1);
        if (r <= 0) return NULL;
        if (buf[n] == '\n') break;
        n++;
    }
    buf[n] = '\0';
    return strdup(buf);
}

static int fixture(const char *a, const char *b, const char *c, const char *d, const char *e)
{
    char *argv[] = {(char *)g_fixture, (char *)a, (char *)b, (char *)c, (char *)d, (char *)e, NULL};
    child ch = spawn(argv, NULL, 0);
    return ch.pid > 0 ? wait_child(&ch, 20000) : -1;
}

/* web_fixture CMD DB A B C whose output is a run id. */
static int fixture_id(const char *cmd, const char *a, const char *b, const char *c, int64_t *id)
{
    char *argv[] = {(char *)g_fixture, (char *)cmd, g_db, (char *)a, (char *)b, (char *)c, NULL};
    child ch = spawn(argv, NULL, 1);
    char *line = ch.pid > 0 ? first_line(&ch, 20000) : NULL;
    *id = line ? atoll(line) : 0;
    free(line);
    return ch.pid > 0 ? wait_child(&ch, 20000) : -1;
}

static int port_of(const char *url)
{
    const char *p = strrchr(url, ':');
    return p ? atoi(p + 1) : 0;
}

static cJSON *get_json(int port, const char *path)
{
    http_resp r;
    http_req(port, "GET", path, NULL, NULL, 0, &r);
    cJSON *v = r.status == 200 ? cJSON_Parse(r.body) : NULL;
    http_free(&r);
    return v;
}

/* Waits for the run_status event of a run with `status` after event *after (the events table
 * keeps every change, so none is missed however quickly the next one follows); *after moves
 * to it. 0, or -1 at the deadline. */
static int wait_status_event(int port, int64_t run, const char *status, int64_t *after, int deadline_ms)
{
    int64_t end = now_ms() + deadline_ms;
    while (now_ms() < end) {
        char path[96];
        snprintf(path, sizeof path, "/api/events?after=%lld&limit=1000", (long long)*after);
        cJSON *evs = get_json(port, path), *e;
        int found = 0;
        cJSON_ArrayForEach(e, evs) {
            *after = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(e, "id"));
            const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(e, "kind"));
            const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "payload"), "status"));
            if (kind && !strcmp(kind, "run_status") && st && !strcmp(st, status) &&
                (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(e, "run_id")) == run) { found = 1; break; }
        }
        cJSON_Delete(evs);
        if (found) return 0;
        poll(NULL, 0, 30);
    }
    return -1;
}

/* The newest run's id once its name is `name`. */
static int64_t wait_run_named(int port, const char *name, int deadline_ms)
{
    int64_t end = now_ms() + deadline_ms;
    while (now_ms() < end) {
        cJSON *runs = get_json(port, "/api/runs?limit=1");
        cJSON *r = cJSON_GetArrayItem(runs, 0);
        const char *n = r ? cJSON_GetStringValue(cJSON_GetObjectItem(r, "name")) : NULL;
        int64_t id = n && !strcmp(n, name) ? (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id")) : 0;
        cJSON_Delete(runs);
        if (id) return id;
        poll(NULL, 0, 30);
    }
    return 0;
}

static child replay(const char *name, const char *const *env)
{
    char *file = oo_asprintf("%s/tests/web/recordings/%s.json", g_src, name);
    char *art = oo_asprintf("%s/artifacts-%s", g_dir, name);
    char *argv[] = {(char *)g_bin, "-v", "replay", file, "--headless", "--artifacts", art, NULL};
    child c = spawn(argv, env, 0);
    free(file);
    free(art);
    return c;
}

/* ---- oo-automator serve ------------------------------------------------------------------------ */

static void test_serve_command(void)
{
    char *db = oo_path_join(g_dir, "serve.db");
    /* a non-loopback address without a token is refused before anything listens */
    char *argv1[] = {(char *)g_bin, "--db", db, "serve", "--host", "0.0.0.0", "--port", "0", NULL};
    child c = spawn(argv1, NULL, 0);
    CHECK_INT(wait_child(&c, 10000), 2);

    char *argv[] = {(char *)g_bin, "--db", db, "--data-dir", g_dir, "serve", "--port", "0", "--token", "s3cr3t", NULL};
    c = spawn(argv, NULL, 1);
    REQUIRE(c.pid > 0);
    char *url = first_line(&c, 15000);
    CHECK_MSG(url && !strncmp(url, "http://127.0.0.1:", 17), "serve printed %s", url ? url : "(nothing)");
    int port = url ? port_of(url) : 0;
    http_resp r;
    http_req(port, "GET", "/api/parameters", NULL, NULL, 0, &r);
    CHECK_INT(r.status, 401);
    http_free(&r);
    const char *auth = "Authorization: Bearer s3cr3t\r\n";
    http_req(port, "GET", "/api/parameters", auth, NULL, 0, &r);
    cJSON *p = cJSON_Parse(r.body ? r.body : "");
    cJSON *params = cJSON_GetObjectItem(p, "parameters");
    CHECK_MSG(r.status == 200 && cJSON_GetArraySize(params) == 10, "%d parameters", cJSON_GetArraySize(params));
    CHECK(r.body && strstr(r.body, "\"name\":\"delta\"") && strstr(r.body, "\"requires_toggle\":\"Use Early Exit\""));
    cJSON_Delete(p);
    http_free(&r);
    http_req(port, "GET", "/?token=s3cr3t", NULL, NULL, 0, &r);
    CHECK(r.status == 200 && r.body && strstr(r.body, "/js/main.js"));
    http_free(&r);
    http_req(port, "GET", "/vendor/chart.js/dist/chart.umd.js", auth, NULL, 0, &r);
    CHECK_MSG(r.status == 200 && r.body_len > 10000, "chart.js: %d", r.status);
    http_free(&r);
    http_req(port, "GET", "/js/pages/run.js", auth, NULL, 0, &r);
    CHECK(r.status == 200);
    http_free(&r);
    static const char spec[] = "{\"mode\":\"sweep\",\"test_url\":\"https://example.test/test/x\",\"parameter\":\"delta\"}";
    http_req(port, "POST", "/api/runs", auth, spec, sizeof spec - 1, &r);
    /* the serve process has no OptionOmega credentials: the run is refused before it starts,
     * saying how to fix it (runs started for real: tests/run/dashboard.sh) */
    CHECK_INT(r.status, 400);
    CHECK_MSG(r.body && strstr(r.body, "OO_EMAIL"), "%s", r.body ? r.body : "");
    http_free(&r);
    kill(c.pid, SIGTERM);
    CHECK_INT(wait_child(&c, 10000), 0);
    free(url);
    free(db);
}

/* ---- the dashboard in Chromium ---------------------------------------------------------------- */

int main(void)
{
    g_bin = getenv("OO_BIN");
    g_fixture = getenv("OO_WEB_FIXTURE");
    g_src = getenv("OO_SOURCE_DIR");
    REQUIRE(g_bin && g_fixture && g_src);
    signal(SIGPIPE, SIG_IGN);
    g_dir = tl_tmpdir("web-ui");
    g_db = oo_path_join(g_dir, "oo.db");
    g_data = oo_path_join(g_dir, "data");

    test_serve_command();

    oo_err err = {0};
    oo_store *s = store_open(g_db, &err);
    REQUIRE(s);
    seed_ids ids;
    CHECK_MSG(seed_fill(s, g_data, &ids, &err) == 0, "%s", err.msg);
    store_close(s);

    char *web = oo_path_join(g_src, "web"), *vendor = oo_path_join(g_src, "vendor/node_modules");
    char *sargv[] = {(char *)g_fixture, "serve", g_db, g_data, web, vendor, NULL};
    child server = spawn(sargv, NULL, 1);
    char *url = first_line(&server, 20000);
    REQUIRE(url);
    int port = port_of(url);
    url[strlen(url) - 1] = '\0';   /* no trailing slash: recordings add "/#/..." */

    char e[12][128];
    snprintf(e[0], sizeof e[0], "BASE=%s", url);
    snprintf(e[1], sizeof e[1], "SWEEP=%lld", (long long)ids.sweep_run);
    snprintf(e[2], sizeof e[2], "GRID=%lld", (long long)ids.grid_run);
    snprintf(e[3], sizeof e[3], "STAGED=%lld", (long long)ids.staged_run);
    snprintf(e[4], sizeof e[4], "LIVE=%lld", (long long)ids.live_run);
    snprintf(e[5], sizeof e[5], "TEST1=%lld", (long long)ids.test1);
    snprintf(e[6], sizeof e[6], "TEST2=%lld", (long long)ids.test2);
    snprintf(e[7], sizeof e[7], "FAILURE=%lld", (long long)ids.failure_id);
    const char *env[12] = {e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], NULL};

    /* seeded runs: Run Detail, History, Tests, Settings */
    child c = replay("dashboard", env);
    CHECK_INT(wait_child(&c, 120000), 0);
    /* the walk-forward report's component on a report of the analysis' walkforward section */
    c = replay("walkforward", env);
    CHECK_INT(wait_child(&c, 120000), 0);
    cJSON *st = get_json(port, "/api/settings");
    CHECK(st && cJSON_IsTrue(cJSON_GetObjectItem(st, "password_set")) && cJSON_GetNumberValue(cJSON_GetObjectItem(st, "browsers")) == 3);
    char *txt = st ? cJSON_PrintUnformatted(st) : NULL;
    CHECK(txt && !strstr(txt, "hunter2"));
    free(txt);
    cJSON_Delete(st);
    char *pw = web_password_path(g_data);
    struct stat sb;
    CHECK(stat(pw, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    free(pw);

    /* live: the recording starts a run from New Run and pauses it; another process completes
     * its five tasks (backtests in flight finish while paused); the page fills in, the
     * recording resumes, goes Home and pauses the run again; another process then starts a
     * run, as `oo-automator run` in a terminal would, and Home shows it */
    cJSON *h = get_json(port, "/api/health");
    int64_t after = h ? (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(h, "last_event_id")) : 0;
    cJSON_Delete(h);
    c = replay("live", env);
    int64_t run = wait_run_named(port, "From New Run", 60000);
    CHECK_MSG(run > 0, "the run started from New Run never appeared");
    CHECK_MSG(run > 0 && wait_status_event(port, run, "paused", &after, 60000) == 0, "the recording never paused run %lld", (long long)run);
    char rid[32];
    snprintf(rid, sizeof rid, "%lld", (long long)run);
    CHECK_INT(fixture("complete", g_db, rid, "5", NULL), 0);
    CHECK_MSG(wait_status_event(port, run, "running", &after, 60000) == 0, "the recording never resumed run %lld", (long long)run);
    CHECK_MSG(wait_status_event(port, run, "paused", &after, 60000) == 0, "Home never paused run %lld", (long long)run);
    char t2[32];
    snprintf(t2, sizeof t2, "%lld", (long long)ids.test2);
    CHECK_INT(fixture("newrun", g_db, t2, "From the CLI", "4"), 0);
    CHECK_INT(wait_child(&c, 120000), 0);

    /* the lifecycle: a run waiting for its account shows on Home; a run whose engine was killed
     * reads interrupted, and its Resume button gives it an engine (the stand-in's: it runs) */
    int64_t killed = 0, queued = 0;
    CHECK_INT(fixture_id("newrun", t2, "Killed mid-run", "3", &killed), 0);
    CHECK_INT(fixture_id("newrun", t2, "Waiting its turn", "2", &queued), 0);
    char kid[32], qid[32];   /* the one queued run: Home lists it */
    snprintf(kid, sizeof kid, "%lld", (long long)killed);
    snprintf(qid, sizeof qid, "%lld", (long long)queued);
    int64_t failed = 0;
    CHECK_INT(fixture_id("newrun", t2, "Failed for passing trouble", "2", &failed), 0);
    char fid[32];
    snprintf(fid, sizeof fid, "%lld", (long long)failed);
    CHECK_INT(fixture("fail", g_db, fid, NULL, NULL), 0);
    CHECK_INT(fixture("status", g_db, fid, "failed", NULL), 0);
    snprintf(e[9], sizeof e[9], "FAILED=%lld", (long long)failed);
    CHECK_INT(fixture("skip", g_db, kid, NULL, NULL), 0);
    CHECK_INT(fixture("interrupt", g_db, kid, NULL, NULL), 0);
    char lid[32];
    snprintf(lid, sizeof lid, "%lld", (long long)ids.live_run);
    CHECK_INT(fixture("queue", g_db, qid, lid, NULL), 0);
    snprintf(e[8], sizeof e[8], "INTERRUPTED=%lld", (long long)killed);
    const char *lenv[] = {e[0], e[8], e[9], NULL};
    h = get_json(port, "/api/health");
    after = h ? (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(h, "last_event_id")) : 0;
    cJSON_Delete(h);
    c = replay("lifecycle", lenv);
    int64_t after_failed = after;
    CHECK_MSG(wait_status_event(port, killed, "running", &after, 60000) == 0, "Resume never gave run %lld an engine", (long long)killed);
    CHECK_MSG(wait_status_event(port, failed, "running", &after_failed, 60000) == 0, "Retry never gave run %lld an engine", (long long)failed);
    CHECK_INT(wait_child(&c, 120000), 0);

    /* a search from New Run: the mode's options, the estimate from the server (the real Lua),
     * and the spec as the page posts it */
    c = replay("search", env);
    CHECK_INT(wait_child(&c, 120000), 0);
    int64_t srun = wait_run_named(port, "Optimize from New Run", 60000);
    char spath[64];
    snprintf(spath, sizeof spath, "/api/runs/%lld", (long long)srun);
    cJSON *sr = srun > 0 ? get_json(port, spath) : NULL;
    const cJSON *scfg = cJSON_GetObjectItem(sr, "config");
    CHECK_STR(sr ? cJSON_GetStringValue(cJSON_GetObjectItem(sr, "mode")) : NULL, "optimize");
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(scfg, "max_backtests")) == 6 &&
          cJSON_GetNumberValue(cJSON_GetObjectItem(scfg, "seed")) == 3 &&
          !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(scfg, "optimize_by")) ?: "", "mar"));
    cJSON_Delete(sr);

    /* a search's answer on Run Detail: the best of all of an optimize run's batches (not its
     * first batch's), the best of a halving run's last rung (not of its short window) */
    int64_t opt_run = 0, halving_run = 0;
    s = store_open(g_db, &err);
    CHECK_MSG(s && seed_searches(s, ids.test1, &opt_run, &halving_run, &err) == 0, "%s", err.msg);
    store_close(s);
    snprintf(e[8], sizeof e[8], "OPTIMIZE=%lld", (long long)opt_run);
    snprintf(e[9], sizeof e[9], "HALVING=%lld", (long long)halving_run);
    const char *senv[] = {e[0], e[8], e[9], NULL};
    c = replay("search_best", senv);
    CHECK_INT(wait_child(&c, 120000), 0);

    kill(server.pid, SIGTERM);
    CHECK_INT(wait_child(&server, 15000), 0);
    free(url);
    free(web);
    free(vendor);
    free(g_db);
    free(g_data);
    free(g_dir);
    return tl_finish();
}
