/* tok_pre: pre-tokenizers, which cut normalised text into words for the model. Every splitter
 * here is the tokenizers library's NormalizedString::split: the text is covered by spans that
 * are pattern matches or not, and a behaviour (removed, isolated, merged with the previous or
 * next span, contiguous) decides which spans become words; empty words are dropped. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok_internal.h"

#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

/* GPT-2's pre-tokenisation (openai/gpt-2 src/encoder.py; tokenizers byte_level.rs). */
static const char gpt2_pattern[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
/* tokenizers' Whitespace pre-tokenizer: the matches are the words. */
static const char ws_pattern[] = "\\w+|[^\\w\\s]+";

pcre2_code *as_tok_regex(const char *pattern, int literal, const char *what)
{
    int err;
    PCRE2_SIZE at;
    /* PCRE2_LITERAL admits no UCP (nothing in a literal depends on character properties) */
    uint32_t opts = PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &err, &at,
                                   NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof msg);
        as_fail(AS_EFORMAT, "%s: bad regex \"%.60s\" at offset %zu: %s", what, pattern,
                (size_t)at, (const char *)msg);
    }
    return re;
}

/* ---- byte-to-unicode (GPT-2 encoder.py bytes_to_unicode) ------------------------------------ */

/* Printable Latin-1 bytes stand for themselves; the others (controls, space, 0x7f-0xa0, 0xad)
 * take the code points from U+0100 upward in byte order, so every byte becomes a visible
 * character and BPE never sees whitespace. */
static int self_mapped(unsigned b)
{
    return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
}

uint32_t as_tok_byte_char(unsigned char b)
{
    if (self_mapped(b))
        return b;
    uint32_t n = 0;
    for (unsigned i = 0; i < b; i++)
        n += !self_mapped(i);
    return 256 + n;
}

int as_tok_char_byte(uint32_t cp)
{
    if (cp < 256)
        return self_mapped(cp) ? (int)cp : -1;
    uint32_t n = 256;
    for (unsigned b = 0; b < 256; b++)
        if (!self_mapped(b) && n++ == cp)
            return (int)b;
    return -1;
}

/* ---- spans ---------------------------------------------------------------------------------- */

typedef struct {
    size_t start, end;
    int match;
} span;

typedef struct {
    span *v;
    int n, cap;
} spans;

static void add_span(spans *s, size_t start, size_t end, int match)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->v = as_xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
    }
    s->v[s->n++] = (span){start, end, match};
}

/* Spans of w for every regex match (and the text between). -1 if PCRE2 gives up. */
static int regex_spans(const pcre2_code *re, const char *w, spans *out)
{
    size_t n = strlen(w), prev = 0, pos = 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = 0;
    while (pos <= n) {
        int m = pcre2_match(re, (PCRE2_SPTR)w, n, pos, 0, md, NULL);
        if (m == PCRE2_ERROR_NOMATCH)
            break;
        if (m < 0) {
            rc = -1;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[0] == ov[1]) {
            /* An empty match splits nothing: step over one character. */
            uint32_t cp;
            pos = ov[1] + (ov[1] < n ? as_tok_utf8_next(w + ov[1], n - ov[1], &cp) : 1);
            continue;
        }
        if (ov[0] > prev)
            add_span(out, prev, ov[0], 0);
        add_span(out, ov[0], ov[1], 1);
        prev = pos = ov[1];
    }
    if (prev < n)
        add_span(out, prev, n, 0);
    pcre2_match_data_free(md);
    return rc;
}

/* Rust's char::is_whitespace (White_Space): what WhitespaceSplit and BertPreTokenizer cut on. */
static int rust_space(uint32_t cp)
{
    return (cp >= 9 && cp <= 13) || cp == ' ' || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
           cp == 0x205f || cp == 0x3000;
}

/* Spans of w where each character with pred is a match of its own. */
static void char_spans(int (*pred)(uint32_t), const char *w, spans *out)
{
    size_t n = strlen(w), prev = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = as_tok_utf8_next(w + i, n - i, &cp);
        if (pred(cp)) {
            if (i > prev)
                add_span(out, prev, i, 0);
            add_span(out, i, i + len, 1);
            prev = i + len;
        }
        i += len;
    }
    if (prev < n)
        add_span(out, prev, n, 0);
}

/* The behaviours, as tokenizers' NormalizedString::split folds the spans. */
static void emit(const char *w, spans *s, as_tok_split_behavior how, int invert,
                 as_tok_words *out)
{
    if (invert)
        for (int i = 0; i < s->n; i++)
            s->v[i].match = !s->v[i].match;
    spans keep = {0};
    int prev_match = 0;
    switch (how) {
    case AS_TOK_SPLIT_REMOVED:
        for (int i = 0; i < s->n; i++)
            if (!s->v[i].match)
                add_span(&keep, s->v[i].start, s->v[i].end, 0);
        break;
    case AS_TOK_SPLIT_ISOLATED:
        for (int i = 0; i < s->n; i++)
            add_span(&keep, s->v[i].start, s->v[i].end, 0);
        break;
    case AS_TOK_SPLIT_MERGED_PREV:
        for (int i = 0; i < s->n; i++) {
            if (s->v[i].match && !prev_match && keep.n)
                keep.v[keep.n - 1].end = s->v[i].end;
            else
                add_span(&keep, s->v[i].start, s->v[i].end, 0);
            prev_match = s->v[i].match;
        }
        break;
    case AS_TOK_SPLIT_MERGED_NEXT:
        /* mirror image of MERGED_PREV: walk backwards, then reverse */
        for (int i = s->n - 1; i >= 0; i--) {
            if (s->v[i].match && !prev_match && keep.n)
                keep.v[keep.n - 1].start = s->v[i].start;
            else
                add_span(&keep, s->v[i].start, s->v[i].end, 0);
            prev_match = s->v[i].match;
        }
        for (int i = 0, j = keep.n - 1; i < j; i++, j--) {
            span t = keep.v[i];
            keep.v[i] = keep.v[j];
            keep.v[j] = t;
        }
        break;
    case AS_TOK_SPLIT_CONTIGUOUS:
        for (int i = 0; i < s->n; i++) {
            if (s->v[i].match == prev_match && keep.n)
                keep.v[keep.n - 1].end = s->v[i].end;
            else
                add_span(&keep, s->v[i].start, s->v[i].end, 0);
            prev_match = s->v[i].match;
        }
        break;
    }
    for (int i = 0; i < keep.n; i++)
        if (keep.v[i].end > keep.v[i].start)
            as_tok_words_push(out, w + keep.v[i].start, keep.v[i].end - keep.v[i].start);
    free(keep.v);
}

/* ---- one step on one word -------------------------------------------------------------------- */

/* Every byte of w as its byte-level character. */
static void byte_map(const char *w, as_tok_words *out)
{
    size_t n = strlen(w);
    char *d = as_xmalloc(2 * n + 1), *p = d;
    for (size_t i = 0; i < n; i++)
        p += as_tok_utf8_put(p, as_tok_byte_char((unsigned char)w[i]));
    as_tok_words_push(out, d, (size_t)(p - d));
    free(d);
}

static int step(const as_tok_pre *p, const char *w, int first, as_tok_words *out)
{
    spans s = {0};
    int rc = AS_OK;
    switch (p->kind) {
    case AS_TOK_PRE_BERT: {
        as_tok_words tmp = {0};
        char_spans(rust_space, w, &s);
        emit(w, &s, AS_TOK_SPLIT_REMOVED, 0, &tmp);
        for (int i = 0; i < tmp.n; i++) {
            s.n = 0;
            char_spans(as_tok_is_punct, tmp.v[i], &s);
            emit(tmp.v[i], &s, AS_TOK_SPLIT_ISOLATED, 0, out);
        }
        as_tok_words_free(&tmp);
        break;
    }
    case AS_TOK_PRE_BYTELEVEL: {
        char *text = p->add_prefix_space && w[0] != ' ' ? as_xasprintf(" %s", w) : as_xstrdup(w);
        as_tok_words parts = {0};
        if (p->use_regex) {
            if (regex_spans(p->re, text, &s) != 0)
                rc = as_fail(AS_EINVAL, "tokenizer: regex match failed on a word of %zu bytes",
                             strlen(text));
            emit(text, &s, AS_TOK_SPLIT_ISOLATED, 0, &parts);
        } else {
            as_tok_words_push(&parts, text, strlen(text));
        }
        for (int i = 0; i < parts.n; i++)
            byte_map(parts.v[i], out);
        as_tok_words_free(&parts);
        free(text);
        break;
    }
    case AS_TOK_PRE_WHITESPACE:
    case AS_TOK_PRE_SPLIT:
        if (regex_spans(p->re, w, &s) != 0)
            rc = as_fail(AS_EINVAL, "tokenizer: regex match failed on a word of %zu bytes",
                         strlen(w));
        emit(w, &s, p->kind == AS_TOK_PRE_WHITESPACE ? AS_TOK_SPLIT_REMOVED : p->behavior,
             p->kind == AS_TOK_PRE_WHITESPACE ? 1 : p->invert, out);
        break;
    case AS_TOK_PRE_WSSPLIT:
        char_spans(rust_space, w, &s);
        emit(w, &s, AS_TOK_SPLIT_REMOVED, 0, out);
        break;
    case AS_TOK_PRE_PUNCT:
        char_spans(as_tok_is_punct, w, &s);
        emit(w, &s, p->behavior, 0, out);
        break;
    case AS_TOK_PRE_DIGITS:
        char_spans(as_tok_is_digit, w, &s);
        emit(w, &s, p->individual ? AS_TOK_SPLIT_ISOLATED : AS_TOK_SPLIT_CONTIGUOUS, 0, out);
        break;
    case AS_TOK_PRE_METASPACE: {
        size_t rlen = strlen(p->replacement), n = strlen(w);
        /* ' ' -> replacement; at most rlen bytes per input byte, plus the prefix */
        char *d = as_xmalloc((n + 1) * rlen + 1), *q = d;
        int starts = n > 0 && w[0] == ' ';
        if (!(n >= rlen && memcmp(w, p->replacement, rlen) == 0) && !starts &&
            (p->prepend == AS_TOK_PREPEND_ALWAYS || (p->prepend == AS_TOK_PREPEND_FIRST && first)))
            memcpy(q, p->replacement, rlen), q += rlen;
        for (size_t i = 0; i < n; i++) {
            if (w[i] == ' ')
                memcpy(q, p->replacement, rlen), q += rlen;
            else
                *q++ = w[i];
        }
        *q = '\0';
        if (p->split) {
            /* split on the replacement character, each one starting a word */
            uint32_t rep;
            as_tok_utf8_next(p->replacement, rlen, &rep);
            size_t len = (size_t)(q - d), prev = 0;
            for (size_t i = 0; i < len;) {
                uint32_t cp;
                size_t l = as_tok_utf8_next(d + i, len - i, &cp);
                if (cp == rep) {
                    if (i > prev)
                        add_span(&s, prev, i, 0);
                    add_span(&s, i, i + l, 1);
                    prev = i + l;
                }
                i += l;
            }
            if (prev < len)
                add_span(&s, prev, len, 0);
            emit(d, &s, AS_TOK_SPLIT_MERGED_NEXT, 0, out);
        } else if (q > d) {
            as_tok_words_push(out, d, (size_t)(q - d));
        }
        free(d);
        break;
    }
    }
    free(s.v);
    return rc;
}

int as_tok_pretokenize(const as_tok_pre *steps, int n, const char *s, int first, as_tok_words *out)
{
    as_tok_words cur = {0};
    if (*s)
        as_tok_words_push(&cur, s, strlen(s));
    int rc = AS_OK;
    for (int k = 0; k < n && rc == AS_OK; k++) {
        as_tok_words next = {0};
        for (int i = 0; i < cur.n && rc == AS_OK; i++)
            rc = step(&steps[k], cur.v[i], first && i == 0, &next);
        as_tok_words_free(&cur);
        cur = next;
    }
    for (int i = 0; i < cur.n; i++)
        as_tok_words_push(out, cur.v[i], strlen(cur.v[i]));
    as_tok_words_free(&cur);
    return rc;
}

int as_tok_pre_init(as_tok_pre *p, as_tok_pre_kind kind, const char *pattern, int literal,
                    const char *what)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    const char *pat = kind == AS_TOK_PRE_BYTELEVEL ? gpt2_pattern
                      : kind == AS_TOK_PRE_WHITESPACE ? ws_pattern
                                                      : pattern;
    if (pat) {
        p->re = as_tok_regex(pat, literal, what);
        if (!p->re)
            return AS_EFORMAT;
    }
    return AS_OK;
}

void as_tok_pre_deinit(as_tok_pre *p)
{
    pcre2_code_free(p->re);
    memset(p, 0, sizeof *p);
}
