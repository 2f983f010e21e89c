/* core: error codes and messages, checked allocation, file mapping, half-float conversion.
 * Layer 0: uses libc only. */
#ifndef ATTNSCOPE_CORE_H
#define ATTNSCOPE_CORE_H

#include <stddef.h>
#include <stdint.h>

/* ---- errors -------------------------------------------------------------------------------
 * Fallible functions return AS_OK or a negative AS_E* code; the message naming the file and the
 * problem is kept per thread and read with as_last_error(). Only cli/ prints it. */
enum {
    AS_OK = 0,
    AS_ENOMEM = -1,       /* an allocation failed or a size cap was exceeded */
    AS_EIO = -2,          /* a file could not be opened, read, mapped or written */
    AS_EFORMAT = -3,      /* a file's contents are malformed or contradict each other */
    AS_EUNSUPPORTED = -4, /* valid input we do not handle (dtype, model_type, ...) */
    AS_EVULKAN = -5,      /* a Vulkan call failed */
    AS_ENODEV = -6,       /* no usable compute device */
    AS_EINVAL = -7,       /* bad argument from the user */
};

#if defined(__GNUC__)
#define AS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define AS_PRINTF(a, b)
#endif

/* Records the message (printf format) and returns code, so callers can `return as_fail(...)`. */
int as_fail(int code, const char *fmt, ...) AS_PRINTF(2, 3);
/* The last message recorded by as_fail on this thread ("" if none). */
const char *as_last_error(void);
/* Short name of an error code ("format error", ...). */
const char *as_strerror(int code);

/* Always-on invariant check: prints file:line and aborts. For bugs, never for bad input. */
#define AS_ASSERT(x)                                                                               \
    do {                                                                                           \
        if (!(x))                                                                                  \
            as_assert_fail(#x, __FILE__, __LINE__);                                                \
    } while (0)
_Noreturn void as_assert_fail(const char *expr, const char *file, int line);

/* ---- allocation ---------------------------------------------------------------------------
 * as_x* are for bookkeeping-sized memory: they abort on exhaustion. Size-dependent buffers
 * (weights, activations, attention stores) use as_try_alloc and report AS_ENOMEM. */
void *as_xmalloc(size_t n);
void *as_xcalloc(size_t count, size_t size);
void *as_xrealloc(void *p, size_t n);
char *as_xstrdup(const char *s);
char *as_xasprintf(const char *fmt, ...) AS_PRINTF(1, 2);
/* count*size bytes, zeroed; NULL with AS_ENOMEM recorded (naming what) on overflow, exhaustion,
 * or a request above as_mem_limit(). */
void *as_try_calloc(size_t count, size_t size, const char *what);
/* The largest single data-sized allocation allowed: $AS_MAX_MEMORY (MiB, or 512K, 2G), else
 * half the RAM. */
size_t as_mem_limit(void);
/* Keep freed data blocks (up to 1 GiB) in the process for reuse instead of returning them to the
 * kernel, so repeated runs of a model do not page-fault their buffers in again. Idempotent;
 * called when a model is loaded. */
void as_mem_keep_freed(void);

/* a*b without overflow: returns 0 and stores the product, or -1 if it would overflow. */
int as_mul_size(size_t a, size_t b, size_t *out);

/* ---- files --------------------------------------------------------------------------------*/
typedef struct as_map {
    const uint8_t *data; /* read-only mapping of the whole file, valid until as_map_close */
    size_t size;
    char *path; /* owned copy, for messages */
} as_map;

/* Maps path read-only. An empty file maps to data=NULL, size=0. */
int as_map_open(as_map *m, const char *path);
void as_map_close(as_map *m);
/* Reads a whole (small) file into a NUL-terminated heap buffer the caller frees. Only regular
 * files of at most AS_MAX_READ_FILE bytes (configs, tokenizer files, token lists): AS_EIO for a
 * FIFO or device, AS_EFORMAT beyond the cap. */
#define AS_MAX_READ_FILE (256u << 20)
int as_read_file(const char *path, char **out, size_t *len);
/* "dir/name" in a new heap string. */
char *as_path_join(const char *dir, const char *name);
int as_file_exists(const char *path);

/* ---- numbers ------------------------------------------------------------------------------*/
float as_f16_to_f32(uint16_t h);
float as_bf16_to_f32(uint16_t h);
uint16_t as_f32_to_f16(float f);
/* out[0..n) = softmax(s[0..n)), out[n..cols) = 0 (keys a causal row does not see); out may
 * alias s. n >= 1. */
void as_softmax_row(float *out, const float *s, uint32_t n, uint32_t cols);

#endif
