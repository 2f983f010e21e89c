/* Buffers: storage, uniform texel and transfer usage, bound whole to shaders when they fit one
 * binding (views are offsets in push constants), as windows when bigger (vk_ops.c); RGBA32F
 * views for the texel bindings are made on first use and kept with the buffer. Host-visible
 * coherent memory is mapped once for the buffer's life and read and written with memcpy; on
 * discrete GPUs (or AS_VK_STAGING=1) buffers are device-local and the host side goes through a
 * temporary staging buffer and a copy on the queue. */
#include "vk_internal.h"

#include <stdlib.h>
#include <string.h>

static uint32_t find_memory(const as_vk_kern *vk, uint32_t type_bits, VkMemoryPropertyFlags need,
                            VkMemoryPropertyFlags want)
{
    const VkPhysicalDeviceMemoryProperties *mp = &vk->mem_props;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < mp->memoryTypeCount; i++) {
            VkMemoryPropertyFlags f = mp->memoryTypes[i].propertyFlags;
            VkMemoryPropertyFlags req = pass == 0 ? need | want : need;
            if ((type_bits & (1u << i)) && (f & req) == req)
                return i;
        }
    return UINT32_MAX;
}

/* A buffer and its own memory allocation; maps it when host_visible. */
static int make_buffer(as_vk_kern *vk, VkDeviceSize bytes, int host_visible, as_vk_buf *b)
{
    int rc = AS_OK;
    b->mem_size = 0;
    VkBufferCreateInfo bi = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = bytes,
        .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                 VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    AS_VK_TRY(vkCreateBuffer(vk->dev, &bi, NULL, &b->buf));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(vk->dev, b->buf, &req);
    const VkMemoryPropertyFlags host =
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    uint32_t type = host_visible
                        ? find_memory(vk, req.memoryTypeBits, host, 0)
                        : find_memory(vk, req.memoryTypeBits, 0,
                                      VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    if (type == UINT32_MAX) {
        rc = as_fail(AS_ENOMEM, "Vulkan: no %s memory type for a buffer of %llu bytes",
                     host_visible ? "host-visible coherent" : "device", (unsigned long long)bytes);
        goto fail;
    }
    VkMemoryAllocateInfo ai = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = type,
    };
    VkDeviceSize limit = as_vk_mem_limit();
    VkResult r = limit && req.size > limit - (vk->mem_used < limit ? vk->mem_used : limit)
                     ? VK_ERROR_OUT_OF_DEVICE_MEMORY
                     : vkAllocateMemory(vk->dev, &ai, NULL, &b->mem);
    if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY) {
        rc = as_fail(AS_ENOMEM, "Vulkan: cannot allocate %llu bytes of device memory (%s, %llu "
                                "bytes in use); --device cpu runs on the CPU instead",
                     (unsigned long long)bytes, as_vk_result_name(r),
                     (unsigned long long)vk->mem_used);
        goto fail;
    }
    AS_VK_TRY(r);
    b->mem_size = req.size;
    vk->mem_used += req.size;
    AS_VK_TRY(vkBindBufferMemory(vk->dev, b->buf, b->mem, 0));
    if (host_visible)
        AS_VK_TRY(vkMapMemory(vk->dev, b->mem, 0, VK_WHOLE_SIZE, 0, &b->map));
    return AS_OK;
fail:
    vkDestroyBuffer(vk->dev, b->buf, NULL);
    vkFreeMemory(vk->dev, b->mem, NULL);
    vk->mem_used -= b->mem_size;
    b->mem_size = 0;
    b->buf = VK_NULL_HANDLE;
    b->mem = VK_NULL_HANDLE;
    return rc;
}

static void free_buffer(as_vk_kern *vk, as_vk_buf *b)
{
    /* unmapping is implicit in vkFreeMemory */
    vkDestroyBuffer(vk->dev, b->buf, NULL);
    vkFreeMemory(vk->dev, b->mem, NULL);
    vk->mem_used -= b->mem_size;
}

/* Records one copy between buffers (plus the barriers around it), submits and waits. */
static int copy_now(as_vk_kern *vk, VkBuffer src, VkDeviceSize src_off, VkBuffer dst,
                    VkDeviceSize dst_off, VkDeviceSize n)
{
    int rc = AS_OK;
    AS_VK_TRY(vkResetCommandBuffer(vk->cmd, 0));
    VkCommandBufferBeginInfo bi = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
        .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
    };
    AS_VK_TRY(vkBeginCommandBuffer(vk->cmd, &bi));
    VkMemoryBarrier before = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
    };
    vkCmdPipelineBarrier(vk->cmd,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                         VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 0, NULL, 0, NULL);
    VkBufferCopy region = {src_off, dst_off, n};
    vkCmdCopyBuffer(vk->cmd, src, dst, 1, &region);
    VkMemoryBarrier after = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
    };
    vkCmdPipelineBarrier(vk->cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
                         1, &after, 0, NULL, 0, NULL);
    AS_VK_TRY(vkEndCommandBuffer(vk->cmd));
    return as_vk_submit_wait(vk);
fail:
    return rc;
}

/* Bytes of a buffer's contents: whole 4-byte elements (views are in elements) and never 0, which
 * Vulkan rejects; smaller than bytes only on overflow. The buffer adds AS_VK_TEXEL_SLACK. */
static size_t whole_elements(size_t bytes)
{
    return bytes < 4 ? 4 : (bytes + 3) & ~(size_t)3;
}

int as_vk_buf_create(as_kern *k, size_t bytes, as_buf **out)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    size_t size = whole_elements(bytes);
    /* callers name the device (model_weights.c: "cannot allocate N bytes on <device>: ...") */
    if (size < bytes || size > vk->max_buffer)
        return as_fail(AS_ENOMEM, "a buffer of %zu bytes exceeds the device's largest buffer "
                       "(%s = %llu bytes); --device cpu runs on the CPU instead", bytes,
                       vk->max_buffer_limit, (unsigned long long)vk->max_buffer);
    as_vk_buf *b = as_xcalloc(1, sizeof *b);
    b->base.size = bytes;
    int rc = make_buffer(vk, size + AS_VK_TEXEL_SLACK, !vk->staged, b);
    if (rc != AS_OK) {
        free(b);
        return rc;
    }
    /* zeroed like the CPU backend's buffers, so both start from the same contents */
    if (b->map) {
        memset(b->map, 0, size + AS_VK_TEXEL_SLACK);
    } else if (vk->base.recording) {
        /* created inside a pass: the fill joins the pass, ordered before later dispatches */
        vkCmdFillBuffer(vk->cmd, b->buf, 0, VK_WHOLE_SIZE, 0);
        as_vk_barrier(vk);
    } else {
        VkCommandBufferBeginInfo bi = {
            .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
            .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
        };
        AS_VK_TRY(vkResetCommandBuffer(vk->cmd, 0));
        AS_VK_TRY(vkBeginCommandBuffer(vk->cmd, &bi));
        vkCmdFillBuffer(vk->cmd, b->buf, 0, VK_WHOLE_SIZE, 0);
        AS_VK_TRY(vkEndCommandBuffer(vk->cmd));
        rc = as_vk_submit_wait(vk);
        if (rc != AS_OK)
            goto fail;
    }
    *out = &b->base;
    return AS_OK;
fail:
    free_buffer(vk, b);
    free(b);
    return rc;
}

void as_vk_buf_destroy(as_kern *k, as_buf *b)
{
    /* after a fence timeout the shaders may still run on this memory: leak it (as vk_destroy
     * does the device), freeing it crashed lavapipe's workers */
    if (!b || ((as_vk_kern *)k)->lost == AS_VK_HUNG)
        return;
    as_vk_kern *vk = (as_vk_kern *)k;
    as_vk_buf *vb = (as_vk_buf *)b;
    for (uint32_t i = 0; i < vb->n_views; i++)
        vkDestroyBufferView(vk->dev, vb->views[i].view, NULL);
    free(vb->views);
    free_buffer(vk, vb);
    free(b);
}

int as_vk_buf_view(as_vk_kern *vk, const as_vk_bind *bind, VkBufferView *out)
{
    as_vk_buf *b = (as_vk_buf *)bind->buf;
    int rc = AS_OK;
    /* the buffer holds whole elements and the slack (as_vk_buf_create), a view whole texels */
    VkDeviceSize size = whole_elements(b->base.size) + AS_VK_TEXEL_SLACK;
    VkDeviceSize left = (size - bind->off) & ~(VkDeviceSize)15;
    VkDeviceSize range = bind->range == VK_WHOLE_SIZE ? left
                                                      : (bind->range + 15) & ~(VkDeviceSize)15;
    range = range < left ? range : left;
    /* llvmpipe compiles a variant of a shader per power-of-two-ness of each texel buffer's size
     * (at the first dispatch, seconds for the matmul blocks): views never have a power-of-two
     * texel count, so one variant serves every size */
    VkDeviceSize texels = range / 16;
    if (texels && (texels & (texels - 1)) == 0 && range + 16 <= left)
        range += 16;
    for (uint32_t i = 0; i < b->n_views; i++)
        if (b->views[i].off == bind->off && b->views[i].range == range) {
            *out = b->views[i].view;
            return AS_OK;
        }
    VkBufferViewCreateInfo vi = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
        .buffer = b->buf,
        .format = VK_FORMAT_R32G32B32A32_SFLOAT,
        .offset = bind->off,
        .range = range,
    };
    VkBufferView view;
    AS_VK_TRY(vkCreateBufferView(vk->dev, &vi, NULL, &view));
    b->views = as_xrealloc(b->views, (b->n_views + 1) * sizeof *b->views);
    b->views[b->n_views++] = (as_vk_view){bind->off, range, view};
    *out = view;
    return AS_OK;
fail:
    return rc;
}

int as_vk_buf_write(as_kern *k, as_buf *buf, size_t off, const void *src, size_t n)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    as_vk_buf *b = (as_vk_buf *)buf;
    if (n == 0)
        return AS_OK;
    if (b->map) {
        memcpy((uint8_t *)b->map + off, src, n);
        return AS_OK;
    }
    as_vk_buf st = {0};
    int rc = make_buffer(vk, n, 1, &st);
    if (rc != AS_OK)
        return rc;
    memcpy(st.map, src, n);
    rc = copy_now(vk, st.buf, 0, b->buf, off, n);
    free_buffer(vk, &st);
    return rc;
}

int as_vk_buf_read(as_kern *k, const as_buf *buf, size_t off, void *dst, size_t n)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    const as_vk_buf *b = (const as_vk_buf *)buf;
    if (n == 0)
        return AS_OK;
    if (b->map) {
        memcpy(dst, (const uint8_t *)b->map + off, n);
        return AS_OK;
    }
    as_vk_buf st = {0};
    int rc = make_buffer(vk, n, 1, &st);
    if (rc != AS_OK)
        return rc;
    rc = copy_now(vk, b->buf, off, st.buf, 0, n);
    if (rc == AS_OK)
        memcpy(dst, st.map, n);
    free_buffer(vk, &st);
    return rc;
}
