/* `attnscope dump`: attention maps as text heat maps (ascii/ansi) or as a safetensors file with
 * the fixtures' tensor names (the machine-readable contract); png/svg/npy/json in cli_export.c,
 * many inputs in cli_batch.c. */
#include "cli.h"

#include "attnscope/model.h"
#include "attnscope/st.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- safetensors --------------------------------------------------------------------------*/

static int add_ids(as_st_writer *w, const char *name, const int32_t *ids, int n)
{
    int64_t *v = as_xcalloc((size_t)(n ? n : 1), sizeof *v);
    for (int i = 0; i < n; i++)
        v[i] = ids[i];
    int64_t shape[1] = {n};
    int rc = as_st_writer_add_i64(w, name, 1, shape, v);
    free(v);
    return rc;
}

char *as_cli_tokens_json(const as_attn_axis_tokens *t, int labels)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < t->n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(labels ? t->labels[i] : t->pieces[i]));
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return s;
}

static int write_safetensors(const as_attn *a, FILE *out, const char *path)
{
    as_st_writer *w = as_st_writer_create();
    const as_attn_axis_tokens *src = &a->axis[AS_AXIS_SOURCE], *tgt = &a->axis[AS_AXIS_TARGET];
    as_st_writer_meta(w, "producer", "attnscope");
    as_st_writer_meta(w, "model", a->model_name);
    as_st_writer_meta(w, "model_type", a->arch);
    char *js = as_cli_tokens_json(src, 0);
    as_st_writer_meta(w, "source_tokens", js);
    cJSON_free(js);
    js = as_cli_tokens_json(src, 1);
    as_st_writer_meta(w, "source_labels", js);
    cJSON_free(js);
    int rc;
    const as_attn_image *im = &a->image;
    if (im->pixel_values) { /* vision: the model input is the image, named as in the fixtures */
        int64_t shape[3] = {3, im->in_h, im->in_w};
        rc = as_st_writer_add_f32(w, "pixel_values", 3, shape, im->pixel_values);
    } else {
        rc = add_ids(w, "input_ids", src->ids, src->n);
    }
    if (tgt->n && rc == AS_OK) {
        js = as_cli_tokens_json(tgt, 0);
        as_st_writer_meta(w, "target_tokens", js);
        cJSON_free(js);
        js = as_cli_tokens_json(tgt, 1);
        as_st_writer_meta(w, "target_labels", js);
        cJSON_free(js);
        if (a->n_generated)
            rc = add_ids(w, "generated_ids", tgt->ids, tgt->n);
        else
            rc = add_ids(w, "target_ids", tgt->ids + 1, tgt->n - 1);
        if (rc == AS_OK)
            rc = add_ids(w, "decoder_input_ids", tgt->ids, tgt->n);
    }
    for (int kind = 0; kind < AS_ATTN_KINDS && rc == AS_OK; kind++) {
        const as_attn_map *m = &a->map[kind];
        const float *all = NULL; /* the writer reads every layer at the end: the whole map */
        if (m->layers)
            rc = as_attn_full(a, (as_attn_kind)kind, &all);
        for (int l = 0; l < m->layers && rc == AS_OK; l++) {
            char *name = as_attn_export_name(a, (as_attn_kind)kind, l);
            int64_t shape[3] = {m->heads, m->q, m->k};
            rc = as_st_writer_add_f32(w, name, 3, shape,
                                      all + (size_t)l * m->heads * m->q * m->k);
            free(name);
        }
    }
    for (int ax = 0; ax < 2 && rc == AS_OK; ax++) {
        const as_attn_hidden *hs = &a->hidden[ax];
        for (int l = 0; l < hs->states && rc == AS_OK; l++) {
            char *name = as_attn_hidden_name(a, (as_attn_axis)ax, l);
            int64_t shape[2] = {hs->rows, hs->dim};
            rc = as_st_writer_add_f32(w, name, 2, shape,
                                      hs->h + (size_t)l * hs->rows * hs->dim);
            free(name);
        }
    }
    if (a->logits && rc == AS_OK) {
        /* an image classifier has one logits row: [classes], as Hugging Face's batch row */
        int64_t shape[2] = {a->logits_rows, a->logits_cols};
        int vec = im->pixel_values && a->logits_rows == 1;
        rc = as_st_writer_add_f32(w, "logits", vec ? 1 : 2, shape + vec, a->logits);
    }
    if (rc == AS_OK)
        rc = as_st_writer_write(w, out, path);
    as_st_writer_destroy(w);
    return rc;
}

/* ---- text heat maps -----------------------------------------------------------------------*/

static int env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

static as_render_dump_opts text_opts(const as_cli_opts *o, FILE *out)
{
    as_render_dump_opts d = {.format = AS_RENDER_DUMP_ASCII,
                             .cmap = AS_RENDER_CMAP_VIRIDIS,
                             .norm = AS_RENDER_NORM_FIXED};
    /* NO_COLOR or a non-terminal means plain text unless --format ansi asks for colour */
    if (o->format == AS_FMT_ANSI ||
        (o->format == AS_FMT_AUTO && !env_set("NO_COLOR") && isatty(fileno(out))))
        d.format = AS_RENDER_DUMP_ANSI;
    const char *ct = getenv("COLORTERM");
    d.color = ct && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0)
                  ? AS_RENDER_COLOR_TRUE
                  : AS_RENDER_COLOR_256;
    d.width = o->width;
    if (!d.width) {
        const char *cols = getenv("COLUMNS");
        d.width = cols && atoi(cols) >= 24 ? atoi(cols) : 80;
    }
    return d;
}

static int dump_matrix(FILE *out, const as_render_dump_opts *d, const as_attn *a,
                       as_attn_kind kind, int layer, int head)
{
    const as_attn_map *m = &a->map[kind];
    const as_attn_axis_tokens *rows = &a->axis[as_attn_row_axis(kind)];
    const as_attn_axis_tokens *cols = &a->axis[as_attn_col_axis(kind)];
    float *mean = NULL;
    const float *mat;
    char *header;
    if (head == AS_CLI_MEAN) {
        mean = as_xmalloc(sizeof(float) * (size_t)m->q * m->k);
        as_attn_head_mean(a, kind, layer, mean);
        mat = mean;
        header = as_xasprintf("%s %s layer %d/%d head mean/%d", a->model_name,
                              as_attn_kind_name(kind), layer, m->layers, m->heads);
    } else {
        mat = as_attn_head(a, kind, layer, head);
        header = as_xasprintf("%s %s layer %d/%d head %d/%d", a->model_name,
                              as_attn_kind_name(kind), layer, m->layers, head, m->heads);
    }
    int rc = as_render_dump_map(out, d, mat, m->q, m->k, (const char *const *)rows->labels,
                                (const char *const *)cols->labels, header);
    free(header);
    free(mean);
    return rc;
}

static int write_text(const as_cli_opts *o, const as_attn *a, FILE *out)
{
    as_render_dump_opts d = text_opts(o, out);
    int any = 0;
    for (int kind = 0; kind < AS_ATTN_KINDS; kind++) {
        const as_attn_map *m = &a->map[kind];
        if (!m->layers || (o->map != AS_CLI_ALL && o->map != kind))
            continue;
        if (o->layer_last >= m->layers)
            return as_fail(AS_EINVAL, "--layer %d: the %s map has layers 0..%d", o->layer_last,
                           as_attn_kind_name((as_attn_kind)kind), m->layers - 1);
        if (o->head >= m->heads)
            return as_fail(AS_EINVAL, "--head %d: the %s map has heads 0..%d", o->head,
                           as_attn_kind_name((as_attn_kind)kind), m->heads - 1);
        for (int l = 0; l < m->layers; l++) {
            if (o->layer != AS_CLI_ALL && (l < o->layer || l > o->layer_last))
                continue;
            int h0 = o->head >= 0 ? o->head : o->head == AS_CLI_MEAN ? AS_CLI_MEAN : 0;
            int h1 = o->head == AS_CLI_ALL ? m->heads - 1 : h0;
            for (int h = h0; h <= h1; h++) {
                int rc = dump_matrix(out, &d, a, (as_attn_kind)kind, l, h);
                if (rc != AS_OK)
                    return rc;
                any = 1;
            }
        }
    }
    if (!any)
        return as_fail(AS_EINVAL, "--map %s: this model has no such map",
                       as_attn_kind_name((as_attn_kind)o->map));
    return AS_OK;
}

int as_cli_dump_store(const as_cli_opts *o, const as_attn *a, const char *output)
{
    if (o->derive)
        return as_cli_derive_store(o, a, output);
    if (o->format == AS_FMT_TABLE)
        return as_fail(AS_EINVAL, "dump: --format table is for stats; dump writes ascii, ansi, "
                                  "safetensors, png, svg, npy or json");
    if (o->format == AS_FMT_PNG && a->image.rgb) /* vision: the overlay on the input image */
        return as_cli_image_png(o, a, output);
    if (o->format == AS_FMT_PNG || o->format == AS_FMT_SVG)
        return as_cli_export_images(o, a, output);
    if (o->format == AS_FMT_NPY)
        return as_cli_export_npy(o, a, output);
    FILE *out = stdout;
    const char *path = output ? output : "<stdout>";
    int rc = AS_OK;
    if (output && !(out = fopen(output, "wb")))
        rc = as_fail(AS_EIO, "%s: cannot write: %s", output, strerror(errno));
    else if (o->format == AS_FMT_SAFETENSORS && !output && isatty(fileno(stdout)))
        rc = as_fail(AS_EINVAL, "refusing to write binary safetensors to a terminal; use -o FILE");
    else if (o->format == AS_FMT_SAFETENSORS)
        rc = write_safetensors(a, out, path);
    else if (o->format == AS_FMT_JSON)
        rc = as_cli_export_json(o, a, out, path);
    else {
        if (a->image.rgb)
            as_cli_image_prediction(out, a);
        rc = write_text(o, a, out);
    }
    if (out && out != stdout && fclose(out) != 0 && rc == AS_OK)
        rc = as_fail(AS_EIO, "%s: write error", output);
    if (rc == AS_OK && out == stdout && fflush(stdout) != 0)
        rc = as_fail(AS_EIO, "<stdout>: write error: %s", strerror(errno));
    return rc;
}

int as_cli_dump(const as_cli_opts *o)
{
    if (o->src_file)
        return as_cli_dump_batch(o);
    as_cli_opts run_opts = *o;
    run_opts.logits = o->logits && o->format == AS_FMT_SAFETENSORS;
    run_opts.hidden = o->hidden && o->format == AS_FMT_SAFETENSORS;
    as_kern *k;
    as_model *m;
    as_attn a;
    int rc = as_cli_load_and_run(&run_opts, &k, &m, &a);
    if (rc != AS_OK)
        return rc;
    rc = as_cli_dump_store(o, &a, o->output);
    as_attn_deinit(&a);
    as_model_destroy(m);
    as_kern_destroy(k);
    return rc;
}
