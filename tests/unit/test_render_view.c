/* render views and pyramid: axis windows on hand-computed cases, and every window's pooled
 * cells against a brute-force max over the elements the window says each bin covers. */
#include "attnscope/render.h"

#include "../test.h"

#include <math.h>
#include <stdlib.h>

/* 12 elements in 40 units: no pooling, scaled to the cap. */
static void test_fit_small(void)
{
    as_render_view v;
    as_render_view_fit(12, 40, 2, &v);
    AS_TEST_EQ(v.level, 0);
    AS_TEST_EQ(v.count, 12);
    AS_TEST_EQ(v.bins, 12);
    AS_TEST_EQ(v.scale, 2);
    AS_TEST_EQ(as_render_view_pooled(&v), 0);
    AS_TEST_EQ(as_render_view_zoom_of(&v, 1), -1); /* 2 units per element at unit 1 */
    AS_TEST_EQ(as_render_view_zoom_of(&v, 2), 0);
}

/* 100 elements in 30 units: level 1 has 50 cells (>= 30), level 2 only 25, so level 1 with 30
 * bins over 50 cells: bin b = cells [floor(50b/30), floor(50(b+1)/30)). Bin 0 = cell 0 =
 * elements 0..1, bin 1 = cells 1..2 = elements 2..5, bin 29 = cells 48..49 = elements 96..99. */
static void test_fit_pooled(void)
{
    as_render_view v;
    as_render_view_fit(100, 30, 2, &v);
    AS_TEST_EQ(v.level, 1);
    AS_TEST_EQ(v.count, 50);
    AS_TEST_EQ(v.bins, 30);
    AS_TEST_EQ(v.scale, 1);
    int e0, e1;
    as_render_view_bin_range(&v, 0, &e0, &e1);
    AS_TEST_EQ(e0, 0);
    AS_TEST_EQ(e1, 2);
    as_render_view_bin_range(&v, 1, &e0, &e1);
    AS_TEST_EQ(e0, 2);
    AS_TEST_EQ(e1, 6);
    as_render_view_bin_range(&v, 29, &e0, &e1);
    AS_TEST_EQ(e0, 96);
    AS_TEST_EQ(e1, 100);
    AS_TEST_EQ(as_render_view_bin_of(&v, 5), 1);
    AS_TEST_EQ(as_render_view_bin_of(&v, 99), 29);
    AS_TEST_EQ(as_render_view_zoom_of(&v, 1), 2); /* between level 1 and 2: zoom 2 shows all */
    /* 4,096 in 180: level 4 has 256 cells, level 5 128 < 180 */
    as_render_view_fit(4096, 180, 1, &v);
    AS_TEST_EQ(v.level, 4);
    AS_TEST_EQ(v.count, 256);
    AS_TEST_EQ(v.bins, 180);
    /* odd sizes: 7 elements at level 1 = 4 cells, the last one holding element 6 only */
    AS_TEST_EQ(as_render_level_cells(7, 1), 4);
    AS_TEST_EQ(as_render_level_cells(7, 3), 1);
}

static void test_zoom(void)
{
    as_render_view v;
    /* zoom 1 (2 elements per unit) on 100 in 30: 30 of 50 cells; keeping element 70 (cell 35)
     * moves the window from cell 0 to 35 - 30 + 1 = 6: elements 12..71. */
    as_render_view_zoom(100, 30, 1, 1, 0, 70, &v);
    AS_TEST_EQ(v.level, 1);
    AS_TEST_EQ(v.count, 30);
    AS_TEST_EQ(v.first, 6);
    AS_TEST_EQ(as_render_view_begin(&v), 12);
    AS_TEST_EQ(as_render_view_end(&v), 72);
    AS_TEST_EQ(as_render_view_bin_of(&v, 70), 29);
    AS_TEST_EQ(as_render_view_bin_of(&v, 11), -1);
    AS_TEST_EQ(as_render_view_zoom_of(&v, 1), 1);
    /* the window stays put while the kept element is inside it */
    as_render_view_zoom(100, 30, 1, 1, 12, 40, &v);
    AS_TEST_EQ(v.first, 6);
    /* zoom -1: 2 units per element, 15 elements; a start at 90 would waste space: 85..99 */
    as_render_view_zoom(100, 30, -1, 1, 90, 95, &v);
    AS_TEST_EQ(v.scale, 2);
    AS_TEST_EQ(v.count, 15);
    AS_TEST_EQ(v.first, 85);
    AS_TEST_EQ(as_render_view_end(&v), 100);
    /* an element wider than the screen (8 x unit 2 = 16 > 10): one element, cut to the screen */
    as_render_view_zoom(100, 10, -3, 2, 0, 42, &v);
    AS_TEST_EQ(v.count, 1);
    AS_TEST_EQ(v.scale, 10);
    AS_TEST_EQ(v.first, 42);
    /* a small axis at a coarse zoom: everything, from 0 */
    as_render_view_zoom(5, 30, 3, 1, 3, 4, &v);
    AS_TEST_EQ(v.count, 1);
    AS_TEST_EQ(v.first, 0);
    AS_TEST_EQ(as_render_view_end(&v), 5);
}

/* Pooled window values vs a brute-force max over each bin's elements, for fit and zoomed views
 * of a seeded random matrix with odd sizes and a row stride wider than the row. */
static void check_windows(int rows, int cols, unsigned seed)
{
    int stride = cols + 3;
    float *m = malloc((size_t)rows * stride * sizeof *m);
    srand(seed);
    for (int i = 0; i < rows * stride; i++)
        m[i] = (float)rand() / (float)RAND_MAX;
    as_render_pyr p;
    AS_TEST_EQ(as_render_pyr_build(&p, m, rows, cols, stride), AS_OK);
    int top = p.levels - 1; /* the top level is a single cell */
    AS_TEST_EQ(as_render_level_cells(rows, top) * as_render_level_cells(cols, top), 1);
    int bad = 0, cases = 0;
    for (int mode = 0; mode < 6; mode++) {
        as_render_view rv, cv;
        int ar = 5 + 3 * mode, ac = 7 + 5 * mode;
        if (mode < 2) {
            as_render_view_fit(rows, ar, 1, &rv);
            as_render_view_fit(cols, ac, 1, &cv);
        } else { /* zoom 0..3, windows kept around the middle */
            as_render_view_zoom(rows, ar, mode - 2, 1, 0, rows / 2, &rv);
            as_render_view_zoom(cols, ac, mode - 2, 1, 0, cols / 3, &cv);
        }
        as_render_grid_opts go = {.lo = 0.0f, .hi = 1.0f};
        as_render_grid g;
        AS_TEST_EQ(as_render_grid_view(&g, &p, &rv, &cv, &go), AS_OK);
        AS_TEST_EQ(g.rows, rv.bins);
        AS_TEST_EQ(g.cols, cv.bins);
        for (int br = 0; br < rv.bins; br++) {
            for (int bc = 0; bc < cv.bins; bc++) {
                int r0, r1, c0, c1;
                as_render_view_bin_range(&rv, br, &r0, &r1);
                as_render_view_bin_range(&cv, bc, &c0, &c1);
                float best = -1.0f;
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++)
                        best = m[(size_t)r * stride + c] > best ? m[(size_t)r * stride + c] : best;
                bad += g.cells[(size_t)br * g.cols + bc].bg != as_render_level(best, 0.0f, 1.0f);
                cases++;
            }
        }
        as_render_grid_free(&g);
    }
    AS_TEST_EQ(bad, 0);
    AS_TEST_TRUE(cases > 100);
    as_render_pyr_free(&p);
    free(m);
}

/* Range and NaN: a 3 x 3 matrix with a NaN; the pyramid's top cell is the max, lo / hi skip it. */
static void test_pyr_range(void)
{
    const float m[9] = {0.25f, NAN, 0.5f, 0.125f, 0.75f, 0.0625f, 0.3f, 0.2f, 0.1f};
    as_render_pyr p;
    AS_TEST_EQ(as_render_pyr_build(&p, m, 3, 3, 3), AS_OK);
    AS_TEST_EQ(p.levels, 3); /* 3x3 -> 2x2 -> 1x1 */
    AS_TEST_NEAR(p.lo, 0.0625, 0.0);
    AS_TEST_NEAR(p.hi, 0.75, 0.0);
    AS_TEST_NEAR(as_render_pyr_max(&p, 2, 0, 1, 0, 1), 0.75, 0.0);
    /* level 1 cell (0, 0) = max(0.25, NaN, 0.125, 0.75); cell (1, 1) = element (2, 2) alone */
    AS_TEST_NEAR(as_render_pyr_max(&p, 1, 0, 1, 0, 1), 0.75, 0.0);
    AS_TEST_NEAR(as_render_pyr_max(&p, 1, 1, 2, 1, 2), 0.1f, 0.0);
    AS_TEST_NEAR(as_render_pyr_max(&p, 1, 1, 2, 0, 1), 0.3f, 0.0);
    AS_TEST_TRUE(isnan(as_render_pyr_max(&p, 0, 0, 1, 1, 2)));
    as_render_pyr_free(&p);
    /* a single element: one level, nothing owned */
    const float one = 0.5f;
    AS_TEST_EQ(as_render_pyr_build(&p, &one, 1, 1, 1), AS_OK);
    AS_TEST_EQ(p.levels, 1);
    AS_TEST_TRUE(p.owned == NULL);
    as_render_pyr_free(&p);
}

int main(void)
{
    test_fit_small();
    test_fit_pooled();
    test_zoom();
    test_pyr_range();
    check_windows(37, 23, 1);
    check_windows(100, 9, 2);
    check_windows(64, 129, 3);
    return as_test_result();
}
