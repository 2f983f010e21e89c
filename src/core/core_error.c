/* Error codes and the per-thread last-error message. */
#include "attnscope/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static _Thread_local char last_error[1024];

int as_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return code;
}

const char *as_last_error(void)
{
    return last_error;
}

const char *as_strerror(int code)
{
    switch (code) {
    case AS_OK: return "ok";
    case AS_ENOMEM: return "out of memory";
    case AS_EIO: return "i/o error";
    case AS_EFORMAT: return "format error";
    case AS_EUNSUPPORTED: return "unsupported";
    case AS_EVULKAN: return "vulkan error";
    case AS_ENODEV: return "no device";
    case AS_EINVAL: return "invalid argument";
    default: return "unknown error";
    }
}

void as_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "attnscope: internal error: assertion '%s' failed at %s:%d\n", expr, file, line);
    abort();
}
