/* tok_split: what Hugging Face does to the text before SentencePiece sees it (transformers 4.27,
 * slow tokenizer). PreTrainedTokenizer.tokenize cuts the text at special tokens ("</s>", "<unk>",
 * "<pad>" written literally), which stay whole, and str.strip()s the text on both sides of each;
 * MarianTokenizer._tokenize then takes language codes (re ">>.+<<", e.g. ">>fr<<" for multilingual
 * opus-mt models) out of every text span, keeping the one at the span's start as a token. */
#include "tok_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- Python's str.isspace(): what str.strip() removes ---------------------------------------- */

/* UTF-8 encodings of the non-ASCII code points with str.isspace() true. */
static const char *const wide_spaces[] = {
    "\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81",
    "\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86",
    "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8",
    "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
};

static int ascii_space(unsigned char c)
{
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
}

/* Byte length of the whitespace character s[0..n) starts with (0 if none). */
static size_t space_at(const char *s, size_t n)
{
    if (n && ascii_space((unsigned char)s[0]))
        return 1;
    for (size_t i = 0; i < sizeof wide_spaces / sizeof wide_spaces[0]; i++) {
        size_t len = strlen(wide_spaces[i]);
        if (len <= n && memcmp(s, wide_spaces[i], len) == 0)
            return len;
    }
    return 0;
}

/* Byte length of the whitespace character s[0..n) ends with (0 if none). */
static size_t space_before(const char *s, size_t n)
{
    if (n && ascii_space((unsigned char)s[n - 1]))
        return 1;
    for (size_t i = 0; i < sizeof wide_spaces / sizeof wide_spaces[0]; i++) {
        size_t len = strlen(wide_spaces[i]);
        if (len <= n && memcmp(s + n - len, wide_spaces[i], len) == 0)
            return len;
    }
    return 0;
}

/* ---- language codes ------------------------------------------------------------------------- */

/* End of the match of ">>.+<<" starting at s[i] (s[i..i+2) == ">>"), or 0 if none: '.' is any
 * character but '\n' and '+' is greedy, so the match ends at the last "<<" of the line that
 * leaves at least one character between. Bytes suffice: '>', '<' and '\n' never occur inside a
 * multibyte UTF-8 character. */
static size_t code_end(const char *s, size_t n, size_t i)
{
    size_t line = i + 2;
    while (line < n && s[line] != '\n')
        line++;
    for (size_t j = line; j >= i + 5; j--)
        if (s[j - 2] == '<' && s[j - 1] == '<')
            return j;
    return 0;
}

static int text_span(const char *s, size_t n, as_tok_span_fn fn, void *ctx)
{
    /* re.sub(">>.+<<", "", s): matches scanned left to right, each resuming after the last. */
    char *rest = as_xmalloc(n + 1);
    size_t len = 0, i = 0;
    int rc = 0;
    while (i < n) {
        size_t end = (i + 1 < n && s[i] == '>' && s[i + 1] == '>') ? code_end(s, n, i) : 0;
        if (end == 0) {
            rest[len++] = s[i++];
            continue;
        }
        /* re.match: only a code at the very start is kept, as its own token. */
        if (i == 0)
            rc = fn(ctx, AS_TOK_SPAN_CODE, s, end);
        if (rc)
            break;
        i = end;
    }
    if (rc == 0 && len)
        rc = fn(ctx, AS_TOK_SPAN_TEXT, rest, len);
    free(rest);
    return rc;
}

/* ---- special tokens ------------------------------------------------------------------------- */

/* Leftmost special token in s[0..n): its index, with *at set to its offset; -1 if none. The
 * specials are never prefixes of each other, so the first one matching at an offset is the
 * longest, as in the reference's trie. */
static int find_special(const char *s, size_t n, const char *const *specials, int count,
                        size_t *at)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<')
            continue;
        for (int k = 0; k < count; k++) {
            size_t len = strlen(specials[k]);
            if (len <= n - i && memcmp(s + i, specials[k], len) == 0) {
                *at = i;
                return k;
            }
        }
    }
    return -1;
}

int as_tok_split(const char *text, const char *const *specials, int count, as_tok_span_fn fn,
                 void *ctx)
{
    size_t n = strlen(text), pos = 0;
    int after_special = 0;
    for (;;) {
        size_t at = n;
        int k = find_special(text + pos, n - pos, specials, count, &at);
        size_t start = pos, end = k >= 0 ? pos + at : n;
        /* Text next to a special token loses its whitespace on that side. */
        if (after_special)
            for (size_t w; start < end && (w = space_at(text + start, end - start));)
                start += w;
        if (k >= 0)
            for (size_t w; end > start && (w = space_before(text + start, end - start));)
                end -= w;
        int rc = start < end ? text_span(text + start, end - start, fn, ctx) : 0;
        if (rc || k < 0)
            return rc;
        size_t len = strlen(specials[k]);
        rc = fn(ctx, AS_TOK_SPAN_SPECIAL, specials[k], len);
        if (rc)
            return rc;
        pos += at + len;
        after_special = 1;
    }
}
