/* attn: the attention store of one run: softmax probabilities of every layer and head of every
 * map kind, the token labels of both axes, the token ids, and optionally the logits.
 * Layer 3: uses core only. Pure data; no model knowledge. */
#ifndef ATTNSCOPE_ATTN_H
#define ATTNSCOPE_ATTN_H

#include "attnscope/core.h"

#include <stdint.h>

typedef enum {
    AS_ATTN_ENCODER, /* encoder self-attention (or the only stack of a single-stack model) */
    AS_ATTN_DECODER, /* decoder self-attention (causal) */
    AS_ATTN_CROSS,   /* decoder -> encoder cross-attention */
    AS_ATTN_KINDS
} as_attn_kind;

typedef enum { AS_AXIS_SOURCE, AS_AXIS_TARGET } as_attn_axis;

typedef struct as_attn_map {
    int layers, heads, q, k; /* layers == 0: this kind is absent */
    float *p;                /* (layer, head, q, k) probabilities, owned */
} as_attn_map;

typedef struct as_attn_axis_tokens {
    int n;
    int32_t *ids;  /* owned */
    char **labels; /* owned, readable labels (see as_tok_label) */
    char **pieces; /* owned, raw tokenizer pieces */
} as_attn_axis_tokens;

typedef struct as_attn {
    char *model_name; /* e.g. the model folder's base name; owned */
    char *arch;       /* model_type; owned */
    int single_stack; /* 1: one self-attention stack; its maps export as "attn.L<l>" */
    as_attn_map map[AS_ATTN_KINDS];
    as_attn_axis_tokens axis[2]; /* source (encoder input), target (decoder input) */
    float *logits;               /* (target positions, vocab) or NULL; owned */
    int logits_rows, logits_cols;
    int n_generated;             /* 0 if the target was forced (--tgt), else new tokens decoded */
} as_attn;

void as_attn_init(as_attn *a);
void as_attn_deinit(as_attn *a);
/* Allocates map kind (zeroed). AS_ENOMEM with a message if the store would not fit. */
int as_attn_alloc_map(as_attn *a, as_attn_kind kind, int layers, int heads, int q, int k);
/* Pointer to the [q, k] matrix of (kind, layer, head). */
float *as_attn_head(const as_attn *a, as_attn_kind kind, int layer, int head);
/* Which token axis labels the rows / columns of a kind. */
as_attn_axis as_attn_row_axis(as_attn_kind kind);
as_attn_axis as_attn_col_axis(as_attn_kind kind);
/* "encoder", "decoder", "cross". */
const char *as_attn_kind_name(as_attn_kind kind);
/* Export name of a layer's map: "encoder.attn.L0", or "attn.L0" for single-stack models. */
char *as_attn_export_name(const as_attn *a, as_attn_kind kind, int layer);
/* Sets an axis from ids, raw pieces and display labels (all copied; labels NULL: the pieces). */
void as_attn_set_axis(as_attn *a, as_attn_axis axis, int n, const int32_t *ids,
                      const char *const *pieces, const char *const *labels);
/* Mean over heads of (kind, layer) into out [q, k]. */
void as_attn_head_mean(const as_attn *a, as_attn_kind kind, int layer, float *out);

#endif
