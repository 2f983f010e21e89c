/* Command-line parsing: `attnscope [COMMAND] [MODEL_DIR] [options]`. */
#include "cli.h"

#include "attnscope/core.h"
#include "attnscope/model.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifndef AS_DEFAULT_MODEL
#define AS_DEFAULT_MODEL "assets/models/demo"
#endif

void as_cli_usage(FILE *out)
{
    fputs("usage:\n"
          "  attnscope [MODEL_DIR] [--src TEXT] [--tgt TEXT] [--device D]\n"
          "      [--colors auto|truecolor|256|16|none] [-C|--no-color] [--no-mouse]\n"
          "      [--max-frames N] [--gold \"0-0 1-2 2p1\" [--gold-one-based]]\n"
          "      open the explorer (MODEL_DIR defaults to the bundled demo model); --gold:\n"
          "      this pair's links, for an AER column in the head table (A: links on the map)\n"
          "  attnscope dump [MODEL_DIR] (--src TEXT [--tgt TEXT] | --src-file F [--tgt-file F])\n"
          "      [--max-new-tokens N] [--map encoder|decoder|cross|all] [--layer N|A-B|all]\n"
          "      [--head N|mean|all] [--format ascii|ansi|safetensors|png|svg|npy|json]\n"
          "      [--width N] [--logits] [--hidden] [--pair TEXT] [-o FILE|DIR]\n"
          "      write attention maps (default: every map, every layer, mean over heads);\n"
          "      --hidden: hidden states too (safetensors); --pair: the second text of a\n"
          "      sentence pair (BERT: [CLS] A [SEP] B [SEP], token types 0 then 1)\n"
          "      --src-file: one input per line (json: JSON lines; files: one per line in DIR)\n"
          "      --derive rollout|flow [--fusion mean|max|min] [--discard R]: attention rollout\n"
          "      or flow of each self-attention stack instead of the maps\n"
          "  attnscope [dump] MODEL_DIR --image FILE ...   vision models (vit): the image is the\n"
          "      input; dump --format png -o F.png writes the CLS attention (--layer all: rollout)\n"
          "      overlaid on the image at its own resolution\n"
          "  attnscope align [MODEL_DIR] (--src TEXT --tgt TEXT | --input FILE)\n"
          "      [--layer N|A-B|all] [--head N|mean] [--method argmax|threshold|bidir|diagonal]\n"
          "      [--threshold X] [--predict] [--soft] [--gold FILE [--gold-one-based]]\n"
          "      [--rank-heads] [-o FILE]\n"
          "      word alignments from cross-attention, Pharaoh i-j (0-based source-target);\n"
          "      with --gold: precision, recall, AER; --rank-heads: every head sorted by AER\n"
          "  attnscope stats [MODEL_DIR] --src TEXT [--tgt TEXT] [--map M] [--layer N|A-B|all]\n"
          "      [--head N|all] [--format table|json]\n"
          "      per (map, layer, head): entropy, Gini, diagonal, effective tokens, first-token\n"
          "      mass, previous-token score, distance, peak, pattern label\n"
          "  attnscope view FILE [--tokens JSON] [--format F -o OUT]\n"
          "      explore saved attention without a model: safetensors with the dump names,\n"
          "      a [layers, heads, q, k] .npy (encoder|decoder|cross.npy) or a directory of them\n"
          "  attnscope info MODEL_DIR        architecture, sizes, parameters, dtypes, tokenizer\n"
          "  attnscope devices               Vulkan devices and which one is chosen\n"
          "options:\n"
          "  --device D   N (index), a device name substring, or cpu (C reference backend);\n"
          "               default: $AS_DEVICE, else discrete > integrated > virtual > cpu-type\n"
          "  --store auto|full|qk   keep every probability (full) or, for bert/roberta, each\n"
          "               layer's queries and keys, heads computed when shown (qk: long inputs);\n"
          "               auto: qk when the maps would take > 1/4 of the memory cap or one\n"
          "               layer's maps > 128 MiB\n"
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
    // in as_cli_format order from AS_FMT_ASCII; each command checks which ones it writes
    static const char *const names[] = {"ascii", "ansi", "safetensors", "png", "svg", "npy",
                                        "json", "table"};
    for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (as_cli_format)(AS_FMT_ASCII + i);
            return AS_OK;
        }
    return as_fail(AS_EINVAL, "--format: expected ascii, ansi, safetensors, png, svg, npy, json "
                              "or table, got '%s'", s);
}

/* s as one of the '|'-separated words; *out = its index + base. */
static int parse_word(const char *s, const char *what, const char *words, int base, int *out)
{
    size_t n = strlen(s);
    int i = 0;
    for (const char *w = words; *w; i++) {
        size_t len = strcspn(w, "|");
        if (len == n && strncmp(w, s, n) == 0) {
            *out = base + i;
            return AS_OK;
        }
        w += len + (w[len] == '|');
    }
    return as_fail(AS_EINVAL, "%s: expected %s, got '%s'", what, words, s);
}

_Static_assert(AS_STORE_AUTO == 0 && AS_STORE_FULL == 1 && AS_STORE_QK == 2,
               "--store's words auto|full|qk are as_store_mode values in order");

static int parse_double(const char *s, const char *what, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= 0.0 && v <= 1.0))
        return as_fail(AS_EINVAL, "%s: expected a number in [0, 1], got '%s'", what, s);
    *out = v;
    return AS_OK;
}

/* --layer N, A-B (inclusive range, align) or all. */
static int parse_layer(const char *s, as_cli_opts *o)
{
    if (strcmp(s, "all") == 0) {
        o->layer = o->layer_last = AS_CLI_ALL;
        return AS_OK;
    }
    const char *dash = strchr(s, '-');
    if (!dash) {
        int rc = parse_int(s, "--layer", 0, &o->layer);
        o->layer_last = o->layer;
        return rc;
    }
    char first[32];
    size_t n = (size_t)(dash - s);
    if (n == 0 || n >= sizeof first)
        return as_fail(AS_EINVAL, "--layer: expected N, A-B or all, got '%s'", s);
    memcpy(first, s, n);
    first[n] = '\0';
    int rc = parse_int(first, "--layer", 0, &o->layer);
    if (rc == AS_OK)
        rc = parse_int(dash + 1, "--layer", 0, &o->layer_last);
    if (rc == AS_OK && o->layer_last < o->layer)
        rc = as_fail(AS_EINVAL, "--layer %s: the range ends before it starts", s);
    return rc;
}

static int parse_method(const char *s, int *out)
{
    for (int i = 0; i <= AS_CLI_ALIGN_DIAGONAL; i++) {
        const char *name = i == AS_CLI_ALIGN_DIAGONAL ? "diagonal"
                                                      : as_an_align_method_name((as_an_align_method)i);
        if (strcmp(s, name) == 0) {
            *out = i;
            return AS_OK;
        }
    }
    return as_fail(AS_EINVAL, "--method: expected argmax, threshold, bidir or diagonal, got '%s'",
                   s);
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
       OPT_WIDTH, OPT_LOGITS, OPT_COLORS, OPT_INPUT, OPT_METHOD, OPT_THRESHOLD, OPT_SOFT,
       OPT_PREDICT, OPT_GOLD, OPT_GOLD_ONE, OPT_RANK, OPT_NO_MOUSE, OPT_MAX_FRAMES,
       OPT_IMAGE, OPT_SRC_FILE, OPT_TGT_FILE, OPT_PAIR, OPT_HIDDEN, OPT_TOKENS, OPT_DERIVE,
       OPT_FUSION, OPT_DISCARD, OPT_STORE };

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
    {"no-color", no_argument, NULL, 'C'},
    {"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
    {"max-frames", required_argument, NULL, OPT_MAX_FRAMES},
    {"input", required_argument, NULL, OPT_INPUT},
    {"method", required_argument, NULL, OPT_METHOD},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"soft", no_argument, NULL, OPT_SOFT},
    {"predict", no_argument, NULL, OPT_PREDICT},
    {"gold", required_argument, NULL, OPT_GOLD},
    {"gold-one-based", no_argument, NULL, OPT_GOLD_ONE},
    {"rank-heads", no_argument, NULL, OPT_RANK},
    {"image", required_argument, NULL, OPT_IMAGE},
    {"src-file", required_argument, NULL, OPT_SRC_FILE},
    {"tokens", required_argument, NULL, OPT_TOKENS},
    {"derive", required_argument, NULL, OPT_DERIVE},
    {"fusion", required_argument, NULL, OPT_FUSION},
    {"discard", required_argument, NULL, OPT_DISCARD},
    {"tgt-file", required_argument, NULL, OPT_TGT_FILE},
    {"pair", required_argument, NULL, OPT_PAIR},
    {"hidden", no_argument, NULL, OPT_HIDDEN},
    {"store", required_argument, NULL, OPT_STORE},
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
    case OPT_LAYER: return parse_layer(arg, o);
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
    case 'C': o->colors = "none"; return AS_OK;
    case OPT_NO_MOUSE: o->no_mouse = 1; return AS_OK;
    case OPT_MAX_FRAMES: return parse_int(arg, "--max-frames", 1, &o->max_frames);
    case OPT_INPUT: o->input = arg; return AS_OK;
    case OPT_METHOD: return parse_method(arg, &o->method);
    case OPT_THRESHOLD: return parse_double(arg, "--threshold", &o->threshold);
    case OPT_SOFT: o->soft = 1; return AS_OK;
    case OPT_PREDICT: o->predict = 1; return AS_OK;
    case OPT_GOLD: o->gold = arg; return AS_OK;
    case OPT_GOLD_ONE: o->gold_one_based = 1; return AS_OK;
    case OPT_RANK: o->rank_heads = 1; return AS_OK;
    case OPT_IMAGE: o->image = arg; return AS_OK;
    case OPT_SRC_FILE: o->src_file = arg; return AS_OK;
    case OPT_TOKENS: o->tokens = arg; return AS_OK;
    case OPT_DERIVE: return parse_word(arg, "--derive", "rollout|flow", 1, &o->derive);
    case OPT_FUSION: return parse_word(arg, "--fusion", "mean|max|min", 0, &o->fusion);
    case OPT_DISCARD: return parse_double(arg, "--discard", &o->discard);
    case OPT_TGT_FILE: o->tgt_file = arg; return AS_OK;
    case OPT_PAIR: o->pair = arg; return AS_OK;
    case OPT_HIDDEN: o->hidden = 1; return AS_OK;
    case OPT_STORE: return parse_word(arg, "--store", "auto|full|qk", 0, &o->store);
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
    o->layer_last = AS_CLI_ALL;
    o->method = AS_AN_ALIGN_ARGMAX;
    o->threshold = 0.1;
    o->head = AS_CLI_MEAN;
    o->colors = "auto";
    int first = 1;
    if (argc > 1) {
        static const struct { const char *name; as_cli_cmd cmd; } cmds[] = {
            {"dump", AS_CMD_DUMP}, {"info", AS_CMD_INFO}, {"devices", AS_CMD_DEVICES},
            {"help", AS_CMD_HELP}, {"align", AS_CMD_ALIGN}, {"stats", AS_CMD_STATS}, {"view", AS_CMD_VIEW}};
        for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
            if (strcmp(argv[1], cmds[i].name) == 0) {
                o->cmd = cmds[i].cmd;
                first = 2;
            }
    }
    optind = first;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "hCo:", long_opts, NULL)) != -1) {
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
    if (o->cmd == AS_CMD_DUMP && !o->src && !o->image && !o->src_file)
        return as_fail(AS_EINVAL, "dump: missing --src TEXT (or --image FILE, --src-file FILE)");
    if (o->src_file && (o->src || o->image || o->cmd != AS_CMD_DUMP))
        return as_fail(AS_EINVAL, "--src-file: only for dump, instead of --src");
    if (o->tgt_file && (!o->src_file || o->tgt))
        return as_fail(AS_EINVAL, "--tgt-file goes with --src-file, instead of --tgt");
    if (o->image && (o->src || o->tgt))
        return as_fail(AS_EINVAL, "--image: a vision model takes no --src/--tgt text");
    if (o->cmd == AS_CMD_VIEW && !o->model_dir)
        return as_fail(AS_EINVAL, "view: missing FILE (safetensors, .npy or a directory)");
    if ((o->fusion || o->discard > 0) && !o->derive)
        return as_fail(AS_EINVAL, "--fusion and --discard go with --derive rollout|flow");
    if (o->tokens && o->cmd != AS_CMD_VIEW)
        return as_fail(AS_EINVAL, "--tokens: only for view");
    if (o->cmd == AS_CMD_STATS && !o->src)
        return as_fail(AS_EINVAL, "stats: missing --src TEXT");
    if (o->cmd == AS_CMD_ALIGN && !o->src != !o->tgt)
        return as_fail(AS_EINVAL, "align: --src and --tgt go together (or use --input FILE)");
    if (o->cmd == AS_CMD_ALIGN && o->src && o->input)
        return as_fail(AS_EINVAL, "align: give either --src/--tgt or --input FILE");
    return AS_OK;
}
