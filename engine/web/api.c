/* api: the REST API under /api/ (documented in README.md). Reads go to the store; a new run
 * goes to the run engine's start_run seam after validation here (shape, known parameters, each
 * field's type, bounds and choices from the parameter schemas); pause, resume and cancel write
 * the run's status through the store. Every answer is JSON (but the CSV export and the
 * artifacts); every error is {"error": "..."} with a 4xx or 5xx status. */
#include "web/internal.h"
#include "base/buf.h"
#include "base/util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGS 6

/* ---- helpers ------------------------------------------------------------------------------ */

static int store_error(h2o_req_t *req, const oo_err *err)
{
    return web_send_error(req, err->code == OO_E_INPUT ? 404 : 500, "%s", err->msg);
}

static int send_or_error(h2o_req_t *req, cJSON *v, const oo_err *err)
{
    return v ? web_send_json(req, 200, v) : store_error(req, err);
}

static cJSON *parameters(web_server *w)
{
    cJSON *all = w->parameters_json ? cJSON_Parse(w->parameters_json) : NULL;
    if (!all) {
        all = cJSON_CreateObject();
        cJSON_AddItemToObject(all, "parameters", cJSON_CreateArray());
        cJSON_AddItemToObject(all, "errors", cJSON_CreateArray());
    }
    return all;
}

static const cJSON *find_named(const cJSON *arr, const char *key, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(e, key));
        if (n && !strcmp(n, name)) return e;
    }
    return NULL;
}

static void names_of(oo_buf *b, const cJSON *arr, const char *key)
{
    const cJSON *e;
    int first = 1;
    cJSON_ArrayForEach(e, arr) {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(e, key));
        if (!n) continue;
        oo_buf_printf(b, "%s%s", first ? "" : ", ", n);
        first = 0;
    }
}

/* ---- run spec validation ------------------------------------------------------------------ */

static int is_time(const char *s)
{
    return s && strlen(s) == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' &&
           s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' && (s[0] - '0') * 10 + (s[1] - '0') < 24;
}

/* Checks one field's value against its schema {name, type, min, max, choices}. */
static int check_field(const cJSON *field, const cJSON *v, const char *where, oo_err *err)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(field, "name"));
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(field, "type"));
    if (!type) return 0;
    if (!strcmp(type, "int") || !strcmp(type, "number")) {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return oo_err_set(err, OO_E_INPUT, "%s.%s: expected a number", where, name);
        if (!strcmp(type, "int") && v->valuedouble != floor(v->valuedouble))
            return oo_err_set(err, OO_E_INPUT, "%s.%s: expected a whole number, found %g", where, name, v->valuedouble);
        const cJSON *lo = cJSON_GetObjectItem(field, "min"), *hi = cJSON_GetObjectItem(field, "max");
        if (cJSON_IsNumber(lo) && v->valuedouble < lo->valuedouble)
            return oo_err_set(err, OO_E_INPUT, "%s.%s: %g is below the minimum %g", where, name, v->valuedouble, lo->valuedouble);
        if (cJSON_IsNumber(hi) && v->valuedouble > hi->valuedouble)
            return oo_err_set(err, OO_E_INPUT, "%s.%s: %g is above the maximum %g", where, name, v->valuedouble, hi->valuedouble);
    } else if (!strcmp(type, "choice")) {
        const cJSON *choices = cJSON_GetObjectItem(field, "choices"), *c;
        int ok = 0;
        cJSON_ArrayForEach(c, choices) ok |= cJSON_Compare(c, v, 1);
        if (!ok) {
            oo_buf b;
            oo_buf_init(&b);
            cJSON_ArrayForEach(c, choices) {
                char *t = cJSON_PrintUnformatted(c);
                oo_buf_printf(&b, "%s%s", b.len ? ", " : "", t ? t : "?");
                free(t);
            }
            oo_err_set(err, OO_E_INPUT, "%s.%s: expected one of %s", where, name, b.data ? b.data : "");
            oo_buf_free(&b);
            return -1;
        }
    } else if (!strcmp(type, "time")) {
        if (!is_time(cJSON_GetStringValue(v)))
            return oo_err_set(err, OO_E_INPUT, "%s.%s: expected a time of day \"HH:MM\"", where, name);
    } else if (!strcmp(type, "bool")) {
        if (!cJSON_IsBool(v)) return oo_err_set(err, OO_E_INPUT, "%s.%s: expected true or false", where, name);
    } else if (!strcmp(type, "string")) {
        if (!cJSON_IsString(v)) return oo_err_set(err, OO_E_INPUT, "%s.%s: expected a string", where, name);
    }
    return 0;
}

/* A parameter name and its config, checked against the schemas (when there are any). */
static int check_parameter(const cJSON *schemas, const cJSON *name, const cJSON *config, const char *where, oo_err *err)
{
    if (!cJSON_IsString(name) || !*name->valuestring)
        return oo_err_set(err, OO_E_INPUT, "%s: the parameter's name is missing", where);
    if (config && !cJSON_IsNull(config) && !cJSON_IsObject(config))
        return oo_err_set(err, OO_E_INPUT, "%s.config: expected an object of field values", where);
    if (cJSON_GetArraySize(schemas) == 0) return 0;   /* no schemas known: the run engine checks */
    const cJSON *p = find_named(schemas, "name", name->valuestring);
    if (!p) {
        oo_buf b;
        oo_buf_init(&b);
        names_of(&b, schemas, "name");
        oo_err_set(err, OO_E_INPUT, "%s: unknown parameter \"%.60s\" (known: %s)", where, name->valuestring, b.data ? b.data : "");
        oo_buf_free(&b);
        return -1;
    }
    const cJSON *fields = cJSON_GetObjectItem(p, "fields"), *v;
    char at[160];
    snprintf(at, sizeof at, "%s.config", where);
    cJSON_ArrayForEach(v, config) {
        /* the design's JSON says "end" where Lua (end is reserved) says "stop": both are fine */
        const cJSON *f = find_named(fields, "name", strcmp(v->string, "end") ? v->string : "stop");
        if (!f) {
            oo_buf b;
            oo_buf_init(&b);
            names_of(&b, fields, "name");
            oo_err_set(err, OO_E_INPUT, "%s: unknown field \"%.60s\" of %s (fields: %s)", at, v->string, name->valuestring, b.data ? b.data : "");
            oo_buf_free(&b);
            return -1;
        }
        if (check_field(f, v, at, err) != 0) return -1;
    }
    return 0;
}

/* A grid's parameters: {name: config, ...} or [{name, config}, ...]. */
static int check_grid(const cJSON *schemas, const cJSON *ps, const char *mode, oo_err *err)
{
    if ((!cJSON_IsObject(ps) && !cJSON_IsArray(ps)) || cJSON_GetArraySize(ps) < 1)
        return oo_err_set(err, OO_E_INPUT, "%s.parameters: expected {name: config, ...} or [{name, config}, ...] with at least one parameter", mode);
    int i = 0, rc = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, ps) {
        char where[96];
        i++;
        if (cJSON_IsArray(ps)) {
            snprintf(where, sizeof where, "%s.parameters[%d]", mode, i);
            if (!cJSON_IsObject(e)) return oo_err_set(err, OO_E_INPUT, "%s: expected {name, config}", where);
            rc = check_parameter(schemas, cJSON_GetObjectItem(e, "name"), cJSON_GetObjectItem(e, "config"), where, err);
        } else {
            snprintf(where, sizeof where, "%s.%.60s", mode, e->string);
            cJSON *n = cJSON_CreateString(e->string);
            rc = check_parameter(schemas, n, e, where, err);
            cJSON_Delete(n);
        }
        if (rc) return rc;
    }
    return 0;
}

static int check_metric(const cJSON *v, const char *where, oo_err *err)
{
    static const char *const metrics[] = {"mar", "cagr", "win_percentage", "max_drawdown", "capture_rate", "pl", NULL};
    if (!v) return 0;
    for (int i = 0; metrics[i] && cJSON_IsString(v); i++)
        if (!strcmp(v->valuestring, metrics[i])) return 0;
    return oo_err_set(err, OO_E_INPUT, "%s.optimize_by: expected mar, cagr, win_percentage, max_drawdown, capture_rate or pl", where);
}

/* The run spec of POST /api/runs: 0, or -1 with err naming what and where. */
static int check_spec(web_server *w, const cJSON *spec, oo_err *err)
{
    if (!cJSON_IsObject(spec)) return oo_err_set(err, OO_E_INPUT, "the run spec must be a JSON object");
    cJSON *all = parameters(w);
    const cJSON *schemas = cJSON_GetObjectItem(all, "parameters");
    int rc = -1;
    const cJSON *mode = cJSON_GetObjectItem(spec, "mode");
    const cJSON *tid = cJSON_GetObjectItem(spec, "test_id"), *turl = cJSON_GetObjectItem(spec, "test_url");
    const cJSON *name = cJSON_GetObjectItem(spec, "name"), *browsers = cJSON_GetObjectItem(spec, "browsers");
    const cJSON *fixed = cJSON_GetObjectItem(spec, "fixed");
    if (!cJSON_IsString(mode) || !*mode->valuestring) {
        oo_err_set(err, OO_E_INPUT, "mode: expected \"sweep\", \"grid\", \"staged\", \"refine\", \"optimize\" or \"halving\"");
    } else if ((tid && turl) || (!tid && !turl)) {
        oo_err_set(err, OO_E_INPUT, "give the test as test_id (a saved test) or test_url (an OptionOmega test URL)");
    } else if (tid && (!cJSON_IsNumber(tid) || tid->valuedouble < 1 || tid->valuedouble != floor(tid->valuedouble))) {
        oo_err_set(err, OO_E_INPUT, "test_id: expected the id of a saved test");
    } else if (turl && (!cJSON_IsString(turl) || strlen(turl->valuestring) > 2048 ||
                        (strncmp(turl->valuestring, "https://", 8) && strncmp(turl->valuestring, "http://", 7)))) {
        oo_err_set(err, OO_E_INPUT, "test_url: expected the test's URL (http:// or https://)");
    } else if (name && !cJSON_IsNull(name) && (!cJSON_IsString(name) || strlen(name->valuestring) > 200)) {
        oo_err_set(err, OO_E_INPUT, "name: expected a string of at most 200 characters");
    } else if (browsers && (!cJSON_IsNumber(browsers) || browsers->valuedouble < 1 || browsers->valuedouble > 8 ||
                            browsers->valuedouble != floor(browsers->valuedouble))) {
        oo_err_set(err, OO_E_INPUT, "browsers: expected a whole number from 1 to 8");
    } else if (fixed && !cJSON_IsObject(fixed)) {
        oo_err_set(err, OO_E_INPUT, "fixed: expected an object of parameter values");
    } else if (!strcmp(mode->valuestring, "sweep")) {
        rc = check_parameter(schemas, cJSON_GetObjectItem(spec, "parameter"), cJSON_GetObjectItem(spec, "config"), "sweep", err);
    } else if (!strcmp(mode->valuestring, "grid")) {
        rc = check_grid(schemas, cJSON_GetObjectItem(spec, "parameters"), "grid", err);
    } else if (!strcmp(mode->valuestring, "refine") || !strcmp(mode->valuestring, "optimize") ||
               !strcmp(mode->valuestring, "halving")) {
        /* the searches take a grid's or a sweep's parameters; their own options (budget, seed,
         * period, optimize_by) are checked by the mode itself (lua/modes/) when the run is made */
        if (cJSON_GetObjectItem(spec, "parameters"))
            rc = check_grid(schemas, cJSON_GetObjectItem(spec, "parameters"), mode->valuestring, err);
        else
            rc = check_parameter(schemas, cJSON_GetObjectItem(spec, "parameter"), cJSON_GetObjectItem(spec, "config"),
                                 mode->valuestring, err);
    } else if (!strcmp(mode->valuestring, "staged")) {
        const cJSON *stages = cJSON_GetObjectItem(spec, "stages"), *st;
        if (!cJSON_IsArray(stages) || cJSON_GetArraySize(stages) < 1) {
            oo_err_set(err, OO_E_INPUT, "staged.stages: expected a list of {parameter, config, optimize_by}");
        } else {
            rc = check_metric(cJSON_GetObjectItem(spec, "optimize_by"), "staged", err);
            int i = 0;
            cJSON_ArrayForEach(st, stages) {
                if (rc) break;
                char where[64];
                snprintf(where, sizeof where, "staged.stages[%d]", ++i);
                if (!cJSON_IsObject(st)) { rc = oo_err_set(err, OO_E_INPUT, "%s: expected {parameter, config}", where); break; }
                const cJSON *p = cJSON_GetObjectItem(st, "parameter");
                if ((rc = check_parameter(schemas, p, cJSON_GetObjectItem(st, "config"), where, err))) break;
                if ((rc = check_metric(cJSON_GetObjectItem(st, "optimize_by"), where, err))) break;
                const cJSON *from = cJSON_GetObjectItem(st, "use_best_from"), *prev;
                if (from && !cJSON_IsNull(from)) {
                    int seen = 0, j = 0;
                    cJSON_ArrayForEach(prev, stages) {
                        if (++j >= i) break;
                        seen |= cJSON_IsString(from) && cJSON_Compare(cJSON_GetObjectItem(prev, "parameter"), from, 1);
                    }
                    if (!seen) { rc = oo_err_set(err, OO_E_INPUT, "%s.use_best_from: not the parameter of an earlier stage", where); break; }
                }
                const cJSON *prev2;
                int j = 0;
                cJSON_ArrayForEach(prev2, stages) {
                    if (++j >= i) break;
                    if (cJSON_Compare(cJSON_GetObjectItem(prev2, "parameter"), p, 1)) {
                        rc = oo_err_set(err, OO_E_INPUT, "%s: parameter \"%s\" already has a stage", where, p->valuestring);
                        break;
                    }
                }
            }
        }
    } else {
        oo_err_set(err, OO_E_INPUT, "mode: unknown mode \"%.40s\" (the dashboard starts sweep, grid, staged, refine, optimize and halving runs)", mode->valuestring);
    }
    if (rc == 0 && tid) {
        cJSON *t = store_test_get(w->store, (int64_t)tid->valuedouble, err);
        if (!t) rc = -1;
        cJSON_Delete(t);
    }
    cJSON_Delete(all);
    return rc;
}

static int post_run(web_server *w, h2o_req_t *req)
{
    cJSON *spec = web_body_json(req);
    if (!spec) return 0;
    oo_err err = {0};
    int rc;
    if (check_spec(w, spec, &err) != 0) {
        rc = web_send_error(req, err.code == OO_E_INPUT || err.code == OO_E_USAGE ? 400 : 500, "%s", err.msg);
    } else if (!w->start_run) {
        rc = web_send_error(req, 503, "this server has no run engine: start runs with `oo-automator run`, "
                                      "or serve the dashboard from the process that runs them");
    } else {
        int64_t id = w->start_run(w->start_run_ud, spec, &err);
        if (id <= 0) {
            int input = err.code == OO_E_INPUT || err.code == OO_E_USAGE || err.code == OO_E_SCRIPT;
            rc = web_send_error(req, input ? 400 : 500, "%s", err.msg[0] ? err.msg : "the run could not be started");
        } else {
            char loc[64];
            snprintf(loc, sizeof loc, "/api/runs/%lld", (long long)id);
            web_add_header(req, "location", loc);
            cJSON *run = store_run_get(w->store, id, &err);
            if (!run) {
                run = cJSON_CreateObject();
                cJSON_AddNumberToObject(run, "id", (double)id);
            }
            rc = web_send_json(req, 201, run);
        }
    }
    cJSON_Delete(spec);
    return rc;
}

/* POST /api/estimate: what a spec would run and how long it would take, before it starts. */
static int post_estimate(web_server *w, h2o_req_t *req)
{
    if (!web_method_is(req, "POST")) return web_send_405(req, "POST");
    if (!w->estimate) return web_send_error(req, 503, "this server has no run engine to estimate runs with");
    cJSON *spec = web_body_json(req);
    if (!spec) return 0;
    oo_err err = {0};
    int rc;
    cJSON *e = cJSON_IsObject(spec) ? w->estimate(w->start_run_ud, spec, &err) : NULL;
    if (!cJSON_IsObject(spec)) rc = web_send_error(req, 400, "the run spec must be a JSON object");
    else if (!e) {
        int input = err.code == OO_E_INPUT || err.code == OO_E_USAGE || err.code == OO_E_SCRIPT;
        rc = web_send_error(req, input ? 400 : 500, "%s", err.msg[0] ? err.msg : "the run could not be estimated");
    } else rc = web_send_json(req, 200, e);
    cJSON_Delete(spec);
    return rc;
}

/* ---- runs ---------------------------------------------------------------------------------- */

static int list_runs(web_server *w, h2o_req_t *req)
{
    static const char *const statuses[] = {"pending", "running", "paused", "completed", "failed", "cancelled", NULL};
    store_run_filter f = {0};
    const char *v;
    if ((v = web_query(req, "test_id")) && *v && !(f.test_id = web_parse_id(v)))
        return web_send_error(req, 400, "test_id: expected a test's id");
    if ((v = web_query(req, "status")) && *v) {
        int ok = 0;
        for (int i = 0; statuses[i]; i++) ok |= !strcmp(v, statuses[i]);
        if (!ok) return web_send_error(req, 400, "status: expected pending, running, paused, completed, failed or cancelled");
        f.status = v;
    }
    if ((v = web_query(req, "mode")) && *v) {
        if (strlen(v) > 40) return web_send_error(req, 400, "mode: too long");
        f.mode = v;
    }
    if ((v = web_query(req, "search")) && *v) {
        if (strlen(v) > 200) return web_send_error(req, 400, "search: at most 200 characters");
        f.search = v;
    }
    if ((v = web_query(req, "limit")) && *v) {
        int64_t n = web_parse_id(v);
        if (n < 1 || n > 1000) return web_send_error(req, 400, "limit: expected 1 to 1000");
        f.limit = (int)n;
    }
    if ((v = web_query(req, "offset")) && *v) {
        int64_t n = strcmp(v, "0") ? web_parse_id(v) : 0;
        if ((n <= 0 && strcmp(v, "0")) || n > 100000000) return web_send_error(req, 400, "offset: expected a whole number");
        f.offset = (int)n;
    }
    oo_err err = {0};
    return send_or_error(req, store_runs_list(w->store, &f, &err), &err);
}

static int run_control(web_server *w, h2o_req_t *req, int64_t id, const char *action)
{
    if (!web_method_is(req, "POST")) return web_send_405(req, "POST");
    oo_err err = {0};
    cJSON *run = store_run_get(w->store, id, &err);
    if (!run) return store_error(req, &err);
    char st[32];
    snprintf(st, sizeof st, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")) ? cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")) : "");
    const char *to = NULL, *from_ok = NULL;
    int already = 0;
    if (!strcmp(action, "pause")) {
        to = "paused";
        from_ok = "a pending or running run can be paused";
        already = !strcmp(st, "paused");
        if (!already && strcmp(st, "pending") && strcmp(st, "running")) to = NULL;
    } else if (!strcmp(action, "resume")) {
        to = "running";
        from_ok = "a paused run can be resumed";
        already = !strcmp(st, "running");
        if (!already && strcmp(st, "paused")) to = NULL;
    } else {
        to = "cancelled";
        from_ok = "a pending, running or paused run can be cancelled";
        already = !strcmp(st, "cancelled");
        if (!already && strcmp(st, "pending") && strcmp(st, "running") && strcmp(st, "paused")) to = NULL;
    }
    cJSON_Delete(run);
    if (!to) return web_send_error(req, 409, "run %lld is %s: only %s", (long long)id, st, from_ok);
    if (!already && store_run_set_status(w->store, id, to, NULL, &err) != 0) return web_send_error(req, 500, "%s", err.msg);
    return send_or_error(req, store_run_get(w->store, id, &err), &err);
}

/* CSV, as `oo-automator export` writes it: task, stage, status, each parameter, each metric. */
static void csv_field(oo_buf *b, const char *s)
{
    /* a spreadsheet must not take a value for a formula */
    int formula = s[0] == '=' || s[0] == '+' || s[0] == '@';
    if (!formula && !strpbrk(s, ",\"\n\r")) { oo_buf_puts(b, s); return; }
    oo_buf_putc(b, '"');
    if (formula) oo_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"') oo_buf_putc(b, '"');
        oo_buf_putc(b, *s);
    }
    oo_buf_putc(b, '"');
}

static void csv_value(oo_buf *b, const cJSON *v)
{
    if (cJSON_IsNumber(v)) oo_buf_printf(b, "%.10g", v->valuedouble);
    else if (cJSON_IsString(v)) csv_field(b, v->valuestring);
    else if (cJSON_IsBool(v)) oo_buf_puts(b, cJSON_IsTrue(v) ? "true" : "false");
    else if (v && !cJSON_IsNull(v)) {
        char *t = cJSON_PrintUnformatted(v);
        csv_field(b, t ? t : "");
        free(t);
    }
}

static const char *const metric_cols[] = {"pl", "cagr", "max_drawdown", "mar", "win_percentage",
    "capture_rate", "total_premium", "starting_capital", "ending_capital", "trades_count", "winners",
    "avg_per_trade", "avg_winner", "avg_loser", "max_winner", "max_loser", "avg_minutes_in_trade", NULL};

static int export_csv(web_server *w, h2o_req_t *req, int64_t id)
{
    oo_err err = {0};
    cJSON *run = store_run_get(w->store, id, &err);
    if (!run) return store_error(req, &err);
    cJSON_Delete(run);
    cJSON *tasks = store_run_tasks(w->store, id, &err);
    if (!tasks) return store_error(req, &err);
    cJSON *params = cJSON_CreateArray();
    const cJSON *t, *v, *p;
    cJSON_ArrayForEach(t, tasks) {
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(t, "values")) {
            int seen = 0;
            cJSON_ArrayForEach(p, params) seen |= !strcmp(p->valuestring, v->string);
            if (!seen) cJSON_AddItemToArray(params, cJSON_CreateString(v->string));
        }
    }
    oo_buf b;
    oo_buf_init(&b);
    oo_buf_puts(&b, "task_id,stage,status");
    cJSON_ArrayForEach(p, params) { oo_buf_putc(&b, ','); csv_field(&b, p->valuestring); }
    for (int i = 0; metric_cols[i]; i++) oo_buf_printf(&b, ",%s", metric_cols[i]);
    oo_buf_putc(&b, '\n');
    cJSON_ArrayForEach(t, tasks) {
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(t, "status"));
        oo_buf_printf(&b, "%.0f,%.0f,%s", cJSON_GetNumberValue(cJSON_GetObjectItem(t, "id")),
                      cJSON_GetNumberValue(cJSON_GetObjectItem(t, "stage")), st ? st : "");
        const cJSON *vals = cJSON_GetObjectItem(t, "values");
        cJSON_ArrayForEach(p, params) { oo_buf_putc(&b, ','); csv_value(&b, cJSON_GetObjectItem(vals, p->valuestring)); }
        for (int i = 0; metric_cols[i]; i++) { oo_buf_putc(&b, ','); csv_value(&b, cJSON_GetObjectItem(t, metric_cols[i])); }
        oo_buf_putc(&b, '\n');
    }
    cJSON_Delete(params);
    cJSON_Delete(tasks);
    char disp[80];
    snprintf(disp, sizeof disp, "attachment; filename=\"run-%lld.csv\"", (long long)id);
    web_add_header(req, "content-disposition", disp);
    web_send(req, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len);
    oo_buf_free(&b);
    return 0;
}

static int run_routes(web_server *w, h2o_req_t *req, char **seg, int nseg)
{
    if (nseg == 1) {
        if (web_method_is(req, "GET")) return list_runs(w, req);
        if (web_method_is(req, "POST")) return post_run(w, req);
        return web_send_405(req, "GET, POST");
    }
    int64_t id = web_parse_id(seg[1]);
    if (!id) return web_send_error(req, 404, "no run \"%.40s\": runs are numbered", seg[1]);
    if (nseg == 3 && (!strcmp(seg[2], "pause") || !strcmp(seg[2], "resume") || !strcmp(seg[2], "cancel")))
        return run_control(w, req, id, seg[2]);
    if (nseg > 3) return web_send_error(req, 404, "no such API: see README.md, REST API");
    if (!web_method_is(req, "GET")) return web_send_405(req, "GET");
    oo_err err = {0};
    if (nseg == 2) return send_or_error(req, store_run_get(w->store, id, &err), &err);
    if (!strcmp(seg[2], "export.csv")) return export_csv(w, req, id);
    cJSON *run = store_run_get(w->store, id, &err);   /* 404 for a run that does not exist */
    if (!run) return store_error(req, &err);
    cJSON_Delete(run);
    if (!strcmp(seg[2], "results")) return send_or_error(req, store_run_results(w->store, id, &err), &err);
    if (!strcmp(seg[2], "tasks")) return send_or_error(req, store_run_tasks(w->store, id, &err), &err);
    if (!strcmp(seg[2], "failures")) return send_or_error(req, store_failures_list(w->store, id, &err), &err);
    if (!strcmp(seg[2], "analysis")) return web_analysis(w, req, "run", id);
    return web_send_error(req, 404, "no such API: see README.md, REST API");
}

/* ---- tests --------------------------------------------------------------------------------- */

static int test_routes(web_server *w, h2o_req_t *req, char **seg, int nseg)
{
    oo_err err = {0};
    if (nseg == 1) {
        if (!web_method_is(req, "GET")) return web_send_405(req, "GET");
        return send_or_error(req, store_tests_list(w->store, 0, &err), &err);
    }
    int64_t id = web_parse_id(seg[1]);
    if (!id || nseg > 2) return web_send_error(req, 404, "no test \"%.40s\"", seg[1]);
    if (web_method_is(req, "GET")) return send_or_error(req, store_test_get(w->store, id, &err), &err);
    if (web_method_is(req, "DELETE")) {
        if (store_test_delete(w->store, id, &err) != 0) return store_error(req, &err);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)id);
        cJSON_AddTrueToObject(o, "deleted");
        return web_send_json(req, 200, o);
    }
    if (web_method_is(req, "PATCH") || web_method_is(req, "PUT")) {
        cJSON *body = web_body_json(req);
        if (!body) return 0;
        const cJSON *name = cJSON_GetObjectItem(body, "name");
        int rc;
        if (!cJSON_IsObject(body) || !name || (!cJSON_IsString(name) && !cJSON_IsNull(name)))
            rc = web_send_error(req, 400, "expected {\"name\": \"a new name\"} (null clears it)");
        else if (cJSON_IsString(name) && strlen(name->valuestring) > 200)
            rc = web_send_error(req, 400, "name: at most 200 characters");
        else if (store_test_rename(w->store, id, cJSON_GetStringValue(name), &err) != 0)
            rc = store_error(req, &err);
        else
            rc = send_or_error(req, store_test_get(w->store, id, &err), &err);
        cJSON_Delete(body);
        return rc;
    }
    return web_send_405(req, "GET, PATCH, PUT, DELETE");
}

/* ---- the rest ------------------------------------------------------------------------------ */

static int health(web_server *w, h2o_req_t *req)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddTrueToObject(o, "ok");
    cJSON_AddStringToObject(o, "version", oo_version());
    cJSON_AddNumberToObject(o, "last_event_id", (double)w->last_event_id);
    cJSON_AddNumberToObject(o, "ws_clients", w->nclients);
    cJSON_AddBoolToObject(o, "run_engine", w->start_run != NULL);
    cJSON_AddBoolToObject(o, "token_required", w->token != NULL);
    return web_send_json(req, 200, o);
}

static int events(web_server *w, h2o_req_t *req)
{
    const char *a = web_query(req, "after"), *l = web_query(req, "limit");
    int64_t after = 0, limit = 500;
    if (a && strcmp(a, "0") && !(after = web_parse_id(a))) return web_send_error(req, 400, "after: expected an event id");
    if (l && ((limit = web_parse_id(l)) < 1 || limit > 1000)) return web_send_error(req, 400, "limit: expected 1 to 1000");
    oo_err err = {0};
    return send_or_error(req, store_events_after(w->store, after, (int)limit, &err), &err);
}

int web_api(web_server *w, h2o_req_t *req, const char *path)
{
    char *copy = h2o_mem_alloc_pool(&req->pool, strlen(path) + 1);
    strcpy(copy, path);
    char *seg[MAX_SEGS + 1];
    int nseg = 0;
    for (char *save = NULL, *s = strtok_r(copy + 4, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
        if (nseg == MAX_SEGS) return web_send_error(req, 404, "no such API: see README.md, REST API");
        seg[nseg++] = s;
    }
    if (nseg == 0) return web_send_error(req, 404, "no such API: see README.md, REST API");
    oo_err err = {0};
    if (!strcmp(seg[0], "runs")) return run_routes(w, req, seg, nseg);
    if (!strcmp(seg[0], "tests")) return test_routes(w, req, seg, nseg);
    if (!strcmp(seg[0], "settings") && nseg == 1) return web_settings(w, req);
    if (!strcmp(seg[0], "estimate") && nseg == 1) return post_estimate(w, req);
    if (!strcmp(seg[0], "failures") && nseg == 3) {
        int64_t id = web_parse_id(seg[1]);
        if (!id) return web_send_error(req, 404, "no failure \"%.40s\"", seg[1]);
        return web_artifact(w, req, id, seg[2]);
    }
    if (!web_method_is(req, "GET")) {
        int known = nseg <= 3 && (!strcmp(seg[0], "health") || !strcmp(seg[0], "parameters") ||
                                  !strcmp(seg[0], "events") || !strcmp(seg[0], "results"));
        return known ? web_send_405(req, "GET") : web_send_error(req, 404, "no such API: see README.md, REST API");
    }
    if (!strcmp(seg[0], "health") && nseg == 1) return health(w, req);
    if (!strcmp(seg[0], "parameters") && nseg == 1) return web_send_json(req, 200, parameters(w));
    if (!strcmp(seg[0], "events") && nseg == 1) return events(w, req);
    if (!strcmp(seg[0], "results") && nseg == 3 && !strcmp(seg[2], "trades")) {
        int64_t id = web_parse_id(seg[1]);
        if (!id) return web_send_error(req, 404, "no result \"%.40s\"", seg[1]);
        return send_or_error(req, store_result_trades(w->store, id, &err), &err);
    }
    if (!strcmp(seg[0], "results") && nseg == 3 && !strcmp(seg[2], "analysis")) {
        int64_t id = web_parse_id(seg[1]);
        if (!id) return web_send_error(req, 404, "no result \"%.40s\"", seg[1]);
        return web_analysis(w, req, "result", id);
    }
    return web_send_error(req, 404, "no such API: see README.md, REST API");
}
