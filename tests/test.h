/* Minimal test helpers: each check prints both values and file:line on failure and counts it;
 * a test program returns as_test_result() (0 pass, 1 fail) or AS_TEST_SKIP (77) with a reason. */
#ifndef ATTNSCOPE_TEST_H
#define ATTNSCOPE_TEST_H

#include "attnscope/core.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define AS_TEST_SKIP 77

static int as_test_failures;
static long as_test_checks;

#define AS_TEST_TRUE(cond)                                                                         \
    do {                                                                                           \
        as_test_checks++;                                                                          \
        if (!(cond)) {                                                                             \
            as_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);              \
        }                                                                                          \
    } while (0)

#define AS_TEST_EQ(a, b)                                                                           \
    do {                                                                                           \
        long long as_a_ = (long long)(a), as_b_ = (long long)(b);                                  \
        as_test_checks++;                                                                          \
        if (as_a_ != as_b_) {                                                                      \
            as_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b,  \
                    as_a_, as_b_);                                                                 \
        }                                                                                          \
    } while (0)

#define AS_TEST_NEAR(a, b, tol)                                                                    \
    do {                                                                                           \
        double as_a_ = (double)(a), as_b_ = (double)(b);                                           \
        as_test_checks++;                                                                          \
        if (!(fabs(as_a_ - as_b_) <= (tol))) {                                                     \
            as_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: |%s - %s| <= %g failed: %.9g vs %.9g\n", __FILE__, __LINE__,   \
                    #a, #b, (double)(tol), as_a_, as_b_);                                          \
        }                                                                                          \
    } while (0)

#define AS_TEST_STR(a, b)                                                                          \
    do {                                                                                           \
        const char *as_a_ = (a), *as_b_ = (b);                                                     \
        as_test_checks++;                                                                          \
        if (!as_a_ || !as_b_ || strcmp(as_a_, as_b_) != 0) {                                       \
            as_test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, \
                    #b, as_a_ ? as_a_ : "(null)", as_b_ ? as_b_ : "(null)");                       \
        }                                                                                          \
    } while (0)

/* Call at the end of main. A test that checked nothing fails: it proved nothing. */
static inline int as_test_result(void)
{
    if (as_test_checks == 0) {
        fprintf(stderr, "no checks were run\n");
        return 1;
    }
    fprintf(stderr, "%ld checks, %d failed\n", as_test_checks, as_test_failures);
    return as_test_failures ? 1 : 0;
}

/* Copies file from -> to (test scratch folders), counting the read and the write as checks. */
static inline void as_test_copy_file(const char *from, const char *to)
{
    char *buf = NULL;
    size_t n = 0;
    AS_TEST_EQ(as_read_file(from, &buf, &n), AS_OK);
    FILE *f = fopen(to, "wb");
    AS_TEST_TRUE(f != NULL);
    if (f) {
        AS_TEST_EQ(fwrite(buf, 1, n, f), n);
        fclose(f);
    }
    free(buf);
}

/* Path of the shared fixtures (env AS_FIXTURES, else ../shared/fixtures beside the source tree,
 * passed by meson as AS_FIXTURES_DIR). */
#ifndef AS_FIXTURES_DIR
#define AS_FIXTURES_DIR "../shared/fixtures"
#endif
static inline const char *as_test_fixtures(void)
{
    const char *e = getenv("AS_FIXTURES");
    return (e && *e) ? e : AS_FIXTURES_DIR;
}

#endif
