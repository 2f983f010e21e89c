/* cfg: config.json of a Hugging Face model folder -> as_cfg.
 * Layer 1: uses core and cJSON. Field names follow the HF configs; families fill what applies. */
#ifndef ATTNSCOPE_CFG_H
#define ATTNSCOPE_CFG_H

#include "attnscope/core.h"

#define AS_CFG_MAX_BAD_WORDS 64

typedef enum {
    AS_ACT_GELU,      /* exact erf GELU ("gelu") */
    AS_ACT_GELU_TANH, /* tanh approximation ("gelu_new", "gelu_pytorch_tanh", "gelu_fast") */
    AS_ACT_RELU,
    AS_ACT_SILU, /* "silu", "swish" */
} as_act;

typedef struct as_cfg {
    char model_type[32]; /* "marian", ... */
    int is_encoder_decoder;
    int d_model;
    int vocab_size;
    int max_positions;
    int enc_layers, enc_heads, enc_ffn;
    int dec_layers, dec_heads, dec_ffn;
    as_act act;
    char act_name[32];
    float ln_eps;
    int scale_embedding;
    int normalize_before; /* pre-LN */
    int pad_id, eos_id, bos_id, decoder_start_id;
    int forced_eos_id; /* -1 if none */
    int forced_bos_id; /* -1 if none */
    int max_length;    /* generation default (0 if absent) */
    /* single-token bad words (multi-token sequences in bad_words_ids are rejected at parse) */
    int n_bad_words;
    int bad_words[AS_CFG_MAX_BAD_WORDS];
} as_cfg;

/* Parses dir/config.json (generation_config.json, when present, overrides generation fields).
 * Sizes accept the Marian/BART, BERT/ViT and GPT-2 names (d_model / hidden_size / n_embd, ...);
 * decoder-only and encoder-only models keep their stack in enc_*, dec_* stay 0 unless given.
 * Defaults when absent: token ids -1, vocab_size / max_positions / max_length 0, ln_eps 1e-5
 * (Marian/BART have no field), GPT-2 n_inner null -> 4 * d_model, booleans false.
 * Errors (AS_EFORMAT, AS_EIO, AS_EUNSUPPORTED for multi-token bad_words_ids or a list of eos ids)
 * name the file and the field: missing/invalid required integers, unknown activation,
 * non-positive sizes, d_model not divisible by heads. Unknown model_type is NOT an error here
 * (model_arch decides), but a missing model_type is. */
int as_cfg_load(as_cfg *cfg, const char *dir);
/* Parses an activation name ("gelu", "gelu_new", "relu", "swish", "silu", ...); AS_EFORMAT with
 * a message listing the known names otherwise. */
int as_cfg_parse_act(const char *name, as_act *out);

#endif
