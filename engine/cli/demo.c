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
           "This build has the store, the Lua runtime, the command line, oo-sim, and the browser\n"
           "engine with Chrome Recorder replay (try `oo-automator replay --help`, `oo-sim --help`).\n"
           "The run engine that drives whole sweeps comes next; until then the demo only says so.\n",
           oo_version());
    return 0;
}
