/**
 * @file test_http.c
 * @brief The HTTP layer as a client meets it, against the real server:
 *        health, unknown routes and methods, problem+json in the caller's
 *        language, security headers, limits (body, header, connections per
 *        address), malformed bodies, static assets with ETags, graceful stop.
 */
#include "apitest.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct hall *H;

static int up(void **state)
{
    const char *args[] = {"--max-body", "4096", "--max-per-ip", "4", "--max-header", "8192",
                          NULL};
    H = hall_start(test_db_url(), args);
    return H ? 0 : -1;
}

static int down(void **state)
{
    assert_int_equal(hall_stop(H), 0); /* SIGTERM: a clean exit 0 */
    return 0;
}

static void expect_header(const struct resp *r, const char *name, const char *want)
{
    char *v = resp_header(r, name);
    if (!v)
        fail_msg("no %s header", name);
    if (want && !strstr(v, want))
        fail_msg("%s: %s lacks %s", name, v, want);
    free(v);
}

static void expect_security_headers(const struct resp *r)
{
    expect_header(r, "Content-Security-Policy", "frame-ancestors 'none'");
    expect_header(r, "X-Content-Type-Options", "nosniff");
    expect_header(r, "Referrer-Policy", NULL);
}

static void expect_problem(const struct resp *r, long status, const char *type)
{
    if (r->status != status)
        fail_msg("status %ld, want %ld: %s", r->status, status, r->body);
    expect_header(r, "Content-Type", "application/problem+json");
    json_t *j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "type")), type);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), status);
    assert_non_null(json_string_value(json_object_get(j, "title")));
    assert_non_null(json_string_value(json_object_get(j, "detail")));
    json_decref(j);
    expect_security_headers(r);
}

static void test_health(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/healthz");
    assert_int_equal(r->status, 200);
    json_t *j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    json_decref(j);
    expect_security_headers(r);
    resp_free(r);
    r = client_get(c, "/api/v1/openapi.json");
    assert_int_equal(r->status, 200);
    j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "openapi")), "3.1.0");
    assert_non_null(json_object_get(json_object_get(j, "paths"), "/api/v1/session"));
    json_decref(j);
    resp_free(r);
    client_free(c);
}

static void test_unknown_routes_and_methods(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/api/v1/no/such/thing");
    expect_problem(r, 404, "/problems/not-found");
    json_t *j = resp_json(r);
    /* Chinese by default. */
    assert_non_null(strstr(json_string_value(json_object_get(j, "title")), "找不到"));
    json_decref(j);
    resp_free(r);
    const char *en[] = {"Accept-Language: en-GB,en;q=0.9", NULL};
    r = client_req(c, "GET", "/api/v1/no/such/thing", NULL, NULL, 0, en);
    j = resp_json(r);
    assert_non_null(strstr(json_string_value(json_object_get(j, "title")), "not found"));
    json_decref(j);
    expect_header(r, "Content-Language", "en");
    resp_free(r);
    r = client_json(c, "PUT", "/healthz", "{}");
    assert_int_equal(r->status, 405);
    resp_free(r);
    r = client_json(c, "DELETE", "/api/v1/accounts", NULL);
    expect_problem(r, 405, "/problems/method-not-allowed");
    resp_free(r);
    client_free(c);
}

static void test_bad_bodies(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_json(c, "POST", "/api/v1/session", "{\"username\": ");
    expect_problem(r, 400, "/problems/malformed-json");
    resp_free(r);
    r = client_json(c, "POST", "/api/v1/session", "[1,2]");
    expect_problem(r, 400, "/problems/malformed-json");
    resp_free(r);
    r = client_json(c, "POST", "/api/v1/session", "{\"a\":1,\"a\":2}");
    expect_problem(r, 400, "/problems/malformed-json");
    resp_free(r);
    const char bad_utf8[] = "{\"username\":\"\xff\xfe\",\"password\":\"x\"}";
    r = client_req(c, "POST", "/api/v1/session", "application/json", bad_utf8,
                   sizeof bad_utf8 - 1, NULL);
    assert_int_equal(r->status, 400);
    resp_free(r);
    r = client_req(c, "POST", "/api/v1/session", "text/plain", "hello", 5, NULL);
    /* A non-JSON post without a CSRF token is refused before anything. */
    assert_true(r->status == 403 || r->status == 415);
    resp_free(r);
    r = client_json(c, "POST", "/api/v1/session", "{\"username\": 5, \"password\": \"x\"}");
    expect_problem(r, 422, "/problems/validation-failed");
    json_t *j = resp_json(r);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "username");
    json_decref(j);
    resp_free(r);
    /* Invalid UTF-8 in the path. */
    r = client_get(c, "/api/v1/%FF%FE");
    assert_int_equal(r->status, 400);
    resp_free(r);
    client_free(c);
}

static void test_body_limit(void **state)
{
    struct client *c = client_new(H);
    size_t n = 64 * 1024;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = 0;
    struct resp *r = client_req(c, "POST", "/api/v1/session", "application/json", big, n, NULL);
    expect_problem(r, 413, "/problems/payload-too-large");
    resp_free(r);
    free(big);
    /* The server goes on serving. */
    r = client_get(c, "/healthz");
    assert_int_equal(r->status, 200);
    resp_free(r);
    client_free(c);
}

/* Sends raw bytes and returns the first line of the answer ("" if closed). */
static void raw_exchange(const char *req, size_t len, char *line, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    ssize_t w = send(fd, req, len, MSG_NOSIGNAL);
    (void)w;
    char buf[512] = "";
    ssize_t k = recv(fd, buf, sizeof buf - 1, 0);
    buf[k > 0 ? k : 0] = 0;
    snprintf(line, n, "%.*s", (int)strcspn(buf, "\r\n"), buf);
    close(fd);
}

static void test_header_limit_and_chunked_body(void **state)
{
    size_t n = 32 * 1024;
    char *req = malloc(n + 256);
    int off = sprintf(req, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(req + off, 'b', n);
    off += (int)n;
    off += sprintf(req + off, "\r\n\r\n");
    char line[256];
    raw_exchange(req, (size_t)off, line, sizeof line);
    /* Refused (431) or cut off; never served. */
    assert_null(strstr(line, " 200 "));
    free(req);
    /* A chunked body beyond the limit: 413 at the end, no Content-Length to
     * decide by. */
    char *chunked = malloc(10000);
    off = sprintf(chunked, "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; i++) {
        off += sprintf(chunked + off, "800\r\n");
        memset(chunked + off, ' ', 0x800);
        off += 0x800;
        off += sprintf(chunked + off, "\r\n");
    }
    off += sprintf(chunked + off, "0\r\n\r\n");
    raw_exchange(chunked, (size_t)off, line, sizeof line);
    assert_non_null(strstr(line, "413"));
    free(chunked);
}

static void test_connections_per_ip(void **state)
{
    int fds[8];
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)H->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    for (int i = 0; i < 6; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(connect(fds[i], (struct sockaddr *)&a, sizeof a), 0);
    }
    usleep(200 * 1000);
    /* Beyond --max-per-ip 4 the server closes the connection at once. */
    int closed = 0;
    for (int i = 0; i < 6; i++) {
        struct pollfd p = {fds[i], POLLIN, 0};
        char c;
        if (poll(&p, 1, 300) == 1 && recv(fds[i], &c, 1, MSG_DONTWAIT) == 0)
            closed++;
    }
    /* At most 4 stay open (a keep-alive connection of an earlier client may
     * still count against the address for a moment). */
    assert_true(closed >= 2 && closed < 6);
    for (int i = 0; i < 6; i++)
        close(fds[i]);
    usleep(200 * 1000);
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/healthz");
    assert_int_equal(r->status, 200);
    resp_free(r);
    client_free(c);
}

static void test_static_assets(void **state)
{
    struct client *c = client_new(H);
    struct resp *r = client_get(c, "/assets/app.css");
    assert_int_equal(r->status, 200);
    expect_header(r, "Content-Type", "text/css");
    expect_header(r, "Cache-Control", "max-age");
    expect_security_headers(r);
    char *etag = resp_header(r, "ETag");
    assert_non_null(etag);
    resp_free(r);
    char inm[128];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *h[] = {inm, NULL};
    r = client_req(c, "GET", "/assets/app.css", NULL, NULL, 0, h);
    assert_int_equal(r->status, 304);
    assert_int_equal(r->len, 0);
    resp_free(r);
    r = client_get(c, "/assets/../CMakeLists.txt");
    assert_true(r->status == 404 || r->status == 400);
    resp_free(r);
    r = client_get(c, "/assets/nope.css");
    assert_int_equal(r->status, 404);
    resp_free(r);
    free(etag);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_unknown_routes_and_methods),
        cmocka_unit_test(test_bad_bodies),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_header_limit_and_chunked_body),
        cmocka_unit_test(test_connections_per_ip),
        cmocka_unit_test(test_static_assets),
    };
    return cmocka_run_group_tests(tests, up, down);
}
