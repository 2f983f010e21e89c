/* PNG files through stb_image_write (Debian's libstb, or the implementation compiled in
 * render_stb_write.c when the library lacks it). */
#include "attnscope/render.h"

#include <errno.h>
#include <stb_image_write.h>
#include <string.h>

int as_render_png_write(const as_render_image *img, const char *path)
{
    errno = 0;
    if (!stbi_write_png(path, img->w, img->h, 3, img->rgb, img->w * 3))
        return as_fail(AS_EIO, "%s: cannot write PNG%s%s", path, errno ? ": " : "",
                       errno ? strerror(errno) : "");
    return AS_OK;
}
