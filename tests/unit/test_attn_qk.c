/* The Q/K form of the attention store (attn.h, src/attn/attn_qk.c): materialised heads against a
 * hand-computed example and a direct double-precision computation, the LRU head cache, the mean
 * over heads (several row blocks) and as_attn_full's layout. */
#include "attnscope/attn.h"

#include "../test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One layer, two heads of width 1, two queries, two keys, scale 1/2 (queries doubled to match):
 *   Q = [[2 ln3, 0], [0, 2 ln2]]   (row = query, column = head)
 *   K = [[1, 1], [0, 0]]
 * head 0: query 0 scores (ln3, 0) -> (3/4, 1/4); query 1 scores (0, 0) -> (1/2, 1/2)
 * head 1: query 0 scores (0, 0)   -> (1/2, 1/2); query 1 scores (ln2, 0) -> (2/3, 1/3)
 * mean:   query 0 (5/8, 3/8); query 1 (7/12, 5/12) */
static void test_hand(void)
{
    as_attn a;
    as_attn_init(&a);
    AS_TEST_EQ(as_attn_alloc_qk(&a, AS_ATTN_ENCODER, 1, 2, 2, 2, 1, 0.5f), AS_OK);
    as_attn_qk *qk = a.map[AS_ATTN_ENCODER].qk;
    AS_TEST_TRUE(qk != NULL && a.map[AS_ATTN_ENCODER].p == NULL);
    const float q[4] = {2.0f * logf(3.0f), 0.0f, 0.0f, 2.0f * logf(2.0f)};
    const float k[4] = {1.0f, 1.0f, 0.0f, 0.0f};
    memcpy(qk->q, q, sizeof q);
    memcpy(qk->k, k, sizeof k);
    const double want[2][4] = {{0.75, 0.25, 0.5, 0.5}, {0.5, 0.5, 2.0 / 3, 1.0 / 3}};
    for (int h = 0; h < 2; h++) {
        const float *p = as_attn_head(&a, AS_ATTN_ENCODER, 0, h);
        for (int i = 0; i < 4; i++)
            AS_TEST_NEAR(p[i], want[h][i], 1e-6);
    }
    float mean[4];
    as_attn_head_mean(&a, AS_ATTN_ENCODER, 0, mean);
    const double want_mean[4] = {5.0 / 8, 3.0 / 8, 7.0 / 12, 5.0 / 12};
    for (int i = 0; i < 4; i++)
        AS_TEST_NEAR(mean[i], want_mean[i], 1e-6);
    as_attn_deinit(&a);
}

/* ---- random store vs a direct computation ------------------------------------------------- */

enum { L = 2, H = 3, TQ = 70, TK = 5, DH = 4, W = H * DH };

/* softmax(scale q_i . k_j) of (layer, head) in double, straight from the definition. */
static void direct(const as_attn_qk *qk, int l, int h, double *out)
{
    for (int i = 0; i < TQ; i++) {
        double s[TK], mx = -INFINITY, sum = 0.0;
        for (int j = 0; j < TK; j++) {
            s[j] = 0.0;
            for (int d = 0; d < DH; d++)
                s[j] += (double)qk->q[((size_t)l * TQ + i) * W + h * DH + d] *
                        qk->k[((size_t)l * TK + j) * W + h * DH + d];
            s[j] *= qk->scale;
            mx = s[j] > mx ? s[j] : mx;
        }
        for (int j = 0; j < TK; j++)
            sum += exp(s[j] - mx);
        for (int j = 0; j < TK; j++)
            out[i * TK + j] = exp(s[j] - mx) / sum;
    }
}

static double head_err(const as_attn *a, int l, int h)
{
    double want[TQ * TK], worst = 0.0;
    direct(a->map[AS_ATTN_ENCODER].qk, l, h, want);
    const float *p = as_attn_head(a, AS_ATTN_ENCODER, l, h);
    for (int i = 0; i < TQ * TK; i++)
        worst = fmax(worst, fabs(p[i] - want[i]));
    return worst;
}

static void fill_random(as_attn *a)
{
    as_attn_init(a);
    AS_TEST_EQ(as_attn_alloc_qk(a, AS_ATTN_ENCODER, L, H, TQ, TK, DH, 0.5f), AS_OK);
    as_attn_qk *qk = a->map[AS_ATTN_ENCODER].qk;
    srand(7);
    for (int i = 0; i < L * TQ * W; i++)
        qk->q[i] = 4.0f * rand() / RAND_MAX - 2.0f;
    for (int i = 0; i < L * TK * W; i++)
        qk->k[i] = 4.0f * rand() / RAND_MAX - 2.0f;
}

static void test_direct(void)
{
    as_attn a;
    fill_random(&a);
    for (int l = 0; l < L; l++)
        for (int h = 0; h < H; h++)
            AS_TEST_TRUE(head_err(&a, l, h) <= 1e-6);
    for (int l = 0; l < L; l++) {
        float mean[TQ * TK];
        double want[H][TQ * TK], worst = 0.0;
        for (int h = 0; h < H; h++)
            direct(a.map[AS_ATTN_ENCODER].qk, l, h, want[h]);
        as_attn_head_mean(&a, AS_ATTN_ENCODER, l, mean);
        for (int i = 0; i < TQ * TK; i++)
            worst = fmax(worst, fabs(mean[i] - (want[0][i] + want[1][i] + want[2][i]) / H));
        AS_TEST_TRUE(worst <= 1e-6);
    }
    /* as_attn_full: (layer, head, q, k), each head equal to what as_attn_head gives */
    const float *all = NULL;
    AS_TEST_EQ(as_attn_full(&a, AS_ATTN_ENCODER, &all), AS_OK);
    AS_TEST_TRUE(all != NULL);
    for (int l = 0; all && l < L; l++)
        for (int h = 0; h < H; h++) {
            double want[TQ * TK], worst = 0.0;
            direct(a.map[AS_ATTN_ENCODER].qk, l, h, want);
            const float *p = all + ((size_t)l * H + h) * TQ * TK;
            for (int i = 0; i < TQ * TK; i++)
                worst = fmax(worst, fabs(p[i] - want[i]));
            AS_TEST_TRUE(worst <= 1e-6);
            AS_TEST_TRUE(as_attn_head(&a, AS_ATTN_ENCODER, l, h) == p);
        }
    as_attn_deinit(&a);
}

/* The mean over heads of a map larger than one of the mean's row blocks (2^22 elements): 1200 x
 * 3600 is a block of 1165 rows and one of 35. Mean vs the heads from as_attn_head. */
static void test_mean_blocks(void)
{
    enum { BQ = 1200, BK = 3600, BH = 2, BD = 2 };
    as_attn a;
    as_attn_init(&a);
    AS_TEST_EQ(as_attn_alloc_qk(&a, AS_ATTN_ENCODER, 1, BH, BQ, BK, BD, 1.0f), AS_OK);
    as_attn_qk *qk = a.map[AS_ATTN_ENCODER].qk;
    srand(11);
    for (int i = 0; i < BQ * BH * BD; i++)
        qk->q[i] = 6.0f * rand() / RAND_MAX - 3.0f;
    for (int i = 0; i < BK * BH * BD; i++)
        qk->k[i] = 6.0f * rand() / RAND_MAX - 3.0f;
    size_t n = (size_t)BQ * BK;
    float *mean = as_xmalloc(sizeof *mean * n);
    as_attn_head_mean(&a, AS_ATTN_ENCODER, 0, mean);
    const float *h0 = as_attn_head(&a, AS_ATTN_ENCODER, 0, 0);
    const float *h1 = as_attn_head(&a, AS_ATTN_ENCODER, 0, 1);
    double worst = 0.0, total = 0.0;
    for (size_t i = 0; i < n; i++) {
        worst = fmax(worst, fabs(mean[i] - ((double)h0[i] + h1[i]) / 2));
        total += mean[i];
    }
    AS_TEST_TRUE(worst <= 1e-7);
    AS_TEST_NEAR(total, BQ, 1e-3); /* every row of the mean sums to 1 */
    free(mean);
    as_attn_deinit(&a);
}

/* Four slots, least recently used replaced first, a repeated request is a hit. */
static void test_lru(void)
{
    AS_TEST_EQ(AS_ATTN_QK_SLOTS, 4);
    as_attn a;
    fill_random(&a);
    const float *p[5];
    p[0] = as_attn_head(&a, AS_ATTN_ENCODER, 0, 0); /* A */
    p[1] = as_attn_head(&a, AS_ATTN_ENCODER, 0, 1); /* B */
    p[2] = as_attn_head(&a, AS_ATTN_ENCODER, 0, 2); /* C */
    p[3] = as_attn_head(&a, AS_ATTN_ENCODER, 1, 0); /* D */
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            AS_TEST_TRUE(p[i] != p[j]);
    AS_TEST_TRUE(as_attn_head(&a, AS_ATTN_ENCODER, 0, 0) == p[0]); /* hit: A is now newest */
    p[4] = as_attn_head(&a, AS_ATTN_ENCODER, 1, 1);                /* E replaces B */
    AS_TEST_TRUE(p[4] == p[1]);
    AS_TEST_TRUE(head_err(&a, 1, 1) <= 1e-6); /* the reused slot holds E, not B */
    AS_TEST_TRUE(head_err(&a, 0, 0) <= 1e-6); /* A survived */
    AS_TEST_TRUE(as_attn_head(&a, AS_ATTN_ENCODER, 0, 2) == p[2]); /* C: hit */
    /* order now D (oldest), A, E, C: B comes back in D's slot */
    AS_TEST_TRUE(as_attn_head(&a, AS_ATTN_ENCODER, 0, 1) == p[3]);
    AS_TEST_TRUE(head_err(&a, 0, 1) <= 1e-6);
    /* a Q/K map replaced by a probability map (and back) leaks nothing (ASan) */
    AS_TEST_EQ(as_attn_alloc_map(&a, AS_ATTN_ENCODER, 1, 1, 2, 2), AS_OK);
    AS_TEST_TRUE(a.map[AS_ATTN_ENCODER].qk == NULL);
    AS_TEST_EQ(as_attn_alloc_qk(&a, AS_ATTN_ENCODER, 1, 1, 2, 2, 1, 1.0f), AS_OK);
    as_attn_deinit(&a);
}

int main(void)
{
    test_hand();
    test_direct();
    test_mean_blocks();
    test_lru();
    return as_test_result();
}
