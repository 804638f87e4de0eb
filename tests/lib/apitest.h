/**
 * @file apitest.h
 * @brief API tests start the real onehall binary on a free loopback port
 *        with a fresh data directory, and talk to it over HTTP (libcurl).
 *        A client keeps its own cookies, like one browser.
 */
#ifndef ONEHALL_APITEST_H
#define ONEHALL_APITEST_H
#include "testlib.h"
#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

struct hall {
    pid_t pid;
    unsigned port;
    char *dir;      /**< data directory */
    char *db_url;   /**< NULL for SQLite */
    char base[64];  /**< "http://127.0.0.1:PORT" (https with --tls-cert) */
    int tls;        /**< started with --tls-cert: clients skip certificate checks */
};

/** Starts `onehall serve` (extra args appended, NULL-terminated list) and
 *  waits until /healthz answers. db_url NULL means embedded SQLite; the
 *  environment variable ONEHALL_TEST_PG_URL, when set, is not used unless
 *  passed. Fails the test when it does not come up. */
struct hall *hall_start(const char *db_url, const char *const *extra_args);
/** The database the test should run on: ONEHALL_TEST_PG_URL when
 *  ONEHALL_TEST_BACKEND is "postgres", else NULL (embedded SQLite). */
const char *test_db_url(void);
/** Sends SIGTERM and returns the exit status (0 expected). Removes the dir. */
int hall_stop(struct hall *h);
/** Runs `onehall ARGS --data DIR [--db URL]`; returns the exit code and puts
 *  stdout in *out (caller frees; may be NULL). stdin_text may be NULL. */
int hall_cli(struct hall *h, const char *stdin_text, char **out, const char *const *args);
/** The same with standard error in *out too (what an operator sees). */
int hall_cli_all(struct hall *h, const char *stdin_text, char **out, const char *const *args);
/** Creates a staff account with the roles given (comma list) and password. */
void hall_create_user(struct hall *h, const char *username, const char *name,
                      const char *password, const char *roles);

struct client;
struct resp {
    long status;
    char *body;
    size_t len;
    char *headers; /**< raw header block, lines "Name: value\r\n" */
};

struct client *client_new(struct hall *h);
void client_free(struct client *c);
/** Sets a header sent with every request of this client ("Name: value"). */
void client_header(struct client *c, const char *header);
void client_clear_headers(struct client *c);
/** One request. body may be NULL; content_type defaults to JSON when a body
 *  is given. Extra headers: NULL-terminated list of "Name: value". */
struct resp *client_req(struct client *c, const char *method, const char *path,
                        const char *content_type, const char *body, size_t len,
                        const char *const *headers);
/** Shorthands. */
struct resp *client_get(struct client *c, const char *path);
struct resp *client_json(struct client *c, const char *method, const char *path,
                         const char *json);
struct resp *client_form(struct client *c, const char *path, const char *urlencoded);
/** The value of a response header (case-insensitive), malloc'd; NULL when absent. */
char *resp_header(const struct resp *r, const char *name);
/** The body parsed as JSON (caller decrefs); fails the test when not JSON. */
json_t *resp_json(const struct resp *r);
void resp_free(struct resp *r);
/** The page is well-formed HTML as this project writes it: a doctype, tags
 *  that nest and close (void elements never closed). Fails the test. */
void html_assert_well_formed(const char *html);
/** Every id is unique, and every label for=, aria-describedby,
 *  aria-labelledby and in-page link names an element that is there: a
 *  broken reference silently drops a field's name or its error message for
 *  screen readers. Fails the test. */
void html_assert_refs(const char *html);
/** s percent-encoded for a query or a form (letters, digits, - and _ kept);
 *  malloc'd. */
char *test_urlenc(const char *s);

/** Extracts value="..." of the input named name from HTML (malloc'd) or NULL. */
char *html_input_value(const char *html, const char *name);
/** A cookie of the client's jar, malloc'd, or NULL. */
char *client_cookie(struct client *c, const char *name);
/** Logs in through the API; returns the bearer token (malloc'd) or NULL. */
char *api_login(struct hall *h, const char *username, const char *password);
/** A client carrying username's bearer token; fails the test when the
 *  login fails. */
struct client *api_client(struct hall *h, const char *username, const char *password);
/** Uploads a small PDF named name (POST /api/v1/uploads, multipart) as the
 *  client; fails the test unless it is stored; returns its id. */
int64_t api_upload_pdf(struct client *c, const char *name);
/** A client logged in through the login form (a cookie session); fails the
 *  test when the login fails. */
struct client *page_client(struct hall *h, const char *username, const char *password);
/** Checks a page of the hall: the status, text/html, well-formed with
 *  working references, the layout's <main>, no inline style or script; with
 *  lang, Content-Language and <html lang>; with key_prefix, that no
 *  translation key of that prefix shows (text that missed its translation). */
void page_expect(const struct resp *r, long status, const char *lang, const char *key_prefix);
/** The Location of a 303 answer, malloc'd; fails the test on any other. */
char *page_location(const struct resp *r);
/** A valid resident ID number for tests: region 440604 (Foshan Chancheng),
 *  birth date, sequence; the check digit is computed. out >= 19 bytes. */
void test_id_number(const char *birth_yyyymmdd, int seq, char *out);
#endif
