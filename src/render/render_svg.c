/* SVG heat map: one rect per entry, every row and column token label (columns written
 * vertically), a title, and a colour bar with its value range. Vector output is meant for papers
 * and slides, so maps beyond AS_RENDER_SVG_MAX_CELLS entries are refused (use PNG). */
#include "attnscope/render.h"

#include <errno.h>
#include <string.h>

#define CELL 16     /* user units per entry */
#define CHAR_W 7    /* estimated width of one label character at font-size 11 */
#define PAD 8
#define BAR_STEPS 32 /* colour bar drawn as this many bands */

/* Writes s with XML's five special characters escaped and control characters as '?'. */
static void put_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
        }
    }
}

/* Longest label in characters (UTF-8 continuation bytes not counted). */
static int max_chars(const char *const *labels, int n)
{
    int best = 0;
    for (int i = 0; labels && i < n; i++) {
        int c = 0;
        for (const char *p = labels[i]; *p; p++)
            c += ((unsigned char)*p & 0xc0) != 0x80;
        best = c > best ? c : best;
    }
    return best;
}

static void put_rgb(FILE *out, as_render_rgb c)
{
    fprintf(out, "#%02x%02x%02x", c.r, c.g, c.b);
}

int as_render_svg_write(FILE *out, const char *path, const float *m, int rows, int cols,
                        const char *const *row_labels, const char *const *col_labels,
                        const char *title, as_render_cmap cmap, as_render_norm norm)
{
    if ((long)rows * cols > AS_RENDER_SVG_MAX_CELLS)
        return as_fail(AS_EINVAL, "%s: %d x %d entries are too many for SVG (at most %d); use "
                                  "--format png", path, rows, cols, AS_RENDER_SVG_MAX_CELLS);
    float lo, hi;
    as_render_range(norm, m, rows, cols, cols, &lo, &hi);
    as_render_rgb lut[256];
    as_render_cmap_lut(cmap, lut);
    int left = PAD + CHAR_W * max_chars(row_labels, rows) + 4;
    int top = PAD + (title ? 20 : 0) + CHAR_W * max_chars(col_labels, cols) + 4;
    int mw = cols * CELL, mh = rows * CELL, bar_h = mh < 96 ? 96 : mh;
    int bx = left + mw + 12, w = bx + 16 + 4 + 6 * CHAR_W + PAD, h = top + bar_h + PAD;

    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                 "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
            w, h, w, h);
    fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", w, h);
    if (title) {
        fputs("<title>", out);
        put_escaped(out, title);
        fputs("</title>\n", out);
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"13\">", PAD, PAD + 12);
        put_escaped(out, title);
        fputs("</text>\n", out);
    }
    fputs("<g shape-rendering=\"crispEdges\">\n", out);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            float v = m[(size_t)i * cols + j];
            fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"",
                    left + j * CELL, top + i * CELL, CELL, CELL);
            put_rgb(out, lut[as_render_level(v, lo, hi)]);
            fprintf(out, "\"><title>%.6g</title></rect>\n", v);
        }
    fputs("</g>\n", out);
    for (int i = 0; row_labels && i < rows; i++) {
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 4,
                top + i * CELL + CELL - 4);
        put_escaped(out, row_labels[i]);
        fputs("</text>\n", out);
    }
    for (int j = 0; col_labels && j < cols; j++) {
        fprintf(out, "<text transform=\"translate(%d,%d) rotate(-90)\">",
                left + j * CELL + CELL - 4, top - 4);
        put_escaped(out, col_labels[j]);
        fputs("</text>\n", out);
    }
    // colour bar: hi at the top
    for (int s = 0; s < BAR_STEPS; s++) {
        int y0 = top + s * bar_h / BAR_STEPS, y1 = top + (s + 1) * bar_h / BAR_STEPS;
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"%d\" fill=\"", bx, y0,
                y1 - y0);
        put_rgb(out, lut[255 - s * 255 / (BAR_STEPS - 1)]);
        fputs("\"/>\n", out);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\">%.3g</text>\n", bx + 20, top + 10, hi);
    fprintf(out, "<text x=\"%d\" y=\"%d\">%.3g</text>\n", bx + 20, top + bar_h, lo);
    fputs("</svg>\n", out);
    if (ferror(out))
        return as_fail(AS_EIO, "%s: write error: %s", path, strerror(errno));
    return AS_OK;
}
