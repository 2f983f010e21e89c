/* analysis: statistics of attention maps: per-row entropy, Gini coefficient, diagonal mean,
 * effective tokens, first-token mass, previous-token score, mean attention distance, peaks; head
 * aggregation, diversity and similarity; attention rollout and attention flow; a coarse pattern
 * label per head; word alignments from cross-attention and their alignment error rate.
 *
 * Every function is pure: it reads plain row-major float arrays and writes caller-owned outputs.
 * An attention matrix is `const float *m, int rows, int cols` = [query, key] probabilities (rows
 * sum to 1, masked entries exactly 0); several heads are `(heads, rows, cols)` contiguous, as in
 * as_attn_map and as_attn_head. Everything is accumulated in double and rounded once at the end,
 * which is how the fixtures' derived goldens were made (numpy float64 over float32 attention).
 * rows, cols, heads, layers >= 1 and non-NULL pointers are preconditions (AS_ASSERT).
 *
 * Layer 5: uses core, and attn.h for the plain as_attn_map struct only. */
#ifndef ATTNSCOPE_ANALYSIS_H
#define ATTNSCOPE_ANALYSIS_H

#include "attnscope/attn.h"
#include "attnscope/core.h"

/* ---- per-matrix statistics (an_stats.c) --------------------------------------------------
 * Definitions are those of the fixtures' READMEs ("Derived analyses") where they define one. */

/* Entropy -sum_k p_k ln p_k of one distribution p[0..n) (natural log; p_k <= 0 contributes 0). */
double as_an_entropy(const float *p, int n);
/* Entropy of every row: out[rows]. */
void as_an_row_entropy(const float *m, int rows, int cols, float *out);
/* Gini coefficient of the whole matrix: flatten, sort ascending x_1..x_n, G = 2 sum_i(i x_i) /
 * (n sum_i x_i) - (n + 1) / n with i from 1. 0 = all entries equal, (n-1)/n = one non-zero entry.
 * A matrix summing to 0 has G = 0. Needs a sorted copy: AS_ENOMEM if it cannot be allocated. */
int as_an_gini(const float *m, int rows, int cols, double *out);
/* Mean of A[i][i] for i < min(rows, cols). */
double as_an_diag_mean(const float *m, int rows, int cols);
/* Mean over rows of exp(row entropy): how many keys a query attends to, 1 .. cols. */
double as_an_effective_tokens(const float *m, int rows, int cols);
/* Mass on the first token (BOS / CLS): mean over rows of A[i][0]. */
double as_an_first_token_mass(const float *m, int rows, int cols);
/* Previous-token score: mean over rows i >= 1 of A[i][i-1] (0 where i-1 >= cols); 0 if rows < 2. */
double as_an_prev_token_score(const float *m, int rows, int cols);
/* Mean attention distance in positions: mean over rows of sum_j A[i][j] |i - j|. */
double as_an_mean_distance(const float *m, int rows, int cols);

/* Largest entry of a matrix; the first one in row-major order on ties. */
typedef struct as_an_peak {
    int row, col;
    float value;
} as_an_peak;
as_an_peak as_an_peak_find(const float *m, int rows, int cols);
/* Key of the largest entry of every row (first on ties): out[rows]. */
void as_an_row_argmax(const float *m, int rows, int cols, int *out);

/* ---- per-head tables over an attention store kind (an_table.c) ---------------------------*/

/* One number per [rows, cols] matrix, as above. Names are the fixtures' golden suffixes. */
typedef enum {
    AS_AN_STAT_GINI,         /* "gini": as_an_gini */
    AS_AN_STAT_DIAG_MEAN,    /* "diag_mean": as_an_diag_mean */
    AS_AN_STAT_EFFECTIVE,    /* "effective_tokens": as_an_effective_tokens */
    AS_AN_STAT_ENTROPY_MEAN, /* "entropy_mean": mean over rows of the row entropy */
    AS_AN_STAT_FIRST_TOKEN,  /* "first_token": as_an_first_token_mass */
    AS_AN_STAT_PREV_TOKEN,   /* "prev_token": as_an_prev_token_score */
    AS_AN_STAT_DISTANCE,     /* "mean_distance": as_an_mean_distance */
    AS_AN_STATS
} as_an_stat;

/* Name of a statistic (see the enum), "?" if out of range. */
const char *as_an_stat_name(as_an_stat stat);
/* Value of one statistic of one matrix. AS_ENOMEM (gini only) if its work buffer does not fit. */
int as_an_stat_of(as_an_stat stat, const float *m, int rows, int cols, double *out);
/* The statistic for every (layer, head) of one kind of a store: out [layers, heads], the layout of
 * the fixtures' "<kind>.gini" etc. AS_EINVAL if the kind is absent (layers == 0); AS_ENOMEM. */
int as_an_map_table(const as_attn_map *map, as_an_stat stat, float *out);

/* ---- heads (an_heads.c) -------------------------------------------------------------------*/

/* How heads are combined, elementwise over (heads, rows, cols). */
typedef enum { AS_AN_FUSE_MEAN, AS_AN_FUSE_MAX, AS_AN_FUSE_MIN } as_an_fusion;

/* Elementwise mean / max / min over heads of maps (heads, rows, cols) into out [rows, cols]. */
void as_an_head_aggregate(const float *maps, int heads, int rows, int cols, as_an_fusion fusion,
                          float *out);
/* Distance between two maps [rows, cols]: Jensen-Shannon divergence of each pair of rows in bits
 * (log base 2, so 0 = identical, 1 = disjoint supports), averaged over rows. Zero entries
 * contribute 0. Symmetric, bounded [0, 1]. */
double as_an_js_divergence(const float *a, const float *b, int rows, int cols);
/* Head diversity: mean of as_an_js_divergence over all unordered pairs of heads (0 if heads < 2):
 * 0 = every head attends identically, 1 = every pair of heads has disjoint rows. */
double as_an_head_diversity(const float *maps, int heads, int rows, int cols);
/* Head similarity: Pearson correlation of the flattened maps of every pair of heads into out
 * [heads, heads] (symmetric, diagonal 1). A constant map has no defined correlation: its
 * off-diagonal entries are 0. */
void as_an_head_similarity(const float *maps, int heads, int rows, int cols, float *out);

/* ---- attention rollout (an_rollout.c) -----------------------------------------------------
 * Abnar & Zuidema 2020, as the fixtures' READMEs define it: per layer l, fuse the heads into
 * F_l [n, n], add the identity, renormalise every row to sum 1 (A'_l); then
 * R = A'_{L-1} @ ... @ A'_1 @ A'_0. Row i of R is how much query position i draws from each input
 * position through all layers. Defined for self-attention only (square maps).
 *
 * Options beyond the README (both off by default, which is the README's definition):
 * - fusion: heads combined by mean (Abnar & Zuidema), max or min (jacobgil/vit-explain
 *   `vit_rollout.py` head_fusion) elementwise.
 * - discard_ratio in [0, 1): before adding the identity, the floor(discard_ratio * n * n)
 *   smallest entries of F_l are set to 0 (ties: lower row-major index first), except F_l[0][0],
 *   which is kept, as in vit-explain (it never drops the CLS token's attention to itself). This
 *   removes low-attention noise; rows are renormalised afterwards, so R stays row-stochastic. */
typedef struct as_an_rollout_opts {
    as_an_fusion fusion;  /* AS_AN_FUSE_MEAN for the README's rollout */
    double discard_ratio; /* 0 for the README's rollout */
} as_an_rollout_opts;

/* attn: (layers, heads, n, n) probabilities; out [n, n]. opts NULL means {MEAN, 0}.
 * AS_EINVAL for a discard_ratio outside [0, 1); AS_ENOMEM if the work buffers do not fit. */
int as_an_rollout(const float *attn, int layers, int heads, int n, const as_an_rollout_opts *opts,
                  float *out);
/* Rollout of one kind of an attention store (map->p, (layer, head, q, k)); out [q, q].
 * AS_EINVAL if the kind is absent (layers == 0) or not square (cross-attention). */
int as_an_rollout_map(const as_attn_map *map, const as_an_rollout_opts *opts, float *out);

/* ---- pattern labels (an_pattern.c) --------------------------------------------------------
 * A coarse label per head, from scores in [0, 1] (means over rows):
 *   diagonal   diag   mean A[i][i]                              (attend to self)
 *   local      band   mean mass on keys with 1 <= |i-j| <= AS_AN_BAND_WIDTH
 *                     (previous / next token, local window; self excluded)
 *   first      first  mean A[i][0]                              (BOS / CLS sink)
 *   vertical   vert   max over keys c >= 1 of mean_i A[i][c]    (one key broadcast to every query)
 *   block      block  rows are cut into contiguous blocks wherever consecutive rows differ by
 *                     total variation distance > AS_AN_BLOCK_SPLIT; a row's block faces the same
 *                     index range of keys, w of them. Row score (inside - w/cols) / (1 - w/cols)
 *                     with inside = its mass on those keys: 1 = all inside, 0 = no more than a
 *                     uniform row. Mean over rows (>= 0), counted only with >= 2 blocks of
 *                     >= 2 rows on average; else 0.
 *   uniform    unif   mean over rows with >= 2 visible keys of entropy / ln(visible keys); the
 *                     visible keys of a row are 0 .. its last non-zero key (a causal or padding
 *                     mask zeroes a suffix), so a causal row spread evenly over its past is
 *                     uniform too.
 * Rule: uniform if unif >= AS_AN_UNIFORM_MIN; else the label with the largest of diag, band,
 * first, vert, block if that score >= AS_AN_PATTERN_MIN (ties: the order above); else mixed. */
#define AS_AN_BAND_WIDTH 2
#define AS_AN_BLOCK_SPLIT 0.3
#define AS_AN_UNIFORM_MIN 0.9
#define AS_AN_PATTERN_MIN 0.5

typedef enum {
    AS_AN_PAT_DIAGONAL,
    AS_AN_PAT_LOCAL,
    AS_AN_PAT_FIRST,
    AS_AN_PAT_VERTICAL,
    AS_AN_PAT_BLOCK,
    AS_AN_PAT_UNIFORM,
    AS_AN_PAT_MIXED,
    AS_AN_PATTERNS
} as_an_pattern;

typedef struct as_an_pattern_scores {
    double diag, band, first, vert, block, unif;
    int vert_col; /* the key of the vertical stripe */
    int blocks;   /* number of row blocks found */
} as_an_pattern_scores;

/* Label of one head's map; scores (optional, may be NULL) receives the scores behind it. */
as_an_pattern as_an_classify(const float *m, int rows, int cols, as_an_pattern_scores *scores);
/* "diagonal", "local", "first", "vertical", "block", "uniform", "mixed". */
const char *as_an_pattern_name(as_an_pattern p);

/* ---- attention flow (an_flow.c) ----------------------------------------------------------
 * Abnar & Zuidema 2020, as their code (samiraabnar/attention_flow `compute_flows`) computes it.
 * Graph: nodes (l, t) for l = 0 .. L and tokens t < n; layer l's residual-augmented matrix A'_l
 * (heads fused by opts->fusion, then + I, rows renormalised: exactly rollout's A'_l, with the
 * same discard option) gives an edge (l, j) -> (l + 1, i) of capacity A'_l[i][j] for every i, j.
 * F[i][j] = value of the maximum flow from input node (0, j) to output node (L, i) (the other
 * input nodes are not sources). Their code then divides every output row by its sum; so does
 * this: out[i][j] = F[i][j] / sum_j F[i][j] (each row sums to 1; raw_out, if not NULL, gets F).
 * One Dinic max-flow per (i, j) pair on (L+1)*n nodes and L*n*n edges: n = 64 with 6 layers is
 * a few seconds. With one layer F = A'_0 (single edges); with two,
 * F[i][j] = sum_k min(A'_0[k][j], A'_1[i][k]) (the paths j -> k -> i share no edge). */
int as_an_flow(const float *attn, int layers, int heads, int n, const as_an_rollout_opts *opts,
               float *out, float *raw_out);
/* Attention flow of one kind of a store (square self-attention only), out [q, q]. */
int as_an_flow_map(const as_attn_map *map, const as_an_rollout_opts *opts, float *out);

/* ---- word alignment from cross-attention (an_align.c) ------------------------------------
 * A cross-attention matrix is [target pieces, source pieces]. Pieces are grouped into words by
 * their display labels (see as_tok_label): a label starting with "##" continues the previous
 * word, any other label starts a new word; special tokens ("<...>" or "[...]", 3 bytes or more:
 * </s>, <pad>, [CLS]) belong to no word (-1) and are left out of alignments. Links are Pharaoh
 * pairs (source word, target word), 0-based. */
typedef struct as_an_link {
    int src, tgt;
    float score; /* the merged (word-level, row-renormalised) attention of the pair */
} as_an_link;

/* 1 if label is a special token as defined above. */
int as_an_label_special(const char *label);
/* Word index of every piece into word[n] (-1 for specials); returns the number of words. */
int as_an_word_ids(const char *const *labels, int n, int *word);
/* Source-side and target-side merge of m [rows, cols] (rows: target pieces, cols: source
 * pieces) into out [row_words, col_words]: a word pair's value is the sum over its source pieces
 * of the mean over its target pieces (the source pieces of one word share its attention; the
 * target pieces of one word each attend once). Pieces with word -1 are skipped. Then every row of
 * out is divided by its sum (rows without mass stay 0), so it is again a distribution over the
 * source words once the specials' share is removed. */
void as_an_merge_words(const float *m, int rows, int cols, const int *row_word, int row_words,
                       const int *col_word, int col_words, float *out);

typedef enum {
    AS_AN_ALIGN_ARGMAX,    /* per target word, its source word of largest value (first on ties) */
    AS_AN_ALIGN_THRESHOLD, /* every pair with value >= threshold */
    AS_AN_ALIGN_BIDIR,     /* row- and column-normalised values both >= threshold */
    AS_AN_ALIGN_METHODS
} as_an_align_method;

/* "argmax", "threshold", "bidir". */
const char *as_an_align_method_name(as_an_align_method m);
/* Hard links from a word-level matrix m [tgt words, src words] (as from as_an_merge_words) into
 * out (room for rows * cols links), in row-major order; returns the number of links. BIDIR: the
 * row-normalised value is m[i][j] / sum_j m[i][j], the column-normalised one m[i][j] /
 * sum_i m[i][j] (awesome-align's softmax-both-ways test, applied to probabilities); a pair links
 * when both reach threshold. Rows or columns without mass never link. score = m[i][j]. */
int as_an_align_extract(const float *m, int rows, int cols, as_an_align_method method,
                        double threshold, as_an_link *out);
/* Baseline: target word j (0-based) links to source word floor((j + 0.5) * src / tgt): the
 * alignment a monotone, length-proportional aligner makes. out: room for tgt links; returns tgt
 * (0 if either side is empty). score = 1. */
int as_an_align_diagonal(int src_words, int tgt_words, as_an_link *out);
/* Mean over layers l0..l1 (inclusive) and over heads (head < 0) or one head of a map kind
 * (layer, head, q, k) into out [q, k]: "a chosen head, a head aggregate, or a layer range". */
void as_an_map_select(const as_attn_map *map, int l0, int l1, int head, float *out);

/* Word alignment of a whole store, for `attnscope align` and the explorer's overlay: the cross
 * map of layers l0..l1 and one head (head < 0: mean over heads), pieces grouped by the axes'
 * labels (as_an_word_ids), merged (as_an_merge_words) and linked (as_an_align_extract). The target
 * piece at decoder position p is read from cross row p (the row whose input it is: Shift-Att,
 * Chen et al. 2020) or, with predict, from row p - 1 (the row that predicts it). */
typedef struct as_an_align_opts {
    int l0, l1, head;
    int predict;
    as_an_align_method method;
    double threshold;
} as_an_align_opts;

typedef struct as_an_alignment {
    int src_words, tgt_words;
    int *src_word;     /* [source pieces]: word of each piece, -1 for specials; owned */
    int *tgt_word;     /* [target pieces], likewise; owned */
    int n;             /* number of links */
    as_an_link *links; /* [n] (src word, tgt word, score), target-major order; owned */
} as_an_alignment;

/* Fills out (free with as_an_alignment_free; zeroed on error). AS_EINVAL naming the problem if
 * the store has no cross-attention or the layer range / head is outside it. */
int as_an_align_store(const as_attn *a, const as_an_align_opts *o, as_an_alignment *out);
void as_an_alignment_free(as_an_alignment *al);

/* ---- alignment error rate (an_aer.c) ------------------------------------------------------
 * Och & Ney 2003: hypothesis links A, sure gold links S, possible gold links P with S within P:
 * precision = |A & P| / |A|, recall = |A & S| / |S|, AER = 1 - (|A & S| + |A & P|) / (|A| + |S|).
 * Corpus scores add the counts over sentences before dividing (as the shared task did). A link
 * is a (src, tgt) pair; duplicates in A or the gold count once. */
typedef struct as_an_gold_link {
    int src, tgt;
    int sure; /* 1: sure ("i-j"), 0: possible only ("ipj") */
} as_an_gold_link;

/* Parses one gold line: space-separated "i-j" (sure) and "ipj" (possible) links, 0-based unless
 * one_based (then 1 is subtracted). A link given both ways is sure. *out is a new as_xmalloc
 * array of *n links (NULL for an empty line). AS_EFORMAT naming the link on anything else
 * (a number missing, negative, or 0 when one-based). */
int as_an_gold_parse(const char *line, int one_based, as_an_gold_link **out, int *n);

typedef struct as_an_aer_counts {
    long a, s, a_and_s, a_and_p; /* |A|, |S|, |A & S|, |A & P| */
} as_an_aer_counts;
/* Adds one sentence's counts; gold as as_an_gold_parse returns it (no pair twice). */
void as_an_aer_add(as_an_aer_counts *c, const as_an_link *hyp, int nh, const as_an_gold_link *gold,
                   int ng);
/* Scores from counts; each is 0 when its denominator is 0 (AER: no links and no sure links). */
double as_an_aer(const as_an_aer_counts *c);
double as_an_precision(const as_an_aer_counts *c);
double as_an_recall(const as_an_aer_counts *c);

#endif
