/* Private to the ckpt_*, zip_* and pickle_* files: the checkpoint object, the zip directory
 * reader and the state-dict unpickler. */
#ifndef ATTNSCOPE_CKPT_INTERNAL_H
#define ATTNSCOPE_CKPT_INTERNAL_H

#include "attnscope/ckpt.h"

/* ---- checkpoint object (ckpt_open.c) ----------------------------------------------------- */
typedef struct as_ckpt_name {
    const char *name;
    size_t i; /* index into list */
} as_ckpt_name;

struct as_ckpt {
    char *desc;
    char *main_path;             /* weights file or shard index: "missing tensor" names it */
    as_st_file **shards;         /* (n_shards) safetensors files, or NULL for a .bin */
    size_t n_shards;
    as_map bin;                  /* pytorch_model.bin mapping (data NULL otherwise) */
    as_st_tensor *own;           /* (n_own) tensors of the .bin; names owned */
    size_t n_own;
    const as_st_tensor **list;   /* (count) every tensor */
    const char **file;           /* (count) path of the file holding list[i] */
    size_t count;
    as_ckpt_name *by_name;       /* (count) sorted by name, then index */
};

/* Appends t (held by file) to ck's list; call as_ckpt_index_names once all are in. */
void as_ckpt_add(as_ckpt *ck, const as_st_tensor *t, const char *file);
/* Sorts names; AS_EFORMAT naming both files if a name appears twice. */
int as_ckpt_index_names(as_ckpt *ck);
/* Fill ck from the shard index / the .bin (ckpt_shard.c, ckpt_bin.c). */
int as_ckpt_open_shards(as_ckpt *ck, const char *dir, const char *index_path);
int as_ckpt_open_bin(as_ckpt *ck, const char *path);

/* ---- zip directory (zip_read.c) ---------------------------------------------------------- */
typedef struct as_zip_entry {
    char *name;          /* owned, NUL-terminated */
    const uint8_t *data; /* into the mapping */
    size_t size;
} as_zip_entry;

typedef struct as_zip {
    as_zip_entry *entries;
    size_t count;
} as_zip;

/* Reads the central directory of the zip in data[0..size) (zip64 records included), checks
 * every local header against it and every offset against the file; only stored (uncompressed),
 * unencrypted entries are accepted, as torch.save writes them. AS_EFORMAT naming path. */
int as_zip_read(as_zip *z, const uint8_t *data, size_t size, const char *path);
void as_zip_free(as_zip *z);
/* NULL if absent. */
const as_zip_entry *as_zip_find(const as_zip *z, const char *name);

/* ---- state-dict unpickler (pickle_read.c) ------------------------------------------------ */
typedef struct as_pickle_tensor {
    char *name;        /* owned */
    char *storage_key; /* owned: the zip entry is "<archive>/data/<storage_key>" */
    as_dtype dtype;
    uint64_t storage_numel; /* elements of the storage, from the persistent id */
    int64_t offset;         /* storage offset in elements */
    int ndim;
    int64_t shape[AS_ST_MAX_DIMS];
    int64_t stride[AS_ST_MAX_DIMS];
} as_pickle_tensor;

/* Runs the pickle data[0..size) on a machine that knows only the opcodes torch.save writes for a
 * state dict and only the globals collections.OrderedDict, torch._utils._rebuild_tensor_v2 and
 * torch.{Float,Half,BFloat16,Long}Storage (names are compared, never imported); the result must
 * be a dict of name -> tensor. Caps AS_CKPT_MAX_* are checked before allocating. AS_EFORMAT
 * "<path>: <what>" on anything else; *out (n tensors) is freed with as_pickle_free. */
int as_pickle_state_dict(const uint8_t *data, size_t size, const char *path,
                         as_pickle_tensor **out, size_t *n);
void as_pickle_free(as_pickle_tensor *t, size_t n);

#endif
