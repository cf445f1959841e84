/* Writing a file where others may write too (an export to /tmp): a link planted at the name of
 * the temporary file, before the write, does not make the write land in the link's target. */
#include "testlib.h"
#include "base/buf.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char *dir = tl_tmpdir("files");
    char *victim = oo_path_join(dir, "victim.txt"), *out = oo_path_join(dir, "export.csv");
    REQUIRE(oo_write_file(victim, "precious", 8, NULL) == 0);
    /* the names a predictable temporary file could have had */
    char *planted = oo_asprintf("%s.tmp.%ld", out, (long)getpid());
    REQUIRE(symlink(victim, planted) == 0);
    oo_err err = {0};
    CHECK_MSG(oo_write_file(out, "a,b\n1,2\n", 8, &err) == 0, "%s", err.msg);
    char *v = oo_read_file(victim, NULL, NULL), *o = oo_read_file(out, NULL, NULL);
    CHECK_STR(v, "precious");
    CHECK_STR(o, "a,b\n1,2\n");
    struct stat st;
    CHECK(lstat(out, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
    /* writing over a link replaces the link, never its target */
    char *link = oo_path_join(dir, "link.csv");
    REQUIRE(symlink(victim, link) == 0);
    CHECK(oo_write_file(link, "x", 1, &err) == 0);
    free(v);
    v = oo_read_file(victim, NULL, NULL);
    CHECK_STR(v, "precious");
    CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode));
    free(v);
    free(o);
    free(link);
    free(planted);
    free(victim);
    free(out);
    free(dir);
    return tl_finish();
}
