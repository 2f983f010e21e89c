/* GPT-2 decoder-only language model: learned positions, pre-LN causal blocks, final ln_f, tied
 * LM head; greedy continuation. Every attention map (causal: the masked triangle is exactly 0),
 * hidden state and logit row captured.
 *
 * Shapes: D = n_embd, H = n_head, dh = D / H, F = n_inner (4D), V = vocab, T = tokens in the pass,
 * L = layers, P = n_positions.
 *
 * Continuation (--max-new-tokens N) reruns the whole sequence once per new token instead of
 * keeping a KV cache: a pass over a few dozen tokens is cheap, and the final pass over prompt +
 * continuation yields every map and logit row directly, laid out as a single forward pass would
 * (which is what the reference returns with output_attentions=True on the final sequence).
 *
 * The residual stream lives in the hidden-state capture buffer (layer l reads state l, writes
 * state l+1). As in the reference, the last state is taken after ln_f. */
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- weights ------------------------------------------------------------------------------*/

typedef struct gpt2_layer {
    as_norm ln1;  /* ln_1 */
    as_lin qkv;   /* attn.c_attn: Conv1D [D, 3D] -> [3D, D] = q | k | v */
    as_lin out;   /* attn.c_proj [D, D] */
    as_norm ln2;  /* ln_2 */
    as_lin fc;    /* mlp.c_fc: [D, F] -> [F, D] */
    as_lin proj;  /* mlp.c_proj: [F, D] -> [D, F] */
} gpt2_layer;

typedef struct gpt2 {
    as_buf *wte;     /* [V, D] */
    as_buf *wpe;     /* [P, D] */
    as_buf *lm_head; /* [V, D]; aliases wte unless lm_head.weight is in the file */
    as_norm ln_f;
    gpt2_layer *layers;
} gpt2;

static int load_layer(as_model *m, int l, gpt2_layer *L)
{
    int D = m->cfg.d_model, F = m->cfg.enc_ffn;
    char *names[6] = {as_xasprintf("transformer.h.%d.ln_1", l),
                      as_xasprintf("transformer.h.%d.attn.c_attn", l),
                      as_xasprintf("transformer.h.%d.attn.c_proj", l),
                      as_xasprintf("transformer.h.%d.ln_2", l),
                      as_xasprintf("transformer.h.%d.mlp.c_fc", l),
                      as_xasprintf("transformer.h.%d.mlp.c_proj", l)};
    int rc = as_model_upload_norm(m, names[0], D, &L->ln1);
    if (rc == AS_OK)
        rc = as_model_upload_conv1d(m, names[1], D, 3 * D, &L->qkv);
    if (rc == AS_OK)
        rc = as_model_upload_conv1d(m, names[2], D, D, &L->out);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, names[3], D, &L->ln2);
    if (rc == AS_OK)
        rc = as_model_upload_conv1d(m, names[4], D, F, &L->fc);
    if (rc == AS_OK)
        rc = as_model_upload_conv1d(m, names[5], F, D, &L->proj);
    for (int i = 0; i < 6; i++)
        free(names[i]);
    return rc;
}

static void gpt2_unload(as_model *m)
{
    gpt2 *g = m->family;
    if (!g)
        return;
    for (int l = 0; g->layers && l < m->cfg.enc_layers; l++) {
        gpt2_layer *L = &g->layers[l];
        as_model_free_norm(m, &L->ln1);
        as_model_free_lin(m, &L->qkv);
        as_model_free_lin(m, &L->out);
        as_model_free_norm(m, &L->ln2);
        as_model_free_lin(m, &L->fc);
        as_model_free_lin(m, &L->proj);
    }
    as_model_free_norm(m, &g->ln_f);
    if (g->lm_head != g->wte)
        as_buf_destroy(m->k, g->lm_head);
    as_buf_destroy(m->k, g->wte);
    as_buf_destroy(m->k, g->wpe);
    free(g->layers);
    free(g);
    m->family = NULL;
}

static int gpt2_load(as_model *m)
{
    const as_cfg *c = &m->cfg;
    if (c->is_encoder_decoder || c->dec_layers > 0)
        return as_fail(AS_EFORMAT, "%s/config.json: model_type gpt2 is decoder-only but the "
                                   "config has decoder layers", m->dir);
    if (c->max_positions <= 0)
        return as_fail(AS_EFORMAT, "%s/config.json: missing n_positions", m->dir);
    gpt2 *g = as_xcalloc(1, sizeof *g);
    m->family = g;
    g->layers = as_xcalloc((size_t)c->enc_layers, sizeof *g->layers);
    int64_t wshape[2] = {c->vocab_size, c->d_model}, pshape[2] = {c->max_positions, c->d_model};
    int rc = as_model_upload(m, "transformer.wte.weight", 2, wshape, &g->wte);
    if (rc == AS_OK)
        rc = as_model_upload(m, "transformer.wpe.weight", 2, pshape, &g->wpe);
    g->lm_head = g->wte;
    /* GPT2LMHeadModel ties lm_head to wte; a checkpoint that stores it anyway is used as is */
    if (rc == AS_OK && as_ckpt_find(m->ck, "lm_head.weight"))
        rc = as_model_upload(m, "lm_head.weight", 2, wshape, &g->lm_head);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, "transformer.ln_f", c->d_model, &g->ln_f);
    for (int l = 0; l < c->enc_layers && rc == AS_OK; l++)
        rc = load_layer(m, l, &g->layers[l]);
    if (rc != AS_OK)
        gpt2_unload(m);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------------*/

typedef struct gpt2_run {
    as_buf *ids, *hid, *a, *x2, *qkv, *o, *h, *cap, *logits; /* sized for Tmax tokens */
} gpt2_run;

static void gpt2_run_free(as_kern *k, gpt2_run *r)
{
    as_buf *bufs[] = {r->ids, r->hid, r->a, r->x2, r->qkv, r->o, r->h, r->cap, r->logits};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        as_buf_destroy(k, bufs[i]);
}

/* One pass over T tokens: hid (L+1, T, D), cap (L, H, T, T), logits [T, V]. */
static void forward(as_model *m, const gpt2_run *r, uint32_t T)
{
    const as_cfg *c = &m->cfg;
    as_kern *k = m->k;
    gpt2 *g = m->family;
    uint32_t D = (uint32_t)c->d_model, F = (uint32_t)c->enc_ffn, H = (uint32_t)c->enc_heads;
    float eps = c->ln_eps;
    as_mha mha = {.H = H, .dh = D / H, .scale = 1.0f / sqrtf((float)(D / H))};
    size_t state = (size_t)T * D;
    as_tv a = as_tv_at(r->a, 0), x2 = as_tv_at(r->x2, 0), qkv = as_tv_at(r->qkv, 0);
    as_tv o = as_tv_at(r->o, 0), h = as_tv_at(r->h, 0);
    as_op_embed em = {.y = as_tv_at(r->hid, 0), .ids = as_tv_at(r->ids, 0),
                      .table = as_tv_at(g->wte, 0), .pos = as_tv_at(g->wpe, 0), .M = T, .D = D,
                      .pos_start = 0, .scale = 1.0f};
    as_kern_embed(k, &em);
    for (int l = 0; l < c->enc_layers; l++) {
        const gpt2_layer *L = &g->layers[l];
        as_tv x = as_tv_at(r->hid, l * state);
        /* the last block's output is not a state of its own: the reference reports ln_f of it */
        as_tv y = l + 1 < c->enc_layers ? as_tv_at(r->hid, (l + 1) * state) : x2;
        as_tv cap = as_tv_at(r->cap, (size_t)l * H * T * T);
        /* pre-LN: x2 = x + attn(ln_1(x)); y = x2 + mlp(ln_2(x2)) */
        as_model_norm(k, a, x, &L->ln1, T, D, eps);
        as_model_linear(k, qkv, a, &L->qkv, T, 3 * D, D, (as_tv){0});
        as_model_attention(k, &mha, o, qkv, 3 * D, as_tv_at(r->qkv, D), as_tv_at(r->qkv, 2 * D),
                           3 * D, T, T, cap, 1);
        as_model_linear(k, x2, o, &L->out, T, D, D, x);
        as_model_norm(k, a, x2, &L->ln2, T, D, eps);
        as_model_linear_act(k, h, a, &L->fc, T, F, D, c->act);
        as_model_linear(k, y, h, &L->proj, T, D, F, x2);
    }
    as_tv last = as_tv_at(r->hid, (size_t)c->enc_layers * state);
    as_model_norm(k, last, x2, &g->ln_f, T, D, eps);
    as_op_matmul lm = {.y = as_tv_at(r->logits, 0), .x = last, .w = as_tv_at(g->lm_head, 0),
                       .M = T, .N = (uint32_t)c->vocab_size, .K = D};
    as_kern_matmul(k, &lm);
}

static int alloc_run(as_model *m, gpt2_run *r, int Tmax)
{
    const as_cfg *c = &m->cfg;
    size_t TD = (size_t)Tmax * c->d_model;
    int rc = AS_OK;
#define ALLOC(field, n) \
    if (rc == AS_OK)    \
    rc = as_model_buf(m, (n), "activations", &r->field)
    ALLOC(ids, (size_t)Tmax);
    ALLOC(hid, (size_t)(c->enc_layers + 1) * TD);
    ALLOC(a, TD);
    ALLOC(x2, TD);
    ALLOC(qkv, 3 * TD);
    ALLOC(o, TD);
    ALLOC(h, (size_t)Tmax * c->enc_ffn);
    ALLOC(cap, (size_t)c->enc_layers * c->enc_heads * Tmax * Tmax);
    ALLOC(logits, (size_t)Tmax * c->vocab_size);
#undef ALLOC
    return rc;
}

static int fill_store(as_model *m, const gpt2_run *r, int T, const as_run_opts *opts,
                      as_attn *out)
{
    const as_cfg *c = &m->cfg;
    int L = c->enc_layers, H = c->enc_heads, D = c->d_model, V = c->vocab_size;
    out->single_stack = 1;
    int rc = as_attn_alloc_map(out, AS_ATTN_ENCODER, L, H, T, T);
    if (rc == AS_OK)
        rc = as_model_read(m->k, r->cap, 0, out->map[AS_ATTN_ENCODER].p, (size_t)L * H * T * T);
    if (rc == AS_OK && opts->want_hidden)
        rc = as_attn_alloc_hidden(out, AS_AXIS_SOURCE, L + 1, T, D);
    if (rc == AS_OK && opts->want_hidden)
        rc = as_model_read(m->k, r->hid, 0, out->hidden[AS_AXIS_SOURCE].h,
                           (size_t)(L + 1) * T * D);
    if (rc == AS_OK && opts->want_logits) {
        out->logits = as_try_calloc((size_t)T * V, sizeof(float), "logits");
        if (!out->logits)
            return AS_ENOMEM;
        out->logits_rows = T;
        out->logits_cols = V;
        rc = as_model_read(m->k, r->logits, 0, out->logits, (size_t)T * V);
    }
    return rc;
}

static int argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

static int gpt2_run_ids(as_model *m, const as_model_ids *in, const as_run_opts *opts,
                        as_attn *out)
{
    const as_cfg *c = &m->cfg;
    as_kern *k = m->k;
    int P = c->max_positions, V = c->vocab_size;
    if (in->n_src > P)
        return as_fail(AS_EINVAL, "%s: input has %d tokens but the model supports at most %d "
                                  "positions", m->dir, in->n_src, P);
    /* the continuation stops at the position limit */
    int max_new = opts->max_new_tokens < P - in->n_src ? opts->max_new_tokens : P - in->n_src;
    int Tmax = in->n_src + max_new, T = in->n_src;
    gpt2_run r = {0};
    int32_t *ids = as_xmalloc(sizeof(int32_t) * (size_t)Tmax);
    float *row = as_xmalloc(sizeof(float) * (size_t)V);
    memcpy(ids, in->src, sizeof(int32_t) * (size_t)T);
    int rc = alloc_run(m, &r, Tmax);
    /* one pass per new token; the last pass (over the final sequence) is the one kept */
    for (int done = 0; rc == AS_OK && !done;) {
        rc = as_buf_write(k, r.ids, 0, ids, sizeof(int32_t) * (size_t)T);
        if (rc == AS_OK)
            rc = as_kern_begin(k);
        if (rc != AS_OK)
            break;
        forward(m, &r, (uint32_t)T);
        rc = as_kern_end(k);
        done = T == Tmax || (T > in->n_src && ids[T - 1] == c->eos_id);
        if (rc == AS_OK && !done)
            rc = as_model_read(k, r.logits, (size_t)(T - 1) * V, row, (size_t)V);
        if (rc == AS_OK && !done)
            ids[T++] = argmax(row, V);
    }
    out->n_generated = T - in->n_src;
    if (rc == AS_OK)
        rc = fill_store(m, &r, T, opts, out);
    if (rc == AS_OK)
        as_model_set_axis(m, out, AS_AXIS_SOURCE, ids, T);
    gpt2_run_free(k, &r);
    free(row);
    free(ids);
    return rc;
}

const as_arch as_arch_gpt2 = {
    .name = "gpt2",
    .load = gpt2_load,
    .unload = gpt2_unload,
    .run = gpt2_run_ids,
};
