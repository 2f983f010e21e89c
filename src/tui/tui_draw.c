/* One frame of the explorer: title, column labels (vertical), row labels, the heat map with the
 * cursor, the status line and the key hints; the help overlay on top. The frame is a pure
 * function of the app state: every key just changes state and redraws everything. */
#include "tui_internal.h"

#include <stdio.h>
#include <string.h>

enum { LABEL_BYTES = 4 * AS_TUI_MAX_LABEL_W + 1 };

/* Writes s at (y, x) cut to `width` columns (cleaned: never a control byte). */
static void put_text(const as_tui_app *app, int y, int x, const char *s, int width, attr_t attr)
{
    if (width <= 0)
        return;
    char buf[1024];
    as_render_text_fit(s, width, !app->utf8, buf, sizeof buf);
    attr_set(attr, 0, NULL);
    mvaddstr(y, x, buf);
    attr_set(A_NORMAL, 0, NULL);
}

static int digits(int n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* Label of bin b: the token, or the index range when the axis is pooled. */
static const char *bin_label(const as_tui_app *app, int rows_axis, const as_render_axis *ax, int b,
                             char *buf, size_t sz)
{
    int a = as_render_bin_start(ax->n, ax->bins, b);
    int e = as_render_bin_start(ax->n, ax->bins, b + 1) - 1;
    if (!as_render_axis_pooled(ax))
        return as_tui_view_label(app, rows_axis, a, buf, sz);
    if (a == e)
        snprintf(buf, sz, "%d", a);
    else
        snprintf(buf, sz, "%d-%d", a, e);
    return buf;
}

static void draw_too_small(void)
{
    char lines[AS_TUI_MIN_H][64];
    int n = as_tui_layout_too_small(COLS, lines, LINES < AS_TUI_MIN_H ? LINES : AS_TUI_MIN_H);
    for (int i = 0; i < n; i++)
        mvaddstr(i, 0, lines[i]);
}

static void draw_title(const as_tui_app *app)
{
    const as_attn *a = app->attn;
    char line[1024];
    snprintf(line, sizeof line, " attnscope  %s%s%s  %s%s%s", a->model_name ? a->model_name : "",
             a->arch ? "  " : "", a->arch ? a->arch : "", app->src ? "\"" : "",
             app->src ? app->src : "", app->src ? "\"" : "");
    attr_set(A_REVERSE, 0, NULL);
    mvhline(0, 0, ' ', COLS);
    put_text(app, 0, 0, line, COLS, A_REVERSE);
}

static void draw_col_labels(const as_tui_app *app, int cursor_bin)
{
    const as_tui_layout *l = &app->lay;
    char buf[32], ch[5];
    for (int b = 0; b < l->cols.bins; b++) {
        const char *s = bin_label(app, 0, &l->cols, b, buf, sizeof buf);
        if (as_render_axis_pooled(&l->cols)) /* first index: a vertical "a-b" would not read */
            snprintf(buf, sizeof buf, "%d", as_render_bin_start(l->cols.n, l->cols.bins, b));
        attr_t attr = b == cursor_bin ? A_REVERSE | A_BOLD : A_NORMAL;
        for (int i = 0; i < l->col_label_h && as_render_text_char(s, i, !app->utf8, ch); i++)
            put_text(app, l->col_label_y + i, l->map_x + b * l->cols.scale, ch, 1, attr);
    }
}

static void draw_row_label(const as_tui_app *app, int y, int x, int bin, int right, int cursor_bin)
{
    const as_tui_layout *l = &app->lay;
    char buf[32], fit[LABEL_BYTES];
    const char *s = bin_label(app, 1, &l->rows, bin, buf, sizeof buf);
    int w = as_render_text_fit(s, l->label_w, !app->utf8, fit, sizeof fit);
    put_text(app, y, right ? x : x + l->label_w - w, fit, w,
             bin == cursor_bin ? A_REVERSE | A_BOLD : A_NORMAL);
}

/* ---- heat map -------------------------------------------------------------------------------- */
static void draw_cell(as_tui_app *app, int y, int x, const as_render_cell *c, int reverse)
{
    wchar_t wc[2] = {(wchar_t)c->glyph, 0};
    cchar_t cc;
    int pair = as_tui_palette_pair(&app->pal, c->fg, c->bg);
    setcchar(&cc, wc, reverse ? A_REVERSE : A_NORMAL, 0, &pair);
    mvadd_wch(y, x, &cc);
}

static void draw_map(as_tui_app *app, const float *m, int rows, int cols)
{
    const as_tui_layout *l = &app->lay;
    int glyphs = app->pal.mode == AS_TUI_PAL_NONE;
    float lo, hi;
    as_render_range(app->norm, m, rows, cols, cols, &lo, &hi);
    as_render_grid_opts go = {.rows = l->rows, .cols = l->cols, .half = l->px_per_row == 2,
                              .glyphs = glyphs, .lo = lo, .hi = hi};
    as_render_grid g;
    if (as_render_grid_build(&g, m, rows, cols, cols, &go) != AS_OK) {
        snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
        return;
    }
    /* The cursor's pixels take the cursor colour (reverse video without colour). */
    int bq = as_render_bin_of(rows, l->rows.bins, app->q);
    int bk = as_render_bin_of(cols, l->cols.bins, app->k);
    int p0 = bq * l->rows.scale, p1 = p0 + l->rows.scale;
    int x0 = bk * l->cols.scale, x1 = x0 + l->cols.scale;
    for (int p = p0; p < p1 && !glyphs; p++) {
        for (int x = x0; x < x1; x++) {
            as_render_cell *c = &g.cells[(size_t)(p / l->px_per_row) * g.cols + x];
            if (l->px_per_row == 2 && p % 2 == 0)
                c->fg = AS_TUI_CURSOR;
            else
                c->bg = AS_TUI_CURSOR;
        }
    }
    for (int ty = 0; ty < g.rows; ty++) {
        for (int x = 0; x < g.cols; x++) {
            int in_cursor = ty >= p0 / l->px_per_row && ty <= (p1 - 1) / l->px_per_row &&
                            x >= x0 && x < x1;
            draw_cell(app, l->map_y + ty, l->map_x + x, &g.cells[(size_t)ty * g.cols + x],
                      glyphs && in_cursor);
        }
        /* A label for every element that starts on this line; with two rows per line the
         * lower row's label goes to the right of the map. */
        int upper = ty * l->px_per_row;
        if (upper % l->rows.scale == 0)
            draw_row_label(app, l->map_y + ty, 0, upper / l->rows.scale, 0, bq);
        if (l->right_labels && upper + 1 < l->rows.bins)
            draw_row_label(app, l->map_y + ty, l->map_x + l->map_w + 1, upper + 1, 1, bq);
    }
    as_render_grid_free(&g);
    draw_col_labels(app, bk);
}

/* ---- status, hints, help --------------------------------------------------------------------- */
static void draw_status(as_tui_app *app, const float *m, int cols)
{
    const as_attn_map *map = &app->attn->map[app->kind];
    char head[32], ql[32], kl[32], line[512];
    if (app->mean)
        snprintf(head, sizeof head, "mean");
    else
        snprintf(head, sizeof head, "%d/%d", app->head, map->heads);
    snprintf(line, sizeof line, "%s  layer %d/%d  head %s  q[%d] %s  k[%d] %s  %.4f%s%s",
             as_attn_kind_name(app->kind), app->layer, map->layers, head, app->q,
             as_tui_view_label(app, 1, app->q, ql, sizeof ql), app->k,
             as_tui_view_label(app, 0, app->k, kl, sizeof kl), m[(size_t)app->q * cols + app->k],
             app->norm == AS_RENDER_NORM_MINMAX ? "  min..max" : "",
             as_render_axis_pooled(&app->lay.rows) || as_render_axis_pooled(&app->lay.cols)
                 ? "  (max-pooled)"
                 : "");
    put_text(app, app->lay.status_y, 0, line, COLS, A_BOLD);
    const char *hints = app->model ? "Tab/1-3 map  [ ] layer  < > head  a mean  hjkl/arrows move  "
                                     "e edit  ? help  q quit"
                                   : "Tab/1-3 map  [ ] layer  < > head  a mean  hjkl/arrows move  "
                                     "? help  q quit";
    put_text(app, app->lay.status_y + 1, 0, app->msg[0] ? app->msg : hints, COLS, A_NORMAL);
}

static void draw_help(const as_tui_app *app)
{
    char buf[128];
    int n = 0, w = 0;
    while (as_tui_help_line(n, buf, sizeof buf)) {
        int lw = as_render_text_width(buf, 0);
        if (lw > w)
            w = lw;
        n++;
    }
    int bw = w + 4 < COLS ? w + 4 : COLS, bh = n + 4 < LINES ? n + 4 : LINES;
    int y0 = (LINES - bh) / 2, x0 = (COLS - bw) / 2;
    /* Box characters as text, not the VT100 alternate set: some terminals and multiplexers
     * show ACS as plain letters in UTF-8 mode. */
    const char *hz = app->utf8 ? "\u2500" : "-", *vt = app->utf8 ? "\u2502" : "|";
    const char *corner[4] = {"+", "+", "+", "+"};
    if (app->utf8) {
        corner[0] = "\u250c";
        corner[1] = "\u2510";
        corner[2] = "\u2514";
        corner[3] = "\u2518";
    }
    for (int y = y0; y < y0 + bh; y++) {
        mvhline(y, x0, ' ', bw);
        mvaddstr(y, x0, vt);
        mvaddstr(y, x0 + bw - 1, vt);
    }
    for (int x = x0 + 1; x < x0 + bw - 1; x++) {
        mvaddstr(y0, x, hz);
        mvaddstr(y0 + bh - 1, x, hz);
    }
    mvaddstr(y0, x0, corner[0]);
    mvaddstr(y0, x0 + bw - 1, corner[1]);
    mvaddstr(y0 + bh - 1, x0, corner[2]);
    mvaddstr(y0 + bh - 1, x0 + bw - 1, corner[3]);
    put_text(app, y0, x0 + 2, " keys ", bw - 4, A_BOLD);
    for (int i = 0; i < n && 2 + i < bh - 1; i++)
        put_text(app, y0 + 2 + i, x0 + 2, as_tui_help_line(i, buf, sizeof buf), bw - 4,
                 A_NORMAL);
}

void as_tui_draw(as_tui_app *app)
{
    erase();
    int rows, cols;
    const float *m = as_tui_view_matrix(app, &rows, &cols);
    /* Pooled axes are labelled by index ranges, which may be wider than the tokens. */
    int rw = as_tui_view_label_width(app, 1), cw = as_tui_view_label_width(app, 0);
    int half = app->utf8 && app->pal.mode != AS_TUI_PAL_NONE;
    as_tui_layout_compute(&app->lay, COLS, LINES, rows, cols, rw, cw, half);
    if (!app->lay.too_small && (as_render_axis_pooled(&app->lay.rows) ||
                                as_render_axis_pooled(&app->lay.cols))) {
        if (as_render_axis_pooled(&app->lay.rows) && rw < 2 * digits(rows) + 1)
            rw = 2 * digits(rows) + 1;
        if (as_render_axis_pooled(&app->lay.cols)) /* columns show their first index */
            cw = digits(cols - 1);
        as_tui_layout_compute(&app->lay, COLS, LINES, rows, cols, rw, cw, half);
    }
    if (app->lay.too_small) {
        draw_too_small();
    } else {
        draw_title(app);
        draw_map(app, m, rows, cols);
        draw_status(app, m, cols);
        if (app->help)
            draw_help(app);
    }
    refresh();
}
