/* record-check: which selectors of a recording still resolve. Needs the replay engine. */
#include "cli/commands.h"
#include "base/util.h"
#include <stdio.h>

const cli_opt cli_record_check_opts[] = {
    {"url", 0, "URL", "start from this page instead of the recording's first navigation"},
    {"headed", 0, NULL, "show the browser window"},
    {0},
};

int cli_cmd_record_check(const cli_cmd *cmd, cli_args *a)
{
    (void)cmd;
    const char *file = a->pos[0];
    if (!oo_file_exists(file)) return cli_fail("cannot read %s: no such file", file);
    return cli_fail("record-check: the replay engine is not part of this build yet");
}
