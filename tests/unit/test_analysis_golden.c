/* analysis vs the fixtures: every derived golden (entropy, Gini, diagonal mean, effective tokens,
 * rollout) in every fixture's golden.safetensors is recomputed from the golden attention tensors
 * of the same file and must match within 1e-4 absolute (the READMEs' tolerance).
 *
 * Names: "<prefix>.entropy.L<l>" [heads, q], "<prefix>.{gini,diag_mean,effective_tokens}"
 * [layers, heads], "<prefix>.rollout" [q, q], with the attention in "<prefix>.attn.L<l>"
 * [heads, q, k]; prefix is "caseN" (single stack) or "caseN.<encoder|decoder|cross>". The layers
 * are stacked into an as_attn_map, so the store-level entry points are the ones tested. */
#include "attnscope/analysis.h"
#include "attnscope/st.h"

#include "../test.h"

#include <stdint.h>

#define TOL 1e-4

static const char *const fixtures[] = {"marian-tiny", "bert-tiny", "gpt2-tiny", "vit-tiny"};

enum { D_ENTROPY, D_GINI, D_DIAG, D_EFF, D_ROLLOUT, D_KINDS };
static const char *const kind_name[D_KINDS] = {"entropy", "gini", "diag_mean", "effective_tokens",
                                               "rollout"};
static const as_an_stat table_stat[D_KINDS] = {
    [D_GINI] = AS_AN_STAT_GINI, [D_DIAG] = AS_AN_STAT_DIAG_MEAN, [D_EFF] = AS_AN_STAT_EFFECTIVE};
static double worst[D_KINDS]; // largest |ours - golden| over all fixtures, per kind

/* A golden attention tensor [heads, q, k] as f32. */
typedef struct attn3 {
    int heads, q, k;
    float *p;
} attn3;

/* -1 (and a->p NULL) if the file has no such tensor. */
static int load_attn(const as_st_file *f, const char *prefix, int layer, attn3 *a)
{
    char name[256];
    a->p = NULL;
    snprintf(name, sizeof name, "%s.attn.L%d", prefix, layer);
    const as_st_tensor *t = as_st_find(f, name);
    if (!t)
        return -1;
    AS_ASSERT(t->ndim == 3);
    a->heads = (int)t->shape[0];
    a->q = (int)t->shape[1];
    a->k = (int)t->shape[2];
    a->p = as_xmalloc(t->numel * sizeof(float));
    AS_ASSERT(as_st_to_f32(f, t, a->p) == AS_OK);
    return 0;
}

static float *load_golden(const as_st_file *f, const as_st_tensor *t)
{
    float *g = as_xmalloc(t->numel * sizeof(float));
    AS_ASSERT(as_st_to_f32(f, t, g) == AS_OK);
    return g;
}

/* Compares n values; one check per tensor, naming it and the worst element on failure. */
static void compare(const char *name, int kind, const float *ours, const float *golden, size_t n)
{
    double d = 0.0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)ours[i] - golden[i]);
        if (!(e <= d)) { // also catches NaN
            d = e;
            at = i;
        }
    }
    if (!(d <= worst[kind]))
        worst[kind] = d;
    AS_TEST_TRUE(d <= TOL);
    if (!(d <= TOL))
        fprintf(stderr, "  %s[%zu]: %.9g vs golden %.9g\n", name, at, ours[at], golden[at]);
}

/* A derived golden must have the shape the stack implies, else it is not compared. */
static int shape_is(const as_st_tensor *t, int64_t d0, int64_t d1)
{
    int ok = t->ndim == 2 && t->shape[0] == d0 && t->shape[1] == d1;
    AS_TEST_TRUE(ok);
    if (!ok)
        fprintf(stderr, "  %s: unexpected shape\n", t->name);
    return ok;
}

/* "<prefix>.entropy.L<l>" [heads, q]. */
static void check_entropy(const as_st_file *f, const as_st_tensor *t, const char *prefix, int l)
{
    attn3 a;
    AS_TEST_EQ(load_attn(f, prefix, l, &a), 0);
    if (a.p == NULL)
        return;
    if (!shape_is(t, a.heads, a.q)) {
        free(a.p);
        return;
    }
    float *ours = as_xmalloc(t->numel * sizeof(float));
    for (int h = 0; h < a.heads; h++)
        as_an_row_entropy(a.p + (size_t)h * a.q * a.k, a.q, a.k, ours + (size_t)h * a.q);
    float *g = load_golden(f, t);
    compare(t->name, D_ENTROPY, ours, g, t->numel);
    free(g);
    free(ours);
    free(a.p);
}

/* Every "<prefix>.attn.L<l>" of the file stacked as a store kind (layer, head, q, k). */
static void load_stack(const as_st_file *f, const char *prefix, as_attn_map *map)
{
    attn3 a;
    *map = (as_attn_map){0};
    while (load_attn(f, prefix, map->layers, &a) == 0) {
        AS_TEST_TRUE(map->layers == 0 || (a.heads == map->heads && a.q == map->q && a.k == map->k));
        map->heads = a.heads;
        map->q = a.q;
        map->k = a.k;
        size_t per = (size_t)a.heads * a.q * a.k;
        map->p = as_xrealloc(map->p, (map->layers + 1) * per * sizeof(float));
        memcpy(map->p + map->layers * per, a.p, per * sizeof(float));
        free(a.p);
        map->layers++;
    }
    AS_TEST_TRUE(map->layers >= 2); // every fixture stack has two layers (READMEs)
}

/* "<prefix>.{gini,diag_mean,effective_tokens}" [layers, heads]. */
static void check_table(const as_st_file *f, const as_st_tensor *t, const char *prefix,
                        as_an_stat stat, int kind)
{
    as_attn_map map;
    load_stack(f, prefix, &map);
    if (map.layers == 0 || !shape_is(t, map.layers, map.heads)) {
        free(map.p);
        return;
    }
    float *ours = as_xcalloc(t->numel, sizeof(float));
    AS_TEST_EQ(as_an_map_table(&map, stat, ours), AS_OK);
    float *g = load_golden(f, t);
    compare(t->name, kind, ours, g, t->numel);
    free(g);
    free(ours);
    free(map.p);
}

/* "<prefix>.rollout" [q, q] over all layers of the stack. */
static void check_rollout(const as_st_file *f, const as_st_tensor *t, const char *prefix)
{
    as_attn_map map;
    load_stack(f, prefix, &map);
    if (map.layers == 0 || !shape_is(t, map.q, map.q)) {
        free(map.p);
        return;
    }
    float *ours = as_xmalloc(t->numel * sizeof(float));
    AS_TEST_EQ(as_an_rollout_map(&map, NULL, ours), AS_OK);
    float *g = load_golden(f, t);
    compare(t->name, D_ROLLOUT, ours, g, t->numel);
    free(g);
    free(ours);
    free(map.p);
}

/* If name is "<prefix>.<what>" returns the prefix length, else 0. */
static size_t prefix_len(const char *name, const char *what)
{
    size_t n = strlen(name), w = strlen(what);
    if (n > w + 1 && name[n - w - 1] == '.' && strcmp(name + n - w, what) == 0)
        return n - w - 1;
    return 0;
}

static int check_fixture(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/golden.safetensors", as_test_fixtures(), dir);
    as_st_file *f = NULL;
    if (as_st_open(&f, path) != AS_OK) {
        fprintf(stderr, "cannot open %s: %s\n", path, as_last_error());
        return -1;
    }
    int seen[D_KINDS] = {0};
    for (size_t i = 0; i < as_st_count(f); i++) {
        const as_st_tensor *t = as_st_at(f, i);
        char prefix[256];
        size_t p;
        const char *ent = strstr(t->name, ".entropy.L");
        if (ent && (size_t)(ent - t->name) < sizeof prefix) {
            snprintf(prefix, sizeof prefix, "%.*s", (int)(ent - t->name), t->name);
            check_entropy(f, t, prefix, atoi(ent + strlen(".entropy.L")));
            seen[D_ENTROPY]++;
            continue;
        }
        for (int k = D_GINI; k < D_KINDS; k++) {
            if ((p = prefix_len(t->name, kind_name[k])) == 0 || p >= sizeof prefix)
                continue;
            snprintf(prefix, sizeof prefix, "%.*s", (int)p, t->name);
            if (k == D_ROLLOUT)
                check_rollout(f, t, prefix);
            else
                check_table(f, t, prefix, table_stat[k], k);
            seen[k]++;
        }
    }
    // every fixture carries every kind of derived golden: an empty match would prove nothing
    fprintf(stderr, "%s:", dir);
    for (int k = 0; k < D_KINDS; k++) {
        AS_TEST_TRUE(seen[k] > 0);
        fprintf(stderr, " %s %d", kind_name[k], seen[k]);
    }
    fprintf(stderr, "\n");
    as_st_close(f);
    return 0;
}

int main(void)
{
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s/golden.safetensors", as_test_fixtures(), fixtures[i]);
        if (!as_file_exists(path)) {
            printf("skip: fixture %s not found\n", path);
            return AS_TEST_SKIP;
        }
    }
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
        AS_TEST_EQ(check_fixture(fixtures[i]), 0);
    for (int k = 0; k < D_KINDS; k++)
        fprintf(stderr, "max |ours - golden| %s: %.3g\n", kind_name[k], worst[k]);
    return as_test_result();
}
