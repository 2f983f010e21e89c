/* tok_json: tokenizer.json, the file the Hugging Face tokenizers library writes (and most current
 * model repositories ship), into the pipeline. Every component is checked; one we do not
 * implement is AS_EUNSUPPORTED naming it, a malformed one AS_EFORMAT naming the field. */
#include "tok_internal.h"

#include <cjson/cJSON.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    as_tok *t;
    const char *path;
} ctx;

/* A JSON number as int32 without undefined behaviour: out-of-range values (1e40) are clamped,
 * and the ids and type ids they become are range-checked where they are used. */
static int32_t json_i32(double d)
{
    return d < INT32_MIN ? INT32_MIN : d > INT32_MAX ? INT32_MAX : (int32_t)d;
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static int get_bool(const cJSON *o, const char *key, int def)
{
    const cJSON *v = get(o, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

static const char *get_str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *type_of(const cJSON *o)
{
    const char *t = get_str(o, "type");
    return t ? t : "";
}

static int unsupported(const ctx *c, const char *what, const cJSON *o)
{
    return as_fail(AS_EUNSUPPORTED, "%s: %s \"%s\" is not supported", c->path, what, type_of(o));
}

static int bad(const ctx *c, const char *what, const char *why)
{
    return as_fail(AS_EFORMAT, "%s: %s: %s", c->path, what, why);
}

/* ---- normalizers ---------------------------------------------------------------------------- */

static as_tok_norm *new_norm(as_tok *t, as_tok_norm_kind kind)
{
    t->norm = as_xrealloc(t->norm, (size_t)(t->n_norm + 1) * sizeof *t->norm);
    as_tok_norm *n = &t->norm[t->n_norm++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    return n;
}

/* A {"String": s} or {"Regex": r} pattern compiled; NULL with the error recorded. */
static struct pcre2_real_code_8 *pattern(const ctx *c, const cJSON *p, const char *what)
{
    const char *s = get_str(p, "String"), *r = get_str(p, "Regex");
    if (!s && !r) {
        bad(c, what, "pattern is neither {\"String\": ...} nor {\"Regex\": ...}");
        return NULL;
    }
    char *where = as_xasprintf("%s: %s", c->path, what);
    struct pcre2_real_code_8 *re = as_tok_regex(s ? s : r, s != NULL, where);
    free(where);
    return re;
}

static int normalizer(const ctx *c, const cJSON *o)
{
    const char *ty = type_of(o);
    as_tok *t = c->t;
    if (strcmp(ty, "Sequence") == 0) {
        const cJSON *list = get(o, "normalizers");
        if (!cJSON_IsArray(list))
            return bad(c, "normalizer Sequence", "\"normalizers\" is not an array");
        for (const cJSON *e = list->child; e; e = e->next) {
            int rc = normalizer(c, e);
            if (rc)
                return rc;
        }
        return AS_OK;
    }
    if (strcmp(ty, "BertNormalizer") == 0) {
        as_tok_norm *n = new_norm(t, AS_TOK_NORM_BERT);
        n->clean_text = get_bool(o, "clean_text", 1);
        n->chinese = get_bool(o, "handle_chinese_chars", 1);
        n->lowercase = get_bool(o, "lowercase", 1);
        n->strip_accents = get_bool(o, "strip_accents", n->lowercase); /* null follows lowercase */
        return AS_OK;
    }
    static const struct {
        const char *name;
        as_tok_norm_kind kind;
    } simple[] = {{"NFC", AS_TOK_NORM_NFC},           {"NFD", AS_TOK_NORM_NFD},
                  {"NFKC", AS_TOK_NORM_NFKC},         {"NFKD", AS_TOK_NORM_NFKD},
                  {"Lowercase", AS_TOK_NORM_LOWER},   {"StripAccents", AS_TOK_NORM_STRIP_ACCENTS}};
    for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
        if (strcmp(ty, simple[i].name) == 0) {
            new_norm(t, simple[i].kind);
            return AS_OK;
        }
    if (strcmp(ty, "Replace") == 0) {
        const char *content = get_str(o, "content");
        if (!content)
            return bad(c, "normalizer Replace", "\"content\" is not a string");
        struct pcre2_real_code_8 *re = pattern(c, get(o, "pattern"), "normalizer Replace");
        if (!re)
            return AS_EFORMAT;
        as_tok_norm *n = new_norm(t, AS_TOK_NORM_REPLACE);
        n->re = re;
        n->content = as_xstrdup(content);
        return AS_OK;
    }
    if (strcmp(ty, "Prepend") == 0) {
        const char *p = get_str(o, "prepend");
        if (!p)
            return bad(c, "normalizer Prepend", "\"prepend\" is not a string");
        new_norm(t, AS_TOK_NORM_PREPEND)->content = as_xstrdup(p);
        return AS_OK;
    }
    return unsupported(c, "normalizer", o);
}

/* ---- pre-tokenizers -------------------------------------------------------------------------- */

static as_tok_pre *new_pre(as_tok *t)
{
    t->pre = as_xrealloc(t->pre, (size_t)(t->n_pre + 1) * sizeof *t->pre);
    as_tok_pre *p = &t->pre[t->n_pre++];
    memset(p, 0, sizeof *p);
    return p;
}

static int behavior(const ctx *c, const cJSON *o, const char *what, as_tok_split_behavior *out)
{
    static const char *const names[] = {"Removed", "Isolated", "MergedWithPrevious",
                                        "MergedWithNext", "Contiguous"};
    const char *b = get_str(o, "behavior");
    if (!b) {
        *out = AS_TOK_SPLIT_ISOLATED;
        return AS_OK;
    }
    for (int i = 0; i < 5; i++)
        if (strcmp(b, names[i]) == 0) {
            *out = (as_tok_split_behavior)i;
            return AS_OK;
        }
    return as_fail(AS_EUNSUPPORTED, "%s: %s behavior \"%s\" is not supported", c->path, what, b);
}

static int pre_tokenizer(const ctx *c, const cJSON *o)
{
    const char *ty = type_of(o);
    as_tok *t = c->t;
    int rc = AS_OK;
    if (strcmp(ty, "Sequence") == 0) {
        const cJSON *list = get(o, "pretokenizers");
        if (!cJSON_IsArray(list))
            return bad(c, "pre_tokenizer Sequence", "\"pretokenizers\" is not an array");
        for (const cJSON *e = list->child; e && rc == AS_OK; e = e->next)
            rc = pre_tokenizer(c, e);
        return rc;
    }
    char *what = as_xasprintf("%s: pre_tokenizer %s", c->path, ty);
    if (strcmp(ty, "BertPreTokenizer") == 0) {
        rc = as_tok_pre_init(new_pre(t), AS_TOK_PRE_BERT, NULL, 0, what);
    } else if (strcmp(ty, "ByteLevel") == 0) {
        as_tok_pre *p = new_pre(t);
        rc = as_tok_pre_init(p, AS_TOK_PRE_BYTELEVEL, NULL, 0, what);
        p->add_prefix_space = get_bool(o, "add_prefix_space", 1);
        p->use_regex = get_bool(o, "use_regex", 1);
        t->style = AS_TOK_STYLE_BYTELEVEL;
    } else if (strcmp(ty, "Whitespace") == 0) {
        rc = as_tok_pre_init(new_pre(t), AS_TOK_PRE_WHITESPACE, NULL, 0, what);
    } else if (strcmp(ty, "WhitespaceSplit") == 0) {
        rc = as_tok_pre_init(new_pre(t), AS_TOK_PRE_WSSPLIT, NULL, 0, what);
    } else if (strcmp(ty, "Punctuation") == 0) {
        as_tok_pre *p = new_pre(t);
        rc = as_tok_pre_init(p, AS_TOK_PRE_PUNCT, NULL, 0, what);
        if (rc == AS_OK)
            rc = behavior(c, o, "pre_tokenizer Punctuation", &p->behavior);
    } else if (strcmp(ty, "Digits") == 0) {
        as_tok_pre *p = new_pre(t);
        rc = as_tok_pre_init(p, AS_TOK_PRE_DIGITS, NULL, 0, what);
        p->individual = get_bool(o, "individual_digits", 0);
    } else if (strcmp(ty, "Split") == 0) {
        as_tok_pre *p = new_pre(t);
        p->kind = AS_TOK_PRE_SPLIT;
        p->re = pattern(c, get(o, "pattern"), "pre_tokenizer Split");
        rc = p->re ? behavior(c, o, "pre_tokenizer Split", &p->behavior) : AS_EFORMAT;
        p->invert = get_bool(o, "invert", 0);
    } else if (strcmp(ty, "Metaspace") == 0) {
        as_tok_pre *p = new_pre(t);
        rc = as_tok_pre_init(p, AS_TOK_PRE_METASPACE, NULL, 0, what);
        const char *rep = get_str(o, "replacement");
        uint32_t cp;
        if (!rep || !*rep || as_tok_utf8_seq((const unsigned char *)rep, strlen(rep), &cp) !=
                                 strlen(rep)) {
            rc = bad(c, "pre_tokenizer Metaspace", "\"replacement\" is not one character");
        } else {
            memcpy(p->replacement, rep, strlen(rep) + 1);
            /* prepend_scheme (tokenizers >= 0.14) replaced add_prefix_space */
            const char *scheme = get_str(o, "prepend_scheme");
            p->prepend = get_bool(o, "add_prefix_space", 1) ? AS_TOK_PREPEND_ALWAYS
                                                            : AS_TOK_PREPEND_NEVER;
            if (scheme && strcmp(scheme, "first") == 0)
                p->prepend = AS_TOK_PREPEND_FIRST;
            else if (scheme && strcmp(scheme, "never") == 0)
                p->prepend = AS_TOK_PREPEND_NEVER;
            else if (scheme && strcmp(scheme, "always") == 0)
                p->prepend = AS_TOK_PREPEND_ALWAYS;
            else if (scheme)
                rc = as_fail(AS_EUNSUPPORTED, "%s: pre_tokenizer Metaspace prepend_scheme \"%s\" "
                             "is not supported", c->path, scheme);
            p->split = get_bool(o, "split", 1);
        }
        t->style = AS_TOK_STYLE_SPM;
    } else {
        rc = unsupported(c, "pre_tokenizer", o);
    }
    free(what);
    return rc;
}

/* ---- post-processors ------------------------------------------------------------------------ */

/* A ["token", id] pair of BertProcessing / RobertaProcessing. */
static int token_pair(const ctx *c, const cJSON *o, const char *key, const char *what,
                      int32_t *id)
{
    const cJSON *v = get(o, key), *n = cJSON_GetArrayItem(v, 1);
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2 || !cJSON_IsNumber(n) ||
        n->valuedouble < 0 || n->valuedouble > AS_TOK_MAX_ID)
        return as_fail(AS_EFORMAT, "%s: post_processor %s: \"%s\" is not [token, id]", c->path,
                       what, key);
    *id = (int32_t)n->valuedouble;
    return AS_OK;
}

/* TemplateProcessing's item list into a template. */
static int template_items(const ctx *c, const cJSON *list, const cJSON *specials,
                          as_tok_item **out, int *n_out, const char *which)
{
    if (!cJSON_IsArray(list))
        return as_fail(AS_EFORMAT, "%s: post_processor TemplateProcessing: \"%s\" is not an "
                       "array", c->path, which);
    as_tok_item *items = NULL;
    int n = 0;
    for (const cJSON *e = list->child; e; e = e->next) {
        const cJSON *seq = get(e, "Sequence"), *sp = get(e, "SpecialToken");
        const cJSON *it = seq ? seq : sp;
        const char *id = get_str(it, "id");
        const cJSON *ty = get(it, "type_id");
        if (!id || !cJSON_IsNumber(ty)) {
            free(items);
            return as_fail(AS_EFORMAT, "%s: post_processor TemplateProcessing: bad \"%s\" item",
                           c->path, which);
        }
        if (seq) {
            if (strcmp(id, "A") != 0 && strcmp(id, "B") != 0) {
                free(items);
                return as_fail(AS_EFORMAT, "%s: post_processor TemplateProcessing: sequence "
                               "\"%s\" is neither A nor B", c->path, id);
            }
            items = as_xrealloc(items, (size_t)(n + 1) * sizeof *items);
            items[n++] = (as_tok_item){id[0] == 'B', 0, json_i32(ty->valuedouble)};
            continue;
        }
        /* a special token may stand for several ids */
        const cJSON *ids = get(get(specials, id), "ids");
        if (!cJSON_IsArray(ids)) {
            free(items);
            return as_fail(AS_EFORMAT, "%s: post_processor TemplateProcessing: special token "
                           "\"%s\" is not in special_tokens", c->path, id);
        }
        for (const cJSON *x = ids->child; x; x = x->next) {
            items = as_xrealloc(items, (size_t)(n + 1) * sizeof *items);
            items[n++] = (as_tok_item){-1, cJSON_IsNumber(x) ? json_i32(x->valuedouble) : 0,
                                       json_i32(ty->valuedouble)};
        }
    }
    free(*out);
    *out = items;
    *n_out = n;
    return AS_OK;
}

static int post_processor(const ctx *c, const cJSON *o)
{
    const char *ty = type_of(o);
    as_tok *t = c->t;
    int rc = AS_OK;
    if (strcmp(ty, "Sequence") == 0) {
        const cJSON *list = get(o, "processors");
        if (!cJSON_IsArray(list))
            return bad(c, "post_processor Sequence", "\"processors\" is not an array");
        for (const cJSON *e = list->child; e && rc == AS_OK; e = e->next)
            rc = post_processor(c, e);
        return rc;
    }
    if (strcmp(ty, "ByteLevel") == 0)
        return AS_OK; /* only trims offsets, which we do not report */
    int32_t cls = 0, sep = 0;
    if (strcmp(ty, "BertProcessing") == 0 || strcmp(ty, "RobertaProcessing") == 0) {
        rc = token_pair(c, o, "cls", ty, &cls);
        if (rc == AS_OK)
            rc = token_pair(c, o, "sep", ty, &sep);
        if (rc == AS_OK)
            as_tok_set_framing(t, ty[0] == 'B' ? AS_TOK_FRAME_BERT : AS_TOK_FRAME_ROBERTA, cls,
                               sep);
        return rc;
    }
    if (strcmp(ty, "TemplateProcessing") == 0) {
        const cJSON *sp = get(o, "special_tokens");
        rc = template_items(c, get(o, "single"), sp, &t->single, &t->n_single, "single");
        if (rc == AS_OK)
            rc = template_items(c, get(o, "pair"), sp, &t->pair, &t->n_pair, "pair");
        return rc;
    }
    return unsupported(c, "post_processor", o);
}

/* ---- models --------------------------------------------------------------------------------- */

/* A token name's id in the model vocabulary (-1 for null); AS_EFORMAT if it names no entry. */
static int model_token(const ctx *c, const cJSON *o, const char *key, int32_t *id)
{
    *id = -1;
    const char *name = get_str(o, key);
    if (!name)
        return AS_OK;
    *id = as_tok_vocab_find(&c->t->model.vocab, name, strlen(name));
    if (*id < 0)
        return as_fail(AS_EFORMAT, "%s: model.%s \"%.40s\" is not in model.vocab", c->path, key,
                       name);
    return AS_OK;
}

static char *opt_str(const cJSON *o, const char *key)
{
    const char *s = get_str(o, key);
    return s && *s ? as_xstrdup(s) : NULL;
}

static int merges(const ctx *c, const cJSON *list)
{
    as_tok_model *m = &c->t->model;
    if (!cJSON_IsArray(list))
        return bad(c, "model.merges", "not an array");
    as_tok_bpe_reserve(m, (size_t)cJSON_GetArraySize(list));
    int32_t rank = 0;
    int rc = AS_OK;
    for (const cJSON *e = list->child; e && rc == AS_OK; e = e->next, rank++) {
        char *where = as_xasprintf("%s: model.merges[%d]", c->path, (int)rank);
        if (cJSON_IsString(e)) {
            /* "a b" (tokenizers < 0.20) */
            char *s = as_xstrdup(e->valuestring), *sp = strchr(s, ' ');
            if (!sp || sp == s || !sp[1] || strchr(sp + 1, ' ')) {
                rc = as_fail(AS_EFORMAT, "%s: expected two tokens separated by one space", where);
            } else {
                *sp = '\0';
                rc = as_tok_bpe_add_merge(m, s, sp + 1, rank, where);
            }
            free(s);
        } else if (cJSON_IsArray(e) && cJSON_GetArraySize(e) == 2 &&
                   cJSON_IsString(e->child) && cJSON_IsString(e->child->next)) {
            /* ["a", "b"] (tokenizers >= 0.20) */
            rc = as_tok_bpe_add_merge(m, e->child->valuestring, e->child->next->valuestring,
                                      rank, where);
        } else {
            rc = as_fail(AS_EFORMAT, "%s: neither \"a b\" nor [\"a\", \"b\"]", where);
        }
        free(where);
    }
    return rc;
}

static int unigram_vocab(const ctx *c, const cJSON *list)
{
    as_tok_model *m = &c->t->model;
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n == 0)
        return bad(c, "model.vocab", "not a non-empty array of [piece, score]");
    const char **pieces = as_xmalloc((size_t)n * sizeof *pieces);
    m->scores = as_xmalloc((size_t)n * sizeof *m->scores);
    m->min_score = DBL_MAX;
    int i = 0, rc = AS_OK;
    for (const cJSON *e = list->child; e; e = e->next, i++) {
        const cJSON *p = cJSON_GetArrayItem(e, 0), *s = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsArray(e) || !cJSON_IsString(p) || !cJSON_IsNumber(s) ||
            !isfinite(s->valuedouble)) {
            rc = as_fail(AS_EFORMAT, "%s: model.vocab[%d]: not [piece, score]", c->path, i);
            break;
        }
        pieces[i] = p->valuestring;
        size_t len = strlen(p->valuestring);
        if (len > m->max_piece)
            m->max_piece = len;
        m->scores[i] = s->valuedouble;
        if (s->valuedouble < m->min_score)
            m->min_score = s->valuedouble;
    }
    if (rc == AS_OK) {
        char *what = as_xasprintf("%s: model.vocab", c->path);
        rc = as_tok_vocab_from_list(&m->vocab, pieces, n, what);
        free(what);
    }
    free(pieces);
    return rc;
}

static int model(const ctx *c, const cJSON *o)
{
    const char *ty = type_of(o);
    as_tok_model *m = &c->t->model;
    const cJSON *vocab = get(o, "vocab");
    int rc;
    char *what = as_xasprintf("%s: model.vocab", c->path);
    if (strcmp(ty, "WordPiece") == 0 || strcmp(ty, "BPE") == 0) {
        rc = cJSON_IsObject(vocab) ? as_tok_vocab_from_json(&m->vocab, vocab, what)
                                   : bad(c, "model.vocab", "not an object");
    } else if (strcmp(ty, "Unigram") == 0) {
        rc = unigram_vocab(c, vocab);
    } else {
        rc = unsupported(c, "model", o);
    }
    free(what);
    if (rc)
        return rc;
    if (strcmp(ty, "WordPiece") == 0) {
        m->kind = AS_TOK_WORDPIECE;
        c->t->style = AS_TOK_STYLE_WORDPIECE;
        const char *prefix = get_str(o, "continuing_subword_prefix");
        m->prefix = as_xstrdup(prefix ? prefix : "##");
        const cJSON *mc = get(o, "max_input_chars_per_word");
        m->max_chars = cJSON_IsNumber(mc) ? json_i32(fmin(mc->valuedouble, 1e9)) : 100;
        rc = model_token(c, o, "unk_token", &m->unk);
        if (rc == AS_OK && m->unk < 0)
            rc = bad(c, "model.unk_token", "WordPiece needs an unknown token");
    } else if (strcmp(ty, "BPE") == 0) {
        m->kind = AS_TOK_BPE;
        const cJSON *dropout = get(o, "dropout");
        if (cJSON_IsNumber(dropout) && dropout->valuedouble > 0)
            return as_fail(AS_EUNSUPPORTED, "%s: model BPE with dropout %g is not supported "
                           "(it makes tokenisation random)", c->path, dropout->valuedouble);
        m->prefix = opt_str(o, "continuing_subword_prefix");
        m->suffix = opt_str(o, "end_of_word_suffix");
        m->byte_fallback = get_bool(o, "byte_fallback", 0);
        m->fuse_unk = get_bool(o, "fuse_unk", 0);
        m->ignore_merges = get_bool(o, "ignore_merges", 0);
        rc = model_token(c, o, "unk_token", &m->unk);
        if (rc == AS_OK)
            rc = merges(c, get(o, "merges"));
    } else {
        m->kind = AS_TOK_UNIGRAM;
        c->t->style = AS_TOK_STYLE_SPM;
        m->byte_fallback = get_bool(o, "byte_fallback", 0);
        m->fuse_unk = 1; /* the library always fuses Unigram unknowns */
        const cJSON *unk = get(o, "unk_id");
        if (!cJSON_IsNumber(unk) || unk->valuedouble < 0 || unk->valuedouble >= m->vocab.size)
            return bad(c, "model.unk_id", "missing or not an index into model.vocab");
        m->unk = (int32_t)unk->valuedouble;
    }
    return rc;
}

/* ---- added tokens --------------------------------------------------------------------------- */

static int added_tokens(const ctx *c, const cJSON *list)
{
    if (!list || cJSON_IsNull(list))
        return AS_OK;
    if (!cJSON_IsArray(list))
        return bad(c, "added_tokens", "not an array");
    int i = 0;
    for (const cJSON *e = list->child; e; e = e->next, i++) {
        const cJSON *id = get(e, "id");
        const char *content = get_str(e, "content");
        if (!content || !*content || !cJSON_IsNumber(id) || id->valuedouble < 0 ||
            id->valuedouble > AS_TOK_MAX_ID || id->valuedouble != floor(id->valuedouble))
            return as_fail(AS_EFORMAT, "%s: added_tokens[%d]: needs \"content\" and an integer "
                           "\"id\" in [0, %d]", c->path, i, AS_TOK_MAX_ID);
        as_tok_add_token(c->t, content, (int32_t)id->valuedouble, get_bool(e, "lstrip", 0),
                         get_bool(e, "rstrip", 0), get_bool(e, "special", 0));
    }
    return AS_OK;
}

/* ---- the file ------------------------------------------------------------------------------- */

static int parse(const ctx *c, const cJSON *root)
{
    if (!cJSON_IsObject(root))
        return bad(c, "top level", "not a JSON object");
    const cJSON *m = get(root, "model");
    if (!cJSON_IsObject(m))
        return bad(c, "model", "missing or not an object");
    c->t->style = AS_TOK_STYLE_SPM;
    int rc = model(c, m);
    if (rc == AS_OK)
        rc = added_tokens(c, get(root, "added_tokens"));
    const cJSON *n = get(root, "normalizer");
    if (rc == AS_OK && n && !cJSON_IsNull(n))
        rc = normalizer(c, n);
    const cJSON *p = get(root, "pre_tokenizer");
    if (rc == AS_OK && p && !cJSON_IsNull(p))
        rc = pre_tokenizer(c, p);
    as_tok_set_framing(c->t, AS_TOK_FRAME_NONE, 0, 0);
    const cJSON *pp = get(root, "post_processor");
    if (rc == AS_OK && pp && !cJSON_IsNull(pp))
        rc = post_processor(c, pp);
    /* the model decides the label style last: WordPiece's "##" beats any pre-tokenizer */
    if (c->t->model.kind == AS_TOK_WORDPIECE)
        c->t->style = AS_TOK_STYLE_WORDPIECE;
    return rc;
}

static const char *model_name(as_tok_model_kind k)
{
    return k == AS_TOK_WORDPIECE ? "wordpiece" : k == AS_TOK_BPE ? "bpe" : "unigram";
}

int as_tok_open_json(as_tok *t, const char *path)
{
    t->path = as_xstrdup(path);
    cJSON *root;
    int rc = as_tok_json_read(path, &root);
    if (rc)
        return rc;
    ctx c = {t, path};
    rc = parse(&c, root);
    cJSON_Delete(root);
    if (rc == AS_OK)
        t->describe = as_xasprintf("%s (tokenizer.json%s)", model_name(t->model.kind),
                                   t->style == AS_TOK_STYLE_BYTELEVEL ? ", byte-level" : "");
    return rc;
}
