/* Colour mode negotiation (see tui_mode.h): pure, so every combination of request, environment
 * and terminal is unit-tested without a terminal. */
#include "tui_mode.h"

#include <math.h>
#include <string.h>

int as_tui_mode_wants_color(as_tui_colors want, const char *no_color)
{
    if (want == AS_TUI_COLORS_NONE)
        return 0;
    return !(want == AS_TUI_COLORS_AUTO && no_color && *no_color); /* https://no-color.org */
}

as_tui_pal_mode as_tui_mode_choose(as_tui_colors want, const as_tui_term_caps *c)
{
    if (!as_tui_mode_wants_color(want, c->no_color) || !c->has_colors)
        return AS_TUI_PAL_NONE;
    const char *ct = c->colorterm;
    int ct_true = ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0);
    if (want == AS_TUI_COLORS_AUTO || want == AS_TUI_COLORS_TRUE) {
        if (c->rgb && c->colors >= 0x1000000)
            return AS_TUI_PAL_DIRECT;
        if ((ct_true || want == AS_TUI_COLORS_TRUE) && c->redefine && c->colors >= 256)
            return AS_TUI_PAL_REDEF;
    }
    if (want != AS_TUI_COLORS_16 && c->colors >= 256)
        return AS_TUI_PAL_256;
    return c->colors >= 16 ? AS_TUI_PAL_16 : AS_TUI_PAL_NONE;
}

int as_tui_mode_levels(as_tui_pal_mode mode, const as_tui_term_caps *c)
{
    if (mode == AS_TUI_PAL_NONE || c->color_pairs < 2)
        return 0;
    /* Pairs 1 + fg_slot * slots + bg_slot, slots = levels + 2, must stay below COLOR_PAIRS. */
    int levels = (int)sqrt((double)c->color_pairs - 1.0) - 2;
    if (levels > 256)
        levels = 256;
    if (mode == AS_TUI_PAL_REDEF) {
        /* slots 16 .. 16 + levels (the cursor) must exist and fit the saved table */
        if (levels > c->colors - 18)
            levels = c->colors - 18;
        if (levels > 255)
            levels = 255;
    }
    return levels < 2 ? 0 : levels;
}

const char *as_tui_mode_name(as_tui_pal_mode mode)
{
    static const char *const names[] = {"none", "16", "256", "truecolor (palette)", "truecolor"};
    return names[mode];
}
