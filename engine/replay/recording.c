#include "replay/recording.h"
#include "base/log.h"
#include "base/config.h"
#include "base/buf.h"
#include "base/util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *file; oo_err *err; int failed; } ctx;

static const char *kind(const cJSON *v, char *buf, size_t n)
{
    if (!v) return "nothing";
    if (cJSON_IsString(v)) { snprintf(buf, n, "string \"%.40s\"", v->valuestring); return buf; }
    if (cJSON_IsNumber(v)) { snprintf(buf, n, "number %g", v->valuedouble); return buf; }
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    return "an object";
}

static void bad(ctx *c, const char *path, const char *expected, const cJSON *found)
{
    if (c->failed) return;
    c->failed = 1;
    char buf[80];
    oo_err_set(c->err, OO_E_INPUT, "%s: %s: expected %s, found %s", c->file, path, expected, kind(found, buf, sizeof buf));
}

static char *str(ctx *c, const cJSON *o, const char *k, const char *path, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    char p[256];
    snprintf(p, sizeof p, "%s.%s", path, k);
    if (!v) { if (required) bad(c, p, "a string", NULL); return NULL; }
    if (!cJSON_IsString(v)) { bad(c, p, "a string", v); return NULL; }
    return oo_strdup(v->valuestring);
}

static double num(ctx *c, const cJSON *o, const char *k, const char *path, int required, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    char p[256];
    snprintf(p, sizeof p, "%s.%s", path, k);
    if (!v) { if (required) bad(c, p, "a number", NULL); return def; }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) { bad(c, p, "a number", v); return def; }
    return v->valuedouble;
}

static int boolean(ctx *c, const cJSON *o, const char *k, const char *path, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    char p[256];
    snprintf(p, sizeof p, "%s.%s", path, k);
    if (!v) return def;
    if (!cJSON_IsBool(v)) { bad(c, p, "true or false", v); return def; }
    return cJSON_IsTrue(v);
}

/* A setViewport's width or height: required, 1 to 10000 pixels; a bad one is named. */
static int viewport_side(ctx *c, const cJSON *o, const char *k, const char *path)
{
    int v = (int)num(c, o, k, path, 1, 0);
    if (!c->failed && (v <= 0 || v > 10000)) {
        char p[256], expected[64];
        snprintf(p, sizeof p, "%s.%s", path, k);
        snprintf(expected, sizeof expected, "a %s from 1 to 10000 pixels", k);
        bad(c, p, expected, cJSON_GetObjectItem(o, k));
    }
    return v;
}

/* selectors: an array of alternatives, each a string or an array of strings (a path). */
static cJSON *selectors(ctx *c, const cJSON *o, const char *path, int required)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "selectors");
    char p[256];
    snprintf(p, sizeof p, "%s.selectors", path);
    if (!v) { if (required) bad(c, p, "a list of selectors", NULL); return NULL; }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) { bad(c, p, "a non-empty list of selectors", v); return NULL; }
    cJSON *out = cJSON_CreateArray();
    int i = 0;
    const cJSON *alt;
    cJSON_ArrayForEach(alt, v) {
        char pi[300];
        snprintf(pi, sizeof pi, "%s[%d]", p, i);
        cJSON *path_arr = cJSON_CreateArray();
        if (cJSON_IsString(alt) && *alt->valuestring) {
            cJSON_AddItemToArray(path_arr, cJSON_CreateString(alt->valuestring));
        } else if (cJSON_IsArray(alt) && cJSON_GetArraySize(alt) > 0) {
            int j = 0;
            const cJSON *part;
            cJSON_ArrayForEach(part, alt) {
                if (!cJSON_IsString(part) || !*part->valuestring) {
                    char pj[320];
                    snprintf(pj, sizeof pj, "%s[%d]", pi, j);
                    bad(c, pj, "a non-empty selector string", part);
                    break;
                }
                cJSON_AddItemToArray(path_arr, cJSON_CreateString(part->valuestring));
                j++;
            }
        } else {
            bad(c, pi, "a string or an array of strings", alt);
        }
        cJSON_AddItemToArray(out, path_arr);
        if (c->failed) break;
        i++;
    }
    if (c->failed) { cJSON_Delete(out); return NULL; }
    return out;
}

static const struct { const char *name; rec_type type; } types[] = {
    {"setViewport", REC_SET_VIEWPORT}, {"navigate", REC_NAVIGATE}, {"click", REC_CLICK},
    {"doubleClick", REC_DOUBLE_CLICK}, {"hover", REC_HOVER}, {"change", REC_CHANGE}, {"keyDown", REC_KEY_DOWN},
    {"keyUp", REC_KEY_UP}, {"scroll", REC_SCROLL}, {"waitForElement", REC_WAIT_ELEMENT},
    {"waitForExpression", REC_WAIT_EXPRESSION}, {"close", REC_CLOSE},
    {"emulateNetworkConditions", REC_EMULATE_NETWORK}, {"customStep", REC_CUSTOM},
};

/* The step's "type", looked up in types[]; 0 (and the error named) when missing or unknown. */
static int step_type(ctx *c, const cJSON *o, const char *path, rec_step *s)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
    char tp[80];
    snprintf(tp, sizeof tp, "%s.type", path);
    if (!cJSON_IsString(t)) { bad(c, tp, "a step type such as \"click\"", t); return 0; }
    int found = 0;
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
        if (!strcmp(types[k].name, t->valuestring)) { s->type = types[k].type; s->type_name = types[k].name; found = 1; }
    if (!found)
        bad(c, tp, "one of setViewport, navigate, click, doubleClick, hover, change, keyDown, keyUp, scroll, "
                   "waitForElement, waitForExpression, close, emulateNetworkConditions, customStep", t);
    return found;
}

/* "frame": an array of frame indices >= 0, kept as given. */
static void step_frame(ctx *c, const cJSON *o, const char *path, rec_step *s)
{
    const cJSON *frame = cJSON_GetObjectItemCaseSensitive(o, "frame");
    if (!frame) return;
    char fp[80];
    snprintf(fp, sizeof fp, "%s.frame", path);
    if (!cJSON_IsArray(frame)) { bad(c, fp, "an array of frame indices", frame); return; }
    const cJSON *f;
    cJSON_ArrayForEach(f, frame) if (!cJSON_IsNumber(f) || f->valuedouble < 0) { bad(c, fp, "frame indices >= 0", f); break; }
    if (!c->failed) s->frame = cJSON_Duplicate(frame, 1);
}

/* "assertedEvents": only navigation events, each with an optional url and title (the last wins). */
static void step_asserted_events(ctx *c, const cJSON *o, const char *path, rec_step *s)
{
    const cJSON *asserted = cJSON_GetObjectItemCaseSensitive(o, "assertedEvents");
    if (!asserted) return;
    char ap[80];
    snprintf(ap, sizeof ap, "%s.assertedEvents", path);
    if (!cJSON_IsArray(asserted)) bad(c, ap, "an array of events", asserted);
    const cJSON *e;
    int k = 0;
    cJSON_ArrayForEach(e, asserted) {
        char ep[100];
        snprintf(ep, sizeof ep, "%s[%d]", ap, k++);
        const char *et = cJSON_GetStringValue(cJSON_GetObjectItem(e, "type"));
        if (!et || strcmp(et, "navigation")) { bad(c, ep, "{\"type\": \"navigation\", ...}", e); break; }
        s->asserts_navigation = 1;
        free(s->assert_url);
        free(s->assert_title);
        s->assert_url = str(c, e, "url", ep, 0);
        s->assert_title = str(c, e, "title", ep, 0);
    }
}

static void parse_viewport(ctx *c, const cJSON *o, const char *path, rec_step *s)
{
    s->width = viewport_side(c, o, "width", path);
    s->height = viewport_side(c, o, "height", path);
    s->scale = num(c, o, "deviceScaleFactor", path, 0, 1);
    s->is_mobile = boolean(c, o, "isMobile", path, 0);
}

/* click, doubleClick, hover: selectors, an optional offset (both or neither) and button. */
static void parse_pointer(ctx *c, const cJSON *o, const char *path, rec_step *s)
{
    s->selectors = selectors(c, o, path, 1);
    if (cJSON_GetObjectItem(o, "offsetX") || cJSON_GetObjectItem(o, "offsetY")) {
        s->has_offset = 1;
        s->offset_x = num(c, o, "offsetX", path, 1, 0);
        s->offset_y = num(c, o, "offsetY", path, 1, 0);
    }
    s->button = str(c, o, "button", path, 0);
    if (s->button && strcmp(s->button, "primary") && strcmp(s->button, "auxiliary") && strcmp(s->button, "secondary") &&
        strcmp(s->button, "back") && strcmp(s->button, "forward"))
        bad(c, path, "button primary, auxiliary, secondary, back or forward", cJSON_GetObjectItem(o, "button"));
}

/* An optional object member (attributes, properties) of a waitForElement, copied. */
static cJSON *object_member(ctx *c, const cJSON *o, const char *k, const char *path)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    if (!v) return NULL;
    char xp[80];
    snprintf(xp, sizeof xp, "%s.%s", path, k);
    if (!cJSON_IsObject(v)) { bad(c, xp, "an object", v); return NULL; }
    return cJSON_Duplicate(v, 1);
}

static void parse_wait_element(ctx *c, const cJSON *o, const char *path, rec_step *s)
{
    s->selectors = selectors(c, o, path, 1);
    if (cJSON_GetObjectItem(o, "count")) s->count = (int)num(c, o, "count", path, 1, 1);
    s->op = str(c, o, "operator", path, 0);
    if (s->op && strcmp(s->op, ">=") && strcmp(s->op, "==") && strcmp(s->op, "<="))
        bad(c, path, "operator \">=\", \"==\" or \"<=\"", cJSON_GetObjectItem(o, "operator"));
    if (cJSON_GetObjectItem(o, "visible")) s->visible = boolean(c, o, "visible", path, 1);
    s->attributes = object_member(c, o, "attributes", path);
    s->properties = object_member(c, o, "properties", path);
}

static void parse_network(ctx *c, const cJSON *o, const char *path, rec_step *s)
{
    s->offline = boolean(c, o, "offline", path, 0);
    s->latency = num(c, o, "latency", path, 0, 0);
    s->download = num(c, o, "download", path, 0, -1);
    s->upload = num(c, o, "upload", path, 0, -1);
}

/* The members that belong to the step's type. */
static void parse_type_fields(ctx *c, const cJSON *o, const char *path, rec_step *s)
{
    switch (s->type) {
    case REC_SET_VIEWPORT: parse_viewport(c, o, path, s); break;
    case REC_NAVIGATE: s->url = str(c, o, "url", path, 1); break;
    case REC_CLICK:
    case REC_DOUBLE_CLICK:
    case REC_HOVER: parse_pointer(c, o, path, s); break;
    case REC_CHANGE:
        s->selectors = selectors(c, o, path, 1);
        s->value = str(c, o, "value", path, 1);
        break;
    case REC_KEY_DOWN:
    case REC_KEY_UP: s->key = str(c, o, "key", path, 1); break;
    case REC_SCROLL:
        s->selectors = selectors(c, o, path, 0);
        s->x = num(c, o, "x", path, 0, 0);
        s->y = num(c, o, "y", path, 0, 0);
        break;
    case REC_WAIT_ELEMENT: parse_wait_element(c, o, path, s); break;
    case REC_WAIT_EXPRESSION: s->expression = str(c, o, "expression", path, 1); break;
    case REC_EMULATE_NETWORK: parse_network(c, o, path, s); break;
    case REC_CUSTOM: {
        s->name = str(c, o, "name", path, 1);
        const cJSON *p = cJSON_GetObjectItem(o, "parameters");
        if (p) s->parameters = cJSON_Duplicate(p, 1);
        break;
    }
    case REC_CLOSE: break;
    }
}

static void parse_step(ctx *c, const cJSON *o, int i, rec_step *s)
{
    char path[64];
    snprintf(path, sizeof path, "steps[%d]", i);
    s->index = i;
    s->count = -1;
    s->visible = -1;
    if (!cJSON_IsObject(o)) { bad(c, path, "an object", o); return; }
    if (!step_type(c, o, path, s)) return;
    s->target = str(c, o, "target", path, 0);
    s->timeout = (int)num(c, o, "timeout", path, 0, 0);
    if (s->timeout < 0) { bad(c, path, "a timeout >= 0", cJSON_GetObjectItem(o, "timeout")); return; }
    step_frame(c, o, path, s);
    step_asserted_events(c, o, path, s);
    parse_type_fields(c, o, path, s);
}

static void step_free(rec_step *s)
{
    free(s->target);
    cJSON_Delete(s->selectors);
    cJSON_Delete(s->frame);
    free(s->value);
    free(s->url);
    free(s->key);
    free(s->expression);
    free(s->name);
    free(s->button);
    free(s->op);
    cJSON_Delete(s->attributes);
    cJSON_Delete(s->properties);
    free(s->assert_url);
    free(s->assert_title);
    cJSON_Delete(s->parameters);
}

void recording_free(recording *r)
{
    if (!r) return;
    for (int i = 0; i < r->nsteps; i++) step_free(&r->steps[i]);
    free(r->steps);
    free(r->title);
    free(r->file);
    free(r);
}

recording *recording_parse(const char *json, size_t len, const char *file, oo_err *err)
{
    if (!file) file = "recording";
    const char *end = NULL;
    cJSON *root = json ? cJSON_ParseWithLengthOpts(json, len, &end, 0) : NULL;
    if (root) {                       /* one document: anything after it but spaces is an error */
        while (end < json + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')) end++;
        if (end < json + len) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
    if (!root) {
        size_t at = end && json && end >= json ? (size_t)(end - json) : 0;
        int line = 1, col = 1;
        for (size_t i = 0; i < at && i < len; i++) { if (json[i] == '\n') { line++; col = 1; } else col++; }
        oo_err_set(err, OO_E_INPUT, "%s: not valid JSON (line %d, column %d): export the recording again from Chrome's Recorder", file, line, col);
        return NULL;
    }
    ctx c = {file, err, 0};
    recording *r = oo_calloc(1, sizeof *r);
    r->file = oo_strdup(file);
    if (!cJSON_IsObject(root)) {
        bad(&c, "(top)", "an object with \"title\" and \"steps\"", root);
    } else {
        /* the Recorder's schema requires both a title and the steps */
        const cJSON *title = cJSON_GetObjectItemCaseSensitive(root, "title");
        if (!cJSON_IsString(title)) bad(&c, "title", "the recording's title (a string)", title);
        else r->title = oo_strdup(title->valuestring);
        r->timeout = (int)num(&c, root, "timeout", "(top)", 0, 0);
        const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
        if (!cJSON_IsArray(steps)) bad(&c, "steps", "an array of steps", steps);
        else {
            int n = cJSON_GetArraySize(steps);
            r->steps = oo_calloc((size_t)n + 1, sizeof *r->steps);
            const cJSON *s;
            cJSON_ArrayForEach(s, steps) {
                parse_step(&c, s, r->nsteps, &r->steps[r->nsteps]);
                r->nsteps++;
                if (c.failed) break;
            }
        }
    }
    cJSON_Delete(root);
    if (c.failed) { recording_free(r); return NULL; }
    return r;
}

recording *recording_load(const char *path, oo_err *err)
{
    size_t len;
    char *text = oo_read_file(path, &len, err);
    if (!text) return NULL;
    recording *r = recording_parse(text, len, path, err);
    free(text);
    return r;
}

cJSON *recording_step_target(const rec_step *s)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddItemToObject(t, "selectors", s->selectors ? cJSON_Duplicate(s->selectors, 1) : cJSON_CreateArray());
    if (s->frame) cJSON_AddItemToObject(t, "frame", cJSON_Duplicate(s->frame, 1));
    return t;
}

char *recording_expand(const char *text, const cJSON *vars, const char *where, oo_err *err)
{
    if (!text) return NULL;
    oo_buf b;
    oo_buf_init(&b);
    const char *p = text;
    while (*p) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (!open || !close) { oo_buf_puts(&b, p); break; }
        oo_buf_append(&b, p, (size_t)(open - p));
        char name[128];
        size_t n = (size_t)(close - open - 2);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, open + 2, n);
        name[n] = '\0';
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(vars, name));
        if (!v) v = oo_config_placeholder(oo_cfg(), name);
        if (!v) {
            oo_err_set(err, OO_E_INPUT, "%s: {{%s}} is not set: export %s=... (or pass it as a variable)", where, name, name);
            oo_buf_free(&b);
            return NULL;
        }
        /* a secret placeholder's value is masked in every log line from now on */
        if (strstr(name, "PASSWORD") || strstr(name, "SECRET") || strstr(name, "TOKEN")) oo_log_add_secret(v);
        oo_buf_puts(&b, v);
        p = close + 2;
    }
    return oo_buf_steal(&b);
}
