/* The map view: a window of one head (or an aggregate) as a half-block heat map, sticky token
 * labels on both axes (always those of the visible rows and columns), the cursor with its exact
 * value in the status line, and a minimap with the window's outline when zoomed in. The window
 * comes from the cached pyramid, so a frame costs the screen whatever the matrix size. With the
 * alignment overlay (A) the cross map marks the cells whose attention made a word link of the
 * shown head or layer mean (as `attnscope align` extracts them) with a dot in the cursor colour,
 * one text row per matrix row so that every cell has a place for it. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LABEL_BYTES = 4 * AS_TUI_MAX_LABEL_W + 1 };

static int digits(int n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* Label of bin b: the token, or the index range when the bin covers several elements. */
static const char *bin_label(const as_tui_app *app, int rows_axis, const as_render_view *v, int b,
                             char *buf, size_t sz)
{
    int a, e;
    as_render_view_bin_range(v, b, &a, &e);
    if (e - a <= 1)
        return as_tui_view_label(app, rows_axis, a, buf, sz);
    snprintf(buf, sz, "%d-%d", a, e - 1);
    return buf;
}

static void draw_col_labels(const as_tui_app *app, int cursor_bin)
{
    const as_tui_layout *l = &app->lay;
    char buf[32], ch[5];
    int pooled = as_render_view_pooled(&l->cols);
    for (int b = 0; b < l->cols.bins; b++) {
        const char *s = bin_label(app, 0, &l->cols, b, buf, sizeof buf);
        if (pooled) { /* first index: a vertical "a-b" would not read */
            int e0, e1;
            as_render_view_bin_range(&l->cols, b, &e0, &e1);
            snprintf(buf, sizeof buf, "%d", e0);
            s = buf;
        }
        attr_t attr = b == cursor_bin ? A_REVERSE | A_BOLD : A_NORMAL;
        for (int i = 0; i < l->col_label_h && as_render_text_char(s, i, !app->utf8, ch); i++)
            as_tui_put_text(app, l->col_label_y + i, l->map_x + b * l->cols.scale, ch, 1, attr);
    }
}

static void draw_row_label(const as_tui_app *app, int y, int x, int bin, int right, int cursor_bin)
{
    const as_tui_layout *l = &app->lay;
    char buf[32], fit[LABEL_BYTES];
    const char *s = bin_label(app, 1, &l->rows, bin, buf, sizeof buf);
    int w = as_render_text_fit(s, l->label_w, !app->utf8, fit, sizeof fit);
    as_tui_put_text(app, y, right ? x : x + l->label_w - w, fit, w,
                    bin == cursor_bin ? A_REVERSE | A_BOLD : A_NORMAL);
}

/* ---- minimap --------------------------------------------------------------------------------- */
static void draw_minimap(as_tui_app *app, const as_render_pyr *pyr, float lo, float hi)
{
    const as_tui_layout *l = &app->lay;
    if (!l->mini_w)
        return;
    int glyphs = app->pal.mode == AS_TUI_PAL_NONE;
    int half = l->px_per_row == 2;
    as_render_view rv, cv;
    as_render_view_fit(pyr->rows, l->mini_h * l->px_per_row, 1, &rv);
    as_render_view_fit(pyr->cols, l->mini_w, 1, &cv);
    as_render_grid_opts go = {.half = half, .glyphs = glyphs, .lo = lo, .hi = hi};
    as_render_grid g;
    if (as_render_grid_view(&g, pyr, &rv, &cv, &go) != AS_OK)
        return;
    /* The window's outline: bins of the minimap holding the window's first / last elements. */
    int r0 = as_render_view_bin_of(&rv, as_render_view_begin(&l->rows)) / l->px_per_row;
    int r1 = as_render_view_bin_of(&rv, as_render_view_end(&l->rows) - 1) / l->px_per_row;
    int c0 = as_render_view_bin_of(&cv, as_render_view_begin(&l->cols));
    int c1 = as_render_view_bin_of(&cv, as_render_view_end(&l->cols) - 1);
    for (int y = 0; y < g.rows; y++) {
        for (int x = 0; x < g.cols; x++) {
            as_render_cell c = g.cells[(size_t)y * g.cols + x];
            int edge = (y == r0 || y == r1) && x >= c0 && x <= c1;
            edge |= (x == c0 || x == c1) && y >= r0 && y <= r1;
            if (edge && !glyphs) {
                c.glyph = app->utf8 ? 0x2592u /* medium shade */ : '#';
                c.fg = AS_TUI_CURSOR;
            }
            as_tui_put_cell(app, l->mini_y + y, l->mini_x + x, &c, edge && glyphs);
        }
    }
    as_render_grid_free(&g);
}

/* ---- alignment overlay ----------------------------------------------------------------------- */
/* A pressed and something to align: the cross map of one head or the mean over heads (the max
 * over heads is no distribution, and `attnscope align` has no such selection). */
static int overlay_shown(const as_tui_app *app)
{
    return app->align_on && app->kind == AS_ATTN_CROSS && app->agg != AS_TUI_AGG_MAX;
}

/* Cells (rows, cols) of the shown head / layer mean that carry a link, and the links as Pharaoh
 * text (`attnscope align` output) in links. NULL with app->msg set if alignment fails. */
static unsigned char *overlay_marks(as_tui_app *app, int rows, int cols, char *links, size_t sz)
{
    as_an_align_opts o = app->opts->align;
    o.l0 = o.l1 = app->layer;
    o.head = app->agg == AS_TUI_AGG_HEAD ? app->head : -1;
    as_an_alignment al;
    unsigned char *mark = NULL;
    if (as_an_align_store(app->attn, &o, &al) != AS_OK ||
        !(mark = as_try_calloc((size_t)rows * cols, 1, "alignment overlay"))) {
        snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
        as_an_alignment_free(&al);
        return NULL;
    }
    as_tui_align_marks(&al, rows, cols, o.predict, mark);
    int len = snprintf(links, sz, "%s links:", as_an_align_method_name(o.method));
    for (int i = 0; i < al.n && len < (int)sz - 24; i++)
        len += snprintf(links + len, sz - (size_t)len, " %d-%d", al.links[i].src, al.links[i].tgt);
    as_an_alignment_free(&al);
    return mark;
}

/* Puts the overlay's dot on text cell (ty, x) of the window if an element under it is marked:
 * one dot per element (on the middle line and column of the cells it spans), or per pooled
 * bin holding a marked element. */
static void mark_cell(const as_tui_app *app, as_render_cell *c, const unsigned char *mark,
                      int cols, int ty, int x)
{
    const as_tui_layout *l = &app->lay;
    if (ty % l->rows.scale != l->rows.scale / 2 || x % l->cols.scale != l->cols.scale / 2)
        return;
    int q0, q1, k0, k1, hit = 0;
    as_render_view_bin_range(&l->rows, ty / l->rows.scale, &q0, &q1);
    as_render_view_bin_range(&l->cols, x / l->cols.scale, &k0, &k1);
    for (int q = q0; q < q1 && !hit; q++)
        for (int k = k0; k < k1 && !hit; k++)
            hit = mark[(size_t)q * cols + k];
    if (!hit)
        return;
    c->glyph = app->utf8 ? AS_TUI_MARK_GLYPH : 'X';
    if (app->pal.mode != AS_TUI_PAL_NONE) /* on the cursor itself the dot takes the dark end */
        c->fg = c->bg == AS_TUI_CURSOR ? 0 : AS_TUI_CURSOR;
}

/* ---- heat map -------------------------------------------------------------------------------- */
static void draw_heat(as_tui_app *app, const as_render_pyr *pyr, float lo, float hi,
                      const unsigned char *mark, int cols)
{
    const as_tui_layout *l = &app->lay;
    int glyphs = app->pal.mode == AS_TUI_PAL_NONE;
    as_render_grid_opts go = {.half = l->px_per_row == 2, .glyphs = glyphs, .lo = lo, .hi = hi};
    as_render_grid g;
    if (as_render_grid_view(&g, pyr, &l->rows, &l->cols, &go) != AS_OK) {
        snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
        return;
    }
    /* The cursor's pixels take the cursor colour (reverse video without colour). */
    int bq = as_render_view_bin_of(&l->rows, app->q);
    int bk = as_render_view_bin_of(&l->cols, app->k);
    int p0 = bq * l->rows.scale, p1 = p0 + l->rows.scale;
    int x0 = bk * l->cols.scale, x1 = x0 + l->cols.scale;
    for (int p = p0; p < p1 && !glyphs && bq >= 0 && bk >= 0; p++) {
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
            if (mark)
                mark_cell(app, &g.cells[(size_t)ty * g.cols + x], mark, cols, ty, x);
            as_tui_put_cell(app, l->map_y + ty, l->map_x + x, &g.cells[(size_t)ty * g.cols + x],
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

/* ---- frame ----------------------------------------------------------------------------------- */
static void compute_layout(as_tui_app *app, int rows, int cols)
{
    int half = app->utf8 && app->pal.mode != AS_TUI_PAL_NONE && !overlay_shown(app);
    as_tui_map_req r = {.rows = rows, .cols = cols, .row_label_w = as_tui_view_label_width(app, 1),
                        .col_label_w = as_tui_view_label_width(app, 0), .half = half,
                        .zoom = app->zoom, .first_q = app->first_q, .first_k = app->first_k,
                        .q = app->q, .k = app->k};
    as_tui_layout_compute(&app->lay, COLS, LINES, &r);
    /* Pooled axes are labelled by index ranges, which may be wider than the tokens. */
    int again = 0;
    if (as_render_view_pooled(&app->lay.rows) && r.row_label_w < 2 * digits(rows) + 1) {
        r.row_label_w = 2 * digits(rows) + 1;
        again = 1;
    }
    if (as_render_view_pooled(&app->lay.cols)) { /* columns show their first index */
        r.col_label_w = digits(cols - 1);
        again = 1;
    }
    if (again)
        as_tui_layout_compute(&app->lay, COLS, LINES, &r);
    app->map_req = r;
    if (app->zoom != AS_TUI_ZOOM_FIT) { /* the window stays where it is until the cursor leaves */
        app->first_q = as_render_view_begin(&app->lay.rows);
        app->first_k = as_render_view_begin(&app->lay.cols);
    }
}

void as_tui_map_draw(as_tui_app *app)
{
    int rows, cols;
    const as_render_pyr *pyr;
    const float *m = as_tui_view_matrix(app, &rows, &cols, &pyr);
    compute_layout(app, rows, cols);
    float lo = 0.0f, hi = 1.0f;
    if (pyr && app->norm == AS_RENDER_NORM_MINMAX) {
        lo = pyr->lo;
        hi = pyr->hi;
    }
    as_tui_draw_title(app, lo, hi);
    char links[256] = "";
    unsigned char *mark = overlay_shown(app) ? overlay_marks(app, rows, cols, links,
                                                             sizeof links) : NULL;
    if (pyr) {
        draw_heat(app, pyr, lo, hi, mark, cols);
        draw_minimap(app, pyr, lo, hi);
    }
    int marked = mark != NULL;
    free(mark);
    const as_attn_map *map = &app->attn->map[app->kind];
    char head[32], ql[32], kl[32], zoom[32], line[512];
    if (app->zoom == AS_TUI_ZOOM_FIT)
        snprintf(zoom, sizeof zoom, "fit");
    else if (app->zoom >= 0)
        snprintf(zoom, sizeof zoom, "zoom 1:%d", 1 << app->zoom);
    else
        snprintf(zoom, sizeof zoom, "zoom %d:1", 1 << -app->zoom);
    snprintf(line, sizeof line, "%s  layer %d/%d  %s  q[%d] %s  k[%d] %s  %.4f  %s%s",
             as_attn_kind_name(app->kind), app->layer, map->layers,
             as_tui_view_head_name(app, head, sizeof head), app->q,
             as_tui_view_label(app, 1, app->q, ql, sizeof ql), app->k,
             as_tui_view_label(app, 0, app->k, kl, sizeof kl), m[(size_t)app->q * cols + app->k],
             zoom,
             as_render_view_pooled(&app->lay.rows) || as_render_view_pooled(&app->lay.cols)
                 ? " (max-pooled)"
                 : "");
    char legend[300];
    if (marked)
        snprintf(legend, sizeof legend, "%s word link (A hides)  %s", app->utf8 ? "\u25cf" : "X",
                 links);
    else if (app->align_on)
        snprintf(legend, sizeof legend, "word links: on the cross map, one head or the mean "
                                        "(3, a; A hides)");
    as_tui_draw_status(app, line,
                       app->align_on ? legend
                       : app->model  ? "Tab/1-3 map  [ ] layer  < > head  a aggregate  + - = zoom  "
                                       "Enter row  v o t d views  e edit  s save  ? help  q quit"
                                     : "Tab/1-3 map  [ ] layer  < > head  a aggregate  + - = zoom  "
                                       "Enter row  v o t d views  s save  ? help  q quit");
}

int as_tui_map_click(as_tui_app *app, int y, int x)
{
    const as_tui_layout *l = &app->lay;
    if (l->too_small || y < l->map_y || y >= l->map_y + l->map_h || x < l->map_x ||
        x >= l->map_x + l->map_w)
        return 0;
    int bk = (x - l->map_x) / l->cols.scale;
    /* With half-blocks a click picks the upper of the line's two rows. */
    int bq = (y - l->map_y) * l->px_per_row / l->rows.scale;
    if (bq >= l->rows.bins || bk >= l->cols.bins)
        return 0;
    int e1;
    as_render_view_bin_range(&l->rows, bq, &app->q, &e1);
    as_render_view_bin_range(&l->cols, bk, &app->k, &e1);
    return AS_TUI_REDRAW;
}
