/* Fuzzes the safetensors reader: header length, JSON header, tensor table (dtypes, shapes,
 * offsets), metadata, then converts every tensor the way the model loader does. */
#include "attnscope/st.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fz_write("model.safetensors", data, size);
    as_st_file *f = NULL;
    fz_reset_error();
    int rc = as_st_open(&f, path);
    fz_check_error(rc);
    if (rc == AS_OK) {
        as_st_metadata(f, "format");
        for (size_t i = 0; i < as_st_count(f); i++) {
            const as_st_tensor *t = as_st_at(f, i);
            if (as_st_find(f, t->name) == NULL)
                abort();
            /* convert like the loader: floats to f32, integers to i64 (small tensors only,
             * numel is bounded by the file size anyway) */
            float *fl = as_try_calloc(t->numel ? t->numel : 1, sizeof *fl, "fuzz");
            int64_t *il = as_try_calloc(t->numel ? t->numel : 1, sizeof *il, "fuzz");
            if (fl && il && as_st_to_f32(f, t, fl) != AS_OK)
                fz_check_error(as_st_to_i64(f, t, il));
            free(fl);
            free(il);
        }
    }
    as_st_close(f);
    free(path);
    return 0;
}
