/* Thumbnail views: the layer grid (every head of the current layer, bertviz's head view as a
 * grid) and the model overview (layers x heads, bertviz's model view). Arrows move the
 * selection (the current head / layer), Enter opens it in the map view, a click selects. Each
 * thumbnail carries its head number and the coarse pattern label from analysis. Thumbnails and
 * labels cost a pass over each head's matrix, so they are cached: moving the selection redraws
 * from the cache. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TOP = 2, LEFT_MODEL = 4 /* "L12 " */ };

typedef struct {
    as_tui_thumbs t;
    int y0, x0;   /* first thumbnail's map area */
    int first;    /* first thumbnail line shown (scrolling) */
    int lines;    /* thumbnail lines that fit */
} thumb_geom;

static void geometry(const as_tui_app *app, int model, thumb_geom *g)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    int n = model ? m->layers * m->heads : m->heads;
    g->x0 = model ? LEFT_MODEL : 1;
    g->y0 = TOP + 1; /* a label line above each thumbnail */
    int w = COLS - g->x0 - 1, h = LINES - 2 - TOP;
    as_tui_layout_thumbs(n, model ? m->heads : 0, w, h, &g->t);
    g->lines = h / (g->t.th + 1);
    if (g->lines < 1)
        g->lines = 1;
    int sel = model ? app->layer : app->head / g->t.cols;
    g->first = as_tui_layout_scroll(0, sel, g->lines, g->t.rows);
}

void as_tui_thumbs_free(as_tui_app *app)
{
    for (int i = 0; i < app->thumb_n; i++)
        as_render_grid_free(&app->thumb[i]);
    free(app->thumb);
    free(app->thumb_pat);
    app->thumb = NULL;
    app->thumb_pat = NULL;
    app->thumb_n = 0;
}

/* Drops the cache when what it shows changed; (re)allocates one slot per (layer, head). */
static void cache_check(as_tui_app *app, int w, int h, int style)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    int n = m->layers * m->heads;
    if (app->thumb && app->thumb_gen == app->attn_gen && app->thumb_kind == (int)app->kind &&
        app->thumb_w == w && app->thumb_h == h && app->thumb_style == style && app->thumb_n == n)
        return;
    as_tui_thumbs_free(app);
    app->thumb = as_xcalloc((size_t)n, sizeof *app->thumb);
    app->thumb_pat = as_xmalloc((size_t)n);
    memset(app->thumb_pat, -1, (size_t)n);
    app->thumb_n = n;
    app->thumb_gen = app->attn_gen;
    app->thumb_kind = (int)app->kind;
    app->thumb_w = w;
    app->thumb_h = h;
    app->thumb_style = style;
}

/* The thumbnail of (layer, head) max-pooled into w x h cells, from the cache. */
static const as_render_grid *thumb(as_tui_app *app, int layer, int head, int w, int h)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    int glyphs = app->pal.mode == AS_TUI_PAL_NONE, half = app->utf8 && !glyphs;
    cache_check(app, w, h, glyphs * 4 + half * 2 + (app->norm == AS_RENDER_NORM_MINMAX));
    as_render_grid *g = &app->thumb[layer * m->heads + head];
    if (g->cells)
        return g;
    const float *p = as_attn_head(app->attn, app->kind, layer, head);
    as_render_grid_opts go = {.half = half, .glyphs = glyphs, .lo = 0.0f, .hi = 1.0f};
    if (app->norm == AS_RENDER_NORM_MINMAX)
        as_render_range(app->norm, p, m->q, m->k, m->k, &go.lo, &go.hi);
    as_render_axis_fit(m->q, h * (half ? 2 : 1), half ? 2 : 1, &go.rows);
    as_render_axis_fit(m->k, w, 2, &go.cols);
    if (as_render_grid_build(g, p, m->q, m->k, m->k, &go) != AS_OK)
        snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
    return g;
}

static const char *pattern(as_tui_app *app, int layer, int head)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    signed char *pat = &app->thumb_pat[layer * m->heads + head];
    if (*pat < 0)
        *pat = (signed char)as_an_classify(as_attn_head(app->attn, app->kind, layer, head), m->q,
                                           m->k, NULL);
    return as_an_pattern_name((as_an_pattern)*pat);
}

static void draw_thumbs(as_tui_app *app, int model)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    thumb_geom g;
    geometry(app, model, &g);
    as_tui_draw_title(app, 0.0f, 1.0f);
    char label[64];
    for (int line = g.first; line < g.t.rows && line < g.first + g.lines; line++) {
        int y = g.y0 + (line - g.first) * (g.t.th + 1);
        if (model) {
            snprintf(label, sizeof label, "L%d", line);
            as_tui_put_text(app, y, 0, label, LEFT_MODEL - 1, line == app->layer ? A_BOLD : 0);
        }
        for (int c = 0; c < g.t.cols; c++) {
            int i = line * g.t.cols + c;
            int layer = model ? line : app->layer, head = model ? c : i;
            if (head >= m->heads || (!model && i >= m->heads))
                break;
            int x = g.x0 + c * (g.t.tw + 1);
            int sel = layer == app->layer && head == app->head;
            const as_render_grid *tg = thumb(app, layer, head, g.t.tw, g.t.th);
            snprintf(label, sizeof label, "H%d %s", head, pattern(app, layer, head));
            as_tui_put_text(app, y - 1, x, label, g.t.tw, sel ? A_REVERSE | A_BOLD : A_NORMAL);
            for (int ty = 0; ty < tg->rows && ty < g.t.th; ty++)
                for (int tx = 0; tx < tg->cols && tx < g.t.tw; tx++)
                    as_tui_put_cell(app, y + ty, x + tx, &tg->cells[(size_t)ty * tg->cols + tx],
                                    0);
        }
    }
    char line[256];
    snprintf(line, sizeof line, "%s  layer %d/%d  head %d/%d  %s",
             as_attn_kind_name(app->kind), app->layer, m->layers, app->head, m->heads,
             model ? "model overview" : "layer grid");
    as_tui_draw_status(app, line, "arrows select  Enter open  Tab/1-3 map type  [ ] layer  "
                                  "m/Esc map  ? help  q quit");
}

void as_tui_grid_draw(as_tui_app *app)
{
    draw_thumbs(app, 0);
}

void as_tui_model_draw(as_tui_app *app)
{
    draw_thumbs(app, 1);
}

int as_tui_thumbs_click(as_tui_app *app, int y, int x, int activate)
{
    int model = app->view == AS_TUI_VIEW_MODEL;
    const as_attn_map *m = &app->attn->map[app->kind];
    thumb_geom g;
    geometry(app, model, &g);
    if (y < g.y0 - 1 || x < g.x0)
        return 0;
    int line = g.first + (y - (g.y0 - 1)) / (g.t.th + 1), c = (x - g.x0) / (g.t.tw + 1);
    if (c >= g.t.cols || line >= g.t.rows)
        return 0;
    int layer = model ? line : app->layer, head = model ? c : line * g.t.cols + c;
    if (head >= m->heads || layer >= m->layers)
        return 0;
    app->layer = layer;
    app->head = head;
    app->agg = AS_TUI_AGG_HEAD;
    if (activate)
        app->view = AS_TUI_VIEW_MAP;
    return AS_TUI_REDRAW;
}
