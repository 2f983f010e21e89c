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

/* A map kept as its queries and keys instead of its probabilities (attn_qk.c): for long inputs,
 * where L x H x T^2 floats do not fit (BERT-base at 4,096 tokens: 9.7 GB of probabilities,
 * 302 MB of Q and K). Head h of layer l is softmax(scale * Q_h K_h^T) with Q_h, K_h the column
 * slice [h*dh, (h+1)*dh) of the rows; no mask (a single unpadded input). */
typedef struct as_attn_cache as_attn_cache;
typedef struct as_attn_qk {
    int dh;               /* head width: rows hold heads * dh floats */
    float scale;          /* dh^-0.5, as the forward pass used */
    float *q;             /* (layer, query, heads * dh), owned */
    float *k;             /* (layer, key, heads * dh), owned */
    as_attn_cache *cache; /* recently materialised heads (LRU), owned */
    float *full;          /* all probabilities once as_attn_full asked for them, or NULL; owned */
} as_attn_qk;

/* Heads of a Q/K map materialised at once: as_attn_head keeps this many recent results. */
#define AS_ATTN_QK_SLOTS 4

typedef struct as_attn_map {
    int layers, heads, q, k; /* layers == 0: this kind is absent */
    float *p;                /* (layer, head, q, k) probabilities, owned; NULL for a Q/K map */
    as_attn_qk *qk;          /* Q/K form (p == NULL), or NULL; owned */
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
/* Allocates map kind in Q/K form (zeroed Q and K for the caller to fill, and the head cache):
 * AS_ENOMEM with a message if it does not fit. */
int as_attn_alloc_qk(as_attn *a, as_attn_kind kind, int layers, int heads, int q, int k, int dh,
                     float scale);
/* Pointer to the [q, k] probabilities of (kind, layer, head).
 * Probability map: a pointer into the store, valid while the store lives; the heads of a layer
 * are contiguous (head h + 1 follows head h) and the caller that allocated the map may write.
 * Q/K map: the head is materialised into one of AS_ATTN_QK_SLOTS cache slots (least recently
 * used first; asking again for a cached head costs nothing). The pointer is read-only and stays
 * valid until AS_ATTN_QK_SLOTS other heads have been asked for since, so a caller may hold at
 * most AS_ATTN_QK_SLOTS heads at once and must never step from one head to the next by pointer
 * arithmetic. Not thread-safe (the cache is shared state). */
float *as_attn_head(const as_attn *a, as_attn_kind kind, int layer, int head);
/* All (layer, head, q, k) probabilities of kind, contiguous: the store itself for a probability
 * map; for a Q/K map every head is materialised once into a buffer the store keeps until deinit
 * (AS_ENOMEM with a message if it does not fit). For whole-map consumers (safetensors and npy
 * files, rollout) that cannot work head by head. */
int as_attn_full(const as_attn *a, as_attn_kind kind, const float **out);
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
/* Mean over heads of (kind, layer) into out [q, k] (double sums in head order; a Q/K map is
 * materialised a block of rows at a time, without touching the head cache). */
void as_attn_head_mean(const as_attn *a, as_attn_kind kind, int layer, float *out);

#endif
