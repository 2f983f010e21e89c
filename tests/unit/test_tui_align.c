/* tui alignment overlay cells (pure): word links mapped back onto the piece-level cross map, by
 * hand on a 5 x 4 map. Source pieces: "un" "##der" (word 0), "it" (word 1), </s> (special);
 * decoder positions: <pad> (start, special), "x" (word 0), "y" "##z" (word 1), </s>. Links
 * (source word, target word): 0-1 and 1-0. */
#include "tui_align.h"

#include "../test.h"

#include <string.h>

enum { ROWS = 5, COLS = 4 };

static int src_word[COLS] = {0, 0, 1, -1};
static int tgt_word[ROWS] = {-1, 0, 1, 1, -1};
static as_an_link links[2] = {{.src = 0, .tgt = 1}, {.src = 1, .tgt = 0}};

static as_an_alignment example(void)
{
    return (as_an_alignment){.src_words = 2, .tgt_words = 2, .src_word = src_word,
                             .tgt_word = tgt_word, .n = 2, .links = links};
}

static void test_input_rows(void)
{
    /* row r is read for piece r: row 1 ("x", word 0) links source word 1 (column 2); rows 2 and
     * 3 (word 1) link source word 0, both of its pieces (columns 0 and 1); the specials' rows
     * and column stay unmarked */
    static const unsigned char want[ROWS][COLS] = {
        {0, 0, 0, 0}, {0, 0, 1, 0}, {1, 1, 0, 0}, {1, 1, 0, 0}, {0, 0, 0, 0}};
    unsigned char mark[ROWS][COLS];
    as_an_alignment al = example();
    AS_TEST_EQ(as_tui_align_marks(&al, ROWS, COLS, 0, &mark[0][0]), 5);
    AS_TEST_TRUE(memcmp(mark, want, sizeof want) == 0);
}

static void test_predict_rows(void)
{
    /* with predict row r is read for piece r + 1: everything moves up one row, and the last row
     * (predicting past the end) has no piece */
    static const unsigned char want[ROWS][COLS] = {
        {0, 0, 1, 0}, {1, 1, 0, 0}, {1, 1, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    unsigned char mark[ROWS][COLS];
    as_an_alignment al = example();
    AS_TEST_EQ(as_tui_align_marks(&al, ROWS, COLS, 1, &mark[0][0]), 5);
    AS_TEST_TRUE(memcmp(mark, want, sizeof want) == 0);
}

static void test_no_links(void)
{
    /* no links, or no words on one side: nothing marked, stale marks cleared */
    unsigned char mark[ROWS][COLS];
    memset(mark, 1, sizeof mark);
    as_an_alignment al = example();
    al.n = 0;
    AS_TEST_EQ(as_tui_align_marks(&al, ROWS, COLS, 0, &mark[0][0]), 0);
    static const unsigned char zero[ROWS][COLS];
    AS_TEST_TRUE(memcmp(mark, zero, sizeof zero) == 0);
    memset(mark, 1, sizeof mark);
    al = example();
    al.src_words = 0;
    AS_TEST_EQ(as_tui_align_marks(&al, ROWS, COLS, 0, &mark[0][0]), 0);
    AS_TEST_TRUE(memcmp(mark, zero, sizeof zero) == 0);
}

int main(void)
{
    test_input_rows();
    test_predict_rows();
    test_no_links();
    return as_test_result();
}
