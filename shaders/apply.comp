#version 450
// Attention output P.V for every head:
//   o[q * o_row + h * dh + d] = sum_k p[(h * Tq + q) * Tk + k] * v[k * v_row + h * dh + d]
//
// Bindings (set 0): 0 o (written), 1 p, 2 v.
// Push constants: pc_apply in src/vk/vk_pc.h (element offsets and strides).
// Specialization: 0 workgroup size WG, 1 TM query rows, 2 TN head columns per invocation.
// Dispatch: (ceil(ceil(dh / TN) / WG), ceil(Tq / TM), H). Register-blocked like matmul.comp; here
//   the reduction runs down the rows of V (the "NN" layout), so V is read along d.

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
