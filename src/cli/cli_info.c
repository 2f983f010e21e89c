/* `attnscope info MODEL_DIR` and `attnscope devices`. */
#include "cli.h"

#include "attnscope/img.h"
#include "attnscope/model.h"
#include "attnscope/vk.h"

#include <stdlib.h>

/* A vision model has no vocabulary or text positions: its input is an image cut into patches,
 * its output one of id2label's classes. */
static int print_image_fields(const char *dir)
{
    as_img_cfg ic;
    int rc = as_img_cfg_load(&ic, dir);
    if (rc != AS_OK)
        return rc;
    int side = ic.image_size / ic.patch_size;
    printf("image:        %dx%d px, %d channels\n", ic.image_size, ic.image_size, ic.num_channels);
    printf("patches:      %d (%dx%d of %dx%d px) + CLS\n", side * side, side, side, ic.patch_size,
           ic.patch_size);
    printf("labels:       %d", ic.n_labels);
    for (int i = 0; i < ic.n_labels; i++)
        printf("%s%s", i ? ", " : " (", ic.labels[i]);
    printf("%s\n", ic.n_labels ? ")" : "");
    as_img_cfg_free(&ic);
    return AS_OK;
}

int as_cli_info(const as_cli_opts *o)
{
    /* loading on the CPU backend validates every tensor against config.json without Vulkan */
    as_kern *k = NULL;
    as_model *m = NULL;
    as_model_info in;
    int rc = as_kern_create_cpu(&k);
    if (rc == AS_OK)
        rc = as_model_load(&m, o->model_dir, k);
    if (rc == AS_OK) {
        const as_cfg *c = as_model_cfg(m);
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
        if (in.image) {
            rc = print_image_fields(as_model_dir(m));
        } else {
            printf("vocabulary:   %d\n", c->vocab_size);
            printf("positions:    %d\n", c->max_positions);
        }
    }
    if (rc == AS_OK) {
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
    /* no loader, driver or device is not a failure of the listing: the CPU line above is the
     * whole truth, and runs without --device use that backend (as_cli_kern_create) */
    if (rc == AS_ENODEV) {
        as_cli_note_no_vulkan("only the CPU backend is available");
        return AS_OK;
    }
    return rc;
}
