/**
 * @file test_crypto.c
 * @brief SHA-256 (FIPS 180-4 examples), HMAC-SHA-256 (RFC 4231), hex,
 *        tokens, constant-time compare, Argon2id passwords and the cap on
 *        concurrent hashing. Password tests use the real parameters.
 */
#include "core/crypto.h"
#include "core/err.h"
#include "testlib.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/** SHA-256 of the FIPS 180-4 example messages. */
static void test_sha256(void **state)
{
    (void)state;
    char hex[CRYPTO_SHA256_HEX_BUFSZ];
    crypto_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    crypto_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_int_equal(strlen(m448), 56);
    crypto_sha256_hex(m448, strlen(m448), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/** HMAC-SHA-256, RFC 4231 test cases 1 and 2 (and 6: a key longer than
 *  the block). */
static void test_hmac(void **state)
{
    (void)state;
    unsigned char key[131];
    unsigned char mac[CRYPTO_SHA256_BYTES];
    char hex[2 * CRYPTO_SHA256_BYTES + 1];
    memset(key, 0x0b, 20);
    crypto_hmac_sha256(key, 20, "Hi There", 8, mac);
    crypto_hex_encode(mac, sizeof mac, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    const char *msg2 = "what do ya want for nothing?";
    crypto_hmac_sha256("Jefe", 4, msg2, strlen(msg2), mac);
    crypto_hex_encode(mac, sizeof mac, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key, 0xaa, sizeof key);
    const char *msg6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    crypto_hmac_sha256(key, 131, msg6, strlen(msg6), mac);
    crypto_hex_encode(mac, sizeof mac, hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/** Hex both ways, and the refusals of the decoder. */
static void test_hex(void **state)
{
    (void)state;
    char hex[9];
    crypto_hex_encode("\x00\x7f\xab\xff", 4, hex);
    assert_string_equal(hex, "007fabff");
    crypto_hex_encode("", 0, hex);
    assert_string_equal(hex, "");
    unsigned char out[4] = {1, 2, 3, 4};
    size_t n = 99;
    assert_int_equal(crypto_hex_decode("007FabFF", 8, out, sizeof out, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "\x00\x7f\xab\xff", 4);
    assert_int_equal(crypto_hex_decode("", 0, out, sizeof out, &n), 0);
    assert_int_equal(n, 0);
    memcpy(out, "\x01\x02\x03\x04", 4);
    n = 99;
    assert_int_equal(crypto_hex_decode("abc", 3, out, sizeof out, &n), -ERR_INVALID);
    assert_int_equal(crypto_hex_decode("zz", 2, out, sizeof out, &n), -ERR_INVALID);
    assert_int_equal(crypto_hex_decode("0g", 2, out, sizeof out, &n), -ERR_INVALID);
    assert_int_equal(crypto_hex_decode("0011223344", 10, out, sizeof out, &n), -ERR_INVALID);
    assert_int_equal(crypto_hex_decode(NULL, 0, out, sizeof out, &n), -ERR_INVALID);
    assert_memory_equal(out, "\x01\x02\x03\x04", 4);
    assert_int_equal(n, 99);
}

/** Tokens: 43 base64url characters, different every time. */
static void test_random(void **state)
{
    (void)state;
    char a[CRYPTO_TOKEN_BUFSZ], b[CRYPTO_TOKEN_BUFSZ];
    assert_int_equal(crypto_random_token(a), 0);
    assert_int_equal(crypto_random_token(b), 0);
    assert_int_equal(strlen(a), 43);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(a, b);
    unsigned char r1[32] = {0}, r2[32] = {0};
    assert_int_equal(crypto_random_bytes(r1, sizeof r1), 0);
    assert_int_equal(crypto_random_bytes(r2, sizeof r2), 0);
    assert_memory_not_equal(r1, r2, sizeof r1);
    assert_int_equal(crypto_random_bytes(r1, 0), 0);
}

/** Constant-time equality gives the same answers as strcmp. */
static void test_streq(void **state)
{
    (void)state;
    assert_true(crypto_streq("abc", "abc"));
    assert_true(crypto_streq("", ""));
    assert_false(crypto_streq("abc", "abd"));
    assert_false(crypto_streq("abc", "ab"));
    assert_false(crypto_streq("ab", "abc"));
    assert_false(crypto_streq("", "a"));
    assert_false(crypto_streq(NULL, "a"));
    assert_false(crypto_streq("a", NULL));
    assert_false(crypto_streq(NULL, NULL));
}

/** Hash, verify, wrong password, salts, rehash, bad input. */
static void test_password(void **state)
{
    (void)state;
    char h1[CRYPTO_PWHASH_BUFSZ], h2[CRYPTO_PWHASH_BUFSZ];
    assert_int_equal(crypto_password_hash("正确的马 battery staple", h1), 0);
    assert_non_null(strstr(h1, "$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_int_equal(crypto_password_verify(h1, "正确的马 battery staple"), 0);
    assert_int_equal(crypto_password_verify(h1, "正确的马 battery stapl"), -ERR_BAD_CREDENTIALS);
    assert_int_equal(crypto_password_verify(h1, ""), -ERR_BAD_CREDENTIALS);
    /* Same password, new salt, new hash; both verify. */
    assert_int_equal(crypto_password_hash("正确的马 battery staple", h2), 0);
    assert_string_not_equal(h1, h2);
    assert_int_equal(crypto_password_verify(h2, "正确的马 battery staple"), 0);
    assert_int_equal(crypto_password_needs_rehash(h1), 0);
    /* Weaker parameters want a rehash (a hash made with t=1 by libsodium). */
    char weak[CRYPTO_PWHASH_BUFSZ];
    strcpy(weak, h1);
    char *t = strstr(weak, ",t=2,");
    assert_non_null(t);
    t[3] = '1';
    assert_int_equal(crypto_password_needs_rehash(weak), 1);
    assert_int_equal(crypto_password_verify(weak, "正确的马 battery staple"), -ERR_BAD_CREDENTIALS);
    assert_int_equal(
        crypto_password_needs_rehash("$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA"), 1);
    assert_int_equal(crypto_password_needs_rehash("not a hash"), -ERR_INVALID);
    assert_int_equal(crypto_password_needs_rehash(NULL), -ERR_INVALID);
    /* Garbage hashes never match; bad arguments are refused. */
    assert_int_equal(crypto_password_verify("not a hash", "x"), -ERR_BAD_CREDENTIALS);
    assert_int_equal(crypto_password_verify("", ""), -ERR_BAD_CREDENTIALS);
    assert_int_equal(crypto_password_verify(NULL, "x"), -ERR_INVALID);
    assert_int_equal(crypto_password_verify(h1, NULL), -ERR_INVALID);
    assert_int_equal(crypto_password_hash(NULL, h2), -ERR_INVALID);
    char *long_pw = malloc(CRYPTO_PASSWORD_MAX + 2);
    memset(long_pw, 'a', CRYPTO_PASSWORD_MAX + 1);
    long_pw[CRYPTO_PASSWORD_MAX + 1] = '\0';
    assert_int_equal(crypto_password_hash(long_pw, h2), -ERR_INVALID);
    assert_int_equal(crypto_password_verify(h1, long_pw), -ERR_INVALID);
    long_pw[CRYPTO_PASSWORD_MAX] = '\0';
    assert_int_equal(crypto_password_hash(long_pw, h2), 0);
    assert_int_equal(crypto_password_verify(h2, long_pw), 0);
    free(long_pw);
    char long_hash[300];
    memset(long_hash, '$', sizeof long_hash - 1);
    long_hash[sizeof long_hash - 1] = '\0';
    assert_int_equal(crypto_password_verify(long_hash, "x"), -ERR_INVALID);
    assert_int_equal(crypto_password_needs_rehash(long_hash), -ERR_INVALID);
    assert_int_equal(crypto_hash_slots_in_use(), 0);
}

/** What a hashing thread did. */
struct hasher {
    pthread_barrier_t *start;
    int rc;
    char hash[CRYPTO_PWHASH_BUFSZ];
};

/** Thread body: waits for the start signal and hashes once. */
static void *hash_thread(void *arg)
{
    struct hasher *h = arg;
    if (h->start)
        pthread_barrier_wait(h->start);
    h->rc = crypto_password_hash("flood", h->hash);
    return NULL;
}

/** Sleeps for ms milliseconds. */
static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/** With one slot and a 1 ms timeout, a second hash while one runs is
 *  turned away with -ERR_UNAVAILABLE; once the slot frees, hashing works
 *  again. */
static void test_cap_busy(void **state)
{
    (void)state;
    assert_int_equal(crypto_init(1, 1), 0);

    /* Deterministic: wait until the thread holds the slot, then try. */
    struct hasher a = {NULL, -1, ""};
    pthread_t ta;
    assert_int_equal(pthread_create(&ta, NULL, hash_thread, &a), 0);
    for (int i = 0; i < 5000 && crypto_hash_slots_in_use() == 0; i++)
        sleep_ms(1);
    assert_int_equal(crypto_hash_slots_in_use(), 1);
    char h[CRYPTO_PWHASH_BUFSZ];
    assert_int_equal(crypto_password_hash("second", h), -ERR_UNAVAILABLE);
    assert_int_equal(crypto_password_verify("$argon2id$whatever", "x"), -ERR_UNAVAILABLE);
    pthread_join(ta, NULL);
    assert_int_equal(a.rc, 0);
    assert_int_equal(crypto_hash_slots_in_use(), 0);

    /* Two threads started together: exactly one is busy. */
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    struct hasher x = {&bar, -1, ""}, y = {&bar, -1, ""};
    pthread_t tx, ty;
    assert_int_equal(pthread_create(&tx, NULL, hash_thread, &x), 0);
    assert_int_equal(pthread_create(&ty, NULL, hash_thread, &y), 0);
    pthread_join(tx, NULL);
    pthread_join(ty, NULL);
    pthread_barrier_destroy(&bar);
    assert_true((x.rc == 0 && y.rc == -ERR_UNAVAILABLE) || (y.rc == 0 && x.rc == -ERR_UNAVAILABLE));

    /* The slot is free again. */
    assert_int_equal(crypto_password_hash("after", h), 0);
    assert_int_equal(crypto_init(0, 0), 0);
}

/** With a long enough timeout, waiters get their turn instead of busy. */
static void test_cap_waits(void **state)
{
    (void)state;
    assert_int_equal(crypto_init(1, 60000), 0);
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 3);
    struct hasher hs[3];
    pthread_t ts[3];
    for (int i = 0; i < 3; i++) {
        hs[i] = (struct hasher){&bar, -1, ""};
        assert_int_equal(pthread_create(&ts[i], NULL, hash_thread, &hs[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(ts[i], NULL);
        assert_int_equal(hs[i].rc, 0);
        assert_int_equal(crypto_password_verify(hs[i].hash, "flood"), 0);
    }
    assert_int_equal(crypto_init(0, 0), 0);
}

int main(void)
{
    if (crypto_init(0, 0) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),   cmocka_unit_test(test_hmac),
        cmocka_unit_test(test_hex),      cmocka_unit_test(test_random),
        cmocka_unit_test(test_streq),    cmocka_unit_test(test_password),
        cmocka_unit_test(test_cap_busy), cmocka_unit_test(test_cap_waits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
