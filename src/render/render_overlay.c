/* Attention over a patch grid blended onto the input image, DINO-style threshold masks, and
 * half-block packing of RGB pixels into text cells. Pure: no terminal, no files. */
#include "attnscope/render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* [*a, *b) of the n source indices covered by output index i of m (at least one index, so an
 * upscale repeats the nearest source pixel and a downscale averages a box). */
static void box(int i, int m, int n, int *a, int *b)
{
    *a = (int)((long)i * n / m);
    *b = (int)((long)(i + 1) * n / m);
    if (*b <= *a)
        *b = *a + 1;
}

/* The grid cell holding the centre of output index i of m. */
static int cell_of(int i, int m, int cells)
{
    int c = (int)(((double)i + 0.5) * cells / m);
    return c < cells ? c : cells - 1;
}

void as_render_overlay(const uint8_t *rgb, int w, int h, const float *map, int grid_rows,
                       int grid_cols, const as_render_overlay_opts *o, int out_w, int out_h,
                       uint8_t *out)
{
    AS_ASSERT(w > 0 && h > 0 && grid_rows > 0 && grid_cols > 0 && out_w > 0 && out_h > 0);
    as_render_rgb lut[256];
    as_render_cmap_lut(o->cmap, lut);
    float alpha = o->alpha < 0 ? 0 : o->alpha > 1 ? 1 : o->alpha;
    for (int y = 0; y < out_h; y++) {
        int y0, y1;
        box(y, out_h, h, &y0, &y1);
        int gy = cell_of(y, out_h, grid_rows);
        for (int x = 0; x < out_w; x++) {
            int x0, x1;
            box(x, out_w, w, &x0, &x1);
            int gx = cell_of(x, out_w, grid_cols);
            unsigned long sum[3] = {0, 0, 0}, cnt = (unsigned long)(y1 - y0) * (x1 - x0);
            for (int sy = y0; sy < y1; sy++)
                for (int sx = x0; sx < x1; sx++)
                    for (int c = 0; c < 3; c++)
                        sum[c] += rgb[((size_t)sy * w + sx) * 3 + c];
            int cell = gy * grid_cols + gx;
            as_render_rgb heat = lut[as_render_level(map[cell], o->lo, o->hi)];
            const uint8_t hc[3] = {heat.r, heat.g, heat.b};
            uint8_t *px = out + ((size_t)y * out_w + x) * 3;
            for (int c = 0; c < 3; c++) {
                float img = (float)((sum[c] + cnt / 2) / cnt);
                float v = (o->mask && !o->mask[cell]) ? img * 0.25f
                                                      : img * (1 - alpha) + hc[c] * alpha;
                px[c] = (uint8_t)(v + 0.5f);
            }
        }
    }
}

typedef struct ranked {
    float v;
    int i;
} ranked;

static int by_value(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return a->i - b->i;
}

void as_render_threshold_mask(const float *map, int n, float keep, uint8_t *mask)
{
    AS_ASSERT(n >= 1);
    ranked *r = as_xmalloc(sizeof *r * (size_t)n);
    double total = 0;
    for (int i = 0; i < n; i++) {
        r[i] = (ranked){isnan(map[i]) ? 0.0f : map[i], i};
        total += r[i].v;
    }
    qsort(r, (size_t)n, sizeof *r, by_value);
    double cum = 0, floor_mass = (1.0 - keep) * total;
    for (int k = 0; k < n; k++) {
        cum += r[k].v;
        mask[r[k].i] = cum > floor_mass;
    }
    free(r);
}

int as_render_rgb_grid_from_pixels(as_render_rgb_grid *g, const uint8_t *px, int w, int h)
{
    AS_ASSERT(w > 0 && h > 0);
    memset(g, 0, sizeof *g);
    int rows = (h + 1) / 2;
    g->cells = as_try_calloc((size_t)rows * w, sizeof *g->cells, "overlay cells");
    if (!g->cells)
        return AS_ENOMEM;
    g->rows = rows;
    g->cols = w;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < w; c++) {
            const uint8_t *up = px + ((size_t)(2 * r) * w + c) * 3;
            as_render_rgb_cell *cell = &g->cells[(size_t)r * w + c];
            cell->glyph = AS_RENDER_UPPER_HALF;
            cell->fg = (as_render_rgb){up[0], up[1], up[2]};
            if (2 * r + 1 < h) {
                const uint8_t *lo = up + (size_t)w * 3;
                cell->bg = (as_render_rgb){lo[0], lo[1], lo[2]};
            }
        }
    return AS_OK;
}

void as_render_rgb_grid_free(as_render_rgb_grid *g)
{
    free(g->cells);
    memset(g, 0, sizeof *g);
}

int as_render_overlay_cells(as_render_rgb_grid *g, const uint8_t *rgb, int w, int h,
                            const float *map, int grid_rows, int grid_cols,
                            const as_render_overlay_opts *o, int cols, int rows)
{
    memset(g, 0, sizeof *g);
    uint8_t *px = as_try_calloc((size_t)cols * 2 * rows, 3, "overlay pixels");
    if (!px)
        return AS_ENOMEM;
    as_render_overlay(rgb, w, h, map, grid_rows, grid_cols, o, cols, 2 * rows, px);
    int rc = as_render_rgb_grid_from_pixels(g, px, cols, 2 * rows);
    free(px);
    return rc;
}

void as_render_overlay_fit(int w, int h, int max_cols, int max_rows, float cell_aspect,
                           int *cols, int *rows)
{
    /* physical size of cols x rows cells: cols wide, rows * cell_aspect tall */
    int c = max_cols, r = (int)lround((double)c * h / ((double)w * cell_aspect));
    if (r > max_rows) {
        r = max_rows;
        c = (int)lround((double)r * cell_aspect * w / h);
    }
    *cols = c < 1 ? 1 : c > max_cols ? max_cols : c;
    *rows = r < 1 ? 1 : r > max_rows ? max_rows : r;
}
