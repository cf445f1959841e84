/* settings: GET and PUT /api/settings. The keys below live in the store's settings table; the
 * password lives in <data_dir>/password (mode 0600, written atomically), is never stored in the
 * database and never sent back: GET only says whether one is set. */
#include "web/internal.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum { S_STRING, S_INT, S_BOOL } setting_type;
static const struct { const char *key; setting_type type; long lo, hi; const char *help; } settings[] = {
    {"email", S_STRING, 0, 254, "the OptionOmega login"},
    {"browsers", S_INT, 1, 8, "browsers working at once"},
    {"headless", S_BOOL, 0, 1, "run Chromium without windows"},
    {"timeout_s", S_INT, 5, 3600, "seconds one backtest may take"},
    {"rate_limit", S_INT, 0, 10000, "backtests per minute at most (0 = no limit)"},
    {NULL, 0, 0, 0, NULL},
};

char *web_password_path(const char *data_dir) { return oo_path_join(data_dir, OO_PASSWORD_FILE); }

static int password_set(const web_server *w)
{
    if (!w->data_dir) return 0;
    char *p = web_password_path(w->data_dir);
    struct stat st;
    int set = stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
    free(p);
    return set;
}

static int write_password(const web_server *w, const char *pw, oo_err *err)
{
    char *path = web_password_path(w->data_dir);
    int rc = 0;
    if (!pw || !*pw) {
        if (unlink(path) != 0 && errno != ENOENT)
            rc = oo_err_set(err, OO_E_IO, "cannot remove %s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    char *tmp = oo_asprintf("%s/.password.XXXXXX", w->data_dir);
    int fd = mkstemp(tmp);              /* created 0600 */
    size_t len = strlen(pw);
    if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, pw, len) != (ssize_t)len || fsync(fd) != 0) {
        rc = oo_err_set(err, OO_E_IO, "cannot write the password file in %s: %s", w->data_dir, strerror(errno));
        if (fd >= 0) unlink(tmp);
    } else if (rename(tmp, path) != 0) {
        rc = oo_err_set(err, OO_E_IO, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    if (fd >= 0) close(fd);
    free(tmp);
    free(path);
    return rc;
}

static cJSON *typed(setting_type t, const char *v)
{
    if (t == S_INT) return cJSON_CreateNumber(atof(v));
    if (t == S_BOOL) return cJSON_CreateBool(!strcmp(v, "1") || !strcmp(v, "true"));
    return cJSON_CreateString(v);
}

static int send_settings(web_server *w, h2o_req_t *req)
{
    oo_err err = {0};
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; settings[i].key; i++) {
        char *v = store_setting_get(w->store, settings[i].key, &err);
        if (err.code) {
            free(v);
            cJSON_Delete(o);
            return web_send_error(req, 500, "%s", err.msg);
        }
        cJSON *d = cJSON_GetObjectItem(w->settings_defaults, settings[i].key);
        cJSON_AddItemToObject(o, settings[i].key, v ? typed(settings[i].type, v) : d ? cJSON_Duplicate(d, 1) : cJSON_CreateNull());
        free(v);
    }
    cJSON_AddBoolToObject(o, "password_set", password_set(w));
    return web_send_json(req, 200, o);
}

/* The value to store for one key ("" for null = back to the default), or NULL with err. */
static char *check_value(int i, const cJSON *v, oo_err *err)
{
    const char *k = settings[i].key;
    if (cJSON_IsNull(v)) return oo_strdup("");
    switch (settings[i].type) {
    case S_STRING:
        if (!cJSON_IsString(v)) break;
        if (strlen(v->valuestring) > (size_t)settings[i].hi) {
            oo_err_set(err, OO_E_INPUT, "%s: at most %ld characters", k, settings[i].hi);
            return NULL;
        }
        for (const char *p = v->valuestring; *p; p++)
            if ((unsigned char)*p < 0x20) { oo_err_set(err, OO_E_INPUT, "%s: no control characters", k); return NULL; }
        if (!strcmp(k, "email") && *v->valuestring && !strchr(v->valuestring, '@')) {
            oo_err_set(err, OO_E_INPUT, "email: \"%.80s\" is not an email address", v->valuestring);
            return NULL;
        }
        return oo_strdup(v->valuestring);
    case S_INT:
        if (!cJSON_IsNumber(v)) break;
        if (v->valuedouble != floor(v->valuedouble) || v->valuedouble < settings[i].lo || v->valuedouble > settings[i].hi) {
            oo_err_set(err, OO_E_INPUT, "%s: a whole number from %ld to %ld (%s)", k, settings[i].lo, settings[i].hi, settings[i].help);
            return NULL;
        }
        return oo_asprintf("%ld", (long)v->valuedouble);
    case S_BOOL:
        if (!cJSON_IsBool(v)) break;
        return oo_strdup(cJSON_IsTrue(v) ? "1" : "0");
    }
    oo_err_set(err, OO_E_INPUT, "%s: expected %s", k,
               settings[i].type == S_STRING ? "a string" : settings[i].type == S_INT ? "a number" : "true or false");
    return NULL;
}

static int put_settings(web_server *w, h2o_req_t *req)
{
    cJSON *body = web_body_json(req);
    if (!body) return 0;
    oo_err err = {0};
    int n = 0;
    for (int i = 0; settings[i].key; i++) n++;
    char **vals = oo_calloc((size_t)n, sizeof *vals);
    const cJSON *pw = NULL, *item;
    int bad = !cJSON_IsObject(body);
    if (bad) oo_err_set(&err, OO_E_INPUT, "the body must be a JSON object of settings");
    cJSON_ArrayForEach(item, body) {
        if (bad) break;
        if (!strcmp(item->string, "password")) {
            if (!cJSON_IsNull(item) && !cJSON_IsString(item)) { bad = oo_err_set(&err, OO_E_INPUT, "password: expected a string (null clears it)"); break; }
            if (cJSON_IsString(item) && (strlen(item->valuestring) > 1024 || strpbrk(item->valuestring, "\r\n"))) { bad = oo_err_set(&err, OO_E_INPUT, "password: one line of at most 1024 characters"); break; }
            pw = item;
            continue;
        }
        if (!strcmp(item->string, "password_set")) continue;   /* what GET answered, sent back */
        int found = -1;
        for (int i = 0; settings[i].key; i++)
            if (!strcmp(item->string, settings[i].key)) found = i;
        if (found < 0) {
            oo_buf known;
            oo_buf_init(&known);
            for (int i = 0; settings[i].key; i++) oo_buf_printf(&known, "%s, ", settings[i].key);
            bad = oo_err_set(&err, OO_E_INPUT, "unknown setting \"%.60s\" (known: %spassword)", item->string, known.data);
            oo_buf_free(&known);
            break;
        }
        free(vals[found]);
        if (!(vals[found] = check_value(found, item, &err))) { bad = 1; break; }
    }
    int rc;
    if (bad) {
        rc = web_send_error(req, 400, "%s", err.msg);
    } else if (pw && !w->data_dir) {
        rc = web_send_error(req, 500, "the server has no data directory to keep the password in");
    } else {
        int ok = store_begin(w->store, &err) == 0;
        for (int i = 0; ok && settings[i].key; i++)
            if (vals[i]) ok = store_setting_set(w->store, settings[i].key, *vals[i] ? vals[i] : NULL, &err) == 0;
        if (ok) ok = store_commit(w->store, &err) == 0;
        else store_rollback(w->store);
        if (ok && pw) ok = write_password(w, cJSON_GetStringValue(pw), &err) == 0;
        rc = ok ? send_settings(w, req) : web_send_error(req, 500, "%s", err.msg);
    }
    for (int i = 0; i < n; i++) free(vals[i]);
    free(vals);
    cJSON_Delete(body);
    return rc;
}

int web_settings(web_server *w, h2o_req_t *req)
{
    if (web_method_is(req, "GET")) return send_settings(w, req);
    if (web_method_is(req, "PUT") || web_method_is(req, "PATCH")) return put_settings(w, req);
    return web_send_405(req, "GET, PUT, PATCH");
}
