/* Fuzzes the BertTokenizer files: vocab.txt, then "\n----\n" and tokenizer_config.json (optional),
 * then "\n----\n" and the text to encode. */
#include "fuzz_tok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off[3], len[3];
    int parts = fz_split(data, size, 3, off, len);
    fz_tok_clear();
    free(fz_write("vocab.txt", data + off[0], len[0]));
    if (parts > 1)
        free(fz_write("tokenizer_config.json", data + off[1], len[1]));
    char *text = parts > 2 ? fz_strndup(data + off[2], len[2]) : as_xstrdup("Hello, world!");
    fz_tok_run("bert", text);
    free(text);
    return 0;
}
