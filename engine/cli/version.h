/* version: what `oo-automator --version` says: the program's version, the versions of the
 * libraries it runs with, and the Chromium it would launch. The one place that asks each
 * library for its version, at run time (Lua's patch level alone comes from its headers). */
#ifndef OO_CLI_VERSION_H
#define OO_CLI_VERSION_H

/* Prints the version block on stdout; 0. The configuration is loaded when it can be (for
 * OO_CHROMIUM); a broken configuration does not stop it. */
int cli_print_version(void);
#endif
