/* kern: the compute operations a transformer forward pass needs, behind one interface with two
 * backends: "cpu" (plain C, the reference every shader is tested against, and --device cpu) and
 * "vulkan" (GLSL compute shaders, src/vk/). A forward pass is written once against this API.
 *
 * Buffers are untyped byte arrays owned by the backend. Ops take element offsets into them
 * (as_tv = buffer + float/uint element offset) so that KV caches, per-layer attention captures
 * and last-row views need no copies. Ops are recorded between as_kern_begin and as_kern_end
 * (Vulkan: one command buffer, one submit, barriers between dependent ops; CPU: run at once).
 * Reads/writes of buffer contents from the host happen only outside begin/end.
 *
 * All matrices are row-major. Layer 3: uses vk (Vulkan backend) and core. */
#ifndef ATTNSCOPE_KERN_H
#define ATTNSCOPE_KERN_H

#include "attnscope/cfg.h"
#include "attnscope/core.h"

#include <stddef.h>
#include <stdint.h>

typedef struct as_kern as_kern;
typedef struct as_buf as_buf;

/* A view: buffer + offset in 4-byte elements. buf NULL means "absent" for optional operands. */
typedef struct as_tv {
    as_buf *buf;
    size_t off;
} as_tv;

static inline as_tv as_tv_at(as_buf *b, size_t off)
{
    as_tv v = {b, off};
    return v;
}

/* ---- parameter blocks (one per op; fields in elements) ---- */

/* y[m][n] = act(sum_k x[m][k] * w[n][k] + bias[n]) + res[m][n]
 * x: [M, K] row stride K; w: [N, K] (PyTorch Linear layout); bias [N] optional; res optional
 * [M, N] (may alias y when has_act is 0; with an activation it must not overlap y: the shaders
 * add it after storing the pre-activation block); y: [M, N] row stride N. has_act=0 means
 * identity. */
typedef struct as_op_matmul {
    as_tv y, x, w, bias, res;
    uint32_t M, N, K;
    int has_act;
    as_act act;
} as_op_matmul;

/* Row-wise LayerNorm: y[m] = (x[m] - mean) / sqrt(var + eps) * gamma + beta; x, y: [M, N];
 * y may alias x. var is the biased variance (as torch.nn.LayerNorm). */
typedef struct as_op_layernorm {
    as_tv y, x, gamma, beta;
    uint32_t M, N;
    float eps;
} as_op_layernorm;

/* Embedding gather: y[m][:] = table[ids[m]][:] * scale + pos[pos_start + m][:] (pos optional)
 * ids: uint32 elements. table: [V, D]. Ids >= V are a caller bug (checked on the host). */
typedef struct as_op_embed {
    as_tv y, ids, table, pos;
    uint32_t M, D, pos_start;
    float scale;
} as_op_embed;

/* Attention scores: s[h][q][k] = scale * sum_d Q[q*q_stride + h*dh + d] * K[k*k_stride + h*dh + d]
 * s: [H, Tq, Tk] contiguous. */
typedef struct as_op_scores {
    as_tv s, q, k;
    uint32_t H, Tq, Tk, dh, q_stride, k_stride;
    float scale;
} as_op_scores;

/* Row softmax over the last axis of [rows, cols] (rows = H*Tq): p = softmax(s). With causal set,
 * row r's query index is q = r % Tq and keys k > q + causal_offset get probability exactly 0.
 * p may alias s. */
typedef struct as_op_softmax {
    as_tv p, s;
    uint32_t rows, cols, Tq, causal, causal_offset;
} as_op_softmax;

/* Attention output: o[q*o_stride + h*dh + d] = sum_k p[h][q][k] * V[k*v_stride + h*dh + d]
 * p: [H, Tq, Tk] contiguous. */
typedef struct as_op_apply {
    as_tv o, p, v;
    uint32_t H, Tq, Tk, dh, o_stride, v_stride;
} as_op_apply;

/* One query row of attention (decoding: Tq = 1, every key visible), i.e. scores, softmax and
 * apply of one row in one op. For each head h:
 *   p[h*Tk + k] = softmax_k(scale * sum_d q[h*dh + d] * K[k*k_stride + h*dh + d])
 *   o[h*dh + d] = sum_k p[h*Tk + k] * V[k*v_stride + h*dh + d]
 * p: [H, 1, Tk] (where as_op_softmax would write it: the probabilities are captured); q and o:
 * one row of H*dh. The outputs o and p overlap neither each other nor q, k, v. */
typedef struct as_op_attend_row {
    as_tv o, p, q, k, v;
    uint32_t H, Tk, dh, k_stride, v_stride;
    float scale;
} as_op_attend_row;

/* ---- backend lifetime ---- */

/* CPU reference backend. */
int as_kern_create_cpu(as_kern **out);
/* Vulkan backend on a device chosen by `device` ("" or NULL: AS_DEVICE env, else automatic;
 * "N": index; otherwise a case-insensitive substring of the device name). AS_ENODEV with a
 * message when no Vulkan device is usable, the Vulkan loader (libvulkan.so.1, opened at run
 * time) and drivers included. */
int as_kern_create_vulkan(as_kern **out, const char *device);
/* Dispatches on device: "cpu" -> CPU backend, anything else -> Vulkan. */
int as_kern_create(as_kern **out, const char *device);
void as_kern_destroy(as_kern *k);
/* Human-readable backend/device name ("cpu", "llvmpipe (LLVM 15.0.6, 256 bits)", ...). */
const char *as_kern_name(const as_kern *k);

/* ---- buffers ---- */
int as_buf_create(as_kern *k, size_t bytes, as_buf **out);
void as_buf_destroy(as_kern *k, as_buf *b);
size_t as_buf_size(const as_buf *b);
int as_buf_write(as_kern *k, as_buf *b, size_t off_bytes, const void *src, size_t bytes);
int as_buf_read(as_kern *k, const as_buf *b, size_t off_bytes, void *dst, size_t bytes);

/* ---- recording ---- */
int as_kern_begin(as_kern *k);
/* Submits what was recorded and waits. Errors (device lost, ...) are reported here. */
int as_kern_end(as_kern *k);

void as_kern_matmul(as_kern *k, const as_op_matmul *p);
void as_kern_layernorm(as_kern *k, const as_op_layernorm *p);
void as_kern_embed(as_kern *k, const as_op_embed *p);
void as_kern_scores(as_kern *k, const as_op_scores *p);
void as_kern_softmax(as_kern *k, const as_op_softmax *p);
void as_kern_apply(as_kern *k, const as_op_apply *p);
void as_kern_attend_row(as_kern *k, const as_op_attend_row *p);

/* Counters since creation (for benchmarks): recorded ops and submits. */
typedef struct as_kern_stats {
    uint64_t dispatches, submits;
} as_kern_stats;
as_kern_stats as_kern_get_stats(const as_kern *k);

/* ---- backend implementation interface (for kern_cpu.c and vk/) ---- */
typedef struct as_kern_vtbl {
    void (*destroy)(as_kern *k);
    int (*buf_create)(as_kern *k, size_t bytes, as_buf **out);
    void (*buf_destroy)(as_kern *k, as_buf *b);
    int (*buf_write)(as_kern *k, as_buf *b, size_t off, const void *src, size_t n);
    int (*buf_read)(as_kern *k, const as_buf *b, size_t off, void *dst, size_t n);
    int (*begin)(as_kern *k);
    int (*end)(as_kern *k);
    void (*matmul)(as_kern *k, const as_op_matmul *p);
    void (*layernorm)(as_kern *k, const as_op_layernorm *p);
    void (*embed)(as_kern *k, const as_op_embed *p);
    void (*scores)(as_kern *k, const as_op_scores *p);
    void (*softmax)(as_kern *k, const as_op_softmax *p);
    void (*apply)(as_kern *k, const as_op_apply *p);
    void (*attend_row)(as_kern *k, const as_op_attend_row *p);
} as_kern_vtbl;

/* Every backend struct starts with this header. */
struct as_kern {
    const as_kern_vtbl *vt;
    char name[256];
    as_kern_stats stats;
    int recording;
    int error; /* first error met while recording, returned by as_kern_end */
};

/* Every backend's buffer struct starts with this header. */
struct as_buf {
    size_t size;
};

#endif
