#include "cli/cli.h"
#include "base/util.h"
#include <stdio.h>
#include <string.h>

/* Skeleton: replaced by the CLI work (issue 2, part 3). */
int oo_cli_main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "demo")) {
        printf("oo-automator %s: the demo will start oo-sim, run a delta sweep and a staged "
               "optimization on 2 browsers, and show the results.\n", oo_version());
        return 0;
    }
    fprintf(stderr, "usage: oo-automator COMMAND [OPTIONS]\n");
    return 2;
}
