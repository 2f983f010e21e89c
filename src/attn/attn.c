/* The attention store: plain arrays with their shapes, owned by one as_attn (maps in Q/K form:
 * attn_qk.c). */
#include "attn_internal.h"

#include <stdlib.h>
#include <string.h>

void as_attn_init(as_attn *a)
{
    memset(a, 0, sizeof *a);
}

static void free_axis(as_attn_axis_tokens *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->labels[i]);
        free(t->pieces[i]);
    }
    free(t->labels);
    free(t->pieces);
    free(t->ids);
    memset(t, 0, sizeof *t);
}

void as_attn_deinit(as_attn *a)
{
    if (!a)
        return;
    for (int k = 0; k < AS_ATTN_KINDS; k++) {
        free(a->map[k].p);
        as_attn_qk_destroy(a->map[k].qk);
    }
    free_axis(&a->axis[0]);
    free_axis(&a->axis[1]);
    free(a->hidden[0].h);
    free(a->hidden[1].h);
    free(a->logits);
    for (int i = 0; a->logit_labels && i < a->logits_cols; i++)
        free(a->logit_labels[i]);
    free(a->logit_labels);
    free(a->image.rgb);
    free(a->image.pixel_values);
    free(a->model_name);
    free(a->arch);
    memset(a, 0, sizeof *a);
}

int as_attn_alloc_map(as_attn *a, as_attn_kind kind, int layers, int heads, int q, int k)
{
    AS_ASSERT(kind < AS_ATTN_KINDS && layers > 0 && heads > 0 && q > 0 && k > 0);
    as_attn_map *m = &a->map[kind];
    free(m->p);
    as_attn_qk_destroy(m->qk);
    memset(m, 0, sizeof *m);
    size_t n;
    if (as_mul_size((size_t)layers * heads, (size_t)q * k, &n))
        return as_fail(AS_ENOMEM, "attention store: %s map of %d layers x %d heads x %d x %d "
                                  "overflows", as_attn_kind_name(kind), layers, heads, q, k);
    m->p = as_try_calloc(n, sizeof(float), "attention store");
    if (!m->p)
        return AS_ENOMEM;
    m->layers = layers;
    m->heads = heads;
    m->q = q;
    m->k = k;
    return AS_OK;
}

float *as_attn_head(const as_attn *a, as_attn_kind kind, int layer, int head)
{
    const as_attn_map *m = &a->map[kind];
    AS_ASSERT(layer >= 0 && layer < m->layers && head >= 0 && head < m->heads);
    if (m->qk)
        return as_attn_qk_head(m, layer, head);
    return m->p + ((size_t)layer * m->heads + head) * m->q * m->k;
}

as_attn_axis as_attn_row_axis(as_attn_kind kind)
{
    return kind == AS_ATTN_ENCODER ? AS_AXIS_SOURCE : AS_AXIS_TARGET;
}

as_attn_axis as_attn_col_axis(as_attn_kind kind)
{
    return kind == AS_ATTN_DECODER ? AS_AXIS_TARGET : AS_AXIS_SOURCE;
}

const char *as_attn_kind_name(as_attn_kind kind)
{
    static const char *const names[AS_ATTN_KINDS] = {"encoder", "decoder", "cross"};
    AS_ASSERT(kind < AS_ATTN_KINDS);
    return names[kind];
}

char *as_attn_export_name(const as_attn *a, as_attn_kind kind, int layer)
{
    if (a->single_stack)
        return as_xasprintf("attn.L%d", layer);
    return as_xasprintf("%s.attn.L%d", as_attn_kind_name(kind), layer);
}

int as_attn_alloc_hidden(as_attn *a, as_attn_axis axis, int states, int rows, int dim)
{
    AS_ASSERT((axis == AS_AXIS_SOURCE || axis == AS_AXIS_TARGET) && states > 0 && rows > 0 &&
              dim > 0);
    as_attn_hidden *h = &a->hidden[axis];
    free(h->h);
    memset(h, 0, sizeof *h);
    size_t n;
    if (as_mul_size((size_t)states * rows, (size_t)dim, &n))
        return as_fail(AS_ENOMEM, "attention store: %d hidden states of %d x %d overflow",
                       states, rows, dim);
    h->h = as_try_calloc(n, sizeof(float), "hidden states");
    if (!h->h)
        return AS_ENOMEM;
    h->states = states;
    h->rows = rows;
    h->dim = dim;
    return AS_OK;
}

char *as_attn_hidden_name(const as_attn *a, as_attn_axis axis, int state)
{
    if (a->single_stack)
        return as_xasprintf("hidden.L%d", state);
    return as_xasprintf("%s.hidden.L%d", axis == AS_AXIS_SOURCE ? "encoder" : "decoder", state);
}

void as_attn_set_axis(as_attn *a, as_attn_axis axis, int n, const int32_t *ids,
                      const char *const *pieces, const char *const *labels)
{
    as_attn_axis_tokens *t = &a->axis[axis];
    free_axis(t);
    t->n = n;
    t->ids = as_xmalloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    t->labels = as_xcalloc((size_t)(n ? n : 1), sizeof(char *));
    t->pieces = as_xcalloc((size_t)(n ? n : 1), sizeof(char *));
    for (int i = 0; i < n; i++) {
        t->ids[i] = ids[i];
        t->pieces[i] = as_xstrdup(pieces[i]);
        t->labels[i] = as_xstrdup(labels ? labels[i] : pieces[i]);
    }
}

void as_attn_head_mean(const as_attn *a, as_attn_kind kind, int layer, float *out)
{
    const as_attn_map *m = &a->map[kind];
    AS_ASSERT(layer >= 0 && layer < m->layers);
    if (m->qk) {
        as_attn_qk_mean(m, layer, out);
        return;
    }
    size_t n = (size_t)m->q * m->k;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (int h = 0; h < m->heads; h++)
            s += as_attn_head(a, kind, layer, h)[i];
        out[i] = (float)(s / m->heads);
    }
}
