/* Shared state of the explorer's files. Only src/tui/ includes this (and <curses.h>). */
#ifndef ATTNSCOPE_TUI_INTERNAL_H
#define ATTNSCOPE_TUI_INTERNAL_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1 /* get_wch, cchar_t */
#endif
#include <curses.h>

#include "attnscope/analysis.h"
#include "attnscope/tui.h"
#include "tui_align.h"
#include "tui_layout.h"
#include "tui_mode.h"

/* Colour slots besides colormap levels 0..255 and AS_RENDER_NO_COLOR. */
#define AS_TUI_CURSOR (-2)
/* The alignment overlay's mark on a cell (U+25CF black circle; 'X' without UTF-8). */
#define AS_TUI_MARK_GLYPH 0x25CFu

/* ---- colour pairs (tui_color.c) -------------------------------------------------------------- */
typedef struct as_tui_palette {
    as_tui_pal_mode mode;
    int levels;            /* colormap levels kept (fewer when COLOR_PAIRS is small) */
    int slots;             /* levels + default + cursor */
    int color_of[258];     /* curses colour number of each slot */
    as_render_rgb rgb_of[258]; /* the colour each slot shows (snapshots) */
    unsigned char *inited; /* (slots, slots): pair already defined */
    int saved_n;           /* REDEF: slots 16.. whose original colour is in saved */
    int saved[256][3];
} as_tui_palette;

/* Picks the colour mode (want, NO_COLOR, terminfo, COLORTERM) and prepares the pairs for lut.
 * Call after newterm. */
void as_tui_palette_init(as_tui_palette *p, as_tui_colors want, const as_render_rgb lut[256],
                         as_render_rgb cursor);
/* Points the levels at a new colormap (and cursor colour); pairs are redefined on next use. */
void as_tui_palette_recolor(as_tui_palette *p, const as_render_rgb lut[256], as_render_rgb cursor);
/* The cursor colour used with colormap c: one that stands out against it. */
as_render_rgb as_tui_cursor_color(as_render_cmap c);
/* Pair number for (fg, bg): levels 0..255, AS_RENDER_NO_COLOR or AS_TUI_CURSOR; defined on first
 * use. 0 in AS_TUI_PAL_NONE. */
int as_tui_palette_pair(as_tui_palette *p, int fg, int bg);
/* The (fg, bg) slots of pair number `pair` (from as_tui_palette_pair); 0 if pair is 0. */
int as_tui_palette_slots(const as_tui_palette *p, int pair, int *fg_slot, int *bg_slot);
/* Restores redefined colours and frees the cache. */
void as_tui_palette_fini(as_tui_palette *p);
/* "none", "16", "256", "truecolor (palette)", "truecolor". */
const char *as_tui_palette_name(const as_tui_palette *p);

/* ---- application state ----------------------------------------------------------------------- */
/* Views, switched with single keys (tui_keys.c). A new view (e.g. an image overlay for ViT) is
 * one enum value, one draw function in as_tui_draw's table (tui_draw.c) and its key bindings. */
typedef enum {
    AS_TUI_VIEW_MAP,   /* one head or an aggregate as a heat map (tui_map.c) */
    AS_TUI_VIEW_ROW,   /* the cursor's query: top-k keys as bars (tui_row.c) */
    AS_TUI_VIEW_GRID,  /* all heads of the layer as thumbnails (tui_thumbs.c) */
    AS_TUI_VIEW_MODEL, /* layers x heads thumbnails (tui_thumbs.c) */
    AS_TUI_VIEW_TABLE, /* per-head statistics, sortable (tui_table.c) */
    AS_TUI_VIEW_STEPS, /* generation steps (tui_steps.c) */
    AS_TUI_VIEW_IMAGE, /* vision models: attention overlaid on the input image (tui_image.c) */
    AS_TUI_VIEWS
} as_tui_view_id;

typedef enum { AS_TUI_AGG_HEAD, AS_TUI_AGG_MEAN, AS_TUI_AGG_MAX, AS_TUI_AGGS } as_tui_agg;

/* Image view modes, cycled with `i` (tui_image.c). */
typedef enum {
    AS_TUI_IMAGE_OVERLAY, /* CLS row of the current layer / head beside the plain image */
    AS_TUI_IMAGE_HEADS,   /* every head of the layer */
    AS_TUI_IMAGE_LAYERS,  /* every layer (layer progression) */
    AS_TUI_IMAGE_ROLLOUT, /* rollout over all layers */
    AS_TUI_IMAGE_MASK,    /* DINO-style threshold mask of the current map */
    AS_TUI_IMAGE_MODES
} as_tui_image_mode;

/* Head table columns (tui_table.c): the last, AER, only with gold links on the cross map. */
enum { AS_TUI_TABLE_COLS = 9 };

typedef struct as_tui_app {
    as_model *model; /* NULL: no source editing */
    as_attn *attn;
    unsigned attn_gen; /* bumped when the store is replaced: invalidates the caches */
    const as_tui_opts *opts;
    as_tui_view_id view;
    as_attn_kind kind;
    int layer, head;
    as_tui_agg agg;  /* one head, or the mean / max over heads */
    int q, k;        /* cursor: a matrix element */
    int zoom;        /* AS_TUI_ZOOM_FIT or a zoom (render.h) */
    int first_q, first_k; /* zoomed window start (elements) */
    int help;        /* help overlay shown */
    int utf8;        /* locale codeset is UTF-8: half-blocks and UTF-8 labels */
    int mouse;       /* mouse events enabled */
    int pending_g;   /* 'g' pressed once: a second one goes to the top */
    as_render_norm norm;
    as_render_cmap cmap;
    char *src;       /* current source text, owned (NULL if unknown) */
    char *tgt;       /* current forced target, owned (NULL: greedy) */
    char search[128]; /* last token search */
    char msg[256];   /* one-line message shown instead of the key hints */
    int snap_n;      /* snapshots written */
    int help_top;    /* first help line shown (the list is longer than small screens) */
    int table_sel, table_top, table_sort, table_desc; /* head table */
    int step;        /* generation steps: the step shown (a target position >= 1) */
    as_tui_image_mode image_mode; /* image view */
    int align_on;    /* A: word links marked on the cross map (tui_map.c) */
    int gold_on;     /* opts->gold belongs to the store (cleared when the source is edited) */
    as_render_rgb lut[256];
    as_tui_palette pal;
    as_tui_layout lay;
    as_tui_map_req map_req; /* the map view's last layout request (zoom keys need its fit) */
    /* cache of the current matrix (tui_view.c): key -> aggregate buffer and pyramid */
    int cache_valid;
    unsigned cache_gen;
    int cache_kind, cache_layer, cache_head, cache_agg;
    const float *cache_m;
    float *agg_buf;
    size_t agg_cap;
    as_render_pyr pyr;
    int lw_valid, lw_kind, lw[2]; /* label widths (columns, rows) for lw_gen / lw_kind */
    unsigned lw_gen;
    /* head table statistics (tui_table.c): (layer, head, column), valid for table_gen/kind */
    float *stats;
    int stats_valid;
    unsigned stats_gen;
    int stats_kind;
    int *order;      /* sorted row order */
    /* thumbnails (tui_thumbs.c): a grid and a pattern label per (layer, head) of thumb_kind,
     * built on first sight and kept while the store, kind, size and colour style stay */
    as_render_grid *thumb;
    signed char *thumb_pat; /* as_an_pattern, -1: not computed yet */
    int thumb_n, thumb_kind, thumb_w, thumb_h, thumb_style;
    unsigned thumb_gen;
} as_tui_app;

/* ---- life cycle (tui_run.c) ------------------------------------------------------------------ */
/* State for store a (m may be NULL); the locale must be set. */
void as_tui_app_init(as_tui_app *app, as_model *m, as_attn *a, const as_tui_opts *o);
/* Terminal modes, mouse and colour pairs, after newterm; as_tui_app_stop undoes them. */
void as_tui_app_start(as_tui_app *app);
void as_tui_app_stop(as_tui_app *app);
void as_tui_app_deinit(as_tui_app *app);

/* ---- view (tui_view.c) ----------------------------------------------------------------------- */
/* The (q, k) matrix shown now (a head, or the aggregate over heads) with its size and pyramid
 * (*pyr may be NULL if it could not be built: a message is set). Cached until the selection or
 * the store changes. NULL only if the aggregate buffer cannot be allocated. */
const float *as_tui_view_matrix(as_tui_app *app, int *rows, int *cols,
                                const as_render_pyr **pyr);
/* Matrix of (kind, layer, head-or-aggregate) without touching the cache; agg != HEAD writes the
 * aggregate into buf (q * k floats), and so does a head of a Q/K map (attn.h: its cache slot is
 * reused by later requests, the returned matrix must not be). */
const float *as_tui_view_head(const as_tui_app *app, as_attn_kind kind, int layer, int head,
                              as_tui_agg agg, float *buf);
/* Keeps kind, layer, head and cursor inside the store (after a key or a rerun). */
void as_tui_view_clamp(as_tui_app *app);
/* Label of index i on the rows (axis_of_rows = 1) or columns of the current kind: the token
 * label, or the index when the store has no labels for that axis. */
const char *as_tui_view_label(const as_tui_app *app, int axis_of_rows, int i, char *buf,
                              size_t sz);
/* Widest label of an axis, in columns (at most AS_TUI_MAX_LABEL_W); cached per store and kind. */
int as_tui_view_label_width(as_tui_app *app, int axis_of_rows);
/* "head 2/4", "head mean", "head max". */
const char *as_tui_view_head_name(const as_tui_app *app, char *buf, size_t sz);

/* ---- drawing (tui_draw.c and one file per view) ---------------------------------------------- */
void as_tui_draw(as_tui_app *app);
/* Helpers shared by the views (tui_draw.c). */
void as_tui_put_text(const as_tui_app *app, int y, int x, const char *s, int width, attr_t attr);
void as_tui_put_cell(as_tui_app *app, int y, int x, const as_render_cell *c, int reverse);
/* Horizontal bar of frac (0..1) of width columns at (y, x): eighth blocks in UTF-8, else '#'. */
void as_tui_draw_bar(const as_tui_app *app, int y, int x, int width, double frac);
/* Title line (left) with the colour legend (right) for value range lo..hi. */
void as_tui_draw_title(as_tui_app *app, float lo, float hi);
/* Status line text at status_y and the hint / message line below it. */
void as_tui_draw_status(as_tui_app *app, const char *status, const char *hints);

void as_tui_map_draw(as_tui_app *app);
void as_tui_row_draw(as_tui_app *app);
void as_tui_grid_draw(as_tui_app *app);
void as_tui_model_draw(as_tui_app *app);
void as_tui_table_draw(as_tui_app *app);
void as_tui_steps_draw(as_tui_app *app);
void as_tui_image_draw(as_tui_app *app);

/* Mouse click at screen (y, x) in the current view: selects a cell / thumbnail / row. Returns
 * AS_TUI_* flags. */
int as_tui_map_click(as_tui_app *app, int y, int x);
int as_tui_thumbs_click(as_tui_app *app, int y, int x, int activate);
/* Frees the thumbnail cache. */
void as_tui_thumbs_free(as_tui_app *app);
int as_tui_table_click(as_tui_app *app, int y, int x, int activate);

/* ---- head table (tui_table.c) ---------------------------------------------------------------- */
/* Computes (if stale) the statistics of the current kind and the sorted order. 0 on ENOMEM. */
int as_tui_table_ready(as_tui_app *app);
/* Columns shown: the AER column only with gold links on the cross map. */
int as_tui_table_cols(const as_tui_app *app);
/* Layer / head of sorted row `row`. */
void as_tui_table_row(const as_tui_app *app, int row, int *layer, int *head);

/* ---- generation steps (tui_steps.c) ---------------------------------------------------------- */
/* The kind whose rows the steps show (cross, else the single stack's self-attention), the token
 * axis, the position of step 1 (*first) and the number of steps: every target position after
 * the start token for encoder-decoders, the generated tokens for a single stack; 0 if none. */
int as_tui_steps_info(const as_tui_app *app, as_attn_kind *kind, as_attn_axis *axis, int *first);

/* ---- keys (tui_keys.c) ----------------------------------------------------------------------- */
enum { AS_TUI_REDRAW = 1, AS_TUI_QUIT = 2 };
/* Runs the action bound to key (a curses key code with is_key, or a character); returns
 * AS_TUI_* flags. */
int as_tui_key(as_tui_app *app, int key, int is_key);
/* Help text: line i of the key list ("Tab      next map type"), NULL past the end. */
const char *as_tui_help_line(int i, char *buf, size_t sz);

/* ---- prompts and source editing (tui_edit.c) ------------------------------------------------- */
/* Reads a line on the bottom line after `label`, starting from `text` (UTF-8, at most cap - 1
 * bytes). Returns 1 on Enter, 0 on Esc. */
int as_tui_prompt(as_tui_app *app, const char *label, char *text, size_t cap);
/* Prompts for a new source (and, with_target, a reference target: empty = greedy decoding) and
 * reruns the model, keeping the view, layer, head and cursor. Errors end up in app->msg. */
void as_tui_edit_source(as_tui_app *app, int with_target);

/* ---- snapshots (tui_snap.c) ------------------------------------------------------------------ */
/* Writes the screen as NAME.txt (plain) and NAME.ans (SGR colours) in the working directory;
 * the message line names the files or the error. */
void as_tui_snapshot(as_tui_app *app);

#endif
