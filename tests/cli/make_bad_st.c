/* Writes a corrupted copy of a valid safetensors file, for the bad-input tests:
 *   make_bad_st MODE IN OUT
 * MODE: truncate          the file cut in the middle of the data area
 *       header-len        the 8-byte header length larger than the file
 *       offsets-outside   the first tensor's data_offsets end past the data area
 *       unknown-dtype     the first tensor's dtype "Q4"
 *       drop=NAME         a valid file without tensor NAME
 *       transpose=NAME    a valid file where 2-D tensor NAME has its shape swapped */
#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    if (fread(b, 1, *n, f) != *n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: make_bad_st MODE IN OUT\n");
        return 2;
    }
    const char *mode = argv[1];
    size_t n;
    unsigned char *buf = slurp(argv[2], &n);
    if (!buf || n < 8)
        return 2;
    uint64_t hl = get_u64(buf);
    FILE *f;
    if (strcmp(mode, "truncate") == 0 || strcmp(mode, "header-len") == 0) {
        if (mode[0] == 'h')
            put_u64(buf, (uint64_t)n + 100);
        f = fopen(argv[3], "wb");
        size_t keep = mode[0] == 't' ? 8 + hl + (n - 8 - hl) / 2 : n;
        int bad = !f || fwrite(buf, 1, keep, f) != keep || fclose(f) != 0;
        free(buf);
        return bad;
    }
    cJSON *hdr = cJSON_ParseWithLength((const char *)buf + 8, hl);
    const unsigned char *data = buf + 8 + hl;
    /* keep every tensor's original span, then lay them out again in order */
    size_t pos = 0;
    cJSON *t, *first = NULL, *drop = NULL;
    const char *arg = strchr(mode, '=') ? strchr(mode, '=') + 1 : "";
    cJSON_ArrayForEach(t, hdr)
    {
        cJSON *off = cJSON_GetObjectItem(t, "data_offsets");
        if (!off)
            continue;
        if (strncmp(mode, "drop=", 5) == 0 && strcmp(t->string, arg) == 0) {
            drop = t;
            continue;
        }
        if (!first)
            first = t;
        cJSON_AddItemToObject(t, "orig", cJSON_Duplicate(off, 1));
        size_t len = (size_t)(cJSON_GetArrayItem(off, 1)->valuedouble -
                              cJSON_GetArrayItem(off, 0)->valuedouble);
        cJSON_ReplaceItemInObject(t, "data_offsets",
                                  cJSON_CreateIntArray((int[]){(int)pos, (int)(pos + len)}, 2));
        pos += len;
        if (strncmp(mode, "transpose=", 10) == 0 && strcmp(t->string, arg) == 0) {
            cJSON *shape = cJSON_GetObjectItem(t, "shape");
            int a = cJSON_GetArrayItem(shape, 0)->valueint, b = cJSON_GetArrayItem(shape, 1)->valueint;
            cJSON_ReplaceItemInObject(t, "shape", cJSON_CreateIntArray((int[]){b, a}, 2));
        }
    }
    if (drop)
        cJSON_Delete(cJSON_DetachItemViaPointer(hdr, drop));
    if (strcmp(mode, "offsets-outside") == 0)
        cJSON_ReplaceItemInObject(first, "data_offsets",
                                  cJSON_CreateIntArray((int[]){(int)pos, (int)pos + 64}, 2));
    if (strcmp(mode, "unknown-dtype") == 0)
        cJSON_ReplaceItemInObject(first, "dtype", cJSON_CreateString("Q4"));
    /* "orig" is ours, not part of the format: strip it from the header we write */
    char *text;
    {
        cJSON *copy = cJSON_Duplicate(hdr, 1);
        cJSON_ArrayForEach(t, copy) cJSON_DeleteItemFromObject(t, "orig");
        text = cJSON_PrintUnformatted(copy);
        cJSON_Delete(copy);
    }
    int bad = 0;
    f = fopen(argv[3], "wb");
    unsigned char len[8];
    put_u64(len, strlen(text));
    bad |= !f;
    if (f) {
        fwrite(len, 1, 8, f);
        fwrite(text, 1, strlen(text), f);
        cJSON_ArrayForEach(t, hdr)
        {
            cJSON *orig = cJSON_GetObjectItem(t, "orig");
            if (!orig)
                continue;
            size_t b = (size_t)cJSON_GetArrayItem(orig, 0)->valuedouble;
            size_t e = (size_t)cJSON_GetArrayItem(orig, 1)->valuedouble;
            fwrite(data + b, 1, e - b, f);
        }
        bad |= fclose(f) != 0;
    }
    free(text);
    cJSON_Delete(hdr);
    free(buf);
    return bad;
}
