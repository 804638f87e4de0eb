/**
 * @file test_blob.c
 * @brief The content-addressed file store (store/files.h): digests against
 *        published SHA-256 vectors, the DIR/ab/<hex> layout, deduplication,
 *        the size limit, abort, and refusal of names that are not a digest.
 *        Every test leaves DIR/tmp empty behind it, and checks so.
 */
#include "store/files.h"
#include "testlib.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FIPS 180-2 / NIST test vectors. */
static const char *const SHA_EMPTY =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char *const SHA_ABC =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char *const SHA_MILLION_A =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

/** Per-test state: a store in a fresh directory. */
struct fixture {
    char *dir;   /**< the test's temporary directory */
    char *root;  /**< the blob store inside it (dir/blobs, made by the store) */
    struct blob_store *bs;
};

/** @brief Opens a store in dir/blobs, a path that does not exist yet. */
static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    f->root = malloc(strlen(f->dir) + 16);
    sprintf(f->root, "%s/blobs", f->dir);
    if (blob_store_open(f->root, &f->bs) < 0)
        return -1;
    *state = f;
    return 0;
}

/** @brief Closes the store and removes its directory. */
static int teardown(void **state)
{
    struct fixture *f = *state;
    blob_store_close(f->bs);
    test_rmrf(f->dir);
    free(f->root);
    free(f->dir);
    free(f);
    return 0;
}

/** @brief Number of entries in root/sub. */
static int entries_in(const struct fixture *f, const char *sub)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", f->root, sub);
    return test_dir_entries(path);
}

/**
 * @brief Stores data in chunks of chunk bytes.
 * @param[out] hex the digest
 * @return the commit's return code
 */
static int store_bytes(struct fixture *f, const void *data, size_t n, size_t chunk,
                       int64_t max, char hex[65], int64_t *size)
{
    struct blob_writer *w = NULL;
    if (blob_writer_new(f->bs, max, &w) < 0)
        return -100;
    for (size_t off = 0; off < n; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        int rc = blob_writer_write(w, (const char *)data + off, k);
        if (rc < 0) {
            blob_writer_abort(w);
            return rc;
        }
    }
    return blob_writer_commit(w, hex, size);
}

/** @brief The store's directory and its tmp/ are made, private to the owner. */
static void test_open_makes_private_dirs(void **state)
{
    struct fixture *f = *state;
    struct stat sb;
    assert_int_equal(stat(f->root, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(entries_in(f, "tmp"), 0);
}

/** @brief Digests match the published vectors, whatever the chunking:
 *         empty, "abc", and one million 'a' streamed in odd-sized chunks. */
static void test_known_vectors(void **state)
{
    struct fixture *f = *state;
    char hex[65];
    int64_t size = -1;
    assert_int_equal(store_bytes(f, "", 0, 1, 10, hex, &size), 0);
    assert_string_equal(hex, SHA_EMPTY);
    assert_int_equal(size, 0);

    assert_int_equal(store_bytes(f, "abc", 3, 1, 3, hex, &size), 0);
    assert_string_equal(hex, SHA_ABC);
    assert_int_equal(size, 3);

    size_t n = 1000000;
    char *a = malloc(n);
    memset(a, 'a', n);
    assert_int_equal(store_bytes(f, a, n, 4093, (int64_t)n, hex, &size), 0);
    assert_string_equal(hex, SHA_MILLION_A);
    assert_int_equal(size, (int64_t)n);
    free(a);
    assert_int_equal(entries_in(f, "tmp"), 0);
}

/** @brief A committed file lives at DIR/<first two hex>/<hex>, private, with
 *         the bytes written; blob_open gives its size, blob_head its start. */
static void test_layout_and_read_back(void **state)
{
    struct fixture *f = *state;
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(255 - i); /* not UTF-8, has NULs */
    char hex[65];
    int64_t size = 0;
    assert_int_equal(store_bytes(f, data, sizeof data, 7, 1000, hex, &size), 0);
    assert_int_equal(size, (int64_t)sizeof data);

    char path[1024];
    snprintf(path, sizeof path, "%s/%.2s/%s", f->root, hex, hex);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, (off_t)sizeof data);
    assert_int_equal(sb.st_mode & 077, 0);

    int fd = -1;
    int64_t got = -1;
    assert_int_equal(blob_open(f->bs, hex, &fd, &got), 0);
    assert_int_equal(got, (int64_t)sizeof data);
    unsigned char back[400];
    assert_int_equal(read(fd, back, sizeof back), (ssize_t)sizeof data);
    assert_memory_equal(back, data, sizeof data);
    close(fd);

    unsigned char head[16];
    assert_int_equal(blob_head(f->bs, hex, head, sizeof head), 16);
    assert_memory_equal(head, data, 16);
    assert_int_equal(entries_in(f, "tmp"), 0);
}

/** @brief Bytes come back in order whatever the mix of piece sizes: small
 *         pieces gathered in memory, and pieces larger than the writer's
 *         buffer written through, around and across its edges. */
static void test_mixed_pieces_read_back(void **state)
{
    struct fixture *f = *state;
    size_t n = 1500 * 1024;
    unsigned char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)((i * 2654435761u) >> 13);
    const size_t pieces[] = {1, 4093, 300 * 1024, 17, 256 * 1024, 256 * 1024 - 1, 70000};
    struct blob_writer *w = NULL;
    assert_int_equal(blob_writer_new(f->bs, (int64_t)n, &w), 0);
    size_t off = 0;
    for (size_t k = 0; off < n; k++) {
        size_t len = pieces[k % (sizeof pieces / sizeof pieces[0])];
        if (len > n - off)
            len = n - off;
        assert_int_equal(blob_writer_write(w, data + off, len), 0);
        off += len;
    }
    char hex[65];
    int64_t size = 0;
    assert_int_equal(blob_writer_commit(w, hex, &size), 0);
    assert_int_equal(size, (int64_t)n);
    int fd = -1;
    int64_t got = -1;
    assert_int_equal(blob_open(f->bs, hex, &fd, &got), 0);
    assert_int_equal(got, (int64_t)n);
    unsigned char *back = malloc(n);
    size_t have = 0;
    ssize_t k;
    while (have < n && (k = read(fd, back + have, n - have)) > 0)
        have += (size_t)k;
    close(fd);
    assert_int_equal(have, n);
    assert_memory_equal(back, data, n);
    free(back);
    free(data);
}

/** @brief The same content stored twice, even through writers open at the
 *         same time, is one file under one digest. */
static void test_dedup(void **state)
{
    struct fixture *f = *state;
    struct blob_writer *w1, *w2;
    assert_int_equal(blob_writer_new(f->bs, 100, &w1), 0);
    assert_int_equal(blob_writer_new(f->bs, 100, &w2), 0);
    assert_int_equal(entries_in(f, "tmp"), 2);
    assert_int_equal(blob_writer_write(w1, "ab", 2), 0);
    assert_int_equal(blob_writer_write(w2, "a", 1), 0);
    assert_int_equal(blob_writer_write(w1, "c", 1), 0);
    assert_int_equal(blob_writer_write(w2, "bc", 2), 0);
    char h1[65], h2[65], h3[65];
    int64_t size;
    assert_int_equal(blob_writer_commit(w1, h1, &size), 0);
    assert_int_equal(blob_writer_commit(w2, h2, &size), 0);
    assert_int_equal(store_bytes(f, "abc", 3, 3, 100, h3, &size), 0);
    assert_string_equal(h1, SHA_ABC);
    assert_string_equal(h2, SHA_ABC);
    assert_string_equal(h3, SHA_ABC);
    assert_int_equal(entries_in(f, "ba"), 1);
    assert_int_equal(entries_in(f, "tmp"), 0);
}

/** @brief Writing past max_size is refused with -2 (exactly max_size is
 *         fine); aborting then leaves no temporary and no stored file. */
static void test_size_limit(void **state)
{
    struct fixture *f = *state;
    char hex[65];
    int64_t size;
    assert_int_equal(store_bytes(f, "abc", 3, 3, 3, hex, &size), 0); /* == limit */

    struct blob_writer *w;
    assert_int_equal(blob_writer_new(f->bs, 4, &w), 0);
    assert_int_equal(blob_writer_write(w, "wxyz", 4), 0);
    assert_int_equal(blob_writer_write(w, "!", 1), -2);
    assert_int_equal(blob_writer_write(w, "", 0), 0); /* nothing more is still fine */
    blob_writer_abort(w);

    /* One chunk larger than the whole limit. */
    assert_int_equal(store_bytes(f, "0123456789", 10, 10, 9, hex, &size), -2);
    assert_int_equal(entries_in(f, "tmp"), 0);
    /* Only the "abc" file: its directory, tmp/, nothing else. */
    assert_int_equal(test_dir_entries(f->root), 2);
}

/** @brief An aborted writer leaves nothing; aborting NULL is harmless. */
static void test_abort(void **state)
{
    struct fixture *f = *state;
    struct blob_writer *w;
    assert_int_equal(blob_writer_new(f->bs, 1 << 20, &w), 0);
    assert_int_equal(blob_writer_write(w, "abc", 3), 0);
    assert_int_equal(entries_in(f, "tmp"), 1);
    blob_writer_abort(w);
    blob_writer_abort(NULL);
    assert_int_equal(entries_in(f, "tmp"), 0);
    assert_int_equal(entries_in(f, "ba"), -1);
    int fd;
    int64_t size;
    assert_int_equal(blob_open(f->bs, SHA_ABC, &fd, &size), -1);
}

/** @brief Only 64 lower-case hex digits name a file: anything else, and a
 *         well-formed digest with no file, is refused without touching the
 *         file system outside the store. */
static void test_invalid_names(void **state)
{
    struct fixture *f = *state;
    char hex[65];
    int64_t size;
    assert_int_equal(store_bytes(f, "abc", 3, 3, 3, hex, &size), 0);
    const char *bad[] = {
        "",
        "ba",
        "../../../../etc/passwd",
        "ba/../../../../../../../../etc/passwd",
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",   /* 63 */
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015add", /* 65 */
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a/",
        "tmp/../ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff6",
        NULL,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int fd = -1;
        assert_int_equal(blob_open(f->bs, bad[i], &fd, &size), -1);
        assert_int_equal(fd, -1);
        char head[4];
        assert_int_equal(blob_head(f->bs, bad[i], head, sizeof head), -1);
    }
    int fd = -1;
    assert_int_equal(blob_open(f->bs, SHA_EMPTY, &fd, &size), -1); /* absent */
    assert_int_equal(blob_open(f->bs, SHA_ABC, &fd, &size), 0);
    close(fd);
}

/** @brief main: runs the blob store tests. */
int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_open_makes_private_dirs),
        T(test_known_vectors),
        T(test_layout_and_read_back),
        T(test_mixed_pieces_read_back),
        T(test_dedup),
        T(test_size_limit),
        T(test_abort),
        T(test_invalid_names),
    };
#undef T
    return cmocka_run_group_tests_name("blob", tests, NULL, NULL);
}
