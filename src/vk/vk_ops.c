/* One recording function per kern op: fills the shader's push constants (vk_pc.h), picks the
 * pipeline variant and computes the dispatch grid. kern.c has already checked every view
 * against its buffer, and buffers are at most maxStorageBufferRange bytes (a uint32_t), so
 * element offsets and spans fit the shaders' uint arithmetic. */
#include "vk_internal.h"
#include "vk_pc.h"

static uint32_t ceil_div(uint32_t a, uint32_t b)
{
    return (a + b - 1) / b;
}

static uint32_t eoff(as_tv v)
{
    return (uint32_t)v.off;
}

/* Folds n workgroups into a 2D grid within maxComputeWorkGroupCount[0]; the shaders rebuild the
 * index as y * gx + x and skip the tail past n. */
static void fold(const as_vk_kern *vk, uint32_t n, uint32_t *gx, uint32_t *gy)
{
    uint32_t max = vk->props.limits.maxComputeWorkGroupCount[0];
    *gx = n < max ? n : max;
    *gy = ceil_div(n, *gx);
}

/* ---- matmul and attention scores (shaders/matmul.comp) ------------------------------------*/

static uint32_t act_code(as_act a)
{
    switch (a) { /* shaders/common/act.glsl ACT_* */
    case AS_ACT_GELU: return 0;
    case AS_ACT_GELU_TANH: return 1;
    case AS_ACT_RELU: return 2;
    case AS_ACT_SILU: return 3;
    }
    AS_ASSERT(!"known activation");
    return 0;
}

/* The GPU family: M <= 4 (decoding) takes the matrix-vector kernel with MR = 1 or 4 rows of x,
 * everything else 64 x 64 shared-memory tiles. */
static void gemm_gpu(as_vk_kern *vk, const pc_matmul *pc, as_buf *const bufs[AS_VK_BINDINGS],
                     int vec4)
{
    as_vk_pipe pipe = AS_VK_PIPE_MATMUL_TILED;
    if (pc->M > 4) {
        const as_vk_pipe_def *d = &as_vk_pipe_defs[pipe];
        as_vk_dispatch(vk, pipe, bufs, pc, sizeof *pc, ceil_div(pc->N, d->tn),
                       ceil_div(pc->M, d->tm), pc->batch);
        return;
    }
    static const as_vk_pipe mv[2][2][2] = {
        {{AS_VK_PIPE_MATVEC, AS_VK_PIPE_MATVEC_M4},
         {AS_VK_PIPE_MATVEC_VEC4, AS_VK_PIPE_MATVEC_VEC4_M4}},
        {{AS_VK_PIPE_MATVEC_SG, AS_VK_PIPE_MATVEC_M4_SG},
         {AS_VK_PIPE_MATVEC_VEC4_SG, AS_VK_PIPE_MATVEC_VEC4_M4_SG}}};
    pipe = mv[vk->subgroups != 0][vec4][pc->M > 1];
    uint32_t gx, gy;
    fold(vk, ceil_div(pc->N, as_vk_pipe_defs[pipe].tn), &gx, &gy);
    as_vk_dispatch(vk, pipe, bufs, pc, sizeof *pc, gx, gy, pc->batch);
}

/* The CPU family: register blocks, shorter for short inputs (clamped rows of a tall block are
 * computed and dropped); vec4 blocks fetch through 64-bit loads when the device has them. */
static void gemm_cpu(as_vk_kern *vk, const pc_matmul *pc, as_buf *const bufs[AS_VK_BINDINGS],
                     int vec4)
{
    int size = pc->M < 4 ? 0 : pc->M < 16 ? 1 : 2;
    static const as_vk_pipe blocks[3][3] = {
        {AS_VK_PIPE_MATMUL_ROW, AS_VK_PIPE_MATMUL, AS_VK_PIPE_MATMUL},
        {AS_VK_PIPE_MATMUL_VEC4_ROW, AS_VK_PIPE_MATMUL_VEC4_MID, AS_VK_PIPE_MATMUL_VEC4},
        {AS_VK_PIPE_MATMUL_ROW_L64, AS_VK_PIPE_MATMUL_MID_L64, AS_VK_PIPE_MATMUL_L64}};
    as_vk_pipe pipe = blocks[vec4 ? (vk->int64 ? 2 : 1) : 0][size];
    const as_vk_pipe_def *d = &as_vk_pipe_defs[pipe];
    as_vk_dispatch(vk, pipe, bufs, pc, sizeof *pc, ceil_div(ceil_div(pc->N, d->tn), d->wg),
                   ceil_div(pc->M, d->tm), pc->batch);
}

static void gemm(as_vk_kern *vk, const pc_matmul *pc, as_buf *const bufs[AS_VK_BINDINGS])
{
    /* vec4 loads need every x and w row start on a 16-byte boundary */
    int vec4 = (pc->K | pc->x_off | pc->x_row | pc->x_batch | pc->w_off | pc->w_row |
                pc->w_batch) % 4 == 0;
    if (vk->gpu_kernels)
        gemm_gpu(vk, pc, bufs, vec4);
    else
        gemm_cpu(vk, pc, bufs, vec4);
}

void as_vk_matmul(as_kern *k, const as_op_matmul *p)
{
    pc_matmul pc = {
        .M = p->M, .N = p->N, .K = p->K, .batch = 1,
        .x_off = eoff(p->x), .x_row = p->K,
        .w_off = eoff(p->w), .w_row = p->K,
        .y_off = eoff(p->y), .y_row = p->N,
        .bias_off = eoff(p->bias), .res_off = eoff(p->res),
        .flags = (p->bias.buf ? PC_MATMUL_BIAS : 0u) | (p->res.buf ? PC_MATMUL_RES : 0u) |
                 (p->has_act ? PC_MATMUL_ACT : 0u),
        .act = p->has_act ? act_code(p->act) : 0,
        .scale = 1.0f,
    };
    as_buf *bufs[AS_VK_BINDINGS] = {p->y.buf, p->x.buf, p->w.buf, p->bias.buf, p->res.buf};
    gemm((as_vk_kern *)k, &pc, bufs);
}

/* Q.K^T per head is the same "NT" product: x = Q rows, w = K rows, one batch per head. */
void as_vk_scores(as_kern *k, const as_op_scores *p)
{
    pc_matmul pc = {
        .M = p->Tq, .N = p->Tk, .K = p->dh, .batch = p->H,
        .x_off = eoff(p->q), .x_row = p->q_stride, .x_batch = p->dh,
        .w_off = eoff(p->k), .w_row = p->k_stride, .w_batch = p->dh,
        .y_off = eoff(p->s), .y_row = p->Tk, .y_batch = p->Tq * p->Tk,
        .scale = p->scale,
    };
    as_buf *bufs[AS_VK_BINDINGS] = {p->s.buf, p->q.buf, p->k.buf, NULL, NULL};
    gemm((as_vk_kern *)k, &pc, bufs);
}

/* ---- the other ops ------------------------------------------------------------------------*/

void as_vk_apply(as_kern *k, const as_op_apply *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    pc_apply pc = {
        .Tq = p->Tq, .Tk = p->Tk, .dh = p->dh,
        .o_off = eoff(p->o), .o_row = p->o_stride,
        .p_off = eoff(p->p),
        .v_off = eoff(p->v), .v_row = p->v_stride,
    };
    as_buf *bufs[AS_VK_BINDINGS] = {p->o.buf, p->p.buf, p->v.buf, NULL, NULL};
    /* vec4 along keys (p rows) and along d (V rows): every start a multiple of 4 */
    int vec4 = (pc.Tk | pc.dh | pc.p_off | pc.v_off | pc.v_row) % 4 == 0;
    as_vk_pipe pipe = AS_VK_PIPE_APPLY;
    if (vec4 && vk->int64)
        pipe = p->Tq < 4 ? AS_VK_PIPE_APPLY_ROW_L64 : AS_VK_PIPE_APPLY_L64;
    else if (vec4)
        pipe = p->Tq < 4 ? AS_VK_PIPE_APPLY_VEC4_ROW : AS_VK_PIPE_APPLY_VEC4;
    const as_vk_pipe_def *d = &as_vk_pipe_defs[pipe];
    as_vk_dispatch(vk, pipe, bufs, &pc, sizeof pc, ceil_div(ceil_div(p->dh, d->tn), d->wg),
                   ceil_div(p->Tq, d->tm), p->H);
}

void as_vk_layernorm(as_kern *k, const as_op_layernorm *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    pc_layernorm pc = {
        .M = p->M, .N = p->N,
        .y_off = eoff(p->y), .x_off = eoff(p->x), .g_off = eoff(p->gamma), .b_off = eoff(p->beta),
        .eps = p->eps,
    };
    as_buf *bufs[AS_VK_BINDINGS] = {p->y.buf, p->x.buf, p->gamma.buf, p->beta.buf, NULL};
    uint32_t gx, gy;
    fold(vk, p->M, &gx, &gy);
    as_vk_dispatch(vk, vk->subgroups ? AS_VK_PIPE_LAYERNORM_SG : AS_VK_PIPE_LAYERNORM, bufs, &pc, sizeof pc, gx, gy, 1);
}

void as_vk_softmax(as_kern *k, const as_op_softmax *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    pc_softmax pc = {
        .rows = p->rows, .cols = p->cols, .Tq = p->Tq,
        .causal = p->causal ? 1u : 0u, .causal_offset = p->causal_offset,
        .p_off = eoff(p->p), .s_off = eoff(p->s),
    };
    as_buf *bufs[AS_VK_BINDINGS] = {p->p.buf, p->s.buf, NULL, NULL, NULL};
    uint32_t gx, gy;
    fold(vk, p->rows, &gx, &gy);
    as_vk_dispatch(vk, vk->subgroups ? AS_VK_PIPE_SOFTMAX_SG : AS_VK_PIPE_SOFTMAX, bufs, &pc, sizeof pc, gx, gy, 1);
}

void as_vk_embed(as_kern *k, const as_op_embed *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    pc_embed pc = {
        .M = p->M, .D = p->D, .pos_start = p->pos_start, .has_pos = p->pos.buf != NULL,
        .y_off = eoff(p->y), .ids_off = eoff(p->ids), .table_off = eoff(p->table),
        .pos_off = eoff(p->pos),
        /* rows the table buffer holds past the view's start: the shader's guard */
        .table_rows = (uint32_t)((p->table.buf->size / 4 - p->table.off) / p->D),
        .scale = p->scale,
    };
    as_buf *bufs[AS_VK_BINDINGS] = {p->y.buf, p->ids.buf, p->table.buf, p->pos.buf, NULL};
    uint32_t gx, gy;
    fold(vk, ceil_div(p->M * p->D, as_vk_pipe_defs[AS_VK_PIPE_EMBED].wg), &gx, &gy);
    as_vk_dispatch(vk, AS_VK_PIPE_EMBED, bufs, &pc, sizeof pc, gx, gy, 1);
}
