/* Typed reads of config JSON fields. cJSON keeps numbers as doubles, so integers are checked
 * for being integral and in range rather than read through the saturating valueint. */
#include "cfg_internal.h"

#include <limits.h>

const cJSON *as_cfg_json_get(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return (v && !cJSON_IsNull(v)) ? v : NULL;
}

int as_cfg_json_int(const char *path, const cJSON *obj, const char *key, int *out, int *found)
{
    const cJSON *v = as_cfg_json_get(obj, key);
    *found = v != NULL;
    if (!v)
        return AS_OK;
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0.5;
    if (!(d >= INT_MIN && d <= INT_MAX) || d != (double)(int)d)
        return as_fail(AS_EFORMAT, "%s: %s must be an integer", path, key);
    *out = (int)d;
    return AS_OK;
}

int as_cfg_json_bool(const char *path, const cJSON *obj, const char *key, int *out)
{
    const cJSON *v = as_cfg_json_get(obj, key);
    if (!v)
        return AS_OK;
    if (!cJSON_IsBool(v))
        return as_fail(AS_EFORMAT, "%s: %s must be true or false", path, key);
    *out = cJSON_IsTrue(v);
    return AS_OK;
}
