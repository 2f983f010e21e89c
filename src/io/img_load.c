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

/* stb_image 2.27 (Debian 12's libstb) writes past a 257-byte table when a JPEG Huffman table
 * (DHT segment) declares more than 256 codes: fixed upstream in 2.28, found here by fuzzing.
 * Such files are refused before stb sees them. The walk follows stb: markers between scans
 * too, and a table's 16 counts read even past its segment, as stb reads them. 0: bad table. */
static int jpeg_tables_ok(const uint8_t *d, size_t n)
{
    size_t i = 0;
    while (i < n && d[i] == 0xFF)
        i++; /* stb takes any number of 0xFF before the SOI marker */
    if (i == 0 || i >= n || d[i] != 0xD8)
        return 1; /* not a JPEG */
    i++;
    while (i + 4 <= n) {
        uint8_t mk = d[i + 1];
        if (d[i] != 0xFF || mk == 0x00 || mk == 0xFF || mk == 0x01 || mk == 0xD8 ||
            (mk >= 0xD0 && mk <= 0xD7)) {
            i++; /* entropy-coded data, stuffing, fill bytes, restart markers */
            continue;
        }
        size_t len = (size_t)d[i + 2] << 8 | d[i + 3], p = i + 4;
        if (mk == 0xC4)
            for (long left = (long)len - 2; left > 0;) {
                size_t count = 0;
                for (size_t k = 1; k <= 16; k++)
                    count += p + k < n ? d[p + k] : 0;
                if (count > 256)
                    return 0;
                p += 17 + count;
                left -= (long)(17 + count);
            }
        i = i + 2 + len > p ? i + 2 + len : p;
    }
    return 1;
}

int as_img_decode(as_img *out, const uint8_t *data, size_t n, const char *name)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return as_fail(AS_EFORMAT, "%s: empty file, not an image", name);
    if (n > INT_MAX)
        return as_fail(AS_EUNSUPPORTED, "%s: file of %zu bytes is too large for an image", name,
                       n);
    if (!jpeg_tables_ok(data, n))
        return as_fail(AS_EFORMAT, "%s: corrupt JPEG (a Huffman table with more than 256 codes)",
                       name);
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
