/* Text heat maps for `attnscope dump`: ASCII (density ramp, no escape bytes: safe for files, diffs
 * and golden tests) and ANSI (coloured half-blocks). Layout: header line(s), column labels written
 * vertically (one character per line), then one text line per map row with the row label
 * right-aligned in a fixed column, then a legend of the value range. Everything is sized so no
 * line is wider than o->width; a matrix that does not fit is max-pooled and the header says so. */
#include "attnscope/render.h"

#include <stdlib.h>
#include <string.h>

enum {
    MIN_WIDTH = 24,
    MAX_LABEL_W = 14, /* row label column, in terminal columns */
    MAX_COL_LABEL_H = 8,
    LABEL_BYTES = 4 * MAX_LABEL_W + 1,
};

typedef struct {
    FILE *out;
    const as_render_dump_opts *o;
    int ansi;   /* emit escapes */
    int glyphs; /* density ramp instead of colour */
    as_render_axis rows, cols;
    int label_w;
    int color_of[256]; /* palette index per level (256 / 16 colour modes) */
    as_render_rgb lut[256];
} dump_ctx;

/* Label of bin b on an axis: the token label, its index if there are no labels, or the index
 * range "a-b" when the axis is pooled (one label would misname the other tokens of the bin). */
static const char *bin_label(const char *const *labels, const as_render_axis *ax, int b, char *buf,
                             size_t sz)
{
    int a = as_render_bin_start(ax->n, ax->bins, b);
    int e = as_render_bin_start(ax->n, ax->bins, b + 1) - 1;
    if (as_render_axis_pooled(ax)) {
        if (a == e)
            snprintf(buf, sz, "%d", a);
        else
            snprintf(buf, sz, "%d-%d", a, e);
        return buf;
    }
    if (labels && labels[b])
        return labels[b];
    snprintf(buf, sz, "%d", b);
    return buf;
}

static int max_label_width(const char *const *labels, const as_render_axis *ax)
{
    int w = 1;
    char buf[32];
    for (int b = 0; b < ax->bins; b++) {
        int lw = as_render_text_width(bin_label(labels, ax, b, buf, sizeof buf), 0);
        if (lw > w)
            w = lw;
    }
    return w;
}

static void put_spaces(FILE *out, int n)
{
    for (int i = 0; i < n; i++)
        fputc(' ', out);
}

/* Writes s cut to `width` columns, right-aligned (padded on the left) or left-aligned (ends the
 * line, so it is not padded). */
static void put_label(FILE *out, const char *s, int width, int right_align)
{
    char buf[LABEL_BYTES];
    int w = as_render_text_fit(s, width, 0, buf, sizeof buf);
    if (right_align)
        put_spaces(out, width - w);
    fputs(buf, out);
}

static void put_line(FILE *out, const char *s, int width)
{
    char *buf = as_xmalloc(4 * (size_t)width + 1);
    as_render_text_fit(s, width, 0, buf, 4 * (size_t)width + 1);
    fputs(buf, out);
    fputc('\n', out);
    free(buf);
}

/* ---- header and column labels ---------------------------------------------------------------- */
static void write_header(const dump_ctx *d, const char *header, int rows, int cols)
{
    char shape[96];
    if (as_render_axis_pooled(&d->rows) || as_render_axis_pooled(&d->cols))
        snprintf(shape, sizeof shape, "pooled %dx%d -> %dx%d (max)", rows, cols, d->rows.bins,
                 d->cols.bins);
    else
        snprintf(shape, sizeof shape, "%dx%d", rows, cols);
    int width = d->o->width;
    if (!header || !*header) {
        put_line(d->out, shape, width);
        return;
    }
    if (as_render_text_width(header, 0) + 2 + (int)strlen(shape) <= width) {
        char *line = as_xasprintf("%s  %s", header, shape);
        put_line(d->out, line, width);
        free(line);
    } else {
        put_line(d->out, header, width);
        put_line(d->out, shape, width);
    }
}

static void write_col_labels(const dump_ctx *d, const char *const *labels)
{
    char buf[32], ch[5];
    int pooled = as_render_axis_pooled(&d->cols);
    int h = max_label_width(labels, &d->cols);
    if (pooled) /* the digits of the last bin's first index */
        h = snprintf(buf, sizeof buf, "%d", as_render_bin_start(d->cols.n, d->cols.bins,
                                                                d->cols.bins - 1));
    if (h > MAX_COL_LABEL_H)
        h = MAX_COL_LABEL_H;
    for (int line = 0; line < h; line++) {
        int pending = d->label_w + 1; /* spaces owed: trailing blanks are never written */
        for (int b = 0; b < d->cols.bins; b++) {
            /* A pooled column shows its first index: a vertical "a-b" would not read. */
            const char *s = bin_label(labels, &d->cols, b, buf, sizeof buf);
            if (pooled)
                snprintf(buf, sizeof buf, "%d", as_render_bin_start(d->cols.n, d->cols.bins, b));
            if (as_render_text_char(pooled ? buf : s, line, 0, ch)) {
                put_spaces(d->out, pending);
                fputs(ch, d->out);
                pending = d->cols.scale - 1;
            } else {
                pending += d->cols.scale;
            }
        }
        fputc('\n', d->out);
    }
}

/* ---- cells ----------------------------------------------------------------------------------- */
static void sgr_color(const dump_ctx *d, int level, int bg)
{
    if (level == AS_RENDER_NO_COLOR) {
        fputs(bg ? "\x1b[49m" : "\x1b[39m", d->out);
        return;
    }
    as_render_rgb c = d->lut[level];
    int n = d->color_of[level];
    switch (d->o->color) {
    case AS_RENDER_COLOR_TRUE:
        fprintf(d->out, "\x1b[%d;2;%d;%d;%dm", bg ? 48 : 38, c.r, c.g, c.b);
        break;
    case AS_RENDER_COLOR_256:
        fprintf(d->out, "\x1b[%d;5;%dm", bg ? 48 : 38, n);
        break;
    default: /* 16 colours: 30-37 / 90-97, backgrounds 40-47 / 100-107 */
        fprintf(d->out, "\x1b[%dm", (n < 8 ? 30 + n : 82 + n) + (bg ? 10 : 0));
        break;
    }
}

static void put_glyph(FILE *out, uint32_t cp)
{
    if (cp < 0x80) {
        fputc((int)cp, out);
    } else { /* only U+2580 reaches here */
        fputc((int)(0xE0 | (cp >> 12)), out);
        fputc((int)(0x80 | ((cp >> 6) & 0x3F)), out);
        fputc((int)(0x80 | (cp & 0x3F)), out);
    }
}

static void write_cells(const dump_ctx *d, const as_render_cell *row, int n)
{
    int fg = -2, bg = -2; /* -2: nothing emitted yet on this line */
    for (int x = 0; x < n; x++) {
        const as_render_cell *c = &row[x];
        if (d->ansi && !d->glyphs) {
            if (c->fg != fg && c->glyph != ' ')
                sgr_color(d, fg = c->fg, 0);
            if (c->bg != bg)
                sgr_color(d, bg = c->bg, 1);
        }
        put_glyph(d->out, c->glyph);
    }
    if (d->ansi && !d->glyphs)
        fputs("\x1b[0m", d->out);
}

static void write_legend(const dump_ctx *d, float lo, float hi)
{
    const char *mode = d->o->norm == AS_RENDER_NORM_FIXED ? "fixed" : "min..max";
    if (d->glyphs) {
        char *line = as_xasprintf("ramp \"%s\" %.4f..%.4f (%s)", AS_RENDER_RAMP, lo, hi, mode);
        put_line(d->out, line, d->o->width);
        free(line);
        return;
    }
    /* "lo [gradient] hi (mode)" with a gradient of coloured blanks fitting the width. */
    char tail[64];
    snprintf(tail, sizeof tail, " %.4f (%s)", hi, mode);
    char head[32];
    snprintf(head, sizeof head, "%.4f ", lo);
    int n = d->o->width - (int)strlen(head) - (int)strlen(tail);
    if (n > 16)
        n = 16;
    fputs(head, d->out);
    for (int i = 0; i < n; i++) {
        sgr_color(d, n > 1 ? i * 255 / (n - 1) : 255, 1);
        fputc(' ', d->out);
    }
    fputs("\x1b[0m", d->out);
    if ((int)strlen(head) + n + (int)strlen(tail) <= d->o->width)
        fputs(tail, d->out);
    fputc('\n', d->out);
}

/* ---- entry point ----------------------------------------------------------------------------- */
int as_render_dump_map(FILE *out, const as_render_dump_opts *o, const float *m, int rows, int cols,
                       const char *const *row_labels, const char *const *col_labels,
                       const char *header)
{
    if (o->width < MIN_WIDTH)
        return as_fail(AS_EINVAL, "dump: width %d is too small (need at least %d)", o->width,
                       MIN_WIDTH);
    if (rows < 1 || cols < 1)
        return as_fail(AS_EINVAL, "dump: empty %dx%d map", rows, cols);
    if (o->height < 0)
        return as_fail(AS_EINVAL, "dump: negative height %d", o->height);

    dump_ctx d = {.out = out, .o = o};
    d.ansi = o->format == AS_RENDER_DUMP_ANSI;
    d.glyphs = !d.ansi || o->color == AS_RENDER_COLOR_NONE;
    int half = !d.glyphs; /* two matrix rows per text line */
    as_render_cmap_lut(o->cmap, d.lut);
    for (int i = 0; i < 256; i++)
        d.color_of[i] = o->color == AS_RENDER_COLOR_16 ? as_render_quant_16(d.lut[i])
                                                        : as_render_quant_256(d.lut[i]);

    /* Rows first (they do not depend on the width), then the label column, then columns. */
    int avail_rows = o->height > 0 ? o->height * (half ? 2 : 1) : rows;
    as_render_axis_fit(rows, avail_rows, 1, &d.rows);
    d.label_w = max_label_width(row_labels, &d.rows);
    if (d.label_w > MAX_LABEL_W)
        d.label_w = MAX_LABEL_W;
    if (d.label_w > o->width / 4)
        d.label_w = o->width / 4;
    /* Half-block lines hold two rows: the upper row's label is at the left, the lower's at the
     * right. An ASCII cell is twice as tall as wide, so columns may take two characters. */
    int avail_cols = o->width - (d.label_w + 1) * (half ? 2 : 1);
    as_render_axis_fit(cols, avail_cols, half ? 1 : 2, &d.cols);

    float lo, hi;
    as_render_range(o->norm, m, rows, cols, cols, &lo, &hi);
    as_render_grid_opts go = {.rows = d.rows, .cols = d.cols, .half = half, .glyphs = d.glyphs,
                              .lo = lo, .hi = hi};
    as_render_grid g;
    int rc = as_render_grid_build(&g, m, rows, cols, cols, &go);
    if (rc != AS_OK)
        return rc;

    write_header(&d, header, rows, cols);
    write_col_labels(&d, col_labels);
    char buf[32];
    for (int ty = 0; ty < g.rows; ty++) {
        int upper = half ? 2 * ty : ty;
        put_label(out, bin_label(row_labels, &d.rows, upper, buf, sizeof buf), d.label_w, 1);
        fputc(' ', out);
        write_cells(&d, g.cells + (size_t)ty * g.cols, g.cols);
        if (half && upper + 1 < d.rows.bins) {
            fputc(' ', out);
            put_label(out, bin_label(row_labels, &d.rows, upper + 1, buf, sizeof buf),
                      d.label_w, 0);
        }
        fputc('\n', out);
    }
    write_legend(&d, lo, hi);
    as_render_grid_free(&g);
    if (ferror(out) || fflush(out) != 0)
        return as_fail(AS_EIO, "dump: writing the heat map failed");
    return AS_OK;
}
