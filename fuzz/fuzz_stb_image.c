/* stb_image compiled from its header with the fuzzer's instrumentation (fuzz builds only).
 * attnscope links Debian's prebuilt libstb, which the fuzzer cannot see into; these definitions
 * take precedence over the shared library's, so fuzz-img explores the decoders themselves. */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
