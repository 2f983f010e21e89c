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

/* ---- viewports over large maps (render_view.c, render_pyr.c) ------------------------------
 * The explorer shows a window of a map that may be 4,096 x 4,096 or more. Per-frame work must
 * follow the screen, not the matrix, so the map is max-pooled once into a pyramid (level l:
 * cell c covers elements [c * 2^l, (c + 1) * 2^l)), and every screen bin reads at most 2 x 2
 * cells of one level. A view of one axis says which level is read and which cells each bin
 * covers: bins split cells [first, first + count) as evenly as integers allow, and each bin is
 * drawn `scale` screen units wide. */
typedef struct as_render_view {
    int n;     /* matrix size along the axis */
    int level; /* pyramid level read */
    int first; /* first cell shown */
    int count; /* cells shown */
    int bins;  /* bins drawn: count, or fewer when bins group cells (fit) */
    int scale; /* screen units per bin */
} as_render_view;

#define AS_RENDER_ZOOM_MIN (-3) /* zoom -3: one element is 8 pixels */

/* Cells of level l: ceil(n / 2^l). */
int as_render_level_cells(int n, int level);
/* The whole axis in `avail` units: unpooled and scaled up to max_scale if n fits, else read from
 * the highest level that still has >= avail cells, grouped into avail bins of 1 or 2 cells. */
void as_render_view_fit(int n, int avail, int max_scale, as_render_view *v);
/* Zoom z >= 0: one bin per cell of level z, `unit` screen units wide; z < 0: level 0, each element
 * unit * 2^-z units. As many cells as fit in avail; the window starts at element `first` (rounded
 * down to its cell), moved the least so element `keep` stays inside and no space is wasted at the
 * end. */
void as_render_view_zoom(int n, int avail, int z, int unit, int first, int keep,
                         as_render_view *v);
/* Elements [*e0, *e1) of bin b (0 <= b < bins). */
void as_render_view_bin_range(const as_render_view *v, int b, int *e0, int *e1);
/* The bin showing element e, or -1 if e is outside the window. */
int as_render_view_bin_of(const as_render_view *v, int e);
/* 1 if a bin covers more than one element. */
int as_render_view_pooled(const as_render_view *v);
/* First element of the window / one past its last element. */
int as_render_view_begin(const as_render_view *v);
int as_render_view_end(const as_render_view *v);
/* The zoom a view corresponds to (its level, or -log2 of its per-element scale / unit). */
int as_render_view_zoom_of(const as_render_view *v, int unit);

#define AS_RENDER_PYR_LEVELS 24
/* Max-pooling pyramid of one matrix. Level 0 is the borrowed matrix (valid while its owner
 * lives); levels 1.. are owned. lo / hi: the matrix's min and max (NaN ignored; 0..1 if all
 * NaN). */
typedef struct as_render_pyr {
    int rows, cols, levels;
    const float *lv[AS_RENDER_PYR_LEVELS]; /* level l: (rows_l, cols_l) row-major */
    float *owned;                          /* levels 1.. in one block */
    int stride0;                           /* row stride of level 0 */
    float lo, hi;
} as_render_pyr;

/* Builds every level down to a single cell, O(rows * cols) once. p is overwritten (free it first).
 * AS_ENOMEM if the levels do not fit. */
int as_render_pyr_build(as_render_pyr *p, const float *m, int rows, int cols, int stride);
void as_render_pyr_free(as_render_pyr *p);
/* Max over the cells [r0, r1) x [c0, c1) of one level (NaN if the range is empty). */
float as_render_pyr_max(const as_render_pyr *p, int level, int r0, int r1, int c0, int c1);
/* Like as_render_grid_build for a window: rows / cols views replace the axes of o (o->rows and
 * o->cols are ignored), values come from the pyramid. Work is proportional to the cells drawn. */
int as_render_grid_view(as_render_grid *g, const as_render_pyr *p, const as_render_view *rows,
                        const as_render_view *cols, const as_render_grid_opts *o);

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

/* ---- image overlays (render_overlay.c) ------------------------------------------------------
 * Vision models: an attention map over the patch grid (e.g. the CLS row of a layer, a head or the
 * rollout, without the CLS column) blended onto the input image. Each output pixel takes the box
 * average of the image pixels it covers and the value of the patch containing its centre (patches
 * stay blocky on purpose: the model saw patches, not pixels). */
typedef struct as_render_overlay_opts {
    as_render_cmap cmap;
    float lo, hi;   /* value range of the map (as_render_range) */
    float alpha;    /* heat colour weight over the image, 0 (image only) .. 1 (heat only) */
    const uint8_t *mask; /* NULL, or per patch 1 = keep: masked-out patches are shown dimmed to
                          * a quarter of their brightness and get no heat colour */
} as_render_overlay_opts;

/* Renders the overlay of map (grid_rows, grid_cols; contiguous) on image rgb (w, h, 3) into out
 * (out_w, out_h, 3) pixels; out_w == w and out_h == h give the input's resolution. */
void as_render_overlay(const uint8_t *rgb, int w, int h, const float *map, int grid_rows,
                       int grid_cols, const as_render_overlay_opts *o, int out_w, int out_h,
                       uint8_t *out);
/* DINO-style threshold mask (Caron et al. 2021, visualize_attention.py): sort the values
 * ascending (equal values by index), accumulate, and keep (mask[i] = 1) every value whose running
 * sum exceeds (1 - keep) of the total: the smallest set of largest values holding `keep` (0..1)
 * of the attention mass. n >= 1. */
void as_render_threshold_mask(const float *map, int n, float keep, uint8_t *mask);

/* A text cell in RGB: glyph (U+2580 upper half block, or ' ') with fg = upper pixel and bg = lower
 * pixel, for terminals in truecolor (or quantised with as_render_quant_256 / _16). */
typedef struct as_render_rgb_cell {
    uint32_t glyph;
    as_render_rgb fg, bg;
} as_render_rgb_cell;

typedef struct as_render_rgb_grid {
    int rows, cols;
    as_render_rgb_cell *cells; /* (rows, cols), owned */
} as_render_rgb_grid;

/* Packs pixels (w, h, 3) into half-block cells: rows = ceil(h / 2), cols = w; an odd last pixel
 * row pairs with black. g is overwritten (free it first). AS_ENOMEM. */
int as_render_rgb_grid_from_pixels(as_render_rgb_grid *g, const uint8_t *px, int w, int h);
void as_render_rgb_grid_free(as_render_rgb_grid *g);
/* The overlay straight into cols x rows half-block cells (2 * rows pixel rows). */
int as_render_overlay_cells(as_render_rgb_grid *g, const uint8_t *rgb, int w, int h,
                            const float *map, int grid_rows, int grid_cols,
                            const as_render_overlay_opts *o, int cols, int rows);
/* Largest cols x rows cell box showing a w x h image undistorted inside max_cols x max_rows
 * cells, given that a cell is cell_aspect times as tall as wide (2.0 for common terminal fonts;
 * a half-block pixel is then square). Both results >= 1. */
void as_render_overlay_fit(int w, int h, int max_cols, int max_rows, float cell_aspect,
                           int *cols, int *rows);

/* ---- image exports: PNG (render_image.c, render_png.c), SVG (render_svg.c), .npy ----------
 * Used by `attnscope dump --format png|svg|npy`. Values map to colours as in the dumps: the
 * range from as_render_range(norm), levels from as_render_level, colours from the LUT. */

/* An RGB raster heat map: entry (i, j) fills the cell x cell block at (x0 + j*cell, y0 + i*cell);
 * a title line above (optional) and a colour bar labelled with the range's ends at the right. */
typedef struct as_render_image {
    int w, h;
    uint8_t *rgb; /* (h, w, 3), owned */
    int x0, y0, cell;
} as_render_image;

typedef struct as_render_image_opts {
    as_render_cmap cmap;
    as_render_norm norm;
    int cell;          /* pixels per entry; 0: as_render_image_auto_cell */
    const char *title; /* NULL: none; printable ASCII is drawn, other bytes as '?' */
} as_render_image_opts;

/* Cell size that makes the larger side about 480 pixels, within 1 .. 24. */
int as_render_image_auto_cell(int rows, int cols);
/* Builds the image of m [rows, cols]. AS_EINVAL if a side would exceed 16384 pixels, AS_ENOMEM. */
int as_render_image_build(as_render_image *img, const float *m, int rows, int cols,
                          const as_render_image_opts *o);
void as_render_image_free(as_render_image *img);
/* Writes img as an 8-bit RGB PNG file. AS_EIO naming the path. */
int as_render_png_write(const as_render_image *img, const char *path);

/* SVG heat map of m [rows, cols] to out: a rect per entry (with its value as tooltip), row labels
 * at the left, column labels written upwards above, the title (NULL: none) as <title> and text,
 * and a colour bar with the range's ends. Labels may be NULL; they are XML-escaped. AS_EINVAL
 * beyond AS_RENDER_SVG_MAX_CELLS entries; AS_EIO on a write error (path names the file). */
#define AS_RENDER_SVG_MAX_CELLS 1000000
int as_render_svg_write(FILE *out, const char *path, const float *m, int rows, int cols,
                        const char *const *row_labels, const char *const *col_labels,
                        const char *title, as_render_cmap cmap, as_render_norm norm);

/* .npy arrays: written as little-endian float32 (format 1.0); read from <f4, <f8 or <f2. */
#define AS_RENDER_NPY_MAX_DIMS 8
typedef struct as_render_npy {
    int ndim;
    int64_t shape[AS_RENDER_NPY_MAX_DIMS];
    size_t count; /* product of shape */
    float *data;  /* C order, owned */
} as_render_npy;

/* Writes data (C order, shape[ndim], 1 <= ndim <= 8) to out. AS_EIO naming path on error. */
int as_render_npy_write(FILE *out, const char *path, const float *data, int ndim,
                        const int64_t *shape);
/* Parses a whole .npy file held in buf[size] into out (free with as_render_npy_free).
 * AS_EFORMAT naming path for a bad magic, header, shape or a short file; AS_EUNSUPPORTED for
 * another dtype or Fortran order; AS_ENOMEM. */
int as_render_npy_parse(const void *buf, size_t size, const char *path, as_render_npy *out);
void as_render_npy_free(as_render_npy *a);

#endif
