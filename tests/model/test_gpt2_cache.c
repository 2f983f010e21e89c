/* GPT-2 greedy continuation with a KV cache (one pass for the prompt, then one submit per new
 * token over that token alone) against the independent reference: one forward pass over the
 * final sequence (prompt + continuation, no continuation asked), whose store is what the
 * continuation must reproduce. On gpt2-tiny, from each golden case's input_ids:
 *   - every generated token is the argmax of the reference's logit row before it, the run stops
 *     after eos_token_id or at the token budget, whichever comes first;
 *   - every attention map, hidden state and logit row equals the reference's within 1e-4, and
 *     what the causal mask hides is exactly 0;
 *   - the continuation takes 1 + (new tokens) submits, and every step exactly one embedding
 *     + 7 per layer + ln_f + LM head dispatches (a step is one token through the blocks of
 *     model_gpt2.c: ln_1, c_attn, attention (scores, softmax and apply fused for one query
 *     row), attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj); the prompt pass records what the single
 *     pass does, or for a one-token prompt what a step does;
 *   - without logits in the store (one logit row on the device) the ids and maps are the same;
 *   - a budget past n_positions stops at the last position;
 *   - a one-token prompt (token 225) whose greedy continuation emits eos after 9 tokens stops
 *     there, within its budget of 12 (found by searching every one-token prompt; the reference
 *     pass confirms each of the 9 choices).
 * Usage: test_gpt2_cache DEVICE   (cpu, or anything else for Vulkan) */
#include "attnscope/model.h"

#include "model_test.h"

#include <stdlib.h>

#define TOL 1e-4
#define NEW_TOKENS 12

static double worst_attn, worst_hidden, worst_logit;
static int generated, at_limit; /* tokens continued; runs that ended at the last position */

static double max_diff(const float *a, const float *b, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        worst = d > worst ? d : worst;
    }
    return worst;
}

/* Runs ids[n] with a continuation budget: its status, the submits and dispatches in *used. */
static int run(as_model *m, as_kern *k, const int32_t *ids, int n, int max_new, int logits,
               as_attn *a, as_kern_stats *used)
{
    as_model_ids in = {.src = ids, .n_src = n};
    as_run_opts o = {.max_new_tokens = max_new, .want_logits = logits, .want_hidden = logits};
    as_kern_stats s0 = as_kern_get_stats(k);
    int rc = as_model_run_ids(m, &in, &o, a);
    if (rc != AS_OK)
        fprintf(stderr, "run: %s\n", as_last_error());
    as_kern_stats s1 = as_kern_get_stats(k);
    used->submits = s1.submits - s0.submits;
    used->dispatches = s1.dispatches - s0.dispatches;
    return rc;
}

/* The continuation `got` of an n-token prompt against the single pass `ref` over its ids. */
static void compare(const as_attn *got, const as_attn *ref, int n, int budget, int eos)
{
    const as_attn_axis_tokens *ax = &got->axis[AS_AXIS_SOURCE];
    int T = ax->n, V = ref->logits_cols;
    AS_TEST_EQ(T, n + got->n_generated);
    AS_TEST_TRUE(got->n_generated >= 1);
    /* stops after eos or at the budget, never before */
    for (int t = n; t < T - 1; t++)
        AS_TEST_TRUE(ax->ids[t] != eos);
    AS_TEST_TRUE(got->n_generated == budget || ax->ids[T - 1] == eos);
    generated += got->n_generated;
    /* greedy: no logit of the reference row before a token beats the token's own */
    int beaten = 0;
    for (int t = n; t < T; t++) {
        const float *row = ref->logits + (size_t)(t - 1) * V;
        for (int v = 0; v < V; v++)
            beaten += row[v] > row[ax->ids[t]];
    }
    AS_TEST_EQ(beaten, 0);

    const as_attn_map *g = &got->map[AS_ATTN_ENCODER], *r = &ref->map[AS_ATTN_ENCODER];
    AS_TEST_TRUE(g->layers == r->layers && g->heads == r->heads && g->q == T && g->k == T &&
                 r->q == T);
    if (g->layers != r->layers || g->heads != r->heads || g->q != T || r->q != T)
        return;
    size_t per = (size_t)T * T;
    double d = max_diff(g->p, r->p, (size_t)g->layers * g->heads * per);
    worst_attn = d > worst_attn ? d : worst_attn;
    AS_TEST_TRUE(d <= TOL);
    int masked_nonzero = 0;
    for (int lh = 0; lh < g->layers * g->heads; lh++)
        for (int q = 0; q < T; q++)
            for (int kk = q + 1; kk < T; kk++)
                masked_nonzero += g->p[lh * per + (size_t)q * T + kk] != 0.0f;
    AS_TEST_EQ(masked_nonzero, 0);

    const as_attn_hidden *gh = &got->hidden[AS_AXIS_SOURCE], *rh = &ref->hidden[AS_AXIS_SOURCE];
    AS_TEST_TRUE(gh->states == rh->states && gh->rows == T && rh->rows == T);
    if (gh->states == rh->states && gh->rows == T && rh->rows == T) {
        d = max_diff(gh->h, rh->h, (size_t)gh->states * T * gh->dim);
        worst_hidden = d > worst_hidden ? d : worst_hidden;
        AS_TEST_TRUE(d <= TOL);
    }
    AS_TEST_TRUE(got->logits_rows == T && ref->logits_rows == T && got->logits_cols == V);
    if (got->logits_rows == T && ref->logits_rows == T && got->logits_cols == V) {
        d = max_diff(got->logits, ref->logits, (size_t)T * V);
        worst_logit = d > worst_logit ? d : worst_logit;
        AS_TEST_TRUE(d <= TOL);
    }
}

/* Continues a prompt by up to `max_new` tokens, then checks it against the single pass and
 * against the same continuation without logits; `eos`: it must end at eos within the budget. */
static void check_case(as_model *m, as_kern *k, const int32_t *ids, int n, int max_new, int eos)
{
    const as_cfg *c = as_model_cfg(m);
    int budget = max_new < c->max_positions - n ? max_new : c->max_positions - n;
    int layers = c->enc_layers;
    as_attn got, ref, lean;
    as_kern_stats used, ref_used, lean_used;
    int rc = run(m, k, ids, n, max_new, 1, &got, &used);
    AS_TEST_EQ(rc, AS_OK);
    if (rc != AS_OK)
        return;
    const as_attn_axis_tokens *ax = &got.axis[AS_AXIS_SOURCE];
    at_limit += ax->n == c->max_positions;
    if (eos)
        AS_TEST_TRUE(got.n_generated < max_new && ax->ids[ax->n - 1] == c->eos_id);
    for (int t = 0; t < n && t < ax->n; t++)
        AS_TEST_EQ(ax->ids[t], ids[t]);
    rc = run(m, k, ax->ids, ax->n, 0, 1, &ref, &ref_used);
    AS_TEST_EQ(rc, AS_OK);
    if (rc == AS_OK) {
        AS_TEST_EQ(ref.n_generated, 0);
        compare(&got, &ref, n, budget, c->eos_id);
        AS_TEST_EQ(used.submits, 1 + got.n_generated);
        AS_TEST_EQ(ref_used.submits, 1);
        uint64_t step = 7u * layers + 3u, prompt = n > 1 ? ref_used.dispatches : step;
        AS_TEST_EQ(used.dispatches, prompt + step * (uint64_t)got.n_generated);
        as_attn_deinit(&ref);
    }
    rc = run(m, k, ids, n, max_new, 0, &lean, &lean_used);
    AS_TEST_EQ(rc, AS_OK);
    if (rc == AS_OK) {
        AS_TEST_TRUE(lean.logits == NULL && lean.hidden[AS_AXIS_SOURCE].states == 0);
        AS_TEST_EQ(lean.axis[AS_AXIS_SOURCE].n, ax->n);
        for (int t = 0; t < ax->n && t < lean.axis[AS_AXIS_SOURCE].n; t++)
            AS_TEST_EQ(lean.axis[AS_AXIS_SOURCE].ids[t], ax->ids[t]);
        const as_attn_map *g = &got.map[AS_ATTN_ENCODER], *l = &lean.map[AS_ATTN_ENCODER];
        AS_TEST_TRUE(l->q == g->q && l->k == g->k && l->layers == g->layers);
        if (l->q == g->q && l->k == g->k && l->layers == g->layers)
            AS_TEST_TRUE(max_diff(l->p, g->p, (size_t)g->layers * g->heads * g->q * g->k) <= TOL);
        as_attn_deinit(&lean);
    }
    as_attn_deinit(&got);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DEVICE\n", argv[0]);
        return 2;
    }
    char *dir = as_xasprintf("%s/gpt2-tiny", as_test_fixtures());
    char *gpath = as_xasprintf("%s/golden.safetensors", dir);
    as_kern *k = as_test_kern(argv[1]);
    as_st_file *golden = NULL;
    AS_TEST_EQ(as_st_open(&golden, gpath), AS_OK);
    as_model *m = NULL;
    int rc = as_model_load(&m, dir, k);
    if (rc != AS_OK)
        fprintf(stderr, "load: %s\n", as_last_error());
    AS_TEST_EQ(rc, AS_OK);
    int cases = 0, n = 0;
    for (int32_t *ids; rc == AS_OK && golden && (ids = as_test_case_ids(golden, cases, &n));) {
        check_case(m, k, ids, n, NEW_TOKENS, 0);
        /* a budget past the last position: the run ends there */
        check_case(m, k, ids, n, 2 * as_model_cfg(m)->max_positions, 0);
        free(ids);
        cases++;
    }
    AS_TEST_TRUE(cases > 0);
    const int32_t to_eos[1] = {225};
    if (rc == AS_OK)
        check_case(m, k, to_eos, 1, NEW_TOKENS, 1);
    printf("gpt2-tiny cache on %s: %d golden prompts + 1, %d tokens continued (%d runs to the "
           "end), max difference attention %.3g, hidden states %.3g, logits %.3g\n",
           as_kern_name(k), cases, generated, at_limit, worst_attn, worst_hidden, worst_logit);
    as_model_destroy(m);
    as_st_close(golden);
    as_kern_destroy(k);
    free(dir);
    free(gpath);
    return as_test_result();
}
