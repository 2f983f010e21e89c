/* render: pure functions that turn a float matrix into pictures: colormap tables, normalisation,
 * max-pooling onto a cell area, colour quantisation (truecolor / xterm 256 / 16 / glyph ramp), a
 * half-block cell grid, and the ASCII / ANSI heat-map writers behind `attnscope dump`.
 * Layer 5: uses core only; never touches a terminal (tui/ draws the grid with curses). */
#ifndef ATTNSCOPE_RENDER_H
#define ATTNSCOPE_RENDER_H

#include "attnscope/core.h"

#include <stdint.h>
#include <stdio.h>

/* ---- colormaps ---------------------------------------------------------------------------- */
typedef struct as_render_rgb {
    uint8_t r, g, b;
} as_render_rgb;

typedef enum {
    AS_RENDER_CMAP_VIRIDIS, /* default: perceptually uniform, dark blue -> yellow */
    AS_RENDER_CMAP_MAGMA,   /* black -> purple -> light yellow */
    AS_RENDER_CMAP_GRAY,    /* black -> white */
    AS_RENDER_CMAP_DIVERGING, /* blue -> light grey -> red (Moreland cool-warm) */
    AS_RENDER_CMAPS
} as_render_cmap;

/* "viridis", "magma", "gray", "diverging". */
const char *as_render_cmap_name(as_render_cmap c);
/* Name -> colormap; AS_EINVAL listing the valid names if unknown. */
int as_render_cmap_parse(const char *name, as_render_cmap *out);
/* Fills the 256-entry table of colormap c (entry i is the colour of level i/255). */
void as_render_cmap_lut(as_render_cmap c, as_render_rgb lut[256]);

/* ---- normalisation and pooling ------------------------------------------------------------ */
typedef enum {
    AS_RENDER_NORM_FIXED,  /* 0..1: attention probabilities compare across maps */
    AS_RENDER_NORM_MINMAX, /* the map's own min..max: weak structure becomes visible */
} as_render_norm;

/* The value range [*lo, *hi] mapped onto the colormap for a rows x cols matrix (row stride
 * `stride` floats). NaNs are ignored; an all-NaN matrix gives 0..1. */
void as_render_range(as_render_norm norm, const float *m, int rows, int cols, int stride,
                     float *lo, float *hi);
/* Colormap level 0..255 of v in [lo, hi], clamped; NaN and an empty range (hi <= lo) give 0. */
int as_render_level(float v, float lo, float hi);

/* How the n indices of one matrix axis map onto `avail` screen units (cells or half-cells).
 * If n fits, every index gets `scale` units (1 <= scale <= max_scale) and bins == n; otherwise
 * indices are grouped into bins == avail groups of consecutive indices (scale 1). */
typedef struct as_render_axis {
    int n;     /* matrix size along the axis */
    int bins;  /* groups drawn: n, or avail when pooled */
    int scale; /* screen units per bin */
} as_render_axis;

void as_render_axis_fit(int n, int avail, int max_scale, as_render_axis *ax);
/* 1 if the axis groups several indices per bin. */
int as_render_axis_pooled(const as_render_axis *ax);
/* First index of bin b (b == bins gives n): bins split [0, n) as evenly as integers allow. */
int as_render_bin_start(int n, int bins, int b);
/* The bin holding index i. */
int as_render_bin_of(int n, int bins, int i);
/* out (out_rows, out_cols) = maximum of each bin of m (rows, cols; row stride `stride`), so a
 * sharp head stays visible when shrunk. Requires 1 <= out_rows <= rows, 1 <= out_cols <= cols. */
void as_render_pool_max(const float *m, int rows, int cols, int stride, int out_rows,
                        int out_cols, float *out);

/* ---- colour quantisation ------------------------------------------------------------------ */
typedef enum {
    AS_RENDER_COLOR_NONE, /* no colour: glyph density ramp */
    AS_RENDER_COLOR_16,   /* the 16 ANSI colours */
    AS_RENDER_COLOR_256,  /* xterm 6x6x6 cube (16..231) and grey ramp (232..255) */
    AS_RENDER_COLOR_TRUE, /* 24-bit RGB */
} as_render_color;

/* Nearest xterm colour 16..255 (the lowest 16 are user-themed, so never used). */
int as_render_quant_256(as_render_rgb c);
/* Nearest of the 16 ANSI colours (xterm default values), 0..15. */
int as_render_quant_16(as_render_rgb c);
/* The RGB value xterm gives colour index i (0..255). */
as_render_rgb as_render_xterm_rgb(int i);
/* Density glyph of level 0..255 from the ramp " .:-=+*#%@". */
char as_render_ramp(int level);
#define AS_RENDER_RAMP " .:-=+*#%@"

/* ---- cell grid ---------------------------------------------------------------------------- */
#define AS_RENDER_UPPER_HALF 0x2580u /* U+2580 UPPER HALF BLOCK */
#define AS_RENDER_NO_COLOR (-1)      /* a cell side left in the terminal's default colour */

/* One text cell: glyph (Unicode code point) drawn with fg on bg. fg/bg are colormap levels
 * 0..255 or AS_RENDER_NO_COLOR. */
typedef struct as_render_cell {
    uint32_t glyph;
    int16_t fg, bg;
} as_render_cell;

typedef struct as_render_grid_opts {
    as_render_axis rows, cols; /* matrix -> pixel rows / pixel columns (as_render_axis_fit) */
    int half;   /* 1: two pixel rows per text row as U+2580, fg = upper, bg = lower */
    int glyphs; /* 1: no colour, one pixel row per text row, glyph from the density ramp */
    float lo, hi; /* value range (as_render_range) */
} as_render_grid_opts;

typedef struct as_render_grid {
    int rows, cols;        /* text rows and columns */
    as_render_cell *cells; /* (rows, cols), owned */
} as_render_grid;

/* Pools m (rows, cols; row stride `stride`) by max onto the pixel grid of o and packs it into
 * text cells. Without half or glyphs, a cell is a space on the pixel's colour (bg). g is
 * overwritten (call as_render_grid_free first if it held cells). AS_ENOMEM if too large. */
int as_render_grid_build(as_render_grid *g, const float *m, int rows, int cols, int stride,
                         const as_render_grid_opts *o);
void as_render_grid_free(as_render_grid *g);

/* ---- text --------------------------------------------------------------------------------- */
/* Copies label s into out (size outsz) as at most `width` terminal columns: control bytes and
 * invalid UTF-8 become '?', zero-width marks are dropped, and with ascii=1 every non-ASCII
 * character becomes '?'. Returns the columns used. */
int as_render_text_fit(const char *s, int width, int ascii, char *out, size_t outsz);
/* Terminal columns of s after the same cleaning (no width limit). */
int as_render_text_width(const char *s, int ascii);
/* The i-th single-column character of s (cleaned as above; wide characters become '?') into
 * out (NUL-terminated, out needs 5 bytes); returns 0 when s has fewer characters. Used to write
 * labels vertically, one character per line. */
int as_render_text_char(const char *s, int i, int ascii, char out[5]);

/* ---- dumps -------------------------------------------------------------------------------- */
typedef enum {
    AS_RENDER_DUMP_ASCII, /* density ramp, no escape bytes at all */
    AS_RENDER_DUMP_ANSI,  /* coloured half-blocks with SGR escapes */
} as_render_dump_format;

typedef struct as_render_dump_opts {
    as_render_dump_format format;
    int width;             /* no output line is wider than this many columns (>= 24) */
    int height;            /* at most this many map text rows (0: no limit) */
    as_render_color color; /* ANSI: AS_RENDER_COLOR_TRUE, _256 or _16 (caller checks COLORTERM) */
    as_render_cmap cmap;
    as_render_norm norm;
} as_render_dump_opts;

/* Writes one heat map of m (rows, cols; contiguous) to out: the header line(s) (header text, then
 * the shape, or "pooled RxC -> R'xC' (max)" when shrunk to fit), column labels written
 * vertically, one line per text row with the row label right-aligned at the left, then a legend
 * of the value range. Labels may be NULL (indices are shown). Pure: the same inputs give the same
 * bytes. AS_EINVAL for a bad width, AS_ENOMEM, AS_EIO if writing fails. */
int as_render_dump_map(FILE *out, const as_render_dump_opts *o, const float *m, int rows, int cols,
                       const char *const *row_labels, const char *const *col_labels,
                       const char *header);

#endif
