/* io/img: decoding (PNG fixtures, grey/alpha/BMP/JPEG/GIF made in memory), Pillow-exact resize
 * (hand-computed taps, and Pillow's own bilinear and bicubic outputs), preprocessing vs the
 * vit-tiny fixture's pixel_values (made by Hugging Face's ViTImageProcessor), the config files,
 * and bad images (one-line errors, no crash). */
#include "attnscope/img.h"
#include "attnscope/st.h"

#include "../test.h"

#include <stb_image_write.h>

/* ---- in-memory encoders (stb_image_write) ---------------------------------------------------*/

typedef struct membuf {
    uint8_t *p;
    size_t n;
} membuf;

static void put(void *ctx, void *data, int size)
{
    membuf *b = ctx;
    b->p = as_xrealloc(b->p, b->n + (size_t)size);
    memcpy(b->p + b->n, data, (size_t)size);
    b->n += (size_t)size;
}

static void check_rgb(const as_img *img, int x, int y, int r, int g, int b)
{
    const uint8_t *p = img->rgb + ((size_t)y * img->w + x) * 3;
    AS_TEST_EQ(p[0], r);
    AS_TEST_EQ(p[1], g);
    AS_TEST_EQ(p[2], b);
}

/* Grey becomes (v, v, v); grey+alpha and RGBA drop alpha (Pillow convert("RGB")). */
static void test_channels(void)
{
    const uint8_t grey[2] = {10, 200}, ga[4] = {10, 0, 200, 255};
    const uint8_t rgba[8] = {1, 2, 3, 0, 4, 5, 6, 128};
    struct { const uint8_t *px; int comp; } cases[] = {{grey, 1}, {ga, 2}, {rgba, 4}};
    for (int i = 0; i < 3; i++) {
        membuf b = {0};
        AS_TEST_TRUE(stbi_write_png_to_func(put, &b, 2, 1, cases[i].comp, cases[i].px, 0));
        as_img img;
        AS_TEST_EQ(as_img_decode(&img, b.p, b.n, "mem.png"), AS_OK);
        AS_TEST_EQ(img.w, 2);
        AS_TEST_EQ(img.h, 1);
        if (cases[i].comp == 4) {
            check_rgb(&img, 0, 0, 1, 2, 3);
            check_rgb(&img, 1, 0, 4, 5, 6);
        } else {
            check_rgb(&img, 0, 0, 10, 10, 10);
            check_rgb(&img, 1, 0, 200, 200, 200);
        }
        as_img_free(&img);
        free(b.p);
    }
    /* BMP is lossless; JPEG of a flat colour decodes to nearly that colour */
    uint8_t flat[8 * 8 * 3];
    for (int i = 0; i < 64; i++)
        flat[i * 3] = 200, flat[i * 3 + 1] = 30, flat[i * 3 + 2] = 90;
    membuf bmp = {0}, jpg = {0};
    AS_TEST_TRUE(stbi_write_bmp_to_func(put, &bmp, 8, 8, 3, flat));
    AS_TEST_TRUE(stbi_write_jpg_to_func(put, &jpg, 8, 8, 3, flat, 95));
    as_img img;
    AS_TEST_EQ(as_img_decode(&img, bmp.p, bmp.n, "mem.bmp"), AS_OK);
    check_rgb(&img, 7, 7, 200, 30, 90);
    as_img_free(&img);
    AS_TEST_EQ(as_img_decode(&img, jpg.p, jpg.n, "mem.jpg"), AS_OK);
    AS_TEST_EQ(img.w, 8);
    AS_TEST_NEAR(img.rgb[0], 200, 4);
    AS_TEST_NEAR(img.rgb[1], 30, 4);
    AS_TEST_NEAR(img.rgb[2], 90, 4);
    as_img_free(&img);
    free(bmp.p);
    free(jpg.p);
}

/* A 2x1 GIF with two frames, written by hand: global palette {red, green}; frame 1 has pixels
 * (0, 1), frame 2 (1, 1). LZW with 2-bit minimum code size: 3-bit codes clear=4, end=5, packed
 * LSB first: (4, 0, 1, 5) -> 0x44 0x0A and (4, 1, 1, 5) -> 0x4C 0x0A. Only frame 1 counts. */
static void test_gif(void)
{
    static const uint8_t gif[] = {'G', 'I', 'F', '8', '9', 'a', 2, 0, 1, 0, 0x80, 0, 0,
                                  0xff, 0, 0, 0, 0xff, 0,
                                  0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x44, 0x0A, 0,
                                  0x2c, 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x4C, 0x0A, 0, 0x3b};
    as_img img;
    AS_TEST_EQ(as_img_decode(&img, gif, sizeof gif, "mem.gif"), AS_OK);
    AS_TEST_EQ(img.w, 2);
    check_rgb(&img, 0, 0, 255, 0, 0);
    check_rgb(&img, 1, 0, 0, 255, 0);
    as_img_free(&img);
}

/* ---- resize --------------------------------------------------------------------------------*/

/* Hand-computed Pillow taps. Width 2 -> 1 (bilinear): scale 2, support 2, centre 1.0, taps 0..1
 * (lo = int(-0.5) = 0, hi = min(int(3.5), 2)), weights 1 - |(t - 1 + 0.5) / 2| = 0.75 each ->
 * 0.5 each -> 2^21 each; (2^21 + 2^21 * (10 + 13)) >> 22 = 12 (11.5 rounds up).
 * Width 1 -> 3 (upscale): every output has the single tap 0 -> the pixel itself. */
static void test_resize_hand(void)
{
    as_img in, out;
    AS_TEST_EQ(as_img_alloc(&in, 2, 1), AS_OK);
    const uint8_t px[6] = {10, 0, 255, 13, 1, 0};
    memcpy(in.rgb, px, 6);
    AS_TEST_EQ(as_img_resize(&in, 1, 1, AS_IMG_BILINEAR, &out), AS_OK);
    AS_TEST_EQ(out.w, 1);
    check_rgb(&out, 0, 0, 12, 1, 128);
    as_img_free(&out);
    as_img_free(&in);

    AS_TEST_EQ(as_img_alloc(&in, 1, 1), AS_OK);
    in.rgb[0] = 7, in.rgb[1] = 8, in.rgb[2] = 9;
    AS_TEST_EQ(as_img_resize(&in, 3, 2, AS_IMG_BICUBIC, &out), AS_OK);
    AS_TEST_EQ(out.w, 3);
    AS_TEST_EQ(out.h, 2);
    for (int i = 0; i < 6; i++)
        check_rgb(&out, i % 3, i / 3, 7, 8, 9);
    as_img_free(&out);
    as_img_free(&in);
}

/* Pillow's own resizes (tests/data/img, made by tools/make_img_refs.py): every pixel equal, for
 * down- and upscaling, one axis alone, bilinear and bicubic. */
static void test_resize_pillow(void)
{
    static const int sizes[][2] = {{16, 16}, {64, 50}, {37, 11}, {20, 23}, {5, 3}};
    static const char *const names[2] = {"bilinear", "bicubic"};
    char *path = as_xasprintf("%s/img/src-37x23.png", AS_TEST_DATA_DIR);
    as_img src;
    AS_TEST_EQ(as_img_load(&src, path), AS_OK);
    free(path);
    for (int f = 0; f < 2 && src.rgb; f++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            int w = sizes[s][0], h = sizes[s][1];
            path = as_xasprintf("%s/img/%s-%dx%d.png", AS_TEST_DATA_DIR, names[f], w, h);
            as_img want, got;
            AS_TEST_EQ(as_img_load(&want, path), AS_OK);
            AS_TEST_EQ(as_img_resize(&src, w, h, f ? AS_IMG_BICUBIC : AS_IMG_BILINEAR, &got),
                       AS_OK);
            int diff = 0;
            for (size_t i = 0; want.rgb && got.rgb && i < (size_t)w * h * 3; i++)
                diff += want.rgb[i] != got.rgb[i];
            if (diff)
                fprintf(stderr, "%s: %d values differ\n", path, diff);
            AS_TEST_EQ(diff, 0);
            as_img_free(&want);
            as_img_free(&got);
            free(path);
        }
    as_img_free(&src);
}

/* ---- the fixture ---------------------------------------------------------------------------*/

static void test_fixture(void)
{
    char *dir = as_xasprintf("%s/vit-tiny", as_test_fixtures());
    char *gpath = as_path_join(dir, "golden.safetensors");
    as_st_file *g = NULL;
    if (as_st_open(&g, gpath) != AS_OK) {
        printf("SKIP: %s\n", as_last_error());
        exit(AS_TEST_SKIP);
    }
    as_img_cfg cfg;
    AS_TEST_EQ(as_img_cfg_load(&cfg, dir), AS_OK);
    AS_TEST_EQ(cfg.image_size, 32);
    AS_TEST_EQ(cfg.patch_size, 8);
    AS_TEST_EQ(cfg.qkv_bias, 1);
    AS_TEST_EQ(cfg.n_labels, 5);
    AS_TEST_STR(cfg.labels[1], "checker");
    AS_TEST_STR(cfg.labels[4], "other");
    as_img_prep p;
    AS_TEST_EQ(as_img_prep_load(&p, dir, cfg.image_size), AS_OK);
    AS_TEST_EQ(p.width, 32);
    AS_TEST_EQ(p.height, 32);
    AS_TEST_EQ(p.resample, AS_IMG_BILINEAR);
    static const char *const files[2] = {"digit7.png", "checker.png"};
    double worst = 0;
    for (int c = 0; c < 2; c++) {
        char *path = as_path_join(dir, files[c]), *name = as_xasprintf("case%d.pixel_values", c);
        as_img img;
        AS_TEST_EQ(as_img_load(&img, path), AS_OK);
        AS_TEST_EQ(img.w, 48);
        AS_TEST_EQ(img.h, 40);
        float *got = as_xmalloc(sizeof(float) * 3 * 32 * 32);
        float *want = NULL;
        int64_t shape[3] = {3, 32, 32};
        AS_TEST_EQ(as_img_pixel_values(&p, &img, path, got), AS_OK);
        AS_TEST_EQ(as_st_load_f32(g, name, 3, shape, &want), AS_OK);
        for (int i = 0; want && i < 3 * 32 * 32; i++) {
            double d = fabs((double)got[i] - want[i]);
            worst = d > worst ? d : worst;
        }
        AS_TEST_TRUE(worst <= 1e-5);
        free(want);
        free(got);
        as_img_free(&img);
        free(path);
        free(name);
    }
    printf("vit-tiny pixel_values: max error %g\n", worst);
    as_img_cfg_free(&cfg);
    as_st_close(g);
    free(gpath);
    free(dir);
}

/* ---- configuration files -------------------------------------------------------------------*/

static void put_file(const char *dir, const char *name, const char *text)
{
    char *path = as_path_join(dir, name);
    FILE *f = fopen(path, "w");
    AS_TEST_TRUE(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    free(path);
}

static void expect_fail(int rc, int code, const char *needle);

/* preprocessor_config.json forms (old feature extractors: size and mean as single numbers),
 * defaults without the file, and what is refused; config.json vision fields and id2label. */
static void test_configs(void)
{
    char tmpl[] = "/tmp/as-test-img-XXXXXX";
    char *dir = mkdtemp(tmpl);
    AS_TEST_TRUE(dir != NULL);
    if (!dir)
        return;
    as_img_prep p;
    AS_TEST_EQ(as_img_prep_load(&p, dir, 48), AS_OK); /* no file: ViTImageProcessor defaults */
    AS_TEST_EQ(p.width, 48);
    AS_TEST_EQ(p.resample, AS_IMG_BILINEAR);
    AS_TEST_NEAR(p.std[2], 0.5, 0);
    put_file(dir, "preprocessor_config.json",
             "{\"size\": 224, \"resample\": 3, \"image_mean\": 0.25, \"do_rescale\": false,"
             " \"image_std\": [0.1, 0.2, 0.3]}");
    AS_TEST_EQ(as_img_prep_load(&p, dir, 48), AS_OK);
    AS_TEST_EQ(p.width, 224);
    AS_TEST_EQ(p.height, 224);
    AS_TEST_EQ(p.resample, AS_IMG_BICUBIC);
    AS_TEST_EQ(p.do_rescale, 0);
    AS_TEST_NEAR(p.mean[1], 0.25, 0);
    AS_TEST_NEAR(p.std[2], 0.3f, 0);
    put_file(dir, "preprocessor_config.json", "{\"do_center_crop\": true}");
    expect_fail(as_img_prep_load(&p, dir, 48), AS_EUNSUPPORTED, "never crops");
    put_file(dir, "preprocessor_config.json", "{\"size\": {\"shortest_edge\": 224}}");
    expect_fail(as_img_prep_load(&p, dir, 48), AS_EUNSUPPORTED, "size must be");
    put_file(dir, "preprocessor_config.json", "{\"resample\": 1}");
    expect_fail(as_img_prep_load(&p, dir, 48), AS_EUNSUPPORTED, "resample");
    put_file(dir, "preprocessor_config.json", "{\"image_std\": [0.5, 0, 0.5]}");
    expect_fail(as_img_prep_load(&p, dir, 48), AS_EFORMAT, "image_std values must be positive");
    put_file(dir, "preprocessor_config.json", "[1, 2");
    expect_fail(as_img_prep_load(&p, dir, 48), AS_EFORMAT, "preprocessor_config.json: not a");

    as_img_cfg c;
    put_file(dir, "config.json", "{\"image_size\": 30, \"patch_size\": 8}");
    expect_fail(as_img_cfg_load(&c, dir), AS_EFORMAT, "not divisible by patch_size 8");
    put_file(dir, "config.json", "{\"image_size\": 32, \"patch_size\": 8, \"num_channels\": 1}");
    expect_fail(as_img_cfg_load(&c, dir), AS_EUNSUPPORTED, "num_channels 1");
    put_file(dir, "config.json",
             "{\"image_size\": 32, \"patch_size\": 8, \"id2label\": {\"0\": \"a\", \"2\": \"b\"}}");
    expect_fail(as_img_cfg_load(&c, dir), AS_EFORMAT, "id2label must map the ids 0..1");
    AS_TEST_TRUE(c.labels == NULL);
    put_file(dir, "config.json",
             "{\"image_size\": 32, \"patch_size\": 4, \"qkv_bias\": false, "
             "\"id2label\": {\"1\": \"b\", \"0\": \"a\"}}");
    AS_TEST_EQ(as_img_cfg_load(&c, dir), AS_OK);
    AS_TEST_EQ(c.qkv_bias, 0);
    AS_TEST_EQ(c.n_labels, 2);
    AS_TEST_STR(c.labels[0], "a");
    AS_TEST_STR(c.labels[1], "b");
    as_img_cfg_free(&c);
    char *a = as_path_join(dir, "config.json"), *b = as_path_join(dir, "preprocessor_config.json");
    remove(a);
    remove(b);
    remove(dir);
    free(a);
    free(b);
}

/* ---- bad input -----------------------------------------------------------------------------*/

static void expect_fail(int rc, int code, const char *needle)
{
    AS_TEST_EQ(rc, code);
    AS_TEST_TRUE(strstr(as_last_error(), needle) != NULL);
    AS_TEST_TRUE(strchr(as_last_error(), '\n') == NULL);
}

static void test_bad(void)
{
    as_img img;
    uint8_t junk[64];
    for (int i = 0; i < 64; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    expect_fail(as_img_decode(&img, junk, 0, "empty.png"), AS_EFORMAT, "empty.png: empty");
    expect_fail(as_img_decode(&img, junk, sizeof junk, "junk.bin"), AS_EFORMAT, "junk.bin");
    AS_TEST_TRUE(img.rgb == NULL);
    /* PNG headers announcing 9000 x 9000 (81 M pixels, over AS_IMG_MAX_PIXELS) and 16400 x 1
     * (over AS_IMG_MAX_SIDE): refused from the header alone, before decoding */
    uint8_t huge[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                      0, 0, 0x23, 0x28, 0, 0, 0x23, 0x28, 8, 2, 0, 0, 0, 0, 0, 0, 0};
    expect_fail(as_img_decode(&img, huge, sizeof huge, "huge.png"), AS_EUNSUPPORTED,
                "huge.png: image is 9000x9000; the limit");
    huge[18] = 0x40, huge[19] = 0x10, huge[22] = 0, huge[23] = 1;
    expect_fail(as_img_decode(&img, huge, sizeof huge, "wide.png"), AS_EUNSUPPORTED,
                "16400x1");
    /* the fixture PNG cut in half */
    char *path = as_xasprintf("%s/vit-tiny/digit7.png", as_test_fixtures());
    as_map map;
    if (as_map_open(&map, path) == AS_OK) {
        expect_fail(as_img_decode(&img, map.data, map.size / 2, "cut.png"), AS_EFORMAT,
                    "cut.png");
        as_map_close(&map);
    }
    expect_fail(as_img_load(&img, "/nonexistent/x.png"), AS_EIO, "/nonexistent/x.png");
    free(path);
    /* no resize: the model's size is required */
    as_img_prep p = {.width = 4, .height = 4, .do_rescale = 1, .rescale_factor = 1.0 / 255};
    float out[48];
    AS_TEST_EQ(as_img_alloc(&img, 3, 4), AS_OK);
    expect_fail(as_img_pixel_values(&p, &img, "x.png", out), AS_EINVAL, "3x4");
    as_img_free(&img);
}

int main(void)
{
    test_channels();
    test_gif();
    test_resize_hand();
    test_resize_pillow();
    test_configs();
    test_bad();
    test_fixture();
    return as_test_result();
}
