/* Fuzzes the model-folder JSON readers: config.json (as_cfg and the vision fields),
 * generation_config.json and preprocessor_config.json. The input holds up to three files
 * separated by "\n----\n" lines, in that order; a missing part means the file is absent. */
#include "attnscope/cfg.h"
#include "attnscope/img.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"config.json", "generation_config.json",
                                        "preprocessor_config.json"};
    size_t off[3], len[3];
    int parts = fz_split(data, size, 3, off, len);
    for (int i = 0; i < 3; i++) {
        if (i < parts)
            free(fz_write(names[i], data + off[i], len[i]));
        else
            fz_remove(names[i]);
    }
    const char *dir = fz_scratch();

    as_cfg cfg;
    fz_reset_error();
    fz_check_error(as_cfg_load(&cfg, dir));

    as_img_cfg ic;
    fz_reset_error();
    int rc = as_img_cfg_load(&ic, dir);
    fz_check_error(rc);
    if (rc == AS_OK)
        as_img_cfg_free(&ic);

    as_img_prep prep;
    fz_reset_error();
    fz_check_error(as_img_prep_load(&prep, dir, 32));
    return 0;
}
