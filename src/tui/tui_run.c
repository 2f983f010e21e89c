/* The explorer's event loop: draw -> wait for a key -> action, until quit or max_frames
 * (htop ScreenManager.c). Curses is set up with newterm so a missing terminal is an error code,
 * not an exit, and torn down (colours restored, endwin) on every path out. */
#include "tui_internal.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_WAIT_MS = 1000, ESC_DELAY_MS = 25 };

static int has_map(const as_attn *a)
{
    for (int k = 0; k < AS_ATTN_KINDS; k++)
        if (a->map[k].layers > 0 && a->map[k].heads > 0 && a->map[k].q > 0 && a->map[k].k > 0)
            return 1;
    return 0;
}

static void loop(as_tui_app *app)
{
    int frames = 0, dirty = 1;
    for (;;) {
        if (dirty) {
            as_tui_draw(app);
            frames++;
            dirty = 0;
            if (app->opts->max_frames > 0 && frames >= app->opts->max_frames)
                return;
        }
        wint_t ch;
        int rc = get_wch(&ch);
        if (rc == ERR)
            continue; /* timeout: nothing changed */
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
            dirty = 1;
            continue;
        }
        int flags = as_tui_key(app, (int)ch);
        if (flags & AS_TUI_QUIT)
            return;
        if (flags & AS_TUI_REDRAW)
            dirty = 1;
    }
}

int as_tui_run(as_model *m, as_attn *a, const as_tui_opts *o)
{
    if (!has_map(a))
        return as_fail(AS_EINVAL, "explorer: the attention store holds no map");
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);

    as_tui_app app;
    memset(&app, 0, sizeof app);
    app.model = m;
    app.attn = a;
    app.opts = o;
    app.norm = o->norm;
    app.cmap = o->cmap;
    app.utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
    app.src = o->run.src ? as_xstrdup(o->run.src) : NULL;
    as_render_cmap_lut(o->cmap, app.lut);
    as_tui_view_clamp(&app);

    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        free(app.src);
        const char *term = getenv("TERM");
        return as_fail(AS_EIO, "explorer: cannot initialise the terminal (TERM=%s)",
                       term ? term : "unset");
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(ESC_DELAY_MS);
    wtimeout(stdscr, KEY_WAIT_MS);
    as_tui_palette_init(&app.pal, o->colors, app.lut, as_tui_cursor_color(o->cmap));

    loop(&app);

    as_tui_palette_fini(&app.pal);
    endwin();
    delscreen(scr);
    free(app.mean_buf);
    free(app.src);
    return AS_OK;
}
