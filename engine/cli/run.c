/* run: start a run. Its flags are checked here; the run engine (tasks, workers, browsers)
 * comes with the product work, and until then the command says what it would do. */
#include "cli/commands.h"
#include "base/config.h"
#include "base/util.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt cli_run_opts[] = {
    {"url", 0, "URL", "the OptionOmega test (URL, or a saved test's number, id or name)"},
    {"param", 0, "NAME", "the parameter to sweep (see parameters/)"},
    {"start", 0, "A", "first value of the sweep"},
    {"end", 0, "B", "last value of the sweep (included)"},
    {"step", 0, "S", "step between values"},
    {"browsers", 0, "N", "browsers working at once (default 2; env OO_BROWSERS)"},
    {"config", 0, "FILE", "a run spec in JSON or Lua"},
    {"name", 0, "NAME", "a name for the run"},
    {"yes", 'y', NULL, "do not ask (also allows grids of over 1,000 tasks)"},
    {"no-cache", 0, NULL, "run every backtest even when the same configuration was computed before"},
    {"headed", 0, NULL, "show the browser windows"},
    {0},
};

static int number(cli_args *a, const char *name, double *out)
{
    const char *v = cli_get(a, name);
    if (!v) return 0;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(d)) {
        cli_usage_error("run", "--%s must be a number, found \"%s\"", name, v);
        return -1;
    }
    *out = d;
    return 1;
}

int cli_cmd_run(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    oo_err err = {0};
    long browsers;
    if (cli_get_int(a, "browsers", 1, 8, &browsers) < 0) return 2;
    double start = 0, stop = 0, step = 1;
    int hs = number(a, "start", &start), he = number(a, "end", &stop), hp = number(a, "step", &step);
    if (hs < 0 || he < 0 || hp < 0) return 2;
    const char *script = a->npos ? a->pos[0] : NULL;
    const char *config = cli_get(a, "config");
    if (script && (config || cli_has(a, "param")))
        return cli_usage_error("run", "give a SCRIPT.lua, or --config, or --url with --param: not several");
    if (cli_has(a, "param") && !cli_has(a, "url"))
        return cli_usage_error("run", "--param needs --url (the test to run it on)");
    if ((hs || he || hp) && !cli_has(a, "param"))
        return cli_usage_error("run", "--start, --end and --step need --param");
    if (hp && step == 0) return cli_usage_error("run", "--step must not be 0");
    if (hs && he && (stop - start) * step < 0)
        return cli_usage_error("run", "--start %g is past --end %g for --step %g", start, stop, step);
    const char *file = script ? script : config;
    if (file && !oo_file_exists(file)) return cli_fail("cannot read %s: no such file", file);
    (void)err;
    return cli_fail("run: the run engine is not part of this build yet; nothing was started");
}
