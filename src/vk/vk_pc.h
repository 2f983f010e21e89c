/* Push-constant blocks, one per shader, mirrored field by field in shaders/<op>.comp
 * (uint32_t/float only, 4-byte fields, so std430 and C layouts agree). Offsets and strides are
 * in 4-byte elements from the start of the binding (the whole buffer, or the window vk_ops.c
 * binds of a bigger one): views are applied in the shader. */
#ifndef VK_PC_H
#define VK_PC_H

#include <stdint.h>

/* shaders/matmul.comp (also attention scores: batch = heads) */
typedef struct pc_matmul {
    uint32_t M, N, K, batch;
    uint32_t x_off, x_row, x_batch;
    uint32_t w_off, w_row, w_batch;
    uint32_t y_off, y_row, y_batch;
    uint32_t bias_off, res_off;
    uint32_t flags, act; /* PC_MATMUL_*; act = shaders/common/act.glsl ACT_* */
    float scale;
} pc_matmul;
enum { PC_MATMUL_BIAS = 1, PC_MATMUL_RES = 2, PC_MATMUL_ACT = 4 };

/* shaders/apply.comp */
typedef struct pc_apply {
    uint32_t Tq, Tk, dh;
    uint32_t o_off, o_row;
    uint32_t p_off;
    uint32_t v_off, v_row;
} pc_apply;

/* shaders/layernorm.comp */
typedef struct pc_layernorm {
    uint32_t M, N;
    uint32_t y_off, x_off, g_off, b_off;
    float eps;
} pc_layernorm;

/* shaders/softmax.comp */
typedef struct pc_softmax {
    uint32_t rows, cols, Tq, causal, causal_offset;
    uint32_t p_off, s_off;
} pc_softmax;

/* shaders/attend_row.comp */
typedef struct pc_attend_row {
    uint32_t Tk, dh;
    uint32_t o_off, p_off, q_off;
    uint32_t k_off, k_row;
    uint32_t v_off, v_row;
    float scale;
} pc_attend_row;

/* shaders/embed.comp */
typedef struct pc_embed {
    uint32_t M, D, has_pos;
    uint32_t y_off, ids_off, table_off, pos_off; /* pos_off: the row of the first position */
    uint32_t id_first, id_last; /* ids this dispatch writes (the bound window's rows) */
    uint32_t table_rows;        /* rows of the window: ids past them read as 0 */
    float scale;
} pc_embed;

/* Vulkan guarantees maxPushConstantsSize >= 128; the pipeline layout declares 128 bytes. */
#define PC_MAX_BYTES 128
_Static_assert(sizeof(pc_matmul) <= PC_MAX_BYTES, "pc_matmul fits the push-constant range");
_Static_assert(sizeof(pc_apply) <= PC_MAX_BYTES, "pc_apply fits the push-constant range");
_Static_assert(sizeof(pc_layernorm) <= PC_MAX_BYTES, "pc_layernorm fits the push-constant range");
_Static_assert(sizeof(pc_softmax) <= PC_MAX_BYTES, "pc_softmax fits the push-constant range");
_Static_assert(sizeof(pc_embed) <= PC_MAX_BYTES, "pc_embed fits the push-constant range");
_Static_assert(sizeof(pc_attend_row) <= PC_MAX_BYTES,
               "pc_attend_row fits the push-constant range");

#endif
