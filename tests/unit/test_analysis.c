/* analysis: every statistic on tiny matrices whose values are worked out by hand in the comments.
 * All inputs are binary fractions (exact in float), so the expected values are exact up to the
 * final rounding to float; 1e-6 leaves room only for that. */
#include "attnscope/analysis.h"

#include "../test.h"

#define TOL 1e-6

/* A [3, 3], causal-looking (masked entries exactly 0):
 *   1     0     0
 *   0.5   0.5   0
 *   0.25  0.25  0.5                                                                             */
static const float A[9] = {1, 0, 0, 0.5f, 0.5f, 0, 0.25f, 0.25f, 0.5f};

static void test_entropy(void)
{
    // row 0: one key, H = 0 (0 log 0 = 0 for the masked keys)
    // row 1: two keys at 1/2: H = ln 2
    // row 2: 1/4, 1/4, 1/2: H = 2 (1/4) ln 4 + (1/2) ln 2 = ln 2 + (1/2) ln 2 = 1.5 ln 2
    float h[3];
    as_an_row_entropy(A, 3, 3, h);
    AS_TEST_NEAR(h[0], 0.0, TOL);
    AS_TEST_NEAR(h[1], log(2.0), TOL);
    AS_TEST_NEAR(h[2], 1.5 * log(2.0), TOL);

    // uniform over 4 keys: ln 4; a row without mass (all zero) gives 0
    const float u[4] = {0.25f, 0.25f, 0.25f, 0.25f}, z[4] = {0, 0, 0, 0};
    AS_TEST_NEAR(as_an_entropy(u, 4), log(4.0), TOL);
    AS_TEST_NEAR(as_an_entropy(z, 4), 0.0, TOL);

    // effective tokens = mean of exp(H): (e^0 + e^{ln 2} + e^{1.5 ln 2}) / 3 = (1 + 2 + 2^1.5) / 3
    AS_TEST_NEAR(as_an_effective_tokens(A, 3, 3), (3.0 + pow(2.0, 1.5)) / 3.0, TOL);
}

static void test_gini(void)
{
    double g = -1;
    // A sorted: 0 0 0 .25 .25 .5 .5 .5 1, n = 9, sum = 3;
    // sum i x_i = 4(.25) + 5(.25) + 6(.5) + 7(.5) + 8(.5) + 9(1)
    //           = 1 + 1.25 + 3 + 3.5 + 4 + 9 = 21.75
    // G = 2 (21.75) / (9 * 3) - 10 / 9 = 43.5/27 - 30/27 = 0.5
    AS_TEST_EQ(as_an_gini(A, 3, 3, &g), AS_OK);
    AS_TEST_NEAR(g, 0.5, TOL);

    // all equal: sum i x = x n(n+1)/2, so G = (n+1)/n - (n+1)/n = 0
    const float eq[4] = {0.25f, 0.25f, 0.25f, 0.25f};
    AS_TEST_EQ(as_an_gini(eq, 2, 2, &g), AS_OK);
    AS_TEST_NEAR(g, 0.0, TOL);

    // one non-zero of n = 4: 2 (4 x) / (4 x) - 5/4 = 0.75 = (n-1)/n, the maximum
    const float one[4] = {0, 0, 1, 0};
    AS_TEST_EQ(as_an_gini(one, 2, 2, &g), AS_OK);
    AS_TEST_NEAR(g, 0.75, TOL);

    // all zero: defined as 0 (no mass to be unequal)
    const float zero[2] = {0, 0};
    AS_TEST_EQ(as_an_gini(zero, 1, 2, &g), AS_OK);
    AS_TEST_NEAR(g, 0.0, TOL);
}

static void test_positional(void)
{
    // diag: (1 + .5 + .5) / 3 = 2/3
    AS_TEST_NEAR(as_an_diag_mean(A, 3, 3), 2.0 / 3.0, TOL);
    // first token: (1 + .5 + .25) / 3 = 1.75 / 3
    AS_TEST_NEAR(as_an_first_token_mass(A, 3, 3), 1.75 / 3.0, TOL);
    // previous token: rows 1, 2: (A[1][0] + A[2][1]) / 2 = (.5 + .25) / 2 = .375
    AS_TEST_NEAR(as_an_prev_token_score(A, 3, 3), 0.375, TOL);
    // distance: row 0: 0; row 1: .5 * 1; row 2: .25 * 2 + .25 * 1 = .75; mean = 1.25 / 3
    AS_TEST_NEAR(as_an_mean_distance(A, 3, 3), 1.25 / 3.0, TOL);

    // B [2, 3] (cross-attention shape):
    //   .5  .25 .25
    //   0   1   0
    // diag over i < min(2, 3) = 2: (.5 + 1) / 2 = .75; previous: row 1: A[1][0] = 0
    // distance: row 0: .25 * 1 + .25 * 2 = .75; row 1: all on key 1, itself: 0; mean .375
    const float B[6] = {0.5f, 0.25f, 0.25f, 0, 1, 0};
    AS_TEST_NEAR(as_an_diag_mean(B, 2, 3), 0.75, TOL);
    AS_TEST_NEAR(as_an_prev_token_score(B, 2, 3), 0.0, TOL);
    AS_TEST_NEAR(as_an_mean_distance(B, 2, 3), 0.375, TOL);
    AS_TEST_NEAR(as_an_first_token_mass(B, 2, 3), 0.25, TOL);

    // D [4, 2]: more queries than keys. previous: rows 1..3: A[1][0] = 1, A[2][1] = 1, and row 3
    // has no key 2, so 0: (1 + 1 + 0) / 3 = 2/3. diag over i < 2: (1 + 0) / 2 = .5
    const float D[8] = {1, 0, 1, 0, 0, 1, 0, 1};
    AS_TEST_NEAR(as_an_prev_token_score(D, 4, 2), 2.0 / 3.0, TOL);
    AS_TEST_NEAR(as_an_diag_mean(D, 4, 2), 0.5, TOL);
    // a single query has no previous token
    AS_TEST_NEAR(as_an_prev_token_score(A, 1, 3), 0.0, TOL);
}

static void test_peaks(void)
{
    // the peak of A is its 1 at (0, 0); of B the 1 at (1, 1)
    as_an_peak p = as_an_peak_find(A, 3, 3);
    AS_TEST_EQ(p.row, 0);
    AS_TEST_EQ(p.col, 0);
    AS_TEST_NEAR(p.value, 1.0, 0);
    const float B[6] = {0.5f, 0.25f, 0.25f, 0, 1, 0};
    p = as_an_peak_find(B, 2, 3);
    AS_TEST_EQ(p.row, 1);
    AS_TEST_EQ(p.col, 1);

    // row argmax of A: 0; 0 (tie .5/.5, first wins); 2
    int am[3] = {-1, -1, -1};
    as_an_row_argmax(A, 3, 3, am);
    AS_TEST_EQ(am[0], 0);
    AS_TEST_EQ(am[1], 0);
    AS_TEST_EQ(am[2], 2);
}

static void test_heads(void)
{
    // three heads of [1, 2]: (.25 .75) (.75 .25) (.5 .5)
    // mean (.5 .5); max (.75 .75); min (.25 .25)
    const float h[6] = {0.25f, 0.75f, 0.75f, 0.25f, 0.5f, 0.5f};
    float out[2];
    as_an_head_aggregate(h, 3, 1, 2, AS_AN_FUSE_MEAN, out);
    AS_TEST_NEAR(out[0], 0.5, TOL);
    AS_TEST_NEAR(out[1], 0.5, TOL);
    as_an_head_aggregate(h, 3, 1, 2, AS_AN_FUSE_MAX, out);
    AS_TEST_NEAR(out[0], 0.75, TOL);
    AS_TEST_NEAR(out[1], 0.75, TOL);
    as_an_head_aggregate(h, 3, 1, 2, AS_AN_FUSE_MIN, out);
    AS_TEST_NEAR(out[0], 0.25, TOL);
    AS_TEST_NEAR(out[1], 0.25, TOL);
}

static void test_diversity(void)
{
    // JS(P, Q) in bits for P = (1, 0), Q = (.5, .5): M = (.75, .25)
    //   KL(P||M) = log2(1 / .75) = log2(4/3)
    //   KL(Q||M) = .5 log2(.5 / .75) + .5 log2(.5 / .25) = .5 log2(2/3) + .5
    //   JS = (KL(P||M) + KL(Q||M)) / 2 = 0.311278...
    const float p[2] = {1, 0}, q[2] = {0.5f, 0.5f}, r[2] = {0, 1};
    double js = 0.5 * (log2(4.0 / 3.0) + 0.5 * log2(2.0 / 3.0) + 0.5);
    AS_TEST_NEAR(as_an_js_divergence(p, q, 1, 2), js, TOL);
    AS_TEST_NEAR(as_an_js_divergence(q, p, 1, 2), js, TOL);
    // disjoint supports: M = (.5, .5), each KL = log2(2) = 1, JS = 1; identical: 0
    AS_TEST_NEAR(as_an_js_divergence(p, r, 1, 2), 1.0, TOL);
    AS_TEST_NEAR(as_an_js_divergence(p, p, 1, 2), 0.0, TOL);
    // two rows, one disjoint (1) and one identical (0): mean .5
    const float a2[4] = {1, 0, 0.5f, 0.5f}, b2[4] = {0, 1, 0.5f, 0.5f};
    AS_TEST_NEAR(as_an_js_divergence(a2, b2, 2, 2), 0.5, TOL);

    // heads (1 0), (0 1), (1 0): pairs 01 = 1, 02 = 0, 12 = 1, mean 2/3; one head: 0
    const float h3[6] = {1, 0, 0, 1, 1, 0};
    AS_TEST_NEAR(as_an_head_diversity(h3, 3, 1, 2), 2.0 / 3.0, TOL);
    AS_TEST_NEAR(as_an_head_diversity(h3, 1, 1, 2), 0.0, TOL);
}

static void test_similarity(void)
{
    // heads of [2, 2], flattened:
    //   h0 = 1 0 0 0      h1 = 1 1 0 0      h2 = 0 1 1 1      h3 = .5 .5 .5 .5 (constant)
    // r(h0, h1): means .25, .5; dx = (.75 -.25 -.25 -.25), dy = (.5 .5 -.5 -.5)
    //   sxy = .375 - .125 + .125 + .125 = .5, sxx = .5625 + 3 (.0625) = .75, syy = 1
    //   r = .5 / sqrt(.75) = 1 / sqrt(3)
    // r(h0, h2): h2 = 1 - h0, so r = -1. r(h1, h2): means .5, .75; dx = (.5 .5 -.5 -.5),
    //   dy = (-.75 .25 .25 .25): sxy = -.375 + .125 - .125 - .125 = -.5, sxx = 1, syy = .75,
    //   r = -1 / sqrt(3). h3 is constant: 0 against every other head, 1 on the diagonal.
    const float h[16] = {1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f};
    float s[16];
    as_an_head_similarity(h, 4, 2, 2, s);
    double r3 = 1.0 / sqrt(3.0);
    const double want[16] = {1, r3, -1, 0, r3, 1, -r3, 0, -1, -r3, 1, 0, 0, 0, 0, 1};
    for (int i = 0; i < 16; i++)
        AS_TEST_NEAR(s[i], want[i], TOL);
}

static void test_table(void)
{
    // one layer, two heads: A and the identity I [3, 3], as a store kind (layer, head, q, k)
    float p[18] = {1, 0, 0, 0.5f, 0.5f, 0, 0.25f, 0.25f, 0.5f, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    as_attn_map map = {.layers = 1, .heads = 2, .q = 3, .k = 3, .p = p};
    // A: the values worked out above. I: sorted 0 x6, 1 at i = 7, 8, 9: G = 2 (24) / (9 * 3)
    // - 10/9 = 2/3; diag 1; every row one key: entropy 0, effective tokens 1; first token 1/3
    // (row 0 only); previous token 0; distance 0.
    const double want[AS_AN_STATS][2] = {
        [AS_AN_STAT_GINI] = {0.5, 2.0 / 3.0},
        [AS_AN_STAT_DIAG_MEAN] = {2.0 / 3.0, 1.0},
        [AS_AN_STAT_EFFECTIVE] = {(3.0 + pow(2.0, 1.5)) / 3.0, 1.0},
        [AS_AN_STAT_ENTROPY_MEAN] = {(0.0 + 1.0 + 1.5) * log(2.0) / 3.0, 0.0},
        [AS_AN_STAT_FIRST_TOKEN] = {1.75 / 3.0, 1.0 / 3.0},
        [AS_AN_STAT_PREV_TOKEN] = {0.375, 0.0},
        [AS_AN_STAT_DISTANCE] = {1.25 / 3.0, 0.0},
    };
    for (int s = 0; s < AS_AN_STATS; s++) {
        float out[2] = {-1, -1};
        AS_TEST_EQ(as_an_map_table(&map, (as_an_stat)s, out), AS_OK);
        AS_TEST_NEAR(out[0], want[s][0], TOL);
        AS_TEST_NEAR(out[1], want[s][1], TOL);
    }
    AS_TEST_STR(as_an_stat_name(AS_AN_STAT_EFFECTIVE), "effective_tokens");
    as_attn_map absent = {0};
    float out[1];
    AS_TEST_EQ(as_an_map_table(&absent, AS_AN_STAT_GINI, out), AS_EINVAL);
}

static void test_rollout(void)
{
    // two layers, one head, n = 2:
    //   A0 = 1 0 / .5 .5   -> + I = 2 0 / .5 1.5 -> rows / 2 -> A0' = 1 0 / .25 .75
    //   A1 = .5 .5 / 0 1   -> + I = 1.5 .5 / 0 2 -> rows / 2 -> A1' = .75 .25 / 0 1
    //   R = A1' A0' = (.75 + .25 * .25, .25 * .75) / (.25, .75) = .8125 .1875 / .25 .75
    // (the other order, A0' A1', would give .75 .25 / .1875 .8125)
    const float L2[8] = {1, 0, 0.5f, 0.5f, 0.5f, 0.5f, 0, 1};
    float r[4];
    AS_TEST_EQ(as_an_rollout(L2, 2, 1, 2, NULL, r), AS_OK);
    const double want[4] = {0.8125, 0.1875, 0.25, 0.75};
    for (int i = 0; i < 4; i++)
        AS_TEST_NEAR(r[i], want[i], TOL);

    // one layer, two heads I and the swap J = 0 1 / 1 0:
    //   mean .5 .5 / .5 .5 -> + I -> 1.5 .5 / .5 1.5 -> / 2 -> .75 .25 / .25 .75
    //   max  1 1 / 1 1     -> + I -> 2 1 / 1 2       -> / 3 -> 2/3 1/3 / 1/3 2/3
    //   min  0 0 / 0 0     -> + I -> identity
    const float IJ[8] = {1, 0, 0, 1, 0, 1, 1, 0};
    as_an_rollout_opts o = {AS_AN_FUSE_MEAN, 0.0};
    AS_TEST_EQ(as_an_rollout(IJ, 1, 2, 2, &o, r), AS_OK);
    AS_TEST_NEAR(r[0], 0.75, TOL);
    AS_TEST_NEAR(r[1], 0.25, TOL);
    o.fusion = AS_AN_FUSE_MAX;
    AS_TEST_EQ(as_an_rollout(IJ, 1, 2, 2, &o, r), AS_OK);
    AS_TEST_NEAR(r[0], 2.0 / 3.0, TOL);
    AS_TEST_NEAR(r[1], 1.0 / 3.0, TOL);
    o.fusion = AS_AN_FUSE_MIN;
    AS_TEST_EQ(as_an_rollout(IJ, 1, 2, 2, &o, r), AS_OK);
    AS_TEST_NEAR(r[0], 1.0, TOL);
    AS_TEST_NEAR(r[1], 0.0, TOL);
    AS_TEST_NEAR(r[2], 0.0, TOL);
    AS_TEST_NEAR(r[3], 1.0, TOL);
}

static void test_rollout_discard(void)
{
    float r[4];
    as_an_rollout_opts o = {AS_AN_FUSE_MEAN, 0.5};
    // F = .75 .25 / .125 .875, ratio .5: floor(.5 * 4) = 2 smallest (.125, .25) zeroed
    //   -> .75 0 / 0 .875 -> + I, rows renormalised -> identity
    const float F[4] = {0.75f, 0.25f, 0.125f, 0.875f};
    AS_TEST_EQ(as_an_rollout(F, 1, 1, 2, &o, r), AS_OK);
    AS_TEST_NEAR(r[0], 1.0, TOL);
    AS_TEST_NEAR(r[1], 0.0, TOL);
    AS_TEST_NEAR(r[2], 0.0, TOL);
    AS_TEST_NEAR(r[3], 1.0, TOL);

    // G = .125 .875 / .5 .5: the smallest entry is G[0][0], which is never discarded.
    //   ratio .25 (1 entry): only G[0][0] is picked, kept -> plain rollout:
    //     + I = 1.125 .875 / .5 1.5 -> / 2 -> .5625 .4375 / .25 .75
    //   ratio .5 (2 entries): G[0][0] kept; next smallest .5 is a tie, lower index G[1][0] goes
    //     -> .125 .875 / 0 .5 -> + I -> 1.125 .875 / 0 1.5 -> .5625 .4375 / 0 1
    const float G[4] = {0.125f, 0.875f, 0.5f, 0.5f};
    o.discard_ratio = 0.25;
    AS_TEST_EQ(as_an_rollout(G, 1, 1, 2, &o, r), AS_OK);
    AS_TEST_NEAR(r[0], 0.5625, TOL);
    AS_TEST_NEAR(r[1], 0.4375, TOL);
    AS_TEST_NEAR(r[2], 0.25, TOL);
    AS_TEST_NEAR(r[3], 0.75, TOL);
    o.discard_ratio = 0.5;
    AS_TEST_EQ(as_an_rollout(G, 1, 1, 2, &o, r), AS_OK);
    AS_TEST_NEAR(r[0], 0.5625, TOL);
    AS_TEST_NEAR(r[1], 0.4375, TOL);
    AS_TEST_NEAR(r[2], 0.0, TOL);
    AS_TEST_NEAR(r[3], 1.0, TOL);

    // ratios outside [0, 1) are refused with a message
    o.discard_ratio = 1.0;
    AS_TEST_EQ(as_an_rollout(G, 1, 1, 2, &o, r), AS_EINVAL);
    AS_TEST_TRUE(strstr(as_last_error(), "discard ratio") != NULL);
    o.discard_ratio = -0.1;
    AS_TEST_EQ(as_an_rollout(G, 1, 1, 2, &o, r), AS_EINVAL);
}

static void test_rollout_map(void)
{
    // the store layout (layer, head, q, k) is the raw layout: same result as the first rollout
    float L2[8] = {1, 0, 0.5f, 0.5f, 0.5f, 0.5f, 0, 1};
    as_attn_map map = {.layers = 2, .heads = 1, .q = 2, .k = 2, .p = L2};
    float r[4];
    AS_TEST_EQ(as_an_rollout_map(&map, NULL, r), AS_OK);
    AS_TEST_NEAR(r[0], 0.8125, TOL);
    AS_TEST_NEAR(r[3], 0.75, TOL);

    // cross-attention is not square; an absent kind has no layers
    as_attn_map cross = {.layers = 1, .heads = 1, .q = 2, .k = 4, .p = L2};
    AS_TEST_EQ(as_an_rollout_map(&cross, NULL, r), AS_EINVAL);
    AS_TEST_TRUE(strstr(as_last_error(), "2 x 4") != NULL);
    as_attn_map absent = {0};
    AS_TEST_EQ(as_an_rollout_map(&absent, NULL, r), AS_EINVAL);
}

int main(void)
{
    test_entropy();
    test_gini();
    test_positional();
    test_peaks();
    test_heads();
    test_table();
    test_diversity();
    test_similarity();
    test_rollout();
    test_rollout_discard();
    test_rollout_map();
    return as_test_result();
}
