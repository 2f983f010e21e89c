/* Fuzzes the byte-level BPE files (GPT-2 / RoBERTa / BART): vocab.json, "\n----\n", merges.txt,
 * then optionally "\n----\n" tokenizer_config.json and "\n----\n" the text to encode. The first
 * byte's low bit picks the model_type framing (gpt2: none, roberta: <s> A </s>). */
#include "fuzz_tok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off[4], len[4];
    int parts = fz_split(data, size, 4, off, len);
    fz_tok_clear();
    free(fz_write("vocab.json", data + off[0], len[0]));
    /* both files must exist for as_tok_open to pick this format */
    free(fz_write("merges.txt", parts > 1 ? data + off[1] : data, parts > 1 ? len[1] : 0));
    if (parts > 2)
        free(fz_write("tokenizer_config.json", data + off[2], len[2]));
    char *text = parts > 3 ? fz_strndup(data + off[3], len[3]) : as_xstrdup("Hello world!");
    fz_tok_run(size && (data[0] & 1) ? "roberta" : "gpt2", text);
    free(text);
    return 0;
}
