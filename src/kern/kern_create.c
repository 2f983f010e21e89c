/* Backend choice by device name. Kept apart from kern.c so programs that only use the CPU
 * backend (unit tests) do not pull in the Vulkan runtime. */
#include "attnscope/kern.h"

#include <stdlib.h>
#include <string.h>

int as_kern_create(as_kern **out, const char *device)
{
    if (!device || !*device)
        device = getenv("AS_DEVICE");
    if (device && strcmp(device, "cpu") == 0)
        return as_kern_create_cpu(out);
    return as_kern_create_vulkan(out, device);
}
