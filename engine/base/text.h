/* text: the names people give things (a test, a run) and how stored text reaches a terminal.
 * A name is valid UTF-8 of at most max_chars characters (code points, not bytes), with no
 * control character (C0, DEL, C1: ESC, BEL, CR, LF...) and none of the invisible line and
 * direction controls (U+2028, U+2029, U+202A-U+202E, U+2066-U+2069) that would let it move the
 * cursor, rewrite a line or disguise what a terminal shows. What is already stored is printed
 * escaped whatever it holds. Strings returned are the caller's to free. */
#ifndef OO_BASE_TEXT_H
#define OO_BASE_TEXT_H
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

#define OO_NAME_MAX_CHARS 200

/* Code points of UTF-8 text of len bytes; -1 when it is not valid UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF included) or holds a NUL. */
long oo_utf8_count(const char *s, size_t len);
/* The byte offset of the first byte that breaks UTF-8 (or is a NUL); -1 when there is none. */
long oo_utf8_invalid_at(const char *s, size_t len);
/* 0 for a valid name; -1 with err (OO_E_INPUT) saying what is wrong with `what`. */
int oo_text_check_name(const char *s, size_t max_chars, const char *what, oo_err *err);
/* s for a terminal: every control character, invisible control and byte that is not UTF-8
 * written as \xHH or \uHHHH; everything else as it is. NULL gives "". */
char *oo_text_for_terminal(const char *s);
#endif
