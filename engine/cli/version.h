/* version: what `oo-automator --version` says: the program's version, the versions of the
 * libraries it runs with, and the Chromium it would launch. The one place that asks each
 * library for its version (at run time where the library can say, else its headers).
 * Returned strings are the caller's to free. */
#ifndef OO_CLI_VERSION_H
#define OO_CLI_VERSION_H
#include "base/err.h"

/* The first line `path --version` prints ("Chromium 156.0.8078.108 built on Debian ..."),
 * within timeout_ms; NULL and err when it does not start, fails or says nothing in time. */
char *cli_chromium_version(const char *path, int timeout_ms, oo_err *err);
/* Prints the version block on stdout; 0. The configuration is loaded when it can be (for
 * OO_CHROMIUM); a broken configuration does not stop it. */
int cli_print_version(void);
#endif
