/* tui colour mode negotiation: request x environment x terminal capabilities (pure). Terminals
 * described as terminfo does: xterm-256color (256 colours, 65536 pairs, can_change), xterm-direct
 * (RGB flag, 2^24 colours, 65536 pairs), linux (8 colours, 64 pairs), vt100 (no colour). */
#include "tui_mode.h"

#include "../test.h"

static const as_tui_term_caps xterm256 = {.has_colors = 1, .colors = 256, .color_pairs = 65536,
                                          .redefine = 1};
static const as_tui_term_caps direct = {.has_colors = 1, .colors = 0x1000000,
                                        .color_pairs = 65536, .rgb = 1};
static const as_tui_term_caps linux8 = {.has_colors = 1, .colors = 8, .color_pairs = 64};
static const as_tui_term_caps xterm16 = {.has_colors = 1, .colors = 16, .color_pairs = 256};
static const as_tui_term_caps vt100 = {.has_colors = 0};

static as_tui_pal_mode choose(as_tui_colors want, as_tui_term_caps c, const char *no_color,
                              const char *colorterm)
{
    c.no_color = no_color;
    c.colorterm = colorterm;
    return as_tui_mode_choose(want, &c);
}

static void test_auto(void)
{
    /* the terminal decides: 256 unless COLORTERM announces truecolor (palette redefinition) */
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, xterm256, NULL, NULL), AS_TUI_PAL_256);
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, xterm256, NULL, "truecolor"), AS_TUI_PAL_REDEF);
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, xterm256, NULL, "24bit"), AS_TUI_PAL_REDEF);
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, xterm256, NULL, "yes"), AS_TUI_PAL_256);
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, direct, NULL, NULL), AS_TUI_PAL_DIRECT);
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, xterm16, NULL, NULL), AS_TUI_PAL_16);
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, linux8, NULL, NULL), AS_TUI_PAL_NONE);
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, vt100, NULL, "truecolor"), AS_TUI_PAL_NONE);
    /* NO_COLOR: non-empty means none; empty is ignored (no-color.org) */
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, direct, "1", NULL), AS_TUI_PAL_NONE);
    AS_TEST_EQ(choose(AS_TUI_COLORS_AUTO, xterm256, "", NULL), AS_TUI_PAL_256);
    AS_TEST_EQ(as_tui_mode_wants_color(AS_TUI_COLORS_AUTO, "1"), 0);
    AS_TEST_EQ(as_tui_mode_wants_color(AS_TUI_COLORS_AUTO, NULL), 1);
    AS_TEST_EQ(as_tui_mode_wants_color(AS_TUI_COLORS_NONE, NULL), 0);
}

static void test_forced(void)
{
    /* an explicit request beats NO_COLOR and caps the mode; none always wins */
    AS_TEST_EQ(choose(AS_TUI_COLORS_256, xterm256, "1", "truecolor"), AS_TUI_PAL_256);
    AS_TEST_EQ(choose(AS_TUI_COLORS_256, direct, NULL, NULL), AS_TUI_PAL_256);
    AS_TEST_EQ(choose(AS_TUI_COLORS_16, xterm256, NULL, "truecolor"), AS_TUI_PAL_16);
    AS_TEST_EQ(choose(AS_TUI_COLORS_TRUE, xterm256, NULL, NULL), AS_TUI_PAL_REDEF);
    AS_TEST_EQ(choose(AS_TUI_COLORS_TRUE, direct, NULL, NULL), AS_TUI_PAL_DIRECT);
    /* truecolor on a 16-colour terminal falls back to what it can do */
    AS_TEST_EQ(choose(AS_TUI_COLORS_TRUE, xterm16, NULL, NULL), AS_TUI_PAL_16);
    AS_TEST_EQ(choose(AS_TUI_COLORS_256, xterm16, NULL, NULL), AS_TUI_PAL_16);
    AS_TEST_EQ(choose(AS_TUI_COLORS_NONE, direct, NULL, "truecolor"), AS_TUI_PAL_NONE);
}

static void test_levels(void)
{
    /* 65536 pairs: sqrt(65535) = 255.99 -> 255 - 2 = 253 levels (253 + 2 slots)^2 + 1 <= 65536 */
    AS_TEST_EQ(as_tui_mode_levels(AS_TUI_PAL_256, &xterm256), 253);
    AS_TEST_EQ(as_tui_mode_levels(AS_TUI_PAL_DIRECT, &direct), 253);
    /* redefining needs slots 16 .. 17 + levels within 256 colours: 256 - 18 = 238 */
    AS_TEST_EQ(as_tui_mode_levels(AS_TUI_PAL_REDEF, &xterm256), 238);
    /* 256 pairs (xterm-16color): sqrt(255) = 15.97 -> 13 levels; 64 pairs: 7 - 2 = 5 */
    AS_TEST_EQ(as_tui_mode_levels(AS_TUI_PAL_16, &xterm16), 13);
    AS_TEST_EQ(as_tui_mode_levels(AS_TUI_PAL_16, &linux8), 5);
    /* too few pairs for 2 levels: no colour */
    as_tui_term_caps tiny = {.has_colors = 1, .colors = 16, .color_pairs = 8};
    AS_TEST_EQ(as_tui_mode_levels(AS_TUI_PAL_16, &tiny), 0);
    AS_TEST_EQ(as_tui_mode_levels(AS_TUI_PAL_NONE, &xterm256), 0);
    AS_TEST_STR(as_tui_mode_name(AS_TUI_PAL_REDEF), "truecolor (palette)");
}

int main(void)
{
    test_auto();
    test_forced();
    test_levels();
    return as_test_result();
}
