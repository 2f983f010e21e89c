/* tok_label: the readable form of a piece shown in the explorer and in dumps, one convention for
 * every family (README.md "Token labels"): word-initial pieces bare, word-internal ones with
 * "##". Pieces come from untrusted model files, so the label is also made safe for a terminal:
 * no control characters, no invalid UTF-8, and a multibyte character is copied whole or not at
 * all. */
#include "tok_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MARKER "\xe2\x96\x81" /* U+2581 LOWER ONE EIGHTH BLOCK: SentencePiece's word start */
#define MARKER_LEN 3

/* Appends s[0..n) to dst with control characters (C0, DEL, C1) and invalid bytes as '?', and
 * U+2581 as '_' (a marker that is not word-initial stands for a space inside the piece). */
static char *append_clean(char *dst, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = as_tok_utf8_seq(p + i, n - i, &cp);
        if (len == 0) {
            *dst++ = '?';
            i++;
        } else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
            *dst++ = '?';
            i += len;
        } else if (cp == 0x2581) {
            *dst++ = '_';
            i += len;
        } else {
            memcpy(dst, p + i, len);
            dst += len;
            i += len;
        }
    }
    return dst;
}

/* A special token: a pipeline's added special tokens; for Marian (and without a tokenizer) any
 * "<...>" of 3 bytes or more ("</s>", "<unk>", "<pad>" and other SentencePiece control symbols). */
static int is_special(const as_tok *t, const char *s, size_t n)
{
    if (t && !t->marian) {
        for (int i = 0; i < t->n_added; i++)
            if (t->added[i].special && strcmp(t->added[i].content, s) == 0)
                return 1;
        return 0;
    }
    return n >= 3 && s[0] == '<' && s[n - 1] == '>';
}

/* SentencePiece / Metaspace pieces: U+2581 starts a word. */
static char *label_spm(const char *piece, size_t n)
{
    /* Worst case: "##" prefix, every byte kept. */
    char *out = as_xmalloc(n + 3), *d = out;
    if (n >= MARKER_LEN && memcmp(piece, MARKER, MARKER_LEN) == 0) {
        if (n == MARKER_LEN)
            *d++ = '_';
        else
            d = append_clean(d, piece + MARKER_LEN, n - MARKER_LEN);
    } else {
        *d++ = '#';
        *d++ = '#';
        d = append_clean(d, piece, n);
    }
    *d = '\0';
    return out;
}

/* Byte-level pieces: each character stands for a byte; a leading space byte ('\xc4\xa0' in the
 * piece) starts a word. initial: the piece starts a word even without it. */
static char *label_bytes(const char *piece, size_t n, int initial)
{
    char *bytes = as_xmalloc(n + 1);
    size_t nb = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = as_tok_utf8_next(piece + i, n - i, &cp);
        int b = as_tok_char_byte(cp);
        if (b >= 0)
            bytes[nb++] = (char)b;
        else
            memcpy(bytes + nb, piece + i, len), nb += len;
        i += len;
    }
    char *out = as_xmalloc(nb + 3), *d = out;
    if (nb == 1 && bytes[0] == ' ') {
        *d++ = '_';
    } else if (nb && bytes[0] == ' ') {
        d = append_clean(d, bytes + 1, nb - 1);
    } else {
        if (!initial)
            *d++ = '#', *d++ = '#';
        d = append_clean(d, bytes, nb);
    }
    *d = '\0';
    free(bytes);
    return out;
}

static char *label(const as_tok *t, const char *piece, int initial)
{
    size_t n = strlen(piece);
    as_tok_style style = t ? t->style : AS_TOK_STYLE_SPM;
    if (is_special(t, piece, n) || style == AS_TOK_STYLE_WORDPIECE) {
        /* WordPiece pieces already follow the convention ("##ing" inside a word) */
        char *out = as_xmalloc(n + 1);
        *append_clean(out, piece, n) = '\0';
        return out;
    }
    if (style == AS_TOK_STYLE_BYTELEVEL)
        return label_bytes(piece, n, initial);
    return label_spm(piece, n);
}

char *as_tok_label(const as_tok *t, const char *piece)
{
    return label(t, piece, 0);
}

char *as_tok_label_at(const as_tok *t, const char *const *pieces, int i)
{
    /* GPT-2 gives the text's first word no space, hence no marker; the same holds after a
     * special token that swallowed the space */
    int initial = t && t->style == AS_TOK_STYLE_BYTELEVEL &&
                  (i == 0 || is_special(t, pieces[i - 1], strlen(pieces[i - 1])));
    return label(t, pieces[i], initial);
}
