/* safetensors dtype table (names as spelled in the header, element sizes) and shape text. */
#include "attnscope/st.h"
#include "st_internal.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    [AS_DT_F32] = {"F32", 4}, [AS_DT_F16] = {"F16", 2}, [AS_DT_BF16] = {"BF16", 2},
    [AS_DT_F64] = {"F64", 8}, [AS_DT_I64] = {"I64", 8}, [AS_DT_I32] = {"I32", 4},
    [AS_DT_I16] = {"I16", 2}, [AS_DT_I8] = {"I8", 1},   [AS_DT_U8] = {"U8", 1},
    [AS_DT_BOOL] = {"BOOL", 1},
};

#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])

size_t as_dtype_size(as_dtype dt)
{
    AS_ASSERT((size_t)dt < N_DTYPES);
    return dtypes[dt].size;
}

const char *as_dtype_name(as_dtype dt)
{
    AS_ASSERT((size_t)dt < N_DTYPES);
    return dtypes[dt].name;
}

int as_dtype_parse(const char *name, as_dtype *out)
{
    for (size_t i = 0; i < N_DTYPES; i++) {
        if (strcmp(name, dtypes[i].name) == 0) {
            *out = (as_dtype)i;
            return AS_OK;
        }
    }
    return AS_EUNSUPPORTED;
}

const char *as_st_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "[");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
    return buf;
}
