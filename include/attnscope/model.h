/* model: a Hugging Face model folder loaded onto a compute backend, and runs of it.
 * Each family (marian, bert, gpt2, ...) is a small file filling an as_arch table chosen by
 * model_type.
 * Layer 4: uses kern, attn, io (st, cfg, tok). */
#ifndef ATTNSCOPE_MODEL_H
#define ATTNSCOPE_MODEL_H

#include "attnscope/attn.h"
#include "attnscope/cfg.h"
#include "attnscope/kern.h"
#include "attnscope/tok.h"

typedef struct as_model as_model;

/* How a run keeps its attention maps (attn.h): every probability, or (BERT / RoBERTa only) each
 * layer's queries and keys, heads materialised on demand. AUTO: full while the probabilities take
 * at most a quarter of as_mem_limit(), else Q/K (families without Q/K form: always full). */
typedef enum { AS_STORE_AUTO, AS_STORE_FULL, AS_STORE_QK } as_store_mode;

typedef struct as_run_opts {
    const char *src;    /* source text (required, non-empty) */
    const char *tgt;    /* forced target text (teacher forcing) or NULL for greedy decoding */
    const char *pair;   /* second segment of a sentence pair (BERT: token_type_ids 1) or NULL */
    const char *image;  /* image file: required by vision models (vit), refused by text ones */
    int max_new_tokens; /* encoder-decoder: 0 = from config (max_length - 1); decoder-only:
                         * 0 = no continuation; capped by max_positions */
    int want_logits;    /* keep (positions, vocab) logits in the store (models with a head) */
    int want_hidden;    /* keep every stack's hidden states (embedding output + each layer) */
    as_store_mode store; /* 0 = AS_STORE_AUTO; QK on a family without it: AS_EUNSUPPORTED */
} as_run_opts;

/* Pre-tokenized input (framing such as [CLS]/[SEP] or </s> already included). */
typedef struct as_model_ids {
    const int32_t *src;      /* encoder (or single-stack) input ids [n_src] */
    int n_src;
    const int32_t *type_ids; /* segment ids [n_src], or NULL for all 0 */
    const int32_t *tgt;      /* forced decoder target [n_tgt] (no start token), or NULL: greedy */
    int n_tgt;
} as_model_ids;

/* Loads dir (config.json, weights as as_ckpt_open finds them, tokenizer files) onto backend k
 * (borrowed; must outlive the model). Errors name the file and the problem: missing folder or
 * file, unknown model_type (listing supported ones), missing tensor, shape contradicting
 * config.json. */
int as_model_load(as_model **out, const char *dir, as_kern *k);
void as_model_destroy(as_model *m);
const as_cfg *as_model_cfg(const as_model *m);
as_tok *as_model_tok(const as_model *m);
const char *as_model_dir(const as_model *m);
/* Tokenizes, runs the forward pass (and greedy decoding unless opts->tgt), and fills a fresh
 * store `out` (initialised here; caller deinits). */
int as_model_run(as_model *m, const as_run_opts *opts, as_attn *out);
/* Same as as_model_run on pre-tokenized ids (opts->src, tgt and pair are ignored): ids outside the
 * vocabulary or longer than the model's positions are refused with a message. */
int as_model_run_ids(as_model *m, const as_model_ids *in, const as_run_opts *opts, as_attn *out);

/* Summary for `attnscope info`. */
typedef struct as_model_info {
    const char *arch;
    size_t n_params;
    size_t n_tensors;
    char dtypes[64]; /* e.g. "F32" or "F16,F32" */
    char tokenizer[64];
    char weights[64]; /* as_ckpt_describe: "model.safetensors", "3 safetensors shards", ... */
    int image;        /* 1: a vision model (an image in, no vocabulary or text positions) */
} as_model_info;
void as_model_get_info(const as_model *m, as_model_info *info);

/* Supported model_type names, comma separated (for error messages and --help). */
const char *as_model_supported(void);

#endif
