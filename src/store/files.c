/**
 * @file files.c
 * @brief Content-addressed file store on the local file system.
 */
#include "store/files.h"
#include "core/fs.h"
#include "core/mem.h"
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct blob_store {
    char *dir;
};

struct blob_writer {
    struct blob_store *bs;
    int fd;
    char *tmp;
    int64_t size, max;
    EVP_MD_CTX *md;
};

int blob_store_open(const char *dir, struct blob_store **out)
{
    char *tmp = xasprintf("%s/tmp", dir);
    int rc = fs_mkdir_p(tmp);
    free(tmp);
    if (rc < 0)
        return -1;
    struct blob_store *bs = xcalloc(1, sizeof *bs);
    bs->dir = xstrdup(dir);
    *out = bs;
    return 0;
}

void blob_store_close(struct blob_store *bs)
{
    if (!bs)
        return;
    free(bs->dir);
    free(bs);
}

int blob_writer_new(struct blob_store *bs, int64_t max_size, struct blob_writer **out)
{
    struct blob_writer *w = xcalloc(1, sizeof *w);
    w->bs = bs;
    w->max = max_size;
    w->tmp = xasprintf("%s/tmp/up-XXXXXX", bs->dir);
    w->fd = mkstemp(w->tmp);
    if (w->fd < 0) {
        free(w->tmp);
        free(w);
        return -1;
    }
    w->md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(w->md, EVP_sha256(), NULL);
    *out = w;
    return 0;
}

int blob_writer_write(struct blob_writer *w, const void *p, size_t n)
{
    if (w->size + (int64_t)n > w->max)
        return -2;
    const char *c = p;
    size_t left = n;
    while (left) {
        ssize_t k = write(w->fd, c, left);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += k;
        left -= (size_t)k;
    }
    EVP_DigestUpdate(w->md, p, n);
    w->size += (int64_t)n;
    return 0;
}

static void writer_free(struct blob_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    EVP_MD_CTX_free(w->md);
    free(w->tmp);
    free(w);
}

void blob_writer_abort(struct blob_writer *w)
{
    if (!w)
        return;
    unlink(w->tmp);
    writer_free(w);
}

int blob_writer_commit(struct blob_writer *w, char hex[65], int64_t *size)
{
    unsigned char md[32];
    unsigned len = 0;
    EVP_DigestFinal_ex(w->md, md, &len);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    if (fsync(w->fd) < 0) {
        blob_writer_abort(w);
        return -1;
    }
    char *dir = xasprintf("%s/%.2s", w->bs->dir, hex);
    char *path = xasprintf("%s/%s", dir, hex);
    struct stat sb;
    int fresh_dir = stat(dir, &sb) < 0; /* a new prefix directory must be made durable too */
    int rc = fs_mkdir_p(dir);
    if (rc == 0 && fresh_dir)
        rc = fs_fsync_dir(w->bs->dir);
    if (rc == 0 && stat(path, &sb) == 0 && sb.st_size == w->size) {
        unlink(w->tmp); /* same content already stored */
    } else if (rc == 0) {
        rc = rename(w->tmp, path);
        if (rc == 0)
            rc = fs_fsync_dir(dir);
    }
    if (rc < 0)
        unlink(w->tmp);
    if (size)
        *size = w->size;
    free(dir);
    free(path);
    writer_free(w);
    return rc < 0 ? -1 : 0;
}

static int valid_hex(const char *hex)
{
    if (!hex || strlen(hex) != 64)
        return 0;
    for (const char *p = hex; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

int blob_open(struct blob_store *bs, const char *hex, int *fd, int64_t *size)
{
    if (!valid_hex(hex))
        return -1;
    char *path = xasprintf("%s/%.2s/%s", bs->dir, hex, hex);
    int f = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (f < 0)
        return -1;
    struct stat sb;
    if (fstat(f, &sb) < 0) {
        close(f);
        return -1;
    }
    *fd = f;
    *size = sb.st_size;
    return 0;
}

int blob_head(struct blob_store *bs, const char *hex, void *out, size_t n)
{
    int fd;
    int64_t size;
    if (blob_open(bs, hex, &fd, &size) < 0)
        return -1;
    ssize_t k = pread(fd, out, n, 0);
    close(fd);
    return k < 0 ? -1 : (int)k;
}
