/* Prints the probability the model gave the token chosen at one decoding step, from a dump made
 * with --logits: softmax(logits[STEP - 1])[decoder_input_ids[STEP]] (logits row t predicts the
 * token at position t + 1), for the explorer's generation-steps check.
 *   st_prob FILE STEP */
#include "attnscope/st.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static float *load(as_st_file *f, const char *name, const as_st_tensor **t)
{
    *t = as_st_find(f, name);
    if (!*t)
        return NULL;
    float *v = malloc(sizeof(float) * (*t)->numel);
    if (v && as_st_to_f32(f, *t, v) != AS_OK) {
        free(v);
        return NULL;
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: st_prob FILE STEP\n");
        return 2;
    }
    as_st_file *f = NULL;
    if (as_st_open(&f, argv[1]) != AS_OK) {
        fprintf(stderr, "%s\n", as_last_error());
        return 1;
    }
    const as_st_tensor *lt, *it = as_st_find(f, "decoder_input_ids");
    float *logits = load(f, "logits", &lt);
    int64_t *ids = it ? malloc(sizeof(int64_t) * it->numel) : NULL;
    if (ids && as_st_to_i64(f, it, ids) != AS_OK) {
        free(ids);
        ids = NULL;
    }
    int step = atoi(argv[2]), rc = 1;
    if (logits && ids && lt->ndim == 2 && step >= 1 && (size_t)step < it->numel &&
        step - 1 < lt->shape[0]) {
        const float *row = logits + (size_t)(step - 1) * lt->shape[1];
        int id = (int)ids[step];
        double mx = row[0], sum = 0.0;
        for (int64_t v = 1; v < lt->shape[1]; v++)
            mx = row[v] > mx ? row[v] : mx;
        for (int64_t v = 0; v < lt->shape[1]; v++)
            sum += exp(row[v] - mx);
        printf("%.6f\n", exp(row[id] - mx) / sum);
        rc = 0;
    } else {
        fprintf(stderr, "%s: no logits / decoder_input_ids for step %d\n", argv[1], step);
    }
    free(logits);
    free(ids);
    as_st_close(f);
    return rc;
}
