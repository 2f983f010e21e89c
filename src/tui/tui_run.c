/* The explorer's event loop: draw -> wait for a key -> action, until quit or max_frames
 * (htop ScreenManager.c). Curses is set up with newterm so a missing terminal is an error code,
 * not an exit, and torn down (colours restored, mouse off, endwin) on every path out. raw() so
 * Ctrl-C arrives as a key and quits through the same teardown; SIGINT and SIGTERM sent by
 * another process are caught (ncurses would otherwise exit from its own handler with status 1)
 * and end the loop through that teardown too. */
#include "tui_internal.h"

#include <term.h>

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { KEY_WAIT_MS = 1000, ESC_DELAY_MS = 25 };

static const int stop_signals[] = {SIGINT, SIGTERM};
enum { N_STOP_SIGNALS = sizeof stop_signals / sizeof *stop_signals };
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

int as_tui_stop_signal(void)
{
    return stop_signal;
}

/* Without SA_RESTART the pending read returns at once; KEY_WAIT_MS bounds the wait otherwise. */
static void catch_stop_signals(struct sigaction old[N_STOP_SIGNALS])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    for (int i = 0; i < N_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &sa, &old[i]);
}

static void release_stop_signals(const struct sigaction old[N_STOP_SIGNALS])
{
    for (int i = 0; i < N_STOP_SIGNALS; i++)
        sigaction(stop_signals[i], &old[i], NULL);
}

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
    while (!stop_signal) {
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
        int flags = as_tui_key(app, (int)ch, rc == KEY_CODE_YES);
        if (flags & AS_TUI_QUIT)
            return;
        if (flags & AS_TUI_REDRAW)
            dirty = 1;
    }
}

void as_tui_app_init(as_tui_app *app, as_model *m, as_attn *a, const as_tui_opts *o)
{
    memset(app, 0, sizeof *app);
    app->model = m;
    app->attn = a;
    app->opts = o;
    app->norm = o->norm;
    app->cmap = o->cmap;
    app->zoom = AS_TUI_ZOOM_FIT;
    app->step = 1;
    app->table_sort = 2; /* entropy: the column people sort by first */
    const char *codeset = nl_langinfo(CODESET);
    app->utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
    app->src = o->run.src ? as_xstrdup(o->run.src) : NULL;
    app->tgt = o->run.tgt ? as_xstrdup(o->run.tgt) : NULL;
    app->gold_on = o->has_gold;
    as_render_cmap_lut(o->cmap, app->lut);
    as_tui_view_clamp(app);
}

void as_tui_app_start(as_tui_app *app)
{
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(ESC_DELAY_MS);
    wtimeout(stdscr, KEY_WAIT_MS);
    /* The Linux console reports the mouse through GPM, which ncurses loads with dlopen and whose
     * client leaks at exit (LeakSanitizer): the mouse is for terminal emulators (xterm
     * protocol). */
    const char *term = termname();
    if (!app->opts->no_mouse && !(term && strncmp(term, "linux", 5) == 0)) {
        mmask_t want = BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED |
                       BUTTON4_PRESSED;
#ifdef BUTTON5_PRESSED
        want |= BUTTON5_PRESSED;
#endif
        app->mouse = mousemask(want, NULL) != 0;
        mouseinterval(200);
    }
    as_tui_palette_init(&app->pal, app->opts->colors, app->lut, as_tui_cursor_color(app->cmap));
}

void as_tui_app_stop(as_tui_app *app)
{
    if (app->mouse)
        mousemask(0, NULL);
    as_tui_palette_fini(&app->pal);
}

void as_tui_app_deinit(as_tui_app *app)
{
    as_render_pyr_free(&app->pyr);
    as_tui_thumbs_free(app);
    free(app->agg_buf);
    free(app->stats);
    free(app->order);
    free(app->src);
    free(app->tgt);
}

int as_tui_run(as_model *m, as_attn *a, const as_tui_opts *o)
{
    if (!has_map(a))
        return as_fail(AS_EINVAL, "explorer: the attention store holds no map");
    /* Keys come from stdin and the screen goes to stdout: without a terminal on both, curses
     * would read end-of-file forever (a busy loop) or paint escape codes into a file. */
    int in_tty = isatty(STDIN_FILENO), out_tty = isatty(STDOUT_FILENO);
    if (!in_tty || !out_tty)
        return as_fail(AS_EINVAL, "explorer: standard %s is not a terminal (for pipes and files "
                                  "use `attnscope dump`)", in_tty ? "output" : "input");
    /* The terminal description is checked on its own first: a failed newterm leaks its
     * half-built screen (ncurses), and a terminal that cannot position the cursor (TERM=dumb)
     * would show nothing at all while the explorer waits for keys. */
    const char *term = getenv("TERM");
    int term_err = 0;
    if (setupterm(NULL, STDOUT_FILENO, &term_err) != OK)
        return as_fail(AS_EIO, "explorer: cannot initialise the terminal (TERM=%s)",
                       term ? term : "unset");
    const char *cup = tigetstr("cup");
    int can_move = cup && cup != (const char *)-1;
    del_curterm(cur_term);
    if (!can_move)
        return as_fail(AS_EUNSUPPORTED, "explorer: TERM=%s cannot position the cursor (use a "
                                        "terminal such as xterm-256color, or `attnscope dump`)",
                       term ? term : "unset");
    setlocale(LC_ALL, "");
    as_tui_app app;
    as_tui_app_init(&app, m, a, o);
    /* before newterm: ncurses installs its own handlers only where none is set */
    struct sigaction old[N_STOP_SIGNALS];
    catch_stop_signals(old);
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        release_stop_signals(old);
        as_tui_app_deinit(&app);
        return as_fail(AS_EIO, "explorer: cannot initialise the terminal (TERM=%s)",
                       term ? term : "unset");
    }
    as_tui_app_start(&app);
    loop(&app);
    as_tui_app_stop(&app);
    endwin();
    delscreen(scr);
    release_stop_signals(old);
    as_tui_app_deinit(&app);
    return AS_OK;
}
