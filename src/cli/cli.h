/* Private to src/cli: parsed command line and the sub-commands. */
#ifndef ATTNSCOPE_CLI_H
#define ATTNSCOPE_CLI_H

#include "attnscope/attn.h"
#include "attnscope/render.h"

#include <stdio.h>

/* Exit status of every failure (bad input, usage, device): scripts can tell it from success. */
#define AS_CLI_EXIT_FAIL 2

typedef enum { AS_CMD_EXPLORE, AS_CMD_DUMP, AS_CMD_INFO, AS_CMD_DEVICES, AS_CMD_HELP } as_cli_cmd;

typedef enum { AS_FMT_AUTO, AS_FMT_ASCII, AS_FMT_ANSI, AS_FMT_SAFETENSORS } as_cli_format;

#define AS_CLI_ALL (-1)  /* --layer all / --head all */
#define AS_CLI_MEAN (-2) /* --head mean */

typedef struct as_cli_opts {
    as_cli_cmd cmd;
    const char *model_dir; /* NULL: the bundled model */
    const char *src, *tgt;
    const char *device;
    int max_new_tokens;
    int map; /* AS_CLI_ALL or an as_attn_kind */
    int layer, head;
    as_cli_format format;
    int width; /* 0: from COLUMNS, else 80 */
    const char *output;
    int logits;
    const char *colors; /* explorer: auto|truecolor|256|16|none */
} as_cli_opts;

/* Parses argv; AS_EINVAL with a message on a usage error. */
int as_cli_parse(as_cli_opts *o, int argc, char **argv);
void as_cli_usage(FILE *out);
/* The model folder to use: o->model_dir or the bundled model. */
const char *as_cli_model_dir(const as_cli_opts *o);

int as_cli_dump(const as_cli_opts *o);
int as_cli_info(const as_cli_opts *o);
int as_cli_devices(const as_cli_opts *o);
int as_cli_explore(const as_cli_opts *o);

/* Loads the model of o on its device and runs o's source (shared by dump and the explorer). The
 * caller destroys *m and *k, and deinits *a. */
typedef struct as_model as_model;
typedef struct as_kern as_kern;
int as_cli_load_and_run(const as_cli_opts *o, as_kern **k, as_model **m, as_attn *a);

#endif
