/* Explorer options: defaults and the --colors word. */
#include "attnscope/tui.h"

#include <string.h>

void as_tui_opts_init(as_tui_opts *o)
{
    memset(o, 0, sizeof *o);
    o->colors = AS_TUI_COLORS_AUTO;
    o->cmap = AS_RENDER_CMAP_VIRIDIS;
    o->norm = AS_RENDER_NORM_FIXED;
    o->align.method = AS_AN_ALIGN_ARGMAX;
    o->align.threshold = 0.1;
}

int as_tui_colors_parse(const char *s, as_tui_colors *out)
{
    static const struct {
        const char *name;
        as_tui_colors c;
    } words[] = {{"auto", AS_TUI_COLORS_AUTO}, {"none", AS_TUI_COLORS_NONE},
                 {"16", AS_TUI_COLORS_16},     {"256", AS_TUI_COLORS_256},
                 {"truecolor", AS_TUI_COLORS_TRUE}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcmp(s, words[i].name) == 0) {
            *out = words[i].c;
            return AS_OK;
        }
    }
    return as_fail(AS_EINVAL, "colors '%s': unknown (use auto, none, 16, 256 or truecolor)", s);
}
