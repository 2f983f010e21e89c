/* Head table (htop-style): one row per (layer, head) of the current map type with its entropy,
 * largest weight, mass on the first token (sink / BOS), diagonal and previous-token scores and
 * mean attention distance (analysis.h definitions). < and > pick the sort column, I inverts it,
 * a click on a column name sorts by it, Enter opens the head in the map view. With gold links
 * (--gold) the cross table adds each head's alignment error rate against them, the per-head AER
 * of `attnscope align --gold --rank-heads` on this one sentence pair. The statistics are
 * computed once per store and map type. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    COL_LAYER, COL_HEAD, COL_ENTROPY, COL_MAX, COL_FIRST, COL_DIAG, COL_PREV, COL_DIST,
    COL_AER /* with gold links on the cross map only */
};

static const struct {
    const char *name;
    int width;
    as_an_stat stat; /* for columns computed by as_an_stat_of */
} columns[AS_TUI_TABLE_COLS] = {
    {"layer", 5, AS_AN_STATS},
    {"head", 5, AS_AN_STATS},
    {"entropy", 8, AS_AN_STAT_ENTROPY_MEAN},
    {"max", 7, AS_AN_STATS},
    {"first", 7, AS_AN_STAT_FIRST_TOKEN},
    {"diag", 7, AS_AN_STAT_DIAG_MEAN},
    {"prev", 7, AS_AN_STAT_PREV_TOKEN},
    {"distance", 8, AS_AN_STAT_DISTANCE},
    {"AER", 7, AS_AN_STATS},
};

enum { HEADER_Y = 2, FIRST_Y = 3 };

static int n_rows(const as_tui_app *app)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    return m->layers * m->heads;
}

int as_tui_table_cols(const as_tui_app *app)
{
    return app->gold_on && app->kind == AS_ATTN_CROSS ? AS_TUI_TABLE_COLS : COL_AER;
}

/* Alignment error rate of (layer, head) against the gold links, as align_pair in cli_align.c
 * scores a ranked head. -1 (shown as "-") if the head cannot be aligned. */
static float head_aer(const as_tui_app *app, int layer, int head)
{
    const as_tui_opts *o = app->opts;
    as_an_align_opts ao = o->align;
    ao.l0 = ao.l1 = layer;
    ao.head = head;
    as_an_alignment al;
    if (as_an_align_store(app->attn, &ao, &al) != AS_OK)
        return -1.0f;
    as_an_aer_counts c = {0};
    as_an_aer_add(&c, al.links, al.n, o->gold, o->n_gold);
    as_an_alignment_free(&al);
    return (float)as_an_aer(&c);
}

static float value(const as_tui_app *app, int row, int c)
{
    return app->stats[(size_t)row * AS_TUI_TABLE_COLS + c];
}

/* a before b in the current order? Ties keep (layer, head) order. */
static int before(const as_tui_app *app, int a, int b)
{
    float va = value(app, a, app->table_sort), vb = value(app, b, app->table_sort);
    if (va != vb)
        return app->table_desc ? va > vb : va < vb;
    return a < b;
}

static void sort_rows(as_tui_app *app)
{
    int n = n_rows(app);
    for (int i = 0; i < n; i++)
        app->order[i] = i;
    /* Insertion sort: a few hundred heads, and it is stable. */
    for (int i = 1; i < n; i++) {
        int v = app->order[i], j = i;
        while (j > 0 && before(app, v, app->order[j - 1])) {
            app->order[j] = app->order[j - 1];
            j--;
        }
        app->order[j] = v;
    }
}

static int compute(as_tui_app *app)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    int n = n_rows(app);
    free(app->stats);
    free(app->order);
    app->stats = as_try_calloc((size_t)n * AS_TUI_TABLE_COLS, sizeof(float), "head table");
    app->order = as_try_calloc((size_t)n, sizeof(int), "head table");
    if (!app->stats || !app->order) {
        snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
        return 0;
    }
    for (int l = 0; l < m->layers; l++) {
        for (int h = 0; h < m->heads; h++) {
            const float *p = as_attn_head(app->attn, app->kind, l, h);
            float *row = app->stats + (size_t)(l * m->heads + h) * AS_TUI_TABLE_COLS;
            row[COL_LAYER] = (float)l;
            row[COL_HEAD] = (float)h;
            row[COL_MAX] = as_an_peak_find(p, m->q, m->k).value;
            for (int c = 0; c < AS_TUI_TABLE_COLS; c++) {
                double v;
                if (columns[c].stat != AS_AN_STATS &&
                    as_an_stat_of(columns[c].stat, p, m->q, m->k, &v) == AS_OK)
                    row[c] = (float)v;
            }
            if (as_tui_table_cols(app) > COL_AER)
                row[COL_AER] = head_aer(app, l, h);
        }
    }
    app->stats_valid = 1;
    app->stats_gen = app->attn_gen;
    app->stats_kind = (int)app->kind;
    return 1;
}

int as_tui_table_ready(as_tui_app *app)
{
    if (!app->stats_valid || app->stats_gen != app->attn_gen ||
        app->stats_kind != (int)app->kind) {
        if (!compute(app))
            return 0;
    }
    if (app->table_sort >= as_tui_table_cols(app)) /* AER sort, then a table without it */
        app->table_sort = COL_ENTROPY;
    sort_rows(app);
    int n = n_rows(app);
    if (app->table_sel >= n)
        app->table_sel = n - 1;
    if (app->table_sel < 0)
        app->table_sel = 0;
    return 1;
}

void as_tui_table_row(const as_tui_app *app, int row, int *layer, int *head)
{
    int i = app->order[row], heads = app->attn->map[app->kind].heads;
    *layer = i / heads;
    *head = i % heads;
}

void as_tui_table_draw(as_tui_app *app)
{
    as_tui_draw_title(app, 0.0f, 1.0f);
    if (!as_tui_table_ready(app)) {
        as_tui_draw_status(app, "head table", "");
        return;
    }
    char cell[64], line[512];
    int x = 1;
    int ncols = as_tui_table_cols(app);
    for (int c = 0; c < ncols; c++) {
        snprintf(cell, sizeof cell, "%*s%s", columns[c].width, columns[c].name,
                 c == app->table_sort ? (app->table_desc ? "v" : "^") : " ");
        as_tui_put_text(app, HEADER_Y, x, cell, COLS - x,
                        c == app->table_sort ? A_REVERSE | A_BOLD : A_BOLD);
        x += columns[c].width + 2;
    }
    int n = n_rows(app), visible = LINES - 2 - FIRST_Y;
    app->table_top = as_tui_layout_scroll(app->table_top, app->table_sel, visible, n);
    for (int r = app->table_top; r < n && r < app->table_top + visible; r++) {
        int i = app->order[r], len = 0;
        line[0] = '\0';
        for (int c = 0; c < ncols && len < (int)sizeof line - 32; c++) {
            float v = value(app, i, c);
            if (c == COL_AER && v < 0)
                len += snprintf(line + len, sizeof line - (size_t)len, "%*s  ", columns[c].width,
                                "-");
            else if (c <= COL_HEAD)
                len += snprintf(line + len, sizeof line - (size_t)len, "%*d  ", columns[c].width,
                                (int)v);
            else
                len += snprintf(line + len, sizeof line - (size_t)len, "%*.4f  ",
                                columns[c].width, (double)v);
        }
        as_tui_put_text(app, FIRST_Y + r - app->table_top, 1, line, COLS - 2,
                        r == app->table_sel ? A_REVERSE : A_NORMAL);
    }
    const as_attn_map *m = &app->attn->map[app->kind];
    snprintf(line, sizeof line, "%s  head table  %d heads  sorted by %s (%s)",
             as_attn_kind_name(app->kind), m->layers * m->heads,
             columns[app->table_sort].name,
             app->table_desc ? "descending" : "ascending");
    as_tui_draw_status(app, line, "j/k select  < > sort column  I invert  Enter open  Tab/1-3 "
                                  "map type  m/Esc map  ? help  q quit");
}

int as_tui_table_click(as_tui_app *app, int y, int x, int activate)
{
    if (y == HEADER_Y) { /* a column name: sort by it (again: invert) */
        int cx = 1;
        for (int c = 0; c < as_tui_table_cols(app); c++) {
            if (x >= cx && x < cx + columns[c].width + 2) {
                if (app->table_sort == c)
                    app->table_desc = !app->table_desc;
                app->table_sort = c;
                return AS_TUI_REDRAW;
            }
            cx += columns[c].width + 2;
        }
        return 0;
    }
    int r = app->table_top + y - FIRST_Y;
    if (y < FIRST_Y || r >= n_rows(app))
        return 0;
    app->table_sel = r;
    if (activate) {
        as_tui_table_row(app, r, &app->layer, &app->head);
        app->agg = AS_TUI_AGG_HEAD;
        app->view = AS_TUI_VIEW_MAP;
    }
    return AS_TUI_REDRAW;
}
