/* Gold alignment lines ("i-j" sure, "ipj" possible) and the alignment error rate of Och & Ney
 * (2003), "A Systematic Comparison of Various Statistical Alignment Models", section 5. */
#include "attnscope/analysis.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_index(const char **p, long *out)
{
    if (!isdigit((unsigned char)**p))
        return 0;
    char *end;
    errno = 0;
    *out = strtol(*p, &end, 10);
    if (errno || *out > 1000000)
        return 0;
    *p = end;
    return 1;
}

/* Index of (src, tgt) in links[0..n), or -1. */
static int find_gold(const as_an_gold_link *links, int n, int src, int tgt)
{
    for (int i = 0; i < n; i++)
        if (links[i].src == src && links[i].tgt == tgt)
            return i;
    return -1;
}

int as_an_gold_parse(const char *line, int one_based, as_an_gold_link **out, int *n)
{
    *out = NULL;
    *n = 0;
    int cap = 0;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p)
            return AS_OK;
        const char *start = p;
        long src, tgt;
        int ok = parse_index(&p, &src) && (*p == '-' || *p == 'p');
        int sure = ok && *p == '-';
        if (ok) {
            p++;
            ok = parse_index(&p, &tgt) && (!*p || isspace((unsigned char)*p));
        }
        if (ok && one_based)
            ok = src >= 1 && tgt >= 1;
        if (!ok) {
            size_t len = strcspn(start, " \t\r\n");
            free(*out);
            *out = NULL;
            *n = 0;
            return as_fail(AS_EFORMAT, "gold link '%.*s': expected i-j (sure) or ipj (possible)%s",
                           (int)(len > 40 ? 40 : len), start,
                           one_based ? " with indices from 1" : "");
        }
        int s = (int)src - one_based, t = (int)tgt - one_based;
        int at = find_gold(*out, *n, s, t);
        if (at >= 0) { // given twice: sure if either says sure
            (*out)[at].sure |= sure;
            continue;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = as_xrealloc(*out, (size_t)cap * sizeof **out);
        }
        (*out)[(*n)++] = (as_an_gold_link){.src = s, .tgt = t, .sure = sure};
    }
}

void as_an_aer_add(as_an_aer_counts *c, const as_an_link *hyp, int nh, const as_an_gold_link *gold,
                   int ng)
{
    for (int g = 0; g < ng; g++)
        c->s += gold[g].sure;
    for (int h = 0; h < nh; h++) {
        int dup = 0; // a link listed twice is one link
        for (int e = 0; e < h && !dup; e++)
            dup = hyp[e].src == hyp[h].src && hyp[e].tgt == hyp[h].tgt;
        if (dup)
            continue;
        c->a++;
        int at = find_gold(gold, ng, hyp[h].src, hyp[h].tgt);
        if (at >= 0) { // every gold link is possible; sure ones are also sure
            c->a_and_p++;
            c->a_and_s += gold[at].sure;
        }
    }
}

double as_an_aer(const as_an_aer_counts *c)
{
    long d = c->a + c->s;
    return d ? 1.0 - (double)(c->a_and_s + c->a_and_p) / (double)d : 0.0;
}

double as_an_precision(const as_an_aer_counts *c)
{
    return c->a ? (double)c->a_and_p / (double)c->a : 0.0;
}

double as_an_recall(const as_an_aer_counts *c)
{
    return c->s ? (double)c->a_and_s / (double)c->s : 0.0;
}
