/* img: images for vision transformers. Decoding through stb_image (PNG, JPEG, BMP, GIF first
 * frame, ...; grey becomes RGB, alpha is dropped as Pillow's convert("RGB") does), the Pillow
 * resampling filters Hugging Face image processors use (bilinear, bicubic), and the
 * ViTImageProcessor pipeline (resize, rescale, normalise, CHW) read from preprocessor_config.json.
 * Also the vision fields of config.json (image_size, patch_size, id2label).
 * Layer 1: uses core, cJSON and stb_image. */
#ifndef ATTNSCOPE_IMG_H
#define ATTNSCOPE_IMG_H

#include "attnscope/core.h"

#include <stddef.h>
#include <stdint.h>

/* Decoding limits: larger images are refused before any pixel is decoded. */
#define AS_IMG_MAX_SIDE 16384
#define AS_IMG_MAX_PIXELS (1L << 26) /* 67 M pixels: 192 MiB of RGB */

/* An 8-bit RGB image. */
typedef struct as_img {
    int w, h;
    uint8_t *rgb; /* (h, w, 3), owned */
} as_img;

/* Decodes the image file at path into *out. Errors name the file: AS_EIO (cannot read),
 * AS_EFORMAT (empty, not an image, truncated or corrupt: stb_image's reason), AS_EUNSUPPORTED
 * (beyond AS_IMG_MAX_SIDE / AS_IMG_MAX_PIXELS), AS_ENOMEM. */
int as_img_load(as_img *out, const char *path);
/* The same from n bytes in memory; name is used in messages. */
int as_img_decode(as_img *out, const uint8_t *data, size_t n, const char *name);
/* A w x h image (pixels zeroed); AS_ENOMEM if it would not fit. */
int as_img_alloc(as_img *out, int w, int h);
void as_img_free(as_img *img);

typedef enum {
    AS_IMG_BILINEAR = 2, /* Pillow's resample numbers (PIL.Image.Resampling) */
    AS_IMG_BICUBIC = 3,
} as_img_filter;

/* Resizes in to w x h into *out exactly as Pillow's Image.resize(size, filter) on 8-bit RGB:
 * separable fixed-point convolution (22 fraction bits), horizontal pass first (only if the width
 * changes) with its result rounded to uint8, then the vertical pass (only if the height
 * changes). Downscaling widens the filter (antialiasing). AS_ENOMEM. */
int as_img_resize(const as_img *in, int w, int h, as_img_filter filter, as_img *out);

/* The image processor of a model folder (Hugging Face ViTImageProcessor fields). */
typedef struct as_img_prep {
    int do_resize, do_rescale, do_normalize;
    int width, height;      /* model input size */
    as_img_filter resample;
    double rescale_factor;  /* kept in double: numpy multiplies uint8 by a Python float */
    float mean[3], std[3];  /* float32, as the reference normalises in float32 */
} as_img_prep;

/* Reads dir/preprocessor_config.json; if the file is absent, ViTImageProcessor's defaults for an
 * image_size x image_size model (bilinear, 1/255, mean = std = 0.5). Errors name the file and
 * field: unsupported resample, center crop (attnscope never crops), bad sizes or channel lists. */
int as_img_prep_load(as_img_prep *p, const char *dir, int image_size);

/* Preprocesses img for the model: resize to (width, height) when do_resize (an image of another
 * size or aspect ratio is stretched, never cropped), x * rescale_factor computed in double and
 * rounded to float, (x - mean) / std in float. out: (3, height, width) floats, CHW. Without
 * do_resize the image must already have the model's size (AS_EINVAL otherwise). */
int as_img_pixel_values(const as_img_prep *p, const as_img *img, const char *name, float *out);

/* Vision fields of config.json that as_cfg does not hold. */
typedef struct as_img_cfg {
    int image_size, patch_size, num_channels;
    int qkv_bias;   /* 1 unless config.json says false */
    int n_labels;   /* 0 without id2label */
    char **labels;  /* [n_labels] class names by id, owned */
} as_img_cfg;

/* Reads the vision fields of dir/config.json: image_size and patch_size required (positive,
 * image_size divisible by patch_size), num_channels 3 (other values AS_EUNSUPPORTED), id2label
 * optional (ids must be 0..n-1). */
int as_img_cfg_load(as_img_cfg *c, const char *dir);
void as_img_cfg_free(as_img_cfg *c);

#endif
