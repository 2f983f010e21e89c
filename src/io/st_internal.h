/* Private helpers shared by the st_*.c files. */
#ifndef ATTNSCOPE_ST_INTERNAL_H
#define ATTNSCOPE_ST_INTERNAL_H

#include "attnscope/st.h"

/* Formats shape[0..ndim) as "[a, b, c]" into buf (200 bytes hold AS_ST_MAX_DIMS dims); returns
 * buf. */
const char *as_st_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape);

#endif
