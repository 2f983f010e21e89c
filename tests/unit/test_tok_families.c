/* test_tok_families: the BERT (vocab.txt), GPT-2 (vocab.json + merges.txt) and tokenizer.json
 * tokenizers. References: the bert-tiny and gpt2-tiny fixtures (tokens and input_ids produced by
 * Hugging Face BertTokenizer / GPT2Tokenizer, transformers 4.27), the tokenizer.json files of
 * tests/data/tok (which must agree with the slow files on Multi30k), hand-worked cases, and
 * malformed folders generated into a temporary directory. */
#include "attnscope/st.h"
#include "attnscope/tok.h"

#include "../test.h"

#include <cjson/cJSON.h>
#include <zlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AS_TEST_DATA_DIR
#define AS_TEST_DATA_DIR "tests/data"
#endif

static char *fixture(const char *name)
{
    return as_xasprintf("%s/%s", as_test_fixtures(), name);
}

static as_tok *open_dir(const char *dir)
{
    as_tok *t = NULL;
    int rc = as_tok_open(&t, dir, NULL);
    AS_TEST_EQ(rc, AS_OK);
    if (rc)
        fprintf(stderr, "open %s: %s\n", dir, as_last_error());
    return t;
}

/* ---- fixtures: tokens from inputs.json, ids from golden.safetensors -------------------------- */

static void check_golden(const as_st_file *g, const char *name, const int32_t *v, int n)
{
    const as_st_tensor *t = as_st_find(g, name);
    if (!t) /* token_type_ids are optional in a fixture */
        return;
    AS_TEST_EQ(t->numel, n);
    if (t->numel != (size_t)n)
        return;
    int64_t *want = as_xcalloc(t->numel, sizeof *want);
    AS_TEST_EQ(as_st_to_i64(g, t, want), AS_OK);
    for (int i = 0; i < n; i++)
        AS_TEST_EQ(v[i], want[i]);
    free(want);
}

static void test_fixture(const char *name, as_tok *tok)
{
    char *dir = fixture(name);
    char *ipath = as_path_join(dir, "inputs.json");
    char *gpath = as_path_join(dir, "golden.safetensors");
    char *text = NULL;
    AS_TEST_EQ(as_read_file(ipath, &text, NULL), AS_OK);
    cJSON *inputs = cJSON_Parse(text ? text : "");
    as_st_file *g = NULL;
    AS_TEST_EQ(as_st_open(&g, gpath), AS_OK);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(inputs, "cases");
    AS_TEST_EQ(cJSON_GetArraySize(cases), 3);
    for (const cJSON *c = cases ? cases->child : NULL; c && g; c = c->next) {
        const char *id = cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring;
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "tokens");
        as_tok_seq seq;
        AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE,
                                 cJSON_GetObjectItemCaseSensitive(c, "text")->valuestring, &seq),
                   AS_OK);
        AS_TEST_EQ(seq.n, cJSON_GetArraySize(want));
        for (int i = 0; i < seq.n && i < cJSON_GetArraySize(want); i++)
            AS_TEST_STR(seq.pieces[i], cJSON_GetArrayItem(want, i)->valuestring);
        char *n1 = as_xasprintf("%s.input_ids", id), *n2 = as_xasprintf("%s.token_type_ids", id);
        check_golden(g, n1, seq.ids, seq.n);
        check_golden(g, n2, seq.type_ids, seq.n);
        free(n1);
        free(n2);
        as_tok_seq_free(&seq);
    }
    as_st_close(g);
    cJSON_Delete(inputs);
    free(text);
    free(ipath);
    free(gpath);
    free(dir);
}

/* ---- slow files vs tokenizer.json on Multi30k ------------------------------------------------ */

static int same_seq(const as_tok_seq *a, const as_tok_seq *b)
{
    if (a->n != b->n)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (a->ids[i] != b->ids[i] || a->type_ids[i] != b->type_ids[i])
            return 0;
    return 1;
}

/* 200 lines of file (English or German: punctuation, digits, umlauts, ß) through both
 * tokenizers; byte-level tokenizers must also decode every line back exactly. */
static void compare_lines(as_tok *slow, as_tok *fast, const char *file, int bytelevel)
{
    char *path = as_xasprintf("%s/../data/multi30k/%s", as_test_fixtures(), file);
    gzFile gz = gzopen(path, "rb");
    AS_TEST_TRUE(gz != NULL);
    char line[4096], prev[4096] = "";
    int lines = 0, differ = 0, round = 0;
    while (gz && lines < 200 && gzgets(gz, line, sizeof line)) {
        line[strcspn(line, "\n")] = '\0';
        lines++;
        as_tok_seq a, b;
        AS_TEST_EQ(as_tok_encode(slow, AS_TOK_SOURCE, line, &a), AS_OK);
        AS_TEST_EQ(as_tok_encode(fast, AS_TOK_SOURCE, line, &b), AS_OK);
        if (!same_seq(&a, &b)) {
            differ++;
            fprintf(stderr, "%s line %d differs: %s\n", file, lines, line);
        }
        if (bytelevel) {
            char *back = as_tok_decode(slow, a.ids, a.n);
            round += strcmp(back, line) == 0;
            free(back);
        }
        as_tok_seq_free(&a);
        as_tok_seq_free(&b);
        /* pairs: consecutive lines */
        if (*prev) {
            AS_TEST_EQ(as_tok_encode_pair(slow, prev, line, &a), AS_OK);
            AS_TEST_EQ(as_tok_encode_pair(fast, prev, line, &b), AS_OK);
            differ += !same_seq(&a, &b);
            as_tok_seq_free(&a);
            as_tok_seq_free(&b);
        }
        snprintf(prev, sizeof prev, "%s", line);
    }
    if (gz)
        gzclose(gz);
    free(path);
    AS_TEST_EQ(lines, 200);
    AS_TEST_EQ(differ, 0);
    if (bytelevel)
        AS_TEST_EQ(round, 200);
}

/* ---- pair framing (structure checked against the single encodings) -------------------------- */

static void test_pair(as_tok *tok, int head, int mid, int tail, int b_type)
{
    as_tok_seq a, b, p;
    AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, "A dog runs.", &a), AS_OK);
    AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, "Two men", &b), AS_OK);
    AS_TEST_EQ(as_tok_encode_pair(tok, "A dog runs.", "Two men", &p), AS_OK);
    /* single = head + A + tail; pair = head + A + mid + B(without head) + tail */
    int na = a.n - head - tail, nb = b.n - head - tail;
    AS_TEST_EQ(p.n, head + na + mid + nb + tail);
    if (p.n == head + na + mid + nb + tail) {
        for (int i = 0; i < head + na; i++) {
            AS_TEST_EQ(p.ids[i], a.ids[i]);
            AS_TEST_EQ(p.type_ids[i], 0);
        }
        for (int i = 0; i < nb; i++) {
            AS_TEST_EQ(p.ids[head + na + mid + i], b.ids[head + i]);
            AS_TEST_EQ(p.type_ids[head + na + mid + i], b_type);
        }
    }
    as_tok_seq_free(&a);
    as_tok_seq_free(&b);
    as_tok_seq_free(&p);
}

/* ---- BERT: hand-worked cases ----------------------------------------------------------------- */

/* Encodes text and compares the pieces with want (space-separated). */
static void check_pieces(as_tok *tok, const char *text, const char *want)
{
    as_tok_seq seq;
    int rc = as_tok_encode(tok, AS_TOK_SOURCE, text, &seq);
    AS_TEST_EQ(rc, AS_OK);
    size_t len = 1;
    for (int i = 0; i < seq.n; i++)
        len += strlen(seq.pieces[i]) + 1;
    char *got = as_xcalloc(len, 1);
    for (int i = 0; i < seq.n; i++) {
        if (i)
            strcat(got, " ");
        strcat(got, seq.pieces[i]);
    }
    AS_TEST_STR(got, want);
    free(got);
    as_tok_seq_free(&seq);
}

/* bert-tiny's vocab.txt is lowercase ASCII: single letters, "##" letters, some whole words
 * ("dog", "running", "man", ...), no "##aa"; the expectations follow BertTokenizer's rules. */
static void test_bert_cases(as_tok *tok)
{
    /* CJK ideographs are words of their own; neither is in the vocabulary */
    check_pieces(tok, "東京 dog", "[CLS] [UNK] [UNK] dog [SEP]");
    /* an emoji is not punctuation: it stays in its word, which then cannot be covered */
    check_pieces(tok, "dog😀", "[CLS] [UNK] [SEP]");
    check_pieces(tok, "dog 😀", "[CLS] dog [UNK] [SEP]");
    /* accents: precomposed, combining (U+0301) and upper case all reduce to "cafe" */
    check_pieces(tok, "café", "[CLS] c ##a ##fe [SEP]");
    check_pieces(tok, "cafe\xcc\x81", "[CLS] c ##a ##fe [SEP]");
    check_pieces(tok, "CAFÉ", "[CLS] c ##a ##fe [SEP]");
    /* control characters vanish, tabs and newlines separate words */
    check_pieces(tok, "d\x01o\x7fg\tman\nrunning", "[CLS] dog man running [SEP]");
    /* ASCII symbols are punctuation for BERT ('$'), digits are not split from each other */
    check_pieces(tok, "$5, dog!", "[CLS] $ 5 , dog ! [SEP]");
    /* special tokens written in the text stay whole */
    check_pieces(tok, "dog [SEP] man", "[CLS] dog [SEP] man [SEP]");
    /* 100 characters: a ##a ##a ... ; 101 characters: [UNK] */
    char word[102];
    memset(word, 'a', 101);
    word[100] = '\0';
    as_tok_seq seq;
    AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, word, &seq), AS_OK);
    AS_TEST_EQ(seq.n, 102);
    for (int i = 1; i + 1 < seq.n; i++)
        AS_TEST_STR(seq.pieces[i], i == 1 ? "a" : "##a");
    as_tok_seq_free(&seq);
    word[100] = 'a';
    word[101] = '\0';
    check_pieces(tok, word, "[CLS] [UNK] [SEP]");
    /* text that leaves nothing after cleaning still gets its framing */
    check_pieces(tok, "\x01", "[CLS] [SEP]");
}

/* ---- GPT-2: byte-level properties and labels ------------------------------------------------- */

static void test_gpt2_cases(as_tok *tok)
{
    /* byte-level BPE is lossless: emoji, CJK, combining marks, control characters come back */
    static const char *const texts[] = {"Dog 😀 東京", "cafe\xcc\x81 \x01\x7f", " two  spaces\n",
                                        "<|endoftext|>A dog"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        as_tok_seq seq;
        AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, texts[i], &seq), AS_OK);
        char *back = as_tok_decode(tok, seq.ids, seq.n);
        /* the special token is skipped by decode */
        AS_TEST_STR(back, i == 3 ? "A dog" : texts[i]);
        free(back);
        as_tok_seq_free(&seq);
    }
    /* GPT2Tokenizer's specials are AddedToken(lstrip=False, rstrip=False): the space stays */
    check_pieces(tok, "<|endoftext|> A dog", "<|endoftext|> ĠA Ġdog");
    AS_TEST_EQ(as_tok_vocab_size(tok), 1257);

    /* labels: README.md "Token labels" for byte-level pieces */
    static const struct {
        const char *piece, *label;
    } labels[] = {
        {"Ġman", "man"}, {"ing", "##ing"},  {"Ġ", "_"},          {"Ċ", "##?"},
        {"Ã©", "##é"},   {"Ã", "##?"},     {"<|endoftext|>", "<|endoftext|>"},
        {"ĠÃ©", "é"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
        char *l = as_tok_label(tok, labels[i].piece);
        AS_TEST_STR(l, labels[i].label);
        free(l);
    }
    /* in context the text's first piece and a piece after a special token start words */
    const char *const pieces[] = {"A", "Ġdog", "ing", "<|endoftext|>", "The"};
    const char *const want[] = {"A", "dog", "##ing", "<|endoftext|>", "The"};
    for (int i = 0; i < 5; i++) {
        char *l = as_tok_label_at(tok, pieces, i);
        AS_TEST_STR(l, want[i]);
        free(l);
    }
}

static void test_bert_labels(as_tok *tok)
{
    /* without a tokenizer (pieces loaded from a dump) the SentencePiece rules apply */
    static const char *const bare[][2] = {{"▁man", "man"}, {"s", "##s"}, {"<pad>", "<pad>"}};
    for (size_t i = 0; i < sizeof bare / sizeof *bare; i++) {
        char *l = as_tok_label(NULL, bare[i][0]);
        AS_TEST_STR(l, bare[i][1]);
        free(l);
    }
    static const char *const cases[][2] = {
        {"##ing", "##ing"}, {"man", "man"}, {"[CLS]", "[CLS]"}, {"a\tb", "a?b"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *l = as_tok_label(tok, cases[i][0]);
        AS_TEST_STR(l, cases[i][1]);
        free(l);
    }
    as_tok_seq seq;
    AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, "Running dogs", &seq), AS_OK);
    char *back = as_tok_decode(tok, seq.ids, seq.n);
    AS_TEST_STR(back, "running dogs"); /* [CLS]/[SEP] skipped, "##s" glued on */
    free(back);
    as_tok_seq_free(&seq);
}

/* ---- Unigram: Viterbi worked out by hand ----------------------------------------------------- */

/* tests/data/tok/unigram: pieces (id: score) <unk> 0: 0, </s> 1: 0, ▁ 2: -2, ▁a 3: -1.5,
 * b 4: -2.5, ab 5: -3, ▁ab 6: -4.5, c 7: -1, ▁abc 8: -6, bc 9: -2, ▁c 10: -2.5. min score -6, so
 * an unknown character scores -16. Metaspace turns "ab" into "▁ab". */
static void test_unigram(void)
{
    char *dir = as_xasprintf("%s/tok/unigram", AS_TEST_DATA_DIR);
    as_tok *tok = open_dir(dir);
    free(dir);
    if (!tok)
        return;
    static const struct {
        const char *text;
        int n;
        int32_t ids[8];
    } cases[] = {
        /* ▁ab -4.5 | ▁a+b -4.0 (best) | ▁+ab -5.0 */
        {"ab", 3, {3, 4, 1}},
        /* ▁abc -6 | ▁a+bc -3.5 (best) | ▁a+b+c -5 | ▁ab+c -5.5 | ▁+ab+c -6 */
        {"abc", 3, {3, 9, 1}},
        /* "▁c" "▁ab": ▁c -2.5 beats ▁+c -3; then as above; repeated spaces collapse first */
        {"c  ab", 4, {10, 3, 4, 1}},
        /* NFKC folds fullwidth ａｂ to ab */
        {"\xef\xbd\x81\xef\xbd\x82", 3, {3, 4, 1}},
        /* ▁ -2, x and y unknown (-16 each, fused into one <unk>), ab -3: -37 beats the
         * alternatives, which need a third unknown */
        {"xyab", 4, {2, 0, 5, 1}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        as_tok_seq seq;
        AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, cases[c].text, &seq), AS_OK);
        AS_TEST_EQ(seq.n, cases[c].n);
        for (int i = 0; i < seq.n && i < cases[c].n; i++)
            AS_TEST_EQ(seq.ids[i], cases[c].ids[i]);
        as_tok_seq_free(&seq);
    }
    /* pair template: A </s> B </s>, B's part type 1 */
    as_tok_seq seq;
    AS_TEST_EQ(as_tok_encode_pair(tok, "ab", "c", &seq), AS_OK);
    static const int32_t pair_ids[] = {3, 4, 1, 10, 1}, pair_types[] = {0, 0, 0, 1, 1};
    AS_TEST_EQ(seq.n, 5);
    for (int i = 0; i < seq.n && i < 5; i++) {
        AS_TEST_EQ(seq.ids[i], pair_ids[i]);
        AS_TEST_EQ(seq.type_ids[i], pair_types[i]);
    }
    char *back = as_tok_decode(tok, seq.ids, seq.n);
    AS_TEST_STR(back, "ab c"); /* "▁a" "b" "▁c", </s> skipped, the leading space dropped */
    free(back);
    char *l1 = as_tok_label(tok, "▁a"), *l2 = as_tok_label(tok, "b");
    AS_TEST_STR(l1, "a");
    AS_TEST_STR(l2, "##b");
    free(l1);
    free(l2);
    AS_TEST_STR(as_tok_describe(tok), "unigram (tokenizer.json)");
    as_tok_seq_free(&seq);
    as_tok_destroy(tok);
}

/* ---- malformed folders ---------------------------------------------------------------------- */

static char *tmp_dir;

static void write_file(const char *name, const char *text)
{
    char *path = as_path_join(tmp_dir, name);
    FILE *f = fopen(path, "wb");
    AS_TEST_TRUE(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    free(path);
}

static void remove_file(const char *name)
{
    char *path = as_path_join(tmp_dir, name);
    unlink(path);
    free(path);
}

/* Opening tmp_dir must fail with code and one line "tmp_dir/file: ...word...". */
static void expect_error(const char *file, int code, const char *word)
{
    as_tok *t = (as_tok *)&t;
    AS_TEST_EQ(as_tok_open(&t, tmp_dir, NULL), code);
    AS_TEST_TRUE(t == NULL);
    const char *msg = as_last_error();
    char *prefix = file ? as_xasprintf("%s/%s: ", tmp_dir, file) : as_xasprintf("%s: ", tmp_dir);
    int ok = strncmp(msg, prefix, strlen(prefix)) == 0 && strstr(msg, word) &&
             !strchr(msg, '\n');
    AS_TEST_TRUE(ok);
    if (!ok)
        fprintf(stderr, "  message was: %s (wanted %s...%s)\n", msg, prefix, word);
    free(prefix);
}

/* A BPE tokenizer.json with the given pieces around a fixed model. */
static void write_json(const char *normalizer, const char *pre, const char *post,
                       const char *model)
{
    char *text = as_xasprintf("{\"added_tokens\": [], \"normalizer\": %s, \"pre_tokenizer\": %s, "
                              "\"post_processor\": %s, \"model\": %s}",
                              normalizer, pre, post, model);
    write_file("tokenizer.json", text);
    free(text);
}

static void test_components(void);

static void test_bad(void)
{
    const char *tmp = getenv("TMPDIR");
    char *tmpl = as_path_join(tmp && *tmp ? tmp : "/tmp", "as_test_tokf_XXXXXX");
    tmp_dir = mkdtemp(tmpl);
    AS_TEST_TRUE(tmp_dir != NULL);
    if (!tmp_dir) {
        free(tmpl);
        return;
    }
    expect_error(NULL, AS_EIO, "no tokenizer files");

    /* merges.txt naming a token vocab.json lacks, on line 3 */
    write_file("vocab.json", "{\"a\": 0, \"b\": 1, \"ab\": 2, \"<|endoftext|>\": 3}");
    write_file("merges.txt", "#version: 0.2\na b\na c\n");
    expect_error("merges.txt", AS_EFORMAT, "line 3: merge \"a c\" uses unknown token \"c\"");
    write_file("merges.txt", "a b\nab\n");
    expect_error("merges.txt", AS_EFORMAT, "line 2: expected two tokens");
    write_file("merges.txt", "b a\n");
    expect_error("merges.txt", AS_EFORMAT, "\"ba\", which is not in the vocabulary");
    write_file("merges.txt", "a b\n");
    as_tok *t = open_dir(tmp_dir);
    if (t) {
        check_pieces(t, "ab", "ab");
        AS_TEST_STR(as_tok_describe(t), "byte-level bpe (vocab.json + merges.txt)");
        as_tok_destroy(t);
    }
    /* RoBERTa / BART framing, chosen by tokenizer_config.json or by config.json's model_type */
    write_file("vocab.json", "{\"<s>\": 0, \"<pad>\": 1, \"</s>\": 2, \"<unk>\": 3, \"a\": 4, "
                             "\"b\": 5, \"ab\": 6, \"Ġ\": 7, \"Ġa\": 8, \"<mask>\": 9}");
    write_file("merges.txt", "#version: 0.2\na b\nĠ a\n");
    write_file("tokenizer_config.json", "{\"tokenizer_class\": \"RobertaTokenizer\"}");
    t = open_dir(tmp_dir);
    if (t) {
        check_pieces(t, "ab a", "<s> ab Ġa </s>");
        /* <mask> swallows the space before it, not the one after */
        check_pieces(t, "ab <mask> a", "<s> ab <mask> Ġa </s>");
        as_tok_seq seq;
        AS_TEST_EQ(as_tok_encode_pair(t, "ab", "a", &seq), AS_OK);
        static const int32_t want[] = {0, 6, 2, 2, 4, 2};
        AS_TEST_EQ(seq.n, 6);
        for (int i = 0; i < seq.n && i < 6; i++) {
            AS_TEST_EQ(seq.ids[i], want[i]);
            AS_TEST_EQ(seq.type_ids[i], 0); /* RoBERTa uses no segment ids */
        }
        as_tok_seq_free(&seq);
        as_tok_destroy(t);
    }
    remove_file("tokenizer_config.json");
    as_cfg cfg = {.model_type = "bart"};
    t = NULL;
    AS_TEST_EQ(as_tok_open(&t, tmp_dir, &cfg), AS_OK);
    if (t) {
        check_pieces(t, "ab", "<s> ab </s>");
        as_tok_destroy(t);
    }
    remove_file("merges.txt");
    remove_file("vocab.json");

    /* vocab.txt without the special tokens */
    write_file("vocab.txt", "[UNK]\n[CLS]\ndog\n");
    expect_error("vocab.txt", AS_EFORMAT, "no \"[SEP]\" entry");
    remove_file("vocab.txt");

    /* tokenizer.json: bad JSON, unsupported components (named), malformed parts */
    const char *bpe = "{\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, "
                      "\"merges\": [\"a b\"]}";
    write_file("tokenizer.json", "{\"model\": ");
    expect_error("tokenizer.json", AS_EFORMAT, "invalid JSON");
    write_json("{\"type\": \"Precompiled\"}", "null", "null", bpe);
    expect_error("tokenizer.json", AS_EUNSUPPORTED, "normalizer \"Precompiled\" is not supported");
    write_json("null", "{\"type\": \"CharDelimiterSplit\"}", "null", bpe);
    expect_error("tokenizer.json", AS_EUNSUPPORTED, "pre_tokenizer \"CharDelimiterSplit\"");
    write_json("null", "null", "{\"type\": \"Foo\"}", bpe);
    expect_error("tokenizer.json", AS_EUNSUPPORTED, "post_processor \"Foo\"");
    write_json("null", "null", "null", "{\"type\": \"WordLevel\", \"vocab\": {}}");
    expect_error("tokenizer.json", AS_EUNSUPPORTED, "model \"WordLevel\"");
    write_json("null", "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, "
               "\"behavior\": \"Isolated\"}", "null", bpe);
    expect_error("tokenizer.json", AS_EFORMAT, "pre_tokenizer Split: bad regex");
    write_json("null", "null", "null", "{\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, "
                                       "\"ab\": 2}, \"merges\": [\"a b\", \"b c\"]}");
    expect_error("tokenizer.json", AS_EFORMAT, "model.merges[1]: merge \"b c\" uses unknown");
    write_json("null", "null", "null", "{\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, "
                                       "\"ab\": 2}, \"merges\": [[\"a\", \"x\"]]}");
    expect_error("tokenizer.json", AS_EFORMAT, "model.merges[0]: merge \"a x\" uses unknown");
    write_json("null", "null", "null", "{\"type\": \"Unigram\", \"vocab\": [[\"a\", 0]]}");
    expect_error("tokenizer.json", AS_EFORMAT, "model.unk_id");
    write_json("null", "null", "null", "{\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", "
                                       "\"vocab\": {\"a\": 0}}");
    expect_error("tokenizer.json", AS_EFORMAT, "model.unk_token \"[UNK]\" is not in model.vocab");
    /* a good one: Whitespace + Digits + Punctuation around the same BPE, Split removing 'b' */
    write_json("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Lowercase\"}]}",
               "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"WhitespaceSplit\"}, "
               "{\"type\": \"Split\", \"pattern\": {\"String\": \"-\"}, \"behavior\": "
               "\"Removed\", \"invert\": false}]}",
               "null", bpe);
    t = open_dir(tmp_dir);
    if (t) {
        /* "AB-A  B" -> lowercase "ab-a  b" -> words "ab-a", "b" -> "ab", "a", "b" */
        check_pieces(t, "AB-A  B", "ab a b");
        as_tok_destroy(t);
    }
    test_components();
    remove_file("tokenizer.json");
    AS_TEST_EQ(rmdir(tmp_dir), 0);
    free(tmpl);
}

/* ---- tokenizer.json components, one at a time ----------------------------------------------- */

/* A BPE model without merges over single characters, each also as a "##" continuation: the
 * pieces then show where the pre-tokenizer cut words ("a ##b" = one word "ab"). */
static char *char_model(void)
{
    static const char *const chars[] = {"a", "b", "c", "1", "2", "-", "!", "▁", "Ġ"};
    char *vocab = as_xstrdup("\"[UNK]\": 0");
    int id = 1;
    for (size_t i = 0; i < sizeof chars / sizeof *chars; i++) {
        char *next = as_xasprintf("%s, \"%s\": %d, \"##%s\": %d", vocab, chars[i], id, chars[i],
                                  id + 1);
        free(vocab);
        vocab = next;
        id += 2;
    }
    char *m = as_xasprintf("{\"type\": \"BPE\", \"unk_token\": \"[UNK]\", "
                           "\"continuing_subword_prefix\": \"##\", \"byte_fallback\": true, "
                           "\"vocab\": {%s, "
                           "\"<0xC3>\": %d, \"<0xA9>\": %d}, \"merges\": []}",
                           vocab, id, id + 1);
    free(vocab);
    return m;
}

static void check_json(const char *normalizer, const char *pre, const char *model,
                       const char *text, const char *want)
{
    write_json(normalizer, pre, "null", model);
    as_tok *t = open_dir(tmp_dir);
    if (t) {
        check_pieces(t, text, want);
        as_tok_destroy(t);
    }
}

/* Expected pieces worked out by hand from the tokenizers documentation of each component. */
static void test_components(void)
{
    char *cm = char_model();
    /* Whitespace: \w+|[^\w\s]+ */
    check_json("null", "{\"type\": \"Whitespace\"}", cm, "ab-!c 12", "a ##b - ##! c 1 ##2");
    /* Punctuation with each behaviour on "ab-!c" (spans ab, -, !, c) */
    static const char *const punct[][2] = {
        {"Isolated", "a ##b - ! c"},
        {"Removed", "a ##b c"},
        {"MergedWithPrevious", "a ##b ##- ! c"}, /* "ab-", "!", "c": a match after a match stays */
        {"MergedWithNext", "a ##b - ! ##c"},     /* "ab", "-", "!c" */
        {"Contiguous", "a ##b - ##! c"},         /* "ab", "-!", "c" */
    };
    for (size_t i = 0; i < sizeof punct / sizeof *punct; i++) {
        char *pre = as_xasprintf("{\"type\": \"Punctuation\", \"behavior\": \"%s\"}",
                                 punct[i][0]);
        check_json("null", pre, cm, "ab-!c", punct[i][1]);
        free(pre);
    }
    check_json("null", "{\"type\": \"Digits\", \"individual_digits\": true}", cm, "a12b",
               "a 1 2 b");
    check_json("null", "{\"type\": \"Digits\", \"individual_digits\": false}", cm, "a12b",
               "a 1 ##2 b");
    /* Metaspace: spaces become ▁, which starts each word */
    check_json("null", "{\"type\": \"Metaspace\", \"replacement\": \"▁\", "
               "\"prepend_scheme\": \"always\", \"split\": true}", cm, "ab c",
               "▁ ##a ##b ▁ ##c");
    check_json("null", "{\"type\": \"Metaspace\", \"replacement\": \"▁\", "
               "\"prepend_scheme\": \"never\", \"split\": true}", cm, "ab c", "a ##b ▁ ##c");
    check_json("null", "{\"type\": \"Metaspace\", \"replacement\": \"▁\", "
               "\"add_prefix_space\": true, \"split\": false}", cm, "ab c",
               "▁ ##a ##b ##▁ ##c");
    /* ByteLevel: ' ' is Ġ; the GPT-2 regex keeps a space with the word after it */
    check_json("null", "{\"type\": \"ByteLevel\", \"add_prefix_space\": true, "
               "\"use_regex\": true}", cm, "ab c", "Ġ ##a ##b Ġ ##c");
    check_json("null", "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, "
               "\"use_regex\": false}", cm, "ab c", "a ##b ##Ġ ##c");
    /* Split on "b": isolated, or inverted and removed (only the b's stay) */
    check_json("null", "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"b\"}, "
               "\"behavior\": \"Isolated\", \"invert\": false}", cm, "abcb", "a b c b");
    check_json("null", "{\"type\": \"Split\", \"pattern\": {\"String\": \"b\"}, "
               "\"behavior\": \"Removed\", \"invert\": true}", cm, "abcb", "b b");
    /* normalizers */
    check_json("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFD\"}, "
               "{\"type\": \"StripAccents\"}]}", "{\"type\": \"WhitespaceSplit\"}", cm,
               "áb  c", "a ##b c");
    check_json("{\"type\": \"Prepend\", \"prepend\": \"▁\"}", "null", cm, "ab", "▁ ##a ##b");
    check_json("{\"type\": \"Replace\", \"pattern\": {\"String\": \"a\"}, \"content\": "
               "\"c\"}", "null", cm, "ab", "c ##b");
    check_json("{\"type\": \"BertNormalizer\", \"lowercase\": true}",
               "{\"type\": \"BertPreTokenizer\"}", cm, "AB-C", "a ##b - c");
    /* models: byte fallback for é (C3 A9); x and y have no byte pieces: unknown, not fused */
    check_json("null", "null", cm, "é", "<0xC3> <0xA9>");
    check_json("null", "null", cm, "axy", "a [UNK] [UNK]");
    free(cm);
    const char *fuse = "{\"type\": \"BPE\", \"unk_token\": \"?\", \"fuse_unk\": true, "
                       "\"vocab\": {\"?\": 0, \"a\": 1}, \"merges\": []}";
    check_json("null", "null", fuse, "axya", "a ? a");
    /* end_of_word_suffix: the last character carries it, merges see it */
    check_json("null", "null", "{\"type\": \"BPE\", \"end_of_word_suffix\": \"</w>\", "
               "\"vocab\": {\"a\": 0, \"b</w>\": 1, \"ab</w>\": 2}, \"merges\": [\"a b</w>\"]}",
               "ab", "ab</w>");
    /* ignore_merges: a word the vocabulary has is one token even if no merge builds it */
    static const char *const ignore[][2] = {{"true", "abab"}, {"false", "ab ab"}};
    for (int i = 0; i < 2; i++) {
        char *m = as_xasprintf("{\"type\": \"BPE\", \"ignore_merges\": %s, \"vocab\": {\"a\": "
                               "0, \"b\": 1, \"ab\": 2, \"abab\": 3}, \"merges\": [\"a b\"]}",
                               ignore[i][0]);
        check_json("null", "null", m, "abab", ignore[i][1]);
        free(m);
    }
}

int main(void)
{
    char *bert_dir = fixture("bert-tiny"), *gpt2_dir = fixture("gpt2-tiny");
    char *vpath = as_path_join(bert_dir, "vocab.txt");
    if (!as_file_exists(vpath)) {
        printf("SKIP: bert-tiny fixture not found at %s\n", vpath);
        free(vpath);
        free(bert_dir);
        free(gpt2_dir);
        return AS_TEST_SKIP;
    }
    free(vpath);
    char *bert_json = as_xasprintf("%s/tok/bert", AS_TEST_DATA_DIR);
    char *gpt2_json = as_xasprintf("%s/tok/gpt2", AS_TEST_DATA_DIR);
    as_tok *bert = open_dir(bert_dir), *gpt2 = open_dir(gpt2_dir);
    as_tok *bert_fast = open_dir(bert_json), *gpt2_fast = open_dir(gpt2_json);
    if (bert && bert_fast) {
        AS_TEST_STR(as_tok_describe(bert), "wordpiece (vocab.txt, lowercase, strip accents)");
        AS_TEST_STR(as_tok_describe(bert_fast), "wordpiece (tokenizer.json)");
        test_fixture("bert-tiny", bert);
        test_fixture("bert-tiny", bert_fast);
        compare_lines(bert, bert_fast, "val.en.gz", 0);
        compare_lines(bert, bert_fast, "val.de.gz", 0);
        test_pair(bert, 1, 1, 1, 1);
        test_pair(bert_fast, 1, 1, 1, 1);
        test_bert_cases(bert);
        test_bert_cases(bert_fast);
        test_bert_labels(bert);
    }
    if (gpt2 && gpt2_fast) {
        AS_TEST_STR(as_tok_describe(gpt2_fast), "bpe (tokenizer.json, byte-level)");
        test_fixture("gpt2-tiny", gpt2);
        test_fixture("gpt2-tiny", gpt2_fast);
        compare_lines(gpt2, gpt2_fast, "val.en.gz", 1);
        compare_lines(gpt2, gpt2_fast, "val.de.gz", 1);
        test_pair(gpt2, 0, 0, 0, 1);
        test_gpt2_cases(gpt2);
    }
    as_tok_destroy(bert);
    as_tok_destroy(gpt2);
    as_tok_destroy(bert_fast);
    as_tok_destroy(gpt2_fast);
    free(bert_json);
    free(gpt2_json);
    free(bert_dir);
    free(gpt2_dir);
    test_unigram();
    test_bad();
    return as_test_result();
}
