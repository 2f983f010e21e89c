/* Image view (vision models, `attnscope MODEL --image FILE`): the CLS token's attention over the
 * patch grid blended onto the input image (render_overlay.c does the pixels). `i` cycles the
 * modes: the current layer and head (or aggregate) beside the plain image, every head of the
 * layer, every layer (layer progression), the rollout over all layers, and the DINO-style
 * threshold mask (patches holding 60 % of the attention mass shown, the rest dimmed).
 *
 * Colours: the overlay is RGB, but the colormap palette owns pairs 1 .. slots^2. The view uses
 * the pairs above them (usually ~500 in 256-colour and direct-colour terminals), defined per
 * frame for the xterm colours (or 16 ANSI colours) its cells quantise to; if a frame needs more
 * (fg, bg) combinations than that, it is redrawn with one colour per cell instead of half
 * blocks; without colour the heat is drawn as density glyphs. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA 0.6f
#define MASK_KEEP 0.6f /* DINO's visualize_attention.py threshold */
#define CELL_ASPECT 2.0f

static const char *const mode_names[AS_TUI_IMAGE_MODES] = {"overlay", "heads", "layers",
                                                             "rollout", "mask"};

/* ---- colour pairs above the palette's ----------------------------------------------------- */
typedef struct img_pairs {
    int first, budget, used; /* pair numbers first .. first + budget - 1 */
    short *pair_of;          /* (fg colour, bg colour) -> pair - first + 1, 0 = not yet */
    int overflow;            /* a combination found no pair */
} img_pairs;

static int colour_index(const as_tui_app *app, as_render_rgb c)
{
    return app->pal.mode == AS_TUI_PAL_256 || app->pal.mode == AS_TUI_PAL_DIRECT
               ? as_render_quant_256(c)
               : as_render_quant_16(c);
}

static int colour_number(const as_tui_app *app, int idx)
{
    if (app->pal.mode != AS_TUI_PAL_DIRECT)
        return idx;
    as_render_rgb c = as_render_xterm_rgb(idx);
    return (c.r << 16) | (c.g << 8) | c.b;
}

static int pair_for(const as_tui_app *app, img_pairs *pp, int fg, int bg)
{
    short *slot = &pp->pair_of[fg * 256 + bg];
    if (!*slot) {
        if (pp->used >= pp->budget) {
            pp->overflow = 1;
            return -1;
        }
        *slot = (short)++pp->used;
        init_extended_pair(pp->first + *slot - 1, colour_number(app, fg), colour_number(app, bg));
    }
    return pp->first + *slot - 1;
}

/* One cell: half block (fg upper, bg lower), or one colour, or a density glyph. */
static void put_rgb(as_tui_app *app, img_pairs *pp, int y, int x, const as_render_rgb_cell *c,
                    int half, uint8_t heat_level)
{
    if (!pp) {
        char g[2] = {as_render_ramp(heat_level), 0};
        mvaddstr(y, x, g);
        return;
    }
    as_render_rgb one = {(uint8_t)((c->fg.r + c->bg.r + 1) / 2),
                         (uint8_t)((c->fg.g + c->bg.g + 1) / 2),
                         (uint8_t)((c->fg.b + c->bg.b + 1) / 2)};
    int fg = colour_index(app, half ? c->fg : one), bg = colour_index(app, half ? c->bg : one);
    int pair = pair_for(app, pp, fg, bg);
    if (pair < 0)
        return;
    wchar_t wc[2] = {half ? (wchar_t)AS_RENDER_UPPER_HALF : L' ', 0};
    cchar_t cc;
    setcchar(&cc, wc, A_NORMAL, 0, &pair);
    mvadd_wch(y, x, &cc);
}

/* ---- maps ---------------------------------------------------------------------------------- */

/* The patch map of the CLS row of (layer, head / aggregate) into out [patches]. */
static void cls_map(const as_tui_app *app, int layer, int head, as_tui_agg agg, float *buf,
                    float *out)
{
    const as_attn_image *im = &app->attn->image;
    const float *m = as_tui_view_head(app, AS_ATTN_ENCODER, layer, head, agg, buf);
    memcpy(out, m + im->first_patch, sizeof(float) * (size_t)im->grid_rows * im->grid_cols);
}

/* Draws the overlay of map (or the plain image with map NULL) in a w x h cell box at (y, x),
 * centred and undistorted. */
static void draw_overlay(as_tui_app *app, img_pairs *pp, int half, const float *map,
                         const uint8_t *mask, int y, int x, int w, int h)
{
    const as_attn_image *im = &app->attn->image;
    int np = im->grid_rows * im->grid_cols, cols, rows;
    as_render_overlay_fit(im->w, im->h, w, h, CELL_ASPECT, &cols, &rows);
    as_render_overlay_opts o = {.cmap = app->cmap, .lo = 0, .hi = 1, .alpha = map ? ALPHA : 0,
                                .mask = mask};
    float zero = 0;
    if (map)
        as_render_range(AS_RENDER_NORM_MINMAX, map, 1, np, np, &o.lo, &o.hi);
    as_render_rgb_grid g; /* without half blocks put_rgb shows each cell's two pixels' mean */
    if (as_render_overlay_cells(&g, im->rgb, im->w, im->h, map ? map : &zero,
                                map ? im->grid_rows : 1, map ? im->grid_cols : 1, &o, cols,
                                rows) != AS_OK)
        return;
    int oy = y + (h - rows) / 2, ox = x + (w - cols) / 2;
    for (int r = 0; r < g.rows && r < h; r++)
        for (int c = 0; c < g.cols && c < w; c++) {
            /* heat level of the cell's patch, for the glyph fallback */
            int gr = (int)(((double)r + 0.5) * im->grid_rows / g.rows);
            int gc = (int)(((double)c + 0.5) * im->grid_cols / g.cols);
            uint8_t lvl = map ? (uint8_t)as_render_level(map[gr * im->grid_cols + gc], o.lo, o.hi)
                              : 0;
            put_rgb(app, pp, oy + r, ox + c, &g.cells[(size_t)r * g.cols + c], half, lvl);
        }
    as_render_rgb_grid_free(&g);
}

/* Tiles: n overlays (heads of the layer, or layers) with labels. */
static void draw_tiles(as_tui_app *app, img_pairs *pp, int half, int by_layer, float *buf,
                       float *map)
{
    const as_attn_map *m = &app->attn->map[AS_ATTN_ENCODER];
    int n = by_layer ? m->layers : m->heads;
    as_tui_thumbs t;
    as_tui_layout_thumbs(n, 0, COLS - 2, LINES - 5, &t);
    char label[32];
    for (int i = 0; i < n; i++) {
        int y = 3 + (i / t.cols) * (t.th + 1), x = 1 + (i % t.cols) * (t.tw + 1);
        if (y + t.th > LINES - 2)
            break;
        int layer = by_layer ? i : app->layer, head = by_layer ? app->head : i;
        as_tui_agg agg = by_layer ? app->agg : AS_TUI_AGG_HEAD;
        cls_map(app, layer, head, agg, buf, map);
        int sel = by_layer ? i == app->layer : i == app->head && app->agg == AS_TUI_AGG_HEAD;
        snprintf(label, sizeof label, "%s%d", by_layer ? "L" : "H", i);
        as_tui_put_text(app, y - 1, x, label, t.tw, sel ? A_REVERSE | A_BOLD : A_NORMAL);
        draw_overlay(app, pp, half, map, NULL, y, x, t.tw, t.th);
    }
}

static void prediction(const as_attn *a, char *out, size_t n)
{
    out[0] = '\0';
    if (!a->logits || a->logits_rows != 1 || a->logits_cols < 1)
        return;
    int best = 0;
    for (int c = 1; c < a->logits_cols; c++)
        best = a->logits[c] > a->logits[best] ? c : best;
    if (a->logit_labels)
        snprintf(out, n, "  prediction: %s", a->logit_labels[best]);
    else
        snprintf(out, n, "  prediction: class %d", best);
}

/* ---- the view ------------------------------------------------------------------------------ */

/* The title's legend: every overlay spans its own min..max (CLS attention spreads over many
 * patches, so a fixed 0..1 range would leave it nearly invisible); single maps show their range,
 * tiles 0..1 of theirs. */
static void title(as_tui_app *app, float lo, float hi)
{
    as_render_norm keep = app->norm;
    app->norm = AS_RENDER_NORM_MINMAX;
    as_tui_draw_title(app, lo, hi);
    app->norm = keep;
}

static void draw_body(as_tui_app *app, img_pairs *pp, int half, float *buf, float *map,
                      float *full, uint8_t *mask)
{
    const as_attn_map *m = &app->attn->map[AS_ATTN_ENCODER];
    const as_attn_image *im = &app->attn->image;
    int np = im->grid_rows * im->grid_cols, top = 2, h = LINES - 4, w = COLS - 2;
    switch (app->image_mode) {
    case AS_TUI_IMAGE_HEADS:
    case AS_TUI_IMAGE_LAYERS:
        title(app, 0.0f, 1.0f);
        draw_tiles(app, pp, half, app->image_mode == AS_TUI_IMAGE_LAYERS, buf, map);
        return;
    case AS_TUI_IMAGE_ROLLOUT:
        if (as_an_rollout_map(m, NULL, full) != AS_OK)
            return;
        memcpy(map, full + im->first_patch, sizeof(float) * (size_t)np);
        break;
    default:
        cls_map(app, app->layer, app->head, app->agg, buf, map);
    }
    if (app->image_mode == AS_TUI_IMAGE_MASK)
        as_render_threshold_mask(map, np, MASK_KEEP, mask);
    float lo, hi;
    as_render_range(AS_RENDER_NORM_MINMAX, map, 1, np, np, &lo, &hi);
    title(app, lo, hi);
    /* the plain image at the left when there is room for both side by side */
    if (w >= 2 * 16) {
        draw_overlay(app, pp, half, NULL, NULL, top, 1, w / 2 - 1, h);
        draw_overlay(app, pp, half, map, app->image_mode == AS_TUI_IMAGE_MASK ? mask : NULL, top,
                     1 + w / 2, w - w / 2, h);
    } else {
        draw_overlay(app, pp, half, map, app->image_mode == AS_TUI_IMAGE_MASK ? mask : NULL, top,
                     1, w, h);
    }
}

void as_tui_image_draw(as_tui_app *app)
{
    const as_attn *a = app->attn;
    const as_attn_image *im = &a->image;
    if (!im->rgb || !a->map[AS_ATTN_ENCODER].layers) {
        as_tui_draw_title(app, 0.0f, 1.0f);
        as_tui_put_text(app, 2, 1, "No image: this view is for vision models (attnscope MODEL "
                                   "--image FILE).", COLS - 2, A_NORMAL);
        as_tui_draw_status(app, "image view", "m/Esc map view  ? help  q quit");
        return;
    }
    const as_attn_map *m = &a->map[AS_ATTN_ENCODER];
    int np = im->grid_rows * im->grid_cols;
    float *buf = as_xmalloc(sizeof(float) * (size_t)m->q * m->k);
    float *full = as_xmalloc(sizeof(float) * (size_t)m->q * m->k);
    float *map = as_xmalloc(sizeof(float) * (size_t)np);
    uint8_t *mask = as_xmalloc((size_t)np);
    img_pairs pairs = {0}, *pp = NULL;
    int palette_pairs = app->pal.mode == AS_TUI_PAL_NONE ? 0 : app->pal.slots * app->pal.slots;
    if (app->pal.mode != AS_TUI_PAL_NONE && COLOR_PAIRS - 1 - palette_pairs > 0) {
        pairs.first = palette_pairs + 1;
        pairs.budget = COLOR_PAIRS - 1 - palette_pairs;
        pairs.budget = pairs.budget > 32767 ? 32767 : pairs.budget;
        pairs.pair_of = as_xcalloc(256 * 256, sizeof(short));
        pp = &pairs;
    }
    int half = app->utf8;
    draw_body(app, pp, half, buf, map, full, mask);
    if (pp && pairs.overflow) { /* too many colour combinations: one colour per cell */
        erase();
        memset(pairs.pair_of, 0, 256 * 256 * sizeof(short));
        pairs.used = pairs.overflow = 0;
        half = 0;
        draw_body(app, pp, half, buf, map, full, mask);
    }
    char head[32], pred[128], line[256];
    prediction(a, pred, sizeof pred);
    snprintf(line, sizeof line, "image %s  layer %d/%d  %s  %dx%d px, %dx%d patches%s",
             mode_names[app->image_mode], app->layer, m->layers,
             as_tui_view_head_name(app, head, sizeof head), im->w, im->h, im->grid_cols,
             im->grid_rows, pred);
    as_tui_draw_status(app, line, "i next mode (overlay heads layers rollout mask)  [ ] layer  "
                                  "< > head  a aggregate  c colormap  m map  q quit");
    free(pairs.pair_of);
    free(mask);
    free(map);
    free(full);
    free(buf);
}
