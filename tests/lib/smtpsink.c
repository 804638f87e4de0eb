/**
 * @file smtpsink.c
 * @brief The loopback SMTP sink of the tests (see smtpsink.h): a listening
 *        thread that starts one thread per connection, each reading lines
 *        with a short timeout so that stopping never waits on a client.
 */
#include "smtpsink.h"
#include "testlib.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256

struct smtpsink {
    int fd;
    unsigned port;
    char url[64];
    pthread_t acceptor;
    pthread_t conns[MAX_CONNS];
    int nconns;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    enum smtpsink_mode mode;
    struct smtpsink_msg *msgs;
    int nmsgs, cap;
};

struct conn {
    struct smtpsink *s;
    int fd;
};

static int stopping(struct smtpsink *s)
{
    pthread_mutex_lock(&s->mu);
    int v = s->stop;
    pthread_mutex_unlock(&s->mu);
    return v;
}

static enum smtpsink_mode mode_now(struct smtpsink *s)
{
    pthread_mutex_lock(&s->mu);
    enum smtpsink_mode m = s->mode;
    pthread_mutex_unlock(&s->mu);
    return m;
}

static void say(int fd, const char *line)
{
    size_t n = strlen(line);
    while (n) {
        ssize_t w = send(fd, line, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        line += w;
        n -= (size_t)w;
    }
}

/* Reads one CRLF-terminated line (without CRLF) into a malloc'd string;
 * NULL when the client went away or the sink stops. pending holds bytes
 * read past the line. */
static char *read_line(struct smtpsink *s, int fd, char *pending, size_t *plen, size_t cap)
{
    for (;;) {
        for (size_t i = 0; i + 1 < *plen; i++)
            if (pending[i] == '\r' && pending[i + 1] == '\n') {
                char *line = strndup(pending, i);
                memmove(pending, pending + i + 2, *plen - i - 2);
                *plen -= i + 2;
                return line;
            }
        if (*plen == cap) /* a line longer than any SMTP allows */
            return NULL;
        if (stopping(s))
            return NULL;
        ssize_t r = recv(fd, pending + *plen, cap - *plen, 0);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (r <= 0)
            return NULL;
        *plen += (size_t)r;
    }
}

/* The text between < and > of "MAIL FROM:<a@b>", malloc'd. */
static char *angle(const char *line)
{
    const char *a = strchr(line, '<'), *b = a ? strchr(a, '>') : NULL;
    return a && b ? strndup(a + 1, (size_t)(b - a - 1)) : strdup("");
}

static void *conn_main(void *arg)
{
    struct conn *cn = arg;
    struct smtpsink *s = cn->s;
    int fd = cn->fd;
    free(cn);
    struct timeval tv = {0, 100 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    enum smtpsink_mode mode = mode_now(s);
    if (mode == SMTPSINK_DROP) {
        close(fd);
        return NULL;
    }
    if (mode == SMTPSINK_HANG) {
        /* Like a server behind a black hole: hold the line until the
         * client gives up or the sink stops. */
        char junk[256];
        while (!stopping(s)) {
            ssize_t r = recv(fd, junk, sizeof junk, 0);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                break;
        }
        close(fd);
        return NULL;
    }
    if (mode == SMTPSINK_REFUSE) {
        say(fd, "421 4.3.2 sink: service not available\r\n");
        close(fd);
        return NULL;
    }
    say(fd, "220 sink.test ESMTP ready\r\n");
    size_t cap = 65536, plen = 0;
    char *pending = malloc(cap);
    char *from = NULL, *rcpt = NULL, *line;
    while ((line = read_line(s, fd, pending, &plen, cap))) {
        if (!strncasecmp(line, "EHLO", 4)) {
            say(fd, "250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n");
        } else if (!strncasecmp(line, "HELO", 4)) {
            say(fd, "250 sink.test\r\n");
        } else if (!strncasecmp(line, "MAIL FROM:", 10)) {
            free(from);
            from = angle(line);
            say(fd, "250 2.1.0 OK\r\n");
        } else if (!strncasecmp(line, "RCPT TO:", 8)) {
            if (mode_now(s) == SMTPSINK_REJECT_RCPT) {
                say(fd, "550 5.1.1 sink: no such user\r\n");
            } else {
                free(rcpt);
                rcpt = angle(line);
                say(fd, "250 2.1.5 OK\r\n");
            }
        } else if (!strcasecmp(line, "DATA")) {
            if (!from || !rcpt) {
                say(fd, "503 5.5.1 sink: need MAIL and RCPT first\r\n");
                free(line);
                continue;
            }
            say(fd, "354 end with <CRLF>.<CRLF>\r\n");
            char *dl;
            size_t cap2 = 4096, len = 0;
            char *data = malloc(cap2);
            int done = 0;
            while ((dl = read_line(s, fd, pending, &plen, cap))) {
                if (!strcmp(dl, ".")) {
                    free(dl);
                    done = 1;
                    break;
                }
                const char *t = dl[0] == '.' ? dl + 1 : dl; /* undo dot-stuffing */
                size_t n = strlen(t);
                while (len + n + 3 > cap2)
                    data = realloc(data, cap2 *= 2);
                memcpy(data + len, t, n);
                len += n;
                data[len++] = '\r';
                data[len++] = '\n';
                free(dl);
            }
            data[len] = 0;
            if (!done) {
                free(data);
                break;
            }
            pthread_mutex_lock(&s->mu);
            if (s->nmsgs == s->cap)
                s->msgs = realloc(s->msgs, sizeof *s->msgs * (size_t)(s->cap = s->cap ? s->cap * 2 : 16));
            s->msgs[s->nmsgs++] = (struct smtpsink_msg){strdup(from), strdup(rcpt), data};
            pthread_cond_broadcast(&s->cv);
            pthread_mutex_unlock(&s->mu);
            free(from);
            free(rcpt);
            from = rcpt = NULL;
            say(fd, "250 2.0.0 OK queued\r\n");
        } else if (!strcasecmp(line, "RSET")) {
            free(from);
            free(rcpt);
            from = rcpt = NULL;
            say(fd, "250 2.0.0 OK\r\n");
        } else if (!strcasecmp(line, "NOOP")) {
            say(fd, "250 2.0.0 OK\r\n");
        } else if (!strcasecmp(line, "QUIT")) {
            say(fd, "221 2.0.0 bye\r\n");
            free(line);
            break;
        } else {
            say(fd, "502 5.5.2 sink: not implemented\r\n");
        }
        free(line);
    }
    free(from);
    free(rcpt);
    free(pending);
    close(fd);
    return NULL;
}

static void *accept_main(void *arg)
{
    struct smtpsink *s = arg;
    while (!stopping(s)) {
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&s->mu);
        if (s->nconns == MAX_CONNS) {
            pthread_mutex_unlock(&s->mu);
            close(fd);
            continue;
        }
        struct conn *cn = malloc(sizeof *cn);
        cn->s = s;
        cn->fd = fd;
        if (pthread_create(&s->conns[s->nconns], NULL, conn_main, cn) == 0)
            s->nconns++;
        else {
            close(fd);
            free(cn);
        }
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

struct smtpsink *smtpsink_start(void)
{
    struct smtpsink *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(s->fd, 64) < 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &al) < 0)
        fail_msg("smtpsink: cannot listen on loopback: %s", strerror(errno));
    s->port = ntohs(a.sin_port);
    snprintf(s->url, sizeof s->url, "smtp://127.0.0.1:%u", s->port);
    if (pthread_create(&s->acceptor, NULL, accept_main, s) != 0)
        fail_msg("smtpsink: cannot start its thread");
    return s;
}

void smtpsink_stop(struct smtpsink *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->acceptor, NULL);
    for (int i = 0; i < s->nconns; i++)
        pthread_join(s->conns[i], NULL);
    close(s->fd);
    for (int i = 0; i < s->nmsgs; i++)
        smtpsink_msg_free(&s->msgs[i]);
    free(s->msgs);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

unsigned smtpsink_port(const struct smtpsink *s)
{
    return s->port;
}

const char *smtpsink_url(const struct smtpsink *s)
{
    return s->url;
}

void smtpsink_set_mode(struct smtpsink *s, enum smtpsink_mode mode)
{
    pthread_mutex_lock(&s->mu);
    s->mode = mode;
    pthread_mutex_unlock(&s->mu);
}

int smtpsink_count(struct smtpsink *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->nmsgs;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int smtpsink_connections(struct smtpsink *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->nconns;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int smtpsink_wait(struct smtpsink *s, int n, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    while (s->nmsgs < n && pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT)
        ;
    int got = s->nmsgs;
    pthread_mutex_unlock(&s->mu);
    return got;
}

int smtpsink_get(struct smtpsink *s, int i, struct smtpsink_msg *out)
{
    pthread_mutex_lock(&s->mu);
    int ok = i >= 0 && i < s->nmsgs;
    if (ok) {
        out->from = strdup(s->msgs[i].from);
        out->rcpt = strdup(s->msgs[i].rcpt);
        out->data = strdup(s->msgs[i].data);
    }
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : -1;
}

void smtpsink_msg_free(struct smtpsink_msg *m)
{
    free(m->from);
    free(m->rcpt);
    free(m->data);
    m->from = m->rcpt = m->data = NULL;
}

/* --- reading messages --- */

char *mail_header(const char *data, const char *name)
{
    size_t nl = strlen(name);
    const char *p = data;
    while (*p && !(p[0] == '\r' && p[1] == '\n')) { /* up to the blank line */
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            break;
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            /* Unfold: CRLF followed by white space joins the next line. */
            size_t cap = strlen(p) + 1, len = 0;
            char *v = malloc(cap);
            const char *q = p + nl + 1;
            while (*q == ' ' || *q == '\t')
                q++;
            for (;;) {
                if (q[0] == '\r' && q[1] == '\n') {
                    if (q[2] == ' ' || q[2] == '\t') {
                        q += 2;
                        continue;
                    }
                    break;
                }
                if (!*q)
                    break;
                v[len++] = *q++;
            }
            v[len] = 0;
            return v;
        }
        p = eol + 2;
    }
    return NULL;
}

/* Decodes one encoded-word's text (charset already checked) into out. */
static void decode_word(char enc, const char *t, size_t n, char **out, size_t *len)
{
    if (enc == 'B' || enc == 'b') {
        unsigned char *bin = malloc(n + 1);
        size_t bl = 0;
        if (sodium_base642bin(bin, n + 1, t, n, NULL, &bl, NULL,
                              sodium_base64_VARIANT_ORIGINAL) == 0) {
            memcpy(*out + *len, bin, bl);
            *len += bl;
        }
        free(bin);
        return;
    }
    for (size_t i = 0; i < n; i++) { /* Q: "_" is space, =XX a byte */
        if (t[i] == '_')
            (*out)[(*len)++] = ' ';
        else if (t[i] == '=' && i + 2 < n && isxdigit((unsigned char)t[i + 1]) &&
                 isxdigit((unsigned char)t[i + 2])) {
            char hex[3] = {t[i + 1], t[i + 2], 0};
            (*out)[(*len)++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else
            (*out)[(*len)++] = t[i];
    }
}

char *mail_decode_words(const char *value)
{
    size_t len = 0;
    char *out = malloc(strlen(value) + 1);
    const char *p = value;
    while (*p) {
        if (!strncasecmp(p, "=?UTF-8?", 8) && (p[8] == 'B' || p[8] == 'b' || p[8] == 'Q' ||
                                               p[8] == 'q') && p[9] == '?') {
            const char *t = p + 10, *end = strstr(t, "?=");
            if (end) {
                decode_word(p[8], t, (size_t)(end - t), &out, &len);
                p = end + 2;
                /* White space between two encoded-words is not text. */
                const char *q = p;
                while (*q == ' ' || *q == '\t')
                    q++;
                if (!strncasecmp(q, "=?", 2))
                    p = q;
                continue;
            }
        }
        out[len++] = *p++;
    }
    out[len] = 0;
    return out;
}

char *mail_body(const char *data)
{
    const char *b = strstr(data, "\r\n\r\n");
    b = b ? b + 4 : data + strlen(data);
    char *cte = mail_header(data, "Content-Transfer-Encoding");
    int base64 = cte && !strcasecmp(cte, "base64");
    free(cte);
    size_t n = strlen(b);
    char *raw;
    size_t rl = 0;
    if (base64) {
        raw = malloc(n + 1);
        if (sodium_base642bin((unsigned char *)raw, n + 1, b, n, "\r\n", &rl, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
            rl = 0;
    } else {
        raw = malloc(n + 1);
        memcpy(raw, b, n);
        rl = n;
    }
    char *out = malloc(rl + 1);
    size_t ol = 0;
    for (size_t i = 0; i < rl; i++)
        if (!(raw[i] == '\r' && i + 1 < rl && raw[i + 1] == '\n'))
            out[ol++] = raw[i];
    out[ol] = 0;
    free(raw);
    return out;
}
