/* tok_slow: the "slow" (Python) tokenizer folders of transformers 4.27, translated into the
 * pipeline: vocab.txt (+ tokenizer_config.json) -> BertTokenizer; vocab.json + merges.txt (+
 * tokenizer_config.json) -> GPT2Tokenizer, RobertaTokenizer, BartTokenizer. */
#include "tok_internal.h"

#include <cjson/cJSON.h>

#include <stdlib.h>
#include <string.h>

/* ---- tokenizer_config.json (optional) -------------------------------------------------------- */

/* Parsed dir/tokenizer_config.json, or NULL if there is none. */
static int load_config(const char *dir, cJSON **out)
{
    *out = NULL;
    char *path = as_path_join(dir, "tokenizer_config.json");
    if (!as_file_exists(path)) {
        free(path);
        return AS_OK;
    }
    char *text;
    size_t len;
    int rc = as_read_file(path, &text, &len);
    if (rc == AS_OK) {
        *out = cJSON_ParseWithLength(text, len);
        if (!cJSON_IsObject(*out)) {
            cJSON_Delete(*out);
            *out = NULL;
            rc = as_fail(AS_EFORMAT, "%s: invalid JSON or not an object", path);
        }
        free(text);
    }
    free(path);
    return rc;
}

/* A boolean setting: 1, 0, or def when absent or null. */
static int flag(const cJSON *cfg, const char *key, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

/* A special token setting: a string or an AddedToken object {"content": ...}; def if absent. */
static const char *token_name(const cJSON *cfg, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    if (cJSON_IsObject(v))
        v = cJSON_GetObjectItemCaseSensitive(v, "content");
    return cJSON_IsString(v) ? v->valuestring : def;
}

/* Registers name as a special token if the vocabulary has it; returns its id or -1. lstrip /
 * rstrip: the token swallows the whitespace on that side (slow tokenizers do both for specials
 * given as plain strings, as BertTokenizer's are). */
static int32_t special(as_tok *t, const char *name, int lstrip, int rstrip)
{
    if (!name)
        return -1;
    int32_t id = as_tok_find(t, name);
    if (id >= 0 && as_tok_vocab_find(&t->model.vocab, name, strlen(name)) >= 0) {
        for (int i = 0; i < t->n_added; i++)
            if (strcmp(t->added[i].content, name) == 0)
                return id;
        as_tok_add_token(t, name, id, lstrip, rstrip, 1);
    }
    return id;
}

/* ---- vocab.txt: BertTokenizer ---------------------------------------------------------------- */

/* One piece per line (Python's rstrip("\n") of each line: '\r' and spaces stay); ids count
 * lines. */
static int load_vocab_txt(as_tok_vocab *v, const char *path)
{
    char *text;
    size_t len;
    int rc = as_read_file(path, &text, &len);
    if (rc)
        return rc;
    if (memchr(text, '\0', len)) {
        free(text);
        return as_fail(AS_EFORMAT, "%s: contains a NUL byte (not a text vocabulary)", path);
    }
    int32_t n = 0, cap = 0;
    const char **lines = NULL;
    for (char *p = text; p < text + len;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        if (nl)
            *nl = '\0';
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            lines = as_xrealloc(lines, (size_t)cap * sizeof *lines);
        }
        lines[n++] = p;
        p = nl ? nl + 1 : text + len;
    }
    rc = n ? as_tok_vocab_from_list(v, lines, n, path)
           : as_fail(AS_EFORMAT, "%s: empty vocabulary", path);
    free(lines);
    free(text);
    return rc;
}

int as_tok_open_wordpiece(as_tok *t, const char *dir)
{
    t->path = as_path_join(dir, "vocab.txt");
    t->style = AS_TOK_STYLE_WORDPIECE;
    cJSON *cfg = NULL;
    int rc = load_config(dir, &cfg);
    if (rc == AS_OK)
        rc = load_vocab_txt(&t->model.vocab, t->path);
    if (rc) {
        cJSON_Delete(cfg);
        return rc;
    }
    int lower = flag(cfg, "do_lower_case", 1);
    /* strip_accents: null (the default) follows lowercasing */
    int strip = flag(cfg, "strip_accents", lower);
    t->norm = as_xcalloc(1, sizeof *t->norm);
    t->n_norm = 1;
    t->norm[0] = (as_tok_norm){.kind = AS_TOK_NORM_BERT, .clean_text = 1,
                               .chinese = flag(cfg, "tokenize_chinese_chars", 1),
                               .strip_accents = strip, .lowercase = lower};
    t->pre = as_xcalloc(1, sizeof *t->pre);
    t->n_pre = 1;
    as_tok_pre_init(&t->pre[0], AS_TOK_PRE_BERT, NULL, 0, t->path);
    t->model.kind = AS_TOK_WORDPIECE;
    t->model.prefix = as_xstrdup("##");
    t->model.max_chars = 100;

    const char *unk = token_name(cfg, "unk_token", "[UNK]");
    const char *cls = token_name(cfg, "cls_token", "[CLS]");
    const char *sep = token_name(cfg, "sep_token", "[SEP]");
    special(t, token_name(cfg, "pad_token", "[PAD]"), 1, 1);
    special(t, token_name(cfg, "mask_token", "[MASK]"), 1, 1);
    t->model.unk = special(t, unk, 1, 1);
    int32_t cls_id = special(t, cls, 1, 1), sep_id = special(t, sep, 1, 1);
    if (t->model.unk < 0 || cls_id < 0 || sep_id < 0)
        rc = as_fail(AS_EFORMAT, "%s: no \"%s\" entry", t->path,
                     t->model.unk < 0 ? unk : cls_id < 0 ? cls : sep);
    else
        as_tok_set_framing(t, AS_TOK_FRAME_BERT, cls_id, sep_id);
    t->describe = as_xasprintf("wordpiece (vocab.txt%s%s)", lower ? ", lowercase" : "",
                               strip ? ", strip accents" : "");
    cJSON_Delete(cfg);
    return rc;
}

/* ---- vocab.json + merges.txt: byte-level BPE ------------------------------------------------- */

/* "a b" lines after an optional "#version" header; blank lines are skipped. */
static int load_merges(as_tok_model *m, const char *path)
{
    char *text;
    size_t len;
    int rc = as_read_file(path, &text, &len);
    if (rc)
        return rc;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    as_tok_bpe_reserve(m, lines);
    int32_t rank = 0;
    int line = 0;
    for (char *p = text; p < text + len && rc == AS_OK;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        if (nl)
            *nl = '\0';
        line++;
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r')
            p[--l] = '\0';
        if (!(line == 1 && strncmp(p, "#version", 8) == 0) && l) {
            char *sp = strchr(p, ' ');
            if (!sp || sp == p || !sp[1] || strchr(sp + 1, ' ')) {
                rc = as_fail(AS_EFORMAT, "%s: line %d: expected two tokens separated by one "
                             "space", path, line);
            } else {
                *sp = '\0';
                char *where = as_xasprintf("%s: line %d", path, line);
                rc = as_tok_bpe_add_merge(m, p, sp + 1, rank++, where);
                free(where);
            }
        }
        p = nl ? nl + 1 : text + len;
    }
    free(text);
    return rc;
}

/* RoBERTa-style framing for the families whose slow tokenizer adds <s> ... </s>. */
static int roberta_family(const cJSON *cfg, const as_cfg *model_cfg)
{
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(cfg, "tokenizer_class");
    if (cJSON_IsString(cls))
        return strstr(cls->valuestring, "Roberta") || strstr(cls->valuestring, "Bart") ||
               strstr(cls->valuestring, "Longformer");
    if (!model_cfg)
        return 0;
    static const char *const types[] = {"roberta", "bart", "longformer", "xlm-roberta"};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(model_cfg->model_type, types[i]) == 0)
            return 1;
    return 0;
}

int as_tok_open_bytelevel(as_tok *t, const char *dir, const as_cfg *model_cfg)
{
    t->path = as_path_join(dir, "vocab.json");
    t->style = AS_TOK_STYLE_BYTELEVEL;
    cJSON *cfg = NULL;
    int rc = load_config(dir, &cfg);
    if (rc == AS_OK)
        rc = as_tok_vocab_load(&t->model.vocab, t->path);
    t->model.kind = AS_TOK_BPE;
    t->model.unk = -1;
    if (rc == AS_OK) {
        char *mpath = as_path_join(dir, "merges.txt");
        rc = load_merges(&t->model, mpath);
        free(mpath);
    }
    if (rc) {
        cJSON_Delete(cfg);
        return rc;
    }
    int prefix = flag(cfg, "add_prefix_space", 0);
    t->pre = as_xcalloc(1, sizeof *t->pre);
    t->n_pre = 1;
    rc = as_tok_pre_init(&t->pre[0], AS_TOK_PRE_BYTELEVEL, NULL, 0, t->path);
    t->pre[0].add_prefix_space = prefix;
    t->pre[0].use_regex = 1;

    /* the configured specials, then the usual ones the vocabulary may hold. GPT2Tokenizer and
     * RobertaTokenizer wrap them as AddedToken(lstrip=False, rstrip=False), so the text around
     * them keeps its spaces; only RoBERTa's mask swallows the space before it. */
    int rob = roberta_family(cfg, model_cfg);
    const char *bos = token_name(cfg, "bos_token", rob ? "<s>" : "<|endoftext|>");
    const char *eos = token_name(cfg, "eos_token", rob ? "</s>" : "<|endoftext|>");
    t->model.unk = special(t, token_name(cfg, "unk_token", rob ? "<unk>" : "<|endoftext|>"), 0, 0);
    int32_t bos_id = special(t, bos, 0, 0), eos_id = special(t, eos, 0, 0);
    special(t, token_name(cfg, "pad_token", "<pad>"), 0, 0);
    special(t, token_name(cfg, "mask_token", "<mask>"), 1, 0);
    special(t, "<|endoftext|>", 0, 0);
    if (rob && (bos_id < 0 || eos_id < 0))
        rc = as_fail(AS_EFORMAT, "%s: no \"%s\" entry", t->path, bos_id < 0 ? bos : eos);
    else
        as_tok_set_framing(t, rob ? AS_TOK_FRAME_ROBERTA : AS_TOK_FRAME_NONE, bos_id, eos_id);
    t->describe = as_xasprintf("byte-level bpe (vocab.json + merges.txt%s%s)",
                               rob ? ", <s> A </s>" : "", prefix ? ", prefix space" : "");
    cJSON_Delete(cfg);
    return rc;
}
