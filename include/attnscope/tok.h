/* tok: tokenizers. Marian (opus-mt) = SentencePiece pieces (source.spm / target.spm, through the
 * real library) mapped to ids by vocab.json, unknown pieces -> <unk>, then </s> appended.
 * Layer 1: uses core, cJSON, sentencepiece (C++ shim behind a C API). */
#ifndef ATTNSCOPE_TOK_H
#define ATTNSCOPE_TOK_H

#include "attnscope/core.h"

#include <stdint.h>

typedef struct as_tok as_tok;

typedef enum { AS_TOK_SOURCE, AS_TOK_TARGET } as_tok_side;

/* A tokenized text: ids plus the piece string of every id (owned). */
typedef struct as_tok_seq {
    int n;
    int32_t *ids;
    char **pieces;
} as_tok_seq;

/* Opens the Marian tokenizer files in dir (source.spm, target.spm, vocab.json). unk/eos ids come
 * from vocab.json ("<unk>", "</s>"; "<pad>" is optional). Errors name the file: AS_EIO for a
 * missing or unreadable file, AS_EFORMAT for bad JSON, a non-object, an id that is not an integer
 * in [0, 2^22), a repeated id or piece, a missing "</s>"/"<unk>", or a corrupt .spm. */
int as_tok_open_marian(as_tok **out, const char *dir);
void as_tok_destroy(as_tok *t);
/* Encodes text as MarianTokenizer (transformers 4.27, slow) does: "</s>", "<unk>", "<pad>" written
 * in the text stay single tokens (whitespace next to them is stripped), a leading language code
 * (">>fr<<") is one token and codes elsewhere are dropped, the rest goes through the side's
 * SentencePiece model; pieces map to ids through vocab.json (missing -> <unk>); </s> is appended.
 * out->pieces[i] is the vocab.json piece of ids[i] (so "<unk>" for unknown pieces). Empty text ->
 * AS_EINVAL. Free out with as_tok_seq_free. */
int as_tok_encode(as_tok *t, as_tok_side side, const char *text, as_tok_seq *out);
void as_tok_seq_free(as_tok_seq *s);
/* Piece string of an id, or the constant "<?>" for an id vocab.json does not define (out of
 * range, or a hole in the id numbering). Valid while t lives. */
const char *as_tok_piece(const as_tok *t, int32_t id);
/* Largest vocab.json id + 1. */
int as_tok_vocab_size(const as_tok *t);
/* Detokenizes ids into a new heap string: pieces joined, </s> and <pad> skipped, U+2581 -> ' ',
 * the leading space dropped. */
char *as_tok_decode(const as_tok *t, const int32_t *ids, int n);
/* Readable label for a piece, as the UI and dumps show it (new heap string): a word-initial piece
 * loses its U+2581 marker ("\u2581man" -> "man"), a word-internal piece gets "##" ("s" -> "##s"),
 * a lone marker becomes "_" (as does any further marker inside a piece), special tokens (any
 * "<...>" of 3 bytes or more: "</s>", "<unk>", "<pad>") stay as they are, and control characters
 * (C0, DEL, C1) and bytes that are not valid UTF-8 become '?'; valid multibyte characters are
 * copied whole. */
char *as_tok_label(const char *piece);

#endif
