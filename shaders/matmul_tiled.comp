#version 450
// Tiled shared-memory form of matmul.comp for GPUs (discrete / integrated), same product:
//   y[b][m][n] = act(scale * sum_k x[b][m][k] * w[b][n][k] + bias[n]) + res[m][n]
// A workgroup of 256 invocations owns a BM x BN = 64 x 64 output tile. Per step of BK = 16 along
// k it stages the x tile and the w tile in shared memory (each invocation loads 4 + 4 elements,
// neighbouring invocations neighbouring k, so loads coalesce), then each invocation accumulates
// a 4 x 4 block from shared memory. GPUs fetch global memory in wide transactions and have fast
// shared memory; CPU devices (lavapipe) run barriers as coroutine switches, so they use the
// register-blocked matmul.comp instead (src/vk/vk_ops.c picks by device type).
//
// Bindings (set 0): 0 y (written), 1 x, 2 w, 3 bias, 4 res (may alias y: each output element is
//   read and written by one invocation).
// Push constants: pc_matmul in src/vk/vk_pc.h (any strides and offsets: scalar loads).
// Dispatch: (ceil(N / 64), ceil(M / 64), batch); the workgroup size is fixed at 256.
#extension GL_GOOGLE_include_directive : require
#include "act.glsl"

layout(local_size_x = 256) in;

const uint BM = 64, BN = 64, BK = 16, T = 4;

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
layout(binding = 1) readonly buffer X { float x[]; };
layout(binding = 2) readonly buffer W { float w[]; };
layout(binding = 3) readonly buffer Bias { float bias[]; };
layout(binding = 4) readonly buffer Res { float res[]; };

shared float xs[BK][BM]; // (k, m) of the x tile
shared float ws[BK][BN]; // (k, n) of the w tile

void main()
{
    uint lid = gl_LocalInvocationID.x;
    uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN, b = gl_WorkGroupID.z;
    uint tm = (lid / (BN / T)) * T, tn = (lid % (BN / T)) * T; // this invocation's 4 x 4 block
    uint xb = pc.x_off + b * pc.x_batch, wb = pc.w_off + b * pc.w_batch;

    float acc[T][T];
    for (uint i = 0; i < T; i++)
        for (uint j = 0; j < T; j++)
            acc[i][j] = 0.0;

    for (uint k0 = 0; k0 < pc.K; k0 += BK) {
        // 1024 elements per tile, 4 per invocation: element e = lid + 256 * r is (row e / BK,
        // k e % BK); out-of-range elements are zeros, so partial tiles need no other care
        for (uint r = 0; r < 4; r++) {
            uint e = lid + 256 * r, row = e / BK, kk = e % BK, k = k0 + kk;
            uint m = m0 + row, n = n0 + row;
            xs[kk][row] = m < pc.M && k < pc.K ? x[xb + m * pc.x_row + k] : 0.0;
            ws[kk][row] = n < pc.N && k < pc.K ? w[wb + n * pc.w_row + k] : 0.0;
        }
        barrier();
        for (uint kk = 0; kk < BK; kk++) {
            float xv[T], wv[T];
            for (uint i = 0; i < T; i++)
                xv[i] = xs[kk][tm + i];
            for (uint j = 0; j < T; j++)
                wv[j] = ws[kk][tn + j];
            for (uint i = 0; i < T; i++)
                for (uint j = 0; j < T; j++)
                    acc[i][j] += xv[i] * wv[j];
        }
        barrier();
    }

    for (uint i = 0; i < T; i++) {
        uint m = m0 + tm + i;
        if (m >= pc.M)
            break;
        for (uint j = 0; j < T; j++) {
            uint n = n0 + tn + j;
            if (n >= pc.N)
                break;
            float v = acc[i][j] * pc.scale;
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
}
