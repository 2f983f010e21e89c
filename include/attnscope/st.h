/* st: safetensors reader (mmap, fully validated header) and writer.
 * Layer 1: uses core and cJSON. */
#ifndef ATTNSCOPE_ST_H
#define ATTNSCOPE_ST_H

#include "attnscope/core.h"

#include <stdint.h>
#include <stdio.h>

#define AS_ST_MAX_DIMS 8
/* Caps checked before any allocation (hostile files); documented in README "Limits". */
#define AS_ST_MAX_HEADER (100u * 1024 * 1024)
#define AS_ST_MAX_TENSORS 1000000

typedef enum {
    AS_DT_F32,
    AS_DT_F16,
    AS_DT_BF16,
    AS_DT_F64,
    AS_DT_I64,
    AS_DT_I32,
    AS_DT_I16,
    AS_DT_I8,
    AS_DT_U8,
    AS_DT_BOOL,
} as_dtype;

typedef struct as_st_tensor {
    const char *name; /* valid while the file is open */
    as_dtype dtype;
    int ndim;
    int64_t shape[AS_ST_MAX_DIMS];
    size_t numel;
    const uint8_t *data; /* into the mapping; unaligned access must use memcpy */
    size_t nbytes;
} as_st_tensor;

typedef struct as_st_file as_st_file;

/* Opens and validates path: header length within the file and the cap, JSON object, every entry
 * with a known dtype, shape, data_offsets whose span equals numel*dtype size, spans inside the
 * data area and not overlapping. Errors name path and the tensor. */
int as_st_open(as_st_file **out, const char *path);
void as_st_close(as_st_file *f);
const char *as_st_path(const as_st_file *f);
size_t as_st_count(const as_st_file *f);
const as_st_tensor *as_st_at(const as_st_file *f, size_t i);
/* NULL if absent (no error recorded). */
const as_st_tensor *as_st_find(const as_st_file *f, const char *name);
/* __metadata__ value for key, or NULL. Valid while the file is open. */
const char *as_st_metadata(const as_st_file *f, const char *key);

size_t as_dtype_size(as_dtype dt);
const char *as_dtype_name(as_dtype dt);

/* Converts a float tensor (F32, F16, BF16, F64) to f32 into dst (t->numel floats). */
int as_st_to_f32(const as_st_file *f, const as_st_tensor *t, float *dst);
/* Converts an integer tensor (I64, I32, ...) to int64 into dst. */
int as_st_to_i64(const as_st_file *f, const as_st_tensor *t, int64_t *dst);
/* Finds name, checks its shape equals shape[0..ndim) (AS_EFORMAT naming both shapes if not,
 * AS_EFORMAT "missing tensor" if absent) and converts it to a new f32 array the caller frees. */
int as_st_load_f32(const as_st_file *f, const char *name, int ndim, const int64_t *shape,
                   float **out);

/* ---- writer: collects tensors, then writes header + data in one go ---- */
typedef struct as_st_writer as_st_writer;
as_st_writer *as_st_writer_create(void);
void as_st_writer_destroy(as_st_writer *w);
/* Copies data. ndim <= AS_ST_MAX_DIMS. */
void as_st_writer_add_f32(as_st_writer *w, const char *name, int ndim, const int64_t *shape,
                          const float *data);
void as_st_writer_add_i64(as_st_writer *w, const char *name, int ndim, const int64_t *shape,
                          const int64_t *data);
/* String metadata (values are JSON strings in the header). */
void as_st_writer_meta(as_st_writer *w, const char *key, const char *value);
/* Writes to an open stream (path only for messages). */
int as_st_writer_write(as_st_writer *w, FILE *out, const char *path);

#endif
