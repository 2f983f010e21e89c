/* Word alignment, AER and attention flow on hand-computable examples (worked out in the
 * comments), plus the Hansards gold (tests/data/align, and the full set in ../shared/data when
 * present) scored against itself and against the diagonal baseline, whose AER comes from the
 * independent Python implementation tools/align_diag_aer.py. */
#include "attnscope/analysis.h"

#include "../test.h"

#include <ctype.h>

#define TOL 1e-6

static void test_word_ids(void)
{
    // specials are -1; "##" continues; a leading "##" (nothing before it) opens a word
    const char *labels[] = {"<pad>", "##s", "the", "##re", "dog", "</s>", "##x", "[CLS]", "<>"};
    int w[9];
    AS_TEST_EQ(as_an_word_ids(labels, 9, w), 4);
    const int want[9] = {-1, 0, 1, 1, 2, -1, 2, -1, 3};
    for (int i = 0; i < 9; i++)
        AS_TEST_EQ(w[i], want[i]);
    // "<>" has 2 bytes: not a special; "##x" after </s> continues "dog" (specials are skipped)
    AS_TEST_TRUE(!as_an_label_special("<>"));
    AS_TEST_TRUE(as_an_label_special("<unk>"));
    AS_TEST_TRUE(!as_an_label_special("a>"));
    const char *only[] = {"</s>"};
    AS_TEST_EQ(as_an_word_ids(only, 1, w), 0);
}

static void test_merge(void)
{
    /* target pieces (rows): <pad> le ##s chat </s> -> words t0 = {le, ##s}, t1 = chat
     * source pieces (cols): the cat ##s </s>        -> words s0 = the, s1 = {cat, ##s}
     * rows:  <pad>  .25 .25 .25 .25
     *        le     .5  .25 0   .25
     *        ##s    .5  0   .25 .25
     *        chat   0   .5  .25 .25
     *        </s>   1   0   0   0
     * t0: sum over source pieces, mean over le and ##s: s0 = (.5+.5)/2 = .5, s1 = (.25+.25)/2
     *     = .25, total .75 -> renormalised 2/3, 1/3. t1: s0 = 0, s1 = .75 -> 0, 1. */
    const float m[20] = {.25f, .25f, .25f, .25f, .5f, .25f, 0, .25f, .5f, 0, .25f, .25f,
                         0,    .5f,  .25f, .25f, 1,   0,    0, 0};
    const int rw[5] = {-1, 0, 0, 1, -1}, cw[4] = {0, 1, 1, -1};
    float out[4];
    as_an_merge_words(m, 5, 4, rw, 2, cw, 2, out);
    AS_TEST_NEAR(out[0], 2.0 / 3, TOL);
    AS_TEST_NEAR(out[1], 1.0 / 3, TOL);
    AS_TEST_NEAR(out[2], 0.0, TOL);
    AS_TEST_NEAR(out[3], 1.0, TOL);
}

static void test_extract(void)
{
    /* word matrix [3 target, 3 source]:
     *   .6 .3 .1
     *   .2 .2 .6      (tie-free argmax: 0, 2, and row 2's first maximum of .4 -> 1)
     *   .1 .4 .4
     * threshold .35: (0,0) .6, (1,2) .6, (2,1) .4, (2,2) .4 -> as (src, tgt): 0-0 2-1 1-2 2-2.
     * bidir .35: rows already sum to 1; column sums .9 .9 1.1. Column-normalised:
     *   .667 .333 .091 / .222 .222 .545 / .111 .444 .364
     *   both >= .35: (0,0) .6/.667, (1,2) .6/.545, (2,1) .4/.444, (2,2) .4/.364 -> same four;
     * bidir .4: (2,2) fails the column test (.364) and row 2's .4 passes: 0-0 2-1 1-2... (2,1):
     *   row .4 >= .4, column .444 >= .4 -> kept; so 0-0, 2-1, 1-2. */
    const float m[9] = {.6f, .3f, .1f, .2f, .2f, .6f, .1f, .4f, .4f};
    as_an_link l[9];
    int n = as_an_align_extract(m, 3, 3, AS_AN_ALIGN_ARGMAX, 0, l);
    AS_TEST_EQ(n, 3);
    AS_TEST_EQ(l[0].src, 0);
    AS_TEST_EQ(l[0].tgt, 0);
    AS_TEST_EQ(l[1].src, 2);
    AS_TEST_EQ(l[1].tgt, 1);
    AS_TEST_EQ(l[2].src, 1);
    AS_TEST_EQ(l[2].tgt, 2);
    AS_TEST_NEAR(l[2].score, .4, TOL);

    n = as_an_align_extract(m, 3, 3, AS_AN_ALIGN_THRESHOLD, .35, l);
    AS_TEST_EQ(n, 4);
    const int want4[4][2] = {{0, 0}, {2, 1}, {1, 2}, {2, 2}};
    for (int i = 0; i < 4 && i < n; i++) {
        AS_TEST_EQ(l[i].src, want4[i][0]);
        AS_TEST_EQ(l[i].tgt, want4[i][1]);
    }
    n = as_an_align_extract(m, 3, 3, AS_AN_ALIGN_BIDIR, .35, l);
    AS_TEST_EQ(n, 4);
    n = as_an_align_extract(m, 3, 3, AS_AN_ALIGN_BIDIR, .4, l);
    AS_TEST_EQ(n, 3);
    for (int i = 0; i < 3 && i < n; i++) {
        AS_TEST_EQ(l[i].src, want4[i][0]);
        AS_TEST_EQ(l[i].tgt, want4[i][1]);
    }

    // a row without mass gives no argmax link
    const float z[4] = {0, 0, .5f, .5f};
    n = as_an_align_extract(z, 2, 2, AS_AN_ALIGN_ARGMAX, 0, l);
    AS_TEST_EQ(n, 1);
    AS_TEST_EQ(l[0].tgt, 1);

    // diagonal, 3 source / 2 target words: j=0 -> floor(.5*3/2) = 0; j=1 -> floor(1.5*1.5) = 2
    AS_TEST_EQ(as_an_align_diagonal(3, 2, l), 2);
    AS_TEST_EQ(l[0].src, 0);
    AS_TEST_EQ(l[1].src, 2);
    AS_TEST_EQ(l[1].tgt, 1);
    AS_TEST_EQ(as_an_align_diagonal(0, 2, l), 0);
}

static void test_select(void)
{
    // 2 layers x 2 heads of [1, 2]: values 0..7; head 1 of layers 0..1 = mean({2,3},{6,7})
    float p[8] = {0, 1, 2, 3, 4, 5, 6, 7}, out[2];
    as_attn_map map = {.layers = 2, .heads = 2, .q = 1, .k = 2, .p = p};
    as_an_map_select(&map, 0, 1, 1, out);
    AS_TEST_NEAR(out[0], 4, TOL);
    AS_TEST_NEAR(out[1], 5, TOL);
    as_an_map_select(&map, 1, 1, -1, out); // layer 1, mean of heads: {4,5},{6,7}
    AS_TEST_NEAR(out[0], 5, TOL);
    AS_TEST_NEAR(out[1], 6, TOL);
}

static void test_align_store(void)
{
    /* source pieces: the cat ##s </s>            -> words the(0), cats(1)
     * target pieces: <pad> les chat ##s </s>     -> words les(0), chats(1)
     * cross, 1 layer, head 0 (rows = decoder positions):
     *   <pad> 1  0  0  0 | les .8 .1 .1 0 | chat 0 .5 .5 0 | ##s 0 .2 .6 .2 | </s> 0 0 0 1
     * head 1: every row uniform .25.
     * Head 0, rows read as inputs: les = row 1: the .8, cats .2 -> 0-0 (.8);
     *   chats = rows 2, 3: the 0, cats (.5+.5 + .2+.6)/2 = .9 -> renormalised 1 -> 1-1 (1).
     * Head 0, --predict (row r predicts piece r+1): les = row 0: the 1 -> 0-0 (1);
     *   chats = rows 1 (chat), 2 (##s): the (.8+0)/2 = .4, cats (.2 + 1)/2 = .6 -> 1-1 (.6). */
    as_attn a;
    as_attn_init(&a);
    AS_TEST_EQ(as_attn_alloc_map(&a, AS_ATTN_CROSS, 1, 2, 5, 4), AS_OK);
    const float h0[20] = {1, 0, 0, 0, .8f, .1f, .1f, 0, 0, .5f, .5f, 0, 0, .2f, .6f, .2f, 0, 0, 0, 1};
    memcpy(as_attn_head(&a, AS_ATTN_CROSS, 0, 0), h0, sizeof h0);
    float *h1 = as_attn_head(&a, AS_ATTN_CROSS, 0, 1);
    for (int e = 0; e < 20; e++)
        h1[e] = .25f;
    const char *src[4] = {"the", "cat", "##s", "</s>"};
    const char *tgt[5] = {"<pad>", "les", "chat", "##s", "</s>"};
    const int32_t ids[5] = {0};
    as_attn_set_axis(&a, AS_AXIS_SOURCE, 4, ids, src, NULL);
    as_attn_set_axis(&a, AS_AXIS_TARGET, 5, ids, tgt, NULL);

    as_an_align_opts o = {.l0 = 0, .l1 = 0, .head = 0, .method = AS_AN_ALIGN_ARGMAX};
    as_an_alignment al;
    AS_TEST_EQ(as_an_align_store(&a, &o, &al), AS_OK);
    AS_TEST_EQ(al.src_words, 2);
    AS_TEST_EQ(al.tgt_words, 2);
    AS_TEST_EQ(al.src_word[2], 1);
    AS_TEST_EQ(al.tgt_word[0], -1);
    AS_TEST_EQ(al.tgt_word[3], 1);
    AS_TEST_EQ(al.n, 2);
    AS_TEST_TRUE(al.n == 2 && al.links[0].src == 0 && al.links[0].tgt == 0);
    AS_TEST_TRUE(al.n == 2 && al.links[1].src == 1 && al.links[1].tgt == 1);
    AS_TEST_NEAR(al.links[0].score, .8, TOL);
    AS_TEST_NEAR(al.links[1].score, 1, TOL);
    as_an_alignment_free(&al);

    o.predict = 1;
    AS_TEST_EQ(as_an_align_store(&a, &o, &al), AS_OK);
    AS_TEST_EQ(al.n, 2);
    AS_TEST_NEAR(al.links[0].score, 1, TOL);
    AS_TEST_TRUE(al.n == 2 && al.links[1].src == 1 && al.links[1].tgt == 1);
    AS_TEST_NEAR(al.links[1].score, .6, TOL);
    as_an_alignment_free(&al);

    o.head = 2;
    AS_TEST_EQ(as_an_align_store(&a, &o, &al), AS_EINVAL);
    o.head = -1;
    o.l1 = 1;
    AS_TEST_EQ(as_an_align_store(&a, &o, &al), AS_EINVAL);
    AS_TEST_TRUE(strstr(as_last_error(), "layers 0..1") != NULL);
    as_attn_deinit(&a);
    as_attn_init(&a);
    o.l1 = 0;
    AS_TEST_EQ(as_an_align_store(&a, &o, &al), AS_EINVAL);
    AS_TEST_TRUE(strstr(as_last_error(), "no cross-attention") != NULL);
    as_attn_deinit(&a);
}

static void test_gold_and_aer(void)
{
    as_an_gold_link *g;
    int n;
    AS_TEST_EQ(as_an_gold_parse(" 1-1 2p3\t1p1 3-2\n", 1, &g, &n), AS_OK);
    AS_TEST_EQ(n, 3); // 1p1 repeats 1-1, which stays sure
    AS_TEST_TRUE(n == 3 && g[0].src == 0 && g[0].tgt == 0 && g[0].sure);
    AS_TEST_TRUE(n == 3 && g[1].src == 1 && g[1].tgt == 2 && !g[1].sure);
    AS_TEST_TRUE(n == 3 && g[2].src == 2 && g[2].tgt == 1 && g[2].sure);

    /* hypothesis A = {0-0, 1-2, 2-2}; S = {0-0, 2-1}, P = S + {1-2}:
     * |A| = 3, |S| = 2, |A & S| = 1 (0-0), |A & P| = 2 (0-0, 1-2)
     * AER = 1 - (1 + 2) / (3 + 2) = 0.4, precision 2/3, recall 1/2. A duplicate counts once. */
    const as_an_link a[4] = {{0, 0, 1}, {1, 2, 1}, {2, 2, 1}, {0, 0, 1}};
    as_an_aer_counts c = {0};
    as_an_aer_add(&c, a, 4, g, n);
    AS_TEST_EQ(c.a, 3);
    AS_TEST_EQ(c.s, 2);
    AS_TEST_EQ(c.a_and_s, 1);
    AS_TEST_EQ(c.a_and_p, 2);
    AS_TEST_NEAR(as_an_aer(&c), 0.4, 1e-12);
    AS_TEST_NEAR(as_an_precision(&c), 2.0 / 3, 1e-12);
    AS_TEST_NEAR(as_an_recall(&c), 0.5, 1e-12);
    free(g);

    as_an_aer_counts empty = {0};
    AS_TEST_NEAR(as_an_aer(&empty), 0, 0);
    AS_TEST_EQ(as_an_gold_parse("", 0, &g, &n), AS_OK);
    AS_TEST_EQ(n, 0);
    AS_TEST_TRUE(g == NULL);
    AS_TEST_EQ(as_an_gold_parse("0-1 2-3", 0, &g, &n), AS_OK); // 0-based
    AS_TEST_TRUE(n == 2 && g[0].src == 0 && g[1].tgt == 3);
    free(g);
    const char *bad[] = {"1-", "0-1", "a-b", "1x2", "1-2x", "-1-2", "1--2"};
    for (int i = 0; i < 7; i++) {
        AS_TEST_EQ(as_an_gold_parse(bad[i], 1, &g, &n), AS_EFORMAT);
        AS_TEST_TRUE(g == NULL && n == 0 && strstr(as_last_error(), "gold link"));
    }
}

static int count_words(const char *s, const char *end)
{
    int n = 0;
    for (; s < end; s++)
        if (!isspace((unsigned char)*s) && (s + 1 == end || isspace((unsigned char)s[1])))
            n++;
    return n;
}

/* Scores the diagonal baseline and the gold's sure links on a Hansards src-tgt / gold pair. */
static int score_hansards(const char *src_tgt, const char *gold, int expect_lines, double diag_aer)
{
    FILE *fs = fopen(src_tgt, "r"), *fg = fopen(gold, "r");
    if (!fs || !fg) {
        if (fs)
            fclose(fs);
        if (fg)
            fclose(fg);
        return 0;
    }
    char ls[4096], lg[8192];
    as_an_aer_counts diag = {0}, self = {0}, all = {0};
    int lines = 0;
    while (fgets(ls, sizeof ls, fs) && fgets(lg, sizeof lg, fg)) {
        const char *bar = strstr(ls, "|||");
        AS_TEST_TRUE(bar != NULL);
        if (!bar)
            break;
        int ns = count_words(ls, bar), nt = count_words(bar + 3, ls + strlen(ls));
        as_an_gold_link *g;
        int ng;
        AS_TEST_EQ(as_an_gold_parse(lg, 1, &g, &ng), AS_OK);
        as_an_link *h = as_xcalloc((size_t)(nt + ng + 1), sizeof *h);
        int nh = as_an_align_diagonal(ns, nt, h);
        as_an_aer_add(&diag, h, nh, g, ng);
        nh = 0; // the gold as a hypothesis: its sure links, then all of its links
        for (int i = 0; i < ng; i++)
            if (g[i].sure)
                h[nh++] = (as_an_link){g[i].src, g[i].tgt, 1};
        as_an_aer_add(&self, h, nh, g, ng);
        for (int i = 0; i < ng; i++)
            h[i] = (as_an_link){g[i].src, g[i].tgt, 1};
        as_an_aer_add(&all, h, ng, g, ng);
        free(h);
        free(g);
        lines++;
    }
    fclose(fs);
    fclose(fg);
    AS_TEST_EQ(lines, expect_lines);
    AS_TEST_NEAR(as_an_aer(&self), 0.0, 0.0);
    AS_TEST_NEAR(as_an_recall(&self), 1.0, 0.0);
    AS_TEST_NEAR(as_an_aer(&all), 0.0, 0.0);
    AS_TEST_NEAR(as_an_aer(&diag), diag_aer, 1e-9);
    fprintf(stderr, "%s: %d lines, diagonal AER %.6f (P %.4f R %.4f)\n", src_tgt, lines,
            as_an_aer(&diag), as_an_precision(&diag), as_an_recall(&diag));
    return 1;
}

static void test_hansards(void)
{
    // from tools/align_diag_aer.py (see tests/data/align/README.md)
    AS_TEST_TRUE(score_hansards(AS_TEST_DATA_DIR "/align/enfr.src-tgt",
                                AS_TEST_DATA_DIR "/align/enfr.gold", 40, 0.502756339581));
    char s[4096], g[4096];
    snprintf(s, sizeof s, "%s/../data/alignments/enfr.src-tgt", as_test_fixtures());
    snprintf(g, sizeof g, "%s/../data/alignments/enfr.gold", as_test_fixtures());
    if (!score_hansards(s, g, 447, 0.538435460632))
        fprintf(stderr, "%s: absent, full Hansards set not scored\n", s);
}

static void test_flow(void)
{
    /* n = 2, one head, three layers (P = raw attention, A' = (P + I) rows renormalised):
     *   P0 = [[0 1] [1 0]] -> A'0 = [[.5 .5] [.5 .5]]
     *   P1 = P2 = [[1 0] [1 0]] -> A'1 = A'2 = [[1 0] [.5 .5]]
     * Nodes a (input), b, c, d (output); edge (l, j) -> (l+1, i) carries A'_l[i][j]:
     *   a_j -> b_i .5 each; b0 -> c0 1, b0 -> c1 .5, b1 -> c1 .5 (b1 -> c0 is 0); same c -> d.
     * d0 is fed only by c0 (1), c0 only by b0 (1), b0 gets .5 from each input: F[0] = [.5 .5].
     * d1: a0 can send .5 via b0 and .5 via b1 (the cut at a0's two edges is 1):
     *   a0 b0 c0 d1 .5 and a0 b1 c1 d1 .5, so F[1] = [1 1]. Summing path minima instead would
     *   also count a0 b0 c1 d1 (.5) and give 1.5: the shared edge a0 -> b0 is what max-flow
     *   respects. Rows normalised: [.5 .5], [.5 .5]. */
    const float p[12] = {0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
    float out[4], raw[4];
    AS_TEST_EQ(as_an_flow(p, 3, 1, 2, NULL, out, raw), AS_OK);
    const double want_raw[4] = {.5, .5, 1, 1};
    for (int e = 0; e < 4; e++) {
        AS_TEST_NEAR(raw[e], want_raw[e], 1e-9);
        AS_TEST_NEAR(out[e], .5, 1e-9);
    }

    // one layer: F = A'_0 itself (single edges), rows already sum to 1
    AS_TEST_EQ(as_an_flow(p, 1, 1, 2, NULL, out, raw), AS_OK);
    for (int e = 0; e < 4; e++)
        AS_TEST_NEAR(raw[e], .5, 1e-9);

    /* two layers, n = 64, two heads of deterministic pseudo-random rows: no edge is shared by
     * two paths j -> k -> i, so F[i][j] = sum_k min(A'0[k][j], A'1[i][k]) (closed form). */
    enum { N = 64, H = 2, L = 2 };
    float *att = as_xcalloc((size_t)L * H * N * N, sizeof *att);
    unsigned x = 12345;
    for (size_t r = 0; r < (size_t)L * H * N; r++) {
        double s = 0;
        for (int j = 0; j < N; j++) {
            x = x * 1103515245u + 12345u;
            att[r * N + j] = (float)((x >> 16) & 0x7fff) + 1.0f;
            s += att[r * N + j];
        }
        for (int j = 0; j < N; j++)
            att[r * N + j] = (float)(att[r * N + j] / s);
    }
    float *f = as_xcalloc((size_t)N * N, sizeof *f), *fr = as_xcalloc((size_t)N * N, sizeof *fr);
    AS_TEST_EQ(as_an_flow(att, L, H, N, NULL, f, fr), AS_OK);
    double a[L][N][N]; // A'_l as rollout defines it, computed here from scratch
    for (int l = 0; l < L; l++)
        for (int i = 0; i < N; i++) {
            double s = 0;
            for (int j = 0; j < N; j++) {
                const float *h0 = att + (((size_t)l * H) * N + i) * N;
                a[l][i][j] = (h0[j] + h0[(size_t)N * N + j]) / 2 + (i == j);
                s += a[l][i][j];
            }
            for (int j = 0; j < N; j++)
                a[l][i][j] /= s;
        }
    double worst = 0, rowsum_err = 0;
    for (int i = 0; i < N; i++) {
        double rs = 0;
        for (int j = 0; j < N; j++) {
            double want = 0;
            for (int k = 0; k < N; k++)
                want += fmin(a[0][k][j], a[1][i][k]);
            worst = fmax(worst, fabs(fr[i * N + j] - want));
            rs += f[i * N + j];
        }
        rowsum_err = fmax(rowsum_err, fabs(rs - 1));
    }
    AS_TEST_NEAR(worst, 0, 1e-6);
    AS_TEST_NEAR(rowsum_err, 0, 1e-5);
    free(att);
    free(f);
    free(fr);

    as_an_rollout_opts bad = {AS_AN_FUSE_MEAN, 1.0};
    AS_TEST_EQ(as_an_flow(p, 1, 1, 2, &bad, out, NULL), AS_EINVAL);
    float cp[2] = {1, 1};
    as_attn_map cross = {.layers = 1, .heads = 1, .q = 1, .k = 2, .p = cp};
    AS_TEST_EQ(as_an_flow_map(&cross, NULL, out), AS_EINVAL);
}

int main(void)
{
    test_word_ids();
    test_merge();
    test_extract();
    test_select();
    test_align_store();
    test_gold_and_aer();
    test_hansards();
    test_flow();
    return as_test_result();
}
