/**
 * @file test_lifecycle.c
 * @brief The server's life: HTTPS served directly with a certificate (and
 *        session cookies marked Secure there), a graceful stop that lets a
 *        request in flight finish, and the operator's commands (user list,
 *        disable) acting on a running hall.
 */
#include "apitest.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_https(void **state)
{
    char *dir = test_tmpdir();
    char cmd[2048], cert[256], key[256];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 1 "
             "-subj /CN=localhost >/dev/null 2>&1",
             key, cert);
    assert_int_equal(system(cmd), 0);
    const char *args[] = {"--tls-cert", cert, "--tls-key", key, NULL};
    struct hall *h = hall_start(test_db_url(), args);
    hall_create_user(h, "tlsuser", "加密", "tls-pass-01", "staff");
    struct client *c = client_new(h);
    struct resp *r = client_get(c, "/login");
    assert_int_equal(r->status, 200);
    char *hsts = resp_header(r, "Strict-Transport-Security");
    assert_non_null(hsts);
    free(hsts);
    char *csrf = html_input_value(r->body, "csrf");
    resp_free(r);
    char form[256];
    snprintf(form, sizeof form, "csrf=%s&username=tlsuser&password=tls-pass-01", csrf);
    r = client_form(c, "/login", form);
    assert_int_equal(r->status, 303);
    char *cookie = resp_header(r, "Set-Cookie");
    assert_non_null(strstr(cookie, "; Secure"));
    free(cookie);
    resp_free(r);
    free(csrf);
    client_free(c);
    assert_int_equal(hall_stop(h), 0);
    test_rmrf(dir);
    free(dir);
}

static void test_graceful_stop(void **state)
{
    struct hall *h = hall_start(test_db_url(), NULL);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    const char *body = "{\"username\":\"nobody\",\"password\":\"whatever-1\"}";
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     "\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     strlen(body));
    assert_int_equal(send(fd, head, (size_t)n, 0), n);
    assert_int_equal(send(fd, body, 10, 0), 10); /* half the body */
    usleep(200 * 1000);
    kill(h->pid, SIGTERM);
    usleep(300 * 1000);
    /* Stopped accepting: a new connection is refused. */
    int fd2 = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_not_equal(connect(fd2, (struct sockaddr *)&a, sizeof a), 0);
    close(fd2);
    /* The request in flight still gets its answer. */
    size_t rest = strlen(body) - 10;
    assert_int_equal(send(fd, body + 10, rest, 0), (ssize_t)rest);
    char buf[1024] = "";
    ssize_t k = recv(fd, buf, sizeof buf - 1, MSG_WAITALL);
    assert_true(k > 0);
    assert_non_null(strstr(buf, "HTTP/1.1 401"));
    close(fd);
    int st;
    assert_int_equal(waitpid(h->pid, &st, 0), h->pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    h->pid = 0;
    hall_stop(h);
}

static void test_operator_commands(void **state)
{
    struct hall *h = hall_start(test_db_url(), NULL);
    hall_create_user(h, "opuser", "操作员", "op-pass-001", "staff,catalog_editor");
    char *tok = api_login(h, "opuser", "op-pass-001");
    assert_non_null(tok);
    char *out = NULL;
    const char *list[] = {"user", "list", NULL};
    assert_int_equal(hall_cli(h, NULL, &out, list), 0);
    assert_non_null(strstr(out, "opuser"));
    assert_non_null(strstr(out, "catalog_editor"));
    free(out);
    const char *disable[] = {"user", "disable", "opuser", NULL};
    assert_int_equal(hall_cli(h, NULL, NULL, disable), 0);
    /* A disabled account's sessions end at once; it cannot log in. */
    struct client *c = client_new(h);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    struct resp *r = client_get(c, "/api/v1/accounts/me");
    assert_int_equal(r->status, 401);
    resp_free(r);
    char *again = api_login(h, "opuser", "op-pass-001");
    assert_null(again);
    const char *unknown[] = {"user", "grant", "opuser", "emperor", NULL};
    assert_int_not_equal(hall_cli(h, NULL, NULL, unknown), 0);
    const char *bad[] = {"user", "create", "--username", "9lives", "--name", "x", NULL};
    assert_int_not_equal(hall_cli(h, "pass-word-1\n", NULL, bad), 0);
    client_free(c);
    free(tok);
    assert_int_equal(hall_stop(h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https),
        cmocka_unit_test(test_graceful_stop),
        cmocka_unit_test(test_operator_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
