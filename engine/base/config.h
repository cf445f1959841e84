/* config: the one parsed configuration of the program (the only global mutable state), and the
 * one place that reads the environment: nothing else calls getenv.
 * Layers, lowest first: defaults, the dashboard's Settings page (the store's settings table,
 * for the keys it edits), ~/.config/oo-automator/config, ./.env, the environment (OO_*),
 * command-line flags. Each value remembers which layer set it and where. Every key is
 * documented in README.md (Configuration).
 * The password and the dashboard's token are held here only; they are masked in every rendering
 * and registered with the logger as secrets. Strings are owned by the config; oo_config_free
 * releases them. */
#ifndef OO_BASE_CONFIG_H
#define OO_BASE_CONFIG_H
#include "base/err.h"

typedef enum { OO_CFG_EMAIL, OO_CFG_PASSWORD, OO_CFG_BASE_URL, OO_CFG_BROWSERS, OO_CFG_HEADLESS,
               OO_CFG_DB_PATH, OO_CFG_DATA_DIR, OO_CFG_PORT, OO_CFG_CHROMIUM, OO_CFG_RECORDINGS,
               OO_CFG_PARAMETERS_PATH, OO_CFG_LUA_PATH, OO_CFG_RATE_LIMIT, OO_CFG_PIPELINE,
               OO_CFG_BACKTEST_TIMEOUT, OO_CFG_LEASE_MS, OO_CFG_LUA_MEMORY_MB, OO_CFG_HOME, OO_CFG_SIM,
               OO_CFG_BLOCK_REQUESTS, OO_CFG_RETRY_COOLDOWN, OO_CFG_TOKEN, OO_CFG_OUTAGE_WAIT, OO_CFG_COUNT } oo_cfg_key;

/* The password set in the dashboard lives in <data dir>/OO_PASSWORD_FILE (mode 0600), never in
 * the database; it is the password's last layer, under the files, the environment and flags. */
#define OO_PASSWORD_FILE "password"

typedef enum { OO_SRC_DEFAULT = 0, OO_SRC_SETTINGS, OO_SRC_FILE, OO_SRC_ENV, OO_SRC_FLAG } oo_cfg_source;

typedef struct oo_config {
    char *value[OO_CFG_COUNT];
    oo_cfg_source source[OO_CFG_COUNT];
    char *where[OO_CFG_COUNT];      /* "~/.config/oo-automator/config:3", "OO_PORT", "--port" */
    int verbose;                    /* -v count */
    int json;                       /* --json */
} oo_config;

/* The program's config (zeroed until oo_config_load). */
oo_config *oo_cfg(void);

/* Fills defaults, then the files, then the environment. home and cwd may be NULL (then $HOME
 * and "."). A bad file line or a bad value is an error naming file:line or the variable. */
int oo_config_load(oo_config *c, const char *home, const char *cwd, oo_err *err);
/* Sets a value from a command-line flag (flag is its name, for messages). Validated. */
int oo_config_set_flag(oo_config *c, oo_cfg_key key, const char *value, const char *flag, oo_err *err);
/* A value the dashboard's Settings page saved (name as in the settings table: "email",
 * "browsers", "headless", "rate_limit", "timeout_s"): it counts only where no config file,
 * environment variable or flag set the key. 1 applied, 0 not (a higher layer holds it, or
 * the page does not edit that key), -1 with err when the value is bad. */
int oo_config_set_setting(oo_config *c, const char *name, const char *value, oo_err *err);
/* Forgets what the Settings page (and the password file it writes) gave, so that they are read
 * again: a long-lived process (the dashboard) calls this, then applies the saved settings anew,
 * before it starts a run with them. */
void oo_config_forget_settings(oo_config *c);
const char *oo_config_get(const oo_config *c, oo_cfg_key key);
int oo_config_int(const oo_config *c, oo_cfg_key key);
/* The environment variable of a key ("OO_PORT") and its lower-case name ("port"). */
const char *oo_config_env_name(oo_cfg_key key);
const char *oo_config_key_name(oo_cfg_key key);
const char *oo_config_source_name(oo_cfg_source s);
/* What the program needs of the environment that is no setting of its own: PATH (where
 * Chromium is looked for), HOME; NULL when unset. */
const char *oo_config_search_path(void);
const char *oo_config_home_dir(void);
/* The value of a recording's {{NAME}} placeholder: a setting by its variable's name
 * (OO_EMAIL, OO_PASSWORD, OO_BASE_URL ... from any layer: flags, environment, files, the
 * password file), else the environment variable NAME; NULL when neither is set. Owned here. */
const char *oo_config_placeholder(const oo_config *c, const char *name);
/* Renders every key as "NAME = value (from where)" lines, password and token masked; caller frees. */
char *oo_config_describe(const oo_config *c);
void oo_config_free(oo_config *c);

/* Child processes. The environment of a child that is not oo-automator (Chromium, oo-sim):
 * ours without any OO_* variable; a NULL-terminated copy to free with oo_config_env_free. Such
 * a child must also not inherit oo_config_handover_fd(): close every descriptor above 2 in it.
 * The engines this program starts itself inherit the environment as it is: the password is
 * never in it, but in the descriptor named by OO_PASSWORD_FD, which they read (see config.c). */
char **oo_config_foreign_env(void);
void oo_config_env_free(char **env);
int oo_config_handover_fd(void);   /* -1 when there is none */
#endif
