// Workgroup-per-row kernels: rows beyond maxComputeWorkGroupCount[0] (65535 guaranteed) are
// folded into a 2D grid by the host (vk_ops.c grid_rows); this recovers the row index.
#ifndef AS_ROWS_GLSL
#define AS_ROWS_GLSL

uint row_index()
{
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

#endif
