/* api: the REST API under /api/ (documented in README.md). Reads go to the store; a new run
 * goes to the run engine's start_run seam, which checks it (the one check of a run spec, in
 * Lua); resume goes to its resume_run seam (an engine for the run); pause and cancel write the
 * run's status through the store. Every answer is JSON (but the CSV export and the
 * artifacts); every error is {"error": "..."} with a 4xx or 5xx status. */
#include "web/internal.h"
#include "base/buf.h"
#include "base/util.h"
#include "base/text.h"
#include "run/run.h"
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

/* A run spec from the body: a JSON object, else NULL once the answer is sent (400, or the
 * body's own error). The caller deletes it. */
static cJSON *spec_body(h2o_req_t *req)
{
    cJSON *spec = web_body_json(req);
    if (spec && !cJSON_IsObject(spec)) {
        web_send_error(req, 400, "the run spec must be a JSON object");
        cJSON_Delete(spec);
        return NULL;
    }
    return spec;
}

/* The run engine's error: 400 for an input error (the message the command line prints), else 500. */
static int send_engine_error(h2o_req_t *req, const oo_err *err, const char *fallback)
{
    int input = err->code == OO_E_INPUT || err->code == OO_E_USAGE;
    return web_send_error(req, input ? 400 : 500, "%s", err->msg[0] ? err->msg : fallback);
}

/* 201 with the run just started (its id at least) and its address. */
static int send_started(web_server *w, h2o_req_t *req, int64_t id)
{
    oo_err err = {0};
    char loc[64];
    snprintf(loc, sizeof loc, "/api/runs/%lld", (long long)id);
    web_add_header(req, "location", loc);
    cJSON *run = store_run_get(w->store, id, &err);
    if (!run) {
        run = cJSON_CreateObject();
        cJSON_AddNumberToObject(run, "id", (double)id);
    }
    return web_send_json(req, 201, run);
}

/* POST /api/runs: the spec goes to the run engine's start_run, which checks it exactly as
 * `oo-automator run` does (one check, in Lua) and answers an input error with the same message
 * the command line prints: 400 here. */
static int post_run(web_server *w, h2o_req_t *req)
{
    cJSON *spec = spec_body(req);
    if (!spec) return 0;
    oo_err err = {0};
    int rc;
    if (!w->start_run) {
        rc = web_send_error(req, 503, "this server has no run engine: start runs with `oo-automator run`, "
                                      "or serve the dashboard from the process that runs them");
    } else {
        int64_t id = w->start_run(w->start_run_ud, spec, &err);
        rc = id <= 0 ? send_engine_error(req, &err, "the run could not be started") : send_started(w, req, id);
    }
    cJSON_Delete(spec);
    return rc;
}

/* POST /api/estimate: what a spec would run and how long it would take, before it starts. The
 * spec is checked by the caller's estimate exactly as POST /api/runs checks it (in Lua): a wrong
 * spec is the same 400 with the same message. */
static int post_estimate(web_server *w, h2o_req_t *req)
{
    if (!web_method_is(req, "POST")) return web_send_405(req, "POST");
    cJSON *spec = spec_body(req);
    if (!spec) return 0;
    oo_err err = {0};
    int rc;
    if (!w->estimate) {
        rc = web_send_error(req, 503, "this server has no run engine to estimate runs with");
    } else {
        cJSON *e = w->estimate(w->start_run_ud, spec, &err);
        rc = e ? web_send_json(req, 200, e) : send_engine_error(req, &err, "the run could not be estimated");
    }
    cJSON_Delete(spec);
    return rc;
}

/* ---- runs ---------------------------------------------------------------------------------- */

static int list_runs(web_server *w, h2o_req_t *req)
{
    static const char *const statuses[] = {"pending", "queued", "running", "interrupted", "paused", "completed", "failed",
                                           "cancelled", NULL};
    store_run_filter f = {0};
    const char *v;
    if ((v = web_query(req, "test_id")) && *v && !(f.test_id = web_parse_id(v)))
        return web_send_error(req, 400, "test_id: expected a test's id");
    if ((v = web_query(req, "status")) && *v) {
        int ok = 0;
        for (int i = 0; statuses[i]; i++) ok |= !strcmp(v, statuses[i]);
        if (!ok) return web_send_error(req, 400, "status: expected pending, queued, running, interrupted, paused, completed, "
                                                 "failed or cancelled");
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

/* POST /api/runs/{id}/resume: a run no engine works (paused, interrupted, failed with work left)
 * gets an engine (the resume_run seam), which takes its turn on the account: the answer is the
 * run, queued or running. A run a live engine works or waits for is left to it. */
static int resume(web_server *w, h2o_req_t *req, int64_t id)
{
    oo_err err = {0};
    cJSON *run = store_run_get(w->store, id, &err);
    if (!run) return store_error(req, &err);
    char st[32];
    snprintf(st, sizeof st, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")) ? cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")) : "");
    if (!strcmp(st, "running") || !strcmp(st, "queued")) return web_send_json(req, 200, run);
    cJSON_Delete(run);
    if (strcmp(st, "paused") && strcmp(st, "interrupted") && strcmp(st, "failed"))
        return web_send_error(req, 409, "run %lld is %s: only a paused, interrupted or failed run can be resumed", (long long)id, st);
    if (!w->resume_run)
        return web_send_error(req, 503, "this server has no run engine: `oo-automator resume --run-id %lld` in a terminal "
                                        "resumes it", (long long)id);
    if (w->resume_run(w->start_run_ud, id, &err) != 0) return web_send_error(req, 500, "%s", err.msg);
    return send_or_error(req, store_run_get(w->store, id, &err), &err);
}

/* POST /api/runs/{id}/retry: the run's failed tasks get one more round (run_retry_failed) and
 * an engine (the resume_run seam) works them. 409 when none failed or a live engine works the
 * run. */
static int retry(web_server *w, h2o_req_t *req, int64_t id)
{
    oo_err err = {0};
    cJSON *run = store_run_get(w->store, id, &err);
    if (!run) return store_error(req, &err);
    cJSON_Delete(run);
    if (!w->resume_run)
        return web_send_error(req, 503, "this server has no run engine: `oo-automator retry --run-id %lld` in a terminal "
                                        "retries them", (long long)id);
    int n = run_retry_failed(w->store, id, &err);
    if (n < 0) return web_send_error(req, err.code == OO_E_INPUT ? 409 : 500, "%s", err.msg);
    if (n == 0) return web_send_error(req, 409, "run %lld has no failed task: nothing to retry", (long long)id);
    if (w->resume_run(w->start_run_ud, id, &err) != 0) return web_send_error(req, 500, "%s", err.msg);
    return send_or_error(req, store_run_get(w->store, id, &err), &err);
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
        from_ok = "a pending, queued, running or interrupted run can be paused";
        already = !strcmp(st, "paused");
        if (!already && strcmp(st, "pending") && strcmp(st, "queued") && strcmp(st, "running") && strcmp(st, "interrupted"))
            to = NULL;
    } else {
        to = "cancelled";
        from_ok = "a pending, queued, running, interrupted or paused run can be cancelled";
        already = !strcmp(st, "cancelled");
        if (!already && strcmp(st, "pending") && strcmp(st, "queued") && strcmp(st, "running") && strcmp(st, "paused") &&
            strcmp(st, "interrupted"))
            to = NULL;
    }
    cJSON_Delete(run);
    if (!to) return web_send_error(req, 409, "run %lld is %s: only %s", (long long)id, st, from_ok);
    if (!already && store_run_set_status(w->store, id, to, NULL, &err) != 0) return web_send_error(req, 500, "%s", err.msg);
    return send_or_error(req, store_run_get(w->store, id, &err), &err);
}

/* The one list of metrics the server was given (an empty list when none). */
static cJSON *metrics(web_server *w)
{
    cJSON *list = w->metrics_json ? cJSON_Parse(w->metrics_json) : NULL;
    return list ? list : cJSON_CreateArray();
}

/* The modes' forms the server was given (an empty list when none): what New Run draws. */
static cJSON *modes(web_server *w)
{
    cJSON *list = w->modes_json ? cJSON_Parse(w->modes_json) : NULL;
    return list ? list : cJSON_CreateArray();
}

/* CSV, as `oo-automator export` writes it (the same writer: run_export_csv). */
static int export_csv(web_server *w, h2o_req_t *req, int64_t id)
{
    oo_err err = {0};
    cJSON *tasks = store_run_tasks(w->store, id, &err);
    if (!tasks) return store_error(req, &err);
    cJSON *list = metrics(w);
    oo_buf b;
    oo_buf_init(&b);
    run_export_csv(tasks, list, &b);
    cJSON_Delete(list);
    cJSON_Delete(tasks);
    char disp[80];
    snprintf(disp, sizeof disp, "attachment; filename=\"run-%lld.csv\"", (long long)id);
    web_add_header(req, "content-disposition", disp);
    web_send(req, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len);
    oo_buf_free(&b);
    return 0;
}

/* GET /api/runs/{id}/events?kind=: the run's own events (stage_best: what each stage carried). */
static int run_events(web_server *w, h2o_req_t *req, int64_t id)
{
    const char *kind = web_query(req, "kind");
    if (kind && (!*kind || strlen(kind) > 40 || strspn(kind, "abcdefghijklmnopqrstuvwxyz_") != strlen(kind)))
        return web_send_error(req, 400, "kind: expected an event kind such as stage_best");
    oo_err err = {0};
    return send_or_error(req, store_run_events(w->store, id, kind, &err), &err);
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
    if (nseg == 3 && !strcmp(seg[2], "resume"))
        return web_method_is(req, "POST") ? resume(w, req, id) : web_send_405(req, "POST");
    if (nseg == 3 && !strcmp(seg[2], "retry"))
        return web_method_is(req, "POST") ? retry(w, req, id) : web_send_405(req, "POST");
    if (nseg == 3 && (!strcmp(seg[2], "pause") || !strcmp(seg[2], "cancel")))
        return run_control(w, req, id, seg[2]);
    if (nseg > 3) return web_send_error(req, 404, "no such API: see README.md, REST API");
    if (!web_method_is(req, "GET")) return web_send_405(req, "GET");
    oo_err err = {0};
    if (nseg == 2) return send_or_error(req, store_run_get(w->store, id, &err), &err);
    cJSON *run = store_run_get(w->store, id, &err);   /* 404 for a run that does not exist */
    if (!run) return store_error(req, &err);
    cJSON_Delete(run);
    if (!strcmp(seg[2], "export.csv")) return export_csv(w, req, id);
    if (!strcmp(seg[2], "events")) return run_events(w, req, id);
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
        else if (cJSON_IsString(name) && oo_text_check_name(name->valuestring, OO_NAME_MAX_CHARS, "name", &err) != 0)
            rc = web_send_error(req, 400, "%s", err.msg);
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
                                  !strcmp(seg[0], "metrics") || !strcmp(seg[0], "modes") || !strcmp(seg[0], "events") ||
                                  !strcmp(seg[0], "results"));
        return known ? web_send_405(req, "GET") : web_send_error(req, 404, "no such API: see README.md, REST API");
    }
    if (!strcmp(seg[0], "health") && nseg == 1) return health(w, req);
    if (!strcmp(seg[0], "parameters") && nseg == 1) return web_send_json(req, 200, parameters(w));
    if (!strcmp(seg[0], "metrics") && nseg == 1) return web_send_json(req, 200, metrics(w));
    if (!strcmp(seg[0], "modes") && nseg == 1) return web_send_json(req, 200, modes(w));
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
