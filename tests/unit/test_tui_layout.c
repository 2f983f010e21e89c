/* tui layout: screen partition, scaling and pooling of the map, cursor steps, and the
 * "terminal too small" message, on hand-computed screens. */
#include "tui_layout.h"

#include "../test.h"

#include <string.h>

/* 100x30, 12x12 map (marian-tiny's source length), labels 6 wide, half-blocks:
 * column labels take 6 lines (1..6), the map starts at line 7 and may use lines 7..27
 * (status at 28) = 21 lines = 42 half-rows: 12 rows fit at scale 2 (one line each).
 * Columns: 100 - 7 = 93 columns, 12 fit at scale 2 -> 24 wide. */
static void test_small_map(void)
{
    as_tui_layout l;
    as_tui_layout_compute(&l, 100, 30, 12, 12, 6, 6, 1);
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
    as_tui_layout_compute(&l, 100, 30, 30, 40, 6, 6, 1);
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
    as_tui_layout_compute(&l, 40, 10, 64, 64, 5, 5, 1);
    AS_TEST_EQ(l.too_small, 0);
    AS_TEST_EQ(l.col_label_h, 4);
    AS_TEST_EQ(l.map_y, 5);
    AS_TEST_EQ(l.rows.bins, 6);
    AS_TEST_EQ(l.map_h, 3);
    AS_TEST_EQ(as_render_axis_pooled(&l.rows), 1);
    AS_TEST_EQ(l.right_labels, 1);
    AS_TEST_EQ(l.cols.bins, 28);
    /* Without half-blocks a line holds one row: 3 bins, and columns get 40 - 6 = 34. */
    as_tui_layout_compute(&l, 40, 10, 64, 64, 5, 5, 0);
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
                    as_tui_layout_compute(&l, w, h, n, n + 3, 20, 9, half);
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
    as_tui_layout_compute(&l, 20, 6, 12, 12, 5, 5, 1);
    AS_TEST_EQ(l.too_small, 1);
    as_tui_layout_compute(&l, AS_TUI_MIN_W - 1, 30, 12, 12, 5, 5, 1);
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
    AS_TEST_EQ(as_tui_layout_step(12, 12, 5, 1), 6);
    AS_TEST_EQ(as_tui_layout_step(12, 12, 0, -1), 0);
    AS_TEST_EQ(as_tui_layout_step(12, 12, 11, 1), 11);
    /* 10 indices in 4 bins start at 0, 2, 5, 7: from 3 (bin 1) one bin on is 5 */
    AS_TEST_EQ(as_tui_layout_step(10, 4, 3, 1), 5);
    AS_TEST_EQ(as_tui_layout_step(10, 4, 3, -1), 0);
    AS_TEST_EQ(as_tui_layout_step(10, 4, 9, 1), 7);
}

int main(void)
{
    test_small_map();
    test_two_rows_per_line();
    test_pooled();
    test_bounds();
    test_too_small();
    test_step();
    return as_test_result();
}
