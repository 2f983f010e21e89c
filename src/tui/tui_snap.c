/* Snapshots (s): the screen as text, read back from curses cell by cell, written twice in the
 * working directory: attnscope-N.txt (plain UTF-8, for mail and issues) and attnscope-N.ans
 * (the same with SGR colour escapes, for `cat` in a terminal). N is the first free number. */
#include "tui_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

/* Appends the SGR colour of one side of a cell (38 fg / 48 bg) to buf at *len; nothing for the
 * terminal's default colour. */
static void put_color(char *buf, size_t sz, int *len, const as_tui_palette *p, int slot, int base)
{
    if (slot == p->levels)
        return;
    int n = p->color_of[slot];
    as_render_rgb c = p->rgb_of[slot];
    size_t room = sz - (size_t)*len;
    if (p->mode == AS_TUI_PAL_16)
        *len += snprintf(buf + *len, room, ";%d", (base == 38 ? 30 : 40) + (n < 8 ? n : 52 + n));
    else if (p->mode == AS_TUI_PAL_256)
        *len += snprintf(buf + *len, room, ";%d;5;%d", base, n);
    else /* truecolor, direct or through redefined palette slots */
        *len += snprintf(buf + *len, room, ";%d;2;%d;%d;%d", base, c.r, c.g, c.b);
}

/* Appends the SGR colour of one side of a pair defined outside the palette (the image view's
 * pairs above it) from its curses colour number: packed RGB in direct colour, else an xterm
 * index (below 16: the ANSI codes, which 16-colour terminals understand); nothing for -1. */
static void put_number(char *buf, size_t sz, int *len, as_tui_pal_mode mode, int n, int base)
{
    size_t room = sz - (size_t)*len;
    if (n < 0)
        return;
    if (mode == AS_TUI_PAL_DIRECT)
        *len += snprintf(buf + *len, room, ";%d;2;%d;%d;%d", base, (n >> 16) & 0xff,
                         (n >> 8) & 0xff, n & 0xff);
    else if (n < 16)
        *len += snprintf(buf + *len, room, ";%d", (base == 38 ? 30 : 40) + (n < 8 ? n : 52 + n));
    else
        *len += snprintf(buf + *len, room, ";%d;5;%d", base, n);
}

/* The SGR sequence of a cell's attributes and colour pair. */
static void cell_sgr(const as_tui_app *app, attr_t attr, int pair, char *buf, size_t sz)
{
    int len = snprintf(buf, sz, "\033[0%s%s", attr & A_BOLD ? ";1" : "",
                       attr & A_REVERSE ? ";7" : "");
    int fs, bs;
    if (as_tui_palette_slots(&app->pal, pair, &fs, &bs)) {
        put_color(buf, sz, &len, &app->pal, fs, 38);
        put_color(buf, sz, &len, &app->pal, bs, 48);
    } else if (pair > 0 && app->pal.mode != AS_TUI_PAL_NONE &&
               extended_pair_content(pair, &fs, &bs) == OK) {
        put_number(buf, sz, &len, app->pal.mode, fs, 38);
        put_number(buf, sz, &len, app->pal.mode, bs, 48);
    }
    snprintf(buf + len, sz - (size_t)len, "m");
}

/* Writes row y of the screen to txt (plain) and ans (with escapes). */
static void write_row(const as_tui_app *app, FILE *txt, FILE *ans, int y)
{
    char last_sgr[64] = "";
    for (int x = 0; x < COLS; x++) {
        cchar_t cc;
        wchar_t wc[CCHARW_MAX + 1];
        attr_t attr;
        short pair_s;
        int pair = 0;
        if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wc, &attr, &pair_s, &pair) == ERR) {
            wc[0] = L' ';
            wc[1] = 0;
            attr = 0;
        }
        char sgr[64];
        cell_sgr(app, attr, pair, sgr, sizeof sgr);
        if (strcmp(sgr, last_sgr) != 0) {
            fputs(sgr, ans);
            snprintf(last_sgr, sizeof last_sgr, "%s", sgr);
        }
        char mb[8 * (CCHARW_MAX + 1)];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        const wchar_t *src = wc;
        size_t n = wcsrtombs(mb, &src, sizeof mb, &st);
        if (n == (size_t)-1 || n == 0) {
            mb[0] = ' ';
            n = 1;
        }
        fwrite(mb, 1, n, txt);
        fwrite(mb, 1, n, ans);
        if (wcwidth(wc[0]) == 2) /* the next cell is this character's right half */
            x++;
    }
    fputs("\033[0m\n", ans);
    fputc('\n', txt);
}

void as_tui_snapshot(as_tui_app *app)
{
    char txt_name[64], ans_name[64];
    int n = app->snap_n;
    do {
        n++;
        snprintf(txt_name, sizeof txt_name, "attnscope-%d.txt", n);
        snprintf(ans_name, sizeof ans_name, "attnscope-%d.ans", n);
    } while (access(txt_name, F_OK) == 0 || access(ans_name, F_OK) == 0);
    app->snap_n = n;
    /* The snapshot shows the view itself, not the help overlay or an old message. */
    app->help = 0;
    app->msg[0] = '\0';
    as_tui_draw(app);
    /* "x": created exclusively, so a file (or symlink) that appeared since the check above is
     * never overwritten or followed */
    FILE *txt = fopen(txt_name, "wx"), *ans = txt ? fopen(ans_name, "wx") : NULL;
    if (!txt || !ans) {
        snprintf(app->msg, sizeof app->msg, "cannot write %s: %s", txt ? ans_name : txt_name,
                 strerror(errno));
        if (txt)
            fclose(txt);
        return;
    }
    for (int y = 0; y < LINES; y++)
        write_row(app, txt, ans, y);
    int bad = ferror(txt) | ferror(ans);
    bad |= fclose(txt) != 0;
    bad |= fclose(ans) != 0;
    if (bad)
        snprintf(app->msg, sizeof app->msg, "cannot write %s / %s: %s", txt_name, ans_name,
                 strerror(errno));
    else
        snprintf(app->msg, sizeof app->msg, "saved %s and %s", txt_name, ans_name);
}
