/* Image decoding through stb_image into 8-bit RGB, with the size checked before decoding. */
#include "attnscope/img.h"

#include <limits.h>
#include <stb_image.h>
#include <stdlib.h>
#include <string.h>

int as_img_alloc(as_img *out, int w, int h)
{
    memset(out, 0, sizeof *out);
    AS_ASSERT(w > 0 && h > 0);
    out->rgb = as_try_calloc((size_t)w * (size_t)h, 3, "image");
    if (!out->rgb)
        return AS_ENOMEM;
    out->w = w;
    out->h = h;
    return AS_OK;
}

void as_img_free(as_img *img)
{
    if (!img)
        return;
    free(img->rgb);
    memset(img, 0, sizeof *img);
}

int as_img_decode(as_img *out, const uint8_t *data, size_t n, const char *name)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return as_fail(AS_EFORMAT, "%s: empty file, not an image", name);
    if (n > INT_MAX)
        return as_fail(AS_EUNSUPPORTED, "%s: file of %zu bytes is too large for an image", name,
                       n);
    int w, h, comp;
    /* the header alone gives the size: refuse huge images before allocating anything */
    if (!stbi_info_from_memory(data, (int)n, &w, &h, &comp))
        return as_fail(AS_EFORMAT, "%s: not a readable image (%s)", name,
                       stbi_failure_reason());
    if (w <= 0 || h <= 0)
        return as_fail(AS_EFORMAT, "%s: image has zero size (%dx%d)", name, w, h);
    if (w > AS_IMG_MAX_SIDE || h > AS_IMG_MAX_SIDE || (long)w * h > AS_IMG_MAX_PIXELS)
        return as_fail(AS_EUNSUPPORTED, "%s: image is %dx%d; the limit is %d pixels per side and "
                                        "%ld pixels in all", name, w, h, AS_IMG_MAX_SIDE,
                       AS_IMG_MAX_PIXELS);
    /* 3 requested channels: stb replicates grey and drops alpha, as PIL's convert("RGB") does;
     * a GIF yields its first frame */
    uint8_t *px = stbi_load_from_memory(data, (int)n, &w, &h, &comp, 3);
    if (!px)
        return as_fail(AS_EFORMAT, "%s: cannot decode image (%s)", name, stbi_failure_reason());
    int rc = as_img_alloc(out, w, h);
    if (rc == AS_OK)
        memcpy(out->rgb, px, (size_t)w * h * 3);
    stbi_image_free(px);
    return rc;
}

int as_img_load(as_img *out, const char *path)
{
    memset(out, 0, sizeof *out);
    as_map map;
    int rc = as_map_open(&map, path);
    if (rc != AS_OK)
        return rc;
    rc = as_img_decode(out, map.data, map.size, path);
    as_map_close(&map);
    return rc;
}
