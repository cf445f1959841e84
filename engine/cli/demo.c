/* demo: what the README's first command ends with. */
#include "cli/commands.h"
#include "base/util.h"
#include <stdio.h>

const cli_opt cli_demo_opts[] = {
    {"exit", 0, NULL, "stop at the end instead of leaving the dashboard open"},
    {0},
};

int cli_cmd_demo(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    (void)a;
    printf("oo-automator %s demo\n\n"
           "The demo will start oo-sim (the built-in OptionOmega stand-in) with OptionOmega-like\n"
           "latency on a free port, run a delta sweep and then a staged delta -> profit-target\n"
           "optimization on 2 browsers, print the results table and the best configuration, and\n"
           "leave the dashboard open.\n\n"
           "This build has the foundation: the store, the Lua runtime and the command line (try\n"
           "`oo-automator --help`). The browser engine, oo-sim and the run engine come next.\n",
           oo_version());
    return 0;
}
