/* `attnscope align`: word alignments from cross-attention, in Pharaoh format, optionally scored
 * against gold links (AER), or every cross-attention head ranked by AER (--rank-heads). */
#include "cli.h"

#include "attnscope/analysis.h"
#include "attnscope/model.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- input --------------------------------------------------------------------------------*/

/* One input pair; strings point into the line buffer. */
typedef struct pair {
    char *src, *tgt;
} pair;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int split_pair(char *line, const char *path, long lineno, pair *p)
{
    char *bar = strstr(line, "|||");
    if (!bar)
        return as_fail(AS_EFORMAT, "%s:%ld: expected 'source ||| target'", path, lineno);
    *bar = '\0';
    p->src = trim(line);
    p->tgt = trim(bar + 3);
    if (!*p->src || !*p->tgt)
        return as_fail(AS_EFORMAT, "%s:%ld: empty source or target", path, lineno);
    return AS_OK;
}

static int count_words(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (!isspace((unsigned char)*s) && (!s[1] || isspace((unsigned char)s[1])))
            n++;
    return n;
}

/* ---- one pair -----------------------------------------------------------------------------*/

static void print_links(FILE *out, const as_an_link *l, int n, int soft)
{
    for (int i = 0; i < n; i++) {
        fprintf(out, "%s%d-%d", i ? " " : "", l[i].src, l[i].tgt);
        if (soft)
            fprintf(out, ":%.4f", l[i].score);
    }
    fputc('\n', out);
}

/* ---- the command ----------------------------------------------------------------------------*/

typedef struct ranked_head {
    int layer, head; // head -1: mean over the layer's heads
    as_an_aer_counts c;
} ranked_head;

static int cmp_rank(const void *x, const void *y)
{
    const ranked_head *a = x, *b = y;
    double ea = as_an_aer(&a->c), eb = as_an_aer(&b->c);
    if (ea != eb)
        return ea < eb ? -1 : 1;
    if (a->layer != b->layer)
        return a->layer - b->layer;
    return a->head - b->head; // the layer mean (-1) before its heads on ties
}

typedef struct state {
    const as_cli_opts *o;
    as_kern *k;
    as_model *model;
    FILE *gold, *links_out;
    const char *gold_path;
    as_an_aer_counts total;
    ranked_head *rank; // [layers * (heads + 1)] with --rank-heads
    int n_rank;
    long lines, mismatched;
} state;

static int read_gold(state *s, as_an_gold_link **g, int *ng)
{
    char *line = NULL;
    size_t cap = 0;
    *g = NULL;
    *ng = 0;
    if (getline(&line, &cap, s->gold) < 0) {
        free(line);
        return as_fail(AS_EFORMAT, "%s: has fewer lines than the input (%ld)", s->gold_path,
                       s->lines + 1);
    }
    int rc = as_an_gold_parse(line, s->o->gold_one_based, g, ng);
    free(line);
    if (rc != AS_OK) { // prefix the file and line (the message is copied: as_fail rewrites it)
        char *msg = as_xstrdup(as_last_error());
        rc = as_fail(rc, "%s:%ld: %s", s->gold_path, s->lines + 1, msg);
        free(msg);
    }
    return rc;
}

static int align_pair(state *s, const pair *p)
{
    const as_cli_opts *o = s->o;
    as_an_gold_link *g = NULL;
    int ng = 0, rc = AS_OK;
    if (s->gold && (rc = read_gold(s, &g, &ng)) != AS_OK)
        return rc;
    int ws = count_words(p->src), wt = count_words(p->tgt);
    if (o->method == AS_CLI_ALIGN_DIAGONAL) {
        as_an_link *l = as_xcalloc((size_t)wt + 1, sizeof *l);
        int n = as_an_align_diagonal(ws, wt, l);
        as_an_aer_add(&s->total, l, n, g, ng);
        if (s->links_out)
            print_links(s->links_out, l, n, o->soft);
        free(l);
        free(g);
        return AS_OK;
    }
    as_attn a;
    as_run_opts ro = {.src = p->src, .tgt = p->tgt};
    rc = as_model_run(s->model, &ro, &a);
    const as_attn_map *m = &a.map[AS_ATTN_CROSS];
    as_an_align_opts ao = {.l0 = o->layer == AS_CLI_ALL ? 0 : o->layer,
                           .l1 = o->layer == AS_CLI_ALL ? m->layers - 1 : o->layer_last,
                           .head = o->head == AS_CLI_MEAN ? -1 : o->head,
                           .predict = o->predict,
                           .method = (as_an_align_method)o->method,
                           .threshold = o->threshold};
    as_an_alignment al;
    if (rc == AS_OK)
        rc = as_an_align_store(&a, &ao, &al);
    if (rc == AS_OK) {
        // the gold counts whitespace words; the tokenizer's word starts should agree with them
        s->mismatched += al.src_words != ws || al.tgt_words != wt;
        as_an_aer_add(&s->total, al.links, al.n, g, ng);
        if (s->links_out)
            print_links(s->links_out, al.links, al.n, o->soft);
        as_an_alignment_free(&al);
        if (s->rank && !s->n_rank) {
            s->n_rank = m->layers * (m->heads + 1);
            s->rank = as_xrealloc(s->rank, (size_t)s->n_rank * sizeof *s->rank);
            for (int i = 0; i < s->n_rank; i++)
                s->rank[i] = (ranked_head){.layer = i / (m->heads + 1),
                                           .head = i % (m->heads + 1) - 1};
        }
        for (int i = 0; s->rank && i < s->n_rank && rc == AS_OK; i++) {
            ranked_head *r = &s->rank[i];
            ao.l0 = ao.l1 = r->layer;
            ao.head = r->head;
            rc = as_an_align_store(&a, &ao, &al);
            if (rc == AS_OK)
                as_an_aer_add(&r->c, al.links, al.n, g, ng);
            as_an_alignment_free(&al);
        }
    }
    as_attn_deinit(&a);
    free(g);
    return rc;
}

static void print_scores(const state *s)
{
    const as_an_aer_counts *c = &s->total;
    printf("sentences %ld  links %ld  sure %ld  precision %.4f  recall %.4f  AER %.4f\n",
           s->lines, c->a, c->s, as_an_precision(c), as_an_recall(c), as_an_aer(c));
}

static void print_rank(state *s)
{
    qsort(s->rank, (size_t)s->n_rank, sizeof *s->rank, cmp_rank);
    printf("%-6s %-5s %9s %9s %7s %7s\n", "layer", "head", "precision", "recall", "AER", "links");
    for (int i = 0; i < s->n_rank; i++) {
        const ranked_head *r = &s->rank[i];
        char head[16];
        if (r->head < 0)
            snprintf(head, sizeof head, "mean");
        else
            snprintf(head, sizeof head, "%d", r->head);
        printf("%-6d %-5s %9.4f %9.4f %7.4f %7ld\n", r->layer, head, as_an_precision(&r->c),
               as_an_recall(&r->c), as_an_aer(&r->c), r->c.a);
    }
}

static int run_lines(state *s, FILE *in, const char *path)
{
    char *line = NULL;
    size_t cap = 0;
    int rc = AS_OK, progress = isatty(fileno(stderr));
    while (rc == AS_OK && getline(&line, &cap, in) >= 0) {
        pair p;
        rc = split_pair(line, path, s->lines + 1, &p);
        if (rc == AS_OK)
            rc = align_pair(s, &p);
        s->lines++;
        if (progress && s->lines % 10 == 0)
            fprintf(stderr, "\ralign: %ld lines", s->lines);
    }
    if (progress && s->lines >= 10)
        fputs("\r\033[K", stderr);
    free(line);
    if (rc == AS_OK && ferror(in))
        rc = as_fail(AS_EIO, "%s: read error", path);
    return rc;
}

int as_cli_align(const as_cli_opts *o)
{
    state s = {.o = o, .gold_path = o->gold};
    int scoring = o->gold || o->rank_heads;
    FILE *in = NULL;
    const char *in_path = o->input ? o->input : "<stdin>";
    int rc = AS_OK;
    if (o->head == AS_CLI_ALL)
        return as_fail(AS_EINVAL, "align: --head takes N or mean (--rank-heads scores them all)");
    if (o->rank_heads && !o->gold)
        return as_fail(AS_EINVAL, "--rank-heads needs --gold FILE");
    if (o->rank_heads && o->method == AS_CLI_ALIGN_DIAGONAL)
        return as_fail(AS_EINVAL, "--rank-heads ranks attention heads; --method diagonal has none");
    if (o->gold && !(s.gold = fopen(o->gold, "r")))
        return as_fail(AS_EIO, "%s: cannot open: %s", o->gold, strerror(errno));
    // with scores on stdout, links go to -o FILE if asked for; else links are the output
    s.links_out = scoring ? NULL : stdout;
    if (o->output && !(s.links_out = fopen(o->output, "w")))
        rc = as_fail(AS_EIO, "%s: cannot write: %s", o->output, strerror(errno));
    if (rc == AS_OK && !o->src && o->input && strcmp(o->input, "-") != 0 &&
        !(in = fopen(o->input, "r")))
        rc = as_fail(AS_EIO, "%s: cannot open: %s", o->input, strerror(errno));
    if (rc == AS_OK && o->method != AS_CLI_ALIGN_DIAGONAL) {
        rc = as_cli_kern_create(o, &s.k);
        if (rc == AS_OK)
            rc = as_model_load(&s.model, as_cli_model_dir(o), s.k);
    }
    if (rc == AS_OK && o->rank_heads)
        s.rank = as_xcalloc(1, sizeof *s.rank); // sized on the first run (layers, heads)
    if (rc == AS_OK && o->src) {
        char *src = as_xstrdup(o->src), *tgt = as_xstrdup(o->tgt);
        pair p = {trim(src), trim(tgt)};
        rc = align_pair(&s, &p);
        s.lines = 1;
        free(src);
        free(tgt);
    } else if (rc == AS_OK) {
        rc = run_lines(&s, in ? in : stdin, in_path);
    }
    if (rc == AS_OK && s.gold) {
        char *extra = NULL;
        size_t cap = 0;
        ssize_t got;
        while ((got = getline(&extra, &cap, s.gold)) >= 0 && !trim(extra)[0])
            ;
        free(extra);
        if (got >= 0)
            rc = as_fail(AS_EFORMAT, "%s: has more lines than the input (%ld)", o->gold, s.lines);
    }
    if (rc == AS_OK && o->rank_heads)
        print_rank(&s);
    else if (rc == AS_OK && o->gold)
        print_scores(&s);
    if (rc == AS_OK && s.mismatched && o->gold)
        fprintf(stderr, "attnscope: note: %ld of %ld lines have tokenizer words that differ from "
                        "the whitespace words the gold counts\n", s.mismatched, s.lines);
    if (s.links_out && s.links_out != stdout && fclose(s.links_out) != 0 && rc == AS_OK)
        rc = as_fail(AS_EIO, "%s: write error", o->output);
    if (in)
        fclose(in);
    if (s.gold)
        fclose(s.gold);
    free(s.rank);
    as_model_destroy(s.model);
    as_kern_destroy(s.k);
    return rc;
}
