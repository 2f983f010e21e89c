/* The default command: run the source through the model and open the explorer on it. */
#include "cli.h"

#include "attnscope/model.h"
#include "attnscope/tui.h"

#include <string.h>

/* Shows English->French reordering on the bundled model ("robe rouge", "chien noir"). */
#define AS_DEFAULT_SOURCE "A little girl in a red dress is playing with a black dog."

int as_cli_explore(const as_cli_opts *o)
{
    as_cli_opts run_opts = *o;
    if (!run_opts.src && !run_opts.image)
        run_opts.src = AS_DEFAULT_SOURCE;
    run_opts.logits = 1; /* the generation steps show each chosen token's probability */
    as_kern *k;
    as_model *m;
    as_attn a;
    int rc = as_cli_load_and_run(&run_opts, &k, &m, &a);
    if (rc != AS_OK)
        return rc;
    as_tui_opts t;
    as_tui_opts_init(&t);
    t.run = (as_run_opts){.src = run_opts.src, .tgt = o->tgt, .max_new_tokens = o->max_new_tokens,
                          .want_logits = 1, .image = o->image};
    t.no_mouse = o->no_mouse;
    t.max_frames = o->max_frames;
    rc = as_tui_colors_parse(o->colors, &t.colors);
    if (rc == AS_OK)
        rc = as_tui_run(m, &a, &t);
    as_attn_deinit(&a);
    as_model_destroy(m);
    as_kern_destroy(k);
    return rc;
}
