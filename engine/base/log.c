#include "base/log.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static oo_log_level g_level = OO_LOG_WARN;
static char *g_secret;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void oo_log_set_level(oo_log_level level) { g_level = level; }
oo_log_level oo_log_get_level(void) { return g_level; }

void oo_log_set_secret(const char *secret)
{
    pthread_mutex_lock(&g_lock);
    free(g_secret);
    g_secret = (secret && *secret) ? strdup(secret) : NULL;
    pthread_mutex_unlock(&g_lock);
}

static void mask(char *line)
{
    if (!g_secret) return;
    size_t n = strlen(g_secret);
    for (char *p = strstr(line, g_secret); p; p = strstr(p + n, g_secret))
        memset(p, '*', n);
}

void oo_log(oo_log_level level, const char *module, const char *fmt, ...)
{
    if (level > g_level) return;
    static const char *names[] = {"error", "warn", "info", "debug", "trace"};
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    pthread_mutex_lock(&g_lock);
    mask(line);
    fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, names[level], module ? module : "-", line);
    pthread_mutex_unlock(&g_lock);
}
