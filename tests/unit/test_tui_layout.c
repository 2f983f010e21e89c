/* tui layout: screen partition, scaling and pooling of the map, zoomed windows and the minimap,
 * cursor steps, thumbnail grids, list scrolling and the "terminal too small" message, on
 * hand-computed screens. */
#include "tui_layout.h"

#include "../test.h"

#include <string.h>

/* Fit request for a rows x cols map with the given label widths. */
static void fit(as_tui_layout *l, int w, int h, int rows, int cols, int rlw, int clw, int half)
{
    as_tui_map_req r = {.rows = rows, .cols = cols, .row_label_w = rlw, .col_label_w = clw,
                        .half = half, .zoom = AS_TUI_ZOOM_FIT};
    as_tui_layout_compute(l, w, h, &r);
}

/* 100x30, 12x12 map (marian-tiny's source length), labels 6 wide, half-blocks:
 * column labels take 6 lines (1..6), the map starts at line 7 and may use lines 7..27
 * (status at 28) = 21 lines = 42 half-rows: 12 rows fit at scale 2 (one line each).
 * Columns: 100 - 7 = 93 columns, 12 fit at scale 2 -> 24 wide. */
static void test_small_map(void)
{
    as_tui_layout l;
    fit(&l, 100, 30, 12, 12, 6, 6, 1);
    AS_TEST_EQ(l.too_small, 0);
    AS_TEST_EQ(l.col_label_y, 1);
    AS_TEST_EQ(l.col_label_h, 6);
    AS_TEST_EQ(l.map_y, 7);
    AS_TEST_EQ(l.status_y, 28);
    AS_TEST_EQ(l.rows.scale, 2);
    AS_TEST_EQ(l.map_h, 12);
    AS_TEST_EQ(l.right_labels, 0);
    AS_TEST_EQ(l.label_w, 6);
    AS_TEST_EQ(l.map_x, 7);
    AS_TEST_EQ(l.cols.scale, 2);
    AS_TEST_EQ(l.map_w, 24);
    AS_TEST_TRUE(l.map_y + l.map_h <= l.status_y);
}

/* 30 rows on the same screen: 42 half-rows hold 30 at scale 1, two rows per line (15 lines), so
 * the lower rows' labels go right: columns 100 - 7 - 7 = 86, 40 fit at scale 1. */
static void test_two_rows_per_line(void)
{
    as_tui_layout l;
    fit(&l, 100, 30, 30, 40, 6, 6, 1);
    AS_TEST_EQ(l.rows.scale, 1);
    AS_TEST_EQ(l.map_h, 15);
    AS_TEST_EQ(l.right_labels, 1);
    AS_TEST_EQ(l.cols.scale, 1);
    AS_TEST_EQ(l.map_w, 40);
    AS_TEST_TRUE(l.map_x + l.map_w + 1 + l.label_w <= 100);
}

/* 64x64 on the minimum 40x10 screen: column labels limited to 10 - 3 - 3 = 4 lines, the map gets
 * lines 5..7 = 3 lines = 6 half-rows (pooled 64 -> 6); labels 5 wide -> 40 - 6 - 6 = 28 columns
 * (pooled 64 -> 28). */
static void test_pooled(void)
{
    as_tui_layout l;
    fit(&l, 40, 10, 64, 64, 5, 5, 1);
    AS_TEST_EQ(l.too_small, 0);
    AS_TEST_EQ(l.col_label_h, 4);
    AS_TEST_EQ(l.map_y, 5);
    AS_TEST_EQ(l.rows.bins, 6);
    AS_TEST_EQ(l.map_h, 3);
    AS_TEST_EQ(as_render_view_pooled(&l.rows), 1);
    AS_TEST_EQ(l.right_labels, 1);
    AS_TEST_EQ(l.cols.bins, 28);
    /* Without half-blocks a line holds one row: 3 bins, and columns get 40 - 6 = 34. */
    fit(&l, 40, 10, 64, 64, 5, 5, 0);
    AS_TEST_EQ(l.px_per_row, 1);
    AS_TEST_EQ(l.rows.bins, 3);
    AS_TEST_EQ(l.right_labels, 0);
    AS_TEST_EQ(l.cols.bins, 34);
}

/* Every screen from the minimum up keeps the map inside the screen and above the status line. */
static void test_bounds(void)
{
    int bad = 0;
    for (int w = AS_TUI_MIN_W; w <= 140; w += 7)
        for (int h = AS_TUI_MIN_H; h <= 60; h += 5)
            for (int n = 1; n <= 200; n += 13)
                for (int half = 0; half <= 1; half++) {
                    as_tui_layout l;
                    fit(&l, w, h, n, n + 3, 20, 9, half);
                    int right = l.right_labels ? l.label_w + 1 : 0;
                    bad += l.too_small || l.map_y + l.map_h > l.status_y ||
                           l.map_x + l.map_w + right > w || l.status_y + 2 != h ||
                           l.col_label_y + l.col_label_h != l.map_y || l.map_h < 1;
                }
    AS_TEST_EQ(bad, 0);
}

static void test_too_small(void)
{
    as_tui_layout l;
    fit(&l, 20, 6, 12, 12, 5, 5, 1);
    AS_TEST_EQ(l.too_small, 1);
    fit(&l, AS_TUI_MIN_W - 1, 30, 12, 12, 5, 5, 1);
    AS_TEST_EQ(l.too_small, 1);

    char lines[6][64];
    /* "terminal too small: need 40x10" wrapped at 20 columns */
    AS_TEST_EQ(as_tui_layout_too_small(20, lines, 6), 2);
    AS_TEST_STR(lines[0], "terminal too small:");
    AS_TEST_STR(lines[1], "need 40x10");
    AS_TEST_EQ(as_tui_layout_too_small(80, lines, 6), 1);
    AS_TEST_STR(lines[0], "terminal too small: need 40x10");
    /* at 6 columns the words are cut; only 3 lines asked for */
    AS_TEST_EQ(as_tui_layout_too_small(6, lines, 3), 3);
    AS_TEST_STR(lines[0], "termin");
}

static void test_step(void)
{
    /* unpooled: one index per step, clamped */
    as_render_view v;
    as_render_view_fit(12, 12, 1, &v);
    AS_TEST_EQ(as_tui_layout_step(&v, 5, 1), 6);
    AS_TEST_EQ(as_tui_layout_step(&v, 0, -1), 0);
    AS_TEST_EQ(as_tui_layout_step(&v, 11, 1), 11);
    /* 10 indices in 4 units: level 1 (5 cells) in 4 bins of cells {0}, {1}, {2}, {3, 4} =
     * elements 0-1, 2-3, 4-5, 6-9: from 3 (bin 1) one bin on is 4, one back is 0 */
    as_render_view_fit(10, 4, 1, &v);
    AS_TEST_EQ(as_tui_layout_step(&v, 3, 1), 4);
    AS_TEST_EQ(as_tui_layout_step(&v, 3, -1), 0);
    AS_TEST_EQ(as_tui_layout_step(&v, 9, 1), 6);
    /* zoomed window of elements 12..71 at level 1: leaving it steps one cell (2 elements) */
    as_render_view_zoom(100, 30, 1, 1, 0, 70, &v);
    AS_TEST_EQ(as_tui_layout_step(&v, 71, 1), 72);
    AS_TEST_EQ(as_tui_layout_step(&v, 12, -1), 10);
    AS_TEST_EQ(as_tui_layout_step(&v, 99, 1), 98); /* last cell starts at 98 */
}

/* 4,096 x 4,096 on 200 x 60 with half-blocks. Labels 9 wide ("4000-4015"), columns 4: map at
 * line 5, 60 - 2 - 5 = 53 lines = 106 half-rows. Fit: level 5 (128 cells >= 106, level 6 has 64)
 * in 106 bins; two rows a line, so labels right too: 200 - 10 - 10 = 180 columns: level 4 (256)
 * in 180 bins. Zoom 0 around (2000, 3000): 106 rows 1947..2052 (2000 - 53 .. + 52, centred by the
 * caller), 180 columns; the minimap (24 x 8) sits at the map's top-right corner. */
static void test_zoom_big(void)
{
    as_tui_layout l;
    as_tui_map_req r = {.rows = 4096, .cols = 4096, .row_label_w = 9, .col_label_w = 4,
                        .half = 1, .zoom = AS_TUI_ZOOM_FIT, .q = 2000, .k = 3000};
    as_tui_layout_compute(&l, 200, 60, &r);
    AS_TEST_EQ(l.map_y, 5);
    AS_TEST_EQ(l.rows.level, 5);
    AS_TEST_EQ(l.rows.bins, 106);
    AS_TEST_EQ(l.right_labels, 1);
    AS_TEST_EQ(l.cols.level, 4);
    AS_TEST_EQ(l.cols.bins, 180);
    AS_TEST_EQ(l.mini_w, 0); /* the whole map is visible */
    r.zoom = 0;
    r.first_q = 2000 - 53;
    r.first_k = 3000 - 90;
    as_tui_layout_compute(&l, 200, 60, &r);
    AS_TEST_EQ(l.rows.level, 0);
    AS_TEST_EQ(l.rows.count, 106);
    AS_TEST_EQ(as_render_view_begin(&l.rows), 1947);
    AS_TEST_EQ(as_render_view_end(&l.rows), 2053);
    AS_TEST_EQ(l.cols.count, 180);
    AS_TEST_EQ(as_render_view_begin(&l.cols), 2910);
    AS_TEST_TRUE(as_render_view_bin_of(&l.cols, 3000) >= 0);
    AS_TEST_EQ(l.map_h, 53);
    AS_TEST_EQ(l.map_w, 180);
    AS_TEST_EQ(l.mini_w, 24);
    AS_TEST_EQ(l.mini_h, 8);
    AS_TEST_EQ(l.mini_x, l.map_x + 180 - 24);
    AS_TEST_EQ(l.mini_y, l.map_y);
    /* a cursor under the top-right corner sends the minimap to the bottom-right */
    r.q = 1947;
    r.k = 3089;
    as_tui_layout_compute(&l, 200, 60, &r);
    AS_TEST_EQ(as_render_view_begin(&l.rows), 1947);
    AS_TEST_EQ(l.mini_y, l.map_y + 53 - 8);
    /* the cursor at the last element pulls the window to the end, no space wasted */
    r.q = r.k = 4095;
    as_tui_layout_compute(&l, 200, 60, &r);
    AS_TEST_EQ(as_render_view_end(&l.rows), 4096);
    AS_TEST_EQ(as_render_view_begin(&l.rows), 4096 - 106);
    AS_TEST_EQ(as_render_view_end(&l.cols), 4096);
    /* zoom 2 without half-blocks: a pixel row is a line, a column 2 cells wide */
    r.zoom = 2;
    r.half = 0;
    as_tui_layout_compute(&l, 200, 60, &r);
    AS_TEST_EQ(l.px_per_row, 1);
    AS_TEST_EQ(l.rows.level, 2);
    AS_TEST_EQ(l.rows.count, 53);
    AS_TEST_EQ(l.cols.scale, 2);
    AS_TEST_EQ(l.cols.count, (200 - 10) / 2);
}

/* Thumbnails: 4 heads in 98 x 26 fit at 24 x 12 (3 a line: 3 * 25 - 1 = 74 <= 98, 2 lines of
 * 13 = 26); 16 heads shrink until 4 lines fit; the overview forces one line per layer. */
static void test_thumbs(void)
{
    as_tui_thumbs t;
    as_tui_layout_thumbs(4, 0, 98, 26, &t);
    AS_TEST_EQ(t.tw, 24);
    AS_TEST_EQ(t.th, 12);
    AS_TEST_EQ(t.cols, 3);
    AS_TEST_EQ(t.rows, 2);
    /* 16 heads: th = 5 -> tw 10, 98 / 11 = 8 a line (8 * 11 - 1 = 87), 2 lines of 6 = 12 <= 26;
     * th = 6 -> 7 a line, 3 lines of 7 = 21 <= 26 also fits, and th = 7 -> 6 a line, 3 lines
     * of 8 = 24 fits; th = 8 -> 5 a line, 4 lines of 9 = 36 does not: the answer is 14 x 7 */
    as_tui_layout_thumbs(16, 0, 98, 26, &t);
    AS_TEST_EQ(t.th, 7);
    AS_TEST_EQ(t.tw, 14);
    AS_TEST_EQ(t.cols, 6);
    AS_TEST_EQ(t.rows, 3);
    /* overview of 2 layers x 4 heads: 4 a line, th = 11 (4 * 23 - 1 = 91 <= 98, 2 * 12 <= 26) */
    as_tui_layout_thumbs(8, 4, 98, 26, &t);
    AS_TEST_EQ(t.cols, 4);
    AS_TEST_EQ(t.rows, 2);
    AS_TEST_EQ(t.th, 11);
    /* 12 layers x 12 heads cannot fit 12 lines in 20: the smallest size, the caller scrolls */
    as_tui_layout_thumbs(144, 12, 200, 20, &t);
    AS_TEST_EQ(t.th, 2);
    AS_TEST_EQ(t.rows, 12);
}

static void test_scroll(void)
{
    AS_TEST_EQ(as_tui_layout_scroll(0, 5, 10, 100), 0);
    AS_TEST_EQ(as_tui_layout_scroll(0, 15, 10, 100), 6);
    AS_TEST_EQ(as_tui_layout_scroll(20, 15, 10, 100), 15);
    AS_TEST_EQ(as_tui_layout_scroll(95, 99, 10, 100), 90); /* never past the end */
    AS_TEST_EQ(as_tui_layout_scroll(3, 2, 10, 5), 0);      /* everything fits */
}

int main(void)
{
    test_small_map();
    test_two_rows_per_line();
    test_pooled();
    test_bounds();
    test_too_small();
    test_step();
    test_zoom_big();
    test_thumbs();
    test_scroll();
    return as_test_result();
}
