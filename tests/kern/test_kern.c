/* Vulkan backend vs the CPU reference (src/kern/kern_cpu.c), plus device selection, errors and
 * the pipeline cache. One program, one mode per meson test:
 *   ops      every op on odd shapes, offsets and aliasing; |gpu - ref| <= atol + rtol*|ref|
 *            (run twice: default paths, and AS_VK_STAGING=1 AS_VK_SUBGROUPS=0 fallbacks)
 *   pass     dependent ops recorded in one pass (barriers between them)
 *   device   choice by index, name and AS_DEVICE; describe; size limit; AS_ENODEV without ICDs;
 *            missing validation layer; the validation error counter
 *   cache    the pipeline cache file is written, and corrupt or unwritable caches are ignored
 *   split    matmul and embed with weights bigger than one binding (AS_VK_MAX_RANGE=16K), the
 *            fused attention row with every view in a window, and the error for an activation
 *            that big
 * Inputs are seeded pseudo-random, so a failure reproduces. Without a Vulkan device the test
 * prints why and exits 77 (skip). */
#include "attnscope/kern.h"
#include "attnscope/vk.h"
#include "test.h"
#include "vk_internal.h"
#include "vk_pin.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static as_kern *kc, *kg; /* CPU reference, Vulkan under test */

/* ---- inputs -------------------------------------------------------------------------------*/

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: uniform in [lo, hi) */
static float frand(float lo, float hi)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t r = (rng_state * 0x2545f4914f6cdd1dull) >> 40; /* 24 bits */
    return lo + (hi - lo) * (float)r / 16777216.0f;
}

/* The same buffer on both backends, with the same contents. */
typedef struct pair {
    as_buf *c, *g;
    size_t n; /* elements */
} pair;

static void must(int rc, const char *what)
{
    if (rc != AS_OK) {
        fprintf(stderr, "%s failed: %s: %s\n", what, as_strerror(rc), as_last_error());
        exit(1);
    }
}

static pair pair_new(size_t n, float lo, float hi)
{
    pair p = {NULL, NULL, n};
    must(as_buf_create(kc, n * 4, &p.c), "cpu buffer");
    must(as_buf_create(kg, n * 4, &p.g), "vulkan buffer");
    float *v = as_xmalloc(n * 4);
    for (size_t i = 0; i < n; i++)
        v[i] = frand(lo, hi);
    must(as_buf_write(kc, p.c, 0, v, n * 4), "cpu write");
    must(as_buf_write(kg, p.g, 0, v, n * 4), "vulkan write");
    free(v);
    return p;
}

/* A new pair holding what p's CPU side holds. */
static pair pair_copy(const pair *p)
{
    pair c = pair_new(p->n, 0, 0);
    float *v = as_xmalloc(p->n * 4);
    must(as_buf_read(kc, p->c, 0, v, p->n * 4), "cpu read");
    must(as_buf_write(kc, c.c, 0, v, p->n * 4), "cpu write");
    must(as_buf_write(kg, c.g, 0, v, p->n * 4), "vulkan write");
    free(v);
    return c;
}

static void pair_free(pair *p)
{
    as_buf_destroy(kc, p->c);
    as_buf_destroy(kg, p->g);
}

static as_tv tv(const pair *p, int gpu, size_t off)
{
    return as_tv_at(gpu ? p->g : p->c, off);
}

/* ---- comparison ---------------------------------------------------------------------------*/

typedef struct op_err {
    const char *name;
    double max_abs; /* largest |gpu - ref| seen */
    long compared, cases;
} op_err;

static op_err err_matmul = {.name = "matmul"}, err_gelu = {.name = "activations"},
              err_layernorm = {.name = "layernorm"}, err_embed = {.name = "embed"},
              err_scores = {.name = "scores"}, err_softmax = {.name = "softmax"},
              err_apply = {.name = "apply"}, err_pass = {.name = "pass"},
              err_attend = {.name = "attend_row"}, err_attend3 = {.name = "fused/3op"};

/* Compares n elements of buffer g of backend kt (under test) with buffer c of backend kr (the
 * reference): whole buffers, so writes outside the op's view are caught too. Elements the
 * reference sets to exactly 0 where it also got 0 from a mask must be exactly 0 (exact_zero). */
static void compare_bufs(as_kern *kr, const as_buf *cb, as_kern *kt, const as_buf *gb, size_t n,
                         double atol, double rtol, int exact_zero, op_err *e, const char *what)
{
    float *c = as_xmalloc(n * 4), *g = as_xmalloc(n * 4);
    must(as_buf_read(kr, cb, 0, c, n * 4), "reference read");
    must(as_buf_read(kt, gb, 0, g, n * 4), "vulkan read");
    int reported = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)g[i] - c[i]);
        int ok = d <= atol + rtol * fabs(c[i]);
        if (exact_zero && c[i] == 0.0f)
            ok = g[i] == 0.0f;
        if (!(d <= e->max_abs) || isnan(g[i]))
            e->max_abs = isnan(g[i]) ? INFINITY : d;
        as_test_checks++;
        if (!ok) {
            as_test_failures++;
            if (reported++ < 3)
                fprintf(stderr, "%s %s: element %zu: gpu %.9g ref %.9g (|d| %.3g)\n", e->name,
                        what, i, g[i], c[i], d);
        }
    }
    e->compared += (long)n;
    e->cases++;
    free(c);
    free(g);
}

/* The Vulkan side of a pair against its CPU side. */
static void compare(const pair *p, double atol, double rtol, int exact_zero, op_err *e,
                    const char *what)
{
    compare_bufs(kc, p->c, kg, p->g, p->n, atol, rtol, exact_zero, e, what);
}

static void report(const op_err *e)
{
    if (e->cases)
        fprintf(stderr, "%-12s %4ld cases %8ld elements  max |gpu-ref| %.3g\n", e->name, e->cases,
                e->compared, e->max_abs);
}

static void begin2(int gpu)
{
    must(as_kern_begin(gpu ? kg : kc), "begin");
}

static void end2(int gpu)
{
    must(as_kern_end(gpu ? kg : kc), "end");
}

/* ---- ops ----------------------------------------------------------------------------------*/

static const uint32_t odd[] = {1, 3, 17, 33, 67, 130};
#define NODD (sizeof odd / sizeof odd[0])

/* y = act(x.w^T + bias) + res with views at offsets; res may alias y (only without an
 * activation, as kern.h allows). */
static void matmul_case(uint32_t M, uint32_t N, uint32_t K, size_t off, int bias, int act,
                        int res, int alias)
{
    pair x = pair_new(off + (size_t)M * K, -1, 1), w = pair_new(off + (size_t)N * K, -1, 1);
    pair b = pair_new(off + N, -1, 1), y = pair_new(off + (size_t)M * N + 3, -1, 1);
    pair r = pair_new(off + (size_t)M * N, -1, 1);
    for (int gpu = 0; gpu < 2; gpu++) {
        as_op_matmul op = {
            .y = tv(&y, gpu, off), .x = tv(&x, gpu, off), .w = tv(&w, gpu, off),
            .bias = bias ? tv(&b, gpu, off) : as_tv_at(NULL, 0),
            .res = !res ? as_tv_at(NULL, 0) : alias ? tv(&y, gpu, off) : tv(&r, gpu, off),
            .M = M, .N = N, .K = K, .has_act = act >= 0, .act = act >= 0 ? (as_act)act : 0,
        };
        begin2(gpu);
        as_kern_matmul(gpu ? kg : kc, &op);
        end2(gpu);
    }
    char what[96];
    snprintf(what, sizeof what, "M=%u N=%u K=%u off=%zu bias=%d act=%d res=%d alias=%d", M, N, K,
             off, bias, act, res, alias);
    compare(&y, 1e-4, 1e-4, 0, &err_matmul, what);
    pair_free(&x), pair_free(&w), pair_free(&b), pair_free(&y), pair_free(&r);
}

static void test_matmul(void)
{
    static const uint32_t ks[] = {1, 3, 17, 33, 67, 130, 8, 64}; /* 8, 64: vec4 path */
    static const size_t offs[] = {0, 4, 5};                      /* 5 forces scalar loads */
    /* M picks the kernel (vk_ops.c gemm): CPU family with texels 1 and 2..4 the matrix-vector
     * kernel (one subgroup), 5..127 blocks of 16 rows, else of 32 (scalar loads:
     * < 4 one row, else 4); GPU family 1 and 2..4 the matrix-vector kernel, else 64 x 64 tiles
     * (130 spans two tiles, K = 130 several 16-wide steps) */
    static const uint32_t ms[] = {1, 2, 3, 5, 9, 17, 33, 67, 130};
    int i = 0;
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
        for (size_t b = 0; b < NODD; b++)
            for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++, i++)
                matmul_case(ms[a], odd[b], ks[c], offs[i % 3], i % 2, i % 5 - 1, i % 3 != 1,
                            i % 10 == 0);
    /* an LM head's shape: one row, vocabulary-sized N (the CPU family's 32-row matvec) */
    matmul_case(1, 16411, 64, 4, 1, -1, 0, 0);
    /* every variant vk_ops.c's gemm_cpu can pick ran (pipelines are created on first use) */
    const as_vk_kern *vk = (const as_vk_kern *)kg;
    if (!vk->gpu_kernels && vk->texels == 2) {
        static const as_vk_pipe tex[] = {AS_VK_PIPE_MATMUL_TEX_16, AS_VK_PIPE_MATMUL_TEX_32};
        for (size_t t = 0; t < sizeof tex / sizeof tex[0]; t++)
            AS_TEST_TRUE(vk->pipes[tex[t]] != NULL);
        static const as_vk_pipe mv[] = {AS_VK_PIPE_MATVEC_TEX, AS_VK_PIPE_MATVEC_TEX_N32,
                                        AS_VK_PIPE_MATVEC_TEX_M4};
        for (size_t t = 0; t < sizeof mv / sizeof mv[0]; t++)
            AS_TEST_TRUE((vk->pipes[mv[t]] != NULL) == (vk->subgroups != 0));
    }
}

/* Activations alone: K = 1 and w = 1 make the product exact, so y = act(x) on both sides and
 * the GLSL activations (erf, tanh) are compared with libm through the C twin. */
static void test_activations(void)
{
    const uint32_t M = 241;
    for (int act = AS_ACT_GELU; act <= AS_ACT_SILU; act++) {
        pair x = pair_new(M, 0, 0), w = pair_new(1, 1, 1), y = pair_new(M, 0, 0);
        float xs[241];
        for (uint32_t m = 0; m < M; m++)
            xs[m] = -12.0f + 24.0f * (float)m / (float)(M - 1); /* step 0.1 over [-12, 12] */
        must(as_buf_write(kc, x.c, 0, xs, sizeof xs), "write");
        must(as_buf_write(kg, x.g, 0, xs, sizeof xs), "write");
        for (int gpu = 0; gpu < 2; gpu++) {
            as_op_matmul op = {.y = tv(&y, gpu, 0), .x = tv(&x, gpu, 0), .w = tv(&w, gpu, 0),
                               .M = M, .N = 1, .K = 1, .has_act = 1, .act = (as_act)act};
            begin2(gpu);
            as_kern_matmul(gpu ? kg : kc, &op);
            end2(gpu);
        }
        char what[32];
        snprintf(what, sizeof what, "act=%d", act);
        /* 1e-6 absolute (the required GELU accuracy) plus 2 ulps for outputs up to 12 */
        compare(&y, 1e-6, 2.5e-7, 0, &err_gelu, what);
        pair_free(&x), pair_free(&w), pair_free(&y);
    }
}

static void test_layernorm(void)
{
    static const uint32_t ns[] = {1, 3, 17, 33, 67, 130, 1000};
    int i = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++, i++) {
            uint32_t M = odd[a], N = ns[b];
            size_t off = (size_t)(i % 3) * 7;
            int alias = i % 2;
            pair x = pair_new(off + (size_t)M * N, -3, 5), y = pair_new(off + (size_t)M * N, -1, 1);
            pair g = pair_new(off + N, 0.5f, 1.5f), be = pair_new(off + N, -1, 1);
            for (int gpu = 0; gpu < 2; gpu++) {
                as_op_layernorm op = {.y = tv(alias ? &x : &y, gpu, off), .x = tv(&x, gpu, off),
                                      .gamma = tv(&g, gpu, off), .beta = tv(&be, gpu, off),
                                      .M = M, .N = N, .eps = 1e-5f};
                begin2(gpu);
                as_kern_layernorm(gpu ? kg : kc, &op);
                end2(gpu);
            }
            char what[64];
            snprintf(what, sizeof what, "M=%u N=%u off=%zu alias=%d", M, N, off, alias);
            compare(alias ? &x : &y, 1e-5, 1e-5, 0, &err_layernorm, what);
            pair_free(&x), pair_free(&y), pair_free(&g), pair_free(&be);
        }
}

/* y = table[ids] * scale + pos[pos_start..] on both backends: the table and ids viewed from off,
 * y (with 2 spare elements) compared whole. */
static void embed_case(uint32_t V, uint32_t D, const uint32_t *idv, uint32_t M, size_t off,
                       uint32_t pos_start, int has_pos, float scale, const char *what)
{
    pair t = pair_new(off + (size_t)V * D, -1, 1), y = pair_new((size_t)M * D + 2, 0, 0);
    pair pos = pair_new((size_t)(pos_start + M) * D, -1, 1), ids = pair_new(off + M, 0, 0);
    must(as_buf_write(kc, ids.c, off * 4, idv, M * 4), "write ids");
    must(as_buf_write(kg, ids.g, off * 4, idv, M * 4), "write ids");
    for (int gpu = 0; gpu < 2; gpu++) {
        as_op_embed op = {.y = tv(&y, gpu, 0), .ids = tv(&ids, gpu, off),
                          .table = tv(&t, gpu, off),
                          .pos = has_pos ? tv(&pos, gpu, 0) : as_tv_at(NULL, 0), .M = M, .D = D,
                          .pos_start = pos_start, .scale = scale};
        begin2(gpu);
        as_kern_embed(gpu ? kg : kc, &op);
        end2(gpu);
    }
    compare(&y, 1e-6, 1e-6, 0, &err_embed, what);
    pair_free(&t), pair_free(&y), pair_free(&pos), pair_free(&ids);
}

static void test_embed(void)
{
    static const uint32_t ds[] = {1, 3, 67, 130};
    const uint32_t V = 50;
    int i = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < sizeof ds / sizeof ds[0]; b++, i++) {
            uint32_t M = odd[a], D = ds[b], pos_start = (uint32_t)(i % 2) * 5;
            int has_pos = i % 3 != 2;
            uint32_t idv[17];
            for (uint32_t m = 0; m < M; m++)
                idv[m] = (uint32_t)frand(0, (float)V);
            char what[64];
            snprintf(what, sizeof what, "M=%u D=%u pos=%d start=%u", M, D, has_pos, pos_start);
            embed_case(V, D, idv, M, (size_t)(i % 3) * 3, pos_start, has_pos,
                       i % 2 ? sqrtf((float)D) : 1.0f, what);
        }
}

/* More rows than one grid dimension may hold (65535 guaranteed): the rows are folded into a 2D
 * grid (vk_ops.c fold) and the shaders must rebuild every row index. */
static void test_many_rows(void)
{
    const uint32_t rows = 70000, cols = 3;
    pair s = pair_new((size_t)rows * cols, -4, 4), y = pair_new((size_t)rows * cols, 0, 0);
    pair g = pair_new(cols, 0.5f, 1.5f), be = pair_new(cols, -1, 1);
    for (int gpu = 0; gpu < 2; gpu++) {
        as_op_layernorm ln = {.y = tv(&y, gpu, 0), .x = tv(&s, gpu, 0), .gamma = tv(&g, gpu, 0),
                              .beta = tv(&be, gpu, 0), .M = rows, .N = cols, .eps = 1e-5f};
        as_op_softmax sm = {.p = tv(&s, gpu, 0), .s = tv(&s, gpu, 0), .rows = rows, .cols = cols,
                            .Tq = 7, .causal = 1};
        begin2(gpu);
        as_kern_layernorm(gpu ? kg : kc, &ln);
        as_kern_softmax(gpu ? kg : kc, &sm);
        end2(gpu);
    }
    /* 3-wide rows: among 70000 some are nearly constant, where a float variance (shader) and
     * the reference's double one differ most, so this case gets a looser bound */
    compare(&y, 1e-4, 1e-4, 0, &err_layernorm, "70000 rows");
    compare(&s, 1e-6, 1e-5, 1, &err_softmax, "70000 rows");
    pair_free(&s), pair_free(&y), pair_free(&g), pair_free(&be);
}

/* Q and K rows come from wider (fused QKV-like) rows: strides > H*dh, non-zero offsets. */
static void test_scores(void)
{
    static const uint32_t hs[] = {1, 3}, tqs[] = {1, 3, 17, 33}, tks[] = {1, 17, 67},
                          dhs[] = {1, 3, 8, 16};
    int i = 0;
    for (size_t a = 0; a < 2; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t c = 0; c < 3; c++)
                for (size_t d = 0; d < 4; d++, i++) {
                    uint32_t H = hs[a], Tq = tqs[b], Tk = tks[c], dh = dhs[d];
                    /* even cases keep every start 4-aligned (vec4 path when dh allows) */
                    uint32_t pad = i % 2 ? 3 : 4, qs = H * dh + pad, ks = H * dh + 2 * pad;
                    size_t qo = i % 2 ? 5 : 8, ko = i % 2 ? 1 : 4;
                    pair q = pair_new(qo + (size_t)Tq * qs, -1, 1);
                    pair k = pair_new(ko + (size_t)Tk * ks, -1, 1);
                    pair s = pair_new(3 + (size_t)H * Tq * Tk, 0, 0);
                    for (int gpu = 0; gpu < 2; gpu++) {
                        as_op_scores op = {.s = tv(&s, gpu, 3), .q = tv(&q, gpu, qo),
                                           .k = tv(&k, gpu, ko), .H = H, .Tq = Tq, .Tk = Tk,
                                           .dh = dh, .q_stride = qs, .k_stride = ks,
                                           .scale = 1.0f / sqrtf((float)dh)};
                        begin2(gpu);
                        as_kern_scores(gpu ? kg : kc, &op);
                        end2(gpu);
                    }
                    char what[64];
                    snprintf(what, sizeof what, "H=%u Tq=%u Tk=%u dh=%u", H, Tq, Tk, dh);
                    compare(&s, 1e-5, 1e-5, 0, &err_scores, what);
                    pair_free(&q), pair_free(&k), pair_free(&s);
                }
}

static void test_softmax(void)
{
    static const uint32_t hs[] = {1, 3}, tqs[] = {1, 3, 17}, cols[] = {1, 3, 17, 130, 300};
    int i = 0;
    for (size_t a = 0; a < 2; a++)
        for (size_t b = 0; b < 3; b++)
            for (size_t c = 0; c < 5; c++)
                for (int causal = 0; causal < 2; causal++, i++) {
                    uint32_t H = hs[a], Tq = tqs[b], C = cols[c], rows = H * Tq;
                    /* decoding shape: Tq new queries after C - Tq cached keys */
                    uint32_t coff = i % 3 == 0 ? 0 : i % 3 == 1 ? 2 : (C > Tq ? C - Tq : 0);
                    int alias = i % 2;
                    size_t off = (size_t)(i % 3) * 5;
                    pair s = pair_new(off + (size_t)rows * C, -8, 8);
                    pair p = pair_new(off + (size_t)rows * C, -1, 1);
                    for (int gpu = 0; gpu < 2; gpu++) {
                        as_op_softmax op = {.p = tv(alias ? &s : &p, gpu, off),
                                            .s = tv(&s, gpu, off), .rows = rows, .cols = C,
                                            .Tq = Tq, .causal = (uint32_t)causal,
                                            .causal_offset = coff};
                        begin2(gpu);
                        as_kern_softmax(gpu ? kg : kc, &op);
                        end2(gpu);
                    }
                    char what[80];
                    snprintf(what, sizeof what, "H=%u Tq=%u cols=%u causal=%d off=%u alias=%d",
                             H, Tq, C, causal, coff, alias);
                    compare(alias ? &s : &p, 1e-6, 1e-5, causal, &err_softmax, what);
                    pair_free(&s), pair_free(&p);
                }
}

static void test_apply(void)
{
    /* Tk 8 and 64 with dh 8 or 16 reach the vec4 kernels when the offsets and the V stride
     * happen to be multiples of 4 (even i with i % 3 == 0), the others the scalar one */
    static const uint32_t hs[] = {1, 3}, tqs[] = {1, 17, 33}, tks[] = {1, 17, 67, 8, 64},
                          dhs[] = {1, 3, 8, 16};
    int i = 0;
    for (size_t a = 0; a < 2; a++)
        for (size_t b = 0; b < 3; b++)
            for (size_t c = 0; c < 5; c++)
                for (size_t d = 0; d < 4; d++, i++) {
                    uint32_t H = hs[a], Tq = tqs[b], Tk = tks[c], dh = dhs[d];
                    uint32_t os = H * dh + (uint32_t)(i % 3), vs = H * dh + 2 * (uint32_t)(i % 2);
                    size_t po = (size_t)(i % 2) * 3, vo = (size_t)(i % 3) * 2;
                    pair p = pair_new(po + (size_t)H * Tq * Tk, 0, 1);
                    pair v = pair_new(vo + (size_t)Tk * vs, -1, 1);
                    pair o = pair_new(1 + (size_t)Tq * os, -1, 1);
                    for (int gpu = 0; gpu < 2; gpu++) {
                        as_op_apply op = {.o = tv(&o, gpu, 1), .p = tv(&p, gpu, po),
                                          .v = tv(&v, gpu, vo), .H = H, .Tq = Tq, .Tk = Tk,
                                          .dh = dh, .o_stride = os, .v_stride = vs};
                        begin2(gpu);
                        as_kern_apply(gpu ? kg : kc, &op);
                        end2(gpu);
                    }
                    char what[64];
                    snprintf(what, sizeof what, "H=%u Tq=%u Tk=%u dh=%u", H, Tq, Tk, dh);
                    compare(&o, 1e-5, 1e-5, 0, &err_apply, what);
                    pair_free(&p), pair_free(&v), pair_free(&o);
                }
    /* both vec4 forms ran: texels in the CPU family, storage vec4s in the GPU one */
    const as_vk_kern *vk = (const as_vk_kern *)kg;
    int tex = !vk->gpu_kernels && vk->texels == 2;
    AS_TEST_TRUE(vk->pipes[tex ? AS_VK_PIPE_APPLY_TEX : AS_VK_PIPE_APPLY_VEC4] != NULL);
    AS_TEST_TRUE(vk->pipes[tex ? AS_VK_PIPE_APPLY_TEX_ROW : AS_VK_PIPE_APPLY_VEC4_ROW] != NULL);
}

/* One decoding row through the fused op (as_kern_attend_row) and through scores, softmax and
 * apply, on both backends: q from a wider (fused QKV-like) row, K and V interleaved in one
 * cache-like buffer or V in its own, odd strides and offsets in odd cases; base moves every
 * view far into its buffer (split mode: the views then lie in binding windows). Checks:
 * Vulkan fused vs CPU fused (p and o, whole buffers), Vulkan fused vs the Vulkan three-op path,
 * the CPU fused op bit for bit equal to the CPU three-op path (it is documented as that), and
 * one Vulkan dispatch for the fused op. */
static void attend_case(uint32_t H, uint32_t Tk, uint32_t dh, int i, size_t base)
{
    const uint32_t W = H * dh, odd_case = (uint32_t)(i % 2), sep_v = i % 3 == 2;
    const uint32_t ks = 2 * W + (odd_case ? 3 : 4), vs = sep_v ? W + 1 + odd_case : ks;
    const size_t qo = base + (odd_case ? 5 : 8), ko = base + (odd_case ? 1 : 4);
    const size_t vo = sep_v ? base + 2 : ko + W, po = base + 3 + odd_case, oo = base + 1;
    pair q = pair_new(qo + 3 * (size_t)W, -1, 1);
    pair kv = pair_new(ko + (size_t)Tk * ks, -1, 1);
    pair v2 = pair_new(sep_v ? vo + (size_t)Tk * vs : 1, -1, 1);
    pair *v = sep_v ? &v2 : &kv;
    /* outputs start as noise so a missing or stray write differs between the sides */
    pair p = pair_new(po + (size_t)H * Tk + 2, -1, 1), o = pair_new(oo + W + 3, -1, 1);
    pair p3 = pair_copy(&p), o3 = pair_copy(&o);
    const float scale = 1.0f / sqrtf((float)dh);
    const as_vk_kern *vk = (const as_vk_kern *)kg;
    for (int gpu = 0; gpu < 2; gpu++) {
        as_kern *k = gpu ? kg : kc;
        as_op_attend_row op = {.o = tv(&o, gpu, oo), .p = tv(&p, gpu, po), .q = tv(&q, gpu, qo),
                               .k = tv(&kv, gpu, ko), .v = tv(v, gpu, vo), .H = H, .Tk = Tk,
                               .dh = dh, .k_stride = ks, .v_stride = vs, .scale = scale};
        as_op_scores sc = {.s = tv(&p3, gpu, po), .q = op.q, .k = op.k, .H = H, .Tq = 1,
                           .Tk = Tk, .dh = dh, .q_stride = 3 * W, .k_stride = ks,
                           .scale = scale};
        as_op_softmax sm = {.p = sc.s, .s = sc.s, .rows = H, .cols = Tk, .Tq = 1};
        as_op_apply ap = {.o = tv(&o3, gpu, oo), .p = sc.s, .v = op.v, .H = H, .Tq = 1,
                          .Tk = Tk, .dh = dh, .o_stride = W, .v_stride = vs};
        uint64_t before = vk->vk_dispatches;
        begin2(gpu);
        as_kern_attend_row(k, &op);
        end2(gpu);
        if (gpu)
            AS_TEST_EQ(vk->vk_dispatches - before, 1);
        begin2(gpu);
        as_kern_scores(k, &sc);
        as_kern_softmax(k, &sm);
        as_kern_apply(k, &ap);
        end2(gpu);
    }
    char what[96];
    snprintf(what, sizeof what, "H=%u Tk=%u dh=%u ks=%u vs=%u base=%zu", H, Tk, dh, ks, vs,
             base);
    compare(&p, 1e-6, 1e-5, 0, &err_attend, what);
    compare(&o, 1e-5, 1e-5, 0, &err_attend, what);
    compare_bufs(kg, p3.g, kg, p.g, p.n, 1e-6, 1e-5, 0, &err_attend3, what);
    compare_bufs(kg, o3.g, kg, o.g, o.n, 1e-5, 1e-5, 0, &err_attend3, what);
    size_t most = p.n > o.n ? p.n : o.n;
    float *a = as_xmalloc(most * 4), *b = as_xmalloc(most * 4);
    must(as_buf_read(kc, p.c, 0, a, p.n * 4), "cpu read");
    must(as_buf_read(kc, p3.c, 0, b, p.n * 4), "cpu read");
    AS_TEST_TRUE(memcmp(a, b, p.n * 4) == 0);
    must(as_buf_read(kc, o.c, 0, a, o.n * 4), "cpu read");
    must(as_buf_read(kc, o3.c, 0, b, o.n * 4), "cpu read");
    AS_TEST_TRUE(memcmp(a, b, o.n * 4) == 0);
    free(a), free(b);
    pair_free(&q), pair_free(&kv), pair_free(&v2), pair_free(&p), pair_free(&o);
    pair_free(&p3), pair_free(&o3);
}

/* Every head count of the models here (1..12), keys from one to past 1024 (several per
 * invocation, and not a multiple of any workgroup size), head widths 8 and 64. Even cases with
 * K and V interleaved have every start 4-aligned: both the scalar and the vec4 shader (with
 * 64-bit loads when the device has them, as vk_ops.c picks) must have run. */
static void test_attend_row(void)
{
    static const uint32_t tks[] = {1, 2, 5, 17, 67, 130, 1031}, dhs[] = {8, 64};
    int i = 0;
    for (uint32_t H = 1; H <= 12; H++)
        for (size_t c = 0; c < sizeof tks / sizeof tks[0]; c++)
            for (size_t d = 0; d < 2; d++, i++)
                attend_case(H, tks[c], dhs[d], i, 0);
    const as_vk_kern *vk = (const as_vk_kern *)kg;
    int sg = vk->subgroups != 0;
    AS_TEST_TRUE(vk->pipes[sg ? AS_VK_PIPE_ATTEND_ROW_SG : AS_VK_PIPE_ATTEND_ROW] != NULL);
    as_vk_pipe v4 = vk->int64 ? (sg ? AS_VK_PIPE_ATTEND_ROW_L64_SG : AS_VK_PIPE_ATTEND_ROW_L64)
                              : (sg ? AS_VK_PIPE_ATTEND_ROW_VEC4_SG : AS_VK_PIPE_ATTEND_ROW_VEC4);
    AS_TEST_TRUE(vk->pipes[v4] != NULL);
}

/* A self-attention block recorded as one pass: each op reads what the previous one wrote, so a
 * missing barrier shows up as a wrong result. qkv projection -> scores -> causal softmax in
 * place -> apply -> output projection with residual in place -> layernorm in place. */
static void test_pass(void)
{
    const uint32_t T = 19, H = 2, dh = 8, D = H * dh;
    pair x = pair_new((size_t)T * D, -1, 1), wqkv = pair_new((size_t)3 * D * D, -0.5f, 0.5f);
    pair bqkv = pair_new(3 * D, -0.1f, 0.1f), qkv = pair_new((size_t)T * 3 * D, 0, 0);
    pair s = pair_new((size_t)H * T * T, 0, 0), o = pair_new((size_t)T * D, 0, 0);
    pair wo = pair_new((size_t)D * D, -0.5f, 0.5f), g = pair_new(D, 0.5f, 1.5f);
    pair be = pair_new(D, -1, 1);
    uint64_t before = as_kern_get_stats(kg).submits;
    for (int gpu = 0; gpu < 2; gpu++) {
        as_kern *k = gpu ? kg : kc;
        as_op_matmul proj = {.y = tv(&qkv, gpu, 0), .x = tv(&x, gpu, 0), .w = tv(&wqkv, gpu, 0),
                             .bias = tv(&bqkv, gpu, 0), .M = T, .N = 3 * D, .K = D};
        as_op_scores sc = {.s = tv(&s, gpu, 0), .q = tv(&qkv, gpu, 0), .k = tv(&qkv, gpu, D),
                           .H = H, .Tq = T, .Tk = T, .dh = dh, .q_stride = 3 * D,
                           .k_stride = 3 * D, .scale = 0.35f};
        as_op_softmax sm = {.p = tv(&s, gpu, 0), .s = tv(&s, gpu, 0), .rows = H * T, .cols = T,
                            .Tq = T, .causal = 1};
        as_op_apply ap = {.o = tv(&o, gpu, 0), .p = tv(&s, gpu, 0), .v = tv(&qkv, gpu, 2 * D),
                          .H = H, .Tq = T, .Tk = T, .dh = dh, .o_stride = D, .v_stride = 3 * D};
        as_op_matmul out = {.y = tv(&x, gpu, 0), .x = tv(&o, gpu, 0), .w = tv(&wo, gpu, 0),
                            .res = tv(&x, gpu, 0), .M = T, .N = D, .K = D};
        as_op_layernorm ln = {.y = tv(&x, gpu, 0), .x = tv(&x, gpu, 0), .gamma = tv(&g, gpu, 0),
                              .beta = tv(&be, gpu, 0), .M = T, .N = D, .eps = 1e-5f};
        begin2(gpu);
        as_kern_matmul(k, &proj);
        as_kern_scores(k, &sc);
        as_kern_softmax(k, &sm);
        as_kern_apply(k, &ap);
        as_kern_matmul(k, &out);
        as_kern_layernorm(k, &ln);
        end2(gpu);
    }
    AS_TEST_EQ(as_kern_get_stats(kg).submits - before, 1); /* one submit for the whole pass */
    compare(&s, 1e-5, 1e-4, 1, &err_pass, "attention probabilities");
    compare(&x, 1e-4, 1e-4, 0, &err_pass, "block output");
    pair_free(&x), pair_free(&wqkv), pair_free(&bqkv), pair_free(&qkv), pair_free(&s);
    pair_free(&o), pair_free(&wo), pair_free(&g), pair_free(&be);
}

/* More dispatches in one pass than a descriptor pool holds (AS_VK_SETS_PER_POOL), twice, so
 * pools are added and then reused after the reset at begin: 300 chained in-place softmaxes. */
static void test_long_pass(void)
{
    pair s = pair_new(4 * 33, -4, 4);
    for (int round = 0; round < 2; round++)
        for (int gpu = 0; gpu < 2; gpu++) {
            as_op_softmax op = {.p = tv(&s, gpu, 0), .s = tv(&s, gpu, 0), .rows = 4, .cols = 33,
                                .Tq = 4, .causal = (uint32_t)round};
            begin2(gpu);
            for (int i = 0; i < 300; i++)
                as_kern_softmax(gpu ? kg : kc, &op);
            end2(gpu);
        }
    compare(&s, 1e-6, 1e-5, 1, &err_pass, "300 chained softmaxes");
    pair_free(&s);
}

/* A buffer created inside a pass starts zeroed before the pass's later dispatches use it (the
 * staging path records its fill into the pass). */
static void test_create_in_pass(void)
{
    pair s = pair_new(3 * 20, -4, 4);
    pair out = {NULL, NULL, 3 * 20};
    for (int gpu = 0; gpu < 2; gpu++) {
        as_kern *k = gpu ? kg : kc;
        begin2(gpu);
        must(as_buf_create(k, out.n * 4, gpu ? &out.g : &out.c), "buffer in a pass");
        as_op_softmax op = {.p = tv(&out, gpu, 20), .s = tv(&s, gpu, 0), .rows = 2, .cols = 20,
                            .Tq = 2, .causal = 1};
        as_kern_softmax(k, &op);
        end2(gpu);
    }
    compare(&out, 1e-6, 1e-5, 1, &err_pass, "buffer created in the pass");
    pair_free(&s), pair_free(&out);
}

/* Byte-offset reads and writes (the staging path copies sub-ranges). */
static void test_buffers(void)
{
    as_buf *b;
    must(as_buf_create(kg, 37, &b), "buffer");
    AS_TEST_EQ(as_buf_size(b), 37);
    /* the *_fallbacks tests must really take the staging and shared-memory paths */
    const char *staging = getenv("AS_VK_STAGING"), *subgroups = getenv("AS_VK_SUBGROUPS");
    AS_TEST_EQ(((as_vk_buf *)b)->map == NULL, staging && strcmp(staging, "1") == 0);
    if (subgroups && strcmp(subgroups, "0") == 0)
        AS_TEST_EQ(((as_vk_kern *)kg)->subgroups, 0);
    uint8_t in[37], out[37];
    for (int i = 0; i < 37; i++)
        in[i] = (uint8_t)(i * 7 + 1);
    must(as_buf_write(kg, b, 0, in, 37), "write");
    must(as_buf_write(kg, b, 5, in + 20, 9), "write at offset");
    must(as_buf_read(kg, b, 0, out, 37), "read");
    for (int i = 0; i < 37; i++)
        AS_TEST_EQ(out[i], i >= 5 && i < 14 ? in[i + 15] : in[i]);
    memset(out, 0, sizeof out);
    must(as_buf_read(kg, b, 3, out, 4), "read at offset");
    AS_TEST_TRUE(memcmp(out, in + 3, 2) == 0 && memcmp(out + 2, in + 20, 2) == 0);
    as_buf_destroy(kg, b);
}

static int run_ops(int pass_only)
{
    if (pass_only) {
        test_pass();
        test_long_pass();
        test_create_in_pass();
        report(&err_pass);
    } else {
        test_buffers();
        test_activations();
        test_matmul();
        test_layernorm();
        test_embed();
        test_scores();
        test_softmax();
        test_many_rows();
        test_apply();
        test_attend_row();
        report(&err_gelu);
        report(&err_matmul);
        report(&err_layernorm);
        report(&err_embed);
        report(&err_scores);
        report(&err_softmax);
        report(&err_apply);
        report(&err_attend);
        report(&err_attend3);
    }
    AS_TEST_EQ(as_vk_validation_errors(kg), 0);
    return as_test_result();
}

/* ---- windows: operands bigger than one binding ----------------------------------------------*/

/* AS_VK_MAX_RANGE=16K (meson) caps a binding at 16 KiB as lavapipe's maxStorageBufferRange caps
 * it at 128 MiB: weights of a few thousand floats are then split into windows (vk_ops.c) as
 * GPT-2's 154 MB embedding and LM head are on lavapipe. */
#define SPLIT_RANGE 16384

/* Every matmul kernel family (the meson test runs this mode under each) on weights split into
 * windows of rows: M = 1, 3, 17; odd N and K (scalar loads) and K % 4 == 0 (vec4); offsets,
 * bias, activations, residuals aliased or not, as test_matmul. At M = 17, y of 17 x 300 (20 KB)
 * and x of 17 x 1031 (70 KB) are bigger than a window too: those products are also split by
 * rows of x. */
static void test_split_matmul(void)
{
    static const uint32_t nk[][2] = {{130, 130}, {67, 67}, {131, 64}, {257, 33}, {97, 65},
                                     {300, 16}, {5, 1031}};
    static const uint32_t ms[] = {1, 3, 17};
    static const size_t offs[] = {0, 4, 5};
    int i = 0;
    for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
        for (size_t b = 0; b < sizeof nk / sizeof nk[0]; b++, i++) {
            uint32_t M = ms[a], N = nk[b][0], K = nk[b][1];
            AS_TEST_TRUE((size_t)N * K * 4 > SPLIT_RANGE); /* w needs several windows */
            matmul_case(M, N, K, offs[i % 3], i % 2, i % 5 - 1, i % 3 != 1, i % 10 == 0);
        }
}

/* Tables of several windows; the ids include both sides of every window boundary and the
 * table's first and last rows, so each window writes its rows once and leaves the others (y is
 * compared whole: a row written twice would carry its position twice). */
static void test_split_embed(void)
{
    static const uint32_t vd[][2] = {{300, 67}, {1000, 16}, {4099, 1}, {130, 64}};
    for (size_t c = 0; c < sizeof vd / sizeof vd[0]; c++) {
        const uint32_t V = vd[c][0], D = vd[c][1], M = 17;
        const size_t off = (c % 2) * 3;
        AS_TEST_TRUE((off + (size_t)V * D) * 4 > SPLIT_RANGE);
        /* rows a window holds: its start is aligned down by up to 12 bytes (vk_ops.c) */
        const uint32_t rows = (SPLIT_RANGE + 4 - 16) / (D * 4);
        uint32_t idv[17] = {0, V - 1, rows - 1, rows, V - rows, 2 * rows - 1, 2 * rows};
        for (uint32_t m = 7; m < M; m++)
            idv[m] = (uint32_t)frand(0, (float)V);
        for (uint32_t m = 0; m < M; m++)
            idv[m] %= V;
        char what[64];
        snprintf(what, sizeof what, "V=%u D=%u off=%zu (windows of %u rows)", V, D, off, rows);
        embed_case(V, D, idv, M, off, (uint32_t)c * 2, 1, c % 2 ? sqrtf((float)D) : 1.0f, what);
    }
}

/* Vulkan dispatches one op records: one while every operand fits a binding, else one per
 * window, counted by hand for a 16 KiB binding (16372 usable bytes after the start is aligned
 * down by up to 12). */
static void test_split_counts(void)
{
    const as_vk_kern *vk = (const as_vk_kern *)kg;
    static const uint32_t ids[5] = {0, 1, 2, 3, 4};
    uint64_t before = vk->vk_dispatches;
    matmul_case(1, 64, 64, 0, 1, -1, 0, 0); /* w exactly 16384 bytes: bound whole */
    AS_TEST_EQ(vk->vk_dispatches - before, 1);
    before = vk->vk_dispatches;
    matmul_case(1, 65, 64, 0, 1, -1, 0, 0); /* 16640 bytes: 63 rows of 256 bytes, then 2 */
    AS_TEST_EQ(vk->vk_dispatches - before, 2);
    before = vk->vk_dispatches;
    matmul_case(3, 130, 130, 0, 1, -1, 1, 0); /* 31 rows of 520 bytes a window: 5 */
    AS_TEST_EQ(vk->vk_dispatches - before, 5);
    before = vk->vk_dispatches;
    /* x 17 x 1031 (70 KB, 3 rows of 4124 bytes a window: 6 blocks) by w 5 x 1031 (2 windows) */
    matmul_case(17, 5, 1031, 0, 0, -1, 0, 0);
    AS_TEST_EQ(vk->vk_dispatches - before, 12);
    before = vk->vk_dispatches;
    embed_case(4096, 1, ids, 5, 0, 0, 1, 1.0f, "4096 x 1 (exactly one binding)");
    AS_TEST_EQ(vk->vk_dispatches - before, 1);
    before = vk->vk_dispatches;
    embed_case(4097, 1, ids, 5, 0, 0, 1, 1.0f, "4097 x 1 (4093 rows a window)");
    AS_TEST_EQ(vk->vk_dispatches - before, 2);
    before = vk->vk_dispatches;
    embed_case(300, 67, ids, 5, 0, 0, 1, 1.0f, "300 x 67 (61 rows a window)");
    AS_TEST_EQ(vk->vk_dispatches - before, 5);
}

/* An activation bigger than a binding is not split: the pass fails at as_kern_end naming the
 * op, the operand and the sizes (no validation error, nothing submitted), and the next pass
 * runs normally. */
static void test_split_error(void)
{
    const uint32_t M = 129, N = 33; /* 17028 bytes */
    pair x = pair_new((size_t)M * N, -1, 1), g = pair_new(N, 1, 1), be = pair_new(N, 0, 0);
    as_op_layernorm ln = {.y = tv(&x, 1, 0), .x = tv(&x, 1, 0), .gamma = tv(&g, 1, 0),
                          .beta = tv(&be, 1, 0), .M = M, .N = N, .eps = 1e-5f};
    begin2(1);
    as_kern_layernorm(kg, &ln);
    AS_TEST_EQ(as_kern_end(kg), AS_EUNSUPPORTED);
    fprintf(stderr, "expected error: %s\n", as_last_error());
    AS_TEST_TRUE(strncmp(as_last_error(), "layernorm: operand y needs 17028 bytes", 38) == 0);
    AS_TEST_TRUE(strstr(as_last_error(), "16384") != NULL);
    ln.M = 64; /* 8448 bytes: one window */
    begin2(1);
    as_kern_layernorm(kg, &ln);
    end2(1);
    pair_free(&x), pair_free(&g), pair_free(&be);
}

/* The fused attention row with every operand in a buffer bigger than a binding: each view is
 * bound as a window around it (its span fits), at offsets that are and are not window aligned. */
static void test_split_attend(void)
{
    static const uint32_t shapes[][3] = {{2, 67, 8}, {1, 5, 64}, {4, 17, 8}};
    for (int i = 0; i < 3; i++) {
        /* past the first 16 KiB of each buffer; 4-aligned views for case 0 (vec4 loads) */
        const size_t base = 4100 + (size_t)i * 4000 + (size_t)(i % 2);
        attend_case(shapes[i][0], shapes[i][1], shapes[i][2], i, base);
    }
}

static int run_split(void)
{
    const as_vk_kern *vk = (const as_vk_kern *)kg;
    AS_TEST_EQ(vk->max_range, SPLIT_RANGE); /* AS_VK_MAX_RANGE=16K from meson */
    if (vk->max_range != SPLIT_RANGE)
        return as_test_result();
    test_split_matmul();
    test_split_embed();
    test_split_counts();
    test_split_error();
    test_split_attend();
    report(&err_matmul);
    report(&err_embed);
    report(&err_attend);
    AS_TEST_EQ(as_vk_validation_errors(kg), 0);
    return as_test_result();
}

/* ---- devices and errors -------------------------------------------------------------------*/

/* Runs this program again as `test_kern mode` with extra environment (a fresh process, so the
 * Vulkan loader reads it); returns its exit status, or -1 if it had to be killed: nothing may
 * hang without a driver. */
static int run_child(const char *mode, const char *const *env)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (; *env; env += 2)
            setenv(env[0], env[1], 1);
        execl("/proc/self/exe", "test_kern", mode, (char *)NULL);
        _exit(126);
    }
    for (int i = 0; i < 600; i++) { /* 60 s */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* Child: with no ICD visible both entry points must fail with AS_ENODEV and a hint. */
static int child_nodev(void)
{
    as_kern *k = NULL;
    int rc = as_kern_create_vulkan(&k, NULL);
    fprintf(stderr, "create: %s: %s\n", as_strerror(rc), as_last_error());
    AS_TEST_EQ(rc, AS_ENODEV);
    AS_TEST_TRUE(strstr(as_last_error(), "--device cpu") != NULL);
    char *text = NULL;
    rc = as_vk_describe_devices(&text);
    fprintf(stderr, "describe: %s: %s\n", as_strerror(rc), as_last_error());
    AS_TEST_EQ(rc, AS_ENODEV);
    AS_TEST_TRUE(text == NULL);
    return as_test_result();
}

/* Child: AS_VK_VALIDATION=1 with the layer hidden must fail loudly, not run unvalidated. */
static int child_nolayer(void)
{
    as_kern *k = NULL;
    int rc = as_kern_create_vulkan(&k, NULL);
    fprintf(stderr, "create: %s: %s\n", as_strerror(rc), as_last_error());
    AS_TEST_EQ(rc, AS_EVULKAN);
    AS_TEST_TRUE(strstr(as_last_error(), "VK_LAYER_KHRONOS_validation") != NULL);
    return as_test_result();
}

static int count_lines(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void expect_device(const char *spec, const char *name)
{
    as_kern *k = NULL;
    int rc = as_kern_create_vulkan(&k, spec);
    AS_TEST_EQ(rc, AS_OK);
    if (rc == AS_OK)
        AS_TEST_STR(as_kern_name(k), name);
    else
        fprintf(stderr, "device '%s': %s\n", spec, as_last_error());
    as_kern_destroy(k);
}

static int run_device(void)
{
    const char *chosen = as_kern_name(kg);
    char *text = NULL;
    must(as_vk_describe_devices(&text), "describe");
    fprintf(stderr, "devices:\n%s", text);
    AS_TEST_EQ(count_lines(text, "(chosen: "), 1);
    AS_TEST_TRUE(strncmp(text, "0: ", 3) == 0);
    AS_TEST_TRUE(strstr(text, chosen) != NULL);
    /* the index of the chosen device is the number starting its line */
    const char *line = strstr(text, chosen);
    while (line > text && line[-1] != '\n')
        line--;
    char index[16];
    snprintf(index, sizeof index, "%ld", strtol(line, NULL, 10));
    free(text);

    expect_device(index, chosen);
    /* a case-swapped substring of the name selects the same device */
    char sub[8] = {0};
    for (int i = 0; i < 6 && chosen[i + 1]; i++) {
        char c = chosen[i + 1];
        sub[i] = (char)(islower((unsigned char)c) ? toupper((unsigned char)c)
                                                  : tolower((unsigned char)c));
    }
    expect_device(sub, chosen);
    setenv("AS_DEVICE", index, 1);
    expect_device(NULL, chosen);
    expect_device("", chosen);

    as_kern *k = NULL;
    setenv("AS_DEVICE", "no-such-device-xyz", 1);
    AS_TEST_EQ(as_kern_create_vulkan(&k, NULL), AS_ENODEV);
    AS_TEST_TRUE(strstr(as_last_error(), "AS_DEVICE no-such-device-xyz") != NULL);
    unsetenv("AS_DEVICE");
    AS_TEST_EQ(as_kern_create_vulkan(&k, "99"), AS_ENODEV);
    AS_TEST_TRUE(strstr(as_last_error(), "--device 99") != NULL);
    AS_TEST_EQ(as_kern_create_vulkan(&k, "no-such-device-xyz"), AS_ENODEV);

    /* larger than the device's largest buffer: the message names the limit and no device
     * (callers do: model_weights.c) and offers the CPU */
    as_buf *b = NULL;
    const as_vk_kern *vk = (const as_vk_kern *)kg;
    size_t too_big = (size_t)vk->max_buffer + 1;
    char bytes[48];
    snprintf(bytes, sizeof bytes, "of %zu bytes", too_big);
    AS_TEST_EQ(as_buf_create(kg, too_big, &b), AS_ENOMEM);
    AS_TEST_TRUE(strstr(as_last_error(), bytes) != NULL);
    AS_TEST_TRUE(strstr(as_last_error(), vk->max_buffer_limit) != NULL);
    AS_TEST_TRUE(strstr(as_last_error(), "--device cpu") != NULL);
    AS_TEST_TRUE(strstr(as_last_error(), chosen) == NULL);
    fprintf(stderr, "size limit: %s\n", as_last_error());

    const char *hidden[] = {"VK_DRIVER_FILES", "/nonexistent/icd.json", "VK_ICD_FILENAMES",
                            "/nonexistent/icd.json", NULL};
    AS_TEST_EQ(run_child("child-nodev", hidden), 0);
    const char *nolayer[] = {"VK_LAYER_PATH", "/nonexistent", "AS_VK_VALIDATION", "1", NULL};
    AS_TEST_EQ(run_child("child-nolayer", nolayer), 0);

    /* the validation counter sees misuse: a zero-sized buffer (VUID-VkBufferCreateInfo-size) */
    const char *v = getenv("AS_VK_VALIDATION");
    if (v && strcmp(v, "1") == 0) {
        VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                                 .size = 0,
                                 .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT};
        VkBuffer bad = VK_NULL_HANDLE;
        fprintf(stderr, "an intentional validation error follows:\n");
        if (vkCreateBuffer(vk->dev, &bi, NULL, &bad) == VK_SUCCESS)
            vkDestroyBuffer(vk->dev, bad, NULL);
        AS_TEST_TRUE(as_vk_validation_errors(kg) >= 1);
        must(as_kern_begin(kg), "begin");
        AS_TEST_EQ(as_kern_end(kg), AS_EVULKAN);
        AS_TEST_TRUE(strncmp(as_last_error(), "Vulkan validation error: ", 25) == 0);
    } else {
        fprintf(stderr, "AS_VK_VALIDATION is not 1: validation counter not checked\n");
    }
    return as_test_result();
}

/* ---- pipeline cache -----------------------------------------------------------------------*/

/* The one pipelines-*.bin in dir, or NULL. */
static char *find_cache(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *found = NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "pipelines-", 10) == 0 && strstr(e->d_name, ".bin") && !found)
            found = as_path_join(dir, e->d_name);
    closedir(d);
    return found;
}

static int softmax_once(void)
{
    as_kern *k;
    int rc = as_kern_create_vulkan(&k, NULL);
    if (rc != AS_OK)
        return rc;
    as_buf *b;
    rc = as_buf_create(k, 64, &b);
    if (rc == AS_OK) {
        as_op_softmax op = {.p = as_tv_at(b, 0), .s = as_tv_at(b, 0), .rows = 2, .cols = 8,
                            .Tq = 2};
        rc = as_kern_begin(k);
        if (rc == AS_OK) {
            as_kern_softmax(k, &op);
            rc = as_kern_end(k);
        }
        float v[16];
        if (rc == AS_OK)
            rc = as_buf_read(k, b, 0, v, sizeof v);
        if (rc == AS_OK) /* all-zero scores: uniform rows of 1/8 */
            AS_TEST_NEAR(v[15], 0.125, 1e-7);
        as_buf_destroy(k, b);
    }
    as_kern_destroy(k);
    return rc;
}

static int run_cache(void)
{
    char root[] = "/tmp/attnscope-kern-XXXXXX";
    AS_TEST_TRUE(mkdtemp(root) != NULL);
    char *xdg = as_path_join(root, "cache"); /* does not exist yet: created on save */
    char *dir = as_path_join(xdg, "attnscope");
    setenv("XDG_CACHE_HOME", xdg, 1);

    AS_TEST_EQ(softmax_once(), AS_OK);
    char *file = find_cache(dir);
    AS_TEST_TRUE(file != NULL);
    struct stat st;
    /* at least the header (lavapipe stores nothing more: Mesa keeps its own shader cache) */
    AS_TEST_TRUE(file && stat(file, &st) == 0 &&
                 (size_t)st.st_size >= sizeof(VkPipelineCacheHeaderVersionOne));
    if (file)
        fprintf(stderr, "pipeline cache: %s (%lld bytes)\n", file, (long long)st.st_size);

    /* a corrupt cache is ignored and replaced by a valid one */
    if (file) {
        FILE *f = fopen(file, "wb");
        AS_TEST_TRUE(f != NULL);
        if (f) {
            fputs("this is not a pipeline cache", f);
            fclose(f);
        }
        AS_TEST_EQ(softmax_once(), AS_OK);
        uint32_t header_size = 0;
        f = fopen(file, "rb");
        AS_TEST_TRUE(f && fread(&header_size, 4, 1, f) == 1);
        if (f)
            fclose(f);
        AS_TEST_EQ(header_size, sizeof(VkPipelineCacheHeaderVersionOne));
        remove(file);
    }
    free(file);
    rmdir(dir);
    rmdir(xdg);
    rmdir(root);

    /* an unwritable cache location is not an error */
    setenv("XDG_CACHE_HOME", "/proc/attnscope-no-such-dir", 1);
    AS_TEST_EQ(softmax_once(), AS_OK);
    free(dir);
    free(xdg);
    return as_test_result();
}

/* ---- main ---------------------------------------------------------------------------------*/

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "ops";
    if (strcmp(mode, "child-nodev") == 0)
        return child_nodev();
    if (strcmp(mode, "child-nolayer") == 0)
        return child_nolayer();

    as_test_pin_vulkan_driver();
    int rc = as_kern_create_vulkan(&kg, NULL);
    if (rc == AS_ENODEV) {
        printf("skip: %s\n", as_last_error());
        return AS_TEST_SKIP;
    }
    must(rc, "as_kern_create_vulkan");
    must(as_kern_create_cpu(&kc), "as_kern_create_cpu");
    fprintf(stderr, "device: %s\n", as_kern_name(kg));

    int result;
    if (strcmp(mode, "ops") == 0 || strcmp(mode, "pass") == 0)
        result = run_ops(strcmp(mode, "pass") == 0);
    else if (strcmp(mode, "device") == 0)
        result = run_device();
    else if (strcmp(mode, "cache") == 0)
        result = run_cache();
    else if (strcmp(mode, "split") == 0)
        result = run_split();
    else {
        fprintf(stderr, "unknown mode %s\n", mode);
        result = 1;
    }
    as_kern_destroy(kg);
    as_kern_destroy(kc);
    return result;
}
