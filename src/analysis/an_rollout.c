/* Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"), as the
 * fixtures' READMEs define it, with vit-explain's head fusion and discard ratio as options.
 * Work in double: the goldens were made in float64 and the products of L row-stochastic
 * matrices would otherwise accumulate float rounding layer by layer. */
#include "attnscope/analysis.h"

#include "an_internal.h"

#include <stdlib.h>
#include <string.h>

static int cmp_ranked(const void *a, const void *b)
{
    const as_an_ranked *x = a, *y = b;
    if (x->v != y->v)
        return (x->v > y->v) - (x->v < y->v);
    return (x->idx > y->idx) - (x->idx < y->idx); // deterministic order among equal values
}

/* Zeroes the k smallest entries of f [n*n] except f[0] (the CLS/BOS self entry, kept as
 * vit-explain keeps it). rank is scratch of n*n entries. */
static void discard_smallest(double *f, size_t nn, size_t k, as_an_ranked *rank)
{
    for (size_t e = 0; e < nn; e++) {
        rank[e].v = f[e];
        rank[e].idx = e;
    }
    qsort(rank, nn, sizeof *rank, cmp_ranked);
    for (size_t e = 0; e < k; e++)
        if (rank[e].idx != 0)
            f[rank[e].idx] = 0.0;
}

void as_an_rollout_layer(const float *heads_p, int heads, int n, const as_an_rollout_opts *o,
                         size_t discard, as_an_ranked *rank, double *a)
{
    size_t nn = (size_t)n * (size_t)n;
    for (size_t e = 0; e < nn; e++)
        a[e] = as_an_fuse_at(heads_p, heads, nn, e, o->fusion);
    if (discard)
        discard_smallest(a, nn, discard, rank);
    for (int i = 0; i < n; i++) {
        double *row = a + (size_t)i * n;
        row[i] += 1.0; // the residual connection: each token also keeps itself
        double s = 0.0;
        for (int j = 0; j < n; j++)
            s += row[j];
        for (int j = 0; j < n; j++) // s >= 1: probabilities are >= 0 and the diagonal got +1
            row[j] /= s;
    }
}

int as_an_rollout(const float *attn, int layers, int heads, int n, const as_an_rollout_opts *opts,
                  float *out)
{
    AS_ASSERT(attn != NULL && out != NULL);
    AS_ASSERT(layers >= 1 && heads >= 1 && n >= 1);
    static const as_an_rollout_opts readme = {AS_AN_FUSE_MEAN, 0.0};
    const as_an_rollout_opts *o = opts ? opts : &readme;
    if (!(o->discard_ratio >= 0.0 && o->discard_ratio < 1.0))
        return as_fail(AS_EINVAL, "rollout: discard ratio %g is outside [0, 1)", o->discard_ratio);

    size_t nn = (size_t)n * (size_t)n;
    size_t discard = (size_t)(o->discard_ratio * (double)nn);
    double *a = as_try_calloc(nn, sizeof *a, "rollout: layer matrix");     // (n, n) A'_l
    double *r = as_try_calloc(nn, sizeof *r, "rollout: running product");  // (n, n) R
    double *t = as_try_calloc(nn, sizeof *t, "rollout: product scratch");  // (n, n)
    as_an_ranked *rank = discard ? as_try_calloc(nn, sizeof *rank, "rollout: discard ranking") : NULL;
    int rc = AS_OK;
    if (!a || !r || !t || (discard && !rank)) {
        rc = AS_ENOMEM;
        goto done;
    }

    // R = A'_0, then R = A'_l @ R for l = 1 .. L-1 (later layers on the left, README order)
    as_an_rollout_layer(attn, heads, n, o, discard, rank, r);
    for (int l = 1; l < layers; l++) {
        as_an_rollout_layer(attn + (size_t)l * heads * nn, heads, n, o, discard, rank, a);
        for (int i = 0; i < n; i++) {
            double *ti = t + (size_t)i * n;
            memset(ti, 0, (size_t)n * sizeof *ti);
            for (int k = 0; k < n; k++) {
                double aik = a[(size_t)i * n + k];
                const double *rk = r + (size_t)k * n;
                for (int j = 0; j < n; j++)
                    ti[j] += aik * rk[j];
            }
        }
        double *swap = r;
        r = t;
        t = swap;
    }
    for (size_t e = 0; e < nn; e++)
        out[e] = (float)r[e];
done:
    free(a);
    free(r);
    free(t);
    free(rank);
    return rc;
}

int as_an_rollout_map(const as_attn_map *map, const as_an_rollout_opts *opts, float *out)
{
    AS_ASSERT(map != NULL);
    if (map->layers == 0)
        return as_fail(AS_EINVAL, "rollout: this attention kind is absent");
    if (map->q != map->k)
        return as_fail(AS_EINVAL, "rollout: needs square self-attention maps, got %d x %d",
                       map->q, map->k);
    return as_an_rollout(map->p, map->layers, map->heads, map->q, opts, out);
}
