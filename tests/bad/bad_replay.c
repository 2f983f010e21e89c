/* Replays the crafted-input corpus of tests/bad (listed in cases.txt): each case is copied into
 * a scratch folder under the file name its reader expects, the reader runs on it, and the run
 * must fail with exactly the recorded one-line message (the scratch folder written as "@") and
 * leave nothing allocated (LeakSanitizer in the ASan build).
 *
 *   bad_replay TESTS_BAD_DIR FIXTURES_DIR
 *
 * With AS_UPDATE_GOLDEN=1 the messages are written back into cases.txt instead, to be reviewed
 * as a diff. */
#include "../../src/cli/cli.h"
#include "../test.h"

#include "attnscope/analysis.h"
#include "attnscope/cfg.h"
#include "attnscope/ckpt.h"
#include "attnscope/img.h"
#include "attnscope/st.h"
#include "attnscope/tok.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *fixtures;

/* ---- copying a case into the scratch folder ---------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    char *buf = NULL;
    size_t n = 0;
    AS_ASSERT(as_read_file(from, &buf, &n) == AS_OK);
    FILE *f = fopen(to, "wb");
    AS_ASSERT(f && (n == 0 || fwrite(buf, 1, n, f) == n) && fclose(f) == 0);
    free(buf);
}

/* Copies the files and symlinks (as symlinks) of folder from into folder to. */
static void copy_dir(const char *from, const char *to)
{
    DIR *d = opendir(from);
    AS_ASSERT(d != NULL);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char *src = as_path_join(from, e->d_name), *dst = as_path_join(to, e->d_name);
        struct stat st;
        AS_ASSERT(lstat(src, &st) == 0);
        if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlink(src, target, sizeof target - 1);
            AS_ASSERT(n > 0);
            target[n] = '\0';
            AS_ASSERT(symlink(target, dst) == 0);
        } else {
            copy_file(src, dst);
        }
        free(src);
        free(dst);
    }
    closedir(d);
}

static void copy_fixture(const char *model, const char *name, const char *dir)
{
    char *from = as_xasprintf("%s/%s/%s", fixtures, model, name);
    char *to = as_path_join(dir, name);
    copy_file(from, to);
    free(from);
    free(to);
}

/* ---- readers ------------------------------------------------------------------------------ */

/* Each reader gets the case's scratch folder and, for a single-file case, the path of the copy;
 * it returns the reader's status (AS_OK would be a test failure). */
typedef struct reader {
    const char *name;
    const char *file_name; /* name the copy gets; NULL: the case's own base name */
    int (*run)(const char *dir, const char *path);
} reader;

static int run_st(const char *dir, const char *path)
{
    as_st_file *f = NULL;
    int rc = as_st_open(&f, path);
    as_st_close(f);
    return rc;
}

static int run_cfg(const char *dir, const char *path)
{
    as_cfg c;
    return as_cfg_load(&c, dir);
}

static int run_gencfg(const char *dir, const char *path)
{
    copy_fixture("marian-tiny", "config.json", dir);
    return run_cfg(dir, path);
}

static int run_prep(const char *dir, const char *path)
{
    as_img_prep p;
    return as_img_prep_load(&p, dir, 32);
}

static int run_vitcfg(const char *dir, const char *path)
{
    as_img_cfg c;
    int rc = as_img_cfg_load(&c, dir);
    if (rc == AS_OK)
        as_img_cfg_free(&c);
    return rc;
}

static int run_tok(const char *dir, const char *path)
{
    as_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.model_type, "gpt2");
    as_tok *t = NULL;
    int rc = as_tok_open(&t, dir, &cfg);
    as_tok_destroy(t);
    return rc;
}

static int run_marian(const char *dir, const char *path)
{
    copy_fixture("marian-tiny", "source.spm", dir);
    copy_fixture("marian-tiny", "target.spm", dir);
    return run_tok(dir, path);
}

static int run_ckpt(const char *dir, const char *path)
{
    as_ckpt *ck = NULL;
    int rc = as_ckpt_open(&ck, dir);
    as_ckpt_close(ck);
    return rc;
}

static int run_img(const char *dir, const char *path)
{
    as_img img;
    int rc = as_img_load(&img, path);
    if (rc == AS_OK)
        as_img_free(&img);
    return rc;
}

static int run_view(const char *dir, const char *path)
{
    as_attn a;
    int rc = as_cli_view_load(path ? path : dir, NULL, &a);
    if (rc == AS_OK)
        as_attn_deinit(&a);
    return rc;
}

/* Every line of the file through as_an_gold_parse; the first failure. */
static int run_gold_lines(const char *path, int one_based)
{
    char *text = NULL;
    size_t n = 0;
    int rc = as_read_file(path, &text, &n);
    for (char *line = text, *next; rc == AS_OK && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        as_an_gold_link *g = NULL;
        int ng = 0;
        rc = as_an_gold_parse(line, one_based, &g, &ng);
        free(g);
    }
    free(text);
    return rc;
}

static int run_gold(const char *dir, const char *path)
{
    return run_gold_lines(path, 0);
}

static int run_gold1(const char *dir, const char *path)
{
    return run_gold_lines(path, 1);
}

/* One argument per line, after "attnscope". */
static int run_cli(const char *dir, const char *path)
{
    char *text = NULL;
    size_t n = 0;
    AS_ASSERT(as_read_file(path, &text, &n) == AS_OK);
    char *argv[64] = {"attnscope"};
    int argc = 1;
    for (char *line = text, *next; line && *line && argc < 63; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        argv[argc++] = line;
    }
    argv[argc] = NULL;
    optind = 0; /* a fresh getopt scan for each case */
    as_cli_opts o;
    int rc = as_cli_parse(&o, argc, argv);
    free(text);
    return rc;
}

static const reader readers[] = {
    {"st", "model.safetensors", run_st},
    {"cfg", "config.json", run_cfg},
    {"gencfg", "generation_config.json", run_gencfg},
    {"prep", "preprocessor_config.json", run_prep},
    {"vitcfg", "config.json", run_vitcfg},
    {"tokjson", "tokenizer.json", run_tok},
    {"vocabtxt", "vocab.txt", run_tok},
    {"bpe", NULL, run_tok},
    {"marian", "vocab.json", run_marian},
    {"bin", "pytorch_model.bin", run_ckpt},
    {"index", NULL, run_ckpt},
    {"img", NULL, run_img},
    {"view", NULL, run_view},
    {"gold", NULL, run_gold},
    {"gold1", NULL, run_gold1},
    {"cli", NULL, run_cli},
};

/* ---- the case list ------------------------------------------------------------------------ */

/* msg with every occurrence of dir replaced by "@" (new heap string). */
static char *relative(const char *msg, const char *dir)
{
    size_t k = strlen(dir);
    char *out = as_xmalloc(strlen(msg) + 1), *o = out;
    for (const char *p = msg; *p;) {
        if (strncmp(p, dir, k) == 0) {
            *o++ = '@';
            p += k;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* Runs the case rel (relative to bad_dir) with reader rd in scratch/c<index>; returns the message
 * as "<error name>: <message>" (new heap string), or NULL if the reader succeeded. */
static char *run_case(const reader *rd, const char *bad_dir, const char *rel, const char *scratch,
                      int index)
{
    char *dir = as_xasprintf("%s/c%d", scratch, index);
    AS_ASSERT(mkdir(dir, 0700) == 0);
    char *src = as_path_join(bad_dir, rel), *path = NULL;
    struct stat st;
    AS_ASSERT(stat(src, &st) == 0);
    if (S_ISDIR(st.st_mode)) {
        copy_dir(src, dir);
    } else {
        const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
        path = as_path_join(dir, rd->file_name ? rd->file_name : base);
        copy_file(src, path);
    }
    as_fail(AS_OK, "%s", "");
    int rc = rd->run(dir, path);
    char *out = NULL;
    if (rc != AS_OK) {
        char *msg = relative(as_last_error(), dir);
        out = as_xasprintf("%s: %s", as_strerror(rc), msg);
        free(msg);
    }
    free(src);
    free(path);
    free(dir);
    return out;
}

/* The cap on data-sized allocations (as_try_calloc, core_alloc.c): above AS_MAX_MEMORY MiB a
 * request fails before calloc, with a message naming the option; below it, it succeeds. */
static void check_mem_limit(void)
{
    AS_ASSERT(setenv("AS_MAX_MEMORY", "1", 1) == 0);
    AS_TEST_EQ(as_mem_limit(), 1u << 20);
    as_fail(AS_OK, "%s", "");
    void *p = as_try_calloc(3, 700 * 1024, "probe"); /* 2100 KiB = 2.05 MiB */
    AS_TEST_TRUE(p == NULL);
    AS_TEST_STR(as_last_error(), "probe: needs 2.1 MiB, more than the 1.0 MiB limit "
                                 "(AS_MAX_MEMORY=<MiB> raises it)");
    free(p);
    p = as_try_calloc(1, 1u << 20, "probe"); /* exactly the limit */
    AS_TEST_TRUE(p != NULL);
    free(p);
    AS_ASSERT(unsetenv("AS_MAX_MEMORY") == 0);
    p = as_try_calloc(3, 700 * 1024, "probe");
    AS_TEST_TRUE(p != NULL);
    free(p);
}

/* A FIFO planted as config.json must be refused at once, not block waiting for a writer (a
 * FIFO cannot be committed to git, so it is made here). */
static void check_fifo(const char *scratch)
{
    char *dir = as_path_join(scratch, "fifo"), *path = as_path_join(dir, "config.json");
    AS_ASSERT(mkdir(dir, 0700) == 0 && mkfifo(path, 0600) == 0);
    as_cfg c;
    AS_TEST_EQ(as_cfg_load(&c, dir), AS_EIO);
    char *want = as_xasprintf("%s: not a regular file", path);
    AS_TEST_STR(as_last_error(), want);
    free(want);
    free(path);
    free(dir);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bad_replay TESTS_BAD_DIR FIXTURES_DIR\n");
        return 2;
    }
    const char *bad_dir = argv[1];
    fixtures = argv[2];
    int update = getenv("AS_UPDATE_GOLDEN") && strcmp(getenv("AS_UPDATE_GOLDEN"), "1") == 0;
    char *list_path = as_path_join(bad_dir, "cases.txt"), *list = NULL;
    size_t list_len = 0;
    AS_ASSERT(as_read_file(list_path, &list, &list_len) == AS_OK);
    char scratch[] = "/tmp/as_bad_XXXXXX";
    AS_ASSERT(mkdtemp(scratch) != NULL);

    FILE *out = NULL;
    if (update) {
        out = fopen(list_path, "w");
        AS_ASSERT(out != NULL);
    }
    int cases = 0;
    for (char *line = list, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char rname[32], rel[256];
        char *bar = strstr(line, " | ");
        if (line[0] == '#' || !bar || sscanf(line, "%31s %255s", rname, rel) != 2) {
            if (out)
                fprintf(out, "%s\n", line);
            continue;
        }
        const reader *rd = NULL;
        for (size_t i = 0; i < sizeof readers / sizeof *readers; i++)
            if (strcmp(readers[i].name, rname) == 0)
                rd = &readers[i];
        AS_TEST_TRUE(rd != NULL);
        if (!rd) {
            fprintf(stderr, "%s: unknown reader '%s'\n", rel, rname);
            continue;
        }
        char *got = run_case(rd, bad_dir, rel, scratch, cases++);
        const char *want = bar + 3;
        if (out) {
            fprintf(out, "%s %s | %s\n", rname, rel, got ? got : "(accepted)");
        } else if (!got) {
            fprintf(stderr, "FAIL %s: accepted\n", rel);
            AS_TEST_TRUE(0);
        } else if (strchr(got, '\n') || strcmp(got, want) != 0) {
            fprintf(stderr, "FAIL %s:\n  want %s\n  got  %s\n", rel, want, got);
            AS_TEST_TRUE(0);
        } else {
            printf("ok   %s: %s\n", rel, got);
            as_test_checks++;
        }
        free(got);
    }
    if (out)
        fclose(out);
    check_fifo(scratch);
    char *rm = as_xasprintf("rm -rf '%s'", scratch);
    AS_TEST_EQ(system(rm), 0);
    free(rm);
    free(list);
    free(list_path);
    printf("%d cases\n", cases);
    check_mem_limit();
    AS_TEST_TRUE(cases >= 30);
    return as_test_result();
}
