/* The Hugging Face ViTImageProcessor pipeline: preprocessor_config.json, then resize (Pillow),
 * rescale and normalise into CHW floats with the reference's float rounding. */
#include "attnscope/img.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNull(v) ? NULL : v;
}

static int get_bool(const char *path, const cJSON *o, const char *key, int *out)
{
    const cJSON *v = get(o, key);
    if (!v)
        return AS_OK;
    if (!cJSON_IsBool(v))
        return as_fail(AS_EFORMAT, "%s: %s must be true or false", path, key);
    *out = cJSON_IsTrue(v);
    return AS_OK;
}

static int positive(const char *path, const cJSON *v, const char *key, int *out)
{
    /* the range first: converting an out-of-range double (1e40, inf) to int is undefined */
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0;
    if (!(d >= 1 && d <= AS_IMG_MAX_SIDE) || d != (int)d)
        return as_fail(AS_EFORMAT, "%s: %s must be an integer in 1..%d", path, key,
                       AS_IMG_MAX_SIDE);
    *out = (int)d;
    return AS_OK;
}

/* "size": N, or {"height": H, "width": W}. {"shortest_edge": N} means resize then crop in the
 * processors that use it, and attnscope never crops. */
static int get_size(as_img_prep *p, const char *path, const cJSON *o)
{
    const cJSON *v = get(o, "size");
    if (!v)
        return AS_OK;
    if (cJSON_IsNumber(v)) {
        int rc = positive(path, v, "size", &p->width);
        p->height = p->width;
        return rc;
    }
    const cJSON *h = get(v, "height"), *w = get(v, "width");
    if (!cJSON_IsObject(v) || !h || !w)
        return as_fail(AS_EUNSUPPORTED, "%s: size must be an integer or {\"height\", \"width\"} "
                                        "(other forms crop, which attnscope never does)", path);
    int rc = positive(path, h, "size.height", &p->height);
    return rc ? rc : positive(path, w, "size.width", &p->width);
}

static int get_triple(const char *path, const cJSON *o, const char *key, float out[3], int nz)
{
    const cJSON *v = get(o, key);
    if (!v)
        return AS_OK;
    if (cJSON_IsNumber(v)) { /* old feature extractors allow one value for all channels */
        out[0] = out[1] = out[2] = (float)v->valuedouble;
    } else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 3) {
        for (int i = 0; i < 3; i++) {
            const cJSON *e = cJSON_GetArrayItem(v, i);
            if (!cJSON_IsNumber(e))
                return as_fail(AS_EFORMAT, "%s: %s must hold 3 numbers", path, key);
            out[i] = (float)e->valuedouble;
        }
    } else {
        return as_fail(AS_EFORMAT, "%s: %s must be a list of 3 numbers", path, key);
    }
    for (int i = 0; nz && i < 3; i++)
        if (!(out[i] > 0.0f))
            return as_fail(AS_EFORMAT, "%s: %s values must be positive", path, key);
    return AS_OK;
}

static int parse(as_img_prep *p, const char *path, const cJSON *o)
{
    int rc, crop = 0;
    if ((rc = get_bool(path, o, "do_resize", &p->do_resize)) ||
        (rc = get_bool(path, o, "do_rescale", &p->do_rescale)) ||
        (rc = get_bool(path, o, "do_normalize", &p->do_normalize)) ||
        (rc = get_bool(path, o, "do_center_crop", &crop)) || (rc = get_size(p, path, o)) ||
        (rc = get_triple(path, o, "image_mean", p->mean, 0)) ||
        (rc = get_triple(path, o, "image_std", p->std, 1)))
        return rc;
    if (crop)
        return as_fail(AS_EUNSUPPORTED, "%s: do_center_crop is true; attnscope resizes the whole "
                                        "image and never crops", path);
    const cJSON *v = get(o, "resample");
    if (v && !(cJSON_IsNumber(v) && (v->valueint == AS_IMG_BILINEAR ||
                                     v->valueint == AS_IMG_BICUBIC)))
        return as_fail(AS_EUNSUPPORTED, "%s: resample must be 2 (bilinear) or 3 (bicubic)", path);
    if (v)
        p->resample = (as_img_filter)v->valueint;
    if ((v = get(o, "rescale_factor"))) {
        if (!cJSON_IsNumber(v) || !(v->valuedouble > 0))
            return as_fail(AS_EFORMAT, "%s: rescale_factor must be a positive number", path);
        p->rescale_factor = v->valuedouble;
    }
    return AS_OK;
}

int as_img_prep_load(as_img_prep *p, const char *dir, int image_size)
{
    /* ViTImageProcessor defaults (IMAGENET_STANDARD mean and std) */
    *p = (as_img_prep){.do_resize = 1, .do_rescale = 1, .do_normalize = 1, .width = image_size,
                       .height = image_size, .resample = AS_IMG_BILINEAR,
                       .rescale_factor = 1.0 / 255, .mean = {0.5f, 0.5f, 0.5f},
                       .std = {0.5f, 0.5f, 0.5f}};
    char *path = as_path_join(dir, "preprocessor_config.json");
    if (!as_file_exists(path)) {
        free(path);
        return AS_OK;
    }
    char *text;
    size_t len;
    int rc = as_read_file(path, &text, &len);
    if (rc == AS_OK) {
        cJSON *root = cJSON_ParseWithLength(text, len);
        if (!cJSON_IsObject(root))
            rc = as_fail(AS_EFORMAT, "%s: not a JSON object", path);
        else
            rc = parse(p, path, root);
        cJSON_Delete(root);
        free(text);
    }
    free(path);
    return rc;
}

int as_img_pixel_values(const as_img_prep *p, const as_img *img, const char *name, float *out)
{
    as_img sized = {0};
    const as_img *src = img;
    if (p->do_resize && (img->w != p->width || img->h != p->height)) {
        int rc = as_img_resize(img, p->width, p->height, p->resample, &sized);
        if (rc != AS_OK)
            return rc;
        src = &sized;
    } else if (img->w != p->width || img->h != p->height) {
        return as_fail(AS_EINVAL, "%s: image is %dx%d but the model takes %dx%d and its "
                                  "preprocessor does not resize", name, img->w, img->h,
                       p->width, p->height);
    }
    size_t plane = (size_t)p->width * p->height;
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++) {
            float x = src->rgb[i * 3 + c];
            if (p->do_rescale) /* uint8 array * Python float: double product, then float32 */
                x = (float)(src->rgb[i * 3 + c] * p->rescale_factor);
            if (p->do_normalize)
                x = (x - p->mean[c]) / p->std[c];
            out[c * plane + i] = x;
        }
    as_img_free(&sized);
    return AS_OK;
}
