/* proc: runs a short-lived program (a `--version`) and reads the first line it prints, with a
 * deadline: its stdin and stderr are /dev/null, it is killed and reaped if it overstays.
 * The returned line is the caller's to free. */
#ifndef OO_BASE_PROC_H
#define OO_BASE_PROC_H
#include "base/err.h"

/* argv[0] is a path (no PATH search); NULL-terminated. The first line of its stdout, without
 * the newline; NULL and err when it cannot start, exits non-zero, prints nothing, or is still
 * running after timeout_ms. */
char *oo_proc_first_line(const char *const argv[], int timeout_ms, oo_err *err);
#endif
