#version 450
#ifdef LOAD64
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#endif
// One query row of attention (decoding) in one dispatch: for head h,
//   p[h * Tk + k] = softmax_k(scale * sum_d q[h * dh + d] * K[k * k_row + h * dh + d])
//   o[h * dh + d] = sum_k p[h * Tk + k] * V[k * v_row + h * dh + d]
// the work of matmul.comp (scores), softmax.comp and apply.comp for Tq = 1, which cost three
// dispatches (and two pipeline barriers) per attention and so per decoded token and layer.
//
// Bindings (set 0): 0 o (written), 1 p (written, then read back by the whole workgroup), 2 q,
//   3 k, 4 v. p overlaps none of the others (the host guarantees it).
// Push constants: pc_attend_row in src/vk/vk_pc.h (element offsets and strides).
// Specialization: 0 workgroup size WG.
// Dispatch: (H, 1, 1), one workgroup per head. Invocations split the keys for the dot products
//   and the softmax (each keeps its own keys' scores in p, so those need no barrier), then the
//   head's dh columns for P.V, which reads every key's probability: one buffer barrier between
//   the two halves, besides the two reductions' (common/reduce.glsl).
// Loads: lavapipe runs every storage-buffer load as a loop over lanes and components (see
//   matmul.comp), so each invocation takes NB keys (scores) or NBV column units (P.V) a step,
//   sharing one load of q or of a probability between them. VEC4 (the host checks that dh, the
//   q, K and V offsets and the K and V strides are multiples of 4) reads q, K and V as vec4s,
//   LOAD64 as 64-bit integer pairs; p and o stay scalar.
#extension GL_GOOGLE_include_directive : require
#ifdef SUBGROUP
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

layout(constant_id = 0) const uint WG = 128;
layout(local_size_x_id = 0) in;
#include "reduce.glsl"

const uint NB = 4;  // keys per step (scores)
#ifdef VEC4
const uint NBV = 2; // column units per step (P.V): a 64-wide head is 16 vec4s, 2 per lane of 8
#else
const uint NBV = 4;
#endif

layout(push_constant) uniform PC {
    uint Tk, dh;
    uint o_off, p_off, q_off;
    uint k_off, k_row;
    uint v_off, v_row;
    float scale;
} pc;

layout(binding = 0) writeonly buffer O { float o[]; };
// coherent: other invocations of the workgroup read what this one wrote (after the barrier)
layout(binding = 1) coherent buffer Pr { float p[]; };

#ifdef VEC4
#define U 4u // elements per load unit
#define UNIT vec4
#define DOT(a, b) dot(a, b)
#define STORE(i, a)                                                                                \
    for (uint c_ = 0; c_ < 4; c_++)                                                                \
        o[(i) + c_] = (a)[c_]
#ifdef LOAD64
layout(binding = 2) readonly buffer Q { u64vec2 q[]; };
layout(binding = 3) readonly buffer K { u64vec2 kk[]; };
layout(binding = 4) readonly buffer V { u64vec2 v[]; };
vec4 fetch(u64vec2 x)
{
    return uintBitsToFloat(uvec4(unpackUint2x32(x.x), unpackUint2x32(x.y)));
}
#define LDQ(i) fetch(q[i])
#define LDK(i) fetch(kk[i])
#define LDV(i) fetch(v[i])
#else
layout(binding = 2) readonly buffer Q { vec4 q[]; };
layout(binding = 3) readonly buffer K { vec4 kk[]; };
layout(binding = 4) readonly buffer V { vec4 v[]; };
#define LDQ(i) q[i]
#define LDK(i) kk[i]
#define LDV(i) v[i]
#endif
#else
#define U 1u
#define UNIT float
#define DOT(a, b) ((a) * (b))
#define STORE(i, a) o[i] = (a)
layout(binding = 2) readonly buffer Q { float q[]; };
layout(binding = 3) readonly buffer K { float kk[]; };
layout(binding = 4) readonly buffer V { float v[]; };
#define LDQ(i) q[i]
#define LDK(i) kk[i]
#define LDV(i) v[i]
#endif

void main()
{
    uint h = gl_WorkGroupID.x;
    uint lid = gl_LocalInvocationID.x;
    uint col = h * pc.dh;
    uint units = pc.dh / U; // load units per head row
    uint po = pc.p_off + h * pc.Tk;

    // scores of this invocation's keys, kept in p; keys past Tk are clamped for the loads and
    // dropped
    uint qu = (pc.q_off + col) / U;
    float mx = -1.0 / 0.0;
    for (uint k0 = lid; k0 < pc.Tk; k0 += NB * WG) {
        uint ku[NB];
        float acc[NB];
        for (uint j = 0; j < NB; j++) {
            ku[j] = (pc.k_off + min(k0 + j * WG, pc.Tk - 1) * pc.k_row + col) / U;
            acc[j] = 0.0;
        }
        for (uint u = 0; u < units; u++) {
            UNIT qd = LDQ(qu + u);
            for (uint j = 0; j < NB; j++)
                acc[j] += DOT(qd, LDK(ku[j] + u));
        }
        for (uint j = 0; j < NB; j++) {
            uint k = k0 + j * WG;
            if (k < pc.Tk) {
                float s = pc.scale * acc[j];
                p[po + k] = s;
                mx = max(mx, s);
            }
        }
    }
    mx = wg_max(mx);

    // exponentials are stored in p and rescaled below (one exp per element)
    float sum = 0.0;
    for (uint k = lid; k < pc.Tk; k += WG) {
        float e = exp(p[po + k] - mx);
        p[po + k] = e;
        sum += e;
    }
    float inv = 1.0 / wg_sum(sum);
    for (uint k = lid; k < pc.Tk; k += WG)
        p[po + k] *= inv;
    memoryBarrierBuffer();
    barrier();

    // P.V: this invocation's column units of the head over every key (units past the row
    // clamped for the loads, dropped for the stores)
    uint vu = (pc.v_off + col) / U, vrow = pc.v_row / U;
    for (uint u0 = lid; u0 < units; u0 += NBV * WG) {
        uint cu[NBV];
        UNIT acc[NBV];
        for (uint j = 0; j < NBV; j++) {
            cu[j] = vu + min(u0 + j * WG, units - 1);
            acc[j] = UNIT(0.0);
        }
        for (uint k = 0; k < pc.Tk; k++) {
            float pk = p[po + k];
            for (uint j = 0; j < NBV; j++)
                acc[j] += pk * LDV(cu[j] + k * vrow);
        }
        for (uint j = 0; j < NBV; j++)
            if (u0 + j * WG < units)
                STORE(pc.o_off + col + (u0 + j * WG) * U, acc[j]);
    }
}
