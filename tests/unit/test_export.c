/* Image and array exports: the raster heat map's pixels against the colormap, the PNG decoded
 * back by stb_image (an independent decoder), the SVG parsed by expat (well-formed, every token
 * label present as text), and .npy files against files NumPy itself wrote
 * (tools/make_npy_testdata.py -> tests/data/npy). */
#include "attnscope/core.h"
#include "attnscope/render.h"

#include "../test.h"

#include <expat.h>
#include <stb_image.h>
#include <unistd.h>

/* Reads a whole file (test data), NULL if absent. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = as_xmalloc((size_t)len + 1);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

static int same_rgb(const uint8_t *p, as_render_rgb c)
{
    return p[0] == c.r && p[1] == c.g && p[2] == c.b;
}

/* 2 x 3 map; levels with the fixed 0..1 range: v * 255 rounded as as_render_level does. */
static const float M[6] = {0, 0.25f, 0.5f, 0.75f, 1, 0.125f};

static void test_image_and_png(void)
{
    as_render_image img;
    as_render_image_opts o = {.cmap = AS_RENDER_CMAP_VIRIDIS, .norm = AS_RENDER_NORM_FIXED,
                              .cell = 5, .title = "encoder L0 H1"};
    AS_TEST_EQ(as_render_image_build(&img, M, 2, 3, &o), AS_OK);
    as_render_rgb lut[256];
    as_render_cmap_lut(AS_RENDER_CMAP_VIRIDIS, lut);
    AS_TEST_EQ(img.cell, 5);
    AS_TEST_TRUE(img.w >= img.x0 + 3 * 5 && img.h >= img.y0 + 2 * 5);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int dy = 0; dy < 5; dy += 4) // two corners of every block
                for (int dx = 0; dx < 5; dx += 4) {
                    int x = img.x0 + j * 5 + dx, y = img.y0 + i * 5 + dy;
                    as_render_rgb want = lut[as_render_level(M[i * 3 + j], 0, 1)];
                    AS_TEST_TRUE(same_rgb(img.rgb + ((size_t)y * img.w + x) * 3, want));
                }
    // colour bar right of the map: its top row is the top of the colormap, its bottom row level 0
    int bar_x = img.x0 + 3 * 5 + 10 + 6, bar_bottom = img.h - 8 - 1;
    AS_TEST_TRUE(same_rgb(img.rgb + ((size_t)img.y0 * img.w + bar_x) * 3, lut[255]));
    AS_TEST_TRUE(same_rgb(img.rgb + ((size_t)bar_bottom * img.w + bar_x) * 3, lut[0]));
    // the title is drawn: some black pixel in the band above the map
    int black = 0;
    for (int y = 0; y < img.y0; y++)
        for (int x = 0; x < img.w; x++)
            black += same_rgb(img.rgb + ((size_t)y * img.w + x) * 3, (as_render_rgb){0, 0, 0});
    AS_TEST_TRUE(black > 20);

    char path[] = "/tmp/as_test_png_XXXXXX";
    int fd = mkstemp(path);
    AS_TEST_TRUE(fd >= 0);
    close(fd);
    AS_TEST_EQ(as_render_png_write(&img, path), AS_OK);
    int w = 0, h = 0, comp = 0;
    unsigned char *dec = stbi_load(path, &w, &h, &comp, 3);
    AS_TEST_TRUE(dec != NULL);
    AS_TEST_EQ(w, img.w);
    AS_TEST_EQ(h, img.h);
    AS_TEST_EQ(comp, 3);
    if (dec && w == img.w && h == img.h)
        AS_TEST_TRUE(memcmp(dec, img.rgb, (size_t)w * h * 3) == 0);
    stbi_image_free(dec);
    unlink(path);
    AS_TEST_EQ(as_render_png_write(&img, "/nonexistent-dir/x.png"), AS_EIO);
    AS_TEST_TRUE(strstr(as_last_error(), "/nonexistent-dir/x.png") != NULL);
    as_render_image_free(&img);

    // automatic cells: 480 / larger side within 1 .. 24; too large a side is refused
    AS_TEST_EQ(as_render_image_auto_cell(2, 3), 24);
    AS_TEST_EQ(as_render_image_auto_cell(40, 10), 12);
    AS_TEST_EQ(as_render_image_auto_cell(4096, 4096), 1);
    o.cell = 100;
    AS_TEST_EQ(as_render_image_build(&img, M, 2, 200, &o), AS_EINVAL);
}

/* ---- SVG ------------------------------------------------------------------------------------*/

typedef struct svg_seen {
    int depth, in_text, rects, texts, root_svg;
    char text[4096]; // all <text> character data, separated by '\n'
    size_t len;
} svg_seen;

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    svg_seen *s = ud;
    if (s->depth++ == 0)
        s->root_svg = strcmp(name, "svg") == 0;
    s->rects += strcmp(name, "rect") == 0;
    if (strcmp(name, "text") == 0) {
        s->texts++;
        s->in_text = 1;
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    svg_seen *s = ud;
    s->depth--;
    if (strcmp(name, "text") == 0 && s->len + 1 < sizeof s->text) {
        s->in_text = 0;
        s->text[s->len++] = '\n';
        s->text[s->len] = '\0';
    }
}

static void XMLCALL on_chars(void *ud, const XML_Char *c, int n)
{
    svg_seen *s = ud;
    if (s->in_text && s->len + (size_t)n + 1 < sizeof s->text) {
        memcpy(s->text + s->len, c, (size_t)n);
        s->len += (size_t)n;
        s->text[s->len] = '\0';
    }
}

static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return 1;
    return 0;
}

static void test_svg(void)
{
    // labels with XML's special characters, a special token and UTF-8
    const char *rows[2] = {"<pad>", "fl\xc3\xbb" "te"};
    const char *cols[3] = {"a&b", "\"q\"", "</s>"};
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    AS_TEST_EQ(as_render_svg_write(f, "mem.svg", M, 2, 3, rows, cols, "cross L1 <mean>",
                                   AS_RENDER_CMAP_MAGMA, AS_RENDER_NORM_MINMAX), AS_OK);
    fclose(f);
    XML_Parser p = XML_ParserCreate("UTF-8");
    svg_seen s = {0};
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_chars);
    int ok = XML_Parse(p, buf, (int)n, 1) == XML_STATUS_OK;
    if (!ok)
        fprintf(stderr, "expat: %s at line %lu\n", XML_ErrorString(XML_GetErrorCode(p)),
                (unsigned long)XML_GetCurrentLineNumber(p));
    AS_TEST_TRUE(ok);
    XML_ParserFree(p);
    AS_TEST_TRUE(s.root_svg);
    AS_TEST_EQ(s.rects, 1 + 6 + 32); // background, one per entry, colour bar bands
    for (int i = 0; i < 2; i++)
        AS_TEST_TRUE(has_line(s.text, rows[i]));
    for (int j = 0; j < 3; j++)
        AS_TEST_TRUE(has_line(s.text, cols[j]));
    AS_TEST_TRUE(has_line(s.text, "cross L1 <mean>"));
    // min-max range of M: 0 .. 1 written at the ends of the colour bar
    AS_TEST_TRUE(has_line(s.text, "0") && has_line(s.text, "1"));
    free(buf);

    f = open_memstream(&buf, &n);
    AS_TEST_EQ(as_render_svg_write(f, "big.svg", M, 1001, 1000, NULL, NULL, NULL,
                                   AS_RENDER_CMAP_GRAY, AS_RENDER_NORM_FIXED), AS_EINVAL);
    fclose(f);
    free(buf);
}

/* ---- npy ------------------------------------------------------------------------------------*/

static void test_npy(void)
{
    size_t n, wn = 0;
    unsigned char *ref = slurp(AS_TEST_DATA_DIR "/npy/a23_f4.npy", &n);
    AS_TEST_TRUE(ref != NULL);
    if (!ref)
        return;
    // the writer produces NumPy's bytes exactly
    char *buf = NULL;
    FILE *f = open_memstream(&buf, &wn);
    int64_t shape[2] = {2, 3};
    const float a[6] = {0, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f}; // arange(6) / 8
    AS_TEST_EQ(as_render_npy_write(f, "mem.npy", a, 2, shape), AS_OK);
    fclose(f);
    AS_TEST_EQ(wn, n);
    AS_TEST_TRUE(wn == n && memcmp(buf, ref, n) == 0);
    free(buf);
    free(ref);

    static const char *const same[] = {"a23_f4.npy", "a23_f8.npy", "a23_f2.npy"};
    for (int i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/npy/%s", AS_TEST_DATA_DIR, same[i]);
        ref = slurp(path, &n);
        as_render_npy arr;
        AS_TEST_TRUE(ref && as_render_npy_parse(ref, n, path, &arr) == AS_OK);
        AS_TEST_EQ(arr.ndim, 2);
        AS_TEST_EQ(arr.shape[0], 2);
        AS_TEST_EQ(arr.shape[1], 3);
        for (int e = 0; e < 6 && arr.data; e++)
            AS_TEST_NEAR(arr.data[e], a[e], 0);
        as_render_npy_free(&arr);
        free(ref);
    }
    ref = slurp(AS_TEST_DATA_DIR "/npy/l2h1q2k3_f4.npy", &n);
    as_render_npy arr;
    AS_TEST_TRUE(ref && as_render_npy_parse(ref, n, "l2h1q2k3_f4.npy", &arr) == AS_OK);
    AS_TEST_EQ(arr.ndim, 4);
    AS_TEST_EQ(arr.count, 12);
    AS_TEST_TRUE(arr.data && arr.data[11] == 11 / 8.0f);
    as_render_npy_free(&arr);

    // refused: Fortran order, integer dtype, a truncated file, a bad magic
    static const struct {
        const char *file;
        int rc;
    } bad[] = {{"a23_fortran.npy", AS_EUNSUPPORTED}, {"a23_i4.npy", AS_EUNSUPPORTED}};
    for (int i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/npy/%s", AS_TEST_DATA_DIR, bad[i].file);
        unsigned char *b = slurp(path, &n);
        AS_TEST_TRUE(b && as_render_npy_parse(b, n, path, &arr) == bad[i].rc);
        AS_TEST_TRUE(strstr(as_last_error(), bad[i].file) != NULL);
        free(b);
    }
    AS_TEST_EQ(as_render_npy_parse(ref, n - 1, "short.npy", &arr), AS_EFORMAT);
    AS_TEST_TRUE(strstr(as_last_error(), "short.npy") != NULL);
    AS_TEST_EQ(as_render_npy_parse("\x93NUMPX", 6, "m.npy", &arr), AS_EFORMAT);
    ref[8] = 0xff; // header length beyond the file
    AS_TEST_EQ(as_render_npy_parse(ref, n, "h.npy", &arr), AS_EFORMAT);
    free(ref);
}

int main(void)
{
    test_image_and_png();
    test_svg();
    test_npy();
    return as_test_result();
}
