/* serve: the dashboard. Computes the parameter schemas once (Lua discovery through script/),
 * hands them, the store and the resource folders to web/, prints the URL as the first line of
 * stdout, and serves until SIGINT or SIGTERM. The web server runs in its own thread; this one
 * waits for the signal. Without a run engine in this build, POST /api/runs answers 503. */
#include "cli/commands.h"
#include "base/config.h"
#include "base/buf.h"
#include "base/util.h"
#include "script/script.h"
#include "web/web.h"
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

    char *web_dir = oo_resource_path("web"), *vendor_dir = oo_resource_path("vendor/node_modules");
    char *vue = oo_path_join(vendor_dir, "vue/dist");
    if (!oo_dir_exists(vue))
        fprintf(stderr, "oo-automator: warning: the dashboard's libraries are missing from %s: "
                        "install them with `cd vendor && npm ci`\n", vendor_dir);
    free(vue);
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
        .start_run = NULL,   /* the run engine's command queue plugs in here */
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
    pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
    return 0;
}
