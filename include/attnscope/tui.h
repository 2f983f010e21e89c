/* tui: the terminal explorer (ncursesw). Views: a zoomable heat map of one head or an aggregate
 * (token labels, exact value under the cursor, minimap), row focus, layer grid, model overview,
 * head table and generation steps; keys switch map kind, layer and head, and (with a model) `e`
 * edits the source and reruns the model. README.md "The explorer" lists every key.
 * Layer 6: uses model, attn, render, core and ncursesw (only src/tui/ includes <curses.h>). */
#ifndef ATTNSCOPE_TUI_H
#define ATTNSCOPE_TUI_H

#include "attnscope/analysis.h"
#include "attnscope/attn.h"
#include "attnscope/model.h"
#include "attnscope/render.h"

typedef enum {
    AS_TUI_COLORS_AUTO, /* best the terminal supports; NO_COLOR (non-empty) means none */
    AS_TUI_COLORS_NONE, /* glyph density ramp */
    AS_TUI_COLORS_16,
    AS_TUI_COLORS_256,
    AS_TUI_COLORS_TRUE, /* falls back to 256 / 16 if the terminal cannot do it */
} as_tui_colors;

typedef struct as_tui_opts {
    as_tui_colors colors;
    as_render_cmap cmap;
    as_render_norm norm;
    int max_frames;  /* > 0: return after drawing this many frames (scripted tests) */
    int no_mouse;    /* 1: do not ask the terminal for mouse events */
    as_run_opts run; /* the options that made the store; `e` reruns with a new src (tgt dropped:
                        a forced target belongs to the old source; `E` asks for a new one).
                        want_logits gives the generation steps their probabilities. */
    /* Word alignment of the overlay (`A`) and the head table's AER column: method, threshold
     * and predict as `attnscope align` takes them (l0, l1 and head are the view's own). */
    as_an_align_opts align;
    /* Gold links of the store's sentence pair (borrowed; NULL with n_gold 0 for an empty line);
     * has_gold adds the AER column to the cross head table until the source is edited. */
    const as_an_gold_link *gold;
    int n_gold, has_gold;
    /* Backend that computed the store, shown in the title (borrowed; NULL for a saved store). */
    const char *device;
} as_tui_opts;

/* Defaults: AS_TUI_COLORS_AUTO, viridis, fixed 0..1 range, no frame limit, empty run options,
 * argmax alignment (threshold 0.1, as `attnscope align`), no gold. */
void as_tui_opts_init(as_tui_opts *o);
/* "auto", "none", "16", "256", "truecolor" -> colour choice; AS_EINVAL naming the valid words. */
int as_tui_colors_parse(const char *s, as_tui_colors *out);

/* Runs the explorer on store a until the user quits (or max_frames). m may be NULL (a saved
 * store): editing the source is then disabled. On a rerun the new store replaces *a in place
 * (the caller still owns and deinits a). Restores the terminal before returning. Errors: AS_EIO
 * if the terminal cannot be initialised, AS_EINVAL if a holds no map. */
int as_tui_run(as_model *m, as_attn *a, const as_tui_opts *o);
/* The signal (SIGINT or SIGTERM) that ended the last as_tui_run, else 0. The explorer catches
 * both so it can restore the terminal and return normally; the caller frees what it holds and
 * then re-raises the signal, so whoever started attnscope sees it end by that signal. */
int as_tui_stop_signal(void);

#endif
