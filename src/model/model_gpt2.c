/* GPT-2 decoder-only language model: learned positions, pre-LN causal blocks, final ln_f, tied
 * LM head; greedy continuation. Every attention map (causal: the masked triangle is exactly 0),
 * hidden state and logit row captured.
 *
 * Shapes: D = n_embd, H = n_head, dh = D / H, F = n_inner (4D), V = vocab, T = tokens in the pass,
 * L = layers, P = n_positions.
 *
 * Continuation (--max-new-tokens N) runs the prompt in one pass, then one pass (one submit) per
 * new token over that token alone: each layer appends the token's k and v to its cache (the
 * fused q|k|v rows) and its query row attends to all of them. Every pass writes its attention
 * rows, hidden-state rows and logit rows in place, so the store ends up as one forward pass over
 * prompt + continuation gives it (what the reference returns with output_attentions=True on the
 * final sequence), the last token's row included.
 *
 * The residual stream lives in the hidden-state capture buffer (layer l reads state l, writes
 * state l+1; each state has room for Tmax rows). As in the reference, the last state is taken
 * after ln_f. */
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- weights ------------------------------------------------------------------------------*/

/* ln1: ln_1; qkv: attn.c_attn (Conv1D [D, 3D] -> [3D, D] = q | k | v); out: attn.c_proj [D, D];
 * ln2: ln_2; fc1: mlp.c_fc ([D, F] -> [F, D]); fc2: mlp.c_proj ([F, D] -> [D, F]). */
typedef as_block gpt2_layer;

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
        rc = as_model_upload_conv1d(m, names[4], D, F, &L->fc1);
    if (rc == AS_OK)
        rc = as_model_upload_conv1d(m, names[5], F, D, &L->fc2);
    for (int i = 0; i < 6; i++)
        free(names[i]);
    return rc;
}

static void gpt2_unload(as_model *m)
{
    gpt2 *g = m->family;
    if (!g)
        return;
    for (int l = 0; g->layers && l < m->cfg.enc_layers; l++)
        as_model_free_block(m, &g->layers[l]);
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

/* One run, laid out for Tmax = prompt + continuation positions. */
typedef struct gpt2_run {
    int T0, Tmax;      /* prompt tokens; positions the run may reach */
    int all_logits;    /* keep every logit row (want_logits), else only the latest */
    as_model_causal c; /* layout of cap */
    as_buf *ids;       /* [Tmax] */
    as_buf *hid;       /* (L+1, Tmax, D): the residual stream, state by state */
    as_buf *a, *x2, *o, *h; /* scratch sized for the prompt pass: [T0, D], h [T0, F] */
    as_buf **kv;       /* per layer [Tmax, 3D]: fused q|k|v rows; k and v columns are the cache */
    as_buf *cap;       /* per layer the prompt's [H, T0, T0], then [H, t+1] per step */
    as_buf *logits;    /* [Tmax, V] (all_logits) or [1, V] */
} gpt2_run;

static void gpt2_run_free(as_model *m, gpt2_run *r)
{
    as_buf *bufs[] = {r->ids, r->hid, r->a, r->x2, r->o, r->h, r->cap, r->logits};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        as_buf_destroy(m->k, bufs[i]);
    for (int l = 0; r->kv && l < m->cfg.enc_layers; l++)
        as_buf_destroy(m->k, r->kv[l]);
    free(r->kv);
}

static int alloc_run(as_model *m, gpt2_run *r)
{
    const as_cfg *c = &m->cfg;
    size_t T0D = (size_t)r->T0 * c->d_model, Tmax = (size_t)r->Tmax;
    int rc = AS_OK;
#define ALLOC(field, n) \
    if (rc == AS_OK)    \
    rc = as_model_buf(m, (n), "activations", &r->field)
    ALLOC(ids, Tmax);
    ALLOC(hid, (size_t)(c->enc_layers + 1) * Tmax * c->d_model);
    ALLOC(a, T0D);
    ALLOC(x2, T0D);
    ALLOC(o, T0D);
    ALLOC(h, (size_t)r->T0 * c->enc_ffn);
    ALLOC(cap, (size_t)c->enc_layers * as_model_causal_off(&r->c, r->c.Tmax));
    ALLOC(logits, (r->all_logits ? Tmax : 1) * c->vocab_size);
#undef ALLOC
    r->kv = as_xcalloc((size_t)c->enc_layers, sizeof *r->kv);
    for (int l = 0; l < c->enc_layers && rc == AS_OK; l++)
        rc = as_model_buf(m, Tmax * 3 * c->d_model, "key/value cache", &r->kv[l]);
    return rc;
}

/* Positions [t0, t0 + M) through every layer, one submit: the prompt (t0 = 0, causal) or one
 * decoding step (M = 1: the query row attends to every cached position, nothing to mask). Each
 * layer appends the rows' k and v to its cache. With `lm`, the logit rows (all_logits) or the
 * last one land in r->logits. */
static int pass(as_model *m, const gpt2_run *r, uint32_t t0, uint32_t M, int lm)
{
    const as_cfg *c = &m->cfg;
    as_kern *k = m->k;
    gpt2 *g = m->family;
    uint32_t D = (uint32_t)c->d_model, F = (uint32_t)c->enc_ffn, H = (uint32_t)c->enc_heads;
    int layers = c->enc_layers;
    float eps = c->ln_eps;
    as_mha mha = {.H = H, .dh = D / H, .scale = 1.0f / sqrtf((float)(D / H))};
    AS_ASSERT(t0 == 0 || M == 1);
    size_t state = (size_t)r->Tmax * D, row0 = (size_t)t0 * D;
    size_t cap_layer = as_model_causal_off(&r->c, r->c.Tmax);
    size_t cap_pass = as_model_causal_off(&r->c, t0);
    as_tv a = as_tv_at(r->a, 0), x2 = as_tv_at(r->x2, 0), o = as_tv_at(r->o, 0);
    as_tv h = as_tv_at(r->h, 0);
    int rc = as_kern_begin(k);
    if (rc != AS_OK)
        return rc;
    as_op_embed em = {.y = as_tv_at(r->hid, row0), .ids = as_tv_at(r->ids, t0),
                      .table = as_tv_at(g->wte, 0), .pos = as_tv_at(g->wpe, 0), .M = M, .D = D,
                      .pos_start = t0, .scale = 1.0f};
    as_kern_embed(k, &em);
    for (int l = 0; l < layers; l++) {
        const gpt2_layer *L = &g->layers[l];
        as_buf *kv = r->kv[l];
        as_tv x = as_tv_at(r->hid, l * state + row0);
        /* the last block's output is not a state of its own: the reference reports ln_f of it */
        as_tv y = l + 1 < layers ? as_tv_at(r->hid, (l + 1) * state + row0) : x2;
        as_tv qkv = as_tv_at(kv, (size_t)t0 * 3 * D);
        as_tv cap = as_tv_at(r->cap, l * cap_layer + cap_pass);
        /* pre-LN: x2 = x + attn(ln_1(x)); y = x2 + mlp(ln_2(x2)) */
        as_model_norm(k, a, x, &L->ln1, M, D, eps);
        as_model_linear(k, qkv, a, &L->qkv, M, 3 * D, D, (as_tv){0});
        as_model_attention(k, &mha, o, qkv, 3 * D, as_tv_at(kv, D), as_tv_at(kv, 2 * D), 3 * D, M,
                           t0 + M, cap, M > 1);
        as_model_linear(k, x2, o, &L->out, M, D, D, x);
        as_model_norm(k, a, x2, &L->ln2, M, D, eps);
        as_model_linear_act(k, h, a, &L->fc1, M, F, D, c->act);
        as_model_linear(k, y, h, &L->fc2, M, D, F, x2);
    }
    as_model_norm(k, as_tv_at(r->hid, layers * state + row0), x2, &g->ln_f, M, D, eps);
    if (lm) {
        uint32_t rows = r->all_logits ? M : 1, first = t0 + M - rows;
        as_op_matmul p = {.y = as_tv_at(r->logits, r->all_logits ? (size_t)first * c->vocab_size
                                                                 : 0),
                          .x = as_tv_at(r->hid, layers * state + (size_t)first * D),
                          .w = as_tv_at(g->lm_head, 0), .M = rows,
                          .N = (uint32_t)c->vocab_size, .K = D};
        as_kern_matmul(k, &p);
    }
    return as_kern_end(k);
}

static int fill_store(as_model *m, const gpt2_run *r, int T, const as_run_opts *opts,
                      as_attn *out)
{
    const as_cfg *c = &m->cfg;
    int L = c->enc_layers;
    out->single_stack = 1;
    int rc = as_model_read_causal(m->k, r->cap, &r->c, L, T, AS_ATTN_ENCODER, out);
    if (rc == AS_OK && opts->want_hidden)
        rc = as_model_read_hidden(m->k, r->hid, L + 1, T, r->Tmax, c->d_model, AS_AXIS_SOURCE,
                                  out);
    if (rc == AS_OK && opts->want_logits)
        rc = as_model_read_logits(m->k, r->logits, T, c->vocab_size, out);
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
    /* the continuation stops at the position limit; no budget (<= 0) means none */
    int max_new = opts->max_new_tokens < P - in->n_src ? opts->max_new_tokens : P - in->n_src;
    max_new = max_new > 0 ? max_new : 0;
    gpt2_run r = {.T0 = in->n_src, .Tmax = in->n_src + max_new, .all_logits = opts->want_logits};
    r.c = (as_model_causal){.H = (uint32_t)c->enc_heads, .T0 = (uint32_t)r.T0,
                            .Tmax = (uint32_t)r.Tmax};
    int32_t *ids = as_xmalloc(sizeof(int32_t) * (size_t)r.Tmax);
    float *row = as_xmalloc(sizeof(float) * (size_t)V);
    memcpy(ids, in->src, sizeof(int32_t) * (size_t)r.T0);
    int T = r.T0, t0 = 0;
    int rc = alloc_run(m, &r);
    if (rc == AS_OK)
        rc = as_buf_write(k, r.ids, 0, ids, sizeof(int32_t) * (size_t)T);
    /* the prompt in one pass, then one pass per new token with the cached keys and values. The
     * last token gets its pass too: its maps (and logits, if kept) belong to the final sequence,
     * as one forward pass over it gives them. */
    while (rc == AS_OK) {
        int last = T == r.Tmax || (T > r.T0 && ids[T - 1] == c->eos_id);
        rc = pass(m, &r, (uint32_t)t0, (uint32_t)(T - t0), r.all_logits || !last);
        if (rc != AS_OK || last)
            break;
        rc = as_model_read(k, r.logits, r.all_logits ? (size_t)(T - 1) * V : 0, row, (size_t)V);
        if (rc != AS_OK)
            break;
        ids[T] = argmax(row, V);
        rc = as_buf_write(k, r.ids, sizeof(int32_t) * (size_t)T, ids + T, sizeof(int32_t));
        t0 = T++;
    }
    out->n_generated = T - r.T0;
    if (rc == AS_OK)
        rc = fill_store(m, &r, T, opts, out);
    if (rc == AS_OK)
        as_model_set_axis(m, out, AS_AXIS_SOURCE, ids, T);
    gpt2_run_free(m, &r);
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
