/* Benchmark (not a test): GFLOPS of the matmul op (y = x w^T + bias, the Linear layer) at the
 * transformer shapes the benchmark models use, M = 1..512 rows. For each shape, REPS products are
 * recorded back to back in one submit (each writes a different output, so no barriers between
 * them) and the wall time of the submit, divided by REPS, is the time of one product; the best of
 * 3 submits is kept. Prints one JSON line per shape.
 *
 * Usage: matmul_bench [DEVICE [REPS [MAX_M]]]
 *   DEVICE "" = default Vulkan device, "cpu" = C backend; MAX_M limits the shapes to M <= MAX_M. */
#include "attnscope/kern.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fill(as_kern *k, as_buf *b, size_t n)
{
    float *v = malloc(n * sizeof *v);
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        v[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
    }
    int rc = as_buf_write(k, b, 0, v, n * sizeof *v);
    free(v);
    return rc;
}

int main(int argc, char **argv)
{
    const char *device = argc > 1 ? argv[1] : "";
    int reps = argc > 2 ? atoi(argv[2]) : 8;
    uint32_t max_m = argc > 3 ? (uint32_t)atoi(argv[3]) : 512;
    /* (N, K): Marian 512/2048 (qkv 1536, LM head 58101), BERT/ViT 768/3072 (qkv 2304) */
    static const uint32_t nk[][2] = {{512, 512},   {1536, 512},  {2048, 512}, {512, 2048},
                                     {2304, 768},  {768, 768},   {3072, 768}, {768, 3072},
                                     {58101, 512}};
    static const uint32_t ms[] = {1, 2, 4, 8, 16, 32, 64, 128, 197, 256, 512};
    as_kern *k = NULL;
    if (as_kern_create(&k, device) != AS_OK || reps < 1) {
        fprintf(stderr, "matmul_bench: %s\n", as_last_error());
        return 1;
    }
    int rc = AS_OK;
    for (size_t s = 0; s < sizeof nk / sizeof *nk && rc == AS_OK; s++)
        for (size_t i = 0; i < sizeof ms / sizeof *ms && rc == AS_OK; i++) {
            uint32_t M = ms[i], N = nk[s][0], K = nk[s][1];
            /* the 58101-row LM head only runs on decoded tokens */
            if ((N == 58101 && M > 4) || M > max_m)
                continue;
            as_buf *x = NULL, *w = NULL, *bias = NULL, *y = NULL;
            rc = as_buf_create(k, (size_t)M * K * 4, &x);
            if (rc == AS_OK)
                rc = as_buf_create(k, (size_t)N * K * 4, &w);
            if (rc == AS_OK)
                rc = as_buf_create(k, (size_t)N * 4, &bias);
            if (rc == AS_OK)
                rc = as_buf_create(k, (size_t)reps * M * N * 4, &y);
            if (rc == AS_OK)
                rc = fill(k, x, (size_t)M * K);
            if (rc == AS_OK)
                rc = fill(k, w, (size_t)N * K);
            if (rc == AS_OK)
                rc = fill(k, bias, N);
            double best = 1e30;
            for (int t = 0; t < 4 && rc == AS_OK; t++) {
                double t0 = now_ms();
                if ((rc = as_kern_begin(k)) != AS_OK)
                    break;
                for (int r = 0; r < reps; r++) {
                    as_op_matmul p = {.y = as_tv_at(y, (size_t)r * M * N), .x = as_tv_at(x, 0),
                                      .w = as_tv_at(w, 0), .bias = as_tv_at(bias, 0), .M = M,
                                      .N = N, .K = K};
                    as_kern_matmul(k, &p);
                }
                rc = as_kern_end(k);
                double ms_one = (now_ms() - t0) / reps;
                if (t > 0 && ms_one < best) /* t = 0 creates the pipeline */
                    best = ms_one;
            }
            if (rc == AS_OK)
                printf("{\"M\": %u, \"N\": %u, \"K\": %u, \"ms\": %.4f, \"gflops\": %.2f, "
                       "\"gbps\": %.2f}\n",
                       M, N, K, best, 2.0 * M * N * K / best / 1e6,
                       4.0 * ((double)N * K + (double)M * K + (double)M * N) / best / 1e6);
            fflush(stdout);
            as_buf_destroy(k, x);
            as_buf_destroy(k, w);
            as_buf_destroy(k, bias);
            as_buf_destroy(k, y);
        }
    if (rc != AS_OK)
        fprintf(stderr, "matmul_bench: %s\n", as_last_error());
    as_kern_destroy(k);
    return rc == AS_OK ? 0 : 1;
}
