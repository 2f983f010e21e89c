/* Golden test of a model family against <dir>/<fixture>/golden.safetensors (the shared fixtures
 * made by Hugging Face transformers, or tests/data ones made by tools/): token ids exact, every
 * attention map <= 1e-4, hidden states and logits <= 1e-3.
 * Every case runs twice: its text through the model's tokenizer (unless the folder has no
 * tokenizer files), and the golden input_ids (token_type_ids, and decoder_input_ids of a forced
 * target) directly through as_model_run_ids. Decoder-only models are also checked continuing the
 * text: the first new token is the argmax of the golden last logit row, and the maps of the
 * longer sequence keep the golden prompt maps in their top-left corner (causal attention).
 * Usage: test_golden FIXTURE DEVICE [DIR]   (DEVICE: cpu, or anything else for Vulkan; DIR
 * defaults to the shared fixtures). AS_TEST_STORE=qk runs with a Q/K store (attn.h: every head
 * is then recomputed from the kept queries and keys) and checks that the store is one. */
#include "attnscope/model.h"
#include "attnscope/st.h"

#include "../test.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define ATTN_TOL 1e-4
#define LOGIT_TOL 1e-3
#define HIDDEN_TOL 1e-3

static const as_st_file *golden;
static double max_attn_err, max_logit_err, max_hidden_err;
static as_store_mode store_mode; /* AS_TEST_STORE */

/* Golden tensor `case.name` as floats / ints (NULL if absent). */
static float *golden_f32(const char *cs, const char *name, size_t *n)
{
    char *full = as_xasprintf("%s.%s", cs, name);
    const as_st_tensor *t = as_st_find(golden, full);
    free(full);
    if (!t)
        return NULL;
    float *v = as_xmalloc(sizeof(float) * (t->numel ? t->numel : 1));
    AS_TEST_EQ(as_st_to_f32(golden, t, v), AS_OK);
    *n = t->numel;
    return v;
}

static int64_t *golden_i64(const char *cs, const char *name, size_t *n)
{
    char *full = as_xasprintf("%s.%s", cs, name);
    const as_st_tensor *t = as_st_find(golden, full);
    free(full);
    if (!t)
        return NULL;
    int64_t *v = as_xmalloc(sizeof(int64_t) * (t->numel ? t->numel : 1));
    AS_TEST_EQ(as_st_to_i64(golden, t, v), AS_OK);
    *n = t->numel;
    return v;
}

static void check_ids(const char *cs, const char *name, const as_attn_axis_tokens *ax)
{
    size_t n = 0;
    int64_t *want = golden_i64(cs, name, &n);
    AS_TEST_TRUE(want != NULL);
    if (!want)
        return;
    AS_TEST_EQ(ax->n, n);
    for (size_t i = 0; i < n && (int)i < ax->n; i++)
        AS_TEST_EQ(ax->ids[i], want[i]);
    free(want);
}

/* Compares every layer of a kind; the store may hold `extra` more rows and columns than the
 * golden (a continued sequence), compared on the golden's [q, k] corner. */
static void check_maps(const char *cs, const as_attn *a, as_attn_kind kind, int extra)
{
    const as_attn_map *m = &a->map[kind];
    int q = m->q - extra, kk = m->k - extra;
    for (int l = 0; l < m->layers; l++) {
        char *name = as_attn_export_name(a, kind, l);
        size_t n = 0;
        float *want = golden_f32(cs, name, &n);
        AS_TEST_TRUE(want != NULL);
        AS_TEST_EQ(n, (size_t)m->heads * q * kk);
        double worst = 0.0;
        int masked_nonzero = 0; /* masked positions are exactly 0 in the goldens and must be here */
        for (int h = 0; want && h < m->heads && n == (size_t)m->heads * q * kk; h++)
            for (int i = 0; i < q; i++)
                for (int j = 0; j < kk; j++) {
                    float got = as_attn_head(a, kind, l, h)[(size_t)i * m->k + j];
                    float ref = want[((size_t)h * q + i) * kk + j];
                    double d = fabs((double)got - ref);
                    worst = d > worst ? d : worst;
                    masked_nonzero += ref == 0.0f && got != 0.0f;
                }
        AS_TEST_EQ(masked_nonzero, 0);
        if (worst > ATTN_TOL)
            fprintf(stderr, "%s %s: max error %g\n", cs, name, worst);
        AS_TEST_TRUE(worst <= ATTN_TOL);
        max_attn_err = worst > max_attn_err ? worst : max_attn_err;
        free(want);
        free(name);
    }
}

static void check_hidden(const char *cs, const as_attn *a, as_attn_axis axis)
{
    const as_attn_hidden *hs = &a->hidden[axis];
    size_t per = (size_t)hs->rows * hs->dim;
    for (int l = 0; l < hs->states; l++) {
        char *name = as_attn_hidden_name(a, axis, l);
        size_t n = 0;
        float *want = golden_f32(cs, name, &n);
        AS_TEST_TRUE(want != NULL);
        AS_TEST_EQ(n, per);
        double worst = 0.0;
        for (size_t i = 0; want && n == per && i < n; i++) {
            double d = fabs((double)hs->h[l * per + i] - want[i]);
            worst = d > worst ? d : worst;
        }
        if (worst > HIDDEN_TOL)
            fprintf(stderr, "%s %s: max error %g\n", cs, name, worst);
        AS_TEST_TRUE(worst <= HIDDEN_TOL);
        max_hidden_err = worst > max_hidden_err ? worst : max_hidden_err;
        free(want);
        free(name);
    }
}

static void check_logits(const char *cs, const as_attn *a)
{
    size_t n = 0;
    float *want = golden_f32(cs, "logits", &n);
    if (!want)
        return;
    AS_TEST_EQ(n, (size_t)a->logits_rows * a->logits_cols);
    double worst = 0.0;
    for (size_t i = 0; a->logits && i < n && n == (size_t)a->logits_rows * a->logits_cols; i++) {
        double d = fabs((double)a->logits[i] - want[i]);
        worst = d > worst ? d : worst;
    }
    AS_TEST_TRUE(worst <= LOGIT_TOL);
    max_logit_err = worst > max_logit_err ? worst : max_logit_err;
    free(want);
}

/* The preprocessed image of a vision case vs the golden pixel_values (<= 1e-5: the image
 * processor's arithmetic is reproduced, not approximated). */
static void check_pixels(const char *cs, const as_attn *a)
{
    size_t n = 0;
    float *want = golden_f32(cs, "pixel_values", &n);
    const as_attn_image *im = &a->image;
    AS_TEST_TRUE(want != NULL);
    AS_TEST_EQ(n, (size_t)3 * im->in_w * im->in_h);
    double worst = 0.0;
    for (size_t i = 0; want && n == (size_t)3 * im->in_w * im->in_h && i < n; i++) {
        double d = fabs((double)im->pixel_values[i] - want[i]);
        worst = d > worst ? d : worst;
    }
    AS_TEST_TRUE(worst <= 1e-5);
    free(want);
}

/* Runs a case: its image (vision), its text through the tokenizer, or without one the golden
 * ids. */
static int run_case(as_model *m, const char *cs, const cJSON *c, as_run_opts *o, as_attn *a,
                    int use_ids)
{
    const cJSON *image = cJSON_GetObjectItem(c, "image");
    if (cJSON_IsString(image)) {
        char *path = as_path_join(as_model_dir(m), image->valuestring);
        o->image = path;
        int rc = as_model_run(m, o, a);
        o->image = NULL;
        free(path);
        return rc;
    }
    const cJSON *src = cJSON_GetObjectItem(c, "source");
    const cJSON *tgt = cJSON_GetObjectItem(c, "target");
    const cJSON *pair = cJSON_GetObjectItem(c, "pair");
    o->src = cJSON_IsString(src) ? src->valuestring
                                 : cJSON_GetObjectItem(c, "text")->valuestring;
    o->tgt = cJSON_IsString(tgt) ? tgt->valuestring : NULL;
    o->pair = cJSON_IsString(pair) ? pair->valuestring : NULL;
    if (!use_ids)
        return as_model_run(m, o, a);
    size_t n = 0, nt = 0, nd = 0;
    int64_t *ids = golden_i64(cs, "input_ids", &n);
    int64_t *types = golden_i64(cs, "token_type_ids", &nt);
    int64_t *dec = o->tgt ? golden_i64(cs, "decoder_input_ids", &nd) : NULL;
    AS_TEST_TRUE(ids != NULL && (!o->tgt || nd > 1));
    int32_t *ids32 = as_xcalloc(n + 1, sizeof(int32_t)), *types32 = NULL, *dec32 = NULL;
    for (size_t i = 0; i < n; i++)
        ids32[i] = (int32_t)ids[i];
    if (types) {
        types32 = as_xcalloc(nt + 1, sizeof(int32_t));
        for (size_t i = 0; i < nt; i++)
            types32[i] = (int32_t)types[i];
    }
    if (dec) { /* decoder_input_ids = start token + target */
        dec32 = as_xcalloc(nd, sizeof(int32_t));
        for (size_t i = 1; i < nd; i++)
            dec32[i - 1] = (int32_t)dec[i];
    }
    as_model_ids in = {.src = ids32, .n_src = (int)n, .type_ids = types32, .tgt = dec32,
                       .n_tgt = dec ? (int)nd - 1 : 0};
    int rc = as_model_run_ids(m, &in, o, a);
    free(ids);
    free(types);
    free(dec);
    free(ids32);
    free(types32);
    free(dec32);
    return rc;
}

/* Decoder-only continuation of a case by up to 2 tokens (see the header comment). */
static void check_continuation(as_model *m, const char *cs, const cJSON *c)
{
    as_run_opts o = {.max_new_tokens = 2};
    as_attn a;
    int rc = run_case(m, cs, c, &o, &a, 1);
    AS_TEST_EQ(rc, AS_OK);
    if (rc != AS_OK)
        return;
    size_t n = 0, nl = 0;
    int64_t *ids = golden_i64(cs, "input_ids", &n);
    float *logits = golden_f32(cs, "logits", &nl);
    AS_TEST_TRUE(ids && logits && a.n_generated >= 1 && a.axis[AS_AXIS_SOURCE].n > (int)n);
    if (ids && logits && a.n_generated >= 1 && a.axis[AS_AXIS_SOURCE].n > (int)n) {
        size_t V = nl / n, best = 0;
        const float *last = logits + (n - 1) * V;
        for (size_t v = 1; v < V; v++)
            best = last[v] > last[best] ? v : best;
        AS_TEST_EQ(a.axis[AS_AXIS_SOURCE].ids[n], (int32_t)best);
        check_maps(cs, &a, AS_ATTN_ENCODER, a.n_generated);
    }
    free(ids);
    free(logits);
    as_attn_deinit(&a);
}

/* One run of a case and every comparison with the golden tensors. */
static void check_run(as_model *m, const char *cs, const cJSON *c, int use_ids, int vision)
{
    int encdec = as_model_cfg(m)->is_encoder_decoder;
    as_run_opts o = {.max_new_tokens = encdec ? 16 : 0, .want_logits = 1, .want_hidden = 1,
                     .store = store_mode};
    as_attn a;
    int rc = run_case(m, cs, c, &o, &a, use_ids);
    if (rc != AS_OK)
        fprintf(stderr, "%s: run: %s\n", cs, as_last_error());
    AS_TEST_EQ(rc, AS_OK);
    if (rc != AS_OK)
        return;
    AS_TEST_EQ(a.map[AS_ATTN_ENCODER].qk != NULL, store_mode == AS_STORE_QK);
    if (vision)
        check_pixels(cs, &a);
    else
        check_ids(cs, "input_ids", &a.axis[AS_AXIS_SOURCE]);
    if (a.map[AS_ATTN_DECODER].layers) {
        check_ids(cs, "decoder_input_ids", &a.axis[AS_AXIS_TARGET]);
        if (!o.tgt)
            check_ids(cs, "generated_ids", &a.axis[AS_AXIS_TARGET]);
    }
    for (int kind = 0; kind < AS_ATTN_KINDS; kind++)
        check_maps(cs, &a, (as_attn_kind)kind, 0);
    check_hidden(cs, &a, AS_AXIS_SOURCE);
    check_hidden(cs, &a, AS_AXIS_TARGET);
    check_logits(cs, &a);
    as_attn_deinit(&a);
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s FIXTURE DEVICE [DIR]\n", argv[0]);
        return 2;
    }
    const char *st = getenv("AS_TEST_STORE");
    store_mode = st && strcmp(st, "qk") == 0 ? AS_STORE_QK : AS_STORE_AUTO;
    char *dir = as_xasprintf("%s/%s", argc == 4 ? argv[3] : as_test_fixtures(), argv[1]);
    char *gpath = as_xasprintf("%s/golden.safetensors", dir);
    char *ipath = as_xasprintf("%s/inputs.json", dir);
    as_kern *k = NULL;
    int rc = as_kern_create(&k, argv[2]);
    if (rc == AS_ENODEV) {
        printf("SKIP: no Vulkan device: %s\n", as_last_error());
        return AS_TEST_SKIP;
    }
    AS_TEST_EQ(rc, AS_OK);
    as_st_file *g = NULL;
    AS_TEST_EQ(as_st_open(&g, gpath), AS_OK);
    golden = g;
    as_model *m = NULL;
    rc = as_model_load(&m, dir, k);
    if (rc != AS_OK)
        fprintf(stderr, "load: %s\n", as_last_error());
    AS_TEST_EQ(rc, AS_OK);

    char *json = NULL;
    AS_TEST_EQ(as_read_file(ipath, &json, NULL), AS_OK);
    cJSON *root = cJSON_Parse(json);
    const cJSON *cases = cJSON_GetObjectItem(root, "cases"), *c;
    AS_TEST_TRUE(cJSON_GetArraySize(cases) > 0);
    cJSON_ArrayForEach(c, cases)
    {
        const char *cs = cJSON_GetObjectItem(c, "id")->valuestring;
        int encdec = as_model_cfg(m)->is_encoder_decoder;
        int vision = cJSON_IsString(cJSON_GetObjectItem(c, "image"));
        /* text: through the tokenizer, then the golden ids; an image: once */
        for (int use_ids = as_model_tok(m) || vision ? 0 : 1; use_ids < 2 - vision; use_ids++)
            check_run(m, cs, c, use_ids, vision);
        char *lname = as_xasprintf("%s.logits", cs);
        if (!encdec && !vision && as_st_find(golden, lname)) /* a language model: continue */
            check_continuation(m, cs, c);
        free(lname);
    }
    printf("%s on %s%s: max error attention %.3g, hidden states %.3g, logits %.3g\n", argv[1],
           as_kern_name(k), store_mode == AS_STORE_QK ? " (Q/K store)" : "", max_attn_err,
           max_hidden_err, max_logit_err);
    cJSON_Delete(root);
    free(json);
    as_model_destroy(m);
    as_st_close(g);
    as_kern_destroy(k);
    free(dir);
    free(gpath);
    free(ipath);
    return as_test_result();
}
