/* alive: the name of an engine process ("host:pid", what its leases and the runs it works
 * carry) and whether a named engine still works. An engine says it works by renewing a
 * timestamp (a task's lease, a run's engine_seen_at); it is gone when that timestamp is older
 * than the allowed silence, or at once when it ran on this machine and its process is gone
 * (killed, crashed): a stale holder never blocks anybody for longer than the silence allowed.
 * No memory is allocated; names go into the caller's buffers. */
#ifndef OO_BASE_ALIVE_H
#define OO_BASE_ALIVE_H
#include <stddef.h>
#include <stdint.h>

/* This process's name, "host:pid", into buf. */
void oo_engine_self(char *buf, size_t n);
/* Whether the process a name ("host:pid", optionally followed by "/worker") designates may
 * still run: 0 only when it names this machine and no such process exists; 1 otherwise (a
 * process of another machine is judged by its timestamp alone). */
int oo_engine_process_alive(const char *name);
/* Whether an engine works: its name is set, it said so within stale_ms before now_ms, and
 * oo_engine_process_alive holds. */
int oo_engine_alive(const char *name, int64_t seen_ms, int64_t now_ms, int64_t stale_ms);
#endif
