/* lua_replay: Chrome DevTools Recorder recordings in Lua.
 *   browser.recording(path) parses a recording once (the C parser, whose errors name the JSON
 *     path) into an object: rec.file, rec.title, rec.timeout, #rec (its steps), rec:steps() ->
 *     a list of {index, type, target, selectors, frame, timeout, visible, count, operator, url,
 *     value, key, expression}.
 *   page:replay(rec | path, {from, to, vars, timeout, max_timeout, step_timeouts, until_any,
 *     until_timeout}) replays steps [from, to) (0-based, the Recorder's indices) and returns
 *     their durations, {{step = i, type = "click", ms = 12.5}, ...}. timeout is the default of
 *     steps that name none; step_timeouts = {[i] = ms} gives step i a timeout of its own, before
 *     the recording's (timing baselines); max_timeout caps every step's. With until_any =
 *     {target, ...} it then waits (until_timeout, default timeout) until one of the targets is
 *     visible, and returns its 1-based index first, then the durations: "replay until any of
 *     these selectors".
 *   page:evidence(dir, base) keeps what the page shows (replay/evidence.h) and returns the paths
 *     {screenshot, html, console, network_log}.
 * A recording object is shared (counted) between Lua and the replays that use it, so a replay
 * in flight never outlives the recording it reads. */
#include "script/page_internal.h"
#include "script/script.h"
#include "script/sched.h"
#include "base/buf.h"
#include "base/util.h"
#include "replay/evidence.h"
#include "replay/recording.h"
#include "replay/replay.h"
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#define MT_RECORDING "oo.recording"

typedef struct shared_rec { recording *rec; int refs; } shared_rec;
typedef struct { shared_rec *r; } lrec;

static shared_rec *shared_new(recording *rec)
{
    shared_rec *r = oo_calloc(1, sizeof *r);
    r->rec = rec;
    r->refs = 1;
    return r;
}

static void shared_release(shared_rec *r)
{
    if (r && --r->refs == 0) {
        recording_free(r->rec);
        free(r);
    }
}

/* ---- the recording object ------------------------------------------------------------------ */

static void push_recording(lua_State *L, shared_rec *r)
{
    lrec *lr = lua_newuserdatauv(L, sizeof *lr, 0);
    lr->r = r;
    luaL_setmetatable(L, MT_RECORDING);
}

int lp_recording(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    oo_err err = {0};
    recording *rec = recording_load(path, &err);
    if (!rec) return script_error(L, err.code ? err.code : OO_E_INPUT, "%s", err.msg);
    push_recording(L, shared_new(rec));
    return 1;
}

static void set_str(lua_State *L, const char *k, const char *v)
{
    if (!v) return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void push_step(lua_State *L, const rec_step *s)
{
    lua_createtable(L, 0, 10);
    lua_pushinteger(L, s->index);
    lua_setfield(L, -2, "index");
    set_str(L, "type", s->type_name);
    set_str(L, "target", s->target);
    if (s->selectors) {
        script_push_json(L, s->selectors);
        lua_setfield(L, -2, "selectors");
    }
    if (s->timeout > 0) {
        lua_pushinteger(L, s->timeout);
        lua_setfield(L, -2, "timeout");
    }
    if (s->visible >= 0) {
        lua_pushboolean(L, s->visible);
        lua_setfield(L, -2, "visible");
    }
    if (s->frame) {
        script_push_json(L, s->frame);
        lua_setfield(L, -2, "frame");
    }
    if (s->count >= 0) {
        lua_pushinteger(L, s->count);
        lua_setfield(L, -2, "count");
    }
    set_str(L, "operator", s->op);
    set_str(L, "url", s->url);
    set_str(L, "value", s->value);
    set_str(L, "key", s->key);
    set_str(L, "expression", s->expression);
}

static int rec_steps(lua_State *L)
{
    lrec *lr = luaL_checkudata(L, 1, MT_RECORDING);
    const recording *rec = lr->r->rec;
    lua_createtable(L, rec->nsteps, 0);
    for (int i = 0; i < rec->nsteps; i++) {
        push_step(L, &rec->steps[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int rec_index(lua_State *L)
{
    lrec *lr = luaL_checkudata(L, 1, MT_RECORDING);
    const char *k = luaL_checkstring(L, 2);
    if (!strcmp(k, "file")) lua_pushstring(L, lr->r->rec->file);
    else if (!strcmp(k, "title")) lua_pushstring(L, lr->r->rec->title ? lr->r->rec->title : "");
    else if (!strcmp(k, "timeout") && lr->r->rec->timeout > 0) lua_pushinteger(L, lr->r->rec->timeout);
    else if (!strcmp(k, "steps")) lua_pushcfunction(L, rec_steps);
    else lua_pushnil(L);
    return 1;
}

static int rec_len(lua_State *L)
{
    lua_pushinteger(L, ((lrec *)luaL_checkudata(L, 1, MT_RECORDING))->r->rec->nsteps);
    return 1;
}

static int rec_tostring(lua_State *L)
{
    lrec *lr = luaL_checkudata(L, 1, MT_RECORDING);
    lua_pushfstring(L, "recording %s (%d steps)", lr->r->rec->file, lr->r->rec->nsteps);
    return 1;
}

static int rec_gc(lua_State *L)
{
    lrec *lr = luaL_checkudata(L, 1, MT_RECORDING);
    shared_release(lr->r);
    lr->r = NULL;
    return 0;
}

void lp_open_recording(lua_State *L)
{
    if (!luaL_newmetatable(L, MT_RECORDING)) { lua_pop(L, 1); return; }
    static const luaL_Reg m[] = {{"__index", rec_index}, {"__len", rec_len}, {"__tostring", rec_tostring},
                                 {"__gc", rec_gc}, {NULL, NULL}};
    luaL_setfuncs(L, m, 0);
    lua_pop(L, 1);
}

/* ---- page:replay ------------------------------------------------------------------------------ */

typedef struct replay_job {
    wait *w;
    shared_rec *r;
    cJSON *vars;
    cJSON *times;          /* the durations of the steps that passed: [{step, type, ms}] */
    int *timeouts;         /* step_timeouts by step index (the recording's length), or NULL */
    cJSON *until;          /* {selectors: every alternative of the until_any targets, in order} */
    int *group;            /* alternative (0-based) -> its target's 1-based index */
    int until_ms;
} replay_job;

static void job_free(replay_job *j)
{
    shared_release(j->r);
    cJSON_Delete(j->vars);
    cJSON_Delete(j->times);
    free(j->timeouts);
    cJSON_Delete(j->until);
    free(j->group);
    free(j);
}

static void on_replay_step(void *ud, const rec_step *s, int phase, const char *msg, double ms)
{
    (void)msg;
    replay_job *j = ud;
    if (phase != 1) return;
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "step", (double)(s - j->r->rec->steps));
    cJSON_AddStringToObject(t, "type", s->type_name);
    cJSON_AddNumberToObject(t, "ms", ms);
    cJSON_AddItemToArray(j->times, t);
}

/* What the Lua call returns (R_REPLAY): {times} or, after until_any, {which, times}. */
static cJSON *answer_of(replay_job *j, int which)
{
    cJSON *a = cJSON_CreateObject();
    if (which > 0) cJSON_AddNumberToObject(a, "which", which);
    cJSON_AddItemToObject(a, "times", j->times);
    j->times = NULL;
    return a;
}

/* The target whose alternative showed up: {value = its 1-based index}. */
static void on_until(void *ud, cJSON *v, const oo_err *err)
{
    replay_job *j = ud;
    wait *w = j->w;
    if (err) {
        oo_err named = {0};
        oo_err_set(&named, err->code, "%s: after its steps, none of the awaited elements showed: %s", j->r->rec->file, err->msg);
        job_free(j);
        lp_wait_done(w, NULL, &named, NULL);
        return;
    }
    int alt = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(v, "alternative"));
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(j->until, "selectors"));
    cJSON *answer = answer_of(j, alt >= 1 && alt <= n ? j->group[alt - 1] : 1);
    job_free(j);
    lp_wait_done(w, answer, NULL, NULL);
    cJSON_Delete(answer);
}

static void on_replayed(void *ud, int failed_step, const oo_err *err, const cJSON *artifacts)
{
    (void)artifacts;
    replay_job *j = ud;
    wait *w = j->w;
    if (failed_step < 0 && j->until) {
        cdp_page *page = w->h && !w->h->closed && w->h->b ? cdp_browser_page(w->h->b, w->tid) : NULL;
        if (page) { cdp_page_wait_selector(page, j->until, "visible", NULL, j->until_ms, on_until, j); return; }
        oo_err gone = {0};
        oo_err_set(&gone, OO_E_PAGE, "%s: the page was closed before its elements showed", j->r->rec->file);
        job_free(j);
        lp_wait_done(w, NULL, &gone, NULL);
        return;
    }
    oo_err named = {0};
    /* the error names the file too: "flows/login.json: step 2 (click) failed: ..." */
    if (failed_step >= 0) oo_err_set(&named, err->code ? err->code : OO_E_GENERIC, "%s: %s", j->r->rec->file, err->msg);
    cJSON *answer = failed_step >= 0 ? NULL : answer_of(j, 0);
    job_free(j);
    lp_wait_done(w, answer, failed_step >= 0 ? &named : NULL, NULL);
    cJSON_Delete(answer);
}

/* The recording at idx: an object (shared), or a path (loaded now, for this replay only). */
static shared_rec *recording_arg(lua_State *L, int idx)
{
    lrec *lr = luaL_testudata(L, idx, MT_RECORDING);
    if (lr) { lr->r->refs++; return lr->r; }
    oo_err err = {0};
    recording *rec = recording_load(luaL_checkstring(L, idx), &err);
    if (!rec) script_error_at(L, err.code ? err.code : OO_E_INPUT, "%s", err.msg);
    return shared_new(rec);
}

/* opts.step_timeouts = {[step index] = ms} as an array of the recording's length (0: none). */
static int *step_timeouts(lua_State *L, int opts, int nsteps)
{
    lua_getfield(L, opts, "step_timeouts");
    int *t = NULL;
    if (lua_istable(L, -1) && nsteps > 0) {
        t = oo_calloc((size_t)nsteps, sizeof *t);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_isinteger(L, -2) && lua_isnumber(L, -1)) {
                lua_Integer i = lua_tointeger(L, -2);
                double ms = lua_tonumber(L, -1);
                if (i >= 0 && i < nsteps && ms > 0 && ms < 2147483647.0) t[i] = (int)ms;
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return t;
}

/* until_any = {target, ...}: one target of every alternative, and which target each is. */
static void until_targets(lua_State *L, int opts, replay_job *j)
{
    lua_getfield(L, opts, "until_any");
    if (!lua_istable(L, -1)) { lua_pop(L, 1); return; }
    int n = (int)lua_rawlen(L, -1), total = 0;
    j->until = cJSON_CreateObject();
    cJSON *all = cJSON_AddArrayToObject(j->until, "selectors");
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        cJSON *t = lp_target(L, lua_gettop(L));
        lua_pop(L, 1);
        cJSON *alt;
        cJSON_ArrayForEach(alt, cJSON_GetObjectItem(t, "selectors")) {
            j->group = oo_realloc(j->group, (size_t)(total + 1) * sizeof *j->group);
            j->group[total++] = i;
            cJSON_AddItemToArray(all, cJSON_Duplicate(alt, 1));
        }
        cJSON_Delete(t);
    }
    lua_pop(L, 1);
}

int lp_replay(lua_State *L)
{
    lpage *p = lp_check_page(L);
    shared_rec *r = recording_arg(L, 2);
    replay_job *j = oo_calloc(1, sizeof *j);
    j->r = r;
    replay_opts o = {.timeout_ms = lp_opt_int(L, 3, "timeout", 5000), .max_timeout_ms = lp_opt_int(L, 3, "max_timeout", 0),
                     .first = lp_opt_int(L, 3, "from", 0), .last = lp_opt_int(L, 3, "to", -1), .loop = sched_loop(L)};
    if (lua_istable(L, 3)) {
        oo_err err = {0};
        lua_getfield(L, 3, "vars");
        if (lua_istable(L, -1)) j->vars = script_to_json(L, -1, &err);
        lua_pop(L, 1);
        until_targets(L, 3, j);
        j->until_ms = lp_opt_int(L, 3, "until_timeout", o.timeout_ms);
        j->timeouts = step_timeouts(L, 3, r->rec->nsteps);
    }
    o.vars = j->vars;
    o.step_timeouts_ms = j->timeouts;
    o.nstep_timeouts = j->timeouts ? r->rec->nsteps : 0;
    j->times = cJSON_CreateArray();
    o.on_step = on_replay_step;
    o.ud = j;
    j->w = lp_wait_new(L, R_REPLAY, p->h);
    j->w->tid = oo_strdup(p->tid);
    replay_start(p->p, r->rec, &o, on_replayed, j);
    return lp_yield(L);
}

/* ---- page:evidence ------------------------------------------------------------------------------ */

static void on_evidence(void *ud, const cJSON *paths) { lp_wait_done(ud, (cJSON *)paths, NULL, NULL); }

int lp_evidence(lua_State *L)
{
    lpage *p = lp_check_page(L);
    const char *dir = luaL_checkstring(L, 2), *base = luaL_checkstring(L, 3);
    evidence_collect(p->p, dir, base, on_evidence, lp_wait_new(L, R_VALUE, p->h));
    return lp_yield(L);
}
