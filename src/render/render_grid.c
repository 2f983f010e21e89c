/* The cell grid: a matrix pooled onto "pixels" (one bin per pixel, scaled up by repetition) and
 * packed into text cells. Half-block mode puts two pixel rows in one cell as U+2580 with
 * fg = upper and bg = lower (chafa/internal/chafa-symbols-block.h), doubling the vertical
 * resolution and making a cell about square. */
#include "attnscope/render.h"

#include <stdlib.h>

void as_render_grid_free(as_render_grid *g)
{
    free(g->cells);
    g->cells = NULL;
    g->rows = g->cols = 0;
}

int as_render_grid_build(as_render_grid *g, const float *m, int rows, int cols, int stride,
                         const as_render_grid_opts *o)
{
    AS_ASSERT(o->rows.n == rows && o->cols.n == cols);
    g->rows = g->cols = 0;
    g->cells = NULL;
    int br = o->rows.bins, bc = o->cols.bins;
    float *pooled = as_try_calloc((size_t)br * bc, sizeof *pooled, "heat map pooling");
    if (!pooled)
        return AS_ENOMEM;
    as_render_pool_max(m, rows, cols, stride, br, bc, pooled); /* (bins rows, bins cols) */

    int half = o->half && !o->glyphs;
    int prows = br * o->rows.scale, pcols = bc * o->cols.scale;
    int trows = half ? (prows + 1) / 2 : prows;
    as_render_cell *cells = as_try_calloc((size_t)trows * pcols, sizeof *cells, "heat map cells");
    if (!cells) {
        free(pooled);
        return AS_ENOMEM;
    }
    for (int ty = 0; ty < trows; ty++) {
        for (int x = 0; x < pcols; x++) {
            const float *col = pooled + x / o->cols.scale;
            as_render_cell *c = &cells[(size_t)ty * pcols + x];
            int py = half ? 2 * ty : ty;
            int top = as_render_level(col[(size_t)(py / o->rows.scale) * bc], o->lo, o->hi);
            if (o->glyphs) {
                *c = (as_render_cell){(uint32_t)(unsigned char)as_render_ramp(top),
                                      AS_RENDER_NO_COLOR, AS_RENDER_NO_COLOR};
            } else if (half) {
                int bottom = AS_RENDER_NO_COLOR; /* odd pixel count: last lower half is empty */
                if (py + 1 < prows)
                    bottom = as_render_level(col[(size_t)((py + 1) / o->rows.scale) * bc], o->lo,
                                             o->hi);
                *c = (as_render_cell){AS_RENDER_UPPER_HALF, (int16_t)top, (int16_t)bottom};
            } else {
                *c = (as_render_cell){' ', AS_RENDER_NO_COLOR, (int16_t)top};
            }
        }
    }
    free(pooled);
    g->rows = trows;
    g->cols = pcols;
    g->cells = cells;
    return AS_OK;
}
