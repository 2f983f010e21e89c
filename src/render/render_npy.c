/* NumPy .npy files (format version 1.0, numpy/lib/format.py): "\x93NUMPY", version, a
 * little-endian header length, a Python dict literal padded with spaces to a multiple of 64
 * bytes and ended by '\n', then the raw C-order data. Written as little-endian float32; read
 * from <f4, <f8 or <f2 in C order. */
#include "attnscope/render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6

int as_render_npy_write(FILE *out, const char *path, const float *data, int ndim,
                        const int64_t *shape)
{
    AS_ASSERT(ndim >= 1 && ndim <= AS_RENDER_NPY_MAX_DIMS);
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        // Python tuple syntax, as numpy writes it: (6,) and (2, 3)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%lld%s", d ? ", " : "",
                      (long long)shape[d], ndim == 1 ? "," : "");
        count *= (size_t)shape[d];
    }
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    // magic (6) + version (2) + length (2) + dict + padding + '\n' = a multiple of 64
    int total = (MAGIC_LEN + 4 + n + 1 + 63) / 64 * 64, hlen = total - MAGIC_LEN - 4;
    unsigned char pre[MAGIC_LEN + 4] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                        (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
    fwrite(pre, 1, sizeof pre, out);
    fprintf(out, "%s%*s\n", dict, hlen - n - 1, "");
    // x86/arm little-endian hosts write floats as they are in memory; the header says "<f4"
    const uint16_t probe = 1;
    AS_ASSERT(*(const unsigned char *)&probe == 1);
    fwrite(data, sizeof *data, count, out);
    if (ferror(out))
        return as_fail(AS_EIO, "%s: write error: %s", path, strerror(errno));
    return AS_OK;
}

/* Finds 'key': in the header dict and returns the text after it (spaces skipped), or NULL. */
static const char *dict_value(const char *dict, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s':", key);
    const char *p = strstr(dict, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    return p;
}

int as_render_npy_parse(const void *buf, size_t size, const char *path, as_render_npy *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *b = buf;
    if (size < MAGIC_LEN + 4 || memcmp(b, MAGIC, MAGIC_LEN) != 0)
        return as_fail(AS_EFORMAT, "%s: not a .npy file (no \\x93NUMPY magic)", path);
    size_t hlen, off;
    if (b[6] == 1) {
        hlen = b[8] | (size_t)b[9] << 8;
        off = 10;
    } else if (b[6] == 2 || b[6] == 3) {
        if (size < 12)
            return as_fail(AS_EFORMAT, "%s: truncated .npy header", path);
        hlen = b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        off = 12;
    } else {
        return as_fail(AS_EFORMAT, "%s: .npy format version %d is not supported", path, b[6]);
    }
    if (hlen > size - off || hlen > 65536)
        return as_fail(AS_EFORMAT, "%s: .npy header length %zu exceeds the file", path, hlen);
    char *dict = as_xmalloc(hlen + 1);
    memcpy(dict, b + off, hlen);
    dict[hlen] = '\0';
    int rc = AS_OK, width = 0;
    const char *descr = dict_value(dict, "descr"), *fo = dict_value(dict, "fortran_order");
    const char *shape = dict_value(dict, "shape");
    if (!descr || !fo || !shape || *shape != '(')
        rc = as_fail(AS_EFORMAT, "%s: .npy header lacks descr, fortran_order or shape", path);
    else if (strncmp(descr, "'<f4'", 5) == 0)
        width = 4;
    else if (strncmp(descr, "'<f8'", 5) == 0)
        width = 8;
    else if (strncmp(descr, "'<f2'", 5) == 0)
        width = 2;
    else /* name the dtype up to its closing quote (a bare 8 bytes ran into the next key) */
        rc = as_fail(AS_EUNSUPPORTED, "%s: .npy dtype %.*s is not supported (need <f4, <f8 or "
                                      "<f2)", path, (int)strcspn(descr, ",}"), descr);
    if (rc == AS_OK && strncmp(fo, "False", 5) != 0)
        rc = as_fail(AS_EUNSUPPORTED, "%s: Fortran-order .npy arrays are not supported", path);
    size_t count = 1;
    for (const char *p = rc == AS_OK ? shape + 1 : NULL; rc == AS_OK && *p != ')';) {
        char *end;
        errno = 0;
        long long d = strtoll(p, &end, 10);
        if (end == p || errno || d < 0 || d > (1LL << 31) || out->ndim == AS_RENDER_NPY_MAX_DIMS)
            rc = as_fail(AS_EFORMAT, "%s: bad .npy shape %.40s", path, shape);
        else {
            out->shape[out->ndim++] = d;
            /* checked: (2^31, 8, 2^31) would wrap to 2 elements and pass the size test */
            if (as_mul_size(count, (size_t)d, &count) != 0 || count > ((size_t)1 << 34))
                rc = as_fail(AS_EFORMAT, "%s: .npy array is too large", path);
            p = end;
            while (*p == ',' || *p == ' ')
                p++;
        }
    }
    free(dict);
    if (rc != AS_OK)
        return rc;
    off += hlen;
    if ((size - off) / (size_t)width < count)
        return as_fail(AS_EFORMAT, "%s: .npy data holds %zu bytes, the shape needs %zu", path,
                       size - off, count * (size_t)width);
    out->count = count;
    out->data = as_try_calloc(count ? count : 1, sizeof *out->data, "npy: array");
    if (!out->data)
        return AS_ENOMEM;
    const unsigned char *d = b + off;
    for (size_t i = 0; i < count; i++) { // memcpy: the data need not be aligned
        if (width == 4) {
            memcpy(&out->data[i], d + 4 * i, 4);
        } else if (width == 8) {
            double v;
            memcpy(&v, d + 8 * i, 8);
            out->data[i] = (float)v;
        } else {
            uint16_t h;
            memcpy(&h, d + 2 * i, 2);
            out->data[i] = as_f16_to_f32(h);
        }
    }
    return AS_OK;
}

void as_render_npy_free(as_render_npy *a)
{
    free(a->data);
    a->data = NULL;
}
