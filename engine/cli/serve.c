/* serve: the dashboard. Computes the parameter schemas once (Lua discovery through script/),
 * hands them, the store and the resource folders to web/, prints the URL as the first line of
 * stdout, and serves until SIGINT or SIGTERM. The web server runs in its own thread; this one
 * waits for the signal. POST /api/runs starts an engine process for the run (start_run);
 * POST /api/estimate says what a spec would run and how long it would take (estimate_run); the
 * analysis endpoints are answered by the Lua analysis (cli/analyze.c, on the web thread). */
#include "cli/commands.h"
#include "cli/analyze.h"
#include "base/config.h"
#include "base/buf.h"
#include "base/util.h"
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
    {"token", 0, "TOKEN", "required when --host is not a loopback address; every request must carry it"},
    {0},
};

/* {"parameters": [schemas], "errors": ["file:line: ..."]} from lua/oo/parameters.lua. */
static char *parameters_json(oo_err *err)
{
    static const char code[] =
        "local p = require('oo.parameters')\n"
        "local reg, errors = p.discover()\n"
        "local json = require('json')\n"
        "return json.encode({ parameters = p.schemas(reg), errors = json.array(errors) })\n";
    script_opts opts = {0};
    oo_script *s = script_new(&opts, err);
    if (!s) return NULL;
    lua_State *L = script_state(s);
    char *out = NULL;
    if (luaL_loadbufferx(L, code, sizeof code - 1, "=serve:parameters", "t") != LUA_OK) {
        oo_err_set(err, OO_E_SCRIPT, "%s", lua_tostring(L, -1));
    } else if (script_pcall(s, 0, 1, err) == 0) {
        const char *txt = lua_tostring(L, -1);
        out = txt ? oo_strdup(txt) : NULL;
        if (!out) oo_err_set(err, OO_E_SCRIPT, "parameter discovery returned nothing");
    }
    script_free(s);
    return out;
}

/* POST /api/runs (on the web thread): the spec is planned by the same Lua as `oo-automator run`
 * (lua/oo/cli.lua), written to the store as a run, and executed by an engine process of its own
 * (`oo-automator resume --run-id N`, its output in <data dir>/runs/N/engine.log). A process per
 * run keeps the server's thread free and survives a restarted dashboard; pause, resume and
 * cancel reach it through the store like from any terminal. */
typedef struct starter { char *exe, *db_path, *data_dir; } starter;

static int64_t start_run(void *ud, const cJSON *spec, oo_err *err)
{
    starter *s = ud;
    oo_store *st = store_open(s->db_path, err);
    if (!st) return -1;
    int64_t run_id = -1;
    cJSON *args = cJSON_CreateObject(), *copy = cJSON_Duplicate(spec, 1);
    const cJSON *tid = cJSON_GetObjectItem(spec, "test_id");
    if (cJSON_IsNumber(tid)) {
        cJSON *t = store_test_get(st, (int64_t)tid->valuedouble, err);
        if (!t) goto out;
        cJSON_AddStringToObject(copy, "test", cJSON_GetStringValue(cJSON_GetObjectItem(t, "url")));
        cJSON_Delete(t);
    } else {
        cJSON_AddStringToObject(copy, "test", cJSON_GetStringValue(cJSON_GetObjectItem(spec, "test_url")));
    }
    cJSON_DeleteItemFromObject(copy, "test_id");
    cJSON_DeleteItemFromObject(copy, "test_url");
    cJSON_AddItemToObject(args, "spec", copy);
    copy = NULL;
    long browsers = 0;
    run_id = cli_create_run(st, args, 0, &browsers, err);
    if (run_id <= 0) goto out;
    char rel[64];
    snprintf(rel, sizeof rel, "runs/%lld", (long long)run_id);
    char *dir = oo_path_join(s->data_dir, rel);
    char *log = oo_path_join(dir, "engine.log");
    oo_err e2 = {0};
    oo_mkdir_p(dir, &e2);
    char idtxt[32], btxt[16];
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)run_id);
    snprintf(btxt, sizeof btxt, "%ld", browsers);
    char *argv[] = {s->exe, "--db", s->db_path, "resume", "--run-id", idtxt, "--browsers", btxt, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);      /* the server thread blocks SIGINT/SIGTERM */
    posix_spawnattr_setpgroup(&at, 0);           /* Ctrl-C on the dashboard leaves the run going */
    pid_t pid;
    int rc = posix_spawn(&pid, s->exe, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(dir);
    free(log);
    if (rc != 0) {
        oo_err_set(err, OO_E_IO, "run %lld was stored but its engine could not start: %s (`oo-automator resume --run-id %lld` runs it)",
                   (long long)run_id, strerror(rc), (long long)run_id);
        run_id = -1;
    }
out:
    cJSON_Delete(copy);
    cJSON_Delete(args);
    store_close(st);
    return run_id;
}

/* POST /api/estimate (on the web thread): the spec's backtests, summary and estimate from the
 * same Lua as `run` (lua/oo/cli.lua), with the account's recent backtest times from the store. */
static cJSON *estimate_run(void *ud, const cJSON *spec, oo_err *err)
{
    starter *s = ud;
    oo_store *st = store_open(s->db_path, err);
    if (!st) return NULL;
    cJSON *history = store_backtest_seconds(st, 0, err);
    store_close(st);
    if (!history) return NULL;
    cJSON *arg = cJSON_CreateObject();
    cJSON_AddItemToObject(arg, "spec", cJSON_Duplicate(spec, 1));
    cJSON_AddItemToObject(arg, "history", history);
    script_opts so = {0};
    oo_script *sc = script_new(&so, err);
    cJSON *out = sc ? cli_lua_call(sc, "oo.cli", "estimate_spec", arg, err) : NULL;
    script_free(sc);
    cJSON_Delete(arg);
    return out;
}

static int is_loopback(const char *host)
{
    return !strcmp(host, "localhost") || !strcmp(host, "::1") || !strncmp(host, "127.", 4);
}

int cli_cmd_serve(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    oo_err err = {0};
    oo_config *cfg = oo_cfg();
    if (cli_get(a, "port") && oo_config_set_flag(cfg, OO_CFG_PORT, cli_get(a, "port"), "--port", &err) != 0)
        return cli_usage_error("serve", "%s", err.msg);
    const char *host = cli_get(a, "host") ? cli_get(a, "host") : "127.0.0.1";
    const char *token = cli_get(a, "token");
    if (token && !*token) return cli_usage_error("serve", "--token must not be empty");
    if (!is_loopback(host) && !token)
        return cli_usage_error("serve", "listening on %s exposes the dashboard: give --token TOKEN too", host);

    char *params = parameters_json(&err);
    if (!params) {
        /* the dashboard still serves; New Run says what is wrong */
        fprintf(stderr, "oo-automator: warning: the parameter scripts could not be read: %s\n", err.msg);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "parameters", cJSON_CreateArray());
        cJSON *errs = cJSON_AddArrayToObject(o, "errors");
        cJSON_AddItemToArray(errs, cJSON_CreateString(err.msg));
        params = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        oo_err_clear(&err);
    }
    cJSON *defaults = cJSON_CreateObject();
    const char *email = oo_config_get(cfg, OO_CFG_EMAIL);
    if (email) cJSON_AddStringToObject(defaults, "email", email);
    cJSON_AddNumberToObject(defaults, "browsers", oo_config_int(cfg, OO_CFG_BROWSERS));
    cJSON_AddBoolToObject(defaults, "headless", oo_config_int(cfg, OO_CFG_HEADLESS));
    cJSON_AddNumberToObject(defaults, "rate_limit", oo_config_int(cfg, OO_CFG_RATE_LIMIT));
    cJSON_AddNumberToObject(defaults, "timeout_s", oo_config_int(cfg, OO_CFG_BACKTEST_TIMEOUT));

    char *web_dir = oo_resource_path("web"), *vendor_dir = oo_resource_path("vendor/node_modules");
    char *vue = oo_path_join(vendor_dir, "vue/dist");
    if (!oo_dir_exists(vue))
        fprintf(stderr, "oo-automator: warning: the dashboard's libraries are missing from %s: "
                        "install them with `cd vendor && npm ci`\n", vendor_dir);
    free(vue);
    char *exe_dir = oo_exe_dir();
    starter starter_state = {.exe = exe_dir ? oo_path_join(exe_dir, "oo-automator") : oo_strdup("oo-automator"),
                             .db_path = (char *)oo_config_get(cfg, OO_CFG_DB_PATH),
                             .data_dir = (char *)oo_config_get(cfg, OO_CFG_DATA_DIR)};
    free(exe_dir);
    /* the analysis endpoints: the Lua analysis on the web thread, its answers kept */
    cli_analysis_server *analysis = cli_analysis_server_new(oo_config_get(cfg, OO_CFG_DB_PATH));
    /* engine processes started from the dashboard are not waited for: no zombies */
    signal(SIGCHLD, SIG_IGN);
    web_opts o = {
        .host = host,
        .port = oo_config_int(cfg, OO_CFG_PORT),
        .token = token,
        .db_path = oo_config_get(cfg, OO_CFG_DB_PATH),
        .data_dir = oo_config_get(cfg, OO_CFG_DATA_DIR),
        .web_dir = web_dir,
        .vendor_dir = vendor_dir,
        .parameters_json = params,
        .settings_defaults = defaults,
        .start_run = start_run,
        .start_run_ud = &starter_state,
        .estimate = estimate_run,
        .analysis = cli_analysis_serve,
        .analysis_ud = analysis,
    };
    /* SIGINT and SIGTERM are taken by sigwait below; blocked before the server thread starts,
     * so that it inherits the mask and only this thread sees them */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    web_server *w = web_start(&o, &err);
    free(params);
    free(web_dir);
    free(vendor_dir);
    cJSON_Delete(defaults);
    if (!w) {
        free(starter_state.exe);
        cli_analysis_server_free(analysis);
        pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
        return err.code == OO_E_USAGE ? cli_usage_error("serve", "%s", err.msg) : cli_fail("%s", err.msg);
    }
    printf("%s\n", web_url(w));
    fflush(stdout);
    fprintf(stderr, "oo-automator: the dashboard is at %s%s (database %s); Ctrl-C stops it\n", web_url(w),
            token ? "?token=..." : "", o.db_path);
    int sig = 0;
    sigwait(&sigs, &sig);
    web_stop(w);
    cli_analysis_server_free(analysis);
    pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
    free(starter_state.exe);
    return 0;
}
