/* Screen layout of the explorer: pure arithmetic (no curses), unit-tested in
 * tests/unit/test_tui_layout.c.
 *
 *   line 0              title
 *   col_label_y ...     column labels, written vertically
 *   map_y ... +map_h    row labels | heat map | (lower-row labels when two rows share a line)
 *   status_y            status line: map, layer, head, tokens and value under the cursor
 *   status_y + 1        key hints, messages, or the source prompt
 */
#ifndef ATTNSCOPE_TUI_LAYOUT_H
#define ATTNSCOPE_TUI_LAYOUT_H

#include "attnscope/render.h"

enum {
    AS_TUI_MIN_W = 40, /* below this the explorer only says "terminal too small" */
    AS_TUI_MIN_H = 10,
    AS_TUI_MAX_LABEL_W = 14,
    AS_TUI_MAX_COL_LABEL_H = 6,
};

typedef struct as_tui_layout {
    int too_small;             /* screen below AS_TUI_MIN_W x AS_TUI_MIN_H */
    int px_per_row;            /* matrix pixel rows per text row: 2 half-blocks, else 1 */
    as_render_axis rows, cols; /* matrix rows -> pixel rows, columns -> text columns */
    int label_w;               /* row label column width */
    int right_labels;          /* 1: each line holds two matrix rows; the lower one's label is
                                  written at the right of the map */
    int col_label_y, col_label_h;
    int map_y, map_x, map_h, map_w; /* heat map, in cells */
    int status_y;
} as_tui_layout;

/* Lays out a rows x cols map on a scr_w x scr_h screen. row_label_w / col_label_w are the widest
 * labels in columns; half = half-blocks available (UTF-8 and colour). Small maps are scaled up
 * to about square elements, large ones pooled. */
void as_tui_layout_compute(as_tui_layout *l, int scr_w, int scr_h, int rows, int cols,
                           int row_label_w, int col_label_w, int half);

/* Cursor step along an axis of n indices shown as `bins` bins: the first index of the bin
 * `delta` bins away from i's bin, clamped to the axis (so a pooled map moves one cell a key). */
int as_tui_layout_step(int n, int bins, int i, int delta);

/* "terminal too small: need WxH" wrapped into lines of at most `width` columns: returns the
 * number of lines written into lines[max][64]. */
int as_tui_layout_too_small(int width, char lines[][64], int max);

#endif
