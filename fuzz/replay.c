/* Replays fuzz inputs without libFuzzer: every file named on the command line, or every file in
 * a folder named there, is passed once to the harness's LLVMFuzzerTestOneInput. The test suite
 * runs each harness over its seed corpus and its regression corpus (inputs that once crashed),
 * so a fixed bug stays fixed in the normal and the ASan+UBSan builds. */
#include "attnscope/core.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    char *buf = NULL;
    size_t n = 0;
    if (as_read_file(path, &buf, &n) != AS_OK) {
        fprintf(stderr, "replay: %s\n", as_last_error());
        return 1;
    }
    /* an exact-size copy, so ASan sees a read one byte past the input */
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    memcpy(copy, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir in name order; returns the number run, or -1 on error. */
static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: %s: cannot open folder\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = as_xrealloc(names, cap * sizeof *names);
        }
        names[n++] = as_path_join(dir, e->d_name);
    }
    closedir(d);
    if (n) /* qsort(NULL, 0, ...) is undefined */
        qsort(names, n, sizeof *names, cmp_str);
    int count = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            bad |= run_file(names[i]);
            count++;
        }
        free(names[i]);
    }
    free(names);
    return bad ? -1 : count;
}

int main(int argc, char **argv)
{
    int total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: not found\n", argv[i]);
            return 1;
        }
        int n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : (run_file(argv[i]) ? -1 : 1);
        if (n < 0)
            return 1;
        total += n;
    }
    printf("replayed %d inputs\n", total);
    /* a harness with no inputs at all would test nothing */
    return total > 0 ? 0 : 1;
}
