/* Word alignments from cross-attention: pieces grouped into words by their labels, the matrix
 * merged to words, hard links by argmax, threshold or agreement of both normalisations. */
#include "attnscope/analysis.h"

#include <stdlib.h>
#include <string.h>

int as_an_label_special(const char *label)
{
    size_t n = strlen(label);
    return n >= 3 && ((label[0] == '<' && label[n - 1] == '>') ||
                      (label[0] == '[' && label[n - 1] == ']'));
}

int as_an_word_ids(const char *const *labels, int n, int *word)
{
    int words = 0, prev = -1; // prev: the word the last non-special piece belongs to
    for (int i = 0; i < n; i++) {
        if (as_an_label_special(labels[i])) {
            word[i] = -1;
            continue;
        }
        // a "##" piece continues the word before it; with none before it, it opens one
        if (strncmp(labels[i], "##", 2) != 0 || prev < 0)
            prev = words++;
        word[i] = prev;
    }
    return words;
}

void as_an_merge_words(const float *m, int rows, int cols, const int *row_word, int row_words,
                       const int *col_word, int col_words, float *out)
{
    AS_ASSERT(m && row_word && col_word && out && rows >= 1 && cols >= 1);
    size_t nw = (size_t)row_words * (size_t)col_words;
    double *acc = as_xcalloc(nw ? nw : 1, sizeof *acc); // (row word, col word)
    for (int i = 0; i < rows; i++) {
        int rw = row_word[i];
        if (rw < 0)
            continue;
        AS_ASSERT(rw < row_words);
        for (int j = 0; j < cols; j++) {
            int cw = col_word[j];
            AS_ASSERT(cw < col_words);
            if (cw >= 0)
                acc[(size_t)rw * col_words + cw] += m[(size_t)i * cols + j];
        }
    }
    for (int r = 0; r < row_words; r++) {
        double *row = acc + (size_t)r * col_words, s = 0.0;
        for (int c = 0; c < col_words; c++)
            s += row[c]; // the mean over target pieces cancels in the renormalisation
        for (int c = 0; c < col_words; c++)
            out[(size_t)r * col_words + c] = s > 0.0 ? (float)(row[c] / s) : 0.0f;
    }
    free(acc);
}

const char *as_an_align_method_name(as_an_align_method m)
{
    static const char *const names[] = {"argmax", "threshold", "bidir"};
    return (unsigned)m < AS_AN_ALIGN_METHODS ? names[m] : "?";
}

static int add_link(as_an_link *out, int n, int src, int tgt, float score)
{
    out[n] = (as_an_link){.src = src, .tgt = tgt, .score = score};
    return n + 1;
}

int as_an_align_extract(const float *m, int rows, int cols, as_an_align_method method,
                        double threshold, as_an_link *out)
{
    AS_ASSERT(m && out && rows >= 0 && cols >= 0);
    double *rsum = as_xcalloc((size_t)rows + 1, sizeof *rsum);
    double *csum = as_xcalloc((size_t)cols + 1, sizeof *csum);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            rsum[i] += m[(size_t)i * cols + j];
            csum[j] += m[(size_t)i * cols + j];
        }
    int n = 0;
    for (int i = 0; i < rows; i++) {
        const float *row = m + (size_t)i * cols;
        if (method == AS_AN_ALIGN_ARGMAX) {
            int best = -1;
            for (int j = 0; j < cols; j++)
                if (row[j] > 0.0f && (best < 0 || row[j] > row[best]))
                    best = j;
            if (best >= 0)
                n = add_link(out, n, best, i, row[best]);
            continue;
        }
        for (int j = 0; j < cols; j++) {
            if (!(row[j] > 0.0f))
                continue;
            int keep = method == AS_AN_ALIGN_THRESHOLD
                           ? row[j] >= threshold
                           : row[j] / rsum[i] >= threshold && row[j] / csum[j] >= threshold;
            if (keep)
                n = add_link(out, n, j, i, row[j]);
        }
    }
    free(rsum);
    free(csum);
    return n;
}

int as_an_align_diagonal(int src_words, int tgt_words, as_an_link *out)
{
    if (src_words <= 0 || tgt_words <= 0)
        return 0;
    for (int j = 0; j < tgt_words; j++) {
        int i = (int)((j + 0.5) * src_words / tgt_words);
        out[j] = (as_an_link){.src = i < src_words ? i : src_words - 1, .tgt = j, .score = 1.0f};
    }
    return tgt_words;
}

void as_an_map_select(const as_attn_map *map, int l0, int l1, int head, float *out)
{
    AS_ASSERT(map && out && map->layers > 0);
    AS_ASSERT(l0 >= 0 && l0 <= l1 && l1 < map->layers && head < map->heads);
    size_t qk = (size_t)map->q * (size_t)map->k;
    int h0 = head < 0 ? 0 : head, h1 = head < 0 ? map->heads - 1 : head;
    double *acc = as_xcalloc(qk, sizeof *acc);
    for (int l = l0; l <= l1; l++)
        for (int h = h0; h <= h1; h++) {
            const float *p = map->p + ((size_t)l * map->heads + h) * qk;
            for (size_t e = 0; e < qk; e++)
                acc[e] += p[e];
        }
    double cnt = (double)(l1 - l0 + 1) * (h1 - h0 + 1);
    for (size_t e = 0; e < qk; e++)
        out[e] = (float)(acc[e] / cnt);
    free(acc);
}

int as_an_align_store(const as_attn *a, const as_an_align_opts *o, as_an_alignment *out)
{
    memset(out, 0, sizeof *out);
    const as_attn_map *m = &a->map[AS_ATTN_CROSS];
    const as_attn_axis_tokens *src = &a->axis[AS_AXIS_SOURCE], *tgt = &a->axis[AS_AXIS_TARGET];
    if (m->layers == 0)
        return as_fail(AS_EINVAL, "align: this model has no cross-attention to align with");
    if (o->l0 < 0 || o->l1 < o->l0 || o->l1 >= m->layers)
        return as_fail(AS_EINVAL, "align: layers %d..%d outside the cross map's 0..%d", o->l0,
                       o->l1, m->layers - 1);
    if (o->head >= m->heads)
        return as_fail(AS_EINVAL, "align: head %d outside the cross map's 0..%d", o->head,
                       m->heads - 1);
    AS_ASSERT(src->n == m->k && tgt->n == m->q);
    out->src_word = as_xcalloc((size_t)src->n + 1, sizeof *out->src_word);
    out->tgt_word = as_xcalloc((size_t)tgt->n + 1, sizeof *out->tgt_word);
    out->src_words = as_an_word_ids((const char *const *)src->labels, src->n, out->src_word);
    out->tgt_words = as_an_word_ids((const char *const *)tgt->labels, tgt->n, out->tgt_word);
    // (cross row) -> target word: row r holds piece r (input) or predicts piece r + 1
    int *row_word = as_xcalloc((size_t)m->q, sizeof *row_word);
    for (int r = 0; r < m->q; r++) {
        int p = o->predict ? r + 1 : r;
        row_word[r] = p < tgt->n ? out->tgt_word[p] : -1;
    }
    size_t cells = (size_t)out->tgt_words * (size_t)out->src_words;
    float *sel = as_xcalloc((size_t)m->q * m->k, sizeof *sel);   // (q, k) selected map
    float *merged = as_xcalloc(cells ? cells : 1, sizeof *merged); // (tgt words, src words)
    out->links = as_xcalloc(cells ? cells : 1, sizeof *out->links);
    if (cells) {
        as_an_map_select(m, o->l0, o->l1, o->head, sel);
        as_an_merge_words(sel, m->q, m->k, row_word, out->tgt_words, out->src_word,
                          out->src_words, merged);
        out->n = as_an_align_extract(merged, out->tgt_words, out->src_words, o->method,
                                     o->threshold, out->links);
    }
    free(row_word);
    free(sel);
    free(merged);
    return AS_OK;
}

void as_an_alignment_free(as_an_alignment *al)
{
    free(al->src_word);
    free(al->tgt_word);
    free(al->links);
    memset(al, 0, sizeof *al);
}
