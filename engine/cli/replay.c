/* The replay command. The Recorder replay engine (engine/replay) is not in this build yet;
 * until it is, the command checks its arguments and says so. */
#include "cli/replay.h"
#include "cli/args.h"
#include "base/util.h"
#include <stdio.h>
#include <string.h>

int cli_cmd_replay(int argc, char **argv)
{
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-') { file = argv[i]; continue; }
        if (!strcmp(argv[i], "--timeout") || !strcmp(argv[i], "--slowmo") || !strcmp(argv[i], "--artifacts")) { i++; continue; }
        if (strcmp(argv[i], "--headless") && strcmp(argv[i], "--headed"))
            return cli_usage_error("replay", "unknown option %s for \"replay\"", argv[i]);
    }
    if (!file) return cli_usage_error("replay", "\"replay\" needs a recording FILE.json");
    if (!oo_file_exists(file)) return cli_fail("cannot read %s: no such file", file);
    return cli_fail("replay: the replay engine is not part of this build yet (issue 4)");
}
