/* Read-only file mapping and small-file helpers. */
#include "attnscope/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path read-only into *fd and *st, refusing anything but a regular file. A model folder is
 * untrusted: O_NONBLOCK keeps a planted FIFO from blocking even in open (it is then refused as
 * not a regular file; regular files ignore the flag), and refusing devices keeps a link to
 * /dev/zero from growing a read until memory runs out. */
static int open_regular(const char *path, int *fd, struct stat *st)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (*fd < 0)
        return as_fail(AS_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(*fd);
        return as_fail(AS_EIO, "%s: not a regular file", path);
    }
    return AS_OK;
}

int as_map_open(as_map *m, const char *path)
{
    memset(m, 0, sizeof *m);
    int fd;
    struct stat st;
    int rc = open_regular(path, &fd, &st);
    if (rc)
        return rc;
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            return as_fail(AS_EIO, "%s: cannot map: %s", path, strerror(e));
        }
        m->data = p;
    }
    close(fd);
    m->size = (size_t)st.st_size;
    m->path = as_xstrdup(path);
    return AS_OK;
}

void as_map_close(as_map *m)
{
    if (m->data)
        munmap((void *)m->data, m->size);
    free(m->path);
    memset(m, 0, sizeof *m);
}

int as_read_file(const char *path, char **out, size_t *len)
{
    *out = NULL;
    int fd;
    struct stat st;
    int rc = open_regular(path, &fd, &st);
    if (rc)
        return rc;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return as_fail(AS_EIO, "%s: cannot open: %s", path, strerror(errno));
    }
    size_t cap = 4096, n = 0;
    char *buf = as_xmalloc(cap);
    for (;;) {
        if (n >= AS_MAX_READ_FILE) {
            free(buf);
            fclose(f);
            return as_fail(AS_EFORMAT, "%s: larger than %u MiB, too large for this kind of file",
                           path, AS_MAX_READ_FILE >> 20);
        }
        if (n + 1 >= cap)
            buf = as_xrealloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return as_fail(AS_EIO, "%s: read error", path);
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return AS_OK;
}

char *as_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    return as_xasprintf("%s%s%s", dir, (n && dir[n - 1] == '/') ? "" : "/", name);
}

int as_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
