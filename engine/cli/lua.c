/* lua: run a Lua file under the engine's runtime (used by the Lua tests, and by users trying a
 * script). Exit 0 on success (or the integer the file returns, e.g. `return 1`), 1 on a Lua
 * error (file:line: message), 2 when unreadable. */
#include "cli/commands.h"
#include "base/config.h"
#include "base/util.h"
#include "script/script.h"
#include "script/sched.h"
#include <stdio.h>

int cli_cmd_lua(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    const char *file = a->pos[0];
    if (!oo_file_exists(file)) return cli_usage_error("lua", "cannot read %s: no such file", file);
    oo_err err = {0};
    script_opts opts = {.traceback = oo_cfg()->verbose > 0};
    oo_script *s = script_new(&opts, &err);
    if (!s) return cli_fail("%s", err.msg);
    int rc = script_run_main(s, file, a->npos - 1, (char **)a->pos + 1, &err);
    int status = rc == 0 ? sched_main_status(script_state(s)) : 0;
    script_free(s);
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return err.code == OO_E_IO ? 2 : 1;
    }
    return status < 0 || status > 255 ? 1 : status;
}
