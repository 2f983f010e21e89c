/* Checkpoint: picks the weights file(s) of a model folder and serves one tensor table over
 * them, whatever the layout (single safetensors, shards, pytorch_model.bin). */
#include "attnscope/ckpt.h"
#include "ckpt_internal.h"
#include "st_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- tensor table ------------------------------------------------------------------------ */

void as_ckpt_add(as_ckpt *ck, const as_st_tensor *t, const char *file)
{
    /* grow by doubling: count is bounded by the files' own tensor caps */
    if ((ck->count & (ck->count - 1)) == 0) {
        size_t cap = ck->count ? ck->count * 2 : 1;
        ck->list = as_xrealloc(ck->list, cap * sizeof *ck->list);
        ck->file = as_xrealloc(ck->file, cap * sizeof *ck->file);
    }
    ck->list[ck->count] = t;
    ck->file[ck->count] = file;
    ck->count++;
}

static int cmp_name(const void *a, const void *b)
{
    const as_ckpt_name *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

int as_ckpt_index_names(as_ckpt *ck)
{
    ck->by_name = as_xcalloc(ck->count ? ck->count : 1, sizeof *ck->by_name);
    for (size_t i = 0; i < ck->count; i++)
        ck->by_name[i] = (as_ckpt_name){ck->list[i]->name, i};
    qsort(ck->by_name, ck->count, sizeof *ck->by_name, cmp_name);
    for (size_t i = 1; i < ck->count; i++) {
        size_t a = ck->by_name[i - 1].i, b = ck->by_name[i].i;
        if (strcmp(ck->list[a]->name, ck->list[b]->name) != 0)
            continue;
        if (strcmp(ck->file[a], ck->file[b]) == 0)
            return as_fail(AS_EFORMAT, "%s: duplicate tensor '%s'", ck->file[b],
                           ck->list[b]->name);
        return as_fail(AS_EFORMAT, "%s: tensor '%s' is also in %s", ck->file[b],
                       ck->list[b]->name, ck->file[a]);
    }
    return AS_OK;
}

/* ---- public ------------------------------------------------------------------------------ */

static int open_single(as_ckpt *ck, const char *path)
{
    ck->shards = as_xcalloc(1, sizeof *ck->shards);
    int rc = as_st_open(&ck->shards[0], path);
    if (rc)
        return rc;
    ck->n_shards = 1;
    for (size_t i = 0; i < as_st_count(ck->shards[0]); i++)
        as_ckpt_add(ck, as_st_at(ck->shards[0], i), as_st_path(ck->shards[0]));
    ck->desc = as_xstrdup("model.safetensors");
    return as_ckpt_index_names(ck);
}

int as_ckpt_open(as_ckpt **out, const char *dir)
{
    *out = NULL;
    as_ckpt *ck = as_xcalloc(1, sizeof *ck);
    static const char *const names[] = {"model.safetensors", "model.safetensors.index.json",
                                        "pytorch_model.bin"};
    int rc = AS_EIO;
    for (int i = 0; i < 3; i++) {
        char *p = as_path_join(dir, names[i]);
        if (!as_file_exists(p)) {
            free(p);
            continue;
        }
        ck->main_path = p;
        rc = i == 0 ? open_single(ck, p) : i == 1 ? as_ckpt_open_shards(ck, dir, p)
                                                   : as_ckpt_open_bin(ck, p);
        break;
    }
    if (!ck->main_path)
        rc = as_fail(AS_EIO, "%s: no weights found (model.safetensors, "
                             "model.safetensors.index.json or pytorch_model.bin)", dir);
    if (rc) {
        as_ckpt_close(ck);
        return rc;
    }
    *out = ck;
    return AS_OK;
}

void as_ckpt_close(as_ckpt *ck)
{
    if (!ck)
        return;
    for (size_t i = 0; i < ck->n_shards; i++)
        as_st_close(ck->shards[i]);
    free(ck->shards);
    for (size_t i = 0; i < ck->n_own; i++)
        free((char *)ck->own[i].name);
    free(ck->own);
    as_map_close(&ck->bin);
    free(ck->list);
    free(ck->file);
    free(ck->by_name);
    free(ck->main_path);
    free(ck->desc);
    free(ck);
}

size_t as_ckpt_count(const as_ckpt *ck)
{
    return ck->count;
}

const as_st_tensor *as_ckpt_at(const as_ckpt *ck, size_t i)
{
    AS_ASSERT(i < ck->count);
    return ck->list[i];
}

/* Index into list of name, or (size_t)-1. */
static size_t lookup(const as_ckpt *ck, const char *name)
{
    size_t lo = 0, hi = ck->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, ck->by_name[mid].name);
        if (c == 0)
            return ck->by_name[mid].i;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (size_t)-1;
}

const as_st_tensor *as_ckpt_find(const as_ckpt *ck, const char *name)
{
    size_t i = lookup(ck, name);
    return i == (size_t)-1 ? NULL : ck->list[i];
}

const char *as_ckpt_file_of(const as_ckpt *ck, const as_st_tensor *t)
{
    for (size_t i = 0; i < ck->count; i++)
        if (ck->list[i] == t)
            return ck->file[i];
    return ck->main_path;
}

const char *as_ckpt_describe(const as_ckpt *ck)
{
    return ck->desc;
}

/* Float dtypes -> f32. Reads by memcpy: neither format promises aligned tensors. */
static int to_f32(const as_st_tensor *t, const char *file, float *dst)
{
    const uint8_t *p = t->data;
    for (size_t i = 0; i < t->numel; i++) {
        uint16_t h;
        double d;
        switch (t->dtype) {
        case AS_DT_F32:
            memcpy(&dst[i], p + 4 * i, 4);
            break;
        case AS_DT_F16:
        case AS_DT_BF16:
            memcpy(&h, p + 2 * i, 2);
            dst[i] = t->dtype == AS_DT_F16 ? as_f16_to_f32(h) : as_bf16_to_f32(h);
            break;
        case AS_DT_F64:
            memcpy(&d, p + 8 * i, 8);
            dst[i] = (float)d;
            break;
        default:
            return as_fail(AS_EFORMAT, "%s: tensor '%s' has dtype %s, expected a float type",
                           file, t->name, as_dtype_name(t->dtype));
        }
    }
    return AS_OK;
}

int as_ckpt_load_f32(const as_ckpt *ck, const char *name, int ndim, const int64_t *shape,
                     float **out)
{
    AS_ASSERT(ndim >= 0 && ndim <= AS_ST_MAX_DIMS);
    *out = NULL;
    size_t i = lookup(ck, name);
    if (i == (size_t)-1)
        return as_fail(AS_EFORMAT, "%s: missing tensor '%s'", ck->main_path, name);
    const as_st_tensor *t = ck->list[i];
    int same = t->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = t->shape[d] == shape[d];
    if (!same) {
        char have[200], want[200];
        return as_fail(AS_EFORMAT, "%s: tensor '%s' has shape %s but config.json implies %s",
                       ck->file[i], name, as_st_shape_str(have, sizeof have, t->ndim, t->shape),
                       as_st_shape_str(want, sizeof want, ndim, shape));
    }
    char what[300];
    snprintf(what, sizeof what, "%s: tensor '%s'", ck->file[i], name);
    float *buf = as_try_calloc(t->numel ? t->numel : 1, sizeof *buf, what);
    if (!buf)
        return AS_ENOMEM;
    int rc = to_f32(t, ck->file[i], buf);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    return AS_OK;
}
