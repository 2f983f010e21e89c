/* Helpers shared by the model tests: the backend a DEVICE argument names, and golden input ids. */
#ifndef ATTNSCOPE_MODEL_TEST_H
#define ATTNSCOPE_MODEL_TEST_H

#include "attnscope/kern.h"
#include "attnscope/st.h"

#include "../test.h"

/* The backend for DEVICE ("cpu", or a Vulkan device spec). Without a Vulkan device the test is
 * skipped here: exit 77 with the reason. */
static inline as_kern *as_test_kern(const char *device)
{
    as_kern *k = NULL;
    int rc = as_kern_create(&k, device);
    if (rc == AS_ENODEV) {
        printf("SKIP: no Vulkan device: %s\n", as_last_error());
        exit(AS_TEST_SKIP);
    }
    AS_TEST_EQ(rc, AS_OK);
    return k;
}

/* Golden tensor "case<i>.input_ids" of g as int32 ids (*n of them; caller frees), or NULL when g
 * has no case i. */
static inline int32_t *as_test_case_ids(const as_st_file *g, int i, int *n)
{
    char *name = as_xasprintf("case%d.input_ids", i);
    const as_st_tensor *t = as_st_find(g, name);
    free(name);
    if (!t)
        return NULL;
    int64_t *ids64 = as_xmalloc(sizeof(int64_t) * t->numel);
    int32_t *ids = as_xmalloc(sizeof(int32_t) * t->numel);
    AS_TEST_EQ(as_st_to_i64(g, t, ids64), AS_OK);
    for (size_t j = 0; j < t->numel; j++)
        ids[j] = (int32_t)ids64[j];
    free(ids64);
    *n = (int)t->numel;
    return ids;
}

#endif
