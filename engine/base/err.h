/* err: the error value every module fills instead of printing. A message names what went
 * wrong, where (file, step, JSON path, flag) and how to fix it. Caller owns the oo_err (usually
 * on the stack); it holds no heap memory. */
#ifndef OO_BASE_ERR_H
#define OO_BASE_ERR_H
#include <stdarg.h>

#define OO_ERR_MAX 2048

typedef struct oo_err {
    int code;                 /* 0 = no error; otherwise a module-specific kind (OO_E_*) */
    char msg[OO_ERR_MAX];
} oo_err;

enum {
    OO_E_NONE = 0,
    OO_E_GENERIC = 1,
    OO_E_USAGE,      /* bad flag, bad argument: exit 2 */
    OO_E_INPUT,      /* malformed file, recording, script, request */
    OO_E_IO,         /* file system, socket */
    OO_E_TIMEOUT,    /* a deadline passed */
    OO_E_BROWSER,    /* Chromium died, socket closed, renderer crashed */
    OO_E_DB,         /* SQLite */
    OO_E_SCRIPT,     /* Lua error */
    OO_E_CANCELLED,  /* called off: a signal, a closed page, a run that stops */
    OO_E_PAGE,       /* the page answered no: it threw, a navigation or a response failed */
    OO_E_NETWORK,    /* the site could not be reached: no connection, no name, no internet */
    OO_E_COUNT
};

void oo_err_clear(oo_err *err);
/* Sets code and message (printf-style); returns -1 so callers can `return oo_err_set(...)`. */
int oo_err_set(oo_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int oo_err_setv(oo_err *err, int code, const char *fmt, va_list ap);
/* The name of a code as it crosses into Lua ({code = "timeout", msg = ...}; lua/oo/errors.lua):
 * "input", "usage", "timeout", "browser", "io", "db", "script", "cancelled", "page", "network"; an
 * unknown or generic code is "script". oo_err_code_of maps a name back (unknown: OO_E_SCRIPT). */
const char *oo_err_code_name(int code);
int oo_err_code_of(const char *name);
/* Prepends context: "context: old message". */
int oo_err_wrap(oo_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
