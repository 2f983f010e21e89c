/* Key bindings: one table maps (key, views) to actions and feeds the help overlay, so the help can
 * never miss a key (htop Action.h). Actions change the app state and return AS_TUI_* flags. The
 * same key may do different things in different views (j steps the query in row focus, the
 * selection in the head table); the first entry whose view mask holds the current view wins. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*action_fn)(as_tui_app *app);

#define V(x) (1u << AS_TUI_VIEW_##x)
#define ALL 0xffffu
#define THUMBS (V(GRID) | V(MODEL))
#define CTRL(c) ((c) & 0x1f)

static const as_attn_map *cur_map(const as_tui_app *app)
{
    return &app->attn->map[app->kind];
}

/* ---- map type, layer, head, aggregate -------------------------------------------------------- */
static int select_kind(as_tui_app *app, as_attn_kind kind)
{
    if (app->attn->map[kind].layers == 0) {
        snprintf(app->msg, sizeof app->msg, "this model has no %s attention",
                 as_attn_kind_name(kind));
        return AS_TUI_REDRAW;
    }
    app->kind = kind;
    as_tui_view_clamp(app);
    return AS_TUI_REDRAW;
}

static int cycle_kind(as_tui_app *app, int dir)
{
    for (int i = 1; i <= AS_ATTN_KINDS; i++) {
        int k = ((int)app->kind + dir * i + AS_ATTN_KINDS) % AS_ATTN_KINDS;
        if (app->attn->map[k].layers > 0)
            return select_kind(app, (as_attn_kind)k);
    }
    return AS_TUI_REDRAW;
}

static int next_kind(as_tui_app *app)
{
    return cycle_kind(app, 1);
}

static int prev_kind(as_tui_app *app)
{
    return cycle_kind(app, -1);
}

static int kind_encoder(as_tui_app *app)
{
    return select_kind(app, AS_ATTN_ENCODER);
}

static int kind_decoder(as_tui_app *app)
{
    return select_kind(app, AS_ATTN_DECODER);
}

static int kind_cross(as_tui_app *app)
{
    return select_kind(app, AS_ATTN_CROSS);
}

static int wrap(int v, int n)
{
    return ((v % n) + n) % n;
}

static int layer_prev(as_tui_app *app)
{
    app->layer = wrap(app->layer - 1, cur_map(app)->layers);
    return AS_TUI_REDRAW;
}

static int layer_next(as_tui_app *app)
{
    app->layer = wrap(app->layer + 1, cur_map(app)->layers);
    return AS_TUI_REDRAW;
}

static int head_step(as_tui_app *app, int d)
{
    /* Stepping the head leaves the aggregate: the user asked for a particular head. */
    if (app->agg == AS_TUI_AGG_HEAD)
        app->head = wrap(app->head + d, cur_map(app)->heads);
    app->agg = AS_TUI_AGG_HEAD;
    return AS_TUI_REDRAW;
}

static int head_prev(as_tui_app *app)
{
    return head_step(app, -1);
}

static int head_next(as_tui_app *app)
{
    return head_step(app, 1);
}

static int cycle_agg(as_tui_app *app)
{
    app->agg = (as_tui_agg)((app->agg + 1) % AS_TUI_AGGS);
    return AS_TUI_REDRAW;
}

static int toggle_align(as_tui_app *app)
{
    if (app->attn->map[AS_ATTN_CROSS].layers == 0) {
        snprintf(app->msg, sizeof app->msg, "word links come from cross-attention: this model "
                                            "has none");
        return AS_TUI_REDRAW;
    }
    app->align_on = !app->align_on;
    return AS_TUI_REDRAW;
}

static int toggle_norm(as_tui_app *app)
{
    app->norm = app->norm == AS_RENDER_NORM_FIXED ? AS_RENDER_NORM_MINMAX : AS_RENDER_NORM_FIXED;
    snprintf(app->msg, sizeof app->msg, "colour range: %s",
             app->norm == AS_RENDER_NORM_FIXED ? "global 0..1" : "per-map min..max");
    return AS_TUI_REDRAW;
}

static int next_cmap(as_tui_app *app)
{
    app->cmap = (as_render_cmap)((app->cmap + 1) % AS_RENDER_CMAPS);
    as_render_cmap_lut(app->cmap, app->lut);
    as_tui_palette_recolor(&app->pal, app->lut, as_tui_cursor_color(app->cmap));
    snprintf(app->msg, sizeof app->msg, "colormap: %s", as_render_cmap_name(app->cmap));
    return AS_TUI_REDRAW;
}

/* ---- views ----------------------------------------------------------------------------------- */
static int view_map(as_tui_app *app)
{
    app->view = AS_TUI_VIEW_MAP;
    return AS_TUI_REDRAW;
}

static int view_row(as_tui_app *app)
{
    app->view = AS_TUI_VIEW_ROW;
    return AS_TUI_REDRAW;
}

static int view_grid(as_tui_app *app)
{
    app->view = AS_TUI_VIEW_GRID;
    return AS_TUI_REDRAW;
}

static int view_model(as_tui_app *app)
{
    app->view = AS_TUI_VIEW_MODEL;
    return AS_TUI_REDRAW;
}

/* Image view (vision models); pressed again, the next image mode. */
static int view_image(as_tui_app *app)
{
    if (app->view == AS_TUI_VIEW_IMAGE)
        app->image_mode = (as_tui_image_mode)((app->image_mode + 1) % AS_TUI_IMAGE_MODES);
    app->view = AS_TUI_VIEW_IMAGE;
    return AS_TUI_REDRAW;
}

static int view_table(as_tui_app *app)
{
    app->view = AS_TUI_VIEW_TABLE;
    return AS_TUI_REDRAW;
}

static int view_steps(as_tui_app *app)
{
    as_attn_kind kind;
    as_attn_axis axis;
    int first;
    if (as_tui_steps_info(app, &kind, &axis, &first) == 0) {
        snprintf(app->msg, sizeof app->msg, "nothing was generated: no steps to show");
        return AS_TUI_REDRAW;
    }
    app->view = AS_TUI_VIEW_STEPS;
    return AS_TUI_REDRAW;
}

/* Enter on a thumbnail or table row: that head in the map view. */
static int open_selected(as_tui_app *app)
{
    if (app->view == AS_TUI_VIEW_TABLE && as_tui_table_ready(app))
        as_tui_table_row(app, app->table_sel, &app->layer, &app->head);
    app->agg = AS_TUI_AGG_HEAD;
    app->view = AS_TUI_VIEW_MAP;
    return AS_TUI_REDRAW;
}

/* ---- cursor and window ----------------------------------------------------------------------- */
static void move_cursor(as_tui_app *app, int dq, int dk)
{
    const as_attn_map *m = cur_map(app);
    as_render_view rv = app->lay.rows, cv = app->lay.cols;
    /* Before the first frame of a map (or after a map type change) the views may be stale:
     * fall back to one element per step. */
    if (rv.n != m->q)
        as_render_view_fit(m->q, m->q, 1, &rv);
    if (cv.n != m->k)
        as_render_view_fit(m->k, m->k, 1, &cv);
    if (dq)
        app->q = as_tui_layout_step(&rv, app->q, dq);
    if (dk)
        app->k = as_tui_layout_step(&cv, app->k, dk);
}

static int move_left(as_tui_app *app)
{
    move_cursor(app, 0, -1);
    return AS_TUI_REDRAW;
}

static int move_right(as_tui_app *app)
{
    move_cursor(app, 0, 1);
    return AS_TUI_REDRAW;
}

static int move_up(as_tui_app *app)
{
    move_cursor(app, -1, 0);
    return AS_TUI_REDRAW;
}

static int move_down(as_tui_app *app)
{
    move_cursor(app, 1, 0);
    return AS_TUI_REDRAW;
}

static int page_lines(const as_tui_app *app)
{
    int n = app->lay.rows.bins > 1 ? app->lay.rows.bins - 1 : LINES - 6;
    return n > 1 ? n : 1;
}

static int page_up(as_tui_app *app)
{
    move_cursor(app, -page_lines(app), 0);
    return AS_TUI_REDRAW;
}

static int page_down(as_tui_app *app)
{
    move_cursor(app, page_lines(app), 0);
    return AS_TUI_REDRAW;
}

static int go_top(as_tui_app *app)
{
    app->q = 0;
    app->table_sel = 0;
    app->step = 1;
    return AS_TUI_REDRAW;
}

static int go_bottom(as_tui_app *app)
{
    app->q = cur_map(app)->q - 1;
    app->table_sel = cur_map(app)->layers * cur_map(app)->heads - 1;
    as_attn_kind kind;
    as_attn_axis axis;
    int first;
    app->step = as_tui_steps_info(app, &kind, &axis, &first);
    return AS_TUI_REDRAW;
}

static int go_line_start(as_tui_app *app)
{
    app->k = 0;
    return AS_TUI_REDRAW;
}

static int go_line_end(as_tui_app *app)
{
    app->k = cur_map(app)->k - 1;
    return AS_TUI_REDRAW;
}

/* Zoom of the fit layout of the last map frame: the coarser axis decides, so zooming out to it
 * shows everything. */
static int fit_zoom(const as_tui_app *app)
{
    as_tui_map_req r = app->map_req;
    if (r.rows < 1 || r.cols < 1)
        return 0;
    r.zoom = AS_TUI_ZOOM_FIT;
    as_tui_layout fit;
    as_tui_layout_compute(&fit, COLS, LINES, &r);
    if (fit.too_small)
        return 0;
    int zr = as_render_view_zoom_of(&fit.rows, 1);
    int zc = as_render_view_zoom_of(&fit.cols, r.half ? 1 : 2);
    return zr > zc ? zr : zc;
}

/* Centres the window of zoom z on the cursor (approximately: the layout clamps it). */
static void centre(as_tui_app *app, int z)
{
    int px = app->lay.px_per_row ? app->lay.px_per_row : 1;
    int rows_px = (LINES - 2 - app->lay.map_y) * px, cols_px = COLS - app->lay.map_x;
    if (px == 1)
        cols_px /= 2;
    long long hr = z >= 0 ? (long long)(rows_px / 2) << z : (rows_px / 2) >> -z;
    long long hc = z >= 0 ? (long long)(cols_px / 2) << z : (cols_px / 2) >> -z;
    app->first_q = app->q - hr < 0 ? 0 : (int)(app->q - hr);
    app->first_k = app->k - hc < 0 ? 0 : (int)(app->k - hc);
}

static int zoom_in(as_tui_app *app)
{
    int z = app->zoom == AS_TUI_ZOOM_FIT ? fit_zoom(app) - 1 : app->zoom - 1;
    if (z < AS_RENDER_ZOOM_MIN) {
        snprintf(app->msg, sizeof app->msg, "zoomed in as far as it goes");
        z = AS_RENDER_ZOOM_MIN;
    }
    app->zoom = z;
    centre(app, z);
    return AS_TUI_REDRAW;
}

static int zoom_out(as_tui_app *app)
{
    if (app->zoom == AS_TUI_ZOOM_FIT)
        return 0;
    int z = app->zoom + 1;
    /* Once the whole map fits at this zoom, "fit" uses the screen better. */
    if (z >= fit_zoom(app) || z >= AS_TUI_ZOOM_MAX) {
        app->zoom = AS_TUI_ZOOM_FIT;
        return AS_TUI_REDRAW;
    }
    app->zoom = z;
    centre(app, z);
    return AS_TUI_REDRAW;
}

static int zoom_fit(as_tui_app *app)
{
    app->zoom = AS_TUI_ZOOM_FIT;
    return AS_TUI_REDRAW;
}

/* ---- per-view motion: row focus, thumbnails, table, steps ------------------------------------ */
static int query_prev(as_tui_app *app)
{
    app->q = app->q > 0 ? app->q - 1 : 0;
    return AS_TUI_REDRAW;
}

static int query_next(as_tui_app *app)
{
    app->q = app->q + 1 < cur_map(app)->q ? app->q + 1 : app->q;
    return AS_TUI_REDRAW;
}

static int thumb_move(as_tui_app *app, int dl, int dh)
{
    const as_attn_map *m = cur_map(app);
    if (app->view == AS_TUI_VIEW_MODEL) {
        app->layer = wrap(app->layer + dl, m->layers);
        app->head = wrap(app->head + dh, m->heads);
    } else { /* the grid wraps heads line by line: up / down jump a line of thumbnails */
        as_tui_thumbs t;
        as_tui_layout_thumbs(m->heads, 0, COLS - 2, LINES - 4, &t);
        int h = app->head + dh + dl * (t.cols > 0 ? t.cols : 1);
        if (h >= 0 && h < m->heads)
            app->head = h;
    }
    app->agg = AS_TUI_AGG_HEAD;
    return AS_TUI_REDRAW;
}

static int thumb_left(as_tui_app *app)
{
    return thumb_move(app, 0, -1);
}

static int thumb_right(as_tui_app *app)
{
    return thumb_move(app, 0, 1);
}

static int thumb_up(as_tui_app *app)
{
    return thumb_move(app, -1, 0);
}

static int thumb_down(as_tui_app *app)
{
    return thumb_move(app, 1, 0);
}

static int table_move(as_tui_app *app, int d)
{
    int n = cur_map(app)->layers * cur_map(app)->heads;
    app->table_sel += d;
    app->table_sel = app->table_sel < 0 ? 0 : app->table_sel >= n ? n - 1 : app->table_sel;
    return AS_TUI_REDRAW;
}

static int table_up(as_tui_app *app)
{
    return table_move(app, -1);
}

static int table_down(as_tui_app *app)
{
    return table_move(app, 1);
}

static int table_pgup(as_tui_app *app)
{
    return table_move(app, -(LINES - 6));
}

static int table_pgdn(as_tui_app *app)
{
    return table_move(app, LINES - 6);
}

static int sort_prev(as_tui_app *app)
{
    app->table_sort = wrap(app->table_sort - 1, as_tui_table_cols(app));
    return AS_TUI_REDRAW;
}

static int sort_next(as_tui_app *app)
{
    app->table_sort = wrap(app->table_sort + 1, as_tui_table_cols(app));
    return AS_TUI_REDRAW;
}

static int sort_invert(as_tui_app *app)
{
    app->table_desc = !app->table_desc;
    return AS_TUI_REDRAW;
}

static int step_prev(as_tui_app *app)
{
    app->step = app->step > 1 ? app->step - 1 : 1;
    return AS_TUI_REDRAW;
}

static int step_next(as_tui_app *app)
{
    as_attn_kind kind;
    as_attn_axis axis;
    int first, n = as_tui_steps_info(app, &kind, &axis, &first);
    app->step = app->step < n ? app->step + 1 : n;
    return AS_TUI_REDRAW;
}

/* ---- search and go-to ------------------------------------------------------------------------ */
/* Next (dir 1) or previous (-1) index after `from` on an axis whose label contains app->search
 * (case-insensitive), wrapping; -1 if none. */
static int find_label(const as_tui_app *app, int rows_axis, int n, int from, int dir)
{
    char buf[32];
    for (int i = 1; i <= n; i++) {
        int j = wrap(from + dir * i, n);
        if (strcasestr(as_tui_view_label(app, rows_axis, j, buf, sizeof buf), app->search))
            return j;
    }
    return -1;
}

static int search_step(as_tui_app *app, int dir)
{
    if (!app->search[0]) {
        snprintf(app->msg, sizeof app->msg, "no search yet: / then a token");
        return AS_TUI_REDRAW;
    }
    const as_attn_map *m = cur_map(app);
    int i = find_label(app, 1, m->q, app->q, dir);
    if (i >= 0) {
        app->q = i;
    } else if ((i = find_label(app, 0, m->k, app->k, dir)) >= 0) {
        app->k = i;
    } else {
        snprintf(app->msg, sizeof app->msg, "no token matches '%s'", app->search);
        return AS_TUI_REDRAW;
    }
    snprintf(app->msg, sizeof app->msg, "/%s  (n next, N previous)", app->search);
    return AS_TUI_REDRAW;
}

static int search(as_tui_app *app)
{
    char text[sizeof app->search] = "";
    if (!as_tui_prompt(app, "/", text, sizeof text) || !text[0])
        return AS_TUI_REDRAW;
    snprintf(app->search, sizeof app->search, "%s", text);
    return search_step(app, 1);
}

static int search_next(as_tui_app *app)
{
    return search_step(app, 1);
}

static int search_prev(as_tui_app *app)
{
    return search_step(app, -1);
}

/* ":L3 H5 q12 k4", also "mean" / "max": every part is optional. */
static int go_to(as_tui_app *app)
{
    char text[128] = "";
    if (!as_tui_prompt(app, ":", text, sizeof text) || !text[0])
        return AS_TUI_REDRAW;
    const as_attn_map *m = cur_map(app);
    int layer = app->layer, head = app->head, q = app->q, k = app->k;
    as_tui_agg agg = app->agg;
    for (char *tok = strtok(text, " ,"); tok; tok = strtok(NULL, " ,")) {
        char *end;
        long v = strtol(tok + 1, &end, 10);
        int ok = tok[1] && !*end && v >= 0;
        switch (tok[0]) {
        case 'L': case 'l': ok = ok && v < m->layers; layer = (int)v; break;
        case 'H': case 'h': ok = ok && v < m->heads; head = (int)v; agg = AS_TUI_AGG_HEAD; break;
        case 'Q': case 'q': ok = ok && v < m->q; q = (int)v; break;
        case 'K': case 'k': ok = ok && v < m->k; k = (int)v; break;
        default: ok = 0;
        }
        if (strcmp(tok, "mean") == 0 || strcmp(tok, "max") == 0) {
            agg = tok[1] == 'e' ? AS_TUI_AGG_MEAN : AS_TUI_AGG_MAX;
            ok = 1;
        }
        if (!ok) {
            snprintf(app->msg, sizeof app->msg,
                     "go to: '%s' is not L<0..%d>, H<0..%d>, q<0..%d>, k<0..%d>, mean or max",
                     tok, m->layers - 1, m->heads - 1, m->q - 1, m->k - 1);
            return AS_TUI_REDRAW;
        }
    }
    app->layer = layer;
    app->head = head;
    app->q = q;
    app->k = k;
    app->agg = agg;
    return AS_TUI_REDRAW;
}

/* ---- mouse ----------------------------------------------------------------------------------- */
static int mouse(as_tui_app *app)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return 0;
    int wheel = ev.bstate & BUTTON4_PRESSED ? -1 : 0;
#ifdef BUTTON5_PRESSED
    if (ev.bstate & BUTTON5_PRESSED)
        wheel = 1;
#endif
    if (wheel) { /* scroll three lines in the view's own list */
        for (int i = 0; i < 3; i++) {
            if (app->view == AS_TUI_VIEW_TABLE)
                table_move(app, wheel);
            else if (app->view == AS_TUI_VIEW_STEPS)
                wheel < 0 ? step_prev(app) : step_next(app);
            else if (app->view == AS_TUI_VIEW_ROW)
                wheel < 0 ? query_prev(app) : query_next(app);
            else
                move_cursor(app, wheel, 0);
        }
        return AS_TUI_REDRAW;
    }
    int activate = (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0;
    if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
        return 0;
    switch (app->view) {
    case AS_TUI_VIEW_MAP: return as_tui_map_click(app, ev.y, ev.x);
    case AS_TUI_VIEW_GRID:
    case AS_TUI_VIEW_MODEL: return as_tui_thumbs_click(app, ev.y, ev.x, activate);
    case AS_TUI_VIEW_TABLE: return as_tui_table_click(app, ev.y, ev.x, activate);
    default: return 0;
    }
}

/* ---- other ----------------------------------------------------------------------------------- */
static int show_help(as_tui_app *app)
{
    app->help = 1;
    app->help_top = 0;
    return AS_TUI_REDRAW;
}

static int edit_source(as_tui_app *app)
{
    as_tui_edit_source(app, 0);
    return AS_TUI_REDRAW;
}

static int edit_both(as_tui_app *app)
{
    as_tui_edit_source(app, 1);
    return AS_TUI_REDRAW;
}

static int snapshot(as_tui_app *app)
{
    as_tui_snapshot(app);
    return AS_TUI_REDRAW;
}

static int redraw(as_tui_app *app)
{
    clearok(curscr, TRUE); /* repaint every cell: the screen may hold garbage */
    return AS_TUI_REDRAW;
}

static int quit(as_tui_app *app)
{
    return AS_TUI_QUIT;
}

/* ---- table ----------------------------------------------------------------------------------- */
typedef struct {
    int key;
    int is_key;       /* 1: a curses KEY_* code, 0: a character */
    unsigned views;   /* views the binding applies to */
    const char *name; /* NULL: an alias of the entry above (not listed again in the help) */
    const char *help;
    action_fn fn;
} binding;

#define NOT(x) (ALL & ~(x))

static const binding bindings[] = {
    /* views */
    {'m', 0, ALL, "m Esc", "map view: one head or the mean / max as a heat map", view_map},
    {27, 0, ALL, NULL, NULL, view_map},
    {'\r', 0, V(MAP), "Enter f", "row focus: the cursor's query with its top keys as bars",
     view_row},
    {'\n', 0, V(MAP), NULL, NULL, view_row},
    {KEY_ENTER, 1, V(MAP), NULL, NULL, view_row},
    {'f', 0, ALL, NULL, NULL, view_row},
    {'\r', 0, V(ROW), NULL, NULL, view_map},
    {'\n', 0, V(ROW), NULL, NULL, view_map},
    {KEY_ENTER, 1, V(ROW), NULL, NULL, view_map},
    {'\r', 0, THUMBS | V(TABLE), "Enter", "(grid, overview, table) open the selected head",
     open_selected},
    {'\n', 0, THUMBS | V(TABLE), NULL, NULL, open_selected},
    {KEY_ENTER, 1, THUMBS | V(TABLE), NULL, NULL, open_selected},
    {'v', 0, ALL, "v", "layer grid: every head of the layer as a thumbnail", view_grid},
    {'o', 0, ALL, "o", "model overview: layers x heads thumbnails", view_model},
    {'t', 0, ALL, "t", "head table: statistics per head, sortable", view_table},
    {'d', 0, ALL, "d", "generation steps: each decoded token, its probability and row",
     view_steps},
    {'i', 0, ALL, "i", "image view (vision): overlay, heads, layers, rollout, mask; i: next",
     view_image},
    /* map type, layer, head */
    {'\t', 0, ALL, "Tab", "next map type (encoder, decoder, cross)", next_kind},
    {KEY_BTAB, 1, ALL, "S-Tab", "previous map type", prev_kind},
    {'1', 0, ALL, "1", "encoder self-attention", kind_encoder},
    {'2', 0, ALL, "2", "decoder self-attention", kind_decoder},
    {'3', 0, ALL, "3", "cross-attention (decoder -> encoder)", kind_cross},
    {']', 0, ALL, "]", "next layer", layer_next},
    {'[', 0, ALL, "[", "previous layer", layer_prev},
    {'<', 0, V(TABLE), "< >", "(table) previous / next sort column", sort_prev},
    {'>', 0, V(TABLE), NULL, NULL, sort_next},
    {'I', 0, V(TABLE), "I", "(table) invert the sort order", sort_invert},
    {'>', 0, NOT(V(TABLE)), ">", "next head", head_next},
    {'<', 0, NOT(V(TABLE)), "<", "previous head", head_prev},
    {'a', 0, ALL, "a", "one head / mean over heads / max over heads", cycle_agg},
    /* motion */
    {KEY_LEFT, 1, V(MAP), "Left h", "cursor left (key token); grid: previous head", move_left},
    {'h', 0, V(MAP), NULL, NULL, move_left},
    {KEY_RIGHT, 1, V(MAP), "Right l", "cursor right; grid: next head", move_right},
    {'l', 0, V(MAP), NULL, NULL, move_right},
    {KEY_UP, 1, V(MAP), "Up k", "cursor up (query); row focus, table, steps: previous",
     move_up},
    {'k', 0, V(MAP), NULL, NULL, move_up},
    {KEY_DOWN, 1, V(MAP), "Down j", "cursor down; row focus, table, steps: next", move_down},
    {'j', 0, V(MAP), NULL, NULL, move_down},
    {KEY_UP, 1, V(ROW), NULL, NULL, query_prev},
    {'k', 0, V(ROW), NULL, NULL, query_prev},
    {KEY_DOWN, 1, V(ROW), NULL, NULL, query_next},
    {'j', 0, V(ROW), NULL, NULL, query_next},
    {KEY_LEFT, 1, THUMBS, NULL, NULL, thumb_left},
    {'h', 0, THUMBS, NULL, NULL, thumb_left},
    {KEY_RIGHT, 1, THUMBS, NULL, NULL, thumb_right},
    {'l', 0, THUMBS, NULL, NULL, thumb_right},
    {KEY_UP, 1, THUMBS, NULL, NULL, thumb_up},
    {'k', 0, THUMBS, NULL, NULL, thumb_up},
    {KEY_DOWN, 1, THUMBS, NULL, NULL, thumb_down},
    {'j', 0, THUMBS, NULL, NULL, thumb_down},
    {KEY_UP, 1, V(TABLE), NULL, NULL, table_up},
    {'k', 0, V(TABLE), NULL, NULL, table_up},
    {KEY_DOWN, 1, V(TABLE), NULL, NULL, table_down},
    {'j', 0, V(TABLE), NULL, NULL, table_down},
    {KEY_PPAGE, 1, V(TABLE), NULL, NULL, table_pgup},
    {KEY_NPAGE, 1, V(TABLE), NULL, NULL, table_pgdn},
    {KEY_UP, 1, V(STEPS), NULL, NULL, step_prev},
    {'k', 0, V(STEPS), NULL, NULL, step_prev},
    {KEY_LEFT, 1, V(STEPS), NULL, NULL, step_prev},
    {'h', 0, V(STEPS), NULL, NULL, step_prev},
    {KEY_DOWN, 1, V(STEPS), NULL, NULL, step_next},
    {'j', 0, V(STEPS), NULL, NULL, step_next},
    {KEY_RIGHT, 1, V(STEPS), NULL, NULL, step_next},
    {'l', 0, V(STEPS), NULL, NULL, step_next},
    {'g', 0, ALL, "gg G", "first / last query (table: row, steps: step)", go_top},
    {'G', 0, ALL, NULL, NULL, go_bottom},
    {'0', 0, V(MAP), "0 $", "first / last key", go_line_start},
    {'$', 0, V(MAP), NULL, NULL, go_line_end},
    {KEY_PPAGE, 1, V(MAP) | V(ROW), "PgUp PgDn", "a screen up / down", page_up},
    {KEY_NPAGE, 1, V(MAP) | V(ROW), NULL, NULL, page_down},
    {'+', 0, V(MAP), "+ - =", "zoom in / out / fit the whole map", zoom_in},
    {'-', 0, V(MAP), NULL, NULL, zoom_out},
    {'=', 0, V(MAP), NULL, NULL, zoom_fit},
    {KEY_MOUSE, 1, ALL, "mouse", "click selects a cell / thumbnail / row, wheel scrolls", mouse},
    /* search, go-to */
    {'/', 0, V(MAP) | V(ROW), "/ n N", "find a token (query rows, then key columns)", search},
    {'n', 0, V(MAP) | V(ROW), NULL, NULL, search_next},
    {'N', 0, V(MAP) | V(ROW), NULL, NULL, search_prev},
    {':', 0, ALL, ":", "go to, e.g. :L3 H5 q12 k4 (or mean / max)", go_to},
    /* looks */
    {'c', 0, ALL, "c", "next colormap (viridis, magma, gray, diverging)", next_cmap},
    {'r', 0, ALL, "r", "colour range: global 0..1 / per-map min..max", toggle_norm},
    {'A', 0, V(MAP), "A", "word links on the cross map: aligned cells get a dot (as align)",
     toggle_align},
    /* other */
    {'s', 0, ALL, "s", "save the screen as attnscope-N.txt and .ans", snapshot},
    {'e', 0, ALL, "e", "edit the source sentence, Enter reruns the model", edit_source},
    {'E', 0, ALL, "E", "edit the source and a reference target (empty: decode)", edit_both},
    {'?', 0, ALL, "? F1", "this help", show_help},
    {KEY_F(1), 1, ALL, NULL, NULL, show_help},
    {CTRL('l'), 0, ALL, "C-l", "redraw the screen", redraw},
    {'q', 0, ALL, "q F10 C-c", "quit", quit},
    {KEY_F(10), 1, ALL, NULL, NULL, quit},
    {CTRL('c'), 0, ALL, NULL, NULL, quit},
};

enum { N_BINDINGS = sizeof bindings / sizeof bindings[0] };

int as_tui_key(as_tui_app *app, int key, int is_key)
{
    int quitting = !is_key && (key == 'q' || key == CTRL('c'));
    quitting |= is_key && key == KEY_F(10);
    app->msg[0] = '\0';
    if (app->help && !quitting) { /* j / k scroll the overlay, any other key closes it */
        int down = (!is_key && key == 'j') || (is_key && (key == KEY_DOWN || key == KEY_NPAGE));
        int up = (!is_key && key == 'k') || (is_key && (key == KEY_UP || key == KEY_PPAGE));
        if (down || up) {
            int step = is_key && (key == KEY_NPAGE || key == KEY_PPAGE) ? LINES / 2 : 1;
            app->help_top += down ? step : -step;
            if (app->help_top < 0)
                app->help_top = 0;
        } else {
            app->help = 0;
        }
        return AS_TUI_REDRAW;
    }
    /* gg: the first g only arms the second (vi); any other key disarms it. */
    int armed = app->pending_g;
    app->pending_g = 0;
    if (!is_key && key == 'g' && !armed) {
        app->pending_g = 1;
        return 0;
    }
    for (int i = 0; i < N_BINDINGS; i++) {
        const binding *b = &bindings[i];
        if (b->key == key && b->is_key == is_key && (b->views & (1u << app->view)))
            return b->fn(app);
    }
    return 0;
}

const char *as_tui_help_line(int i, char *buf, size_t sz)
{
    for (int b = 0; b < N_BINDINGS; b++) {
        if (!bindings[b].name)
            continue;
        if (i-- == 0) {
            snprintf(buf, sz, "%-10s %s", bindings[b].name, bindings[b].help);
            return buf;
        }
    }
    return NULL;
}
