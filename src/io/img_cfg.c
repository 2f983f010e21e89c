/* The vision fields of a ViT config.json (image_size, patch_size, num_channels, qkv_bias) and the
 * classifier's id2label, which as_cfg (shared by the text families) does not carry. */
#include "attnscope/img.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static int size_field(const char *path, const cJSON *root, const char *key, int required,
                      int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v || cJSON_IsNull(v))
        return required ? as_fail(AS_EFORMAT, "%s: missing %s", path, key) : AS_OK;
    /* the range first: converting an out-of-range double (1e40, inf) to int is undefined */
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0;
    if (!(d >= 1 && d <= AS_IMG_MAX_SIDE) || d != (int)d)
        return as_fail(AS_EFORMAT, "%s: %s must be an integer in 1..%d", path, key,
                       AS_IMG_MAX_SIDE);
    *out = (int)d;
    return AS_OK;
}

/* id2label {"0": "cat", ...}: keys must be exactly the ids 0..n-1 (any order). */
static int labels(as_img_cfg *c, const char *path, const cJSON *root)
{
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "id2label"), *e;
    if (!map || cJSON_IsNull(map))
        return AS_OK;
    if (!cJSON_IsObject(map))
        return as_fail(AS_EFORMAT, "%s: id2label must be an object", path);
    int n = cJSON_GetArraySize(map);
    c->labels = as_xcalloc((size_t)(n ? n : 1), sizeof(char *));
    c->n_labels = n;
    cJSON_ArrayForEach(e, map)
    {
        char *end;
        long id = strtol(e->string, &end, 10);
        if (!*e->string || *end || id < 0 || id >= n || !cJSON_IsString(e) || c->labels[id])
            return as_fail(AS_EFORMAT, "%s: id2label must map the ids 0..%d to names (bad entry "
                                       "'%s')", path, n - 1, e->string);
        c->labels[id] = as_xstrdup(e->valuestring);
    }
    return AS_OK;
}

static int parse(as_img_cfg *c, const char *path, const cJSON *root)
{
    int rc;
    if ((rc = size_field(path, root, "image_size", 1, &c->image_size)) ||
        (rc = size_field(path, root, "patch_size", 1, &c->patch_size)) ||
        (rc = size_field(path, root, "num_channels", 0, &c->num_channels)))
        return rc;
    if (c->image_size % c->patch_size)
        return as_fail(AS_EFORMAT, "%s: image_size %d is not divisible by patch_size %d", path,
                       c->image_size, c->patch_size);
    if (c->num_channels != 3)
        return as_fail(AS_EUNSUPPORTED, "%s: num_channels %d (only RGB, 3, is supported)", path,
                       c->num_channels);
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(root, "qkv_bias");
    if (q && !cJSON_IsBool(q))
        return as_fail(AS_EFORMAT, "%s: qkv_bias must be true or false", path);
    c->qkv_bias = !q || cJSON_IsTrue(q);
    return labels(c, path, root);
}

int as_img_cfg_load(as_img_cfg *c, const char *dir)
{
    memset(c, 0, sizeof *c);
    c->num_channels = 3;
    char *path = as_path_join(dir, "config.json"), *text;
    size_t len;
    int rc = as_read_file(path, &text, &len);
    if (rc == AS_OK) {
        cJSON *root = cJSON_ParseWithLength(text, len);
        rc = cJSON_IsObject(root) ? parse(c, path, root)
                                  : as_fail(AS_EFORMAT, "%s: not a JSON object", path);
        cJSON_Delete(root);
        free(text);
    }
    free(path);
    if (rc != AS_OK)
        as_img_cfg_free(c);
    return rc;
}

void as_img_cfg_free(as_img_cfg *c)
{
    for (int i = 0; c->labels && i < c->n_labels; i++)
        free(c->labels[i]);
    free(c->labels);
    memset(c, 0, sizeof *c);
}
