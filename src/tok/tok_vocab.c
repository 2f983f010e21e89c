/* tok_vocab: vocab.json (Marian's piece -> id map) into a hash table and an id -> piece array.
 * The file is untrusted: every entry is checked before anything is sized from it. */
#include "tok_internal.h"

#include <cjson/cJSON.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: short keys, no adversarial-collision concern worth more code (the file is local). */
static uint32_t hash_piece(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static int same_piece(const char *stored, const char *s, size_t len)
{
    return strncmp(stored, s, len) == 0 && stored[len] == '\0';
}

int32_t as_tok_vocab_find(const as_tok_vocab *v, const char *piece, size_t len)
{
    if (!v->cap)
        return -1;
    uint32_t mask = v->cap - 1;
    for (uint32_t i = hash_piece(piece, len) & mask;; i = (i + 1) & mask) {
        int32_t id = v->slots[i];
        if (id < 0)
            return -1;
        if (same_piece(v->by_id[id], piece, len))
            return id;
    }
}

const char *as_tok_vocab_piece(const as_tok_vocab *v, int32_t id)
{
    return (id >= 0 && id < v->size) ? v->by_id[id] : NULL;
}

void as_tok_vocab_deinit(as_tok_vocab *v)
{
    free(v->by_id);
    free(v->arena);
    free(v->slots);
    memset(v, 0, sizeof *v);
}

/* ---- validation: one pass over the object, before any table is sized ------------------------ */

/* Checks every entry's id; returns the largest id and the bytes needed for all piece strings. */
static int check_entries(const cJSON *root, const char *path, int32_t *count, int32_t *max_id,
                         size_t *bytes)
{
    int32_t n = 0, max = -1;
    size_t total = 0;
    for (const cJSON *e = root->child; e; e = e->next) {
        if (!cJSON_IsNumber(e))
            return as_fail(AS_EFORMAT, "%s: entry %d (\"%.40s\"): id is not a number", path, n,
                           e->string);
        double d = e->valuedouble;
        if (d != floor(d))
            return as_fail(AS_EFORMAT, "%s: entry %d (\"%.40s\"): id %g is not an integer", path,
                           n, e->string, d);
        if (d < 0 || d > AS_TOK_MAX_ID)
            return as_fail(AS_EFORMAT, "%s: entry %d (\"%.40s\"): id %.0f outside [0, %d]", path,
                           n, e->string, d, AS_TOK_MAX_ID);
        if ((int32_t)d > max)
            max = (int32_t)d;
        total += strlen(e->string) + 1;
        /* n cannot overflow before the byte count of the file does, but keep it honest. */
        if (++n > AS_TOK_MAX_ID + 1)
            return as_fail(AS_EFORMAT, "%s: more than %d entries", path, AS_TOK_MAX_ID + 1);
    }
    *count = n;
    *max_id = max;
    *bytes = total;
    return AS_OK;
}

/* ---- building the tables -------------------------------------------------------------------- */

static int alloc_tables(as_tok_vocab *v, int32_t count, int32_t max_id, size_t bytes,
                        const char *what)
{
    uint32_t cap = 16;
    while (cap < 2u * (uint32_t)count)
        cap *= 2;
    v->size = max_id + 1;
    v->count = 0;
    v->cap = cap;
    v->by_id = as_try_calloc((size_t)v->size ? (size_t)v->size : 1, sizeof *v->by_id, what);
    v->arena = as_try_calloc(bytes ? bytes : 1, 1, what);
    v->slots = as_try_calloc(cap, sizeof *v->slots, what);
    if (!v->by_id || !v->arena || !v->slots)
        return AS_ENOMEM;
    memset(v->slots, 0xff, cap * sizeof *v->slots); /* all -1: empty */
    return AS_OK;
}

/* Adds piece with id; *dst is the arena cursor. A repeated piece is an error unless last_wins
 * (then lookups find the new id). */
static int insert(as_tok_vocab *v, char **dst, const char *piece, int32_t id, int last_wins,
                  const char *what, int n)
{
    size_t len = strlen(piece);
    uint32_t mask = v->cap - 1, i = hash_piece(piece, len) & mask;
    for (; v->slots[i] >= 0; i = (i + 1) & mask)
        if (same_piece(v->by_id[v->slots[i]], piece, len))
            break;
    /* cJSON keeps repeated keys; Python's json would silently keep the last one. */
    if (v->slots[i] >= 0 && !last_wins)
        return as_fail(AS_EFORMAT, "%s: entry %d: piece \"%.40s\" listed twice", what, n, piece);
    if (v->by_id[id])
        return as_fail(AS_EFORMAT, "%s: entry %d (\"%.40s\"): id %d already used by \"%.40s\"",
                       what, n, piece, (int)id, v->by_id[id]);
    memcpy(*dst, piece, len + 1);
    v->by_id[id] = *dst;
    *dst += len + 1;
    v->slots[i] = id;
    v->count++;
    return AS_OK;
}

int as_tok_vocab_from_json(as_tok_vocab *v, const cJSON *root, const char *what)
{
    memset(v, 0, sizeof *v);
    int32_t count = 0, max_id = 0;
    size_t bytes = 0;
    int rc = check_entries(root, what, &count, &max_id, &bytes);
    if (rc == AS_OK)
        rc = alloc_tables(v, count, max_id, bytes, what);
    char *dst = v->arena;
    int n = 0;
    for (const cJSON *e = root->child; e && rc == AS_OK; e = e->next, n++)
        rc = insert(v, &dst, e->string, (int32_t)e->valuedouble, 0, what, n);
    if (rc)
        as_tok_vocab_deinit(v);
    return rc;
}

int as_tok_vocab_from_list(as_tok_vocab *v, const char *const *pieces, int32_t n,
                           const char *what)
{
    memset(v, 0, sizeof *v);
    if (n > AS_TOK_MAX_ID + 1)
        return as_fail(AS_EFORMAT, "%s: more than %d entries", what, AS_TOK_MAX_ID + 1);
    size_t bytes = 0;
    for (int32_t i = 0; i < n; i++)
        bytes += strlen(pieces[i]) + 1;
    int rc = alloc_tables(v, n, n - 1, bytes, what);
    char *dst = v->arena;
    for (int32_t i = 0; i < n && rc == AS_OK; i++)
        rc = insert(v, &dst, pieces[i], i, 1, what, i);
    if (rc)
        as_tok_vocab_deinit(v);
    return rc;
}

int as_tok_json_read(const char *path, cJSON **root)
{
    char *text;
    size_t len;
    int rc = as_read_file(path, &text, &len);
    if (rc)
        return rc;
    const char *end = NULL;
    /* the tree owns copies of every string, so the text can go right away */
    *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    size_t at = end ? (size_t)(end - text) : 0;
    free(text);
    if (!*root)
        return as_fail(AS_EFORMAT, "%s: invalid JSON near byte %zu", path, at);
    return AS_OK;
}

int as_tok_vocab_load(as_tok_vocab *v, const char *path)
{
    memset(v, 0, sizeof *v);
    cJSON *root;
    int rc = as_tok_json_read(path, &root);
    if (rc)
        return rc;
    if (!cJSON_IsObject(root))
        rc = as_fail(AS_EFORMAT, "%s: top level is not a JSON object", path);
    else
        rc = as_tok_vocab_from_json(v, root, path);
    cJSON_Delete(root);
    return rc;
}
