/* tok: the public tokenizer object: choosing the tokenizer by the files of a model folder, and the
 * operations every family shares (pieces, framing, sequences, decoding). */
#include "tok_internal.h"

#include <stdlib.h>
#include <string.h>

/* Shown for ids the vocabulary does not define (see tok.h). */
#define INVALID_PIECE "<?>"

/* ---- open / destroy ------------------------------------------------------------------------- */

static int has(const char *dir, const char *name)
{
    char *p = as_path_join(dir, name);
    int e = as_file_exists(p);
    free(p);
    return e;
}

int as_tok_open(as_tok **out, const char *dir, const as_cfg *cfg)
{
    *out = NULL;
    if (!has(dir, "tokenizer.json") && !has(dir, "vocab.txt") &&
        !(has(dir, "vocab.json") && has(dir, "merges.txt")) && has(dir, "source.spm"))
        return as_tok_open_marian(out, dir);
    as_tok *t = as_xcalloc(1, sizeof *t);
    t->eos = t->unk = t->pad = -1;
    int rc;
    if (has(dir, "tokenizer.json")) {
        char *path = as_path_join(dir, "tokenizer.json");
        rc = as_tok_open_json(t, path);
        free(path);
    } else if (has(dir, "vocab.txt")) {
        rc = as_tok_open_wordpiece(t, dir);
    } else if (has(dir, "vocab.json") && has(dir, "merges.txt")) {
        rc = as_tok_open_bytelevel(t, dir, cfg);
    } else {
        rc = as_fail(AS_EIO, "%s: no tokenizer files (tokenizer.json, vocab.txt, vocab.json + "
                             "merges.txt, or source.spm + vocab.json)", dir);
    }
    if (rc) {
        as_tok_destroy(t);
        return rc;
    }
    *out = t;
    return AS_OK;
}

void as_tok_destroy(as_tok *t)
{
    if (!t)
        return;
    if (t->marian)
        as_tok_marian_deinit(t);
    else
        as_tok_pipe_deinit(t);
    as_tok_vocab_deinit(&t->vocab);
    free(t->path);
    free(t->describe);
    free(t);
}

const char *as_tok_describe(const as_tok *t)
{
    return t->describe;
}

/* ---- encode --------------------------------------------------------------------------------- */

/* Fills the pieces (and zero type ids unless given) of an encoded sequence. */
static void finish(const as_tok *t, as_tok_seq *out)
{
    out->pieces = as_xmalloc((size_t)(out->n ? out->n : 1) * sizeof *out->pieces);
    for (int i = 0; i < out->n; i++)
        out->pieces[i] = as_xstrdup(as_tok_piece(t, out->ids[i]));
    if (!out->type_ids)
        out->type_ids = as_xcalloc((size_t)(out->n ? out->n : 1), sizeof *out->type_ids);
}

int as_tok_encode(as_tok *t, as_tok_side side, const char *text, as_tok_seq *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text)
        return as_fail(AS_EINVAL, "tokenizer: empty text");
    int rc = t->marian ? as_tok_marian_encode(t, side, text, out)
                       : as_tok_pipe_encode(t, text, NULL, out);
    if (rc)
        return rc;
    finish(t, out);
    return AS_OK;
}

int as_tok_encode_pair(as_tok *t, const char *a, const char *b, as_tok_seq *out)
{
    memset(out, 0, sizeof *out);
    if (!a || !*a || !b || !*b)
        return as_fail(AS_EINVAL, "tokenizer: empty text");
    if (t->marian)
        return as_fail(AS_EUNSUPPORTED, "%s: Marian tokenizers have no text-pair form", t->path);
    int rc = as_tok_pipe_encode(t, a, b, out);
    if (rc)
        return rc;
    finish(t, out);
    return AS_OK;
}

void as_tok_seq_free(as_tok_seq *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n && s->pieces; i++)
        free(s->pieces[i]);
    free(s->pieces);
    free(s->ids);
    free(s->type_ids);
    memset(s, 0, sizeof *s);
}

/* ---- ids and pieces ------------------------------------------------------------------------- */

const char *as_tok_piece(const as_tok *t, int32_t id)
{
    if (t->marian) {
        const char *p = as_tok_vocab_piece(&t->vocab, id);
        return p ? p : INVALID_PIECE;
    }
    for (int i = 0; i < t->n_added; i++)
        if (t->added[i].id == id)
            return t->added[i].content;
    const char *p = as_tok_vocab_piece(&t->model.vocab, id);
    return p ? p : INVALID_PIECE;
}

int as_tok_vocab_size(const as_tok *t)
{
    if (t->marian)
        return t->vocab.size;
    int size = t->model.vocab.size;
    for (int i = 0; i < t->n_added; i++)
        if (t->added[i].id >= size)
            size = t->added[i].id + 1;
    return size;
}

int32_t as_tok_find(const as_tok *t, const char *piece)
{
    for (int i = 0; i < t->n_added; i++)
        if (strcmp(t->added[i].content, piece) == 0)
            return t->added[i].id;
    return as_tok_vocab_find(&t->model.vocab, piece, strlen(piece));
}

int as_tok_is_special_id(const as_tok *t, int32_t id)
{
    for (int i = 0; i < t->n_added; i++)
        if (t->added[i].id == id && t->added[i].special)
            return 1;
    return 0;
}

void as_tok_add_token(as_tok *t, const char *content, int32_t id, int lstrip, int rstrip,
                      int special)
{
    t->added = as_xrealloc(t->added, (size_t)(t->n_added + 1) * sizeof *t->added);
    t->added[t->n_added++] = (as_tok_added){as_xstrdup(content), id, lstrip, rstrip, special};
}

/* ---- decode --------------------------------------------------------------------------------- */

char *as_tok_decode(const as_tok *t, const int32_t *ids, int n)
{
    if (t->marian)
        return as_tok_marian_decode(t, ids, n);
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(as_tok_piece(t, ids[i])) + 1;
    char *out = as_xmalloc(len), *d = out;
    for (int i = 0; i < n; i++) {
        if (as_tok_is_special_id(t, ids[i]))
            continue;
        const char *p = as_tok_piece(t, ids[i]);
        size_t plen = strlen(p);
        if (t->style == AS_TOK_STYLE_WORDPIECE) {
            /* "##" pieces glue to the previous one; the others are words of their own */
            if (plen >= 2 && p[0] == '#' && p[1] == '#')
                p += 2, plen -= 2;
            else if (d > out)
                *d++ = ' ';
            memcpy(d, p, plen), d += plen;
        } else if (t->style == AS_TOK_STYLE_BYTELEVEL) {
            /* every character stands for one byte; a character outside the table is kept */
            for (size_t k = 0; k < plen;) {
                uint32_t cp;
                size_t l = as_tok_utf8_next(p + k, plen - k, &cp);
                int b = as_tok_char_byte(cp);
                if (b >= 0)
                    *d++ = (char)b;
                else
                    memcpy(d, p + k, l), d += l;
                k += l;
            }
        } else {
            for (size_t k = 0; k < plen;) {
                if (strncmp(p + k, "\xe2\x96\x81", 3) == 0)
                    *d++ = ' ', k += 3;
                else
                    *d++ = p[k++];
            }
        }
    }
    *d = '\0';
    if (t->style == AS_TOK_STYLE_SPM && out[0] == ' ')
        memmove(out, out + 1, strlen(out));
    return out;
}
