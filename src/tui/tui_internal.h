/* Shared state of the explorer's files. Only src/tui/ includes this (and <curses.h>). */
#ifndef ATTNSCOPE_TUI_INTERNAL_H
#define ATTNSCOPE_TUI_INTERNAL_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1 /* get_wch, cchar_t */
#endif
#include <curses.h>

#include "attnscope/tui.h"
#include "tui_layout.h"

/* Colour slots besides colormap levels 0..255 and AS_RENDER_NO_COLOR. */
#define AS_TUI_CURSOR (-2)

/* ---- colour pairs (tui_color.c) -------------------------------------------------------------- */
typedef enum {
    AS_TUI_PAL_NONE,    /* density glyphs, reverse video for the cursor */
    AS_TUI_PAL_16,      /* nearest ANSI colour */
    AS_TUI_PAL_256,     /* nearest xterm cube / grey colour */
    AS_TUI_PAL_REDEF,   /* palette slots 16.. redefined to the colormap (init_extended_color) */
    AS_TUI_PAL_DIRECT,  /* terminfo RGB: colour numbers are packed 0xRRGGBB */
} as_tui_pal_mode;

typedef struct as_tui_palette {
    as_tui_pal_mode mode;
    int levels;            /* colormap levels kept (fewer when COLOR_PAIRS is small) */
    int slots;             /* levels + default + cursor */
    int color_of[258];     /* curses colour number of each slot */
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
/* Restores redefined colours and frees the cache. */
void as_tui_palette_fini(as_tui_palette *p);
/* "none", "16", "256", "truecolor (palette)", "truecolor". */
const char *as_tui_palette_name(const as_tui_palette *p);

/* ---- application state ----------------------------------------------------------------------- */
typedef struct as_tui_app {
    as_model *model; /* NULL: no source editing */
    as_attn *attn;
    const as_tui_opts *opts;
    as_attn_kind kind;
    int layer, head;
    int mean;        /* 1: mean over heads instead of one head */
    int q, k;        /* cursor: a matrix element */
    int help;        /* help overlay shown */
    int utf8;        /* locale codeset is UTF-8: half-blocks and UTF-8 labels */
    as_render_norm norm;
    as_render_cmap cmap;
    float *mean_buf; /* (q, k) mean over heads, when mean */
    size_t mean_cap;
    char *src;       /* current source text, owned (NULL if unknown) */
    char msg[256];   /* one-line message shown instead of the key hints */
    as_render_rgb lut[256];
    as_tui_palette pal;
    as_tui_layout lay;
} as_tui_app;

/* ---- view (tui_view.c) ----------------------------------------------------------------------- */
/* The (q, k) matrix shown now (a head, or the mean over heads), with its size; NULL (and a
 * message) if the mean buffer cannot be allocated. */
const float *as_tui_view_matrix(as_tui_app *app, int *rows, int *cols);
/* Keeps kind, layer, head and cursor inside the store (after a key or a rerun). */
void as_tui_view_clamp(as_tui_app *app);
/* Label of index i on the rows (axis_of_rows = 1) or columns of the current kind: the token
 * label, or the index when the store has no labels for that axis. */
const char *as_tui_view_label(const as_tui_app *app, int axis_of_rows, int i, char *buf,
                              size_t sz);
/* Widest label of an axis, in columns. */
int as_tui_view_label_width(const as_tui_app *app, int axis_of_rows);

/* ---- drawing (tui_draw.c) -------------------------------------------------------------------- */
void as_tui_draw(as_tui_app *app);

/* ---- keys (tui_keys.c) ----------------------------------------------------------------------- */
enum { AS_TUI_REDRAW = 1, AS_TUI_QUIT = 2 };
/* Runs the action bound to key (a curses key code or a character); returns AS_TUI_* flags. */
int as_tui_key(as_tui_app *app, int key);
/* Help text: line i of the key list ("Tab  next map type"), NULL past the end. */
const char *as_tui_help_line(int i, char *buf, size_t sz);

/* ---- source editing (tui_edit.c) ------------------------------------------------------------- */
/* Prompts for a new source on the bottom line and reruns the model (keeping kind, layer, head).
 * Errors end up in app->msg. */
void as_tui_edit_source(as_tui_app *app);

#endif
