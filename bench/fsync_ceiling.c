/*
 * fsync_ceiling: how many 200 KB files per second this file system makes
 * durable, doing exactly what onehall's blob store does for one upload
 * (src/store/files.c, blob_writer_new .. blob_writer_commit):
 *
 *   mkstemp(DIR/tmp/up-XXXXXX); write the body; fsync(file);
 *   stat(DIR/xx); if new: mkdir(DIR/xx) + fsync(DIR);
 *   rename(tmp, DIR/xx/<name>); fsync(DIR/xx); close
 *
 * where xx is the first two hex digits of the (here: random) content name,
 * so files spread over 256 prefix directories as the SHA-256 names do. The
 * SHA-256 of the body is left out: this is the file system's ceiling, not
 * the CPU's. Every file has different bytes (no deduplication).
 *
 *   fsync_ceiling DIR THREADS SECONDS [SIZE_BYTES]
 *
 * DIR must not exist yet or be empty; it should be on the file system of
 * onehall's data dir. Prints one line:
 *   threads=32 seconds=10.00 files=1234 files_per_s=123.4 p50_ms=.. p99_ms=..
 * Bounded: stops starting new files after SECONDS.
 *
 * cc -O2 -pthread -o fsync_ceiling bench/fsync_ceiling.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *root;
static size_t fsize = 200 * 1024;
static double deadline;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

struct worker {
    pthread_t t;
    int id;
    long files;
    double *lat; /* ms per file */
    size_t nlat, cap;
    int failed;
};

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    uint64_t seed = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)w->id << 32) ^ (uint64_t)getpid();
    char *body = malloc(fsize);
    memcpy(body, "%PDF-1.4\n", 9);
    for (size_t i = 9; i < fsize; i++)
        body[i] = (char)('a' + i % 26);
    char tmp[4096], dir[4096], path[4200];
    while (now_s() < deadline) {
        double t0 = now_s();
        uint64_t r1 = xorshift(&seed), r2 = xorshift(&seed);
        /* different bytes in every file */
        memcpy(body + 9, &r1, 8);
        memcpy(body + fsize - 8, &r2, 8);
        snprintf(tmp, sizeof tmp, "%s/tmp/up-XXXXXX", root);
        int fd = mkstemp(tmp);
        if (fd < 0) {
            w->failed = errno;
            break;
        }
        size_t left = fsize;
        const char *p = body;
        while (left) { /* the server writes as the parser hands it data */
            ssize_t k = write(fd, p, left > 65536 ? 65536 : left);
            if (k < 0) {
                if (errno == EINTR)
                    continue;
                w->failed = errno;
                break;
            }
            p += k;
            left -= (size_t)k;
        }
        if (w->failed || fsync(fd) < 0) {
            w->failed = w->failed ? w->failed : errno;
            close(fd);
            break;
        }
        char name[65];
        snprintf(name, sizeof name, "%016llx%016llx%016llx%016llx", (unsigned long long)r1,
                 (unsigned long long)r2, (unsigned long long)xorshift(&seed),
                 (unsigned long long)xorshift(&seed));
        snprintf(dir, sizeof dir, "%s/%.2s", root, name);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        struct stat sb;
        int rc = 0;
        if (stat(dir, &sb) < 0) {
            rc = mkdir(dir, 0755);
            if (rc < 0 && errno == EEXIST)
                rc = 0;
            if (rc == 0)
                rc = fsync_dir(root);
        }
        if (rc == 0)
            rc = rename(tmp, path);
        if (rc == 0)
            rc = fsync_dir(dir);
        close(fd);
        if (rc < 0) {
            w->failed = errno;
            break;
        }
        w->files++;
        if (w->nlat == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 1024;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
        }
        w->lat[w->nlat++] = (now_s() - t0) * 1000;
    }
    free(body);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: fsync_ceiling DIR THREADS SECONDS [SIZE_BYTES]\n");
        return 2;
    }
    root = argv[1];
    int n = atoi(argv[2]);
    double secs = atof(argv[3]);
    if (argc > 4)
        fsize = (size_t)atol(argv[4]);
    if (n < 1 || n > 1024 || secs <= 0 || fsize < 32) {
        fprintf(stderr, "fsync_ceiling: bad arguments\n");
        return 2;
    }
    char tmpdir[4096];
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", root);
    mkdir(root, 0755);
    if (mkdir(tmpdir, 0755) < 0 && errno != EEXIST) {
        perror(tmpdir);
        return 1;
    }
    struct worker *w = calloc((size_t)n, sizeof *w);
    double t0 = now_s();
    deadline = t0 + secs;
    for (int i = 0; i < n; i++) {
        w[i].id = i;
        pthread_create(&w[i].t, NULL, run, &w[i]);
    }
    long files = 0;
    size_t nlat = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(w[i].t, NULL);
        files += w[i].files;
        nlat += w[i].nlat;
        if (w[i].failed)
            fprintf(stderr, "fsync_ceiling: thread %d: %s\n", i, strerror(w[i].failed));
    }
    double el = now_s() - t0;
    double *all = malloc((nlat ? nlat : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        memcpy(all + k, w[i].lat, w[i].nlat * sizeof *all);
        k += w[i].nlat;
        free(w[i].lat);
    }
    qsort(all, nlat, sizeof *all, cmp);
    double p50 = nlat ? all[nlat / 2] : 0, p99 = nlat ? all[(size_t)(nlat * 0.99)] : 0;
    printf("threads=%d seconds=%.2f files=%ld files_per_s=%.1f p50_ms=%.2f p99_ms=%.2f\n", n, el,
           files, files / el, p50, p99);
    free(all);
    free(w);
    return 0;
}
