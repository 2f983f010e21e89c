/* tok: tokenizers of Hugging Face model folders, chosen by the files present:
 *   tokenizer.json                    fast-tokenizer file: BPE, WordPiece or Unigram model with its
 *                                     normalizers, pre-tokenizers, post-processor, added tokens
 *   vocab.txt (+ tokenizer_config.json)  BertTokenizer: basic tokenizer + WordPiece
 *   vocab.json + merges.txt           GPT2/Roberta/BartTokenizer: byte-level BPE
 *   source.spm + vocab.json           MarianTokenizer: SentencePiece (real library) + vocab.json
 * Layer 1: uses core, cJSON, PCRE2, utf8proc, sentencepiece (C++ shim behind a C API). */
#ifndef ATTNSCOPE_TOK_H
#define ATTNSCOPE_TOK_H

#include "attnscope/cfg.h"
#include "attnscope/core.h"

#include <stdint.h>

typedef struct as_tok as_tok;

/* Marian has one SentencePiece model per side; every other tokenizer ignores the side. */
typedef enum { AS_TOK_SOURCE, AS_TOK_TARGET } as_tok_side;

/* A tokenized text: ids, the piece string of every id and its segment id (all owned). */
typedef struct as_tok_seq {
    int n;
    int32_t *ids;
    char **pieces;
    int32_t *type_ids; /* 0 for the first text (and its framing), 1 for the second of a pair */
} as_tok_seq;

/* Opens the tokenizer of model folder dir, choosing by the files present (see above; the first
 * match wins). cfg (may be NULL) supplies model_type when tokenizer_config.json does not name the
 * tokenizer class: "roberta"/"bart"-like families frame "<s> A </s>", "gpt2" adds nothing.
 * Errors name the file and the problem: AS_EIO (no tokenizer files, unreadable file),
 * AS_EFORMAT (bad JSON, bad vocab entry, a merge naming a token the vocabulary lacks, with its
 * line), AS_EUNSUPPORTED (a tokenizer.json component we do not implement, named). */
int as_tok_open(as_tok **out, const char *dir, const as_cfg *cfg);
/* Opens the Marian tokenizer files in dir (source.spm, target.spm, vocab.json). unk/eos ids come
 * from vocab.json ("<unk>", "</s>"; "<pad>" is optional). Errors name the file: AS_EIO for a
 * missing or unreadable file, AS_EFORMAT for bad JSON, a non-object, an id that is not an integer
 * in [0, 2^22), a repeated id or piece, a missing "</s>"/"<unk>", or a corrupt .spm. */
int as_tok_open_marian(as_tok **out, const char *dir);
void as_tok_destroy(as_tok *t);
/* One line for `attnscope info`, e.g. "wordpiece (vocab.txt, lowercase)". Valid while t lives. */
const char *as_tok_describe(const as_tok *t);

/* Encodes text with the family's framing ("[CLS] A [SEP]", "<s> A </s>", GPT-2 nothing, Marian
 * "A </s>"). Hugging Face behaviour per family:
 * - Marian: MarianTokenizer (transformers 4.27, slow): "</s>", "<unk>", "<pad>" written in the
 *   text stay single tokens (whitespace next to them is stripped), a leading language code
 *   (">>fr<<") is one token and codes elsewhere are dropped, the rest goes through the side's
 *   SentencePiece model; pieces map to ids through vocab.json (missing -> <unk>).
 * - vocab.txt: BertTokenizer (clean text, CJK split, lowercase / accent stripping as configured,
 *   punctuation split, greedy longest-match WordPiece, [UNK] for a word that cannot be covered or
 *   is longer than 100 characters); special tokens written in the text stay whole.
 * - vocab.json + merges.txt: GPT-2 regex pre-tokenisation, byte-to-unicode map, merges by rank;
 *   the special tokens (<|endoftext|>, <s>, </s>, <unk>, <pad>, <mask>) stay whole.
 * - tokenizer.json: added tokens matched first, then normalizer, pre-tokenizer, model,
 *   post-processor, as the tokenizers library does.
 * out->pieces[i] is the vocabulary's piece of ids[i]. Empty text -> AS_EINVAL. Free out with
 * as_tok_seq_free (also after an error: out is then empty). */
int as_tok_encode(as_tok *t, as_tok_side side, const char *text, as_tok_seq *out);
/* Encodes a pair of texts with the family's pair framing ("[CLS] A [SEP] B [SEP]" with type ids
 * 0 then 1; "<s> A </s></s> B </s>" with type ids 0; GPT-2 plain concatenation, type ids 0 then
 * 1). Marian has no pair form: AS_EUNSUPPORTED. */
int as_tok_encode_pair(as_tok *t, const char *a, const char *b, as_tok_seq *out);
void as_tok_seq_free(as_tok_seq *s);
/* Piece string of an id, or the constant "<?>" for an id the vocabulary does not define (out of
 * range, or a hole in the id numbering). Valid while t lives. */
const char *as_tok_piece(const as_tok *t, int32_t id);
/* Largest id + 1 (model vocabulary and added tokens). */
int as_tok_vocab_size(const as_tok *t);
/* Detokenizes ids into a new heap string, skipping special tokens (</s>, <pad>, [CLS], ...):
 * SentencePiece/Metaspace pieces joined with U+2581 -> ' ' and the leading space dropped;
 * byte-level pieces joined and mapped back to bytes; WordPiece pieces joined by spaces with
 * "##" continuations glued on. */
char *as_tok_decode(const as_tok *t, const int32_t *ids, int n);
/* Readable label for a piece, as the UI and dumps show it (new heap string), following README.md
 * "Token labels" for every family: a word-initial piece is shown bare (its U+2581 or U+0120 'Ġ'
 * marker removed: "▁man" / "Ġman" -> "man"), a word-internal piece gets "##" ("s" -> "##s";
 * WordPiece pieces already carry it: "##ing" stays, "man" stays), a lone marker becomes "_" (as
 * does any further U+2581 inside a piece), special tokens stay as they are, and control
 * characters (C0, DEL, C1) and bytes that are not valid UTF-8 become '?'. Byte-level pieces are
 * shown as the text they stand for ("Ċ" -> '?', "Ã©" -> "é"), bytes that do not form valid UTF-8
 * alone as '?'. t may be NULL (pieces saved without their tokenizer): the SentencePiece rules
 * then apply, with any "<...>" of 3 bytes or more taken as a special token. */
char *as_tok_label(const as_tok *t, const char *piece);
/* The label of pieces[i] in its sequence: as as_tok_label, except that for byte-level BPE (whose
 * text-initial word has no 'Ġ') the first piece and a piece after a special token count as
 * word-initial. */
char *as_tok_label_at(const as_tok *t, const char *const *pieces, int i);

#endif
