/* Alignment overlay of the explorer (`A` on the cross map): which heat map cells carry a word
 * link. A pure function of an alignment (no curses), unit-tested in tests/unit/test_tui_align.c. */
#ifndef ATTNSCOPE_TUI_ALIGN_H
#define ATTNSCOPE_TUI_ALIGN_H

#include "attnscope/analysis.h"

/* mark (rows, cols) of a cross map (rows: decoder positions, cols: source pieces) = 1 where the
 * cell's attention went into a link of al: the row's target piece (the row itself, or with
 * predict the piece after it, as as_an_align_store reads them) and the column's source piece
 * belong to a linked (target word, source word) pair; 0 elsewhere, and on specials (word -1).
 * Returns the number of marked cells. */
int as_tui_align_marks(const as_an_alignment *al, int rows, int cols, int predict,
                       unsigned char *mark);

#endif
