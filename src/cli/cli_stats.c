/* `attnscope stats`: every statistic and the pattern label of every (kind, layer, head), and the
 * head diversity of every (kind, layer), as tables or as JSON. */
#include "cli.h"

#include "attnscope/analysis.h"
#include "attnscope/model.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The statistics of one head, in the column order of the table. */
typedef struct head_stats {
    double v[AS_AN_STATS];
    as_an_peak peak;
    as_an_pattern label;
} head_stats;

static int compute(const float *m, int rows, int cols, head_stats *h)
{
    for (int s = 0; s < AS_AN_STATS; s++) {
        int rc = as_an_stat_of((as_an_stat)s, m, rows, cols, &h->v[s]);
        if (rc != AS_OK)
            return rc;
    }
    h->peak = as_an_peak_find(m, rows, cols);
    h->label = as_an_classify(m, rows, cols, NULL);
    return AS_OK;
}

/* Column width of statistic s: its name, at least 10. */
static int col_width(int s)
{
    int n = (int)strlen(as_an_stat_name((as_an_stat)s));
    return n > 10 ? n : 10;
}

static void print_header(void)
{
    printf("%-8s %5s %4s", "kind", "layer", "head");
    for (int s = 0; s < AS_AN_STATS; s++)
        printf(" %*s", col_width(s), as_an_stat_name((as_an_stat)s));
    printf(" %-14s %s\n", "peak(q,k)=p", "pattern");
}

static void print_row(const char *kind, int layer, int head, const head_stats *h)
{
    printf("%-8s %5d %4d", kind, layer, head);
    for (int s = 0; s < AS_AN_STATS; s++)
        printf(" %*.4f", col_width(s), h->v[s]);
    char peak[48];
    snprintf(peak, sizeof peak, "(%d,%d)=%.3f", h->peak.row, h->peak.col, h->peak.value);
    printf(" %-14s %s\n", peak, as_an_pattern_name(h->label));
}

static cJSON *json_row(const char *kind, int layer, int head, const head_stats *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddNumberToObject(o, "layer", layer);
    cJSON_AddNumberToObject(o, "head", head);
    for (int s = 0; s < AS_AN_STATS; s++)
        cJSON_AddNumberToObject(o, as_an_stat_name((as_an_stat)s), h->v[s]);
    cJSON *p = cJSON_AddObjectToObject(o, "peak");
    cJSON_AddNumberToObject(p, "q", h->peak.row);
    cJSON_AddNumberToObject(p, "k", h->peak.col);
    cJSON_AddNumberToObject(p, "value", h->peak.value);
    cJSON_AddStringToObject(o, "pattern", as_an_pattern_name(h->label));
    return o;
}

/* as_an_head_diversity of (kind, layer), one pair of heads at a time: a Q/K store (attn.h) holds
 * only a few materialised heads, so h is asked for again before each partner (a cache hit that
 * keeps it the most recent) and no pointer outlives the next request but one. */
static double diversity(const as_attn *a, as_attn_kind kind, int layer)
{
    const as_attn_map *m = &a->map[kind];
    if (m->heads < 2)
        return 0.0;
    double s = 0.0;
    for (int h = 0; h < m->heads; h++)
        for (int g = h + 1; g < m->heads; g++) {
            const float *ph = as_attn_head(a, kind, layer, h);
            s += as_an_js_divergence(ph, as_attn_head(a, kind, layer, g), m->q, m->k);
        }
    return s / (0.5 * m->heads * (m->heads - 1));
}

/* Head diversity (mean pairwise Jensen-Shannon divergence of the heads, analysis.h) of every
 * selected (kind, layer): a second table, or "layers" in the JSON object. */
static void print_diversity(const as_cli_opts *o, const as_attn *a, cJSON *root)
{
    cJSON *layers = root ? cJSON_AddArrayToObject(root, "layers") : NULL;
    if (!root)
        printf("\n%-8s %5s %15s\n", "kind", "layer", "head_diversity");
    for (int kind = 0; kind < AS_ATTN_KINDS; kind++) {
        const as_attn_map *m = &a->map[kind];
        if (!m->layers || (o->map != AS_CLI_ALL && o->map != kind))
            continue;
        for (int l = 0; l < m->layers; l++) {
            if (o->layer != AS_CLI_ALL && (l < o->layer || l > o->layer_last))
                continue;
            double d = diversity(a, (as_attn_kind)kind, l);
            const char *name = as_attn_kind_name((as_attn_kind)kind);
            if (root) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "kind", name);
                cJSON_AddNumberToObject(e, "layer", l);
                cJSON_AddNumberToObject(e, "head_diversity", d);
                cJSON_AddItemToArray(layers, e);
            } else {
                printf("%-8s %5d %15.4f\n", name, l, d);
            }
        }
    }
}

/* Prints the statistics of the kinds, layers and heads o selects (table or JSON). */
static int stats_print(const as_cli_opts *o, const as_attn *a)
{
    int json = o->format == AS_FMT_JSON, rc = AS_OK, any = 0;
    cJSON *root = json ? cJSON_CreateObject() : NULL, *heads = NULL;
    if (json) {
        cJSON_AddStringToObject(root, "model", a->model_name);
        heads = cJSON_AddArrayToObject(root, "heads");
    } else {
        print_header();
    }
    for (int kind = 0; kind < AS_ATTN_KINDS && rc == AS_OK; kind++) {
        const as_attn_map *m = &a->map[kind];
        if (!m->layers || (o->map != AS_CLI_ALL && o->map != kind))
            continue;
        const char *name = as_attn_kind_name((as_attn_kind)kind);
        for (int l = 0; l < m->layers && rc == AS_OK; l++) {
            if (o->layer != AS_CLI_ALL && (l < o->layer || l > o->layer_last))
                continue;
            for (int h = 0; h < m->heads && rc == AS_OK; h++) {
                if (o->head >= 0 && o->head != h)
                    continue;
                head_stats hs;
                rc = compute(as_attn_head(a, (as_attn_kind)kind, l, h), m->q, m->k, &hs);
                if (rc == AS_OK && json)
                    cJSON_AddItemToArray(heads, json_row(name, l, h, &hs));
                else if (rc == AS_OK)
                    print_row(name, l, h, &hs);
                any = 1;
            }
        }
    }
    if (rc == AS_OK && !any)
        rc = as_fail(AS_EINVAL, "stats: --map/--layer/--head select no attention head");
    if (rc == AS_OK)
        print_diversity(o, a, root);
    if (rc == AS_OK && json) {
        char *s = cJSON_PrintUnformatted(root);
        puts(s);
        cJSON_free(s);
    }
    cJSON_Delete(root);
    return rc;
}

int as_cli_stats(const as_cli_opts *o)
{
    if (o->format != AS_FMT_AUTO && o->format != AS_FMT_TABLE && o->format != AS_FMT_JSON)
        return as_fail(AS_EINVAL, "stats: --format must be table or json");
    as_kern *k;
    as_model *m;
    as_attn a;
    int rc = as_cli_load_and_run(o, &k, &m, &a);
    if (rc != AS_OK)
        return rc;
    rc = stats_print(o, &a);
    if (rc == AS_OK && fflush(stdout) != 0)
        rc = as_fail(AS_EIO, "<stdout>: write error");
    as_attn_deinit(&a);
    as_model_destroy(m);
    as_kern_destroy(k);
    return rc;
}
