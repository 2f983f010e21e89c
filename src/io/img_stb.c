/* stb_image compiled into attnscope rather than taken from Debian's libstb: decoded pixel buffers
 * are allocated zeroed, so a corrupt image that stb_image accepts (it fills what it could decode
 * and returns success) never hands uninitialised memory to the resize and the model (valgrind
 * found this through the fuzzers' image corpus). Third-party code: built without our warnings. */
#include <stdlib.h>

#define STB_IMAGE_IMPLEMENTATION
#define STBI_MALLOC(sz) calloc(1, (sz))
#define STBI_REALLOC(p, sz) realloc((p), (sz))
#define STBI_FREE(p) free(p)
#include <stb_image.h>
