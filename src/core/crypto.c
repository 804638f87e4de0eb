/**
 * @file crypto.c
 * @brief libsodium-based hashing, randomness and password hashing with a
 *        cap on concurrent Argon2id computations (see crypto.h).
 */
#include "core/crypto.h"
#include "core/err.h"
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Static_assert(CRYPTO_PWHASH_BUFSZ == crypto_pwhash_STRBYTES, "encoded hash buffer size");
_Static_assert(CRYPTO_SHA256_BYTES == crypto_hash_sha256_BYTES, "SHA-256 size");
_Static_assert(CRYPTO_SHA256_BYTES == crypto_auth_hmacsha256_BYTES, "HMAC-SHA-256 size");

/**
 * The hashing cap is a counting semaphore made of a mutex and a condition
 * variable rather than a POSIX sem_t: sem_timedwait measures its timeout on
 * CLOCK_REALTIME, which jumps when the system clock is set, while the
 * condition variable can wait on CLOCK_MONOTONIC; and the cap can be changed
 * while callers wait.
 */
static struct {
    pthread_once_t once;
    int sodium_rc;        /* result of sodium_init: 0 or 1 fine, -1 failed */
    pthread_mutex_t lock; /* guards the fields below */
    pthread_cond_t freed; /* signalled when a slot frees or the cap grows */
    unsigned cap;         /* at most this many hashes at once */
    unsigned in_use;
    unsigned timeout_ms;
} g = {
    .once = PTHREAD_ONCE_INIT,
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

/** The number of online CPUs, at least 1. */
static unsigned cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/** Runs once per process: libsodium, the monotonic condition variable, the
 *  default cap. */
static void init_once(void)
{
    g.sodium_rc = sodium_init();
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g.freed, &attr);
    pthread_condattr_destroy(&attr);
    g.cap = cpu_count();
    g.timeout_ms = CRYPTO_HASH_TIMEOUT_MS;
}

/** Makes sure init_once ran; 0 or -ERR_INTERNAL when libsodium failed. */
static int ensure_init(void)
{
    pthread_once(&g.once, init_once);
    return g.sodium_rc < 0 ? -ERR_INTERNAL : 0;
}

/** Sets the cap and the timeout; see crypto.h. */
int crypto_init(unsigned max_hashers, unsigned timeout_ms)
{
    int rc = ensure_init();
    pthread_mutex_lock(&g.lock);
    g.cap = max_hashers ? max_hashers : cpu_count();
    g.timeout_ms = timeout_ms ? timeout_ms : CRYPTO_HASH_TIMEOUT_MS;
    /* A larger cap may let waiters in now. */
    pthread_cond_broadcast(&g.freed);
    pthread_mutex_unlock(&g.lock);
    return rc;
}

/** The number of hashing slots taken right now (for metrics and tests). */
unsigned crypto_hash_slots_in_use(void)
{
    ensure_init();
    pthread_mutex_lock(&g.lock);
    unsigned n = g.in_use;
    pthread_mutex_unlock(&g.lock);
    return n;
}

/** Takes a hashing slot, waiting at most the configured timeout.
 *  0, or -ERR_UNAVAILABLE when none freed in time. */
static int slot_acquire(void)
{
    pthread_mutex_lock(&g.lock);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += g.timeout_ms / 1000;
    deadline.tv_nsec += (long)(g.timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (g.in_use >= g.cap) {
        int rc = pthread_cond_timedwait(&g.freed, &g.lock, &deadline);
        if (rc == ETIMEDOUT && g.in_use >= g.cap) {
            pthread_mutex_unlock(&g.lock);
            return -ERR_UNAVAILABLE;
        }
    }
    g.in_use++;
    pthread_mutex_unlock(&g.lock);
    return 0;
}

/** Gives a slot back and wakes one waiter. */
static void slot_release(void)
{
    pthread_mutex_lock(&g.lock);
    g.in_use--;
    pthread_cond_signal(&g.freed);
    pthread_mutex_unlock(&g.lock);
}

/** SHA-256 digest; see crypto.h. */
void crypto_sha256(const void *data, size_t n, unsigned char *out)
{
    crypto_hash_sha256(out, (const unsigned char *)data, n);
}

/** SHA-256 digest in hex; see crypto.h. */
void crypto_sha256_hex(const void *data, size_t n, char *out)
{
    unsigned char d[CRYPTO_SHA256_BYTES];
    crypto_sha256(data, n, d);
    crypto_hex_encode(d, sizeof d, out);
}

/** HMAC-SHA-256; see crypto.h. libsodium's streaming form takes keys of any
 *  length (longer than the block are hashed first, as RFC 2104 says). */
void crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
                        unsigned char *out)
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, keylen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, n);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/** CSPRNG bytes; see crypto.h. */
int crypto_random_bytes(void *out, size_t n)
{
    int rc = ensure_init();
    if (rc < 0)
        return rc;
    randombytes_buf(out, n);
    return 0;
}

/** Random base64url token; see crypto.h. */
int crypto_random_token(char *out)
{
    unsigned char raw[CRYPTO_TOKEN_BYTES];
    int rc = crypto_random_bytes(raw, sizeof raw);
    if (rc < 0)
        return rc;
    sodium_bin2base64(out, CRYPTO_TOKEN_BUFSZ, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

/** Constant-time equality; see crypto.h. The lengths are not secret (a
 *  token's length is public), so unequal lengths answer at once. */
bool crypto_streq(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return la == 0 || sodium_memcmp(a, b, la) == 0;
}

/** Hex encoding; see crypto.h. */
void crypto_hex_encode(const void *data, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)data;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/** Value of one hex digit, or -1. */
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/** Hex decoding; see crypto.h. Decodes into out directly after checking
 *  everything, so out is untouched on error. */
int crypto_hex_decode(const char *hex, size_t hexlen, void *out, size_t outsz, size_t *outlen)
{
    if (!hex || hexlen % 2 != 0 || hexlen / 2 > outsz)
        return -ERR_INVALID;
    for (size_t i = 0; i < hexlen; i++) {
        if (hex_digit(hex[i]) < 0)
            return -ERR_INVALID;
    }
    unsigned char *o = (unsigned char *)out;
    for (size_t i = 0; i < hexlen / 2; i++)
        o[i] = (unsigned char)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
    if (outlen)
        *outlen = hexlen / 2;
    return 0;
}

/** Argon2id hash under the cap; see crypto.h. */
int crypto_password_hash(const char *password, char *out)
{
    int rc = ensure_init();
    if (rc < 0)
        return rc;
    if (!password || !out)
        return -ERR_INVALID;
    size_t n = strnlen(password, CRYPTO_PASSWORD_MAX + 1);
    if (n > CRYPTO_PASSWORD_MAX)
        return -ERR_INVALID;
    rc = slot_acquire();
    if (rc < 0)
        return rc;
    char tmp[CRYPTO_PWHASH_BUFSZ];
    int hrc = crypto_pwhash_str_alg(tmp, password, n, CRYPTO_PWHASH_OPSLIMIT,
                                    CRYPTO_PWHASH_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13);
    slot_release();
    if (hrc != 0)
        return -ERR_INTERNAL;
    memcpy(out, tmp, sizeof tmp);
    return 0;
}

/** Argon2 verification under the cap; see crypto.h. */
int crypto_password_verify(const char *hash, const char *password)
{
    int rc = ensure_init();
    if (rc < 0)
        return rc;
    if (!hash || !password)
        return -ERR_INVALID;
    size_t n = strnlen(password, CRYPTO_PASSWORD_MAX + 1);
    if (n > CRYPTO_PASSWORD_MAX || strnlen(hash, CRYPTO_PWHASH_BUFSZ) >= CRYPTO_PWHASH_BUFSZ)
        return -ERR_INVALID;
    rc = slot_acquire();
    if (rc < 0)
        return rc;
    int vrc = crypto_pwhash_str_verify(hash, password, n);
    slot_release();
    return vrc == 0 ? 0 : -ERR_BAD_CREDENTIALS;
}

/** Rehash decision; see crypto.h. An Argon2i hash (libsodium's older
 *  default) always wants the move to Argon2id. */
int crypto_password_needs_rehash(const char *hash)
{
    int rc = ensure_init();
    if (rc < 0)
        return rc;
    if (!hash || strnlen(hash, CRYPTO_PWHASH_BUFSZ) >= CRYPTO_PWHASH_BUFSZ)
        return -ERR_INVALID;
    if (strncmp(hash, crypto_pwhash_argon2i_STRPREFIX, strlen(crypto_pwhash_argon2i_STRPREFIX)) ==
        0)
        return 1;
    int r = crypto_pwhash_argon2id_str_needs_rehash(hash, CRYPTO_PWHASH_OPSLIMIT,
                                                    CRYPTO_PWHASH_MEMLIMIT);
    if (r < 0)
        return -ERR_INVALID;
    return r ? 1 : 0;
}
