/* Shared by dump, align, batch dumps and the explorer: device, model, one run. */
#include "cli.h"

#include "attnscope/model.h"
#include "attnscope/vk.h"

#include <stdlib.h>
#include <string.h>

void as_cli_note_no_vulkan(const char *outcome)
{
    const char *why = as_last_error();
    size_t n = strlen(why), hint = strlen(AS_VK_CPU_HINT);
    if (n >= hint && strcmp(why + n - hint, AS_VK_CPU_HINT) == 0)
        n -= hint;
    fprintf(stderr, "attnscope: %.*s; %s\n", (int)n, why, outcome);
}

/* A user who named a device wants that one: only the default choice falls back, so a script
 * asking for a GPU never runs (slowly) on the CPU without noticing. */
int as_cli_kern_create(const as_cli_opts *o, as_kern **k)
{
    int rc = as_kern_create(k, o->device);
    const char *env = getenv("AS_DEVICE");
    int asked = (o->device && *o->device) || (env && *env);
    if (rc != AS_ENODEV || asked)
        return rc;
    as_cli_note_no_vulkan("running on the CPU (--device cpu)");
    return as_kern_create_cpu(k);
}

int as_cli_load_and_run(const as_cli_opts *o, as_kern **k, as_model **m, as_attn *a)
{
    *k = NULL;
    *m = NULL;
    as_attn_init(a);
    int rc = as_cli_kern_create(o, k);
    if (rc == AS_OK)
        rc = as_model_load(m, as_cli_model_dir(o), *k);
    if (rc == AS_OK) {
        as_run_opts ro = {.src = o->src, .image = o->image, .tgt = o->tgt, .pair = o->pair,
                          .max_new_tokens = o->max_new_tokens, .want_logits = o->logits,
                          .want_hidden = o->hidden, .store = (as_store_mode)o->store};
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
