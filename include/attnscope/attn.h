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

/* Hidden states of one stack (opt-in): states = layers + 1 (state 0 is the embedding output, state
 * l the output of layer l, as Hugging Face's output_hidden_states), each [rows, dim]. */
typedef struct as_attn_hidden {
    int states, rows, dim; /* states == 0: not captured */
    float *h;              /* (state, row, dim), owned */
} as_attn_hidden;

/* The input of a vision model (rgb == NULL for text models): the image as decoded, the model's
 * preprocessed input, and how the tokens tile the image: token first_patch + r * grid_cols + c
 * is the patch in grid row r, column c (earlier tokens, e.g. CLS, have no place). */
typedef struct as_attn_image {
    int w, h;                 /* decoded image size in pixels */
    uint8_t *rgb;             /* (h, w, 3), owned */
    int in_w, in_h;           /* model input size (the image is resized to it, never cropped) */
    float *pixel_values;      /* (3, in_h, in_w) preprocessed model input, owned */
    int grid_rows, grid_cols; /* patch grid over the whole image */
    int first_patch;          /* index of the first patch token (1: after CLS) */
} as_attn_image;

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
    as_attn_hidden hidden[2];    /* by axis: source = encoder or the single stack, target =
                                  * decoder */
    float *logits;               /* (target positions, vocab) or NULL; owned */
    char **logit_labels;         /* [logits_cols] class names (id2label) or NULL; owned */
    as_attn_image image;         /* vision models only */
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
/* Allocates the hidden states of the stack reading `axis` (zeroed); AS_ENOMEM with a message. */
int as_attn_alloc_hidden(as_attn *a, as_attn_axis axis, int states, int rows, int dim);
/* Export name of a hidden state: "hidden.L0" for single-stack models, else "encoder.hidden.L0" /
 * "decoder.hidden.L0" (the fixtures' golden names). New heap string. */
char *as_attn_hidden_name(const as_attn *a, as_attn_axis axis, int state);
/* Sets an axis from ids, raw pieces and display labels (all copied; labels NULL: the pieces). */
void as_attn_set_axis(as_attn *a, as_attn_axis axis, int n, const int32_t *ids,
                      const char *const *pieces, const char *const *labels);
/* Mean over heads of (kind, layer) into out [q, k]. */
void as_attn_head_mean(const as_attn *a, as_attn_kind kind, int layer, float *out);

#endif
