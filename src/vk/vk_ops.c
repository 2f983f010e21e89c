/* One recording function per kern op: binds its operands, fills the shader's push constants
 * (vk_pc.h), picks the pipeline variant and computes the dispatch grid. kern.c has already
 * checked every view against its buffer.
 *
 * A binding reaches at most vk->max_range bytes (maxStorageBufferRange, a uint32_t), so element
 * offsets relative to a binding fit the shaders' uint arithmetic. Buffers within that size are
 * bound whole; a bigger one (GPT-2's 154 MB token embedding, also its tied LM head) is bound as
 * a window around the part a dispatch reads, and push-constant offsets are relative to the
 * window. The two ops that read whole weight tables split their work so every window fits:
 * matmul by rows of w, embed by rows of the table. */
#include "vk_internal.h"
#include "vk_pc.h"

static uint32_t ceil_div(uint32_t a, uint32_t b)
{
    return (a + b - 1) / b;
}

/* Elements [lo, lo + span) of buf that one dispatch touches (buf NULL: absent operand). */
typedef struct operand {
    as_buf *buf;
    size_t lo, span;
    const char *name; /* for messages: "w", "table", ... */
} operand;

/* Binds the operands of one dispatch of op and returns in rel[i] each lo relative to its
 * binding, for the push constants. A buffer that fits one binding is bound whole (as every
 * buffer was before windows: the common case costs nothing); a bigger one from its span's start
 * rounded down to bind_align. 0, with the error recorded for as_kern_end, when a span is more
 * than one binding reaches (an activation that big: nothing splits those). */
static int bind(as_vk_kern *vk, const char *op, const operand in[AS_VK_BINDINGS],
                as_vk_bind out[AS_VK_BINDINGS], uint32_t rel[AS_VK_BINDINGS])
{
    for (int i = 0; i < AS_VK_BINDINGS; i++) {
        out[i] = (as_vk_bind){in[i].buf, 0, VK_WHOLE_SIZE};
        rel[i] = (uint32_t)in[i].lo;
        if (!in[i].buf || in[i].buf->size <= vk->max_range)
            continue;
        if (in[i].span == 0) { /* nothing is read (an embedding view past its last row) */
            out[i].buf = NULL;
            rel[i] = 0;
            continue;
        }
        VkDeviceSize start = (VkDeviceSize)in[i].lo * 4 / vk->bind_align * vk->bind_align;
        VkDeviceSize end = ((VkDeviceSize)in[i].lo + in[i].span) * 4;
        if (end - start > vk->max_range) {
            as_vk_set_error(vk, as_fail(AS_EUNSUPPORTED, "%s: operand %s needs %llu bytes of its "
                                        "%zu-byte buffer in one binding, more than the %llu one "
                                        "binding reaches on this device; --device cpu runs on "
                                        "the CPU instead", op, in[i].name,
                                        (unsigned long long)(end - start), in[i].buf->size,
                                        (unsigned long long)vk->max_range));
            return 0;
        }
        out[i].off = start;
        out[i].range = end - start;
        rel[i] = (uint32_t)(in[i].lo - start / 4);
    }
    return 1;
}

/* Rows of row_elems elements of buf that one window holds, at most total and at least 1 (a row
 * longer than a window is then reported by bind). All of them when buf fits one binding. A
 * window's start is aligned down by up to bind_align - 4 bytes, which it must also hold. */
static uint32_t rows_per_window(const as_vk_kern *vk, const as_buf *buf, size_t row_elems,
                                uint32_t total)
{
    if (total == 0)
        return 1;
    if (buf->size <= vk->max_range)
        return total;
    VkDeviceSize slack = vk->bind_align - 4;
    VkDeviceSize rows = vk->max_range > slack ? (vk->max_range - slack) / (row_elems * 4) : 0;
    return rows == 0 ? 1 : rows < total ? (uint32_t)rows : total;
}

/* Span of a strided row view: rows-1 full strides plus one row of width (as kern.c checks). */
static size_t strided_span(size_t rows, size_t stride, size_t width)
{
    return rows ? (rows - 1) * stride + width : 0;
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

/* A matvec.comp variant: one workgroup per tn rows of w, folded into a 2D grid. */
static void matvec(as_vk_kern *vk, as_vk_pipe pipe, const pc_matmul *pc,
                   const as_vk_bind b[AS_VK_BINDINGS])
{
    uint32_t gx, gy;
    fold(vk, ceil_div(pc->N, as_vk_pipe_defs[pipe].tn), &gx, &gy);
    as_vk_dispatch(vk, pipe, b, pc, sizeof *pc, gx, gy, pc->batch);
}

/* The GPU family: M <= 4 (decoding) takes the matrix-vector kernel with MR = 1 or 4 rows of x,
 * everything else 64 x 64 shared-memory tiles. */
static void gemm_gpu(as_vk_kern *vk, const pc_matmul *pc, const as_vk_bind b[AS_VK_BINDINGS],
                     int vec4)
{
    as_vk_pipe pipe = AS_VK_PIPE_MATMUL_TILED;
    if (pc->M > 4) {
        const as_vk_pipe_def *d = &as_vk_pipe_defs[pipe];
        as_vk_dispatch(vk, pipe, b, pc, sizeof *pc, ceil_div(pc->N, d->tn),
                       ceil_div(pc->M, d->tm), pc->batch);
        return;
    }
    static const as_vk_pipe mv[2][2][2] = {
        {{AS_VK_PIPE_MATVEC, AS_VK_PIPE_MATVEC_M4},
         {AS_VK_PIPE_MATVEC_VEC4, AS_VK_PIPE_MATVEC_VEC4_M4}},
        {{AS_VK_PIPE_MATVEC_SG, AS_VK_PIPE_MATVEC_M4_SG},
         {AS_VK_PIPE_MATVEC_VEC4_SG, AS_VK_PIPE_MATVEC_VEC4_M4_SG}}};
    matvec(vk, mv[vk->subgroups != 0][vec4][pc->M > 1], pc, b);
}

/* CPU-family texel variants pay for themselves only on big products: llvmpipe compiles each at
 * its first dispatch (~1.5 s for a register block, then cached on disk) and lavapipe lowers its
 * texel fetches at every pipeline creation (15-45 ms of each start), while a product below 8M
 * multiply-adds with weights below 2^18 elements (the bundled demo model's) runs in well under a
 * millisecond either way. Decoding's matrix-vector products of a 512-wide model (2^18 weights)
 * still get them: 10-14 GFLOPS against 3-7. */
static int use_texels(const as_vk_kern *vk, double macs, double weights)
{
    return !vk->gpu_kernels &&
           (vk->texels == 2 || (vk->texels && (macs >= 8388608.0 || weights >= 262144.0)));
}

/* The CPU family: with texel fetches (rows 16-byte aligned, product big enough: use_texels),
 * register blocks taller for taller inputs (clamped rows of a tall block are computed and
 * dropped), or for up to 4 rows the matrix-vector kernel in one subgroup; scalar register blocks
 * otherwise. */
static void gemm_cpu(as_vk_kern *vk, const pc_matmul *pc, const as_vk_bind b[AS_VK_BINDINGS],
                     int texel)
{
    if (texel && pc->M <= 4 && vk->subgroups) {
        matvec(vk,
               pc->M > 1                         ? AS_VK_PIPE_MATVEC_TEX_M4
               : pc->K <= 1024 && pc->N >= 16384 ? AS_VK_PIPE_MATVEC_TEX_N32
                                                 : AS_VK_PIPE_MATVEC_TEX,
               pc, b);
        return;
    }
    as_vk_pipe pipe;
    if (!texel)
        pipe = pc->M < 4 ? AS_VK_PIPE_MATMUL_ROW : AS_VK_PIPE_MATMUL;
    else
        pipe = pc->M < 128 ? AS_VK_PIPE_MATMUL_TEX_16 : AS_VK_PIPE_MATMUL_TEX_32;
    const as_vk_pipe_def *d = &as_vk_pipe_defs[pipe];
    as_vk_dispatch(vk, pipe, b, pc, sizeof *pc, ceil_div(ceil_div(pc->N, d->tn), d->wg),
                   ceil_div(pc->M, d->tm), pc->batch);
}

static void gemm(as_vk_kern *vk, const pc_matmul *pc, const as_vk_bind b[AS_VK_BINDINGS])
{
    /* vec4 loads need every x and w row start on a 16-byte boundary (windows keep it: their
     * starts are multiples of 16 bytes) */
    int vec4 = (pc->K | pc->x_off | pc->x_row | pc->x_batch | pc->w_off | pc->w_row |
                pc->w_batch) % 4 == 0;
    double weights = (double)pc->batch * pc->N * pc->K;
    if (vk->gpu_kernels)
        gemm_gpu(vk, pc, b, vec4);
    else
        gemm_cpu(vk, pc, b, vec4 && use_texels(vk, weights * pc->M, weights));
}

/* One dispatch per block of rows of x (and y) and rows of w whose windows fit; one block for
 * every operand within a binding, i.e. all but the biggest tables and outputs (GPT-2's LM head:
 * 50257 rows of w, and 201 KB of logits per token). A block [m0, m0 + mr) x [n0, n0 + n)
 * writes its part of y (and reads res) with the row stride of the whole product, N. */
void as_vk_matmul(as_kern *k, const as_op_matmul *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    uint32_t rows = rows_per_window(vk, p->w.buf, p->K, p->N);
    uint32_t mrows = rows_per_window(vk, p->x.buf, p->K, p->M);
    uint32_t yrows = rows_per_window(vk, p->y.buf, p->N, p->M);
    uint32_t rrows = p->res.buf ? rows_per_window(vk, p->res.buf, p->N, p->M) : p->M;
    mrows = yrows < mrows ? yrows : mrows;
    mrows = rrows < mrows ? rrows : mrows;
    for (uint32_t m0 = 0; m0 < p->M; m0 += mrows)
        for (uint32_t n0 = 0; n0 < p->N; n0 += rows) {
            uint32_t mr = p->M - m0 < mrows ? p->M - m0 : mrows;
            uint32_t n = p->N - n0 < rows ? p->N - n0 : rows;
            size_t yo = (size_t)m0 * p->N + n0, ys = (size_t)(mr - 1) * p->N + n;
            const operand in[AS_VK_BINDINGS] = {
                {p->y.buf, p->y.off + yo, ys, "y"},
                {p->x.buf, p->x.off + (size_t)m0 * p->K, (size_t)mr * p->K, "x"},
                {p->w.buf, p->w.off + (size_t)n0 * p->K, (size_t)n * p->K, "w"},
                {p->bias.buf, p->bias.off + n0, n, "bias"},
                {p->res.buf, p->res.off + yo, ys, "res"},
            };
            as_vk_bind b[AS_VK_BINDINGS];
            uint32_t rel[AS_VK_BINDINGS];
            if (!bind(vk, "matmul", in, b, rel))
                return;
            pc_matmul pc = {
                .M = mr, .N = n, .K = p->K, .batch = 1,
                .x_off = rel[1], .x_row = p->K,
                .w_off = rel[2], .w_row = p->K,
                .y_off = rel[0], .y_row = p->N,
                .bias_off = rel[3], .res_off = rel[4],
                .flags = (p->bias.buf ? PC_MATMUL_BIAS : 0u) |
                         (p->res.buf ? PC_MATMUL_RES : 0u) | (p->has_act ? PC_MATMUL_ACT : 0u),
                .act = p->has_act ? act_code(p->act) : 0,
                .scale = 1.0f,
            };
            gemm(vk, &pc, b);
        }
}

/* Q.K^T per head is the same "NT" product: x = Q rows, w = K rows, one batch per head. */
void as_vk_scores(as_kern *k, const as_op_scores *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    size_t width = (size_t)p->H * p->dh;
    const operand in[AS_VK_BINDINGS] = {
        {p->s.buf, p->s.off, (size_t)p->H * p->Tq * p->Tk, "s"},
        {p->q.buf, p->q.off, strided_span(p->Tq, p->q_stride, width), "q"},
        {p->k.buf, p->k.off, strided_span(p->Tk, p->k_stride, width), "k"},
        {NULL, 0, 0, NULL},
        {NULL, 0, 0, NULL},
    };
    as_vk_bind b[AS_VK_BINDINGS];
    uint32_t rel[AS_VK_BINDINGS];
    if (!bind(vk, "scores", in, b, rel))
        return;
    pc_matmul pc = {
        .M = p->Tq, .N = p->Tk, .K = p->dh, .batch = p->H,
        .x_off = rel[1], .x_row = p->q_stride, .x_batch = p->dh,
        .w_off = rel[2], .w_row = p->k_stride, .w_batch = p->dh,
        .y_off = rel[0], .y_row = p->Tk, .y_batch = p->Tq * p->Tk,
        .scale = p->scale,
    };
    gemm(vk, &pc, b);
}

/* ---- the other ops ------------------------------------------------------------------------*/

void as_vk_apply(as_kern *k, const as_op_apply *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    size_t width = (size_t)p->H * p->dh;
    const operand in[AS_VK_BINDINGS] = {
        {p->o.buf, p->o.off, strided_span(p->Tq, p->o_stride, width), "o"},
        {p->p.buf, p->p.off, (size_t)p->H * p->Tq * p->Tk, "p"},
        {p->v.buf, p->v.off, strided_span(p->Tk, p->v_stride, width), "v"},
        {NULL, 0, 0, NULL},
        {NULL, 0, 0, NULL},
    };
    as_vk_bind b[AS_VK_BINDINGS];
    uint32_t rel[AS_VK_BINDINGS];
    if (!bind(vk, "apply", in, b, rel))
        return;
    pc_apply pc = {
        .Tq = p->Tq, .Tk = p->Tk, .dh = p->dh,
        .o_off = rel[0], .o_row = p->o_stride,
        .p_off = rel[1],
        .v_off = rel[2], .v_row = p->v_stride,
    };
    /* vec4 along keys (p rows) and along d (V rows): every start a multiple of 4 */
    int vec4 = (pc.Tk | pc.dh | pc.p_off | pc.v_off | pc.v_row) % 4 == 0;
    as_vk_pipe pipe = AS_VK_PIPE_APPLY;
    if (vec4 && use_texels(vk, (double)p->H * p->Tq * p->Tk * p->dh, 0.0))
        pipe = p->Tq < 4 ? AS_VK_PIPE_APPLY_TEX_ROW : AS_VK_PIPE_APPLY_TEX;
    else if (vec4)
        pipe = p->Tq < 4 ? AS_VK_PIPE_APPLY_VEC4_ROW : AS_VK_PIPE_APPLY_VEC4;
    const as_vk_pipe_def *d = &as_vk_pipe_defs[pipe];
    as_vk_dispatch(vk, pipe, b, &pc, sizeof pc, ceil_div(ceil_div(p->dh, d->tn), d->wg),
                   ceil_div(p->Tq, d->tm), p->H);
}

/* One workgroup per head; o and p are both written (as_vk_dispatch_n orders later readers of
 * the captured probabilities after it). */
void as_vk_attend_row(as_kern *k, const as_op_attend_row *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    size_t width = (size_t)p->H * p->dh;
    const operand in[AS_VK_BINDINGS] = {
        {p->o.buf, p->o.off, width, "o"},
        {p->p.buf, p->p.off, (size_t)p->H * p->Tk, "p"},
        {p->q.buf, p->q.off, width, "q"},
        {p->k.buf, p->k.off, strided_span(p->Tk, p->k_stride, width), "k"},
        {p->v.buf, p->v.off, strided_span(p->Tk, p->v_stride, width), "v"},
    };
    as_vk_bind b[AS_VK_BINDINGS];
    uint32_t rel[AS_VK_BINDINGS];
    if (!bind(vk, "attend_row", in, b, rel))
        return;
    pc_attend_row pc = {
        .Tk = p->Tk, .dh = p->dh,
        .o_off = rel[0], .p_off = rel[1], .q_off = rel[2],
        .k_off = rel[3], .k_row = p->k_stride,
        .v_off = rel[4], .v_row = p->v_stride,
        .scale = p->scale,
    };
    /* vec4 loads of q, K and V rows: every start a multiple of 4 (windows keep it) */
    int vec4 = (pc.dh | pc.q_off | pc.k_off | pc.k_row | pc.v_off | pc.v_row) % 4 == 0;
    static const as_vk_pipe pipes[3][2] = {
        {AS_VK_PIPE_ATTEND_ROW, AS_VK_PIPE_ATTEND_ROW_SG},
        {AS_VK_PIPE_ATTEND_ROW_VEC4, AS_VK_PIPE_ATTEND_ROW_VEC4_SG},
        {AS_VK_PIPE_ATTEND_ROW_L64, AS_VK_PIPE_ATTEND_ROW_L64_SG}};
    as_vk_pipe pipe = pipes[vec4 ? (vk->int64 ? 2 : 1) : 0][vk->subgroups != 0];
    as_vk_dispatch_n(vk, pipe, b, 2, &pc, sizeof pc, p->H, 1, 1);
}

void as_vk_layernorm(as_kern *k, const as_op_layernorm *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    size_t n = (size_t)p->M * p->N;
    const operand in[AS_VK_BINDINGS] = {
        {p->y.buf, p->y.off, n, "y"},
        {p->x.buf, p->x.off, n, "x"},
        {p->gamma.buf, p->gamma.off, p->N, "gamma"},
        {p->beta.buf, p->beta.off, p->N, "beta"},
        {NULL, 0, 0, NULL},
    };
    as_vk_bind b[AS_VK_BINDINGS];
    uint32_t rel[AS_VK_BINDINGS];
    if (!bind(vk, "layernorm", in, b, rel))
        return;
    pc_layernorm pc = {
        .M = p->M, .N = p->N,
        .y_off = rel[0], .x_off = rel[1], .g_off = rel[2], .b_off = rel[3],
        .eps = p->eps,
    };
    uint32_t gx, gy;
    fold(vk, p->M, &gx, &gy);
    as_vk_dispatch(vk, vk->subgroups ? AS_VK_PIPE_LAYERNORM_SG : AS_VK_PIPE_LAYERNORM, b, &pc,
                   sizeof pc, gx, gy, 1);
}

void as_vk_softmax(as_kern *k, const as_op_softmax *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    size_t n = (size_t)p->rows * p->cols;
    const operand in[AS_VK_BINDINGS] = {
        {p->p.buf, p->p.off, n, "p"},
        {p->s.buf, p->s.off, n, "s"},
        {NULL, 0, 0, NULL},
        {NULL, 0, 0, NULL},
        {NULL, 0, 0, NULL},
    };
    as_vk_bind b[AS_VK_BINDINGS];
    uint32_t rel[AS_VK_BINDINGS];
    if (!bind(vk, "softmax", in, b, rel))
        return;
    pc_softmax pc = {
        .rows = p->rows, .cols = p->cols, .Tq = p->Tq,
        .causal = p->causal ? 1u : 0u, .causal_offset = p->causal_offset,
        .p_off = rel[0], .s_off = rel[1],
    };
    uint32_t gx, gy;
    fold(vk, p->rows, &gx, &gy);
    as_vk_dispatch(vk, vk->subgroups ? AS_VK_PIPE_SOFTMAX_SG : AS_VK_PIPE_SOFTMAX, b, &pc,
                   sizeof pc, gx, gy, 1);
}

/* One dispatch per window of table rows (one unless the table is bigger than a binding); each
 * writes the rows of y whose id falls in its window, so every row, positions included, is
 * written exactly once. Ids past the table (a caller bug, checked on the host) are written as
 * 0 by the last window instead of read outside the buffer. */
void as_vk_embed(as_kern *k, const as_op_embed *p)
{
    as_vk_kern *vk = (as_vk_kern *)k;
    /* rows the table buffer holds past the view's start */
    uint32_t V = (uint32_t)((p->table.buf->size / 4 - p->table.off) / p->D);
    uint32_t rows = rows_per_window(vk, p->table.buf, p->D, V);
    uint32_t gx, gy;
    fold(vk, ceil_div(p->M * p->D, as_vk_pipe_defs[AS_VK_PIPE_EMBED].wg), &gx, &gy);
    for (uint32_t r0 = 0;; r0 += rows) {
        uint32_t n = V - r0 < rows ? V - r0 : rows;
        int last = n == V - r0;
        const operand in[AS_VK_BINDINGS] = {
            {p->y.buf, p->y.off, (size_t)p->M * p->D, "y"},
            {p->ids.buf, p->ids.off, p->M, "ids"},
            {p->table.buf, p->table.off + (size_t)r0 * p->D, (size_t)n * p->D, "table"},
            {p->pos.buf, p->pos.off + (size_t)p->pos_start * p->D, (size_t)p->M * p->D, "pos"},
            {NULL, 0, 0, NULL},
        };
        as_vk_bind b[AS_VK_BINDINGS];
        uint32_t rel[AS_VK_BINDINGS];
        if (!bind(vk, "embed", in, b, rel))
            return;
        pc_embed pc = {
            .M = p->M, .D = p->D, .has_pos = p->pos.buf != NULL,
            .y_off = rel[0], .ids_off = rel[1], .table_off = rel[2], .pos_off = rel[3],
            .id_first = r0, .id_last = last ? UINT32_MAX : r0 + n - 1, .table_rows = n,
            .scale = p->scale,
        };
        as_vk_dispatch(vk, AS_VK_PIPE_EMBED, b, &pc, sizeof pc, gx, gy, 1);
        if (last)
            return;
    }
}
