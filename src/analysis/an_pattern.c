/* Coarse pattern label per head (thresholds and score definitions in analysis.h). The scores are
 * means over rows, so they do not depend on sequence length, and each needs one pass over the
 * matrix without allocation. */
#include "attnscope/analysis.h"

#include <math.h>

/* Mean over rows of the mass on keys at distance 1 .. AS_AN_BAND_WIDTH (self excluded, so a
 * diagonal head does not also look local). */
static double band_score(const float *m, int rows, int cols)
{
    double s = 0.0;
    for (int i = 0; i < rows; i++)
        for (int j = i - AS_AN_BAND_WIDTH; j <= i + AS_AN_BAND_WIDTH; j++)
            if (j != i && j >= 0 && j < cols)
                s += m[(size_t)i * cols + j];
    return s / rows;
}

/* Largest column mean over keys c >= 1 (key 0 is the first-token score's). */
static double vertical_score(const float *m, int rows, int cols, int *col)
{
    double best = 0.0;
    *col = 0;
    for (int c = 1; c < cols; c++) {
        double s = 0.0;
        for (int i = 0; i < rows; i++)
            s += m[(size_t)i * cols + c];
        if (s / rows > best) {
            best = s / rows;
            *col = c;
        }
    }
    return best;
}

/* Total variation distance between two rows: half the L1 distance, in [0, 1]. */
static double row_tv(const float *a, const float *b, int cols)
{
    double s = 0.0;
    for (int j = 0; j < cols; j++)
        s += fabs((double)a[j] - b[j]);
    return 0.5 * s;
}

/* Cuts rows into runs of similar rows; a row's score is how much more of its mass lies on keys
 * [start, end) of its own run than a uniform row would put there: (inside - w/cols) / (1 - w/cols)
 * for a key range of width w. Diffuse rows thus score near 0 however they are cut. Returns the
 * mean score (>= 0) if there are >= 2 runs of >= 2 rows on average, else 0. */
static double block_score(const float *m, int rows, int cols, int *blocks)
{
    double sum = 0.0;
    int start = 0;
    *blocks = 0;
    for (int i = 1; i <= rows; i++) {
        if (i < rows && row_tv(m + (size_t)(i - 1) * cols, m + (size_t)i * cols, cols) <=
                            AS_AN_BLOCK_SPLIT)
            continue;
        // rows [start, i) form one block, facing keys [k0, k1)
        int k0 = start < cols ? start : cols, k1 = i < cols ? i : cols;
        double expect = (double)(k1 - k0) / cols;
        for (int r = start; r < i && expect < 1.0; r++) {
            double inside = 0.0;
            for (int j = k0; j < k1; j++)
                inside += m[(size_t)r * cols + j];
            sum += (inside - expect) / (1.0 - expect);
        }
        ++*blocks;
        start = i;
    }
    if (*blocks < 2 || rows < 2 * *blocks || sum <= 0.0)
        return 0.0;
    return sum / rows;
}

/* Mean over rows with >= 2 visible keys of entropy / ln(visible keys); 0 if no such row. A mask
 * (causal, padding) hides a suffix of the keys with exact zeros, so the visible keys of a row are
 * 0 .. its last non-zero key: a causal row spread evenly over its past is uniform too. */
static double uniform_score(const float *m, int rows, int cols)
{
    double s = 0.0;
    int counted = 0;
    for (int i = 0; i < rows; i++) {
        const float *r = m + (size_t)i * cols;
        int visible = cols;
        while (visible > 0 && r[visible - 1] == 0.0f)
            visible--;
        if (visible < 2)
            continue;
        s += as_an_entropy(r, visible) / log((double)visible);
        counted++;
    }
    return counted ? s / counted : 0.0;
}

as_an_pattern as_an_classify(const float *m, int rows, int cols, as_an_pattern_scores *scores)
{
    AS_ASSERT(m != NULL);
    AS_ASSERT(rows >= 1 && cols >= 1);
    as_an_pattern_scores s;
    s.diag = as_an_diag_mean(m, rows, cols);
    s.band = band_score(m, rows, cols);
    s.first = as_an_first_token_mass(m, rows, cols);
    s.vert = vertical_score(m, rows, cols, &s.vert_col);
    s.block = block_score(m, rows, cols, &s.blocks);
    s.unif = uniform_score(m, rows, cols);
    if (scores)
        *scores = s;

    if (s.unif >= AS_AN_UNIFORM_MIN)
        return AS_AN_PAT_UNIFORM;
    // candidates in the tie-break order of analysis.h (the enum's order)
    const double cand[] = {s.diag, s.band, s.first, s.vert, s.block};
    as_an_pattern best = AS_AN_PAT_MIXED;
    double best_score = AS_AN_PATTERN_MIN;
    for (int p = 0; p < (int)(sizeof cand / sizeof cand[0]); p++)
        if (cand[p] > best_score || (cand[p] == best_score && best == AS_AN_PAT_MIXED)) {
            best = (as_an_pattern)p;
            best_score = cand[p];
        }
    return best;
}

const char *as_an_pattern_name(as_an_pattern p)
{
    static const char *const names[AS_AN_PATTERNS] = {
        [AS_AN_PAT_DIAGONAL] = "diagonal", [AS_AN_PAT_LOCAL] = "local",
        [AS_AN_PAT_FIRST] = "first",       [AS_AN_PAT_VERTICAL] = "vertical",
        [AS_AN_PAT_BLOCK] = "block",       [AS_AN_PAT_UNIFORM] = "uniform",
        [AS_AN_PAT_MIXED] = "mixed",
    };
    return (unsigned)p < AS_AN_PATTERNS ? names[p] : "?";
}
