/* BERT sentence pairs (--pair): the fixture's goldens have single texts only, so the token-type
 * path is checked against the embedding formula of the fixture README, evaluated here in double
 * from the checkpoint's own tables: hidden.L0[p] = LayerNorm(word[id_p] + position[p] +
 * token_type[t_p]) with eps 1e-12, where t_p is 0 up to and including the first [SEP] and 1 after
 * ("[CLS] a [SEP] b [SEP]", token_type_ids 0 then 1). The later layers are the code the golden
 * test covers. Also checks that the second segment really uses type row 1: the same ids with all
 * types 0 give a different state 0 there.
 * Usage: test_bert_pair DEVICE */
#include "attnscope/model.h"
#include "attnscope/st.h"

#include "model_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIDDEN_TOL 1e-3

static float *load(const as_st_file *f, const char *name)
{
    const as_st_tensor *t = as_st_find(f, name);
    AS_ASSERT(t != NULL);
    float *v = as_xmalloc(sizeof(float) * t->numel);
    AS_TEST_EQ(as_st_to_f32(f, t, v), AS_OK);
    return v;
}

/* Expected state 0 of `ids` with segment ids `types` ([n, D] doubles). */
static double *expected(const as_st_file *w, const int32_t *ids, const int *types, int n, int D)
{
    float *word = load(w, "embeddings.word_embeddings.weight");
    float *pos = load(w, "embeddings.position_embeddings.weight");
    float *type = load(w, "embeddings.token_type_embeddings.weight");
    float *g = load(w, "embeddings.LayerNorm.weight"), *b = load(w, "embeddings.LayerNorm.bias");
    double *out = as_xmalloc(sizeof(double) * (size_t)n * D);
    for (int p = 0; p < n; p++) {
        double *x = out + (size_t)p * D, mean = 0.0, var = 0.0;
        for (int d = 0; d < D; d++) {
            x[d] = (double)word[(size_t)ids[p] * D + d] + pos[(size_t)p * D + d] +
                   type[(size_t)types[p] * D + d];
            mean += x[d] / D;
        }
        for (int d = 0; d < D; d++)
            var += (x[d] - mean) * (x[d] - mean) / D;
        for (int d = 0; d < D; d++)
            x[d] = (x[d] - mean) / sqrt(var + 1e-12) * g[d] + b[d];
    }
    free(word);
    free(pos);
    free(type);
    free(g);
    free(b);
    return out;
}

static double max_diff(const float *got, const double *want, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(got[i] - want[i]));
    return worst;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DEVICE\n", argv[0]);
        return 2;
    }
    char *dir = as_xasprintf("%s/bert-tiny", as_test_fixtures());
    char *wpath = as_xasprintf("%s/model.safetensors", dir);
    as_kern *k = as_test_kern(argv[1]);
    as_model *m = NULL;
    AS_TEST_EQ(as_model_load(&m, dir, k), AS_OK);
    as_st_file *w = NULL;
    AS_TEST_EQ(as_st_open(&w, wpath), AS_OK);
    int D = as_model_cfg(m)->d_model;

    as_run_opts o = {.src = "A dog runs in the snow.", .pair = "It is cold.", .want_hidden = 1};
    as_attn a;
    AS_TEST_EQ(as_model_run(m, &o, &a), AS_OK);
    const as_attn_axis_tokens *ax = &a.axis[AS_AXIS_SOURCE];
    int n = ax->n, *types = as_xcalloc((size_t)n, sizeof(int)), seps = 0;
    for (int p = 0; p < n; p++) {
        types[p] = seps > 0;
        seps += strcmp(ax->pieces[p], "[SEP]") == 0;
    }
    AS_TEST_STR(ax->pieces[0], "[CLS]");
    AS_TEST_EQ(seps, 2);
    AS_TEST_STR(ax->pieces[n - 1], "[SEP]");
    double *want = expected(w, ax->ids, types, n, D);
    double pair_err = max_diff(a.hidden[AS_AXIS_SOURCE].h, want, (size_t)n * D);
    AS_TEST_TRUE(pair_err <= HIDDEN_TOL);

    /* the same ids as one segment: state 0 must move on the second segment's rows */
    as_model_ids in = {.src = ax->ids, .n_src = n};
    as_run_opts o0 = {.want_hidden = 1};
    as_attn a0;
    AS_TEST_EQ(as_model_run_ids(m, &in, &o0, &a0), AS_OK);
    int first_b = 0;
    while (!types[first_b])
        first_b++;
    double moved = max_diff(a0.hidden[AS_AXIS_SOURCE].h + (size_t)first_b * D,
                            want + (size_t)first_b * D, (size_t)(n - first_b) * D);
    AS_TEST_TRUE(moved > 100 * HIDDEN_TOL);
    printf("bert-tiny pair on %s: %d tokens, state 0 error %.3g (one segment: %.3g)\n",
           as_kern_name(k), n, pair_err, moved);

    free(want);
    free(types);
    as_attn_deinit(&a);
    as_attn_deinit(&a0);
    as_st_close(w);
    as_model_destroy(m);
    as_kern_destroy(k);
    free(wpath);
    free(dir);
    return as_test_result();
}
