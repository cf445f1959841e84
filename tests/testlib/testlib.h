/* testlib: the few assertion macros the C unit tests use. A failed check prints file:line and
 * the expression, and the test exits 1 at its end; tests print "N passed, N failed". */
#ifndef OO_TESTLIB_H
#define OO_TESTLIB_H
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

extern int tl_passed, tl_failed;
int tl_finish(void);
/* A fresh, empty directory for this test under $OO_TEST_TMP (or /tmp); caller frees. */
char *tl_tmpdir(const char *name);

#define CHECK(expr) do { if (expr) tl_passed++; else { tl_failed++; \
  fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); } } while (0)
#define CHECK_MSG(expr, ...) do { if (expr) tl_passed++; else { tl_failed++; \
  fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #expr); \
  fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_STR(a, b) do { const char *tl_a = (a), *tl_b = (b); \
  if (tl_a && tl_b && strcmp(tl_a, tl_b) == 0) tl_passed++; else { tl_failed++; \
  fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, \
          #a, #b, tl_a ? tl_a : "(null)", tl_b ? tl_b : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long tl_a = (long long)(a), tl_b = (long long)(b); \
  if (tl_a == tl_b) tl_passed++; else { tl_failed++; \
  fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, \
          #a, #b, tl_a, tl_b); } } while (0)
/* Stops the test at once (a precondition for the rest): prints the summary and exits 1. */
#define REQUIRE(expr) do { if (expr) tl_passed++; else { tl_failed++; \
  fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #expr); \
  exit(tl_finish()); } } while (0)
#endif
