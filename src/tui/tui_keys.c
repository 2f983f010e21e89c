/* Key bindings: one table maps keys to actions and feeds the help overlay, so the help can never
 * miss a key (htop Action.h). Actions change the app state and return AS_TUI_* flags. */
#include "tui_internal.h"

#include <stdio.h>

typedef int (*action_fn)(as_tui_app *app);

/* ---- map type, layer, head ------------------------------------------------------------------- */
static int select_kind(as_tui_app *app, as_attn_kind kind)
{
    if (app->attn->map[kind].layers == 0) {
        snprintf(app->msg, sizeof app->msg, "this model has no %s attention",
                 as_attn_kind_name(kind));
        return AS_TUI_REDRAW;
    }
    app->kind = kind;
    as_tui_view_clamp(app);
    return AS_TUI_REDRAW;
}

static int cycle_kind(as_tui_app *app, int dir)
{
    for (int i = 1; i <= AS_ATTN_KINDS; i++) {
        int k = ((int)app->kind + dir * i + AS_ATTN_KINDS) % AS_ATTN_KINDS;
        if (app->attn->map[k].layers > 0)
            return select_kind(app, (as_attn_kind)k);
    }
    return AS_TUI_REDRAW;
}

static int next_kind(as_tui_app *app)
{
    return cycle_kind(app, 1);
}

static int prev_kind(as_tui_app *app)
{
    return cycle_kind(app, -1);
}

static int kind_encoder(as_tui_app *app)
{
    return select_kind(app, AS_ATTN_ENCODER);
}

static int kind_decoder(as_tui_app *app)
{
    return select_kind(app, AS_ATTN_DECODER);
}

static int kind_cross(as_tui_app *app)
{
    return select_kind(app, AS_ATTN_CROSS);
}

static int wrap(int v, int n)
{
    return ((v % n) + n) % n;
}

static int layer_prev(as_tui_app *app)
{
    app->layer = wrap(app->layer - 1, app->attn->map[app->kind].layers);
    return AS_TUI_REDRAW;
}

static int layer_next(as_tui_app *app)
{
    app->layer = wrap(app->layer + 1, app->attn->map[app->kind].layers);
    return AS_TUI_REDRAW;
}

static int head_step(as_tui_app *app, int d)
{
    /* Stepping the head leaves the mean: the user asked for a particular head. */
    if (!app->mean)
        app->head = wrap(app->head + d, app->attn->map[app->kind].heads);
    app->mean = 0;
    return AS_TUI_REDRAW;
}

static int head_prev(as_tui_app *app)
{
    return head_step(app, -1);
}

static int head_next(as_tui_app *app)
{
    return head_step(app, 1);
}

static int toggle_mean(as_tui_app *app)
{
    app->mean = !app->mean;
    return AS_TUI_REDRAW;
}

static int toggle_norm(as_tui_app *app)
{
    app->norm = app->norm == AS_RENDER_NORM_FIXED ? AS_RENDER_NORM_MINMAX : AS_RENDER_NORM_FIXED;
    return AS_TUI_REDRAW;
}

static int next_cmap(as_tui_app *app)
{
    app->cmap = (as_render_cmap)((app->cmap + 1) % AS_RENDER_CMAPS);
    as_render_cmap_lut(app->cmap, app->lut);
    as_tui_palette_recolor(&app->pal, app->lut, as_tui_cursor_color(app->cmap));
    snprintf(app->msg, sizeof app->msg, "colormap: %s", as_render_cmap_name(app->cmap));
    return AS_TUI_REDRAW;
}

/* ---- cursor ---------------------------------------------------------------------------------- */
static int move_cursor(as_tui_app *app, int dq, int dk)
{
    const as_attn_map *m = &app->attn->map[app->kind];
    if (dq)
        app->q = as_tui_layout_step(m->q, app->lay.rows.bins ? app->lay.rows.bins : m->q, app->q,
                                    dq);
    if (dk)
        app->k = as_tui_layout_step(m->k, app->lay.cols.bins ? app->lay.cols.bins : m->k, app->k,
                                    dk);
    return AS_TUI_REDRAW;
}

static int move_left(as_tui_app *app)
{
    return move_cursor(app, 0, -1);
}

static int move_right(as_tui_app *app)
{
    return move_cursor(app, 0, 1);
}

static int move_up(as_tui_app *app)
{
    return move_cursor(app, -1, 0);
}

static int move_down(as_tui_app *app)
{
    return move_cursor(app, 1, 0);
}

/* ---- other ----------------------------------------------------------------------------------- */
static int show_help(as_tui_app *app)
{
    app->help = 1;
    return AS_TUI_REDRAW;
}

static int edit_source(as_tui_app *app)
{
    as_tui_edit_source(app);
    return AS_TUI_REDRAW;
}

static int quit(as_tui_app *app)
{
    return AS_TUI_QUIT;
}

/* ---- table ----------------------------------------------------------------------------------- */
typedef struct {
    int key;
    const char *name; /* NULL: an alias of the entry above (not listed again in the help) */
    const char *help;
    action_fn fn;
} binding;

static const binding bindings[] = {
    {'\t', "Tab", "next map type (encoder, decoder, cross)", next_kind},
    {KEY_BTAB, "S-Tab", "previous map type", prev_kind},
    {'1', "1", "encoder self-attention", kind_encoder},
    {'2', "2", "decoder self-attention", kind_decoder},
    {'3', "3", "cross-attention (decoder -> encoder)", kind_cross},
    {']', "]", "next layer", layer_next},
    {'[', "[", "previous layer", layer_prev},
    {'>', ">", "next head", head_next},
    {'<', "<", "previous head", head_prev},
    {'a', "a", "mean over heads (toggle)", toggle_mean},
    {'n', "n", "colour range: fixed 0..1 / the map's min..max", toggle_norm},
    {'c', "c", "next colormap (viridis, magma, gray, diverging)", next_cmap},
    {KEY_LEFT, "Left h", "cursor left (key token)", move_left},
    {'h', NULL, NULL, move_left},
    {KEY_RIGHT, "Right l", "cursor right", move_right},
    {'l', NULL, NULL, move_right},
    {KEY_UP, "Up k", "cursor up (query token)", move_up},
    {'k', NULL, NULL, move_up},
    {KEY_DOWN, "Down j", "cursor down", move_down},
    {'j', NULL, NULL, move_down},
    {'e', "e", "edit the source sentence, Enter reruns the model", edit_source},
    {'?', "?", "this help (any key closes it, q quits)", show_help},
    {'q', "q", "quit", quit},
};

enum { N_BINDINGS = sizeof bindings / sizeof bindings[0] };

int as_tui_key(as_tui_app *app, int key)
{
    app->msg[0] = '\0';
    if (app->help && key != 'q') { /* any other key closes the overlay */
        app->help = 0;
        return AS_TUI_REDRAW;
    }
    for (int i = 0; i < N_BINDINGS; i++)
        if (bindings[i].key == key)
            return bindings[i].fn(app);
    return 0;
}

const char *as_tui_help_line(int i, char *buf, size_t sz)
{
    for (int b = 0; b < N_BINDINGS; b++) {
        if (!bindings[b].name)
            continue;
        if (i-- == 0) {
            snprintf(buf, sz, "%-8s %s", bindings[b].name, bindings[b].help);
            return buf;
        }
    }
    return NULL;
}
