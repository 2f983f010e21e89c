/* core: as_mem_keep_freed. After it, a data block freed by one run and allocated again by the
 * next comes back without page faults (the pages stay mapped) and still zeroed, as calloc
 * promises. Without it glibc unmaps blocks this big at free, so each allocation faults every page
 * in again: the first allocation here shows that cost, so the check can fail. */
#include "../test.h"

#include <sys/resource.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* Allocates n bytes, checks they read as zero, dirties every page; returns the faults taken. */
static long fill_block(size_t n)
{
    long before = minor_faults();
    unsigned char *p = as_try_calloc(n, 1, "test block");
    AS_TEST_TRUE(p != NULL);
    if (!p)
        return 0;
    size_t nonzero = 0;
    for (size_t i = 0; i < n; i += 4096) {
        nonzero += p[i] != 0;
        p[i] = 0xAB;
    }
    AS_TEST_EQ(nonzero, 0);
    long faults = minor_faults() - before;
    free(p);
    return faults;
}

int main(void)
{
#if defined(__SANITIZE_ADDRESS__)
    printf("alloc: skipped: AddressSanitizer replaces malloc, so glibc's mallopt has no effect\n");
    return AS_TEST_SKIP;
#endif
#ifdef RUNNING_ON_VALGRIND
    if (RUNNING_ON_VALGRIND) {
        printf("alloc: skipped: valgrind replaces malloc, so glibc's mallopt has no effect\n");
        return AS_TEST_SKIP;
    }
#endif
    enum { BLOCK = 64 << 20, PAGES = BLOCK / 4096 };
    /* without the policy: a fresh mapping, faulted in page by page (or 2 MiB at a time where
     * transparent huge pages serve it) */
    long fresh = fill_block(BLOCK);
    as_mem_keep_freed();
    as_mem_keep_freed(); /* idempotent */
    long first = fill_block(BLOCK), again = fill_block(BLOCK), third = fill_block(BLOCK);
    printf("alloc: faults for a 64 MiB block: %ld fresh, then kept: %ld, %ld, %ld\n", fresh, first,
           again, third);
    /* the first kept allocation may still grow the heap; the ones after reuse it */
    AS_TEST_TRUE(again < PAGES / 64);
    AS_TEST_TRUE(third < PAGES / 64);
    AS_TEST_TRUE(fresh > again);
    return as_test_result();
}
