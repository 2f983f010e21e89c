/* Generation steps: step through the decoded tokens. Step t (a position >= 1 of the generated
 * axis) shows the token chosen there, its probability softmax(logits[t - 1])[token] (the logits
 * of position t - 1 predict token t), and the attention row of query t - 1 as bars: the
 * cross-attention over the source for encoder-decoder models, else the single stack's
 * self-attention over the preceding tokens. Uses the current layer and head / aggregate. */
#include "tui_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int as_tui_steps_info(const as_tui_app *app, as_attn_kind *kind, as_attn_axis *axis, int *first)
{
    const as_attn *a = app->attn;
    int cross = a->map[AS_ATTN_CROSS].layers > 0;
    *kind = cross ? AS_ATTN_CROSS : AS_ATTN_ENCODER;
    *axis = cross ? AS_AXIS_TARGET : AS_AXIS_SOURCE;
    const as_attn_map *m = &a->map[*kind];
    int n = a->axis[*axis].n < m->q ? a->axis[*axis].n : m->q;
    if (m->layers == 0 || n < 2)
        return 0;
    if (cross) { /* every target position after the start token (decoded or forced) */
        *first = 1;
        return n - 1;
    }
    /* A single stack (GPT-2): the tokens generated after the prompt; none for encoders (BERT). */
    int gen = a->n_generated < n ? a->n_generated : n - 1;
    *first = n - gen;
    return gen > 0 ? gen : 0;
}

/* Row q of (kind, layer): head `head`, or the mean / max over heads, into out[k]. */
static void agg_row(const as_attn *a, as_attn_kind kind, int layer, int head, as_tui_agg agg,
                    int q, float *out)
{
    const as_attn_map *m = &a->map[kind];
    int h0 = agg == AS_TUI_AGG_HEAD ? head : 0, h1 = agg == AS_TUI_AGG_HEAD ? head + 1 : m->heads;
    /* heads outer: a Q/K store materialises one head per request (attn.h) */
    double *acc = as_xmalloc(sizeof *acc * (size_t)m->k);
    for (int j = 0; j < m->k; j++)
        acc[j] = agg == AS_TUI_AGG_MAX ? -1.0 : 0.0;
    for (int h = h0; h < h1; h++) {
        const float *p = as_attn_head(a, kind, layer, h) + (size_t)q * m->k;
        for (int j = 0; j < m->k; j++)
            acc[j] = agg == AS_TUI_AGG_MAX ? (p[j] > acc[j] ? p[j] : acc[j]) : acc[j] + p[j];
    }
    for (int j = 0; j < m->k; j++)
        out[j] = (float)(agg == AS_TUI_AGG_MEAN ? acc[j] / m->heads : acc[j]);
    free(acc);
}

/* softmax(logits[row])[id] in double; NaN without logits. */
static double probability(const as_attn *a, int row, int id)
{
    if (!a->logits || row >= a->logits_rows || id < 0 || id >= a->logits_cols)
        return NAN;
    const float *l = a->logits + (size_t)row * a->logits_cols;
    double mx = l[0], sum = 0.0;
    for (int v = 1; v < a->logits_cols; v++)
        mx = l[v] > mx ? l[v] : mx;
    for (int v = 0; v < a->logits_cols; v++)
        sum += exp((double)l[v] - mx);
    return exp((double)l[id] - mx) / sum;
}

void as_tui_steps_draw(as_tui_app *app)
{
    as_tui_draw_title(app, 0.0f, 1.0f);
    as_attn_kind kind;
    as_attn_axis axis;
    int first_pos = 1, steps = as_tui_steps_info(app, &kind, &axis, &first_pos);
    if (steps == 0) {
        as_tui_draw_status(app, "generation steps", "nothing was generated: no steps to show");
        return;
    }
    const as_attn *a = app->attn;
    const as_attn_map *m = &a->map[kind];
    const as_attn_axis_tokens *t = &a->axis[axis];
    if (app->step < 1)
        app->step = 1;
    if (app->step > steps)
        app->step = steps;
    int pos = first_pos + app->step - 1;
    int layer = app->layer < m->layers ? app->layer : m->layers - 1;
    int head = app->head < m->heads ? app->head : m->heads - 1;
    /* Only query pos - 1's row is shown: aggregate that row over heads, not the whole map. */
    float *row = as_xmalloc((size_t)m->k * sizeof *row);
    agg_row(a, kind, layer, head, app->agg, pos - 1, row);

    /* The sequence with the current token marked, then the step's numbers. */
    char line[512], tok[64];
    int x = 1;
    for (int i = 0; i < t->n && x < COLS - 1; i++) {
        const char *s = t->labels && t->labels[i] ? t->labels[i] : "?";
        int w = as_render_text_width(s, !app->utf8);
        as_tui_put_text(app, 2, x, s, COLS - 1 - x, i == pos ? A_REVERSE | A_BOLD : A_NORMAL);
        x += w + 1;
    }
    const char *label = t->labels && t->labels[pos] ? t->labels[pos] : "?";
    as_render_text_fit(label, 24, !app->utf8, tok, sizeof tok);
    double prob = probability(a, pos - 1, t->ids ? t->ids[pos] : -1);
    char pstr[32];
    if (isnan(prob))
        snprintf(pstr, sizeof pstr, "n/a (no logits)");
    else
        snprintf(pstr, sizeof pstr, "%.4f", prob);
    snprintf(line, sizeof line, "step %d/%d  token %s  p=%s  %s row of query %d", app->step, steps,
             tok, pstr, as_attn_kind_name(kind), pos - 1);
    as_tui_put_text(app, 4, 1, line, COLS - 2, A_BOLD);

    /* The attention row over every key, in key order (a source sentence reads left to right). */
    enum { LABEL_W = 12 };
    const as_attn_axis_tokens *kt = &a->axis[as_attn_col_axis(kind)];
    int first = 6, avail = LINES - 2 - first, bar_x = 1 + 7 + LABEL_W + 8, bar_w = COLS - bar_x - 1;
    for (int j = 0; j < m->k && j < avail; j++) {
        char kl[4 * LABEL_W + 1];
        const char *ks = kt->labels && j < kt->n && kt->labels[j] ? kt->labels[j] : "";
        int w = as_render_text_fit(ks, LABEL_W, !app->utf8, kl, sizeof kl);
        snprintf(line, sizeof line, "k[%3d] %s%*s %.4f", j, kl, LABEL_W - w, "", (double)row[j]);
        as_tui_put_text(app, first + j, 1, line, COLS - 2, A_NORMAL);
        as_tui_draw_bar(app, first + j, bar_x, bar_w, (double)row[j]);
    }
    char head_s[32];
    if (app->agg != AS_TUI_AGG_HEAD)
        snprintf(head_s, sizeof head_s, "%s", app->agg == AS_TUI_AGG_MEAN ? "mean" : "max");
    else
        snprintf(head_s, sizeof head_s, "%d/%d", head, m->heads);
    free(row);
    snprintf(line, sizeof line, "steps  %s  layer %d/%d  head %s  step %d/%d  token %s  p=%s",
             as_attn_kind_name(kind), layer, m->layers, head_s, app->step, steps, tok,
             pstr);
    as_tui_draw_status(app, line, "j/k or arrows step  g G first/last  [ ] layer  < > head  "
                                  "a aggregate  m/Esc map  ? help  q quit");
}
