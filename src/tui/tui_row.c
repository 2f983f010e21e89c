/* Row focus: the cursor's query token and its top keys as a horizontal bar chart (value and
 * token text on every bar), the way one reads a single attention distribution. j / k step
 * through the queries. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Keys of row m[0..n) by decreasing value (ties: lower key first), first `top` of them. */
static int *top_keys(const float *row, int n, int top)
{
    int *idx = as_xmalloc((size_t)top * sizeof *idx);
    int used = 0;
    /* Partial selection: top is at most a screen of lines, n may be thousands. */
    for (int j = 0; j < n; j++) {
        int pos = used;
        while (pos > 0 && row[idx[pos - 1]] < row[j])
            pos--;
        if (pos >= top)
            continue;
        if (used < top)
            used++;
        for (int i = used - 1; i > pos; i--)
            idx[i] = idx[i - 1];
        idx[pos] = j;
    }
    return idx;
}

void as_tui_row_draw(as_tui_app *app)
{
    int rows, cols;
    const as_render_pyr *pyr;
    const float *m = as_tui_view_matrix(app, &rows, &cols, &pyr);
    const float *row = m + (size_t)app->q * cols;
    float hi = 1.0f;
    if (app->norm == AS_RENDER_NORM_MINMAX) { /* per-map: bars relative to the row's maximum */
        hi = 0.0f;
        for (int j = 0; j < cols; j++)
            hi = row[j] > hi ? row[j] : hi;
        if (hi <= 0.0f)
            hi = 1.0f;
    }
    as_tui_draw_title(app, 0.0f, hi);
    int first = 4, avail = LINES - 2 - first;
    int top = cols < avail ? cols : avail;
    char ql[32], kl[32], head[32], line[512];
    snprintf(line, sizeof line, "query q[%d] %s  top %d of %d keys  (j/k: previous / next query)",
             app->q, as_tui_view_label(app, 1, app->q, ql, sizeof ql), top, cols);
    as_tui_put_text(app, 2, 1, line, COLS - 2, A_BOLD);
    if (top > 0) {
        int *idx = top_keys(row, cols, top);
        int label_w = as_tui_view_label_width(app, 0);
        int bar_x = 6 + 8 + label_w + 1 + 8, bar_w = COLS - bar_x - 1;
        for (int i = 0; i < top; i++) {
            int j = idx[i], y = first + i;
            attr_t attr = j == app->k ? A_BOLD | A_REVERSE : A_NORMAL;
            snprintf(line, sizeof line, "%4d  k[%4d] %-*s %.4f", i + 1, j, label_w,
                     as_tui_view_label(app, 0, j, kl, sizeof kl), (double)row[j]);
            as_tui_put_text(app, y, 0, line, bar_x - 1, attr);
            if (bar_w > 0)
                as_tui_draw_bar(app, y, bar_x, bar_w, (double)row[j] / hi);
        }
        free(idx);
    }
    snprintf(line, sizeof line, "%s  layer %d/%d  %s  q[%d] %s  k[%d] %s  %.4f  row focus",
             as_attn_kind_name(app->kind), app->layer, app->attn->map[app->kind].layers,
             as_tui_view_head_name(app, head, sizeof head), app->q,
             as_tui_view_label(app, 1, app->q, ql, sizeof ql), app->k,
             as_tui_view_label(app, 0, app->k, kl, sizeof kl), (double)row[app->k]);
    as_tui_draw_status(app, line, "j/k query  [ ] layer  < > head  a aggregate  m/Esc map  "
                                  "? help  q quit");
}
