/* What the explorer shows: the current matrix (one head or the mean over heads), its labels,
 * and the rules that keep kind / layer / head / cursor valid when the store changes. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>

const float *as_tui_view_matrix(as_tui_app *app, int *rows, int *cols)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    *rows = m->q;
    *cols = m->k;
    if (!app->mean)
        return as_attn_head(app->attn, app->kind, app->layer, app->head);
    size_t n = (size_t)m->q * m->k;
    if (n > app->mean_cap) {
        float *p = as_try_calloc(n, sizeof *p, "mean over heads");
        if (!p) {
            snprintf(app->msg, sizeof app->msg, "%s", as_last_error());
            app->mean = 0;
            return as_attn_head(app->attn, app->kind, app->layer, app->head);
        }
        free(app->mean_buf);
        app->mean_buf = p;
        app->mean_cap = n;
    }
    as_attn_head_mean(app->attn, app->kind, app->layer, app->mean_buf);
    return app->mean_buf;
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

int as_tui_view_label_width(const as_tui_app *app, int axis_of_rows)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    int n = axis_of_rows ? m->q : m->k, widest = 1;
    char buf[32];
    for (int i = 0; i < n; i++) {
        int w = as_render_text_width(as_tui_view_label(app, axis_of_rows, i, buf, sizeof buf),
                                     !app->utf8);
        if (w > widest)
            widest = w;
    }
    return widest;
}
