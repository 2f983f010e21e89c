/* tok_internal: vocab.json tables shared by the files of src/tok/. */
#ifndef ATTNSCOPE_TOK_INTERNAL_H
#define ATTNSCOPE_TOK_INTERNAL_H

#include "attnscope/core.h"

#include <stddef.h>
#include <stdint.h>

/* Largest id accepted from vocab.json. The id->piece table is sized by the largest id, so an
 * untrusted file must not be able to ask for gigabytes; real Marian vocabularies stay below 70k. */
#define AS_TOK_MAX_ID ((1 << 22) - 1)

/* vocab.json: piece -> id, and its inverse (holes allowed). */
typedef struct as_tok_vocab {
    int32_t size;        /* largest id + 1 */
    int32_t count;       /* number of pieces */
    const char **by_id;  /* (size) piece of each id, NULL for ids vocab.json does not use */
    char *arena;         /* every piece string, NUL-terminated, back to back */
    int32_t *slots;      /* (cap) open-addressing hash of pieces: an id, or -1 for empty */
    uint32_t cap;        /* power of two >= 2 * count */
} as_tok_vocab;

/* Reads and validates path (a JSON object mapping piece strings to distinct non-negative integer
 * ids <= AS_TOK_MAX_ID). Errors: AS_EIO (unreadable), AS_EFORMAT naming path and the entry,
 * AS_ENOMEM. On failure v is left zeroed. */
int as_tok_vocab_load(as_tok_vocab *v, const char *path);
/* Frees v's tables; accepts a zeroed v. */
void as_tok_vocab_deinit(as_tok_vocab *v);
/* Id of piece[0..len), or -1 if vocab.json does not list it. */
int32_t as_tok_vocab_find(const as_tok_vocab *v, const char *piece, size_t len);
/* Piece of id, or NULL if id is out of range or a hole. Valid while v lives. */
const char *as_tok_vocab_piece(const as_tok_vocab *v, int32_t id);

/* ---- text before SentencePiece (tok_split.c) ---- */

typedef enum {
    AS_TOK_SPAN_TEXT,    /* plain text for SentencePiece */
    AS_TOK_SPAN_SPECIAL, /* one of the special tokens, written literally in the text */
    AS_TOK_SPAN_CODE,    /* a language code such as ">>fr<<", kept as one token */
} as_tok_span_kind;

/* Receives the spans in order; s is valid only during the call. A nonzero return stops the
 * split and is passed on. */
typedef int (*as_tok_span_fn)(void *ctx, as_tok_span_kind kind, const char *s, size_t len);

/* Splits text as transformers 4.27 does before SentencePiece (PreTrainedTokenizer.tokenize with
 * specials[0..count) as no-split tokens, then MarianTokenizer.remove_language_code on every text
 * span). specials must not be prefixes of each other. Returns 0 or the first nonzero fn result. */
int as_tok_split(const char *text, const char *const *specials, int count, as_tok_span_fn fn,
                 void *ctx);

#endif
