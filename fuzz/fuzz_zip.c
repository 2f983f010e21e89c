/* Fuzzes the zip directory reader of pytorch_model.bin: end of central directory (zip64
 * included), central directory entries, local headers, every offset against the file. */
#include "../src/io/ckpt_internal.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private copy, so reads past the end are caught by ASan instead of hitting fuzzer memory */
    uint8_t *copy = as_xmalloc(size ? size : 1);
    memcpy(copy, data, size);
    as_zip z;
    fz_reset_error();
    int rc = as_zip_read(&z, copy, size, "fuzz.bin");
    fz_check_error(rc);
    if (rc == AS_OK) {
        for (size_t i = 0; i < z.count; i++) {
            const as_zip_entry *e = &z.entries[i];
            if (e->size && (e->data < copy || e->data + e->size > copy + size))
                abort();
            if (as_zip_find(&z, e->name) == NULL)
                abort();
        }
        as_zip_free(&z);
    }
    free(copy);
    return 0;
}
