/* The logger's masking: a secret is masked in every spelling a line may carry it in. The
 * spellings below were written out by hand from the rules (JSON: RFC 8259 escapes, \u with
 * UTF-16 surrogates past U+FFFF; URL: RFC 3986 percent-encoding of the UTF-8 bytes, '+' for a
 * space in a form body; HTML: the five entities), not computed by the code under test. */
#include "testlib.h"
#include "base/log.h"
#include <stdlib.h>
#include <string.h>

/* the secret: Qz7k"pa\ss%41 x+y&<é-🔑  (é = U+00E9 = C3 A9; 🔑 = U+1F511 = F0 9F 94 91 = D83D DD11) */
#define PW "Qz7k\"pa\\ss%41 x+y&<\xc3\xa9-\xf0\x9f\x94\x91"

static const struct { const char *what, *text; } spellings[] = {
    {"as is", PW},
    {"JSON", "Qz7k\\\"pa\\\\ss%41 x+y&<\xc3\xa9-\xf0\x9f\x94\x91"},
    {"JSON in JSON", "Qz7k\\\\\\\"pa\\\\\\\\ss%41 x+y&<\xc3\xa9-\xf0\x9f\x94\x91"},
    {"JSON in JSON in JSON", "Qz7k\\\\\\\\\\\\\\\"pa\\\\\\\\\\\\\\\\ss%41 x+y&<\xc3\xa9-\xf0\x9f\x94\x91"},
    {"JSON, \\u lower", "Qz7k\\\"pa\\\\ss%41 x+y&<\\u00e9-\\ud83d\\udd11"},
    {"JSON, \\u upper", "Qz7k\\\"pa\\\\ss%41 x+y&<\\u00E9-\\uD83D\\uDD11"},
    {"JSON in JSON, \\u", "Qz7k\\\\\\\"pa\\\\\\\\ss%41 x+y&<\\\\u00e9-\\\\ud83d\\\\udd11"},
    {"form body", "Qz7k%22pa%5Css%2541+x%2By%26%3C%C3%A9-%F0%9F%94%91"},
    {"form body, lower hex", "Qz7k%22pa%5css%2541+x%2by%26%3c%c3%a9-%f0%9f%94%91"},
    {"encodeURIComponent", "Qz7k%22pa%5Css%2541%20x%2By%26%3C%C3%A9-%F0%9F%94%91"},
    {"HTML", "Qz7k&quot;pa\\ss%41 x+y&amp;&lt;\xc3\xa9-\xf0\x9f\x94\x91"},
    {NULL, NULL}};

int main(void)
{
    oo_log_set_secret(PW);
    for (int i = 0; spellings[i].what; i++) {
        char line[512];
        snprintf(line, sizeof line, "{\"params\":{\"postData\":\"a=1&password=%s&b=2\"}}", spellings[i].text);
        char *m = oo_log_mask(line);
        CHECK_MSG(!strstr(m, "Qz7k") && strstr(m, "password=********&b=2"), "%s: %s", spellings[i].what, m);
        free(m);
    }
    /* twice in one line, at its very start and end */
    char *m = oo_log_mask(PW " and " PW);
    CHECK_STR(m, "******** and ********");
    free(m);
    /* others are left alone; a second secret is masked too; clearing forgets both */
    oo_log_add_secret("t0ken-XYZ");
    m = oo_log_mask("token t0ken-XYZ for Qz7k, not a secret");
    CHECK_STR(m, "token ******** for Qz7k, not a secret");
    free(m);
    oo_log_clear_secrets();
    m = oo_log_mask(PW);
    CHECK_STR(m, PW);
    free(m);
    /* a short password (the demo's is "demo"): masked where it stands alone, as a leak has it
     * (a JSON value, a form field, a query parameter, a typed text, the line's very ends), and
     * left inside longer words, which it used to turn into "oo-automator ********" and
     * "e********pected" */
    oo_log_set_secret("demo");
    m = oo_log_mask("{\"text\":\"demo\"} password=demo&x=1 ?p=demo demo");
    CHECK_STR(m, "{\"text\":\"********\"} password=********&x=1 ?p=******** ********");
    free(m);
    m = oo_log_mask("oo-automator demo: demos, demo_1 and pseudemo");
    CHECK_STR(m, "oo-automator ********: demos, demo_1 and pseudemo");
    free(m);
    oo_log_set_secret("x");
    m = oo_log_mask("expected x at {\"v\":\"x\"}; exported");
    CHECK_STR(m, "expected ******** at {\"v\":\"********\"}; exported");
    free(m);
    /* a long one is masked anywhere, inside a word too */
    oo_log_set_secret("hunter2hunter2");
    m = oo_log_mask("abchunter2hunter2def");
    CHECK_STR(m, "abc********def");
    free(m);
    oo_log_clear_secrets();
    return tl_finish();
}
