/* One softmax row, shared by the CPU backend (kern_cpu.c) and the Q/K attention store
 * (attn_qk.c), so a head recomputed from queries and keys equals the forward pass's.
 *
 * Written with GCC/clang vector extensions: softmax was ~9% of a BERT-base pass on the CPU
 * backend with libm's scalar expf (perf), glibc's vector expf is only declared under
 * -ffast-math, and the bit reinterpretation the exponential needs keeps the auto-vectoriser
 * away. The exponential is the Cephes single-precision one (range reduction by ln 2 in two parts,
 * degree-6 polynomial; relative error about 1e-7); its arguments are never positive here
 * (s - max). The sum is kept per lane in float and totalled in double.
 *
 * Vectors are 8 lanes, and the row function is compiled twice (target_clones, picked once at load
 * time by the CPU): with AVX2 each vector is one register; on the x86-64 baseline GCC splits it
 * into two SSE halves. Both clones do the same IEEE operations lane by lane (no FMA contraction:
 * "avx2" does not enable FMA), so they give the same bits on every machine. */
#include "attnscope/core.h"

#include <math.h>
#include <string.h>

enum { LANES = 8 }; /* one AVX2 register, or two SSE ones */
typedef float vfloat __attribute__((vector_size(LANES * sizeof(float))));
typedef int32_t vint __attribute__((vector_size(LANES * sizeof(int32_t))));

/* exp(x) lane by lane for x <= 0; exactly 0 below the float range (masked keys stay 0). */
static inline vfloat exp_nonpositive(vfloat x)
{
    const float lo = -87.3f; /* exp(lo) is about the smallest normal float */
    vint under = x < lo;     /* -1 where the result is 0 */
    vfloat xc = (vfloat)((under & (vint)((vfloat){0} + lo)) | (~under & (vint)x));
    /* n = round(x / ln 2): truncation of a non-positive value minus one half */
    vint ni = __builtin_convertvector(xc * 1.44269504088896341f - 0.5f, vint);
    vfloat n = __builtin_convertvector(ni, vfloat);
    vfloat r = xc - n * 0.693359375f + n * 2.12194440e-4f;
    vfloat p = r * 1.9875691500e-4f + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    /* times 2^n, built from its exponent bits (n >= -126 after the clamp) */
    vfloat v = p * (vfloat)((ni + 127) << 23);
    return (vfloat)(~under & (vint)v);
}

/* the largest of s[0..n); NaNs are skipped as a scalar "s[i] > mx" loop skips them */
static inline float row_max(const float *s, uint32_t n)
{
    vfloat vm = (vfloat){0} - INFINITY;
    uint32_t c = 0;
    for (; c + LANES <= n; c += LANES) {
        vfloat x;
        memcpy(&x, s + c, sizeof x);
        vint gt = x > vm;
        vm = (vfloat)((gt & (vint)x) | (~gt & (vint)vm));
    }
    float mx = -INFINITY;
    for (uint32_t i = 0; i < LANES; i++)
        mx = vm[i] > mx ? vm[i] : mx;
    for (; c < n; c++)
        mx = s[c] > mx ? s[c] : mx;
    return mx;
}

__attribute__((target_clones("avx2", "default")))
void as_softmax_row(float *out, const float *s, uint32_t n, uint32_t cols)
{
    float mx = row_max(s, n);
    /* whole blocks, then the tail padded with a value whose exponential is 0 (constant-size
     * copies: a variable one becomes a memcpy call per block) */
    vfloat acc = {0};
    uint32_t c = 0;
    for (; c + LANES <= n; c += LANES) {
        vfloat x;
        memcpy(&x, s + c, sizeof x);
        vfloat e = exp_nonpositive(x - mx);
        memcpy(out + c, &e, sizeof e);
        acc += e;
    }
    vfloat tail = (vfloat){0} - INFINITY;
    for (uint32_t i = 0; c + i < n; i++)
        tail[i] = s[c + i];
    tail = exp_nonpositive(tail - mx);
    for (uint32_t i = 0; c + i < n; i++)
        out[c + i] = tail[i];
    acc += tail;
    /* lane sums in float (at most n / LANES terms each), their total in double */
    double sum = 0.0;
    for (uint32_t i = 0; i < LANES; i++)
        sum += acc[i];
    float inv = (float)(1.0 / sum);
    for (uint32_t i = 0; i < n; i++)
        out[i] *= inv;
    for (uint32_t i = n; i < cols; i++)
        out[i] = 0.0f;
}
