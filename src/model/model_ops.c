/* Recorded building blocks shared by every family: Linear, LayerNorm, multi-head attention with
 * captured probabilities, and host read-back. Written once against kern.h. */
#include "model_internal.h"

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

void as_model_attention(as_kern *k, const as_mha *g, as_tv o, as_tv q, uint32_t q_stride,
                        as_tv kk, as_tv v, uint32_t kv_stride, uint32_t Tq, uint32_t Tk, as_tv cap,
                        int causal)
{
    as_op_scores s = {.s = cap, .q = q, .k = kk, .H = g->H, .Tq = Tq, .Tk = Tk, .dh = g->dh,
                      .q_stride = q_stride, .k_stride = kv_stride, .scale = g->scale};
    as_kern_scores(k, &s);
    as_op_softmax sm = {.p = cap, .s = cap, .rows = g->H * Tq, .cols = Tk, .Tq = Tq,
                        .causal = causal ? 1u : 0u, .causal_offset = 0};
    as_kern_softmax(k, &sm);
    as_op_apply a = {.o = o, .p = cap, .v = v, .H = g->H, .Tq = Tq, .Tk = Tk, .dh = g->dh,
                     .o_stride = g->H * g->dh, .v_stride = kv_stride};
    as_kern_apply(k, &a);
}

int as_model_read(as_kern *k, const as_buf *b, size_t off, float *dst, size_t n)
{
    return as_buf_read(k, b, off * sizeof(float), dst, n * sizeof(float));
}
