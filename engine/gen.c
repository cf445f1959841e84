/* oo-gen: the build's generator of the files installed beside the program that come from the
 * command table: the manual page oo-automator(1) (cli/manpage.c) and the completion scripts
 * for bash, zsh and fish (cli/completion.c), written into the folder named by argv[1].
 * Not installed; it loads no configuration, so nothing of the builder's leaks in. */
#include "cli/completion.h"
#include "cli/manpage.h"
#include "base/buf.h"
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static int write_file(const char *dir, const char *name, const char *text, void (*render)(FILE *))
{
    char *path = oo_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    int ok = f != NULL;
    if (f) {
        if (render) render(f);
        else fputs(text, f);
        ok = !ferror(f);
        ok = fclose(f) == 0 && ok;
    }
    if (!ok) fprintf(stderr, "oo-gen: cannot write %s: %s\n", path, strerror(errno));
    free(path);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: oo-gen OUTPUT_DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    return write_file(dir, "oo-automator.1", NULL, cli_manpage) |
           write_file(dir, "oo-automator.bash", cli_completion_script("bash"), NULL) |
           write_file(dir, "_oo-automator", cli_completion_script("zsh"), NULL) |
           write_file(dir, "oo-automator.fish", cli_completion_script("fish"), NULL);
}
