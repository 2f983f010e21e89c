/* Prints one attention value of a dumped safetensors file, for screen-vs-dump checks:
 *   st_value FILE TENSOR HEAD|mean Q K
 * TENSOR is [heads, q, k]; "mean" averages over heads as the explorer's mean view does. */
#include "attnscope/st.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: st_value FILE TENSOR HEAD|mean Q K\n");
        return 2;
    }
    as_st_file *f = NULL;
    if (as_st_open(&f, argv[1]) != AS_OK) {
        fprintf(stderr, "%s\n", as_last_error());
        return 1;
    }
    const as_st_tensor *t = as_st_find(f, argv[2]);
    int q = atoi(argv[4]), k = atoi(argv[5]);
    if (!t || t->ndim != 3 || q < 0 || k < 0 || q >= t->shape[1] || k >= t->shape[2]) {
        fprintf(stderr, "%s: no [heads, q, k] tensor '%s' holding (%d, %d)\n", argv[1], argv[2], q,
                k);
        as_st_close(f);
        return 1;
    }
    float *v = malloc(sizeof(float) * t->numel);
    as_st_to_f32(f, t, v);
    int heads = (int)t->shape[0], mean = strcmp(argv[3], "mean") == 0, h = atoi(argv[3]);
    double sum = 0.0;
    for (int i = 0; i < heads; i++)
        if (mean || i == h)
            sum += v[((size_t)i * t->shape[1] + q) * t->shape[2] + k];
    printf("%.6f\n", mean ? sum / heads : sum);
    free(v);
    as_st_close(f);
    return 0;
}
