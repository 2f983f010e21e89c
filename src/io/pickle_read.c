/* A strict, bounded unpickler for torch.save(state_dict) data.pkl: a small stack machine over
 * plain values (none, bool, int, str, tuple, dict) plus three special ones: an allowed global
 * (compared by name, never imported), a storage (from a persistent id) and a tensor (from
 * _rebuild_tensor_v2). Any other opcode or global is refused with the byte offset, so a pickle
 * that would run code only ever produces an error message.
 *
 * What torch writes for one entry (protocol 2):
 *   'name' GLOBAL torch._utils _rebuild_tensor_v2 MARK
 *       MARK 'storage' GLOBAL torch FloatStorage 'key' 'cpu' numel TUPLE BINPERSID
 *       offset (sizes) (strides) requires_grad GLOBAL collections OrderedDict () REDUCE
 *   TUPLE REDUCE          ... SETITEMS into the OrderedDict, then BUILD with {_metadata: ...} */
#include "ckpt_internal.h"

#include <stdlib.h>
#include <string.h>

enum kind { V_NONE, V_BOOL, V_INT, V_STR, V_TUPLE, V_DICT, V_GLOBAL, V_STORAGE, V_TENSOR };

enum glob { G_ODICT, G_REBUILD, G_FLOAT, G_HALF, G_BF16, G_LONG };

static const struct {
    const char *module, *name;
    as_dtype dtype; /* storages only */
} globals[] = {
    [G_ODICT] = {"collections", "OrderedDict", AS_DT_F32},
    [G_REBUILD] = {"torch._utils", "_rebuild_tensor_v2", AS_DT_F32},
    [G_FLOAT] = {"torch", "FloatStorage", AS_DT_F32},
    [G_HALF] = {"torch", "HalfStorage", AS_DT_F16},
    [G_BF16] = {"torch", "BFloat16Storage", AS_DT_BF16},
    [G_LONG] = {"torch", "LongStorage", AS_DT_I64},
};
#define N_GLOBALS (sizeof globals / sizeof globals[0])

typedef struct node {
    enum kind kind;
    int64_t i;         /* int, bool, global id, tensor index */
    const uint8_t *s;  /* str bytes (into the pickle), storage key */
    uint32_t len;      /* str length */
    uint32_t n, cap;   /* tuple items / dict keys and values (2 per pair) */
    uint32_t *kids;
    as_dtype dtype;    /* storage */
    uint64_t numel;    /* storage */
} node;

typedef struct vm {
    const uint8_t *p;
    size_t size, pos, op_pos;
    const char *path;
    node *nodes;
    uint32_t n_nodes, cap_nodes;
    uint32_t *stack, sp, cap_stack;
    uint32_t marks[AS_CKPT_MAX_DEPTH];
    int n_marks;
    uint32_t *memo; /* node id + 1, 0 = empty */
    uint32_t cap_memo;
    as_pickle_tensor *tensors;
    size_t n_tensors, cap_tensors;
} vm;

static int bad(vm *m, const char *what)
{
    return as_fail(AS_EFORMAT, "%s: data.pkl: %s at byte %zu", m->path, what, m->op_pos);
}

/* ---- values ------------------------------------------------------------------------------ */

static int new_node(vm *m, enum kind k, uint32_t *id)
{
    if (m->n_nodes >= AS_CKPT_MAX_NODES)
        return bad(m, "more values than the limit of 4194304");
    if (m->n_nodes == m->cap_nodes) {
        m->cap_nodes = m->cap_nodes ? m->cap_nodes * 2 : 256;
        m->nodes = as_xrealloc(m->nodes, (size_t)m->cap_nodes * sizeof *m->nodes);
    }
    *id = m->n_nodes++;
    memset(&m->nodes[*id], 0, sizeof(node));
    m->nodes[*id].kind = k;
    return AS_OK;
}

static void add_kid(node *c, uint32_t id)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->kids = as_xrealloc(c->kids, (size_t)c->cap * sizeof *c->kids);
    }
    c->kids[c->n++] = id;
}

static int push(vm *m, uint32_t id)
{
    if (m->sp >= AS_CKPT_MAX_STACK)
        return bad(m, "stack deeper than 1048576 values");
    if (m->sp == m->cap_stack) {
        m->cap_stack = m->cap_stack ? m->cap_stack * 2 : 64;
        m->stack = as_xrealloc(m->stack, (size_t)m->cap_stack * sizeof *m->stack);
    }
    m->stack[m->sp++] = id;
    return AS_OK;
}

static int push_new(vm *m, enum kind k, int64_t i)
{
    uint32_t id = 0;
    int rc = new_node(m, k, &id);
    if (rc)
        return rc;
    m->nodes[id].i = i;
    return push(m, id);
}

/* Stack entries above the innermost mark (0 if none is open: an error for the caller). */
static int pop(vm *m, uint32_t *id)
{
    uint32_t floor = m->n_marks ? m->marks[m->n_marks - 1] : 0;
    if (m->sp <= floor)
        return bad(m, "stack underflow");
    *id = m->stack[--m->sp];
    return AS_OK;
}

static node *top(vm *m, enum kind want)
{
    uint32_t floor = m->n_marks ? m->marks[m->n_marks - 1] : 0;
    if (m->sp <= floor || m->nodes[m->stack[m->sp - 1]].kind != want)
        return NULL;
    return &m->nodes[m->stack[m->sp - 1]];
}

/* ---- reading operands -------------------------------------------------------------------- */

static int take(vm *m, size_t n, const uint8_t **out)
{
    if (n > m->size - m->pos)
        return bad(m, "operand runs past the end");
    *out = m->p + m->pos;
    m->pos += n;
    return AS_OK;
}

static int64_t le(const uint8_t *b, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | b[i];
    return (int64_t)v;
}

/* One "text\n" operand of GLOBAL. */
static int line(vm *m, const uint8_t **s, size_t *len)
{
    const uint8_t *nl = memchr(m->p + m->pos, '\n', m->size - m->pos);
    if (!nl)
        return bad(m, "GLOBAL operand without a newline");
    *s = m->p + m->pos;
    *len = (size_t)(nl - *s);
    m->pos += *len + 1;
    return AS_OK;
}

/* GLOBAL: looks the name up in the allowed table; anything else is refused by name. */
static int op_global(vm *m)
{
    const uint8_t *mod = NULL, *name = NULL;
    size_t ml = 0, nl = 0;
    int rc = line(m, &mod, &ml);
    if (rc == AS_OK)
        rc = line(m, &name, &nl);
    if (rc)
        return rc;
    for (size_t g = 0; g < N_GLOBALS; g++)
        if (strlen(globals[g].module) == ml && memcmp(globals[g].module, mod, ml) == 0 &&
            strlen(globals[g].name) == nl && memcmp(globals[g].name, name, nl) == 0)
            return push_new(m, V_GLOBAL, (int64_t)g);
    /* quote it printable and short: it comes from a possibly hostile file */
    char q[100];
    size_t k = 0;
    for (size_t i = 0; i < ml + 1 + nl && k < 64; i++) {
        unsigned char ch = i < ml ? mod[i] : i == ml ? '.' : name[i - ml - 1];
        q[k++] = (char)(ch >= 0x20 && ch < 0x7f ? ch : '?');
    }
    q[k] = '\0';
    return as_fail(AS_EFORMAT, "%s: data.pkl: refusing global '%s' at byte %zu (a state dict "
                               "only uses collections.OrderedDict, torch._utils._rebuild_tensor_v2 "
                               "and torch.*Storage)", m->path, q, m->op_pos);
}

/* ---- containers -------------------------------------------------------------------------- */

/* Moves the top n stack entries into a new tuple. */
static int make_tuple(vm *m, uint32_t n)
{
    uint32_t id = 0;
    int rc = new_node(m, V_TUPLE, &id);
    if (rc)
        return rc;
    node *t = &m->nodes[id];
    for (uint32_t i = m->sp - n; i < m->sp; i++)
        add_kid(t, m->stack[i]);
    m->sp -= n;
    return push(m, id);
}

static int op_tuple_n(vm *m, uint32_t n)
{
    uint32_t floor = m->n_marks ? m->marks[m->n_marks - 1] : 0;
    if (m->sp - floor < n)
        return bad(m, "stack underflow");
    return make_tuple(m, n);
}

static int pop_mark(vm *m, uint32_t *n)
{
    if (!m->n_marks)
        return bad(m, "no MARK open");
    uint32_t at = m->marks[--m->n_marks];
    *n = m->sp - at;
    return AS_OK;
}

/* Appends the n top entries (key, value pairs) to the dict just below them. */
static int set_items(vm *m, uint32_t n)
{
    uint32_t floor = m->n_marks ? m->marks[m->n_marks - 1] : 0;
    if (n % 2)
        return bad(m, "odd number of dict keys and values");
    if (m->sp < floor + n + 1 || m->nodes[m->stack[m->sp - n - 1]].kind != V_DICT)
        return bad(m, "SETITEM(S) target is not a dict");
    node *d = &m->nodes[m->stack[m->sp - n - 1]];
    for (uint32_t i = m->sp - n; i < m->sp; i++)
        add_kid(d, m->stack[i]);
    m->sp -= n;
    return AS_OK;
}

/* ---- torch reconstruction ---------------------------------------------------------------- */

static int is_str(const node *v, const char *s)
{
    return v->kind == V_STR && v->len == strlen(s) && memcmp(v->s, s, v->len) == 0;
}

/* BINPERSID: ('storage', <storage type>, key, location, numel) -> storage. */
static int op_persid(vm *m)
{
    uint32_t id = 0;
    int rc = pop(m, &id);
    if (rc)
        return rc;
    const node *t = &m->nodes[id];
    if (t->kind != V_TUPLE || t->n != 5 || !is_str(&m->nodes[t->kids[0]], "storage"))
        return bad(m, "persistent id is not ('storage', type, key, location, numel)");
    const node *ty = &m->nodes[t->kids[1]], *key = &m->nodes[t->kids[2]],
               *loc = &m->nodes[t->kids[3]], *num = &m->nodes[t->kids[4]];
    if (ty->kind != V_GLOBAL || ty->i < G_FLOAT)
        return bad(m, "persistent id storage type is not a torch storage");
    if (key->kind != V_STR || key->len == 0 || memchr(key->s, '/', key->len) ||
        memchr(key->s, '\0', key->len) || loc->kind != V_STR || num->kind != V_INT || num->i < 0)
        return bad(m, "persistent id has a bad key, location or size");
    /* copied out first: new_node may move m->nodes, and ty, key, num point into it (a
     * heap-use-after-free found by fuzzing) */
    as_dtype dtype = globals[ty->i].dtype;
    const uint8_t *key_s = key->s;
    uint32_t key_len = key->len;
    uint64_t numel = (uint64_t)num->i;
    uint32_t sid;
    rc = new_node(m, V_STORAGE, &sid);
    if (rc)
        return rc;
    node *s = &m->nodes[sid];
    s->dtype = dtype;
    s->s = key_s;
    s->len = key_len;
    s->numel = numel;
    return push(m, sid);
}

/* A tuple of non-negative ints into dims[]. */
static int int_tuple(vm *m, const node *t, int64_t *dims, int *n, const char *what)
{
    if (t->kind != V_TUPLE)
        return bad(m, what);
    if (t->n > AS_ST_MAX_DIMS)
        return as_fail(AS_EFORMAT, "%s: data.pkl: tensor with %u dimensions at byte %zu (at most "
                                   "%d)", m->path, t->n, m->op_pos, AS_ST_MAX_DIMS);
    for (uint32_t i = 0; i < t->n; i++) {
        const node *v = &m->nodes[t->kids[i]];
        if (v->kind != V_INT || v->i < 0)
            return bad(m, what);
        dims[i] = v->i;
    }
    *n = (int)t->n;
    return AS_OK;
}

/* _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata]). */
static int rebuild_tensor(vm *m, const node *args)
{
    if (args->n != 6 && args->n != 7)
        return bad(m, "_rebuild_tensor_v2 takes 6 or 7 arguments");
    const node *st = &m->nodes[args->kids[0]], *off = &m->nodes[args->kids[1]];
    if (st->kind != V_STORAGE || off->kind != V_INT || off->i < 0 ||
        m->nodes[args->kids[4]].kind != V_BOOL || m->nodes[args->kids[5]].kind != V_DICT)
        return bad(m, "_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, "
                      "requires_grad, hooks)");
    if (m->nodes[args->kids[5]].n)
        return bad(m, "tensor with backward hooks");
    if (m->n_tensors >= AS_ST_MAX_TENSORS)
        return bad(m, "more than 1000000 tensors");
    if (m->n_tensors == m->cap_tensors) {
        m->cap_tensors = m->cap_tensors ? m->cap_tensors * 2 : 64;
        m->tensors = as_xrealloc(m->tensors, m->cap_tensors * sizeof *m->tensors);
    }
    as_pickle_tensor *t = &m->tensors[m->n_tensors];
    memset(t, 0, sizeof *t);
    int nd = 0, ns = 0;
    int rc = int_tuple(m, &m->nodes[args->kids[2]], t->shape, &nd, "tensor size is not a tuple "
                                                                   "of non-negative ints");
    if (rc == AS_OK)
        rc = int_tuple(m, &m->nodes[args->kids[3]], t->stride, &ns, "tensor stride is not a "
                                                                    "tuple of non-negative ints");
    if (rc == AS_OK && nd != ns)
        rc = bad(m, "tensor size and stride have different lengths");
    if (rc)
        return rc;
    t->ndim = nd;
    t->dtype = st->dtype;
    t->storage_numel = st->numel;
    t->offset = off->i;
    t->storage_key = as_xmalloc(st->len + 1);
    memcpy(t->storage_key, st->s, st->len);
    t->storage_key[st->len] = '\0';
    m->n_tensors++;
    return push_new(m, V_TENSOR, (int64_t)(m->n_tensors - 1));
}

/* REDUCE: only OrderedDict() and _rebuild_tensor_v2(...) are ever called. */
static int op_reduce(vm *m)
{
    uint32_t a = 0, f = 0;
    int rc = pop(m, &a);
    if (rc == AS_OK)
        rc = pop(m, &f);
    if (rc)
        return rc;
    const node *fn = &m->nodes[f], *args = &m->nodes[a];
    if (fn->kind != V_GLOBAL || args->kind != V_TUPLE)
        return bad(m, "REDUCE of something that is not an allowed global");
    if (fn->i == G_ODICT && args->n == 0)
        return push_new(m, V_DICT, 0);
    if (fn->i == G_REBUILD)
        return rebuild_tensor(m, args);
    return bad(m, "REDUCE calls a storage type or passes OrderedDict arguments");
}

/* ---- the machine ------------------------------------------------------------------------- */

static int memo_put(vm *m, uint64_t key)
{
    if (key >= AS_CKPT_MAX_MEMO)
        return bad(m, "memo index above 1048576");
    if (m->sp <= (m->n_marks ? m->marks[m->n_marks - 1] : 0))
        return bad(m, "memo store from an empty stack");
    if (key >= m->cap_memo) {
        uint32_t cap = m->cap_memo ? m->cap_memo : 256;
        while (cap <= key)
            cap *= 2;
        m->memo = as_xrealloc(m->memo, (size_t)cap * sizeof *m->memo);
        memset(m->memo + m->cap_memo, 0, (size_t)(cap - m->cap_memo) * sizeof *m->memo);
        m->cap_memo = cap;
    }
    m->memo[key] = m->stack[m->sp - 1] + 1;
    return AS_OK;
}

static int memo_get(vm *m, uint64_t key)
{
    if (key >= m->cap_memo || !m->memo[key])
        return bad(m, "memo read of an empty slot");
    return push(m, m->memo[key] - 1);
}

static int op_str(vm *m, size_t len)
{
    const uint8_t *s = NULL;
    int rc = take(m, len, &s);
    if (rc)
        return rc;
    uint32_t id = 0;
    rc = new_node(m, V_STR, &id);
    if (rc)
        return rc;
    m->nodes[id].s = s;
    m->nodes[id].len = (uint32_t)len;
    return push(m, id);
}

/* One opcode; *done set by STOP. */
static int step(vm *m, int *done)
{
    const uint8_t *b = NULL;
    m->op_pos = m->pos;
    int rc = take(m, 1, &b);
    if (rc)
        return bad(m, "pickle ends without STOP");
    uint8_t op = b[0];
    uint32_t id = 0, n = 0;
    switch (op) {
    case 0x80: /* PROTO */
        rc = take(m, 1, &b);
        return rc ? rc : b[0] <= 5 ? AS_OK : bad(m, "unknown pickle protocol");
    case '.': /* STOP */
        *done = 1;
        return AS_OK;
    case '(': /* MARK */
        if (m->n_marks >= AS_CKPT_MAX_DEPTH)
            return bad(m, "MARKs nested deeper than 64");
        m->marks[m->n_marks++] = m->sp;
        return AS_OK;
    case 'N':
        return push_new(m, V_NONE, 0);
    case 0x88: /* NEWTRUE */
    case 0x89: /* NEWFALSE */
        return push_new(m, V_BOOL, op == 0x88);
    case 'K': /* BININT1 */
    case 'M': /* BININT2 */
        rc = take(m, op == 'K' ? 1 : 2, &b);
        return rc ? rc : push_new(m, V_INT, le(b, op == 'K' ? 1 : 2));
    case 'J': /* BININT: signed 32-bit */
        rc = take(m, 4, &b);
        return rc ? rc : push_new(m, V_INT, (int32_t)(uint32_t)le(b, 4));
    case 0x8a: /* LONG1: n-byte two's complement */
        rc = take(m, 1, &b);
        if (rc == AS_OK && b[0] > 8)
            return bad(m, "integer wider than 64 bits");
        n = rc ? 0 : b[0];
        if (rc == AS_OK)
            rc = take(m, n, &b);
        if (rc)
            return rc;
        if (n == 0)
            return push_new(m, V_INT, 0);
        {
            uint64_t v = (uint64_t)le(b, (int)n);
            if (n < 8 && (b[n - 1] & 0x80))
                v |= ~(uint64_t)0 << (8 * n); /* sign-extend */
            return push_new(m, V_INT, (int64_t)v);
        }
    case 'X': /* BINUNICODE */
        rc = take(m, 4, &b);
        return rc ? rc : op_str(m, (size_t)(uint32_t)le(b, 4));
    case 'c':
        return op_global(m);
    case ')':
        return make_tuple(m, 0);
    case 0x85: /* TUPLE1..3 */
    case 0x86:
    case 0x87:
        return op_tuple_n(m, (uint32_t)(op - 0x84));
    case 't':
        rc = pop_mark(m, &n);
        return rc ? rc : make_tuple(m, n);
    case '}': /* EMPTY_DICT */
        return push_new(m, V_DICT, 0);
    case 's': /* SETITEM */
        return set_items(m, 2);
    case 'u': /* SETITEMS */
        rc = pop_mark(m, &n);
        return rc ? rc : set_items(m, n);
    case 'q': /* BINPUT */
    case 'r': /* LONG_BINPUT */
        rc = take(m, op == 'q' ? 1 : 4, &b);
        return rc ? rc : memo_put(m, (uint64_t)(uint32_t)le(b, op == 'q' ? 1 : 4));
    case 'h': /* BINGET */
    case 'j': /* LONG_BINGET */
        rc = take(m, op == 'h' ? 1 : 4, &b);
        return rc ? rc : memo_get(m, (uint64_t)(uint32_t)le(b, op == 'h' ? 1 : 4));
    case 'Q': /* BINPERSID */
        return op_persid(m);
    case 'R':
        return op_reduce(m);
    case 'b': /* BUILD: the state dict's _metadata attribute; dropped */
        rc = pop(m, &id);
        if (rc == AS_OK && !top(m, V_DICT))
            return bad(m, "BUILD on something that is not an OrderedDict");
        return rc;
    default: {
        char what[80];
        snprintf(what, sizeof what, "unexpected pickle opcode 0x%02x%s%c%s (not used by state "
                                    "dicts)", op, op >= 0x20 && op < 0x7f ? " '" : "",
                 op >= 0x20 && op < 0x7f ? op : ' ', op >= 0x20 && op < 0x7f ? "'" : "");
        return bad(m, what);
    }
    }
}

/* The final dict -> named tensors, in pickle order. */
static int collect(vm *m, as_pickle_tensor **out, size_t *count)
{
    if (m->sp != 1 || m->nodes[m->stack[0]].kind != V_DICT)
        return as_fail(AS_EFORMAT, "%s: data.pkl: the pickle is not a single dict of tensors",
                       m->path);
    const node *d = &m->nodes[m->stack[0]];
    as_pickle_tensor *res = as_xcalloc(d->n / 2 + 1, sizeof *res);
    size_t k = 0;
    int rc = AS_OK;
    for (uint32_t i = 0; i + 1 < d->n && rc == AS_OK; i += 2) {
        const node *key = &m->nodes[d->kids[i]], *val = &m->nodes[d->kids[i + 1]];
        if (key->kind != V_STR || memchr(key->s, '\0', key->len))
            rc = as_fail(AS_EFORMAT, "%s: data.pkl: state dict key %u is not a string",
                         m->path, i / 2);
        else if (val->kind != V_TENSOR)
            rc = as_fail(AS_EFORMAT, "%s: data.pkl: state dict entry '%.*s' is not a tensor",
                         m->path, (int)(key->len > 200 ? 200 : key->len), (const char *)key->s);
        if (rc)
            break;
        res[k] = m->tensors[val->i];
        res[k].name = as_xmalloc(key->len + 1);
        memcpy(res[k].name, key->s, key->len);
        res[k].name[key->len] = '\0';
        res[k].storage_key = as_xstrdup(m->tensors[val->i].storage_key);
        k++;
    }
    if (rc) {
        as_pickle_free(res, k);
        return rc;
    }
    *out = res;
    *count = k;
    return AS_OK;
}

int as_pickle_state_dict(const uint8_t *data, size_t size, const char *path,
                         as_pickle_tensor **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (size > AS_CKPT_MAX_PICKLE)
        return as_fail(AS_EFORMAT, "%s: data.pkl is %zu bytes, more than the limit of %u", path,
                       size, AS_CKPT_MAX_PICKLE);
    vm m = {.p = data, .size = size, .path = path};
    int rc = AS_OK, done = 0;
    while (rc == AS_OK && !done)
        rc = step(&m, &done);
    if (rc == AS_OK && m.pos != size)
        rc = as_fail(AS_EFORMAT, "%s: data.pkl: %zu bytes after STOP", path, size - m.pos);
    if (rc == AS_OK)
        rc = collect(&m, out, n);
    for (uint32_t i = 0; i < m.n_nodes; i++)
        free(m.nodes[i].kids);
    free(m.nodes);
    free(m.stack);
    free(m.memo);
    for (size_t i = 0; i < m.n_tensors; i++)
        free(m.tensors[i].storage_key);
    free(m.tensors);
    return rc;
}

void as_pickle_free(as_pickle_tensor *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++) {
        free(t[i].name);
        free(t[i].storage_key);
    }
    free(t);
}
