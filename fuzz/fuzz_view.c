/* Fuzzes the attention-file importer of `attnscope view`: a safetensors dump, an .npy array
 * [layers, heads, q, k] and the tokens JSON next to it. The first byte picks the file kind
 * (0: attention.safetensors, 1: encoder.npy, 2: cross.npy, 3: attn.npy); the rest is the file,
 * then optionally "\n----\n" and tokens.json. */
#include "../src/cli/cli.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"attention.safetensors", "encoder.npy", "cross.npy",
                                        "attn.npy"};
    if (size == 0)
        return 0;
    const char *name = names[data[0] & 3];
    size_t off[2], len[2];
    int parts = fz_split(data + 1, size - 1, 2, off, len);
    for (int i = 0; i < 4; i++)
        fz_remove(names[i]);
    char *path = fz_write(name, data + 1 + off[0], len[0]);
    if (parts > 1)
        free(fz_write("tokens.json", data + 1 + off[1], len[1]));
    else
        fz_remove("tokens.json");
    as_attn a;
    fz_reset_error();
    int rc = as_cli_view_load(path, NULL, &a);
    fz_check_error(rc);
    if (rc == AS_OK)
        as_attn_deinit(&a);
    free(path);
    return 0;
}
