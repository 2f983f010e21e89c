/* tok_pipe: the tokenizers-library pipeline every non-Marian tokenizer runs (slow-tokenizer
 * folders are translated into one): added tokens are cut out of the raw text first (longest
 * match at the leftmost position, optionally swallowing whitespace on either side), each
 * remaining section is normalised, pre-tokenised and run through the model, and the
 * post-processor's template frames the result. */
#include "tok_internal.h"

#include <stdlib.h>
#include <string.h>

/* Longest added token starting at s[0..n): its index, or -1. */
static int added_at(const as_tok *t, const char *s, size_t n)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < t->n_added; i++) {
        size_t len = strlen(t->added[i].content);
        if (len > best_len && len <= n && memcmp(s, t->added[i].content, len) == 0)
            best = i, best_len = len;
    }
    return best;
}

static size_t space_len(const char *s, size_t n)
{
    uint32_t cp;
    size_t len = n ? as_tok_utf8_next(s, n, &cp) : 0;
    return len && (as_tok_is_space(cp) || cp == '\v' || cp == '\f') ? len : 0;
}

/* Length of s[0..n) without its trailing whitespace. */
static size_t rtrim(const char *s, size_t n)
{
    while (n > 0) {
        size_t k = n - 1;
        while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
            k--;
        if (!space_len(s + k, n - k))
            break;
        n = k;
    }
    return n;
}

/* Normalises, pre-tokenises and models one section of text. */
static int section(const as_tok *t, const char *s, size_t len, int first, as_tok_ids *out)
{
    if (!len)
        return AS_OK;
    char *norm = as_tok_normalize(t->norm, t->n_norm, s, len);
    as_tok_words words = {0};
    int rc = as_tok_pretokenize(t->pre, t->n_pre, norm, first, &words);
    for (int i = 0; i < words.n && rc == AS_OK; i++)
        as_tok_model_encode(&t->model, words.v[i], out);
    as_tok_words_free(&words);
    free(norm);
    return rc;
}

/* The ids of one text, without framing. */
static int encode_text(const as_tok *t, const char *text, as_tok_ids *out)
{
    size_t n = strlen(text), start = 0, i = 0;
    int rc = AS_OK;
    while (i < n && rc == AS_OK) {
        int k = added_at(t, text + i, n - i);
        if (k < 0) {
            i++;
            continue;
        }
        const as_tok_added *a = &t->added[k];
        size_t end = a->lstrip ? rtrim(text + start, i - start) + start : i;
        rc = section(t, text + start, end - start, start == 0, out);
        as_tok_ids_push(out, a->id);
        i += strlen(a->content);
        if (a->rstrip)
            for (size_t w; (w = space_len(text + i, n - i));)
                i += w;
        start = i;
    }
    if (rc == AS_OK)
        rc = section(t, text + start, n - start, start == 0, out);
    return rc;
}

int as_tok_pipe_encode(as_tok *t, const char *a, const char *b, as_tok_seq *out)
{
    as_tok_ids ids[2] = {{0}, {0}};
    int rc = encode_text(t, a, &ids[0]);
    if (rc == AS_OK && b)
        rc = encode_text(t, b, &ids[1]);
    if (rc) {
        free(ids[0].v);
        free(ids[1].v);
        return rc;
    }
    const as_tok_item *tpl = b ? t->pair : t->single;
    int n_tpl = b ? t->n_pair : t->n_single;
    as_tok_ids res = {0}, types = {0};
    for (int k = 0; k < n_tpl; k++) {
        if (tpl[k].seq < 0) {
            as_tok_ids_push(&res, tpl[k].id);
            as_tok_ids_push(&types, tpl[k].type_id);
            continue;
        }
        for (int i = 0; i < ids[tpl[k].seq].n; i++) {
            as_tok_ids_push(&res, ids[tpl[k].seq].v[i]);
            as_tok_ids_push(&types, tpl[k].type_id);
        }
    }
    free(ids[0].v);
    free(ids[1].v);
    if (res.n == 0) {
        free(types.v);
        return as_fail(AS_EINVAL, "%s: the text gives no tokens", t->path);
    }
    out->n = res.n;
    out->ids = res.v;
    out->type_ids = types.v;
    return AS_OK;
}

void as_tok_pipe_deinit(as_tok *t)
{
    for (int i = 0; i < t->n_added; i++)
        free(t->added[i].content);
    free(t->added);
    for (int i = 0; i < t->n_norm; i++)
        as_tok_norm_deinit(&t->norm[i]);
    free(t->norm);
    for (int i = 0; i < t->n_pre; i++)
        as_tok_pre_deinit(&t->pre[i]);
    free(t->pre);
    as_tok_model_deinit(&t->model);
    free(t->single);
    free(t->pair);
}

/* ---- framing -------------------------------------------------------------------------------- */

void as_tok_set_framing(as_tok *t, as_tok_framing f, int32_t cls, int32_t sep)
{
    free(t->single);
    free(t->pair);
    /* BERT: [CLS] A [SEP] / [CLS] A [SEP] B [SEP], B's part type 1 (tokenizers BertProcessing);
     * RoBERTa: <s> A </s> / <s> A </s></s> B </s>, all type 0 (RobertaTokenizer's type ids);
     * none: A / A B, B type 1 (the library's default for a pair without a post-processor). */
    static const as_tok_item none_single[] = {{0, 0, 0}};
    static const as_tok_item none_pair[] = {{0, 0, 0}, {1, 0, 1}};
    const as_tok_item bert_single[] = {{-1, cls, 0}, {0, 0, 0}, {-1, sep, 0}};
    const as_tok_item bert_pair[] = {{-1, cls, 0}, {0, 0, 0}, {-1, sep, 0}, {1, 0, 1},
                                     {-1, sep, 1}};
    const as_tok_item rob_pair[] = {{-1, cls, 0}, {0, 0, 0}, {-1, sep, 0}, {-1, sep, 0},
                                    {1, 0, 0},    {-1, sep, 0}};
    const as_tok_item *s = none_single, *p = none_pair;
    int ns = 1, np = 2;
    if (f == AS_TOK_FRAME_BERT || f == AS_TOK_FRAME_ROBERTA)
        s = bert_single, ns = 3;
    if (f == AS_TOK_FRAME_BERT)
        p = bert_pair, np = 5;
    if (f == AS_TOK_FRAME_ROBERTA)
        p = rob_pair, np = 6;
    t->single = as_xmalloc((size_t)ns * sizeof *t->single);
    t->pair = as_xmalloc((size_t)np * sizeof *t->pair);
    memcpy(t->single, s, (size_t)ns * sizeof *s);
    memcpy(t->pair, p, (size_t)np * sizeof *p);
    t->n_single = ns;
    t->n_pair = np;
}
