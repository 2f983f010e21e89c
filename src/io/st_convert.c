/* Tensor views -> plain f32 / int64 arrays. The data area has no alignment guarantee for a given
 * tensor (offsets are arbitrary byte counts), so every element is read with memcpy; the compiler
 * turns that into a plain load. safetensors is little-endian, and so are the hosts we build for. */
#include "attnscope/st.h"
#include "st_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; a big-endian host needs byte swapping here"
#endif

int as_st_to_f32(const as_st_file *f, const as_st_tensor *t, float *dst)
{
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case AS_DT_F32:
        if (t->nbytes)
            memcpy(dst, p, t->nbytes);
        return AS_OK;
    case AS_DT_F16:
    case AS_DT_BF16:
        for (size_t i = 0; i < t->numel; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            dst[i] = t->dtype == AS_DT_F16 ? as_f16_to_f32(h) : as_bf16_to_f32(h);
        }
        return AS_OK;
    case AS_DT_F64:
        for (size_t i = 0; i < t->numel; i++) {
            double d;
            memcpy(&d, p + 8 * i, 8);
            dst[i] = (float)d;
        }
        return AS_OK;
    default:
        return as_fail(AS_EFORMAT, "%s: tensor '%s' has dtype %s, expected a float type",
                       as_st_path(f), t->name, as_dtype_name(t->dtype));
    }
}

int as_st_to_i64(const as_st_file *f, const as_st_tensor *t, int64_t *dst)
{
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case AS_DT_I64:
        if (t->nbytes)
            memcpy(dst, p, t->nbytes);
        return AS_OK;
    case AS_DT_I32:
        for (size_t i = 0; i < t->numel; i++) {
            int32_t v;
            memcpy(&v, p + 4 * i, 4);
            dst[i] = v;
        }
        return AS_OK;
    case AS_DT_I16:
        for (size_t i = 0; i < t->numel; i++) {
            int16_t v;
            memcpy(&v, p + 2 * i, 2);
            dst[i] = v;
        }
        return AS_OK;
    case AS_DT_I8:
        for (size_t i = 0; i < t->numel; i++)
            dst[i] = (int8_t)p[i];
        return AS_OK;
    case AS_DT_U8:
    case AS_DT_BOOL: /* torch writes bools as one byte, 0 or 1 */
        for (size_t i = 0; i < t->numel; i++)
            dst[i] = p[i];
        return AS_OK;
    default:
        return as_fail(AS_EFORMAT, "%s: tensor '%s' has dtype %s, expected an integer type",
                       as_st_path(f), t->name, as_dtype_name(t->dtype));
    }
}

int as_st_load_f32(const as_st_file *f, const char *name, int ndim, const int64_t *shape,
                   float **out)
{
    AS_ASSERT(ndim >= 0 && ndim <= AS_ST_MAX_DIMS);
    *out = NULL;
    const as_st_tensor *t = as_st_find(f, name);
    if (!t)
        return as_fail(AS_EFORMAT, "%s: missing tensor '%s'", as_st_path(f), name);
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = t->shape[i] == shape[i];
    if (!same) {
        char have[200], want[200];
        return as_fail(AS_EFORMAT, "%s: tensor '%s' has shape %s but config.json implies %s",
                       as_st_path(f), name, as_st_shape_str(have, sizeof have, t->ndim, t->shape),
                       as_st_shape_str(want, sizeof want, ndim, shape));
    }
    char what[300];
    snprintf(what, sizeof what, "%s: tensor '%s'", as_st_path(f), name);
    float *buf = as_try_calloc(t->numel, sizeof *buf, what);
    if (!buf)
        return AS_ENOMEM;
    int rc = as_st_to_f32(f, t, buf);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    return AS_OK;
}
