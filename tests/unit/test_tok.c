/* test_tok: the Marian tokenizer against the marian-tiny fixture (token strings and ids produced by
 * Hugging Face MarianTokenizer, inputs.json and golden.safetensors), a round trip over Multi30k,
 * piece labels, and malformed tokenizer folders generated into a temporary directory. */
#include "attnscope/st.h"
#include "attnscope/tok.h"

#include "../../src/tok/tok_internal.h"
#include "../test.h"

#include <cjson/cJSON.h>
#include <zlib.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *fixture_path(const char *name)
{
    return as_xasprintf("%s/marian-tiny/%s", as_test_fixtures(), name);
}

static cJSON *load_json(const char *path)
{
    char *text;
    if (as_read_file(path, &text, NULL) != AS_OK)
        return NULL;
    cJSON *j = cJSON_Parse(text);
    free(text);
    return j;
}

/* Id of piece in the fixture's vocab.json, looked up with cJSON: a reference independent of the
 * tokenizer's own hash table. */
static long vocab_id(const cJSON *vocab, const char *piece)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(vocab, piece);
    return cJSON_IsNumber(e) ? (long)e->valuedouble : -1;
}

/* ---- reference tokens: inputs.json and golden.safetensors ----------------------------------- */

/* Compares seq with the reference token strings ref[first..] and with their vocab.json ids. */
static void check_tokens(const as_tok_seq *seq, const cJSON *ref, int first, const cJSON *vocab,
                         const char *what)
{
    int n = cJSON_GetArraySize(ref) - first;
    AS_TEST_EQ(seq->n, n);
    for (int i = 0; i < n && i < seq->n; i++) {
        const char *want = cJSON_GetArrayItem(ref, first + i)->valuestring;
        AS_TEST_STR(seq->pieces[i], want);
        AS_TEST_EQ(seq->ids[i], vocab_id(vocab, want));
        if (seq->ids[i] != vocab_id(vocab, want))
            fprintf(stderr, "  (%s, token %d)\n", what, i);
    }
}

/* seq->ids must equal the golden I64 tensor name. */
static void check_golden_ids(const as_st_file *golden, const char *name, const as_tok_seq *seq)
{
    const as_st_tensor *t = as_st_find(golden, name);
    AS_TEST_TRUE(t != NULL);
    if (!t)
        return;
    AS_TEST_EQ(t->ndim, 1);
    AS_TEST_EQ(t->numel, seq->n);
    if (t->numel != (size_t)seq->n)
        return;
    int64_t *ids = as_xcalloc(t->numel, sizeof *ids);
    AS_TEST_EQ(as_st_to_i64(golden, t, ids), AS_OK);
    for (int i = 0; i < seq->n; i++)
        AS_TEST_EQ(seq->ids[i], ids[i]);
    free(ids);
}

static void test_fixture_cases(as_tok *tok, const cJSON *vocab)
{
    char *ipath = fixture_path("inputs.json"), *gpath = fixture_path("golden.safetensors");
    cJSON *inputs = load_json(ipath);
    as_st_file *golden = NULL;
    AS_TEST_TRUE(inputs != NULL);
    AS_TEST_EQ(as_st_open(&golden, gpath), AS_OK);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(inputs, "cases");
    AS_TEST_EQ(cJSON_GetArraySize(cases), 4);
    int targets = 0;
    for (const cJSON *c = cases ? cases->child : NULL; c; c = c->next) {
        const char *id = cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring;
        const char *src = cJSON_GetObjectItemCaseSensitive(c, "source")->valuestring;
        as_tok_seq seq;
        AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, src, &seq), AS_OK);
        check_tokens(&seq, cJSON_GetObjectItemCaseSensitive(c, "source_tokens"), 0, vocab, id);
        for (int i = 0; i < seq.n; i++)
            AS_TEST_EQ(seq.type_ids[i], 0);
        char *name = as_xasprintf("%s.input_ids", id);
        if (golden)
            check_golden_ids(golden, name, &seq);
        free(name);
        as_tok_seq_free(&seq);

        /* A forced target: decoder_tokens = decoder start (<pad>) + target tokens. */
        const cJSON *tgt = cJSON_GetObjectItemCaseSensitive(c, "target");
        if (!cJSON_IsString(tgt))
            continue;
        targets++;
        AS_TEST_EQ(as_tok_encode(tok, AS_TOK_TARGET, tgt->valuestring, &seq), AS_OK);
        check_tokens(&seq, cJSON_GetObjectItemCaseSensitive(c, "decoder_tokens"), 1, vocab, id);
        name = as_xasprintf("%s.target_ids", id);
        if (golden)
            check_golden_ids(golden, name, &seq);
        free(name);
        /* The reference translation has only known pieces, so it decodes back exactly. */
        char *text = as_tok_decode(tok, seq.ids, seq.n);
        AS_TEST_STR(text, tgt->valuestring);
        free(text);
        as_tok_seq_free(&seq);
    }
    AS_TEST_EQ(targets, 1);
    as_st_close(golden);
    cJSON_Delete(inputs);
    free(ipath);
    free(gpath);
}

/* ---- round trip over Multi30k ---------------------------------------------------------------- */

/* Collapses whitespace runs to one space and trims both ends, in place. */
static void normalise_space(char *s)
{
    char *w = s;
    int pending = 0;
    for (const char *r = s; *r; r++) {
        if (isspace((unsigned char)*r)) {
            pending = w != s;
        } else {
            if (pending)
                *w++ = ' ';
            pending = 0;
            *w++ = *r;
        }
    }
    *w = '\0';
}

static void test_round_trip(as_tok *tok, int32_t unk)
{
    char *path = as_xasprintf("%s/../data/multi30k/val.en.gz", as_test_fixtures());
    gzFile gz = gzopen(path, "rb");
    AS_TEST_TRUE(gz != NULL);
    if (!gz) {
        free(path);
        return;
    }
    char line[4096];
    int lines = 0, checked = 0, failed = 0;
    while (lines < 200 && gzgets(gz, line, sizeof line)) {
        lines++;
        normalise_space(line);
        as_tok_seq seq;
        if (as_tok_encode(tok, AS_TOK_SOURCE, line, &seq) != AS_OK) {
            failed++;
            fprintf(stderr, "line %d: %s\n", lines, as_last_error());
            continue;
        }
        int has_unk = 0;
        for (int i = 0; i < seq.n; i++)
            has_unk |= seq.ids[i] == unk;
        AS_TEST_TRUE(seq.n > 0 && seq.ids[seq.n - 1] == 0); /* </s> is id 0 in this vocab.json */
        if (!has_unk) {
            char *back = as_tok_decode(tok, seq.ids, seq.n);
            checked++;
            if (strcmp(back, line) != 0) {
                failed++;
                fprintf(stderr, "line %d: \"%s\" decodes as \"%s\"\n", lines, line, back);
            }
            free(back);
        }
        as_tok_seq_free(&seq);
    }
    gzclose(gz);
    free(path);
    AS_TEST_EQ(lines, 200);
    AS_TEST_EQ(failed, 0);
    /* The fixture's vocabularies were built from Multi30k: every line of val.en is covered (checked
     * with spm_encode and vocab.json), so all 200 lines must take part in the round trip. */
    AS_TEST_EQ(checked, 200);
}

/* ---- unknown pieces, special ids, argument errors -------------------------------------------- */

static void test_unknown_and_specials(as_tok *tok, const cJSON *vocab)
{
    /* spm_encode --model source.spm gives "▁A ▁dog ▁near ▁ 東京 ." for this text: 東京 is not in
     * the SentencePiece model (its own unknown, kept as surface text) nor in vocab.json. */
    as_tok_seq seq;
    AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, "A dog near 東京.", &seq), AS_OK);
    const char *want[] = {"▁A", "▁dog", "▁near", "▁", "<unk>", ".", "</s>"};
    AS_TEST_EQ(seq.n, 7);
    for (int i = 0; i < 7 && i < seq.n; i++) {
        AS_TEST_STR(seq.pieces[i], want[i]);
        AS_TEST_EQ(seq.ids[i], vocab_id(vocab, want[i]));
    }
    char *text = as_tok_decode(tok, seq.ids, seq.n);
    AS_TEST_STR(text, "A dog near <unk>.");
    free(text);
    as_tok_seq_free(&seq);

    AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, "", &seq), AS_EINVAL);
    AS_TEST_EQ(seq.n, 0);
    AS_TEST_EQ(as_tok_encode_pair(tok, "A dog", "A cat", &seq), AS_EUNSUPPORTED);
    AS_TEST_EQ(seq.n, 0);
    AS_TEST_STR(as_tok_describe(tok), "sentencepiece (source.spm, target.spm) + vocab.json");
    AS_TEST_EQ(as_tok_vocab_size(tok), 1448); /* README: <pad> = last id = 1447 */
    AS_TEST_STR(as_tok_piece(tok, 1447), "<pad>");
    AS_TEST_STR(as_tok_piece(tok, 1448), "<?>");
    AS_TEST_STR(as_tok_piece(tok, -1), "<?>");

    /* </s> and <pad> vanish from decoded text wherever they are; <unk> stays. */
    int32_t ids[] = {1447, (int32_t)vocab_id(vocab, "▁Ein"), 0, (int32_t)vocab_id(vocab, "m"), 1,
                     1447, 0};
    text = as_tok_decode(tok, ids, 7);
    AS_TEST_STR(text, "Einm<unk>");
    free(text);
    text = as_tok_decode(tok, ids, 0);
    AS_TEST_STR(text, "");
    free(text);
}

/* ---- what happens before SentencePiece: special tokens and language codes ------------------- */

/* Records spans as "T[text]", "S[special]", "C[code]". */
static int record_span(void *ctx, as_tok_span_kind kind, const char *s, size_t len)
{
    char *buf = ctx;
    size_t at = strlen(buf);
    snprintf(buf + at, 512 - at, "%c[%.*s]",
             kind == AS_TOK_SPAN_TEXT ? 'T' : kind == AS_TOK_SPAN_SPECIAL ? 'S' : 'C', (int)len, s);
    return 0;
}

static void check_split(const char *text, const char *want)
{
    static const char *const specials[] = {"</s>", "<unk>", "<pad>"};
    char buf[512] = "";
    AS_TEST_EQ(as_tok_split(text, specials, 3, record_span, buf), 0);
    AS_TEST_STR(buf, want);
}

/* Expected spans worked out by hand from transformers 4.27: PreTrainedTokenizer.tokenize keeps
 * special tokens whole and str.strip()s (Python whitespace, incl. U+00A0, U+3000, \x1c-\x1f)
 * the text on their sides; MarianTokenizer.remove_language_code applies re ">>.+<<" ('.' is not
 * '\n', greedy) with re.match for the kept code and re.sub to delete every code. */
static void test_split(as_tok *tok, const cJSON *vocab)
{
    check_split("A dog</s>  a cat <unk>.", "T[A dog]S[</s>]T[a cat]S[<unk>]T[.]");
    check_split(">>fr<< A dog", "C[>>fr<<]T[ A dog]");
    check_split("A >>x<< dog", "T[A  dog]");
    check_split(">>a<<>>b<< c", "C[>>a<<>>b<<]T[ c]");
    check_split(">>a\nb<< c", "T[>>a\nb<< c]");
    check_split(">>><<", "C[>>><<]");
    check_split(">><<", "T[>><<]");
    check_split("x>>y<<z</s>", "T[xz]S[</s>]");
    check_split("<pad>\xc2\xa0" "A\n</s>", "S[<pad>]T[A]S[</s>]");
    check_split(" \t</s>\xe3\x80\x80 ", "S[</s>]");
    check_split("a\x1f" "b</s>\x1f", "T[a\x1f" "b]S[</s>]");
    check_split("<unk", "T[<unk]");
    check_split("\xc2\xa0", "T[\xc2\xa0]");

    /* Through SentencePiece: spm_encode --model source.spm gives "▁A ▁dog" for "A dog",
     * "▁a ▁c at" for "a cat" and "▁ ." for "."; ">>fr<<" is not in vocab.json -> <unk>. */
    static const struct {
        const char *text;
        const char *pieces[12];
    } cases[] = {
        {"A dog</s>  a cat <unk>.",
         {"▁A", "▁dog", "</s>", "▁a", "▁c", "at", "<unk>", "▁", ".", "</s>"}},
        {">>fr<< A dog", {"<unk>", "▁A", "▁dog", "</s>"}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        as_tok_seq seq;
        AS_TEST_EQ(as_tok_encode(tok, AS_TOK_SOURCE, cases[c].text, &seq), AS_OK);
        int n = 0;
        while (cases[c].pieces[n])
            n++;
        AS_TEST_EQ(seq.n, n);
        for (int i = 0; i < n && i < seq.n; i++) {
            AS_TEST_STR(seq.pieces[i], cases[c].pieces[i]);
            AS_TEST_EQ(seq.ids[i], vocab_id(vocab, cases[c].pieces[i]));
        }
        as_tok_seq_free(&seq);
    }
}

/* ---- labels (expected values worked out by hand from the rules in tok.h) --------------------- */

static const as_tok *label_tok;

static void check_label(const char *piece, const char *want)
{
    char *got = as_tok_label(label_tok, piece);
    AS_TEST_STR(got, want);
    free(got);
}

static void test_labels(const as_tok *tok)
{
    label_tok = tok;
    check_label("▁man", "man");
    check_label("s", "##s");
    check_label("▁", "_");
    check_label("▁▁", "_");      /* marker dropped, the second one is a space inside the piece */
    check_label("a▁b", "##a_b");
    check_label("</s>", "</s>");
    check_label("<unk>", "<unk>");
    check_label("<pad>", "<pad>");
    check_label("<>", "##<>");    /* too short to be a special token */
    check_label("<a\nb>", "<a?b>");
    check_label("▁schläft", "schläft");
    check_label("▁Küche", "Küche");
    check_label("▁😀", "😀");     /* 4-byte character copied whole */
    check_label("a\tb", "##a?b");
    check_label("\x7f", "##?");
    check_label("\xc2\x85x", "##?x");         /* U+0085 (C1 control): one '?' for two bytes */
    check_label("\xc2\xa0", "##\xc2\xa0");    /* U+00A0 is printable: kept */
    check_label("\xff", "##?");
    check_label("x\xc3", "##x?");             /* truncated 2-byte sequence */
    check_label("\xc0\xaf", "##??");          /* overlong '/' */
    check_label("\xed\xa0\x80", "##???");     /* UTF-16 surrogate */
    check_label("\xf4\x90\x80\x80", "##????"); /* above U+10FFFF */
    check_label("\xe2\x96", "##??");          /* half a marker is not a marker */
    check_label("", "##");
}

/* ---- malformed tokenizer folders ------------------------------------------------------------ */

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = as_path_join(dir, name);
    FILE *f = fopen(path, "wb");
    AS_TEST_TRUE(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    free(path);
}

static void link_fixture(const char *dir, const char *name)
{
    char *src = fixture_path(name), *dst = as_path_join(dir, name);
    char *abs = realpath(src, NULL);
    AS_TEST_TRUE(abs != NULL);
    AS_TEST_EQ(abs ? symlink(abs, dst) : -1, 0);
    free(abs);
    free(src);
    free(dst);
}

static void remove_file(const char *dir, const char *name)
{
    char *path = as_path_join(dir, name);
    unlink(path);
    free(path);
}

/* Opening dir must fail with code and a one-line message "dir/file: ...<word>...". */
static void expect_open_error(const char *dir, const char *file, int code, const char *word)
{
    as_tok *t = (as_tok *)&t; /* must be reset to NULL */
    int rc = as_tok_open_marian(&t, dir);
    AS_TEST_EQ(rc, code);
    AS_TEST_TRUE(t == NULL);
    as_tok_destroy(t);
    const char *msg = as_last_error();
    char *prefix = as_xasprintf("%s/%s: ", dir, file);
    AS_TEST_TRUE(strncmp(msg, prefix, strlen(prefix)) == 0);
    AS_TEST_TRUE(strstr(msg, word) != NULL);
    AS_TEST_TRUE(strchr(msg, '\n') == NULL);
    if (strncmp(msg, prefix, strlen(prefix)) != 0 || !strstr(msg, word))
        fprintf(stderr, "  message was: %s (wanted %s...%s)\n", msg, prefix, word);
    free(prefix);
}

static void test_bad_folders(void)
{
    const char *tmp = getenv("TMPDIR");
    char *tmpl = as_path_join(tmp && *tmp ? tmp : "/tmp", "as_test_tok_XXXXXX");
    char *dir = mkdtemp(tmpl);
    AS_TEST_TRUE(dir != NULL);
    if (!dir) {
        free(tmpl);
        return;
    }
    link_fixture(dir, "source.spm");
    link_fixture(dir, "target.spm");

    expect_open_error(dir, "vocab.json", AS_EIO, "cannot open");
    static const struct {
        const char *json, *word;
    } bad[] = {
        {"", "invalid JSON"},
        {"{\"</s>\": 0, \"<unk>\": 1", "invalid JSON"},
        {"[0, 1]", "not a JSON object"},
        {"{\"</s>\": 0, \"<unk>\": \"1\"}", "not a number"},
        {"{\"</s>\": 0, \"<unk>\": null}", "not a number"},
        {"{\"</s>\": 0, \"<unk>\": 1.5}", "not an integer"},
        {"{\"</s>\": 0, \"<unk>\": -1}", "outside"},
        {"{\"</s>\": 0, \"<unk>\": 1e12}", "outside"},
        {"{\"</s>\": 0, \"<unk>\": 4194304}", "outside"}, /* AS_TOK_MAX_ID + 1 */
        {"{\"</s>\": 0, \"<unk>\": 0}", "already used"},
        {"{\"</s>\": 0, \"<unk>\": 1, \"</s>\": 2}", "listed twice"},
        {"{\"<unk>\": 1}", "\"</s>\""},
        {"{\"</s>\": 0, \"<pad>\": 1}", "\"<unk>\""},
        {"{}", "\"</s>\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(dir, "vocab.json", bad[i].json);
        expect_open_error(dir, "vocab.json", AS_EFORMAT, bad[i].word);
    }

    /* A valid vocab with holes: ids 1, 3, 4 unused; no <pad>. */
    write_file(dir, "vocab.json", "{\"</s>\": 0, \"<unk>\": 5, \"\xe2\x96\x81" "a\": 2}");
    as_tok *t = NULL;
    AS_TEST_EQ(as_tok_open_marian(&t, dir), AS_OK);
    if (t) {
        AS_TEST_EQ(as_tok_vocab_size(t), 6);
        AS_TEST_STR(as_tok_piece(t, 3), "<?>");
        AS_TEST_STR(as_tok_piece(t, 2), "▁a");
        as_tok_seq seq;
        /* spm_encode gives "▁a ▁dog" with source.spm: "▁dog" is unknown to this vocab. */
        AS_TEST_EQ(as_tok_encode(t, AS_TOK_SOURCE, "a dog", &seq), AS_OK);
        AS_TEST_EQ(seq.n, 3);
        if (seq.n == 3) {
            AS_TEST_EQ(seq.ids[0], 2);
            AS_TEST_EQ(seq.ids[1], 5);
            AS_TEST_EQ(seq.ids[2], 0);
            AS_TEST_STR(seq.pieces[1], "<unk>");
        }
        int32_t ids[] = {2, 3, 0};
        char *text = as_tok_decode(t, ids, 3);
        AS_TEST_STR(text, "a<?>");
        free(text);
        as_tok_seq_free(&seq);
        as_tok_destroy(t);
    }

    /* The SentencePiece models: missing, then not a model. */
    remove_file(dir, "target.spm");
    expect_open_error(dir, "target.spm", AS_EIO, "missing");
    write_file(dir, "target.spm", "this is not a protobuf\n");
    expect_open_error(dir, "target.spm", AS_EFORMAT, "not a SentencePiece model");
    write_file(dir, "target.spm", "");
    expect_open_error(dir, "target.spm", AS_EFORMAT, "not a SentencePiece model");

    remove_file(dir, "vocab.json");
    remove_file(dir, "source.spm");
    remove_file(dir, "target.spm");
    AS_TEST_EQ(rmdir(dir), 0);
    free(tmpl);
}

int main(void)
{
    char *vpath = fixture_path("vocab.json");
    if (!as_file_exists(vpath)) {
        printf("SKIP: marian-tiny fixture not found at %s\n", vpath);
        free(vpath);
        return AS_TEST_SKIP;
    }
    cJSON *vocab = load_json(vpath);
    free(vpath);
    AS_TEST_TRUE(cJSON_IsObject(vocab));

    char *dir = as_xasprintf("%s/marian-tiny", as_test_fixtures());
    as_tok *tok = NULL;
    /* as_tok_open picks Marian for a folder with source.spm + vocab.json and no other files */
    int rc = as_tok_open(&tok, dir, NULL);
    AS_TEST_EQ(rc, AS_OK);
    if (rc != AS_OK)
        fprintf(stderr, "open: %s\n", as_last_error());
    free(dir);
    if (tok) {
        test_fixture_cases(tok, vocab);
        test_round_trip(tok, (int32_t)vocab_id(vocab, "<unk>"));
        test_unknown_and_specials(tok, vocab);
        test_split(tok, vocab);
        test_labels(tok);
        as_tok_destroy(tok);
    }
    test_bad_folders();
    cJSON_Delete(vocab);
    return as_test_result();
}
