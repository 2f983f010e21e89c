/* `attnscope info MODEL_DIR` and `attnscope devices`. */
#include "cli.h"

#include "attnscope/model.h"
#include "attnscope/vk.h"

#include <stdlib.h>

int as_cli_info(const as_cli_opts *o)
{
    /* loading on the CPU backend validates every tensor against config.json without Vulkan */
    as_kern *k = NULL;
    as_model *m = NULL;
    int rc = as_kern_create_cpu(&k);
    if (rc == AS_OK)
        rc = as_model_load(&m, o->model_dir, k);
    if (rc == AS_OK) {
        const as_cfg *c = as_model_cfg(m);
        as_model_info in;
        as_model_get_info(m, &in);
        printf("model:        %s\n", as_model_dir(m));
        printf("architecture: %s (%s)\n", in.arch,
               c->is_encoder_decoder ? "encoder-decoder" : "single stack");
        printf("d_model:      %d\n", c->d_model);
        printf("%-14s%d layers, %d heads, ffn %d\n", c->is_encoder_decoder ? "encoder:" : "layers:",
               c->enc_layers, c->enc_heads, c->enc_ffn);
        if (c->is_encoder_decoder)
            printf("decoder:      %d layers, %d heads, ffn %d\n", c->dec_layers, c->dec_heads,
                   c->dec_ffn);
        printf("activation:   %s\n", c->act_name);
        printf("vocabulary:   %d\n", c->vocab_size);
        printf("positions:    %d\n", c->max_positions);
        printf("parameters:   %zu (%zu tensors)\n", in.n_params, in.n_tensors);
        printf("dtypes:       %s\n", in.dtypes);
        printf("weights:      %s\n", in.weights);
        printf("tokenizer:    %s\n", in.tokenizer);
    }
    as_model_destroy(m);
    as_kern_destroy(k);
    return rc;
}

int as_cli_devices(const as_cli_opts *o)
{
    char *text = NULL;
    int rc = as_vk_describe_devices(&text);
    if (rc == AS_OK)
        fputs(text, stdout);
    printf("cpu: C reference backend (--device cpu)\n");
    free(text);
    return rc;
}
