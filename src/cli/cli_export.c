/* dump --format png|svg (one picture per selected map), npy (one [layers, heads, q, k] file per
 * map kind plus tokens.json) and json (tokens, shapes, values in one document or line). */
#include "cli.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- which maps -----------------------------------------------------------------------------*/

/* Calls fn for every (kind, layer, head) the options select; head AS_CLI_MEAN is the mean. */
typedef int (*map_fn)(const as_cli_opts *o, const as_attn *a, as_attn_kind kind, int layer,
                      int head, void *ud);

static int check_range(const as_cli_opts *o, const as_attn_map *m, as_attn_kind kind)
{
    int last = o->layer == AS_CLI_ALL ? 0 : o->layer_last;
    if (last >= m->layers)
        return as_fail(AS_EINVAL, "--layer %d: the %s map has layers 0..%d", last,
                       as_attn_kind_name(kind), m->layers - 1);
    if (o->head >= m->heads)
        return as_fail(AS_EINVAL, "--head %d: the %s map has heads 0..%d", o->head,
                       as_attn_kind_name(kind), m->heads - 1);
    return AS_OK;
}

static int for_each_map(const as_cli_opts *o, const as_attn *a, map_fn fn, void *ud)
{
    int any = 0;
    for (int kind = 0; kind < AS_ATTN_KINDS; kind++) {
        const as_attn_map *m = &a->map[kind];
        if (!m->layers || (o->map != AS_CLI_ALL && o->map != kind))
            continue;
        int rc = check_range(o, m, (as_attn_kind)kind);
        for (int l = 0; l < m->layers && rc == AS_OK; l++) {
            if (o->layer != AS_CLI_ALL && (l < o->layer || l > o->layer_last))
                continue;
            int h0 = o->head == AS_CLI_ALL ? 0 : o->head;
            int h1 = o->head == AS_CLI_ALL ? m->heads - 1 : h0;
            for (int h = h0; h <= h1 && rc == AS_OK; h++) {
                rc = fn(o, a, (as_attn_kind)kind, l, h, ud);
                any = 1;
            }
        }
        if (rc != AS_OK)
            return rc;
    }
    if (!any)
        return as_fail(AS_EINVAL, "--map %s: this model has no such map",
                       as_attn_kind_name((as_attn_kind)o->map));
    return AS_OK;
}

static int count_fn(const as_cli_opts *o, const as_attn *a, as_attn_kind kind, int layer,
                    int head, void *ud)
{
    ++*(int *)ud;
    return AS_OK;
}

int as_cli_make_dir(const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return as_fail(AS_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return as_fail(AS_EIO, "%s: exists and is not a directory", dir);
    return AS_OK;
}

/* ---- png / svg ------------------------------------------------------------------------------*/

typedef struct image_job {
    const char *path; // the file (one map) or the directory (several)
    int several;
} image_job;

static int image_fn(const as_cli_opts *o, const as_attn *a, as_attn_kind kind, int layer,
                    int head, void *ud)
{
    const image_job *job = ud;
    const as_attn_map *m = &a->map[kind];
    const char *ext = o->format == AS_FMT_PNG ? "png" : "svg";
    float *mean = NULL;
    const float *mat = as_attn_head(a, kind, layer, head < 0 ? 0 : head);
    char hname[16];
    if (head == AS_CLI_MEAN) {
        mean = as_xmalloc(sizeof(float) * (size_t)m->q * m->k);
        as_attn_head_mean(a, kind, layer, mean);
        mat = mean;
        snprintf(hname, sizeof hname, "mean");
    } else {
        snprintf(hname, sizeof hname, "H%d", head);
    }
    char *path = job->several ? as_xasprintf("%s/%s.L%d.%s.%s", job->path, as_attn_kind_name(kind),
                                             layer, hname, ext)
                              : as_xstrdup(job->path);
    char *title = as_xasprintf("%s %s layer %d head %s", a->model_name, as_attn_kind_name(kind),
                               layer, head == AS_CLI_MEAN ? "mean" : hname + 1);
    int rc;
    if (o->format == AS_FMT_PNG) {
        as_render_image img;
        as_render_image_opts io = {.cmap = AS_RENDER_CMAP_VIRIDIS, .norm = AS_RENDER_NORM_FIXED,
                                   .title = title};
        rc = as_render_image_build(&img, mat, m->q, m->k, &io);
        if (rc == AS_OK)
            rc = as_render_png_write(&img, path);
        as_render_image_free(&img);
    } else {
        FILE *f = fopen(path, "w");
        if (!f) {
            rc = as_fail(AS_EIO, "%s: cannot write: %s", path, strerror(errno));
        } else {
            const as_attn_axis_tokens *rows = &a->axis[as_attn_row_axis(kind)];
            const as_attn_axis_tokens *cols = &a->axis[as_attn_col_axis(kind)];
            rc = as_render_svg_write(f, path, mat, m->q, m->k, (const char *const *)rows->labels,
                                     (const char *const *)cols->labels, title,
                                     AS_RENDER_CMAP_VIRIDIS, AS_RENDER_NORM_FIXED);
            if (fclose(f) != 0 && rc == AS_OK)
                rc = as_fail(AS_EIO, "%s: write error", path);
        }
    }
    free(title);
    free(path);
    free(mean);
    return rc;
}

int as_cli_export_images(const as_cli_opts *o, const as_attn *a, const char *path)
{
    if (!path)
        return as_fail(AS_EINVAL, "--format %s needs -o FILE (one map) or -o DIR (several)",
                       o->format == AS_FMT_PNG ? "png" : "svg");
    // a path ending in '/' is a directory even for one map (batch dumps: one per input)
    char *dir = as_xstrdup(path);
    size_t len = strlen(dir);
    int force_dir = len > 1 && dir[len - 1] == '/';
    if (force_dir)
        dir[len - 1] = '\0';
    image_job job = {.path = dir};
    int n = 0, rc = for_each_map(o, a, count_fn, &n);
    job.several = n > 1 || force_dir;
    if (rc == AS_OK && job.several)
        rc = as_cli_make_dir(dir);
    if (rc == AS_OK)
        rc = for_each_map(o, a, image_fn, &job);
    free(dir);
    return rc;
}

/* ---- npy ------------------------------------------------------------------------------------*/

/* Adds "<side>_tokens" (raw pieces) and "<side>_labels" (display labels) of an axis. */
static void add_tokens(cJSON *obj, const as_attn_axis_tokens *t, const char *side)
{
    cJSON *pieces = cJSON_CreateArray(), *labels = cJSON_CreateArray();
    for (int i = 0; i < t->n; i++) {
        cJSON_AddItemToArray(pieces, cJSON_CreateString(t->pieces[i]));
        cJSON_AddItemToArray(labels, cJSON_CreateString(t->labels[i]));
    }
    char key[32];
    snprintf(key, sizeof key, "%s_tokens", side);
    cJSON_AddItemToObject(obj, key, pieces);
    snprintf(key, sizeof key, "%s_labels", side);
    cJSON_AddItemToObject(obj, key, labels);
}

static int write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return as_fail(AS_EIO, "%s: cannot write: %s", path, strerror(errno));
    fputs(text, f);
    fputc('\n', f);
    if (fclose(f) != 0)
        return as_fail(AS_EIO, "%s: write error", path);
    return AS_OK;
}

int as_cli_export_npy(const as_cli_opts *o, const as_attn *a, const char *dir)
{
    if (!dir)
        return as_fail(AS_EINVAL, "--format npy needs -o DIR");
    int rc = as_cli_make_dir(dir), any = 0;
    for (int kind = 0; kind < AS_ATTN_KINDS && rc == AS_OK; kind++) {
        const as_attn_map *m = &a->map[kind];
        if (!m->layers || (o->map != AS_CLI_ALL && o->map != kind))
            continue;
        char *path = as_xasprintf("%s/%s.npy", dir, as_attn_kind_name((as_attn_kind)kind));
        const float *all;
        rc = as_attn_full(a, (as_attn_kind)kind, &all);
        FILE *f = rc == AS_OK ? fopen(path, "wb") : NULL;
        if (rc == AS_OK && !f) {
            rc = as_fail(AS_EIO, "%s: cannot write: %s", path, strerror(errno));
        } else if (f) {
            int64_t shape[4] = {m->layers, m->heads, m->q, m->k};
            rc = as_render_npy_write(f, path, all, 4, shape);
            if (fclose(f) != 0 && rc == AS_OK)
                rc = as_fail(AS_EIO, "%s: write error", path);
        }
        free(path);
        any = 1;
    }
    if (rc == AS_OK && !any)
        return as_fail(AS_EINVAL, "--map %s: this model has no such map",
                       as_attn_kind_name((as_attn_kind)o->map));
    if (rc == AS_OK) {
        cJSON *t = cJSON_CreateObject(); // what `attnscope view` needs besides the arrays
        cJSON_AddStringToObject(t, "model", a->model_name ? a->model_name : "");
        cJSON_AddStringToObject(t, "model_type", a->arch ? a->arch : "");
        add_tokens(t, &a->axis[AS_AXIS_SOURCE], "source");
        if (a->axis[AS_AXIS_TARGET].n)
            add_tokens(t, &a->axis[AS_AXIS_TARGET], "target");
        char *s = cJSON_PrintUnformatted(t), *path = as_xasprintf("%s/tokens.json", dir);
        rc = write_text_file(path, s);
        free(path);
        cJSON_free(s);
        cJSON_Delete(t);
    }
    return rc;
}

/* ---- json -----------------------------------------------------------------------------------*/

/* Appends m [rows, cols] as nested arrays; cJSON prints doubles with 17 digits, so values are
 * rounded to float precision first (%.9g is exact for float). */
static void put_matrix(FILE *out, const float *m, int rows, int cols)
{
    fputc('[', out);
    for (int i = 0; i < rows; i++) {
        fputs(i ? ",[" : "[", out);
        for (int j = 0; j < cols; j++)
            fprintf(out, j ? ",%.9g" : "%.9g", m[(size_t)i * cols + j]);
        fputc(']', out);
    }
    fputc(']', out);
}

typedef struct json_job {
    FILE *out;
    int first;
} json_job;

static int json_fn(const as_cli_opts *o, const as_attn *a, as_attn_kind kind, int layer,
                   int head, void *ud)
{
    json_job *job = ud;
    const as_attn_map *m = &a->map[kind];
    char *name = as_attn_export_name(a, kind, layer);
    fprintf(job->out, "%s{\"name\":\"%s\",\"kind\":\"%s\",\"layer\":%d,\"head\":", job->first ? "" : ",",
            name, as_attn_kind_name(kind), layer);
    free(name);
    job->first = 0;
    if (head == AS_CLI_MEAN) {
        float *mean = as_xmalloc(sizeof(float) * (size_t)m->q * m->k);
        as_attn_head_mean(a, kind, layer, mean);
        fprintf(job->out, "\"mean\",\"shape\":[%d,%d],\"values\":", m->q, m->k);
        put_matrix(job->out, mean, m->q, m->k);
        free(mean);
    } else {
        fprintf(job->out, "%d,\"shape\":[%d,%d],\"values\":", head, m->q, m->k);
        put_matrix(job->out, as_attn_head(a, kind, layer, head), m->q, m->k);
    }
    fputc('}', job->out);
    return AS_OK;
}

int as_cli_export_json(const as_cli_opts *o, const as_attn *a, FILE *out, const char *path)
{
    cJSON *head = cJSON_CreateObject();
    cJSON_AddStringToObject(head, "model", a->model_name ? a->model_name : "");
    cJSON_AddStringToObject(head, "model_type", a->arch ? a->arch : "");
    add_tokens(head, &a->axis[AS_AXIS_SOURCE], "source");
    if (a->axis[AS_AXIS_TARGET].n)
        add_tokens(head, &a->axis[AS_AXIS_TARGET], "target");
    char *s = cJSON_PrintUnformatted(head);
    cJSON_Delete(head);
    // the header object without its closing brace, then the maps (streamed: they can be large)
    fprintf(out, "%.*s,\"maps\":[", (int)strlen(s) - 1, s);
    cJSON_free(s);
    json_job job = {.out = out, .first = 1};
    int rc = for_each_map(o, a, json_fn, &job);
    fputs("]}\n", out);
    if (rc == AS_OK && ferror(out))
        rc = as_fail(AS_EIO, "%s: write error: %s", path, strerror(errno));
    return rc;
}
