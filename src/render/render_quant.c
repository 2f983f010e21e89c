/* Colour quantisation to the terminal palettes, as chafa's canvas modes do
 * (chafa/internal/chafa-palette.c): nearest colour by squared RGB distance over the xterm palette.
 * The lowest 16 colours are themed by the user, so the 256-colour mode never picks them. */
#include "attnscope/render.h"

/* xterm's default values for the 16 ANSI colours (xterm's XTerm-col.ad). */
static const as_render_rgb ansi16[16] = {
    {0, 0, 0},       {205, 0, 0},     {0, 205, 0},     {205, 205, 0},
    {0, 0, 238},     {205, 0, 205},   {0, 205, 205},   {229, 229, 229},
    {127, 127, 127}, {255, 0, 0},     {0, 255, 0},     {255, 255, 0},
    {92, 92, 255},   {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
};

/* Channel values of the 6x6x6 cube (16 + 36 r + 6 g + b). */
static const uint8_t cube[6] = {0, 95, 135, 175, 215, 255};

as_render_rgb as_render_xterm_rgb(int i)
{
    AS_ASSERT(i >= 0 && i < 256);
    if (i < 16)
        return ansi16[i];
    if (i < 232) {
        int c = i - 16;
        return (as_render_rgb){cube[c / 36], cube[c / 6 % 6], cube[c % 6]};
    }
    uint8_t g = (uint8_t)(8 + 10 * (i - 232)); /* grey ramp 8, 18, ..., 238 */
    return (as_render_rgb){g, g, g};
}

static int dist2(as_render_rgb a, as_render_rgb b)
{
    int dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
    return dr * dr + dg * dg + db * db;
}

static int nearest(as_render_rgb c, int first, int last)
{
    int best = first, best_d = dist2(c, as_render_xterm_rgb(first));
    for (int i = first + 1; i <= last; i++) {
        int d = dist2(c, as_render_xterm_rgb(i));
        if (d < best_d) {
            best = i;
            best_d = d;
        }
    }
    return best;
}

int as_render_quant_256(as_render_rgb c)
{
    return nearest(c, 16, 255);
}

int as_render_quant_16(as_render_rgb c)
{
    return nearest(c, 0, 15);
}

char as_render_ramp(int level)
{
    static const char ramp[] = AS_RENDER_RAMP;
    int n = (int)sizeof ramp - 1;
    if (level < 0)
        level = 0;
    if (level > 255)
        level = 255;
    return ramp[level * n / 256];
}
