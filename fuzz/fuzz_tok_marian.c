/* Fuzzes the Marian tokenizer files: vocab.json, "\n----\n", the text to encode, and optionally
 * "\n----\n" and source.spm (a SentencePiece model protobuf). Without a third part the source and
 * target .spm of the marian-tiny fixture are used, so the fuzzer concentrates on vocab.json and
 * the Marian splitting rules (special tokens and language codes in the text). */
#include "fuzz_tok.h"

#ifndef AS_FIXTURES_DIR
#define AS_FIXTURES_DIR "../shared/fixtures"
#endif

static char *spm[2];
static size_t spm_len[2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"source.spm", "target.spm"};
    if (!spm[0])
        for (int i = 0; i < 2; i++) {
            char *p = as_xasprintf("%s/marian-tiny/%s", AS_FIXTURES_DIR, names[i]);
            if (as_read_file(p, &spm[i], &spm_len[i]) != AS_OK)
                abort();
            free(p);
        }
    size_t off[3], len[3];
    int parts = fz_split(data, size, 3, off, len);
    fz_tok_clear();
    free(fz_write("vocab.json", data + off[0], len[0]));
    if (parts > 2)
        free(fz_write("source.spm", data + off[2], len[2]));
    else
        free(fz_write("source.spm", (const uint8_t *)spm[0], spm_len[0]));
    free(fz_write("target.spm", (const uint8_t *)spm[1], spm_len[1]));
    char *text = parts > 1 ? fz_strndup(data + off[1], len[1]) : as_xstrdup(">>fr<< A man.");
    fz_tok_run("marian", text);
    free(text);
    return 0;
}
