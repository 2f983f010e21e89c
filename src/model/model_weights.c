/* Weight upload: safetensors tensor -> f32 on the host (converted once) -> backend buffer. */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

int as_model_buf(as_model *m, size_t n_floats, const char *what, as_buf **out)
{
    size_t bytes;
    *out = NULL;
    if (as_mul_size(n_floats, sizeof(float), &bytes))
        return as_fail(AS_ENOMEM, "%s: %zu floats overflow", what, n_floats);
    /* the same cap as host allocations: lavapipe's device memory is host memory, and a long
     * input's capture buffer (layers x heads x T^2) is refused before anything runs */
    if (bytes > as_mem_limit())
        return as_fail(AS_ENOMEM, "%s: needs %.1f MiB on %s, more than the %.1f MiB limit "
                                  "(AS_MAX_MEMORY=<MiB> raises it)", what, bytes / 1048576.0,
                       as_kern_name(m->k), as_mem_limit() / 1048576.0);
    int rc = as_buf_create(m->k, bytes ? bytes : 4, out);
    if (rc != AS_OK)
        return as_fail(rc, "%s: cannot allocate %zu bytes on %s: %s", what, bytes,
                       as_kern_name(m->k), as_last_error());
    return AS_OK;
}

int as_model_upload_host(as_model *m, const float *data, size_t n, as_buf **out)
{
    int rc = as_model_buf(m, n, "weights", out);
    if (rc == AS_OK)
        rc = as_buf_write(m->k, *out, 0, data, n * sizeof(float));
    if (rc != AS_OK) {
        as_buf_destroy(m->k, *out);
        *out = NULL;
    }
    return rc;
}

int as_model_upload(as_model *m, const char *name, int ndim, const int64_t *shape, as_buf **out)
{
    float *host = NULL;
    *out = NULL;
    int rc = as_ckpt_load_f32(m->ck, name, ndim, shape, &host);
    if (rc != AS_OK)
        return rc;
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= (size_t)shape[i];
    rc = as_model_upload_host(m, host, n, out);
    free(host);
    return rc;
}

int as_model_upload_lin(as_model *m, const char *prefix, int out_dim, int in_dim, as_lin *l)
{
    return as_model_upload_lin_fused(m, &prefix, 1, out_dim, in_dim, l);
}

int as_model_upload_lin_fused(as_model *m, const char *const *prefixes, int n, int out_dim,
                              int in_dim, as_lin *l)
{
    memset(l, 0, sizeof *l);
    size_t wn = (size_t)out_dim * in_dim;
    float *w = as_try_calloc(wn * (size_t)n, sizeof(float), "weights");
    float *b = as_try_calloc((size_t)out_dim * n, sizeof(float), "weights");
    int rc = (w && b) ? AS_OK : AS_ENOMEM;
    for (int i = 0; i < n && rc == AS_OK; i++) {
        float *part = NULL;
        char *wname = as_xasprintf("%s.weight", prefixes[i]);
        char *bname = as_xasprintf("%s.bias", prefixes[i]);
        int64_t wshape[2] = {out_dim, in_dim}, bshape[1] = {out_dim};
        rc = as_ckpt_load_f32(m->ck, wname, 2, wshape, &part);
        if (rc == AS_OK) {
            memcpy(w + wn * i, part, wn * sizeof(float));
            free(part);
            rc = as_ckpt_load_f32(m->ck, bname, 1, bshape, &part);
        }
        if (rc == AS_OK) {
            memcpy(b + (size_t)out_dim * i, part, (size_t)out_dim * sizeof(float));
            free(part);
        }
        free(wname);
        free(bname);
    }
    if (rc == AS_OK)
        rc = as_model_upload_host(m, w, wn * n, &l->w);
    if (rc == AS_OK)
        rc = as_model_upload_host(m, b, (size_t)out_dim * n, &l->b);
    free(w);
    free(b);
    if (rc != AS_OK)
        as_model_free_lin(m, l);
    return rc;
}

int as_model_upload_conv1d(as_model *m, const char *prefix, int in_dim, int out_dim, as_lin *l)
{
    memset(l, 0, sizeof *l);
    char *wname = as_xasprintf("%s.weight", prefix), *bname = as_xasprintf("%s.bias", prefix);
    int64_t wshape[2] = {in_dim, out_dim}, bshape[1] = {out_dim};
    float *w = NULL, *t = NULL;
    int rc = as_ckpt_load_f32(m->ck, wname, 2, wshape, &w);
    if (rc == AS_OK && !(t = as_try_calloc((size_t)in_dim * out_dim, sizeof(float), "weights")))
        rc = AS_ENOMEM;
    for (int i = 0; rc == AS_OK && i < in_dim; i++)
        for (int o = 0; o < out_dim; o++)
            t[(size_t)o * in_dim + i] = w[(size_t)i * out_dim + o];
    if (rc == AS_OK)
        rc = as_model_upload_host(m, t, (size_t)in_dim * out_dim, &l->w);
    if (rc == AS_OK)
        rc = as_model_upload(m, bname, 1, bshape, &l->b);
    free(w);
    free(t);
    free(wname);
    free(bname);
    if (rc != AS_OK)
        as_model_free_lin(m, l);
    return rc;
}

int as_model_upload_norm(as_model *m, const char *prefix, int dim, as_norm *l)
{
    memset(l, 0, sizeof *l);
    int64_t shape[1] = {dim};
    char *g = as_xasprintf("%s.weight", prefix), *b = as_xasprintf("%s.bias", prefix);
    int rc = as_model_upload(m, g, 1, shape, &l->g);
    if (rc == AS_OK)
        rc = as_model_upload(m, b, 1, shape, &l->b);
    free(g);
    free(b);
    if (rc != AS_OK)
        as_model_free_norm(m, l);
    return rc;
}

void as_model_free_lin(as_model *m, as_lin *l)
{
    as_buf_destroy(m->k, l->w);
    as_buf_destroy(m->k, l->b);
    memset(l, 0, sizeof *l);
}

void as_model_free_norm(as_model *m, as_norm *l)
{
    as_buf_destroy(m->k, l->g);
    as_buf_destroy(m->k, l->b);
    memset(l, 0, sizeof *l);
}

void as_model_free_block(as_model *m, as_block *b)
{
    as_model_free_lin(m, &b->qkv);
    as_model_free_lin(m, &b->out);
    as_model_free_lin(m, &b->fc1);
    as_model_free_lin(m, &b->fc2);
    as_model_free_norm(m, &b->ln1);
    as_model_free_norm(m, &b->ln2);
}

int as_model_has(const as_model *m, const char *name)
{
    return as_ckpt_find(m->ck, name) != NULL;
}

int as_model_dim(const as_model *m, const char *name, int d)
{
    const as_st_tensor *t = as_ckpt_find(m->ck, name);
    return t && d >= 0 && d < t->ndim ? (int)t->shape[d] : 0;
}
