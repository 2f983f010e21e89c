/* Fault injection, so that every GPU failure path runs in the test suite on any machine
 * (docs/RELIABILITY.md):
 *   AS_VK_FAULT=device-create,device-lost   vkCreateDevice fails / the first submit reports
 *                                           VK_ERROR_DEVICE_LOST (after really running it)
 *   AS_VK_FAULT=no-barrier                  no pipeline barriers are recorded: a data race the
 *                                           synchronization validation must report
 *   AS_VK_MEM_LIMIT=N[K|M|G]                device memory allocations beyond N bytes in total
 *                                           fail with VK_ERROR_OUT_OF_DEVICE_MEMORY
 *   AS_VK_MAX_RANGE=N[K|M|G]                binding windows of at most N bytes, as on a device
 *                                           with maxStorageBufferRange = N (read at creation)
 * The first two are read at each use: they cost a getenv on paths that already talk to the
 * driver. */
#include "vk_internal.h"

#include <stdlib.h>
#include <string.h>

int as_vk_fault(const char *name)
{
    const char *v = getenv("AS_VK_FAULT");
    size_t n = strlen(name);
    for (const char *p = v; p && (p = strstr(p, name)) != NULL; p += n)
        if ((p == v || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return 1;
    return 0;
}

/* A byte count N[K|M|G] from the environment; 0 if unset. */
static VkDeviceSize env_bytes(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    if (shift)
        end++;
    /* a malformed value caps at one byte rather than silently not at all */
    if (*end || x == 0 || x > (~0ull >> shift))
        return 1;
    return (VkDeviceSize)x << shift;
}

VkDeviceSize as_vk_mem_limit(void)
{
    return env_bytes("AS_VK_MEM_LIMIT");
}

VkDeviceSize as_vk_max_range(void)
{
    return env_bytes("AS_VK_MAX_RANGE");
}
