/* Vision runs (--image) in `attnscope dump`: the attention overlay as a PNG at the input image's
 * resolution, and the classifier's top classes above text dumps. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OVERLAY_ALPHA 0.6f /* heat over image: the image stays recognisable under the colours */

/* The patch map of the CLS row: rollout over all layers (--layer all, the default), else one
 * layer's head or head mean. out [grid_rows * grid_cols]. */
static int cls_patch_map(const as_cli_opts *o, const as_attn *a, float *out, char **what)
{
    const as_attn_map *m = &a->map[AS_ATTN_ENCODER];
    const as_attn_image *im = &a->image;
    int n = m->q, np = im->grid_rows * im->grid_cols;
    if (o->head == AS_CLI_ALL)
        return as_fail(AS_EINVAL, "--format png: one image per run; give --head N or mean");
    if (o->layer >= m->layers || o->layer_last >= m->layers)
        return as_fail(AS_EINVAL, "--layer %d: the model has layers 0..%d", o->layer,
                       m->layers - 1);
    if (o->layer != AS_CLI_ALL && o->layer != o->layer_last)
        return as_fail(AS_EINVAL, "--format png: give one layer or all (rollout)");
    if (o->head >= m->heads)
        return as_fail(AS_EINVAL, "--head %d: the model has heads 0..%d", o->head, m->heads - 1);
    float *full = as_try_calloc((size_t)n * n, sizeof(float), "overlay map");
    if (!full)
        return AS_ENOMEM;
    int rc = AS_OK;
    if (o->layer == AS_CLI_ALL) {
        rc = as_an_rollout_map(m, NULL, full);
        *what = as_xstrdup("rollout over all layers");
    } else if (o->head == AS_CLI_MEAN) {
        as_attn_head_mean(a, AS_ATTN_ENCODER, o->layer, full);
        *what = as_xasprintf("layer %d head mean", o->layer);
    } else {
        memcpy(full, as_attn_head(a, AS_ATTN_ENCODER, o->layer, o->head),
               sizeof(float) * (size_t)n * n);
        *what = as_xasprintf("layer %d head %d", o->layer, o->head);
    }
    /* row 0 is the CLS query; its columns from first_patch on are the patches in grid order */
    if (rc == AS_OK)
        memcpy(out, full + im->first_patch, sizeof(float) * (size_t)np);
    free(full);
    return rc;
}

int as_cli_image_png(const as_cli_opts *o, const as_attn *a, const char *output)
{
    const as_attn_image *im = &a->image;
    if (!output)
        return as_fail(AS_EINVAL, "--format png: give the output file with -o FILE.png");
    int np = im->grid_rows * im->grid_cols;
    float *map = as_xcalloc((size_t)np, sizeof(float));
    char *what = NULL;
    int rc = cls_patch_map(o, a, map, &what);
    as_render_image out = {.w = im->w, .h = im->h};
    if (rc == AS_OK) {
        out.rgb = as_try_calloc((size_t)im->w * im->h, 3, "overlay image");
        rc = out.rgb ? AS_OK : AS_ENOMEM;
    }
    if (rc == AS_OK) {
        /* the patches share little mass each (1 / patches on average): the map's own range */
        as_render_overlay_opts ov = {.cmap = AS_RENDER_CMAP_MAGMA, .alpha = OVERLAY_ALPHA};
        as_render_range(AS_RENDER_NORM_MINMAX, map, 1, np, np, &ov.lo, &ov.hi);
        as_render_overlay(im->rgb, im->w, im->h, map, im->grid_rows, im->grid_cols, &ov, im->w,
                          im->h, out.rgb);
        rc = as_render_png_write(&out, output);
    }
    free(out.rgb);
    free(what);
    free(map);
    return rc;
}

void as_cli_image_prediction(FILE *out, const as_attn *a)
{
    if (!a->logits || a->logits_rows != 1)
        return;
    int C = a->logits_cols;
    /* softmax in double for the probabilities shown */
    double mx = a->logits[0], sum = 0;
    for (int c = 1; c < C; c++)
        mx = a->logits[c] > mx ? a->logits[c] : mx;
    for (int c = 0; c < C; c++)
        sum += exp(a->logits[c] - mx);
    int shown[3] = {-1, -1, -1};
    fputs("prediction:", out);
    for (int r = 0; r < 3 && r < C; r++) {
        int best = -1;
        for (int c = 0; c < C; c++)
            if (c != shown[0] && c != shown[1] && (best < 0 || a->logits[c] > a->logits[best]))
                best = c;
        shown[r] = best;
        const char *name = a->logit_labels ? a->logit_labels[best] : NULL;
        if (name)
            fprintf(out, " %s %.3f", name, exp(a->logits[best] - mx) / sum);
        else
            fprintf(out, " class %d %.3f", best, exp(a->logits[best] - mx) / sum);
    }
    fputc('\n', out);
}
