/* Error codes and the per-thread last-error message. */
#include "attnscope/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_error[1024];

int as_fail(int code, const char *fmt, ...)
{
    /* formatted aside first: callers wrap the previous message ("%s: ...", as_last_error()),
     * and vsnprintf must not read the buffer it writes */
    char msg[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages quote names taken from files (tensor names, JSON keys, tokens) and are printed as
     * one line: a control byte in such a name must not break the line or drive the terminal. */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    memcpy(last_error, msg, sizeof msg);
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
