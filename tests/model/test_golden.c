/* Golden test of a model family against ../shared/fixtures/<fixture>/golden.safetensors (made by
 * Hugging Face transformers): token ids exact, every attention map <= 1e-4, logits <= 1e-3.
 * Usage: test_golden FIXTURE DEVICE   (DEVICE: cpu, or anything else for Vulkan). */
#include "attnscope/model.h"
#include "attnscope/st.h"

#include "../test.h"

#include <cJSON.h>
#include <stdlib.h>

#define ATTN_TOL 1e-4
#define LOGIT_TOL 1e-3

static const as_st_file *golden;
static double max_attn_err, max_logit_err;

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

static void check_maps(const char *cs, const as_attn *a, as_attn_kind kind)
{
    const as_attn_map *m = &a->map[kind];
    for (int l = 0; l < m->layers; l++) {
        char *name = as_attn_export_name(a, kind, l);
        size_t n = 0;
        float *want = golden_f32(cs, name, &n);
        AS_TEST_TRUE(want != NULL);
        AS_TEST_EQ(n, (size_t)m->heads * m->q * m->k);
        double worst = 0.0;
        for (size_t i = 0; want && i < n && n == (size_t)m->heads * m->q * m->k; i++) {
            double d = fabs((double)as_attn_head(a, kind, l, 0)[i] - want[i]);
            worst = d > worst ? d : worst;
        }
        if (worst > ATTN_TOL)
            fprintf(stderr, "%s %s: max error %g\n", cs, name, worst);
        AS_TEST_TRUE(worst <= ATTN_TOL);
        max_attn_err = worst > max_attn_err ? worst : max_attn_err;
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

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FIXTURE DEVICE\n", argv[0]);
        return 2;
    }
    char *dir = as_xasprintf("%s/%s", as_test_fixtures(), argv[1]);
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
        const cJSON *tgt = cJSON_GetObjectItem(c, "target");
        as_run_opts o = {.src = cJSON_GetObjectItem(c, "source")->valuestring,
                         .tgt = cJSON_IsString(tgt) ? tgt->valuestring : NULL,
                         .max_new_tokens = 16,
                         .want_logits = 1};
        as_attn a;
        rc = as_model_run(m, &o, &a);
        if (rc != AS_OK)
            fprintf(stderr, "%s: run: %s\n", cs, as_last_error());
        AS_TEST_EQ(rc, AS_OK);
        if (rc != AS_OK)
            continue;
        check_ids(cs, "input_ids", &a.axis[AS_AXIS_SOURCE]);
        if (a.map[AS_ATTN_DECODER].layers) {
            check_ids(cs, "decoder_input_ids", &a.axis[AS_AXIS_TARGET]);
            if (!o.tgt)
                check_ids(cs, "generated_ids", &a.axis[AS_AXIS_TARGET]);
        }
        for (int kind = 0; kind < AS_ATTN_KINDS; kind++)
            check_maps(cs, &a, (as_attn_kind)kind);
        check_logits(cs, &a);
        as_attn_deinit(&a);
    }
    printf("%s on %s: max attention error %.3g, max logit error %.3g\n", argv[1], as_kern_name(k),
           max_attn_err, max_logit_err);
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
