/* tok_label: the readable form of a piece shown in the explorer and in dumps. Pieces come from
 * untrusted model files, so the label is also made safe for a terminal: no control characters,
 * no invalid UTF-8, and a multibyte character is copied whole or not at all. */
#include "attnscope/tok.h"

#include <stdint.h>
#include <string.h>

#define MARKER "\xe2\x96\x81" /* U+2581 LOWER ONE EIGHTH BLOCK: SentencePiece's word start */
#define MARKER_LEN 3

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one (truncated, overlong,
 * surrogate, above U+10FFFF, stray continuation byte). Sets *cp to the code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, min = 0x80, *cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, min = 0x800, *cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, *cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3f);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return len;
}

/* Appends s[0..n) to dst with control characters (C0, DEL, C1) and invalid bytes as '?', and
 * U+2581 as '_' (a marker that is not word-initial stands for a space inside the piece). */
static char *append_clean(char *dst, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = utf8_seq(p + i, n - i, &cp);
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

/* "<unk>", "</s>", "<pad>", "<s>" and other control symbols of SentencePiece vocabularies. */
static int is_special(const char *s, size_t n)
{
    return n >= 3 && s[0] == '<' && s[n - 1] == '>';
}

char *as_tok_label(const char *piece)
{
    size_t n = strlen(piece);
    /* Worst case: "##" prefix, every byte kept. */
    char *out = as_xmalloc(n + 3), *d = out;
    if (is_special(piece, n)) {
        d = append_clean(d, piece, n);
    } else if (n >= MARKER_LEN && memcmp(piece, MARKER, MARKER_LEN) == 0) {
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
