/* Helpers shared by the fuzz harnesses: a private scratch folder per process, writing files into
 * it, and splitting one fuzz input into several files.
 *
 * Most readers take a path or a model folder, so each harness writes the input into files of a
 * scratch folder and calls the reader on it: the fuzzer then exercises the same entry points
 * attnscope uses, mapping included. The folder lives in /dev/shm when it exists (no disk I/O). */
#ifndef ATTNSCOPE_FUZZ_UTIL_H
#define ATTNSCOPE_FUZZ_UTIL_H

#include "attnscope/core.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every harness defines this; libFuzzer (or fuzz/replay.c) calls it once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The scratch folder, created on first use and removed at exit. */
static char fz_dir[4096];

static inline void fz_cleanup(void)
{
    char cmd[sizeof fz_dir + 16];
    /* the folder name is ours (mkdtemp), so this removes nothing else */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fz_dir);
}

static inline const char *fz_scratch(void)
{
    if (!fz_dir[0]) {
        /* fuzz/run points AS_FUZZ_SCRATCH into its build folder and empties it afterwards:
         * a crashing process never reaches its atexit cleanup */
        const char *base = getenv("AS_FUZZ_SCRATCH");
        if (!base || !*base)
            base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fz_dir, sizeof fz_dir, "%s/as_fuzz_XXXXXX", base);
        if (!mkdtemp(fz_dir))
            abort();
        atexit(fz_cleanup);
    }
    return fz_dir;
}

/* Writes data[0..n) to scratch/name (replacing it); returns the new path (caller frees). */
static inline char *fz_write(const char *name, const uint8_t *data, size_t n)
{
    char *path = as_path_join(fz_scratch(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
        abort();
    return path;
}

/* Removes scratch/name if it exists. */
static inline void fz_remove(const char *name)
{
    char *path = as_path_join(fz_scratch(), name);
    unlink(path);
    free(path);
}

/* Splits data at the separator line "\n----\n" into at most max parts: part i is
 * data[off[i] .. off[i] + len[i]). Returns the number of parts (>= 1). Lets one input carry
 * several files of a folder (config.json and generation_config.json, vocab.json and merges.txt)
 * while the dictionary teaches the fuzzer the separator. */
static inline int fz_split(const uint8_t *data, size_t size, int max, size_t *off, size_t *len)
{
    static const char sep[] = "\n----\n";
    const size_t k = sizeof sep - 1;
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i + k <= size && n < max - 1; i++)
        if (memcmp(data + i, sep, k) == 0) {
            off[n] = start;
            len[n++] = i - start;
            start = i + k;
            i = start - 1;
        }
    off[n] = start;
    len[n++] = size - start;
    return n;
}

/* A NUL-terminated heap copy of data[0..n). */
static inline char *fz_strndup(const uint8_t *data, size_t n)
{
    char *s = as_xmalloc(n + 1);
    memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* Clears the last error message, so fz_check_error sees only what the next call records. */
static inline void fz_reset_error(void)
{
    as_fail(AS_OK, "%s", "");
}

/* A failing reader must have recorded a message of exactly one line: attnscope prints it as
 * "attnscope: <message>". A missing or multi-line message is a bug, so it crashes the harness. */
static inline void fz_check_error(int rc)
{
    const char *msg = as_last_error();
    if (rc != AS_OK && (!msg[0] || strchr(msg, '\n')))
        abort();
}

#endif
