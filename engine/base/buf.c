#include "base/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
    fputs("oo-automator: out of memory\n", stderr);
    abort();
}

void *oo_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *oo_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom();
    return p;
}

void *oo_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom();
    return q;
}

char *oo_strdup(const char *s) { return oo_strndup(s, strlen(s)); }

char *oo_strndup(const char *s, size_t n)
{
    char *p = oo_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *oo_asprintf(const char *fmt, ...)
{
    oo_buf b;
    oo_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    oo_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return oo_buf_steal(&b);
}

void oo_buf_init(oo_buf *b) { b->data = NULL; b->len = b->cap = 0; }

void oo_buf_free(oo_buf *b)
{
    free(b->data);
    oo_buf_init(b);
}

void oo_buf_reset(oo_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void oo_buf_reserve(oo_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    b->data = oo_realloc(b->data, cap);
    b->cap = cap;
}

void oo_buf_append(oo_buf *b, const void *data, size_t len)
{
    oo_buf_reserve(b, len);
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void oo_buf_puts(oo_buf *b, const char *s) { oo_buf_append(b, s, strlen(s)); }
void oo_buf_putc(oo_buf *b, char c) { oo_buf_append(b, &c, 1); }

void oo_buf_vprintf(oo_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return;
    oo_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void oo_buf_printf(oo_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    oo_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void oo_buf_json_str(oo_buf *b, const char *s)
{
    oo_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        switch (*p) {
        case '"': oo_buf_puts(b, "\\\""); break;
        case '\\': oo_buf_puts(b, "\\\\"); break;
        case '\n': oo_buf_puts(b, "\\n"); break;
        case '\r': oo_buf_puts(b, "\\r"); break;
        case '\t': oo_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20) oo_buf_printf(b, "\\u%04x", *p);
            else oo_buf_putc(b, (char)*p);
        }
    }
    oo_buf_putc(b, '"');
}

char *oo_buf_steal(oo_buf *b)
{
    if (!b->data) oo_buf_reserve(b, 0), b->data[0] = '\0';
    char *p = b->data;
    oo_buf_init(b);
    return p;
}
