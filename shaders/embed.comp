#version 450
// Embedding gather: y[m][d] = table[ids[m]][d] * scale + pos[m][d] (pos optional, bound from the
// row of the first position).
//
// Bindings (set 0): 0 y (written), 1 ids (uint32), 2 table, 3 pos (dummy when absent).
// Push constants: pc_embed in src/vk/vk_pc.h.
// Specialization: 0 workgroup size WG.
// Dispatch: one invocation per output element, M*D elements folded into a 2D grid of
//   workgroups (vk_ops.c fold). A table bigger than one binding is bound a window of rows at a
//   time, one dispatch each: a dispatch writes only the rows of y whose id is in
//   [id_first, id_last] and leaves the others to the dispatch that holds their row, so each
//   row (and its position) is written once.
// Ids >= V are a caller bug checked on the host; here an id past the window's rows (the last
// window's id_last is 0xffffffff) writes 0 instead of reading outside the buffer, which could
// fault the device.

layout(local_size_x_id = 0) in;

layout(push_constant) uniform PC {
    uint M, D, has_pos;
    uint y_off, ids_off, table_off, pos_off;
    uint id_first, id_last;
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
    if (id < pc.id_first || id > pc.id_last)
        return;
    uint r = id - pc.id_first;
    float v = r < pc.table_rows ? table[pc.table_off + r * pc.D + d] * pc.scale : 0.0;
    if (pc.has_pos != 0u)
        v += pos[pc.pos_off + m * pc.D + d];
    y[pc.y_off + m * pc.D + d] = v;
}
