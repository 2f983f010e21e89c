/* Private helpers shared by the cfg_*.c files: typed reads of config JSON fields whose errors
 * name the file and the field. "Absent" means the key is missing or its value is null (HF writes
 * null for unset options). */
#ifndef ATTNSCOPE_CFG_INTERNAL_H
#define ATTNSCOPE_CFG_INTERNAL_H

#include "attnscope/cfg.h"

#include <cjson/cJSON.h>

/* The value of key, or NULL if absent or null. */
const cJSON *as_cfg_json_get(const cJSON *obj, const char *key);
/* Integer field: *found = 0 and AS_OK if absent; AS_EFORMAT "path: key must be an integer"
 * if not an integral number in int range. */
int as_cfg_json_int(const char *path, const cJSON *obj, const char *key, int *out, int *found);
/* Boolean field (true/false), *out unchanged if absent. */
int as_cfg_json_bool(const char *path, const cJSON *obj, const char *key, int *out);
/* Applies the generation fields present in obj (config.json or generation_config.json) to cfg:
 * token ids, forced_eos/bos_token_id (null = -1), max_length, bad_words_ids. */
int as_cfg_gen_apply(as_cfg *cfg, const char *path, const cJSON *obj);

#endif
