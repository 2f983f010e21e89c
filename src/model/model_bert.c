/* BERT / RoBERTa encoder: embeddings (word + position + token type, LayerNorm), post-LN layers,
 * every attention map (as probabilities, or with opts->store == AS_STORE_QK as each layer's
 * queries and keys: see bert_run) and hidden state captured. One submit per run.
 *
 * Shapes: D = hidden_size, H = heads, dh = D / H, F = intermediate_size, T = input tokens,
 * L = layers, P = max_position_embeddings, Y = token types (type_vocab_size).
 *
 * Token types: the embed op adds one position table, so the host builds, per run, the rows
 * pe[p] = position[pos_id(p)] + token_type[type(p)] ([T, D], a few KB) and hands those to the op
 * as its position table. This keeps the op (and its shader) unchanged, and covers RoBERTa's
 * position ids (which depend on where padding tokens are) with the same code.
 *
 * The residual stream lives in the hidden-state capture buffers: layer l reads state l and writes
 * state l+1, so capturing hidden states costs no copies. */
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- weights ------------------------------------------------------------------------------*/

/* qkv: attention.self.{query,key,value} fused [3D, D]; out: attention.output.dense [D, D];
 * ln1: attention.output.LayerNorm; fc1: intermediate.dense [F, D]; fc2: output.dense [D, F];
 * ln2: output.LayerNorm. */
typedef as_block bert_layer;

typedef struct bert {
    int roberta;    /* position ids offset by pad_token_id + 1, pads keep pad_token_id */
    as_buf *word;   /* [V, D] */
    float *pos;     /* host [P, D] */
    float *types;   /* host [Y, D] */
    int n_types;
    as_norm ln_emb; /* embeddings.LayerNorm */
    bert_layer *layers;
} bert;

/* Checkpoints of BertModel have no prefix; BertForXxx (and RobertaForXxx) nest the encoder under
 * "bert." ("roberta."). */
static const char *find_prefix(const as_ckpt *ck)
{
    static const char *const prefixes[] = {"", "bert.", "roberta."};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        char *name = as_xasprintf("%sembeddings.word_embeddings.weight", prefixes[i]);
        int found = as_ckpt_find(ck, name) != NULL;
        free(name);
        if (found)
            return prefixes[i];
    }
    return "";
}

static int load_layer(as_model *m, const char *pfx, int l, bert_layer *L)
{
    const as_cfg *c = &m->cfg;
    int D = c->d_model, F = c->enc_ffn;
    char *p = as_xasprintf("%sencoder.layer.%d", pfx, l);
    char *qkv[3] = {as_xasprintf("%s.attention.self.query", p),
                    as_xasprintf("%s.attention.self.key", p),
                    as_xasprintf("%s.attention.self.value", p)};
    char *out = as_xasprintf("%s.attention.output.dense", p);
    char *ln1 = as_xasprintf("%s.attention.output.LayerNorm", p);
    char *fc1 = as_xasprintf("%s.intermediate.dense", p);
    char *fc2 = as_xasprintf("%s.output.dense", p);
    char *ln2 = as_xasprintf("%s.output.LayerNorm", p);
    int rc = as_model_upload_lin_fused(m, (const char *const *)qkv, 3, D, D, &L->qkv);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, out, D, D, &L->out);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, ln1, D, &L->ln1);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, fc1, F, D, &L->fc1);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, fc2, D, F, &L->fc2);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, ln2, D, &L->ln2);
    for (int i = 0; i < 3; i++)
        free(qkv[i]);
    free(out);
    free(ln1);
    free(fc1);
    free(fc2);
    free(ln2);
    free(p);
    return rc;
}

static void bert_unload(as_model *m)
{
    bert *b = m->family;
    if (!b)
        return;
    for (int l = 0; b->layers && l < m->cfg.enc_layers; l++)
        as_model_free_block(m, &b->layers[l]);
    as_model_free_norm(m, &b->ln_emb);
    as_buf_destroy(m->k, b->word);
    free(b->pos);
    free(b->types);
    free(b->layers);
    free(b);
    m->family = NULL;
}

static int load_common(as_model *m, int roberta)
{
    const as_cfg *c = &m->cfg;
    if (c->is_encoder_decoder || c->dec_layers > 0)
        return as_fail(AS_EFORMAT, "%s/config.json: model_type %s is an encoder-only model but "
                                   "the config has decoder layers", m->dir, c->model_type);
    if (c->max_positions <= 0)
        return as_fail(AS_EFORMAT, "%s/config.json: missing max_position_embeddings", m->dir);
    if (roberta && c->pad_id < 0)
        return as_fail(AS_EFORMAT, "%s/config.json: roberta needs pad_token_id (its position ids "
                                   "start after it)", m->dir);
    bert *b = as_xcalloc(1, sizeof *b);
    m->family = b;
    b->roberta = roberta;
    b->layers = as_xcalloc((size_t)c->enc_layers, sizeof *b->layers);
    const char *pfx = find_prefix(m->ck);
    int D = c->d_model;
    char *word = as_xasprintf("%sembeddings.word_embeddings.weight", pfx);
    char *pos = as_xasprintf("%sembeddings.position_embeddings.weight", pfx);
    char *types = as_xasprintf("%sembeddings.token_type_embeddings.weight", pfx);
    char *ln = as_xasprintf("%sembeddings.LayerNorm", pfx);
    int64_t wshape[2] = {c->vocab_size, D}, pshape[2] = {c->max_positions, D};
    int rc = as_model_upload(m, word, 2, wshape, &b->word);
    if (rc == AS_OK)
        rc = as_ckpt_load_f32(m->ck, pos, 2, pshape, &b->pos);
    /* the table's row count is the type vocabulary (type_vocab_size; RoBERTa checkpoints hold 1) */
    const as_st_tensor *tt = as_ckpt_find(m->ck, types);
    int64_t tshape[2] = {tt && tt->ndim == 2 ? tt->shape[0] : 1, D};
    b->n_types = (int)tshape[0];
    if (rc == AS_OK)
        rc = as_ckpt_load_f32(m->ck, types, 2, tshape, &b->types);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, ln, D, &b->ln_emb);
    for (int l = 0; l < c->enc_layers && rc == AS_OK; l++)
        rc = load_layer(m, pfx, l, &b->layers[l]);
    free(word);
    free(pos);
    free(types);
    free(ln);
    if (rc != AS_OK)
        bert_unload(m);
    return rc;
}

static int bert_load(as_model *m)
{
    return load_common(m, 0);
}

static int roberta_load(as_model *m)
{
    return load_common(m, 1);
}

/* ---- run ----------------------------------------------------------------------------------*/

/* Position id of every token: p for BERT; for RoBERTa pad + (number of non-pad tokens up to and
 * including p), pads keep pad (transformers create_position_ids_from_input_ids). */
static int position_ids(const as_model *m, const bert *b, const int32_t *ids, int T, int *pos)
{
    int seen = 0;
    for (int p = 0; p < T; p++) {
        if (!b->roberta)
            pos[p] = p;
        else
            pos[p] = ids[p] == m->cfg.pad_id ? m->cfg.pad_id : m->cfg.pad_id + ++seen;
        if (pos[p] >= m->cfg.max_positions)
            return as_fail(AS_EINVAL, "%s: input has %d tokens but the model supports at most %d "
                                      "positions", m->dir, T, m->cfg.max_positions -
                                      (b->roberta ? m->cfg.pad_id + 1 : 0));
    }
    return AS_OK;
}

/* Buffers are per layer or per hidden state, because all layers together outgrow a device's
 * storage-buffer range on long inputs (BERT-base at 512 tokens: 151 MB of maps; lavapipe allows
 * 128 MiB; at 4,096 tokens even the 13 hidden states take 164 MB).
 * Full store: the fused q/k/v projection goes to qkv, the probabilities of layer l to cap[l].
 * Q/K store: the q/k part of the projection goes to qk[l] (kept: it is what the store holds),
 * the v part to v, and attention runs in query chunks through one scratch shared by all layers. */
typedef struct bert_run {
    as_buf *ids, *pe, *x2, *o, *h;
    as_buf *qkv;     /* full: [T, 3D] */
    as_buf *v;       /* Q/K: [T, D] */
    as_buf *scratch; /* Q/K: [H, chunk, T] */
    uint32_t chunk;  /* Q/K: query rows per chunk */
    as_buf **hid;    /* [L + 1] states, each [T, D] */
    as_buf **cap;    /* full: [L] of [H, T, T]; Q/K: [L] of [T, 2D] */
    int layers;
} bert_run;

static void bert_run_free(as_kern *k, bert_run *r)
{
    as_buf *bufs[] = {r->ids, r->pe, r->x2, r->o, r->h, r->qkv, r->v, r->scratch};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        as_buf_destroy(k, bufs[i]);
    for (int l = 0; r->cap && l < r->layers; l++)
        as_buf_destroy(k, r->cap[l]);
    for (int l = 0; r->hid && l <= r->layers; l++)
        as_buf_destroy(k, r->hid[l]);
    free(r->cap);
    free(r->hid);
}

/* Self-attention of layer l from x into r->o, either way the store wants it. */
static void attention(as_model *m, const bert_run *r, const bert_layer *L, int l, as_tv x,
                      uint32_t T)
{
    as_kern *k = m->k;
    uint32_t D = (uint32_t)m->cfg.d_model, H = (uint32_t)m->cfg.enc_heads;
    as_mha g = {.H = H, .dh = D / H, .scale = 1.0f / sqrtf((float)(D / H))};
    as_tv o = as_tv_at(r->o, 0);
    if (!r->scratch) {
        as_model_linear(k, as_tv_at(r->qkv, 0), x, &L->qkv, T, 3 * D, D, (as_tv){0});
        as_model_attention(k, &g, o, as_tv_at(r->qkv, 0), 3 * D, as_tv_at(r->qkv, D),
                           as_tv_at(r->qkv, 2 * D), 3 * D, T, T, as_tv_at(r->cap[l], 0), 0);
        return;
    }
    /* the fused weight's rows are q, k, v: rows [0, 2D) give q|k, rows [2D, 3D) give v */
    as_op_matmul qk = {.y = as_tv_at(r->cap[l], 0), .x = x, .w = as_tv_at(L->qkv.w, 0),
                       .bias = as_tv_at(L->qkv.b, 0), .M = T, .N = 2 * D, .K = D};
    as_kern_matmul(k, &qk);
    as_op_matmul v = {.y = as_tv_at(r->v, 0), .x = x, .w = as_tv_at(L->qkv.w, (size_t)2 * D * D),
                      .bias = as_tv_at(L->qkv.b, 2 * D), .M = T, .N = D, .K = D};
    as_kern_matmul(k, &v);
    as_model_attention_chunked(k, &g, o, as_tv_at(r->cap[l], 0), 2 * D, as_tv_at(r->cap[l], D),
                               2 * D, as_tv_at(r->v, 0), D, T, T, as_tv_at(r->scratch, 0),
                               r->chunk);
}

static void forward(as_model *m, const bert_run *r, uint32_t T)
{
    const as_cfg *c = &m->cfg;
    as_kern *k = m->k;
    bert *b = m->family;
    uint32_t D = (uint32_t)c->d_model, F = (uint32_t)c->enc_ffn;
    float eps = c->ln_eps;
    as_tv x2 = as_tv_at(r->x2, 0), o = as_tv_at(r->o, 0);
    /* state 0 = LayerNorm(word[ids] + pe) */
    as_op_embed em = {.y = x2, .ids = as_tv_at(r->ids, 0), .table = as_tv_at(b->word, 0),
                      .pos = as_tv_at(r->pe, 0), .M = T, .D = D, .pos_start = 0, .scale = 1.0f};
    as_kern_embed(k, &em);
    as_model_norm(k, as_tv_at(r->hid[0], 0), x2, &b->ln_emb, T, D, eps);
    for (int l = 0; l < c->enc_layers; l++) {
        const bert_layer *L = &b->layers[l];
        as_tv x = as_tv_at(r->hid[l], 0), y = as_tv_at(r->hid[l + 1], 0);
        attention(m, r, L, l, x, T);
        /* post-LN: y = LN(x + attn); then y = LN(y + W2 gelu(W1 y)), y holds the middle value */
        as_model_linear(k, x2, o, &L->out, T, D, D, x);
        as_model_norm(k, y, x2, &L->ln1, T, D, eps);
        as_model_linear_act(k, as_tv_at(r->h, 0), y, &L->fc1, T, F, D, c->act);
        as_model_linear(k, x2, as_tv_at(r->h, 0), &L->fc2, T, D, F, y);
        as_model_norm(k, y, x2, &L->ln2, T, D, eps);
    }
}

/* Q/K store: layer l's device rows [T, q | k] split into the store's Q and K. */
static int fill_qk(as_model *m, const bert_run *r, int T, as_attn *out)
{
    int L = m->cfg.enc_layers, H = m->cfg.enc_heads, D = m->cfg.d_model;
    int rc = as_attn_alloc_qk(out, AS_ATTN_ENCODER, L, H, T, T, D / H,
                              1.0f / sqrtf((float)(D / H)));
    float *rows = rc == AS_OK ? as_try_calloc((size_t)T * 2 * D, sizeof(float), "activations")
                              : NULL;
    if (rc == AS_OK && !rows)
        rc = AS_ENOMEM;
    as_attn_qk *qk = out->map[AS_ATTN_ENCODER].qk;
    for (int l = 0; rc == AS_OK && l < L; l++) {
        rc = as_model_read(m->k, r->cap[l], 0, rows, (size_t)T * 2 * D);
        for (int t = 0; rc == AS_OK && t < T; t++) {
            size_t at = ((size_t)l * T + t) * D;
            memcpy(qk->q + at, rows + (size_t)t * 2 * D, sizeof(float) * D);
            memcpy(qk->k + at, rows + (size_t)t * 2 * D + D, sizeof(float) * D);
        }
    }
    free(rows);
    return rc;
}

static int fill_store(as_model *m, const bert_run *r, int T, const as_run_opts *opts,
                      as_attn *out)
{
    const as_cfg *c = &m->cfg;
    int L = c->enc_layers, H = c->enc_heads, D = c->d_model;
    out->single_stack = 1;
    int rc = r->scratch ? fill_qk(m, r, T, out)
                        : as_attn_alloc_map(out, AS_ATTN_ENCODER, L, H, T, T);
    size_t per_layer = (size_t)H * T * T;
    for (int l = 0; rc == AS_OK && !r->scratch && l < L; l++)
        rc = as_model_read(m->k, r->cap[l], 0, out->map[AS_ATTN_ENCODER].p + l * per_layer,
                           per_layer);
    if (rc == AS_OK && opts->want_hidden)
        rc = as_attn_alloc_hidden(out, AS_AXIS_SOURCE, L + 1, T, D);
    for (int l = 0; rc == AS_OK && opts->want_hidden && l <= L; l++)
        rc = as_model_read(m->k, r->hid[l], 0, out->hidden[AS_AXIS_SOURCE].h + (size_t)l * T * D,
                           (size_t)T * D);
    return rc;
}

/* The run's buffers: the residual stream and activations, then the attention buffers of the
 * store mode (opts->store is already resolved: FULL or QK). */
static int alloc_run(as_model *m, const as_run_opts *opts, int T, bert_run *r)
{
    const as_cfg *c = &m->cfg;
    int D = c->d_model, L = c->enc_layers, H = c->enc_heads;
    size_t TD = (size_t)T * D;
    int qk = opts->store == AS_STORE_QK, rc = AS_OK;
    r->layers = L;
    r->hid = as_xcalloc((size_t)L + 1, sizeof *r->hid);
    r->cap = as_xcalloc((size_t)L, sizeof *r->cap);
#define ALLOC(field, n, what) \
    if (rc == AS_OK)          \
    rc = as_model_buf(m, (n), what, &r->field)
    ALLOC(ids, (size_t)T, "activations");
    ALLOC(pe, TD, "activations");
    ALLOC(x2, TD, "activations");
    ALLOC(o, TD, "activations");
    ALLOC(h, (size_t)T * c->enc_ffn, "activations");
    for (int l = 0; l <= L; l++)
        ALLOC(hid[l], TD, "hidden states");
    if (qk) {
        r->chunk = as_model_chunk_rows((uint32_t)H, (uint32_t)T, (uint32_t)T);
        ALLOC(v, TD, "activations");
        ALLOC(scratch, (size_t)H * r->chunk * T, "attention scratch");
    } else {
        ALLOC(qkv, 3 * TD, "activations");
    }
    for (int l = 0; l < L; l++)
        ALLOC(cap[l], qk ? 2 * TD : (size_t)H * T * T, qk ? "queries and keys" : "attention");
#undef ALLOC
    return rc;
}

static int bert_run_ids(as_model *m, const as_model_ids *in, const as_run_opts *opts,
                        as_attn *out)
{
    const as_cfg *c = &m->cfg;
    bert *b = m->family;
    as_kern *k = m->k;
    int T = in->n_src, D = c->d_model;
    size_t TD = (size_t)T * D;
    bert_run r = {0};
    int *pos = as_xmalloc(sizeof(int) * (size_t)T);
    float *pe = NULL;
    int rc = position_ids(m, b, in->src, T, pos);
    for (int p = 0; rc == AS_OK && in->type_ids && p < T; p++)
        if (in->type_ids[p] >= b->n_types)
            rc = as_fail(AS_EINVAL, "%s: token type %d but the model has %d type(s)", m->dir,
                         in->type_ids[p], b->n_types);
    if (rc == AS_OK && !(pe = as_try_calloc(TD, sizeof(float), "activations")))
        rc = AS_ENOMEM;
    for (int p = 0; rc == AS_OK && p < T; p++) {
        const float *prow = b->pos + (size_t)pos[p] * D;
        const float *trow = b->types + (size_t)(in->type_ids ? in->type_ids[p] : 0) * D;
        for (int d = 0; d < D; d++)
            pe[(size_t)p * D + d] = prow[d] + trow[d];
    }
    if (rc == AS_OK)
        rc = alloc_run(m, opts, T, &r);
    if (rc == AS_OK)
        rc = as_buf_write(k, r.ids, 0, in->src, sizeof(int32_t) * (size_t)T);
    if (rc == AS_OK)
        rc = as_buf_write(k, r.pe, 0, pe, sizeof(float) * TD);
    if (rc == AS_OK)
        rc = as_kern_begin(k);
    if (rc == AS_OK) {
        forward(m, &r, (uint32_t)T);
        rc = as_kern_end(k);
    }
    if (rc == AS_OK)
        rc = fill_store(m, &r, T, opts, out);
    if (rc == AS_OK)
        as_model_set_axis(m, out, AS_AXIS_SOURCE, in->src, T);
    bert_run_free(k, &r);
    free(pe);
    free(pos);
    return rc;
}

const as_arch as_arch_bert = {
    .name = "bert",
    .qk = 1,
    .load = bert_load,
    .unload = bert_unload,
    .run = bert_run_ids,
};

const as_arch as_arch_roberta = {
    .name = "roberta",
    .qk = 1,
    .load = roberta_load,
    .unload = bert_unload,
    .run = bert_run_ids,
};
