/* Private to src/attn: the Q/K form of a map (attn_qk.c) as attn.c uses it. */
#ifndef ATTNSCOPE_ATTN_INTERNAL_H
#define ATTNSCOPE_ATTN_INTERNAL_H

#include "attnscope/attn.h"

/* Frees a Q/K map's arrays and cache (NULL is fine). */
void as_attn_qk_destroy(as_attn_qk *qk);
/* as_attn_head for a Q/K map (see attn.h for the pointer's lifetime). */
float *as_attn_qk_head(const as_attn_map *m, int layer, int head);
/* as_attn_head_mean for a Q/K map. */
void as_attn_qk_mean(const as_attn_map *m, int layer, float *out);

#endif
