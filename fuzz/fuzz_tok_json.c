/* Fuzzes tokenizer.json (BPE, WordPiece, Unigram models, normalizers, pre-tokenizers,
 * post-processors, added tokens). Input: tokenizer.json, then "\n----\n" and the text to encode
 * (default "Hello world"). */
#include "fuzz_tok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off[2], len[2];
    int parts = fz_split(data, size, 2, off, len);
    fz_tok_clear();
    free(fz_write("tokenizer.json", data + off[0], len[0]));
    char *text = parts > 1 ? fz_strndup(data + off[1], len[1]) : as_xstrdup("Hello world");
    fz_tok_run("bert", text);
    free(text);
    return 0;
}
