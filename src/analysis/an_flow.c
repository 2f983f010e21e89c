/* Attention flow (Abnar & Zuidema 2020): the attention graph of all layers as a flow network,
 * max-flow from each input token to each output position (Dinic's algorithm). See analysis.h
 * for the exact formulation. */
#include "attnscope/analysis.h"

#include "an_internal.h"

#include <stdlib.h>

/* Residual capacities below this are treated as saturated: capacities are probabilities, sums
 * of a few hundred of them, so 1e-12 is far below any meaningful flow and far above rounding
 * noise that could otherwise make Dinic loop on vanishing augmenting paths. */
#define FLOW_EPS 1e-12

/* Flow network in arrays: edge e goes to[e] with capacity cap[e]; e ^ 1 is its reverse. */
typedef struct net {
    int nodes, edges;
    int *first, *next, *to; // adjacency lists: first[node], next[edge]
    double *cap, *res;      // original and residual capacity per edge
    int *level, *iter, *queue;
} net;

static int net_init(net *g, int nodes, int max_edges)
{
    g->nodes = nodes;
    g->edges = 0;
    g->first = as_try_calloc((size_t)nodes, sizeof *g->first, "flow: graph");
    g->level = as_try_calloc((size_t)nodes, sizeof *g->level, "flow: graph");
    g->iter = as_try_calloc((size_t)nodes, sizeof *g->iter, "flow: graph");
    g->queue = as_try_calloc((size_t)nodes, sizeof *g->queue, "flow: graph");
    g->next = as_try_calloc((size_t)max_edges, sizeof *g->next, "flow: graph");
    g->to = as_try_calloc((size_t)max_edges, sizeof *g->to, "flow: graph");
    g->cap = as_try_calloc((size_t)max_edges, sizeof *g->cap, "flow: graph");
    g->res = as_try_calloc((size_t)max_edges, sizeof *g->res, "flow: graph");
    if (!g->first || !g->level || !g->iter || !g->queue || !g->next || !g->to || !g->cap ||
        !g->res)
        return AS_ENOMEM;
    for (int v = 0; v < nodes; v++)
        g->first[v] = -1;
    return AS_OK;
}

static void net_free(net *g)
{
    free(g->first);
    free(g->level);
    free(g->iter);
    free(g->queue);
    free(g->next);
    free(g->to);
    free(g->cap);
    free(g->res);
}

static void add_edge(net *g, int u, int v, double c)
{
    int e = g->edges;
    g->to[e] = v, g->cap[e] = c, g->next[e] = g->first[u], g->first[u] = e;
    g->to[e + 1] = u, g->cap[e + 1] = 0.0, g->next[e + 1] = g->first[v], g->first[v] = e + 1;
    g->edges += 2;
}

/* Breadth-first levels from s over edges with residual capacity; 1 if t is reachable. */
static int bfs(net *g, int s, int t)
{
    for (int v = 0; v < g->nodes; v++)
        g->level[v] = -1;
    int head = 0, tail = 0;
    g->level[s] = 0;
    g->queue[tail++] = s;
    while (head < tail) {
        int u = g->queue[head++];
        for (int e = g->first[u]; e >= 0; e = g->next[e])
            if (g->res[e] > FLOW_EPS && g->level[g->to[e]] < 0) {
                g->level[g->to[e]] = g->level[u] + 1;
                g->queue[tail++] = g->to[e];
            }
    }
    return g->level[t] >= 0;
}

/* One augmenting path of at most f along increasing levels (recursion depth <= layers + 1). */
static double dfs(net *g, int u, int t, double f)
{
    if (u == t)
        return f;
    for (; g->iter[u] >= 0; g->iter[u] = g->next[g->iter[u]]) {
        int e = g->iter[u], v = g->to[e];
        if (g->res[e] > FLOW_EPS && g->level[v] == g->level[u] + 1) {
            double d = dfs(g, v, t, f < g->res[e] ? f : g->res[e]);
            if (d > 0.0) {
                g->res[e] -= d;
                g->res[e ^ 1] += d;
                return d;
            }
        }
    }
    return 0.0;
}

static double max_flow(net *g, int s, int t)
{
    for (int e = 0; e < g->edges; e++)
        g->res[e] = g->cap[e];
    double total = 0.0;
    while (bfs(g, s, t)) {
        for (int v = 0; v < g->nodes; v++)
            g->iter[v] = g->first[v];
        double f;
        while ((f = dfs(g, s, t, 1e300)) > 0.0)
            total += f;
    }
    return total;
}

int as_an_flow(const float *attn, int layers, int heads, int n, const as_an_rollout_opts *opts,
               float *out, float *raw_out)
{
    AS_ASSERT(attn != NULL && out != NULL);
    AS_ASSERT(layers >= 1 && heads >= 1 && n >= 1);
    static const as_an_rollout_opts readme = {AS_AN_FUSE_MEAN, 0.0};
    const as_an_rollout_opts *o = opts ? opts : &readme;
    if (!(o->discard_ratio >= 0.0 && o->discard_ratio < 1.0))
        return as_fail(AS_EINVAL, "flow: discard ratio %g is outside [0, 1)", o->discard_ratio);
    if ((double)layers * n * n * 2 > 1e8)
        return as_fail(AS_EINVAL, "flow: %d layers x %d tokens is too large a graph", layers, n);

    size_t nn = (size_t)n * (size_t)n;
    size_t discard = (size_t)(o->discard_ratio * (double)nn);
    double *a = as_try_calloc(nn, sizeof *a, "flow: layer matrix"); // (n, n) A'_l
    double *f = as_try_calloc(nn, sizeof *f, "flow: values");       // (n, n) F
    as_an_ranked *rank = discard ? as_try_calloc(nn, sizeof *rank, "flow: discard ranking") : NULL;
    net g = {0};
    int rc = net_init(&g, (layers + 1) * n, 2 * layers * n * n);
    if (rc == AS_OK && (!a || !f || (discard && !rank)))
        rc = AS_ENOMEM;
    if (rc != AS_OK)
        goto done;

    // node (l, t) = l * n + t; layer l's A'_l[i][j] carries (l, j) -> (l + 1, i)
    for (int l = 0; l < layers; l++) {
        as_an_rollout_layer(attn + (size_t)l * heads * nn, heads, n, o, discard, rank, a);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (a[(size_t)i * n + j] > 0.0)
                    add_edge(&g, l * n + j, (l + 1) * n + i, a[(size_t)i * n + j]);
    }
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < n; j++) {
            f[(size_t)i * n + j] = max_flow(&g, j, layers * n + i);
            s += f[(size_t)i * n + j];
        }
        for (int j = 0; j < n; j++) {
            if (raw_out)
                raw_out[(size_t)i * n + j] = (float)f[(size_t)i * n + j];
            out[(size_t)i * n + j] = s > 0.0 ? (float)(f[(size_t)i * n + j] / s) : 0.0f;
        }
    }
done:
    net_free(&g);
    free(a);
    free(f);
    free(rank);
    return rc;
}

int as_an_flow_map(const as_attn_map *map, const as_an_rollout_opts *opts, float *out)
{
    AS_ASSERT(map != NULL);
    if (map->layers == 0)
        return as_fail(AS_EINVAL, "flow: this attention kind is absent");
    if (map->q != map->k)
        return as_fail(AS_EINVAL, "flow: needs square self-attention maps, got %d x %d", map->q,
                       map->k);
    return as_an_flow(map->p, map->layers, map->heads, map->q, opts, out, NULL);
}
