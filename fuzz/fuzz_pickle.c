/* Fuzzes the strict state-dict unpickler (data.pkl of pytorch_model.bin): opcodes, memo, marks,
 * stack, the allowed globals and the persistent ids of tensor storages. */
#include "../src/io/ckpt_internal.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = as_xmalloc(size ? size : 1);
    memcpy(copy, data, size);
    as_pickle_tensor *t = NULL;
    size_t n = 0;
    fz_reset_error();
    int rc = as_pickle_state_dict(copy, size, "fuzz/data.pkl", &t, &n);
    fz_check_error(rc);
    if (rc == AS_OK) {
        for (size_t i = 0; i < n; i++)
            if (!t[i].name || !t[i].storage_key || t[i].ndim < 0 || t[i].ndim > AS_ST_MAX_DIMS)
                abort();
        as_pickle_free(t, n);
    }
    free(copy);
    return 0;
}
