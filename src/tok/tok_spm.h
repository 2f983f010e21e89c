/* tok_spm: the SentencePiece processor behind a C API (the library is C++; tok_spm.cc is the
 * only C++ file of the tokenizer). Private to src/tok/.
 *
 * The shim allocates nothing the C side must free except the processor itself, and reports
 * errors as text in a caller-supplied buffer: the C side turns them into as_fail() messages that
 * name the file (C++ cannot include core.h, whose _Noreturn is C-only). No C++ exception
 * crosses this boundary. */
#ifndef ATTNSCOPE_TOK_SPM_H
#define ATTNSCOPE_TOK_SPM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct as_tok_spm as_tok_spm;

/* Called once per piece, in order; piece is not NUL-terminated and valid only during the call. */
typedef void (*as_tok_spm_piece_fn)(void *ctx, const char *piece, size_t len);

/* Loads a SentencePiece model file. On failure returns -1, *out = NULL and writes the library's
 * reason (without the path) into err. */
int as_tok_spm_open(as_tok_spm **out, const char *path, char *err, size_t errlen);
/* Accepts NULL. */
void as_tok_spm_destroy(as_tok_spm *s);
/* Splits text[0..len) into pieces (SentencePieceProcessor::Encode, i.e. EncodeAsPieces, with the
 * model's own normalisation) and hands each to fn. Returns 0, or -1 with the reason in err. */
int as_tok_spm_encode(const as_tok_spm *s, const char *text, size_t len, as_tok_spm_piece_fn fn,
                      void *ctx, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
