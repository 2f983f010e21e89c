/* Prompts on the bottom line (source editing, token search, go-to), UTF-8 aware: wide characters
 * arrive through get_wch. Editing the source reruns the model; the new store replaces the
 * current one while the view, map type, layer, head and cursor stay where they were (clamped to
 * the new sizes). */
#include "tui_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

enum { MAX_TEXT = 1024 };

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

static void draw_prompt(as_tui_app *app, const char *label, const char *text)
{
    int y = LINES - 1;
    move(y, 0);
    clrtoeol();
    attr_set(A_BOLD, 0, NULL);
    mvaddstr(y, 0, label);
    attr_set(A_NORMAL, 0, NULL);
    /* Show the end of a long text: that is where the typing happens. */
    int room = COLS - (int)strlen(label) - 1;
    const char *shown = text;
    while (room > 0 && as_render_text_width(shown, !app->utf8) > room) {
        shown++;
        while (((unsigned char)*shown & 0xC0) == 0x80)
            shown++;
    }
    char buf[4 * MAX_TEXT + 1];
    as_render_text_fit(shown, room > 0 ? room : 0, !app->utf8, buf, sizeof buf);
    addstr(buf);
    refresh();
}

int as_tui_prompt(as_tui_app *app, const char *label, char *text, size_t cap)
{
    curs_set(1);
    int accepted = -1;
    while (accepted < 0) {
        draw_prompt(app, label, text);
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
        } else if (ch == 27 || ch == 3) { /* Esc, Ctrl-C: cancel */
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
            if (n != (size_t)-1 && len + n < cap) {
                memcpy(text + len, mb, n);
                text[len + n] = '\0';
            }
        }
    }
    curs_set(0);
    return accepted;
}

void as_tui_edit_source(as_tui_app *app, int with_target)
{
    if (!app->model) {
        snprintf(app->msg, sizeof app->msg, "no model loaded: the source cannot be edited");
        return;
    }
    char text[MAX_TEXT + 1], tgt[MAX_TEXT + 1] = "";
    snprintf(text, sizeof text, "%s", app->src ? app->src : "");
    if (!as_tui_prompt(app, "source> ", text, sizeof text))
        return;
    if (!text[0]) {
        snprintf(app->msg, sizeof app->msg, "the source is empty: nothing to run");
        return;
    }
    if (with_target) {
        snprintf(tgt, sizeof tgt, "%s", app->tgt ? app->tgt : "");
        if (!as_tui_prompt(app, "target (empty: decode)> ", tgt, sizeof tgt))
            return;
    }
    draw_prompt(app, "", "running the model ...");

    as_run_opts run = app->opts->run;
    run.src = text;
    run.tgt = tgt[0] ? tgt : NULL; /* without E, a forced target belonged to the old sentence */
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
    app->attn_gen++;
    if (app->gold_on) /* the gold links numbered the words of the old sentence pair */
        snprintf(app->msg, sizeof app->msg, "new source: the --gold links and AER column dropped");
    app->gold_on = 0;
    free(app->src);
    free(app->tgt);
    app->src = as_xstrdup(text);
    app->tgt = tgt[0] ? as_xstrdup(tgt) : NULL;
    as_tui_view_clamp(app);
}
