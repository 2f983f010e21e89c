/* Per-(layer, head) tables of one statistic over an attention store kind, the shape in which the
 * fixtures store "<kind>.gini" etc. and in which the explorer lists heads. */
#include "attnscope/analysis.h"

static const char *const stat_names[AS_AN_STATS] = {
    [AS_AN_STAT_GINI] = "gini",
    [AS_AN_STAT_DIAG_MEAN] = "diag_mean",
    [AS_AN_STAT_EFFECTIVE] = "effective_tokens",
    [AS_AN_STAT_ENTROPY_MEAN] = "entropy_mean",
    [AS_AN_STAT_FIRST_TOKEN] = "first_token",
    [AS_AN_STAT_PREV_TOKEN] = "prev_token",
    [AS_AN_STAT_DISTANCE] = "mean_distance",
};

const char *as_an_stat_name(as_an_stat stat)
{
    return (unsigned)stat < AS_AN_STATS ? stat_names[stat] : "?";
}

static double entropy_mean(const float *m, int rows, int cols)
{
    double s = 0.0;
    for (int i = 0; i < rows; i++)
        s += as_an_entropy(m + (size_t)i * cols, cols);
    return s / rows;
}

int as_an_stat_of(as_an_stat stat, const float *m, int rows, int cols, double *out)
{
    AS_ASSERT(out != NULL);
    switch (stat) {
    case AS_AN_STAT_GINI: return as_an_gini(m, rows, cols, out);
    case AS_AN_STAT_DIAG_MEAN: *out = as_an_diag_mean(m, rows, cols); break;
    case AS_AN_STAT_EFFECTIVE: *out = as_an_effective_tokens(m, rows, cols); break;
    case AS_AN_STAT_ENTROPY_MEAN: *out = entropy_mean(m, rows, cols); break;
    case AS_AN_STAT_FIRST_TOKEN: *out = as_an_first_token_mass(m, rows, cols); break;
    case AS_AN_STAT_PREV_TOKEN: *out = as_an_prev_token_score(m, rows, cols); break;
    case AS_AN_STAT_DISTANCE: *out = as_an_mean_distance(m, rows, cols); break;
    default: AS_ASSERT(!"unknown statistic");
    }
    return AS_OK;
}

int as_an_map_table(const as_attn_map *map, as_an_stat stat, float *out)
{
    AS_ASSERT(map != NULL && out != NULL);
    if (map->layers == 0)
        return as_fail(AS_EINVAL, "%s: this attention kind is absent", as_an_stat_name(stat));
    size_t per = (size_t)map->q * (size_t)map->k; // one head's [q, k]
    for (int l = 0; l < map->layers; l++)
        for (int h = 0; h < map->heads; h++) {
            size_t lh = (size_t)l * map->heads + h;
            double v;
            int rc = as_an_stat_of(stat, map->p + lh * per, map->q, map->k, &v);
            if (rc != AS_OK)
                return rc;
            out[lh] = (float)v;
        }
    return AS_OK;
}
