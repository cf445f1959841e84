/* doctor: checks this machine before a night run, and says for each check OK or what to fix.
 * The checks are lua/oo/doctor.lua (what is OptionOmega stays in Lua); they use the generic
 * pieces of script/probe.h (Chromium, the database read-only, recordings, file modes) and
 * the browser module. Exit 0 when every check passed (or was skipped), 1 when one failed. */
#include "cli/commands.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/util.h"
#include "script/probe.h"
#include "script/script.h"
#include "script/sched.h"
#include <stdio.h>
#include <stdlib.h>

const cli_opt cli_doctor_opts[] = {
    {"login", 0, NULL, "also sign in with login.json (uses the account once)"},
    {"headed", 0, NULL, "show the browser window"},
    {0},
};

int cli_cmd_doctor(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    char *script = oo_resource_path("lua/oo/doctor.lua");
    if (!oo_file_exists(script)) {
        int rc = cli_fail("doctor: %s is missing: reinstall oo-automator, or point OO_HOME at its files", script);
        free(script);
        return rc;
    }
    char *argv[] = {oo_asprintf("json=%d", oo_cfg()->json ? 1 : 0), oo_asprintf("login=%d", cli_has(a, "login")),
                    oo_asprintf("headed=%d", !cli_headless(a))};
    oo_err err = {0};
    script_opts so = {.traceback = oo_cfg()->verbose > 1};
    oo_script *s = script_new(&so, &err);
    int rc;
    if (!s) {
        rc = cli_fail("doctor: %s", err.msg);
    } else {
        probe_register(s);
        fflush(stdout);
        if (script_run_main(s, script, 3, argv, &err) != 0) rc = cli_fail("doctor: %s", err.msg);
        else rc = sched_main_status(script_state(s));
        script_free(s);
    }
    for (int i = 0; i < 3; i++) free(argv[i]);
    free(script);
    return rc < 0 || rc > 255 ? 1 : rc;
}
