/* as_kern_create_vulkan: logical device, the one compute queue, command pool, command buffer and
 * fence, the shared descriptor-set and pipeline layouts; the recording window (begin/end, one
 * submit per pass) and as_vk_dispatch, which every op goes through. */
#include "vk_internal.h"
#include "vk_pc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors -------------------------------------------------------------------------------*/

void as_vk_set_error(as_vk_kern *vk, int rc)
{
    if (vk->base.error == AS_OK)
        vk->base.error = rc;
}

uint32_t as_vk_validation_errors(const as_kern *k)
{
    return k && k->vt == &as_vk_vtbl ? ((const as_vk_kern *)k)->val_errors : 0;
}

/* ---- submission ---------------------------------------------------------------------------*/

int as_vk_submit_wait(as_vk_kern *vk)
{
    if (vk->lost)
        return as_fail(AS_EVULKAN, "Vulkan: the device was lost earlier; nothing more can run");
    VkSubmitInfo si = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &vk->cmd,
    };
    VkResult r = vkResetFences(vk->dev, 1, &vk->fence);
    if (r == VK_SUCCESS)
        r = vkQueueSubmit(vk->queue, 1, &si, vk->fence);
    if (r == VK_SUCCESS)
        r = vkWaitForFences(vk->dev, 1, &vk->fence, VK_TRUE, AS_VK_TIMEOUT_NS);
    if (r == VK_SUCCESS && as_vk_fault("device-lost"))
        r = VK_ERROR_DEVICE_LOST; /* injected: the work did finish, so teardown stays safe */
    if (r == VK_SUCCESS)
        return AS_OK;
    if (r == VK_TIMEOUT || r == VK_ERROR_DEVICE_LOST) {
        vk->lost = r == VK_TIMEOUT ? AS_VK_HUNG : AS_VK_LOST;
        if (r == VK_TIMEOUT)
            return as_fail(AS_EVULKAN, "Vulkan: %s did not finish within %llu s (timeout); the "
                           "device may be hung", vk->base.name, AS_VK_TIMEOUT_NS / 1000000000ull);
        return as_fail(AS_EVULKAN, "Vulkan: device lost (%s); --device cpu runs on the CPU "
                                   "instead", vk->base.name);
    }
    return as_fail(AS_EVULKAN, "Vulkan: submitting to %s failed: %s", vk->base.name,
                   as_vk_result_name(r));
}

/* A global memory barrier: earlier writes (shader, transfer, host) become visible to later
 * shader reads and writes. Its first scope covers earlier submits on the queue too. */
void as_vk_barrier(as_vk_kern *vk)
{
    vk->n_reads = vk->n_writes = 0;
    /* injected (tests only): proves that synchronization validation sees a missing barrier */
    if (as_vk_fault("no-barrier"))
        return;
    VkMemoryBarrier mb = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT |
                         VK_ACCESS_HOST_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
    };
    vkCmdPipelineBarrier(vk->cmd,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT |
                             VK_PIPELINE_STAGE_HOST_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
}

static int vk_begin(as_kern *k)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    int rc = AS_OK;
    if (vk->lost)
        return as_fail(AS_EVULKAN, "Vulkan: the device was lost earlier; nothing more can run");
    for (uint32_t i = 0; i < vk->n_pools; i++)
        AS_VK_TRY(vkResetDescriptorPool(vk->dev, vk->pools[i], 0));
    vk->cur_pool = 0;
    AS_VK_TRY(vkResetCommandBuffer(vk->cmd, 0));
    VkCommandBufferBeginInfo bi = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
        .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
    };
    AS_VK_TRY(vkBeginCommandBuffer(vk->cmd, &bi));
    as_vk_barrier(vk); /* uploads and earlier passes -> this pass */
    return AS_OK;
fail:
    return rc;
}

static int vk_end(as_kern *k)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    int rc = AS_OK;
    /* shader writes -> host reads of mapped memory and staging copies */
    VkMemoryBarrier mb = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT,
    };
    vkCmdPipelineBarrier(vk->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &mb, 0,
                         NULL, 0, NULL);
    AS_VK_TRY(vkEndCommandBuffer(vk->cmd));
    /* a pass that failed while recording is not submitted: its dispatches are incomplete */
    if (vk->base.error == AS_OK) {
        rc = as_vk_submit_wait(vk);
        if (rc != AS_OK)
            return rc;
    }
    if (vk->val_errors)
        return as_fail(AS_EVULKAN, "Vulkan validation error: %s", vk->val_first);
    return AS_OK;
fail:
    return rc;
}

/* ---- dispatch -----------------------------------------------------------------------------*/

static int seen(const as_buf *const *set, uint32_t n, const as_buf *b)
{
    for (uint32_t i = 0; i < n; i++)
        if (set[i] == b)
            return 1;
    return 0;
}

/* A barrier is needed only when this dispatch touches what earlier, unbarriered dispatches
 * wrote (read-after-write, write-after-write) or writes what they read (write-after-read);
 * independent dispatches (Q, K and V projections) run without one. binds[0..n_out) are
 * written (always present), the rest read. */
static void order_after_earlier(as_vk_kern *vk, const as_vk_bind binds[AS_VK_BINDINGS],
                                uint32_t n_out)
{
    int hazard = 0;
    for (uint32_t i = 0; i < n_out; i++)
        hazard = hazard || seen(vk->writes, vk->n_writes, binds[i].buf) ||
                 seen(vk->reads, vk->n_reads, binds[i].buf);
    for (uint32_t i = n_out; i < AS_VK_BINDINGS && !hazard; i++)
        hazard = binds[i].buf && seen(vk->writes, vk->n_writes, binds[i].buf);
    if (hazard || vk->n_writes + n_out > AS_VK_HAZARDS ||
        vk->n_reads + AS_VK_BINDINGS > AS_VK_HAZARDS)
        as_vk_barrier(vk);
    for (uint32_t i = 0; i < n_out; i++)
        vk->writes[vk->n_writes++] = binds[i].buf;
    for (uint32_t i = n_out; i < AS_VK_BINDINGS; i++)
        if (binds[i].buf && !seen(vk->reads, vk->n_reads, binds[i].buf))
            vk->reads[vk->n_reads++] = binds[i].buf;
}

static int alloc_set(as_vk_kern *vk, VkDescriptorSet *out)
{
    int rc = AS_OK;
    for (;;) {
        if (vk->cur_pool == vk->n_pools) {
            VkDescriptorPoolSize size[2] = {
                {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, AS_VK_SETS_PER_POOL * AS_VK_BINDINGS},
                {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, AS_VK_SETS_PER_POOL * AS_VK_TEXELS}};
            VkDescriptorPoolCreateInfo pi = {
                .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                .maxSets = AS_VK_SETS_PER_POOL,
                .poolSizeCount = 2,
                .pPoolSizes = size,
            };
            VkDescriptorPool pool;
            AS_VK_TRY(vkCreateDescriptorPool(vk->dev, &pi, NULL, &pool));
            vk->pools = as_xrealloc(vk->pools, (vk->n_pools + 1) * sizeof *vk->pools);
            vk->pools[vk->n_pools++] = pool;
        }
        VkDescriptorSetAllocateInfo ai = {
            .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
            .descriptorPool = vk->pools[vk->cur_pool],
            .descriptorSetCount = 1,
            .pSetLayouts = &vk->set_layout,
        };
        VkResult r = vkAllocateDescriptorSets(vk->dev, &ai, out);
        if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) {
            AS_VK_TRY(r);
            return AS_OK;
        }
        vk->cur_pool++; /* this pool is full for this pass: move to the next one */
    }
fail:
    return rc;
}

void as_vk_dispatch(as_vk_kern *vk, as_vk_pipe pipe, const as_vk_bind binds[AS_VK_BINDINGS],
                    const void *pc, uint32_t pc_size, uint32_t gx, uint32_t gy, uint32_t gz)
{
    as_vk_dispatch_n(vk, pipe, binds, 1, pc, pc_size, gx, gy, gz);
}

void as_vk_dispatch_n(as_vk_kern *vk, as_vk_pipe pipe, const as_vk_bind binds[AS_VK_BINDINGS],
                      uint32_t n_out, const void *pc, uint32_t pc_size, uint32_t gx, uint32_t gy,
                      uint32_t gz)
{
    if (vk->base.error != AS_OK)
        return; /* the pass already failed; as_kern_end reports the first error */
    const uint32_t *max = vk->props.limits.maxComputeWorkGroupCount;
    if (gx > max[0] || gy > max[1] || gz > max[2]) {
        as_vk_set_error(vk, as_fail(AS_EUNSUPPORTED, "%s: grid %ux%ux%u exceeds the device limit "
                                    "%ux%ux%u", as_vk_pipe_defs[pipe].name, gx, gy, gz, max[0],
                                    max[1], max[2]));
        return;
    }
    VkPipeline pl;
    VkDescriptorSet set;
    int rc = as_vk_pipeline(vk, pipe, &pl);
    if (rc == AS_OK)
        rc = alloc_set(vk, &set);
    if (rc != AS_OK) {
        as_vk_set_error(vk, rc);
        return;
    }
    VkDescriptorBufferInfo info[AS_VK_BINDINGS];
    VkBufferView views[AS_VK_TEXELS];
    VkWriteDescriptorSet wr[AS_VK_BINDINGS + AS_VK_TEXELS];
    uint32_t n_wr = AS_VK_BINDINGS;
    for (uint32_t i = 0; i < AS_VK_BINDINGS; i++) {
        info[i] = binds[i].buf ? (VkDescriptorBufferInfo){((const as_vk_buf *)binds[i].buf)->buf,
                                                          binds[i].off, binds[i].range}
                               : (VkDescriptorBufferInfo){vk->dummy->buf, 0, VK_WHOLE_SIZE};
        wr[i] = (VkWriteDescriptorSet){
            .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
            .dstSet = set,
            .dstBinding = i,
            .descriptorCount = 1,
            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            .pBufferInfo = &info[i],
        };
    }
    /* texel pipelines read operands 1 and 2 (always present) through views of their bindings */
    for (uint32_t t = 0; as_vk_pipe_defs[pipe].texel && t < AS_VK_TEXELS; t++, n_wr++) {
        rc = as_vk_buf_view(vk, &binds[1 + t], &views[t]);
        if (rc != AS_OK) {
            as_vk_set_error(vk, rc);
            return;
        }
        wr[n_wr] = (VkWriteDescriptorSet){
            .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
            .dstSet = set,
            .dstBinding = AS_VK_BINDINGS + t,
            .descriptorCount = 1,
            .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
            .pTexelBufferView = &views[t],
        };
    }
    vkUpdateDescriptorSets(vk->dev, n_wr, wr, 0, NULL);
    order_after_earlier(vk, binds, n_out);
    vkCmdBindPipeline(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pl);
    vkCmdBindDescriptorSets(vk->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, vk->pipe_layout, 0, 1, &set,
                            0, NULL);
    vkCmdPushConstants(vk->cmd, vk->pipe_layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pc_size, pc);
    vkCmdDispatch(vk->cmd, gx, gy, gz);
    vk->vk_dispatches++;
}

/* ---- lifetime -----------------------------------------------------------------------------*/

static void vk_destroy(as_kern *k)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    /* after a timeout the GPU may still use these objects: leaking them beats hanging in
     * vkDeviceWaitIdle or freeing memory under a running shader */
    if (vk->dev && vk->lost != AS_VK_HUNG) {
        vkDeviceWaitIdle(vk->dev);
        as_vk_buf_destroy(k, vk->dummy ? &vk->dummy->base : NULL);
        as_vk_cache_close(vk);
        for (int i = 0; i < AS_VK_PIPE_COUNT; i++)
            vkDestroyPipeline(vk->dev, vk->pipes[i], NULL);
        for (uint32_t i = 0; i < vk->n_pools; i++)
            vkDestroyDescriptorPool(vk->dev, vk->pools[i], NULL);
        vkDestroyPipelineLayout(vk->dev, vk->pipe_layout, NULL);
        vkDestroyDescriptorSetLayout(vk->dev, vk->set_layout, NULL);
        vkDestroyFence(vk->dev, vk->fence, NULL);
        vkDestroyCommandPool(vk->dev, vk->cmd_pool, NULL);
        vkDestroyDevice(vk->dev, NULL);
    }
    if (vk->inst && vk->lost != AS_VK_HUNG) {
        if (vk->messenger) {
            PFN_vkDestroyDebugUtilsMessengerEXT destroy_messenger =
                (PFN_vkDestroyDebugUtilsMessengerEXT)vkGetInstanceProcAddr(
                    vk->inst, "vkDestroyDebugUtilsMessengerEXT");
            destroy_messenger(vk->inst, vk->messenger, NULL);
        }
        vkDestroyInstance(vk->inst, NULL);
    }
    free(vk->pools);
    free(vk->cache_path);
    free(vk);
}

const as_kern_vtbl as_vk_vtbl = {
    .destroy = vk_destroy,
    .buf_create = as_vk_buf_create,
    .buf_destroy = as_vk_buf_destroy,
    .buf_write = as_vk_buf_write,
    .buf_read = as_vk_buf_read,
    .begin = vk_begin,
    .end = vk_end,
    .matmul = as_vk_matmul,
    .layernorm = as_vk_layernorm,
    .embed = as_vk_embed,
    .scores = as_vk_scores,
    .softmax = as_vk_softmax,
    .apply = as_vk_apply,
    .attend_row = as_vk_attend_row,
};

static int create_device(as_vk_kern *vk)
{
    int rc = AS_OK;
    float prio = 1.0f;
    VkDeviceQueueCreateInfo qi = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = vk->queue_family,
        .queueCount = 1,
        .pQueuePriorities = &prio,
    };
    /* 64-bit integer loads: the CPU-type kernels fetch two floats per load (vk_ops.c) */
    VkPhysicalDeviceFeatures feat = {.shaderInt64 = vk->int64 ? VK_TRUE : VK_FALSE};
    VkDeviceCreateInfo di = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &qi,
        .pEnabledFeatures = &feat,
    };
    VkResult r = as_vk_fault("device-create") ? VK_ERROR_INITIALIZATION_FAILED
                                              : vkCreateDevice(vk->phys, &di, NULL, &vk->dev);
    if (r != VK_SUCCESS) {
        rc = as_fail(AS_EVULKAN, "Vulkan: cannot create a device on %s (vkCreateDevice: %s); "
                                 "--device cpu runs on the CPU instead", vk->props.deviceName,
                     as_vk_result_name(r));
        goto fail;
    }
    vkGetDeviceQueue(vk->dev, vk->queue_family, 0, &vk->queue);

    VkCommandPoolCreateInfo ci = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
        .queueFamilyIndex = vk->queue_family,
    };
    AS_VK_TRY(vkCreateCommandPool(vk->dev, &ci, NULL, &vk->cmd_pool));
    VkCommandBufferAllocateInfo ai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = vk->cmd_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    AS_VK_TRY(vkAllocateCommandBuffers(vk->dev, &ai, &vk->cmd));
    VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    AS_VK_TRY(vkCreateFence(vk->dev, &fi, NULL, &vk->fence));

    /* one layout for every pipeline: AS_VK_BINDINGS storage buffers, AS_VK_TEXELS uniform texel
     * buffers and 128 push-constant bytes */
    VkDescriptorSetLayoutBinding b[AS_VK_BINDINGS + AS_VK_TEXELS];
    for (uint32_t i = 0; i < AS_VK_BINDINGS + AS_VK_TEXELS; i++)
        b[i] = (VkDescriptorSetLayoutBinding){i, i < AS_VK_BINDINGS
                                                     ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
                                                     : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
                                              1, VK_SHADER_STAGE_COMPUTE_BIT, NULL};
    VkDescriptorSetLayoutCreateInfo li = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = AS_VK_BINDINGS + AS_VK_TEXELS,
        .pBindings = b,
    };
    AS_VK_TRY(vkCreateDescriptorSetLayout(vk->dev, &li, NULL, &vk->set_layout));
    VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, PC_MAX_BYTES};
    VkPipelineLayoutCreateInfo pli = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &vk->set_layout,
        .pushConstantRangeCount = 1,
        .pPushConstantRanges = &range,
    };
    AS_VK_TRY(vkCreatePipelineLayout(vk->dev, &pli, NULL, &vk->pipe_layout));
    return AS_OK;
fail:
    return rc;
}

static int has_device_extension(VkPhysicalDevice phys, const char *name)
{
    uint32_t n = 0;
    if (vkEnumerateDeviceExtensionProperties(phys, NULL, &n, NULL) != VK_SUCCESS || n == 0)
        return 0;
    VkExtensionProperties *ext = as_xcalloc(n, sizeof *ext);
    int found = 0;
    if (vkEnumerateDeviceExtensionProperties(phys, NULL, &n, ext) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = strcmp(ext[i].extensionName, name) == 0;
    free(ext);
    return found;
}

/* Sizes for vk_buffer.c and vk_ops.c. A descriptor reaches maxStorageBufferRange bytes (128 MiB on
 * lavapipe), a buffer may be much bigger: up to maxMemoryAllocationSize (each buffer has its own
 * allocation) and maxBufferSize (VK_KHR_maintenance4, core in 1.3; the instance asks for 1.1, so
 * it is queried only where the device has the extension). */
static void query_limits(as_vk_kern *vk)
{
    int m4_ok = has_device_extension(vk->phys, VK_KHR_MAINTENANCE_4_EXTENSION_NAME);
    VkPhysicalDeviceMaintenance4Properties m4 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_4_PROPERTIES};
    VkPhysicalDeviceMaintenance3Properties m3 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES,
        .pNext = m4_ok ? &m4 : NULL};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                      .pNext = &m3};
    vkGetPhysicalDeviceProperties2(vk->phys, &p2);
    vk->max_buffer = m3.maxMemoryAllocationSize;
    vk->max_buffer_limit = "maxMemoryAllocationSize";
    if (m4_ok && m4.maxBufferSize < vk->max_buffer) {
        vk->max_buffer = m4.maxBufferSize;
        vk->max_buffer_limit = "maxBufferSize";
    }
    const VkPhysicalDeviceLimits *l = &vk->props.limits;
    vk->max_range = l->maxStorageBufferRange;
    VkDeviceSize cap = as_vk_max_range();
    if (cap && cap < vk->max_range) /* whole elements, at least one */
        vk->max_range = cap < 4 ? 4 : cap & ~(VkDeviceSize)3;
    vk->bind_align = l->minStorageBufferOffsetAlignment < 16 ? 16
                                                             : l->minStorageBufferOffsetAlignment;
    /* texel views start where bindings do, so their alignment must divide bind_align */
    VkDeviceSize texel_align = l->minTexelBufferOffsetAlignment ? l->minTexelBufferOffsetAlignment
                                                                : 1;
    vk->texels = (VkDeviceSize)l->maxTexelBufferElements * 16 >= vk->max_range &&
                 vk->bind_align % texel_align == 0;
    const char *tenv = getenv("AS_VK_TEXELS");
    if (vk->texels && tenv && strcmp(tenv, "1") == 0)
        vk->texels = 2;
}

int as_kern_create_vulkan(as_kern **out, const char *device)
{
    as_vk_kern *vk = as_xcalloc(1, sizeof *vk);
    vk->base.vt = &as_vk_vtbl;
    uint32_t index;
    char reason[160];
    int rc = as_vk_instance_create(&vk->inst, vk);
    if (rc == AS_OK)
        rc = as_vk_device_choose(vk->inst, device, &vk->phys, &index, reason, sizeof reason);
    if (rc != AS_OK)
        goto fail;
    vkGetPhysicalDeviceProperties(vk->phys, &vk->props);
    vkGetPhysicalDeviceMemoryProperties(vk->phys, &vk->mem_props);
    snprintf(vk->base.name, sizeof vk->base.name, "%s", vk->props.deviceName);
    vk->queue_family = as_vk_compute_family(vk->phys);
    query_limits(vk);
    /* discrete GPUs keep buffers in VRAM; elsewhere (lavapipe, integrated) mapping host-visible
     * memory directly measured 2x faster than staging. AS_VK_STAGING=1 forces the staging path
     * (tests run it on lavapipe). */
    const char *st = getenv("AS_VK_STAGING");
    vk->staged = vk->props.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU ||
                 (st && strcmp(st, "1") == 0);
    /* subgroup reductions for the row kernels when compute shaders have them; AS_VK_SUBGROUPS=0
     * forces the shared-memory fallback (tests run it on lavapipe) */
    VkPhysicalDeviceSubgroupProperties sg = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                      .pNext = &sg};
    vkGetPhysicalDeviceProperties2(vk->phys, &p2);
    const char *sgenv = getenv("AS_VK_SUBGROUPS");
    const VkSubgroupFeatureFlags need =
        VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;
    vk->subgroups = (sg.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                    (sg.supportedOperations & need) == need && sg.subgroupSize >= 1 &&
                    !(sgenv && strcmp(sgenv, "0") == 0);
    /* at least 8 invocations so tiny subgroups still spread a row; at most a guaranteed size */
    vk->row_wg = sg.subgroupSize < 8 ? 8 : sg.subgroupSize > 128 ? 128 : sg.subgroupSize;
    VkPhysicalDeviceFeatures have;
    vkGetPhysicalDeviceFeatures(vk->phys, &have);
    vk->int64 = have.shaderInt64 == VK_TRUE;
    /* matmul kernel family by device type (vk_ops.c): CPU devices get the register-blocked
     * kernels, GPUs the tiled/subgroup ones. AS_VK_KERNELS=cpu|gpu forces one (tests run both
     * on lavapipe); AS_VK_INT64=0 turns the 64-bit loads (P.V, decoding attention) off. */
    const char *kenv = getenv("AS_VK_KERNELS"), *i64env = getenv("AS_VK_INT64");
    vk->gpu_kernels = kenv && *kenv ? strcmp(kenv, "gpu") == 0
                                    : vk->props.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU;
    if (i64env && strcmp(i64env, "0") == 0)
        vk->int64 = 0;
    rc = create_device(vk);
    if (rc != AS_OK)
        goto fail;
    as_vk_cache_open(vk);
    as_buf *dummy;
    rc = as_vk_buf_create(&vk->base, 16, &dummy);
    if (rc != AS_OK)
        goto fail;
    vk->dummy = (as_vk_buf *)dummy;
    *out = &vk->base;
    return AS_OK;
fail:
    vk_destroy(&vk->base);
    return rc;
}
