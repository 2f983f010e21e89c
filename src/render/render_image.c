/* Raster heat map: one block of `cell` x `cell` pixels per matrix entry, a title above, and a
 * colour bar with its value range at the right. Pure: builds an RGB buffer; render_png.c writes
 * it. Text is drawn with stb_easy_font (quads of a 7-pixel-high segment font), the only font that
 * needs no font files. */
#include "attnscope/render.h"

#include <stdlib.h>
#include <string.h>

/* stb_easy_font.h is a third-party single header of static functions, some of which this file
 * does not call; its own style does not follow our warning set. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

#define PAD 8      /* blank border, pixels */
#define BAR_GAP 10 /* heat map -> colour bar */
#define BAR_W 12   /* colour bar width */
#define TEXT_H 12  /* one line of text incl. spacing (the font is 7 pixels high) */
#define MAX_SIDE 16384 /* largest image side written: PNG viewers choke beyond it */

static void fill(as_render_image *img, int x0, int y0, int x1, int y1, as_render_rgb c)
{
    x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > img->w ? img->w : x1, y1 = y1 > img->h ? img->h : y1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            uint8_t *p = img->rgb + ((size_t)y * img->w + x) * 3;
            p[0] = c.r, p[1] = c.g, p[2] = c.b;
        }
}

/* Copies s with anything but printable ASCII as '?' (the font has nothing else). */
static void ascii_copy(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = s[i] >= 32 && s[i] < 127 ? s[i] : '?';
    out[i] = '\0';
}

/* Text width in pixels. */
static int text_width(const char *s)
{
    char buf[256];
    ascii_copy(s, buf, sizeof buf);
    return stb_easy_font_width(buf);
}

/* Draws text with its top-left corner at (x, y), in black. */
static void draw_text(as_render_image *img, int x, int y, const char *s)
{
    char buf[256];
    ascii_copy(s, buf, sizeof buf);
    // the header asks for ~270 bytes of vertices per character; a quad is 4 x (x, y, z, colour)
    int size = 270 * ((int)strlen(buf) + 1);
    float *quads = as_xmalloc((size_t)size);
    unsigned char color[4] = {0, 0, 0, 255};
    int nq = stb_easy_font_print((float)x, (float)y, buf, color, quads, size);
    for (int q = 0; q < nq; q++) { // axis-aligned quads: corners 0 and 2 are opposite
        const float *v0 = quads + (size_t)q * 16, *v2 = v0 + 8;
        fill(img, (int)v0[0], (int)v0[1], (int)v2[0], (int)v2[1], (as_render_rgb){0, 0, 0});
    }
    free(quads);
}

int as_render_image_auto_cell(int rows, int cols)
{
    int side = rows > cols ? rows : cols, cell = 480 / (side ? side : 1);
    return cell < 1 ? 1 : cell > 24 ? 24 : cell;
}

int as_render_image_build(as_render_image *img, const float *m, int rows, int cols,
                          const as_render_image_opts *o)
{
    memset(img, 0, sizeof *img);
    int cell = o->cell > 0 ? o->cell : as_render_image_auto_cell(rows, cols);
    if ((long)rows * cell > MAX_SIDE || (long)cols * cell > MAX_SIDE)
        return as_fail(AS_EINVAL, "image: %d x %d cells of %d pixels exceed %d pixels a side",
                       rows, cols, cell, MAX_SIDE);
    float lo, hi;
    as_render_range(o->norm, m, rows, cols, cols, &lo, &hi);
    char lo_s[32], hi_s[32];
    snprintf(lo_s, sizeof lo_s, "%.3g", lo);
    snprintf(hi_s, sizeof hi_s, "%.3g", hi);
    int tw = text_width(lo_s) > text_width(hi_s) ? text_width(lo_s) : text_width(hi_s);
    int top = PAD + (o->title ? TEXT_H : 0);
    int mw = cols * cell, mh = rows * cell, bar_h = mh < 64 ? 64 : mh;
    img->x0 = PAD, img->y0 = top, img->cell = cell;
    img->w = PAD + mw + BAR_GAP + BAR_W + 4 + tw + PAD;
    if (o->title && PAD + text_width(o->title) + PAD > img->w)
        img->w = PAD + text_width(o->title) + PAD;
    img->h = top + bar_h + PAD;
    img->rgb = as_try_calloc((size_t)img->w * img->h, 3, "image: pixels");
    if (!img->rgb)
        return AS_ENOMEM;
    memset(img->rgb, 0xff, (size_t)img->w * img->h * 3);

    as_render_rgb lut[256];
    as_render_cmap_lut(o->cmap, lut);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            int x = PAD + j * cell, y = top + i * cell;
            fill(img, x, y, x + cell, y + cell, lut[as_render_level(m[(size_t)i * cols + j], lo, hi)]);
        }
    // colour bar: hi at the top, lo at the bottom, with both values written beside it
    int bx = PAD + mw + BAR_GAP;
    for (int y = 0; y < bar_h; y++)
        fill(img, bx, top + y, bx + BAR_W, top + y + 1,
             lut[255 - (bar_h > 1 ? y * 255 / (bar_h - 1) : 0)]);
    draw_text(img, bx + BAR_W + 4, top, hi_s);
    draw_text(img, bx + BAR_W + 4, top + bar_h - 8, lo_s);
    if (o->title)
        draw_text(img, PAD, PAD - 2, o->title);
    return AS_OK;
}

void as_render_image_free(as_render_image *img)
{
    free(img->rgb);
    img->rgb = NULL;
}
