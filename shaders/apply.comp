#version 450
// Attention output P.V for every head:
//   o[q * o_row + h * dh + d] = sum_k p[(h * Tq + q) * Tk + k] * v[k * v_row + h * dh + d]
//
// Bindings (set 0): 0 o (written), 1 p, 2 v (TEXEL: p and v from 5 and 6).
// Push constants: pc_apply in src/vk/vk_pc.h (element offsets and strides).
// Specialization: 0 workgroup size WG, 1 TM query rows, 2 TN head columns per invocation.
// Dispatch: (ceil(ceil(dh / TN) / WG), ceil(Tq / TM), H). Register-blocked like matmul.comp; here
//   the reduction runs down the rows of V (the "NN" layout), so V is read along d.
// VEC4 variant (TN = 4; the host checks that Tk, dh, the V stride and the p and V offsets are
//   multiples of 4): each invocation owns one vec4 of d for TM query rows and steps 4 keys at a
//   time, reading 4 p values and 4 V rows as vec4s. TEXEL (with VEC4, the CPU family) fetches
//   those as texels of RGBA32F views (lavapipe runs every storage-buffer load as a loop over
//   lanes and components, see matmul.comp).

#ifdef VEC4
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TM = 16;

layout(push_constant) uniform PC {
    uint Tq, Tk, dh;
    uint o_off, o_row;
    uint p_off;
    uint v_off, v_row;
} pc;

layout(binding = 0) writeonly buffer O { float o[]; };
#ifdef TEXEL
layout(binding = 5) uniform samplerBuffer pt;
layout(binding = 6) uniform samplerBuffer vt;
#define LDP(i) texelFetch(pt, int(i))
#define LDV(i) texelFetch(vt, int(i))
#else
layout(binding = 1) readonly buffer P { vec4 p[]; };
layout(binding = 2) readonly buffer V { vec4 v[]; };
#define LDP(i) p[i]
#define LDV(i) v[i]
#endif

void main()
{
    uint d0 = gl_GlobalInvocationID.x * 4;
    uint q0 = gl_WorkGroupID.y * TM;
    uint h = gl_WorkGroupID.z;
    if (d0 >= pc.dh)
        return;

    // vec4 indices; query rows clamped like matmul.comp (loads in bounds, stores masked)
    uint pr[TM];
    for (uint i = 0; i < TM; i++)
        pr[i] = (pc.p_off + (h * pc.Tq + min(q0 + i, pc.Tq - 1)) * pc.Tk) / 4;
    uint vc = (pc.v_off + h * pc.dh + d0) / 4, vs = pc.v_row / 4;

    vec4 acc[TM];
    for (uint i = 0; i < TM; i++)
        acc[i] = vec4(0.0);

    for (uint k4 = 0; k4 < pc.Tk / 4; k4++) {
        uint vr = vc + 4 * k4 * vs;
        vec4 v0 = LDV(vr), v1 = LDV(vr + vs), v2 = LDV(vr + 2 * vs), v3 = LDV(vr + 3 * vs);
        for (uint i = 0; i < TM; i++) {
            vec4 pv = LDP(pr[i] + k4);
            acc[i] += pv.x * v0 + pv.y * v1 + pv.z * v2 + pv.w * v3;
        }
    }

    for (uint i = 0; i < TM; i++) {
        uint q = q0 + i;
        if (q >= pc.Tq)
            break;
        uint oi = pc.o_off + q * pc.o_row + h * pc.dh + d0;
        for (uint j = 0; j < 4; j++)
            o[oi + j] = acc[i][j];
    }
}
#else
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint TM = 4;
layout(constant_id = 2) const uint TN = 4;

layout(push_constant) uniform PC {
    uint Tq, Tk, dh;
    uint o_off, o_row;
    uint p_off;
    uint v_off, v_row;
} pc;

layout(binding = 0) writeonly buffer O { float o[]; };
layout(binding = 1) readonly buffer P { float p[]; };
layout(binding = 2) readonly buffer V { float v[]; };

void main()
{
    uint d0 = gl_GlobalInvocationID.x * TN;
    uint q0 = gl_WorkGroupID.y * TM;
    uint h = gl_WorkGroupID.z;
    if (d0 >= pc.dh)
        return;

    // clamped like matmul.comp: loads stay in bounds, stores are masked
    uint pr[TM];
    for (uint i = 0; i < TM; i++)
        pr[i] = pc.p_off + (h * pc.Tq + min(q0 + i, pc.Tq - 1)) * pc.Tk;
    uint vc[TN];
    for (uint j = 0; j < TN; j++)
        vc[j] = pc.v_off + h * pc.dh + min(d0 + j, pc.dh - 1);

    float acc[TM][TN];
    for (uint i = 0; i < TM; i++)
        for (uint j = 0; j < TN; j++)
            acc[i][j] = 0.0;

    for (uint k = 0; k < pc.Tk; k++) {
        float pv[TM];
        for (uint i = 0; i < TM; i++)
            pv[i] = p[pr[i] + k];
        uint vrow = k * pc.v_row;
        for (uint j = 0; j < TN; j++) {
            float vv = v[vc[j] + vrow];
            for (uint i = 0; i < TM; i++)
                acc[i][j] += pv[i] * vv;
        }
    }

    for (uint i = 0; i < TM; i++) {
        uint q = q0 + i;
        if (q >= pc.Tq)
            break;
        for (uint j = 0; j < TN; j++) {
            uint d = d0 + j;
            if (d >= pc.dh)
                break;
            o[pc.o_off + q * pc.o_row + h * pc.dh + d] = acc[i][j];
        }
    }
}
#endif
