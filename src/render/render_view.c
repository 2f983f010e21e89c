/* Views of one matrix axis: which pyramid level a window reads and which cells each screen bin
 * covers (see render.h). Pure integer arithmetic, unit-tested in tests/unit/test_render_view.c. */
#include "attnscope/render.h"

int as_render_level_cells(int n, int level)
{
    return (int)(((long long)n + (1LL << level) - 1) >> level);
}

void as_render_view_fit(int n, int avail, int max_scale, as_render_view *v)
{
    AS_ASSERT(n > 0 && avail > 0 && max_scale > 0);
    v->n = n;
    v->first = 0;
    if (n <= avail) {
        v->level = 0;
        v->count = v->bins = n;
        v->scale = avail / n < max_scale ? avail / n : max_scale;
        return;
    }
    /* The highest level with >= avail cells has < 2 * avail of them: a bin reads 1 or 2 cells,
     * so a frame costs O(screen) whatever the matrix size. */
    int level = 0;
    while (as_render_level_cells(n, level + 1) >= avail)
        level++;
    v->level = level;
    v->count = as_render_level_cells(n, level);
    v->bins = avail;
    v->scale = 1;
}

void as_render_view_zoom(int n, int avail, int z, int unit, int first, int keep,
                         as_render_view *v)
{
    AS_ASSERT(n > 0 && avail > 0 && unit > 0 && z >= AS_RENDER_ZOOM_MIN);
    v->n = n;
    v->level = z > 0 ? z : 0;
    v->scale = z < 0 ? unit << -z : unit;
    int cells = as_render_level_cells(n, v->level);
    int fit = avail / v->scale;
    if (fit < 1) { /* one element wider than the screen: show it cut */
        fit = 1;
        v->scale = avail;
    }
    v->count = v->bins = cells < fit ? cells : fit;
    int c = first >> v->level, kc = keep >> v->level;
    if (kc < c)
        c = kc;
    if (kc >= c + v->count)
        c = kc - v->count + 1;
    if (c > cells - v->count)
        c = cells - v->count;
    v->first = c < 0 ? 0 : c;
}

void as_render_view_bin_range(const as_render_view *v, int b, int *e0, int *e1)
{
    long long c0 = v->first + as_render_bin_start(v->count, v->bins, b);
    long long c1 = v->first + as_render_bin_start(v->count, v->bins, b + 1);
    c0 <<= v->level;
    c1 <<= v->level;
    *e0 = (int)(c0 < v->n ? c0 : v->n);
    *e1 = (int)(c1 < v->n ? c1 : v->n);
}

int as_render_view_bin_of(const as_render_view *v, int e)
{
    if (e < as_render_view_begin(v) || e >= as_render_view_end(v))
        return -1;
    return as_render_bin_of(v->count, v->bins, (e >> v->level) - v->first);
}

int as_render_view_pooled(const as_render_view *v)
{
    return v->level > 0 || v->bins < v->count;
}

int as_render_view_begin(const as_render_view *v)
{
    long long e = (long long)v->first << v->level;
    return (int)(e < v->n ? e : v->n);
}

int as_render_view_end(const as_render_view *v)
{
    long long e = (long long)(v->first + v->count) << v->level;
    return (int)(e < v->n ? e : v->n);
}

int as_render_view_zoom_of(const as_render_view *v, int unit)
{
    if (v->level > 0 || v->bins < v->count)
        return v->bins < v->count ? v->level + 1 : v->level;
    int z = 0;
    while (z > AS_RENDER_ZOOM_MIN && (unit << -(z - 1)) <= v->scale)
        z--;
    return z;
}
