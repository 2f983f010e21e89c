/* Vision Transformer (ViTModel / ViTForImageClassification, DINO-style checkpoints without a
 * classifier included): image -> patches -> pre-LN encoder -> final LayerNorm -> CLS logits, with
 * every attention map and hidden state captured. One submit per run, written against kern.h.
 *
 * Shapes: S = image_size, P = patch_size, G = S / P patches per side, N = G*G patches,
 * T = N + 1 tokens (CLS first), D = hidden_size, H = heads, F = intermediate_size, L = layers,
 * C = classes.
 *
 * The patch embedding Conv2d(3, D, kernel P, stride P) is a matmul: the host lays the pixels out
 * as one row per patch in the conv weight's (channel, ky, kx) order ("im2col"), so the weight
 * [D, 3, P, P] is already the [D, 3*P*P] Linear matrix. The residual stream lives in the
 * hidden-state buffer (layer l reads state l, writes state l+1): capturing costs no copies. */
#include "model_internal.h"

#include "attnscope/img.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- weights ------------------------------------------------------------------------------*/

/* qkv: attention.attention.{query,key,value} fused [3D, D]; out: attention.output.dense [D, D];
 * ln1: layernorm_before (ahead of attention); ln2: layernorm_after (ahead of the feed-forward);
 * fc1: intermediate.dense [F, D]; fc2: output.dense [D, F]. */
typedef as_block vit_layer;

typedef struct vit {
    as_img_cfg icfg; /* image_size, patch_size, id2label */
    as_img_prep prep;
    int G, N, C; /* C == 0: no classifier (ViTModel, DINO) */
    as_lin patch;    /* patch_embeddings.projection as [D, 3*P*P] */
    as_buf *cls;     /* cls_token [1, D] */
    as_buf *pos;     /* position_embeddings [T, D] */
    vit_layer *layers;
    as_norm ln_final;
    as_lin classifier; /* [C, D] */
} vit;

static int load_layer(as_model *m, const char *pfx, int D, int F, vit_layer *L)
{
    char *qkv[3] = {as_xasprintf("%s.attention.attention.query", pfx),
                    as_xasprintf("%s.attention.attention.key", pfx),
                    as_xasprintf("%s.attention.attention.value", pfx)};
    char *out = as_xasprintf("%s.attention.output.dense", pfx);
    char *lb = as_xasprintf("%s.layernorm_before", pfx);
    char *la = as_xasprintf("%s.layernorm_after", pfx);
    char *f1 = as_xasprintf("%s.intermediate.dense", pfx);
    char *f2 = as_xasprintf("%s.output.dense", pfx);
    int rc = as_model_upload_lin_fused(m, (const char *const *)qkv, 3, D, D, &L->qkv);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, out, D, D, &L->out);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, lb, D, &L->ln1);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, la, D, &L->ln2);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, f1, F, D, &L->fc1);
    if (rc == AS_OK)
        rc = as_model_upload_lin(m, f2, D, F, &L->fc2);
    for (int i = 0; i < 3; i++)
        free(qkv[i]);
    free(out);
    free(lb);
    free(la);
    free(f1);
    free(f2);
    return rc;
}

static void vit_unload(as_model *m)
{
    vit *v = m->family;
    if (!v)
        return;
    for (int l = 0; v->layers && l < m->cfg.enc_layers; l++)
        as_model_free_block(m, &v->layers[l]);
    as_model_free_lin(m, &v->patch);
    as_model_free_norm(m, &v->ln_final);
    as_model_free_lin(m, &v->classifier);
    as_buf_destroy(m->k, v->cls);
    as_buf_destroy(m->k, v->pos);
    as_img_cfg_free(&v->icfg);
    free(v->layers);
    free(v);
    m->family = NULL;
}

/* Embeddings: cls token, positions, and the conv uploaded as a Linear layer. */
static int load_embeddings(as_model *m, vit *v, const char *pfx)
{
    int D = m->cfg.d_model, P = v->icfg.patch_size;
    int64_t wshape[4] = {D, 3, P, P}, bshape[1] = {D}, cshape[3] = {1, 1, D},
            pshape[3] = {1, v->N + 1, D};
    char *w = as_xasprintf("%sembeddings.patch_embeddings.projection.weight", pfx);
    char *b = as_xasprintf("%sembeddings.patch_embeddings.projection.bias", pfx);
    char *c = as_xasprintf("%sembeddings.cls_token", pfx);
    char *p = as_xasprintf("%sembeddings.position_embeddings", pfx);
    int rc = as_model_upload(m, w, 4, wshape, &v->patch.w);
    if (rc == AS_OK)
        rc = as_model_upload(m, b, 1, bshape, &v->patch.b);
    if (rc == AS_OK)
        rc = as_model_upload(m, c, 3, cshape, &v->cls);
    if (rc == AS_OK)
        rc = as_model_upload(m, p, 3, pshape, &v->pos);
    free(w);
    free(b);
    free(c);
    free(p);
    return rc;
}

static int vit_load(as_model *m)
{
    const as_cfg *c = &m->cfg;
    vit *v = as_xcalloc(1, sizeof *v);
    m->family = v;
    int rc = as_img_cfg_load(&v->icfg, m->dir);
    if (rc == AS_OK)
        rc = as_img_prep_load(&v->prep, m->dir, v->icfg.image_size);
    int S = v->icfg.image_size;
    if (rc == AS_OK && (v->prep.width != S || v->prep.height != S))
        rc = as_fail(AS_EUNSUPPORTED, "%s/preprocessor_config.json: size %dx%d differs from "
                                      "config.json image_size %d (position interpolation is not "
                                      "supported)", m->dir, v->prep.width, v->prep.height,
                     v->icfg.image_size);
    if (rc == AS_OK && !v->icfg.qkv_bias)
        rc = as_fail(AS_EUNSUPPORTED, "%s/config.json: qkv_bias false is not supported", m->dir);
    if (rc != AS_OK) {
        vit_unload(m);
        return rc;
    }
    v->G = v->icfg.image_size / v->icfg.patch_size;
    v->N = v->G * v->G;
    /* ViTForImageClassification nests the encoder under "vit."; ViTModel (DINO) does not */
    const char *pfx = as_model_has(m, "vit.embeddings.cls_token") ? "vit." : "";
    int D = c->d_model, F = c->enc_ffn;
    rc = load_embeddings(m, v, pfx);
    v->layers = as_xcalloc((size_t)c->enc_layers, sizeof *v->layers);
    for (int l = 0; l < c->enc_layers && rc == AS_OK; l++) {
        char *lp = as_xasprintf("%sencoder.layer.%d", pfx, l);
        rc = load_layer(m, lp, D, F, &v->layers[l]);
        free(lp);
    }
    char *ln = as_xasprintf("%slayernorm", pfx);
    if (rc == AS_OK)
        rc = as_model_upload_norm(m, ln, D, &v->ln_final);
    free(ln);
    if (rc == AS_OK && as_model_has(m, "classifier.weight")) {
        v->C = as_model_dim(m, "classifier.weight", 0);
        if (v->icfg.n_labels && v->icfg.n_labels != v->C)
            rc = as_fail(AS_EFORMAT, "%s/config.json: id2label has %d classes but the classifier "
                                     "has %d", m->dir, v->icfg.n_labels, v->C);
        if (rc == AS_OK)
            rc = as_model_upload_lin(m, "classifier", v->C, D, &v->classifier);
    }
    if (rc != AS_OK)
        vit_unload(m);
    return rc;
}

/* ---- run ----------------------------------------------------------------------------------*/

typedef struct run {
    as_model *m;
    vit *v;
    int T, D, F, L;
    as_mha g;
    as_buf *patches; /* [N, 3*P*P] */
    as_buf *ids;     /* [1] = {0}: row 0 of the cls table */
    as_buf *hid;     /* (L + 1, T, D): the residual stream, state l enters layer l */
    as_buf *mid;     /* [T, D] residual stream between attention and MLP */
    as_buf *xn;      /* [T, D] normalised input of a sublayer; finally last_hidden_state */
    as_buf *qkv;     /* [T, 3D] */
    as_buf *o;       /* [T, D] */
    as_buf *h;       /* [T, F] */
    as_buf *cap;     /* (L, H, T, T) */
    as_buf *logits;  /* [C] */
} run;

static void run_free(run *r)
{
    as_buf *bufs[] = {r->patches, r->ids, r->hid, r->mid, r->xn, r->qkv, r->o, r->h, r->cap,
                      r->logits};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        as_buf_destroy(r->m->k, bufs[i]);
}

static int run_alloc(run *r)
{
    size_t T = (size_t)r->T, D = (size_t)r->D, P = (size_t)r->v->icfg.patch_size;
    int rc = AS_OK;
#define ALLOC(field, n) \
    if (rc == AS_OK)    \
    rc = as_model_buf(r->m, (n), "activations", &r->field)
    ALLOC(patches, (size_t)r->v->N * 3 * P * P);
    ALLOC(ids, 1);
    ALLOC(hid, (size_t)(r->L + 1) * T * D);
    ALLOC(mid, T * D);
    ALLOC(xn, T * D);
    ALLOC(qkv, T * 3 * D);
    ALLOC(o, T * D);
    ALLOC(h, T * (size_t)r->F);
    ALLOC(cap, (size_t)r->L * r->g.H * T * T);
    ALLOC(logits, (size_t)(r->v->C ? r->v->C : 1));
#undef ALLOC
    return rc;
}

/* pixel_values (3, S, S) -> one row per patch (row-major over the G x G grid), each row in the
 * conv weight's (channel, ky, kx) order. */
static void im2col(const float *px, int S, int P, float *rows)
{
    int G = S / P;
    for (int pr = 0; pr < G; pr++)
        for (int pc = 0; pc < G; pc++) {
            float *row = rows + ((size_t)pr * G + pc) * 3 * P * P;
            for (int ch = 0; ch < 3; ch++)
                for (int ky = 0; ky < P; ky++)
                    memcpy(row + ((size_t)ch * P + ky) * P,
                           px + ((size_t)ch * S + pr * P + ky) * S + (size_t)pc * P,
                           sizeof(float) * (size_t)P);
        }
}

/* Records the whole forward pass. */
static void forward(run *r)
{
    as_model *m = r->m;
    as_kern *k = m->k;
    vit *v = r->v;
    const as_cfg *c = &m->cfg;
    uint32_t T = (uint32_t)r->T, D = (uint32_t)r->D, F = (uint32_t)r->F;
    uint32_t K = 3u * v->icfg.patch_size * v->icfg.patch_size;
    float eps = c->ln_eps;
    /* state 0 = [cls; patches W^T + b] + positions: row 0 through the embed op (cls * 1 +
     * pos[0]), rows 1.. as the conv matmul with the positions as its residual */
    as_op_embed em = {.y = as_tv_at(r->hid, 0), .ids = as_tv_at(r->ids, 0),
                      .table = as_tv_at(v->cls, 0), .pos = as_tv_at(v->pos, 0), .M = 1, .D = D,
                      .pos_start = 0, .scale = 1.0f};
    as_kern_embed(k, &em);
    as_model_linear(k, as_tv_at(r->hid, D), as_tv_at(r->patches, 0), &v->patch, (uint32_t)v->N,
                    D, K, as_tv_at(v->pos, D));
    as_tv xn = as_tv_at(r->xn, 0), mid = as_tv_at(r->mid, 0), qkv = as_tv_at(r->qkv, 0);
    /* pre-LN blocks: x += attn(LN(x)); x += mlp(LN(x)) */
    for (int l = 0; l < r->L; l++) {
        const vit_layer *Ly = &v->layers[l];
        as_tv x = as_tv_at(r->hid, (size_t)l * T * D);
        as_tv next = as_tv_at(r->hid, (size_t)(l + 1) * T * D);
        as_model_norm(k, xn, x, &Ly->ln1, T, D, eps);
        as_model_linear(k, qkv, xn, &Ly->qkv, T, 3 * D, D, (as_tv){0});
        as_model_attention(k, &r->g, as_tv_at(r->o, 0), qkv, 3 * D, as_tv_at(r->qkv, D),
                           as_tv_at(r->qkv, 2 * D), 3 * D, T, T,
                           as_tv_at(r->cap, (size_t)l * r->g.H * T * T), 0);
        as_model_linear(k, mid, as_tv_at(r->o, 0), &Ly->out, T, D, D, x);
        as_model_norm(k, xn, mid, &Ly->ln2, T, D, eps);
        as_model_linear_act(k, as_tv_at(r->h, 0), xn, &Ly->fc1, T, F, D, c->act);
        as_model_linear(k, next, as_tv_at(r->h, 0), &Ly->fc2, T, D, F, mid);
    }
    as_model_norm(k, xn, as_tv_at(r->hid, (size_t)r->L * T * D), &v->ln_final, T, D, eps);
    /* the classifier reads the CLS row of last_hidden_state */
    if (v->C)
        as_model_linear(k, as_tv_at(r->logits, 0), xn, &v->classifier, 1, (uint32_t)v->C, D,
                        (as_tv){0});
}

/* "CLS", then "p(r,c)" for the patch in grid row r, column c. */
static void set_axis(as_attn *a, int G)
{
    int T = G * G + 1;
    int32_t *ids = as_xcalloc((size_t)T, sizeof *ids);
    char **labels = as_xcalloc((size_t)T, sizeof *labels);
    for (int t = 0; t < T; t++) {
        ids[t] = t;
        labels[t] = t == 0 ? as_xstrdup("CLS") : as_xasprintf("p(%d,%d)", (t - 1) / G, (t - 1) % G);
    }
    as_attn_set_axis(a, AS_AXIS_SOURCE, T, ids, (const char *const *)labels,
                     (const char *const *)labels);
    for (int t = 0; t < T; t++)
        free(labels[t]);
    free(labels);
    free(ids);
}

static int fill_store(run *r, const as_run_opts *opts, as_attn *out)
{
    as_model *m = r->m;
    vit *v = r->v;
    int T = r->T, D = r->D;
    out->single_stack = 1;
    int rc = as_attn_alloc_map(out, AS_ATTN_ENCODER, r->L, (int)r->g.H, T, T);
    if (rc == AS_OK)
        rc = as_model_read(m->k, r->cap, 0, out->map[AS_ATTN_ENCODER].p,
                           (size_t)r->L * r->g.H * T * T);
    if (rc == AS_OK && opts->want_hidden)
        rc = as_attn_alloc_hidden(out, AS_AXIS_SOURCE, r->L + 1, T, D);
    if (rc == AS_OK && opts->want_hidden)
        rc = as_model_read(m->k, r->hid, 0, out->hidden[AS_AXIS_SOURCE].h,
                           (size_t)(r->L + 1) * T * D);
    if (rc == AS_OK && v->C) {
        out->logits = as_try_calloc((size_t)v->C, sizeof(float), "logits");
        if (!out->logits)
            return AS_ENOMEM;
        out->logits_rows = 1;
        out->logits_cols = v->C;
        rc = as_model_read(m->k, r->logits, 0, out->logits, (size_t)v->C);
        if (rc == AS_OK && v->icfg.n_labels) {
            out->logit_labels = as_xcalloc((size_t)v->C, sizeof(char *));
            for (int i = 0; i < v->C; i++)
                out->logit_labels[i] = as_xstrdup(v->icfg.labels[i]);
        }
    }
    if (rc == AS_OK)
        set_axis(out, v->G);
    return rc;
}

static int vit_run(as_model *m, const as_model_ids *in, const as_run_opts *opts, as_attn *out)
{
    const as_cfg *c = &m->cfg;
    vit *v = m->family;
    int S = v->icfg.image_size, P = v->icfg.patch_size;
    run r = {.m = m, .v = v, .T = v->N + 1, .D = c->d_model, .F = c->enc_ffn,
             .L = c->enc_layers,
             .g = {.H = (uint32_t)c->enc_heads, .dh = (uint32_t)(c->d_model / c->enc_heads)}};
    r.g.scale = 1.0f / sqrtf((float)r.g.dh);
    as_attn_image *im = &out->image;
    float *rows = NULL;
    as_img img;
    int rc = as_img_load(&img, opts->image);
    if (rc != AS_OK)
        return rc;
    im->w = img.w;
    im->h = img.h;
    im->rgb = img.rgb; /* the store owns the decoded image from here on */
    im->in_w = im->in_h = S;
    im->grid_rows = im->grid_cols = v->G;
    im->first_patch = 1;
    im->pixel_values = as_try_calloc((size_t)3 * S * S, sizeof(float), "pixel values");
    if (!im->pixel_values)
        return AS_ENOMEM;
    rc = as_img_pixel_values(&v->prep, &img, opts->image, im->pixel_values);
    if (rc == AS_OK) {
        rows = as_try_calloc((size_t)v->N * 3 * P * P, sizeof(float), "patches");
        rc = rows ? AS_OK : AS_ENOMEM;
    }
    if (rc == AS_OK)
        rc = run_alloc(&r);
    if (rc == AS_OK) {
        im2col(im->pixel_values, S, P, rows);
        uint32_t zero = 0;
        rc = as_buf_write(m->k, r.patches, 0, rows, sizeof(float) * (size_t)v->N * 3 * P * P);
        if (rc == AS_OK)
            rc = as_buf_write(m->k, r.ids, 0, &zero, sizeof zero);
    }
    if (rc == AS_OK)
        rc = as_kern_begin(m->k);
    if (rc == AS_OK) {
        forward(&r);
        rc = as_kern_end(m->k);
    }
    if (rc == AS_OK)
        rc = fill_store(&r, opts, out);
    free(rows);
    run_free(&r);
    return rc;
}

const as_arch as_arch_vit = {
    .name = "vit",
    .image = 1,
    .load = vit_load,
    .unload = vit_unload,
    .run = vit_run,
};
