/* Zip central directory reader for torch.save archives: stored entries only, every offset
 * checked against the file before it is used, each local header checked against its central
 * directory record (a zip can otherwise show different files to different readers).
 *
 * Layout read: [local header + name + extra + data]... central directory... [zip64 end record,
 * zip64 locator] end record (+ comment). torch writes the zip64 records even for small files. */
#include "ckpt_internal.h"

#include <stdlib.h>
#include <string.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define END_SIZE 22
#define LOC64_SIZE 20
#define END64_SIZE 56
#define CENTRAL_SIZE 46
#define LOCAL_SIZE 30

static uint64_t rd(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const as_zip_entry *)a)->name, ((const as_zip_entry *)b)->name);
}

/* 1 if [off, off+len) lies inside [0, size). */
static int in_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

typedef struct dir_info {
    uint64_t count, offset, size;
} dir_info;

/* Finds the end record (it is followed by a comment of at most 64 KiB) and, if present, the
 * zip64 one, which then supplies the directory's count, offset and size. */
static int find_directory(const uint8_t *d, size_t size, const char *path, dir_info *di)
{
    if (size < END_SIZE)
        return as_fail(AS_EFORMAT, "%s: %zu bytes, too short for a zip archive", path, size);
    size_t lowest = size - END_SIZE > 65535 ? size - END_SIZE - 65535 : 0;
    size_t e = size - END_SIZE + 1;
    do {
        e--;
    } while (e > lowest && !(rd(d + e, 4) == SIG_END && e + END_SIZE + rd(d + e + 20, 2) == size));
    if (rd(d + e, 4) != SIG_END || e + END_SIZE + rd(d + e + 20, 2) != size)
        return as_fail(AS_EFORMAT, "%s: no zip end-of-central-directory record (truncated or "
                                   "not a zip archive)", path);
    if (rd(d + e + 4, 2) != 0 || rd(d + e + 6, 2) != 0)
        return as_fail(AS_EFORMAT, "%s: multi-disk zip archives are not supported", path);
    di->count = rd(d + e + 10, 2);
    di->size = rd(d + e + 12, 4);
    di->offset = rd(d + e + 16, 4);
    if (e >= LOC64_SIZE && rd(d + e - LOC64_SIZE, 4) == SIG_LOC64) {
        const uint8_t *loc = d + e - LOC64_SIZE;
        uint64_t off = rd(loc + 8, 8);
        if (!in_file(off, END64_SIZE, e - LOC64_SIZE) || rd(d + off, 4) != SIG_END64)
            return as_fail(AS_EFORMAT, "%s: zip64 locator points to offset %llu, where there is "
                                       "no zip64 end record", path, (unsigned long long)off);
        if (rd(d + off + 16, 4) != 0 || rd(d + off + 20, 4) != 0)
            return as_fail(AS_EFORMAT, "%s: multi-disk zip archives are not supported", path);
        di->count = rd(d + off + 32, 8);
        di->size = rd(d + off + 40, 8);
        di->offset = rd(d + off + 48, 8);
    }
    if (!in_file(di->offset, di->size, e))
        return as_fail(AS_EFORMAT, "%s: zip central directory [%llu, +%llu) lies outside the "
                                   "file", path, (unsigned long long)di->offset,
                       (unsigned long long)di->size);
    /* each record is at least CENTRAL_SIZE bytes: bounds the count before allocating */
    if (di->count > di->size / CENTRAL_SIZE)
        return as_fail(AS_EFORMAT, "%s: zip directory claims %llu entries in %llu bytes", path,
                       (unsigned long long)di->count, (unsigned long long)di->size);
    return AS_OK;
}

/* Replaces 0xFFFFFFFF sizes / offset by the zip64 extra field's values (in that order). */
static int zip64_extra(const uint8_t *x, size_t xlen, uint64_t *usize, uint64_t *csize,
                       uint64_t *off)
{
    uint64_t *want[3] = {*usize == 0xFFFFFFFFu ? usize : NULL, *csize == 0xFFFFFFFFu ? csize : NULL,
                         *off == 0xFFFFFFFFu ? off : NULL};
    if (!want[0] && !want[1] && !want[2])
        return 0;
    for (size_t i = 0; i + 4 <= xlen;) {
        size_t id = (size_t)rd(x + i, 2), len = (size_t)rd(x + i + 2, 2);
        if (i + 4 + len > xlen)
            return -1;
        if (id == 1) {
            size_t at = i + 4;
            for (int k = 0; k < 3; k++) {
                if (!want[k])
                    continue;
                if (at + 8 > i + 4 + len)
                    return -1;
                *want[k] = rd(x + at, 8);
                at += 8;
            }
            return 0;
        }
        i += 4 + len;
    }
    return -1;
}

/* One central record at d[*pos]: checks it and its local header, fills en, advances *pos. */
static int read_entry(const uint8_t *d, const dir_info *di, uint64_t *pos,
                      const char *path, as_zip_entry *en)
{
    uint64_t end = di->offset + di->size;
    const uint8_t *c = d + *pos;
    if (*pos + CENTRAL_SIZE > end || rd(c, 4) != SIG_CENTRAL)
        return as_fail(AS_EFORMAT, "%s: bad zip central directory record at offset %llu", path,
                       (unsigned long long)*pos);
    size_t nlen = (size_t)rd(c + 28, 2), xlen = (size_t)rd(c + 30, 2), clen = (size_t)rd(c + 32, 2);
    if (*pos + CENTRAL_SIZE + nlen + xlen + clen > end)
        return as_fail(AS_EFORMAT, "%s: zip central directory record at offset %llu runs past "
                                   "the directory", path, (unsigned long long)*pos);
    const char *name = (const char *)c + CENTRAL_SIZE;
    if (memchr(name, '\0', nlen))
        return as_fail(AS_EFORMAT, "%s: zip entry name with a NUL byte", path);
    en->name = as_xmalloc(nlen + 1);
    memcpy(en->name, name, nlen);
    en->name[nlen] = '\0';
    unsigned flags = (unsigned)rd(c + 8, 2), method = (unsigned)rd(c + 10, 2);
    uint64_t csize = rd(c + 20, 4), usize = rd(c + 24, 4), off = rd(c + 42, 4);
    if (zip64_extra(c + CENTRAL_SIZE + nlen, xlen, &usize, &csize, &off))
        return as_fail(AS_EFORMAT, "%s: zip entry '%s': bad zip64 extra field", path, en->name);
    if (flags & 1)
        return as_fail(AS_EFORMAT, "%s: zip entry '%s' is encrypted", path, en->name);
    if (method != 0)
        return as_fail(AS_EFORMAT, "%s: zip entry '%s' is compressed (method %u); torch.save "
                                   "writes stored entries, re-save the checkpoint with torch.save",
                       path, en->name, method);
    if (csize != usize)
        return as_fail(AS_EFORMAT, "%s: zip entry '%s' is stored but its sizes differ (%llu vs "
                                   "%llu)", path, en->name, (unsigned long long)csize,
                       (unsigned long long)usize);

    /* the local header must agree with the central record */
    if (!in_file(off, LOCAL_SIZE, di->offset) || rd(d + off, 4) != SIG_LOCAL)
        return as_fail(AS_EFORMAT, "%s: zip entry '%s': no local header at offset %llu", path,
                       en->name, (unsigned long long)off);
    const uint8_t *l = d + off;
    size_t lnlen = (size_t)rd(l + 26, 2), lxlen = (size_t)rd(l + 28, 2);
    uint64_t lcsize = rd(l + 18, 4), lusize = rd(l + 22, 4);
    if (rd(l + 8, 2) != method || lnlen != nlen || !in_file(off, LOCAL_SIZE + nlen, di->offset) ||
        memcmp(l + LOCAL_SIZE, name, nlen) != 0)
        return as_fail(AS_EFORMAT, "%s: zip entry '%s': local header does not match the central "
                                   "directory", path, en->name);
    /* sizes may be deferred to a data descriptor (flag 3) or moved to zip64 fields */
    if (!((unsigned)rd(l + 6, 2) & 8) &&
        ((lcsize != 0xFFFFFFFFu && lcsize != csize) || (lusize != 0xFFFFFFFFu && lusize != usize)))
        return as_fail(AS_EFORMAT, "%s: zip entry '%s': local header sizes differ from the "
                                   "central directory", path, en->name);
    uint64_t data = off + LOCAL_SIZE + lnlen + lxlen;
    if (!in_file(data, csize, di->offset))
        return as_fail(AS_EFORMAT, "%s: zip entry '%s': data [%llu, +%llu) runs past the entries "
                                   "area", path, en->name, (unsigned long long)data,
                       (unsigned long long)csize);
    en->data = d + data;
    en->size = (size_t)csize;
    *pos += CENTRAL_SIZE + nlen + xlen + clen;
    return AS_OK;
}

int as_zip_read(as_zip *z, const uint8_t *data, size_t size, const char *path)
{
    memset(z, 0, sizeof *z);
    dir_info di = {0};
    int rc = find_directory(data, size, path, &di);
    if (rc)
        return rc;
    char what[300];
    snprintf(what, sizeof what, "%s: zip directory", path);
    z->entries = as_try_calloc(di.count ? di.count : 1, sizeof *z->entries, what);
    if (!z->entries)
        return AS_ENOMEM;
    uint64_t pos = di.offset;
    for (uint64_t i = 0; i < di.count; i++) {
        rc = read_entry(data, &di, &pos, path, &z->entries[z->count]);
        z->count++; /* the name is owned even when the record failed */
        if (rc) {
            as_zip_free(z);
            return rc;
        }
    }
    /* sorted for lookups; two entries with one name would let readers disagree */
    qsort(z->entries, z->count, sizeof *z->entries, cmp_entry);
    for (size_t i = 1; i < z->count; i++)
        if (strcmp(z->entries[i - 1].name, z->entries[i].name) == 0) {
            rc = as_fail(AS_EFORMAT, "%s: zip entry '%s' appears twice", path, z->entries[i].name);
            as_zip_free(z);
            return rc;
        }
    return AS_OK;
}

void as_zip_free(as_zip *z)
{
    for (size_t i = 0; i < z->count; i++)
        free(z->entries[i].name);
    free(z->entries);
    memset(z, 0, sizeof *z);
}

const as_zip_entry *as_zip_find(const as_zip *z, const char *name)
{
    as_zip_entry key = {.name = (char *)name};
    return bsearch(&key, z->entries, z->count, sizeof *z->entries, cmp_entry);
}
