/* manpage: renders oo-automator(1) in roff from the command table (see manpage.c). */
#ifndef OO_CLI_MANPAGE_H
#define OO_CLI_MANPAGE_H
#include <stdio.h>
void cli_manpage(FILE *out);
#endif
