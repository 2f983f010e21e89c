/* Layout arithmetic of the explorer screen (see tui_layout.h for the picture). Terminal cells are
 * about twice as tall as wide, so an element is drawn 2 columns x 1 line, or 1 column x half a
 * line with half-blocks: both keep maps roughly square. */
#include "tui_layout.h"

#include <stdio.h>
#include <string.h>

enum {
    MIN_MAP_H = 3,
    FIXED_LINES = 3, /* title, status, key line */
    MINI_W = 24,     /* minimap size limits, cells */
    MINI_H = 8,
};

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

static void minimap(as_tui_layout *l, int q, int k)
{
    int whole = l->rows.first == 0 && as_render_view_end(&l->rows) == l->rows.n &&
                l->cols.first == 0 && as_render_view_end(&l->cols) == l->cols.n;
    int w = min_int(MINI_W, l->map_w / 3), h = min_int(MINI_H, l->map_h / 3);
    if (whole || w < 4 || h < 2)
        return;
    l->mini_w = w;
    l->mini_h = h;
    l->mini_y = l->map_y;
    l->mini_x = l->map_x + l->map_w - w;
    /* Never over the cursor: then the bottom-right corner (the map is >= 3 minimaps tall). */
    int line = as_render_view_bin_of(&l->rows, q) * l->rows.scale / l->px_per_row;
    int col = as_render_view_bin_of(&l->cols, k) * l->cols.scale;
    if (line < h && col + l->cols.scale > l->map_w - w)
        l->mini_y = l->map_y + l->map_h - h;
}

void as_tui_layout_compute(as_tui_layout *l, int scr_w, int scr_h, const as_tui_map_req *r)
{
    memset(l, 0, sizeof *l);
    if (scr_w < AS_TUI_MIN_W || scr_h < AS_TUI_MIN_H) {
        l->too_small = 1;
        return;
    }
    int half = r->half;
    l->px_per_row = half ? 2 : 1;
    l->status_y = scr_h - 2;

    /* Column labels take what the map can spare (the minimum size guarantees MIN_MAP_H). */
    l->col_label_h = min_int(min_int(r->col_label_w, AS_TUI_MAX_COL_LABEL_H),
                             scr_h - FIXED_LINES - MIN_MAP_H);
    if (l->col_label_h < 1)
        l->col_label_h = 1;
    l->col_label_y = 1;
    l->map_y = l->col_label_y + l->col_label_h;
    int avail_px = (l->status_y - l->map_y) * l->px_per_row;

    l->label_w = min_int(min_int(r->row_label_w, AS_TUI_MAX_LABEL_W), scr_w / 4);
    if (l->label_w < 1)
        l->label_w = 1;
    l->map_x = l->label_w + 1;
    int col_unit; /* columns per element at zoom 0: a pixel row is square at 1 or 2 columns */
    if (r->zoom == AS_TUI_ZOOM_FIT) {
        /* Rows: with half-blocks an element may take a whole line (scale 2) when there is room. */
        as_render_view_fit(r->rows, avail_px, half ? 2 : 1, &l->rows);
        col_unit = half && l->rows.scale == 1 ? 1 : 2;
    } else {
        as_render_view_zoom(r->rows, avail_px, r->zoom, 1, r->first_q, r->q, &l->rows);
        col_unit = half ? 1 : 2;
    }
    l->right_labels = half && l->rows.scale == 1 && l->rows.bins > 1;
    int px_rows = l->rows.bins * l->rows.scale;
    l->map_h = (px_rows + l->px_per_row - 1) / l->px_per_row;

    int avail_cols = scr_w - l->map_x - (l->right_labels ? l->label_w + 1 : 0);
    if (avail_cols < 1)
        avail_cols = 1;
    if (r->zoom == AS_TUI_ZOOM_FIT)
        as_render_view_fit(r->cols, avail_cols, col_unit, &l->cols);
    else
        as_render_view_zoom(r->cols, avail_cols, r->zoom, col_unit, r->first_k, r->k, &l->cols);
    l->map_w = l->cols.bins * l->cols.scale;
    minimap(l, r->q, r->k);
}

int as_tui_layout_step(const as_render_view *v, int i, int delta)
{
    int b = as_render_view_bin_of(v, i);
    int whole = as_render_view_begin(v) == 0 && as_render_view_end(v) == v->n;
    int e, e1;
    if (b >= 0 && whole) { /* everything visible: bin by bin, clamped to the first / last */
        b += delta;
        as_render_view_bin_range(v, b < 0 ? 0 : b >= v->bins ? v->bins - 1 : b, &e, &e1);
    } else if (b >= 0 && b + delta >= 0 && b + delta < v->bins) {
        as_render_view_bin_range(v, b + delta, &e, &e1);
    } else {
        /* Leaving the window: one cell of the view's level (the window follows the cursor). */
        long long c = (long long)(i >> v->level) + delta;
        long long last = as_render_level_cells(v->n, v->level) - 1;
        c = c < 0 ? 0 : c > last ? last : c;
        e = (int)(c << v->level);
    }
    return e < 0 ? 0 : e >= v->n ? v->n - 1 : e;
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

void as_tui_layout_thumbs(int n, int fixed_cols, int w, int h, as_tui_thumbs *t)
{
    memset(t, 0, sizeof *t);
    if (n < 1)
        return;
    for (int th = 12; th >= 2; th--) {
        int tw = 2 * th;
        int cols = fixed_cols > 0 ? fixed_cols : (w + 1) / (tw + 1);
        if (cols < 1)
            cols = 1;
        if (cols > n)
            cols = n;
        int rows = (n + cols - 1) / cols;
        t->cols = cols;
        t->rows = rows;
        t->tw = tw;
        t->th = th;
        if (cols * (tw + 1) - 1 <= w && rows * (th + 1) <= h)
            return; /* every thumbnail + its label line fits */
    }
}

int as_tui_layout_scroll(int top, int sel, int visible, int n)
{
    if (visible < 1)
        visible = 1;
    if (sel < top)
        top = sel;
    if (sel >= top + visible)
        top = sel - visible + 1;
    if (top > n - visible)
        top = n - visible;
    return top < 0 ? 0 : top;
}
