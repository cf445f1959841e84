/* record-check: which selectors of a recording still resolve. The C side checks the file (the
 * recording parser's one clear error, exit 2) and the flags, then runs the Lua that knows the
 * site (lua/oo/record_check.lua): it replays the recording step by step, probing every
 * alternative selector, and stops before a step that would run a backtest. Exit 0 when every
 * selector of every step reached resolved, 1 otherwise, 2 for usage errors. */
#include "cli/commands.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include "replay/recording.h"
#include "script/script.h"
#include "script/sched.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cli_record_check_opts[] = {
    {"url", 0, "URL", "start from this page (after logging in) instead of where the recording starts"},
    {"login", 0, "FILE", "the login recording replayed first (default: login.json next to FILE)"},
    {"timeout", 0, "MS", "wait at most MS for a step's element (default: the step's own timeout)"},
    {"headed", 0, NULL, "show the browser window"},
    {0},
};

/* A recording given on the command line: parsed now, so a bad one is refused before any browser
 * starts, with the parser's message (file, JSON path, what was expected). */
static int check_recording(const char *flag, const char *file)
{
    oo_err err = {0};
    if (!oo_file_exists(file)) {
        fprintf(stderr, "oo-automator: record-check: %s%s%s: no such file (give the path of a Chrome DevTools Recorder export)\n",
                flag ? flag : "", flag ? " " : "", file);
        return 2;
    }
    recording *rec = recording_load(file, &err);
    if (!rec) {
        fprintf(stderr, "oo-automator: record-check: %s%s%s\n", flag ? flag : "", flag ? " " : "", err.msg);
        return 2;
    }
    recording_free(rec);
    return 0;
}

static void push_arg(char **argv, int *argc, const char *key, const char *value)
{
    if (value) argv[(*argc)++] = oo_asprintf("%s=%s", key, value);
}

static int run_check(cli_args *a, const char *file);

/* The timing baselines of the recording's steps from the runs in the database, as JSON (NULL
 * when there is no database yet or it has none): record-check flags steps far slower. */
static char *baselines_json(const char *file)
{
    const char *db = oo_config_get(oo_cfg(), OO_CFG_DB_PATH);
    if (!db || !oo_file_exists(db)) return NULL;
    oo_err err = {0};
    oo_store *s = store_open(db, &err);
    if (!s) return NULL;   /* the check goes on without baselines */
    const char *slash = strrchr(file, '/');
    cJSON *b = store_step_baselines(s, slash ? slash + 1 : file, 0, 0, &err);
    store_close(s);
    char *txt = b && cJSON_GetArraySize(b) > 0 ? cJSON_PrintUnformatted(b) : NULL;
    cJSON_Delete(b);
    return txt;
}

/* A bare name ("login.json") that is not in the current folder: the one in OO_RECORDINGS, else
 * in the installed recordings/. Returns a path to free, or NULL to use the name as given. */
static char *find_recording(const char *name)
{
    if (oo_file_exists(name) || strchr(name, '/')) return NULL;
    const char *dir = oo_config_get(oo_cfg(), OO_CFG_RECORDINGS);
    char *p = dir && *dir ? oo_path_join(dir, name) : NULL;
    if (p && oo_file_exists(p)) return p;
    free(p);
    char *res = oo_resource_path("recordings");
    p = oo_path_join(res, name);
    free(res);
    if (oo_file_exists(p)) return p;
    free(p);
    return NULL;
}

int cli_cmd_record_check(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    char *found = find_recording(a->pos[0]);
    int status = run_check(a, found ? found : a->pos[0]);
    free(found);
    return status;
}

static int run_check(cli_args *a, const char *file)
{
    const char *url = cli_get(a, "url"), *login = cli_get(a, "login");
    long timeout = 0;
    if (cli_get_int(a, "timeout", 1, 3600000, &timeout) < 0) return 2;
    if (url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8) && strncmp(url, "file://", 7))
        return cli_usage_error("record-check", "--url must start with http:// or https://, found \"%s\"", url);
    int rc = check_recording(NULL, file);
    if (rc == 0 && login) rc = check_recording("--login", login);
    if (rc) return rc;

    char *script = oo_resource_path("lua/oo/record_check.lua");
    if (!oo_file_exists(script)) {
        int r = cli_fail("record-check: %s is missing: reinstall, or point OO_HOME at the source tree", script);
        free(script);
        return r;
    }
    const oo_config *c = oo_cfg();
    char *downloads = oo_asprintf("%s/artifacts/record-check", oo_config_get(c, OO_CFG_DATA_DIR));
    char timeout_s[24];
    snprintf(timeout_s, sizeof timeout_s, "%ld", timeout);
    char *argv[16];
    int argc = 0;
    push_arg(argv, &argc, "file", file);
    push_arg(argv, &argc, "url", url);
    push_arg(argv, &argc, "login", login);
    push_arg(argv, &argc, "timeout", timeout_s);
    push_arg(argv, &argc, "headless", cli_has(a, "headed") ? "0" : oo_config_int(c, OO_CFG_HEADLESS) ? "1" : "0");
    push_arg(argv, &argc, "downloads", downloads);
    push_arg(argv, &argc, "json", oo_cfg()->json ? "1" : NULL);
    push_arg(argv, &argc, "recordings", oo_config_get(c, OO_CFG_RECORDINGS));
    /* the recordings' {{placeholders}} from the configuration (flags, environment, files) */
    push_arg(argv, &argc, "OO_EMAIL", oo_config_get(c, OO_CFG_EMAIL));
    push_arg(argv, &argc, "OO_PASSWORD", oo_config_get(c, OO_CFG_PASSWORD));
    push_arg(argv, &argc, "OO_BASE_URL", oo_config_get(c, OO_CFG_BASE_URL));
    char *baselines = baselines_json(file);
    push_arg(argv, &argc, "baselines", baselines);
    free(baselines);

    oo_err err = {0};
    script_opts so = {.traceback = oo_cfg()->verbose > 1};
    oo_script *s = script_new(&so, &err);
    if (!s) {
        rc = cli_fail("%s", err.msg);
    } else {
        fflush(stdout);
        if (script_run_main(s, script, argc, argv, &err) != 0) rc = cli_fail("record-check: %s", err.msg);
        else rc = sched_main_status(script_state(s));
        script_free(s);
    }
    for (int i = 0; i < argc; i++) free(argv[i]);
    free(downloads);
    free(script);
    return rc < 0 || rc > 255 ? 1 : rc;
}
