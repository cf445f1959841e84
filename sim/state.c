#include "sim.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const char *const sim_fault_names[F_COUNT] = {"slow", "overlay", "stuck-modal", "session", "error", "ratelimit", "drop", "drift"};

int64_t sim_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double sim_rand(sim_state *s) { return (mix(&s->rng) >> 11) * (1.0 / 9007199254740992.0); }

int sim_fault(sim_state *s, int kind, const char *context)
{
    double r = sim_rand(s);  /* drawn whatever the rate, so one kind's rate never shifts another's */
    if (s->opt.fault_rate[kind] <= 0 || r >= s->opt.fault_rate[kind]) return 0;
    if (s->opt.fault_limit > 0 && cJSON_GetArraySize(s->fault_log) >= s->opt.fault_limit) return 0;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "kind", sim_fault_names[kind]);
    cJSON_AddStringToObject(e, "context", context ? context : "");
    cJSON_AddItemToArray(s->fault_log, e);
    return 1;
}

/* A stable OptionOmega-looking id from a file name. */
static void make_id(const char *name, char out[16])
{
    static const char abc[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    uint64_t h = 1469598103934665603ull;
    for (const char *p = name; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (int i = 0; i < 8; i++) {
        out[i] = abc[mix(&h) % (sizeof abc - 1)];
    }
    out[8] = '\0';
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The .json files of a folder, sorted, at most max (names malloc'd). -1 when it cannot be read. */
static int json_files(const char *dir, char **names, int max)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".json")) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    return n;
}

/* A whole file as a string, or NULL; the caller frees it. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    size_t len = fread(buf, 1, (size_t)sz, f);
    buf[len] = 0;
    fclose(f);
    return buf;
}

/* t->updated_at: the file's "updatedAt", else its modification time. */
static void set_updated_at(sim_test *t, const cJSON *j, const char *path)
{
    const char *upd = cJSON_GetStringValue(cJSON_GetObjectItem(j, "updatedAt"));
    struct stat st;
    if (upd) snprintf(t->updated_at, sizeof t->updated_at, "%s", upd);
    else if (stat(path, &st) == 0) {
        struct tm tm;
        gmtime_r(&st.st_mtime, &tm);
        strftime(t->updated_at, sizeof t->updated_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
}

/* One saved test, {name, config[, updatedAt]}, appended to s->tests with its configuration made
 * canonical. -1 with err naming the file when it is not one. */
static int load_test(sim_state *s, const char *file, char *err, size_t errlen)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", s->opt.strategies_dir, file);
    char *buf = slurp(path);
    cJSON *j = buf ? cJSON_Parse(buf) : NULL;
    free(buf);
    cJSON *cfg = cJSON_GetObjectItem(j, "config");
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(j, "name"));
    char cerr[256] = "";
    char *txt = cfg ? cJSON_PrintUnformatted(cfg) : NULL;
    bt_config *parsed = txt ? bt_config_parse(txt, cerr, sizeof cerr) : NULL;
    free(txt);
    int rc = 0;
    if (!name || !parsed) {
        snprintf(err, errlen, "%s: not a saved test (%s)", path, cerr[0] ? cerr : "needs name and config");
        rc = -1;
    } else {
        sim_test *t = &s->tests[s->ntests++];
        make_id(file, t->id);
        t->name = strdup(name);
        set_updated_at(t, j, path);
        char *canon = bt_config_json(parsed);
        t->config = cJSON_Parse(canon);
        free(canon);
    }
    bt_config_free(parsed);
    cJSON_Delete(j);
    return rc;
}

static int load_tests(sim_state *s, char *err, size_t errlen)
{
    char *names[64];
    int n = json_files(s->opt.strategies_dir, names, 64);
    if (n < 0) {  /* no folder: no saved tests (main warns) */
        s->tests = calloc(1, sizeof *s->tests);
        snprintf(err, errlen, "no saved tests: cannot read %s", s->opt.strategies_dir);
        return 0;
    }
    s->tests = calloc((size_t)n + 1, sizeof *s->tests);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (!rc) rc = load_test(s, names[i], err, errlen);
        free(names[i]);
    }
    return rc;
}

int sim_state_init(sim_state *s, char *err, size_t errlen)
{
    s->done_pipe[0] = s->done_pipe[1] = -1;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->rng = s->opt.seed ? s->opt.seed : 1;
    s->fault_log = cJSON_CreateArray();
    if (pipe2(s->done_pipe, O_CLOEXEC | O_NONBLOCK) != 0) { snprintf(err, errlen, "pipe: %s", strerror(errno)); return -1; }
    s->market = bt_market_new(20130102);
    if (!s->market) { snprintf(err, errlen, "out of memory building the market"); return -1; }
    return load_tests(s, err, errlen);
}

static void backtest_free(sim_backtest *b)
{
    cJSON_Delete(b->config);
    free(b->status);
    free(b->error);
    free(b->result_json);
    free(b->trades_json);
    free(b->csv);
    free(b);
}

void sim_state_free(sim_state *s)
{
    sim_state_wait_idle(s);
    sim_backtests_collect(s);  /* results nobody will read, freed below */
    if (s->done_pipe[1] >= 0) close(s->done_pipe[1]);
    if (s->done_pipe[0] >= 0) close(s->done_pipe[0]);  /* unless sim_loop_detach closed it */
    for (int i = 0; i < s->nbt; i++) backtest_free(s->bt[i]);
    free(s->bt);
    for (int i = 0; i < s->ntests; i++) { free(s->tests[i].name); cJSON_Delete(s->tests[i].config); }
    free(s->tests);
    for (int i = 0; i < s->nsessions; i++) free(s->sessions[i].email);
    free(s->sessions);
    cJSON_Delete(s->fault_log);
    bt_market_free(s->market);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->idle);
}

const char *sim_session_new(sim_state *s, const char *email)
{
    if (s->nsessions == s->capsessions) {
        s->capsessions = s->capsessions ? s->capsessions * 2 : 16;
        s->sessions = realloc(s->sessions, sizeof *s->sessions * (size_t)s->capsessions);
    }
    struct sim_session *x = &s->sessions[s->nsessions++];
    memset(x, 0, sizeof *x);
    FILE *u = fopen("/dev/urandom", "rb");
    unsigned char raw[16] = {0};
    if (!u || fread(raw, 1, sizeof raw, u) != sizeof raw) {
        uint64_t t = (uint64_t)sim_now_ms() ^ (uint64_t)s->nsessions;
        memcpy(raw, &t, sizeof t);
    }
    if (u) fclose(u);
    for (int i = 0; i < 16; i++) sprintf(x->token + 2 * i, "%02x", raw[i]);
    x->email = strdup(email);
    x->created_ms = sim_now_ms();
    x->valid = 1;
    return x->token;
}

struct sim_session *sim_session_get(sim_state *s, const char *token)
{
    if (!token) return NULL;
    for (int i = 0; i < s->nsessions; i++) {
        struct sim_session *x = &s->sessions[i];
        if (!x->valid || strcmp(x->token, token)) continue;
        if (s->opt.session_ttl_s > 0 && sim_now_ms() - x->created_ms > (int64_t)s->opt.session_ttl_s * 1000) {
            x->valid = 0;
            return NULL;
        }
        return x;
    }
    return NULL;
}

const sim_test *sim_test_find(const sim_state *s, const char *id)
{
    for (int i = 0; i < s->ntests; i++)
        if (!strcmp(s->tests[i].id, id)) return &s->tests[i];
    return NULL;
}

typedef struct job { sim_state *s; sim_backtest *b; bt_config *cfg; char *res, *trades, *csv; int ntrades; struct job *next; } job;

static void *worker(void *arg)
{
    job *j = arg;
    bt_result *r = bt_run(j->s->market, j->cfg);
    j->res = bt_result_json(r);
    j->trades = bt_result_trades_json(r);
    j->csv = bt_result_tradelog_csv(r);
    j->ntrades = bt_result_trade_count(r);
    bt_result_free(r);
    bt_config_free(j->cfg);
    j->cfg = NULL;
    sim_state *s = j->s;
    pthread_mutex_lock(&s->lock);  /* hand j to the loop: push it, then wake the loop */
    j->next = s->done_jobs;
    s->done_jobs = j;
    if (--s->workers == 0) pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
    char one = 1;
    ssize_t w;
    do w = write(s->done_pipe[1], &one, 1); while (w < 0 && errno == EINTR);  /* full pipe: the loop is awake anyway */
    return NULL;
}

void sim_backtests_collect(sim_state *s)
{
    pthread_mutex_lock(&s->lock);
    job *j = s->done_jobs;
    s->done_jobs = NULL;
    pthread_mutex_unlock(&s->lock);
    while (j) {
        job *next = j->next;
        j->b->result_json = j->res;
        j->b->trades_json = j->trades;
        j->b->csv = j->csv;
        j->b->ntrades = j->ntrades;
        j->b->computed = 1;
        sim_backtest_settle(j->b);
        free(j);
        j = next;
    }
}

void sim_state_wait_idle(sim_state *s)
{
    pthread_mutex_lock(&s->lock);
    while (s->workers > 0) pthread_cond_wait(&s->idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

/* The wall clock now, ISO 8601 with milliseconds, into out[32]. */
static void wall_stamp(char *out)
{
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    char stamp[24];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s.%03dZ", stamp, (int)(now.tv_nsec / 1000000));
}

void sim_backtest_settle(sim_backtest *b)
{
    if (strcmp(b->status, "running") || !b->computed || !b->latency_over) return;
    wall_stamp(b->over_at);
    free(b->status);
    if (b->fault && !strcmp(b->fault, "error")) {
        b->status = strdup("error");
        b->error = strdup("Backtest failed: data unavailable for the selected dates");
    } else if (b->fault && !strcmp(b->fault, "drop")) {
        b->status = strdup("lost");
    } else if (b->ntrades == 0) {
        /* the configuration itself: the same answer every time it is run */
        b->status = strdup("error");
        b->error = strdup(SIM_NO_TRADES);
    } else {
        b->status = strdup("done");
    }
}

sim_backtest *sim_backtest_start(sim_state *s, const sim_test *t, bt_config *cfg, const char *fault)
{
    sim_backtest *b = calloc(1, sizeof *b);
    b->n = s->nbt + 1;
    snprintf(b->test_id, sizeof b->test_id, "%s", t->id);
    b->received_ms = sim_now_ms();
    wall_stamp(b->received_at);
    char *canon = bt_config_json(cfg);
    b->config = cJSON_Parse(canon);
    free(canon);
    b->fault = fault;
    b->status = strdup(fault && !strcmp(fault, "ratelimit") ? "rejected" : "running");
    if (s->nbt == s->capbt) {
        s->capbt = s->capbt ? s->capbt * 2 : 64;
        s->bt = realloc(s->bt, sizeof *s->bt * (size_t)s->capbt);
    }
    s->bt[s->nbt++] = b;
    if (!strcmp(b->status, "rejected")) { bt_config_free(cfg); return b; }
    job *j = malloc(sizeof *j);
    memset(j, 0, sizeof *j);
    j->s = s;
    j->b = b;
    j->cfg = cfg;
    s->workers++;
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, worker, j) != 0) {
        s->workers--;
        free(j);
        bt_config_free(cfg);
        free(b->status);
        b->status = strdup("error");
        b->error = strdup("Backtest failed: the server is busy");
    }
    pthread_attr_destroy(&attr);
    return b;
}

sim_backtest *sim_backtest_get(sim_state *s, int n)
{
    return n >= 1 && n <= s->nbt ? s->bt[n - 1] : NULL;
}
