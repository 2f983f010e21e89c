/* Backend-independent side of kern: creation by device name, stats, and the bounds checks every
 * op gets before it reaches a backend (a view past the end of its buffer is a bug in the caller,
 * caught here for both backends instead of as silent corruption on one of them). */
#include "attnscope/kern.h"

#include <string.h>

void as_kern_destroy(as_kern *k)
{
    if (k)
        k->vt->destroy(k);
}

const char *as_kern_name(const as_kern *k)
{
    return k->name;
}

as_kern_stats as_kern_get_stats(const as_kern *k)
{
    return k->stats;
}

int as_buf_create(as_kern *k, size_t bytes, as_buf **out)
{
    return k->vt->buf_create(k, bytes, out);
}

void as_buf_destroy(as_kern *k, as_buf *b)
{
    if (b)
        k->vt->buf_destroy(k, b);
}

size_t as_buf_size(const as_buf *b)
{
    return b->size;
}

int as_buf_write(as_kern *k, as_buf *b, size_t off, const void *src, size_t n)
{
    AS_ASSERT(!k->recording && off <= b->size && n <= b->size - off);
    return k->vt->buf_write(k, b, off, src, n);
}

int as_buf_read(as_kern *k, const as_buf *b, size_t off, void *dst, size_t n)
{
    AS_ASSERT(!k->recording && off <= b->size && n <= b->size - off);
    return k->vt->buf_read(k, b, off, dst, n);
}

int as_kern_begin(as_kern *k)
{
    AS_ASSERT(!k->recording);
    k->error = AS_OK;
    int rc = k->vt->begin(k);
    if (rc == AS_OK)
        k->recording = 1;
    return rc;
}

int as_kern_end(as_kern *k)
{
    AS_ASSERT(k->recording);
    k->recording = 0;
    int rc = k->vt->end(k);
    k->stats.submits++;
    return k->error != AS_OK ? k->error : rc;
}

/* ---- view checks ---------------------------------------------------------------------------*/

/* The last element a view touches is off + span - 1; span counts 4-byte elements. */
static void check_view(as_tv v, size_t span, const char *what)
{
    if (!v.buf)
        return;
    size_t elems = v.buf->size / 4;
    if (v.off > elems || span > elems - v.off)
        as_assert_fail(what, __FILE__, __LINE__);
}

/* Span of a strided row view: rows-1 full strides plus one row of width. */
static size_t strided_span(size_t rows, size_t stride, size_t width)
{
    return rows ? (rows - 1) * stride + width : 0;
}

static void record(as_kern *k)
{
    AS_ASSERT(k->recording);
    k->stats.dispatches++;
}

void as_kern_matmul(as_kern *k, const as_op_matmul *p)
{
    record(k);
    AS_ASSERT(p->y.buf && p->x.buf && p->w.buf && p->M && p->N && p->K);
    check_view(p->y, (size_t)p->M * p->N, "matmul y in bounds");
    check_view(p->x, (size_t)p->M * p->K, "matmul x in bounds");
    check_view(p->w, (size_t)p->N * p->K, "matmul w in bounds");
    check_view(p->bias, p->N, "matmul bias in bounds");
    check_view(p->res, (size_t)p->M * p->N, "matmul res in bounds");
    size_t mn = (size_t)p->M * p->N;
    AS_ASSERT(!p->has_act || p->res.buf != p->y.buf || p->res.off >= p->y.off + mn ||
              p->y.off >= p->res.off + mn); /* res overlaps y only without an activation */
    k->vt->matmul(k, p);
}

void as_kern_layernorm(as_kern *k, const as_op_layernorm *p)
{
    record(k);
    AS_ASSERT(p->y.buf && p->x.buf && p->gamma.buf && p->beta.buf && p->M && p->N);
    check_view(p->y, (size_t)p->M * p->N, "layernorm y in bounds");
    check_view(p->x, (size_t)p->M * p->N, "layernorm x in bounds");
    check_view(p->gamma, p->N, "layernorm gamma in bounds");
    check_view(p->beta, p->N, "layernorm beta in bounds");
    k->vt->layernorm(k, p);
}

void as_kern_embed(as_kern *k, const as_op_embed *p)
{
    record(k);
    AS_ASSERT(p->y.buf && p->ids.buf && p->table.buf && p->M && p->D);
    check_view(p->y, (size_t)p->M * p->D, "embed y in bounds");
    check_view(p->ids, p->M, "embed ids in bounds");
    check_view(p->pos, (size_t)(p->pos_start + p->M) * p->D, "embed pos in bounds");
    k->vt->embed(k, p);
}

void as_kern_scores(as_kern *k, const as_op_scores *p)
{
    record(k);
    AS_ASSERT(p->s.buf && p->q.buf && p->k.buf && p->H && p->Tq && p->Tk && p->dh);
    check_view(p->s, (size_t)p->H * p->Tq * p->Tk, "scores s in bounds");
    check_view(p->q, strided_span(p->Tq, p->q_stride, (size_t)p->H * p->dh), "scores q in bounds");
    check_view(p->k, strided_span(p->Tk, p->k_stride, (size_t)p->H * p->dh), "scores k in bounds");
    k->vt->scores(k, p);
}

void as_kern_softmax(as_kern *k, const as_op_softmax *p)
{
    record(k);
    AS_ASSERT(p->p.buf && p->s.buf && p->rows && p->cols && p->Tq && p->rows % p->Tq == 0);
    check_view(p->p, (size_t)p->rows * p->cols, "softmax p in bounds");
    check_view(p->s, (size_t)p->rows * p->cols, "softmax s in bounds");
    k->vt->softmax(k, p);
}

void as_kern_apply(as_kern *k, const as_op_apply *p)
{
    record(k);
    AS_ASSERT(p->o.buf && p->p.buf && p->v.buf && p->H && p->Tq && p->Tk && p->dh);
    check_view(p->o, strided_span(p->Tq, p->o_stride, (size_t)p->H * p->dh), "apply o in bounds");
    check_view(p->p, (size_t)p->H * p->Tq * p->Tk, "apply p in bounds");
    check_view(p->v, strided_span(p->Tk, p->v_stride, (size_t)p->H * p->dh), "apply v in bounds");
    k->vt->apply(k, p);
}

void as_kern_attend_row(as_kern *k, const as_op_attend_row *p)
{
    record(k);
    AS_ASSERT(p->o.buf && p->p.buf && p->q.buf && p->k.buf && p->v.buf && p->H && p->Tk && p->dh);
    size_t width = (size_t)p->H * p->dh;
    check_view(p->o, width, "attend_row o in bounds");
    check_view(p->p, (size_t)p->H * p->Tk, "attend_row p in bounds");
    check_view(p->q, width, "attend_row q in bounds");
    check_view(p->k, strided_span(p->Tk, p->k_stride, width), "attend_row k in bounds");
    check_view(p->v, strided_span(p->Tk, p->v_stride, width), "attend_row v in bounds");
    k->vt->attend_row(k, p);
}
