/* log: leveled logging to stderr. Messages never contain the password: callers pass it nowhere
 * near here, and every line is masked (oo_log_set_secret) should it ever slip through, whatever
 * its encoding. The module owns its copies of the secrets; oo_log_clear_secrets wipes them. */
#ifndef OO_BASE_LOG_H
#define OO_BASE_LOG_H
#include <stddef.h>

typedef enum { OO_LOG_ERROR = 0, OO_LOG_WARN, OO_LOG_INFO, OO_LOG_DEBUG, OO_LOG_TRACE } oo_log_level;

void oo_log_set_level(oo_log_level level);
oo_log_level oo_log_get_level(void);
/* The password: it never appears in a log line, in any spelling (as is, JSON-escaped at any
 * depth up to three, with \uXXXX or raw UTF-8, URL-encoded, HTML-escaped); copied. NULL clears. */
void oo_log_set_secret(const char *secret);
/* Another secret masked the same way (a recording's {{...PASSWORD}} value); a few are kept. */
void oo_log_add_secret(const char *secret);
void oo_log_clear_secrets(void);
/* text with every secret masked, for what is printed without the logger; caller frees. */
char *oo_log_mask(const char *text);

#define OO_LOG_LINE_MAX 4096
void oo_log(oo_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* oo_log with the message cut to `clip` bytes, after the masking (never half a secret shown). */
void oo_log_clipped(oo_log_level level, const char *module, size_t clip, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define OO_ERROR(mod, ...) oo_log(OO_LOG_ERROR, mod, __VA_ARGS__)
#define OO_WARN(mod, ...)  oo_log(OO_LOG_WARN, mod, __VA_ARGS__)
#define OO_INFO(mod, ...)  oo_log(OO_LOG_INFO, mod, __VA_ARGS__)
#define OO_DEBUG(mod, ...) do { if (oo_log_get_level() >= OO_LOG_DEBUG) oo_log(OO_LOG_DEBUG, mod, __VA_ARGS__); } while (0)
#define OO_TRACE(mod, ...) do { if (oo_log_get_level() >= OO_LOG_TRACE) oo_log(OO_LOG_TRACE, mod, __VA_ARGS__); } while (0)
#endif
