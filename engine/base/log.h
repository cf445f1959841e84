/* log: leveled logging to stderr (or a file). Messages never contain the password: callers
 * pass it nowhere near here, and oo_log_set_secret() masks it should it ever slip through. */
#ifndef OO_BASE_LOG_H
#define OO_BASE_LOG_H

typedef enum { OO_LOG_ERROR = 0, OO_LOG_WARN, OO_LOG_INFO, OO_LOG_DEBUG, OO_LOG_TRACE } oo_log_level;

void oo_log_set_level(oo_log_level level);
oo_log_level oo_log_get_level(void);
/* A string that must never appear in a log line (the password); copied. NULL clears. */
void oo_log_set_secret(const char *secret);
void oo_log(oo_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define OO_ERROR(mod, ...) oo_log(OO_LOG_ERROR, mod, __VA_ARGS__)
#define OO_WARN(mod, ...)  oo_log(OO_LOG_WARN, mod, __VA_ARGS__)
#define OO_INFO(mod, ...)  oo_log(OO_LOG_INFO, mod, __VA_ARGS__)
#define OO_DEBUG(mod, ...) do { if (oo_log_get_level() >= OO_LOG_DEBUG) oo_log(OO_LOG_DEBUG, mod, __VA_ARGS__); } while (0)
#define OO_TRACE(mod, ...) do { if (oo_log_get_level() >= OO_LOG_TRACE) oo_log(OO_LOG_TRACE, mod, __VA_ARGS__); } while (0)
#endif
