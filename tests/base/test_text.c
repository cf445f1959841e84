/* Names and the terminal: what a name may hold (base/text.h) and how stored text is printed.
 * Byte sequences are written out by hand from RFC 3629 (UTF-8) and Unicode's code charts. */
#include "testlib.h"
#include "base/text.h"
#include <stdlib.h>
#include <string.h>

static int ok_name(const char *s) { oo_err e = {0}; return oo_text_check_name(s, OO_NAME_MAX_CHARS, "name", &e) == 0; }

int main(void)
{
    /* counting: code points, not bytes; invalid UTF-8 is -1 */
    CHECK_INT(oo_utf8_count("abc", 3), 3);
    CHECK_INT(oo_utf8_count("\xc3\xa9t\xc3\xa9", 5), 3);               /* été */
    CHECK_INT(oo_utf8_count("\xf0\x9f\x94\x91", 4), 1);                 /* U+1F511 */
    CHECK_INT(oo_utf8_count("\xc0\xaf", 2), -1);                        /* overlong '/' */
    CHECK_INT(oo_utf8_count("\xed\xa0\x80", 3), -1);                    /* a surrogate, U+D800 */
    CHECK_INT(oo_utf8_count("\xf4\x90\x80\x80", 4), -1);                /* past U+10FFFF */
    CHECK_INT(oo_utf8_count("\xc3", 1), -1);                            /* cut short */
    CHECK_INT(oo_utf8_count("a\0b", 3), -1);                            /* a NUL */

    /* names: one line of plain text, at most 200 characters */
    CHECK(ok_name("Put Credit Spread \xe2\x80\x94 SPY 45 DTE"));
    CHECK(ok_name("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"));                  /* Hebrew, right to left by itself */
    static const char *const bad[] = {"a\x1b[2Jb", "bell\x07", "cr\rover", "two\nlines", "tab\there", "del\x7f",
        "csi \xc2\x9b" "31m", "rlo \xe2\x80\xae" "txt.exe", "line \xe2\x80\xa8 sep", "isolate \xe2\x81\xa6", "bad \xff utf8", NULL};
    for (int i = 0; bad[i]; i++) CHECK_MSG(!ok_name(bad[i]), "accepted: %s", bad[i]);
    char name[1024] = "";
    for (int i = 0; i < 200; i++) strcat(name, "\xc3\xa9");             /* 200 characters, 400 bytes */
    CHECK(ok_name(name));
    strcat(name, "x");
    oo_err e = {0};
    CHECK(oo_text_check_name(name, OO_NAME_MAX_CHARS, "name", &e) != 0 && strstr(e.msg, "201 characters; at most 200"));

    /* printing: controls escaped, the rest as it is */
    char *t = oo_text_for_terminal("ok \x1b[2J\x07\r\n\xc2\x9b\xe2\x80\xae \xff \xc3\xa9");
    CHECK_STR(t, "ok \\x1b[2J\\x07\\x0d\\x0a\\u009b\\u202e \\xff \xc3\xa9");
    free(t);
    t = oo_text_for_terminal(NULL);
    CHECK_STR(t, "");
    free(t);
    return tl_finish();
}
