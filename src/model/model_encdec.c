/* Encoder-decoder transformers of the BART lineage: Marian (opus-mt), BART and mBART. Forward
 * pass, greedy decoding with a KV cache, and capture of every attention map and hidden state.
 * Written once against kern.h, so the CPU and Vulkan backends run the same sequence of ops.
 *
 * The three differ only in a few places (transformers modeling_marian/bart/mbart.py):
 *                 positions                        embedding LayerNorm   blocks
 *   marian        sinusoidal, shared, row p        -                     post-LN
 *   bart          learned per stack, row p + 2     layernorm_embedding   post-LN
 *   mbart         learned per stack, row p + 2     layernorm_embedding   pre-LN + final layer_norm
 * Embeddings are scaled by sqrt(D) when config scale_embedding is set (Marian true, BART false).
 *
 * Shapes: D = d_model, H = heads, dh = D / H, F = ffn dim, V = vocab, Te = source tokens,
 * Td = decoder positions (start token + target/generated tokens), Le / Ld = layers.
 *
 * The residual stream lives in the hidden-state capture buffers (encoder (Le+1, Te, D), decoder
 * (Ld+1, Tmax, D)): layer l reads state l and writes state l+1, so hidden states cost no copies.
 * With a final layer_norm (mBART) the last state is taken after it, as the reference reports.
 *
 * The decoder always runs step by step over positions (one token per step, KV cache): a forced
 * target records every step into a single submit; greedy decoding submits one step at a time and
 * picks the next token on the host. Each step's attention rows land directly in capture buffers
 * laid out by step (self: [H, t+1] blocks packed one after another; cross: [Td, H, Te]), and are
 * rearranged into the store's (layer, head, q, k) at the end: no copies on the device. */
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- weights ------------------------------------------------------------------------------*/

/* qkv: self_attn.{q,k,v}_proj fused [3D, D]; out: out_proj [D, D]; ln1: self_attn_layer_norm;
 * fc1, fc2; ln2: final_layer_norm. */
typedef as_block enc_layer;

typedef struct dec_layer {
    as_lin qkv, out;
    as_norm ln1;
    as_lin cq;   /* encoder_attn.q_proj [D, D] */
    as_lin ckv;  /* encoder_attn.k_proj | v_proj fused: [2D, D], applied to the encoder output */
    as_lin cout; /* encoder_attn.out_proj */
    as_norm ln_c;
    as_lin fc1, fc2;
    as_norm ln2;
} dec_layer;

/* What distinguishes the family members (see the table at the top). */
typedef struct encdec_kind {
    int learned_pos; /* embed_positions tables [P + 2, D], row p + 2; else sinusoidal [P, D] */
    int ln_embed;    /* layernorm_embedding after the embedding sum */
    int pre_ln;      /* pre-LN blocks and a final layer_norm per stack */
} encdec_kind;

typedef struct encdec {
    encdec_kind kind;
    as_buf *embed_enc, *embed_dec; /* [V, D] (the same buffer when shared) */
    as_buf *lm_head;               /* [V, D] (may alias embed_dec) */
    as_buf *lm_bias;               /* final_logits_bias [V] or NULL */
    as_buf *pos_enc, *pos_dec;     /* position tables (the same sinusoidal buffer for Marian) */
    uint32_t pos_off;              /* row of position 0: 2 for learned tables */
    as_norm ln_emb_enc, ln_emb_dec; /* layernorm_embedding (ln_embed) */
    as_norm ln_enc, ln_dec;         /* final layer_norm (pre_ln) */
    enc_layer *enc;
    dec_layer *dec;
} encdec;

static int load_attn(as_model *m, const char *pfx, int D, as_lin *qkv, as_lin *out, as_norm *ln)
{
    char *names[3] = {as_xasprintf("%s.q_proj", pfx), as_xasprintf("%s.k_proj", pfx),
                      as_xasprintf("%s.v_proj", pfx)};
    char *o = as_xasprintf("%s.out_proj", pfx), *lnn = as_xasprintf("%s_layer_norm", pfx);
    int rc = as_model_upload_lin_fused(m, (const char *const *)names, 3, D, D, qkv);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, o, D, D, out);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, lnn, D, ln);
    for (int i = 0; i < 3; i++)
        free(names[i]);
    free(o);
    free(lnn);
    return rc;
}

static int load_ffn(as_model *m, const char *pfx, int D, int F, as_lin *fc1, as_lin *fc2,
                    as_norm *ln)
{
    char *a = as_xasprintf("%s.fc1", pfx), *b = as_xasprintf("%s.fc2", pfx),
         *c = as_xasprintf("%s.final_layer_norm", pfx);
    int rc = as_model_upload_lin(m, a, F, D, fc1);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, b, D, F, fc2);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, c, D, ln);
    free(a);
    free(b);
    free(c);
    return rc;
}

static int load_cross(as_model *m, const char *pfx, int D, dec_layer *l)
{
    char *q = as_xasprintf("%s.encoder_attn.q_proj", pfx);
    char *kv[2] = {as_xasprintf("%s.encoder_attn.k_proj", pfx),
                   as_xasprintf("%s.encoder_attn.v_proj", pfx)};
    char *o = as_xasprintf("%s.encoder_attn.out_proj", pfx);
    char *ln = as_xasprintf("%s.encoder_attn_layer_norm", pfx);
    int rc = as_model_upload_lin(m, q, D, D, &l->cq);
    if (rc == AS_OK)
        rc = as_model_upload_lin_fused(m, (const char *const *)kv, 2, D, D, &l->ckv);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, o, D, D, &l->cout);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, ln, D, &l->ln_c);
    free(q);
    free(kv[0]);
    free(kv[1]);
    free(o);
    free(ln);
    return rc;
}

/* P[p][i] = sin(p / 10000^(2i/D)), P[p][D/2 + i] = cos(...), computed in double (as the reference
 * does) and rounded to float. */
static float *sinusoidal_table(int P, int D)
{
    float *t = as_xmalloc(sizeof(float) * (size_t)P * D);
    int half = D / 2;
    for (int p = 0; p < P; p++)
        for (int i = 0; i < half; i++) {
            double angle = p / pow(10000.0, 2.0 * i / D);
            t[(size_t)p * D + i] = (float)sin(angle);
            t[(size_t)p * D + half + i] = (float)cos(angle);
        }
    return t;
}

/* The embedding matrix: model.shared.weight, or per-stack embed_tokens in checkpoints that do not
 * share them; absent tensors are tied to the shared one as the reference does. */
static int load_embeddings(as_model *m, encdec *e)
{
    const as_cfg *c = &m->cfg;
    int64_t shape[2] = {c->vocab_size, c->d_model};
    int has_shared = as_ckpt_find(m->ck, "model.shared.weight") != NULL;
    const char *shared = has_shared ? "model.shared.weight" : "model.encoder.embed_tokens.weight";
    int rc = as_model_upload(m, shared, 2, shape, &e->embed_enc);
    e->embed_dec = e->embed_enc;
    if (rc == AS_OK && !has_shared && as_ckpt_find(m->ck, "model.decoder.embed_tokens.weight"))
        rc = as_model_upload(m, "model.decoder.embed_tokens.weight", 2, shape, &e->embed_dec);
    e->lm_head = e->embed_dec;
    if (rc == AS_OK && !has_shared && as_ckpt_find(m->ck, "lm_head.weight"))
        rc = as_model_upload(m, "lm_head.weight", 2, shape, &e->lm_head);
    /* a registered buffer of zeros unless trained; checkpoints without it get no bias */
    int64_t bshape[2] = {1, c->vocab_size};
    if (rc == AS_OK && as_ckpt_find(m->ck, "final_logits_bias"))
        rc = as_model_upload(m, "final_logits_bias", 2, bshape, &e->lm_bias);
    return rc;
}

static void encdec_unload(as_model *m)
{
    encdec *e = m->family;
    if (!e)
        return;
    const as_cfg *c = &m->cfg;
    for (int l = 0; e->enc && l < c->enc_layers; l++)
        as_model_free_block(m, &e->enc[l]);
    for (int l = 0; e->dec && l < c->dec_layers; l++) {
        dec_layer *L = &e->dec[l];
        as_model_free_lin(m, &L->qkv);
        as_model_free_lin(m, &L->out);
        as_model_free_norm(m, &L->ln1);
        as_model_free_lin(m, &L->cq);
        as_model_free_lin(m, &L->ckv);
        as_model_free_lin(m, &L->cout);
        as_model_free_norm(m, &L->ln_c);
        as_model_free_lin(m, &L->fc1);
        as_model_free_lin(m, &L->fc2);
        as_model_free_norm(m, &L->ln2);
    }
    if (e->lm_head != e->embed_dec)
        as_buf_destroy(m->k, e->lm_head);
    if (e->embed_dec != e->embed_enc)
        as_buf_destroy(m->k, e->embed_dec);
    as_buf_destroy(m->k, e->embed_enc);
    as_buf_destroy(m->k, e->lm_bias);
    if (e->pos_dec != e->pos_enc)
        as_buf_destroy(m->k, e->pos_dec);
    as_buf_destroy(m->k, e->pos_enc);
    as_model_free_norm(m, &e->ln_emb_enc);
    as_model_free_norm(m, &e->ln_emb_dec);
    as_model_free_norm(m, &e->ln_enc);
    as_model_free_norm(m, &e->ln_dec);
    free(e->enc);
    free(e->dec);
    free(e);
    m->family = NULL;
}

/* Position tables, embedding and final LayerNorms of one stack ("model.encoder" / ".decoder"). */
static int load_stack_extras(as_model *m, encdec *e, const char *stack, as_buf **pos,
                             as_norm *ln_emb, as_norm *ln_final)
{
    const as_cfg *c = &m->cfg;
    int rc = AS_OK;
    if (e->kind.learned_pos) {
        char *name = as_xasprintf("model.%s.embed_positions.weight", stack);
        int64_t shape[2] = {c->max_positions + 2, c->d_model};
        rc = as_model_upload(m, name, 2, shape, pos);
        free(name);
    }
    if (rc == AS_OK && e->kind.ln_embed) {
        char *name = as_xasprintf("model.%s.layernorm_embedding", stack);
        rc = as_model_upload_norm(m, name, c->d_model, ln_emb);
        free(name);
    }
    if (rc == AS_OK && e->kind.pre_ln) {
        char *name = as_xasprintf("model.%s.layer_norm", stack);
        rc = as_model_upload_norm(m, name, c->d_model, ln_final);
        free(name);
    }
    return rc;
}

static int encdec_load(as_model *m, encdec_kind kind)
{
    const as_cfg *c = &m->cfg;
    if (!c->is_encoder_decoder || c->dec_layers <= 0)
        return as_fail(AS_EFORMAT, "%s/config.json: model_type %s needs an encoder and a decoder",
                       m->dir, c->model_type);
    if (!kind.pre_ln && c->normalize_before)
        return as_fail(AS_EUNSUPPORTED, "%s/config.json: normalize_before (pre-LN) is not "
                                        "supported for model_type %s", m->dir, c->model_type);
    if (!kind.learned_pos && c->d_model % 2)
        return as_fail(AS_EFORMAT, "%s/config.json: d_model %d must be even for sinusoidal "
                                   "positions", m->dir, c->d_model);
    if (c->max_positions <= 0)
        return as_fail(AS_EFORMAT, "%s/config.json: missing max_position_embeddings", m->dir);
    encdec *e = as_xcalloc(1, sizeof *e);
    m->family = e;
    e->kind = kind;
    e->pos_off = kind.learned_pos ? 2 : 0;
    e->enc = as_xcalloc((size_t)c->enc_layers, sizeof *e->enc);
    e->dec = as_xcalloc((size_t)c->dec_layers, sizeof *e->dec);
    int D = c->d_model;
    int rc = load_embeddings(m, e);
    for (int l = 0; l < c->enc_layers && rc == AS_OK; l++) {
        char *p = as_xasprintf("model.encoder.layers.%d", l);
        char *sa = as_xasprintf("%s.self_attn", p);
        rc = load_attn(m, sa, D, &e->enc[l].qkv, &e->enc[l].out, &e->enc[l].ln1);
        if (rc == AS_OK)
            rc = load_ffn(m, p, D, c->enc_ffn, &e->enc[l].fc1, &e->enc[l].fc2, &e->enc[l].ln2);
        free(sa);
        free(p);
    }
    for (int l = 0; l < c->dec_layers && rc == AS_OK; l++) {
        dec_layer *L = &e->dec[l];
        char *p = as_xasprintf("model.decoder.layers.%d", l);
        char *sa = as_xasprintf("%s.self_attn", p);
        rc = load_attn(m, sa, D, &L->qkv, &L->out, &L->ln1);
        if (rc == AS_OK)
            rc = load_cross(m, p, D, L);
        if (rc == AS_OK)
            rc = load_ffn(m, p, D, c->dec_ffn, &L->fc1, &L->fc2, &L->ln2);
        free(sa);
        free(p);
    }
    if (rc == AS_OK && !kind.learned_pos) {
        float *t = sinusoidal_table(c->max_positions, D);
        rc = as_model_upload_host(m, t, (size_t)c->max_positions * D, &e->pos_enc);
        e->pos_dec = e->pos_enc;
        free(t);
    }
    if (rc == AS_OK)
        rc = load_stack_extras(m, e, "encoder", &e->pos_enc, &e->ln_emb_enc, &e->ln_enc);
    if (rc == AS_OK)
        rc = load_stack_extras(m, e, "decoder", &e->pos_dec, &e->ln_emb_dec, &e->ln_dec);
    if (rc != AS_OK)
        encdec_unload(m);
    return rc;
}

static int marian_load(as_model *m)
{
    return encdec_load(m, (encdec_kind){.learned_pos = 0, .ln_embed = 0, .pre_ln = 0});
}

static int bart_load(as_model *m)
{
    return encdec_load(m, (encdec_kind){.learned_pos = 1, .ln_embed = 1, .pre_ln = 0});
}

static int mbart_load(as_model *m)
{
    return encdec_load(m, (encdec_kind){.learned_pos = 1, .ln_embed = 1, .pre_ln = 1});
}

/* ---- run state ----------------------------------------------------------------------------*/

typedef struct run {
    as_model *m;
    encdec *e;
    int D, H, V, Te, Tmax;
    as_mha g;
    /* encoder (Te rows) */
    as_buf *ids_e;
    as_buf *hid_e; /* (Le+1, Te, D): the residual stream, state by state */
    as_buf *x2, *a, *qkv, *o, *h;
    as_buf **cross_kv; /* per decoder layer [Te, 2D] */
    as_buf *cap_enc;   /* (layer, head, Te, Te) */
    /* decoder (one row per step) */
    as_buf *ids_d; /* [Tmax] */
    as_buf *hid_d; /* (Ld+1, Tmax, D) */
    as_buf *dx2, *da, *dq, *do_, *dh_;
    as_buf **self_kv;  /* per layer [Tmax, 3D]: fused q|k|v rows; k and v columns are the cache */
    as_buf *cap_self;  /* per layer [H, t+1] blocks, step after step (layout: self_cap) */
    as_buf *cap_cross; /* (layer, step, head, Te) */
    as_buf *logits;    /* [logit_rows, V] */
    int logit_rows;
    as_model_causal self_cap; /* every step is a pass of its own: T0 = 1 */
} run;

static size_t self_block_off(const run *r, int layer, int t)
{
    return (size_t)layer * as_model_causal_off(&r->self_cap, r->self_cap.Tmax) +
           as_model_causal_off(&r->self_cap, (uint32_t)t);
}

static void run_free(run *r)
{
    as_kern *k = r->m->k;
    as_buf *bufs[] = {r->ids_e, r->hid_e, r->x2,  r->a,   r->qkv, r->o,        r->h,
                      r->cap_enc, r->ids_d, r->hid_d, r->dx2, r->da, r->dq, r->do_, r->dh_,
                      r->cap_self, r->cap_cross, r->logits};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        as_buf_destroy(k, bufs[i]);
    for (int l = 0; r->cross_kv && l < r->m->cfg.dec_layers; l++)
        as_buf_destroy(k, r->cross_kv[l]);
    for (int l = 0; r->self_kv && l < r->m->cfg.dec_layers; l++)
        as_buf_destroy(k, r->self_kv[l]);
    free(r->cross_kv);
    free(r->self_kv);
}

static int run_alloc(run *r)
{
    const as_cfg *c = &r->m->cfg;
    as_model *m = r->m;
    size_t Te = (size_t)r->Te, D = (size_t)r->D, T = (size_t)r->Tmax;
    int F = c->enc_ffn > c->dec_ffn ? c->enc_ffn : c->dec_ffn;
    int rc = AS_OK;
#define ALLOC(field, n) \
    if (rc == AS_OK)    \
    rc = as_model_buf(m, (n), "activations", &r->field)
    ALLOC(ids_e, Te);
    ALLOC(hid_e, (size_t)(c->enc_layers + 1) * Te * D);
    ALLOC(x2, Te * D);
    ALLOC(a, Te * D);
    ALLOC(qkv, Te * 3 * D);
    ALLOC(o, Te * D);
    ALLOC(h, Te * (size_t)F);
    ALLOC(cap_enc, (size_t)c->enc_layers * r->H * Te * Te);
    ALLOC(ids_d, T);
    ALLOC(hid_d, (size_t)(c->dec_layers + 1) * T * D);
    ALLOC(dx2, D);
    ALLOC(da, D);
    ALLOC(dq, D);
    ALLOC(do_, D);
    ALLOC(dh_, (size_t)F);
    ALLOC(cap_self, (size_t)c->dec_layers * as_model_causal_off(&r->self_cap, (uint32_t)T));
    ALLOC(cap_cross, (size_t)c->dec_layers * T * r->H * Te);
    ALLOC(logits, (size_t)r->logit_rows * r->V);
#undef ALLOC
    r->cross_kv = as_xcalloc((size_t)c->dec_layers, sizeof *r->cross_kv);
    r->self_kv = as_xcalloc((size_t)c->dec_layers, sizeof *r->self_kv);
    for (int l = 0; l < c->dec_layers && rc == AS_OK; l++) {
        rc = as_model_buf(m, Te * 2 * D, "cross-attention keys/values", &r->cross_kv[l]);
        if (rc == AS_OK)
            rc = as_model_buf(m, T * 3 * D, "decoder cache", &r->self_kv[l]);
    }
    return rc;
}

/* ---- recorded blocks ----------------------------------------------------------------------*/

/* State 0 of a stack: token embeddings (scaled) + positions [+ layernorm_embedding], M rows
 * from position `pos` on; `tmp` holds the sum when a LayerNorm follows. */
static void embed(run *r, as_tv y, as_tv ids, as_buf *table, as_buf *pos_table, uint32_t M,
                  uint32_t pos, const as_norm *ln, as_tv tmp)
{
    as_model *m = r->m;
    uint32_t D = (uint32_t)r->D;
    as_op_embed em = {.y = r->e->kind.ln_embed ? tmp : y, .ids = ids,
                      .table = as_tv_at(table, 0), .pos = as_tv_at(pos_table, 0), .M = M, .D = D,
                      .pos_start = r->e->pos_off + pos,
                      .scale = m->cfg.scale_embedding ? sqrtf((float)D) : 1.0f};
    as_kern_embed(m->k, &em);
    if (r->e->kind.ln_embed)
        as_model_norm(m->k, y, tmp, ln, M, D, m->cfg.ln_eps);
}

/* Encoder state l -> state l + 1 for every layer. Post-LN: x = LN(x + f(x)) per sublayer; pre-LN:
 * x = x + f(LN(x)), then the final layer_norm. */
static void encoder(run *r)
{
    as_model *m = r->m;
    const as_cfg *c = &m->cfg;
    as_kern *k = m->k;
    encdec *e = r->e;
    uint32_t T = (uint32_t)r->Te, D = (uint32_t)r->D, F = (uint32_t)c->enc_ffn;
    int Le = c->enc_layers, pre = e->kind.pre_ln;
    float eps = c->ln_eps;
    size_t state = (size_t)T * D;
    as_tv x2 = as_tv_at(r->x2, 0), a = as_tv_at(r->a, 0), qkv = as_tv_at(r->qkv, 0);
    as_tv o = as_tv_at(r->o, 0), h = as_tv_at(r->h, 0);
    embed(r, as_tv_at(r->hid_e, 0), as_tv_at(r->ids_e, 0), e->embed_enc, e->pos_enc, T, 0,
          &e->ln_emb_enc, x2);
    for (int l = 0; l < Le; l++) {
        enc_layer *L = &e->enc[l];
        as_tv x = as_tv_at(r->hid_e, l * state), y = as_tv_at(r->hid_e, (l + 1) * state);
        as_tv cap = as_tv_at(r->cap_enc, (size_t)l * r->H * T * T);
        if (pre) {
            /* the last block's sum is not a state: the final layer_norm of it is */
            if (l == Le - 1)
                y = x2;
            as_model_norm(k, a, x, &L->ln1, T, D, eps);
            as_model_linear(k, qkv, a, &L->qkv, T, 3 * D, D, (as_tv){0});
        } else {
            as_model_linear(k, qkv, x, &L->qkv, T, 3 * D, D, (as_tv){0});
        }
        as_model_attention(k, &r->g, o, qkv, 3 * D, as_tv_at(r->qkv, D), as_tv_at(r->qkv, 2 * D),
                           3 * D, T, T, cap, 0);
        as_model_linear(k, x2, o, &L->out, T, D, D, x);
        if (pre) {
            as_model_norm(k, a, x2, &L->ln2, T, D, eps);
            as_model_linear_act(k, h, a, &L->fc1, T, F, D, c->act);
            as_model_linear(k, y, h, &L->fc2, T, D, F, x2);
        } else {
            as_model_norm(k, y, x2, &L->ln1, T, D, eps);
            as_model_linear_act(k, h, y, &L->fc1, T, F, D, c->act);
            as_model_linear(k, x2, h, &L->fc2, T, D, F, y);
            as_model_norm(k, y, x2, &L->ln2, T, D, eps);
        }
    }
    as_tv out = as_tv_at(r->hid_e, Le * state);
    if (pre)
        as_model_norm(k, out, x2, &e->ln_enc, T, D, eps);
    /* the encoder output feeds every decoder layer's cross-attention keys and values */
    for (int l = 0; l < c->dec_layers; l++)
        as_model_linear(k, as_tv_at(r->cross_kv[l], 0), out, &e->dec[l].ckv, T, 2 * D, D,
                        (as_tv){0});
}

/* One decoder position t (its token id already in ids_d[t]); logits row -> logits[lrow]. */
static void decoder_step(run *r, int t, int lrow)
{
    as_model *m = r->m;
    const as_cfg *c = &m->cfg;
    as_kern *k = m->k;
    encdec *e = r->e;
    uint32_t D = (uint32_t)r->D, F = (uint32_t)c->dec_ffn, Te = (uint32_t)r->Te;
    int Ld = c->dec_layers, pre = e->kind.pre_ln;
    float eps = c->ln_eps;
    as_tv x2 = as_tv_at(r->dx2, 0), a = as_tv_at(r->da, 0), o = as_tv_at(r->do_, 0);
    as_tv q = as_tv_at(r->dq, 0), h = as_tv_at(r->dh_, 0);
#define STATE(l) as_tv_at(r->hid_d, ((size_t)(l) * r->Tmax + t) * D)
    embed(r, STATE(0), as_tv_at(r->ids_d, (size_t)t), e->embed_dec, e->pos_dec, 1, (uint32_t)t,
          &e->ln_emb_dec, x2);
    for (int l = 0; l < Ld; l++) {
        dec_layer *L = &e->dec[l];
        as_buf *kv = r->self_kv[l];
        as_tv x = STATE(l), y = pre && l == Ld - 1 ? x2 : STATE(l + 1);
        as_tv row = as_tv_at(kv, (size_t)t * 3 * D);
        size_t cap = (((size_t)l * r->Tmax + t) * r->H) * Te;
        /* row t of the fused buffer: q for this step, k and v appended to the cache */
        if (pre)
            as_model_norm(k, a, x, &L->ln1, 1, D, eps);
        as_model_linear(k, row, pre ? a : x, &L->qkv, 1, 3 * D, D, (as_tv){0});
        as_model_attention(k, &r->g, o, row, 3 * D, as_tv_at(kv, D), as_tv_at(kv, 2 * D), 3 * D,
                           1, (uint32_t)t + 1, as_tv_at(r->cap_self, self_block_off(r, l, t)), 0);
        as_model_linear(k, x2, o, &L->out, 1, D, D, x);
        /* cross-attention sublayer, then the feed-forward one; post-LN keeps the sum in y */
        as_tv in = pre ? a : y, res = pre ? x2 : y;
        if (pre)
            as_model_norm(k, a, x2, &L->ln_c, 1, D, eps);
        else
            as_model_norm(k, y, x2, &L->ln1, 1, D, eps);
        as_model_linear(k, q, in, &L->cq, 1, D, D, (as_tv){0});
        as_model_attention(k, &r->g, o, q, D, as_tv_at(r->cross_kv[l], 0),
                           as_tv_at(r->cross_kv[l], D), 2 * D, 1, Te, as_tv_at(r->cap_cross, cap),
                           0);
        as_model_linear(k, x2, o, &L->cout, 1, D, D, res);
        if (pre)
            as_model_norm(k, a, x2, &L->ln2, 1, D, eps);
        else
            as_model_norm(k, y, x2, &L->ln_c, 1, D, eps);
        as_model_linear_act(k, h, in, &L->fc1, 1, F, D, c->act);
        as_model_linear(k, pre ? y : x2, h, &L->fc2, 1, D, F, res);
        if (!pre)
            as_model_norm(k, y, x2, &L->ln2, 1, D, eps);
    }
    if (pre)
        as_model_norm(k, STATE(Ld), x2, &e->ln_dec, 1, D, eps);
    as_op_matmul lm = {.y = as_tv_at(r->logits, (size_t)lrow * r->V), .x = STATE(Ld),
                       .w = as_tv_at(e->lm_head, 0), .bias = as_tv_at(e->lm_bias, 0), .M = 1,
                       .N = (uint32_t)r->V, .K = D};
#undef STATE
    as_kern_matmul(k, &lm);
}

/* ---- greedy choice ------------------------------------------------------------------------*/

/* argmax of the processed logits of the token at position `pos` of the decoder sequence:
 * bad_words_ids are banned, position 1 (right after the start token) is forced_bos_token_id and
 * the last allowed position (max_length - 1) forced_eos_token_id when the config sets them (HF
 * NoBadWords, ForcedBOSToken and ForcedEOSToken logits processors; ForcedEOS wins, as it runs
 * last). */
static int pick_next(const as_cfg *c, const float *logits, int V, int pos, int max_len)
{
    if (c->forced_eos_id >= 0 && c->forced_eos_id < V && pos == max_len - 1)
        return c->forced_eos_id;
    if (c->forced_bos_id >= 0 && c->forced_bos_id < V && pos == 1)
        return c->forced_bos_id;
    int best = -1;
    for (int v = 0; v < V; v++) {
        int banned = 0;
        for (int b = 0; b < c->n_bad_words; b++)
            banned |= c->bad_words[b] == v;
        if (!banned && (best < 0 || logits[v] > logits[best]))
            best = v;
    }
    return best;
}

/* ---- store --------------------------------------------------------------------------------*/

static int fill_store(run *r, int Td, as_attn *out, const as_run_opts *opts)
{
    as_model *m = r->m;
    const as_cfg *c = &m->cfg;
    as_kern *k = m->k;
    int H = r->H, Te = r->Te;
    int rc = as_attn_alloc_map(out, AS_ATTN_ENCODER, c->enc_layers, H, Te, Te);
    if (rc == AS_OK)
        rc = as_attn_alloc_map(out, AS_ATTN_CROSS, c->dec_layers, H, Td, Te);
    if (rc == AS_OK)
        rc = as_model_read(k, r->cap_enc, 0, out->map[AS_ATTN_ENCODER].p,
                         (size_t)c->enc_layers * H * Te * Te);
    if (rc == AS_OK)
        rc = as_model_read_causal(k, r->cap_self, &r->self_cap, c->dec_layers, Td,
                                  AS_ATTN_DECODER, out);
    size_t cross_n = (size_t)c->dec_layers * r->Tmax * H * Te;
    float *cross = rc == AS_OK ? as_try_calloc(cross_n, sizeof(float), "attention store") : NULL;
    if (rc == AS_OK && !cross)
        rc = AS_ENOMEM;
    if (rc == AS_OK)
        rc = as_model_read(k, r->cap_cross, 0, cross, cross_n);
    for (int l = 0; rc == AS_OK && l < c->dec_layers; l++)
        for (int t = 0; t < Td; t++)
            for (int h = 0; h < H; h++) {
                const float *crow = cross + (((size_t)l * r->Tmax + t) * H + h) * Te;
                memcpy(as_attn_head(out, AS_ATTN_CROSS, l, h) + (size_t)t * Te, crow,
                       sizeof(float) * (size_t)Te);
            }
    free(cross);
    if (rc == AS_OK && opts->want_hidden)
        rc = as_model_read_hidden(k, r->hid_e, c->enc_layers + 1, Te, Te, r->D, AS_AXIS_SOURCE,
                                  out);
    /* decoder states are laid out for Tmax rows: the first Td of each */
    if (rc == AS_OK && opts->want_hidden)
        rc = as_model_read_hidden(k, r->hid_d, c->dec_layers + 1, Td, r->Tmax, r->D,
                                  AS_AXIS_TARGET, out);
    if (rc == AS_OK && opts->want_logits)
        rc = as_model_read_logits(k, r->logits, Td, r->V, out);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------------*/

static int upload_ids(as_kern *k, as_buf *b, const int32_t *ids, int n)
{
    return as_buf_write(k, b, 0, ids, sizeof(int32_t) * (size_t)n);
}

static int encdec_run(as_model *m, const as_model_ids *in, const as_run_opts *opts, as_attn *out)
{
    const as_cfg *c = &m->cfg;
    as_kern *k = m->k;
    run r = {.m = m, .e = m->family, .D = c->d_model, .H = c->enc_heads, .V = c->vocab_size};
    int32_t *dec_ids = NULL;
    int forced = in->tgt != NULL;
    int rc = AS_OK;
    if (c->decoder_start_id < 0 || c->decoder_start_id >= c->vocab_size)
        return as_fail(AS_EFORMAT, "%s/config.json: decoder_start_token_id %d is missing or "
                                   "outside the vocabulary (%d)", m->dir, c->decoder_start_id,
                       c->vocab_size);
    if (c->enc_heads != c->dec_heads) {
        rc = as_fail(AS_EUNSUPPORTED, "%s/config.json: encoder and decoder head counts differ "
                                      "(%d vs %d)", m->dir, c->enc_heads, c->dec_heads);
        goto done;
    }
    int max_new = opts->max_new_tokens > 0 ? opts->max_new_tokens
                  : c->max_length > 1      ? c->max_length - 1
                                           : 64;
    r.Te = in->n_src;
    r.Tmax = forced ? in->n_tgt + 1 : max_new + 1;
    if (r.Te > c->max_positions || r.Tmax > c->max_positions) {
        rc = as_fail(AS_EINVAL, "%s: %s has %d positions but the model supports at most %d",
                     m->dir, r.Te > c->max_positions ? "source" : "target",
                     r.Te > c->max_positions ? r.Te : r.Tmax, c->max_positions);
        goto done;
    }
    r.g.H = (uint32_t)r.H;
    r.g.dh = (uint32_t)(r.D / r.H);
    r.g.scale = 1.0f / sqrtf((float)r.g.dh);
    r.self_cap = (as_model_causal){.H = (uint32_t)r.H, .T0 = 1, .Tmax = (uint32_t)r.Tmax};
    r.logit_rows = opts->want_logits ? r.Tmax : 1;
    if ((rc = run_alloc(&r)) != AS_OK)
        goto done;

    /* decoder inputs: start token, then the forced target (or greedy choices as they come) */
    dec_ids = as_xcalloc((size_t)r.Tmax, sizeof(int32_t));
    dec_ids[0] = c->decoder_start_id;
    int Td = 1;
    if (forced) {
        memcpy(dec_ids + 1, in->tgt, sizeof(int32_t) * (size_t)in->n_tgt);
        Td = in->n_tgt + 1;
    }
    if ((rc = upload_ids(k, r.ids_e, in->src, in->n_src)) != AS_OK ||
        (rc = upload_ids(k, r.ids_d, dec_ids, Td)) != AS_OK)
        goto done;

    if (forced) {
        /* teacher forcing: encoder and every decoder step in one submit */
        if ((rc = as_kern_begin(k)) != AS_OK)
            goto done;
        encoder(&r);
        for (int t = 0; t < Td; t++)
            decoder_step(&r, t, opts->want_logits ? t : 0);
        rc = as_kern_end(k);
    } else {
        if ((rc = as_kern_begin(k)) != AS_OK)
            goto done;
        encoder(&r);
        float *row = as_xmalloc(sizeof(float) * (size_t)r.V);
        int finished = 0;
        for (int t = 0; rc == AS_OK && t < Td; t++) {
            if (t > 0)
                rc = as_kern_begin(k);
            if (rc != AS_OK)
                break;
            int lrow = opts->want_logits ? t : 0;
            decoder_step(&r, t, lrow);
            if ((rc = as_kern_end(k)) != AS_OK || finished)
                continue;
            rc = as_model_read(k, r.logits, (size_t)lrow * r.V, row, (size_t)r.V);
            if (rc != AS_OK)
                break;
            int next = pick_next(c, row, r.V, t + 1, r.Tmax);
            dec_ids[Td++] = next;
            finished = next == c->eos_id || Td == r.Tmax;
            rc = upload_ids(k, r.ids_d, dec_ids, Td);
        }
        free(row);
        out->n_generated = Td - 1;
    }
    if (rc != AS_OK)
        goto done;
    rc = fill_store(&r, Td, out, opts);
    if (rc == AS_OK) {
        as_model_set_axis(m, out, AS_AXIS_SOURCE, in->src, in->n_src);
        as_model_set_axis(m, out, AS_AXIS_TARGET, dec_ids, Td);
    }
done:
    free(dec_ids);
    run_free(&r);
    return rc;
}

const as_arch as_arch_marian = {
    .name = "marian",
    .load = marian_load,
    .unload = encdec_unload,
    .run = encdec_run,
};

const as_arch as_arch_bart = {
    .name = "bart",
    .load = bart_load,
    .unload = encdec_unload,
    .run = encdec_run,
};

const as_arch as_arch_mbart = {
    .name = "mbart",
    .load = mbart_load,
    .unload = encdec_unload,
    .run = encdec_run,
};
