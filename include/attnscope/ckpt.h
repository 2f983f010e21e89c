/* ckpt: the weights of a model folder, whatever file layout holds them: model.safetensors,
 * model.safetensors.index.json + shards, or pytorch_model.bin (torch.save zip + pickle, read by
 * a strict, bounded unpickler that never imports or runs anything named in the pickle).
 * Layer 1: uses core, st and cJSON. */
#ifndef ATTNSCOPE_CKPT_H
#define ATTNSCOPE_CKPT_H

#include "attnscope/st.h"

/* Caps checked before allocating (hostile files); documented in README "Checkpoints". */
#define AS_CKPT_MAX_PICKLE (64u * 1024 * 1024) /* data.pkl bytes */
#define AS_CKPT_MAX_MEMO (1u << 20)            /* pickle memo slots */
#define AS_CKPT_MAX_DEPTH 64                   /* open MARKs at once */
#define AS_CKPT_MAX_STACK (1u << 20)           /* pickle stack entries */
#define AS_CKPT_MAX_NODES (1u << 22)           /* pickle values in total */
#define AS_CKPT_MAX_INDEX (64u * 1024 * 1024)  /* model.safetensors.index.json bytes */

typedef struct as_ckpt as_ckpt;

/* Opens the weights of model folder dir: model.safetensors if present, else
 * model.safetensors.index.json and its shards, else pytorch_model.bin. Everything is validated
 * before *out is set (NULL on error); errors name the file: AS_EIO "dir: no weights found
 * (...)", unreadable files; AS_EFORMAT malformed files, a shard path leaving dir ('..',
 * absolute, symlink out), a missing shard, a tensor in two shards, a compressed zip entry, a
 * pickle opcode or import a state dict does not use, a non-contiguous tensor. */
int as_ckpt_open(as_ckpt **out, const char *dir);
void as_ckpt_close(as_ckpt *ck);
/* Number of tensors and the i-th (file order, shards in name order). Tensor views point into
 * mappings owned by ck: valid while ck is open. */
size_t as_ckpt_count(const as_ckpt *ck);
const as_st_tensor *as_ckpt_at(const as_ckpt *ck, size_t i);
/* NULL if absent (no error recorded). */
const as_st_tensor *as_ckpt_find(const as_ckpt *ck, const char *name);
/* Path of the file holding t (a tensor of ck), for messages. */
const char *as_ckpt_file_of(const as_ckpt *ck, const as_st_tensor *t);
/* Finds name, checks its shape (AS_EFORMAT "<file>: tensor 'x' has shape [..] but config.json
 * implies [..]" naming the file holding it, "<file>: missing tensor 'x'" naming the weights file
 * or the shard index), converts F32/F16/BF16/F64 to a new f32 array the caller frees. */
int as_ckpt_load_f32(const as_ckpt *ck, const char *name, int ndim, const int64_t *shape,
                     float **out);
/* "model.safetensors", "3 safetensors shards" or "pytorch_model.bin (pickle)". */
const char *as_ckpt_describe(const as_ckpt *ck);

#endif
