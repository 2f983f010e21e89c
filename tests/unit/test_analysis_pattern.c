/* analysis: pattern labels are recovered from synthetic heads. Each generator puts weight 1 on
 * the pattern's keys, adds seeded uniform noise in [0, NOISE) to every visible key, optionally
 * masks keys after the query (causal), and normalises rows to sum 1, like a softmax output. */
#include "attnscope/analysis.h"

#include "../test.h"

#include <stdint.h>

#define NOISE 0.08f
#define MAXN 32

typedef enum { GEN_DIAG, GEN_PREV, GEN_NEIGHBOURS, GEN_FIRST, GEN_VERT, GEN_BLOCK, GEN_UNIFORM,
               GEN_MIXED } gen_kind;

static uint32_t rng_state;

/* xorshift32: small, seeded, identical on every platform. */
static float noise(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (float)(rng_state >> 8) / 16777216.0f * NOISE;
}

/* Pattern weight of key j for query i (before noise). */
static float base(gen_kind g, int i, int j, int rows, int cols)
{
    switch (g) {
    case GEN_DIAG: return j == i;
    case GEN_PREV: return j == (i > 0 ? i - 1 : 0);
    case GEN_NEIGHBOURS: return (j == i - 1 || j == i + 1) ? 0.5f : 0.0f;
    case GEN_FIRST: return j == 0;
    case GEN_VERT: return j == cols / 2; // one broadcast key away from the first
    case GEN_BLOCK: return i / 4 == j / 4; // blocks of 4 tokens attend within themselves
    case GEN_UNIFORM: return 1;
    case GEN_MIXED: // no single structure dominates: self, first and a far key share the mass
        return 0.35f * (j == i) + 0.35f * (j == 0) + 0.3f * (j == (i + rows / 2) % cols);
    }
    return 0;
}

static void generate(gen_kind g, int rows, int cols, int causal, uint32_t seed, float *m)
{
    rng_state = seed;
    for (int i = 0; i < rows; i++) {
        double s = 0.0;
        for (int j = 0; j < cols; j++) {
            float v = base(g, i, j, rows, cols) + noise();
            if (causal && j > i)
                v = 0.0f; // masked keys get exactly 0, as after a causal softmax
            m[i * cols + j] = v;
            s += v;
        }
        for (int j = 0; j < cols; j++)
            m[i * cols + j] = (float)(m[i * cols + j] / s);
    }
}

static void expect(gen_kind g, int rows, int cols, int causal, as_an_pattern want)
{
    float m[MAXN * MAXN];
    for (uint32_t seed = 1; seed <= 8; seed++) {
        generate(g, rows, cols, causal, seed * 2654435761u, m);
        as_an_pattern_scores sc;
        as_an_pattern got = as_an_classify(m, rows, cols, &sc);
        AS_TEST_STR(as_an_pattern_name(got), as_an_pattern_name(want));
        if (got != want)
            fprintf(stderr, "  %dx%d causal %d seed %u: diag %.3f band %.3f first %.3f vert %.3f "
                    "(key %d) block %.3f (%d blocks) unif %.3f\n", rows, cols, causal, seed,
                    sc.diag, sc.band, sc.first, sc.vert, sc.vert_col, sc.block, sc.blocks,
                    sc.unif);
    }
}

/* Exact (noise-free) scores on a pure pattern: the definitions, not just the decisions. */
static void test_scores(void)
{
    float m[16 * 16];
    for (int i = 0; i < 16 * 16; i++)
        m[i] = (i / 16) / 4 == (i % 16) / 4 ? 0.25f : 0.0f; // 4 blocks of 4, uniform inside
    as_an_pattern_scores sc;
    AS_TEST_EQ(as_an_classify(m, 16, 16, &sc), AS_AN_PAT_BLOCK);
    // rows change only at block edges (TV 1 there, 0 inside): 4 blocks; every row has all its
    // mass on its own block's 4 keys: (1 - 4/16) / (1 - 4/16) = 1
    AS_TEST_EQ(sc.blocks, 4);
    AS_TEST_NEAR(sc.block, 1.0, 1e-6);
    // uniform score: rows of block b see keys 0 .. 4b+3 (last non-zero), 4(b+1) of them, and
    // spread evenly over 4: ln 4 / ln(4(b+1)) = 1, 2/3, ln 4 / ln 12, 1/2 for b = 0..3.
    AS_TEST_NEAR(sc.unif, (1.0 + 2.0 / 3.0 + log(4.0) / log(12.0) + 0.5) / 4.0, 1e-6);
    // diagonal: 1/4 on every row; first token: 1/4 for rows 0..3, else 0 -> 1/16;
    // vertical: key c >= 1 is attended by the 4 rows of its block at 1/4 -> 1/16;
    // band: row i's keys at distance 1..2 inside its block: positions 0..3 of a block have
    // 2, 3, 3, 2 of them, at 1/4 each -> (10/4) / 4 rows = 0.625 per block
    AS_TEST_NEAR(sc.diag, 0.25, 1e-6);
    AS_TEST_NEAR(sc.first, 1.0 / 16.0, 1e-6);
    AS_TEST_NEAR(sc.vert, 1.0 / 16.0, 1e-6);
    AS_TEST_NEAR(sc.band, 0.625, 1e-6);

    // identity 8 x 8: diag 1; every row differs from the next (TV 1), so 8 blocks of 1 row,
    // which is no block structure (score 0); rows have one non-zero key: no uniform score
    float id[8 * 8] = {0};
    for (int i = 0; i < 8; i++)
        id[i * 8 + i] = 1;
    AS_TEST_EQ(as_an_classify(id, 8, 8, &sc), AS_AN_PAT_DIAGONAL);
    AS_TEST_NEAR(sc.diag, 1.0, 1e-6);
    AS_TEST_EQ(sc.blocks, 8);
    AS_TEST_NEAR(sc.block, 0.0, 1e-6);
    AS_TEST_NEAR(sc.unif, 0.0, 1e-6);

    // every query one-hot on key 5 of 8: a vertical stripe at key 5 (one block of identical rows)
    float v[6 * 8] = {0};
    for (int i = 0; i < 6; i++)
        v[i * 8 + 5] = 1;
    AS_TEST_EQ(as_an_classify(v, 6, 8, &sc), AS_AN_PAT_VERTICAL);
    AS_TEST_NEAR(sc.vert, 1.0, 1e-6);
    AS_TEST_EQ(sc.vert_col, 5);
    AS_TEST_EQ(sc.blocks, 1);
    AS_TEST_NEAR(sc.first, 0.0, 1e-6);

    // scores may be omitted
    AS_TEST_EQ(as_an_classify(v, 6, 8, NULL), AS_AN_PAT_VERTICAL);
    AS_TEST_STR(as_an_pattern_name(AS_AN_PAT_LOCAL), "local");
}

int main(void)
{
    test_scores();

    expect(GEN_DIAG, 16, 16, 0, AS_AN_PAT_DIAGONAL);
    expect(GEN_DIAG, 10, 10, 1, AS_AN_PAT_DIAGONAL);
    expect(GEN_PREV, 16, 16, 0, AS_AN_PAT_LOCAL);
    expect(GEN_PREV, 12, 12, 1, AS_AN_PAT_LOCAL);
    expect(GEN_NEIGHBOURS, 16, 16, 0, AS_AN_PAT_LOCAL);
    expect(GEN_FIRST, 16, 16, 0, AS_AN_PAT_FIRST);
    expect(GEN_FIRST, 12, 12, 1, AS_AN_PAT_FIRST);
    expect(GEN_FIRST, 12, 20, 0, AS_AN_PAT_FIRST); // cross-attention shape
    expect(GEN_VERT, 16, 16, 0, AS_AN_PAT_VERTICAL);
    expect(GEN_VERT, 12, 20, 0, AS_AN_PAT_VERTICAL);
    expect(GEN_BLOCK, 16, 16, 0, AS_AN_PAT_BLOCK);
    expect(GEN_BLOCK, 24, 24, 0, AS_AN_PAT_BLOCK);
    expect(GEN_UNIFORM, 16, 16, 0, AS_AN_PAT_UNIFORM);
    expect(GEN_UNIFORM, 16, 16, 1, AS_AN_PAT_UNIFORM);
    expect(GEN_UNIFORM, 12, 20, 0, AS_AN_PAT_UNIFORM);
    expect(GEN_MIXED, 16, 16, 0, AS_AN_PAT_MIXED);
    expect(GEN_MIXED, 24, 24, 0, AS_AN_PAT_MIXED);
    return as_test_result();
}
