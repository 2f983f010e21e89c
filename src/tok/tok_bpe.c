/* tok_bpe: the BPE model (GPT-2, RoBERTa, BART; tokenizers models/bpe). A word starts as one
 * symbol per character (later ones with the continuing prefix, the last with the end-of-word
 * suffix); characters the vocabulary lacks become <0xXX> byte pieces (byte_fallback) or the
 * unknown token (fused when fuse_unk), or vanish when there is no unknown token. Then the pair
 * with the lowest merge rank is merged, leftmost first, until no pair has a rank. */
#include "tok_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY UINT64_MAX

static uint32_t hash_key(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (uint32_t)k;
}

void as_tok_bpe_reserve(as_tok_model *m, size_t n)
{
    uint32_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    free(m->merges);
    m->merges = as_xmalloc(cap * sizeof *m->merges);
    m->merge_cap = cap;
    for (uint32_t i = 0; i < cap; i++)
        m->merges[i] = (as_tok_merge_slot){EMPTY, 0, 0};
}

int as_tok_bpe_add_merge(as_tok_model *m, const char *a, const char *b, int32_t rank,
                         const char *where)
{
    int32_t ia = as_tok_vocab_find(&m->vocab, a, strlen(a));
    int32_t ib = as_tok_vocab_find(&m->vocab, b, strlen(b));
    if (ia < 0 || ib < 0)
        return as_fail(AS_EFORMAT, "%s: merge \"%.40s %.40s\" uses unknown token \"%.40s\"",
                       where, a, b, ia < 0 ? a : b);
    /* the merged symbol drops b's continuing prefix: "a" + "##b" -> "ab" */
    size_t plen = m->prefix ? strlen(m->prefix) : 0;
    const char *tail = plen && strncmp(b, m->prefix, plen) == 0 ? b + plen : b;
    char *ab = as_xasprintf("%s%s", a, tail);
    int32_t iab = as_tok_vocab_find(&m->vocab, ab, strlen(ab));
    if (iab < 0) {
        int rc = as_fail(AS_EFORMAT, "%s: merge \"%.40s %.40s\" makes \"%.80s\", which is not "
                         "in the vocabulary", where, a, b, ab);
        free(ab);
        return rc;
    }
    free(ab);
    AS_ASSERT(m->merge_cap > 0);
    uint64_t key = ((uint64_t)(uint32_t)ia << 32) | (uint32_t)ib;
    uint32_t mask = m->merge_cap - 1, i = hash_key(key) & mask;
    while (m->merges[i].key != EMPTY && m->merges[i].key != key)
        i = (i + 1) & mask;
    /* a repeated merge takes its last rank, as GPT2Tokenizer's dict and the library's map do */
    m->merges[i] = (as_tok_merge_slot){key, rank, iab};
    return AS_OK;
}

static const as_tok_merge_slot *find_merge(const as_tok_model *m, int32_t a, int32_t b)
{
    if (!m->merge_cap)
        return NULL;
    uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    uint32_t mask = m->merge_cap - 1;
    for (uint32_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
        if (m->merges[i].key == key)
            return &m->merges[i];
        if (m->merges[i].key == EMPTY)
            return NULL;
    }
}

/* One character's symbol(s), appended to syms. */
static void char_symbol(const as_tok_model *m, const char *s, size_t len, int first, int last,
                        as_tok_ids *syms, int *prev_unk)
{
    const char *pre = !first && m->prefix ? m->prefix : "";
    const char *suf = last && m->suffix ? m->suffix : "";
    char *sym = as_xasprintf("%s%.*s%s", pre, (int)len, s, suf);
    int32_t id = as_tok_vocab_find(&m->vocab, sym, strlen(sym));
    free(sym);
    if (id >= 0) {
        as_tok_ids_push(syms, id);
        *prev_unk = 0;
        return;
    }
    if (m->byte_fallback) {
        int32_t bytes[4];
        int ok = 1;
        for (size_t i = 0; i < len && ok; i++) {
            char name[8];
            snprintf(name, sizeof name, "<0x%02X>", (unsigned char)s[i]);
            bytes[i] = as_tok_vocab_find(&m->vocab, name, strlen(name));
            ok = bytes[i] >= 0;
        }
        if (ok) {
            for (size_t i = 0; i < len; i++)
                as_tok_ids_push(syms, bytes[i]);
            *prev_unk = 0;
            return;
        }
    }
    if (m->unk < 0)
        return; /* no unknown token: the library drops the character */
    if (!(m->fuse_unk && *prev_unk))
        as_tok_ids_push(syms, m->unk);
    *prev_unk = 1;
}

void as_tok_bpe_encode(const as_tok_model *m, const char *word, as_tok_ids *out)
{
    size_t n = strlen(word);
    if (m->ignore_merges) {
        int32_t id = as_tok_vocab_find(&m->vocab, word, n);
        if (id >= 0) {
            as_tok_ids_push(out, id);
            return;
        }
    }
    as_tok_ids syms = {0};
    int prev_unk = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = as_tok_utf8_next(word + i, n - i, &cp);
        char_symbol(m, word + i, len, i == 0, i + len == n, &syms, &prev_unk);
        i += len;
    }
    for (;;) {
        int best = -1;
        int32_t best_rank = INT32_MAX, best_id = 0;
        for (int i = 0; i + 1 < syms.n; i++) {
            const as_tok_merge_slot *s = find_merge(m, syms.v[i], syms.v[i + 1]);
            if (s && s->rank < best_rank)
                best = i, best_rank = s->rank, best_id = s->id;
        }
        if (best < 0)
            break;
        syms.v[best] = best_id;
        memmove(syms.v + best + 1, syms.v + best + 2,
                (size_t)(syms.n - best - 2) * sizeof(int32_t));
        syms.n--;
    }
    for (int i = 0; i < syms.n; i++)
        as_tok_ids_push(out, syms.v[i]);
    free(syms.v);
}
