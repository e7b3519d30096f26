/* render_common.c: what the three renderers share. */
#include "render.h"

char *render_path_text(const report *r, const path *p)
{
    return path_text(r->heap, p);
}

double render_share(const report *r, uint64_t bytes)
{
    return r->heap->total_size ? 100.0 * (double)bytes / (double)r->heap->total_size : 0.0;
}
