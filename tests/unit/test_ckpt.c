/* io/ckpt: pytorch_model.bin, F16/BF16 safetensors and 3-shard variants of the marian-tiny and
 * bert-tiny fixture weights (tests/data/ckpt, made by tools/make_ckpt_testdata.py with torch)
 * give the fixture's F32 floats; small hand-made .bin files; hostile and broken inputs give one
 * line naming the file. */
#include "attnscope/ckpt.h"

#include "../../src/io/ckpt_internal.h"
#include "../test.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AS_TEST_DATA_DIR
#define AS_TEST_DATA_DIR "tests/data"
#endif

static char tmp_root[] = "/tmp/as_test_ckpt_XXXXXX";

/* ---- helpers ----------------------------------------------------------------------------- */

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    AS_TEST_TRUE(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A fresh empty folder under tmp_root. */
static char *new_dir(const char *name)
{
    char *d = as_xasprintf("%s/%s", tmp_root, name);
    AS_TEST_EQ(mkdir(d, 0700), 0);
    return d;
}

/* Opening dir must fail with a one-line message containing want and the file name `file`. */
static void expect_error(const char *dir, const char *file, const char *want)
{
    as_ckpt *ck = NULL;
    int rc = as_ckpt_open(&ck, dir);
    const char *msg = as_last_error();
    AS_TEST_TRUE(rc != AS_OK);
    AS_TEST_TRUE(ck == NULL);
    AS_TEST_TRUE(strchr(msg, '\n') == NULL);
    if (!strstr(msg, want) || !strstr(msg, file)) {
        fprintf(stderr, "error '%s' lacks '%s' or '%s'\n", msg, want, file);
        AS_TEST_TRUE(0);
    }
    as_ckpt_close(ck);
}

/* ---- variants vs the F32 fixture --------------------------------------------------------- */

/* Max |variant - f32| over float tensors; tol_rel bounds |d| <= tol_rel*|ref| + 2^-25 (round to
 * nearest of f16 / bf16: relative error 2^-11 / 2^-8, f16 subnormals absolute 2^-25). */
static double compare(const as_st_file *ref, const as_ckpt *ck, double tol_rel)
{
    double worst = 0;
    for (size_t i = 0; i < as_st_count(ref); i++) {
        const as_st_tensor *r = as_st_at(ref, i), *t = as_ckpt_find(ck, r->name);
        AS_TEST_TRUE(t != NULL);
        if (!t)
            continue;
        AS_TEST_EQ(t->ndim, r->ndim);
        for (int d = 0; d < r->ndim && d < t->ndim; d++)
            AS_TEST_EQ(t->shape[d], r->shape[d]);
        if (r->dtype == AS_DT_I64) {
            AS_TEST_EQ(t->dtype, AS_DT_I64);
            AS_TEST_TRUE(t->nbytes == r->nbytes && memcmp(t->data, r->data, r->nbytes) == 0);
            continue;
        }
        float *want = as_xmalloc(r->numel * sizeof(float) + 1), *got = NULL;
        AS_TEST_EQ(as_st_to_f32(ref, r, want), AS_OK);
        AS_TEST_EQ(as_ckpt_load_f32(ck, r->name, r->ndim, r->shape, &got), AS_OK);
        size_t bad = 0;
        for (size_t j = 0; got && j < r->numel; j++) {
            double d = fabs((double)got[j] - want[j]);
            worst = d > worst ? d : worst;
            bad += d > tol_rel * fabs(want[j]) + 0x1p-25;
        }
        AS_TEST_EQ(bad, 0);
        free(want);
        free(got);
    }
    return worst;
}

static void check_fixture(const char *fx)
{
    char *ref_path = as_xasprintf("%s/%s/model.safetensors", as_test_fixtures(), fx);
    as_st_file *ref = NULL;
    AS_TEST_EQ(as_st_open(&ref, ref_path), AS_OK);
    if (!ref) {
        free(ref_path);
        return;
    }
    static const struct {
        const char *sub, *desc;
        double tol;
    } variants[] = {
        {"", "pytorch_model.bin (pickle)", 0},
        {"/f16", "model.safetensors", 0x1p-11},
        {"/bf16", "model.safetensors", 0x1p-8},
        {"/shards", "3 safetensors shards", 0},
    };
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        char *dir = as_xasprintf("%s/ckpt/%s%s", AS_TEST_DATA_DIR, fx, variants[v].sub);
        as_ckpt *ck = NULL;
        int rc = as_ckpt_open(&ck, dir);
        if (rc)
            fprintf(stderr, "%s: %s\n", dir, as_last_error());
        AS_TEST_EQ(rc, AS_OK);
        if (ck) {
            AS_TEST_STR(as_ckpt_describe(ck), variants[v].desc);
            double worst = compare(ref, ck, variants[v].tol);
            printf("%s%s: %zu tensors, max |diff| vs F32 %.3g\n", fx, variants[v].sub,
                   as_ckpt_count(ck), worst);
            if (variants[v].tol == 0)
                AS_TEST_TRUE(worst == 0);
            else
                AS_TEST_TRUE(worst > 0); /* the variant really is reduced precision */
        }
        as_ckpt_close(ck);
        free(dir);
    }

    /* the fixture folder itself: a single model.safetensors */
    char *fdir = as_xasprintf("%s/%s", as_test_fixtures(), fx);
    as_ckpt *ck = NULL;
    AS_TEST_EQ(as_ckpt_open(&ck, fdir), AS_OK);
    if (ck) {
        AS_TEST_STR(as_ckpt_describe(ck), "model.safetensors");
        AS_TEST_EQ(as_ckpt_count(ck), as_st_count(ref));
        AS_TEST_EQ(compare(ref, ck, 0), 0);
    }
    as_ckpt_close(ck);
    free(fdir);
    as_st_close(ref);
    free(ref_path);
}

/* Shared storages in the .bin files: tied embeddings are one view; bert's q/k/v are row slices
 * of one fused storage at offsets 0, d*d, 2*d*d. */
static void check_sharing(void)
{
    char *dir = as_xasprintf("%s/ckpt/marian-tiny", AS_TEST_DATA_DIR);
    as_ckpt *ck = NULL;
    AS_TEST_EQ(as_ckpt_open(&ck, dir), AS_OK);
    if (ck) {
        const as_st_tensor *s = as_ckpt_find(ck, "model.shared.weight");
        const char *tied[] = {"model.encoder.embed_tokens.weight",
                              "model.decoder.embed_tokens.weight", "lm_head.weight"};
        for (int i = 0; i < 3; i++) {
            const as_st_tensor *t = as_ckpt_find(ck, tied[i]);
            AS_TEST_TRUE(s && t && t->data == s->data && t->nbytes == s->nbytes);
        }
    }
    as_ckpt_close(ck);
    free(dir);

    dir = as_xasprintf("%s/ckpt/bert-tiny", AS_TEST_DATA_DIR);
    AS_TEST_EQ(as_ckpt_open(&ck, dir), AS_OK);
    if (ck) {
        const char *pre = "encoder.layer.1.attention.self.";
        char *q = as_xasprintf("%squery.weight", pre), *k = as_xasprintf("%skey.weight", pre),
             *v = as_xasprintf("%svalue.weight", pre);
        const as_st_tensor *tq = as_ckpt_find(ck, q), *tk = as_ckpt_find(ck, k),
                           *tv = as_ckpt_find(ck, v);
        AS_TEST_TRUE(tq && tk && tv);
        if (tq && tk && tv) {
            AS_TEST_TRUE(tk->data == tq->data + tq->nbytes);
            AS_TEST_TRUE(tv->data == tk->data + tk->nbytes);
        }
        free(q);
        free(k);
        free(v);
    }
    as_ckpt_close(ck);
    free(dir);
}

/* ---- small .bin files -------------------------------------------------------------------- */

/* tmp_root/<name>/pytorch_model.bin -> a copy of tests/data/ckpt/<file>. */
static char *bin_dir(const char *name, const char *file)
{
    char *d = new_dir(name);
    char *from = as_xasprintf("%s/ckpt/%s", AS_TEST_DATA_DIR, file);
    char *to = as_xasprintf("%s/pytorch_model.bin", d);
    as_test_copy_file(from, to);
    free(from);
    free(to);
    return d;
}

static void check_dtypes(void)
{
    /* made by torch from arange: h = [[0,1,2],[3,4,5]] half, b = [0,1,2,3] bfloat16,
     * l = [0..4] int64, s = row 1 of arange(4).reshape(2, 2) = [2, 3] (storage offset 2) */
    char *d = bin_dir("dtypes", "dtypes.bin");
    as_ckpt *ck = NULL;
    AS_TEST_EQ(as_ckpt_open(&ck, d), AS_OK);
    if (ck) {
        AS_TEST_EQ(as_ckpt_count(ck), 4);
        AS_TEST_STR(as_ckpt_at(ck, 0)->name, "h"); /* pickle order */
        float *v = NULL;
        int64_t hs[2] = {2, 3}, bs[1] = {4}, ss[1] = {2}, ls[1] = {5};
        AS_TEST_EQ(as_ckpt_load_f32(ck, "h", 2, hs, &v), AS_OK);
        for (int i = 0; v && i < 6; i++)
            AS_TEST_EQ(v[i], i);
        free(v);
        AS_TEST_EQ(as_ckpt_load_f32(ck, "b", 1, bs, &v), AS_OK);
        for (int i = 0; v && i < 4; i++)
            AS_TEST_EQ(v[i], i);
        free(v);
        AS_TEST_EQ(as_ckpt_load_f32(ck, "s", 1, ss, &v), AS_OK);
        AS_TEST_TRUE(v && v[0] == 2 && v[1] == 3);
        free(v);
        const as_st_tensor *l = as_ckpt_find(ck, "l");
        AS_TEST_TRUE(l && l->dtype == AS_DT_I64 && l->numel == 5);
        for (int i = 0; l && i < 5; i++) {
            int64_t x;
            memcpy(&x, l->data + 8 * i, 8);
            AS_TEST_EQ(x, i);
        }
        /* errors of as_ckpt_load_f32 name the file holding the tensor */
        AS_TEST_EQ(as_ckpt_load_f32(ck, "l", 1, ls, &v), AS_EFORMAT);
        AS_TEST_TRUE(strstr(as_last_error(), "expected a float type") != NULL);
        AS_TEST_EQ(as_ckpt_load_f32(ck, "nope", 1, ls, &v), AS_EFORMAT);
        AS_TEST_TRUE(strstr(as_last_error(), "pytorch_model.bin: missing tensor 'nope'") != NULL);
        AS_TEST_EQ(as_ckpt_load_f32(ck, "h", 1, ls, &v), AS_EFORMAT);
        AS_TEST_TRUE(strstr(as_last_error(), "pytorch_model.bin: tensor 'h' has shape [2, 3] but "
                                             "config.json implies [5]") != NULL);
    }
    as_ckpt_close(ck);
    free(d);
}

static void check_bad_bins(void)
{
    static const struct {
        const char *file, *want;
    } cases[] = {
        {"noncontig.bin", "tensor 'w' is not contiguous"},
        {"bad_opcode.bin", "unexpected pickle opcode 0x47 'G'"},
        {"bad_global.bin", "refusing global 'posix.system'"},
        {"compressed.bin", "is compressed (method 8)"},
        {"truncated.bin", "no zip end-of-central-directory record"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *d = bin_dir(cases[i].file, cases[i].file);
        expect_error(d, "pytorch_model.bin", cases[i].want);
        free(d);
    }
}

/* Pickles fed straight to the unpickler (hand-written opcodes). */
#define S(lit) lit, sizeof lit - 1
static void check_pickle_bounds(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *want; /* NULL: must succeed with 0 tensors */
    } cases[] = {
        {S("\x80\x02}."), NULL},                           /* PROTO 2, EMPTY_DICT, STOP */
        {S("\x80\x02}"), "pickle ends without STOP"},
        {S("\x80\x02}r\x00\x00\x10\x00."), "memo index above"}, /* LONG_BINPUT 1048576 */
        {S("h\x05"), "memo read of an empty slot"},
        {S("}(q\x00"), "memo store from an empty stack"}, /* BINPUT right after MARK */
        {S("\x80\x02}0."), "unexpected pickle opcode 0x30 '0'"}, /* POP */
        {S("}(K\x01K\x02K\x03u."), "odd number of dict keys"},
        {S("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01."), "wider than 64 bits"},
        {S("X\xff\xff\xff\x7f"), "operand runs past the end"},
        {S("K\x01."), "not a single dict of tensors"},
        {S("cbuiltins\neval\n."), "refusing global 'builtins.eval'"},
        {S("}.x"), "1 bytes after STOP"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        as_pickle_tensor *t = NULL;
        size_t n = 99;
        int rc = as_pickle_state_dict((const uint8_t *)cases[i].bytes, cases[i].len, "p.bin", &t,
                                      &n);
        if (!cases[i].want) {
            AS_TEST_EQ(rc, AS_OK);
            AS_TEST_EQ(n, 0);
        } else {
            AS_TEST_EQ(rc, AS_EFORMAT);
            if (!strstr(as_last_error(), cases[i].want) || !strstr(as_last_error(), "p.bin"))
                fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, as_last_error(), cases[i].want);
            AS_TEST_TRUE(strstr(as_last_error(), cases[i].want) != NULL);
        }
        as_pickle_free(t, n);
    }
    /* 65 nested MARKs: one more than the cap */
    char deep[AS_CKPT_MAX_DEPTH + 2];
    memset(deep, '(', sizeof deep - 1);
    deep[sizeof deep - 1] = '.';
    as_pickle_tensor *t = NULL;
    size_t n = 0;
    AS_TEST_EQ(as_pickle_state_dict((const uint8_t *)deep, sizeof deep, "p.bin", &t, &n),
               AS_EFORMAT);
    AS_TEST_TRUE(strstr(as_last_error(), "MARKs nested deeper than 64") != NULL);
}

/* ---- shard index ------------------------------------------------------------------------- */

/* A copy of marian-tiny/shards in tmp_root/<name> whose index maps `tensor` to `shard`. */
static char *shard_dir(const char *name, const char *tensor, const char *shard)
{
    char *d = new_dir(name);
    for (int i = 1; i <= 3; i++) {
        char *from = as_xasprintf("%s/ckpt/marian-tiny/shards/model-%05d-of-00003.safetensors",
                                  AS_TEST_DATA_DIR, i);
        char *to = as_xasprintf("%s/model-%05d-of-00003.safetensors", d, i);
        as_test_copy_file(from, to);
        free(from);
        free(to);
    }
    char *ipath = as_xasprintf("%s/ckpt/marian-tiny/shards/model.safetensors.index.json",
                               AS_TEST_DATA_DIR);
    char *text = NULL;
    AS_TEST_EQ(as_read_file(ipath, &text, NULL), AS_OK);
    cJSON *root = cJSON_Parse(text);
    cJSON *map = cJSON_GetObjectItem(root, "weight_map");
    AS_TEST_TRUE(cJSON_GetObjectItem(map, tensor) != NULL);
    cJSON_ReplaceItemInObject(map, tensor, cJSON_CreateString(shard));
    char *out = cJSON_Print(root);
    char *opath = as_xasprintf("%s/model.safetensors.index.json", d);
    write_text(opath, out);
    free(opath);
    free(out);
    cJSON_Delete(root);
    free(text);
    free(ipath);
    return d;
}

static void check_bad_shards(void)
{
    const char *t = "model.encoder.layers.0.fc1.bias";
    static const struct {
        const char *name, *shard, *want;
    } cases[] = {
        {"dotdot", "../model-00001-of-00003.safetensors", "leaves the model folder ('..')"},
        {"absolute", "/etc/passwd", "shard path '/etc/passwd' is not relative"},
        {"missing", "model-00004-of-00003.safetensors", "is missing"},
        {"wrong", "model-00003-of-00003.safetensors", "which does not hold it"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *d = shard_dir(cases[i].name, t, cases[i].shard);
        expect_error(d, "model.safetensors.index.json", cases[i].want);
        free(d);
    }

    /* a symlink inside the folder leading to a file outside it */
    char *d = shard_dir("symlink", t, "link.safetensors");
    char *target = as_xasprintf("%s/marian-tiny/model.safetensors", as_test_fixtures());
    char *link = as_xasprintf("%s/link.safetensors", d);
    AS_TEST_EQ(symlink(target, link), 0);
    expect_error(d, "model.safetensors.index.json", "outside the model folder");
    free(target);
    free(link);
    free(d);

    /* the same tensors in two shards: a copy of shard 1 that the index also uses */
    d = shard_dir("duplicate", t, "copy.safetensors");
    char *from = as_xasprintf("%s/model-00001-of-00003.safetensors", d);
    char *to = as_xasprintf("%s/copy.safetensors", d);
    as_test_copy_file(from, to);
    expect_error(d, "model-00001-of-00003.safetensors", "is also in");
    free(from);
    free(to);
    free(d);

    /* no weights at all */
    d = new_dir("empty");
    expect_error(d, "empty", "no weights found (model.safetensors, model.safetensors.index.json "
                             "or pytorch_model.bin)");
    free(d);

    /* load errors name the index (missing) or the shard holding the tensor (shape) */
    char *real = as_xasprintf("%s/ckpt/marian-tiny/shards", AS_TEST_DATA_DIR);
    as_ckpt *ck = NULL;
    AS_TEST_EQ(as_ckpt_open(&ck, real), AS_OK);
    if (ck) {
        float *v = NULL;
        int64_t s[1] = {7};
        AS_TEST_EQ(as_ckpt_load_f32(ck, "nope", 1, s, &v), AS_EFORMAT);
        AS_TEST_TRUE(strstr(as_last_error(), "model.safetensors.index.json: missing tensor") !=
                     NULL);
        const as_st_tensor *st = as_ckpt_find(ck, "final_logits_bias");
        AS_TEST_TRUE(st != NULL);
        AS_TEST_EQ(as_ckpt_load_f32(ck, "final_logits_bias", 1, s, &v), AS_EFORMAT);
        if (st)
            AS_TEST_TRUE(strstr(as_last_error(), as_ckpt_file_of(ck, st)) != NULL);
        AS_TEST_TRUE(strstr(as_last_error(), "-of-00003.safetensors: tensor 'final_logits_bias' "
                                             "has shape [1, 1448] but config.json implies [7]") !=
                     NULL);
    }
    as_ckpt_close(ck);
    free(real);
}

static void remove_tree(const char *dir)
{
    char *cmd = as_xasprintf("rm -rf '%s'", dir);
    AS_TEST_EQ(system(cmd), 0);
    free(cmd);
}

int main(void)
{
    char *probe = as_xasprintf("%s/marian-tiny/model.safetensors", as_test_fixtures());
    if (!as_file_exists(probe)) {
        printf("SKIP: fixtures not found at %s\n", as_test_fixtures());
        free(probe);
        return AS_TEST_SKIP;
    }
    free(probe);
    AS_TEST_TRUE(mkdtemp(tmp_root) != NULL);
    check_fixture("marian-tiny");
    check_fixture("bert-tiny");
    check_sharing();
    check_dtypes();
    check_bad_bins();
    check_pickle_bounds();
    check_bad_shards();
    remove_tree(tmp_root);
    return as_test_result();
}
