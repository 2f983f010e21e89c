/* Per-matrix attention statistics. Sums run in double over the float32 probabilities, the way
 * the fixtures' goldens were computed (numpy float64), so results agree to float rounding. */
#include "attnscope/analysis.h"

#include <math.h>
#include <stdlib.h>

static void check_matrix(const float *m, int rows, int cols)
{
    AS_ASSERT(m != NULL);
    AS_ASSERT(rows >= 1 && cols >= 1);
}

/* ---- entropy ----------------------------------------------------------------------------- */

double as_an_entropy(const float *p, int n)
{
    double h = 0.0;
    for (int k = 0; k < n; k++) {
        double x = p[k];
        if (x > 0.0) // 0 log 0 = 0; masked (exactly 0) keys add nothing
            h -= x * log(x);
    }
    return h;
}

void as_an_row_entropy(const float *m, int rows, int cols, float *out)
{
    check_matrix(m, rows, cols);
    AS_ASSERT(out != NULL);
    for (int i = 0; i < rows; i++)
        out[i] = (float)as_an_entropy(m + (size_t)i * cols, cols);
}

double as_an_effective_tokens(const float *m, int rows, int cols)
{
    check_matrix(m, rows, cols);
    double s = 0.0;
    for (int i = 0; i < rows; i++)
        s += exp(as_an_entropy(m + (size_t)i * cols, cols));
    return s / rows;
}

/* ---- Gini coefficient -------------------------------------------------------------------- */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int as_an_gini(const float *m, int rows, int cols, double *out)
{
    check_matrix(m, rows, cols);
    AS_ASSERT(out != NULL);
    size_t n = (size_t)rows * (size_t)cols;
    float *x = as_try_calloc(n, sizeof *x, "gini: sorted copy of the attention matrix");
    if (!x)
        return AS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        x[i] = m[i];
    qsort(x, n, sizeof *x, cmp_float); // (n) ascending
    double weighted = 0.0, total = 0.0;
    for (size_t i = 0; i < n; i++) {
        weighted += (double)(i + 1) * x[i];
        total += x[i];
    }
    free(x);
    double dn = (double)n;
    *out = total > 0.0 ? 2.0 * weighted / (dn * total) - (dn + 1.0) / dn : 0.0;
    return AS_OK;
}

/* ---- positional statistics --------------------------------------------------------------- */

double as_an_diag_mean(const float *m, int rows, int cols)
{
    check_matrix(m, rows, cols);
    int n = rows < cols ? rows : cols;
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += m[(size_t)i * cols + i];
    return s / n;
}

double as_an_first_token_mass(const float *m, int rows, int cols)
{
    check_matrix(m, rows, cols);
    double s = 0.0;
    for (int i = 0; i < rows; i++)
        s += m[(size_t)i * cols];
    return s / rows;
}

double as_an_prev_token_score(const float *m, int rows, int cols)
{
    check_matrix(m, rows, cols);
    if (rows < 2)
        return 0.0;
    double s = 0.0;
    for (int i = 1; i < rows; i++)
        if (i - 1 < cols) // a query beyond the last key has no previous key: it scores 0
            s += m[(size_t)i * cols + (i - 1)];
    return s / (rows - 1);
}

double as_an_mean_distance(const float *m, int rows, int cols)
{
    check_matrix(m, rows, cols);
    double s = 0.0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            s += (double)m[(size_t)i * cols + j] * abs(i - j);
    return s / rows;
}

/* ---- peaks ------------------------------------------------------------------------------- */

as_an_peak as_an_peak_find(const float *m, int rows, int cols)
{
    check_matrix(m, rows, cols);
    as_an_peak p = {0, 0, m[0]};
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            if (m[(size_t)i * cols + j] > p.value) {
                p.row = i;
                p.col = j;
                p.value = m[(size_t)i * cols + j];
            }
    return p;
}

void as_an_row_argmax(const float *m, int rows, int cols, int *out)
{
    check_matrix(m, rows, cols);
    AS_ASSERT(out != NULL);
    for (int i = 0; i < rows; i++) {
        const float *r = m + (size_t)i * cols;
        int best = 0;
        for (int j = 1; j < cols; j++)
            if (r[j] > r[best])
                best = j;
        out[i] = best;
    }
}
