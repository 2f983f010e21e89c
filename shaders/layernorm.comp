#version 450
// Row-wise LayerNorm: y[m] = (x[m] - mean) / sqrt(var + eps) * gamma + beta, biased variance,
// two passes (mean, then squared deviations) like the C twin.
//
// Bindings (set 0): 0 y (written), 1 x, 2 gamma, 3 beta. y may alias x: each invocation reads
//   and writes only its own columns (c = lid, lid + WG, ...).
// Push constants: pc_layernorm in src/vk/vk_pc.h.
// Specialization: 0 workgroup size WG.
// Dispatch: one workgroup per row, rows folded into a 2D grid (common/rows.glsl).
// Reductions: common/reduce.glsl (subgroup operations when SUBGROUP is defined, else a shared
//   memory tree that needs WG to be a power of two).
#extension GL_GOOGLE_include_directive : require
#ifdef SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#include "rows.glsl"

layout(constant_id = 0) const uint WG = 128;
layout(local_size_x_id = 0) in;
#include "reduce.glsl"

layout(push_constant) uniform PC {
    uint M, N;
    uint y_off, x_off, g_off, b_off;
    float eps;
} pc;

layout(binding = 0) buffer Y { float y[]; };
layout(binding = 1) buffer X { float x[]; };
layout(binding = 2) readonly buffer G { float gamma[]; };
layout(binding = 3) readonly buffer B { float beta[]; };

void main()
{
    uint row = row_index();
    if (row >= pc.M) // uniform per workgroup, so no barrier is skipped by part of it
        return;
    uint lid = gl_LocalInvocationID.x;
    uint xo = pc.x_off + row * pc.N;
    uint yo = pc.y_off + row * pc.N;

    float s = 0.0;
    for (uint c = lid; c < pc.N; c += WG)
        s += x[xo + c];
    float mean = wg_sum(s) / float(pc.N);

    float q = 0.0;
    for (uint c = lid; c < pc.N; c += WG) {
        float d = x[xo + c] - mean;
        q += d * d;
    }
    float inv = inversesqrt(wg_sum(q) / float(pc.N) + pc.eps);

    for (uint c = lid; c < pc.N; c += WG)
        y[yo + c] = (x[xo + c] - mean) * inv * gamma[pc.g_off + c] + beta[pc.b_off + c];
}
