/* The recording parser never crashes: the shipped recordings and the malformed ones, then many
 * seeded mutations of them (bytes flipped, inserted, deleted, truncated), all parsed; each
 * either parses or returns an error message. Under ASan/UBSan this is a small fuzzing run; a
 * libFuzzer target (OO_FUZZ) takes the same entry point. */
#ifndef OO_LIBFUZZER
#include "testlib.h"
#endif
#include "replay/recording.h"
#include "base/buf.h"
#include "base/util.h"
#include <dirent.h>
#include <stdlib.h>


static int parse_one(const char *data, size_t len)
{
    oo_err err = {0};
    recording *r = recording_parse(data, len, "fuzz.json", &err);
    int ok = r != NULL || err.msg[0] != '\0';
    recording_free(r);
    return ok;
}

#ifndef OO_LIBFUZZER
static uint64_t rng = 0x1234567;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

int main(void)
{
    const char *dir = getenv("OO_REPLAY_DIR");
    REQUIRE(dir != NULL);
    const char *subs[] = {"pass", "fail", "malformed"};
    int files = 0, parsed = 0, mutations = 0, answered = 0;
    for (int s = 0; s < 3; s++) {
        char *d = oo_asprintf("%s/recordings/%s", dir, subs[s]);
        DIR *dd = opendir(d);
        struct dirent *e;
        while (dd && (e = readdir(dd))) {
            if (e->d_name[0] == '.') continue;
            char *p = oo_asprintf("%s/%s", d, e->d_name);
            size_t len;
            char *text = oo_read_file(p, &len, NULL);
            files++;
            parsed += parse_one(text, len);
            for (int m = 0; m < 3000; m++) {
                char *buf = oo_malloc(len + 16);
                memcpy(buf, text, len);
                size_t n = len;
                int kind = (int)(next() % 4);
                size_t at = n ? next() % n : 0;
                if (kind == 0 && n) buf[at] = (char)next();
                else if (kind == 1 && n) { memmove(buf + at + 1, buf + at, n - at); buf[at] = "{}[]\",:0a-\\"[next() % 11]; n++; }
                else if (kind == 2 && n) { memmove(buf + at, buf + at + 1, n - at - 1); n--; }
                else n = at;
                mutations++;
                answered += parse_one(buf, n);
                free(buf);
            }
            free(text);
            free(p);
        }
        if (dd) closedir(dd);
        free(d);
    }
    CHECK(files >= 10);
    CHECK_INT(parsed, files);
    CHECK_INT(answered, mutations);
    CHECK(parse_one("", 0) && parse_one("null", 4) && parse_one("{\"steps\":[null]}", 16));
    return tl_finish();
}
#endif

#ifdef OO_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_one((const char *)data, size);
    return 0;
}
#endif
