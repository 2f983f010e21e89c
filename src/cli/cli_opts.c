/* Command-line parsing: `attnscope [COMMAND] [MODEL_DIR] [options]`. */
#include "cli.h"

#include "attnscope/core.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifndef AS_DEFAULT_MODEL
#define AS_DEFAULT_MODEL "assets/models/demo"
#endif

void as_cli_usage(FILE *out)
{
    fputs("usage:\n"
          "  attnscope [MODEL_DIR] [--src TEXT] [--tgt TEXT] [--device D] [--colors MODE]\n"
          "      open the explorer (MODEL_DIR defaults to the bundled demo model)\n"
          "  attnscope dump [MODEL_DIR] --src TEXT [--tgt TEXT] [--max-new-tokens N]\n"
          "      [--map encoder|decoder|cross|all] [--layer N|all] [--head N|mean|all]\n"
          "      [--format ascii|ansi|safetensors] [--width N] [--logits] [-o FILE]\n"
          "      write attention maps (default: every map, every layer, mean over heads)\n"
          "  attnscope info MODEL_DIR        architecture, sizes, parameters, dtypes, tokenizer\n"
          "  attnscope devices               Vulkan devices and which one is chosen\n"
          "options:\n"
          "  --device D   N (index), a device name substring, or cpu (C reference backend);\n"
          "               default: $AS_DEVICE, else discrete > integrated > virtual > cpu-type\n"
          "  -h, --help   this text\n",
          out);
}

const char *as_cli_model_dir(const as_cli_opts *o)
{
    if (o->model_dir)
        return o->model_dir;
    const char *env = getenv("AS_MODEL_DIR");
    return (env && *env) ? env : AS_DEFAULT_MODEL;
}

static int parse_int(const char *s, const char *what, int lo, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > 1000000)
        return as_fail(AS_EINVAL, "%s: expected an integer >= %d, got '%s'", what, lo, s);
    *out = (int)v;
    return AS_OK;
}

static int parse_map(const char *s, int *out)
{
    static const char *const names[] = {"encoder", "decoder", "cross"};
    if (strcmp(s, "all") == 0) {
        *out = AS_CLI_ALL;
        return AS_OK;
    }
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return AS_OK;
        }
    return as_fail(AS_EINVAL, "--map: expected encoder, decoder, cross or all, got '%s'", s);
}

static int parse_format(const char *s, as_cli_format *out)
{
    static const char *const names[] = {"ascii", "ansi", "safetensors"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (as_cli_format)(AS_FMT_ASCII + i);
            return AS_OK;
        }
    return as_fail(AS_EINVAL, "--format: expected ascii, ansi or safetensors, got '%s'", s);
}

static int parse_colors(const char *s)
{
    static const char *const names[] = {"auto", "truecolor", "256", "16", "none"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return AS_OK;
    return as_fail(AS_EINVAL, "--colors: expected auto, truecolor, 256, 16 or none, got '%s'", s);
}

enum { OPT_SRC = 256, OPT_TGT, OPT_DEVICE, OPT_MAXNEW, OPT_MAP, OPT_LAYER, OPT_HEAD, OPT_FORMAT,
       OPT_WIDTH, OPT_LOGITS, OPT_COLORS };

static const struct option long_opts[] = {
    {"src", required_argument, NULL, OPT_SRC},
    {"tgt", required_argument, NULL, OPT_TGT},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"max-new-tokens", required_argument, NULL, OPT_MAXNEW},
    {"map", required_argument, NULL, OPT_MAP},
    {"layer", required_argument, NULL, OPT_LAYER},
    {"head", required_argument, NULL, OPT_HEAD},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"logits", no_argument, NULL, OPT_LOGITS},
    {"colors", required_argument, NULL, OPT_COLORS},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_one(as_cli_opts *o, int c, const char *arg)
{
    switch (c) {
    case OPT_SRC: o->src = arg; return AS_OK;
    case OPT_TGT: o->tgt = arg; return AS_OK;
    case OPT_DEVICE: o->device = arg; return AS_OK;
    case OPT_MAXNEW: return parse_int(arg, "--max-new-tokens", 1, &o->max_new_tokens);
    case OPT_MAP: return parse_map(arg, &o->map);
    case OPT_LAYER:
        if (strcmp(arg, "all") == 0) {
            o->layer = AS_CLI_ALL;
            return AS_OK;
        }
        return parse_int(arg, "--layer", 0, &o->layer);
    case OPT_HEAD:
        if (strcmp(arg, "all") == 0 || strcmp(arg, "mean") == 0) {
            o->head = arg[0] == 'a' ? AS_CLI_ALL : AS_CLI_MEAN;
            return AS_OK;
        }
        return parse_int(arg, "--head", 0, &o->head);
    case OPT_FORMAT: return parse_format(arg, &o->format);
    case OPT_WIDTH: return parse_int(arg, "--width", 24, &o->width);
    case OPT_LOGITS: o->logits = 1; return AS_OK;
    case OPT_COLORS: o->colors = arg; return parse_colors(arg);
    case 'o': o->output = arg; return AS_OK;
    case 'h': o->cmd = AS_CMD_HELP; return AS_OK;
    default: return as_fail(AS_EINVAL, "unknown option (see attnscope --help)");
    }
}

int as_cli_parse(as_cli_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->map = AS_CLI_ALL;
    o->layer = AS_CLI_ALL;
    o->head = AS_CLI_MEAN;
    o->colors = "auto";
    int first = 1;
    if (argc > 1) {
        static const struct { const char *name; as_cli_cmd cmd; } cmds[] = {
            {"dump", AS_CMD_DUMP}, {"info", AS_CMD_INFO}, {"devices", AS_CMD_DEVICES},
            {"help", AS_CMD_HELP}};
        for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
            if (strcmp(argv[1], cmds[i].name) == 0) {
                o->cmd = cmds[i].cmd;
                first = 2;
            }
    }
    optind = first;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", long_opts, NULL)) != -1) {
        if (c == '?' || c == ':')
            return as_fail(AS_EINVAL, "%s: unknown option or missing value (see attnscope "
                                      "--help)", argv[optind - 1]);
        int rc = parse_one(o, c, optarg);
        if (rc != AS_OK)
            return rc;
    }
    if (optind < argc)
        o->model_dir = argv[optind++];
    if (optind < argc)
        return as_fail(AS_EINVAL, "unexpected argument '%s' (see attnscope --help)", argv[optind]);
    if (o->cmd == AS_CMD_INFO && !o->model_dir)
        return as_fail(AS_EINVAL, "info: missing MODEL_DIR");
    if (o->cmd == AS_CMD_DUMP && !o->src)
        return as_fail(AS_EINVAL, "dump: missing --src TEXT");
    return AS_OK;
}
