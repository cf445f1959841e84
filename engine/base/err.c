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

static const char *const code_names[OO_E_COUNT] = {
    [OO_E_NONE] = "script", [OO_E_GENERIC] = "script", [OO_E_USAGE] = "usage", [OO_E_INPUT] = "input",
    [OO_E_IO] = "io", [OO_E_TIMEOUT] = "timeout", [OO_E_BROWSER] = "browser", [OO_E_DB] = "db",
    [OO_E_SCRIPT] = "script", [OO_E_CANCELLED] = "cancelled", [OO_E_PAGE] = "page",
    [OO_E_NETWORK] = "network",
};

const char *oo_err_code_name(int code)
{
    return code > 0 && code < OO_E_COUNT ? code_names[code] : "script";
}

int oo_err_code_of(const char *name)
{
    for (int c = OO_E_USAGE; name && c < OO_E_COUNT; c++)
        if (!strcmp(code_names[c], name)) return c;
    return OO_E_SCRIPT;
}
