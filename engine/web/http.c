/* http: small helpers over h2o's request — paths, query parameters, headers, JSON bodies —
 * and the answers, every error a JSON object {"error": "..."}. Strings handed out live in the
 * request's pool. */
#include "web/internal.h"
#include "base/buf.h"
#include "base/text.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int web_method_is(h2o_req_t *req, const char *m)
{
    return h2o_memis(req->method.base, req->method.len, m, strlen(m));
}

char *web_path(h2o_req_t *req)
{
    size_t n = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    if (n > req->path.len) n = req->path.len;
    char *p = h2o_mem_alloc_pool(&req->pool, n + 1);
    memcpy(p, req->path.base, n);
    p[n] = '\0';
    return p;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *web_decode(h2o_req_t *req, const char *s, size_t len, int plus)
{
    char *out = h2o_mem_alloc_pool(&req->pool, len + 1), *o = out;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len) return NULL;
            int a = hexval((unsigned char)s[i + 1]), b = hexval((unsigned char)s[i + 2]);
            if (a < 0 || b < 0) return NULL;
            c = (char)(a * 16 + b);
            if (c == '\0') return NULL;
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        } else if (c == '\0') {
            return NULL;
        }
        *o++ = c;
    }
    *o = '\0';
    return out;
}

const char *web_query(h2o_req_t *req, const char *name)
{
    if (req->query_at == SIZE_MAX || req->query_at >= req->path.len) return NULL;
    const char *q = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
    size_t nl = strlen(name);
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        if (!amp) amp = end;
        const char *eq = memchr(q, '=', (size_t)(amp - q));
        const char *kend = eq ? eq : amp;
        if ((size_t)(kend - q) == nl && !memcmp(q, name, nl)) {
            if (!eq) return "";
            return web_decode(req, eq + 1, (size_t)(amp - eq - 1), 1);
        }
        q = amp + 1;
    }
    return NULL;
}

int web_query_valid(h2o_req_t *req)
{
    if (req->query_at == SIZE_MAX || req->query_at >= req->path.len) return 1;
    const char *q = req->path.base + req->query_at + 1;
    return web_decode(req, q, req->path.len - req->query_at - 1, 1) != NULL;
}

const char *web_header(h2o_req_t *req, const char *name)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    if (i < 0) return NULL;
    h2o_iovec_t v = req->headers.entries[i].value;
    return h2o_strdup(&req->pool, v.base, v.len).base;
}

int web_header_items(h2o_req_t *req, const char *name, int (*fn)(const char *item, size_t len, void *ud), void *ud)
{
    ssize_t i = -1;
    while ((i = h2o_find_header_by_str(&req->headers, name, strlen(name), i)) != -1) {
        h2o_iovec_t v = req->headers.entries[i].value;
        const char *p = v.base, *end = v.base + v.len;
        while (p < end) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            const char *stop = comma ? comma : end, *a = p, *b = stop;
            while (a < b && (*a == ' ' || *a == '\t')) a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
            int rc = b > a ? fn(a, (size_t)(b - a), ud) : 0;
            if (rc) return rc;
            p = comma ? comma + 1 : end;
        }
    }
    return 0;
}

void web_add_header(h2o_req_t *req, const char *name, const char *value)
{
    h2o_iovec_t v = h2o_strdup(&req->pool, value, strlen(value));
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 1, NULL, v.base, v.len);
}

const char *web_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

void web_send(h2o_req_t *req, int status, const char *type, const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = web_reason(status);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_iovec_t copy = h2o_strdup(&req->pool, body ? body : "", len);
    h2o_send_inline(req, copy.base, copy.len);
}

int web_send_json(h2o_req_t *req, int status, cJSON *v)
{
    char *txt = v ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    if (!txt) {
        static const char oom[] = "{\"error\":\"the answer could not be rendered\"}";
        web_send(req, 500, "application/json; charset=utf-8", oom, sizeof oom - 1);
        return 0;
    }
    web_send(req, status, "application/json; charset=utf-8", txt, strlen(txt));
    free(txt);
    return 0;
}

int web_send_error(h2o_req_t *req, int status, const char *fmt, ...)
{
    char msg[OO_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    return web_send_json(req, status, o);
}

int web_send_405(h2o_req_t *req, const char *allow)
{
    web_add_header(req, "allow", allow);
    return web_send_error(req, 405, "method %.*s is not allowed here (allowed: %s)",
                          (int)(req->method.len > 16 ? 16 : req->method.len), req->method.base, allow);
}

/* Whether a Content-Type is JSON: exactly application/json (any case), with parameters only
 * of charset=utf-8. "application/jsonx", "text/plain" or nothing at all is not. */
static int json_content_type(const char *ct)
{
    if (!ct) return 0;
    while (*ct == ' ' || *ct == '\t') ct++;
    size_t n = strcspn(ct, "; \t");
    if (n != 16 || strncasecmp(ct, "application/json", 16) != 0) return 0;
    for (const char *p = ct + n; *p;) {
        p += strspn(p, "; \t");
        if (!*p) break;
        size_t m = strcspn(p, "; \t");
        if (!((m == 13 && !strncasecmp(p, "charset=utf-8", 13)) || (m == 15 && !strncasecmp(p, "charset=\"utf-8\"", 15))))
            return 0;
        p += m;
    }
    return 1;
}

/* The byte offset of the first \u0000 escape inside a JSON string of the text; -1 when none.
 * (cJSON would cut the string there: "a\u0000b" would silently read as "a".) */
static long escaped_nul_at(const char *s, size_t len)
{
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        if (!in_string) { in_string = s[i] == '"'; continue; }
        if (s[i] == '"') in_string = 0;
        else if (s[i] == '\\' && i + 1 < len) {
            if (s[i + 1] == 'u' && i + 5 < len && !memcmp(s + i + 2, "0000", 4)) return (long)i;
            i++;
        }
    }
    return -1;
}

/* An object that names a key twice, at any depth: a second reader could take the other value. */
static const char *duplicate_key(const cJSON *v)
{
    const cJSON *a, *b;
    cJSON_ArrayForEach(a, v) {
        if (cJSON_IsObject(v))
            for (b = a->next; b; b = b->next)
                if (a->string && b->string && !strcmp(a->string, b->string)) return a->string;
        const char *d = duplicate_key(a);
        if (d) return d;
    }
    return NULL;
}

/* The body as JSON text, refused (400) when it is not UTF-8 or holds a NUL. */
static int body_text_ok(h2o_req_t *req)
{
    long bad = oo_utf8_invalid_at(req->entity.base, req->entity.len);
    if (bad < 0) bad = escaped_nul_at(req->entity.base, req->entity.len);
    if (bad < 0) return 1;
    web_send_error(req, 400, "the body must be UTF-8 text without NUL characters (byte %ld is %s)", bad,
                   req->entity.base[bad] == '\\' ? "an escaped NUL, \\u0000" : "not UTF-8 text");
    return 0;
}

cJSON *web_body_json(h2o_req_t *req)
{
    if (req->entity.len > WEB_MAX_BODY) {
        web_send_error(req, 413, "the body is %zu bytes; the limit is %d", req->entity.len, WEB_MAX_BODY);
        return NULL;
    }
    if (!req->entity.base || req->entity.len == 0) {
        web_send_error(req, 400, "a JSON body is required");
        return NULL;
    }
    const char *ct = web_header(req, "content-type");
    if (!json_content_type(ct)) {
        web_send_error(req, 415, "the body must be JSON sent with \"Content-Type: application/json\" (found %.60s)",
                       ct ? ct : "no Content-Type");
        return NULL;
    }
    if (!body_text_ok(req)) return NULL;
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(req->entity.base, req->entity.len, &end, 0);
    if (v && end) {
        const char *stop = req->entity.base + req->entity.len;
        while (end < stop && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')) end++;
        if (end != stop) {
            cJSON_Delete(v);
            web_send_error(req, 400, "malformed JSON body: unexpected data at byte %zu",
                           (size_t)(end - req->entity.base));
            return NULL;
        }
    }
    if (!v) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= req->entity.base && at <= req->entity.base + req->entity.len
                         ? (size_t)(at - req->entity.base) : 0;
        web_send_error(req, 400, "malformed JSON body (near byte %zu)", off);
        return NULL;
    }
    const char *dup = duplicate_key(v);
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
        cJSON_Delete(v);
        web_send_error(req, 400, "the body must be a JSON object");
        return NULL;
    }
    if (dup) {
        web_send_error(req, 400, "malformed JSON body: the key \"%.60s\" is given twice", dup);
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

int64_t web_parse_id(const char *s)
{
    if (!s || !*s || strlen(s) > 15) return 0;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return 0;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    return errno || v <= 0 ? 0 : (int64_t)v;
}
