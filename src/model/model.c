/* Model folder loading and family dispatch by config.json model_type. */
#include "model_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const as_arch *const arches[] = {&as_arch_marian, &as_arch_bart,  &as_arch_mbart,
                                        &as_arch_bert,   &as_arch_roberta, &as_arch_gpt2,
                                        &as_arch_vit};

const char *as_model_supported(void)
{
    return "marian, bart, mbart, bert, roberta, gpt2, vit";
}

static const as_arch *find_arch(const char *name)
{
    for (size_t i = 0; i < sizeof arches / sizeof *arches; i++)
        if (strcmp(arches[i]->name, name) == 0)
            return arches[i];
    return NULL;
}

static int cmp_view(const void *a, const void *b)
{
    const as_st_tensor *x = *(const as_st_tensor *const *)a, *y = *(const as_st_tensor *const *)b;
    if (x->data != y->data)
        return x->data < y->data ? -1 : 1;
    return (x->nbytes > y->nbytes) - (x->nbytes < y->nbytes);
}

static void summarise(as_model *m)
{
    as_model_info *in = &m->info;
    in->arch = m->arch->name;
    in->n_tensors = as_ckpt_count(m->ck);
    snprintf(in->weights, sizeof in->weights, "%s", as_ckpt_describe(m->ck));
    int seen[AS_DT_BOOL + 1] = {0};
    /* tied weights in a pytorch_model.bin are views of one storage: count them once, as
     * Hugging Face's num_parameters() does */
    const as_st_tensor **v = as_xcalloc(in->n_tensors + 1, sizeof *v);
    for (size_t i = 0; i < in->n_tensors; i++)
        v[i] = as_ckpt_at(m->ck, i);
    qsort(v, in->n_tensors, sizeof *v, cmp_view);
    for (size_t i = 0; i < in->n_tensors; i++) {
        if (i == 0 || cmp_view(&v[i - 1], &v[i]) != 0)
            in->n_params += v[i]->numel;
        seen[v[i]->dtype] = 1;
    }
    free(v);
    for (int d = 0; d <= AS_DT_BOOL; d++)
        if (seen[d]) {
            size_t len = strlen(in->dtypes);
            snprintf(in->dtypes + len, sizeof in->dtypes - len, "%s%s", len ? "," : "",
                     as_dtype_name((as_dtype)d));
        }
    in->image = m->arch->image;
    snprintf(in->tokenizer, sizeof in->tokenizer, "%s",
             m->tok            ? as_tok_describe(m->tok)
             : m->arch->image ? "image processor (preprocessor_config.json)"
                              : "none");
}

static int has_tokenizer(const char *dir)
{
    static const char *const files[] = {"tokenizer.json", "vocab.txt", "vocab.json", "source.spm"};
    int found = 0;
    for (size_t i = 0; i < sizeof files / sizeof *files && !found; i++) {
        char *p = as_path_join(dir, files[i]);
        found = as_file_exists(p);
        free(p);
    }
    return found;
}

int as_model_load(as_model **out, const char *dir, as_kern *k)
{
    *out = NULL;
    as_mem_keep_freed();
    struct stat st;
    if (stat(dir, &st) != 0)
        return as_fail(AS_EIO, "%s: cannot open model folder: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return as_fail(AS_EIO, "%s: not a folder (expected a Hugging Face model folder)", dir);
    as_model *m = as_xcalloc(1, sizeof *m);
    m->dir = as_xstrdup(dir);
    m->k = k;
    int rc = as_cfg_load(&m->cfg, dir);
    if (rc == AS_OK) {
        m->arch = find_arch(m->cfg.model_type);
        if (!m->arch)
            rc = as_fail(AS_EUNSUPPORTED, "%s/config.json: unknown model_type '%s' (supported: "
                                          "%s)", dir, m->cfg.model_type, as_model_supported());
    }
    /* a folder without tokenizer files still runs pre-tokenized ids (as_model_run_ids) */
    if (rc == AS_OK && has_tokenizer(dir))
        rc = as_tok_open(&m->tok, dir, &m->cfg);
    /* model.safetensors, a shard index or pytorch_model.bin */
    if (rc == AS_OK)
        rc = as_ckpt_open(&m->ck, dir);
    if (rc == AS_OK)
        rc = m->arch->load(m);
    if (rc == AS_OK)
        summarise(m);
    /* the weights now live on the backend: drop the mapping */
    as_ckpt_close(m->ck);
    m->ck = NULL;
    if (rc != AS_OK) {
        as_model_destroy(m);
        return rc;
    }
    *out = m;
    return AS_OK;
}

void as_model_destroy(as_model *m)
{
    if (!m)
        return;
    if (m->arch && m->family)
        m->arch->unload(m);
    as_tok_destroy(m->tok);
    as_ckpt_close(m->ck);
    free(m->dir);
    free(m);
}

const as_cfg *as_model_cfg(const as_model *m)
{
    return &m->cfg;
}

as_tok *as_model_tok(const as_model *m)
{
    return m->tok;
}

const char *as_model_dir(const as_model *m)
{
    return m->dir;
}

void as_model_get_info(const as_model *m, as_model_info *info)
{
    *info = m->info;
}

static char *base_name(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t b = n;
    while (b > 0 && dir[b - 1] != '/')
        b--;
    char *s = as_xmalloc(n - b + 1);
    memcpy(s, dir + b, n - b);
    s[n - b] = '\0';
    return s;
}

void as_model_set_axis(const as_model *m, as_attn *a, as_attn_axis axis, const int32_t *ids, int n)
{
    const char **pieces = as_xcalloc((size_t)(n ? n : 1), sizeof(char *));
    char **labels = as_xcalloc((size_t)(n ? n : 1), sizeof(char *));
    for (int i = 0; i < n; i++) {
        if (m->tok) {
            pieces[i] = as_tok_piece(m->tok, ids[i]);
        } else { /* without a tokenizer the ids themselves are the labels */
            labels[i] = as_xasprintf("%d", (int)ids[i]);
            pieces[i] = labels[i];
        }
    }
    for (int i = 0; i < n && m->tok; i++)
        labels[i] = as_tok_label_at(m->tok, pieces, i);
    as_attn_set_axis(a, axis, n, ids, pieces, (const char *const *)labels);
    for (int i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
    free(pieces);
}

static int check_ids(const as_model *m, const int32_t *ids, int n, const char *what)
{
    for (int i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= m->cfg.vocab_size)
            return as_fail(AS_EFORMAT, "%s: %s token id %d is outside the model's vocabulary "
                                       "(%d)", m->dir, what, ids[i], m->cfg.vocab_size);
    return AS_OK;
}

/* Bytes of attention a full-store run captures, known before anything is allocated: every map
 * is held twice (the device's capture buffers, then the store), layers x heads x queries x keys
 * floats. The decoder length is its bound: the forced target, else the longest continuation the
 * options allow (the defaults of model_encdec.c and model_gpt2.c). Doubles: no overflow. */
static double full_bytes(const as_model *m, const as_model_ids *in, const as_run_opts *o)
{
    const as_cfg *c = &m->cfg;
    double ts = in->n_src, maps;
    if (c->is_encoder_decoder) {
        int max_new = o->max_new_tokens > 0 ? o->max_new_tokens
                      : c->max_length > 1   ? c->max_length - 1
                                            : 64;
        double td = in->tgt ? in->n_tgt + 1 : max_new + 1;
        maps = (double)c->enc_layers * c->enc_heads * ts * ts +
               (double)c->dec_layers * c->dec_heads * (td * td + td * ts);
    } else {
        double t = ts + (o->max_new_tokens > 0 ? o->max_new_tokens : 0);
        if (t > c->max_positions && c->max_positions > 0)
            t = c->max_positions > ts ? c->max_positions : ts;
        maps = (double)c->enc_layers * c->enc_heads * t * t;
    }
    return 2.0 * sizeof(float) * maps;
}

/* The same for a Q/K-store run (model_bert.c): each layer's q|k rows on the device and again in
 * the store, the store's head cache, and one chunk of scores (at most 2^27 bytes). */
static double qk_bytes(const as_model *m, const as_model_ids *in)
{
    const as_cfg *c = &m->cfg;
    double t = in->n_src, scores = (double)c->enc_heads * t * t * sizeof(float);
    return 2.0 * c->enc_layers * t * 2.0 * c->d_model * sizeof(float) +
           AS_ATTN_QK_SLOTS * t * t * sizeof(float) + (scores < 0x1p27 ? scores : 0x1p27);
}

/* AS_EUNSUPPORTED for a Q/K store on a family without it. */
static int check_store(const as_model *m, const as_run_opts *o)
{
    if (o->store == AS_STORE_QK && !m->arch->qk)
        return as_fail(AS_EUNSUPPORTED, "%s: model_type %s keeps every probability (--store qk "
                                        "is for bert and roberta)", m->dir, m->arch->name);
    return AS_OK;
}

/* The store mode a run uses (FULL or QK). Auto takes Q/K when the probabilities would use more
 * than a quarter of the memory cap, or when one layer's capture [H, T, T] would exceed 2^27 bytes
 * (the storage-buffer range every Vulkan device guarantees: a full run could fail on the device
 * although the host has room). */
static int resolve_store(const as_model *m, const as_model_ids *in, const as_run_opts *o,
                         as_store_mode *mode)
{
    *mode = AS_STORE_FULL;
    int rc = check_store(m, o);
    if (rc != AS_OK)
        return rc;
    double t = in->n_src, layer_cap = m->cfg.enc_heads * t * t * sizeof(float);
    if (o->store == AS_STORE_QK ||
        (o->store == AS_STORE_AUTO && m->arch->qk &&
         (full_bytes(m, in, o) > (double)as_mem_limit() / 4 || layer_cap > 0x1p27)))
        *mode = AS_STORE_QK;
    return AS_OK;
}

int as_model_run_ids(as_model *m, const as_model_ids *in, const as_run_opts *opts, as_attn *out)
{
    as_attn_init(out);
    if (in->n_src <= 0 || (in->tgt && in->n_tgt <= 0))
        return as_fail(AS_EINVAL, "%s: empty %s", m->dir, in->n_src <= 0 ? "input" : "target");
    int rc = check_ids(m, in->src, in->n_src, "source");
    if (rc == AS_OK && in->tgt)
        rc = check_ids(m, in->tgt, in->n_tgt, "target");
    for (int i = 0; rc == AS_OK && in->type_ids && i < in->n_src; i++)
        if (in->type_ids[i] < 0)
            rc = as_fail(AS_EINVAL, "%s: negative token type id %d", m->dir, in->type_ids[i]);
    as_run_opts ro = *opts;
    if (rc == AS_OK)
        rc = resolve_store(m, in, opts, &ro.store);
    if (rc != AS_OK)
        return rc;
    /* refused up front: the capture grows with the square of the input */
    double need = ro.store == AS_STORE_QK ? qk_bytes(m, in) : full_bytes(m, in, opts);
    if (need > (double)as_mem_limit())
        return as_fail(AS_ENOMEM, "%s: capturing every attention map of %d tokens needs %.1f MiB "
                                  "(%s), more than the %.1f MiB limit; shorten the input or raise "
                                  "AS_MAX_MEMORY=<MiB>", m->dir, in->n_src + in->n_tgt,
                       need / 1048576,
                       ro.store == AS_STORE_QK ? "queries and keys of every layer"
                                               : "layers x heads x tokens^2, on the device and "
                                                 "in the store",
                       as_mem_limit() / 1048576.0);
    out->model_name = base_name(m->dir);
    out->arch = as_xstrdup(m->arch->name);
    rc = m->arch->run(m, in, &ro, out);
    if (rc != AS_OK)
        as_attn_deinit(out);
    return rc;
}

/* Vision models take an image file instead of text. */
static int run_image(as_model *m, const as_run_opts *opts, as_attn *out)
{
    if (!opts->image || !*opts->image)
        return as_fail(AS_EINVAL, "%s: model_type %s takes an image (--image FILE), not text",
                       m->dir, m->arch->name);
    int rc = check_store(m, opts);
    if (rc != AS_OK)
        return rc;
    out->model_name = base_name(m->dir);
    out->arch = as_xstrdup(m->arch->name);
    rc = m->arch->run(m, NULL, opts, out);
    if (rc != AS_OK)
        as_attn_deinit(out);
    return rc;
}

int as_model_run(as_model *m, const as_run_opts *opts, as_attn *out)
{
    as_attn_init(out);
    if (m->arch->image)
        return run_image(m, opts, out);
    if (opts->image)
        return as_fail(AS_EINVAL, "%s: model_type %s takes text, not an image (--image)", m->dir,
                       m->arch->name);
    if (!opts->src || !*opts->src)
        return as_fail(AS_EINVAL, "empty source text");
    if (opts->tgt && !*opts->tgt)
        return as_fail(AS_EINVAL, "empty target text");
    if (opts->pair && !*opts->pair)
        return as_fail(AS_EINVAL, "empty pair text");
    if (!m->tok)
        return as_fail(AS_EIO, "%s: no tokenizer files (tokenizer.json, vocab.txt, vocab.json, "
                               "source.spm)", m->dir);
    if (opts->tgt && !m->cfg.is_encoder_decoder)
        return as_fail(AS_EINVAL, "%s: model_type %s has no decoder: a target text (--tgt) "
                                  "does not apply", m->dir, m->arch->name);
    as_tok_seq src = {0}, tgt = {0};
    int rc = opts->pair ? as_tok_encode_pair(m->tok, opts->src, opts->pair, &src)
                        : as_tok_encode(m->tok, AS_TOK_SOURCE, opts->src, &src);
    if (rc == AS_OK && opts->tgt)
        rc = as_tok_encode(m->tok, AS_TOK_TARGET, opts->tgt, &tgt);
    if (rc == AS_OK) {
        as_model_ids in = {.src = src.ids, .n_src = src.n, .type_ids = src.type_ids,
                           .tgt = opts->tgt ? tgt.ids : NULL, .n_tgt = tgt.n};
        rc = as_model_run_ids(m, &in, opts, out);
    }
    as_tok_seq_free(&src);
    as_tok_seq_free(&tgt);
    return rc;
}
