/* CPU backend: the plain-C reference of every op (what the shaders are tested against) and the
 * engine behind --device cpu. Ops run at once; begin/end only mark the recording window.
 * Accumulation is in float like the shaders, except the reductions of layernorm and softmax,
 * which use double so the reference is the more accurate side of any comparison. */
#include "attnscope/kern.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static void cpu_matmul(as_kern *k, const as_op_matmul *p)
{
    const float *x = fptr(p->x), *w = fptr(p->w);
    const float *bias = p->bias.buf ? fptr(p->bias) : NULL;
    const float *res = p->res.buf ? fptr(p->res) : NULL;
    float *y = fptr(p->y);
    for (uint32_t m = 0; m < p->M; m++) {
        const float *xr = x + (size_t)m * p->K;
        for (uint32_t n = 0; n < p->N; n++) {
            const float *wr = w + (size_t)n * p->K;
            float acc = 0.0f;
            for (uint32_t kk = 0; kk < p->K; kk++)
                acc += xr[kk] * wr[kk];
            if (bias)
                acc += bias[n];
            if (p->has_act)
                acc = act_apply(p->act, acc);
            if (res)
                acc += res[(size_t)m * p->N + n];
            y[(size_t)m * p->N + n] = acc;
        }
    }
}

static void cpu_layernorm(as_kern *k, const as_op_layernorm *p)
{
    const float *g = fptr(p->gamma), *b = fptr(p->beta);
    for (uint32_t m = 0; m < p->M; m++) {
        const float *x = fptr(p->x) + (size_t)m * p->N;
        float *y = fptr(p->y) + (size_t)m * p->N;
        double mean = 0.0, var = 0.0;
        for (uint32_t n = 0; n < p->N; n++)
            mean += x[n];
        mean /= p->N;
        for (uint32_t n = 0; n < p->N; n++)
            var += (x[n] - mean) * (x[n] - mean);
        var /= p->N;
        float inv = (float)(1.0 / sqrt(var + p->eps));
        for (uint32_t n = 0; n < p->N; n++)
            y[n] = (float)(x[n] - mean) * inv * g[n] + b[n];
    }
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

static void cpu_scores(as_kern *k, const as_op_scores *p)
{
    const float *q = fptr(p->q), *kk = fptr(p->k);
    float *s = fptr(p->s);
    for (uint32_t h = 0; h < p->H; h++)
        for (uint32_t i = 0; i < p->Tq; i++)
            for (uint32_t j = 0; j < p->Tk; j++) {
                const float *qr = q + (size_t)i * p->q_stride + (size_t)h * p->dh;
                const float *kr = kk + (size_t)j * p->k_stride + (size_t)h * p->dh;
                float acc = 0.0f;
                for (uint32_t d = 0; d < p->dh; d++)
                    acc += qr[d] * kr[d];
                s[((size_t)h * p->Tq + i) * p->Tk + j] = acc * p->scale;
            }
}

static void cpu_softmax(as_kern *k, const as_op_softmax *p)
{
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
        float mx = -INFINITY;
        for (uint32_t c = 0; c < limit; c++)
            mx = s[c] > mx ? s[c] : mx;
        double sum = 0.0;
        for (uint32_t c = 0; c < limit; c++) {
            float e = expf(s[c] - mx);
            out[c] = e;
            sum += e;
        }
        float inv = (float)(1.0 / sum);
        for (uint32_t c = 0; c < limit; c++)
            out[c] *= inv;
        for (uint32_t c = limit; c < p->cols; c++)
            out[c] = 0.0f;
    }
}

static void cpu_apply(as_kern *k, const as_op_apply *p)
{
    const float *pr = fptr(p->p), *v = fptr(p->v);
    float *o = fptr(p->o);
    for (uint32_t h = 0; h < p->H; h++)
        for (uint32_t i = 0; i < p->Tq; i++) {
            float *orow = o + (size_t)i * p->o_stride + (size_t)h * p->dh;
            const float *prow = pr + ((size_t)h * p->Tq + i) * p->Tk;
            for (uint32_t d = 0; d < p->dh; d++) {
                float acc = 0.0f;
                for (uint32_t j = 0; j < p->Tk; j++)
                    acc += prow[j] * v[(size_t)j * p->v_stride + (size_t)h * p->dh + d];
                orow[d] = acc;
            }
        }
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
};

int as_kern_create_cpu(as_kern **out)
{
    as_kern *k = as_xcalloc(1, sizeof *k);
    k->vt = &cpu_vtbl;
    strcpy(k->name, "cpu");
    *out = k;
    return AS_OK;
}
