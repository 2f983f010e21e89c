/* What the explorer shows: the current matrix (one head or an aggregate over heads) with its
 * pooling pyramid, cached until the selection or the store changes (so moving the cursor over a
 * 4,096 x 4,096 map costs a screen, not a matrix), its labels, and the rules that keep kind /
 * layer / head / cursor valid when the store changes. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const float *as_tui_view_head(const as_tui_app *app, as_attn_kind kind, int layer, int head,
                              as_tui_agg agg, float *buf)
{
    const as_attn_map *m = &app->attn->map[kind];
    size_t n = (size_t)m->q * m->k;
    if (agg == AS_TUI_AGG_HEAD && !m->qk)
        return as_attn_head(app->attn, kind, layer, head);
    if (agg == AS_TUI_AGG_HEAD) { /* a Q/K head lives in a cache slot others will reuse: copy */
        memcpy(buf, as_attn_head(app->attn, kind, layer, head), sizeof *buf * n);
    } else if (agg == AS_TUI_AGG_MEAN) {
        as_attn_head_mean(app->attn, kind, layer, buf);
    } else { /* max, one head at a time (heads of a Q/K store are not contiguous) */
        memcpy(buf, as_attn_head(app->attn, kind, layer, 0), sizeof *buf * n);
        for (int h = 1; h < m->heads; h++) {
            const float *p = as_attn_head(app->attn, kind, layer, h);
            for (size_t i = 0; i < n; i++)
                buf[i] = p[i] > buf[i] ? p[i] : buf[i];
        }
    }
    return buf;
}

const float *as_tui_view_matrix(as_tui_app *app, int *rows, int *cols,
                                const as_render_pyr **pyr)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    *rows = m->q;
    *cols = m->k;
    if (app->cache_valid && app->cache_gen == app->attn_gen && app->cache_kind == (int)app->kind &&
        app->cache_layer == app->layer && app->cache_agg == (int)app->agg &&
        (app->agg != AS_TUI_AGG_HEAD || app->cache_head == app->head)) {
        *pyr = app->pyr.levels ? &app->pyr : NULL;
        return app->cache_m;
    }
    size_t n = (size_t)m->q * m->k;
    if ((app->agg != AS_TUI_AGG_HEAD || m->qk) && n > app->agg_cap) {
        float *p = as_try_calloc(n, sizeof *p, "aggregate over heads");
        if (!p && m->qk) { /* the head straight from the store's cache, for this frame only */
            snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
            app->agg = AS_TUI_AGG_HEAD;
            app->cache_valid = 0;
            *pyr = NULL;
            return as_attn_head(app->attn, app->kind, app->layer, app->head);
        }
        if (!p) {
            snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
            app->agg = AS_TUI_AGG_HEAD;
            return as_tui_view_matrix(app, rows, cols, pyr);
        }
        free(app->agg_buf);
        app->agg_buf = p;
        app->agg_cap = n;
    }
    app->cache_m = as_tui_view_head(app, app->kind, app->layer, app->head, app->agg, app->agg_buf);
    as_render_pyr_free(&app->pyr);
    if (as_render_pyr_build(&app->pyr, app->cache_m, m->q, m->k, m->k) != AS_OK)
        snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
    app->cache_valid = 1;
    app->cache_gen = app->attn_gen;
    app->cache_kind = (int)app->kind;
    app->cache_layer = app->layer;
    app->cache_head = app->head;
    app->cache_agg = (int)app->agg;
    *pyr = app->pyr.levels ? &app->pyr : NULL;
    return app->cache_m;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void as_tui_view_clamp(as_tui_app *app)
{
    if (app->attn->map[app->kind].layers == 0) {
        for (int k = 0; k < AS_ATTN_KINDS; k++) {
            if (app->attn->map[k].layers > 0) {
                app->kind = (as_attn_kind)k;
                break;
            }
        }
    }
    const as_attn_map *m = &app->attn->map[app->kind];
    app->layer = clamp(app->layer, 0, m->layers - 1);
    app->head = clamp(app->head, 0, m->heads - 1);
    app->q = clamp(app->q, 0, m->q - 1);
    app->k = clamp(app->k, 0, m->k - 1);
    app->first_q = clamp(app->first_q, 0, m->q - 1);
    app->first_k = clamp(app->first_k, 0, m->k - 1);
}

const char *as_tui_view_label(const as_tui_app *app, int axis_of_rows, int i, char *buf,
                              size_t sz)
{
    as_attn_axis axis = axis_of_rows ? as_attn_row_axis(app->kind) : as_attn_col_axis(app->kind);
    const as_attn_axis_tokens *t = &app->attn->axis[axis];
    if (t->labels && i < t->n && t->labels[i])
        return t->labels[i];
    snprintf(buf, sz, "%d", i);
    return buf;
}

static int measure(const as_tui_app *app, int axis_of_rows)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    int n = axis_of_rows ? m->q : m->k, widest = 1;
    char buf[32];
    for (int i = 0; i < n && widest < AS_TUI_MAX_LABEL_W; i++) {
        int w = as_render_text_width(as_tui_view_label(app, axis_of_rows, i, buf, sizeof buf),
                                     !app->utf8);
        if (w > widest)
            widest = w;
    }
    return widest;
}

int as_tui_view_label_width(as_tui_app *app, int axis_of_rows)
{
    /* Measured once per store and map type: a 4,096-token axis is not re-measured per frame. */
    if (!app->lw_valid || app->lw_gen != app->attn_gen || app->lw_kind != (int)app->kind) {
        app->lw[0] = measure(app, 0);
        app->lw[1] = measure(app, 1);
        app->lw_valid = 1;
        app->lw_gen = app->attn_gen;
        app->lw_kind = (int)app->kind;
    }
    return app->lw[axis_of_rows ? 1 : 0];
}

const char *as_tui_view_head_name(const as_tui_app *app, char *buf, size_t sz)
{
    static const char *const agg[] = {"", "mean", "max"};
    if (app->agg != AS_TUI_AGG_HEAD)
        snprintf(buf, sz, "head %s", agg[app->agg]);
    else
        snprintf(buf, sz, "head %d/%d", app->head, app->attn->map[app->kind].heads);
    return buf;
}
