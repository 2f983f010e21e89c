/* tok_unigram: the Unigram model (SentencePiece unigram in tokenizers.json form; tokenizers
 * models/unigram). The segmentation maximises the sum of piece scores (log probabilities) by
 * Viterbi over character boundaries; a character no piece starts with is the unknown token with
 * score min_score - 10 (the library's K_UNK_PENALTY); consecutive unknowns are fused into one
 * token when fuse_unk; with byte_fallback an unknown stretch becomes its <0xXX> byte pieces. */
#include "tok_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNK_PENALTY 10.0

/* Emits the unknown stretch w[0..len): byte pieces if byte_fallback has them all, else unk. */
static void unknown(const as_tok_model *m, const char *w, size_t len, as_tok_ids *out)
{
    if (m->byte_fallback) {
        as_tok_ids bytes = {0};
        for (size_t i = 0; i < len; i++) {
            char name[8];
            snprintf(name, sizeof name, "<0x%02X>", (unsigned char)w[i]);
            int32_t id = as_tok_vocab_find(&m->vocab, name, strlen(name));
            if (id < 0)
                break;
            as_tok_ids_push(&bytes, id);
        }
        if ((size_t)bytes.n == len) {
            for (int i = 0; i < bytes.n; i++)
                as_tok_ids_push(out, bytes.v[i]);
            free(bytes.v);
            return;
        }
        free(bytes.v);
    }
    as_tok_ids_push(out, m->unk);
}

void as_tok_unigram_encode(const as_tok_model *m, const char *w, as_tok_ids *out)
{
    size_t n = strlen(w);
    if (!n)
        return;
    /* best[i]: best score of a segmentation of w[0..i); from[i], via[i]: its last piece */
    double *best = as_xmalloc((n + 1) * sizeof *best);
    size_t *from = as_xmalloc((n + 1) * sizeof *from);
    int32_t *via = as_xmalloc((n + 1) * sizeof *via);
    for (size_t i = 0; i <= n; i++)
        best[i] = -INFINITY, from[i] = 0, via[i] = -1;
    best[0] = 0;
    double unk_score = m->min_score - UNK_PENALTY;
    for (size_t start = 0; start < n;) {
        uint32_t cp;
        size_t clen = as_tok_utf8_next(w + start, n - start, &cp);
        if (best[start] > -INFINITY) {
            int single = 0;
            /* no piece is longer than max_piece: without the bound a long word costs
             * n^2 lookups of growing keys (a 3 KB word took 10 s, found by fuzzing) */
            for (size_t end = start + clen; end <= n && end - start <= m->max_piece;) {
                int32_t id = as_tok_vocab_find(&m->vocab, w + start, end - start);
                if (id >= 0 && id != m->unk) {
                    single |= end == start + clen;
                    double s = best[start] + m->scores[id];
                    if (s > best[end])
                        best[end] = s, from[end] = start, via[end] = id;
                }
                if (end == n)
                    break;
                end += as_tok_utf8_next(w + end, n - end, &cp);
            }
            if (!single && best[start] + unk_score > best[start + clen]) {
                best[start + clen] = best[start] + unk_score;
                from[start + clen] = start;
                via[start + clen] = m->unk;
            }
        }
        start += clen;
    }
    /* back from the end, then forwards, fusing unknown neighbours */
    int count = 0;
    size_t *cut = as_xmalloc((n + 1) * sizeof *cut);
    for (size_t i = n; i > 0; i = from[i])
        cut[count++] = i;
    size_t prev = 0;
    for (int k = count - 1; k >= 0; k--) {
        size_t end = cut[k], start = prev;
        if (via[end] == m->unk) {
            /* extend over following unknown pieces */
            while (m->fuse_unk && k > 0 && via[cut[k - 1]] == m->unk)
                end = cut[--k];
            unknown(m, w + start, end - start, out);
        } else {
            as_tok_ids_push(out, via[end]);
        }
        prev = end;
    }
    free(cut);
    free(best);
    free(from);
    free(via);
}
