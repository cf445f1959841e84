/* alive: engine names and their liveness (see alive.h). */
#include "base/alive.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void host_name(char *buf, size_t n)
{
    if (gethostname(buf, n - 1) != 0) snprintf(buf, n, "host");
    buf[n - 1] = '\0';
}

void oo_engine_self(char *buf, size_t n)
{
    char host[64];
    host_name(host, sizeof host);
    snprintf(buf, n, "%s:%ld", host, (long)getpid());
}

int oo_engine_process_alive(const char *name)
{
    if (!name || !*name) return 0;
    char host[64];
    host_name(host, sizeof host);
    size_t hl = strlen(host);
    if (strncmp(name, host, hl) != 0 || name[hl] != ':') return 1;   /* another machine's */
    char *end = NULL;
    long pid = strtol(name + hl + 1, &end, 10);
    if (pid <= 0 || end == name + hl + 1 || (*end && *end != '/')) return 1;
    if (pid == (long)getpid()) return 1;
    return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

int oo_engine_alive(const char *name, int64_t seen_ms, int64_t now_ms, int64_t stale_ms)
{
    if (!name || !*name) return 0;
    if (now_ms - seen_ms > stale_ms) return 0;
    return oo_engine_process_alive(name);
}
