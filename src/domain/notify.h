/**
 * @file notify.h
 * @brief Notifications: the message centre every person has in the hall,
 *        and the durable outbox through which e-mail (SMTP, libcurl) and
 *        SMS (a sender interface; a logging sender by default) go out.
 *
 * A change that should tell someone calls notify_send inside its own
 * transaction: the message-centre row and the outbox rows exist exactly when
 * that change committed, and nothing here touches the network. A sender
 * (notify_outbox_run_once, or the thread of notify_outbox_start in `onehall
 * serve`) later claims due outbox rows, delivers them and marks them sent,
 * or schedules a retry with exponential back-off, so a mail server that is
 * down delays messages and loses none. docs/notifications.md tells the
 * whole story.
 */
#ifndef ONEHALL_NOTIFY_H
#define ONEHALL_NOTIFY_H
#include "core/err.h"
#include "core/i18n.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;
struct arena;
struct buf;

/* --- writing notifications --- */

/** Writes a notification for account_id; call INSIDE the caller's
 *  transaction. kind names what happened ("account.welcome"); subject_key
 *  and body_key are translation keys whose texts may hold "{name}"-style
 *  placeholders filled from args (a JSON object of strings and integers,
 *  borrowed, may be NULL); the account's own "name" is always available as
 *  {name}. link is an in-hall path the message points to, or NULL.
 *
 *  Always writes the message-centre row; adds an e-mail outbox row when the
 *  account has an e-mail address and an SMS row when it has a phone number,
 *  each rendered in the account's language (accounts.lang, zh-CN when
 *  unset). Never talks to the network. Returns 0, or a negative store code
 *  (STORE_BUSY lets store_tx retry the whole transaction; STORE_ERROR also
 *  when the account does not exist). */
int notify_send(struct store_conn *c, int64_t account_id, const char *kind,
                const char *subject_key, const char *body_key, const json_t *args,
                const char *link);

/** Renders the translation of key in lang with "{name}" placeholders taken
 *  from args_json (a JSON object as text; NULL or malformed means none), into
 *  out (appended). A placeholder without a value is left as written, so a
 *  missing argument is visible rather than silently dropped. */
void notify_render(enum lang lang, const char *key, const char *args_json, struct buf *out);

/** Sets the language a person receives e-mail and SMS in ("zh-CN" or
 *  "en"). Errors: ERR_INVALID (field "lang") for another tag, ERR_NOT_FOUND. */
int notify_set_lang(struct store_conn *c, int64_t account_id, const char *lang, struct err *e);

/* --- the message centre --- */

/** One message as stored; strings live in the arena given to notify_list. */
struct notify_message {
    int64_t id;
    const char *kind;
    const char *subject_key;
    const char *body_key;
    const char *args;       /**< JSON object text */
    const char *link;       /**< NULL when none */
    const char *created_at; /**< ISO 8601 */
    const char *read_at;    /**< NULL while unread */
};

struct notify_list {
    struct notify_message *items; /**< newest first, in the arena */
    int n;
    int64_t total;  /**< all of the person's messages */
    int64_t unread; /**< of those, not yet read */
};

/** The person's messages, newest first: page (from 1) of per_page (1..100).
 *  Errors: ERR_UNAVAILABLE when the database fails. */
int notify_list(struct store_conn *c, struct arena *a, int64_t account_id, int page,
                int per_page, struct notify_list *out, struct err *e);

/** Marks one of the person's own messages read (again is harmless: the first
 *  read time stays) and loads it into out (arena strings). A message of
 *  someone else, or none, is ERR_NOT_FOUND: the answer does not tell which. */
int notify_mark_read(struct store_conn *c, struct arena *a, int64_t account_id,
                     int64_t message_id, struct notify_message *out, struct err *e);

/* --- delivering the outbox --- */

/** An SMS gateway. send returns 0 when the gateway took the message, 1 when
 *  it refused it for good (a number it will never deliver to), or -1 for a
 *  failure worth retrying; err receives a line for the operator. */
struct notify_sms_sender {
    const char *name;
    int (*send)(void *cls, const char *phone, const char *text, char *err, size_t errlen);
    void *cls;
};

/** How the outbox is delivered (`onehall serve` fills it from its settings). */
struct notify_settings {
    const char *smtp_url;      /**< smtp://host:port or smtps://...; NULL or "": e-mail is
                                    appended to data_dir/mail.log instead */
    const char *smtp_from;     /**< envelope sender and From address */
    const char *smtp_user;     /**< NULL or "": no SMTP authentication */
    const char *smtp_password;
    const char *sms_sender;    /**< "log" (data_dir/sms.log); NULL means "log" */
    const char *data_dir;      /**< where the logging senders write */
    int interval_s;            /**< seconds between passes of the thread (0: 5) */
    int give_up_s;             /**< a row older than this that fails is marked failed (0: 86400) */
    int batch;                 /**< rows claimed per pass at most (0: 50) */
    int timeout_s;             /**< SMTP connect + transfer limit per message (0: 30) */
};

/** Delivery retry delays: 1 min after the first failure, doubling, at most
 *  1 h. A row is claimed for this long; a sender that dies while holding a
 *  claim leaves the row to be taken again when it expires. */
#define NOTIFY_RETRY_FIRST_MS (60 * 1000LL)
#define NOTIFY_RETRY_MAX_MS (3600 * 1000LL)
#define NOTIFY_LEASE_MS (5 * 60 * 1000LL)

/** What one pass did. */
struct notify_pass {
    int claimed;   /**< rows this pass took */
    int sent;      /**< delivered and marked sent */
    int retried;   /**< failed, due again later */
    int failed;    /**< given up (permanent refusal or past the horizon) */
    int skipped;   /**< due e-mail left for the next pass after the server failed */
};

/** Builds the RFC 5322 text of one e-mail (CRLF line ends): Date (display
 *  zone +0800), From (from_name as an RFC 2047 encoded-word, then <from>),
 *  To, Subject (RFC 2047 "B" encoded-words when not plain ASCII, folded to
 *  lines under 78 characters), Message-ID <message_id>, MIME-Version,
 *  text/plain UTF-8 body in base64. Returns a heap string; caller frees. */
char *notify_mail_build(const char *from, const char *from_name, const char *to,
                        const char *subject, const char *body, const char *message_id,
                        int64_t date_ms);

/** Checks settings (SMTP URL scheme, SMS sender name); 0 or -1 with a
 *  message for the operator in errbuf. */
int notify_settings_check(const struct notify_settings *s, char *errbuf, size_t errlen);

/** One pass over the outbox: claims due rows one by one with a
 *  compare-and-set (so several senders, in this process or others on the
 *  same database, never deliver one row twice), delivers each, and marks it
 *  sent, due again after a back-off, or failed. After an e-mail fails for a
 *  reason of the server (not the recipient), the remaining e-mail of the pass
 *  is left alone: a dead server costs one attempt per pass, not one per row.
 *  stop, when not NULL, is polled: a pass ends early once it is non-zero,
 *  giving back any row it holds. out may be NULL. Returns the number of rows
 *  claimed, or a negative store code. Needs curl_global_init done. */
int notify_outbox_run_once(struct store_conn *c, const struct notify_settings *s,
                           const volatile int *stop, struct notify_pass *out);

/** The sender thread of `onehall serve`: a pass every interval_s (at once
 *  again while passes find full batches). */
struct notify_outbox;
/** Starts it (calls curl_global_init); NULL with a message on failure. The
 *  settings' strings are copied. */
struct notify_outbox *notify_outbox_start(struct store *s, const struct notify_settings *cfg,
                                          char *errbuf, size_t errlen);
/** Stops it: a send in flight is cut short and its row given back; returns
 *  when the thread has ended (before the database is closed). NULL is fine. */
void notify_outbox_stop(struct notify_outbox *ob);
#endif
