/* Screen layout of the explorer: pure arithmetic (no curses), unit-tested in
 * tests/unit/test_tui_layout.c.
 *
 *   line 0              title (left) and colour legend (right)
 *   col_label_y ...     column labels, written vertically
 *   map_y ... +map_h    row labels | heat map window | (lower-row labels when two rows share
 *                       a line)
 *                       the minimap overlays the map's top-right corner (bottom-right if the
 *                       cursor is there) when the window does not show the whole matrix
 *   status_y            status line: map, layer, head, tokens and value under the cursor
 *   status_y + 1        key hints, messages, or a prompt
 */
#ifndef ATTNSCOPE_TUI_LAYOUT_H
#define ATTNSCOPE_TUI_LAYOUT_H

#include "attnscope/render.h"

enum {
    AS_TUI_MIN_W = 40, /* below this the explorer only says "terminal too small" */
    AS_TUI_MIN_H = 10,
    AS_TUI_MAX_LABEL_W = 14,
    AS_TUI_MAX_COL_LABEL_H = 6,
    AS_TUI_ZOOM_FIT = 1000, /* zoom value meaning "fit the whole map" */
    AS_TUI_ZOOM_MAX = 24,
};

/* What the map view asks for. */
typedef struct as_tui_map_req {
    int rows, cols;                /* matrix size */
    int row_label_w, col_label_w;  /* widest labels, in columns */
    int half;                      /* half-blocks available (UTF-8 and colour) */
    int zoom;                      /* AS_TUI_ZOOM_FIT or a zoom >= AS_RENDER_ZOOM_MIN */
    int first_q, first_k;          /* window start kept from the previous frame (zoomed) */
    int q, k;                      /* cursor: stays inside the window */
} as_tui_map_req;

typedef struct as_tui_layout {
    int too_small;             /* screen below AS_TUI_MIN_W x AS_TUI_MIN_H */
    int px_per_row;            /* matrix pixel rows per text row: 2 half-blocks, else 1 */
    as_render_view rows, cols; /* matrix rows -> pixel rows, columns -> text columns */
    int label_w;               /* row label column width */
    int right_labels;          /* 1: each line holds two matrix rows; the lower one's label is
                                  written at the right of the map */
    int col_label_y, col_label_h;
    int map_y, map_x, map_h, map_w; /* heat map, in cells */
    int mini_y, mini_x, mini_h, mini_w; /* minimap (mini_w == 0: none) */
    int status_y;
} as_tui_layout;

/* Lays out the map view on a scr_w x scr_h screen. Fit: small maps are scaled up to about square
 * elements, large ones pooled; zoomed: a window at the requested zoom that contains the cursor. */
void as_tui_layout_compute(as_tui_layout *l, int scr_w, int scr_h, const as_tui_map_req *r);

/* Cursor step along an axis shown by view v: the first element of the bin `delta` bins away from
 * i's bin (one cell of the view's level when i is outside the window), clamped to the axis. */
int as_tui_layout_step(const as_render_view *v, int i, int delta);

/* "terminal too small: need WxH" wrapped into lines of at most `width` columns: returns the
 * number of lines written into lines[max][64]. */
int as_tui_layout_too_small(int width, char lines[][64], int max);

/* Grid of n thumbnails in a w x h area, each tw x th cells plus a label line and a 1-cell gap:
 * the largest square-looking size (tw = 2 th, from 24 x 12 down to 4 x 2) at which every line
 * of thumbnails fits, else the smallest (the caller scrolls). fixed_cols > 0 forces that many
 * thumbnails per line (the model overview: one line per layer). */
typedef struct as_tui_thumbs {
    int cols, rows;   /* thumbnails per line, lines of thumbnails */
    int tw, th;       /* one thumbnail's map area, cells (a label line and a gap come on top) */
} as_tui_thumbs;
void as_tui_layout_thumbs(int n, int fixed_cols, int w, int h, as_tui_thumbs *t);

/* First entry to show so that `sel` is visible in a list of `visible` lines (scrolling from
 * `top`). */
int as_tui_layout_scroll(int top, int sel, int visible, int n);

#endif
