/* Layout arithmetic of the explorer screen (see tui_layout.h for the picture). Terminal cells are
 * about twice as tall as wide, so an element is drawn 2 columns x 1 line, or 1 column x half a
 * line with half-blocks: both keep maps roughly square. */
#include "tui_layout.h"

#include <stdio.h>
#include <string.h>

enum { MIN_MAP_H = 3, FIXED_LINES = 3 /* title, status, key line */ };

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

void as_tui_layout_compute(as_tui_layout *l, int scr_w, int scr_h, int rows, int cols,
                           int row_label_w, int col_label_w, int half)
{
    memset(l, 0, sizeof *l);
    if (scr_w < AS_TUI_MIN_W || scr_h < AS_TUI_MIN_H) {
        l->too_small = 1;
        return;
    }
    l->px_per_row = half ? 2 : 1;
    l->status_y = scr_h - 2;

    /* Column labels take what the map can spare (the minimum size guarantees MIN_MAP_H). */
    l->col_label_h = min_int(min_int(col_label_w, AS_TUI_MAX_COL_LABEL_H),
                             scr_h - FIXED_LINES - MIN_MAP_H);
    if (l->col_label_h < 1)
        l->col_label_h = 1;
    l->col_label_y = 1;
    l->map_y = l->col_label_y + l->col_label_h;
    int avail_lines = l->status_y - l->map_y;

    /* Rows: with half-blocks an element may take a whole line (scale 2) when there is room. */
    as_render_axis_fit(rows, avail_lines * l->px_per_row, half ? 2 : 1, &l->rows);
    int px_rows = l->rows.bins * l->rows.scale;
    l->map_h = (px_rows + l->px_per_row - 1) / l->px_per_row;
    l->right_labels = half && l->rows.scale == 1 && l->rows.bins > 1;

    l->label_w = min_int(min_int(row_label_w, AS_TUI_MAX_LABEL_W), scr_w / 4);
    if (l->label_w < 1)
        l->label_w = 1;
    l->map_x = l->label_w + 1;
    int avail_cols = scr_w - l->map_x - (l->right_labels ? l->label_w + 1 : 0);
    /* A half-line element is square at one column; a whole-line element needs two. */
    int col_scale = half && l->rows.scale == 1 ? 1 : 2;
    as_render_axis_fit(cols, avail_cols, col_scale, &l->cols);
    l->map_w = l->cols.bins * l->cols.scale;
}

int as_tui_layout_step(int n, int bins, int i, int delta)
{
    int b = as_render_bin_of(n, bins, i) + delta;
    if (b < 0)
        b = 0;
    if (b > bins - 1)
        b = bins - 1;
    return as_render_bin_start(n, bins, b);
}

int as_tui_layout_too_small(int width, char lines[][64], int max)
{
    char msg[64];
    snprintf(msg, sizeof msg, "terminal too small: need %dx%d", AS_TUI_MIN_W, AS_TUI_MIN_H);
    if (width > 63)
        width = 63;
    int n = 0;
    const char *p = msg;
    /* Greedy word wrap; a word longer than the width is cut. */
    while (*p && n < max) {
        while (*p == ' ')
            p++;
        int len = 0, last_space = -1;
        while (p[len] && len < width) {
            if (p[len] == ' ')
                last_space = len;
            len++;
        }
        if (p[len] && p[len] != ' ' && last_space > 0)
            len = last_space;
        if (len == 0)
            break;
        memcpy(lines[n], p, (size_t)len);
        lines[n][len] = '\0';
        while (len > 0 && lines[n][len - 1] == ' ')
            lines[n][--len] = '\0';
        n++;
        p += len;
    }
    return n;
}
