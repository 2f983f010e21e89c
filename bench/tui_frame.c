/* Benchmark (not a test): time from key press to finished frame in the explorer's map view for a
 * 4,096 x 4,096 attention map on a 200 x 60 screen, and the memory used.
 *
 * A synthetic single-head store (a sharp diagonal, a BOS column and a local band over a faint
 * uniform background: what a real head looks like) goes through the real code path: the key
 * action (as_tui_key) and the frame (as_tui_draw, curses refresh included) with output to
 * /dev/null, TERM=xterm-256color. Each scenario replays a key sequence and reports median, p95
 * and max per key. The first frame includes building the pooling pyramid (once per map).
 *
 * With --model, the store is instead a real run kept in Q/K form (attn.h): every head the views
 * show is materialised from queries and keys (the grid and the head table: all of them, once).
 *
 * Usage: tui_frame [N [W H]]   (defaults 4096, 200 60). Prints one line per scenario.
 *        tui_frame --model DIR DEVICE TOKENS [W H]   (DEVICE: cpu, or "" for Vulkan) */
#include "tui_internal.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of this thread: on a shared machine wall time also counts other processes. */
static double cpu_ms(void)
{
    return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Rows of the synthetic head: each row sums to 1. */
static void fill(float *p, int n)
{
    for (int i = 0; i < n; i++) {
        float *row = p + (size_t)i * n;
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
            float v = 1e-4f;
            if (j == 0)
                v += 0.3f;
            if (j == i)
                v += 0.4f;
            if (j < i && i - j <= 3)
                v += 0.05f;
            row[j] = v;
            sum += v;
        }
        for (int j = 0; j < n; j++)
            row[j] = (float)(row[j] / sum);
    }
}

typedef struct {
    const char *name;
    const char *keys; /* characters; 'J' 'L' 'K' 'H' stand for the arrow keys, 'P' for PgDn */
    int repeat;
} scenario;

static int key_code(char c, int *is_key)
{
    *is_key = 1;
    switch (c) {
    case 'J': return KEY_DOWN;
    case 'K': return KEY_UP;
    case 'L': return KEY_RIGHT;
    case 'H': return KEY_LEFT;
    case 'P': return KEY_NPAGE;
    default: *is_key = 0; return c;
    }
}

/* The Q/K store of a real run: TOKENS seeded pseudo-random ids (as bench/model_bench.c). */
static int model_store(const char *dir, const char *device, int n, as_kern **k, as_model **m,
                       as_attn *a)
{
    int32_t *ids = calloc((size_t)n, sizeof *ids);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        ids[i] = 1 + (int32_t)((x >> 33) % 20000);
    }
    as_model_ids in = {.src = ids, .n_src = n};
    as_run_opts o = {.store = AS_STORE_QK};
    int rc = as_kern_create(k, device);
    if (rc == AS_OK)
        rc = as_model_load(m, dir, *k);
    if (rc == AS_OK)
        rc = as_model_run_ids(*m, &in, &o, a);
    free(ids);
    return rc;
}

int main(int argc, char **argv)
{
    int model = argc > 1 && strcmp(argv[1], "--model") == 0, base = model ? 4 : 1;
    int n = argc > base ? atoi(argv[base]) : 4096;
    const char *w = argc > base + 2 ? argv[base + 1] : "200";
    const char *h = argc > base + 2 ? argv[base + 2] : "60";
    if (n < 2 || (model && argc < 5)) {
        fprintf(stderr, "usage: tui_frame [N [W H]]\n"
                        "       tui_frame --model DIR DEVICE TOKENS [W H]\n");
        return 2;
    }
    as_attn a;
    as_attn_init(&a);
    as_kern *k = NULL;
    as_model *m = NULL;
    int rc = model ? model_store(argv[2], argv[3], n, &k, &m, &a)
                   : as_attn_alloc_map(&a, AS_ATTN_ENCODER, 1, 1, n, n);
    if (rc != AS_OK) {
        fprintf(stderr, "tui_frame: %s\n", as_last_error());
        return 1;
    }
    if (!model)
        fill(a.map[AS_ATTN_ENCODER].p, n);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long rss_store = ru.ru_maxrss;

    setenv("TERM", "xterm-256color", 1);
    setenv("COLUMNS", w, 1);
    setenv("LINES", h, 1);
    setlocale(LC_ALL, "C.UTF-8");
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm(NULL, out, in);
    if (!scr) {
        fprintf(stderr, "tui_frame: newterm failed\n");
        return 1;
    }
    as_tui_opts o;
    as_tui_opts_init(&o);
    o.no_mouse = 1;
    as_tui_app app;
    as_tui_app_init(&app, NULL, &a, &o);
    as_tui_app_start(&app);
    app.q = n / 2;
    app.k = n / 3;

    double t0 = now_ms();
    as_tui_draw(&app);
    double first = now_ms() - t0;

    static const scenario scen[] = {
        {"fit: cursor moves (jjjlll)", "JJJLLL", 20},
        {"zoom in from fit to 1:1 (+ x6)", "++++++", 1},
        {"1:1: cursor moves, window follows", "JJJJLLLLKKHH", 20},
        {"1:1: page down (pan)", "P", 30},
        {"1:1 -> 8:1 -> 1:1 (+++---)", "+++---", 4},
        {"zoom out 1:2 .. 1:32, fit (- x6)", "------", 1},
        {"fit (=), row focus (Enter j m)", "=\r" "jjjm", 10},
        /* the first v / t compute thumbnails / statistics (max); later frames use the caches */
        {"layer grid, head table (v m t m)", "vmtm", 5},
        /* every layer's thumbnails: on a Q/K store the first o materialises every head */
        {"model overview (o m)", "om", 5},
    };
    enum { MAX_SAMPLES = 4096 };
    static double samples[MAX_SAMPLES], cpu[MAX_SAMPLES];
    printf("tui_frame: %d x %d map%s, %sx%s screen, colours %s, first frame (pyramid build) "
           "%.1f ms\n",
           n, n, model ? " (Q/K store of a run)" : "", w, h, as_tui_palette_name(&app.pal),
           first);
    double worst_median = 0.0;
    for (size_t s = 0; s < sizeof scen / sizeof scen[0]; s++) {
        int count = 0;
        for (int r = 0; r < scen[s].repeat; r++) {
            for (const char *c = scen[s].keys; *c && count < MAX_SAMPLES; c++) {
                int is_key, key = key_code(*c, &is_key);
                double k0 = now_ms(), c0 = cpu_ms();
                as_tui_key(&app, key, is_key);
                as_tui_draw(&app);
                cpu[count] = cpu_ms() - c0;
                samples[count++] = now_ms() - k0;
            }
        }
        qsort(samples, (size_t)count, sizeof *samples, cmp_double);
        qsort(cpu, (size_t)count, sizeof *cpu, cmp_double);
        double median = samples[count / 2];
        int p95 = (count * 95) / 100 < count ? (count * 95) / 100 : count - 1;
        worst_median = median > worst_median ? median : worst_median;
        char zoom[16]; /* where the scenario ended */
        if (app.zoom == AS_TUI_ZOOM_FIT)
            snprintf(zoom, sizeof zoom, "fit");
        else if (app.zoom >= 0)
            snprintf(zoom, sizeof zoom, "1:%d", 1 << app.zoom);
        else
            snprintf(zoom, sizeof zoom, "%d:1", 1 << -app.zoom);
        printf("  %-34s keys %4d  wall median %6.3f p95 %6.3f max %6.3f ms  cpu median %6.3f "
               "p95 %6.3f ms  (ends %s)\n",
               scen[s].name, count, median, samples[p95], samples[count - 1], cpu[count / 2],
               cpu[p95], zoom);
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("  memory: max RSS %.1f MiB (%.1f MiB once the %d x %d store was filled; pyramid "
           "%.1f MiB)\n",
           ru.ru_maxrss / 1024.0, rss_store / 1024.0, n, n,
           app.pyr.levels > 1
               ? (double)((size_t)(app.pyr.lv[app.pyr.levels - 1] - app.pyr.owned) + 1) * 4 /
                     (1024.0 * 1024.0)
               : 0.0);
    printf("  worst median %.3f ms per frame (target < 5 ms): %s\n", worst_median,
           worst_median < 5.0 ? "ok" : "SLOW");
    as_tui_app_stop(&app);
    endwin();
    delscreen(scr);
    as_tui_app_deinit(&app);
    fclose(out);
    fclose(in);
    as_attn_deinit(&a);
    as_model_destroy(m);
    as_kern_destroy(k);
    return 0;
}
