/* safetensors reader: maps the file, validates the whole header before any offset is trusted,
 * then serves tensor views that point into the mapping.
 *
 * Layout: u64 little-endian N | N bytes of JSON (space padded) | data area. Each JSON entry is
 * {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]} with offsets relative to the data
 * area; "__metadata__" is an optional {string: string} object. */
#include "attnscope/st.h"
#include "st_internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct as_st_file {
    as_map map;
    cJSON *root;                  /* parsed header: tensor names and metadata point into it */
    as_st_tensor *tensors;        /* (count) in header order */
    size_t count;
    const as_st_tensor **by_name; /* (count) sorted by name, for as_st_find */
    const cJSON *meta;            /* the __metadata__ object, or NULL */
};

/* Integers in JSON arrive as doubles; above 2^53 they are no longer exact, and no offset or
 * dimension of a real file gets near that, so larger values are rejected as malformed. */
#define MAX_EXACT_INT 9007199254740992.0

/* 1 if v is a JSON number holding a non-negative integer we can represent exactly. */
static int json_uint(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v))
        return 0;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= MAX_EXACT_INT) || d != (double)(uint64_t)d)
        return 0;
    *out = (uint64_t)d;
    return 1;
}

static int cmp_name(const void *a, const void *b)
{
    const as_st_tensor *x = *(const as_st_tensor *const *)a, *y = *(const as_st_tensor *const *)b;
    return strcmp(x->name, y->name);
}

/* by start of data, empty spans first so they never look like they overlap their neighbour */
static int cmp_span(const void *a, const void *b)
{
    const as_st_tensor *x = *(const as_st_tensor *const *)a, *y = *(const as_st_tensor *const *)b;
    if (x->data != y->data)
        return x->data < y->data ? -1 : 1;
    return (x->nbytes > y->nbytes) - (x->nbytes < y->nbytes);
}

/* ---- one header entry -------------------------------------------------------------------- */

static int parse_shape(const char *path, const char *name, const cJSON *js, as_st_tensor *t)
{
    if (!js)
        return as_fail(AS_EFORMAT, "%s: tensor '%s': missing shape", path, name);
    if (!cJSON_IsArray(js))
        return as_fail(AS_EFORMAT, "%s: tensor '%s': shape is not an array", path, name);
    int n = cJSON_GetArraySize(js);
    if (n > AS_ST_MAX_DIMS)
        return as_fail(AS_EFORMAT, "%s: tensor '%s': shape has %d dims, more than %d", path, name,
                       n, AS_ST_MAX_DIMS);
    t->ndim = n;
    size_t numel = 1;
    int i = 0, overflow = 0;
    for (const cJSON *d = js->child; d; d = d->next, i++) {
        uint64_t v;
        if (!json_uint(d, &v))
            return as_fail(AS_EFORMAT,
                           "%s: tensor '%s': shape dimension %d is not a non-negative integer",
                           path, name, i);
        t->shape[i] = (int64_t)v;
        overflow |= v > SIZE_MAX || as_mul_size(numel, (size_t)v, &numel);
    }
    size_t nbytes = 0;
    if (overflow || as_mul_size(numel, as_dtype_size(t->dtype), &nbytes)) {
        char s[200];
        return as_fail(AS_EFORMAT, "%s: tensor '%s': shape %s %s overflows the address space",
                       path, name, as_st_shape_str(s, sizeof s, t->ndim, t->shape),
                       as_dtype_name(t->dtype));
    }
    t->numel = numel;
    t->nbytes = nbytes;
    return AS_OK;
}

/* Fills t from the JSON entry; t->data gets the address of the span inside the data area. */
static int parse_entry(const char *path, const cJSON *e, const uint8_t *area, size_t area_size,
                       as_st_tensor *t)
{
    const char *name = e->string;
    t->name = name;
    if (!cJSON_IsObject(e))
        return as_fail(AS_EFORMAT, "%s: tensor '%s': entry is not an object", path, name);

    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    if (!dt)
        return as_fail(AS_EFORMAT, "%s: tensor '%s': missing dtype", path, name);
    if (!cJSON_IsString(dt))
        return as_fail(AS_EFORMAT, "%s: tensor '%s': dtype is not a string", path, name);
    if (as_dtype_parse(dt->valuestring, &t->dtype) != AS_OK)
        return as_fail(AS_EFORMAT, "%s: tensor '%s': unknown dtype '%s'", path, name,
                       dt->valuestring);

    int rc = parse_shape(path, name, cJSON_GetObjectItemCaseSensitive(e, "shape"), t);
    if (rc)
        return rc;

    const cJSON *off = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!off)
        return as_fail(AS_EFORMAT, "%s: tensor '%s': missing data_offsets", path, name);
    uint64_t begin, end;
    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2 || !json_uint(off->child, &begin) ||
        !json_uint(off->child->next, &end))
        return as_fail(AS_EFORMAT,
                       "%s: tensor '%s': data_offsets is not [begin, end] with non-negative "
                       "integers",
                       path, name);
    if (begin > end)
        return as_fail(AS_EFORMAT, "%s: tensor '%s': data_offsets [%llu, %llu] has begin > end",
                       path, name, (unsigned long long)begin, (unsigned long long)end);
    if (end > area_size)
        return as_fail(AS_EFORMAT,
                       "%s: tensor '%s': data_offsets [%llu, %llu] end beyond the data area "
                       "(%zu bytes)",
                       path, name, (unsigned long long)begin, (unsigned long long)end, area_size);
    if (end - begin != t->nbytes) {
        char s[200];
        return as_fail(AS_EFORMAT,
                       "%s: tensor '%s': data_offsets [%llu, %llu] span %llu bytes but shape %s "
                       "%s needs %zu",
                       path, name, (unsigned long long)begin, (unsigned long long)end,
                       (unsigned long long)(end - begin),
                       as_st_shape_str(s, sizeof s, t->ndim, t->shape), as_dtype_name(t->dtype),
                       t->nbytes);
    }
    t->data = area + begin;
    return AS_OK;
}

/* ---- whole header ------------------------------------------------------------------------ */

static int parse_metadata(const char *path, const cJSON *m)
{
    if (!cJSON_IsObject(m))
        return as_fail(AS_EFORMAT, "%s: __metadata__ is not an object", path);
    for (const cJSON *kv = m->child; kv; kv = kv->next)
        if (!cJSON_IsString(kv))
            return as_fail(AS_EFORMAT, "%s: __metadata__ value '%s' is not a string", path,
                           kv->string);
    return AS_OK;
}

/* Every tensor parsed: names unique, spans disjoint. */
static int check_tensors(as_st_file *f, const char *path)
{
    f->by_name = as_xcalloc(f->count, sizeof *f->by_name);
    for (size_t i = 0; i < f->count; i++)
        f->by_name[i] = &f->tensors[i];
    qsort(f->by_name, f->count, sizeof *f->by_name, cmp_name);
    for (size_t i = 1; i < f->count; i++)
        if (strcmp(f->by_name[i - 1]->name, f->by_name[i]->name) == 0)
            return as_fail(AS_EFORMAT, "%s: duplicate tensor '%s'", path, f->by_name[i]->name);

    const as_st_tensor **spans = as_xcalloc(f->count, sizeof *spans);
    memcpy(spans, f->by_name, f->count * sizeof *spans);
    qsort(spans, f->count, sizeof *spans, cmp_span);
    int rc = AS_OK;
    const as_st_tensor *prev = NULL; /* the non-empty span reaching furthest so far */
    for (size_t i = 0; i < f->count && !rc; i++) {
        const as_st_tensor *t = spans[i];
        if (t->nbytes == 0)
            continue; /* an empty span holds no bytes, so it cannot overlap anything */
        if (prev && t->data < prev->data + prev->nbytes)
            rc = as_fail(AS_EFORMAT, "%s: tensors '%s' and '%s' have overlapping data_offsets",
                         path, prev->name, t->name);
        if (!prev || t->data + t->nbytes > prev->data + prev->nbytes)
            prev = t;
    }
    free(spans);
    return rc;
}

static int parse_header(as_st_file *f, const char *path)
{
    const uint8_t *d = f->map.data;
    size_t size = f->map.size;
    if (size < 8)
        return as_fail(AS_EFORMAT, "%s: file is %zu bytes, too short for the 8-byte header length",
                       path, size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | d[i];
    if (n == 0)
        return as_fail(AS_EFORMAT, "%s: header length is 0", path);
    if (n > size - 8)
        return as_fail(AS_EFORMAT, "%s: header length %llu exceeds the file size %zu", path,
                       (unsigned long long)n, size);
    if (n > AS_ST_MAX_HEADER)
        return as_fail(AS_EFORMAT, "%s: header length %llu exceeds the limit of %u bytes", path,
                       (unsigned long long)n, AS_ST_MAX_HEADER);

    const char *json = (const char *)d + 8, *end = NULL;
    /* JSON allows no raw control bytes, not even inside strings; cJSON would skip NULs as
     * whitespace and keep them in names, so reject them up front */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)json[i];
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            return as_fail(AS_EFORMAT, "%s: header has control byte 0x%02x at byte %zu", path, ch,
                           i + 8);
    }
    f->root = cJSON_ParseWithLengthOpts(json, (size_t)n, &end, 0);
    if (!f->root)
        return as_fail(AS_EFORMAT, "%s: header is not valid JSON (error near byte %zu)", path,
                       (size_t)(end ? end - json : 0) + 8);
    for (const char *p = end; p < json + n; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return as_fail(AS_EFORMAT, "%s: header has trailing bytes after the JSON (byte %zu)",
                           path, (size_t)(p - json) + 8);
    if (!cJSON_IsObject(f->root))
        return as_fail(AS_EFORMAT, "%s: header is not a JSON object", path);

    size_t count = 0;
    for (const cJSON *e = f->root->child; e; e = e->next) {
        if (strcmp(e->string, "__metadata__") == 0) {
            int rc = parse_metadata(path, e);
            if (rc)
                return rc;
            f->meta = e;
        } else if (++count > AS_ST_MAX_TENSORS) {
            return as_fail(AS_EFORMAT, "%s: more than %d tensors", path, AS_ST_MAX_TENSORS);
        }
    }

    char what[256];
    snprintf(what, sizeof what, "%s: tensor table", path);
    f->tensors = as_try_calloc(count, sizeof *f->tensors, what);
    if (!f->tensors)
        return AS_ENOMEM;
    const uint8_t *area = d + 8 + n;
    size_t area_size = size - 8 - (size_t)n;
    for (const cJSON *e = f->root->child; e; e = e->next) {
        if (e == f->meta)
            continue;
        int rc = parse_entry(path, e, area, area_size, &f->tensors[f->count]);
        if (rc)
            return rc;
        f->count++;
    }
    return check_tensors(f, path);
}

/* ---- public ------------------------------------------------------------------------------ */

int as_st_open(as_st_file **out, const char *path)
{
    *out = NULL;
    as_st_file *f = as_xcalloc(1, sizeof *f);
    int rc = as_map_open(&f->map, path);
    if (rc == AS_OK)
        rc = parse_header(f, path);
    if (rc) {
        as_st_close(f);
        return rc;
    }
    *out = f;
    return AS_OK;
}

void as_st_close(as_st_file *f)
{
    if (!f)
        return;
    free(f->by_name);
    free(f->tensors);
    cJSON_Delete(f->root);
    as_map_close(&f->map);
    free(f);
}

const char *as_st_path(const as_st_file *f)
{
    return f->map.path;
}

size_t as_st_count(const as_st_file *f)
{
    return f->count;
}

const as_st_tensor *as_st_at(const as_st_file *f, size_t i)
{
    AS_ASSERT(i < f->count);
    return &f->tensors[i];
}

const as_st_tensor *as_st_find(const as_st_file *f, const char *name)
{
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, f->by_name[mid]->name);
        if (c == 0)
            return f->by_name[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *as_st_metadata(const as_st_file *f, const char *key)
{
    const cJSON *v = f->meta ? cJSON_GetObjectItemCaseSensitive(f->meta, key) : NULL;
    return v ? v->valuestring : NULL;
}
