#include "base/config.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern char **environ;

static oo_config g_config;
oo_config *oo_cfg(void) { return &g_config; }

static const struct { const char *env, *name; } keys[OO_CFG_COUNT] = {
    [OO_CFG_EMAIL] = {"OO_EMAIL", "email"},
    [OO_CFG_PASSWORD] = {"OO_PASSWORD", "password"},
    [OO_CFG_BASE_URL] = {"OO_BASE_URL", "base_url"},
    [OO_CFG_BROWSERS] = {"OO_BROWSERS", "browsers"},
    [OO_CFG_HEADLESS] = {"OO_HEADLESS", "headless"},
    [OO_CFG_DB_PATH] = {"OO_DB_PATH", "db_path"},
    [OO_CFG_DATA_DIR] = {"OO_DATA_DIR", "data_dir"},
    [OO_CFG_PORT] = {"OO_PORT", "port"},
    [OO_CFG_CHROMIUM] = {"OO_CHROMIUM", "chromium"},
    [OO_CFG_RECORDINGS] = {"OO_RECORDINGS", "recordings"},
    [OO_CFG_PARAMETERS_PATH] = {"OO_PARAMETERS_PATH", "parameters_path"},
    [OO_CFG_LUA_PATH] = {"OO_LUA_PATH", "lua_path"},
    [OO_CFG_RATE_LIMIT] = {"OO_RATE_LIMIT", "rate_limit"},
    [OO_CFG_PIPELINE] = {"OO_PIPELINE", "pipeline"},
    [OO_CFG_BACKTEST_TIMEOUT] = {"OO_BACKTEST_TIMEOUT", "timeout_s"},
    [OO_CFG_LEASE_MS] = {"OO_LEASE_MS", "lease_ms"},
    [OO_CFG_LUA_MEMORY_MB] = {"OO_LUA_MEMORY_MB", "lua_memory_mb"},
    [OO_CFG_HOME] = {"OO_HOME", "home"},
    [OO_CFG_SIM] = {"OO_SIM", "sim"},
    [OO_CFG_BLOCK_REQUESTS] = {"OO_BLOCK_REQUESTS", "block_requests"},
    [OO_CFG_RETRY_COOLDOWN] = {"OO_RETRY_COOLDOWN", "retry_cooldown"},
    [OO_CFG_TOKEN] = {"OO_TOKEN", "token"},
    [OO_CFG_OUTAGE_WAIT] = {"OO_OUTAGE_WAIT", "outage_wait"},
};

static int secret_key(int k) { return k == OO_CFG_PASSWORD || k == OO_CFG_TOKEN; }

/* The keys the dashboard's Settings page edits (the settings table's names are the keys'). */
static const oo_cfg_key settings_keys[] = {OO_CFG_EMAIL, OO_CFG_BROWSERS, OO_CFG_HEADLESS, OO_CFG_RATE_LIMIT,
                                           OO_CFG_BACKTEST_TIMEOUT};

/* The fixed defaults (the data dir's depends on HOME, the database's on the data dir). */
static const struct { oo_cfg_key key; const char *value; } defaults[] = {
    {OO_CFG_BROWSERS, "2"}, {OO_CFG_HEADLESS, "1"}, {OO_CFG_PORT, "8000"}, {OO_CFG_RATE_LIMIT, "10"},
    {OO_CFG_PIPELINE, "auto"}, {OO_CFG_BACKTEST_TIMEOUT, "300"}, {OO_CFG_BLOCK_REQUESTS, "1"},
    {OO_CFG_RETRY_COOLDOWN, "60"}, {OO_CFG_OUTAGE_WAIT, "30"},
};

const char *oo_config_env_name(oo_cfg_key k) { return keys[k].env; }
const char *oo_config_key_name(oo_cfg_key k) { return keys[k].name; }

const char *oo_config_source_name(oo_cfg_source s)
{
    static const char *n[] = {"default", "settings", "file", "environment", "flag"};
    return n[s];
}

static void put(oo_config *c, oo_cfg_key k, const char *v, oo_cfg_source src, const char *where)
{
    free(c->value[k]);
    free(c->where[k]);
    c->value[k] = v ? oo_strdup(v) : NULL;
    c->where[k] = where ? oo_strdup(where) : NULL;
    c->source[k] = src;
    if (k == OO_CFG_PASSWORD) oo_log_set_secret(v);
    if (k == OO_CFG_TOKEN) oo_log_add_secret(v);
}

static int parse_bool(const char *v, int *out)
{
    if (!strcasecmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on")) { *out = 1; return 0; }
    if (!strcasecmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off")) { *out = 0; return 0; }
    return -1;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi) return -1;
    *out = n;
    return 0;
}

/* The whole-number settings: their range, and what a value out of it is told (the message
 * goes on with the value found). */
static const struct { oo_cfg_key key; long lo, hi; const char *rule; } int_rules[] = {
    {OO_CFG_BROWSERS, 1, 8, "browsers must be a whole number from 1 to 8"},
    {OO_CFG_PORT, 0, 65535, "port must be a number from 0 to 65535"},
    {OO_CFG_RATE_LIMIT, 0, 10000, "rate limit must be backtests per minute (0 = none)"},
    {OO_CFG_BACKTEST_TIMEOUT, 5, 3600, "the backtest timeout must be seconds from 5 to 3600"},
    {OO_CFG_LEASE_MS, 1000, 86400000, "the lease must be milliseconds from 1000 to 86400000"},
    {OO_CFG_RETRY_COOLDOWN, 0, 3600, "the retry cool-down must be seconds from 0 to 3600"},
    {OO_CFG_OUTAGE_WAIT, 0, 1440, "the outage wait must be minutes from 0 to 1440"},
    {OO_CFG_LUA_MEMORY_MB, 16, 65536, "Lua's memory must be MiB from 16 to 65536"},
};

/* The yes/no settings, and what a value that is neither is told. */
static const struct { oo_cfg_key key; const char *rule; } bool_rules[] = {
    {OO_CFG_HEADLESS, "headless must be 1 or 0 (true/false)"},
    {OO_CFG_BLOCK_REQUESTS, "block_requests must be 1 (skip what the flow does not need) or 0 (load everything)"},
};

/* The settings that are neither a number nor yes/no: paths, the base URL, the pipeline. */
static int validate_text(oo_cfg_key k, const char *v, const char *where, oo_err *err)
{
    long n;
    switch (k) {
    case OO_CFG_PIPELINE:
        if (strcmp(v, "auto") && parse_int(v, 1, 4, &n) != 0)
            return oo_err_set(err, OO_E_USAGE, "%s: pipeline must be auto or the tabs each browser works with, 1 to 4 (1 = one task at a time), found \"%s\"", where, v);
        break;
    case OO_CFG_BASE_URL:
        if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
            return oo_err_set(err, OO_E_USAGE, "%s: the base URL must start with http:// or https://, found \"%s\"", where, v);
        break;
    case OO_CFG_HOME:
    case OO_CFG_SIM:
    case OO_CFG_DB_PATH:
    case OO_CFG_DATA_DIR:
        if (!*v) return oo_err_set(err, OO_E_USAGE, "%s: an empty path", where);
        break;
    default:
        break;
    }
    return 0;
}

/* Checks a value for its key; the message names where it came from. */
static int validate(oo_cfg_key k, const char *v, const char *where, oo_err *err)
{
    long n;
    int b;
    for (size_t i = 0; i < sizeof int_rules / sizeof int_rules[0]; i++)
        if (int_rules[i].key == k)
            return parse_int(v, int_rules[i].lo, int_rules[i].hi, &n) != 0
                       ? oo_err_set(err, OO_E_USAGE, "%s: %s, found \"%s\"", where, int_rules[i].rule, v)
                       : 0;
    for (size_t i = 0; i < sizeof bool_rules / sizeof bool_rules[0]; i++)
        if (bool_rules[i].key == k)
            return parse_bool(v, &b) != 0 ? oo_err_set(err, OO_E_USAGE, "%s: %s, found \"%s\"", where, bool_rules[i].rule, v) : 0;
    return validate_text(k, v, where, err);
}

static int set_checked(oo_config *c, oo_cfg_key k, const char *v, oo_cfg_source src, const char *where, oo_err *err)
{
    if (validate(k, v, where, err) != 0) return -1;
    put(c, k, v, src, where);
    return 0;
}

/* ---- the password and child processes ---------------------------------------------------
 * No child inherits a secret through its environment: once read, OO_PASSWORD leaves this
 * process's environment, so Chromium, its crashpad handler, oo-sim or a shell never see it.
 * The engines this process starts itself (the dashboard's `resume --run-id N`, serve.c; a run
 * script's oo.run runs in-process) still get a password that came from the environment or a flag: in an anonymous, sealed memory file they
 * inherit, named by OO_PASSWORD_FD (a descriptor number, no secret). Foreign children get
 * neither: oo_config_foreign_env, and their descriptors closed by whoever starts them. */
static int key_by_env(const char *name);
#define HANDOVER_ENV "OO_PASSWORD_FD"
static int g_handover_fd = -1;

static void handover_password(const char *pw)
{
    if (g_handover_fd >= 0) close(g_handover_fd);
    g_handover_fd = -1;
    unsetenv(HANDOVER_ENV);
    size_t n = pw ? strlen(pw) : 0;
    if (n == 0) return;
    int fd = memfd_create("oo-password", MFD_ALLOW_SEALING);   /* inherited across exec, on purpose */
    if (fd < 0) return;                                        /* the children read the files only */
    if (write(fd, pw, n) != (ssize_t)n ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
        close(fd);
        return;
    }
    char num[16];
    snprintf(num, sizeof num, "%d", fd);
    setenv(HANDOVER_ENV, num, 1);
    g_handover_fd = fd;
}

/* The password an oo-automator that started this one handed over (see above). */
static int inherited_password(oo_config *c, const char *txt, oo_err *err)
{
    long fd;
    int seals = parse_int(txt, 3, 1 << 20, &fd) == 0 ? fcntl((int)fd, F_GET_SEALS) : -1;
    if (seals < 0 || !(seals & F_SEAL_WRITE))
        return oo_err_set(err, OO_E_USAGE, "%s=%s is not a password handed over by oo-automator: unset it",
                          HANDOVER_ENV, txt);
    char buf[4097];
    ssize_t n = pread((int)fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return oo_err_set(err, OO_E_IO, "%s=%s: cannot read the password handed over", HANDOVER_ENV, txt);
    buf[n] = '\0';
    put(c, OO_CFG_PASSWORD, buf, OO_SRC_ENV, HANDOVER_ENV " (handed over by the oo-automator that started this one)");
    memset(buf, 0, sizeof buf);
    g_handover_fd = (int)fd;    /* kept open: the engines this one starts inherit it in turn */
    return 0;
}

char **oo_config_foreign_env(void)
{
    size_t n = 0;
    for (char **e = environ; e && *e; e++) n++;
    char **out = oo_calloc(n + 1, sizeof *out), **o = out;
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "OO_", 3) != 0) *o++ = oo_strdup(*e);
    return out;
}

void oo_config_env_free(char **env)
{
    for (char **e = env; e && *e; e++) free(*e);
    free(env);
}

int oo_config_handover_fd(void) { return g_handover_fd; }

static int key_by_env(const char *name)
{
    for (int k = 0; k < OO_CFG_COUNT; k++)
        if (!strcmp(keys[k].env, name)) return k;
    return -1;
}

/* A key load_file knows no setting by: an error for an OO_ name, and for any name in the
 * engine's own config file (`own`); ignored in ./.env, which other tools' settings may share. */
static int unknown_key(const char *where, const char *key, int own, oo_err *err)
{
    int oo = !strncmp(key, "OO_", 3);
    if (!oo && !own) return 0;
    for (int k = 0; !oo && k < OO_CFG_COUNT; k++)
        if (!strcasecmp(key, keys[k].name) || !strcasecmp(key, keys[k].env + 3))
            return oo_err_set(err, OO_E_INPUT, "%s: \"%.60s\" is no setting: write it %s=value", where, key, keys[k].env);
    oo_buf known;
    oo_buf_init(&known);
    for (int i = 0; i < OO_CFG_COUNT; i++) oo_buf_printf(&known, "%s%s", i ? ", " : "", keys[i].env);
    oo_err_set(err, OO_E_INPUT, "%s: unknown setting %.60s (known: %s)", where, key, known.data);
    oo_buf_free(&known);
    return -1;
}

/* KEY=VALUE lines; "export " prefix, # comments, single or double quotes. An unknown key
 * (unknown_key) or a malformed line is an error naming file:line. */
static int load_file(oo_config *c, const char *path, int own, oo_err *err)
{
    if (!oo_file_exists(path)) return 0;
    char *text = oo_read_file(path, NULL, err);
    if (!text) return -1;
    int line = 0, rc = 0;
    char *p = text;
    while (*p && rc == 0) {
        char *end = strchr(p, '\n');
        if (end) *end = '\0';
        line++;
        char *s = p;
        size_t n = strlen(s);
        while (n && (s[n - 1] == '\r' || isspace((unsigned char)s[n - 1]))) s[--n] = '\0';
        while (isspace((unsigned char)*s)) s++;
        if (*s && *s != '#') {
            if (!strncmp(s, "export ", 7)) s += 7;
            char *eq = strchr(s, '=');
            char where[1200];
            snprintf(where, sizeof where, "%s:%d", path, line);
            if (!eq) {
                rc = oo_err_set(err, OO_E_INPUT, "%s: expected KEY=VALUE, found \"%.60s\"", where, s);
                break;
            }
            *eq = '\0';
            char *key = s, *val = eq + 1;
            size_t kl = strlen(key);
            while (kl && isspace((unsigned char)key[kl - 1])) key[--kl] = '\0';
            while (isspace((unsigned char)*val)) val++;
            size_t vl = strlen(val);
            if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
                val[vl - 1] = '\0';
                val++;
            } else if (val[0] == '"' || val[0] == '\'') {
                rc = oo_err_set(err, OO_E_INPUT, "%s: the value of %s opens a quote it does not close", where, key);
                break;
            } else {
                char *hash = strstr(val, " #");
                if (hash) { *hash = '\0'; vl = strlen(val); while (vl && isspace((unsigned char)val[vl - 1])) val[--vl] = '\0'; }
            }
            int k = key_by_env(key);
            rc = k >= 0 ? set_checked(c, (oo_cfg_key)k, val, OO_SRC_FILE, where, err) : unknown_key(where, key, own, err);
        }
        if (!end) break;
        p = end + 1;
    }
    free(text);
    return rc;
}

int oo_config_load(oo_config *c, const char *home, const char *cwd, oo_err *err)
{
    int verbose = c->verbose, json = c->json;
    oo_config_free(c);
    c->verbose = verbose;
    c->json = json;
    if (!home) home = getenv("HOME");
    if (!home || !*home) home = "/tmp";
    if (!cwd) cwd = ".";

    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        put(c, defaults[i].key, defaults[i].value, OO_SRC_DEFAULT, NULL);
    const char *xdg = getenv("XDG_DATA_HOME");
    char *data = (xdg && *xdg) ? oo_asprintf("%s/oo-automator", xdg)
                               : oo_asprintf("%s/.local/share/oo-automator", home);
    put(c, OO_CFG_DATA_DIR, data, OO_SRC_DEFAULT, NULL);
    free(data);

    char *user_file = oo_asprintf("%s/.config/oo-automator/config", home);
    char *dot_env = oo_path_join(cwd, ".env");
    int rc = load_file(c, user_file, 1, err);
    if (rc == 0) rc = load_file(c, dot_env, 0, err);
    free(user_file);
    free(dot_env);
    if (rc != 0) return -1;

    for (int k = 0; k < OO_CFG_COUNT; k++) {
        const char *v = getenv(keys[k].env);
        if (v && set_checked(c, (oo_cfg_key)k, v, OO_SRC_ENV, keys[k].env, err) != 0) return -1;
    }
    if (c->source[OO_CFG_TOKEN] == OO_SRC_ENV) unsetenv(keys[OO_CFG_TOKEN].env);   /* no child needs it */
    if (c->source[OO_CFG_PASSWORD] == OO_SRC_ENV) {
        unsetenv(keys[OO_CFG_PASSWORD].env);        /* no child inherits it (see above) */
        handover_password(c->value[OO_CFG_PASSWORD]);
    } else if (getenv(HANDOVER_ENV)) {
        if (inherited_password(c, getenv(HANDOVER_ENV), err) != 0) return -1;
    }
    return 0;
}

int oo_config_set_flag(oo_config *c, oo_cfg_key key, const char *value, const char *flag, oo_err *err)
{
    if (set_checked(c, key, value, OO_SRC_FLAG, flag, err) != 0) return -1;
    if (key == OO_CFG_PASSWORD) handover_password(value);
    return 0;
}

int oo_config_set_setting(oo_config *c, const char *name, const char *value, oo_err *err)
{
    for (size_t i = 0; i < sizeof settings_keys / sizeof settings_keys[0]; i++) {
        oo_cfg_key k = settings_keys[i];
        if (strcmp(keys[k].name, name)) continue;
        if (c->source[k] > OO_SRC_SETTINGS || !value || !*value) return 0;
        return set_checked(c, k, value, OO_SRC_SETTINGS, "the dashboard's settings", err) == 0 ? 1 : -1;
    }
    return 0;
}

void oo_config_forget_settings(oo_config *c)
{
    for (size_t i = 0; i < sizeof settings_keys / sizeof settings_keys[0]; i++) {
        oo_cfg_key k = settings_keys[i];
        if (c->source[k] != OO_SRC_SETTINGS) continue;
        const char *d = NULL;
        for (size_t j = 0; j < sizeof defaults / sizeof defaults[0]; j++)
            if (defaults[j].key == k) d = defaults[j].value;
        put(c, k, d, OO_SRC_DEFAULT, NULL);
    }
    /* the password file's: read again on demand (the page may have changed or cleared it) */
    if (c->source[OO_CFG_PASSWORD] == OO_SRC_FILE && c->where[OO_CFG_PASSWORD] && c->value[OO_CFG_DATA_DIR]) {
        char *path = oo_path_join(c->value[OO_CFG_DATA_DIR], OO_PASSWORD_FILE);
        if (!strcmp(path, c->where[OO_CFG_PASSWORD])) put(c, OO_CFG_PASSWORD, NULL, OO_SRC_DEFAULT, NULL);
        free(path);
    }
}

const char *oo_config_search_path(void) { return getenv("PATH"); }
const char *oo_config_home_dir(void) { return getenv("HOME"); }

const char *oo_config_placeholder(const oo_config *c, const char *name)
{
    int k = key_by_env(name);
    if (k >= 0) {
        const char *v = oo_config_get(c, (oo_cfg_key)k);
        if (v && *v) return v;
    }
    return getenv(name);
}

const char *oo_config_get(const oo_config *c, oo_cfg_key key)
{
    if (key == OO_CFG_PASSWORD && !c->value[key] && c->value[OO_CFG_DATA_DIR]) {
        /* derived: the file the dashboard writes, read on demand so --data-dir moves it */
        char *path = oo_path_join(c->value[OO_CFG_DATA_DIR], OO_PASSWORD_FILE);
        char *pw = oo_file_exists(path) ? oo_read_file(path, NULL, NULL) : NULL;
        size_t n = pw ? strlen(pw) : 0;
        while (n && (pw[n - 1] == '\n' || pw[n - 1] == '\r')) pw[--n] = '\0';
        if (n) put((oo_config *)c, OO_CFG_PASSWORD, pw, OO_SRC_FILE, path);
        if (pw) memset(pw, 0, n);
        free(pw);
        free(path);
    }
    if (key == OO_CFG_DB_PATH && !c->value[key]) {
        /* derived: <data dir>/oo_automator.db, computed on demand so --data-dir moves it */
        oo_config *m = (oo_config *)c;
        char *p = oo_path_join(c->value[OO_CFG_DATA_DIR] ? c->value[OO_CFG_DATA_DIR] : ".", "oo_automator.db");
        put(m, OO_CFG_DB_PATH, p, OO_SRC_DEFAULT, NULL);
        free(p);
    }
    return c->value[key];
}

int oo_config_int(const oo_config *c, oo_cfg_key key)
{
    const char *v = oo_config_get(c, key);
    if (!v) return 0;
    int b;
    if ((key == OO_CFG_HEADLESS || key == OO_CFG_BLOCK_REQUESTS) && parse_bool(v, &b) == 0) return b;
    return atoi(v);
}

char *oo_config_describe(const oo_config *c)
{
    oo_buf b;
    oo_buf_init(&b);
    for (int k = 0; k < OO_CFG_COUNT; k++) {
        const char *v = oo_config_get(c, (oo_cfg_key)k);
        const char *shown = !v ? "(unset)" : (secret_key(k) ? "********" : v);
        oo_buf_printf(&b, "%-18s = %s  (%s%s%s)\n", keys[k].env, shown, oo_config_source_name(c->source[k]),
                      c->where[k] ? ": " : "", c->where[k] ? c->where[k] : "");
    }
    return oo_buf_steal(&b);
}

void oo_config_free(oo_config *c)
{
    for (int k = 0; k < OO_CFG_COUNT; k++) {
        free(c->value[k]);
        free(c->where[k]);
        c->value[k] = c->where[k] = NULL;
        c->source[k] = OO_SRC_DEFAULT;
    }
}
