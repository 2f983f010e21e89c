#version 450
// Batched "NT" matrix product with fused epilogue, used for Linear layers and attention scores:
//   y[b][m][n] = act(scale * sum_k x[b][m][k] * w[b][n][k] + bias[n]) + res[m][n]
// Rows of x and w are contiguous along k (PyTorch Linear weights [N, K]; Q and K rows of a head).
//
// Bindings (set 0): 0 y (written), 1 x, 2 w, 3 bias, 4 res (TEXEL: x and w from 5 and 6).
//   Absent operands are bound to a dummy buffer and switched off by pc.flags. res may alias y
//   when there is no activation (kern.h): each output element is read and written by the same
//   invocation.
// Push constants: pc_matmul in src/vk/vk_pc.h (element offsets and strides, not bytes).
// Specialization: 0 workgroup size WG, 1 TM rows, 2 TN columns per invocation.
// Dispatch: (ceil(ceil(N / TN) / WG), ceil(M / TM), batch). Each invocation keeps a TM x TN block
//   of outputs in registers and streams its rows of x and w: no shared memory. On lavapipe this
//   register-blocked form measured several times faster than shared-memory tiling.
// TEXEL variant: x and w read as vec4 texels of uniform texel buffers (RGBA32F views of the same
//   buffers, bindings 5 and 6, indices in texels); the host selects it only when K, both row
//   strides, batch strides and offsets are multiples of 4. Mesa 22.3's lavapipe compiles a
//   storage-buffer load into a loop over the SIMD lanes with a bounds check and a branch per lane
//   and component, but a texel fetch into straight-line gathers: measured 45 -> 62 GFLOPS for
//   16x16 blocks (M = 512, N = K = 768), and 71 with 32x16 blocks, which the loop form could not
//   use (64-bit storage loads, the previous best, were ~20% above plain vec4 loads).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "act.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TM = 4;
layout(constant_id = 2) const uint TN = 8;

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

layout(binding = 0) buffer Y { float y[]; };
#ifdef TEXEL
#define VT vec4
layout(binding = 5) uniform samplerBuffer xt;
layout(binding = 6) uniform samplerBuffer wt;
#define LDX(i) texelFetch(xt, int(i))
#define LDW(i) texelFetch(wt, int(i))
#else
#define VT float
layout(binding = 1) readonly buffer X { float x[]; };
layout(binding = 2) readonly buffer W { float w[]; };
#define LDX(i) x[i]
#define LDW(i) w[i]
#endif
layout(binding = 3) readonly buffer Bias { float bias[]; };
layout(binding = 4) readonly buffer Res { float res[]; };

#ifdef TEXEL
#define VDOT(a, b) dot(a, b)
const uint VW = 4;
#else
#define VDOT(a, b) ((a) * (b))
const uint VW = 1;
#endif

void main()
{
    uint n0 = gl_GlobalInvocationID.x * TN;
    uint m0 = gl_WorkGroupID.y * TM;
    uint b = gl_WorkGroupID.z;
    if (n0 >= pc.N)
        return;

    // Row starts in VT units. Rows past M or N are clamped so every load stays in bounds;
    // their results are computed and dropped by the masked store below.
    uint xr[TM];
    for (uint i = 0; i < TM; i++)
        xr[i] = (pc.x_off + b * pc.x_batch + min(m0 + i, pc.M - 1) * pc.x_row) / VW;
    uint wr[TN];
    for (uint j = 0; j < TN; j++)
        wr[j] = (pc.w_off + b * pc.w_batch + min(n0 + j, pc.N - 1) * pc.w_row) / VW;

    float acc[TM][TN];
    for (uint i = 0; i < TM; i++)
        for (uint j = 0; j < TN; j++)
            acc[i][j] = 0.0;

    uint kv = pc.K / VW;
    for (uint k = 0; k < kv; k++) {
        VT xv[TM];
        for (uint i = 0; i < TM; i++)
            xv[i] = LDX(xr[i] + k);
        for (uint j = 0; j < TN; j++) {
            VT wv = LDW(wr[j] + k);
            for (uint i = 0; i < TM; i++)
                acc[i][j] += VDOT(xv[i], wv);
        }
    }

    // Epilogue. The block loops are unrolled, so the activation (erf's series, tanh, exp) is
    // applied in a second, rolled loop over the stored block rather than once per unrolled
    // output: inlined TM x TN times it made the 32x16 block take minutes to compile on lavapipe.
    // The residual is added after the activation (with one, res never aliases y: kern.h).
    bool act = (pc.flags & FLAG_ACT) != 0u, has_res = (pc.flags & FLAG_RES) != 0u;
    for (uint i = 0; i < TM; i++) {
        uint m = m0 + i;
        if (m >= pc.M)
            break;
        for (uint j = 0; j < TN; j++) {
            uint n = n0 + j;
            if (n >= pc.N)
                break;
            float v = acc[i][j] * pc.scale;
            if ((pc.flags & FLAG_BIAS) != 0u)
                v += bias[pc.bias_off + n];
            if (has_res && !act)
                v += res[pc.res_off + m * pc.y_row + n];
            y[pc.y_off + b * pc.y_batch + m * pc.y_row + n] = v;
        }
    }
    if (!act)
        return;
    uint rows = min(TM, pc.M - m0), cols = min(TN, pc.N - n0);
    [[dont_unroll]] for (uint t = 0; t < rows * cols; t++) {
        uint m = m0 + t / cols, n = n0 + t % cols;
        uint yi = pc.y_off + b * pc.y_batch + m * pc.y_row + n;
        float v = act_apply(pc.act, y[yi]);
        if (has_res)
            v += res[pc.res_off + m * pc.y_row + n];
        y[yi] = v;
    }
}
