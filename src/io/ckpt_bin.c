/* pytorch_model.bin as torch.save writes it: a zip of stored entries
 *   <archive>/data.pkl        the pickled state dict (tensors refer to storages by key)
 *   <archive>/data/<key>      raw little-endian bytes of one storage
 *   <archive>/version, ...    ignored
 * Tensors become views into the mapped storages; several tensors may share one storage (tied
 * weights, slices), so each tensor's storage offset is honoured. */
#include "ckpt_internal.h"

#include <stdlib.h>
#include <string.h>

/* The entry "<archive>/data.pkl" (exactly one directory level). */
static const as_zip_entry *find_pickle(const as_zip *z)
{
    for (size_t i = 0; i < z->count; i++) {
        const char *n = z->entries[i].name, *slash = strchr(n, '/');
        if (slash && slash != n && strcmp(slash, "/data.pkl") == 0)
            return &z->entries[i];
    }
    return NULL;
}

/* Checks p against its storage entry and fills t (name ownership moves to t). */
static int make_tensor(const char *path, const as_zip *z, const char *archive,
                       as_pickle_tensor *p, as_st_tensor *t)
{
    char *key = as_xasprintf("%s/data/%s", archive, p->storage_key);
    const as_zip_entry *e = as_zip_find(z, key);
    free(key);
    if (!e)
        return as_fail(AS_EFORMAT, "%s: tensor '%s': storage '%s' is not in the archive", path,
                       p->name, p->storage_key);
    size_t esize = as_dtype_size(p->dtype), bytes;
    if (p->storage_numel > SIZE_MAX || as_mul_size((size_t)p->storage_numel, esize, &bytes) ||
        bytes != e->size)
        return as_fail(AS_EFORMAT, "%s: tensor '%s': storage '%s' holds %zu bytes, not %llu %s "
                                   "elements", path, p->name, p->storage_key, e->size,
                       (unsigned long long)p->storage_numel, as_dtype_name(p->dtype));
    /* row-major contiguous: stride[i] = prod(shape[i+1..]); size-1 dims may have any stride */
    size_t numel = 1;
    int overflow = 0;
    for (int i = p->ndim - 1; i >= 0; i--) {
        if (p->shape[i] != 1 && (uint64_t)p->stride[i] != numel && p->shape[i] != 0)
            return as_fail(AS_EFORMAT, "%s: tensor '%s' is not contiguous (stride %lld in "
                                       "dimension %d); save it with .contiguous()", path, p->name,
                           (long long)p->stride[i], i);
        overflow |= (uint64_t)p->shape[i] > SIZE_MAX || as_mul_size(numel, (size_t)p->shape[i],
                                                                    &numel);
    }
    if (overflow || (numel && ((uint64_t)p->offset > p->storage_numel ||
                               numel > p->storage_numel - (uint64_t)p->offset)))
        return as_fail(AS_EFORMAT, "%s: tensor '%s': offset %lld + %zu elements run past storage "
                                   "'%s' (%llu elements)", path, p->name, (long long)p->offset,
                       numel, p->storage_key, (unsigned long long)p->storage_numel);
    t->name = p->name;
    p->name = NULL;
    t->dtype = p->dtype;
    t->ndim = p->ndim;
    memcpy(t->shape, p->shape, sizeof t->shape);
    t->numel = numel;
    t->nbytes = numel * esize;
    t->data = numel ? e->data + (size_t)p->offset * esize : e->data;
    return AS_OK;
}

int as_ckpt_open_bin(as_ckpt *ck, const char *path)
{
    int rc = as_map_open(&ck->bin, path);
    if (rc)
        return rc;
    as_zip z;
    rc = as_zip_read(&z, ck->bin.data, ck->bin.size, path);
    if (rc)
        return rc;
    as_pickle_tensor *pt = NULL;
    size_t n = 0;
    const as_zip_entry *pkl = find_pickle(&z);
    if (!pkl)
        rc = as_fail(AS_EFORMAT, "%s: no <archive>/data.pkl entry (not a torch.save zip; the "
                                 "legacy pre-1.6 format is not supported)", path);
    else
        rc = as_pickle_state_dict(pkl->data, pkl->size, path, &pt, &n);
    if (rc == AS_OK) {
        char *archive = as_xstrdup(pkl->name);
        *strchr(archive, '/') = '\0';
        ck->own = as_xcalloc(n ? n : 1, sizeof *ck->own);
        for (size_t i = 0; i < n && rc == AS_OK; i++) {
            rc = make_tensor(path, &z, archive, &pt[i], &ck->own[i]);
            if (rc == AS_OK)
                ck->n_own++;
        }
        free(archive);
    }
    for (size_t i = 0; rc == AS_OK && i < ck->n_own; i++)
        as_ckpt_add(ck, &ck->own[i], ck->bin.path);
    if (rc == AS_OK)
        rc = as_ckpt_index_names(ck);
    if (rc == AS_OK)
        ck->desc = as_xstrdup("pytorch_model.bin (pickle)");
    as_pickle_free(pt, n);
    as_zip_free(&z);
    return rc;
}
