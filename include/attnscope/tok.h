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
 * from vocab.json ("<unk>", "</s>"). Errors name the missing or malformed file. */
int as_tok_open_marian(as_tok **out, const char *dir);
void as_tok_destroy(as_tok *t);
/* Encodes text with the side's model, appends </s>. Empty text -> AS_EINVAL. */
int as_tok_encode(as_tok *t, as_tok_side side, const char *text, as_tok_seq *out);
void as_tok_seq_free(as_tok_seq *s);
/* Piece string of an id ("<unk>"-like placeholder "<id N>" if out of range). Valid while t lives. */
const char *as_tok_piece(const as_tok *t, int32_t id);
int as_tok_vocab_size(const as_tok *t);
/* Detokenizes ids (skipping special tokens </s>, <pad>) into a new heap string. */
char *as_tok_decode(const as_tok *t, const int32_t *ids, int n);
/* Readable label for a piece, as the UI and dumps show it (new heap string): a word-initial piece
 * loses its U+2581 marker ("\u2581man" -> "man"), a word-internal piece gets "##" ("s" -> "##s"),
 * a lone marker becomes "_", special tokens ("</s>", "<unk>", "<pad>") stay as they are, and
 * control characters become '?'. */
char *as_tok_label(const char *piece);

#endif
