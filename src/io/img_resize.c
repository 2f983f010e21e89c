/* Pillow-exact resampling (libImaging/Resample.c): for each output index a window of input taps
 * weighted by the filter, normalised in double, then rounded to 22-bit fixed point; the sum is
 * rounded and clamped to 0..255. Hugging Face image processors resize with Pillow, so matching
 * its integer arithmetic is what makes pixel_values agree to float rounding. */
#include "attnscope/img.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PRECISION_BITS 22

static double bilinear(double x)
{
    x = fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

/* Keys' cubic with a = -0.5, as Pillow. */
static double bicubic(double x)
{
    const double a = -0.5;
    x = fabs(x);
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

/* Taps of one axis: for output o, inputs lo[o] .. lo[o] + n[o] - 1 with weights k[o * ksize ..]. */
typedef struct taps {
    int ksize;
    int *lo, *n;
    int32_t *k;
} taps;

static void taps_free(taps *t)
{
    free(t->lo);
    free(t->n);
    free(t->k);
}

static int taps_make(taps *t, int in_size, int out_size, as_img_filter filter)
{
    double (*fn)(double) = filter == AS_IMG_BICUBIC ? bicubic : bilinear;
    double fsupport = filter == AS_IMG_BICUBIC ? 2.0 : 1.0;
    double scale = (double)in_size / out_size;
    double fs = scale < 1.0 ? 1.0 : scale;
    double support = fsupport * fs;
    memset(t, 0, sizeof *t);
    t->ksize = (int)ceil(support) * 2 + 1;
    t->lo = as_try_calloc((size_t)out_size, sizeof(int), "resize taps");
    t->n = as_try_calloc((size_t)out_size, sizeof(int), "resize taps");
    t->k = as_try_calloc((size_t)out_size * t->ksize, sizeof(int32_t), "resize taps");
    double *w = as_try_calloc((size_t)t->ksize, sizeof(double), "resize taps");
    if (!t->lo || !t->n || !t->k || !w) {
        free(w);
        taps_free(t);
        return AS_ENOMEM;
    }
    for (int o = 0; o < out_size; o++) {
        double center = (o + 0.5) * scale;
        /* (int) truncates toward zero, as Pillow's C casts do */
        int lo = (int)(center - support + 0.5), hi = (int)(center + support + 0.5);
        lo = lo < 0 ? 0 : lo;
        hi = hi > in_size ? in_size : hi;
        double sum = 0.0;
        for (int i = 0; i < hi - lo; i++) {
            w[i] = fn((i + lo - center + 0.5) / fs);
            sum += w[i];
        }
        for (int i = 0; i < hi - lo; i++) {
            double v = sum != 0.0 ? w[i] / sum : w[i];
            /* Pillow rounds half away from zero (negative bicubic lobes included) */
            double fixed = v * (1 << PRECISION_BITS);
            t->k[(size_t)o * t->ksize + i] = (int32_t)(v < 0 ? fixed - 0.5 : fixed + 0.5);
        }
        t->lo[o] = lo;
        t->n[o] = hi - lo;
    }
    free(w);
    return AS_OK;
}

static uint8_t clip8(int64_t acc)
{
    int64_t v = acc >> PRECISION_BITS; /* arithmetic shift: floor, as in Pillow */
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* One pass along x (horizontal) or y: out has in's size except along the resized axis. */
static int pass(const as_img *in, as_img *out, int out_size, int horizontal, as_img_filter f)
{
    int ow = horizontal ? out_size : in->w, oh = horizontal ? in->h : out_size;
    taps t;
    int rc = taps_make(&t, horizontal ? in->w : in->h, out_size, f);
    if (rc == AS_OK)
        rc = as_img_alloc(out, ow, oh);
    if (rc != AS_OK) {
        taps_free(&t);
        return rc;
    }
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            int o = horizontal ? x : y;
            const int32_t *k = t.k + (size_t)o * t.ksize;
            for (int c = 0; c < 3; c++) {
                int64_t acc = 1 << (PRECISION_BITS - 1);
                for (int i = 0; i < t.n[o]; i++) {
                    int sx = horizontal ? t.lo[o] + i : x, sy = horizontal ? y : t.lo[o] + i;
                    acc += (int64_t)k[i] * in->rgb[((size_t)sy * in->w + sx) * 3 + c];
                }
                out->rgb[((size_t)y * ow + x) * 3 + c] = clip8(acc);
            }
        }
    taps_free(&t);
    return AS_OK;
}

int as_img_resize(const as_img *in, int w, int h, as_img_filter filter, as_img *out)
{
    AS_ASSERT(w > 0 && h > 0 && in->w > 0 && in->h > 0);
    as_img tmp = {0};
    const as_img *src = in;
    int rc = AS_OK;
    if (w != in->w) {
        rc = pass(in, &tmp, w, 1, filter);
        src = &tmp;
    }
    if (rc == AS_OK && h != in->h)
        rc = pass(src, out, h, 0, filter);
    else if (rc == AS_OK) {
        /* at most one pass ran: hand over its result, or copy an unchanged image */
        if (src == &tmp) {
            *out = tmp;
            return AS_OK;
        }
        rc = as_img_alloc(out, in->w, in->h);
        if (rc == AS_OK)
            memcpy(out->rgb, in->rgb, (size_t)in->w * in->h * 3);
    }
    as_img_free(&tmp);
    return rc;
}
