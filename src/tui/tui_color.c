/* Colour mode choice and the (fg, bg) pair cache. Heat-map cells need a pair per (upper, lower)
 * colour; pairs are defined lazily on first use from a table of slots (colormap levels, the
 * terminal default, the cursor colour). When COLOR_PAIRS cannot hold levels^2 pairs, fewer
 * levels are kept (ARCHITECTURE.md: "dropping levels when COLOR_PAIRS is small"). */
#include "tui_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>

static as_tui_pal_mode choose_mode(as_tui_colors want)
{
    const char *no_color = getenv("NO_COLOR");
    if (want == AS_TUI_COLORS_AUTO && no_color && *no_color)
        return AS_TUI_PAL_NONE; /* https://no-color.org */
    if (want == AS_TUI_COLORS_NONE || !has_colors() || start_color() == ERR)
        return AS_TUI_PAL_NONE;
    use_default_colors();
    const char *ct = getenv("COLORTERM");
    int ct_true = ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0);
    if (want == AS_TUI_COLORS_AUTO || want == AS_TUI_COLORS_TRUE) {
        /* terminfo RGB (e.g. TERM=xterm-direct): colour numbers are packed RGB. */
        if (tigetflag("RGB") > 0 && COLORS >= 0x1000000)
            return AS_TUI_PAL_DIRECT;
        if ((ct_true || want == AS_TUI_COLORS_TRUE) && can_change_color() && COLORS >= 256)
            return AS_TUI_PAL_REDEF;
    }
    if (want != AS_TUI_COLORS_16 && COLORS >= 256)
        return AS_TUI_PAL_256;
    return COLORS >= 16 ? AS_TUI_PAL_16 : AS_TUI_PAL_NONE;
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
    p->mode = choose_mode(want);
    if (p->mode == AS_TUI_PAL_NONE)
        return;
    /* Pairs 1 + fg_slot * slots + bg_slot must stay below COLOR_PAIRS. */
    int levels = (int)sqrt((double)COLOR_PAIRS - 1.0) - 2;
    if (levels > 256)
        levels = 256;
    if (p->mode == AS_TUI_PAL_REDEF) {
        /* slots 16 .. 16 + levels (the cursor) must exist and fit the saved table */
        if (levels > COLORS - 18)
            levels = COLORS - 18;
        if (levels > 255)
            levels = 255;
    }
    if (levels < 2) {
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
    for (int s = 0; s < levels; s++)
        p->color_of[s] = slot_color(p, s, lut[s * 255 / (levels - 1)]);
    p->color_of[levels] = -1; /* terminal default (use_default_colors) */
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

void as_tui_palette_fini(as_tui_palette *p)
{
    for (int s = 0; s < p->saved_n; s++)
        init_extended_color(16 + s, p->saved[s][0], p->saved[s][1], p->saved[s][2]);
    free(p->inited);
    p->inited = NULL;
}

const char *as_tui_palette_name(const as_tui_palette *p)
{
    static const char *const names[] = {"none", "16", "256", "truecolor (palette)", "truecolor"};
    return names[p->mode];
}
