/* config.json parsing: the four fixture configs (values from their config.json files and READMEs,
 * cross-checked against weight shapes in model.safetensors), generation_config.json precedence,
 * and crafted bad configs that must fail naming the file and the field. */
#include "attnscope/cfg.h"
#include "attnscope/st.h"

#include "../test.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/as_test_cfg_XXXXXX";

static void write_text(const char *dir, const char *name, const char *text)
{
    char *path = as_path_join(dir, name);
    FILE *f = fopen(path, "wb");
    AS_ASSERT(f);
    fputs(text, f);
    AS_ASSERT(fclose(f) == 0);
    free(path);
}

static void remove_file(const char *dir, const char *name)
{
    char *path = as_path_join(dir, name);
    unlink(path);
    free(path);
}

/* Dimension d of a weight in dir/model.safetensors, or -1. */
static int64_t weight_dim(const char *dir, const char *name, int d)
{
    char *path = as_path_join(dir, "model.safetensors");
    as_st_file *f;
    int64_t v = -1;
    if (as_st_open(&f, path) == AS_OK) {
        const as_st_tensor *t = as_st_find(f, name);
        if (t && d < t->ndim)
            v = t->shape[d];
        as_st_close(f);
    }
    free(path);
    return v;
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static void test_marian(const char *fx)
{
    char *dir = as_path_join(fx, "marian-tiny");
    as_cfg c;
    AS_TEST_EQ(as_cfg_load(&c, dir), AS_OK);
    /* README: "MarianMTModel, d_model 32, 2+2 layers, 4 heads, FFN 64, GELU" */
    AS_TEST_STR(c.model_type, "marian");
    AS_TEST_EQ(c.is_encoder_decoder, 1);
    AS_TEST_EQ(c.d_model, 32);
    AS_TEST_EQ(c.enc_layers, 2);
    AS_TEST_EQ(c.dec_layers, 2);
    AS_TEST_EQ(c.enc_heads, 4);
    AS_TEST_EQ(c.dec_heads, 4);
    AS_TEST_EQ(c.enc_ffn, 64);
    AS_TEST_EQ(c.dec_ffn, 64);
    AS_TEST_EQ(c.act, AS_ACT_GELU);
    AS_TEST_STR(c.act_name, "gelu");
    /* README: "LayerNorm eps 1e-5", "scale_embedding=true", post-LN */
    AS_TEST_NEAR(c.ln_eps, 1e-5, 1e-12);
    AS_TEST_EQ(c.scale_embedding, 1);
    AS_TEST_EQ(c.normalize_before, 0);
    AS_TEST_EQ(c.vocab_size, weight_dim(dir, "model.shared.weight", 0));
    AS_TEST_EQ(c.max_positions, 64);
    /* README "Generation": start 1447, </s> = 0 forced at the end, <pad> 1447 banned */
    AS_TEST_EQ(c.decoder_start_id, 1447);
    AS_TEST_EQ(c.pad_id, 1447);
    AS_TEST_EQ(c.eos_id, 0);
    AS_TEST_EQ(c.bos_id, 0);
    AS_TEST_EQ(c.forced_eos_id, 0);
    AS_TEST_EQ(c.forced_bos_id, -1);
    AS_TEST_EQ(c.max_length, 64);
    AS_TEST_EQ(c.n_bad_words, 1);
    AS_TEST_EQ(c.bad_words[0], 1447);
    AS_TEST_EQ(c.enc_ffn, weight_dim(dir, "model.encoder.layers.0.fc1.weight", 0));
    free(dir);
}

static void test_bert(const char *fx)
{
    char *dir = as_path_join(fx, "bert-tiny");
    as_cfg c;
    AS_TEST_EQ(as_cfg_load(&c, dir), AS_OK);
    /* README: "BertModel, hidden 32, 2 layers, 4 heads, FFN 64", eps 1e-12, erf GELU */
    AS_TEST_STR(c.model_type, "bert");
    AS_TEST_EQ(c.is_encoder_decoder, 0);
    AS_TEST_EQ(c.d_model, 32);
    AS_TEST_EQ(c.enc_layers, 2);
    AS_TEST_EQ(c.enc_heads, 4);
    AS_TEST_EQ(c.enc_ffn, 64);
    AS_TEST_EQ(c.dec_layers, 0);
    AS_TEST_EQ(c.act, AS_ACT_GELU);
    AS_TEST_NEAR(c.ln_eps, 1e-12, 1e-18);
    AS_TEST_EQ(c.vocab_size, weight_dim(dir, "embeddings.word_embeddings.weight", 0));
    AS_TEST_EQ(c.max_positions, weight_dim(dir, "embeddings.position_embeddings.weight", 0));
    AS_TEST_EQ(c.pad_id, 0);
    AS_TEST_EQ(c.eos_id, -1);
    AS_TEST_EQ(c.forced_eos_id, -1);
    AS_TEST_EQ(c.max_length, 0);
    AS_TEST_EQ(c.n_bad_words, 0);
    free(dir);
}

static void test_gpt2(const char *fx)
{
    char *dir = as_path_join(fx, "gpt2-tiny");
    as_cfg c;
    AS_TEST_EQ(as_cfg_load(&c, dir), AS_OK);
    /* README: n_embd 32, 2 layers, 4 heads, gelu_new (tanh), ln_f eps 1e-5 */
    AS_TEST_STR(c.model_type, "gpt2");
    AS_TEST_EQ(c.d_model, 32);
    AS_TEST_EQ(c.enc_layers, 2);
    AS_TEST_EQ(c.enc_heads, 4);
    /* n_inner: null means 4 * n_embd; the Conv1D c_fc weight is [in, out] */
    AS_TEST_EQ(c.enc_ffn, 128);
    AS_TEST_EQ(c.enc_ffn, weight_dim(dir, "transformer.h.0.mlp.c_fc.weight", 1));
    AS_TEST_EQ(c.act, AS_ACT_GELU_TANH);
    AS_TEST_STR(c.act_name, "gelu_new");
    AS_TEST_NEAR(c.ln_eps, 1e-5, 1e-12);
    AS_TEST_EQ(c.vocab_size, weight_dim(dir, "transformer.wte.weight", 0));
    AS_TEST_EQ(c.max_positions, weight_dim(dir, "transformer.wpe.weight", 0));
    AS_TEST_EQ(c.bos_id, 1256);
    AS_TEST_EQ(c.eos_id, 1256);
    AS_TEST_EQ(c.pad_id, -1);
    free(dir);
}

static void test_vit(const char *fx)
{
    char *dir = as_path_join(fx, "vit-tiny");
    as_cfg c;
    AS_TEST_EQ(as_cfg_load(&c, dir), AS_OK);
    /* README: "image 32, patch 8, hidden 32, 2 layers, 4 heads", eps 1e-12; no vocabulary */
    AS_TEST_STR(c.model_type, "vit");
    AS_TEST_EQ(c.d_model, 32);
    AS_TEST_EQ(c.enc_layers, 2);
    AS_TEST_EQ(c.enc_heads, 4);
    AS_TEST_EQ(c.enc_ffn, weight_dim(dir, "vit.encoder.layer.0.intermediate.dense.weight", 0));
    AS_TEST_EQ(c.act, AS_ACT_GELU);
    AS_TEST_NEAR(c.ln_eps, 1e-12, 1e-18);
    AS_TEST_EQ(c.vocab_size, 0);
    AS_TEST_EQ(c.max_positions, 0);
    free(dir);
}

/* ---- generation_config.json -------------------------------------------------------------- */

static void test_generation_override(void)
{
    write_text(tmpdir, "config.json",
               "{\"model_type\": \"marian\", \"is_encoder_decoder\": true, \"d_model\": 16,"
               " \"encoder_layers\": 1, \"decoder_layers\": 1, \"encoder_attention_heads\": 2,"
               " \"decoder_attention_heads\": 2, \"encoder_ffn_dim\": 8, \"decoder_ffn_dim\": 8,"
               " \"activation_function\": \"swish\", \"max_length\": 64, \"eos_token_id\": 0,"
               " \"forced_eos_token_id\": 0, \"bad_words_ids\": [[5], [6]]}");
    write_text(tmpdir, "generation_config.json",
               "{\"max_length\": 20, \"forced_eos_token_id\": null, \"bad_words_ids\": [[9]]}");
    as_cfg c;
    AS_TEST_EQ(as_cfg_load(&c, tmpdir), AS_OK);
    AS_TEST_EQ(c.act, AS_ACT_SILU);
    AS_TEST_EQ(c.max_length, 20);    /* overridden */
    AS_TEST_EQ(c.forced_eos_id, -1); /* null = none */
    AS_TEST_EQ(c.eos_id, 0);         /* kept: absent from generation_config.json */
    AS_TEST_EQ(c.n_bad_words, 1);
    AS_TEST_EQ(c.bad_words[0], 9);
    AS_TEST_NEAR(c.ln_eps, 1e-5, 1e-12); /* no field: the Marian/BART value */

    write_text(tmpdir, "generation_config.json", "{\"max_length\": 20,");
    AS_TEST_EQ(as_cfg_load(&c, tmpdir), AS_EFORMAT);
    char *gen = as_path_join(tmpdir, "generation_config.json");
    AS_TEST_TRUE(strncmp(as_last_error(), gen, strlen(gen)) == 0);
    free(gen);
    remove_file(tmpdir, "generation_config.json");
}

/* ---- bad configs ------------------------------------------------------------------------- */

/* A valid BERT-style base; each case appends or replaces fields. */
#define BASE "\"hidden_size\": 32, \"num_hidden_layers\": 2, \"intermediate_size\": 64"
#define OK_TAIL "\"model_type\": \"bert\", \"num_attention_heads\": 4, \"hidden_act\": \"gelu\""

static const struct {
    const char *label;
    const char *json;
    int code;
    const char *words; /* expected in the message after "dir/config.json: " */
} bad_configs[] = {
    {"missing model_type", "{" BASE ", \"num_attention_heads\": 4, \"hidden_act\": \"gelu\"}",
     AS_EFORMAT, "missing model_type"},
    {"heads do not divide", "{\"model_type\": \"marian\", \"d_model\": 30, \"encoder_layers\": 1,"
     " \"encoder_attention_heads\": 4, \"encoder_ffn_dim\": 8, \"activation_function\": \"gelu\"}",
     AS_EFORMAT, "d_model 30 is not divisible by encoder_attention_heads 4"},
    {"unknown activation", "{" BASE ", \"model_type\": \"bert\", \"num_attention_heads\": 4,"
     " \"hidden_act\": \"mish\"}", AS_EFORMAT, "hidden_act 'mish' is not a known activation"},
    {"bad JSON", "{" BASE ", ", AS_EFORMAT, "not valid JSON"},
    {"not an object", "[1]", AS_EFORMAT, "not a JSON object"},
    {"trailing garbage", "{" BASE ", " OK_TAIL "} }", AS_EFORMAT, "not valid JSON"},
    {"missing size", "{\"hidden_size\": 32, \"intermediate_size\": 64, " OK_TAIL "}", AS_EFORMAT,
     "missing encoder_layers (or num_hidden_layers, n_layer)"},
    {"zero size", "{" BASE ", \"vocab_size\": 0, " OK_TAIL "}", AS_EFORMAT,
     "vocab_size is 0, must be positive"},
    {"negative alias", "{\"hidden_size\": -32, \"num_hidden_layers\": 2, "
     "\"intermediate_size\": 64, " OK_TAIL "}", AS_EFORMAT, "hidden_size is -32, must be positive"},
    {"heads do not divide (BERT names)", "{" BASE ", \"model_type\": \"bert\","
     " \"num_attention_heads\": 5, \"hidden_act\": \"gelu\"}", AS_EFORMAT,
     "hidden_size 32 is not divisible by num_attention_heads 5"},
    {"decoder heads do not divide", "{\"model_type\": \"marian\", \"is_encoder_decoder\": true,"
     " \"d_model\": 32, \"encoder_layers\": 1, \"encoder_attention_heads\": 4,"
     " \"encoder_ffn_dim\": 8, \"decoder_layers\": 1, \"decoder_attention_heads\": 3,"
     " \"decoder_ffn_dim\": 8, \"activation_function\": \"gelu\"}", AS_EFORMAT,
     "d_model 32 is not divisible by decoder_attention_heads 3"},
    {"fractional size", "{\"hidden_size\": 32.5, \"num_hidden_layers\": 2, "
     "\"intermediate_size\": 64, " OK_TAIL "}", AS_EFORMAT, "hidden_size must be an integer"},
    {"size as string", "{\"hidden_size\": \"32\", \"num_hidden_layers\": 2, "
     "\"intermediate_size\": 64, " OK_TAIL "}", AS_EFORMAT, "hidden_size must be an integer"},
    {"missing ffn", "{\"hidden_size\": 32, \"num_hidden_layers\": 2, " OK_TAIL "}", AS_EFORMAT,
     "missing encoder_ffn_dim (or intermediate_size, n_inner)"},
    {"missing activation", "{" BASE ", \"model_type\": \"bert\", \"num_attention_heads\": 4}",
     AS_EFORMAT, "missing activation_function (or hidden_act)"},
    {"bool as int", "{" BASE ", " OK_TAIL ", \"is_encoder_decoder\": 1}", AS_EFORMAT,
     "is_encoder_decoder must be true or false"},
    {"decoder missing", "{" BASE ", " OK_TAIL ", \"is_encoder_decoder\": true}", AS_EFORMAT,
     "missing decoder_layers"},
    {"multi-token bad words", "{" BASE ", " OK_TAIL ", \"bad_words_ids\": [[3], [4, 5]]}",
     AS_EUNSUPPORTED, "bad_words_ids[1] has 2 tokens"},
    {"bad words not lists", "{" BASE ", " OK_TAIL ", \"bad_words_ids\": [3]}", AS_EFORMAT,
     "bad_words_ids[0] must be a list"},
    {"eos list", "{" BASE ", " OK_TAIL ", \"eos_token_id\": [1, 2]}", AS_EUNSUPPORTED,
     "eos_token_id is a list"},
    {"eps out of range", "{" BASE ", " OK_TAIL ", \"layer_norm_eps\": -1}", AS_EFORMAT,
     "layer_norm_eps must be a number"},
    {"model_type too long", "{" BASE ", \"model_type\": \"a_model_type_name_far_too_long_to_fit\","
     " \"num_attention_heads\": 4, \"hidden_act\": \"gelu\"}", AS_EFORMAT, "model_type must be"},
};

static void test_bad_configs(void)
{
    char *path = as_path_join(tmpdir, "config.json");
    for (size_t i = 0; i < sizeof bad_configs / sizeof bad_configs[0]; i++) {
        write_text(tmpdir, "config.json", bad_configs[i].json);
        as_cfg c;
        int rc = as_cfg_load(&c, tmpdir);
        const char *msg = as_last_error();
        AS_TEST_EQ(rc, bad_configs[i].code);
        size_t n = strlen(path);
        int named = strncmp(msg, path, n) == 0 && strncmp(msg + n, ": ", 2) == 0;
        int has = strstr(msg, bad_configs[i].words) != NULL;
        AS_TEST_TRUE(named && has);
        if (rc != bad_configs[i].code || !named || !has)
            fprintf(stderr, "  case '%s': got %d \"%s\"\n", bad_configs[i].label, rc, msg);
    }
    /* the base itself is valid, so each case above fails for its own reason */
    write_text(tmpdir, "config.json", "{" BASE ", " OK_TAIL "}");
    as_cfg c;
    AS_TEST_EQ(as_cfg_load(&c, tmpdir), AS_OK);
    remove_file(tmpdir, "config.json");

    AS_TEST_EQ(as_cfg_load(&c, tmpdir), AS_EIO);
    AS_TEST_TRUE(strncmp(as_last_error(), path, strlen(path)) == 0);
    free(path);
}

static void test_activation_names(void)
{
    static const struct {
        const char *name;
        as_act act;
    } names[] = {{"gelu", AS_ACT_GELU},     {"gelu_new", AS_ACT_GELU_TANH},
                 {"gelu_pytorch_tanh", AS_ACT_GELU_TANH}, {"gelu_fast", AS_ACT_GELU_TANH},
                 {"relu", AS_ACT_RELU},     {"silu", AS_ACT_SILU},
                 {"swish", AS_ACT_SILU}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        as_act a = (as_act)-1;
        AS_TEST_EQ(as_cfg_parse_act(names[i].name, &a), AS_OK);
        AS_TEST_EQ(a, names[i].act);
    }
    as_act a;
    AS_TEST_EQ(as_cfg_parse_act("quick_gelu", &a), AS_EFORMAT);
    AS_TEST_TRUE(strstr(as_last_error(), "quick_gelu") != NULL);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    const char *fx = as_test_fixtures();
    char *probe = as_xasprintf("%s/marian-tiny/config.json", fx);
    if (as_file_exists(probe)) {
        test_marian(fx);
        test_bert(fx);
        test_gpt2(fx);
        test_vit(fx);
    } else {
        fprintf(stderr, "fixtures not found in %s: skipping the fixture configs\n", fx);
    }
    free(probe);
    test_generation_override();
    test_bad_configs();
    test_activation_names();
    rmdir(tmpdir);
    return as_test_result();
}
