/*
 * apply_load: submissions with an upload, through onehall's API, by N
 * concurrent citizens (bench/applications.sh).
 *
 * Before the clock starts, each client registers its own citizen account
 * (POST /api/v1/accounts) and logs in (POST /api/v1/session) for a bearer
 * token. Then, for SECONDS, each client loops over one submission:
 *
 *   POST /api/v1/uploads        multipart, field "file", SIZE bytes of PDF
 *                               (different bytes every time: the blob store
 *                               would deduplicate equal files)
 *   POST /api/v1/applications   {"item": ITEM, "submit": true,
 *                                "materials": MATERIALS with @ID@ replaced
 *                                by the upload's id}
 *
 * and counts it when both answered 201. The application carries an
 * Idempotency-Key, as a client that may retry must send. One libcurl handle
 * (one kept-alive connection) per client, HTTP/1.1, no Expect: 100-continue.
 *
 * With SERVER_PID set in the environment, the server's CPU time (user +
 * system, /proc/PID/stat) is read when the clock starts and when it stops,
 * so the figure leaves out the accounts' set-up (Argon2id for every
 * registration and login); the driver's own CPU over the same span too.
 *
 *   apply_load URL CLIENTS SECONDS SIZE ITEM MATERIALS TAG
 *
 * TAG (0..99) makes this run's accounts distinct from other runs' on the
 * same database. Prints one line of key=value pairs:
 *   clients= seconds= submissions= per_s= errors= p50_ms= p90_ms= p99_ms=
 *   upload_p50_ms= upload_p99_ms= apply_p50_ms= apply_p99_ms=
 *   server_cpu_ms= driver_cpu_ms=   (per submission; -1 without SERVER_PID)
 * (latencies of the pair, and of each request alone).
 *
 * cc -O2 -pthread -o apply_load bench/apply_load.c -lcurl
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BOUNDARY "----onehallbench0Zq7Xw"

static const char *base, *item, *materials;
static int nclients, tag;
static double seconds;
static size_t fsize;
static double t_start, deadline;
static pthread_barrier_t ready;
/* setting up accounts one at a time: registration is not what is measured,
 * and 32 at once meet a busy database (503) */
static pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct buf {
    char *p;
    size_t n, cap;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *ud)
{
    struct buf *b = ud;
    size_t n = sz * nm;
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
    return n;
}

struct lat {
    double *v;
    size_t n, cap;
};

static void lat_add(struct lat *l, double ms)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = ms;
}

struct client {
    pthread_t t;
    int id;
    CURL *h;
    struct buf resp;
    char auth[300];
    long ok, errors;
    long last_status;
    char last_body[200];
    long err_status;    /* the last failed request's, for the report */
    char err_body[300];
    struct lat pair, up, app;
    int setup_failed;
};

/* One request; returns the HTTP status (0 on a transport error). */
static long request(struct client *c, const char *path, const char *ctype, const char *body,
                    size_t len, int with_auth, const char *idem)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    struct curl_slist *hd = NULL;
    char ct[128];
    snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
    hd = curl_slist_append(hd, ct);
    hd = curl_slist_append(hd, "Expect:");
    if (with_auth)
        hd = curl_slist_append(hd, c->auth);
    if (idem) {
        char ik[96];
        snprintf(ik, sizeof ik, "Idempotency-Key: %s", idem);
        hd = curl_slist_append(hd, ik);
    }
    c->resp.n = 0;
    if (c->resp.p)
        c->resp.p[0] = 0;
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    CURLcode rc = curl_easy_perform(c->h);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    c->last_status = status;
    snprintf(c->last_body, sizeof c->last_body, "%s",
             rc == CURLE_OK ? (c->resp.p ? c->resp.p : "") : curl_easy_strerror(rc));
    if (status < 200 || status > 299) {
        c->err_status = status;
        snprintf(c->err_body, sizeof c->err_body, "%s %s", path, c->last_body);
    }
    return status;
}

/* A valid 18-digit resident ID number (GB 11643 check digit). */
static void id_number(int year, int seq, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "440604%04u0101%03u", (unsigned)year % 10000u, (unsigned)seq % 1000u);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = 0;
}

static int setup(struct client *c)
{
    char id[19], phone[16], body[512];
    id_number(1900 + tag, c->id, id);
    snprintf(phone, sizeof phone, "139%02d%06d", tag, c->id);
    snprintf(body, sizeof body,
             "{\"name\":\"压测%02d-%03d\",\"id_number\":\"%s\",\"phone\":\"%s\","
             "\"password\":\"bench-pass-01\"}",
             tag, c->id, id, phone);
    long st = request(c, "/api/v1/accounts", "application/json", body, strlen(body), 0, NULL);
    if (st != 201) {
        fprintf(stderr, "apply_load: register %s: %ld %s\n", phone, st, c->last_body);
        return -1;
    }
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"bench-pass-01\"}", phone);
    st = request(c, "/api/v1/session", "application/json", body, strlen(body), 0, NULL);
    const char *t = c->resp.p ? strstr(c->resp.p, "\"token\"") : NULL;
    if (st != 201 || !t || !(t = strchr(t + 7, '"'))) {
        fprintf(stderr, "apply_load: login %s: %ld %s\n", phone, st, c->last_body);
        return -1;
    }
    t++;
    const char *e = strchr(t, '"');
    if (!e || e - t > 250)
        return -1;
    snprintf(c->auth, sizeof c->auth, "Authorization: Bearer %.*s", (int)(e - t), t);
    return 0;
}

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
    struct client *c = arg;
    c->h = curl_easy_init();
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &c->resp);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
    pthread_mutex_lock(&setup_lock);
    c->setup_failed = setup(c) < 0;
    pthread_mutex_unlock(&setup_lock);

    /* the multipart body: header, SIZE bytes of "PDF", trailer */
    const char *head = "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; "
                       "filename=\"material.pdf\"\r\nContent-Type: application/pdf\r\n\r\n";
    const char *tail = "\r\n--" BOUNDARY "--\r\n";
    size_t hl = strlen(head), tl = strlen(tail), len = hl + fsize + tl;
    char *mp = malloc(len);
    memcpy(mp, head, hl);
    char *pdf = mp + hl;
    memcpy(pdf, "%PDF-1.4\n%", 10);
    for (size_t i = 10; i < fsize; i++)
        pdf[i] = (char)('a' + (i * 7) % 26);
    memcpy(mp + hl + fsize, tail, tl);
    uint64_t seed = 0x2545F4914F6CDD1DULL ^ ((uint64_t)(c->id + 1) << 40) ^ (uint64_t)tag ^
                    (uint64_t)getpid() << 16;

    size_t tlen = strlen(materials);
    char *abody = malloc(tlen + strlen(item) + 128);

    pthread_barrier_wait(&ready); /* everybody logged in */
    pthread_barrier_wait(&ready); /* the clock is set */
    if (c->setup_failed)
        goto out;
    while (now_s() < deadline) {
        char mark[40];
        snprintf(mark, sizeof mark, "%016llx%016llx", (unsigned long long)xorshift(&seed),
                 (unsigned long long)xorshift(&seed));
        memcpy(pdf + 10, mark, 32); /* different bytes in every file */
        double t0 = now_s();
        long st = request(c, "/api/v1/uploads", "multipart/form-data; boundary=" BOUNDARY, mp,
                          len, 1, NULL);
        double t1 = now_s();
        const char *idp = st == 201 && c->resp.p ? strstr(c->resp.p, "\"id\":") : NULL;
        if (!idp) {
            c->errors++;
            continue;
        }
        long long upid = strtoll(idp + 5, NULL, 10);
        /* materials with @ID@ replaced */
        const char *at = strstr(materials, "@ID@");
        int n = at ? snprintf(abody, tlen + strlen(item) + 128,
                              "{\"item\":\"%s\",\"submit\":true,\"materials\":%.*s%lld%s}", item,
                              (int)(at - materials), materials, upid, at + 4)
                   : snprintf(abody, tlen + strlen(item) + 128,
                              "{\"item\":\"%s\",\"submit\":true,\"materials\":%s}", item,
                              materials);
        st = request(c, "/api/v1/applications", "application/json", abody, (size_t)n, 1, mark);
        double t2 = now_s();
        if (st != 201) {
            c->errors++;
            continue;
        }
        c->ok++;
        lat_add(&c->pair, (t2 - t0) * 1000);
        lat_add(&c->up, (t1 - t0) * 1000);
        lat_add(&c->app, (t2 - t1) * 1000);
    }
out:
    free(abody);
    free(mp);
    curl_easy_cleanup(c->h);
    return NULL;
}

/* CPU time of a process in ms (user + system), -1 when unknown. */
static double proc_cpu_ms(const char *pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = 0;
    const char *p = strrchr(line, ')'); /* the command name may hold spaces */
    unsigned long long ut, st;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Merges one latency set of all clients; p-th percentile (0..100). */
static double pct(struct client *cs, size_t off, double p)
{
    size_t n = 0;
    for (int i = 0; i < nclients; i++)
        n += ((struct lat *)((char *)&cs[i] + off))->n;
    if (!n)
        return 0;
    double *all = malloc(n * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < nclients; i++) {
        struct lat *l = (struct lat *)((char *)&cs[i] + off);
        memcpy(all + k, l->v, l->n * sizeof *all);
        k += l->n;
    }
    qsort(all, n, sizeof *all, cmp);
    size_t ix = (size_t)(p / 100.0 * (double)n);
    double v = all[ix < n ? ix : n - 1];
    free(all);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: apply_load URL CLIENTS SECONDS SIZE ITEM MATERIALS TAG\n");
        return 2;
    }
    base = argv[1];
    nclients = atoi(argv[2]);
    seconds = atof(argv[3]);
    fsize = (size_t)atol(argv[4]);
    item = argv[5];
    materials = argv[6];
    tag = atoi(argv[7]);
    if (nclients < 1 || nclients > 999 || seconds <= 0 || fsize < 64 || tag < 0 || tag > 99) {
        fprintf(stderr, "apply_load: bad arguments\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct client *cs = calloc((size_t)nclients, sizeof *cs);
    pthread_barrier_init(&ready, NULL, (unsigned)nclients + 1);
    for (int i = 0; i < nclients; i++) {
        cs[i].id = i;
        pthread_create(&cs[i].t, NULL, run, &cs[i]);
    }
    pthread_barrier_wait(&ready);
    int failed = 0;
    for (int i = 0; i < nclients; i++)
        failed += cs[i].setup_failed;
    const char *spid = getenv("SERVER_PID");
    double scpu0 = spid ? proc_cpu_ms(spid) : -1, dcpu0 = self_cpu_ms();
    t_start = now_s();
    deadline = t_start + seconds;
    pthread_barrier_wait(&ready);
    long ok = 0, errors = 0;
    for (int i = 0; i < nclients; i++) {
        pthread_join(cs[i].t, NULL);
        ok += cs[i].ok;
        errors += cs[i].errors;
    }
    double el = now_s() - t_start;
    double scpu1 = spid ? proc_cpu_ms(spid) : -1, dcpu1 = self_cpu_ms();
    double server_ms = scpu0 >= 0 && scpu1 >= 0 && ok ? (scpu1 - scpu0) / (double)ok : -1;
    double driver_ms = ok ? (dcpu1 - dcpu0) / (double)ok : -1;
    for (int i = 0; i < nclients; i++)
        if (cs[i].errors) {
            fprintf(stderr, "apply_load: client %d: %ld errors, the last: %ld %s\n", i,
                    cs[i].errors, cs[i].err_status, cs[i].err_body);
        }
    printf("clients=%d setup_failed=%d seconds=%.2f submissions=%ld per_s=%.1f errors=%ld "
           "p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f upload_p50_ms=%.1f upload_p99_ms=%.1f "
           "apply_p50_ms=%.1f apply_p99_ms=%.1f server_cpu_ms=%.3f driver_cpu_ms=%.3f\n",
           nclients, failed, el, ok, ok / el, errors, pct(cs, offsetof(struct client, pair), 50),
           pct(cs, offsetof(struct client, pair), 90), pct(cs, offsetof(struct client, pair), 99),
           pct(cs, offsetof(struct client, up), 50), pct(cs, offsetof(struct client, up), 99),
           pct(cs, offsetof(struct client, app), 50), pct(cs, offsetof(struct client, app), 99),
           server_ms, driver_ms);
    for (int i = 0; i < nclients; i++) {
        free(cs[i].pair.v);
        free(cs[i].up.v);
        free(cs[i].app.v);
        free(cs[i].resp.p);
    }
    free(cs);
    curl_global_cleanup();
    return failed || !ok ? 1 : 0;
}
