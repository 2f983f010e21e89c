/* Private to src/model: the model object, the family table, and weight-upload helpers. */
#ifndef ATTNSCOPE_MODEL_INTERNAL_H
#define ATTNSCOPE_MODEL_INTERNAL_H

#include "attnscope/model.h"
#include "attnscope/ckpt.h"

/* One model family (cf. nvtop's struct gpu_vendor): chosen by config.json model_type. */
typedef struct as_arch {
    const char *name;
    int image; /* 1: the input is opts->image (no tokenizer); run gets in == NULL */
    int qk;    /* 1: run honours opts->store == AS_STORE_QK (keeps Q/K, not probabilities) */
    /* Uploads the weights from m->ck onto m->k into m->family. */
    int (*load)(as_model *m);
    void (*unload)(as_model *m);
    /* Runs the (validated: ids inside the vocabulary) input on the loaded model and fills out
     * (already initialised, axes unset). */
    int (*run)(as_model *m, const as_model_ids *in, const as_run_opts *opts, as_attn *out);
} as_arch;

struct as_model {
    char *dir;
    as_cfg cfg;
    as_kern *k;    /* borrowed */
    as_tok *tok;   /* owned */
    as_ckpt *ck;   /* owned; closed after upload (weights live on the backend) */
    const as_arch *arch;
    void *family; /* the family's weights and state */
    as_model_info info;
};

extern const as_arch as_arch_marian;
extern const as_arch as_arch_bart;
extern const as_arch as_arch_mbart;
extern const as_arch as_arch_bert;
extern const as_arch as_arch_roberta;
extern const as_arch as_arch_gpt2;
extern const as_arch as_arch_vit;

/* A Linear layer (PyTorch layout: weight [out, in], bias [out]) and a LayerNorm on the backend. */
typedef struct as_lin {
    as_buf *w, *b;
} as_lin;
typedef struct as_norm {
    as_buf *g, *b;
} as_norm;

/* Uploads tensor `name` from m->ck, checking its shape; errors name the file and tensor. */
int as_model_upload(as_model *m, const char *name, int ndim, const int64_t *shape, as_buf **out);
/* Uploads host floats. */
int as_model_upload_host(as_model *m, const float *data, size_t n, as_buf **out);
/* "<prefix>.weight" [out, in] and "<prefix>.bias" [out]. */
int as_model_upload_lin(as_model *m, const char *prefix, int out_dim, int in_dim, as_lin *l);
/* Several Linear layers with the same input fused along the output axis (q, k, v -> one
 * [sum(out), in] matmul: fewer dispatches, and the fused output doubles as the KV cache). */
int as_model_upload_lin_fused(as_model *m, const char *const *prefixes, int n, int out_dim,
                              int in_dim, as_lin *l);
/* A Conv1D layer (GPT-2: "<prefix>.weight" stored [in, out], y = x W + b), transposed on the host
 * into the Linear layout [out, in] the matmul op takes. */
int as_model_upload_conv1d(as_model *m, const char *prefix, int in_dim, int out_dim, as_lin *l);
int as_model_upload_norm(as_model *m, const char *prefix, int dim, as_norm *l);
void as_model_free_lin(as_model *m, as_lin *l);
void as_model_free_norm(as_model *m, as_norm *l);
/* The weights of one self-attention + feed-forward layer, the same six in every family (each
 * family's layer type says which checkpoint tensor is which): the fused q|k|v projection, the
 * attention output, the two feed-forward Linears, and the LayerNorms that go with attention
 * (ln1) and with the feed-forward (ln2), before or after them as the family does it. */
typedef struct as_block {
    as_lin qkv, out, fc1, fc2;
    as_norm ln1, ln2;
} as_block;
void as_model_free_block(as_model *m, as_block *b);
/* Fills a store axis from token ids: pieces from the tokenizer, readable labels. */
void as_model_set_axis(const as_model *m, as_attn *a, as_attn_axis axis, const int32_t *ids, int n);
/* Backend buffer of n floats (AS_ENOMEM with a message naming what). */
int as_model_buf(as_model *m, size_t n_floats, const char *what, as_buf **out);
/* 1 if the weights hold tensor `name` (checkpoint layouts differ: ViTModel vs "vit." prefix). */
int as_model_has(const as_model *m, const char *name);
/* Size of dimension d of tensor `name`, or 0 if absent or d is out of range. */
int as_model_dim(const as_model *m, const char *name, int d);

/* ---- recorded blocks (model_ops.c) ---- */

/* Multi-head attention geometry: H heads of dh, scores scaled by `scale` (dh^-0.5). */
typedef struct as_mha {
    uint32_t H, dh;
    float scale;
} as_mha;

/* y = x W^T + b (+ res) over M rows; res may alias y. */
void as_model_linear(as_kern *k, as_tv y, as_tv x, const as_lin *l, uint32_t M, uint32_t N,
                     uint32_t K, as_tv res);
/* y = act(x W^T + b). */
void as_model_linear_act(as_kern *k, as_tv y, as_tv x, const as_lin *l, uint32_t M, uint32_t N,
                         uint32_t K, as_act act);
void as_model_norm(as_kern *k, as_tv y, as_tv x, const as_norm *n, uint32_t M, uint32_t N,
                   float eps);
/* softmax(scale q k^T [causal]) v for Tq queries against Tk keys: probabilities land in cap
 * [H, Tq, Tk] (kept), the output in o [Tq, H*dh]. q/k/v are strided row views (fused
 * projections): row i of q starts at q + i*q_stride, head h at + h*dh. */
void as_model_attention(as_kern *k, const as_mha *g, as_tv o, as_tv q, uint32_t q_stride,
                        as_tv kk, as_tv v, uint32_t kv_stride, uint32_t Tq, uint32_t Tk, as_tv cap,
                        int causal);
/* The same attention for non-causal Q/K-form runs, Tq queries at a time in chunks of `chunk`
 * rows: the probabilities of each chunk land in scratch [H, chunk, Tk] (reused, not kept), so no
 * dispatch binds more than the scratch; k and v may have different row strides. */
void as_model_attention_chunked(as_kern *k, const as_mha *g, as_tv o, as_tv q, uint32_t q_stride,
                                as_tv kk, uint32_t k_stride, as_tv v, uint32_t v_stride,
                                uint32_t Tq, uint32_t Tk, as_tv scratch, uint32_t chunk);
/* Query rows per chunk of as_model_attention_chunked: as many as keep H x rows x Tk floats within
 * 2^27 bytes (the storage-buffer range every Vulkan device guarantees), at least 1, at most Tq;
 * $AS_ATTN_CHUNK_ROWS (tests only) lowers it to force many chunks on small inputs. */
uint32_t as_model_chunk_rows(uint32_t H, uint32_t Tq, uint32_t Tk);
/* Reads n floats at element offset off of b (outside begin/end). */
int as_model_read(as_kern *k, const as_buf *b, size_t off, float *dst, size_t n);

/* ---- decoding with a KV cache: captures and read-back (model_ops.c) ---- */

/* Causal self-attention captured pass by pass while decoding: per layer, a first pass over
 * positions [0, T0) (causal) stores its probabilities [H, T0, T0], then every later position t
 * (one decoding step, a single query row) a block [H, t + 1]. Layer l starts at
 * l * as_model_causal_off(c, Tmax). Each pass writes its block in place (no device copies). */
typedef struct as_model_causal {
    uint32_t H, T0, Tmax;
} as_model_causal;
/* Offset in floats of the block of position t (0: the first pass, or t >= T0) within a layer. */
size_t as_model_causal_off(const as_model_causal *c, uint32_t t);
/* Reads such a capture of `layers` layers, its first T positions written, into map `kind` of
 * out, allocated here as (layers, H, T, T): the masked entries are 0. */
int as_model_read_causal(as_kern *k, const as_buf *cap, const as_model_causal *c, int layers,
                         int T, as_attn_kind kind, as_attn *out);
/* Allocates the hidden states of `axis` in out, [states, rows, D], and reads them from hid laid
 * out (states, Tmax, D) with the first `rows` rows of each state written. */
int as_model_read_hidden(as_kern *k, const as_buf *hid, int states, int rows, int Tmax, int D,
                         as_attn_axis axis, as_attn *out);
/* Allocates out->logits [rows, V] and reads them from the first rows of `logits`. */
int as_model_read_logits(as_kern *k, const as_buf *logits, int rows, int V, as_attn *out);

#endif
