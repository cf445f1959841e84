/* replay: `oo-automator replay FILE.json` — a Chrome DevTools Recorder export replayed in
 * Chromium. Exit 0 when every step passed, 1 when one failed (the step, the selectors tried
 * and why, and the evidence kept), 2 for usage errors and malformed recordings. */
#include "cli/replay.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"
#include "base/buf.h"
#include "cdp/cdp.h"
#include "replay/replay.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int done, failed_step, verbose;
    cdp_counts at_step;      /* the browser's counts as the current step started */
    oo_err err;
    cJSON *artifacts;
    cdp_browser *browser;
    cdp_context *ctx;
    cdp_page *page;
} run_state;

static void on_done(void *ud, int failed_step, const oo_err *err, const cJSON *artifacts)
{
    run_state *st = ud;
    st->done = 1;
    st->failed_step = failed_step;
    if (err) st->err = *err;
    st->artifacts = artifacts ? cJSON_Duplicate(artifacts, 1) : NULL;
}

static void on_step(void *ud, const rec_step *s, int phase, const char *msg, double ms)
{
    run_state *st = ud;
    (void)msg;
    if (!st->verbose) return;
    cdp_counts now = cdp_browser_counts(st->browser);
    if (phase == 0) { st->at_step = now; return; }
    /* the round trips to Chromium the step waited for, and every request it sent */
    long long trips = now.awaited - st->at_step.awaited, sent = now.requests - st->at_step.requests;
    printf("  [%d] %-18s %s (%.2f ms; %lld round trip%s, %lld request%s)\n", s->index, s->type_name, phase == 1 ? "ok" : "FAILED",
           ms, trips, trips == 1 ? "" : "s", sent, sent == 1 ? "" : "s");
    fflush(stdout);
}

/* --json: {file, title, steps, ok, ms, failed_step?, error?, artifacts?} on stdout; the exit
 * status as without it. */
static int print_json_outcome(const char *file, const recording *rec, const run_state *st, int64_t ms)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", file);
    if (rec->title) cJSON_AddStringToObject(o, "title", rec->title);
    cJSON_AddNumberToObject(o, "steps", rec->nsteps);
    cJSON_AddBoolToObject(o, "ok", st->failed_step < 0);
    cJSON_AddNumberToObject(o, "ms", (double)ms);
    if (st->failed_step >= 0) {
        cJSON_AddNumberToObject(o, "failed_step", st->failed_step);
        cJSON_AddStringToObject(o, "error", st->err.msg);
        if (st->artifacts) cJSON_AddItemToObject(o, "artifacts", cJSON_Duplicate(st->artifacts, 1));
    }
    cli_print_json(o);
    return st->failed_step < 0 ? 0 : 1;
}

static void on_browser(void *ud, cdp_browser *b, const oo_err *err)
{
    run_state *st = ud;
    st->done = 1;
    st->browser = b;
    if (err) st->err = *err;
}
static void on_ctx(void *ud, cdp_context *c, const oo_err *err) { run_state *st = ud; st->done = 1; st->ctx = c; if (err) st->err = *err; }
static void on_page(void *ud, cdp_page *p, const oo_err *err) { run_state *st = ud; st->done = 1; st->page = p; if (err) st->err = *err; }

static int number(const char *flag, const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || errno || end == v || *end || n < lo || n > hi) {
        cli_usage_error("replay", "%s must be a whole number from %d to %d, found \"%s\"", flag, lo, hi, v ? v : "");
        return -1;
    }
    *out = (int)n;
    return 0;
}

/* What the command line asks for. */
typedef struct {
    const char *file, *artifacts;
    int headless, timeout, slowmo, verbose;
} replay_flags;

/* --timeout, --slowmo and --artifacts, as "--flag value" or "--flag=value"; 0, or 2 after the
 * usage error. *i moves past a separate value. */
static int valued_flag(const char *name, const char *val, replay_flags *f)
{
    if (!strcmp(name, "--artifacts")) {
        if (!val || !*val) return cli_usage_error("replay", "--artifacts needs a folder");
        f->artifacts = val;
        return 0;
    }
    int timeout = !strcmp(name, "--timeout");
    return number(name, val, timeout ? 1 : 0, 3600000, timeout ? &f->timeout : &f->slowmo) ? 2 : 0;
}

/* The flags and the one FILE; 0, or 2 after the usage error. */
static int parse_flags(int argc, char **argv, replay_flags *f)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        char name[32];
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
        if (a[0] != '-') {
            if (f->file) return cli_usage_error("replay", "one recording at a time (got \"%s\" and \"%s\")", f->file, a);
            f->file = a;
        } else if (!strcmp(a, "--json")) oo_cfg()->json = 1;
        else if (!strcmp(a, "--headless")) f->headless = 1;
        else if (!strcmp(a, "--headed")) f->headless = 0;
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) f->verbose++;
        else if (!strcmp(name, "--timeout") || !strcmp(name, "--slowmo") || !strcmp(name, "--artifacts")) {
            if (!eq) i++;
            if (valued_flag(name, val, f)) return 2;
        } else {
            return cli_usage_error("replay", "unknown option %s for \"replay\"", a);
        }
    }
    if (!f->file) return cli_usage_error("replay", "\"replay\" needs a recording FILE.json");
    return 0;
}

/* A browser, a context and a page in it, each waited for on loop; 0, or -1 with st->err. */
static int open_page(cdp_loop *loop, int headless, run_state *st)
{
    cdp_launch_opts lo = {.executable = oo_config_get(oo_cfg(), OO_CFG_CHROMIUM), .headless = headless, .timeout_ms = 60000};
    cdp_browser_launch(loop, &lo, on_browser, st);
    cdp_loop_run_until(loop, &st->done, 0);
    if (!st->browser) return -1;
    st->done = 0;
    cdp_context_new(st->browser, on_ctx, st);
    cdp_loop_run_until(loop, &st->done, 0);
    if (!st->ctx) return -1;
    st->done = 0;
    cdp_page_new(st->ctx, on_page, st);
    cdp_loop_run_until(loop, &st->done, 0);
    return st->page ? 0 : -1;
}

/* The login placeholders from the configuration (flags, environment, files, the password file);
 * any other {{NAME}} comes from the environment. The caller owns the object. */
static cJSON *login_vars(void)
{
    cJSON *vars = cJSON_CreateObject();
    static const struct { const char *name; oo_cfg_key key; } from_config[] = {
        {"OO_EMAIL", OO_CFG_EMAIL}, {"OO_PASSWORD", OO_CFG_PASSWORD}, {"OO_BASE_URL", OO_CFG_BASE_URL}, {NULL, 0}};
    for (int i = 0; from_config[i].name; i++)
        if (oo_config_get(oo_cfg(), from_config[i].key))
            cJSON_AddStringToObject(vars, from_config[i].name, oo_config_get(oo_cfg(), from_config[i].key));
    return vars;
}

/* The outcome on the terminal (or as JSON); the exit status: 0 every step passed, 1 one failed. */
static int report(const replay_flags *f, const recording *rec, const run_state *st, int64_t ms)
{
    if (oo_cfg()->json) return print_json_outcome(f->file, rec, st, ms);
    if (st->failed_step < 0) {
        printf("replayed %d steps in %lld ms\n", rec->nsteps, (long long)ms);
        if (f->verbose && oo_peak_rss_kb() >= 0) printf("engine peak RSS: %ld kB\n", oo_peak_rss_kb());
        return 0;
    }
    fprintf(stderr, "oo-automator: %s: %s\n", f->file, st->err.msg);
    const cJSON *a;
    cJSON_ArrayForEach(a, st->artifacts) fprintf(stderr, "  %s: %s\n", a->string, a->valuestring);
    return 1;
}

/* The recording replayed on a fresh page; the exit status. */
static int replay_file(const replay_flags *f, const recording *rec, const char *artifacts)
{
    int64_t t0 = oo_now_ms();
    oo_err err = {0};
    cdp_loop *loop = cdp_loop_new(&err);
    if (!loop) return cli_fail("%s", err.msg);
    run_state st = {.verbose = f->verbose};
    int rc = 1;
    if (open_page(loop, f->headless, &st) != 0) {
        cli_fail("%s", st.err.msg);
    } else {
        if (f->verbose)
            printf("replaying \"%s\" (%d steps) in %s\n", rec->title ? rec->title : f->file, rec->nsteps, cdp_browser_version(st.browser));
        st.done = 0;
        oo_err_clear(&st.err);
        cJSON *vars = login_vars();
        replay_opts ro = {.timeout_ms = f->timeout, .slowmo_ms = f->slowmo, .loop = loop, .artifacts_dir = artifacts,
                          .last = -1, .on_step = on_step, .ud = &st, .vars = vars};
        replay_start(st.page, rec, &ro, on_done, &st);
        cdp_loop_run_until(loop, &st.done, 0);
        cJSON_Delete(vars);
        rc = report(f, rec, &st, oo_now_ms() - t0);
    }
    cJSON_Delete(st.artifacts);
    cdp_loop_free(loop);
    return rc;
}

int cli_cmd_replay(int argc, char **argv)
{
    replay_flags f = {.headless = oo_config_int(oo_cfg(), OO_CFG_HEADLESS), .timeout = 5000, .verbose = oo_cfg()->verbose};
    if (parse_flags(argc, argv, &f)) return 2;
    oo_err err = {0};
    recording *rec = recording_load(f.file, &err);
    if (!rec) {
        fprintf(stderr, "oo-automator: %s\n", err.msg);
        return 2;
    }
    char *default_dir = f.artifacts ? NULL : oo_asprintf("%s/artifacts/replay", oo_config_get(oo_cfg(), OO_CFG_DATA_DIR));
    int rc = replay_file(&f, rec, f.artifacts ? f.artifacts : default_dir);
    recording_free(rec);
    free(default_dir);
    return rc;
}
