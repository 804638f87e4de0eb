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

/* Bytes are gathered in memory and written in large pieces: a multipart
 * parser hands over a few KB at a time, and a write() per piece costs more
 * kernel time than the copy saves. */
#define WRITER_BUF (256 * 1024)

struct blob_writer {
    struct blob_store *bs;
    int fd;
    char *tmp;
    int64_t size, max;
    EVP_MD_CTX *md;
    size_t held;
    char *buf;
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
    w->buf = xmalloc(WRITER_BUF);
    *out = w;
    return 0;
}

static int write_all(int fd, const char *c, size_t left)
{
    while (left) {
        ssize_t k = write(fd, c, left);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += k;
        left -= (size_t)k;
    }
    return 0;
}

static int writer_flush(struct blob_writer *w)
{
    int rc = write_all(w->fd, w->buf, w->held);
    w->held = 0;
    return rc;
}

int blob_writer_write(struct blob_writer *w, const void *p, size_t n)
{
    if (w->size + (int64_t)n > w->max)
        return -2;
    EVP_DigestUpdate(w->md, p, n);
    w->size += (int64_t)n;
    if (w->held + n > WRITER_BUF && writer_flush(w) < 0)
        return -1;
    if (n >= WRITER_BUF)
        return write_all(w->fd, p, n);
    memcpy(w->buf + w->held, p, n);
    w->held += n;
    return 0;
}

static void writer_free(struct blob_writer *w)
{
    if (w->fd >= 0)
        close(w->fd);
    EVP_MD_CTX_free(w->md);
    free(w->buf);
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
    if (writer_flush(w) < 0 || fsync(w->fd) < 0) {
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
