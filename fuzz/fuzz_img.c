/* Fuzzes image decoding (stb_image behind as_img_decode, with the size caps) and the ViT
 * preprocessing of the decoded image: Pillow-exact resize (bilinear, then bicubic) and
 * rescale/normalise into a 3 x 16 x 16 tensor. */
#include "attnscope/img.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_img img;
    fz_reset_error();
    int rc = as_img_decode(&img, data, size, "fuzz.png");
    fz_check_error(rc);
    if (rc != AS_OK)
        return 0;
    if (img.w <= 0 || img.h <= 0 || (long)img.w * img.h > AS_IMG_MAX_PIXELS)
        abort();
    as_img_prep p = {.do_resize = 1, .do_rescale = 1, .do_normalize = 1, .width = 16,
                     .height = 16, .resample = AS_IMG_BILINEAR, .rescale_factor = 1.0 / 255,
                     .mean = {0.5f, 0.5f, 0.5f}, .std = {0.5f, 0.5f, 0.5f}};
    float out[3 * 16 * 16];
    for (int f = 0; f < 2; f++) {
        p.resample = f ? AS_IMG_BICUBIC : AS_IMG_BILINEAR;
        fz_reset_error();
        fz_check_error(as_img_pixel_values(&p, &img, "fuzz.png", out));
    }
    /* upscaling too: a 1-pixel-wide image stretched to 7 x 5 */
    as_img big;
    fz_reset_error();
    rc = as_img_resize(&img, 7, 5, AS_IMG_BICUBIC, &big);
    fz_check_error(rc);
    if (rc == AS_OK)
        as_img_free(&big);
    as_img_free(&img);
    return 0;
}
