/* Normalisation of a matrix to colormap levels, and max-pooling of matrix axes onto screen
 * cells: an attention head that puts all its mass on one key must stay visible after shrinking,
 * which a mean would wash out. */
#include "attnscope/render.h"

#include <math.h>

/* ---- value range ---------------------------------------------------------------------------- */
void as_render_range(as_render_norm norm, const float *m, int rows, int cols, int stride,
                     float *lo, float *hi)
{
    *lo = 0.0f;
    *hi = 1.0f;
    if (norm == AS_RENDER_NORM_FIXED)
        return;
    int seen = 0;
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            float v = m[(size_t)r * stride + c];
            if (isnan(v))
                continue;
            if (!seen || v < *lo)
                *lo = v;
            if (!seen || v > *hi)
                *hi = v;
            seen = 1;
        }
    }
}

int as_render_level(float v, float lo, float hi)
{
    if (isnan(v) || !(hi > lo))
        return 0;
    double t = ((double)v - lo) / ((double)hi - lo);
    if (t <= 0.0)
        return 0;
    if (t >= 1.0)
        return 255;
    return (int)(t * 255.0 + 0.5);
}

/* ---- axes and bins -------------------------------------------------------------------------- */
void as_render_axis_fit(int n, int avail, int max_scale, as_render_axis *ax)
{
    AS_ASSERT(n > 0 && avail > 0 && max_scale > 0);
    ax->n = n;
    if (n <= avail) {
        ax->bins = n;
        ax->scale = avail / n < max_scale ? avail / n : max_scale;
    } else {
        ax->bins = avail;
        ax->scale = 1;
    }
}

int as_render_axis_pooled(const as_render_axis *ax)
{
    return ax->bins < ax->n;
}

int as_render_bin_start(int n, int bins, int b)
{
    return (int)((long long)b * n / bins);
}

int as_render_bin_of(int n, int bins, int i)
{
    int b = (int)((long long)i * bins / n);
    /* The estimate can be one off either way because starts are rounded down. */
    while (b + 1 < bins && as_render_bin_start(n, bins, b + 1) <= i)
        b++;
    while (b > 0 && as_render_bin_start(n, bins, b) > i)
        b--;
    return b;
}

void as_render_pool_max(const float *m, int rows, int cols, int stride, int out_rows,
                        int out_cols, float *out)
{
    AS_ASSERT(out_rows >= 1 && out_rows <= rows && out_cols >= 1 && out_cols <= cols);
    for (int br = 0; br < out_rows; br++) {
        int r0 = as_render_bin_start(rows, out_rows, br);
        int r1 = as_render_bin_start(rows, out_rows, br + 1);
        for (int bc = 0; bc < out_cols; bc++) {
            int c0 = as_render_bin_start(cols, out_cols, bc);
            int c1 = as_render_bin_start(cols, out_cols, bc + 1);
            float best = NAN;
            for (int r = r0; r < r1; r++)
                for (int c = c0; c < c1; c++) {
                    float v = m[(size_t)r * stride + c];
                    if (isnan(best) || v > best)
                        best = v;
                }
            out[(size_t)br * out_cols + bc] = best;
        }
    }
}
