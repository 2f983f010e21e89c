/* tok_marian: MarianTokenizer (Hugging Face transformers 4.27, slow): text -> SentencePiece pieces
 * of the side's model -> ids through vocab.json (unknown piece -> <unk>) -> </s> appended. */
#include "attnscope/tok.h"

#include "tok_internal.h"
#include "tok_spm.h"

#include <stdlib.h>
#include <string.h>

static const char *const spm_names[2] = {"source.spm", "target.spm"};

/* ---- open / destroy ------------------------------------------------------------------------- */

static int32_t required_id(const as_tok_vocab *v, const char *path, const char *piece, int *rc)
{
    int32_t id = as_tok_vocab_find(v, piece, strlen(piece));
    if (id < 0 && *rc == AS_OK)
        *rc = as_fail(AS_EFORMAT, "%s: no \"%s\" entry", path, piece);
    return id;
}

static int open_spm(as_tok *t, int side, const char *dir)
{
    char *path = as_path_join(dir, spm_names[side]);
    t->spm_path[side] = path;
    if (!as_file_exists(path))
        return as_fail(AS_EIO, "%s: missing (Marian tokenizer model)", path);
    char err[256];
    if (as_tok_spm_open(&t->spm[side], path, err, sizeof err) != 0)
        return as_fail(AS_EFORMAT, "%s: not a SentencePiece model: %s", path, err);
    return AS_OK;
}

int as_tok_open_marian(as_tok **out, const char *dir)
{
    *out = NULL;
    as_tok *t = as_xcalloc(1, sizeof *t);
    t->marian = 1;
    t->style = AS_TOK_STYLE_SPM;
    t->path = as_path_join(dir, "source.spm");
    t->describe = as_xstrdup("sentencepiece (source.spm, target.spm) + vocab.json");
    char *vpath = as_path_join(dir, "vocab.json");
    int rc = as_tok_vocab_load(&t->vocab, vpath);
    if (rc == AS_OK) {
        t->eos = required_id(&t->vocab, vpath, "</s>", &rc);
        t->unk = required_id(&t->vocab, vpath, "<unk>", &rc);
        t->pad = as_tok_vocab_find(&t->vocab, "<pad>", 5);
    }
    free(vpath);
    for (int side = 0; side < 2 && rc == AS_OK; side++)
        rc = open_spm(t, side, dir);
    if (rc) {
        as_tok_destroy(t);
        return rc;
    }
    *out = t;
    return AS_OK;
}

void as_tok_marian_deinit(as_tok *t)
{
    for (int side = 0; side < 2; side++) {
        as_tok_spm_destroy(t->spm[side]);
        free(t->spm_path[side]);
    }
}

/* ---- encode --------------------------------------------------------------------------------- */

/* Ids collected while walking the spans of one text. */
typedef struct {
    const as_tok *t;
    as_tok_side side;
    int32_t *ids;
    int n, cap;
    char err[256]; /* SentencePiece's reason when encoding fails */
} id_list;

static void push_id(id_list *l, int32_t id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 32;
        l->ids = as_xrealloc(l->ids, (size_t)l->cap * sizeof *l->ids);
    }
    l->ids[l->n++] = id;
}

/* MarianTokenizer._convert_token_to_id: vocab.json, else <unk>. */
static void push_piece(id_list *l, const char *piece, size_t len)
{
    int32_t id = as_tok_vocab_find(&l->t->vocab, piece, len);
    push_id(l, id >= 0 ? id : l->t->unk);
}

static void on_piece(void *ctx, const char *piece, size_t len)
{
    push_piece(ctx, piece, len);
}

static int on_span(void *ctx, as_tok_span_kind kind, const char *s, size_t len)
{
    id_list *l = ctx;
    if (kind != AS_TOK_SPAN_TEXT) {
        push_piece(l, s, len);
        return 0;
    }
    return as_tok_spm_encode(l->t->spm[l->side], s, len, on_piece, l, l->err, sizeof l->err);
}

/* The reference's no-split tokens: MarianTokenizer's eos, unk and pad strings. */
static const char *const specials[] = {"</s>", "<unk>", "<pad>"};

int as_tok_marian_encode(as_tok *t, as_tok_side side, const char *text, as_tok_seq *out)
{
    if (side != AS_TOK_SOURCE && side != AS_TOK_TARGET)
        return as_fail(AS_EINVAL, "tokenizer: unknown side %d", (int)side);
    id_list l = {.t = t, .side = side};
    if (as_tok_split(text, specials, 3, on_span, &l) != 0) {
        free(l.ids);
        return as_fail(AS_EINVAL, "%s: cannot encode text: %s", t->spm_path[side], l.err);
    }
    push_id(&l, t->eos);
    out->n = l.n;
    out->ids = l.ids;
    return AS_OK;
}

/* ---- ids back to text ----------------------------------------------------------------------- */

char *as_tok_marian_decode(const as_tok *t, const int32_t *ids, int n)
{
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += strlen(as_tok_piece(t, ids[i]));
    char *out = as_xmalloc(len + 1), *d = out;
    for (int i = 0; i < n; i++) {
        if (ids[i] == t->eos || (t->pad >= 0 && ids[i] == t->pad))
            continue;
        const char *p = as_tok_piece(t, ids[i]);
        size_t plen = strlen(p);
        memcpy(d, p, plen);
        d += plen;
    }
    *d = '\0';
    /* U+2581 (3 bytes) -> ' ' (1 byte), in place: the write cursor never passes the read one. */
    char *w = out;
    for (const char *r = out; *r;) {
        if (strncmp(r, "\xe2\x96\x81", 3) == 0) {
            *w++ = ' ';
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    if (out[0] == ' ')
        memmove(out, out + 1, strlen(out));
    return out;
}
