/* render: colormaps against their published sources, normalisation, pooling, quantisation,
 * the half-block grid, label cleaning, and the ASCII / ANSI dump writers. */
#include "attnscope/render.h"

#include "../test.h"

#include <stdlib.h>
#include <string.h>

/* ---- colormaps -------------------------------------------------------------------------------
 * References: matplotlib's _cm_listed.py tables (_viridis_data / _magma_data entries 0, 128,
 * 255, fractions of 1) and Moreland's published CoolWarmUChar257 table (entries 0, 128, 256).
 * The polynomial fits stay within ~2% of matplotlib (worst at magma's bright end), hence the
 * tolerance of 6/255. */
static void check_rgb(as_render_rgb c, double r, double g, double b, double tol)
{
    AS_TEST_NEAR(c.r, r, tol);
    AS_TEST_NEAR(c.g, g, tol);
    AS_TEST_NEAR(c.b, b, tol);
}

static void test_cmaps(void)
{
    as_render_rgb lut[256];
    as_render_cmap_lut(AS_RENDER_CMAP_VIRIDIS, lut);
    check_rgb(lut[0], 0.267004 * 255, 0.004874 * 255, 0.329415 * 255, 6);
    check_rgb(lut[128], 0.127568 * 255, 0.566949 * 255, 0.550556 * 255, 6);
    check_rgb(lut[255], 0.993248 * 255, 0.906157 * 255, 0.143936 * 255, 6);
    as_render_cmap_lut(AS_RENDER_CMAP_MAGMA, lut);
    check_rgb(lut[0], 0.001462 * 255, 0.000466 * 255, 0.013866 * 255, 6);
    check_rgb(lut[128], 0.716387 * 255, 0.214982 * 255, 0.474720 * 255, 6);
    check_rgb(lut[255], 0.987053 * 255, 0.991438 * 255, 0.749504 * 255, 6);
    as_render_cmap_lut(AS_RENDER_CMAP_DIVERGING, lut);
    check_rgb(lut[0], 59, 76, 192, 2);
    check_rgb(lut[128], 221, 221, 221, 3);
    check_rgb(lut[255], 180, 4, 38, 2);
    as_render_cmap_lut(AS_RENDER_CMAP_GRAY, lut);
    check_rgb(lut[77], 77, 77, 77, 0);

    for (int i = 0; i < AS_RENDER_CMAPS; i++) {
        as_render_cmap c = AS_RENDER_CMAPS;
        AS_TEST_EQ(as_render_cmap_parse(as_render_cmap_name((as_render_cmap)i), &c), AS_OK);
        AS_TEST_EQ(c, i);
    }
    as_render_cmap c;
    AS_TEST_EQ(as_render_cmap_parse("jet", &c), AS_EINVAL);
    AS_TEST_TRUE(strstr(as_last_error(), "jet") != NULL);
}

/* ---- normalisation, axes, pooling ------------------------------------------------------------ */
static void test_norm(void)
{
    const float m[4] = {0.2f, NAN, 0.9f, 0.5f};
    float lo, hi;
    as_render_range(AS_RENDER_NORM_FIXED, m, 2, 2, 2, &lo, &hi);
    AS_TEST_NEAR(lo, 0.0, 0);
    AS_TEST_NEAR(hi, 1.0, 0);
    as_render_range(AS_RENDER_NORM_MINMAX, m, 2, 2, 2, &lo, &hi);
    AS_TEST_NEAR(lo, 0.2, 1e-7);
    AS_TEST_NEAR(hi, 0.9, 1e-7);
    /* stride 2 over the first column only: {0.2, 0.9} */
    as_render_range(AS_RENDER_NORM_MINMAX, m, 2, 1, 2, &lo, &hi);
    AS_TEST_NEAR(hi, 0.9, 1e-7);
    /* (0.55 - 0.2) / 0.7 = 0.5 -> 127.5 rounds to 128 */
    AS_TEST_EQ(as_render_level(0.55f, 0.2f, 0.9f), 128);
    AS_TEST_EQ(as_render_level(-3.0f, 0.0f, 1.0f), 0);
    AS_TEST_EQ(as_render_level(7.0f, 0.0f, 1.0f), 255);
    AS_TEST_EQ(as_render_level(NAN, 0.0f, 1.0f), 0);
    AS_TEST_EQ(as_render_level(0.5f, 0.5f, 0.5f), 0);
}

static void test_axes(void)
{
    as_render_axis ax;
    as_render_axis_fit(12, 40, 2, &ax);
    AS_TEST_EQ(ax.bins, 12);
    AS_TEST_EQ(ax.scale, 2);
    as_render_axis_fit(12, 20, 2, &ax);
    AS_TEST_EQ(ax.scale, 1);
    AS_TEST_EQ(as_render_axis_pooled(&ax), 0);
    as_render_axis_fit(64, 40, 1, &ax);
    AS_TEST_EQ(ax.bins, 40);
    AS_TEST_EQ(ax.scale, 1);
    AS_TEST_EQ(as_render_axis_pooled(&ax), 1);

    /* Bins tile [0, n) without gaps or empty bins, and bin_of inverts bin_start. */
    const int sizes[][2] = {{64, 40}, {17, 5}, {5, 5}, {100, 3}, {7, 1}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int n = sizes[s][0], bins = sizes[s][1];
        AS_TEST_EQ(as_render_bin_start(n, bins, 0), 0);
        AS_TEST_EQ(as_render_bin_start(n, bins, bins), n);
        for (int b = 0; b < bins; b++)
            AS_TEST_TRUE(as_render_bin_start(n, bins, b) < as_render_bin_start(n, bins, b + 1));
        for (int i = 0; i < n; i++) {
            int b = as_render_bin_of(n, bins, i);
            AS_TEST_TRUE(as_render_bin_start(n, bins, b) <= i &&
                         i < as_render_bin_start(n, bins, b + 1));
        }
    }
}

static void test_pool(void)
{
    /* m[r][c] = 3r + c, 5x3 -> 2x2: row bins {0,1},{2,3,4}; column bins {0},{1,2}.
     * Maxima: (0,0) m[1][0] = 3; (0,1) m[1][2] = 5; (1,0) m[4][0] = 12; (1,1) m[4][2] = 14. */
    float m[15], out[4];
    for (int i = 0; i < 15; i++)
        m[i] = (float)i;
    as_render_pool_max(m, 5, 3, 3, 2, 2, out);
    AS_TEST_NEAR(out[0], 3, 0);
    AS_TEST_NEAR(out[1], 5, 0);
    AS_TEST_NEAR(out[2], 12, 0);
    AS_TEST_NEAR(out[3], 14, 0);

    /* A single sharp entry survives a 64x64 -> 7x9 reduction in the bin that holds it. */
    float *big = calloc(64 * 64, sizeof *big);
    float small[63];
    big[37 * 64 + 50] = 1.0f;
    as_render_pool_max(big, 64, 64, 64, 7, 9, small);
    int hits = 0;
    for (int i = 0; i < 63; i++)
        hits += small[i] == 1.0f;
    AS_TEST_EQ(hits, 1);
    AS_TEST_NEAR(small[as_render_bin_of(64, 7, 37) * 9 + as_render_bin_of(64, 9, 50)], 1.0, 0);
    free(big);
}

/* ---- quantisation ---------------------------------------------------------------------------- */
static void test_quant(void)
{
    /* cube levels 0,95,135,175,215,255: (95,135,175) is cube (1,2,3) = 16 + 36 + 12 + 3 = 67 */
    AS_TEST_EQ(as_render_quant_256((as_render_rgb){95, 135, 175}), 67);
    /* grey ramp 232 + i is 8 + 10 i: 128 = 8 + 10*12 -> 244 (the cube's nearest grey is 135) */
    AS_TEST_EQ(as_render_quant_256((as_render_rgb){128, 128, 128}), 244);
    /* black is the cube's 16, never the themed 0 */
    AS_TEST_EQ(as_render_quant_256((as_render_rgb){0, 0, 0}), 16);
    as_render_rgb w = as_render_xterm_rgb(231);
    AS_TEST_EQ(w.r + w.g + w.b, 3 * 255);
    AS_TEST_EQ(as_render_xterm_rgb(232).g, 8);
    AS_TEST_EQ(as_render_quant_16((as_render_rgb){250, 10, 10}), 9);
    AS_TEST_EQ(as_render_quant_16((as_render_rgb){0, 0, 0}), 0);
    as_render_rgb lut[256];
    for (int c = 0; c < AS_RENDER_CMAPS; c++) {
        as_render_cmap_lut((as_render_cmap)c, lut);
        int bad = 0;
        for (int i = 0; i < 256; i++) {
            int q = as_render_quant_256(lut[i]);
            bad += q < 16 || q > 255;
        }
        AS_TEST_EQ(bad, 0);
    }
    AS_TEST_EQ(as_render_ramp(0), ' ');
    AS_TEST_EQ(as_render_ramp(255), '@');
    AS_TEST_EQ(as_render_ramp(128), '+'); /* 128 * 10 / 256 = 5 -> " .:-=+" */
}

/* ---- grid ------------------------------------------------------------------------------------ */
static void test_grid(void)
{
    /* 3x2 matrix, fixed 0..1: half-blocks pair rows 0/1 and leave row 2's lower half empty. */
    const float m[6] = {0.0f, 1.0f, 1.0f, 0.0f, 0.5f, 0.5f};
    as_render_grid_opts o = {.half = 1, .lo = 0.0f, .hi = 1.0f};
    as_render_axis_fit(3, 3, 1, &o.rows);
    as_render_axis_fit(2, 2, 1, &o.cols);
    as_render_grid g;
    AS_TEST_EQ(as_render_grid_build(&g, m, 3, 2, 2, &o), AS_OK);
    AS_TEST_EQ(g.rows, 2);
    AS_TEST_EQ(g.cols, 2);
    AS_TEST_EQ(g.cells[0].glyph, AS_RENDER_UPPER_HALF);
    AS_TEST_EQ(g.cells[0].fg, 0);
    AS_TEST_EQ(g.cells[0].bg, 255);
    AS_TEST_EQ(g.cells[1].fg, 255);
    AS_TEST_EQ(g.cells[1].bg, 0);
    AS_TEST_EQ(g.cells[2].fg, 128);
    AS_TEST_EQ(g.cells[2].bg, AS_RENDER_NO_COLOR);
    as_render_grid_free(&g);

    /* Glyph mode, columns doubled: one text row per matrix row, each value twice. */
    o.half = 0;
    o.glyphs = 1;
    as_render_axis_fit(2, 4, 2, &o.cols);
    AS_TEST_EQ(as_render_grid_build(&g, m, 3, 2, 2, &o), AS_OK);
    AS_TEST_EQ(g.rows, 3);
    AS_TEST_EQ(g.cols, 4);
    char row1[5] = {0};
    for (int x = 0; x < 4; x++)
        row1[x] = (char)g.cells[4 + x].glyph;
    AS_TEST_STR(row1, "@@  ");
    AS_TEST_EQ(g.cells[4].fg, AS_RENDER_NO_COLOR);
    as_render_grid_free(&g);

    /* Plain colour mode: a blank on the value's colour. */
    o.glyphs = 0;
    AS_TEST_EQ(as_render_grid_build(&g, m, 3, 2, 2, &o), AS_OK);
    AS_TEST_EQ(g.cells[0].glyph, ' ');
    AS_TEST_EQ(g.cells[2].bg, 255);
    as_render_grid_free(&g);
}

/* ---- text ------------------------------------------------------------------------------------ */
static void test_text(void)
{
    char buf[64], ch[5];
    AS_TEST_EQ(as_render_text_fit("schl\xc3\xa4" "ft", 5, 0, buf, sizeof buf), 5);
    AS_TEST_STR(buf, "schl\xc3\xa4");
    AS_TEST_EQ(as_render_text_fit("schl\xc3\xa4" "ft", 5, 1, buf, sizeof buf), 5);
    AS_TEST_STR(buf, "schl?");
    as_render_text_fit("a\x1b[31mb", 20, 0, buf, sizeof buf);
    AS_TEST_STR(buf, "a?[31mb");
    /* two CJK characters are 4 columns; 3 columns hold only the first */
    AS_TEST_EQ(as_render_text_width("\xe6\x97\xa5\xe6\x9c\xac", 0), 4);
    AS_TEST_EQ(as_render_text_fit("\xe6\x97\xa5\xe6\x9c\xac", 3, 0, buf, sizeof buf), 2);
    AS_TEST_STR(buf, "\xe6\x97\xa5");
    AS_TEST_EQ(as_render_text_width("e\xcc\x81", 0), 1); /* e + combining acute */
    as_render_text_fit("\xff" "x\xc3", 10, 0, buf, sizeof buf);
    AS_TEST_STR(buf, "?x?");
    /* the output buffer bounds the copy even when columns remain */
    AS_TEST_EQ(as_render_text_fit("abcdef", 10, 0, buf, 4), 3);
    AS_TEST_STR(buf, "abc");
    AS_TEST_EQ(as_render_text_char("Mann", 1, 0, ch), 1);
    AS_TEST_STR(ch, "a");
    AS_TEST_EQ(as_render_text_char("\xe6\x97\xa5x", 0, 0, ch), 1);
    AS_TEST_STR(ch, "?");
    AS_TEST_EQ(as_render_text_char("ab", 2, 0, ch), 0);
}

/* ---- dumps ----------------------------------------------------------------------------------- */
static char *dump(const as_render_dump_opts *o, const float *m, int rows, int cols,
                  const char *const *rl, const char *const *cl, const char *header, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    *rc = as_render_dump_map(f, o, m, rows, cols, rl, cl, header);
    fclose(f);
    return text;
}

static void test_dump_ascii_small(void)
{
    /* Hand layout: label column 2 (widest label "bb"), then a space; 4 columns fit at 2
     * characters each. Fixed range: 1 -> level 255 '@', 0.5 -> 128 '+', 0.25 -> 64 ':' (64*10/256
     * = 2), 0 -> ' '. Column labels are one character, so one label line. */
    const float m[12] = {1, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0, 0, 0.25f};
    const char *rl[] = {"a", "bb", "c"};
    const char *cl[] = {"x", "y", "z", "w"};
    as_render_dump_opts o = {.format = AS_RENDER_DUMP_ASCII, .width = 40};
    int rc;
    char *s = dump(&o, m, 3, 4, rl, cl, "test", &rc);
    AS_TEST_EQ(rc, AS_OK);
    AS_TEST_STR(s, "test  3x4\n"
                   "   x y z w\n"
                   " a @@      \n"
                   "bb   ++    \n"
                   " c       ::\n"
                   "ramp \" .:-=+*#%@\" 0.0000..1.0000 (fixed)\n");
    free(s);
}

/* Columns of a line once SGR escapes are skipped. */
static int visible_width(const char *line, size_t len)
{
    char *copy = as_xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '\x1b') {
            while (i < len && line[i] != 'm')
                i++;
            continue;
        }
        copy[n++] = line[i];
    }
    copy[n] = '\0';
    int w = as_render_text_width(copy, 0);
    free(copy);
    return w;
}

static int max_line_width(const char *s)
{
    int widest = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        int w = visible_width(s, len);
        if (w > widest)
            widest = w;
        s += len + (nl ? 1 : 0);
    }
    return widest;
}

static void test_dump_ascii_pooled(void)
{
    float *m = calloc(64 * 64, sizeof *m);
    m[37 * 64 + 50] = 1.0f;
    as_render_dump_opts o = {.format = AS_RENDER_DUMP_ASCII, .width = 40, .height = 20};
    int rc;
    char *s = dump(&o, m, 64, 64, NULL, NULL, "model encoder layer 1/2 head 1/4", &rc);
    AS_TEST_EQ(rc, AS_OK);
    /* 20 row bins; labels like "60-63" make the label column 5 wide: 40 - 6 = 34 columns. */
    AS_TEST_TRUE(strstr(s, "pooled 64x64 -> 20x34 (max)") != NULL);
    AS_TEST_TRUE(max_line_width(s) <= 40);
    AS_TEST_TRUE(strchr(s, '\x1b') == NULL);
    /* Pooled columns are labelled by their first index, vertically: the last bin starts at
     * 33 * 64 / 34 = 62, so two label lines, the first beginning with bin 0 at column 6.
     * Pooled rows are labelled by range: bin 0 holds rows 0..2 (64 / 20 = 3.2). The header
     * (32 columns) and the shape (27) do not share a 40-column line: lines 0 and 1. */
    const char *l1 = strchr(strchr(s, '\n') + 1, '\n') + 1;
    const char *l3 = strchr(strchr(l1, '\n') + 1, '\n') + 1;
    AS_TEST_TRUE(strncmp(l1, "      0", 7) == 0);
    AS_TEST_TRUE(strncmp(l3, "  0-2 ", 6) == 0);
    /* the one sharp value survives as the only '@' above the legend */
    const char *legend = strstr(s, "ramp \"");
    int at = 0;
    for (const char *p = s; p < legend; p++)
        at += *p == '@';
    AS_TEST_EQ(at, 1);
    free(s);

    o.width = 23;
    s = dump(&o, m, 64, 64, NULL, NULL, "h", &rc);
    AS_TEST_EQ(rc, AS_EINVAL);
    free(s);
    free(m);
}

static void test_dump_ansi(void)
{
    const float m[6] = {0.1f, 0.9f, 0.4f, 0.6f, 1.0f, 0.0f};
    const char *rl[] = {"Ein", "Mann", "</s>"};
    const char *cl[] = {"man", "couch"};
    as_render_dump_opts o = {.format = AS_RENDER_DUMP_ANSI, .width = 30,
                             .color = AS_RENDER_COLOR_TRUE};
    int rc;
    char *a = dump(&o, m, 3, 2, rl, cl, "cross layer 1/2 head 2/4", &rc);
    AS_TEST_EQ(rc, AS_OK);
    char *b = dump(&o, m, 3, 2, rl, cl, "cross layer 1/2 head 2/4", &rc);
    AS_TEST_STR(a, b); /* a pure function of its inputs */
    AS_TEST_TRUE(strstr(a, "\x1b[38;2;") != NULL);
    AS_TEST_TRUE(strstr(a, "\xe2\x96\x80") != NULL); /* U+2580 */
    /* rows 0/1 share a line: "Ein" left, "Mann" right; row 2 alone */
    AS_TEST_TRUE(strstr(a, " Mann\n") != NULL);
    AS_TEST_TRUE(strstr(a, "</s> ") != NULL);
    AS_TEST_TRUE(max_line_width(a) <= 30);
    free(a);
    free(b);
    o.color = AS_RENDER_COLOR_256;
    a = dump(&o, m, 3, 2, rl, cl, "x", &rc);
    AS_TEST_TRUE(strstr(a, "\x1b[48;5;") != NULL);
    AS_TEST_TRUE(strstr(a, ";2;") == NULL);
    free(a);
}

int main(void)
{
    test_cmaps();
    test_norm();
    test_axes();
    test_pool();
    test_quant();
    test_grid();
    test_text();
    test_dump_ascii_small();
    test_dump_ascii_pooled();
    test_dump_ansi();
    return as_test_result();
}
