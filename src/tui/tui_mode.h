/* Colour mode negotiation of the explorer, as chafa negotiates canvas modes: a pure function of
 * the request, the environment and the terminal's capabilities (no curses), unit-tested in
 * tests/unit/test_tui_mode.c. */
#ifndef ATTNSCOPE_TUI_MODE_H
#define ATTNSCOPE_TUI_MODE_H

#include "attnscope/tui.h"

typedef enum {
    AS_TUI_PAL_NONE,    /* density glyphs, reverse video for the cursor */
    AS_TUI_PAL_16,      /* nearest ANSI colour */
    AS_TUI_PAL_256,     /* nearest xterm cube / grey colour (240: never the themed lowest 16) */
    AS_TUI_PAL_REDEF,   /* palette slots 16.. redefined to the colormap (init_extended_color) */
    AS_TUI_PAL_DIRECT,  /* terminfo RGB: colour numbers are packed 0xRRGGBB */
} as_tui_pal_mode;

/* What the terminal and the environment say. */
typedef struct as_tui_term_caps {
    const char *no_color;  /* $NO_COLOR (NULL if unset) */
    const char *colorterm; /* $COLORTERM */
    int has_colors;        /* curses has_colors() and start_color() succeeded */
    int colors;            /* COLORS */
    int color_pairs;       /* COLOR_PAIRS */
    int rgb;               /* terminfo RGB flag (direct colour, e.g. TERM=xterm-direct) */
    int redefine;          /* can_change_color(): palette slots can be redefined */
} as_tui_term_caps;

/* 0 if no colour will be used whatever the terminal can do (--colors none, or auto with a
 * non-empty NO_COLOR): then the caller need not start curses colours at all. */
int as_tui_mode_wants_color(as_tui_colors want, const char *no_color);
/* The mode: truecolor when the terminal does direct colour (terminfo RGB), or COLORTERM says
 * truecolor / 24bit (or truecolor is forced) and palette slots can be redefined; else 256 (its
 * upper 240), else 16, else none. An explicit 256 / 16 caps the mode. */
as_tui_pal_mode as_tui_mode_choose(as_tui_colors want, const as_tui_term_caps *c);
/* Colormap levels a mode keeps: every (fg, bg) pair of levels + 2 slots (default, cursor) needs
 * a pair number below COLOR_PAIRS, and redefined slots 16 .. 17 + levels must exist; at most 256
 * (255 when redefining). Below 2 levels the mode falls back to none (returns 0). */
int as_tui_mode_levels(as_tui_pal_mode mode, const as_tui_term_caps *c);
/* "none", "16", "256", "truecolor (palette)", "truecolor". */
const char *as_tui_mode_name(as_tui_pal_mode mode);

#endif
