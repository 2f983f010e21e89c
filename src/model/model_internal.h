/* Private to src/model: the model object, the family table, and weight-upload helpers. */
#ifndef ATTNSCOPE_MODEL_INTERNAL_H
#define ATTNSCOPE_MODEL_INTERNAL_H

#include "attnscope/model.h"
#include "attnscope/st.h"

/* One model family (cf. nvtop's struct gpu_vendor): chosen by config.json model_type. */
typedef struct as_arch {
    const char *name;
    /* Uploads the weights from m->st onto m->k into m->family. */
    int (*load)(as_model *m);
    void (*unload)(as_model *m);
    /* Runs opts on the loaded model and fills out (already initialised, axes unset). */
    int (*run)(as_model *m, const as_run_opts *opts, as_attn *out);
} as_arch;

struct as_model {
    char *dir;
    char *st_path;
    as_cfg cfg;
    as_kern *k;    /* borrowed */
    as_tok *tok;   /* owned */
    as_st_file *st; /* owned; closed after upload (weights live on the backend) */
    const as_arch *arch;
    void *family; /* the family's weights and state */
    as_model_info info;
};

extern const as_arch as_arch_marian;

/* A Linear layer (PyTorch layout: weight [out, in], bias [out]) and a LayerNorm on the backend. */
typedef struct as_lin {
    as_buf *w, *b;
} as_lin;
typedef struct as_norm {
    as_buf *g, *b;
} as_norm;

/* Uploads tensor `name` from m->st, checking its shape; errors name the file and tensor. */
int as_model_upload(as_model *m, const char *name, int ndim, const int64_t *shape, as_buf **out);
/* Uploads host floats. */
int as_model_upload_host(as_model *m, const float *data, size_t n, as_buf **out);
/* "<prefix>.weight" [out, in] and "<prefix>.bias" [out]. */
int as_model_upload_lin(as_model *m, const char *prefix, int out_dim, int in_dim, as_lin *l);
/* Several Linear layers with the same input fused along the output axis (q, k, v -> one
 * [sum(out), in] matmul: fewer dispatches, and the fused output doubles as the KV cache). */
int as_model_upload_lin_fused(as_model *m, const char *const *prefixes, int n, int out_dim,
                              int in_dim, as_lin *l);
int as_model_upload_norm(as_model *m, const char *prefix, int dim, as_norm *l);
void as_model_free_lin(as_model *m, as_lin *l);
void as_model_free_norm(as_model *m, as_norm *l);
/* Fills a store axis from token ids: pieces from the tokenizer, readable labels. */
void as_model_set_axis(const as_model *m, as_attn *a, as_attn_axis axis, const int32_t *ids, int n);
/* Backend buffer of n floats (AS_ENOMEM with a message naming what). */
int as_model_buf(as_model *m, size_t n_floats, const char *what, as_buf **out);

#endif
