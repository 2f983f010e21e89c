/* Fuzzes whole checkpoint folders through as_ckpt_open. The first byte picks the layout:
 *   even: pytorch_model.bin = the rest (zip + pickle + storages, cross-checked);
 *   odd:  model.safetensors.index.json = the rest, next to two small valid shards
 *         (a.safetensors, b.safetensors) and a symlink "out.safetensors" leading out of the
 *         folder, which the index must never be allowed to use.
 * Every tensor found is then loaded as f32 the way the model loader does. */
#include "attnscope/ckpt.h"

#include "fuzz_util.h"

#include <sys/stat.h>

static void write_shard(const char *name, const char *tensor)
{
    as_st_writer *w = as_st_writer_create();
    int64_t shape[2] = {2, 3};
    float v[6] = {1, 2, 3, 4, 5, 6};
    if (as_st_writer_add_f32(w, tensor, 2, shape, v) != AS_OK)
        abort();
    char *path = as_path_join(fz_scratch(), name);
    FILE *f = fopen(path, "wb");
    if (!f || as_st_writer_write(w, f, path) != AS_OK || fclose(f) != 0)
        abort();
    free(path);
    as_st_writer_destroy(w);
}

/* The folder holding the model is scratch/m, so a symlink can point to scratch/outside. */
static char *model_dir;

static void setup(void)
{
    write_shard("outside.safetensors", "secret");
    model_dir = as_path_join(fz_scratch(), "m");
    if (mkdir(model_dir, 0700) != 0)
        abort();
    write_shard("m/a.safetensors", "w.a");
    write_shard("m/b.safetensors", "w.b");
    char *link = as_path_join(model_dir, "out.safetensors");
    if (symlink("../outside.safetensors", link) != 0)
        abort();
    free(link);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model_dir)
        setup();
    if (size == 0)
        return 0;
    int shards = data[0] & 1;
    fz_remove(shards ? "m/pytorch_model.bin" : "m/model.safetensors.index.json");
    free(fz_write(shards ? "m/model.safetensors.index.json" : "m/pytorch_model.bin", data + 1,
                  size - 1));
    as_ckpt *ck = NULL;
    fz_reset_error();
    int rc = as_ckpt_open(&ck, model_dir);
    fz_check_error(rc);
    if (rc == AS_OK) {
        as_ckpt_describe(ck);
        for (size_t i = 0; i < as_ckpt_count(ck); i++) {
            const as_st_tensor *t = as_ckpt_at(ck, i);
            /* the symlinked shard's tensor must never be served */
            if (strcmp(t->name, "secret") == 0)
                abort();
            as_ckpt_file_of(ck, t);
            float *v = NULL;
            fz_reset_error();
            rc = as_ckpt_load_f32(ck, t->name, t->ndim, t->shape, &v);
            fz_check_error(rc);
            free(v);
        }
    }
    as_ckpt_close(ck);
    return 0;
}
