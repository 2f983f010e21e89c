/* Fuzzes the command-line parser: the input is split at NUL bytes into argv[1..] (argv[0] is
 * "attnscope"), as a shell would pass them. */
#include "../src/cli/cli.h"

#include "fuzz_util.h"

#include <getopt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fz_strndup(data, size);
    char *argv[66];
    int argc = 0;
    argv[argc++] = "attnscope";
    for (size_t i = 0; i <= size && argc < 65;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;
    /* getopt keeps a pointer into the previous argv between calls; optind = 0 makes glibc
     * forget it (attnscope parses once per process, the fuzzer many times) */
    char *none[] = {"attnscope", NULL};
    optind = 0;
    getopt(1, none, "");
    as_cli_opts o;
    fz_reset_error();
    int rc = as_cli_parse(&o, argc, argv);
    fz_check_error(rc);
    if (rc == AS_OK)
        as_cli_model_dir(&o);
    free(buf);
    return 0;
}
