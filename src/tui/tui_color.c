/* Colour mode choice and the (fg, bg) pair cache. Heat-map cells need a pair per (upper, lower)
 * colour; pairs are defined lazily on first use from a table of slots (colormap levels, the
 * terminal default, the cursor colour). When COLOR_PAIRS cannot hold levels^2 pairs, fewer
 * levels are kept (ARCHITECTURE.md: "dropping levels when COLOR_PAIRS is small"). */
#include "tui_internal.h"

#include <stdlib.h>
#include <string.h>
#include <term.h>

/* The terminal's side of the negotiation; colours are started only if they may be used. */
static as_tui_pal_mode choose_mode(as_tui_colors want, as_tui_term_caps *c)
{
    memset(c, 0, sizeof *c);
    c->no_color = getenv("NO_COLOR");
    c->colorterm = getenv("COLORTERM");
    if (as_tui_mode_wants_color(want, c->no_color) && has_colors() && start_color() != ERR) {
        use_default_colors();
        c->has_colors = 1;
        c->colors = COLORS;
        c->color_pairs = COLOR_PAIRS;
        c->rgb = tigetflag("RGB") > 0;
        c->redefine = can_change_color();
    }
    return as_tui_mode_choose(want, c);
}

static int pack_rgb(as_render_rgb c)
{
    int v = (c.r << 16) | (c.g << 8) | c.b;
    /* xterm-direct reads numbers below 8 as the themed ANSI colours: nudge near-black blue. */
    return v < 8 ? 8 : v;
}

static int slot_color(as_tui_palette *p, int slot, as_render_rgb c)
{
    switch (p->mode) {
    case AS_TUI_PAL_DIRECT:
        return pack_rgb(c);
    case AS_TUI_PAL_REDEF: {
        int n = 16 + slot;
        int r, g, b;
        /* Save a slot's colour before its first redefinition only (colormaps can change). */
        if (slot >= p->saved_n && extended_color_content(n, &r, &g, &b) == OK) {
            p->saved[slot][0] = r;
            p->saved[slot][1] = g;
            p->saved[slot][2] = b;
            p->saved_n = slot + 1;
        }
        init_extended_color(n, c.r * 1000 / 255, c.g * 1000 / 255, c.b * 1000 / 255);
        return n;
    }
    case AS_TUI_PAL_256:
        return as_render_quant_256(c);
    default:
        return as_render_quant_16(c);
    }
}

void as_tui_palette_init(as_tui_palette *p, as_tui_colors want, const as_render_rgb lut[256],
                         as_render_rgb cursor)
{
    memset(p, 0, sizeof *p);
    as_tui_term_caps caps;
    p->mode = choose_mode(want, &caps);
    int levels = as_tui_mode_levels(p->mode, &caps);
    if (levels == 0) {
        p->mode = AS_TUI_PAL_NONE;
        return;
    }
    p->levels = levels;
    p->slots = levels + 2;
    p->inited = as_xcalloc((size_t)p->slots * p->slots, 1);
    as_tui_palette_recolor(p, lut, cursor);
}

void as_tui_palette_recolor(as_tui_palette *p, const as_render_rgb lut[256], as_render_rgb cursor)
{
    if (p->mode == AS_TUI_PAL_NONE)
        return;
    int levels = p->levels;
    for (int s = 0; s < levels; s++) {
        p->rgb_of[s] = lut[s * 255 / (levels - 1)];
        p->color_of[s] = slot_color(p, s, p->rgb_of[s]);
    }
    p->color_of[levels] = -1; /* terminal default (use_default_colors) */
    p->rgb_of[levels + 1] = cursor;
    p->color_of[levels + 1] = slot_color(p, levels, cursor);
    /* Pairs are redefined on their next use; the caller redraws everything anyway. */
    memset(p->inited, 0, (size_t)p->slots * p->slots);
}

as_render_rgb as_tui_cursor_color(as_render_cmap c)
{
    /* A colour that stands out against the colormap's own colours. */
    switch (c) {
    case AS_RENDER_CMAP_MAGMA:
        return (as_render_rgb){0, 255, 255};
    case AS_RENDER_CMAP_DIVERGING:
        return (as_render_rgb){0, 200, 0};
    default:
        return (as_render_rgb){255, 0, 0};
    }
}

static int slot_of(const as_tui_palette *p, int c)
{
    if (c == AS_RENDER_NO_COLOR)
        return p->levels;
    if (c == AS_TUI_CURSOR)
        return p->levels + 1;
    return c * p->levels / 256;
}

int as_tui_palette_pair(as_tui_palette *p, int fg, int bg)
{
    if (p->mode == AS_TUI_PAL_NONE)
        return 0;
    int fs = slot_of(p, fg), bs = slot_of(p, bg);
    int idx = fs * p->slots + bs;
    if (!p->inited[idx]) {
        init_extended_pair(1 + idx, p->color_of[fs], p->color_of[bs]);
        p->inited[idx] = 1;
    }
    return 1 + idx;
}

int as_tui_palette_slots(const as_tui_palette *p, int pair, int *fg_slot, int *bg_slot)
{
    if (p->mode == AS_TUI_PAL_NONE || pair < 1 || pair > p->slots * p->slots)
        return 0;
    *fg_slot = (pair - 1) / p->slots;
    *bg_slot = (pair - 1) % p->slots;
    return 1;
}

void as_tui_palette_fini(as_tui_palette *p)
{
    for (int s = 0; s < p->saved_n; s++)
        init_extended_color(16 + s, p->saved[s][0], p->saved[s][1], p->saved[s][2]);
    free(p->inited);
    p->inited = NULL;
}

const char *as_tui_palette_name(const as_tui_palette *p)
{
    return as_tui_mode_name(p->mode);
}
