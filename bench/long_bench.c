/* Benchmark (not a test): a long input on a BERT-style model with the Q/K store (attn.h: each
 * layer's queries and keys kept, heads materialised when asked for), and what it costs to look
 * at it. Prints one JSON line:
 *   forward_ms      as_model_run_ids (forward pass + reading Q/K back into the store)
 *   rss_load_mb     peak RSS (ru_maxrss) after loading the weights
 *   rss_run_mb      peak RSS after the run, the store still alive (what issue 7 caps at 3 GB)
 *   store_mb        the store's Q and K (layers x tokens x hidden x 2 floats)
 *   head_ms         materialising one head (layer 0, head 0), then asking again (cache hit)
 *   mean_ms         as_attn_head_mean of layer 0 (every head, a block of rows at a time)
 *   max_ms          max over the heads of layer 0, one head at a time (the explorer's max view)
 *   rss_end_mb      peak RSS at the end (head cache slots and the aggregate buffers touched)
 *   expected_key    mean over queries of the expected key position under the last head of the
 *                   last layer: equal on every device (a cross-device check at full length)
 * Times are wall clock; *_cpu_ms the process's CPU time over the same span (all threads: on a
 * shared machine the wall time also counts other jobs).
 * Token ids are seeded pseudo-random, as bench/model_bench.c.
 *
 * Usage: long_bench DIR DEVICE TOKENS [full|qk|auto]   (DEVICE: cpu, or "" for Vulkan) */
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

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: long_bench DIR DEVICE TOKENS [full|qk|auto]\n");
        return 2;
    }
    int T = atoi(argv[3]);
    const char *store = argc == 5 ? argv[4] : "qk";
    as_store_mode mode = strcmp(store, "full") == 0   ? AS_STORE_FULL
                         : strcmp(store, "auto") == 0 ? AS_STORE_AUTO
                                                      : AS_STORE_QK;
    if (T < 1)
        return 2;
    int32_t *ids = calloc((size_t)T, sizeof *ids);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < T; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        ids[i] = 1 + (int32_t)((x >> 33) % 20000);
    }
    as_kern *k = NULL;
    as_model *m = NULL;
    as_attn a;
    as_attn_init(&a);
    int rc = as_kern_create(&k, argv[2]);
    if (rc == AS_OK)
        rc = as_model_load(&m, argv[1], k);
    double rss_load = peak_rss_mb(), t_fwd = 0.0, c_fwd = 0.0;
    if (rc == AS_OK) {
        as_model_ids in = {.src = ids, .n_src = T};
        as_run_opts o = {.store = mode};
        double t0 = now_ms(), c0 = cpu_ms();
        rc = as_model_run_ids(m, &in, &o, &a);
        t_fwd = now_ms() - t0;
        c_fwd = cpu_ms() - c0;
    }
    if (rc != AS_OK) {
        fprintf(stderr, "long_bench: %s\n", as_last_error());
        as_model_destroy(m);
        as_kern_destroy(k);
        free(ids);
        return 1;
    }
    double rss_run = peak_rss_mb();
    const as_attn_map *mp = &a.map[AS_ATTN_ENCODER];
    size_t n = (size_t)mp->q * mp->k;
    double t0 = now_ms(), c0 = cpu_ms();
    const float *p = as_attn_head(&a, AS_ATTN_ENCODER, 0, 0);
    double t_head = now_ms() - t0, c_head = cpu_ms() - c0;
    t0 = now_ms();
    const float *again = as_attn_head(&a, AS_ATTN_ENCODER, 0, 0);
    double t_hit = now_ms() - t0;
    float *buf = calloc(n, sizeof *buf);
    t0 = now_ms();
    c0 = cpu_ms();
    as_attn_head_mean(&a, AS_ATTN_ENCODER, 0, buf);
    double t_mean = now_ms() - t0, c_mean = cpu_ms() - c0;
    t0 = now_ms();
    c0 = cpu_ms();
    memcpy(buf, as_attn_head(&a, AS_ATTN_ENCODER, 0, 0), sizeof *buf * n);
    for (int h = 1; h < mp->heads; h++) {
        const float *ph = as_attn_head(&a, AS_ATTN_ENCODER, 0, h);
        for (size_t i = 0; i < n; i++)
            buf[i] = ph[i] > buf[i] ? ph[i] : buf[i];
    }
    double t_max = now_ms() - t0, c_max = cpu_ms() - c0;
    const float *last = as_attn_head(&a, AS_ATTN_ENCODER, mp->layers - 1, mp->heads - 1);
    double expected = 0.0;
    for (size_t i = 0; i < n; i++)
        expected += (double)(i % (size_t)mp->k) * last[i];
    expected /= mp->q;
    double store_mb = mp->qk ? 2.0 * mp->layers * T * mp->heads * mp->qk->dh * 4 / 1048576
                             : (double)mp->layers * mp->heads * n * 4 / 1048576;
    printf("{\"side\": \"long\", \"device\": \"%s\", \"backend\": \"%s\", \"tokens\": %d, "
           "\"store\": \"%s\", \"layers\": %d, \"heads\": %d, \"forward_ms\": %.1f, "
           "\"forward_cpu_ms\": %.1f, \"rss_load_mb\": %.1f, \"rss_run_mb\": %.1f, "
           "\"store_mb\": %.1f, \"head_ms\": %.1f, \"head_cpu_ms\": %.1f, "
           "\"head_hit_ms\": %.4f, \"same_pointer\": %d, \"mean_ms\": %.1f, "
           "\"mean_cpu_ms\": %.1f, \"max_ms\": %.1f, \"max_cpu_ms\": %.1f, "
           "\"expected_key\": %.6f, \"rss_end_mb\": %.1f}\n",
           argv[2], as_kern_name(k), T, mp->qk ? "qk" : "full", mp->layers, mp->heads, t_fwd,
           c_fwd, rss_load, rss_run, store_mb, t_head, c_head, t_hit, p == again, t_mean, c_mean,
           t_max, c_max, expected, peak_rss_mb());
    free(buf);
    as_attn_deinit(&a);
    as_model_destroy(m);
    as_kern_destroy(k);
    free(ids);
    return 0;
}
