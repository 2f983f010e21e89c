/* Terminal text for labels: UTF-8 decoding, cleaning and column widths. Token labels come from
 * model vocabularies, so they may hold anything: control bytes must never reach a terminal (an
 * ESC would be interpreted), and column arithmetic must count wide CJK characters as two.
 * The width table is deliberately small (combining marks, the common wide blocks), which is
 * exact for the Latin, Cyrillic, Greek and CJK labels of the supported models. */
#include "attnscope/render.h"

#include <string.h>

/* Decodes one UTF-8 sequence at s; sets *cp (0xFFFD if invalid) and returns bytes consumed. */
static int utf8_decode(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    int n = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3 : (s[0] >> 3) == 30 ? 4
                                                                                                : 0;
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = n == 1 ? s[0] : s[0] & (0x7Fu >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return i; /* a NUL or a new lead byte ends the broken sequence */
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min_cp[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        v = 0xFFFD;
    *cp = v;
    return n;
}

static int in_ranges(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return 1;
    return 0;
}

static int cp_width(uint32_t cp)
{
    static const uint32_t zero[][2] = {
        {0x0300, 0x036F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
        {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
    };
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD},
    };
    if (in_ranges(cp, zero, sizeof zero / sizeof zero[0]))
        return 0;
    return in_ranges(cp, wide, sizeof wide / sizeof wide[0]) ? 2 : 1;
}

/* One cleaned character of s: its bytes (into buf, NUL-terminated) and columns. Returns the
 * input bytes consumed (0 at the end of s). */
static int next_char(const char *s, int ascii, char buf[5], int *width)
{
    const unsigned char *u = (const unsigned char *)s;
    if (!*u)
        return 0;
    uint32_t cp;
    int used = utf8_decode(u, &cp);
    int bad = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xFFFD ||
              (ascii && cp >= 0x80);
    if (bad) {
        strcpy(buf, "?");
        *width = 1;
    } else {
        memcpy(buf, s, (size_t)used);
        buf[used] = '\0';
        *width = cp_width(cp);
    }
    return used;
}

int as_render_text_fit(const char *s, int width, int ascii, char *out, size_t outsz)
{
    AS_ASSERT(outsz > 0);
    size_t len = 0;
    int cols = 0, w, used;
    char buf[5];
    out[0] = '\0';
    while ((used = next_char(s, ascii, buf, &w)) > 0) {
        size_t bl = strlen(buf);
        if (cols + w > width || len + bl + 1 > outsz)
            break;
        memcpy(out + len, buf, bl + 1);
        len += bl;
        cols += w;
        s += used;
    }
    return cols;
}

int as_render_text_width(const char *s, int ascii)
{
    int cols = 0, w, used;
    char buf[5];
    while ((used = next_char(s, ascii, buf, &w)) > 0) {
        cols += w;
        s += used;
    }
    return cols;
}

int as_render_text_char(const char *s, int i, int ascii, char out[5])
{
    int w, used;
    char buf[5];
    while ((used = next_char(s, ascii, buf, &w)) > 0) {
        s += used;
        if (w == 0)
            continue;
        if (i-- == 0) {
            if (w == 2)
                strcpy(out, "?");
            else
                memcpy(out, buf, strlen(buf) + 1);
            return 1;
        }
    }
    out[0] = '\0';
    return 0;
}
