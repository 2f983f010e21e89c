/* Recorded building blocks shared by every family: Linear, LayerNorm, multi-head attention with
 * captured probabilities, and host read-back. Written once against kern.h. */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

void as_model_linear(as_kern *k, as_tv y, as_tv x, const as_lin *l, uint32_t M, uint32_t N,
                     uint32_t K, as_tv res)
{
    as_op_matmul p = {.y = y, .x = x, .w = as_tv_at(l->w, 0), .bias = as_tv_at(l->b, 0),
                      .res = res, .M = M, .N = N, .K = K};
    as_kern_matmul(k, &p);
}

void as_model_linear_act(as_kern *k, as_tv y, as_tv x, const as_lin *l, uint32_t M, uint32_t N,
                         uint32_t K, as_act act)
{
    as_op_matmul p = {.y = y, .x = x, .w = as_tv_at(l->w, 0), .bias = as_tv_at(l->b, 0),
                      .M = M, .N = N, .K = K, .has_act = 1, .act = act};
    as_kern_matmul(k, &p);
}

void as_model_norm(as_kern *k, as_tv y, as_tv x, const as_norm *n, uint32_t M, uint32_t N,
                   float eps)
{
    as_op_layernorm p = {.y = y, .x = x, .gamma = as_tv_at(n->g, 0), .beta = as_tv_at(n->b, 0),
                         .M = M, .N = N, .eps = eps};
    as_kern_layernorm(k, &p);
}

/* softmax(scale q k^T [causal]) v with probabilities in cap [H, Tq, Tk]. One query row with
 * every key visible (a decoding step; causal masking would hide all keys but the first) is one
 * fused op instead of three: that is most of a decoded token's dispatches. */
static void attend(as_kern *k, const as_mha *g, as_tv o, as_tv q, uint32_t q_stride, as_tv kk,
                   uint32_t k_stride, as_tv v, uint32_t v_stride, uint32_t Tq, uint32_t Tk,
                   as_tv cap, int causal)
{
    if (Tq == 1 && !causal) {
        as_op_attend_row r = {.o = o, .p = cap, .q = q, .k = kk, .v = v, .H = g->H, .Tk = Tk,
                              .dh = g->dh, .k_stride = k_stride, .v_stride = v_stride,
                              .scale = g->scale};
        as_kern_attend_row(k, &r);
        return;
    }
    as_op_scores s = {.s = cap, .q = q, .k = kk, .H = g->H, .Tq = Tq, .Tk = Tk, .dh = g->dh,
                      .q_stride = q_stride, .k_stride = k_stride, .scale = g->scale};
    as_kern_scores(k, &s);
    as_op_softmax sm = {.p = cap, .s = cap, .rows = g->H * Tq, .cols = Tk, .Tq = Tq,
                        .causal = causal ? 1u : 0u, .causal_offset = 0};
    as_kern_softmax(k, &sm);
    as_op_apply a = {.o = o, .p = cap, .v = v, .H = g->H, .Tq = Tq, .Tk = Tk, .dh = g->dh,
                     .o_stride = g->H * g->dh, .v_stride = v_stride};
    as_kern_apply(k, &a);
}

void as_model_attention(as_kern *k, const as_mha *g, as_tv o, as_tv q, uint32_t q_stride,
                        as_tv kk, as_tv v, uint32_t kv_stride, uint32_t Tq, uint32_t Tk, as_tv cap,
                        int causal)
{
    attend(k, g, o, q, q_stride, kk, kv_stride, v, kv_stride, Tq, Tk, cap, causal);
}

void as_model_attention_chunked(as_kern *k, const as_mha *g, as_tv o, as_tv q, uint32_t q_stride,
                                as_tv kk, uint32_t k_stride, as_tv v, uint32_t v_stride,
                                uint32_t Tq, uint32_t Tk, as_tv scratch, uint32_t chunk)
{
    for (uint32_t r0 = 0; r0 < Tq; r0 += chunk) {
        uint32_t rows = Tq - r0 < chunk ? Tq - r0 : chunk;
        as_tv oc = as_tv_at(o.buf, o.off + (size_t)r0 * g->H * g->dh);
        as_tv qc = as_tv_at(q.buf, q.off + (size_t)r0 * q_stride);
        attend(k, g, oc, qc, q_stride, kk, k_stride, v, v_stride, rows, Tk, scratch, 0);
    }
}

uint32_t as_model_chunk_rows(uint32_t H, uint32_t Tq, uint32_t Tk)
{
    size_t per_row = (size_t)H * Tk * sizeof(float);
    size_t rows = ((size_t)1 << 27) / per_row;
    const char *env = getenv("AS_ATTN_CHUNK_ROWS");
    if (env && atoi(env) > 0 && (size_t)atoi(env) < rows)
        rows = (size_t)atoi(env);
    if (rows < 1)
        rows = 1;
    return rows < Tq ? (uint32_t)rows : Tq;
}

int as_model_read(as_kern *k, const as_buf *b, size_t off, float *dst, size_t n)
{
    return as_buf_read(k, b, off * sizeof(float), dst, n * sizeof(float));
}

/* ---- reading a run back into the store ---------------------------------------------------*/

size_t as_model_causal_off(const as_model_causal *c, uint32_t t)
{
    size_t T0 = c->T0;
    AS_ASSERT(T0 > 0 && (t == 0 || t >= T0));
    if (t == 0)
        return 0;
    /* the first pass [H, T0, T0], then blocks [H, s + 1] for s = T0 .. t-1 */
    size_t steps = ((size_t)t * (t + 1) - T0 * (T0 + 1)) / 2;
    return c->H * (T0 * T0 + steps);
}

int as_model_read_causal(as_kern *k, const as_buf *cap, const as_model_causal *c, int layers,
                         int T, as_attn_kind kind, as_attn *out)
{
    uint32_t H = c->H, T0 = c->T0;
    AS_ASSERT(T >= (int)T0 && T <= (int)c->Tmax);
    int rc = as_attn_alloc_map(out, kind, layers, (int)H, T, T);
    size_t stride = as_model_causal_off(c, c->Tmax), used = as_model_causal_off(c, (uint32_t)T);
    float *host = rc == AS_OK ? as_try_calloc(used, sizeof(float), "attention store") : NULL;
    if (rc == AS_OK && !host)
        rc = AS_ENOMEM;
    for (int l = 0; rc == AS_OK && l < layers; l++) {
        rc = as_model_read(k, cap, (size_t)l * stride, host, used);
        for (uint32_t h = 0; rc == AS_OK && h < H; h++) {
            float *dst = as_attn_head(out, kind, l, (int)h);
            /* row i keeps its i + 1 unmasked keys; the store's zeroes are the masked rest */
            for (uint32_t i = 0; i < (uint32_t)T; i++) {
                const float *src = i < T0 ? host + ((size_t)h * T0 + i) * T0
                                          : host + as_model_causal_off(c, i) + (size_t)h * (i + 1);
                memcpy(dst + (size_t)i * T, src, sizeof(float) * (i + 1));
            }
        }
    }
    free(host);
    return rc;
}

int as_model_read_hidden(as_kern *k, const as_buf *hid, int states, int rows, int Tmax, int D,
                         as_attn_axis axis, as_attn *out)
{
    int rc = as_attn_alloc_hidden(out, axis, states, rows, D);
    size_t n = (size_t)rows * D;
    for (int s = 0; rc == AS_OK && s < states; s++)
        rc = as_model_read(k, hid, (size_t)s * Tmax * D, out->hidden[axis].h + s * n, n);
    return rc;
}

int as_model_read_logits(as_kern *k, const as_buf *logits, int rows, int V, as_attn *out)
{
    out->logits = as_try_calloc((size_t)rows * V, sizeof(float), "logits");
    if (!out->logits)
        return AS_ENOMEM;
    out->logits_rows = rows;
    out->logits_cols = V;
    return as_model_read(k, logits, 0, out->logits, (size_t)rows * V);
}
