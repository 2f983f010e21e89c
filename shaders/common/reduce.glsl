// Workgroup-wide sum and max, returned to every invocation. Include after declaring
// `const uint WG` (the workgroup size) and the local_size layout. Every invocation of the
// workgroup must call them (they contain barriers).
//
// SUBGROUP: each subgroup reduces with subgroupAdd/subgroupMax, then the per-subgroup results
//   meet in shared memory behind one barrier. A workgroup may hold several subgroups even when
//   WG equals the reported subgroupSize (drivers may pick narrower SIMD modes), so the
//   cross-subgroup step is always there. On lavapipe (subgroups of 8, WG = 8) this replaced a
//   seven-barrier tree that dominated the row kernels' run time.
// Otherwise: a shared-memory tree; WG must be a power of two.
#ifndef AS_REDUCE_GLSL
#define AS_REDUCE_GLSL

shared float red[WG];

#ifdef SUBGROUP
// (the including shader enables GL_KHR_shader_subgroup_basic and _arithmetic)
float wg_sum(float v)
{
    v = subgroupAdd(v);
    if (subgroupElect())
        red[gl_SubgroupID] = v;
    barrier();
    float r = 0.0;
    for (uint i = 0; i < gl_NumSubgroups; i++)
        r += red[i];
    barrier(); // red is reused by the next call
    return r;
}

float wg_max(float v)
{
    v = subgroupMax(v);
    if (subgroupElect())
        red[gl_SubgroupID] = v;
    barrier();
    float r = red[0];
    for (uint i = 1; i < gl_NumSubgroups; i++)
        r = max(r, red[i]);
    barrier();
    return r;
}

#else

float wg_sum(float v)
{
    uint lid = gl_LocalInvocationID.x;
    red[lid] = v;
    barrier();
    for (uint s = WG / 2; s > 0; s >>= 1) {
        if (lid < s)
            red[lid] += red[lid + s];
        barrier();
    }
    float r = red[0];
    barrier(); // red is reused by the next call
    return r;
}

float wg_max(float v)
{
    uint lid = gl_LocalInvocationID.x;
    red[lid] = v;
    barrier();
    for (uint s = WG / 2; s > 0; s >>= 1) {
        if (lid < s)
            red[lid] = max(red[lid], red[lid + s]);
        barrier();
    }
    float r = red[0];
    barrier();
    return r;
}

#endif
#endif
