/* tok_norm: normalizers, the first stage of a tokenizers-library pipeline (and of BertTokenizer's
 * basic tokenizer). Each step maps a valid UTF-8 string to a new one; the pipeline replaces
 * invalid bytes with U+FFFD before the first step, so utf8proc never sees malformed input. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok_internal.h"

#include <pcre2.h>
#include <utf8proc.h>

#include <stdlib.h>
#include <string.h>

/* A growing output string. */
typedef struct {
    char *s;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t len)
{
    if (b->n + len + 1 > b->cap) {
        b->cap = 2 * (b->n + len + 1);
        b->s = as_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
}

static void put_cp(buf *b, uint32_t cp)
{
    char u[4];
    put(b, u, as_tok_utf8_put(u, cp));
}

/* ---- BertNormalizer (tokenizers normalizers/bert.rs; transformers BasicTokenizer) ---------- */

/* Drops NUL, U+FFFD and control characters; every whitespace character becomes ' '. */
static char *clean_text(const char *s)
{
    buf b = {0};
    put(&b, "", 0);
    for (size_t i = 0, n = strlen(s); i < n;) {
        uint32_t cp;
        i += as_tok_utf8_next(s + i, n - i, &cp);
        if (cp == 0 || cp == 0xfffd || as_tok_is_control(cp))
            continue;
        put_cp(&b, as_tok_is_space(cp) ? ' ' : cp);
    }
    return b.s;
}

/* Puts spaces around CJK ideographs, so each becomes a word of its own. */
static char *pad_cjk(const char *s)
{
    buf b = {0};
    put(&b, "", 0);
    for (size_t i = 0, n = strlen(s); i < n;) {
        uint32_t cp;
        size_t len = as_tok_utf8_next(s + i, n - i, &cp);
        if (as_tok_is_cjk(cp)) {
            put(&b, " ", 1);
            put(&b, s + i, len);
            put(&b, " ", 1);
        } else {
            put(&b, s + i, len);
        }
        i += len;
    }
    return b.s;
}

/* NFD, then nonspacing marks (Mn) dropped: "café" -> "cafe". */
static char *strip_accents(const char *s)
{
    char *d = (char *)utf8proc_NFD((const utf8proc_uint8_t *)s);
    AS_ASSERT(d != NULL); /* input is valid UTF-8: only exhaustion fails */
    buf b = {0};
    put(&b, "", 0);
    for (size_t i = 0, n = strlen(d); i < n;) {
        uint32_t cp;
        size_t len = as_tok_utf8_next(d + i, n - i, &cp);
        if (utf8proc_category((utf8proc_int32_t)cp) != UTF8PROC_CATEGORY_MN)
            put(&b, d + i, len);
        i += len;
    }
    free(d);
    return b.s;
}

static char *lowercase(const char *s)
{
    buf b = {0};
    put(&b, "", 0);
    for (size_t i = 0, n = strlen(s); i < n;) {
        uint32_t cp;
        i += as_tok_utf8_next(s + i, n - i, &cp);
        put_cp(&b, (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp));
    }
    return b.s;
}

/* ---- Replace: every match -> content, all at once -------------------------------------------- */

static char *replace(const pcre2_code *re, const char *content, const char *s)
{
    size_t len = strlen(s), cap = len + 1;
    uint32_t opts = PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_LITERAL |
                    PCRE2_SUBSTITUTE_OVERFLOW_LENGTH;
    for (;;) {
        char *out = as_xmalloc(cap);
        PCRE2_SIZE out_len = cap;
        int rc = pcre2_substitute(re, (PCRE2_SPTR)s, len, 0, opts, NULL, NULL,
                                  (PCRE2_SPTR)content, PCRE2_ZERO_TERMINATED,
                                  (PCRE2_UCHAR *)out, &out_len);
        if (rc >= 0)
            return out;
        free(out);
        /* Only an undersized buffer can fail here (the subject is valid UTF-8): retry at the
         * length PCRE2 asked for. A match-limit failure leaves the text unchanged. */
        if (rc != PCRE2_ERROR_NOMEMORY)
            return as_xstrdup(s);
        cap = out_len;
    }
}

/* ---- the pipeline stage --------------------------------------------------------------------- */

static char *apply(const as_tok_norm *st, const char *s)
{
    utf8proc_uint8_t *(*form)(const utf8proc_uint8_t *) = NULL;
    switch (st->kind) {
    case AS_TOK_NORM_BERT: {
        char *cur = as_xstrdup(s), *next;
        if (st->clean_text)
            next = clean_text(cur), free(cur), cur = next;
        if (st->chinese)
            next = pad_cjk(cur), free(cur), cur = next;
        if (st->strip_accents)
            next = strip_accents(cur), free(cur), cur = next;
        if (st->lowercase)
            next = lowercase(cur), free(cur), cur = next;
        return cur;
    }
    case AS_TOK_NORM_NFC:
        form = utf8proc_NFC;
        break;
    case AS_TOK_NORM_NFD:
        form = utf8proc_NFD;
        break;
    case AS_TOK_NORM_NFKC:
        form = utf8proc_NFKC;
        break;
    case AS_TOK_NORM_NFKD:
        form = utf8proc_NFKD;
        break;
    case AS_TOK_NORM_LOWER:
        return lowercase(s);
    case AS_TOK_NORM_STRIP_ACCENTS: {
        /* tokenizers' StripAccents only drops the marks; it relies on an NFD step before it. */
        buf b = {0};
        put(&b, "", 0);
        for (size_t i = 0, n = strlen(s); i < n;) {
            uint32_t cp;
            size_t len = as_tok_utf8_next(s + i, n - i, &cp);
            if (utf8proc_category((utf8proc_int32_t)cp) != UTF8PROC_CATEGORY_MN)
                put(&b, s + i, len);
            i += len;
        }
        return b.s;
    }
    case AS_TOK_NORM_REPLACE:
        return replace(st->re, st->content, s);
    case AS_TOK_NORM_PREPEND:
        return *s ? as_xasprintf("%s%s", st->content, s) : as_xstrdup(s);
    }
    char *d = (char *)form((const utf8proc_uint8_t *)s);
    AS_ASSERT(d != NULL); /* valid UTF-8 in: only exhaustion fails */
    return d;
}

char *as_tok_normalize(const as_tok_norm *steps, int n, const char *s, size_t len)
{
    /* Invalid bytes -> U+FFFD, as Rust's String::from_utf8_lossy does before the library. */
    buf b = {0};
    put(&b, "", 0);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t l = as_tok_utf8_next(s + i, len - i, &cp);
        if (cp == 0xfffd && l == 1)
            put_cp(&b, cp);
        else
            put(&b, s + i, l);
        i += l;
    }
    char *cur = b.s;
    for (int k = 0; k < n; k++) {
        char *next = apply(&steps[k], cur);
        free(cur);
        cur = next;
    }
    return cur;
}

void as_tok_norm_deinit(as_tok_norm *n)
{
    pcre2_code_free(n->re);
    free(n->content);
    memset(n, 0, sizeof *n);
}
