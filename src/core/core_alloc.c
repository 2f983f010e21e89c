/* Checked allocation. Bookkeeping allocations abort on exhaustion (there is no sensible recovery
 * from failing to allocate a 40-byte struct); data-sized ones report AS_ENOMEM to the caller. */
#include "attnscope/core.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static _Noreturn void out_of_memory(size_t n)
{
    fprintf(stderr, "attnscope: out of memory allocating %zu bytes\n", n);
    abort();
}

void *as_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *as_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *as_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *as_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(as_xmalloc(n), s, n);
}

char *as_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory(strlen(fmt));
    return s;
}

int as_mul_size(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

size_t as_mem_limit(void)
{
    /* MiB, or with a unit: 512K, 2G (K lets tests reach the cap with tiny models) */
    const char *v = getenv("AS_MAX_MEMORY");
    if (v && *v) {
        char *end;
        unsigned long long x = strtoull(v, &end, 10);
        int shift = *end == 'K' ? 10 : *end == 'G' ? 30 : 20;
        if (*end == 'K' || *end == 'M' || *end == 'G')
            end++;
        if (!*end && x > 0 && x <= SIZE_MAX >> shift)
            return (size_t)x << shift;
    }
    /* half the RAM: a request above it is a mistake or a hostile file long before it is a
     * workload, and with overcommit calloc would "succeed" and the OOM killer would end us */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0 || (unsigned long)pages > SIZE_MAX / (unsigned long)page)
        return SIZE_MAX;
    return (size_t)pages * (size_t)page / 2;
}

/* Data blocks from this size on (attention captures and stores, activations, weights) ask for
 * transparent huge pages: a run touches them once, and with 4 KiB pages the first-touch faults
 * of a fresh 150 MB store and its unmapping at free took ~10% of a BERT-base run on the CPU
 * backend (perf). Where THP is "never", madvise is a no-op. */
#define HUGE_MIN_BYTES ((size_t)8 << 20)

static void advise_huge(void *p, size_t n)
{
    /* the page-aligned interior of the block (madvise needs page alignment) */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1), hi = ((uintptr_t)p + n) & ~(page - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

void *as_try_calloc(size_t count, size_t size, const char *what)
{
    size_t n;
    if (as_mul_size(count, size, &n)) {
        as_fail(AS_ENOMEM, "%s: size overflows (%zu x %zu bytes)", what, count, size);
        return NULL;
    }
    size_t limit = as_mem_limit();
    if (n > limit) {
        as_fail(AS_ENOMEM, "%s: needs %.1f MiB, more than the %.1f MiB limit (AS_MAX_MEMORY=<MiB> "
                           "raises it)", what, n / 1048576.0, limit / 1048576.0);
        return NULL;
    }
    void *p = calloc(n ? n : 1, 1);
    if (!p)
        as_fail(AS_ENOMEM, "%s: cannot allocate %zu bytes", what, n);
    else if (n >= HUGE_MIN_BYTES)
        advise_huge(p, n);
    return p;
}

/* A run's activations, capture buffers and attention store are allocated and freed again at
 * every run (and lavapipe's device memory comes from the same heap). By default glibc serves
 * blocks that big with fresh mmaps and unmaps them at free, so every run page-faults all of its
 * memory in again: 30-40 ms of a ~280 ms ViT-B/16 pass on --device cpu here (scores writing a
 * fresh capture, the store copy), where PyTorch's per-layer tensors stay under glibc's dynamic
 * threshold and are recycled. Blocks up to 1 GiB now come from the heap and up to 1 GiB of freed
 * heap is kept, so the next run reuses pages already mapped (calloc still zeroes them). */
#define KEEP_FREED_BYTES (1 << 30)

void as_mem_keep_freed(void)
{
    /* setting the same values again changes nothing; no effect (and no harm) where malloc is not glibc's: ASan, valgrind */
    mallopt(M_MMAP_THRESHOLD, KEEP_FREED_BYTES);
    mallopt(M_TRIM_THRESHOLD, KEEP_FREED_BYTES);
}
