/* Helpers shared by the analysis sources (not part of the public API). */
#ifndef ATTNSCOPE_AN_INTERNAL_H
#define ATTNSCOPE_AN_INTERNAL_H

#include "attnscope/analysis.h"

#include <stddef.h>

/* Fusion over heads of element e of maps (heads, n): used by head aggregation and rollout. */
static inline double as_an_fuse_at(const float *maps, int heads, size_t n, size_t e,
                                   as_an_fusion fusion)
{
    double acc = maps[e];
    for (int h = 1; h < heads; h++) {
        double x = maps[(size_t)h * n + e];
        switch (fusion) {
        case AS_AN_FUSE_MEAN: acc += x; break;
        case AS_AN_FUSE_MAX: acc = x > acc ? x : acc; break;
        case AS_AN_FUSE_MIN: acc = x < acc ? x : acc; break;
        }
    }
    return fusion == AS_AN_FUSE_MEAN ? acc / heads : acc;
}

/* One layer's A' [n, n] (in a) from its heads (heads, n, n): fuse, discard the `discard` smallest
 * entries (rank: scratch of n*n, may be NULL when discard is 0), + I, rows renormalised. Shared
 * by rollout and attention flow so both use the same residual-augmented graph. */
typedef struct as_an_ranked {
    double v;
    size_t idx;
} as_an_ranked;
void as_an_rollout_layer(const float *heads_p, int heads, int n, const as_an_rollout_opts *o,
                         size_t discard, as_an_ranked *rank, double *a);

#endif
