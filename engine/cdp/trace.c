/* trace: see trace.h. */
#include "cdp/trace.h"
#include "base/buf.h"
#include "base/log.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HIDDEN "********"
#define RECEIVED_CLIP 300

static void hide(cJSON *o, const char *key)
{
    if (cJSON_IsString(cJSON_GetObjectItem(o, key))) cJSON_ReplaceItemInObject(o, key, cJSON_CreateString(HIDDEN));
}

/* The helper's fill call carries the value as its second argument, a JSON string:
 *   ...__oo.prepareFill(<target JSON>, "<value>", {...})...  -> the value hidden */
static void hide_fill_value(cJSON *params)
{
    const char *expr = cJSON_GetStringValue(cJSON_GetObjectItem(params, "expression"));
    const char *call = expr ? strstr(expr, "__oo.prepareFill(") : NULL;
    if (!call) return;
    const char *p = call + strlen("__oo.prepareFill("), *end = NULL;
    cJSON *target = cJSON_ParseWithLengthOpts(p, strlen(p), &end, 0);
    cJSON_Delete(target);
    oo_buf b;
    oo_buf_init(&b);
    if (target && end && *end == ',') {
        const char *v = end + 1;
        while (*v == ' ') v++;
        cJSON *value = cJSON_ParseWithLengthOpts(v, strlen(v), &end, 0);
        if (cJSON_IsString(value)) {
            oo_buf_append(&b, expr, (size_t)(v - expr));
            oo_buf_puts(&b, "\"" HIDDEN "\"");
            oo_buf_puts(&b, end);
        }
        cJSON_Delete(value);
    }
    /* a call this code does not understand is hidden whole: never the value by accident */
    cJSON_ReplaceItemInObject(params, "expression", cJSON_CreateString(b.len ? b.data : "__oo.prepareFill(" HIDDEN ")"));
    oo_buf_free(&b);
}

static void hide_headers(cJSON *headers)
{
    cJSON *h;
    cJSON_ArrayForEach(h, headers) {
        if (!h->string || !cJSON_IsString(h)) continue;
        if (!strcasecmp(h->string, "cookie") || !strcasecmp(h->string, "set-cookie") ||
            !strcasecmp(h->string, "authorization") || !strcasecmp(h->string, "proxy-authorization"))
            cJSON_SetValuestring(h, HIDDEN);
    }
}

char *cdp_trace_redact(const cJSON *msg)
{
    cJSON *m = cJSON_Duplicate(msg, 1);
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItem(m, "method"));
    cJSON *params = cJSON_GetObjectItem(m, "params");
    if (method && cJSON_IsObject(params)) {
        if (!strcmp(method, "Input.insertText")) hide(params, "text");
        if (!strcmp(method, "Input.dispatchKeyEvent")) {
            hide(params, "text");
            hide(params, "unmodifiedText");
            const char *key = cJSON_GetStringValue(cJSON_GetObjectItem(params, "key"));
            if (key && strlen(key) <= 4) hide(params, "key");   /* a character, not a named key */
        }
        if (!strcmp(method, "Runtime.evaluate")) hide_fill_value(params);
        cJSON *request = cJSON_GetObjectItem(params, "request"), *response = cJSON_GetObjectItem(params, "response");
        hide(request, "postData");
        cJSON_DeleteItemFromObject(request, "postDataEntries");
        hide_headers(cJSON_GetObjectItem(request, "headers"));
        hide_headers(cJSON_GetObjectItem(response, "headers"));
        hide_headers(cJSON_GetObjectItem(params, "headers"));
    }
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    return text;
}

void cdp_trace_sent(const char *text)
{
    if (oo_log_get_level() < OO_LOG_TRACE) return;
    cJSON *msg = cJSON_Parse(text);
    char *shown = msg ? cdp_trace_redact(msg) : NULL;
    oo_log(OO_LOG_TRACE, "cdp", "-> %s", shown ? shown : "(a message that is no JSON)");
    free(shown);
    cJSON_Delete(msg);
}

void cdp_trace_received(const cJSON *msg)
{
    if (oo_log_get_level() < OO_LOG_TRACE) return;
    char *shown = cdp_trace_redact(msg);
    oo_log_clipped(OO_LOG_TRACE, "cdp", RECEIVED_CLIP, "<- %s", shown ? shown : "?");
    free(shown);
}
