/* safetensors reader and writer: the fixture files (checked against the tensor tables in their
 * READMEs), dtype conversion on known bit patterns, a writer round trip, and a table of crafted
 * bad files that must each fail with one precise message. */
#include "attnscope/st.h"
#include "../test.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/as_test_st_XXXXXX";

static char *tmp_path(const char *name)
{
    return as_xasprintf("%s/%s", tmpdir, name);
}

/* An 8-byte little-endian length (hlen, or the JSON's own length if hlen < 0), the JSON, then
 * data_len bytes of data (a ramp 0, 1, 2, ...), or the caller's data if given. */
static void write_st(const char *path, const char *json, long long hlen, const void *data,
                     size_t data_len)
{
    FILE *f = fopen(path, "wb");
    AS_ASSERT(f);
    uint64_t n = hlen < 0 ? strlen(json) : (uint64_t)hlen;
    uint8_t len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)(n >> (8 * i));
    fwrite(len, 1, 8, f);
    fwrite(json, 1, strlen(json), f);
    for (size_t i = 0; i < data_len; i++)
        fputc(data ? ((const uint8_t *)data)[i] : (int)(i & 0xff), f);
    AS_ASSERT(fclose(f) == 0);
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- fixtures ---------------------------------------------------------------------------- */

/* The README table under "## golden.safetensors": rows "| `name` | DTYPE | [a, b] | meaning |".
 * Every row must be in the file with that dtype and shape; returns the number of rows. */
static size_t check_readme_table(const as_st_file *f, const char *readme_path)
{
    char *text;
    if (as_read_file(readme_path, &text, NULL) != AS_OK) {
        AS_TEST_TRUE(!"README readable");
        return 0;
    }
    size_t rows = 0;
    char *sec = strstr(text, "## golden.safetensors");
    AS_TEST_TRUE(sec != NULL);
    for (char *line = sec, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        next = next ? next + 1 : NULL;
        if (line != sec && starts_with(line, "## "))
            break;
        if (!starts_with(line, "| `"))
            continue;
        char name[128], dtype[16], shape[64];
        if (sscanf(line, "| `%127[^`]` | %15s | [%63[^]]] |", name, dtype, shape) != 3) {
            AS_TEST_TRUE(!"README row parses");
            continue;
        }
        rows++;
        const as_st_tensor *t = as_st_find(f, name);
        AS_TEST_TRUE(t != NULL);
        if (!t)
            continue;
        AS_TEST_STR(as_dtype_name(t->dtype), dtype);
        int ndim = 0;
        for (char *p = shape; *p;) {
            char *end;
            long long v = strtoll(p, &end, 10);
            if (end == p)
                break;
            AS_TEST_TRUE(ndim < t->ndim && t->shape[ndim] == v);
            ndim++;
            p = end + strspn(end, ", ");
        }
        AS_TEST_EQ(ndim, t->ndim);
    }
    free(text);
    return rows;
}

/* Rows of a [heads, q, k] attention tensor are softmax probabilities (README: rows sum to 1). */
static void check_rows_sum_to_one(const as_st_file *f, const char *name)
{
    const as_st_tensor *t = as_st_find(f, name);
    AS_TEST_TRUE(t && t->ndim == 3);
    if (!t || t->ndim != 3)
        return;
    float *p;
    AS_TEST_EQ(as_st_load_f32(f, name, 3, t->shape, &p), AS_OK);
    size_t rows = (size_t)(t->shape[0] * t->shape[1]), cols = (size_t)t->shape[2];
    double worst = 0;
    for (size_t r = 0; r < rows; r++) {
        double s = 0;
        for (size_t c = 0; c < cols; c++)
            s += p[r * cols + c];
        worst = fmax(worst, fabs(s - 1));
    }
    AS_TEST_NEAR(worst, 0, 1e-5);
    free(p);
}

typedef struct {
    const char *dir;
    size_t n_weights; /* tensors in model.safetensors, counted with Python's json module */
    const char *embed;      /* a weight whose shape follows from config.json: */
    int64_t embed_shape[4]; /* [vocab_size, d] or ViT's [d, num_channels, patch, patch] */
    int embed_ndim;
    const char *attn; /* a golden attention tensor */
} fixture;

static void test_fixture(const fixture *fx)
{
    char *dir = as_xasprintf("%s/%s", as_test_fixtures(), fx->dir);
    char *model = as_xasprintf("%s/model.safetensors", dir);
    char *golden = as_xasprintf("%s/golden.safetensors", dir);
    char *readme = as_xasprintf("%s/README.md", dir);
    as_st_file *f;

    AS_TEST_EQ(as_st_open(&f, model), AS_OK);
    if (f) {
        AS_TEST_EQ(as_st_count(f), fx->n_weights);
        AS_TEST_STR(as_st_metadata(f, "format"), "pt");
        AS_TEST_TRUE(as_st_metadata(f, "nope") == NULL);
        AS_TEST_STR(as_st_path(f), model);
        /* header order is kept and lookup by name finds every tensor */
        for (size_t i = 0; i < as_st_count(f); i++)
            AS_TEST_TRUE(as_st_find(f, as_st_at(f, i)->name) == as_st_at(f, i));
        float *w;
        AS_TEST_EQ(as_st_load_f32(f, fx->embed, fx->embed_ndim, fx->embed_shape, &w), AS_OK);
        /* F32 conversion is the identity on the mapped bytes */
        const as_st_tensor *t = as_st_find(f, fx->embed);
        AS_TEST_TRUE(w && t && memcmp(w, t->data, t->nbytes) == 0);
        free(w);

        int64_t wrong[4];
        memcpy(wrong, fx->embed_shape, sizeof wrong);
        wrong[0]++;
        AS_TEST_EQ(as_st_load_f32(f, fx->embed, fx->embed_ndim, wrong, &w), AS_EFORMAT);
        AS_TEST_TRUE(w == NULL);
        AS_TEST_TRUE(starts_with(as_last_error(), model));
        AS_TEST_TRUE(strstr(as_last_error(), "but config.json implies") != NULL);
        AS_TEST_EQ(as_st_load_f32(f, "no.such.weight", 1, wrong, &w), AS_EFORMAT);
        AS_TEST_TRUE(strstr(as_last_error(), "missing tensor 'no.such.weight'") != NULL);
        as_st_close(f);
    }

    AS_TEST_EQ(as_st_open(&f, golden), AS_OK);
    if (f) {
        AS_TEST_STR(as_st_metadata(f, "fixture"), fx->dir);
        size_t rows = check_readme_table(f, readme);
        AS_TEST_TRUE(rows > 0);
        AS_TEST_EQ(as_st_count(f), rows);
        check_rows_sum_to_one(f, fx->attn);
        as_st_close(f);
    }
    free(dir);
    free(model);
    free(golden);
    free(readme);
}

/* Integer tensors the READMEs describe: BERT's position_ids buffer is 0..n-1, GPT-2's attn.bias
 * is the causal mask (lower triangle true). */
static void test_fixture_ints(void)
{
    char *path = as_xasprintf("%s/bert-tiny/model.safetensors", as_test_fixtures());
    as_st_file *f;
    AS_TEST_EQ(as_st_open(&f, path), AS_OK);
    const as_st_tensor *t = f ? as_st_find(f, "embeddings.position_ids") : NULL;
    AS_TEST_TRUE(t && t->dtype == AS_DT_I64 && t->numel == 64);
    if (t) {
        int64_t ids[64];
        AS_TEST_EQ(as_st_to_i64(f, t, ids), AS_OK);
        int ramp = 1;
        for (int i = 0; i < 64; i++)
            ramp &= ids[i] == i;
        AS_TEST_TRUE(ramp);
        float x;
        AS_TEST_EQ(as_st_to_f32(f, t, &x), AS_EFORMAT);
        AS_TEST_TRUE(strstr(as_last_error(), "expected a float type") != NULL);
    }
    as_st_close(f);
    free(path);

    path = as_xasprintf("%s/gpt2-tiny/model.safetensors", as_test_fixtures());
    AS_TEST_EQ(as_st_open(&f, path), AS_OK);
    t = f ? as_st_find(f, "transformer.h.0.attn.bias") : NULL;
    AS_TEST_TRUE(t && t->dtype == AS_DT_BOOL && t->numel == 64 * 64);
    if (t) {
        int64_t *m = as_xcalloc(t->numel, sizeof *m);
        AS_TEST_EQ(as_st_to_i64(f, t, m), AS_OK);
        int causal = 1;
        for (int q = 0; q < 64; q++)
            for (int k = 0; k < 64; k++)
                causal &= m[q * 64 + k] == (k <= q);
        AS_TEST_TRUE(causal);
        free(m);
    }
    as_st_close(f);
    free(path);
}

/* ---- dtype conversion -------------------------------------------------------------------- */

/* Hand-checkable patterns: f16 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24 (smallest subnormal),
 * 0x7c00 = +inf, 0x3555 = 0.333251953125 (1 + 341/1024) / 4; bf16 is the top half of an f32, so
 * 0x3f80 = 1, 0xc040 = -3, 0x0001 = 2^-133 (f32 subnormal), 0xff80 = -inf. */
static void test_half_bits(void)
{
    uint16_t f16[] = {0x3c00, 0xc000, 0x0001, 0x7c00, 0x3555};
    float f16_want[] = {1.0f, -2.0f, 0x1p-24f, INFINITY, 0.333251953125f};
    uint16_t bf16[] = {0x3f80, 0xc040, 0x0001, 0xff80};
    float bf16_want[] = {1.0f, -3.0f, 0x1p-133f, -INFINITY};
    /* one byte of padding before each tensor so the views are misaligned */
    uint8_t data[1 + 10 + 1 + 8];
    data[0] = 0xee;
    memcpy(data + 1, f16, sizeof f16);
    data[11] = 0xee;
    memcpy(data + 12, bf16, sizeof bf16);
    char *path = tmp_path("half.safetensors");
    write_st(path,
             "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[1,11]},"
             "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[12,20]}}",
             -1, data, sizeof data);
    as_st_file *f;
    AS_TEST_EQ(as_st_open(&f, path), AS_OK);
    if (f) {
        float out[5];
        AS_TEST_EQ(as_st_to_f32(f, as_st_find(f, "h"), out), AS_OK);
        for (int i = 0; i < 5; i++)
            AS_TEST_TRUE(out[i] == f16_want[i]);
        AS_TEST_EQ(as_st_to_f32(f, as_st_find(f, "b"), out), AS_OK);
        for (int i = 0; i < 4; i++)
            AS_TEST_TRUE(out[i] == bf16_want[i]);
        int64_t iv[5];
        AS_TEST_EQ(as_st_to_i64(f, as_st_find(f, "h"), iv), AS_EFORMAT);
        AS_TEST_TRUE(strstr(as_last_error(), "expected an integer type") != NULL);
        as_st_close(f);
    }
    free(path);
}

/* Real fixture values re-encoded as F16, BF16 and F64 must convert back to the F32 originals
 * within each format's precision; the integer dtypes sign-extend. */
static void test_conversions(void)
{
    char *src = as_xasprintf("%s/marian-tiny/model.safetensors", as_test_fixtures());
    as_st_file *f;
    AS_TEST_EQ(as_st_open(&f, src), AS_OK);
    free(src);
    if (!f)
        return;
    enum { N = 32 };
    float orig[N];
    const as_st_tensor *t = as_st_find(f, "model.encoder.layers.0.fc1.bias");
    AS_TEST_TRUE(t && t->numel >= N);
    if (!t) {
        as_st_close(f);
        return;
    }
    memcpy(orig, t->data, sizeof orig);
    as_st_close(f);

    struct conv_data {
        uint16_t f16[N], bf16[N];
        double f64[N];
        int32_t i32[3];
        int16_t i16[3];
        int8_t i8[3];
        uint8_t u8[3];
    } d;
    for (int i = 0; i < N; i++) {
        uint32_t u;
        memcpy(&u, &orig[i], 4);
        d.f16[i] = as_f32_to_f16(orig[i]);
        d.bf16[i] = (uint16_t)(u >> 16); /* truncation: error below one bf16 ulp */
        d.f64[i] = orig[i];
    }
    int32_t i32[3] = {-7, 0, 2000000000};
    int16_t i16[3] = {-300, 1, 32767};
    int8_t i8[3] = {-128, -1, 127};
    uint8_t u8[3] = {0, 128, 255};
    memcpy(d.i32, i32, sizeof i32);
    memcpy(d.i16, i16, sizeof i16);
    memcpy(d.i8, i8, sizeof i8);
    memcpy(d.u8, u8, sizeof u8);
    char json[1024];
    size_t o_bf = offsetof(struct conv_data, bf16), o_64 = offsetof(struct conv_data, f64),
           o_32 = offsetof(struct conv_data, i32), o_16 = offsetof(struct conv_data, i16),
           o_8 = offsetof(struct conv_data, i8), o_u8 = offsetof(struct conv_data, u8);
    snprintf(json, sizeof json,
             "{\"f16\":{\"dtype\":\"F16\",\"shape\":[%d],\"data_offsets\":[0,%zu]},"
             "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[%d],\"data_offsets\":[%zu,%zu]},"
             "\"f64\":{\"dtype\":\"F64\",\"shape\":[%d],\"data_offsets\":[%zu,%zu]},"
             "\"i32\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[%zu,%zu]},"
             "\"i16\":{\"dtype\":\"I16\",\"shape\":[3],\"data_offsets\":[%zu,%zu]},"
             "\"i8\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[%zu,%zu]},"
             "\"u8\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[%zu,%zu]}}",
             N, 2 * (size_t)N, N, o_bf, o_bf + 2 * N, N, o_64, o_64 + 8 * N, o_32, o_32 + 12,
             o_16, o_16 + 6, o_8, o_8 + 3, o_u8, o_u8 + 3);
    char *path = tmp_path("conv.safetensors");
    write_st(path, json, -1, &d, sizeof d);
    AS_TEST_EQ(as_st_open(&f, path), AS_OK);
    if (f) {
        float out[N];
        AS_TEST_EQ(as_st_to_f32(f, as_st_find(f, "f16"), out), AS_OK);
        for (int i = 0; i < N; i++) /* f16: 11 significant bits, relative error <= 2^-11 */
            AS_TEST_NEAR(out[i], orig[i], fabs(orig[i]) * 0x1p-11 + 0x1p-25);
        AS_TEST_EQ(as_st_to_f32(f, as_st_find(f, "bf16"), out), AS_OK);
        for (int i = 0; i < N; i++) /* bf16 by truncation: 8 significant bits */
            AS_TEST_NEAR(out[i], orig[i], fabs(orig[i]) * 0x1p-7);
        AS_TEST_EQ(as_st_to_f32(f, as_st_find(f, "f64"), out), AS_OK);
        AS_TEST_TRUE(memcmp(out, orig, sizeof out) == 0);
        int64_t iv[3];
        const char *names[] = {"i32", "i16", "i8", "u8"};
        const int64_t want[4][3] = {{-7, 0, 2000000000}, {-300, 1, 32767}, {-128, -1, 127},
                                    {0, 128, 255}};
        for (int k = 0; k < 4; k++) {
            AS_TEST_EQ(as_st_to_i64(f, as_st_find(f, names[k]), iv), AS_OK);
            for (int i = 0; i < 3; i++)
                AS_TEST_EQ(iv[i], want[k][i]);
        }
        as_st_close(f);
    }
    free(path);
}

/* ---- writer ------------------------------------------------------------------------------ */

static void test_writer(void)
{
    as_st_writer *w = as_st_writer_create();
    const float a[6] = {1.5f, -2.0f, 0.0f, 3.25f, 1e-30f, -7.0f};
    const int64_t ids[4] = {0, -1, INT64_MAX, 1447};
    const float s = 42.0f;
    AS_TEST_EQ(as_st_writer_add_f32(w, "a.weight", 2, (const int64_t[]){2, 3}, a), AS_OK);
    AS_TEST_EQ(as_st_writer_add_i64(w, "ids", 1, (const int64_t[]){4}, ids), AS_OK);
    AS_TEST_EQ(as_st_writer_add_f32(w, "scalar", 0, NULL, &s), AS_OK);
    AS_TEST_EQ(as_st_writer_add_f32(w, "empty", 2, (const int64_t[]){0, 5}, NULL), AS_OK);
    AS_TEST_EQ(as_st_writer_add_f32(w, "we\"ird\\name\n", 1, (const int64_t[]){1}, &s), AS_OK);
    /* refused additions leave the writer unchanged */
    AS_TEST_EQ(as_st_writer_add_f32(w, "ids", 1, (const int64_t[]){1}, &s), AS_EINVAL);
    AS_TEST_EQ(as_st_writer_add_f32(w, "__metadata__", 1, (const int64_t[]){1}, &s), AS_EINVAL);
    AS_TEST_EQ(as_st_writer_add_f32(w, "neg", 1, (const int64_t[]){-1}, &s), AS_EINVAL);
    AS_TEST_EQ(as_st_writer_add_f32(w, "deep", AS_ST_MAX_DIMS + 1,
                                    (const int64_t[AS_ST_MAX_DIMS + 1]){1}, &s),
               AS_EINVAL);
    as_st_writer_meta(w, "format", "np");
    as_st_writer_meta(w, "note", "quote \" backslash \\ tab \t");
    as_st_writer_meta(w, "format", "pt"); /* replaces */

    char *path = tmp_path("round.safetensors");
    FILE *out = fopen(path, "wb");
    AS_TEST_TRUE(out != NULL);
    if (!out) {
        as_st_writer_destroy(w);
        free(path);
        return;
    }
    AS_TEST_EQ(as_st_writer_write(w, out, path), AS_OK);
    fclose(out);
    as_st_writer_destroy(w);

    /* layout as Hugging Face writes it: __metadata__ first, header padded to a multiple of 8 */
    char *raw;
    size_t len;
    AS_TEST_EQ(as_read_file(path, &raw, &len), AS_OK);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | (uint8_t)raw[i];
    AS_TEST_EQ(n % 8, 0);
    AS_TEST_EQ(len, 8 + n + sizeof a + sizeof ids + 2 * sizeof s);
    AS_TEST_TRUE(starts_with(raw + 8, "{\"__metadata__\":{\"format\":\"pt\",\"note\":"));
    free(raw);

    as_st_file *f;
    AS_TEST_EQ(as_st_open(&f, path), AS_OK);
    if (f) {
        AS_TEST_EQ(as_st_count(f), 5);
        AS_TEST_STR(as_st_at(f, 0)->name, "a.weight");
        AS_TEST_STR(as_st_at(f, 4)->name, "we\"ird\\name\n");
        AS_TEST_STR(as_st_metadata(f, "format"), "pt");
        AS_TEST_STR(as_st_metadata(f, "note"), "quote \" backslash \\ tab \t");
        float *fa;
        AS_TEST_EQ(as_st_load_f32(f, "a.weight", 2, (const int64_t[]){2, 3}, &fa), AS_OK);
        AS_TEST_TRUE(fa && memcmp(fa, a, sizeof a) == 0);
        free(fa);
        int64_t got[4];
        AS_TEST_EQ(as_st_to_i64(f, as_st_find(f, "ids"), got), AS_OK);
        AS_TEST_TRUE(memcmp(got, ids, sizeof ids) == 0);
        const as_st_tensor *t = as_st_find(f, "scalar");
        AS_TEST_TRUE(t && t->ndim == 0 && t->numel == 1);
        t = as_st_find(f, "empty");
        AS_TEST_TRUE(t && t->ndim == 2 && t->numel == 0 && t->nbytes == 0);
        as_st_close(f);
    }
    free(path);

    /* an empty writer gives a valid empty file */
    w = as_st_writer_create();
    path = tmp_path("empty.safetensors");
    out = fopen(path, "wb");
    AS_TEST_EQ(as_st_writer_write(w, out, path), AS_OK);
    fclose(out);
    as_st_writer_destroy(w);
    AS_TEST_EQ(as_st_open(&f, path), AS_OK);
    AS_TEST_EQ(f ? as_st_count(f) : 99, 0);
    as_st_close(f);
    free(path);
}

/* ---- bad files --------------------------------------------------------------------------- */

#define E(name, rest) "\"" name "\":{" rest "}"
#define F32_4x4 "\"dtype\":\"F32\",\"shape\":[4,4]"

typedef struct {
    const char *file;
    const char *json;  /* NULL: the file is just the first `data` bytes of a length field */
    long long hlen;    /* declared header length; -1 = the JSON's real length */
    size_t data;       /* bytes after the header */
    int code;
    const char *words[2]; /* expected in the message, after the path */
} bad_case;

static const bad_case bad_cases[] = {
    {"truncated", NULL, 0, 5, AS_EFORMAT, {"5 bytes", "too short"}},
    {"empty", NULL, 0, 0, AS_EFORMAT, {"0 bytes", "too short"}},
    {"hlen_past_eof", "{}", 1000, 0, AS_EFORMAT, {"header length 1000", "exceeds the file"}},
    {"hlen_zero", "{}", 0, 0, AS_EFORMAT, {"header length is 0", NULL}},
    {"not_json", "{\"a\": [1, 2", -1, 0, AS_EFORMAT, {"not valid JSON", NULL}},
    {"json_array", "[1, 2, 3]", -1, 0, AS_EFORMAT, {"not a JSON object", NULL}},
    {"trailing", "{} x", -1, 0, AS_EFORMAT, {"trailing bytes", NULL}},
    {"control_byte", "{\"a\x01\": 1}", -1, 0, AS_EFORMAT, {"control byte 0x01 at byte 11", NULL}},
    {"entry_not_object", "{\"x\": 3}", -1, 0, AS_EFORMAT, {"'x'", "not an object"}},
    {"unknown_dtype", "{" E("x", "\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]") "}",
     -1, 1, AS_EFORMAT, {"'x'", "unknown dtype 'Q4'"}},
    {"missing_dtype", "{" E("x", "\"shape\":[1],\"data_offsets\":[0,4]") "}", -1, 4, AS_EFORMAT,
     {"'x'", "missing dtype"}},
    {"negative_dim", "{" E("x", "\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,4]") "}",
     -1, 4, AS_EFORMAT, {"'x'", "dimension 1 is not a non-negative integer"}},
    {"fractional_dim", "{" E("x", "\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]") "}",
     -1, 4, AS_EFORMAT, {"'x'", "dimension 0 is not a non-negative integer"}},
    {"shape_not_array", "{" E("x", "\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]") "}",
     -1, 16, AS_EFORMAT, {"'x'", "shape is not an array"}},
    {"too_many_dims",
     "{" E("x", "\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]") "}", -1,
     1, AS_EFORMAT, {"'x'", "9 dims"}},
    {"numel_overflow",
     "{" E("x", "\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]") "}",
     -1, 4, AS_EFORMAT, {"'x'", "overflows"}},
    {"bytes_overflow",
     "{" E("x", "\"dtype\":\"F64\",\"shape\":[4294967296,1073741824],\"data_offsets\":[0,4]") "}",
     -1, 4, AS_EFORMAT, {"'x'", "overflows"}},
    {"missing_offsets", "{" E("x", F32_4x4) "}", -1, 64, AS_EFORMAT,
     {"'x'", "missing data_offsets"}},
    {"offsets_one_int", "{" E("x", F32_4x4 ",\"data_offsets\":[64]") "}", -1, 64, AS_EFORMAT,
     {"'x'", "data_offsets is not [begin, end]"}},
    {"offsets_negative", "{" E("x", F32_4x4 ",\"data_offsets\":[-64,0]") "}", -1, 64,
     AS_EFORMAT, {"'x'", "data_offsets is not [begin, end]"}},
    {"begin_gt_end", "{" E("x", F32_4x4 ",\"data_offsets\":[64,0]") "}", -1, 64, AS_EFORMAT,
     {"'x'", "[64, 0] has begin > end"}},
    {"past_data_area", "{" E("x", F32_4x4 ",\"data_offsets\":[16,80]") "}", -1, 64, AS_EFORMAT,
     {"'x'", "end beyond the data area (64 bytes)"}},
    /* the message the brief gives as its example */
    {"span_mismatch", "{" E("x.weight", F32_4x4 ",\"data_offsets\":[0,48]") "}", -1, 64,
     AS_EFORMAT,
     {"tensor 'x.weight': data_offsets [0, 48] span 48 bytes but shape [4, 4] F32 needs 64",
      NULL}},
    {"overlap",
     "{" E("a", F32_4x4 ",\"data_offsets\":[0,64]") "," E("b", F32_4x4 ",\"data_offsets\":[32,96]")
     "}", -1, 96, AS_EFORMAT, {"'a' and 'b'", "overlapping"}},
    /* header order is not data order: the check sorts by begin first */
    {"overlap_unsorted",
     "{" E("small", "\"dtype\":\"U8\",\"shape\":[16],\"data_offsets\":[200,216]") ","
     E("big", "\"dtype\":\"U8\",\"shape\":[256],\"data_offsets\":[0,256]") "}", -1, 256,
     AS_EFORMAT, {"'big' and 'small'", "overlapping"}},
    {"duplicate", "{" E("a", F32_4x4 ",\"data_offsets\":[0,64]") "," E("a", F32_4x4
     ",\"data_offsets\":[64,128]") "}", -1, 128, AS_EFORMAT, {"duplicate tensor 'a'", NULL}},
    {"metadata_not_strings", "{\"__metadata__\":{\"n\":3}}", -1, 0, AS_EFORMAT,
     {"__metadata__ value 'n'", "not a string"}},
};

static void test_bad_files(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        char *path = tmp_path(c->file);
        if (c->json) {
            write_st(path, c->json, c->hlen, NULL, c->data);
        } else {
            const uint8_t len[8] = {16};
            FILE *f = fopen(path, "wb");
            AS_ASSERT(f);
            fwrite(len, 1, c->data, f);
            fclose(f);
        }
        as_st_file *f = (as_st_file *)path; /* must be reset to NULL on failure */
        int rc = as_st_open(&f, path);
        const char *msg = as_last_error();
        AS_TEST_EQ(rc, c->code);
        AS_TEST_TRUE(f == NULL);
        AS_TEST_TRUE(starts_with(msg, path) && starts_with(msg + strlen(path), ": "));
        for (int k = 0; k < 2; k++)
            if (c->words[k] && !strstr(msg, c->words[k])) {
                AS_TEST_TRUE(!"expected words in the message");
                fprintf(stderr, "  case %s: \"%s\" not in \"%s\"\n", c->file, c->words[k], msg);
            }
        AS_TEST_TRUE(strchr(msg, '\n') == NULL);
        unlink(path);
        free(path);
    }

    /* a file that does not exist is an I/O error, not a format error */
    char *path = tmp_path("absent.safetensors");
    as_st_file *f;
    AS_TEST_EQ(as_st_open(&f, path), AS_EIO);
    AS_TEST_TRUE(starts_with(as_last_error(), path));
    free(path);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    static const fixture fixtures[] = {
        {"bert-tiny", 40, "embeddings.word_embeddings.weight", {1000, 32}, 2, "case0.attn.L0"},
        {"gpt2-tiny", 32, "transformer.wte.weight", {1257, 32}, 2, "case0.attn.L1"},
        {"marian-tiny", 86, "model.shared.weight", {1448, 32}, 2, "case0.cross.attn.L1"},
        {"vit-tiny", 40, "vit.embeddings.patch_embeddings.projection.weight", {32, 3, 8, 8}, 4,
         "case0.attn.L0"},
    };
    char *probe = as_xasprintf("%s/marian-tiny/config.json", as_test_fixtures());
    int have_fixtures = as_file_exists(probe);
    free(probe);
    if (have_fixtures) {
        for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
            test_fixture(&fixtures[i]);
        test_fixture_ints();
        test_conversions();
    } else {
        fprintf(stderr, "fixtures not found in %s: skipping the fixture checks\n",
                as_test_fixtures());
    }
    test_half_bits();
    test_writer();
    test_bad_files();

    char *files[] = {"half.safetensors", "conv.safetensors", "round.safetensors",
                     "empty.safetensors"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *p = tmp_path(files[i]);
        unlink(p);
        free(p);
    }
    rmdir(tmpdir);
    return as_test_result();
}
