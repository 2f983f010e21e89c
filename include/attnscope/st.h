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

/* Opens and validates path: header length within the file and the cap, JSON object (no control
 * bytes, only spaces after it), every entry with a known dtype, shape, data_offsets whose span
 * equals numel*dtype size, spans inside the data area and not overlapping, names unique,
 * __metadata__ values strings. AS_EFORMAT naming path and the tensor, AS_EIO if the file cannot
 * be opened or mapped; *out is NULL on error. Gaps between spans are allowed. */
int as_st_open(as_st_file **out, const char *path);
void as_st_close(as_st_file *f);
const char *as_st_path(const as_st_file *f);
size_t as_st_count(const as_st_file *f);
const as_st_tensor *as_st_at(const as_st_file *f, size_t i);
/* NULL if absent (no error recorded). */
const as_st_tensor *as_st_find(const as_st_file *f, const char *name);
/* __metadata__ value for key, or NULL. Valid while the file is open. */
const char *as_st_metadata(const as_st_file *f, const char *key);

/* Bytes per element and the safetensors spelling ("F32", "BF16", ...) of a dtype. */
size_t as_dtype_size(as_dtype dt);
const char *as_dtype_name(as_dtype dt);
/* Parses a safetensors dtype string; AS_EUNSUPPORTED (no message recorded) if unknown. */
int as_dtype_parse(const char *name, as_dtype *out);

/* Converts a float tensor (F32, F16, BF16, F64) to f32 into dst (t->numel floats); AS_EFORMAT
 * naming the file, tensor and dtype for any other dtype. */
int as_st_to_f32(const as_st_file *f, const as_st_tensor *t, float *dst);
/* Converts an integer tensor (I64, I32, I16, I8, U8, BOOL) to int64 into dst (t->numel values);
 * AS_EFORMAT for float dtypes. */
int as_st_to_i64(const as_st_file *f, const as_st_tensor *t, int64_t *dst);
/* Finds name, checks its shape equals shape[0..ndim) (AS_EFORMAT naming both shapes if not,
 * AS_EFORMAT "missing tensor" if absent) and converts it to a new f32 array the caller frees. */
int as_st_load_f32(const as_st_file *f, const char *name, int ndim, const int64_t *shape,
                   float **out);

/* ---- writer: collects tensors, then writes header + data in one go ----
 * Header keys keep insertion order (__metadata__ first) and the header is padded with spaces to
 * a multiple of 8 bytes, as Hugging Face's writer does, so the data area is 8-byte aligned. */
typedef struct as_st_writer as_st_writer;
as_st_writer *as_st_writer_create(void);
void as_st_writer_destroy(as_st_writer *w);
/* Copies name, shape and data (numel floats / int64s). AS_EINVAL for ndim outside
 * [0, AS_ST_MAX_DIMS], a negative dimension, a duplicate or reserved ("__metadata__") name;
 * AS_ENOMEM if the copy cannot be allocated. The writer is unchanged on error. */
int as_st_writer_add_f32(as_st_writer *w, const char *name, int ndim, const int64_t *shape,
                         const float *data);
int as_st_writer_add_i64(as_st_writer *w, const char *name, int ndim, const int64_t *shape,
                         const int64_t *data);
/* String metadata (values are JSON strings in the header); a repeated key replaces the value. */
void as_st_writer_meta(as_st_writer *w, const char *key, const char *value);
/* Writes to an open stream, which stays open (path only for messages); AS_EIO on write errors. */
int as_st_writer_write(as_st_writer *w, FILE *out, const char *path);

#endif
