/* Keeps the Vulkan driver loaded for the life of a test process, for LeakSanitizer.
 *
 * lavapipe (Mesa 22.3, Debian 12) allocates driver-global state once, in a pthread_once during
 * instance/device setup (a 128-byte realloc), and never frees it. The Vulkan loader dlcloses the
 * driver with the last VkInstance, so at exit that block is unreachable and LeakSanitizer reports
 * it, from a module that is no longer mapped: the report shows only "(<unknown module>)", which
 * no suppression (function, file or module name) can match. One extra instance that is never
 * destroyed keeps the driver mapped and its globals reachable; it changes nothing else.
 *
 * Call as_test_pin_vulkan_driver() first thing in main() of any test that creates the Vulkan
 * backend. Needs src/vk on the include path (vk_inc): Vulkan is reached through the runtime's
 * loader (volk, src/vk/vk_loader.c). */
#ifndef ATTNSCOPE_TEST_VK_PIN_H
#define ATTNSCOPE_TEST_VK_PIN_H

#include "vk_internal.h"

static VkInstance as_test_vulkan_pin;

static inline void as_test_pin_vulkan_driver(void)
{
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                             .apiVersion = VK_API_VERSION_1_1};
    VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                               .pApplicationInfo = &app};
    VkPhysicalDevice dev;
    uint32_t n = 1;
    /* failure (no loader, no driver) is fine: then there is nothing to keep loaded */
    if (as_vk_loader_open() != AS_OK ||
        vkCreateInstance(&ci, NULL, &as_test_vulkan_pin) != VK_SUCCESS)
        return;
    volkLoadInstance(as_test_vulkan_pin);
    vkEnumeratePhysicalDevices(as_test_vulkan_pin, &n, &dev); /* device setup runs here */
}

#endif
