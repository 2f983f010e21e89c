#version 450
// Row softmax with optional causal mask: row r is query q = r % Tq; keys k > q + causal_offset
// are masked and get probability exactly 0 (not exp(-inf) rounding), like the C twin.
//
// Bindings (set 0): 0 p (written), 1 s. p may alias s: each invocation reads and writes only
//   its own columns (c = lid, lid + WG, ...).
// Push constants: pc_softmax in src/vk/vk_pc.h.
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
    uint rows, cols, Tq, causal, causal_offset;
    uint p_off, s_off;
} pc;

layout(binding = 0) buffer Pr { float p[]; };
layout(binding = 1) buffer S { float s[]; };

void main()
{
    uint row = row_index();
    if (row >= pc.rows) // uniform per workgroup, so no barrier is skipped by part of it
        return;
    uint lid = gl_LocalInvocationID.x;
    uint so = pc.s_off + row * pc.cols;
    uint po = pc.p_off + row * pc.cols;

    // keys 0..limit-1 are visible (at least key 0, as limit >= 1)
    uint limit = pc.cols;
    if (pc.causal != 0u)
        limit = min(row % pc.Tq + pc.causal_offset + 1u, pc.cols);

    float mx = -1.0 / 0.0;
    for (uint c = lid; c < limit; c += WG)
        mx = max(mx, s[so + c]);
    mx = wg_max(mx);

    // exponentials are stored in p and rescaled below (one exp per element)
    float sum = 0.0;
    for (uint c = lid; c < limit; c += WG) {
        float e = exp(s[so + c] - mx);
        p[po + c] = e;
        sum += e;
    }
    float inv = 1.0 / wg_sum(sum);

    for (uint c = lid; c < pc.cols; c += WG)
        p[po + c] = c < limit ? p[po + c] * inv : 0.0;
}
