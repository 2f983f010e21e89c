/* Maps kept as queries and keys: a head's probabilities are recomputed when asked for,
 * softmax(scale * Q_h K_h^T) row by row, exactly the forward pass's scores and softmax ops
 * (OpenBLAS product, float max, double sum), and kept in a small LRU cache so that redrawing the
 * same head costs nothing. */
#include "attn_internal.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

struct as_attn_cache {
    float *slot[AS_ATTN_QK_SLOTS]; /* [q, k] each */
    int layer[AS_ATTN_QK_SLOTS];   /* -1: empty */
    int head[AS_ATTN_QK_SLOTS];
    unsigned long long used[AS_ATTN_QK_SLOTS]; /* tick of the last request; 0: never */
    unsigned long long tick;
};

/* Elements of as_attn_head_mean's row blocks: few enough products that waking OpenBLAS's thread
 * pool stays cheap (2^20-element blocks made a 4,096-token layer's mean 2.8 s against 1.6 s
 * here, its 12 heads one by one 1.3 s), and a bounded scratch whatever the input: at most 48 MB
 * (the block's floats and doubles). */
#define MEAN_BLOCK_ELEMS (1 << 22)

void as_attn_qk_destroy(as_attn_qk *qk)
{
    if (!qk)
        return;
    free(qk->q);
    free(qk->k);
    if (qk->cache)
        for (int i = 0; i < AS_ATTN_QK_SLOTS; i++)
            free(qk->cache->slot[i]);
    free(qk->cache);
    free(qk->full);
    free(qk);
}

int as_attn_alloc_qk(as_attn *a, as_attn_kind kind, int layers, int heads, int q, int k, int dh,
                     float scale)
{
    AS_ASSERT(kind < AS_ATTN_KINDS && layers > 0 && heads > 0 && q > 0 && k > 0 && dh > 0);
    as_attn_map *m = &a->map[kind];
    free(m->p);
    as_attn_qk_destroy(m->qk);
    memset(m, 0, sizeof *m);
    size_t width, nq, nk, per_head;
    if (as_mul_size((size_t)heads, (size_t)dh, &width) ||
        as_mul_size((size_t)layers * q, width, &nq) ||
        as_mul_size((size_t)layers * k, width, &nk) ||
        as_mul_size((size_t)q, (size_t)k, &per_head))
        return as_fail(AS_ENOMEM, "attention store: %s Q/K of %d layers x %d heads x %d x %d "
                                  "overflows", as_attn_kind_name(kind), layers, heads, q, k);
    as_attn_qk *qk = as_xcalloc(1, sizeof *qk);
    qk->dh = dh;
    qk->scale = scale;
    qk->cache = as_xcalloc(1, sizeof *qk->cache);
    int ok = (qk->q = as_try_calloc(nq, sizeof(float), "attention store (queries)")) &&
             (qk->k = as_try_calloc(nk, sizeof(float), "attention store (keys)"));
    for (int i = 0; ok && i < AS_ATTN_QK_SLOTS; i++) {
        qk->cache->layer[i] = -1;
        ok = (qk->cache->slot[i] = as_try_calloc(per_head, sizeof(float),
                                                  "attention store (head cache)")) != NULL;
    }
    if (!ok) {
        as_attn_qk_destroy(qk);
        return AS_ENOMEM;
    }
    m->qk = qk;
    m->layers = layers;
    m->heads = heads;
    m->q = q;
    m->k = k;
    return AS_OK;
}

/* Probabilities of query rows [r0, r0 + rows) of (layer, head) into out [rows, k]. Q_h and K_h
 * are column slices of the stored rows, which BLAS takes with leading dimension heads * dh. */
static void head_rows(const as_attn_map *m, int layer, int head, int r0, int rows, float *out)
{
    const as_attn_qk *qk = m->qk;
    int w = m->heads * qk->dh;
    const float *q = qk->q + ((size_t)layer * m->q + r0) * w + (size_t)head * qk->dh;
    const float *k = qk->k + (size_t)layer * m->k * w + (size_t)head * qk->dh;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, m->k, qk->dh, qk->scale, q, w, k,
                w, 0.0f, out, m->k);
    /* the forward pass's own row softmax (kern_cpu.c), so both give the same probabilities */
    for (int r = 0; r < rows; r++)
        as_softmax_row(out + (size_t)r * m->k, out + (size_t)r * m->k, (uint32_t)m->k,
                       (uint32_t)m->k);
}

float *as_attn_qk_head(const as_attn_map *m, int layer, int head)
{
    as_attn_qk *qk = m->qk;
    if (qk->full)
        return qk->full + ((size_t)layer * m->heads + head) * m->q * m->k;
    as_attn_cache *c = qk->cache;
    int victim = 0;
    for (int i = 0; i < AS_ATTN_QK_SLOTS; i++) {
        if (c->layer[i] == layer && c->head[i] == head) {
            c->used[i] = ++c->tick;
            return c->slot[i];
        }
        if (c->used[i] < c->used[victim])
            victim = i;
    }
    head_rows(m, layer, head, 0, m->q, c->slot[victim]);
    c->layer[victim] = layer;
    c->head[victim] = head;
    c->used[victim] = ++c->tick;
    return c->slot[victim];
}

void as_attn_qk_mean(const as_attn_map *m, int layer, float *out)
{
    int block = MEAN_BLOCK_ELEMS / m->k > 0 ? MEAN_BLOCK_ELEMS / m->k : 1;
    block = block < m->q ? block : m->q;
    float *p = as_xmalloc(sizeof(float) * (size_t)block * m->k);
    double *acc = as_xmalloc(sizeof(double) * (size_t)block * m->k);
    for (int r0 = 0; r0 < m->q; r0 += block) {
        int rows = m->q - r0 < block ? m->q - r0 : block;
        size_t n = (size_t)rows * m->k;
        memset(acc, 0, sizeof(double) * n);
        for (int h = 0; h < m->heads; h++) {
            head_rows(m, layer, h, r0, rows, p);
            for (size_t i = 0; i < n; i++)
                acc[i] += p[i];
        }
        for (size_t i = 0; i < n; i++)
            out[(size_t)r0 * m->k + i] = (float)(acc[i] / m->heads);
    }
    free(p);
    free(acc);
}

int as_attn_full(const as_attn *a, as_attn_kind kind, const float **out)
{
    const as_attn_map *m = &a->map[kind];
    *out = m->p;
    if (m->p || !m->qk)
        return AS_OK;
    as_attn_qk *qk = m->qk;
    if (!qk->full) {
        size_t per_head = (size_t)m->q * m->k, n;
        if (as_mul_size((size_t)m->layers * m->heads, per_head, &n))
            return as_fail(AS_ENOMEM, "attention store: %s map too large to materialise",
                           as_attn_kind_name(kind));
        float *full = as_try_calloc(n, sizeof(float), "attention store (all probabilities of a "
                                                       "Q/K map)");
        if (!full)
            return AS_ENOMEM;
        for (int l = 0; l < m->layers; l++)
            for (int h = 0; h < m->heads; h++)
                head_rows(m, l, h, 0, m->q, full + ((size_t)l * m->heads + h) * per_head);
        qk->full = full;
    }
    *out = qk->full;
    return AS_OK;
}
