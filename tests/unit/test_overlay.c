/* render overlays: a map peaked on one patch lights exactly that patch's pixels; alpha 0 is the
 * image itself; box-average downscaling by hand; the DINO threshold mask by hand; masked patches
 * dimmed; half-block packing; aspect-preserving fit. */
#include "attnscope/render.h"

#include "../test.h"

static void px_eq(const uint8_t *p, as_render_rgb c)
{
    AS_TEST_EQ(p[0], c.r);
    AS_TEST_EQ(p[1], c.g);
    AS_TEST_EQ(p[2], c.b);
}

/* 4 x 4 patch grid over a 32 x 24 image (patches 8 x 6 pixels), one-hot on patch (1, 2): with
 * alpha 1 every pixel of rows 6..11, columns 16..23 has the colormap's top colour and every other
 * pixel its bottom colour. */
static void test_peak(void)
{
    enum { W = 32, H = 24 };
    uint8_t img[W * H * 3], out[W * H * 3];
    for (int i = 0; i < W * H * 3; i++)
        img[i] = (uint8_t)(i * 7);
    float map[16] = {0};
    map[1 * 4 + 2] = 1.0f;
    as_render_rgb lut[256];
    as_render_cmap_lut(AS_RENDER_CMAP_VIRIDIS, lut);
    as_render_overlay_opts o = {.cmap = AS_RENDER_CMAP_VIRIDIS, .lo = 0, .hi = 1, .alpha = 1};
    as_render_overlay(img, W, H, map, 4, 4, &o, W, H, out);
    int lit = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int in = y >= 6 && y < 12 && x >= 16 && x < 24;
            lit += in;
            px_eq(out + (y * W + x) * 3, lut[in ? 255 : 0]);
        }
    AS_TEST_EQ(lit, 48);
    /* alpha 0: the image unchanged at its own resolution */
    o.alpha = 0;
    as_render_overlay(img, W, H, map, 4, 4, &o, W, H, out);
    AS_TEST_TRUE(memcmp(img, out, sizeof img) == 0);
    /* alpha 0.5 on a black image: half the heat colour, rounded */
    memset(img, 0, sizeof img);
    o.alpha = 0.5f;
    as_render_overlay(img, W, H, map, 4, 4, &o, W, H, out);
    AS_TEST_EQ(out[(7 * W + 17) * 3], (int)(lut[255].r * 0.5f + 0.5f));
    AS_TEST_EQ(out[1], (int)(lut[0].g * 0.5f + 0.5f));
}

/* Downscale 4 x 2 -> 2 x 1: each output pixel is the rounded mean of a 2 x 2 box:
 * (10 + 20 + 30 + 41) / 4 = 25.25 -> 25, (0 + 0 + 2 + 0) / 4 = 0.5 -> 1 (half up). */
static void test_box(void)
{
    uint8_t img[4 * 2 * 3] = {0}, out[2 * 3];
    const int left[4] = {10, 20, 30, 41}; /* pixels (0,0) (1,0) (0,1) (1,1), red channel */
    for (int i = 0; i < 4; i++)
        img[((i / 2) * 4 + i % 2) * 3] = (uint8_t)left[i];
    img[(1 * 4 + 2) * 3] = 2;
    float map[1] = {0};
    as_render_overlay_opts o = {.cmap = AS_RENDER_CMAP_GRAY, .lo = 0, .hi = 1, .alpha = 0};
    as_render_overlay(img, 4, 2, map, 1, 1, &o, 2, 1, out);
    AS_TEST_EQ(out[0], 25);
    AS_TEST_EQ(out[3], 1);
}

/* Values {0.1, 0.5, 0.1, 0.3}, keep 0.6: ascending 0.1 (i0), 0.1 (i2), 0.3, 0.5 with running sums
 * 0.1, 0.2, 0.5, 1.0; kept where the sum exceeds 0.4: i3 (0.3) and i1 (0.5). keep 0.45: kept
 * where the sum exceeds 0.55: only i1. keep 1: everything. */
static void test_mask(void)
{
    const float m[4] = {0.1f, 0.5f, 0.1f, 0.3f};
    uint8_t mask[4];
    as_render_threshold_mask(m, 4, 0.6f, mask);
    AS_TEST_EQ(mask[0], 0);
    AS_TEST_EQ(mask[1], 1);
    AS_TEST_EQ(mask[2], 0);
    AS_TEST_EQ(mask[3], 1);
    as_render_threshold_mask(m, 4, 0.45f, mask);
    AS_TEST_EQ(mask[1] + mask[3] + mask[0] + mask[2], 1);
    AS_TEST_EQ(mask[1], 1);
    as_render_threshold_mask(m, 4, 1.0f, mask);
    AS_TEST_EQ(mask[0] + mask[1] + mask[2] + mask[3], 4);

    /* masked-out patches: a quarter of the image brightness, kept ones blended as usual */
    uint8_t img[2 * 1 * 3] = {200, 100, 40, 200, 100, 40}, out[6];
    const float map[2] = {0.0f, 1.0f};
    const uint8_t keep[2] = {0, 1};
    as_render_overlay_opts o = {.cmap = AS_RENDER_CMAP_GRAY, .lo = 0, .hi = 1, .alpha = 0,
                                .mask = keep};
    as_render_overlay(img, 2, 1, map, 1, 2, &o, 2, 1, out);
    AS_TEST_EQ(out[0], 50);
    AS_TEST_EQ(out[1], 25);
    AS_TEST_EQ(out[2], 10);
    AS_TEST_EQ(out[3], 200);
}

/* Half blocks: fg = upper pixel, bg = lower; an odd last row pairs with black. */
static void test_cells(void)
{
    const uint8_t px[2 * 3 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
    as_render_rgb_grid g;
    AS_TEST_EQ(as_render_rgb_grid_from_pixels(&g, px, 2, 3), AS_OK);
    AS_TEST_EQ(g.rows, 2);
    AS_TEST_EQ(g.cols, 2);
    AS_TEST_EQ(g.cells[0].glyph, AS_RENDER_UPPER_HALF);
    AS_TEST_EQ(g.cells[1].fg.r, 4);
    AS_TEST_EQ(g.cells[1].bg.b, 12);
    AS_TEST_EQ(g.cells[2].fg.g, 14);
    AS_TEST_EQ(g.cells[3].bg.r, 0);
    as_render_rgb_grid_free(&g);

    /* the overlay straight into 4 x 2 cells of a one-hot 2 x 2 map on a grey image: the
     * upper-right quarter (cells 2..3 of row 0) is the top colour */
    uint8_t img[8 * 8 * 3];
    memset(img, 128, sizeof img);
    const float map[4] = {0, 1, 0, 0};
    as_render_rgb lut[256];
    as_render_cmap_lut(AS_RENDER_CMAP_MAGMA, lut);
    as_render_overlay_opts o = {.cmap = AS_RENDER_CMAP_MAGMA, .lo = 0, .hi = 1, .alpha = 1};
    AS_TEST_EQ(as_render_overlay_cells(&g, img, 8, 8, map, 2, 2, &o, 4, 2), AS_OK);
    AS_TEST_EQ(g.rows, 2);
    AS_TEST_EQ(g.cols, 4);
    for (int c = 0; c < 4; c++) {
        int hot = c >= 2;
        AS_TEST_EQ(g.cells[c].fg.r, lut[hot ? 255 : 0].r);
        AS_TEST_EQ(g.cells[c].bg.g, lut[hot ? 255 : 0].g);
        AS_TEST_EQ(g.cells[4 + c].fg.b, lut[0].b);
    }
    as_render_rgb_grid_free(&g);
}

/* A square image in 80 x 24 cells of aspect 2: 24 rows limit it, cols = 24 * 2 = 48. A 160 x 40
 * image: 80 cols, rows = 80 * 40 / (160 * 2) = 10. */
static void test_fit(void)
{
    int c, r;
    as_render_overlay_fit(64, 64, 80, 24, 2.0f, &c, &r);
    AS_TEST_EQ(c, 48);
    AS_TEST_EQ(r, 24);
    as_render_overlay_fit(160, 40, 80, 24, 2.0f, &c, &r);
    AS_TEST_EQ(c, 80);
    AS_TEST_EQ(r, 10);
    as_render_overlay_fit(1, 10000, 80, 24, 2.0f, &c, &r);
    AS_TEST_EQ(c, 1);
    AS_TEST_EQ(r, 24);
}

int main(void)
{
    test_peak();
    test_box();
    test_mask();
    test_cells();
    test_fit();
    return as_test_result();
}
