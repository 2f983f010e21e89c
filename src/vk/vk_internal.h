/* Private state of the Vulkan backend, shared by the files of src/vk/:
 *   vk_loader.c    libvulkan.so.1 opened at run time (volk), so the binary runs without it
 *   vk_instance.c  instance, validation messenger, device listing and choice
 *   vk_device.c    as_kern_create_vulkan: logical device, queue, pools, layouts; begin/end
 *   vk_buffer.c    buffers (persistently mapped, or device-local with staging copies)
 *   vk_pipeline.c  SPIR-V registry, lazy pipelines, on-disk pipeline cache
 *   vk_ops.c       one recording function per kern op: push constants and dispatch geometry */
#ifndef VK_INTERNAL_H
#define VK_INTERNAL_H

#include "attnscope/kern.h"
#include "attnscope/vk.h"

#include <stdint.h>
#include <volk.h> /* <vulkan/vulkan.h> as function pointers, loaded at run time (vk_loader.c) */

/* Storage-buffer bindings 0..4 of the one descriptor-set layout every pipeline shares, followed by
 * AS_VK_TEXELS uniform texel buffers (bindings 5, 6): RGBA32F views of operands 1 and 2, bound
 * for the pipelines that read those through texel fetches (as_vk_pipe_def.texel; why in
 * shaders/matmul.comp). */
#define AS_VK_BINDINGS 5
#define AS_VK_TEXELS 2
/* Bytes every buffer has past its contents, so a texel view can always be one texel longer than
 * it needs (as_vk_buf_view). */
#define AS_VK_TEXEL_SLACK 32
/* Descriptor sets per pool; pools are added when a pass records more dispatches. */
#define AS_VK_SETS_PER_POOL 256
/* Buffers remembered between barriers for hazard checks; more forces a barrier. */
#define AS_VK_HAZARDS 32
/* Longest wait for one submit before it is reported as a hung device: a run is one submit, and a
 * 4,096-token BERT-base forward takes 2-3 minutes on lavapipe with 2 cores. */
#define AS_VK_TIMEOUT_NS (600ull * 1000 * 1000 * 1000)

/* Records "<call>: <VkResult>" and jumps to the function's `fail:` label with rc set. */
#define AS_VK_TRY(expr)                                                                            \
    do {                                                                                           \
        VkResult as_vr_ = (expr);                                                                  \
        if (as_vr_ != VK_SUCCESS) {                                                                \
            rc = as_fail(AS_EVULKAN, "Vulkan: %s failed: %s", #expr, as_vk_result_name(as_vr_));   \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

/* Pipelines: a shader variant plus specialization constants (workgroup size, register block). */
typedef enum as_vk_pipe {
    /* CPU family (register-blocked, no shared memory: shaders/matmul.comp) */
    AS_VK_PIPE_MATMUL,          /* scalar loads, 4x8 outputs per invocation */
    AS_VK_PIPE_MATMUL_ROW,      /* scalar loads, 1x8: M < 4 (decoding one token) */
    AS_VK_PIPE_MATVEC_TEX,      /* vec4 texel fetches: matvec.comp in one subgroup for M = 1, */
    AS_VK_PIPE_MATVEC_TEX_N32,  /* 32 rows of w per workgroup: vocabulary-sized N, K <= 1024 */
    AS_VK_PIPE_MATVEC_TEX_M4,   /* M = 2..4 (without subgroups 16x16 blocks), */
    AS_VK_PIPE_MATMUL_TEX_16,   /* matmul.comp's 16x16 blocks for M < 128, */
    AS_VK_PIPE_MATMUL_TEX_32,   /* 32x16 from 128 rows on */
    /* GPU family (shared memory, subgroups: shaders/matmul_tiled.comp, shaders/matvec.comp) */
    AS_VK_PIPE_MATMUL_TILED,     /* 64x64 tiles, M > 4 */
    AS_VK_PIPE_MATVEC,           /* M = 1, scalar loads */
    AS_VK_PIPE_MATVEC_M4,        /* 2 <= M <= 4 */
    AS_VK_PIPE_MATVEC_VEC4,      /* M = 1, vec4 loads */
    AS_VK_PIPE_MATVEC_VEC4_M4,   /* 2 <= M <= 4, vec4 loads */
    AS_VK_PIPE_MATVEC_SG,        /* the same four with subgroup reductions */
    AS_VK_PIPE_MATVEC_M4_SG,
    AS_VK_PIPE_MATVEC_VEC4_SG,
    AS_VK_PIPE_MATVEC_VEC4_M4_SG,
    AS_VK_PIPE_APPLY,           /* scalar loads, 4x4 */
    AS_VK_PIPE_APPLY_VEC4,      /* vec4 along d and keys, 16 query rows */
    AS_VK_PIPE_APPLY_VEC4_ROW,  /* the same for one query row (decoding) */
    AS_VK_PIPE_APPLY_TEX,       /* the two vec4 forms reading texels (CPU family) */
    AS_VK_PIPE_APPLY_TEX_ROW,
    AS_VK_PIPE_LAYERNORM,    /* shared-memory tree reduction */
    AS_VK_PIPE_LAYERNORM_SG, /* subgroup reduction, workgroup = a subgroup */
    AS_VK_PIPE_SOFTMAX,
    AS_VK_PIPE_SOFTMAX_SG,
    /* scores + softmax + apply of one query row (decoding): scalar, vec4 and 64-bit loads,
     * each with shared-memory or subgroup reductions */
    AS_VK_PIPE_ATTEND_ROW,
    AS_VK_PIPE_ATTEND_ROW_SG,
    AS_VK_PIPE_ATTEND_ROW_VEC4,
    AS_VK_PIPE_ATTEND_ROW_VEC4_SG,
    AS_VK_PIPE_ATTEND_ROW_L64,
    AS_VK_PIPE_ATTEND_ROW_L64_SG,
    AS_VK_PIPE_EMBED,
    AS_VK_PIPE_COUNT
} as_vk_pipe;

typedef struct as_vk_pipe_def {
    const char *name;     /* shader variant, for messages */
    const uint32_t *code; /* SPIR-V from spv_all.h */
    size_t size;          /* bytes */
    uint32_t wg, tm, tn;  /* specialization constants 0, 1, 2 (tm, tn unused by row kernels);
                           * wg 0: the device's subgroup size (as_vk_kern.row_wg) */
    int texel;            /* operands 1 and 2 are read from the texel bindings */
} as_vk_pipe_def;

extern const as_vk_pipe_def as_vk_pipe_defs[AS_VK_PIPE_COUNT];

/* as_vk_kern.lost: a hung device (fence timeout) may still run our commands, so its objects
 * are not destroyed; a lost one can be torn down normally. */
enum { AS_VK_LOST = 1, AS_VK_HUNG = 2 };

/* An RGBA32F view of bytes [off, off + range) of a buffer, for the texel bindings. */
typedef struct as_vk_view {
    VkDeviceSize off, range;
    VkBufferView view;
} as_vk_view;

typedef struct as_vk_buf {
    as_buf base;
    VkBuffer buf;
    VkDeviceMemory mem;
    void *map; /* persistent mapping; NULL when contents move through staging copies */
    VkDeviceSize mem_size; /* bytes of mem, counted in as_vk_kern.mem_used */
    as_vk_view *views;     /* created on first use, destroyed with the buffer: a buffer bound
                            * whole has one, a windowed one one per window */
    uint32_t n_views;
} as_vk_buf;

/* One storage-buffer binding of a dispatch: bytes [off, off + range) of buf (NULL: absent, the
 * dummy is bound). Descriptors reach at most maxStorageBufferRange bytes, so operands of bigger
 * buffers (embedding tables, tied LM heads) are bound as windows (vk_ops.c). */
typedef struct as_vk_bind {
    as_buf *buf;
    VkDeviceSize off, range; /* range VK_WHOLE_SIZE: the whole buffer */
} as_vk_bind;

typedef struct as_vk_kern {
    as_kern base;
    VkInstance inst;
    VkDebugUtilsMessengerEXT messenger;
    VkPhysicalDevice phys;
    VkPhysicalDeviceProperties props;
    VkPhysicalDeviceMemoryProperties mem_props;
    VkDevice dev;
    VkQueue queue;
    uint32_t queue_family;
    VkCommandPool cmd_pool;
    VkCommandBuffer cmd;
    VkFence fence;
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout pipe_layout;
    VkDescriptorPool *pools; /* reset at every begin */
    uint32_t n_pools, cur_pool;
    VkPipelineCache cache;
    char *cache_path; /* NULL when no cache directory is known */
    int cache_dirty;  /* pipelines were created since the cache was loaded */
    VkPipeline pipes[AS_VK_PIPE_COUNT];
    int staged;              /* buffers are device-local; host access through staging copies */
    int subgroups;           /* compute shaders have subgroup arithmetic: row kernels use it */
    int int64;               /* shaderInt64 (enabled when the device has it) */
    int gpu_kernels;         /* matmul family: tiled/subgroup (GPUs) or register-blocked (CPU) */
    int texels;              /* CPU-family texel variants: 0 never (a texel view cannot reach as
                              * far as a storage binding), 1 for big products (vk_ops.c
                              * use_texels), 2 always (AS_VK_TEXELS=1: tests on small shapes) */
    uint32_t row_wg;         /* workgroup size of the subgroup row kernels */
    as_vk_buf *dummy;        /* bound to absent optional operands */
    const as_buf *reads[AS_VK_HAZARDS], *writes[AS_VK_HAZARDS]; /* since the last barrier */
    uint32_t n_reads, n_writes;
    int lost; /* AS_VK_LOST or AS_VK_HUNG: nothing more is submitted */
    VkDeviceSize mem_used; /* device memory allocated now, for AS_VK_MEM_LIMIT */
    VkDeviceSize max_range;  /* bytes one binding reaches: maxStorageBufferRange, or less under
                              * AS_VK_MAX_RANGE (tests) */
    VkDeviceSize bind_align; /* window offsets: minStorageBufferOffsetAlignment, at least 16 so
                              * windows keep the vec4 (16-byte) alignment of rows */
    VkDeviceSize max_buffer; /* largest buffer: maxMemoryAllocationSize / maxBufferSize */
    const char *max_buffer_limit; /* the name of whichever of the two is smaller */
    uint64_t vk_dispatches; /* vkCmdDispatch calls recorded (an op split into windows makes
                             * several; tests/kern counts them) */
    uint32_t val_errors;
    char val_first[512];
} as_vk_kern;

/* vk_fault.c: 1 if AS_VK_FAULT (comma-separated) names this fault ("device-create",
 * "device-lost", "no-barrier"); the AS_VK_MEM_LIMIT cap on device memory in bytes, 0 if none. */
int as_vk_fault(const char *name);
VkDeviceSize as_vk_mem_limit(void);
/* AS_VK_MAX_RANGE=N[K|M|G]: binding windows of at most N bytes (tests split big operands on
 * small shapes with it); 0 if unset. */
VkDeviceSize as_vk_max_range(void);

/* vk_loader.c: opens libvulkan.so.1 once (thread-safe) and loads volk's global functions;
 * AS_ENODEV naming the dlopen error when the loader is missing. Call before any vk* function;
 * after each vkCreateInstance, volkLoadInstance loads the rest (the loader's trampolines, which
 * serve every instance and device in the process, validation layer included). */
int as_vk_loader_open(void);

/* vk_instance.c */
const char *as_vk_result_name(VkResult r);
/* Creates the instance; with validation, enables the Khronos layer and a messenger that counts
 * into vk (NULL: no validation). AS_ENODEV when no driver is installed. */
int as_vk_instance_create(VkInstance *out, as_vk_kern *vk);
/* Picks a physical device by spec ("N" / name substring / NULL or "" = AS_DEVICE env, else best
 * type). *index and a human reason ("--device 1", "best type: cpu") are returned. */
int as_vk_device_choose(VkInstance inst, const char *spec, VkPhysicalDevice *out, uint32_t *index,
                        char *reason, size_t reason_len);
/* Queue family index with compute, or UINT32_MAX. */
uint32_t as_vk_compute_family(VkPhysicalDevice phys);

/* vk_device.c */
extern const as_kern_vtbl as_vk_vtbl;
/* Records one dispatch: binds[0] is written, binds[1..] read. */
void as_vk_dispatch(as_vk_kern *vk, as_vk_pipe pipe, const as_vk_bind binds[AS_VK_BINDINGS],
                    const void *pc, uint32_t pc_size, uint32_t gx, uint32_t gy, uint32_t gz);
/* The same for a shader with n_out outputs: binds[0..n_out) are written, the rest read. */
void as_vk_dispatch_n(as_vk_kern *vk, as_vk_pipe pipe, const as_vk_bind binds[AS_VK_BINDINGS],
                      uint32_t n_out, const void *pc, uint32_t pc_size, uint32_t gx, uint32_t gy,
                      uint32_t gz);
/* Records a barrier making earlier shader/transfer/host writes visible to later dispatches. */
void as_vk_barrier(as_vk_kern *vk);
/* Submits vk->cmd (already ended) and waits for the fence with a timeout. */
int as_vk_submit_wait(as_vk_kern *vk);
/* Records the first error of a pass, reported by as_kern_end. */
void as_vk_set_error(as_vk_kern *vk, int rc);

/* vk_buffer.c */
int as_vk_buf_create(as_kern *k, size_t bytes, as_buf **out);
void as_vk_buf_destroy(as_kern *k, as_buf *b);
int as_vk_buf_write(as_kern *k, as_buf *b, size_t off, const void *src, size_t n);
int as_vk_buf_read(as_kern *k, const as_buf *b, size_t off, void *dst, size_t n);
/* The RGBA32F view of the texels a binding covers (whole 16-byte texels from its offset),
 * created on first use. */
int as_vk_buf_view(as_vk_kern *vk, const as_vk_bind *bind, VkBufferView *out);

/* vk_pipeline.c */
void as_vk_cache_open(as_vk_kern *vk);
void as_vk_cache_close(as_vk_kern *vk);
/* The pipeline for p, created on first use. */
int as_vk_pipeline(as_vk_kern *vk, as_vk_pipe p, VkPipeline *out);

/* vk_ops.c */
void as_vk_matmul(as_kern *k, const as_op_matmul *p);
void as_vk_layernorm(as_kern *k, const as_op_layernorm *p);
void as_vk_embed(as_kern *k, const as_op_embed *p);
void as_vk_scores(as_kern *k, const as_op_scores *p);
void as_vk_softmax(as_kern *k, const as_op_softmax *p);
void as_vk_apply(as_kern *k, const as_op_apply *p);
void as_vk_attend_row(as_kern *k, const as_op_attend_row *p);

#endif
