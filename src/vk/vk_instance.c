/* Vulkan instance (with the optional validation layer and its error counter), the device list
 * for `attnscope devices`, and the choice of a physical device. */
#include "vk_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define VALIDATION_LAYER "VK_LAYER_KHRONOS_validation"

const char *as_vk_result_name(VkResult r)
{
    switch (r) {
#define R(x) case x: return #x;
        R(VK_SUCCESS) R(VK_NOT_READY) R(VK_TIMEOUT) R(VK_INCOMPLETE)
        R(VK_ERROR_OUT_OF_HOST_MEMORY) R(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        R(VK_ERROR_INITIALIZATION_FAILED) R(VK_ERROR_DEVICE_LOST) R(VK_ERROR_MEMORY_MAP_FAILED)
        R(VK_ERROR_LAYER_NOT_PRESENT) R(VK_ERROR_EXTENSION_NOT_PRESENT)
        R(VK_ERROR_FEATURE_NOT_PRESENT) R(VK_ERROR_INCOMPATIBLE_DRIVER) R(VK_ERROR_TOO_MANY_OBJECTS)
        R(VK_ERROR_FORMAT_NOT_SUPPORTED) R(VK_ERROR_FRAGMENTED_POOL) R(VK_ERROR_OUT_OF_POOL_MEMORY)
        R(VK_ERROR_UNKNOWN)
#undef R
    default: return "VkResult(other)";
    }
}

/* ---- validation messages ------------------------------------------------------------------*/

/* Errors, and warnings of the validation type (they report API misuse), are printed as one
 * line and counted; performance and general chatter are ignored. */
static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                 VkDebugUtilsMessageTypeFlagsEXT types,
                                                 const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                 void *user)
{
    as_vk_kern *vk = user;
    int error = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) != 0;
    int misuse = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) &&
                 (types & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT);
    if (!error && !misuse)
        return VK_FALSE;
    const char *msg = data->pMessage ? data->pMessage : "(no message)";
    char line[1024];
    size_t n = 0;
    for (const char *c = msg; *c && n + 1 < sizeof line; c++)
        line[n++] = (*c == '\n' || *c == '\r') ? ' ' : *c;
    line[n] = '\0';
    fprintf(stderr, "attnscope: Vulkan validation %s: %s\n", error ? "error" : "warning", line);
    if (vk->val_errors++ == 0) {
        size_t keep = n < sizeof vk->val_first ? n : sizeof vk->val_first - 1;
        memcpy(vk->val_first, line, keep);
        vk->val_first[keep] = '\0';
    }
    return VK_FALSE;
}

static void messenger_info(VkDebugUtilsMessengerCreateInfoEXT *mi, as_vk_kern *vk)
{
    *mi = (VkDebugUtilsMessengerCreateInfoEXT){
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
        .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
        .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
        .pfnUserCallback = on_message,
        .pUserData = vk,
    };
}

static int layer_present(const char *name)
{
    uint32_t n = 0;
    if (vkEnumerateInstanceLayerProperties(&n, NULL) != VK_SUCCESS || n == 0)
        return 0;
    VkLayerProperties *props = as_xcalloc(n, sizeof *props);
    int found = 0;
    if (vkEnumerateInstanceLayerProperties(&n, props) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = strcmp(props[i].layerName, name) == 0;
    free(props);
    return found;
}

static int validation_requested(void)
{
    const char *v = getenv("AS_VK_VALIDATION");
    return v && strcmp(v, "1") == 0;
}

/* ---- instance -----------------------------------------------------------------------------*/

int as_vk_instance_create(VkInstance *out, as_vk_kern *vk)
{
    int rc = as_vk_loader_open();
    if (rc != AS_OK)
        return rc;
    int validation = vk && validation_requested();
    if (validation && !layer_present(VALIDATION_LAYER))
        return as_fail(AS_EVULKAN,
                       "AS_VK_VALIDATION=1 but the %s layer is not installed "
                       "(Debian: apt-get install vulkan-validationlayers)",
                       VALIDATION_LAYER);
    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "attnscope",
        .apiVersion = VK_API_VERSION_1_1,
    };
    const char *layers[] = {VALIDATION_LAYER};
    const char *exts[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    VkDebugUtilsMessengerCreateInfoEXT mi;
    messenger_info(&mi, vk);
    VkInstanceCreateInfo ci = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        /* the chained messenger also reports on vkCreateInstance/vkDestroyInstance themselves */
        .pNext = validation ? &mi : NULL,
        .pApplicationInfo = &app,
        .enabledLayerCount = validation ? 1 : 0,
        .ppEnabledLayerNames = layers,
        .enabledExtensionCount = validation ? 1 : 0,
        .ppEnabledExtensionNames = exts,
    };
    VkResult r = vkCreateInstance(&ci, NULL, out);
    if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_INITIALIZATION_FAILED)
        return as_fail(AS_ENODEV, "no Vulkan driver found (vkCreateInstance returned %s)"
                       AS_VK_CPU_HINT, as_vk_result_name(r));
    if (r != VK_SUCCESS)
        return as_fail(AS_EVULKAN, "Vulkan: vkCreateInstance failed: %s", as_vk_result_name(r));
    /* Instance and device functions through the loader's trampolines: they dispatch on the
     * object, so they stay right for every instance and device of the process (tests make
     * several), unlike volkLoadDevice's direct driver pointers for one device. */
    volkLoadInstance(*out);
    if (!validation)
        return AS_OK;
    PFN_vkCreateDebugUtilsMessengerEXT create_messenger =
        (PFN_vkCreateDebugUtilsMessengerEXT)vkGetInstanceProcAddr(*out,
                                                                 "vkCreateDebugUtilsMessengerEXT");
    r = create_messenger ? create_messenger(*out, &mi, NULL, &vk->messenger)
                         : VK_ERROR_EXTENSION_NOT_PRESENT;
    if (r != VK_SUCCESS) {
        vkDestroyInstance(*out, NULL);
        *out = VK_NULL_HANDLE;
        return as_fail(AS_EVULKAN, "Vulkan: cannot create the validation messenger: %s",
                       as_vk_result_name(r));
    }
    return AS_OK;
}

/* ---- devices ------------------------------------------------------------------------------*/

uint32_t as_vk_compute_family(VkPhysicalDevice phys)
{
    uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(phys, &n, NULL);
    VkQueueFamilyProperties *q = as_xcalloc(n, sizeof *q);
    vkGetPhysicalDeviceQueueFamilyProperties(phys, &n, q);
    uint32_t found = UINT32_MAX;
    for (uint32_t i = 0; i < n && found == UINT32_MAX; i++)
        if (q[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
            found = i;
    free(q);
    return found;
}

static const char *type_name(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
    }
}

/* Higher is preferred: discrete > integrated > virtual > CPU (lavapipe) > other. */
static int type_rank(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
    }
}

/* Why a device cannot run our shaders, or NULL if it can. */
static const char *unusable(VkPhysicalDevice phys, const VkPhysicalDeviceProperties *p)
{
    if (p->apiVersion < VK_API_VERSION_1_1)
        return "supports only Vulkan 1.0";
    if (as_vk_compute_family(phys) == UINT32_MAX)
        return "has no compute queue";
    return NULL;
}

static int list_devices(VkInstance inst, VkPhysicalDevice **out, uint32_t *count)
{
    uint32_t n = 0;
    VkResult r = vkEnumeratePhysicalDevices(inst, &n, NULL);
    if (r == VK_SUCCESS && n == 0)
        return as_fail(AS_ENODEV, "no Vulkan device found (vkEnumeratePhysicalDevices returned 0 "
                       "devices)" AS_VK_CPU_HINT);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE)
        return as_fail(AS_ENODEV, "no Vulkan device found (vkEnumeratePhysicalDevices returned %s)"
                       AS_VK_CPU_HINT, as_vk_result_name(r));
    VkPhysicalDevice *devs = as_xcalloc(n, sizeof *devs);
    r = vkEnumeratePhysicalDevices(inst, &n, devs);
    if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || n == 0) {
        free(devs);
        return as_fail(AS_ENODEV, "no Vulkan device found (vkEnumeratePhysicalDevices returned %s)"
                       AS_VK_CPU_HINT, as_vk_result_name(r));
    }
    *out = devs;
    *count = n;
    return AS_OK;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

int as_vk_device_choose(VkInstance inst, const char *spec, VkPhysicalDevice *out, uint32_t *index,
                        char *reason, size_t reason_len)
{
    VkPhysicalDevice *devs;
    uint32_t n;
    int rc = list_devices(inst, &devs, &n);
    if (rc != AS_OK)
        return rc;
    const char *how = "--device";
    if (!spec || !*spec) {
        spec = getenv("AS_DEVICE");
        how = "AS_DEVICE";
    }
    uint32_t pick = UINT32_MAX;
    VkPhysicalDeviceProperties p;
    if (spec && *spec) {
        for (uint32_t i = 0; i < n && pick == UINT32_MAX; i++) {
            vkGetPhysicalDeviceProperties(devs[i], &p);
            if (all_digits(spec) ? strtoul(spec, NULL, 10) == i : contains_nocase(p.deviceName, spec))
                pick = i;
        }
        if (pick == UINT32_MAX) {
            free(devs);
            return as_fail(AS_ENODEV, "%s %s: no such Vulkan device (%u found; see `attnscope "
                           "devices`, or use --device cpu)", how, spec, n);
        }
        vkGetPhysicalDeviceProperties(devs[pick], &p);
        const char *why = unusable(devs[pick], &p);
        if (why) {
            free(devs);
            return as_fail(AS_ENODEV, "%s %s: Vulkan device %u (%s) %s", how, spec, pick,
                           p.deviceName, why);
        }
        snprintf(reason, reason_len, "%s %s", how, spec);
    } else {
        int best = -1;
        for (uint32_t i = 0; i < n; i++) {
            vkGetPhysicalDeviceProperties(devs[i], &p);
            if (!unusable(devs[i], &p) && type_rank(p.deviceType) > best) {
                best = type_rank(p.deviceType);
                pick = i;
            }
        }
        if (pick == UINT32_MAX) {
            free(devs);
            return as_fail(AS_ENODEV, "no usable Vulkan device (%u found, none with Vulkan 1.1 "
                           "and a compute queue)" AS_VK_CPU_HINT, n);
        }
        vkGetPhysicalDeviceProperties(devs[pick], &p);
        snprintf(reason, reason_len, "best type: %s", type_name(p.deviceType));
    }
    *out = devs[pick];
    *index = pick;
    free(devs);
    return AS_OK;
}

int as_vk_describe_devices(char **text)
{
    VkInstance inst;
    int rc = as_vk_instance_create(&inst, NULL);
    if (rc != AS_OK)
        return rc;
    VkPhysicalDevice chosen = VK_NULL_HANDLE, *devs = NULL;
    uint32_t chosen_index = 0, n = 0;
    char reason[160];
    /* listing still works when the choice fails (e.g. AS_DEVICE names no device) */
    int choose_rc = as_vk_device_choose(inst, NULL, &chosen, &chosen_index, reason, sizeof reason);
    rc = list_devices(inst, &devs, &n);
    if (rc != AS_OK) {
        vkDestroyInstance(inst, NULL);
        return rc;
    }
    char *out = as_xstrdup("");
    for (uint32_t i = 0; i < n; i++) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(devs[i], &p);
        const char *why = unusable(devs[i], &p);
        char note[200] = "";
        if (choose_rc == AS_OK && i == chosen_index)
            snprintf(note, sizeof note, " (chosen: %s)", reason);
        else if (why)
            snprintf(note, sizeof note, " (unusable: %s)", why);
        char *line = as_xasprintf("%s%u: %s, %s, Vulkan %u.%u.%u%s\n", out, i, p.deviceName,
                                  type_name(p.deviceType), VK_API_VERSION_MAJOR(p.apiVersion),
                                  VK_API_VERSION_MINOR(p.apiVersion),
                                  VK_API_VERSION_PATCH(p.apiVersion), note);
        free(out);
        out = line;
    }
    free(devs);
    vkDestroyInstance(inst, NULL);
    *text = out;
    return AS_OK;
}
