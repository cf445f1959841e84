/* log: see log.h. Secrets are masked in every spelling a log line may carry them in: as they
 * are, JSON-escaped once, twice or three times (a JS string inside a CDP message inside a
 * trace), with non-ASCII as \uXXXX or not (Chromium's DevTools JSON escapes it, cJSON does
 * not), URL-encoded (a form body, a query string), and HTML-escaped. */
#include "base/log.h"
#include "base/buf.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SECRETS 8
#define MAX_FORMS 24
#define MASK "********"

/* A secret shorter than this is masked only where it stands as a word of its own (not inside a
 * longer run of letters and digits): masked everywhere, a password such as "x" or "demo" turned
 * "expected" into "e********pected" and "oo-automator demo" into "oo-automator ********" in
 * every message. Wherever a password leaks, in a JSON value, a form body, a query string or a
 * typed text, it is bounded by quotes, '=', '&' or spaces, so it is still masked there. */
#define WHOLE_WORD_BELOW 8

typedef struct secret {
    char *text;                  /* as given; NULL for a free slot */
    char *form[MAX_FORMS];       /* every spelling, longest first */
    int nforms;
    int whole_word;              /* short: masked only as a word of its own */
} secret;

static oo_log_level g_level = OO_LOG_WARN;
static secret g_secrets[MAX_SECRETS];   /* [0] is the password (oo_log_set_secret) */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void oo_log_set_level(oo_log_level level) { g_level = level; }
oo_log_level oo_log_get_level(void) { return g_level; }

/* ---- the spellings of a secret ------------------------------------------------------------ */

/* The next code point of UTF-8 text (bytes that are no valid UTF-8 come one by one). */
static uint32_t next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    int n = s[0] >= 0xf0 && s[0] < 0xf8 ? 3 : s[0] >= 0xe0 ? 2 : s[0] >= 0xc0 ? 1 : 0;
    if (s[0] >= 0xf8) n = 0;
    uint32_t cp = n == 3 ? s[0] & 0x07 : n == 2 ? s[0] & 0x0f : n == 1 ? s[0] & 0x1f : s[0];
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xc0) != 0x80) { *p = s + 1; return s[0]; }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *p = s + n + 1;
    return cp;
}

/* JSON string escaping (without quotes). ascii: non-ASCII as \uXXXX (surrogate pairs past
 * U+FFFF), in upper- or lower-case hex; otherwise left as it is, as cJSON does. */
static char *json_escape(const char *s, int ascii, int upper)
{
    const char *hex = upper ? "%04X" : "%04x";
    oo_buf b;
    oo_buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') { oo_buf_putc(&b, '\\'); oo_buf_putc(&b, (char)c); p++; }
        else if (c == '\n') { oo_buf_puts(&b, "\\n"); p++; }
        else if (c == '\r') { oo_buf_puts(&b, "\\r"); p++; }
        else if (c == '\t') { oo_buf_puts(&b, "\\t"); p++; }
        else if (c == '\b') { oo_buf_puts(&b, "\\b"); p++; }
        else if (c == '\f') { oo_buf_puts(&b, "\\f"); p++; }
        else if (c < 0x20) { oo_buf_puts(&b, "\\u"); oo_buf_printf(&b, hex, c); p++; }
        else if (c < 0x80 || !ascii) { oo_buf_putc(&b, (char)c); p++; }
        else {
            uint32_t cp = next_cp(&p);
            if (cp > 0xffff) {
                cp -= 0x10000;
                oo_buf_puts(&b, "\\u"); oo_buf_printf(&b, hex, 0xd800 + (cp >> 10));
                cp = 0xdc00 + (cp & 0x3ff);
            }
            oo_buf_puts(&b, "\\u"); oo_buf_printf(&b, hex, cp);
        }
    }
    return oo_buf_steal(&b);
}

/* Percent-encoding: bytes outside `keep` (and letters and digits) as %XX; a space as '+' when
 * form is set (application/x-www-form-urlencoded), else as %20 (encodeURIComponent). */
static char *url_escape(const char *s, const char *keep, int form, int upper)
{
    oo_buf b;
    oo_buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(keep, *p))
            oo_buf_putc(&b, (char)*p);
        else if (*p == ' ' && form) oo_buf_putc(&b, '+');
        else oo_buf_printf(&b, upper ? "%%%02X" : "%%%02x", *p);
    }
    return oo_buf_steal(&b);
}

static char *html_escape(const char *s)
{
    oo_buf b;
    oo_buf_init(&b);
    for (; *s; s++) {
        switch (*s) {
        case '&': oo_buf_puts(&b, "&amp;"); break;
        case '<': oo_buf_puts(&b, "&lt;"); break;
        case '>': oo_buf_puts(&b, "&gt;"); break;
        case '"': oo_buf_puts(&b, "&quot;"); break;
        case '\'': oo_buf_puts(&b, "&#39;"); break;
        default: oo_buf_putc(&b, *s);
        }
    }
    return oo_buf_steal(&b);
}

/* Adds a spelling (taking it) unless it is known already. */
static void add_form(secret *sc, char *f)
{
    for (int i = 0; i < sc->nforms; i++)
        if (!strcmp(sc->form[i], f)) { free(f); return; }
    if (sc->nforms == MAX_FORMS || !*f) { free(f); return; }
    sc->form[sc->nforms++] = f;
}

static int longer_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

static void secret_fill(secret *sc, const char *s)
{
    sc->text = oo_strdup(s);
    sc->whole_word = strlen(s) < WHOLE_WORD_BELOW;
    add_form(sc, oo_strdup(s));
    for (int mode = 0; mode < 3; mode++) {            /* UTF-8 as is; \uxxxx; \uXXXX */
        char *level = oo_strdup(s);
        for (int depth = 0; depth < 3; depth++) {
            char *next = json_escape(level, mode > 0, mode == 2);
            free(level);
            level = next;
            add_form(sc, oo_strdup(level));
        }
        free(level);
    }
    for (int upper = 0; upper < 2; upper++) {
        add_form(sc, url_escape(s, "*-._", 1, upper));
        add_form(sc, url_escape(s, "-_.!~*'()", 0, upper));
    }
    add_form(sc, html_escape(s));
    qsort(sc->form, (size_t)sc->nforms, sizeof sc->form[0], longer_first);
}

static void secret_clear(secret *sc)
{
    if (sc->text) memset(sc->text, 0, strlen(sc->text));
    free(sc->text);
    sc->text = NULL;
    for (int i = 0; i < sc->nforms; i++) {
        memset(sc->form[i], 0, strlen(sc->form[i]));
        free(sc->form[i]);
    }
    sc->nforms = 0;
}

void oo_log_set_secret(const char *secret_text)
{
    pthread_mutex_lock(&g_lock);
    secret_clear(&g_secrets[0]);
    if (secret_text && *secret_text) secret_fill(&g_secrets[0], secret_text);
    pthread_mutex_unlock(&g_lock);
}

void oo_log_add_secret(const char *secret_text)
{
    static int rotate;
    if (!secret_text || !*secret_text) return;
    pthread_mutex_lock(&g_lock);
    int slot = 0;
    for (int i = 1; i < MAX_SECRETS; i++) {
        if (g_secrets[i].text && !strcmp(g_secrets[i].text, secret_text)) { slot = -1; break; }
        if (!g_secrets[i].text && !slot) slot = i;
    }
    if (slot == 0) slot = 1 + rotate++ % (MAX_SECRETS - 1);   /* full: an older one makes room */
    if (slot > 0) {
        secret_clear(&g_secrets[slot]);
        secret_fill(&g_secrets[slot], secret_text);
    }
    pthread_mutex_unlock(&g_lock);
}

void oo_log_clear_secrets(void)
{
    pthread_mutex_lock(&g_lock);
    for (int i = 0; i < MAX_SECRETS; i++) secret_clear(&g_secrets[i]);
    pthread_mutex_unlock(&g_lock);
}

/* ---- masking ------------------------------------------------------------------------------- */

/* A byte of a word (\w): an ASCII letter, digit or '_', or any byte of a non-ASCII character. */
static int word_byte(unsigned char c) { return c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

/* Is the match of `form` (n bytes) at hit in text a word of its own? Each end that is a word
 * byte in the form must meet a non-word byte (or the text's end) in the text: \b's rule. */
static int stands_alone(const char *text, const char *hit, const char *form, size_t n)
{
    if (word_byte((unsigned char)form[0]) && hit > text && word_byte((unsigned char)hit[-1])) return 0;
    if (word_byte((unsigned char)form[n - 1]) && word_byte((unsigned char)hit[n])) return 0;
    return 1;
}

/* cur with each (whole-word, when whole) occurrence of form replaced by MASK; takes cur. */
static char *mask_form(char *cur, const char *form, int whole)
{
    if (!strstr(cur, form)) return cur;
    size_t n = strlen(form);
    oo_buf b;
    oo_buf_init(&b);
    const char *p = cur, *from = cur;
    for (const char *hit; (hit = strstr(p, form)); ) {
        if (whole && !stands_alone(cur, hit, form, n)) { p = hit + 1; continue; }
        oo_buf_append(&b, from, (size_t)(hit - from));
        oo_buf_puts(&b, MASK);
        p = from = hit + n;
    }
    oo_buf_puts(&b, from);
    free(cur);
    return oo_buf_steal(&b);
}

/* text with every spelling of every secret replaced by MASK; caller frees. Holds g_lock. */
static char *mask_locked(const char *text)
{
    char *cur = oo_strdup(text);
    for (int i = 0; i < MAX_SECRETS; i++)
        for (int f = 0; f < g_secrets[i].nforms; f++) cur = mask_form(cur, g_secrets[i].form[f], g_secrets[i].whole_word);
    return cur;
}

char *oo_log_mask(const char *text)
{
    pthread_mutex_lock(&g_lock);
    char *out = mask_locked(text ? text : "");
    pthread_mutex_unlock(&g_lock);
    return out;
}

static void vlog(oo_log_level level, const char *module, size_t clip, const char *fmt, va_list ap)
{
    static const char *names[] = {"error", "warn", "info", "debug", "trace"};
    oo_buf raw;
    oo_buf_init(&raw);
    oo_buf_vprintf(&raw, fmt, ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    pthread_mutex_lock(&g_lock);
    char *line = mask_locked(raw.data ? raw.data : "");   /* masked whole, then cut: never half a secret */
    size_t len = strlen(line);
    fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s %s: %.*s%s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, names[level], module ? module : "-", (int)(len > clip ? clip : len), line,
            len > clip ? "..." : "");
    pthread_mutex_unlock(&g_lock);
    free(line);
    oo_buf_free(&raw);
}

void oo_log(oo_log_level level, const char *module, const char *fmt, ...)
{
    if (level > g_level) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(level, module, OO_LOG_LINE_MAX, fmt, ap);
    va_end(ap);
}

void oo_log_clipped(oo_log_level level, const char *module, size_t clip, const char *fmt, ...)
{
    if (level > g_level) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(level, module, clip, fmt, ap);
    va_end(ap);
}
