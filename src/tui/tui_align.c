/* Alignment overlay cells: word links back onto the piece-level cross map. */
#include "tui_align.h"

#include "attnscope/core.h"

#include <stdlib.h>
#include <string.h>

int as_tui_align_marks(const as_an_alignment *al, int rows, int cols, int predict,
                       unsigned char *mark)
{
    memset(mark, 0, (size_t)rows * (size_t)cols);
    if (al->tgt_words <= 0 || al->src_words <= 0)
        return 0;
    /* (target word, source word) -> linked: links are few, the word grid is small */
    unsigned char *linked = as_xcalloc((size_t)al->tgt_words * (size_t)al->src_words, 1);
    for (int i = 0; i < al->n; i++)
        linked[(size_t)al->links[i].tgt * al->src_words + al->links[i].src] = 1;
    int n = 0;
    for (int r = 0; r < rows; r++) {
        int p = predict ? r + 1 : r; /* the target piece whose word this row was read for */
        int tw = p < rows ? al->tgt_word[p] : -1;
        if (tw < 0)
            continue;
        for (int c = 0; c < cols; c++) {
            int sw = al->src_word[c];
            if (sw >= 0 && linked[(size_t)tw * al->src_words + sw]) {
                mark[(size_t)r * cols + c] = 1;
                n++;
            }
        }
    }
    free(linked);
    return n;
}
