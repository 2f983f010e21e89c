/* Max-pooling pyramid of a matrix and the cell grid of a window read from it. Building costs
 * one pass over the matrix (each level is a quarter of the one below, 1/3 extra memory in all);
 * afterwards a frame of any window reads at most a few cells per screen bin, which is what keeps
 * a 4,096 x 4,096 map interactive. Max (not mean) so a sharp head stays visible zoomed out. */
#include "attnscope/render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float fmax_nan(float a, float b)
{
    /* NaN is "no value": the other operand wins (fmaxf semantics, spelled out for clarity). */
    if (isnan(a))
        return b;
    if (isnan(b))
        return a;
    return a > b ? a : b;
}

void as_render_pyr_free(as_render_pyr *p)
{
    free(p->owned);
    memset(p, 0, sizeof *p);
}

static int level_rows(const as_render_pyr *p, int l)
{
    return as_render_level_cells(p->rows, l);
}

static int level_cols(const as_render_pyr *p, int l)
{
    return as_render_level_cells(p->cols, l);
}

static int stride_of(const as_render_pyr *p, int l)
{
    return l == 0 ? p->stride0 : level_cols(p, l);
}

int as_render_pyr_build(as_render_pyr *p, const float *m, int rows, int cols, int stride)
{
    AS_ASSERT(rows > 0 && cols > 0 && stride >= cols);
    memset(p, 0, sizeof *p);
    p->rows = rows;
    p->cols = cols;
    p->stride0 = stride;
    p->lv[0] = m;
    int levels = 1;
    size_t total = 0;
    while (level_rows(p, levels - 1) > 1 || level_cols(p, levels - 1) > 1) {
        AS_ASSERT(levels < AS_RENDER_PYR_LEVELS);
        total += (size_t)level_rows(p, levels) * level_cols(p, levels);
        levels++;
    }
    p->levels = levels;
    if (total) {
        p->owned = as_try_calloc(total, sizeof(float), "map pyramid");
        if (!p->owned) {
            memset(p, 0, sizeof *p);
            return AS_ENOMEM;
        }
    }
    /* Level l + 1 from level l: the max of each 2 x 2 block (1 x 2, 2 x 1 at odd edges). */
    float *dst = p->owned;
    for (int l = 1; l < levels; l++) {
        const float *src = p->lv[l - 1];
        int sr = level_rows(p, l - 1), sc = level_cols(p, l - 1), ss = stride_of(p, l - 1);
        int dr = level_rows(p, l), dc = level_cols(p, l);
        for (int r = 0; r < dr; r++) {
            const float *a = src + (size_t)(2 * r) * ss;
            const float *b = 2 * r + 1 < sr ? a + ss : a;
            for (int c = 0; c < dc; c++) {
                int c1 = 2 * c + 1 < sc ? 2 * c + 1 : 2 * c;
                dst[(size_t)r * dc + c] =
                    fmax_nan(fmax_nan(a[2 * c], a[c1]), fmax_nan(b[2 * c], b[c1]));
            }
        }
        p->lv[l] = dst;
        dst += (size_t)dr * dc;
    }
    /* The range comes from the same pass (a min needs its own scan; the max is the top cell). */
    float lo = NAN, hi = NAN;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            float v = m[(size_t)r * stride + c];
            if (isnan(v))
                continue;
            if (isnan(lo) || v < lo)
                lo = v;
            if (isnan(hi) || v > hi)
                hi = v;
        }
    p->lo = isnan(lo) ? 0.0f : lo;
    p->hi = isnan(hi) ? 1.0f : hi;
    return AS_OK;
}

float as_render_pyr_max(const as_render_pyr *p, int level, int r0, int r1, int c0, int c1)
{
    AS_ASSERT(level >= 0 && level < p->levels);
    const float *m = p->lv[level];
    int s = stride_of(p, level);
    float best = NAN;
    for (int r = r0; r < r1; r++)
        for (int c = c0; c < c1; c++)
            best = fmax_nan(best, m[(size_t)r * s + c]);
    return best;
}

/* Cells [*c0, *c1) of `level` covering bin b of view v (element bounds are multiples of
 * 2^v->level >= 2^level, or n, so the conversion is exact). */
static void bin_cells(const as_render_view *v, int level, int b, int *c0, int *c1)
{
    int e0, e1;
    as_render_view_bin_range(v, b, &e0, &e1);
    *c0 = e0 >> level;
    *c1 = (int)(((long long)e1 + (1LL << level) - 1) >> level);
}

int as_render_grid_view(as_render_grid *g, const as_render_pyr *p, const as_render_view *rv,
                        const as_render_view *cv, const as_render_grid_opts *o)
{
    AS_ASSERT(rv->n == p->rows && cv->n == p->cols);
    g->rows = g->cols = 0;
    g->cells = NULL;
    int level = rv->level < cv->level ? rv->level : cv->level;
    int br = rv->bins, bc = cv->bins;
    float *pooled = as_try_calloc((size_t)br * bc, sizeof *pooled, "heat map window");
    int *cc = as_try_calloc(2 * (size_t)bc, sizeof *cc, "heat map window");
    if (!pooled || !cc) {
        free(pooled);
        free(cc);
        return AS_ENOMEM;
    }
    for (int c = 0; c < bc; c++)
        bin_cells(cv, level, c, &cc[2 * c], &cc[2 * c + 1]);
    for (int r = 0; r < br; r++) {
        int r0, r1;
        bin_cells(rv, level, r, &r0, &r1);
        for (int c = 0; c < bc; c++)
            pooled[(size_t)r * bc + c] =
                as_render_pyr_max(p, level, r0, r1, cc[2 * c], cc[2 * c + 1]);
    }
    free(cc);
    /* Pack the (br, bc) bins into cells exactly as as_render_grid_build does. */
    as_render_grid_opts go = *o;
    as_render_axis_fit(br, br * rv->scale, rv->scale, &go.rows);
    as_render_axis_fit(bc, bc * cv->scale, cv->scale, &go.cols);
    int rc = as_render_grid_build(g, pooled, br, bc, bc, &go);
    free(pooled);
    return rc;
}
