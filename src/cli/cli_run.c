/* Shared by dump and the explorer: device, model, one run. */
#include "cli.h"

#include "attnscope/model.h"

int as_cli_load_and_run(const as_cli_opts *o, as_kern **k, as_model **m, as_attn *a)
{
    *k = NULL;
    *m = NULL;
    as_attn_init(a);
    int rc = as_kern_create(k, o->device);
    if (rc == AS_OK)
        rc = as_model_load(m, as_cli_model_dir(o), *k);
    if (rc == AS_OK) {
        as_run_opts ro = {.src = o->src, .image = o->image, .tgt = o->tgt, .pair = o->pair,
                          .max_new_tokens = o->max_new_tokens, .want_logits = o->logits,
                          .want_hidden = o->hidden};
        rc = as_model_run(*m, &ro, a);
    }
    if (rc != AS_OK) {
        as_model_destroy(*m);
        as_kern_destroy(*k);
        *m = NULL;
        *k = NULL;
    }
    return rc;
}
