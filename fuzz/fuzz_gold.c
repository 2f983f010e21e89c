/* Fuzzes the alignment gold-file parser (`align --gold`): each line of the input is parsed
 * 0-based and 1-based, as cli_align.c reads a gold file line by line. */
#include "attnscope/analysis.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_strndup(data, size);
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        for (int one = 0; one < 2; one++) {
            as_an_gold_link *g = NULL;
            int n = -1;
            fz_reset_error();
            int rc = as_an_gold_parse(line, one, &g, &n);
            fz_check_error(rc);
            if (rc == AS_OK)
                for (int i = 0; i < n; i++)
                    if (g[i].src < 0 || g[i].tgt < 0)
                        abort();
            free(g);
        }
    }
    free(text);
    return 0;
}
