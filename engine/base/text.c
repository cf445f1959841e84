/* text: see text.h. */
#include "base/text.h"
#include "base/buf.h"
#include <string.h>

/* Decodes one code point of strict UTF-8 at s (n bytes left): its length, 0 when invalid. */
static int utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0) return 0;
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    int len = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || (size_t)len > n) return 0;
    uint32_t v = s[0] & (0x7f >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return len;
}

long oo_utf8_invalid_at(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = utf8_next(p + i, len - i, &cp);
        if (n == 0 || cp == 0) return (long)i;
        i += (size_t)n;
    }
    return -1;
}

long oo_utf8_count(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    long count = 0;
    while (len > 0) {
        uint32_t cp;
        int n = utf8_next(p, len, &cp);
        if (n == 0 || cp == 0) return -1;
        p += n;
        len -= (size_t)n;
        count++;
    }
    return count;
}

/* Characters that act on a terminal instead of showing: C0, DEL, C1, and the invisible line
 * and direction controls. */
static int acts_on_terminal(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

int oo_text_check_name(const char *s, size_t max_chars, const char *what, oo_err *err)
{
    size_t len = strlen(s);
    long chars = oo_utf8_count(s, len);
    if (chars < 0) return oo_err_set(err, OO_E_INPUT, "%s: not valid UTF-8 text", what);
    if ((size_t)chars > max_chars)
        return oo_err_set(err, OO_E_INPUT, "%s: %ld characters; at most %zu", what, chars, max_chars);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = utf8_next(p + i, len - i, &cp);
        if (acts_on_terminal(cp))
            return oo_err_set(err, OO_E_INPUT, "%s: no control characters (found U+%04X at character %ld): "
                              "a name is one line of plain text", what, (unsigned)cp, oo_utf8_count(s, i) + 1);
        i += (size_t)n;
    }
    return 0;
}

char *oo_text_for_terminal(const char *s)
{
    oo_buf b;
    oo_buf_init(&b);
    oo_buf_puts(&b, "");
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = utf8_next(p + i, len - i, &cp);
        if (n == 0) { oo_buf_printf(&b, "\\x%02x", p[i]); i++; continue; }
        if (cp < 0x80 && acts_on_terminal(cp)) oo_buf_printf(&b, "\\x%02x", (unsigned)cp);
        else if (acts_on_terminal(cp)) oo_buf_printf(&b, "\\u%04x", (unsigned)cp);
        else oo_buf_append(&b, p + i, (size_t)n);
        i += (size_t)n;
    }
    return oo_buf_steal(&b);
}
