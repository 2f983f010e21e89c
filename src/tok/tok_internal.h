/* tok_internal: the tokenizer object and the tables shared by the files of src/tok/. */
#ifndef ATTNSCOPE_TOK_INTERNAL_H
#define ATTNSCOPE_TOK_INTERNAL_H

#include "attnscope/core.h"
#include "attnscope/tok.h"

#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct pcre2_real_code_8;
struct as_tok_spm;

/* Largest id accepted from vocab.json. The id->piece table is sized by the largest id, so an
 * untrusted file must not be able to ask for gigabytes; real Marian vocabularies stay below 70k. */
#define AS_TOK_MAX_ID ((1 << 22) - 1)

/* vocab.json: piece -> id, and its inverse (holes allowed). */
typedef struct as_tok_vocab {
    int32_t size;        /* largest id + 1 */
    int32_t count;       /* number of pieces */
    const char **by_id;  /* (size) piece of each id, NULL for ids vocab.json does not use */
    char *arena;         /* every piece string, NUL-terminated, back to back */
    int32_t *slots;      /* (cap) open-addressing hash of pieces: an id, or -1 for empty */
    uint32_t cap;        /* power of two >= 2 * count */
} as_tok_vocab;

/* Reads and validates path (a JSON object mapping piece strings to distinct non-negative integer
 * ids <= AS_TOK_MAX_ID). Errors: AS_EIO (unreadable), AS_EFORMAT naming path and the entry,
 * AS_ENOMEM. On failure v is left zeroed. */
int as_tok_vocab_load(as_tok_vocab *v, const char *path);
/* Reads and parses the JSON file path into *root (caller deletes it); on error one line naming
 * path and the byte near which parsing stopped (tok_vocab.c). */
int as_tok_json_read(const char *path, struct cJSON **root);
/* Validates and builds v from a parsed JSON object (piece -> id), as as_tok_vocab_load;
 * what names the source in messages ("tokenizer.json: model.vocab"). */
int as_tok_vocab_from_json(as_tok_vocab *v, const struct cJSON *obj, const char *what);
/* Builds v from n pieces with ids 0..n-1 (vocab.txt lines, Unigram pieces). A repeated piece
 * keeps its id slot but lookups find its last id, as Python's dict does. */
int as_tok_vocab_from_list(as_tok_vocab *v, const char *const *pieces, int32_t n,
                           const char *what);
/* Frees v's tables; accepts a zeroed v. */
void as_tok_vocab_deinit(as_tok_vocab *v);
/* Id of piece[0..len), or -1 if vocab.json does not list it. */
int32_t as_tok_vocab_find(const as_tok_vocab *v, const char *piece, size_t len);
/* Piece of id, or NULL if id is out of range or a hole. Valid while v lives. */
const char *as_tok_vocab_piece(const as_tok_vocab *v, int32_t id);


/* ---- growable lists ------------------------------------------------------------------------- */

typedef struct as_tok_ids {
    int32_t *v;
    int n, cap;
} as_tok_ids;

void as_tok_ids_push(as_tok_ids *l, int32_t id);

/* Words (pre-tokens): owned NUL-terminated strings. */
typedef struct as_tok_words {
    char **v;
    int n, cap;
} as_tok_words;

void as_tok_words_push(as_tok_words *w, const char *s, size_t len);
void as_tok_words_free(as_tok_words *w);

/* ---- UTF-8 and Unicode classes (tok_utf8.c) ------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one (truncated, overlong,
 * surrogate, above U+10FFFF, stray continuation byte). Sets *cp to the code point. */
size_t as_tok_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);
/* Next character of s[0..n) (n > 0): an invalid byte counts as one character U+FFFD. */
size_t as_tok_utf8_next(const char *s, size_t n, uint32_t *cp);
/* Appends the UTF-8 encoding of cp to buf (at least 4 bytes free); returns the byte count. */
size_t as_tok_utf8_put(char *buf, uint32_t cp);
int as_tok_is_space(uint32_t cp);       /* \t \n \r ' ' or Unicode Zs (BERT's whitespace) */
int as_tok_is_punct(uint32_t cp);       /* ASCII punctuation or Unicode P* (BERT's) */
int as_tok_is_cjk(uint32_t cp);         /* BERT's "Chinese character" blocks */
int as_tok_is_control(uint32_t cp);     /* Unicode C* except \t \n \r */
int as_tok_is_digit(uint32_t cp);       /* Unicode N* */

/* ---- normalizers (tok_norm.c) ---------------------------------------------------------------- */

typedef enum {
    AS_TOK_NORM_BERT, /* clean text, CJK padding, accent stripping, lowercase (flags below) */
    AS_TOK_NORM_NFC,
    AS_TOK_NORM_NFD,
    AS_TOK_NORM_NFKC,
    AS_TOK_NORM_NFKD,
    AS_TOK_NORM_LOWER,
    AS_TOK_NORM_STRIP_ACCENTS, /* drop Mn marks (after an NFD normalizer) */
    AS_TOK_NORM_REPLACE,       /* every match of re -> content */
    AS_TOK_NORM_PREPEND,       /* content before non-empty text */
} as_tok_norm_kind;

typedef struct as_tok_norm {
    as_tok_norm_kind kind;
    int clean_text, chinese, strip_accents, lowercase; /* BERT */
    struct pcre2_real_code_8 *re;                      /* REPLACE (owned) */
    char *content;                                     /* REPLACE, PREPEND (owned) */
} as_tok_norm;

/* Applies the normalizers in order to s[0..len); returns a new heap string. */
char *as_tok_normalize(const as_tok_norm *steps, int n, const char *s, size_t len);
void as_tok_norm_deinit(as_tok_norm *n);

/* ---- pre-tokenizers (tok_pre.c) -------------------------------------------------------------- */

typedef enum {
    AS_TOK_PRE_BERT,        /* whitespace removed, punctuation isolated */
    AS_TOK_PRE_BYTELEVEL,   /* optional prefix space, GPT-2 regex, bytes -> printable chars */
    AS_TOK_PRE_WHITESPACE,  /* \w+|[^\w\s]+ */
    AS_TOK_PRE_WSSPLIT,     /* split on whitespace */
    AS_TOK_PRE_METASPACE,   /* ' ' -> replacement, prefix, split before each replacement */
    AS_TOK_PRE_SPLIT,       /* pattern matches with a behaviour */
    AS_TOK_PRE_PUNCT,       /* punctuation with a behaviour */
    AS_TOK_PRE_DIGITS,      /* digits isolated (individual) or grouped */
} as_tok_pre_kind;

typedef enum {
    AS_TOK_SPLIT_REMOVED,
    AS_TOK_SPLIT_ISOLATED,
    AS_TOK_SPLIT_MERGED_PREV,
    AS_TOK_SPLIT_MERGED_NEXT,
    AS_TOK_SPLIT_CONTIGUOUS,
} as_tok_split_behavior;

typedef enum { AS_TOK_PREPEND_ALWAYS, AS_TOK_PREPEND_NEVER, AS_TOK_PREPEND_FIRST } as_tok_prepend;

typedef struct as_tok_pre {
    as_tok_pre_kind kind;
    int add_prefix_space, use_regex;  /* BYTELEVEL */
    struct pcre2_real_code_8 *re;     /* BYTELEVEL, WHITESPACE, SPLIT (owned) */
    as_tok_split_behavior behavior;   /* SPLIT, PUNCT */
    int invert;                       /* SPLIT */
    int individual;                   /* DIGITS */
    char replacement[8];              /* METASPACE (UTF-8 of one character) */
    as_tok_prepend prepend;           /* METASPACE */
    int split;                        /* METASPACE */
} as_tok_pre;

/* Applies the pre-tokenizers in order to one section of text; words are appended to out.
 * first: the section starts the text (Metaspace prepend_scheme "first"). Returns AS_OK or
 * AS_EINVAL if a regex match fails (PCRE2 match limit). */
int as_tok_pretokenize(const as_tok_pre *steps, int n, const char *s, int first, as_tok_words *out);
/* Sets up a step of kind; BYTELEVEL and WHITESPACE compile their fixed regex, SPLIT compiles
 * pattern (a literal string if literal). AS_EFORMAT naming what for a bad regex. */
int as_tok_pre_init(as_tok_pre *p, as_tok_pre_kind kind, const char *pattern, int literal,
                    const char *what);
void as_tok_pre_deinit(as_tok_pre *p);
/* Compiles a UTF-8, Unicode-property regex (or a literal string); NULL with AS_EFORMAT recorded
 * (naming what). */
struct pcre2_real_code_8 *as_tok_regex(const char *pattern, int literal, const char *what);
/* GPT-2's byte-to-unicode table: the code point standing for each byte. */
uint32_t as_tok_byte_char(unsigned char b);
/* The byte a code point stands for, or -1 if it is not in the table. */
int as_tok_char_byte(uint32_t cp);

/* ---- models (tok_wordpiece.c, tok_bpe.c, tok_unigram.c) ------------------------------------- */

typedef enum { AS_TOK_WORDPIECE, AS_TOK_BPE, AS_TOK_UNIGRAM } as_tok_model_kind;

typedef struct as_tok_merge_slot {
    uint64_t key; /* (left id << 32) | right id; UINT64_MAX for empty */
    int32_t rank, id;
} as_tok_merge_slot;

typedef struct as_tok_model {
    as_tok_model_kind kind;
    as_tok_vocab vocab;
    int32_t unk;          /* -1: none */
    char *prefix;         /* continuing_subword_prefix (WordPiece "##"; BPE optional) */
    char *suffix;         /* BPE end_of_word_suffix */
    int max_chars;        /* WordPiece max_input_chars_per_word */
    int byte_fallback;    /* BPE, Unigram: unknown characters as <0xXX> pieces */
    int fuse_unk;         /* consecutive unknowns give one unk */
    int ignore_merges;    /* BPE: a whole word in the vocabulary is taken as is */
    as_tok_merge_slot *merges; /* (merge_cap) BPE: pair -> rank, merged id */
    uint32_t merge_cap;
    double *scores;       /* Unigram: (vocab.size) log probabilities */
    double min_score;
    size_t max_piece;     /* Unigram: bytes of the longest piece (bounds the lattice) */
} as_tok_model;

/* Appends the ids of one word (dispatching on the kind to the functions below). */
void as_tok_bpe_encode(const as_tok_model *m, const char *word, as_tok_ids *out);
void as_tok_unigram_encode(const as_tok_model *m, const char *word, as_tok_ids *out);
void as_tok_model_encode(const as_tok_model *m, const char *word, as_tok_ids *out);
void as_tok_model_deinit(as_tok_model *m);
/* BPE: registers merge (a, b) with rank; AS_EFORMAT naming where if a, b or a+b is missing. */
int as_tok_bpe_add_merge(as_tok_model *m, const char *a, const char *b, int32_t rank,
                         const char *where);
/* BPE: sizes the merge table for n merges (call once, before as_tok_bpe_add_merge). */
void as_tok_bpe_reserve(as_tok_model *m, size_t n);

/* ---- the tokenizer object -------------------------------------------------------------------- */

/* A token matched in the text before the model sees it (special tokens, tokenizer.json
 * added_tokens). */
typedef struct as_tok_added {
    char *content;
    int32_t id;
    int lstrip, rstrip; /* whitespace on that side is swallowed */
    int special;        /* skipped by decode */
} as_tok_added;

/* One framing item: a special token id, or the text A (seq 0) / B (seq 1). */
typedef struct as_tok_item {
    int seq; /* -1: the special id below */
    int32_t id;
    int32_t type_id;
} as_tok_item;

typedef enum {
    AS_TOK_STYLE_SPM,       /* U+2581 word-start marker (Marian, Metaspace, Unigram) */
    AS_TOK_STYLE_BYTELEVEL, /* 'G' with dot (U+0120) word-start marker, byte-mapped text */
    AS_TOK_STYLE_WORDPIECE, /* "##" continuation prefix */
} as_tok_style;

struct as_tok {
    char *path;        /* the main file, for messages */
    char *describe;
    as_tok_style style;
    /* Marian: SentencePiece + vocab.json */
    int marian;
    as_tok_vocab vocab;
    struct as_tok_spm *spm[2]; /* [AS_TOK_SOURCE] source.spm, [AS_TOK_TARGET] target.spm */
    char *spm_path[2];
    int32_t eos, unk, pad;     /* pad is -1 when vocab.json has no "<pad>" */
    /* everything else: a tokenizers-library pipeline */
    as_tok_added *added;
    int n_added;
    as_tok_norm *norm;
    int n_norm;
    as_tok_pre *pre;
    int n_pre;
    as_tok_model model;
    as_tok_item *single, *pair;
    int n_single, n_pair;
};

typedef enum { AS_TOK_FRAME_NONE, AS_TOK_FRAME_BERT, AS_TOK_FRAME_ROBERTA } as_tok_framing;

/* Sets the single and pair templates of a built-in framing (cls/sep unused for NONE). */
void as_tok_set_framing(as_tok *t, as_tok_framing f, int32_t cls, int32_t sep);
/* Frees everything a pipeline tokenizer owns (not t itself). */
void as_tok_pipe_deinit(as_tok *t);
/* Pipeline encode of one text or a pair (b may be NULL). */
int as_tok_pipe_encode(as_tok *t, const char *a, const char *b, as_tok_seq *out);
/* Marian encode (tok_marian.c). */
int as_tok_marian_encode(as_tok *t, as_tok_side side, const char *text, as_tok_seq *out);
void as_tok_marian_deinit(as_tok *t);
char *as_tok_marian_decode(const as_tok *t, const int32_t *ids, int n);
/* Is id one of the pipeline's special added tokens? */
int as_tok_is_special_id(const as_tok *t, int32_t id);
/* Adds an added token (content copied). */
void as_tok_add_token(as_tok *t, const char *content, int32_t id, int lstrip, int rstrip,
                      int special);
/* Id of a piece: added tokens first, then the model vocabulary; -1 if neither has it. */
int32_t as_tok_find(const as_tok *t, const char *piece);
/* Slow-tokenizer folders (tok_slow.c): vocab.txt, vocab.json + merges.txt. */
int as_tok_open_wordpiece(as_tok *t, const char *dir);
int as_tok_open_bytelevel(as_tok *t, const char *dir, const as_cfg *cfg);
/* tokenizer.json (tok_json.c). */
int as_tok_open_json(as_tok *t, const char *path);

/* ---- text before SentencePiece (tok_split.c) ---- */

typedef enum {
    AS_TOK_SPAN_TEXT,    /* plain text for SentencePiece */
    AS_TOK_SPAN_SPECIAL, /* one of the special tokens, written literally in the text */
    AS_TOK_SPAN_CODE,    /* a language code such as ">>fr<<", kept as one token */
} as_tok_span_kind;

/* Receives the spans in order; s is valid only during the call. A nonzero return stops the
 * split and is passed on. */
typedef int (*as_tok_span_fn)(void *ctx, as_tok_span_kind kind, const char *s, size_t len);

/* Splits text as transformers 4.27 does before SentencePiece (PreTrainedTokenizer.tokenize with
 * specials[0..count) as no-split tokens, then MarianTokenizer.remove_language_code on every text
 * span). specials must not be prefixes of each other. Returns 0 or the first nonzero fn result. */
int as_tok_split(const char *text, const char *const *specials, int count, as_tok_span_fn fn,
                 void *ctx);

#endif
