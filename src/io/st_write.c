/* safetensors writer: collects tensors (copies), then writes the length, the JSON header and the
 * data area in one pass. The header is built by hand rather than with cJSON so that integers are
 * always printed exactly and keys keep insertion order. */
#include "attnscope/st.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    as_dtype dtype;
    int ndim;
    int64_t shape[AS_ST_MAX_DIMS];
    size_t nbytes;
    uint8_t *data; /* (nbytes) little-endian copy of the caller's array */
} entry;

typedef struct {
    char *key, *value;
} meta_kv;

struct as_st_writer {
    entry *entries; /* (n_entries) in insertion order = header order = data order */
    size_t n_entries, cap_entries;
    meta_kv *meta; /* (n_meta) in insertion order */
    size_t n_meta, cap_meta;
};

as_st_writer *as_st_writer_create(void)
{
    return as_xcalloc(1, sizeof(as_st_writer));
}

void as_st_writer_destroy(as_st_writer *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_entries; i++) {
        free(w->entries[i].name);
        free(w->entries[i].data);
    }
    for (size_t i = 0; i < w->n_meta; i++) {
        free(w->meta[i].key);
        free(w->meta[i].value);
    }
    free(w->entries);
    free(w->meta);
    free(w);
}

/* ---- collecting -------------------------------------------------------------------------- */

static int add(as_st_writer *w, as_dtype dt, const char *name, int ndim, const int64_t *shape,
               const void *data)
{
    if (ndim < 0 || ndim > AS_ST_MAX_DIMS)
        return as_fail(AS_EINVAL, "tensor '%s': %d dims, expected 0..%d", name, ndim,
                       AS_ST_MAX_DIMS);
    if (strcmp(name, "__metadata__") == 0)
        return as_fail(AS_EINVAL, "tensor name '__metadata__' is reserved");
    for (size_t i = 0; i < w->n_entries; i++)
        if (strcmp(w->entries[i].name, name) == 0)
            return as_fail(AS_EINVAL, "duplicate tensor '%s'", name);
    size_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return as_fail(AS_EINVAL, "tensor '%s': negative dimension %lld", name,
                           (long long)shape[i]);
        if ((uint64_t)shape[i] > SIZE_MAX || as_mul_size(numel, (size_t)shape[i], &numel))
            return as_fail(AS_ENOMEM, "tensor '%s': shape overflows the address space", name);
    }
    char what[256];
    snprintf(what, sizeof what, "tensor '%s'", name);
    uint8_t *copy = as_try_calloc(numel, as_dtype_size(dt), what);
    if (!copy)
        return AS_ENOMEM;
    size_t nbytes = numel * as_dtype_size(dt); /* as_try_calloc checked the product */
    if (nbytes)
        memcpy(copy, data, nbytes);

    if (w->n_entries == w->cap_entries) {
        w->cap_entries = w->cap_entries ? 2 * w->cap_entries : 16;
        w->entries = as_xrealloc(w->entries, w->cap_entries * sizeof *w->entries);
    }
    entry *e = &w->entries[w->n_entries++];
    memset(e, 0, sizeof *e);
    e->name = as_xstrdup(name);
    e->dtype = dt;
    e->ndim = ndim;
    if (ndim)
        memcpy(e->shape, shape, (size_t)ndim * sizeof *shape);
    e->nbytes = nbytes;
    e->data = copy;
    return AS_OK;
}

int as_st_writer_add_f32(as_st_writer *w, const char *name, int ndim, const int64_t *shape,
                         const float *data)
{
    return add(w, AS_DT_F32, name, ndim, shape, data);
}

int as_st_writer_add_i64(as_st_writer *w, const char *name, int ndim, const int64_t *shape,
                         const int64_t *data)
{
    return add(w, AS_DT_I64, name, ndim, shape, data);
}

void as_st_writer_meta(as_st_writer *w, const char *key, const char *value)
{
    for (size_t i = 0; i < w->n_meta; i++) {
        if (strcmp(w->meta[i].key, key) == 0) {
            free(w->meta[i].value);
            w->meta[i].value = as_xstrdup(value);
            return;
        }
    }
    if (w->n_meta == w->cap_meta) {
        w->cap_meta = w->cap_meta ? 2 * w->cap_meta : 8;
        w->meta = as_xrealloc(w->meta, w->cap_meta * sizeof *w->meta);
    }
    w->meta[w->n_meta].key = as_xstrdup(key);
    w->meta[w->n_meta].value = as_xstrdup(value);
    w->n_meta++;
}

/* ---- header text ------------------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t len, cap;
} strbuf;

static void sb_grow(strbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    while (b->len + extra + 1 > b->cap)
        b->cap = b->cap ? 2 * b->cap : 256;
    b->s = as_xrealloc(b->s, b->cap);
}

static void sb_printf(strbuf *b, const char *fmt, ...) AS_PRINTF(2, 3);
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    AS_ASSERT(n >= 0);
    sb_grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* s as a JSON string literal: quotes, backslashes and control characters escaped; other bytes
 * (UTF-8 included) copied as they are. */
static void sb_json_string(strbuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            sb_printf(b, "\\u%04x", *p);
        else
            sb_printf(b, "%c", *p);
    }
    sb_printf(b, "\"");
}

static void build_header(const as_st_writer *w, strbuf *b)
{
    sb_printf(b, "{");
    if (w->n_meta) {
        sb_printf(b, "\"__metadata__\":{");
        for (size_t i = 0; i < w->n_meta; i++) {
            if (i)
                sb_printf(b, ",");
            sb_json_string(b, w->meta[i].key);
            sb_printf(b, ":");
            sb_json_string(b, w->meta[i].value);
        }
        sb_printf(b, "}");
    }
    size_t offset = 0;
    for (size_t i = 0; i < w->n_entries; i++) {
        const entry *e = &w->entries[i];
        if (i || w->n_meta)
            sb_printf(b, ",");
        sb_json_string(b, e->name);
        sb_printf(b, ":{\"dtype\":\"%s\",\"shape\":[", as_dtype_name(e->dtype));
        for (int d = 0; d < e->ndim; d++)
            sb_printf(b, "%s%lld", d ? "," : "", (long long)e->shape[d]);
        sb_printf(b, "],\"data_offsets\":[%zu,%zu]}", offset, offset + e->nbytes);
        offset += e->nbytes;
    }
    sb_printf(b, "}");
    /* pad so the data area starts 8-byte aligned (8-byte length + multiple-of-8 header) */
    while (b->len % 8)
        sb_printf(b, " ");
}

/* ---- output ------------------------------------------------------------------------------ */

int as_st_writer_write(as_st_writer *w, FILE *out, const char *path)
{
    strbuf hdr = {0};
    build_header(w, &hdr);
    uint8_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)((uint64_t)hdr.len >> (8 * i));
    int ok = fwrite(len, 1, 8, out) == 8 && fwrite(hdr.s, 1, hdr.len, out) == hdr.len;
    free(hdr.s);
    for (size_t i = 0; ok && i < w->n_entries; i++)
        ok = fwrite(w->entries[i].data, 1, w->entries[i].nbytes, out) == w->entries[i].nbytes;
    /* flush so that a full disk is reported here rather than lost at the caller's fclose */
    if (!ok || fflush(out) != 0 || ferror(out))
        return as_fail(AS_EIO, "%s: write failed: %s", path, strerror(errno));
    return AS_OK;
}
