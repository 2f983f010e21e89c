/* `attnscope view FILE`: attention saved elsewhere, opened without a model. FILE is
 *  - a safetensors file with the export names (encoder.attn.L0 ... [heads, q, k], decoder.attn.L*,
 *    cross.attn.L*, or attn.L* for one stack) and the token pieces in __metadata__
 *    (source_tokens, target_tokens: JSON arrays), as `dump --format safetensors` writes; or
 *  - a .npy file [layers, heads, q, k] named encoder/decoder/cross.npy (any other name: one
 *    self-attention stack), or a directory of those, as `dump --format npy` writes, with the
 *    tokens in --tokens FILE or tokens.json beside it ({"source_tokens": [...], ...} or a bare
 *    array of source pieces).
 * Without tokens, positions are labelled 0, 1, ... With --format, the maps are written as dump
 * writes them instead of opening the explorer. */
#include "cli.h"

#include "attnscope/st.h"
#include "attnscope/tui.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- tokens -------------------------------------------------------------------------------*/

/* A saved label made safe for a terminal: C0, DEL and C1 controls (U+0080..U+009F, as UTF-8
 * C2 80..C2 9F) become '?'. Labels come from files of unknown origin. */
static char *safe_label(const char *s)
{
    char *out = as_xstrdup(s), *d = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            *d++ = '?';
            p++;
        } else {
            *d++ = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;
        }
    }
    *d = '\0';
    return out;
}

/* Sets axis from a JSON array of pieces and optionally one of display labels (as dump writes
 * them; without, the pieces are shown as they are). arr NULL: no tokens known yet. */
static int set_tokens(as_attn *a, as_attn_axis axis, const cJSON *arr, const cJSON *lab,
                      const char *path)
{
    if (!arr)
        return AS_OK;
    if (!cJSON_IsArray(arr) || (lab && !cJSON_IsArray(lab)))
        return as_fail(AS_EFORMAT, "%s: token list is not a JSON array", path);
    if (lab && cJSON_GetArraySize(lab) != cJSON_GetArraySize(arr))
        return as_fail(AS_EFORMAT, "%s: %d labels for %d tokens", path,
                       cJSON_GetArraySize(lab), cJSON_GetArraySize(arr));
    int n = cJSON_GetArraySize(arr);
    char **pieces = as_xcalloc((size_t)n + 1, sizeof *pieces);
    char **labels = as_xcalloc((size_t)n + 1, sizeof *labels);
    int32_t *ids = as_xcalloc((size_t)n + 1, sizeof *ids); // ids are not saved: 0
    int rc = AS_OK, i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        const cJSON *l = lab ? cJSON_GetArrayItem(lab, i) : it;
        if (!cJSON_IsString(it) || !cJSON_IsString(l)) {
            rc = as_fail(AS_EFORMAT, "%s: token %d is not a string", path, i);
            break;
        }
        pieces[i] = as_xstrdup(it->valuestring);
        labels[i] = safe_label(l->valuestring);
        i++;
    }
    if (rc == AS_OK)
        as_attn_set_axis(a, axis, n, ids, (const char *const *)pieces,
                         (const char *const *)labels);
    for (int j = 0; j < i; j++) {
        free(pieces[j]);
        free(labels[j]);
    }
    free(pieces);
    free(labels);
    free(ids);
    return rc;
}

/* Sets *dst to a copy of a string member of j, if there is one and *dst is unset. */
static void take_name(char **dst, const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!*dst && cJSON_IsString(v) && *v->valuestring)
        *dst = safe_label(v->valuestring);
}

/* Tokens from a JSON text: {"source_tokens": [...], "target_tokens": [...]} or [...]; the
 * object's "model" and "model_type" name the store. */
static int tokens_from_json(as_attn *a, const char *text, const char *path)
{
    cJSON *j = cJSON_Parse(text);
    if (!j)
        return as_fail(AS_EFORMAT, "%s: not valid JSON", path);
    int rc;
    if (cJSON_IsArray(j)) {
        rc = set_tokens(a, AS_AXIS_SOURCE, j, NULL, path);
    } else {
        static const char *const keys[2][2] = {{"source_tokens", "source_labels"},
                                               {"target_tokens", "target_labels"}};
        take_name(&a->model_name, j, "model");
        take_name(&a->arch, j, "model_type");
        rc = AS_OK;
        for (int ax = 0; ax < 2 && rc == AS_OK; ax++)
            rc = set_tokens(a, (as_attn_axis)ax, cJSON_GetObjectItemCaseSensitive(j, keys[ax][0]),
                            cJSON_GetObjectItemCaseSensitive(j, keys[ax][1]), path);
    }
    cJSON_Delete(j);
    return rc;
}

static int tokens_from_file(as_attn *a, const char *path)
{
    as_map m;
    int rc = as_map_open(&m, path);
    if (rc != AS_OK)
        return rc;
    char *text = as_xmalloc(m.size + 1);
    if (m.size) /* an empty file maps to NULL, and memcpy from NULL is undefined */
        memcpy(text, m.data, m.size);
    text[m.size] = '\0';
    as_map_close(&m);
    rc = tokens_from_json(a, text, path);
    free(text);
    return rc;
}

/* An axis of n positions without saved tokens: "0", "1", ... */
static void number_axis(as_attn *a, as_attn_axis axis, int n)
{
    char **labels = as_xcalloc((size_t)n + 1, sizeof *labels);
    int32_t *ids = as_xcalloc((size_t)n + 1, sizeof *ids);
    for (int i = 0; i < n; i++)
        labels[i] = as_xasprintf("%d", i);
    as_attn_set_axis(a, axis, n, ids, (const char *const *)labels, NULL);
    for (int i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
    free(ids);
}

/* Every axis a map uses must have as many tokens as the map has rows / columns. */
static int check_axes(as_attn *a, const char *path)
{
    int any = 0;
    for (int kind = 0; kind < AS_ATTN_KINDS; kind++) {
        const as_attn_map *m = &a->map[kind];
        if (!m->layers)
            continue;
        any = 1;
        as_attn_axis ax[2] = {as_attn_row_axis((as_attn_kind)kind),
                              as_attn_col_axis((as_attn_kind)kind)};
        int len[2] = {m->q, m->k};
        for (int s = 0; s < 2; s++) {
            if (!a->axis[ax[s]].n)
                number_axis(a, ax[s], len[s]);
            if (a->axis[ax[s]].n != len[s])
                return as_fail(AS_EFORMAT, "%s: the %s map has %d %s but %d %s tokens are given",
                               path, as_attn_kind_name((as_attn_kind)kind), len[s],
                               s ? "columns" : "rows", a->axis[ax[s]].n,
                               ax[s] == AS_AXIS_SOURCE ? "source" : "target");
        }
    }
    if (!any)
        return as_fail(AS_EFORMAT, "%s: no attention maps found (expected encoder.attn.L0, "
                                   "decoder.attn.L0, cross.attn.L0 or attn.L0)", path);
    return AS_OK;
}

/* ---- safetensors ----------------------------------------------------------------------------*/

static int load_kind_st(as_attn *a, const as_st_file *f, as_attn_kind kind, const char *prefix)
{
    int layers = 0;
    const as_st_tensor *t0 = NULL;
    for (;; layers++) {
        char name[64];
        snprintf(name, sizeof name, "%sattn.L%d", prefix, layers);
        const as_st_tensor *t = as_st_find(f, name);
        if (!t)
            break;
        if (t->ndim != 3)
            return as_fail(AS_EFORMAT, "%s: tensor '%s' has %d dimensions, expected [heads, "
                                       "query, key]", as_st_path(f), name, t->ndim);
        if (t0 && memcmp(t->shape, t0->shape, sizeof t->shape) != 0)
            return as_fail(AS_EFORMAT, "%s: tensor '%s' differs in shape from layer 0",
                           as_st_path(f), name);
        t0 = t0 ? t0 : t;
    }
    if (!layers)
        return AS_OK;
    if (t0->shape[0] < 1 || t0->shape[1] < 1 || t0->shape[2] < 1 || t0->shape[0] > 4096 ||
        t0->shape[1] > 1 << 20 || t0->shape[2] > 1 << 20)
        return as_fail(AS_EFORMAT, "%s: %sattn.L0 has an empty or absurd shape", as_st_path(f),
                       prefix);
    int rc = as_attn_alloc_map(a, kind, layers, (int)t0->shape[0], (int)t0->shape[1],
                               (int)t0->shape[2]);
    for (int l = 0; l < layers && rc == AS_OK; l++) {
        char name[64];
        snprintf(name, sizeof name, "%sattn.L%d", prefix, l);
        rc = as_st_to_f32(f, as_st_find(f, name), as_attn_head(a, kind, l, 0));
    }
    return rc;
}

static int load_st(as_attn *a, const char *path)
{
    as_st_file *f;
    int rc = as_st_open(&f, path);
    if (rc != AS_OK)
        return rc;
    static const char *const prefixes[AS_ATTN_KINDS] = {"encoder.", "decoder.", "cross."};
    for (int kind = 0; kind < AS_ATTN_KINDS && rc == AS_OK; kind++)
        rc = load_kind_st(a, f, (as_attn_kind)kind, prefixes[kind]);
    if (rc == AS_OK && !a->map[AS_ATTN_ENCODER].layers) { // one stack: attn.L*
        rc = load_kind_st(a, f, AS_ATTN_ENCODER, "");
        a->single_stack = a->map[AS_ATTN_ENCODER].layers > 0;
    }
    const char *type = as_st_metadata(f, "model_type"), *name = as_st_metadata(f, "model");
    if (type && *type)
        a->arch = safe_label(type);
    if (name && *name)
        a->model_name = safe_label(name);
    static const char *const keys[2][2] = {{"source_tokens", "source_labels"},
                                           {"target_tokens", "target_labels"}};
    for (int ax = 0; ax < 2 && rc == AS_OK; ax++) {
        const char *toks = as_st_metadata(f, keys[ax][0]), *labs = as_st_metadata(f, keys[ax][1]);
        if (!toks)
            continue;
        cJSON *j = cJSON_Parse(toks), *jl = labs ? cJSON_Parse(labs) : NULL;
        rc = j && (!labs || jl) ? set_tokens(a, (as_attn_axis)ax, j, jl, path)
                                : as_fail(AS_EFORMAT, "%s: __metadata__ %s is not a JSON array",
                                          path, jl || !labs ? keys[ax][0] : keys[ax][1]);
        cJSON_Delete(j);
        cJSON_Delete(jl);
    }
    as_st_close(f);
    return rc;
}

/* ---- npy ------------------------------------------------------------------------------------*/

static int load_npy(as_attn *a, const char *path, as_attn_kind kind)
{
    as_map m;
    int rc = as_map_open(&m, path);
    if (rc != AS_OK)
        return rc;
    as_render_npy arr;
    rc = as_render_npy_parse(m.data, m.size, path, &arr);
    as_map_close(&m);
    if (rc != AS_OK)
        return rc;
    if (arr.ndim != 4 || !arr.count || arr.shape[1] > 4096 || arr.shape[2] > 1 << 20 ||
        arr.shape[3] > 1 << 20)
        rc = as_fail(AS_EFORMAT, "%s: expected a non-empty array [layers, heads, query, key], "
                                 "got %d dimensions", path, arr.ndim);
    if (rc == AS_OK)
        rc = as_attn_alloc_map(a, kind, (int)arr.shape[0], (int)arr.shape[1], (int)arr.shape[2],
                               (int)arr.shape[3]);
    if (rc == AS_OK)
        memcpy(a->map[kind].p, arr.data, arr.count * sizeof *arr.data);
    as_render_npy_free(&arr);
    return rc;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A directory of <kind>.npy, or one .npy file whose name says its kind. */
static int load_npy_path(as_attn *a, const char *path, int is_dir, char **tokens_guess)
{
    int rc = AS_OK;
    if (is_dir) {
        for (int kind = 0; kind < AS_ATTN_KINDS && rc == AS_OK; kind++) {
            char *p = as_xasprintf("%s/%s.npy", path, as_attn_kind_name((as_attn_kind)kind));
            if (as_file_exists(p))
                rc = load_npy(a, p, (as_attn_kind)kind);
            free(p);
        }
        *tokens_guess = as_xasprintf("%s/tokens.json", path);
        return rc;
    }
    const char *base = base_name(path);
    as_attn_kind kind = AS_ATTN_ENCODER;
    a->single_stack = 1;
    for (int k = 0; k < AS_ATTN_KINDS; k++)
        if (strncmp(base, as_attn_kind_name((as_attn_kind)k), strlen(as_attn_kind_name(
                                                                   (as_attn_kind)k))) == 0) {
            kind = (as_attn_kind)k;
            a->single_stack = 0;
        }
    rc = load_npy(a, path, kind);
    *tokens_guess = base == path ? as_xstrdup("tokens.json")
                                 : as_xasprintf("%.*s/tokens.json", (int)(base - path - 1), path);
    return rc;
}

int as_cli_view_load(const char *path, const char *tokens, as_attn *a)
{
    as_attn_init(a);
    struct stat st;
    if (stat(path, &st) != 0)
        return as_fail(AS_EIO, "%s: cannot open: %s", path, strerror(errno));
    int is_dir = S_ISDIR(st.st_mode), rc;
    char *guess = NULL;
    if (is_dir || has_suffix(path, ".npy"))
        rc = load_npy_path(a, path, is_dir, &guess);
    else
        rc = load_st(a, path);
    if (rc == AS_OK && tokens)
        rc = tokens_from_file(a, tokens);
    else if (rc == AS_OK && guess && as_file_exists(guess))
        rc = tokens_from_file(a, guess);
    free(guess);
    if (!a->arch)
        a->arch = as_xstrdup("saved");
    if (!a->model_name)
        a->model_name = as_xstrdup(base_name(path));
    if (rc == AS_OK)
        rc = check_axes(a, path);
    if (rc != AS_OK)
        as_attn_deinit(a);
    return rc;
}

int as_cli_view(const as_cli_opts *o)
{
    as_attn a;
    int rc = as_cli_view_load(o->model_dir, o->tokens, &a);
    if (rc != AS_OK)
        return rc;
    if (o->format != AS_FMT_AUTO) {
        rc = as_cli_dump_store(o, &a, o->output);
    } else {
        as_tui_opts t;
        as_tui_opts_init(&t);
        t.no_mouse = o->no_mouse;
        t.max_frames = o->max_frames;
        rc = as_tui_colors_parse(o->colors, &t.colors);
        if (rc == AS_OK)
            rc = as_tui_run(NULL, &a, &t);
    }
    as_attn_deinit(&a);
    return rc;
}
