/* Benchmark (not a test): times attnscope's forward pass on one model folder and device, with
 * every attention matrix copied into a host-memory store (as_model_run fills an as_attn), and
 * prints one JSON line for bench/report.py. One untimed warm-up run first (pipeline creation,
 * page faults on the weights), then REPS timed runs; the store of each run is freed after it.
 *
 * Also measured, outside the timed runs, from the backend's counters (as_kern_get_stats):
 * dispatches and submits per run, and for encoder-decoders per decoded token (the difference
 * between a run decoding NEW tokens and one decoding NEW-1, so the encoder cancels out).
 *
 * Usage: model_bench DIR DEVICE REPS marian SRC_LEN NEW_TOKENS
 *        model_bench DIR DEVICE REPS bert SEQ_LEN
 *        model_bench DIR DEVICE REPS vit IMAGE
 * DEVICE is "cpu" or a Vulkan device spec ("" = default). Token ids are seeded pseudo-random
 * (the same for every run), the last source id of a Marian input is </s> (0). */
#include "attnscope/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct job {
    as_kern *k;
    as_model *m;
    as_model_ids in;
    as_run_opts opts;
    int image;
} job;

/* One run: wall time in ms (negative after printing the error), its dispatches and submits. */
static double run_once(job *j, as_kern_stats *used, int *generated)
{
    as_kern_stats s0 = as_kern_get_stats(j->k);
    as_attn a;
    double t0 = now_ms();
    int rc = j->image ? as_model_run(j->m, &j->opts, &a)
                      : as_model_run_ids(j->m, &j->in, &j->opts, &a);
    double t = now_ms() - t0;
    if (rc != AS_OK) {
        fprintf(stderr, "model_bench: %s\n", as_last_error());
        return -1.0;
    }
    as_kern_stats s1 = as_kern_get_stats(j->k);
    used->dispatches = s1.dispatches - s0.dispatches;
    used->submits = s1.submits - s0.submits;
    *generated = a.n_generated;
    as_attn_deinit(&a);
    return t;
}

static int usage(void)
{
    fprintf(stderr, "usage: model_bench DIR DEVICE REPS marian SRC_LEN NEW_TOKENS\n"
                    "       model_bench DIR DEVICE REPS bert SEQ_LEN\n"
                    "       model_bench DIR DEVICE REPS vit IMAGE\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 6)
        return usage();
    const char *dir = argv[1], *device = argv[2], *kind = argv[4];
    int reps = atoi(argv[3]);
    int marian = strcmp(kind, "marian") == 0, vit = strcmp(kind, "vit") == 0;
    if (reps < 1 || (marian && argc < 7))
        return usage();
    job j = {.image = vit};
    int32_t *ids = NULL;
    if (vit) {
        j.opts.image = argv[5];
    } else {
        int T = atoi(argv[5]);
        if (T < 1)
            return usage();
        ids = calloc((size_t)T, sizeof *ids);
        uint64_t x = 0x9e3779b97f4a7c15ull;
        for (int i = 0; i < T; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            ids[i] = 1 + (int32_t)((x >> 33) % 20000); /* inside every benchmark vocabulary */
        }
        if (marian)
            ids[T - 1] = 0; /* </s> closes a Marian source */
        j.in.src = ids;
        j.in.n_src = T;
        j.opts.max_new_tokens = marian ? atoi(argv[6]) : 0;
    }
    double t_load = now_ms();
    int rc = as_kern_create(&j.k, device);
    if (rc == AS_OK)
        rc = as_model_load(&j.m, dir, j.k);
    t_load = now_ms() - t_load;
    if (rc != AS_OK) {
        fprintf(stderr, "model_bench: %s\n", as_last_error());
        as_kern_destroy(j.k);
        free(ids);
        return 1;
    }
    as_kern_stats used = {0};
    int generated = 0;
    double t_first = run_once(&j, &used, &generated);
    double *t = calloc((size_t)reps, sizeof *t);
    for (int i = 0; i < reps && t_first >= 0; i++)
        if ((t[i] = run_once(&j, &used, &generated)) < 0)
            t_first = -1.0;
    /* dispatches and submits of one decoded token: NEW tokens minus NEW-1 tokens */
    as_kern_stats per_tok = {0};
    if (t_first >= 0 && marian && j.opts.max_new_tokens > 1) {
        as_kern_stats shorter;
        int g2 = 0;
        j.opts.max_new_tokens--;
        if (run_once(&j, &shorter, &g2) < 0 || g2 != generated - 1)
            t_first = -1.0;
        per_tok.dispatches = used.dispatches - shorter.dispatches;
        per_tok.submits = used.submits - shorter.submits;
    }
    if (t_first >= 0) {
        double *sorted = calloc((size_t)reps, sizeof *sorted);
        memcpy(sorted, t, sizeof *t * (size_t)reps);
        qsort(sorted, (size_t)reps, sizeof *sorted, cmp_double);
        double median = reps % 2 ? sorted[reps / 2]
                                 : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2.0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("{\"side\": \"attnscope\", \"workload\": \"%s\", \"device\": \"%s\", "
               "\"backend\": \"%s\", \"times_ms\": [",
               kind, device, as_kern_name(j.k));
        for (int i = 0; i < reps; i++)
            printf("%s%.3f", i ? ", " : "", t[i]);
        printf("], \"min_ms\": %.3f, \"median_ms\": %.3f, \"first_ms\": %.3f, \"load_ms\": %.3f, "
               "\"dispatches\": %llu, \"submits\": %llu, \"generated\": %d, "
               "\"dispatches_per_token\": %llu, \"submits_per_token\": %llu, "
               "\"peak_rss_mb\": %.1f}\n",
               sorted[0], median, t_first, t_load, (unsigned long long)used.dispatches,
               (unsigned long long)used.submits, generated,
               (unsigned long long)per_tok.dispatches, (unsigned long long)per_tok.submits,
               ru.ru_maxrss / 1024.0);
        free(sorted);
    }
    free(t);
    free(ids);
    as_model_destroy(j.m);
    as_kern_destroy(j.k);
    return t_first >= 0 ? 0 : 1;
}
