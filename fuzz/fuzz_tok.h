/* Shared body of the tokenizer harnesses: writes the files of one tokenizer format into the
 * scratch folder (every other tokenizer file removed, so as_tok_open picks that format), opens
 * it, and runs what attnscope runs on a tokenizer: encode (single and pair), pieces, labels,
 * decode. */
#ifndef ATTNSCOPE_FUZZ_TOK_H
#define ATTNSCOPE_FUZZ_TOK_H

#include "attnscope/tok.h"

#include "fuzz_util.h"

static const char *const fz_tok_files[] = {"tokenizer.json", "vocab.txt", "vocab.json",
                                           "merges.txt", "source.spm", "target.spm",
                                           "tokenizer_config.json"};

static inline void fz_tok_clear(void)
{
    for (size_t i = 0; i < sizeof fz_tok_files / sizeof *fz_tok_files; i++)
        fz_remove(fz_tok_files[i]);
}

/* Opens the tokenizer in the scratch folder (model_type given for byte-level BPE framing) and
 * exercises it on text. */
static inline void fz_tok_run(const char *model_type, const char *text)
{
    as_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.model_type, sizeof cfg.model_type, "%s", model_type);
    as_tok *t = NULL;
    fz_reset_error();
    int rc = as_tok_open(&t, fz_scratch(), &cfg);
    fz_check_error(rc);
    if (rc != AS_OK)
        return;
    as_tok_describe(t);
    for (int side = 0; side < 2; side++) {
        as_tok_seq s;
        fz_reset_error();
        rc = as_tok_encode(t, (as_tok_side)side, text, &s);
        fz_check_error(rc);
        if (rc == AS_OK) {
            const char *pieces[64];
            int np = s.n < 64 ? s.n : 64;
            for (int i = 0; i < np; i++)
                pieces[i] = s.pieces[i];
            for (int i = 0; i < np; i++) {
                free(as_tok_label(t, s.pieces[i]));
                free(as_tok_label_at(t, pieces, i));
            }
            free(as_tok_decode(t, s.ids, s.n));
        }
        as_tok_seq_free(&s);
    }
    as_tok_seq s;
    fz_reset_error();
    fz_check_error(as_tok_encode_pair(t, text, "second text", &s));
    as_tok_seq_free(&s);
    /* ids outside the vocabulary must come back as "<?>", never read out of bounds */
    int32_t ids[] = {-1, 0, 1, 2, as_tok_vocab_size(t) - 1, as_tok_vocab_size(t), INT32_MAX};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        as_tok_piece(t, ids[i]);
    free(as_tok_decode(t, ids, (int)(sizeof ids / sizeof *ids)));
    as_tok_destroy(t);
}

#endif
