/* Activation names as Hugging Face spells them (transformers activations.py ACT2FN). */
#include "attnscope/cfg.h"

#include <string.h>

static const struct {
    const char *name;
    as_act act;
} acts[] = {
    {"gelu", AS_ACT_GELU},
    {"gelu_python", AS_ACT_GELU}, /* the same erf GELU written in Python */
    {"gelu_new", AS_ACT_GELU_TANH},
    {"gelu_pytorch_tanh", AS_ACT_GELU_TANH},
    {"gelu_fast", AS_ACT_GELU_TANH}, /* same tanh formula, constants folded differently */
    {"relu", AS_ACT_RELU},
    {"silu", AS_ACT_SILU},
    {"swish", AS_ACT_SILU},
};

int as_cfg_parse_act(const char *name, as_act *out)
{
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        if (strcmp(name, acts[i].name) == 0) {
            *out = acts[i].act;
            return AS_OK;
        }
    }
    return as_fail(AS_EFORMAT,
                   "unknown activation '%s' (known: gelu, gelu_python, gelu_new, "
                   "gelu_pytorch_tanh, gelu_fast, relu, silu, swish)",
                   name);
}
