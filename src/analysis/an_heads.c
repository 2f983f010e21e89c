/* Across heads: elementwise fusion, pairwise Jensen-Shannon distance (diversity) and Pearson
 * correlation (similarity). Maps are (heads, rows, cols) contiguous. */
#include "attnscope/analysis.h"

#include "an_internal.h"

#include <math.h>

/* ---- fusion ------------------------------------------------------------------------------ */

void as_an_head_aggregate(const float *maps, int heads, int rows, int cols, as_an_fusion fusion,
                          float *out)
{
    AS_ASSERT(maps != NULL && out != NULL);
    AS_ASSERT(heads >= 1 && rows >= 1 && cols >= 1);
    size_t n = (size_t)rows * (size_t)cols;
    for (size_t e = 0; e < n; e++)
        out[e] = (float)as_an_fuse_at(maps, heads, n, e, fusion);
}

/* ---- diversity --------------------------------------------------------------------------- */

/* p log2(p / m), with 0 log 0 = 0 (m > 0 whenever p > 0, since m = (p + q) / 2). */
static double kl_term(double p, double m)
{
    return p > 0.0 ? p * log2(p / m) : 0.0;
}

double as_an_js_divergence(const float *a, const float *b, int rows, int cols)
{
    AS_ASSERT(a != NULL && b != NULL);
    AS_ASSERT(rows >= 1 && cols >= 1);
    double s = 0.0;
    for (size_t e = 0; e < (size_t)rows * (size_t)cols; e++) {
        double p = a[e], q = b[e], m = 0.5 * (p + q);
        s += 0.5 * (kl_term(p, m) + kl_term(q, m));
    }
    return s / rows; // the per-row divergences add up over e; average them over rows
}

double as_an_head_diversity(const float *maps, int heads, int rows, int cols)
{
    AS_ASSERT(heads >= 1);
    if (heads < 2)
        return 0.0;
    size_t n = (size_t)rows * (size_t)cols;
    double s = 0.0;
    for (int h = 0; h < heads; h++)
        for (int g = h + 1; g < heads; g++)
            s += as_an_js_divergence(maps + (size_t)h * n, maps + (size_t)g * n, rows, cols);
    return s / (0.5 * heads * (heads - 1));
}

/* ---- similarity -------------------------------------------------------------------------- */

void as_an_head_similarity(const float *maps, int heads, int rows, int cols, float *out)
{
    AS_ASSERT(maps != NULL && out != NULL);
    AS_ASSERT(heads >= 1 && rows >= 1 && cols >= 1);
    size_t n = (size_t)rows * (size_t)cols;
    for (int h = 0; h < heads; h++) {
        out[(size_t)h * heads + h] = 1.0f;
        for (int g = h + 1; g < heads; g++) {
            const float *x = maps + (size_t)h * n, *y = maps + (size_t)g * n;
            double mx = 0.0, my = 0.0;
            for (size_t e = 0; e < n; e++) {
                mx += x[e];
                my += y[e];
            }
            mx /= (double)n;
            my /= (double)n;
            // centred sums: the one-pass formula loses digits when the variance is tiny
            double sxy = 0.0, sxx = 0.0, syy = 0.0;
            for (size_t e = 0; e < n; e++) {
                double dx = x[e] - mx, dy = y[e] - my;
                sxy += dx * dy;
                sxx += dx * dx;
                syy += dy * dy;
            }
            double r = (sxx > 0.0 && syy > 0.0) ? sxy / sqrt(sxx * syy) : 0.0;
            out[(size_t)h * heads + g] = out[(size_t)g * heads + h] = (float)r;
        }
    }
}
