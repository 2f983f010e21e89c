/* One frame of the explorer: the current view (one draw function per view), the help overlay on
 * top, or the "terminal too small" message; and the pieces every view shares (text, cells,
 * thumbnails, title with legend, status lines). A frame is a pure function of the app state:
 * every key just changes state and redraws everything. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void as_tui_put_text(const as_tui_app *app, int y, int x, const char *s, int width, attr_t attr)
{
    if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
        return;
    if (x + width > COLS)
        width = COLS - x;
    char buf[1024];
    as_render_text_fit(s, width, !app->utf8, buf, sizeof buf);
    attr_set(attr, 0, NULL);
    mvaddstr(y, x, buf);
    attr_set(A_NORMAL, 0, NULL);
}

void as_tui_put_cell(as_tui_app *app, int y, int x, const as_render_cell *c, int reverse)
{
    wchar_t wc[2] = {(wchar_t)c->glyph, 0};
    cchar_t cc;
    int pair = as_tui_palette_pair(&app->pal, c->fg, c->bg);
    setcchar(&cc, wc, reverse ? A_REVERSE : A_NORMAL, 0, &pair);
    mvadd_wch(y, x, &cc);
}

void as_tui_draw_bar(const as_tui_app *app, int y, int x, int width, double frac)
{
    static const char *const eighths[] = {"", "\u258f", "\u258e", "\u258d", "\u258c",
                                          "\u258b", "\u258a", "\u2589"};
    if (!(frac > 0.0) || width <= 0)
        return;
    if (frac > 1.0)
        frac = 1.0;
    int units = (int)(frac * width * 8 + 0.5);
    move(y, x);
    for (int i = 0; i < units / 8; i++)
        addstr(app->utf8 ? "\u2588" : "#");
    if (app->utf8 && units % 8)
        addstr(eighths[units % 8]);
}

/* ---- title, legend, status ------------------------------------------------------------------- */
void as_tui_draw_title(as_tui_app *app, float lo, float hi)
{
    const as_attn *a = app->attn;
    /* the device without its details: "llvmpipe (LLVM 15.0.6, 256 bits)" -> "llvmpipe" */
    const char *dev = app->opts->device;
    int dev_len = dev ? (int)strcspn(dev, "(") : 0;
    while (dev_len > 0 && dev[dev_len - 1] == ' ')
        dev_len--;
    char line[1024];
    snprintf(line, sizeof line, " attnscope  %s%s%s%s%.*s  %s%s%s",
             a->model_name ? a->model_name : "", a->arch ? "  " : "", a->arch ? a->arch : "",
             dev_len ? " on " : "", dev_len, dev ? dev : "", app->src ? "\"" : "",
             app->src ? app->src : "", app->src ? "\"" : "");
    attr_set(A_REVERSE, 0, NULL);
    mvhline(0, 0, ' ', COLS);
    /* Legend: "0.000 ▀▀▀▀▀▀▀▀ 1.000 global viridis" at the right (glyph ramp without colour). */
    enum { BAR = 8 };
    char left[32], right[64];
    snprintf(left, sizeof left, " %.3g ", (double)lo);
    snprintf(right, sizeof right, " %.3g %s %s ", (double)hi,
             app->norm == AS_RENDER_NORM_FIXED ? "global" : "per-map",
             app->pal.mode == AS_TUI_PAL_NONE ? "ramp" : as_render_cmap_name(app->cmap));
    int lw = (int)strlen(left), rw = (int)strlen(right), legend_w = lw + BAR + rw;
    int x = COLS - legend_w;
    if (x < COLS / 2) { /* no room: the title keeps the line */
        as_tui_put_text(app, 0, 0, line, COLS, A_REVERSE);
        return;
    }
    as_tui_put_text(app, 0, 0, line, x - 1, A_REVERSE);
    as_tui_put_text(app, 0, x, left, lw, A_REVERSE);
    for (int i = 0; i < BAR; i++) {
        int level = i * 255 / (BAR - 1);
        as_render_cell c = {AS_RENDER_UPPER_HALF, (int16_t)level, (int16_t)level};
        if (app->pal.mode == AS_TUI_PAL_NONE)
            c = (as_render_cell){(uint32_t)(unsigned char)as_render_ramp(level),
                                 AS_RENDER_NO_COLOR, AS_RENDER_NO_COLOR};
        else if (!app->utf8)
            c.glyph = ' ';
        as_tui_put_cell(app, 0, x + lw + i, &c, 0);
    }
    as_tui_put_text(app, 0, x + lw + BAR, right, rw, A_REVERSE);
}

void as_tui_draw_status(as_tui_app *app, const char *status, const char *hints)
{
    int y = LINES - 2;
    as_tui_put_text(app, y, 0, status, COLS, A_BOLD);
    as_tui_put_text(app, y + 1, 0, app->msg[0] ? app->msg : hints, COLS, A_NORMAL);
}

/* ---- help overlay ---------------------------------------------------------------------------- */
static void draw_help(as_tui_app *app)
{
    char buf[128];
    int n = 0, w = 0;
    while (as_tui_help_line(n, buf, sizeof buf)) {
        int lw = as_render_text_width(buf, 0);
        if (lw > w)
            w = lw;
        n++;
    }
    int bw = w + 4 < COLS ? w + 4 : COLS, bh = n + 4 < LINES ? n + 4 : LINES;
    int y0 = (LINES - bh) / 2, x0 = (COLS - bw) / 2;
    /* Box characters as text, not the VT100 alternate set: some terminals and multiplexers
     * show ACS as plain letters in UTF-8 mode. */
    const char *hz = app->utf8 ? "\u2500" : "-", *vt = app->utf8 ? "\u2502" : "|";
    const char *corner[4] = {"+", "+", "+", "+"};
    if (app->utf8) {
        corner[0] = "\u250c";
        corner[1] = "\u2510";
        corner[2] = "\u2514";
        corner[3] = "\u2518";
    }
    for (int y = y0; y < y0 + bh; y++) {
        mvhline(y, x0, ' ', bw);
        mvaddstr(y, x0, vt);
        mvaddstr(y, x0 + bw - 1, vt);
    }
    for (int x = x0 + 1; x < x0 + bw - 1; x++) {
        mvaddstr(y0, x, hz);
        mvaddstr(y0 + bh - 1, x, hz);
    }
    mvaddstr(y0, x0, corner[0]);
    mvaddstr(y0, x0 + bw - 1, corner[1]);
    mvaddstr(y0 + bh - 1, x0, corner[2]);
    mvaddstr(y0 + bh - 1, x0 + bw - 1, corner[3]);
    int shown = bh - 3; /* lines between the title line and the bottom border */
    if (app->help_top > n - shown)
        app->help_top = n - shown > 0 ? n - shown : 0;
    as_tui_put_text(app, y0, x0 + 2,
                    shown < n ? " keys (j/k scroll, any other key closes) "
                              : " keys (any key closes) ",
                    bw - 4, A_BOLD);
    for (int i = 0; i < shown && app->help_top + i < n; i++)
        as_tui_put_text(app, y0 + 2 + i, x0 + 2,
                        as_tui_help_line(app->help_top + i, buf, sizeof buf), bw - 4, A_NORMAL);
}

static void draw_too_small(void)
{
    char lines[AS_TUI_MIN_H][64];
    int n = as_tui_layout_too_small(COLS, lines, LINES < AS_TUI_MIN_H ? LINES : AS_TUI_MIN_H);
    for (int i = 0; i < n; i++)
        mvaddstr(i, 0, lines[i]);
}

void as_tui_draw(as_tui_app *app)
{
    static void (*const draw_view[AS_TUI_VIEWS])(as_tui_app *) = {
        [AS_TUI_VIEW_MAP] = as_tui_map_draw,     [AS_TUI_VIEW_ROW] = as_tui_row_draw,
        [AS_TUI_VIEW_GRID] = as_tui_grid_draw,   [AS_TUI_VIEW_MODEL] = as_tui_model_draw,
        [AS_TUI_VIEW_TABLE] = as_tui_table_draw, [AS_TUI_VIEW_STEPS] = as_tui_steps_draw,
        [AS_TUI_VIEW_IMAGE] = as_tui_image_draw,
    };
    erase();
    if (COLS < AS_TUI_MIN_W || LINES < AS_TUI_MIN_H) {
        app->lay.too_small = 1;
        draw_too_small();
    } else {
        app->lay.too_small = 0;
        draw_view[app->view](app);
        if (app->help)
            draw_help(app);
    }
    refresh();
}
