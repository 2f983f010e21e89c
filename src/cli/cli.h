/* Private to src/cli: parsed command line and the sub-commands. */
#ifndef ATTNSCOPE_CLI_H
#define ATTNSCOPE_CLI_H

#include "attnscope/analysis.h"
#include "attnscope/attn.h"
#include "attnscope/render.h"

#include <stdio.h>

/* Exit status of every failure (bad input, usage, device): scripts can tell it from success. */
#define AS_CLI_EXIT_FAIL 2

typedef enum {
    AS_CMD_EXPLORE,
    AS_CMD_DUMP,
    AS_CMD_INFO,
    AS_CMD_DEVICES,
    AS_CMD_HELP,
    AS_CMD_ALIGN,
    AS_CMD_STATS,
    AS_CMD_VIEW
} as_cli_cmd;

typedef enum {
    AS_FMT_AUTO,
    AS_FMT_ASCII,
    AS_FMT_ANSI,
    AS_FMT_SAFETENSORS,
    AS_FMT_PNG,
    AS_FMT_SVG,
    AS_FMT_NPY,
    AS_FMT_JSON,
    AS_FMT_TABLE
} as_cli_format;

/* align --method: the as_an_align_method values, then the baseline that needs no model. */
#define AS_CLI_ALIGN_DIAGONAL AS_AN_ALIGN_METHODS

/* dump --derive */
#define AS_CLI_DERIVE_ROLLOUT 1
#define AS_CLI_DERIVE_FLOW 2

#define AS_CLI_ALL (-1)  /* --layer all / --head all */
#define AS_CLI_MEAN (-2) /* --head mean */

typedef struct as_cli_opts {
    as_cli_cmd cmd;
    const char *model_dir; /* NULL: the bundled model */
    const char *src, *tgt;
    const char *pair;  /* --pair TEXT: second segment of a sentence pair (BERT token types) */
    const char *image; /* --image FILE: the input of a vision model */
    const char *device;
    int max_new_tokens;
    int map; /* AS_CLI_ALL or an as_attn_kind */
    int layer, head;
    int layer_last; /* --layer A-B: layer = A, layer_last = B; --layer N: both N */
    as_cli_format format;
    int width; /* 0: from COLUMNS, else 80 */
    const char *output;
    int logits;
    int hidden; /* --hidden: keep every stack's hidden states (dump --format safetensors) */
    const char *colors; /* explorer: auto|truecolor|256|16|none (-C, --no-color: none) */
    int no_mouse;       /* explorer: --no-mouse */
    int max_frames;     /* explorer: --max-frames N (exit after N frames; scripted runs) */
    /* align */
    const char *input; /* `source ||| target` lines; NULL or "-": stdin */
    int method;        /* an as_an_align_method or AS_CLI_ALIGN_DIAGONAL */
    double threshold;  /* threshold and bidir methods */
    int soft;          /* print each link's score */
    int predict;       /* a target piece's row is the one predicting it, not the one reading it */
    const char *gold;  /* gold links to score against */
    int gold_one_based;
    int rank_heads;
    /* dump batch */
    const char *src_file, *tgt_file; /* one source (target) per line */
    /* dump --derive */
    int derive;     /* 0, AS_CLI_DERIVE_ROLLOUT or AS_CLI_DERIVE_FLOW */
    int fusion;     /* as_an_fusion of the heads (--fusion mean|max|min) */
    double discard; /* --discard ratio in [0, 1) */
    /* view */
    const char *tokens; /* token pieces JSON for .npy input */
    int store;          /* --store auto|full|qk: an as_store_mode (model.h), 0 = auto */
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
/* Vision runs (cli_image.c): the CLS attention of --layer/--head (rollout for --layer all)
 * overlaid on the input image at its resolution, written as PNG to output; and the top-3
 * classes with probabilities as one "prediction: ..." line (nothing without logits). */
int as_cli_image_png(const as_cli_opts *o, const as_attn *a, const char *output);
void as_cli_image_prediction(FILE *out, const as_attn *a);
int as_cli_align(const as_cli_opts *o);
/* The pieces (or the display labels, which `attnscope view` shows) of an axis as a JSON array
 * (cli_dump.c; caller frees). */
char *as_cli_tokens_json(const as_attn_axis_tokens *t, int labels);
/* dump's output step for one store: every format; output is -o's FILE or DIR (NULL: stdout). */
int as_cli_dump_store(const as_cli_opts *o, const as_attn *a, const char *output);
/* dump --derive: rollout / flow of each self-attention stack, in o's format (cli_derive.c). */
int as_cli_derive_store(const as_cli_opts *o, const as_attn *a, const char *output);
/* dump --src-file: one run per line, written as JSON lines or one file per input. */
int as_cli_dump_batch(const as_cli_opts *o);
/* Exports (cli_export.c): png/svg of each selected map into path (a file for one map, else a
 * directory); npy: <kind>.npy [layers, heads, q, k] + tokens.json in dir; json: one line. */
int as_cli_export_images(const as_cli_opts *o, const as_attn *a, const char *path);
int as_cli_export_npy(const as_cli_opts *o, const as_attn *a, const char *dir);
int as_cli_export_json(const as_cli_opts *o, const as_attn *a, FILE *out, const char *path);
/* mkdir unless it exists as a directory; AS_EIO naming dir. */
int as_cli_make_dir(const char *dir);
int as_cli_stats(const as_cli_opts *o);
/* view FILE (in o->model_dir): loads saved attention (safetensors, .npy or a directory of them)
 * into a fresh store (cli_view.c); the explorer opens it, or --format writes it as dump does. */
int as_cli_view_load(const char *path, const char *tokens, as_attn *a);
int as_cli_view(const as_cli_opts *o);

/* Loads the model of o on its device and runs o's source (shared by dump and the explorer). The
 * caller destroys *m and *k, and deinits *a. */
typedef struct as_model as_model;
typedef struct as_kern as_kern;
int as_cli_load_and_run(const as_cli_opts *o, as_kern **k, as_model **m, as_attn *a);
/* The backend of o->device (as_kern_create). When no device was asked for (no --device, AS_DEVICE
 * unset or empty) and Vulkan is unusable (AS_ENODEV: no loader, no driver, no usable device),
 * prints one note on stderr and returns the CPU backend instead (cli_run.c). */
int as_cli_kern_create(const as_cli_opts *o, as_kern **k);
/* Prints "attnscope: <the last error without its AS_VK_CPU_HINT>; <outcome>" on stderr. */
void as_cli_note_no_vulkan(const char *outcome);

#endif
