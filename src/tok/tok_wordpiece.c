/* tok_wordpiece: the WordPiece model (BERT) and the model dispatch. A word is covered greedily by
 * the longest vocabulary piece at each position, pieces after the first carrying the continuing
 * prefix ("##"); a word that cannot be covered, or has more than max_chars characters, becomes a
 * single unknown token (transformers WordpieceTokenizer, tokenizers models/wordpiece). */
#include "tok_internal.h"

#include <stdlib.h>
#include <string.h>

static void wordpiece(const as_tok_model *m, const char *w, as_tok_ids *out)
{
    size_t n = strlen(w), chars = 0;
    for (size_t i = 0; i < n; chars++) {
        uint32_t cp;
        i += as_tok_utf8_next(w + i, n - i, &cp);
    }
    if ((int)chars > m->max_chars) {
        as_tok_ids_push(out, m->unk);
        return;
    }
    size_t plen = m->prefix ? strlen(m->prefix) : 0;
    char *cand = as_xmalloc(plen + n + 1);
    int first = out->n;
    for (size_t start = 0; start < n;) {
        size_t head = start ? plen : 0;
        if (head)
            memcpy(cand, m->prefix, plen);
        int32_t id = -1;
        size_t end = n;
        while (end > start) {
            memcpy(cand + head, w + start, end - start);
            id = as_tok_vocab_find(&m->vocab, cand, head + end - start);
            if (id >= 0)
                break;
            /* one character shorter: back over continuation bytes */
            do
                end--;
            while (end > start && ((unsigned char)w[end] & 0xc0) == 0x80);
        }
        if (id < 0) {
            out->n = first; /* the whole word is unknown */
            as_tok_ids_push(out, m->unk);
            break;
        }
        as_tok_ids_push(out, id);
        start = end;
    }
    free(cand);
}

void as_tok_model_encode(const as_tok_model *m, const char *word, as_tok_ids *out)
{
    switch (m->kind) {
    case AS_TOK_WORDPIECE:
        wordpiece(m, word, out);
        break;
    case AS_TOK_BPE:
        as_tok_bpe_encode(m, word, out);
        break;
    case AS_TOK_UNIGRAM:
        as_tok_unigram_encode(m, word, out);
        break;
    }
}

void as_tok_model_deinit(as_tok_model *m)
{
    as_tok_vocab_deinit(&m->vocab);
    free(m->prefix);
    free(m->suffix);
    free(m->merges);
    free(m->scores);
    memset(m, 0, sizeof *m);
}
