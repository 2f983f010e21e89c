/* The default command: run the source through the model and open the explorer on it. */
#include "cli.h"

#include "attnscope/analysis.h"
#include "attnscope/model.h"
#include "attnscope/tui.h"

#include <stdlib.h>
#include <string.h>

/* Shows English->French reordering on the bundled model ("robe rouge", "chien noir"). */
#define AS_DEFAULT_SOURCE "A little girl in a red dress is playing with a black dog."

/* --gold: one line of Pharaoh links of this sentence pair (not a file, as for align: the
 * explorer shows one pair). */
static int parse_gold(const as_cli_opts *o, as_an_gold_link **gold, int *n)
{
    *gold = NULL;
    *n = 0;
    if (!o->gold)
        return AS_OK;
    if (o->method == AS_CLI_ALIGN_DIAGONAL)
        return as_fail(AS_EINVAL, "--method diagonal: the explorer scores attention heads");
    int rc = as_an_gold_parse(o->gold, o->gold_one_based, gold, n);
    if (rc != AS_OK) { /* the message is copied: as_fail rewrites it */
        char *msg = as_xstrdup(as_last_error());
        rc = as_fail(rc, "--gold: %s (one line of links such as \"0-0 1-2 2p1\")", msg);
        free(msg);
    }
    return rc;
}

int as_cli_explore(const as_cli_opts *o)
{
    as_an_gold_link *gold;
    int n_gold;
    int rc = parse_gold(o, &gold, &n_gold);
    if (rc != AS_OK)
        return rc;
    as_cli_opts run_opts = *o;
    if (!run_opts.src && !run_opts.image)
        run_opts.src = AS_DEFAULT_SOURCE;
    run_opts.logits = 1; /* the generation steps show each chosen token's probability */
    as_kern *k;
    as_model *m;
    as_attn a;
    rc = as_cli_load_and_run(&run_opts, &k, &m, &a);
    if (rc != AS_OK) {
        free(gold);
        return rc;
    }
    as_tui_opts t;
    as_tui_opts_init(&t);
    t.run = (as_run_opts){.src = run_opts.src, .tgt = o->tgt, .max_new_tokens = o->max_new_tokens,
                          .want_logits = 1, .image = o->image,
                          .store = (as_store_mode)o->store};
    t.no_mouse = o->no_mouse;
    t.max_frames = o->max_frames;
    t.device = as_kern_name(k);
    t.align.method = o->method == AS_CLI_ALIGN_DIAGONAL ? AS_AN_ALIGN_ARGMAX
                                                        : (as_an_align_method)o->method;
    t.align.threshold = o->threshold;
    t.align.predict = o->predict;
    t.gold = gold;
    t.n_gold = n_gold;
    t.has_gold = o->gold != NULL;
    rc = as_tui_colors_parse(o->colors, &t.colors);
    if (rc == AS_OK && o->gold && a.map[AS_ATTN_CROSS].layers == 0)
        rc = as_fail(AS_EINVAL, "--gold: model_type %s has no cross-attention to align with",
                     a.arch ? a.arch : "?");
    if (rc == AS_OK)
        rc = as_tui_run(m, &a, &t);
    as_attn_deinit(&a);
    as_model_destroy(m);
    as_kern_destroy(k);
    free(gold);
    return rc;
}
