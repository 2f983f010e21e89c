/* dump --derive rollout|flow: attention rollout or attention flow of each self-attention stack
 * (analysis.h defines both), written in any dump format. The derived matrices form a new store of
 * one layer and one head per stack, so the text, image and JSON writers need nothing new;
 * safetensors names them `<kind>.rollout` / `<kind>.flow` [q, q], the fixtures' golden names. */
#include "cli.h"

#include "attnscope/st.h"

#include <cJSON.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char *derive_name(int derive)
{
    return derive == AS_CLI_DERIVE_FLOW ? "flow" : "rollout";
}

static void copy_axis(as_attn *d, const as_attn *a, as_attn_axis ax)
{
    const as_attn_axis_tokens *t = &a->axis[ax];
    if (t->n)
        as_attn_set_axis(d, ax, t->n, t->ids, (const char *const *)t->pieces,
                         (const char *const *)t->labels);
}

/* The derived store: for each selected self-attention kind, one [n, n] map. */
static int derive(const as_cli_opts *o, const as_attn *a, as_attn *d)
{
    as_attn_init(d);
    d->model_name = as_xasprintf("%s %s", a->model_name, derive_name(o->derive));
    d->arch = as_xstrdup(a->arch ? a->arch : "");
    d->single_stack = a->single_stack;
    copy_axis(d, a, AS_AXIS_SOURCE);
    copy_axis(d, a, AS_AXIS_TARGET);
    as_an_rollout_opts ro = {.fusion = (as_an_fusion)o->fusion, .discard_ratio = o->discard};
    int rc = AS_OK, any = 0;
    for (int kind = 0; kind < AS_ATTN_KINDS && rc == AS_OK; kind++) {
        const as_attn_map *m = &a->map[kind];
        if (!m->layers || m->q != m->k || (o->map != AS_CLI_ALL && o->map != kind))
            continue;
        const float *all;
        rc = as_attn_full(a, (as_attn_kind)kind, &all);
        if (rc == AS_OK)
            rc = as_attn_alloc_map(d, (as_attn_kind)kind, 1, 1, m->q, m->k);
        if (rc == AS_OK && o->derive == AS_CLI_DERIVE_FLOW)
            rc = as_an_flow(all, m->layers, m->heads, m->q, &ro, d->map[kind].p, NULL);
        else if (rc == AS_OK)
            rc = as_an_rollout(all, m->layers, m->heads, m->q, &ro, d->map[kind].p);
        any = 1;
    }
    if (rc == AS_OK && !any)
        rc = as_fail(AS_EINVAL, "--derive %s: needs a self-attention map (encoder or decoder)",
                     derive_name(o->derive));
    return rc;
}

static int write_st(const as_cli_opts *o, const as_attn *d, const char *output)
{
    if (!output && isatty(fileno(stdout)))
        return as_fail(AS_EINVAL, "refusing to write binary safetensors to a terminal; use -o FILE");
    FILE *out = output ? fopen(output, "wb") : stdout;
    if (!out)
        return as_fail(AS_EIO, "%s: cannot write: %s", output, strerror(errno));
    as_st_writer *w = as_st_writer_create();
    as_st_writer_meta(w, "producer", "attnscope");
    as_st_writer_meta(w, "model", d->model_name);
    static const char *const keys[2][2] = {{"source_tokens", "source_labels"},
                                           {"target_tokens", "target_labels"}};
    for (int ax = 0; ax < 2; ax++)
        for (int l = 0; l < 2 && d->axis[ax].n; l++) {
            char *js = as_cli_tokens_json(&d->axis[ax], l);
            as_st_writer_meta(w, keys[ax][l], js);
            cJSON_free(js);
        }
    int rc = AS_OK;
    for (int kind = 0; kind < AS_ATTN_KINDS && rc == AS_OK; kind++) {
        const as_attn_map *m = &d->map[kind];
        if (!m->layers)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s.%s", d->single_stack ? "attn" : as_attn_kind_name(
                                                 (as_attn_kind)kind), derive_name(o->derive));
        int64_t shape[2] = {m->q, m->k};
        rc = as_st_writer_add_f32(w, name, 2, shape, m->p);
    }
    const char *path = output ? output : "<stdout>";
    if (rc == AS_OK)
        rc = as_st_writer_write(w, out, path);
    as_st_writer_destroy(w);
    if (out != stdout && fclose(out) != 0 && rc == AS_OK)
        rc = as_fail(AS_EIO, "%s: write error", output);
    return rc;
}

int as_cli_derive_store(const as_cli_opts *o, const as_attn *a, const char *output)
{
    as_attn d;
    int rc = derive(o, a, &d);
    if (rc == AS_OK && o->format == AS_FMT_SAFETENSORS) {
        rc = write_st(o, &d, output);
    } else if (rc == AS_OK) {
        as_cli_opts plain = *o; // the derived store has one layer and one head per map
        plain.derive = 0;
        plain.layer = plain.layer_last = AS_CLI_ALL;
        plain.head = AS_CLI_MEAN;
        rc = as_cli_dump_store(&plain, &d, output);
    }
    as_attn_deinit(&d);
    return rc;
}
