/* Editing the source sentence: a one-line prompt at the bottom (UTF-8 aware: wide characters
 * arrive through get_wch), then a rerun of the model whose store replaces the current one while
 * the map type, layer, head and cursor stay where they were (clamped to the new sizes). */
#include "tui_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

enum { MAX_SRC = 1024 };

/* Removes the last UTF-8 character of s. */
static void pop_char(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
        n--;
    if (n > 0)
        n--;
    s[n] = '\0';
}

static void draw_prompt(as_tui_app *app, const char *text)
{
    int y = app->lay.too_small ? LINES - 1 : app->lay.status_y + 1;
    move(y, 0);
    clrtoeol();
    attr_set(A_BOLD, 0, NULL);
    mvaddstr(y, 0, "source> ");
    attr_set(A_NORMAL, 0, NULL);
    /* Show the end of a long sentence: that is where the typing happens. */
    int room = COLS - 9;
    const char *shown = text;
    while (room > 0 && as_render_text_width(shown, !app->utf8) > room) {
        shown++;
        while (((unsigned char)*shown & 0xC0) == 0x80)
            shown++;
    }
    char buf[4 * MAX_SRC + 1];
    as_render_text_fit(shown, room > 0 ? room : 0, !app->utf8, buf, sizeof buf);
    addstr(buf);
    refresh();
}

/* Reads a line into text (UTF-8, at most MAX_SRC bytes); returns 1 on Enter, 0 on Esc. */
static int read_line(as_tui_app *app, char *text)
{
    curs_set(1);
    int accepted = -1;
    while (accepted < 0) {
        draw_prompt(app, text);
        wint_t ch;
        int rc = get_wch(&ch);
        if (rc == ERR)
            continue; /* timeout */
        if (rc == KEY_CODE_YES) {
            if (ch == KEY_ENTER)
                accepted = 1;
            else if (ch == KEY_BACKSPACE)
                pop_char(text);
            else if (ch == KEY_RESIZE)
                as_tui_draw(app);
            continue;
        }
        if (ch == '\n' || ch == '\r') {
            accepted = 1;
        } else if (ch == 27) {
            accepted = 0;
        } else if (ch == 127 || ch == 8) {
            pop_char(text);
        } else if (ch == 21) { /* Ctrl-U */
            text[0] = '\0';
        } else if (ch >= ' ') {
            char mb[MB_LEN_MAX];
            mbstate_t st;
            memset(&st, 0, sizeof st);
            size_t n = wcrtomb(mb, (wchar_t)ch, &st);
            size_t len = strlen(text);
            if (n != (size_t)-1 && len + n <= MAX_SRC) {
                memcpy(text + len, mb, n);
                text[len + n] = '\0';
            }
        }
    }
    curs_set(0);
    return accepted;
}

void as_tui_edit_source(as_tui_app *app)
{
    if (!app->model) {
        snprintf(app->msg, sizeof app->msg, "no model loaded: the source cannot be edited");
        return;
    }
    char text[MAX_SRC + 1];
    snprintf(text, sizeof text, "%s", app->src ? app->src : "");
    if (!read_line(app, text))
        return;
    if (!text[0]) {
        snprintf(app->msg, sizeof app->msg, "the source is empty: nothing to run");
        return;
    }
    draw_prompt(app, "running the model ...");

    as_run_opts run = app->opts->run;
    run.src = text;
    run.tgt = NULL; /* a forced target belongs to the old sentence: decode greedily */
    as_attn fresh;
    as_attn_init(&fresh);
    int rc = as_model_run(app->model, &run, &fresh);
    if (rc != AS_OK) {
        snprintf(app->msg, sizeof app->msg, "rerun failed: %s", as_last_error());
        as_attn_deinit(&fresh);
        return;
    }
    as_attn_deinit(app->attn);
    *app->attn = fresh;
    free(app->src);
    app->src = as_xstrdup(text);
    as_tui_view_clamp(app);
}
