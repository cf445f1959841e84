/* buf: a growable byte buffer, always NUL-terminated. The oo_buf owns `data`; oo_buf_free
 * releases it; oo_buf_steal hands it to the caller. Allocation failure aborts (OOM is fatal). */
#ifndef OO_BASE_BUF_H
#define OO_BASE_BUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct oo_buf {
    char *data;
    size_t len, cap;
} oo_buf;

void oo_buf_init(oo_buf *b);
void oo_buf_free(oo_buf *b);
void oo_buf_reset(oo_buf *b);
void oo_buf_reserve(oo_buf *b, size_t extra);
void oo_buf_append(oo_buf *b, const void *data, size_t len);
void oo_buf_puts(oo_buf *b, const char *s);
void oo_buf_putc(oo_buf *b, char c);
void oo_buf_printf(oo_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void oo_buf_vprintf(oo_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal (with quotes). */
void oo_buf_json_str(oo_buf *b, const char *s);
char *oo_buf_steal(oo_buf *b);

/* Allocation helpers that abort on failure. */
void *oo_malloc(size_t n);
void *oo_calloc(size_t n, size_t size);
void *oo_realloc(void *p, size_t n);
char *oo_strdup(const char *s);
char *oo_strndup(const char *s, size_t n);
char *oo_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
