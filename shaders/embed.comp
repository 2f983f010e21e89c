#version 450
// Embedding gather: y[m][d] = table[ids[m]][d] * scale + pos[pos_start + m][d] (pos optional).
//
// Bindings (set 0): 0 y (written), 1 ids (uint32), 2 table, 3 pos (dummy when absent).
// Push constants: pc_embed in src/vk/vk_pc.h.
// Specialization: 0 workgroup size WG.
// Dispatch: one invocation per output element, M*D elements folded into a 2D grid of
//   workgroups (vk_ops.c grid_flat).
// Ids >= V are a caller bug checked on the host; here an id past the table rows writes 0 instead
// of reading outside the buffer, which could fault the device.

layout(local_size_x_id = 0) in;

layout(push_constant) uniform PC {
    uint M, D, pos_start, has_pos;
    uint y_off, ids_off, table_off, pos_off;
    uint table_rows;
    float scale;
} pc;

layout(binding = 0) writeonly buffer Y { float y[]; };
layout(binding = 1) readonly buffer Ids { uint ids[]; };
layout(binding = 2) readonly buffer T { float table[]; };
layout(binding = 3) readonly buffer Pos { float pos[]; };

void main()
{
    uint wg = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint i = wg * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= pc.M * pc.D)
        return;
    uint m = i / pc.D;
    uint d = i - m * pc.D;
    uint id = ids[pc.ids_off + m];
    float v = id < pc.table_rows ? table[pc.table_off + id * pc.D + d] * pc.scale : 0.0;
    if (pc.has_pos != 0u)
        v += pos[pc.pos_off + (pc.pos_start + m) * pc.D + d];
    y[pc.y_off + m * pc.D + d] = v;
}
