/**
 * @file smtpsink.h
 * @brief A tiny SMTP server for tests, on a free loopback port in a thread
 *        of the test: it speaks enough SMTP for libcurl (EHLO/HELO, MAIL
 *        FROM, RCPT TO, DATA, RSET, NOOP, QUIT), records every message it
 *        accepts, and can be told to misbehave to simulate an outage. Also
 *        helpers to read what it recorded (headers, RFC 2047 words, a base64
 *        body).
 */
#ifndef ONEHALL_SMTPSINK_H
#define ONEHALL_SMTPSINK_H
#include <stddef.h>

enum smtpsink_mode {
    SMTPSINK_ACCEPT,      /**< a working mail server */
    SMTPSINK_REFUSE,      /**< greets with "421 service not available" and hangs up */
    SMTPSINK_DROP,        /**< closes every connection at once, without a word */
    SMTPSINK_REJECT_RCPT, /**< answers RCPT TO with "550 no such user" */
    SMTPSINK_HANG,        /**< accepts the connection and never says a word */
};

struct smtpsink;

/** One recorded message (strings malloc'd). data is the DATA section with
 *  dot-stuffing undone and CRLF line ends, without the final ".". */
struct smtpsink_msg {
    char *from;
    char *rcpt;
    char *data;
};

/** Starts the sink on 127.0.0.1 (free port) in mode SMTPSINK_ACCEPT; fails
 *  the test when it cannot. */
struct smtpsink *smtpsink_start(void);
/** Stops the thread(s), frees everything. */
void smtpsink_stop(struct smtpsink *s);
unsigned smtpsink_port(const struct smtpsink *s);
/** "smtp://127.0.0.1:PORT" (borrowed). */
const char *smtpsink_url(const struct smtpsink *s);
/** Takes effect for the next connection (and the next RCPT command). */
void smtpsink_set_mode(struct smtpsink *s, enum smtpsink_mode mode);
/** Messages accepted so far. */
int smtpsink_count(struct smtpsink *s);
/** Connections accepted so far, whatever became of them. */
int smtpsink_connections(struct smtpsink *s);
/** Waits until at least n messages were accepted or timeout_ms passed;
 *  returns the count then. */
int smtpsink_wait(struct smtpsink *s, int n, int timeout_ms);
/** Copies message i (from 0) into out; 0, or -1 when there is none. */
int smtpsink_get(struct smtpsink *s, int i, struct smtpsink_msg *out);
void smtpsink_msg_free(struct smtpsink_msg *m);

/** The value of the first header called name (case-insensitive) in an
 *  RFC 5322 message, unfolded; malloc'd, NULL when absent. */
char *mail_header(const char *data, const char *name);
/** A header value with its RFC 2047 encoded-words ("B" and "Q", UTF-8)
 *  decoded; white space between adjacent words dropped. malloc'd. */
char *mail_decode_words(const char *value);
/** The body of a message, decoded when its Content-Transfer-Encoding is
 *  base64, with CRLF turned into LF; malloc'd. */
char *mail_body(const char *data);
#endif
