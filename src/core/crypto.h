/**
 * @file crypto.h
 * @brief Hashes, MACs, randomness, constant-time comparison, hex, and
 *        password hashing (Argon2id) with a cap on concurrent hashing.
 *
 * Everything here is built on libsodium. libsodium is initialised once, on
 * first use or by crypto_init, from any thread.
 *
 * Passwords are hashed with Argon2id at fixed parameters: opslimit 2 and
 * memlimit 19 MiB, the minimum OWASP's Password Storage Cheat Sheet gives
 * for Argon2id (m=19456 KiB, t=2, p=1). One hash takes some 50 ms of one CPU
 * and 19 MiB of memory, so a flood of logins could exhaust both: at most
 * `max_hashers` hashes or verifications run at once (default: the number of
 * CPUs), and a call that finds no free slot within the timeout (default
 * 2 s) returns -ERR_UNAVAILABLE, which the HTTP layer answers with 503 and
 * Retry-After (CRYPTO_RETRY_AFTER_S).
 *
 * Return codes come from the error registry (core/err.h).
 */
#ifndef ONEHALL_CRYPTO_H
#define ONEHALL_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>

/** Argon2id time cost (passes over memory); OWASP minimum for Argon2id. */
#define CRYPTO_PWHASH_OPSLIMIT 2ULL
/** Argon2id memory cost in bytes: 19 MiB (19456 KiB); OWASP minimum. */
#define CRYPTO_PWHASH_MEMLIMIT ((size_t)19 * 1024 * 1024)
/** Size of a buffer for an encoded password hash (libsodium's
 *  crypto_pwhash_STRBYTES); the string is NUL-terminated and shorter. */
#define CRYPTO_PWHASH_BUFSZ 128
/** Longest password accepted, in bytes; bounds the work one request causes. */
#define CRYPTO_PASSWORD_MAX 1024
/** Default wait for a free hashing slot, in milliseconds. */
#define CRYPTO_HASH_TIMEOUT_MS 2000
/** Seconds an HTTP client is told to wait after -ERR_UNAVAILABLE. */
#define CRYPTO_RETRY_AFTER_S 2

/** Bytes of a SHA-256 or HMAC-SHA-256 digest. */
#define CRYPTO_SHA256_BYTES 32
/** Size of a buffer for a SHA-256 digest in hex (64 chars + NUL). */
#define CRYPTO_SHA256_HEX_BUFSZ 65
/** Random bytes in a token (256 bits). */
#define CRYPTO_TOKEN_BYTES 32
/** Size of a buffer for a token: 43 base64url characters + NUL. */
#define CRYPTO_TOKEN_BUFSZ 44

/** Initialises libsodium (again: harmless) and sets the hashing cap.
 *  max_hashers 0 means the number of online CPUs; timeout_ms 0 means
 *  CRYPTO_HASH_TIMEOUT_MS. May be called again at any time to change the
 *  cap; calls already waiting see the new cap. Returns 0, or -ERR_INTERNAL
 *  when libsodium cannot start (no random source). Calling it is optional:
 *  every function initialises with the defaults on first use. */
int crypto_init(unsigned max_hashers, unsigned timeout_ms);

/** How many password hashes or verifications are running right now (for
 *  metrics and tests). */
unsigned crypto_hash_slots_in_use(void);

/** Writes the SHA-256 of data[0..n) as 64 lower-case hex characters and a
 *  NUL into out (CRYPTO_SHA256_HEX_BUFSZ bytes). */
void crypto_sha256_hex(const void *data, size_t n, char *out);

/** Writes the SHA-256 of data[0..n) into out (CRYPTO_SHA256_BYTES bytes). */
void crypto_sha256(const void *data, size_t n, unsigned char *out);

/** Writes HMAC-SHA-256 (RFC 2104) of msg under key into out
 *  (CRYPTO_SHA256_BYTES bytes). Keys of any length are accepted. */
void crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
                        unsigned char *out);

/** Fills out[0..n) with bytes from the system's CSPRNG. 0 or -ERR_INTERNAL. */
int crypto_random_bytes(void *out, size_t n);

/** Writes a fresh random token (CRYPTO_TOKEN_BYTES random bytes as base64url
 *  without padding: 43 characters of A-Z a-z 0-9 - _) and a NUL into out
 *  (CRYPTO_TOKEN_BUFSZ bytes). Fit for session ids, CSRF and API tokens.
 *  0 or -ERR_INTERNAL. */
int crypto_random_token(char *out);

/** Whether the C strings a and b are equal, in time that depends on their
 *  lengths only, never on where they differ (for tokens and MACs). NULL is
 *  equal to nothing, not even to NULL. */
bool crypto_streq(const char *a, const char *b);

/** Writes data[0..n) as 2n lower-case hex characters and a NUL into out
 *  (2n + 1 bytes). */
void crypto_hex_encode(const void *data, size_t n, char *out);

/** Decodes the hex string hex[0..hexlen) (either letter case) into out,
 *  which has room for outsz bytes; *outlen receives hexlen / 2.
 *  Returns 0, or -ERR_INVALID for an odd length, a non-hex character or too
 *  small a buffer; out and *outlen are set only on success. */
int crypto_hex_decode(const char *hex, size_t hexlen, void *out, size_t outsz, size_t *outlen);

/** Hashes password (a C string of at most CRYPTO_PASSWORD_MAX bytes) with
 *  Argon2id at the fixed parameters and a random salt, writing the encoded
 *  hash ("$argon2id$v=19$m=19456,t=2,p=1$...") into out (CRYPTO_PWHASH_BUFSZ
 *  bytes). Returns 0; -ERR_INVALID for NULL or too long a password;
 *  -ERR_UNAVAILABLE when no hashing slot freed within the timeout;
 *  -ERR_INTERNAL when libsodium fails (out of memory). */
int crypto_password_hash(const char *password, char *out);

/** Checks password against an encoded hash made by crypto_password_hash (or
 *  by any Argon2 parameters libsodium understands). Returns 0 when it
 *  matches; -ERR_BAD_CREDENTIALS when it does not or when the hash is not a
 *  hash libsodium can read; -ERR_INVALID for NULL arguments or too long a
 *  password or hash; -ERR_UNAVAILABLE when no hashing slot freed within the
 *  timeout. */
int crypto_password_verify(const char *hash, const char *password);

/** Whether hash was made with other parameters than the current ones, so
 *  that the caller should rehash the password after a successful verify:
 *  1 yes (also for any Argon2i hash), 0 no, -ERR_INVALID when hash is not
 *  an Argon2 hash libsodium can read. */
int crypto_password_needs_rehash(const char *hash);
#endif
