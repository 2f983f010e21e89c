/* stb_image_write's implementation, compiled only when the system libstb does not export
 * stbi_write_png (see src/render/meson.build); built without our warnings (third-party code). */
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
