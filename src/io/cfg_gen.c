/* Generation fields (token ids, forced tokens, max_length, bad words). They appear in config.json
 * and, in newer checkpoints, in generation_config.json, which takes precedence; the same parser
 * is applied to both, each field only when present. */
#include "cfg_internal.h"

/* A token id field: integer, or null = "none" (-1). Lists of ids (allowed for eos_token_id by
 * newer transformers) are not supported: decoding stops on one id. */
static int gen_id(const char *path, const cJSON *obj, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return AS_OK;
    if (cJSON_IsNull(v)) {
        *out = -1;
        return AS_OK;
    }
    if (cJSON_IsArray(v))
        return as_fail(AS_EUNSUPPORTED, "%s: %s is a list; only a single token id is supported",
                       path, key);
    int found;
    return as_cfg_json_int(path, obj, key, out, &found);
}

static int bad_words(as_cfg *cfg, const char *path, const cJSON *obj)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "bad_words_ids");
    if (!v)
        return AS_OK;
    cfg->n_bad_words = 0;
    if (cJSON_IsNull(v))
        return AS_OK;
    if (!cJSON_IsArray(v))
        return as_fail(AS_EFORMAT, "%s: bad_words_ids must be a list of lists of token ids", path);
    int i = 0;
    for (const cJSON *seq = v->child; seq; seq = seq->next, i++) {
        if (!cJSON_IsArray(seq))
            return as_fail(AS_EFORMAT, "%s: bad_words_ids[%d] must be a list of token ids", path,
                           i);
        /* a multi-token sequence bans its last token only after the others; greedy decoding
         * here supports the common single-token case (e.g. Marian's <pad>) */
        if (cJSON_GetArraySize(seq) != 1)
            return as_fail(AS_EUNSUPPORTED,
                           "%s: bad_words_ids[%d] has %d tokens; only single-token bad words are "
                           "supported",
                           path, i, cJSON_GetArraySize(seq));
        if (cfg->n_bad_words == AS_CFG_MAX_BAD_WORDS)
            return as_fail(AS_EUNSUPPORTED, "%s: bad_words_ids has more than %d entries", path,
                           AS_CFG_MAX_BAD_WORDS);
        double d = cJSON_IsNumber(seq->child) ? seq->child->valuedouble : -1;
        if (!(d >= 0 && d <= 2147483647.0) || d != (double)(int)d)
            return as_fail(AS_EFORMAT, "%s: bad_words_ids[%d] is not a token id", path, i);
        cfg->bad_words[cfg->n_bad_words++] = (int)d;
    }
    return AS_OK;
}

int as_cfg_gen_apply(as_cfg *cfg, const char *path, const cJSON *obj)
{
    int rc = AS_OK, found;
    if (!rc)
        rc = gen_id(path, obj, "pad_token_id", &cfg->pad_id);
    if (!rc)
        rc = gen_id(path, obj, "eos_token_id", &cfg->eos_id);
    if (!rc)
        rc = gen_id(path, obj, "bos_token_id", &cfg->bos_id);
    if (!rc)
        rc = gen_id(path, obj, "decoder_start_token_id", &cfg->decoder_start_id);
    if (!rc)
        rc = gen_id(path, obj, "forced_eos_token_id", &cfg->forced_eos_id);
    if (!rc)
        rc = gen_id(path, obj, "forced_bos_token_id", &cfg->forced_bos_id);
    if (!rc)
        rc = as_cfg_json_int(path, obj, "max_length", &cfg->max_length, &found);
    if (!rc && found && cfg->max_length <= 0)
        rc = as_fail(AS_EFORMAT, "%s: max_length must be positive", path);
    if (!rc)
        rc = bad_words(cfg, path, obj);
    return rc;
}
