/* vk: the Vulkan runtime behind the "vulkan" kern backend (as_kern_create_vulkan in kern.h).
 * What the CLI needs beyond kern.h: the device list for `attnscope devices` and the validation
 * error count. Layer 2: uses core and Vulkan.
 *
 * Environment: AS_DEVICE picks the device when none is given ("N" index or a case-insensitive
 * name substring); AS_VK_VALIDATION=1 enables VK_LAYER_KHRONOS_validation (an error if the layer
 * is missing); validation errors are printed to stderr, one line each, and counted. For tests of
 * the fallback paths: AS_VK_STAGING=1 keeps buffers unmapped (staging copies, as on discrete
 * GPUs) and AS_VK_SUBGROUPS=0 makes the row kernels reduce in shared memory.
 * The pipeline cache lives in $XDG_CACHE_HOME/attnscope/ (else ~/.cache/attnscope/).
 *
 * Buffers used by a pass must stay alive until its as_kern_end. A fence wait that exceeds 120 s
 * or a lost device fails as_kern_end with AS_EVULKAN; the backend then refuses further passes. */
#ifndef ATTNSCOPE_VK_H
#define ATTNSCOPE_VK_H

#include "attnscope/kern.h"

#include <stdint.h>

/* Ends the AS_ENODEV messages that mean Vulkan cannot run at all (no loader, no driver, no
 * usable device); the CLI puts its own outcome there when it falls back to the CPU backend. */
#define AS_VK_CPU_HINT "; use --device cpu"

/* One line per Vulkan device: index, name, type, API version, and "(chosen: <reason>)" on the
 * device as_kern_create_vulkan(.., NULL) would use. *text is a new heap string the caller
 * frees. AS_ENODEV (with the message) when there is no Vulkan loader, driver or device. */
int as_vk_describe_devices(char **text);

/* Validation errors counted on k since it was created (0 for a non-Vulkan backend or when
 * validation is off). Any count > 0 also makes as_kern_end fail with AS_EVULKAN. */
uint32_t as_vk_validation_errors(const as_kern *k);

#endif
