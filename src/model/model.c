/* Model folder loading and family dispatch by config.json model_type. */
#include "model_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const as_arch *const arches[] = {&as_arch_marian};

const char *as_model_supported(void)
{
    return "marian";
}

static const as_arch *find_arch(const char *name)
{
    for (size_t i = 0; i < sizeof arches / sizeof *arches; i++)
        if (strcmp(arches[i]->name, name) == 0)
            return arches[i];
    return NULL;
}

static void summarise(as_model *m)
{
    as_model_info *in = &m->info;
    in->arch = m->arch->name;
    in->n_tensors = as_st_count(m->st);
    int seen[AS_DT_BOOL + 1] = {0};
    for (size_t i = 0; i < in->n_tensors; i++) {
        const as_st_tensor *t = as_st_at(m->st, i);
        in->n_params += t->numel;
        seen[t->dtype] = 1;
    }
    for (int d = 0; d <= AS_DT_BOOL; d++)
        if (seen[d]) {
            size_t len = strlen(in->dtypes);
            snprintf(in->dtypes + len, sizeof in->dtypes - len, "%s%s", len ? "," : "",
                     as_dtype_name((as_dtype)d));
        }
    snprintf(in->tokenizer, sizeof in->tokenizer, "sentencepiece (source.spm, target.spm) + "
                                                  "vocab.json");
}

int as_model_load(as_model **out, const char *dir, as_kern *k)
{
    *out = NULL;
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
    if (rc == AS_OK)
        rc = as_tok_open_marian(&m->tok, dir);
    if (rc == AS_OK) {
        m->st_path = as_path_join(dir, "model.safetensors");
        if (!as_file_exists(m->st_path))
            rc = as_fail(AS_EIO, "%s: missing model.safetensors", dir);
    }
    if (rc == AS_OK)
        rc = as_st_open(&m->st, m->st_path);
    if (rc == AS_OK)
        rc = m->arch->load(m);
    if (rc == AS_OK)
        summarise(m);
    /* the weights now live on the backend: drop the mapping */
    as_st_close(m->st);
    m->st = NULL;
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
    as_st_close(m->st);
    free(m->st_path);
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
        pieces[i] = as_tok_piece(m->tok, ids[i]);
        labels[i] = as_tok_label(pieces[i]);
    }
    as_attn_set_axis(a, axis, n, ids, pieces, (const char *const *)labels);
    for (int i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
    free(pieces);
}

int as_model_run(as_model *m, const as_run_opts *opts, as_attn *out)
{
    as_attn_init(out);
    if (!opts->src || !*opts->src)
        return as_fail(AS_EINVAL, "empty source text");
    if (opts->tgt && !*opts->tgt)
        return as_fail(AS_EINVAL, "empty target text");
    out->model_name = base_name(m->dir);
    out->arch = as_xstrdup(m->arch->name);
    int rc = m->arch->run(m, opts, out);
    if (rc != AS_OK)
        as_attn_deinit(out);
    return rc;
}
