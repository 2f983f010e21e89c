/* Compares every tensor of a dumped safetensors file with `PREFIX.<name>` in a golden file:
 * integer tensors exactly, float tensors within TOL (absolute). Also requires the dump to hold at
 * least MIN tensors, so an empty dump cannot pass. PREFIX "" compares with `<name>` (two dumps).
 *   st_compare DUMP GOLDEN PREFIX TOL MIN */
#include "attnscope/st.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const as_st_file *d, const as_st_tensor *t, const as_st_file *g,
                   const as_st_tensor *ref, double tol)
{
    if (t->numel != ref->numel || t->ndim != ref->ndim) {
        printf("%s: shape differs from the golden\n", t->name);
        return 1;
    }
    int is_int = t->dtype == AS_DT_I64;
    double *a = malloc(sizeof(double) * t->numel), *b = malloc(sizeof(double) * t->numel);
    float *fa = malloc(sizeof(float) * t->numel), *fb = malloc(sizeof(float) * t->numel);
    int64_t *ia = malloc(sizeof(int64_t) * t->numel), *ib = malloc(sizeof(int64_t) * t->numel);
    int rc = is_int ? as_st_to_i64(d, t, ia) | as_st_to_i64(g, ref, ib)
                    : as_st_to_f32(d, t, fa) | as_st_to_f32(g, ref, fb);
    double worst = 0.0;
    for (size_t i = 0; rc == AS_OK && i < t->numel; i++) {
        a[i] = is_int ? (double)ia[i] : fa[i];
        b[i] = is_int ? (double)ib[i] : fb[i];
        double e = fabs(a[i] - b[i]);
        worst = e > worst ? e : worst;
    }
    int bad = rc != AS_OK || (is_int ? worst != 0.0 : !(worst <= tol));
    printf("%s %s: max difference %.3g\n", bad ? "FAIL" : "ok  ", t->name, worst);
    free(a);
    free(b);
    free(fa);
    free(fb);
    free(ia);
    free(ib);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: st_compare DUMP GOLDEN PREFIX TOL MIN\n");
        return 2;
    }
    as_st_file *d = NULL, *g = NULL;
    if (as_st_open(&d, argv[1]) != AS_OK || as_st_open(&g, argv[2]) != AS_OK) {
        fprintf(stderr, "%s\n", as_last_error());
        return 1;
    }
    double tol = atof(argv[4]);
    int failures = 0;
    size_t n = as_st_count(d);
    for (size_t i = 0; i < n; i++) {
        const as_st_tensor *t = as_st_at(d, i);
        char name[512];
        snprintf(name, sizeof name, "%s%s%s", argv[3], *argv[3] ? "." : "", t->name);
        const as_st_tensor *ref = as_st_find(g, name);
        if (!ref) {
            printf("FAIL %s: not in the golden file\n", name);
            failures++;
            continue;
        }
        failures += compare(d, t, g, ref, tol);
    }
    if (n < (size_t)atoi(argv[5])) {
        printf("FAIL: %zu tensors, expected at least %s\n", n, argv[5]);
        failures++;
    }
    as_st_close(d);
    as_st_close(g);
    printf("%zu tensors compared, %d failed\n", n, failures);
    return failures != 0;
}
