/* dump --src-file FILE [--tgt-file FILE]: the model is loaded once and run on every line. JSON
 * goes out as JSON lines (one record per input line); the file formats write one file (or, for
 * png/svg/npy, one directory) per input into -o DIR, named by line number; text heat maps follow
 * each other. Progress goes to stderr when it is a terminal. */
#include "cli.h"

#include "attnscope/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* Per-input output: a path in the directory for file formats, NULL (the shared stream) else. */
static char *output_for(const as_cli_opts *o, long line)
{
    switch (o->format) {
    case AS_FMT_SAFETENSORS: return as_xasprintf("%s/%06ld.safetensors", o->output, line);
    case AS_FMT_PNG:
    case AS_FMT_SVG: return as_xasprintf("%s/%06ld/", o->output, line); // '/': always a directory
    case AS_FMT_NPY: return as_xasprintf("%s/%06ld", o->output, line);
    default: return NULL;
    }
}

static int run_one(const as_cli_opts *o, as_model *m, FILE *out, long line, const char *src,
                   const char *tgt)
{
    as_attn a;
    as_run_opts ro = {.src = src, .tgt = tgt, .max_new_tokens = o->max_new_tokens,
                      .want_logits = o->logits && o->format == AS_FMT_SAFETENSORS,
                      .store = (as_store_mode)o->store};
    int rc = as_model_run(m, &ro, &a);
    if (rc != AS_OK) { // prefix the input line (the message is copied: as_fail rewrites it)
        char *msg = as_xstrdup(as_last_error());
        rc = as_fail(rc, "%s:%ld: %s", o->src_file, line, msg);
        free(msg);
    } else if (o->format == AS_FMT_JSON) {
        rc = as_cli_export_json(o, &a, out, o->output ? o->output : "<stdout>");
    } else if (o->format == AS_FMT_ASCII || o->format == AS_FMT_ANSI || o->format == AS_FMT_AUTO) {
        fflush(out);
        rc = as_cli_dump_store(o, &a, NULL); // text heat maps: to stdout, one input after another
    } else {
        char *path = output_for(o, line);
        rc = as_cli_dump_store(o, &a, path);
        free(path);
    }
    as_attn_deinit(&a);
    return rc;
}

int as_cli_dump_batch(const as_cli_opts *o)
{
    int files = o->format == AS_FMT_SAFETENSORS || o->format == AS_FMT_PNG ||
                o->format == AS_FMT_SVG || o->format == AS_FMT_NPY;
    if (files && !o->output)
        return as_fail(AS_EINVAL, "dump --src-file with this --format needs -o DIR");
    if (o->output && !files && o->format != AS_FMT_JSON)
        return as_fail(AS_EINVAL, "dump --src-file: -o is for json, safetensors, png, svg, npy");
    FILE *src = fopen(o->src_file, "r"), *tgt = NULL, *out = stdout;
    int rc = AS_OK;
    if (!src)
        return as_fail(AS_EIO, "%s: cannot open: %s", o->src_file, strerror(errno));
    if (o->tgt_file && !(tgt = fopen(o->tgt_file, "r")))
        rc = as_fail(AS_EIO, "%s: cannot open: %s", o->tgt_file, strerror(errno));
    if (rc == AS_OK && files)
        rc = as_cli_make_dir(o->output);
    if (rc == AS_OK && o->format == AS_FMT_JSON && o->output && !(out = fopen(o->output, "w")))
        rc = as_fail(AS_EIO, "%s: cannot write: %s", o->output, strerror(errno));
    as_kern *k = NULL;
    as_model *m = NULL;
    if (rc == AS_OK)
        rc = as_cli_kern_create(o, &k);
    if (rc == AS_OK)
        rc = as_model_load(&m, as_cli_model_dir(o), k);
    char *sl = NULL, *tl = NULL;
    size_t scap = 0, tcap = 0;
    long line = 0;
    int progress = isatty(fileno(stderr));
    while (rc == AS_OK && getline(&sl, &scap, src) >= 0) {
        line++;
        chomp(sl);
        if (tgt && getline(&tl, &tcap, tgt) < 0) {
            rc = as_fail(AS_EFORMAT, "%s: has fewer lines than %s (%ld)", o->tgt_file,
                         o->src_file, line);
            break;
        }
        if (tl)
            chomp(tl);
        rc = run_one(o, m, out, line, sl, tgt ? tl : NULL);
        if (progress)
            fprintf(stderr, "\rdump: %ld inputs", line);
    }
    if (progress && line)
        fputs("\n", stderr);
    if (rc == AS_OK && ferror(src))
        rc = as_fail(AS_EIO, "%s: read error", o->src_file);
    free(sl);
    free(tl);
    fclose(src);
    if (tgt)
        fclose(tgt);
    if (out != stdout && fclose(out) != 0 && rc == AS_OK)
        rc = as_fail(AS_EIO, "%s: write error", o->output);
    if (rc == AS_OK && fflush(stdout) != 0)
        rc = as_fail(AS_EIO, "<stdout>: write error: %s", strerror(errno));
    as_model_destroy(m);
    as_kern_destroy(k);
    return rc;
}
