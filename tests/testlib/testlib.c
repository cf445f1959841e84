#include "testlib.h"
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int tl_passed, tl_failed;

int tl_finish(void)
{
    printf("%d passed, %d failed\n", tl_passed, tl_failed);
    return tl_failed ? 1 : 0;
}

char *tl_tmpdir(const char *name)
{
    const char *root = getenv("OO_TEST_TMP");
    if (!root || !*root) root = "/tmp";
    mkdir(root, 0700);
    size_t n = strlen(root) + strlen(name) + 32;
    char *dir = malloc(n);
    snprintf(dir, n, "%s/%s.XXXXXX", root, name);
    if (!mkdtemp(dir)) { perror(dir); exit(2); }
    return dir;
}
