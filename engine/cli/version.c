/* version: the program's version, its libraries' and its Chromium's (see version.h). */
#include "cli/version.h"
#include "cli/commands.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/proc.h"
#include "base/util.h"
#include "cdp/cdp.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <h2o.h>
#include <libwebsockets.h>
#include <lua.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Chromium 156.0.1 built on Debian" -> label "Chromium", the rest from the first digit. */
static void print_browser(const char *path, const char *line)
{
    const char *v = line;
    while (*v && !isdigit((unsigned char)*v)) v++;
    int label = (int)(v - line);
    while (label > 0 && line[label - 1] == ' ') label--;
    if (!*v || label == 0) printf("  %-14s %s (%s)\n", "Chromium", line, path);
    else printf("  %-14.*s %s (%s)\n", label, line, v, path);
}

static void print_chromium(void)
{
    oo_err err = {0};
    char *path = cdp_chromium_find(oo_config_get(oo_cfg(), OO_CFG_CHROMIUM), &err);
    const char *const argv[] = {path, "--version", NULL};
    char *line = path ? oo_proc_first_line(argv, 10000, &err) : NULL;
    if (line) print_browser(path, line);
    else printf("  %-14s %s\n", "Chromium", err.msg);
    free(line);
    free(path);
}

/* h2o has no version call; a fresh configuration's server name ("h2o/2.2.5") is set by the
 * library itself, so it names the h2o this process runs with, not the headers. */
static void h2o_version(char *out, size_t n)
{
    h2o_globalconf_t conf;
    h2o_config_init(&conf);
    const char *name = conf.server_name.base;
    size_t len = conf.server_name.len;
    const char *slash = name ? memchr(name, '/', len) : NULL;
    if (slash) snprintf(out, n, "%.*s", (int)(len - (size_t)(slash + 1 - name)), slash + 1);
    else snprintf(out, n, "%s", H2O_VERSION);
    h2o_config_dispose(&conf);
}

/* --json: the same facts as one object. */
static int print_version_json(const char *lws, const char *h2o, int lua)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", oo_version());
    char luav[32];
    snprintf(luav, sizeof luav, "%d.%d%s%s", lua / 100, lua % 100, lua == LUA_VERSION_NUM ? "." : "",
             lua == LUA_VERSION_NUM ? LUA_VERSION_RELEASE : "");
    cJSON_AddStringToObject(o, "lua", luav);
    cJSON_AddStringToObject(o, "sqlite", sqlite3_libversion());
    cJSON_AddStringToObject(o, "cjson", cJSON_Version());
    cJSON_AddStringToObject(o, "libwebsockets", lws);
    cJSON_AddStringToObject(o, "h2o", h2o);
    oo_err err = {0};
    char *path = cdp_chromium_find(oo_config_get(oo_cfg(), OO_CFG_CHROMIUM), &err);
    const char *const argv[] = {path, "--version", NULL};
    char *line = path ? oo_proc_first_line(argv, 10000, &err) : NULL;
    cJSON *c = cJSON_AddObjectToObject(o, "chromium");
    if (path) cJSON_AddStringToObject(c, "path", path);
    if (line) cJSON_AddStringToObject(c, "version", line);
    else cJSON_AddStringToObject(c, "error", err.msg);
    free(line);
    free(path);
    cli_print_json(o);
    return 0;
}

int cli_print_version(void)
{
    oo_err err = {0};
    oo_config *cfg = oo_cfg();
    if (!oo_config_get(cfg, OO_CFG_DATA_DIR)) oo_config_load(cfg, NULL, NULL, &err);  /* best effort */
    char lws[64];
    snprintf(lws, sizeof lws, "%s", lws_get_library_version());
    lws[strcspn(lws, "- ")] = '\0';  /* "4.1.6-" and "4.3.2-v4.3.2": the release */
    int lua = (int)lua_version(NULL);
    char h2o[64];
    h2o_version(h2o, sizeof h2o);
    if (cfg->json) return print_version_json(lws, h2o, lua);
    printf("oo-automator %s\n", oo_version());
    printf("  %-14s %d.%d%s%s\n", "Lua", lua / 100, lua % 100,
           lua == LUA_VERSION_NUM ? "." : "", lua == LUA_VERSION_NUM ? LUA_VERSION_RELEASE : "");
    printf("  %-14s %s\n", "SQLite", sqlite3_libversion());
    printf("  %-14s %s\n", "cJSON", cJSON_Version());
    printf("  %-14s %s\n", "libwebsockets", lws);
    printf("  %-14s %s\n", "h2o", h2o);
    fflush(stdout);
    print_chromium();
    return 0;
}

int cli_cmd_version(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    (void)a;
    return cli_print_version();
}
