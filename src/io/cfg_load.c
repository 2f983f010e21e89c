/* config.json -> as_cfg. Each size may be spelled the Marian/BART way (d_model, encoder_layers),
 * the BERT/ViT way (hidden_size, num_hidden_layers) or the GPT-2 way (n_embd, n_layer); the first
 * name present wins, so Marian's redundant num_hidden_layers never overrides encoder_layers.
 * Decoder-only and encoder-only models keep their layers in the enc_* fields. */
#include "cfg_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ALIASES 3

/* First alias present as an integer: AS_OK with *found set to its name (for messages), or to
 * NULL if none is present. */
static int alias_int(const char *path, const cJSON *root, const char *const names[MAX_ALIASES],
                     int *out, const char **found)
{
    *found = NULL;
    for (int i = 0; i < MAX_ALIASES && names[i]; i++) {
        int present, rc = as_cfg_json_int(path, root, names[i], out, &present);
        if (present)
            *found = names[i];
        if (rc || present)
            return rc;
    }
    return AS_OK;
}

static int missing(const char *path, const char *const names[MAX_ALIASES])
{
    return as_fail(AS_EFORMAT, "%s: missing %s%s%s%s%s%s", path, names[0],
                   names[1] ? " (or " : "", names[1] ? names[1] : "", names[2] ? ", " : "",
                   names[2] ? names[2] : "", names[1] ? ")" : "");
}

/* A size that may be absent (left unchanged) but must be positive if given. */
static int size_opt(const char *path, const cJSON *root, const char *const names[MAX_ALIASES],
                    int *out, const char **found)
{
    int rc = alias_int(path, root, names, out, found);
    if (!rc && *found && *out <= 0)
        rc = as_fail(AS_EFORMAT, "%s: %s is %d, must be positive", path, *found, *out);
    return rc;
}

/* A size that must be present and positive. */
static int size_req(const char *path, const cJSON *root, const char *const names[MAX_ALIASES],
                    int *out, const char **found)
{
    int rc = size_opt(path, root, names, out, found);
    return rc ? rc : *found ? AS_OK : missing(path, names);
}

/* GPT-2 writes n_inner: null, meaning 4 * n_embd (transformers GPT2MLP). */
static int ffn_size(const char *path, const cJSON *root, int d_model, int *out)
{
    static const char *const names[MAX_ALIASES] = {"encoder_ffn_dim", "intermediate_size",
                                                   "n_inner"};
    const char *found;
    int rc = size_opt(path, root, names, out, &found);
    if (rc || found)
        return rc;
    if (cJSON_HasObjectItem(root, "n_inner") || cJSON_HasObjectItem(root, "n_embd")) {
        *out = 4 * d_model;
        return AS_OK;
    }
    return missing(path, names);
}

static int heads_divide(const char *path, const char *d_field, int d_model,
                        const char *h_field, int heads)
{
    if (h_field && d_model % heads != 0)
        return as_fail(AS_EFORMAT, "%s: %s %d is not divisible by %s %d", path, d_field,
                       d_model, h_field, heads);
    return AS_OK;
}

static int model_type(as_cfg *cfg, const char *path, const cJSON *root)
{
    const cJSON *v = as_cfg_json_get(root, "model_type");
    if (!v)
        return as_fail(AS_EFORMAT, "%s: missing model_type", path);
    if (!cJSON_IsString(v) || !v->valuestring[0] ||
        strlen(v->valuestring) >= sizeof cfg->model_type)
        return as_fail(AS_EFORMAT, "%s: model_type must be a non-empty string shorter than %zu",
                       path, sizeof cfg->model_type);
    strcpy(cfg->model_type, v->valuestring);
    return AS_OK;
}

static int activation(as_cfg *cfg, const char *path, const cJSON *root)
{
    const char *field = "activation_function";
    const cJSON *v = as_cfg_json_get(root, field);
    if (!v)
        v = as_cfg_json_get(root, field = "hidden_act");
    if (!v)
        return as_fail(AS_EFORMAT, "%s: missing activation_function (or hidden_act)", path);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= sizeof cfg->act_name)
        return as_fail(AS_EFORMAT, "%s: %s must be an activation name", path, field);
    if (as_cfg_parse_act(v->valuestring, &cfg->act) != AS_OK)
        return as_fail(AS_EFORMAT, "%s: %s '%s' is not a known activation", path, field,
                       v->valuestring);
    strcpy(cfg->act_name, v->valuestring);
    return AS_OK;
}

static int layer_norm_eps(as_cfg *cfg, const char *path, const cJSON *root)
{
    const char *field = "layer_norm_eps";
    const cJSON *v = as_cfg_json_get(root, field);
    if (!v)
        v = as_cfg_json_get(root, field = "layer_norm_epsilon");
    cfg->ln_eps = 1e-5f; /* Marian and BART have no field: their LayerNorms use 1e-5 */
    if (!v)
        return AS_OK;
    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0 && v->valuedouble < 1))
        return as_fail(AS_EFORMAT, "%s: %s must be a number in (0, 1)", path, field);
    cfg->ln_eps = (float)v->valuedouble;
    return AS_OK;
}

/* ---- the whole file ---------------------------------------------------------------------- */

static const char *const D_MODEL[MAX_ALIASES] = {"d_model", "hidden_size", "n_embd"};
static const char *const ENC_LAYERS[MAX_ALIASES] = {"encoder_layers", "num_hidden_layers",
                                                    "n_layer"};
static const char *const ENC_HEADS[MAX_ALIASES] = {"encoder_attention_heads",
                                                   "num_attention_heads", "n_head"};
static const char *const DEC_LAYERS[MAX_ALIASES] = {"decoder_layers"};
static const char *const DEC_HEADS[MAX_ALIASES] = {"decoder_attention_heads"};
static const char *const DEC_FFN[MAX_ALIASES] = {"decoder_ffn_dim"};
static const char *const VOCAB[MAX_ALIASES] = {"vocab_size"};
static const char *const POSITIONS[MAX_ALIASES] = {"max_position_embeddings", "n_positions"};

static int parse_sizes(as_cfg *c, const char *path, const cJSON *root)
{
    const char *d_name, *enc_heads, *dec_layers, *dec_heads, *dec_ffn, *other;
    int rc;
    if ((rc = size_req(path, root, D_MODEL, &c->d_model, &d_name)) ||
        (rc = size_req(path, root, ENC_LAYERS, &c->enc_layers, &other)) ||
        (rc = size_req(path, root, ENC_HEADS, &c->enc_heads, &enc_heads)) ||
        (rc = ffn_size(path, root, c->d_model, &c->enc_ffn)) ||
        (rc = size_opt(path, root, VOCAB, &c->vocab_size, &other)) ||
        (rc = size_opt(path, root, POSITIONS, &c->max_positions, &other)))
        return rc;
    /* the decoder of an encoder-decoder model is required; other models may still name one */
    if ((rc = size_opt(path, root, DEC_LAYERS, &c->dec_layers, &dec_layers)) ||
        (rc = size_opt(path, root, DEC_HEADS, &c->dec_heads, &dec_heads)) ||
        (rc = size_opt(path, root, DEC_FFN, &c->dec_ffn, &dec_ffn)))
        return rc;
    if (c->is_encoder_decoder && !(dec_layers && dec_heads && dec_ffn))
        return missing(path, !dec_layers ? DEC_LAYERS : !dec_heads ? DEC_HEADS : DEC_FFN);
    if ((rc = heads_divide(path, d_name, c->d_model, enc_heads, c->enc_heads)) ||
        (rc = heads_divide(path, d_name, c->d_model, dec_heads, c->dec_heads)))
        return rc;
    return AS_OK;
}

static int parse_config(as_cfg *c, const char *path, const cJSON *root)
{
    int rc;
    if ((rc = model_type(c, path, root)) ||
        (rc = as_cfg_json_bool(path, root, "is_encoder_decoder", &c->is_encoder_decoder)) ||
        (rc = parse_sizes(c, path, root)) || (rc = activation(c, path, root)) ||
        (rc = layer_norm_eps(c, path, root)) ||
        (rc = as_cfg_json_bool(path, root, "scale_embedding", &c->scale_embedding)) ||
        (rc = as_cfg_json_bool(path, root, "normalize_before", &c->normalize_before)))
        return rc;
    return as_cfg_gen_apply(c, path, root);
}

/* Reads and parses one JSON file that must hold an object, then hands it to fn. */
static int with_json_object(as_cfg *c, const char *path,
                            int (*fn)(as_cfg *, const char *, const cJSON *))
{
    char *text;
    size_t len;
    int rc = as_read_file(path, &text, &len);
    if (rc)
        return rc;
    const char *end = NULL;
    /* len + 1 takes in as_read_file's terminating NUL, which cJSON then requires right after
     * the value and any whitespace: trailing garbage is an error */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (!root)
        rc = as_fail(AS_EFORMAT, "%s: not valid JSON (error near byte %zu)", path,
                     end ? (size_t)(end - text) : 0);
    else if (!cJSON_IsObject(root))
        rc = as_fail(AS_EFORMAT, "%s: not a JSON object", path);
    else
        rc = fn(c, path, root);
    cJSON_Delete(root);
    free(text);
    return rc;
}

int as_cfg_load(as_cfg *cfg, const char *dir)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->pad_id = cfg->eos_id = cfg->bos_id = cfg->decoder_start_id = -1;
    cfg->forced_eos_id = cfg->forced_bos_id = -1;

    char *path = as_path_join(dir, "config.json");
    int rc = with_json_object(cfg, path, parse_config);
    free(path);
    if (rc)
        return rc;
    path = as_path_join(dir, "generation_config.json");
    if (as_file_exists(path))
        rc = with_json_object(cfg, path, as_cfg_gen_apply);
    free(path);
    return rc;
}
