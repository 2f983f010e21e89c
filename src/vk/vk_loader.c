/* The Vulkan loader (libvulkan.so.1), opened at run time through volk. The binary does not link
 * libvulkan, so a machine without it still starts and runs --device cpu; only Vulkan use fails,
 * with a message naming the missing library. This file holds volk's implementation (its global
 * function pointers, which every file of src/vk calls through). */
#define VOLK_IMPLEMENTATION
#include "vk_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define LOADER_SONAME "libvulkan.so.1"

static pthread_once_t once = PTHREAD_ONCE_INIT;
/* set once by load(), read-only afterwards: "" on success, else why the loader is missing */
static char load_error[512];

static void load(void)
{
    /* Never closed: volk's pointers point into the library for the rest of the process. */
    void *lib = dlopen(LOADER_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : "cannot load " LOADER_SONAME);
        return;
    }
    void *sym = dlsym(lib, "vkGetInstanceProcAddr");
    if (!sym) {
        snprintf(load_error, sizeof load_error, "%s has no vkGetInstanceProcAddr", LOADER_SONAME);
        return;
    }
    /* ISO C has no object-to-function pointer cast; POSIX guarantees the representations match */
    PFN_vkGetInstanceProcAddr gipa;
    _Static_assert(sizeof gipa == sizeof sym, "function and object pointers differ in size");
    memcpy(&gipa, &sym, sizeof gipa);
    volkInitializeCustom(gipa); /* vkCreateInstance, vkEnumerateInstance* */
}

int as_vk_loader_open(void)
{
    pthread_once(&once, load);
    if (load_error[0])
        return as_fail(AS_ENODEV, "no Vulkan loader (%s)" AS_VK_CPU_HINT, load_error);
    return AS_OK;
}
