#include "base/err.h"
#include <stdio.h>
#include <string.h>

void oo_err_clear(oo_err *err)
{
    if (!err) return;
    err->code = 0;
    err->msg[0] = '\0';
}

int oo_err_setv(oo_err *err, int code, const char *fmt, va_list ap)
{
    if (!err) return -1;
    err->code = code ? code : OO_E_GENERIC;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return -1;
}

int oo_err_set(oo_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    oo_err_setv(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int oo_err_wrap(oo_err *err, const char *fmt, ...)
{
    if (!err) return -1;
    char prefix[OO_ERR_MAX], old[OO_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3) n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 2;
    size_t m = strnlen(old, room - 1);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
    if (!err->code) err->code = OO_E_GENERIC;
    return -1;
}
