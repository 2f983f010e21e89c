#version 450
// Matrix-vector form of matmul.comp for a few rows of x (decoding: M = 1 token per step; M <= MR):
//   y[b][m][n] = act(scale * sum_k x[b][m][k] * w[b][n][k] + bias[n]) + res[m][n]
// Same bindings, push constants (pc_matmul) and epilogue as matmul.comp, so the host can pick
// either for any product with M <= MR.
//
// GPU-family kernel (src/vk/vk_ops.c picks it for discrete/integrated devices): a workgroup owns
// NR rows of w and its invocations split k (lane i reads elements i, i + WG, ...), so a
// subgroup's loads of one w row are contiguous and coalesce, and the partial sums meet in a
// subgroup / shared-memory reduction. The weights are read once per step: the product is bound
// by memory bandwidth. CPU devices (lavapipe) use the TEXEL form in workgroups of one subgroup:
// lavapipe loads a storage buffer lane by lane (measured 0.5-1.5 GFLOPS at M = 1, below the
// register-blocked matmul.comp's 3.4-4.1), but fetches texels with straight-line gathers, and
// lanes reading neighbouring texels of one row keep the weights streaming: 15-18 GFLOPS at M = 1
// (N x K = 768 x 3072), 27 at M = 2, 40 at M = 4, against 7-8, 8 and 22 for matmul.comp's texel
// blocks.
// Bindings (set 0): 0 y (written), 1 x, 2 w, 3 bias, 4 res (may alias y: each output element is
//   read and written by one invocation); TEXEL: x and w from 5 and 6.
// Push constants: pc_matmul in src/vk/vk_pc.h.
// Specialization: 0 workgroup size WG, 1 MR rows of x (>= M), 2 NR rows of w per workgroup.
// Dispatch: (gx, gy, batch) with gx * gy >= ceil(N / NR) workgroups (folded into 2D by the host,
//   rebuilt as y * gx + x). Reduction of the WG partial sums: SUBGROUP uses subgroupAdd and one
//   shared-memory slot per subgroup; otherwise each invocation's partials go to shared memory.
//   Either way one barrier, then MR * NR invocations finish one output each.
// VEC4: x and w read as vec4 (the host checks the 16-byte alignment of every row start).
// TEXEL: the same as vec4 texels from bindings 5 and 6 (RGBA32F views of x and w; see
//   matmul.comp).
#extension GL_GOOGLE_include_directive : require
#ifdef SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#include "act.glsl"
#include "rows.glsl"

layout(constant_id = 0) const uint WG = 32;
layout(constant_id = 1) const uint MR = 1;
layout(constant_id = 2) const uint NR = 4;
layout(local_size_x_id = 0) in;

layout(push_constant) uniform PC {
    uint M, N, K, batch;
    uint x_off, x_row, x_batch;
    uint w_off, w_row, w_batch;
    uint y_off, y_row, y_batch;
    uint bias_off, res_off;
    uint flags, act;
    float scale;
} pc;

#define FLAG_BIAS 1u
#define FLAG_RES 2u
#define FLAG_ACT 4u

#if defined(VEC4) || defined(TEXEL)
#define VT vec4
#define VDOT(a, b) dot(a, b)
const uint VW = 4;
#else
#define VT float
#define VDOT(a, b) ((a) * (b))
const uint VW = 1;
#endif

layout(binding = 0) buffer Y { float y[]; };
#ifdef TEXEL
layout(binding = 5) uniform samplerBuffer xt;
layout(binding = 6) uniform samplerBuffer wt;
#define LDX(i) texelFetch(xt, int(i))
#define LDW(i) texelFetch(wt, int(i))
#else
layout(binding = 1) readonly buffer X { VT x[]; };
layout(binding = 2) readonly buffer W { VT w[]; };
#define LDX(i) x[i]
#define LDW(i) w[i]
#endif
layout(binding = 3) readonly buffer Bias { float bias[]; };
layout(binding = 4) readonly buffer Res { float res[]; };

// Partial sums for each of the MR * NR outputs: one per subgroup (SUBGROUP: the first
// gl_NumSubgroups columns) or one per invocation.
shared float part[MR * NR][WG];

void main()
{
    uint n0 = row_index() * NR;
    uint b = gl_WorkGroupID.z;
    if (n0 >= pc.N) // uniform per workgroup: no barrier is skipped by part of it
        return;
    uint lid = gl_LocalInvocationID.x;

    // Row starts in VT units; rows past M or N are clamped (loads stay in bounds, results dropped).
    uint xr[MR];
    for (uint i = 0; i < MR; i++)
        xr[i] = (pc.x_off + b * pc.x_batch + min(i, pc.M - 1) * pc.x_row) / VW;
    uint wr[NR];
    for (uint j = 0; j < NR; j++)
        wr[j] = (pc.w_off + b * pc.w_batch + min(n0 + j, pc.N - 1) * pc.w_row) / VW;

    float acc[MR][NR];
    for (uint i = 0; i < MR; i++)
        for (uint j = 0; j < NR; j++)
            acc[i][j] = 0.0;

    uint kv = pc.K / VW;
    for (uint k = lid; k < kv; k += WG) {
        VT xv[MR];
        for (uint i = 0; i < MR; i++)
            xv[i] = LDX(xr[i] + k);
        for (uint j = 0; j < NR; j++) {
            VT wv = LDW(wr[j] + k);
            for (uint i = 0; i < MR; i++)
                acc[i][j] += VDOT(xv[i], wv);
        }
    }

#ifdef SUBGROUP
    for (uint i = 0; i < MR; i++)
        for (uint j = 0; j < NR; j++) {
            float s = subgroupAdd(acc[i][j]);
            if (subgroupElect())
                part[i * NR + j][gl_SubgroupID] = s;
        }
    uint parts = gl_NumSubgroups;
#else
    for (uint i = 0; i < MR; i++)
        for (uint j = 0; j < NR; j++)
            part[i * NR + j][lid] = acc[i][j];
    uint parts = WG;
#endif
    barrier();

    // invocation t < MR * NR finishes output (m, n0 + j), t = m * NR + j
    for (uint t = lid; t < MR * NR; t += WG) {
        uint m = t / NR, n = n0 + t % NR;
        if (m >= pc.M || n >= pc.N)
            continue;
        float v = 0.0;
        for (uint s = 0; s < parts; s++)
            v += part[t][s];
        v *= pc.scale;
        if ((pc.flags & FLAG_BIAS) != 0u)
            v += bias[pc.bias_off + n];
        if ((pc.flags & FLAG_ACT) != 0u)
            v = act_apply(pc.act, v);
        uint yi = pc.y_off + b * pc.y_batch + m * pc.y_row + n;
        if ((pc.flags & FLAG_RES) != 0u)
            v += res[pc.res_off + m * pc.y_row + n];
        y[yi] = v;
    }
}
