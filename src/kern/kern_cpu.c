/* CPU backend: the plain-C reference of every op (what the shaders are tested against) and the
 * engine behind --device cpu. Ops run at once; begin/end only mark the recording window.
 * Products (matmul, attention scores, P.V) go through OpenBLAS's C interface (cblas), whose
 * threads split each product; M = 1 (decoding one token) takes the matrix-vector routines.
 * Without an activation, bias and residual seed the output and the product accumulates onto it;
 * with one, bias, activation and residual are a row pass after the product, as in the shaders'
 * epilogue. Those passes, layernorm and softmax split their rows over OpenMP threads (the pool
 * OpenBLAS uses too) when there are enough elements to pay for it.
 * The reductions of layernorm and softmax use double so the reference is the more accurate side
 * of any comparison with a shader. */
#include "attnscope/kern.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The backend: the common header and OpenBLAS's thread count at creation (all cores unless
 * OMP_NUM_THREADS / OPENBLAS_NUM_THREADS say otherwise). */
typedef struct cpu_kern {
    as_kern base;
    int threads;
} cpu_kern;

/* Products under this many multiply-adds run on one thread: waking and joining the pool costs
 * more than the split saves (a decoder step's 512 x 2048 matrix-vector products ran slower on
 * two threads than on one; 32-token encoder products and the 58101-row LM head run faster). */
#define PAR_MIN_MACS (4.0 * 1024 * 1024)
/* Element-wise passes (erf, exp) are split over threads from this many elements on. */
#define PAR_MIN_ELEMS (64 * 1024)

static void pick_threads(const cpu_kern *c, double macs)
{
    int want = macs >= PAR_MIN_MACS ? c->threads : 1;
    if (openblas_get_num_threads() != want)
        openblas_set_num_threads(want);
}

/* Runs head(op, h) for the H heads of an attention op. Heads too small to split (ViT's 197 x 197
 * x 64) run one per thread, several at once, when together they are worth it; otherwise one
 * after another, each product on the pool pick_threads gives it. That loop stays outside any
 * OpenMP construct: inside even an inactive parallel region OpenBLAS ran each of BERT-base's
 * heads on one thread (535 -> 715 ms a pass). */
static void for_each_head(const cpu_kern *c, double head_macs, uint32_t H,
                          void (*head)(const void *op, uint32_t h), const void *op)
{
    if (c->threads > 1 && H > 1 && head_macs < PAR_MIN_MACS && head_macs * H >= PAR_MIN_MACS) {
        pick_threads(c, 0.0);
#pragma omp parallel for num_threads(c->threads)
        for (uint32_t h = 0; h < H; h++)
            head(op, h);
        return;
    }
    pick_threads(c, head_macs);
    for (uint32_t h = 0; h < H; h++)
        head(op, h);
}

typedef struct cpu_buf {
    as_buf base;
    uint8_t *data;
} cpu_buf;

static float *fptr(as_tv v)
{
    return (float *)(void *)((cpu_buf *)v.buf)->data + v.off;
}

static const uint32_t *uptr(as_tv v)
{
    return (const uint32_t *)(void *)((cpu_buf *)v.buf)->data + v.off;
}

/* ---- buffers ------------------------------------------------------------------------------*/

static int cpu_buf_create(as_kern *k, size_t bytes, as_buf **out)
{
    cpu_buf *b = as_try_calloc(1, sizeof *b, "cpu buffer");
    if (!b)
        return AS_ENOMEM;
    /* rounded up to whole floats so a view check in elements covers every byte */
    b->data = as_try_calloc((bytes + 3) / 4, 4, "cpu buffer");
    if (!b->data) {
        free(b);
        return AS_ENOMEM;
    }
    b->base.size = bytes;
    *out = &b->base;
    return AS_OK;
}

static void cpu_buf_destroy(as_kern *k, as_buf *b)
{
    free(((cpu_buf *)b)->data);
    free(b);
}

static int cpu_buf_write(as_kern *k, as_buf *b, size_t off, const void *src, size_t n)
{
    memcpy(((cpu_buf *)b)->data + off, src, n);
    return AS_OK;
}

static int cpu_buf_read(as_kern *k, const as_buf *b, size_t off, void *dst, size_t n)
{
    memcpy(dst, ((const cpu_buf *)b)->data + off, n);
    return AS_OK;
}

static int cpu_begin(as_kern *k)
{
    return AS_OK;
}

static int cpu_end(as_kern *k)
{
    return AS_OK;
}

static void cpu_destroy(as_kern *k)
{
    free(k);
}

/* ---- activations (the shaders have their own GLSL twins) ----------------------------------*/

typedef float v4f __attribute__((vector_size(4 * sizeof(float))));

#ifdef AS_HAVE_MVEC_ERFF
/* glibc's libmvec erff on four lanes (the x86-64 baseline vector ABI; the library picks its
 * SSE4 or AVX2 code at load time). Measured 0.72 ns per value against 5.4 for scalar erff,
 * within 2 ulps of it (7.2e-8 of the exact erf on [-12, 12]); erf for GELU was ~6% of a ViT-B/16
 * pass on this backend (perf). */
v4f _ZGVbN4v_erff(v4f x);
#endif

static float act_apply(as_act act, float x)
{
    switch (act) {
    case AS_ACT_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case AS_ACT_GELU_TANH:
        return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case AS_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case AS_ACT_SILU: return x / (1.0f + expf(-x));
    }
    return x;
}

/* ---- ops ----------------------------------------------------------------------------------*/

/* y[0..M) rows of x (row stride K) times w^T (w: [N, K]) into y (row stride N), with
 * beta * y added: beta 1 accumulates onto what y holds. */
static void product(const cpu_kern *c, const float *x, const float *w, float *y, uint32_t M,
                    uint32_t N, uint32_t K, float beta)
{
    pick_threads(c, (double)M * N * K);
    if (M == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)K, 1.0f, w, (int)K, x, 1, beta, y, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)N, (int)K, 1.0f, x,
                    (int)K, w, (int)K, beta, y, (int)N);
}

/* y[0..n) = act(y), GELU four at a time where libmvec is there. */
static void act_row(as_act act, float *y, uint32_t n)
{
    uint32_t i = 0;
#ifdef AS_HAVE_MVEC_ERFF
    for (; act == AS_ACT_GELU && i + 4 <= n; i += 4) {
        v4f v;
        memcpy(&v, y + i, sizeof v);
        v = 0.5f * v * (1.0f + _ZGVbN4v_erff(v * 0.70710678118654752f));
        memcpy(y + i, &v, sizeof v);
    }
#endif
    for (; i < n; i++)
        y[i] = act_apply(act, y[i]);
}

/* y = act(y + bias) row by row (bias optional), then + res when given: what follows a product
 * with an activation (without one, bias and residual seed the product instead). */
static void epilogue(const cpu_kern *c, const as_op_matmul *p, float *y, const float *bias,
                     const float *res)
{
    /* num_threads: pick_threads may have left the pool at one thread for a small product */
#pragma omp parallel for num_threads(c->threads) if ((size_t)p->M * p->N >= PAR_MIN_ELEMS)
    for (uint32_t m = 0; m < p->M; m++) {
        float *yr = y + (size_t)m * p->N;
        if (bias)
            for (uint32_t n = 0; n < p->N; n++)
                yr[n] += bias[n];
        act_row(p->act, yr, p->N);
        if (res)
            for (uint32_t n = 0; n < p->N; n++)
                yr[n] += res[(size_t)m * p->N + n];
    }
}

/* y = res + bias (either optional; res may be y itself) before a product that accumulates
 * onto y (beta = 1): one pass over y, split over threads when big, that replaces both OpenBLAS's
 * zeroing of y (beta = 0) and a separate bias pass after it. */
static void seed(const cpu_kern *c, const as_op_matmul *p, float *y, const float *bias,
                 const float *res)
{
#pragma omp parallel for num_threads(c->threads) if ((size_t)p->M * p->N >= PAR_MIN_ELEMS)
    for (uint32_t m = 0; m < p->M; m++) {
        float *yr = y + (size_t)m * p->N;
        const float *rr = res ? res + (size_t)m * p->N : NULL;
        for (uint32_t n = 0; n < p->N; n++)
            yr[n] = (rr ? rr[n] : 0.0f) + (bias ? bias[n] : 0.0f);
    }
}

static void cpu_matmul(as_kern *k, const as_op_matmul *p)
{
    cpu_kern *c = (cpu_kern *)k;
    const float *x = fptr(p->x), *w = fptr(p->w);
    const float *bias = p->bias.buf ? fptr(p->bias) : NULL;
    const float *res = p->res.buf ? fptr(p->res) : NULL;
    float *y = fptr(p->y);
    if (p->has_act) {
        /* with an activation, res does not overlap y (kern.h) */
        product(c, x, w, y, p->M, p->N, p->K, 0.0f);
        epilogue(c, p, y, bias, res);
        return;
    }
    /* without one, residual and bias seed the product (res may alias y: each element is read
     * before it is written, by the same iteration) */
    if (bias || res)
        seed(c, p, y, bias, res);
    product(c, x, w, y, p->M, p->N, p->K, bias || res ? 1.0f : 0.0f);
}

/* Sums of x[0..n) and of (x - mean)^2 in double, four lanes at a time: one scalar double
 * accumulator is a dependency chain of an add latency per element (layernorm was ~1.5% of a
 * ViT-B/16 pass that way). Compiled for AVX2 and the baseline like the softmax row (the two give
 * the same bits); the lane totals are added in a fixed order. */
typedef double v4d __attribute__((vector_size(4 * sizeof(double))));

static inline double total(v4d a)
{
    return (a[0] + a[1]) + (a[2] + a[3]);
}

static inline v4d load4(const float *x)
{
    v4f v;
    memcpy(&v, x, sizeof v);
    return __builtin_convertvector(v, v4d);
}

__attribute__((target_clones("avx2", "default")))
static void layernorm_row(const as_op_layernorm *p, const float *x, const float *g,
                          const float *b, float *y)
{
    uint32_t N = p->N, n4 = N & ~3u;
    v4d acc = {0};
    for (uint32_t n = 0; n < n4; n += 4)
        acc += load4(x + n);
    double sum = total(acc);
    for (uint32_t n = n4; n < N; n++)
        sum += x[n];
    double mean = sum / N;
    acc = (v4d){0};
    for (uint32_t n = 0; n < n4; n += 4) {
        v4d d = load4(x + n) - mean;
        acc += d * d;
    }
    double var = total(acc);
    for (uint32_t n = n4; n < N; n++)
        var += (x[n] - mean) * (x[n] - mean);
    var /= N;
    float inv = (float)(1.0 / sqrt(var + p->eps)), fmean = (float)mean;
    for (uint32_t n = 0; n < N; n++)
        y[n] = (x[n] - fmean) * inv * g[n] + b[n];
}

static void cpu_layernorm(as_kern *k, const as_op_layernorm *p)
{
    const float *g = fptr(p->gamma), *b = fptr(p->beta);
    int threads = ((const cpu_kern *)k)->threads;
#pragma omp parallel for num_threads(threads) if ((size_t)p->M * p->N >= PAR_MIN_ELEMS)
    for (uint32_t m = 0; m < p->M; m++)
        layernorm_row(p, fptr(p->x) + (size_t)m * p->N, g, b, fptr(p->y) + (size_t)m * p->N);
}

static void cpu_embed(as_kern *k, const as_op_embed *p)
{
    const uint32_t *ids = uptr(p->ids);
    const float *table = fptr(p->table);
    const float *pos = p->pos.buf ? fptr(p->pos) : NULL;
    for (uint32_t m = 0; m < p->M; m++) {
        float *y = fptr(p->y) + (size_t)m * p->D;
        const float *e = table + (size_t)ids[m] * p->D;
        for (uint32_t d = 0; d < p->D; d++)
            y[d] = e[d] * p->scale + (pos ? pos[(size_t)(p->pos_start + m) * p->D + d] : 0.0f);
    }
}

/* Per head, S_h = scale * Q_h K_h^T: Q_h and K_h are column slices [h*dh, (h+1)*dh) of strided
 * rows, which BLAS takes as matrices with leading dimension = the row stride. */
static void scores_head(const void *op, uint32_t h)
{
    const as_op_scores *p = op;
    const float *qh = fptr(p->q) + (size_t)h * p->dh, *kh = fptr(p->k) + (size_t)h * p->dh;
    float *sh = fptr(p->s) + (size_t)h * p->Tq * p->Tk;
    if (p->Tq == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)p->Tk, (int)p->dh, p->scale, kh,
                    (int)p->k_stride, qh, 1, 0.0f, sh, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)p->Tq, (int)p->Tk, (int)p->dh,
                    p->scale, qh, (int)p->q_stride, kh, (int)p->k_stride, 0.0f, sh, (int)p->Tk);
}

static void cpu_scores(as_kern *k, const as_op_scores *p)
{
    for_each_head((const cpu_kern *)k, (double)p->Tq * p->Tk * p->dh, p->H, scores_head, p);
}

static void cpu_softmax(as_kern *k, const as_op_softmax *p)
{
    int threads = ((const cpu_kern *)k)->threads;
#pragma omp parallel for num_threads(threads) if ((size_t)p->rows * p->cols >= PAR_MIN_ELEMS)
    for (uint32_t r = 0; r < p->rows; r++) {
        const float *s = fptr(p->s) + (size_t)r * p->cols;
        float *out = fptr(p->p) + (size_t)r * p->cols;
        /* keys 0..limit-1 are visible; causal rows see up to their own position (+ offset) */
        uint32_t limit = p->cols;
        if (p->causal) {
            uint32_t q = r % p->Tq;
            uint32_t last = q + p->causal_offset + 1;
            limit = last < p->cols ? last : p->cols;
        }
        as_softmax_row(out, s, limit, p->cols);
    }
}

/* Per head, O_h = P_h V_h, V_h the column slice of the strided value rows. */
static void apply_head(const void *op, uint32_t h)
{
    const as_op_apply *p = op;
    const float *ph = fptr(p->p) + (size_t)h * p->Tq * p->Tk;
    const float *vh = fptr(p->v) + (size_t)h * p->dh;
    float *oh = fptr(p->o) + (size_t)h * p->dh;
    if (p->Tq == 1)
        cblas_sgemv(CblasRowMajor, CblasTrans, (int)p->Tk, (int)p->dh, 1.0f, vh,
                    (int)p->v_stride, ph, 1, 0.0f, oh, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)p->Tq, (int)p->dh,
                    (int)p->Tk, 1.0f, ph, (int)p->Tk, vh, (int)p->v_stride, 0.0f, oh,
                    (int)p->o_stride);
}

static void cpu_apply(as_kern *k, const as_op_apply *p)
{
    for_each_head((const cpu_kern *)k, (double)p->Tq * p->Tk * p->dh, p->H, apply_head, p);
}

/* The twin of the fused shader is the three ops above for one query row: the probabilities,
 * and so everything after them, are bit for bit those of the unfused path. */
static void cpu_attend_row(as_kern *k, const as_op_attend_row *p)
{
    uint32_t width = p->H * p->dh;
    as_op_scores s = {.s = p->p, .q = p->q, .k = p->k, .H = p->H, .Tq = 1, .Tk = p->Tk,
                      .dh = p->dh, .q_stride = width, .k_stride = p->k_stride,
                      .scale = p->scale};
    as_op_softmax sm = {.p = p->p, .s = p->p, .rows = p->H, .cols = p->Tk, .Tq = 1};
    as_op_apply a = {.o = p->o, .p = p->p, .v = p->v, .H = p->H, .Tq = 1, .Tk = p->Tk,
                     .dh = p->dh, .o_stride = width, .v_stride = p->v_stride};
    cpu_scores(k, &s);
    cpu_softmax(k, &sm);
    cpu_apply(k, &a);
}

static const as_kern_vtbl cpu_vtbl = {
    .destroy = cpu_destroy,
    .buf_create = cpu_buf_create,
    .buf_destroy = cpu_buf_destroy,
    .buf_write = cpu_buf_write,
    .buf_read = cpu_buf_read,
    .begin = cpu_begin,
    .end = cpu_end,
    .matmul = cpu_matmul,
    .layernorm = cpu_layernorm,
    .embed = cpu_embed,
    .scores = cpu_scores,
    .softmax = cpu_softmax,
    .apply = cpu_apply,
    .attend_row = cpu_attend_row,
};

int as_kern_create_cpu(as_kern **out)
{
    cpu_kern *c = as_xcalloc(1, sizeof *c);
    c->base.vt = &cpu_vtbl;
    c->threads = openblas_get_num_threads();
    strcpy(c->base.name, "cpu");
    *out = &c->base;
    return AS_OK;
}
