/* Sharded safetensors: model.safetensors.index.json {"metadata": {...}, "weight_map": {tensor:
 * shard file}}. Every shard path must stay inside the model folder (the index comes with
 * downloaded models, so '../x', '/etc/passwd' or a symlink leading out is refused), every listed
 * tensor must be in the shard the index names, and no tensor may be in two shards. */
#include "ckpt_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Checks that shard (a relative path from the index) names a file inside dir. */
static int check_shard_path(const char *index, const char *dir, const char *shard)
{
    if (!*shard || shard[0] == '/')
        return as_fail(AS_EFORMAT, "%s: shard path '%s' is not relative to the model folder",
                       index, shard);
    for (const char *p = shard; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return as_fail(AS_EFORMAT, "%s: shard path '%s' leaves the model folder ('..')",
                           index, shard);
        p += n + (p[n] == '/');
    }
    /* symlinks are resolved so that a link pointing out of the folder is caught as well */
    char *joined = as_path_join(dir, shard);
    char real_dir[PATH_MAX], real_shard[PATH_MAX];
    int rc = AS_OK;
    if (!realpath(dir, real_dir))
        rc = as_fail(AS_EIO, "%s: cannot resolve: %s", dir, strerror(errno));
    else if (!realpath(joined, real_shard))
        rc = as_fail(errno == ENOENT ? AS_EFORMAT : AS_EIO, "%s: shard '%s' %s", index, shard,
                     errno == ENOENT ? "is missing" : strerror(errno));
    else if (strncmp(real_shard, real_dir, strlen(real_dir)) != 0 ||
             real_shard[strlen(real_dir)] != '/')
        rc = as_fail(AS_EFORMAT, "%s: shard '%s' resolves to %s, outside the model folder", index,
                     shard, real_shard);
    free(joined);
    return rc;
}

static int read_index(const char *path, cJSON **root)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return as_fail(AS_EIO, "%s: cannot open: %s", path, strerror(errno));
    if ((uint64_t)st.st_size > AS_CKPT_MAX_INDEX)
        return as_fail(AS_EFORMAT, "%s: %lld bytes, more than the limit of %u", path,
                       (long long)st.st_size, AS_CKPT_MAX_INDEX);
    char *text = NULL;
    size_t len = 0;
    int rc = as_read_file(path, &text, &len);
    if (rc)
        return rc;
    *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!*root)
        return as_fail(AS_EFORMAT, "%s: not valid JSON", path);
    return AS_OK;
}

/* Distinct shard names of the weight map, sorted (pointers into the JSON). */
static int shard_names(const char *path, const char *dir, const cJSON *map, const char ***out,
                       size_t *n)
{
    size_t count = (size_t)cJSON_GetArraySize(map), k = 0;
    const char **names = as_xcalloc(count ? count : 1, sizeof *names);
    for (const cJSON *e = map->child; e; e = e->next) {
        if (!cJSON_IsString(e)) {
            free(names);
            return as_fail(AS_EFORMAT, "%s: weight_map entry '%s' is not a string", path,
                           e->string);
        }
        names[k++] = e->valuestring;
    }
    qsort(names, k, sizeof *names, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || strcmp(names[u - 1], names[i]) != 0)
            names[u++] = names[i];
    for (size_t i = 0; i < u; i++) {
        int rc = check_shard_path(path, dir, names[i]);
        if (rc) {
            free(names);
            return rc;
        }
    }
    *out = names;
    *n = u;
    return AS_OK;
}

/* Every weight_map entry is in the shard it names, and every shard tensor is listed. */
static int check_map(as_ckpt *ck, const char *path, const cJSON *map, const char **names)
{
    size_t listed = 0;
    for (const cJSON *e = map->child; e; e = e->next, listed++) {
        const char **hit = bsearch(&e->valuestring, names, ck->n_shards, sizeof *names, cmp_str);
        AS_ASSERT(hit);
        const as_st_file *f = ck->shards[hit - names];
        if (!as_st_find(f, e->string))
            return as_fail(AS_EFORMAT, "%s: tensor '%s' is listed in %s, which does not hold it",
                           path, e->string, *hit);
    }
    if (listed != ck->count)
        return as_fail(AS_EFORMAT, "%s: the shards hold %zu tensors but weight_map lists %zu",
                       path, ck->count, listed);
    return AS_OK;
}

int as_ckpt_open_shards(as_ckpt *ck, const char *dir, const char *path)
{
    cJSON *root = NULL;
    const char **names = NULL;
    int rc = read_index(path, &root);
    const cJSON *map = rc ? NULL : cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (rc == AS_OK && !cJSON_IsObject(map))
        rc = as_fail(AS_EFORMAT, "%s: no \"weight_map\" object", path);
    if (rc == AS_OK && !map->child)
        rc = as_fail(AS_EFORMAT, "%s: weight_map is empty", path);
    if (rc == AS_OK && cJSON_GetArraySize(map) > AS_ST_MAX_TENSORS)
        rc = as_fail(AS_EFORMAT, "%s: more than %d tensors", path, AS_ST_MAX_TENSORS);
    size_t n = 0;
    if (rc == AS_OK)
        rc = shard_names(path, dir, map, &names, &n);
    if (rc == AS_OK)
        ck->shards = as_xcalloc(n ? n : 1, sizeof *ck->shards);
    for (size_t i = 0; rc == AS_OK && i < n; i++) {
        char *p = as_path_join(dir, names[i]);
        rc = as_st_open(&ck->shards[i], p);
        free(p);
        if (rc)
            break;
        ck->n_shards++;
        for (size_t j = 0; j < as_st_count(ck->shards[i]); j++)
            as_ckpt_add(ck, as_st_at(ck->shards[i], j), as_st_path(ck->shards[i]));
    }
    if (rc == AS_OK)
        rc = as_ckpt_index_names(ck);
    if (rc == AS_OK)
        rc = check_map(ck, path, map, names);
    if (rc == AS_OK)
        ck->desc = as_xasprintf("%zu safetensors shard%s", n, n == 1 ? "" : "s");
    free(names);
    cJSON_Delete(root);
    return rc;
}
