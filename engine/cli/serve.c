/* serve: the dashboard. Computes the parameter schemas once (Lua discovery through script/),
 * hands them, the store and the resource folders to web/, prints the URL as the first line of
 * stdout, and serves until SIGINT or SIGTERM. The web server runs in its own thread; this one
 * waits for the signal. POST /api/runs starts an engine process for the run (start_run), and
 * POST /api/runs/{id}/resume one for a stored run (resume_run); POST /api/estimate says what a
 * spec would run and how long it would take (estimate_run); the analysis endpoints are answered
 * by the Lua analysis (cli/analyze.c, on the web thread). */
#include "cli/commands.h"
#include "cli/analyze.h"
#include "base/alive.h"
#include "base/config.h"
#include "base/buf.h"
#include "base/util.h"
#include "run/run.h"
#include "script/script.h"
#include "web/web.h"
#include "store/store.h"
#include <fcntl.h>
#include <spawn.h>
#include <errno.h>

extern char **environ;
#include <lauxlib.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cli_serve_opts[] = {
    {"port", 0, "N", "port to listen on (default 8000; env OO_PORT; 0 = any free port)"},
    {"host", 0, "ADDR", "address to listen on (default 127.0.0.1)"},
    {"token", 0, "TOKEN", "required when --host is not a loopback address; every request must carry it (env OO_TOKEN keeps it out of `ps`)"},
    {0},
};

/* {"parameters": [schemas], "errors": ["file:line: ..."]} from lua/oo/parameters.lua. */
static char *parameters_json(oo_script *sc, oo_err *err)
{
    cJSON *v = script_call(sc, "oo.parameters", "for_forms", NULL, err);
    char *out = v ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    return out;
}

/* POST /api/runs (on the web thread): the spec is planned by the same Lua as `oo-automator run`
 * (lua/oo/cli.lua, in this command's Lua state), written to the store as a run, and executed
 * by an engine process of its own (`oo-automator resume --run-id N`, its output in
 * <data dir>/runs/N/engine.log). A process per run keeps the server's thread free and survives
 * a restarted dashboard; pause, resume and cancel reach it through the store like from any
 * terminal. The store and the Lua state are the web thread's from web_start to web_stop. */
typedef struct starter { char *exe, *db_path, *data_dir; oo_store *st; oo_script *sc; } starter;

/* The run joins its account's queue now, for the engine just started: runs started one after
 * the other start in that order, whichever engine process is quicker to claim its own. */
static int queue_for(const starter *s, int64_t run_id, pid_t pid)
{
    char self[96], engine[128];
    oo_engine_self(self, sizeof self);
    char *colon = strrchr(self, ':');
    if (colon) *colon = '\0';
    snprintf(engine, sizeof engine, "%s:%ld", self, (long)pid);
    oo_err e = {0};
    if (store_run_enqueue(s->st, run_id, oo_config_get(oo_cfg(), OO_CFG_EMAIL), engine, &e) < 0)
        fprintf(stderr, "oo-automator: warning: run %lld: %s\n", (long long)run_id, e.msg);
    return 0;
}

static int spawn_engine(const starter *s, int64_t run_id, oo_err *err)
{
    char rel[64];
    snprintf(rel, sizeof rel, "runs/%lld", (long long)run_id);
    char *dir = oo_path_join(s->data_dir, rel);
    char *log = oo_path_join(dir, "engine.log");
    oo_err e2 = {0};
    oo_mkdir_p(dir, &e2);
    char idtxt[32];
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)run_id);
    /* the same database and data dir as this server's (flags, environment or files): the
     * engine finds the password file, the settings and writes its artifacts where the
     * dashboard serves them */
    char *argv[] = {s->exe, "--db", s->db_path, "--data-dir", s->data_dir, "resume", "--run-id", idtxt, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);      /* the server thread blocks SIGINT/SIGTERM */
    posix_spawnattr_setpgroup(&at, 0);           /* Ctrl-C on the dashboard leaves the run going */
    pid_t pid;
    /* our environment holds no secret: the engine reads the password where it always does
     * (flags, ./.env, the config file, <data dir>/password), or from the descriptor it inherits
     * when this process had it from its environment (OO_PASSWORD_FD, base/config.h) */
    int rc = posix_spawn(&pid, s->exe, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(dir);
    free(log);
    if (rc == 0) return queue_for(s, run_id, pid);
    return oo_err_set(err, OO_E_IO, "run %lld was stored but its engine could not start: %s (`oo-automator resume "
                      "--run-id %lld` runs it)", (long long)run_id, strerror(rc), (long long)run_id);
}

/* oo.cli[fn](arg) in the command's state. */
static cJSON *call(starter *s, const char *fn, const cJSON *arg, oo_err *err)
{
    return script_call(s->sc, "oo.cli", fn, arg, err);
}

/* The Settings page may have changed since the last run: its layer is read again, so that a
 * run started here sees what a terminal would. */
static void settings_now(starter *s)
{
    oo_config_forget_settings(oo_cfg());
    cli_apply_settings(s->st);
}

static int64_t start_run(void *ud, const cJSON *spec, oo_err *err)
{
    starter *s = ud;
    settings_now(s);
    cJSON *args = cJSON_CreateObject();
    cJSON_AddItemToObject(args, "spec", cJSON_Duplicate(spec, 1));
    cJSON_AddStringToObject(args, "where", "the run spec");
    cJSON_AddStringToObject(args, "yes_how", "add \"yes\": true to the spec");
    cJSON *plan = call(s, "prepare", args, err), *ready = plan ? call(s, "ready", NULL, err) : NULL, *id = NULL;
    if (ready) {
        cJSON *key = cJSON_CreateNumber(cJSON_GetNumberValue(cJSON_GetObjectItem(plan, "key")));
        id = call(s, "create", key, err);
        cJSON_Delete(key);
    }
    int64_t run_id = id ? (int64_t)cJSON_GetNumberValue(id) : -1;
    if (run_id > 0 && spawn_engine(s, run_id, err) != 0) run_id = -1;
    cJSON_Delete(id);
    cJSON_Delete(ready);
    cJSON_Delete(plan);
    cJSON_Delete(args);
    return run_id;
}

/* POST /api/estimate (on the web thread): the spec's backtests, summary and estimate, checked
 * by the same Lua as POST /api/runs and `run` (lua/oo/cli.lua, in this command's state; the
 * account's recent backtest times come from the store through the `runs` module). */
static cJSON *estimate_run(void *ud, const cJSON *spec, oo_err *err)
{
    starter *s = ud;
    cJSON *args = cJSON_CreateObject();
    cJSON_AddItemToObject(args, "spec", cJSON_Duplicate(spec, 1));
    cJSON_AddStringToObject(args, "where", "the run spec");
    cJSON *out = call(s, "estimate_spec", args, err);
    cJSON_Delete(args);
    return out;
}

/* POST /api/runs/{id}/resume (on the web thread): an engine process for the stored run, exactly
 * as for a new one. */
static int resume_run(void *ud, int64_t run_id, oo_err *err)
{
    settings_now(ud);
    return spawn_engine(ud, run_id, err);
}

/* The parameter schemas for New Run; when the scripts cannot be read, the dashboard still
 * serves and New Run says what is wrong. */
static char *forms_parameters(oo_script *sc)
{
    oo_err err = {0};
    char *params = sc ? parameters_json(sc, &err) : NULL;
    if (params) return params;
    fprintf(stderr, "oo-automator: warning: the parameter scripts could not be read: %s\n", err.msg);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "parameters", cJSON_CreateArray());
    cJSON *errs = cJSON_AddArrayToObject(o, "errors");
    cJSON_AddItemToArray(errs, cJSON_CreateString(err.msg));
    params = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return params;
}

/* module.fn() of the command's state as JSON text (a list), or NULL after a warning: the
 * dashboard still serves, with an empty list. */
static char *lua_list(oo_script *sc, const char *module, const char *fn, const char *what)
{
    oo_err err = {0};
    cJSON *list = sc ? script_call(sc, module, fn, NULL, &err) : NULL;
    char *out = list ? cJSON_PrintUnformatted(list) : NULL;
    if (!list) fprintf(stderr, "oo-automator: warning: %s could not be read: %s\n", what, err.msg);
    cJSON_Delete(list);
    return out;
}

/* What GET /api/settings shows for the keys the Settings page never saved. */
static cJSON *settings_defaults(const oo_config *cfg)
{
    cJSON *d = cJSON_CreateObject();
    const char *email = oo_config_get(cfg, OO_CFG_EMAIL);
    if (email) cJSON_AddStringToObject(d, "email", email);
    cJSON_AddNumberToObject(d, "browsers", oo_config_int(cfg, OO_CFG_BROWSERS));
    cJSON_AddBoolToObject(d, "headless", oo_config_int(cfg, OO_CFG_HEADLESS));
    cJSON_AddNumberToObject(d, "rate_limit", oo_config_int(cfg, OO_CFG_RATE_LIMIT));
    cJSON_AddNumberToObject(d, "timeout_s", oo_config_int(cfg, OO_CFG_BACKTEST_TIMEOUT));
    return d;
}

/* Starts the server, prints its URL (the first line of stdout) and serves until SIGINT or
 * SIGTERM. Both are blocked before the server thread starts, so that it inherits the mask and
 * only this thread (sigwait) sees them. */
static int serve_until_signal(const web_opts *o)
{
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    oo_err err = {0};
    web_server *w = web_start(o, &err);
    if (!w) {
        pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
        return err.code == OO_E_USAGE ? cli_usage_error("serve", "%s", err.msg) : cli_fail("%s", err.msg);
    }
    if (oo_cfg()->json) printf("{\"url\": \"%s\", \"database\": \"%s\"}\n", web_url(w), o->db_path);
    else printf("%s\n", web_url(w));
    fflush(stdout);
    fprintf(stderr, "oo-automator: the dashboard is at %s%s (database %s); Ctrl-C stops it\n", web_url(w),
            o->token ? "#token=..." : "", o->db_path);
    int sig = 0;
    sigwait(&sigs, &sig);
    web_stop(w);
    pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
    return 0;
}

/* --host, --token (or OO_TOKEN) and --port; 0, or 2 after the usage error. A --host that is no
 * loopback address without a token is refused by web_start (usage), by its exact loopback rule. */
static int listen_flags(cli_args *a, const char **host, const char **token)
{
    oo_err err = {0};
    if (cli_get(a, "port") && oo_config_set_flag(oo_cfg(), OO_CFG_PORT, cli_get(a, "port"), "--port", &err) != 0)
        return cli_usage_error("serve", "%s", err.msg);
    *host = cli_get(a, "host") ? cli_get(a, "host") : "127.0.0.1";
    /* OO_TOKEN (environment, ./.env, the config file) keeps the token out of the process list,
     * where any user of the machine reads a --token */
    *token = cli_get(a, "token") ? cli_get(a, "token") : oo_config_get(oo_cfg(), OO_CFG_TOKEN);
    if (*token && !**token) return cli_usage_error("serve", "--token must not be empty");
    return 0;
}

int cli_cmd_serve(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    const char *host = NULL, *token = NULL;
    if (listen_flags(a, &host, &token) != 0) return 2;
    oo_config *cfg = oo_cfg();
    oo_err err = {0};
    script_opts so = {.traceback = cfg->verbose > 0};
    char *exe_dir = oo_exe_dir();
    starter st = {.exe = exe_dir ? oo_path_join(exe_dir, "oo-automator") : oo_strdup("oo-automator"),
                  .db_path = (char *)oo_config_get(cfg, OO_CFG_DB_PATH),
                  .data_dir = (char *)oo_config_get(cfg, OO_CFG_DATA_DIR), .st = cli_open_store(),
                  .sc = script_new(&so, &err)};
    free(exe_dir);
    if (st.st && st.sc) run_bind(st.sc, st.st, &(run_opts){.data_dir = st.data_dir});
    char *params = forms_parameters(st.sc);
    char *metrics = lua_list(st.sc, "oo.metrics", "public", "the list of metrics");
    char *modes = lua_list(st.sc, "oo.forms", "for_forms", "the modes' forms");
    cJSON *defaults = settings_defaults(cfg);
    char *web_dir = oo_resource_path("web"), *vendor_dir = oo_resource_path("vendor/node_modules");
    char *vue = oo_path_join(vendor_dir, "vue/dist");
    if (!oo_dir_exists(vue))
        fprintf(stderr, "oo-automator: warning: the dashboard's libraries are missing from %s: "
                        "install them with `cd vendor && npm ci`\n", vendor_dir);
    free(vue);
    signal(SIGCHLD, SIG_IGN);   /* engine processes started from the dashboard are not waited for */
    /* the analysis endpoints: the command's Lua state and store, on the web thread, answers kept */
    cli_analysis_server *analysis = st.st && st.sc ? cli_analysis_server_new(st.st, st.sc) : NULL;
    web_opts o = {.host = host, .port = oo_config_int(cfg, OO_CFG_PORT), .token = token, .db_path = st.db_path,
                  .data_dir = st.data_dir, .web_dir = web_dir, .vendor_dir = vendor_dir, .parameters_json = params,
                  .metrics_json = metrics, .modes_json = modes, .settings_defaults = defaults, .start_run = st.st && st.sc ? start_run : NULL,
                  .resume_run = st.st ? resume_run : NULL, .start_run_ud = &st,
                  .estimate = st.st && st.sc ? estimate_run : NULL,
                  .analysis = analysis ? cli_analysis_serve : NULL, .analysis_ud = analysis,
                  .engine_silence_ms = oo_config_int(cfg, OO_CFG_LEASE_MS)};
    int rc = serve_until_signal(&o);
    cli_analysis_server_free(analysis);
    free(params);
    free(metrics);
    free(modes);
    free(web_dir);
    free(vendor_dir);
    cJSON_Delete(defaults);
    script_free(st.sc);
    store_close(st.st);
    free(st.exe);
    return rc;
}
