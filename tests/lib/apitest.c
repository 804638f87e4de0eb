/**
 * @file apitest.c
 * @brief Running the real server for API tests, and a small HTTP client.
 */
#include "apitest.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

const char *test_db_url(void)
{
    const char *b = getenv("ONEHALL_TEST_BACKEND");
    return b && strcmp(b, "postgres") == 0 ? getenv("ONEHALL_TEST_PG_URL") : NULL;
}

struct hall *hall_start(const char *db_url, const char *const *extra)
{
    static int curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_ALL);
        curl_ready = 1;
    }
    struct hall *h = calloc(1, sizeof *h);
    h->dir = test_tmpdir();
    h->db_url = db_url ? strdup(db_url) : NULL;
    for (int i = 0; extra && extra[i]; i++)
        h->tls |= strcmp(extra[i], "--tls-cert") == 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        h->port = free_port();
        snprintf(h->base, sizeof h->base, "%s://127.0.0.1:%u", h->tls ? "https" : "http", h->port);
        char listen[64];
        snprintf(listen, sizeof listen, "127.0.0.1:%u", h->port);
        const char *argv[64] = {ONEHALL_BIN, "serve",        "--listen", listen,        "--data",
                                h->dir,      "--access-log", "off",      "--log-level", "warn"};
        int n = 10;
        if (db_url) {
            argv[n++] = "--db";
            argv[n++] = db_url;
        }
        for (int i = 0; extra && extra[i] && n < 62; i++)
            argv[n++] = extra[i];
        argv[n] = NULL;
        pid_t pid = fork();
        if (pid == 0) {
            execv(ONEHALL_BIN, (char *const *)argv);
            _exit(127);
        }
        h->pid = pid;
        for (int i = 0; i < 300; i++) {
            sleep_ms(50);
            int st;
            if (waitpid(pid, &st, WNOHANG) == pid) {
                h->pid = 0;
                break;
            }
            struct client *c = client_new(h);
            struct resp *r = client_get(c, "/healthz");
            long s = r->status;
            resp_free(r);
            client_free(c);
            if (s == 200) return h;
        }
        if (h->pid) {
            kill(h->pid, SIGKILL);
            waitpid(h->pid, NULL, 0);
        }
    }
    fail_msg("onehall serve did not come up");
    return NULL;
}

int hall_stop(struct hall *h)
{
    int st = -1;
    if (h->pid) {
        kill(h->pid, SIGTERM);
        waitpid(h->pid, &st, 0);
    }
    test_rmrf(h->dir);
    free(h->dir);
    free(h->db_url);
    free(h);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int run_cli(struct hall *h, const char *stdin_text, char **out, const char *const *args,
                   int with_stderr);

int hall_cli(struct hall *h, const char *stdin_text, char **out, const char *const *args)
{
    return run_cli(h, stdin_text, out, args, 0);
}

int hall_cli_all(struct hall *h, const char *stdin_text, char **out, const char *const *args)
{
    return run_cli(h, stdin_text, out, args, 1);
}

static int run_cli(struct hall *h, const char *stdin_text, char **out, const char *const *args,
                   int with_stderr)
{
    int in[2], outp[2];
    if (pipe(in) < 0 || pipe(outp) < 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        if (with_stderr) dup2(outp[1], 2);
        close(in[1]);
        close(outp[0]);
        const char *argv[64] = {ONEHALL_BIN};
        int n = 1;
        for (int i = 0; args[i] && n < 58; i++)
            argv[n++] = args[i];
        argv[n++] = "--data";
        argv[n++] = h->dir;
        if (h->db_url) {
            argv[n++] = "--db";
            argv[n++] = h->db_url;
        }
        argv[n] = NULL;
        execv(ONEHALL_BIN, (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    if (stdin_text && write(in[1], stdin_text, strlen(stdin_text)) < 0) perror("write");
    close(in[1]);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ssize_t k;
    while ((k = read(outp[0], buf + len, cap - len - 1)) > 0) {
        len += (size_t)k;
        if (cap - len < 1024) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    close(outp[0]);
    int st;
    waitpid(pid, &st, 0);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void hall_create_user(struct hall *h, const char *username, const char *name, const char *password,
                      const char *roles)
{
    const char *args[32] = {"user",   "create", "--username",      username,
                            "--name", name,     "--password-stdin"};
    int n = 7;
    char *copy = strdup(roles ? roles : "staff");
    for (char *save, *r = strtok_r(copy, ",", &save); r && n < 28; r = strtok_r(NULL, ",", &save)) {
        args[n++] = "--role";
        args[n++] = r;
    }
    args[n] = NULL;
    char line[256];
    snprintf(line, sizeof line, "%s\n", password);
    char *out = NULL;
    int rc = hall_cli(h, line, &out, args);
    if (rc != 0) fprintf(stderr, "user create failed: %s\n", out ? out : "");
    assert_int_equal(rc, 0);
    free(out);
    free(copy);
}

struct client {
    struct hall *h;
    CURL *curl;
    struct curl_slist *headers;
};

struct client *client_new(struct hall *h)
{
    struct client *c = calloc(1, sizeof *c);
    c->h = h;
    c->curl = curl_easy_init();
    curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, ""); /* in-memory cookie jar */
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    if (h->tls) { /* the test's own self-signed certificate */
        curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    return c;
}

void client_free(struct client *c)
{
    if (!c) return;
    curl_slist_free_all(c->headers);
    curl_easy_cleanup(c->curl);
    free(c);
}

void client_header(struct client *c, const char *header)
{
    c->headers = curl_slist_append(c->headers, header);
}

void client_clear_headers(struct client *c)
{
    curl_slist_free_all(c->headers);
    c->headers = NULL;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t k = size * n;
    r->body = realloc(r->body, r->len + k + 1);
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = 0;
    return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t k = size * n, have = r->headers ? strlen(r->headers) : 0;
    /* A new status line (after a 100 Continue) starts a new block. */
    if (k > 5 && strncmp(p, "HTTP/", 5) == 0) have = 0;
    r->headers = realloc(r->headers, have + k + 1);
    memcpy(r->headers + have, p, k);
    r->headers[have + k] = 0;
    return k;
}

struct resp *client_req(struct client *c, const char *method, const char *path,
                        const char *content_type, const char *body, size_t len,
                        const char *const *headers)
{
    struct resp *r = calloc(1, sizeof *r);
    r->body = strdup("");
    char url[2048];
    snprintf(url, sizeof url, "%s%s", c->h->base, path);
    CURL *k = c->curl;
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(k, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
    curl_easy_setopt(k, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, method);
    struct curl_slist *hs = NULL;
    for (struct curl_slist *s = c->headers; s; s = s->next)
        hs = curl_slist_append(hs, s->data);
    for (int i = 0; headers && headers[i]; i++)
        hs = curl_slist_append(hs, headers[i]);
    hs = curl_slist_append(hs, "Expect:");
    if (body) {
        char ct[256];
        snprintf(ct, sizeof ct, "Content-Type: %s",
                 content_type ? content_type : "application/json");
        hs = curl_slist_append(hs, ct);
        curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(k, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(k, CURLOPT_HEADERDATA, r);
    CURLcode rc = curl_easy_perform(k);
    if (rc == CURLE_OK)
        curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &r->status);
    else
        r->status = 0;
    curl_easy_setopt(k, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hs);
    return r;
}

struct resp *client_get(struct client *c, const char *path)
{
    return client_req(c, "GET", path, NULL, NULL, 0, NULL);
}

struct resp *client_json(struct client *c, const char *method, const char *path, const char *json)
{
    return client_req(c, method, path, "application/json", json, json ? strlen(json) : 0, NULL);
}

struct resp *client_form(struct client *c, const char *path, const char *form)
{
    return client_req(c, "POST", path, "application/x-www-form-urlencoded", form, strlen(form),
                      NULL);
}

char *resp_header(const struct resp *r, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol) break;
        if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            return strndup(v, (size_t)(eol - v));
        }
        p = eol + 2;
    }
    return NULL;
}

json_t *resp_json(const struct resp *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->body, r->len, 0, &je);
    if (!j) fail_msg("not JSON (status %ld): %s", r->status, r->body);
    return j;
}

void resp_free(struct resp *r)
{
    if (!r) return;
    free(r->body);
    free(r->headers);
    free(r);
}

char *html_input_value(const char *html, const char *name)
{
    char needle[128];
    snprintf(needle, sizeof needle, "name=\"%s\"", name);
    const char *p = strstr(html, needle);
    if (!p) return NULL;
    const char *tag = p;
    while (tag > html && *tag != '<')
        tag--;
    const char *end = strchr(p, '>');
    const char *v = strstr(tag, "value=\"");
    if (!v || (end && v > end)) return NULL;
    v += 7;
    const char *q = strchr(v, '"');
    return q ? strndup(v, (size_t)(q - v)) : NULL;
}

char *client_cookie(struct client *c, const char *name)
{
    struct curl_slist *list = NULL;
    curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list);
    char *found = NULL;
    for (struct curl_slist *s = list; s; s = s->next) {
        /* Netscape format: domain, flag, path, secure, expiry, name, value */
        char *copy = strdup(s->data), *save, *f[7] = {0};
        int i = 0;
        for (char *t = strtok_r(copy, "\t", &save); t && i < 7; t = strtok_r(NULL, "\t", &save))
            f[i++] = t;
        if (i >= 6 && strcmp(f[5], name) == 0) found = strdup(i == 7 ? f[6] : "");
        free(copy);
    }
    curl_slist_free_all(list);
    return found;
}

char *api_login(struct hall *h, const char *username, const char *password)
{
    struct client *c = client_new(h);
    json_t *b = json_pack("{s:s, s:s}", "username", username, "password", password);
    char *s = json_dumps(b, 0);
    struct resp *r = client_json(c, "POST", "/api/v1/session", s);
    char *token = NULL;
    if (r->status == 201) {
        json_t *j = resp_json(r);
        token = strdup(json_string_value(json_object_get(j, "token")));
        json_decref(j);
    }
    resp_free(r);
    free(s);
    json_decref(b);
    client_free(c);
    return token;
}

struct client *api_client(struct hall *h, const char *username, const char *password)
{
    char *tok = api_login(h, username, password);
    if (!tok) fail_msg("API login of %s failed", username);
    struct client *c = client_new(h);
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(c, auth);
    free(tok);
    return c;
}

int64_t api_upload_pdf(struct client *c, const char *name)
{
    char body[512];
    int n = snprintf(body, sizeof body,
                     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                     "Content-Type: application/pdf\r\n\r\n%%PDF-1.4 %s\r\n--XyZ--\r\n",
                     name, name);
    struct resp *r = client_req(c, "POST", "/api/v1/uploads", "multipart/form-data; boundary=XyZ",
                                body, (size_t)n, NULL);
    if (r->status != 201) fail_msg("upload %s: %ld %s", name, r->status, r->body);
    json_t *j = resp_json(r);
    int64_t id = json_integer_value(
        json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
    json_decref(j);
    resp_free(r);
    return id;
}

struct client *page_client(struct hall *h, const char *username, const char *password)
{
    struct client *c = client_new(h);
    struct resp *r = client_get(c, "/login");
    char *csrf = html_input_value(r->body, "csrf");
    resp_free(r);
    if (!csrf) fail_msg("the login page has no csrf field");
    char *u = test_urlenc(username), *p = test_urlenc(password);
    size_t len = strlen(csrf) + strlen(u) + strlen(p) + 40;
    char *form = malloc(len);
    snprintf(form, len, "csrf=%s&username=%s&password=%s", csrf, u, p);
    r = client_form(c, "/login", form);
    if (r->status != 303) fail_msg("page login of %s: %ld %.300s", username, r->status, r->body);
    resp_free(r);
    free(form);
    free(u);
    free(p);
    free(csrf);
    return c;
}

void page_expect(const struct resp *r, long status, const char *lang, const char *key_prefix)
{
    if (r->status != status)
        fail_msg("status %ld, want %ld: %.800s", r->status, status, r->body);
    char *ct = resp_header(r, "Content-Type");
    if (!ct || !strstr(ct, "text/html")) fail_msg("Content-Type %s, want text/html", ct);
    free(ct);
    if (lang) {
        char *h = resp_header(r, "Content-Language");
        if (!h || strcmp(h, lang)) fail_msg("Content-Language %s, want %s", h, lang);
        free(h);
        char want[48];
        snprintf(want, sizeof want, "<html lang=\"%s\">", lang);
        if (!strstr(r->body, want)) fail_msg("no %s", want);
    }
    html_assert_well_formed(r->body);
    html_assert_refs(r->body);
    if (!strstr(r->body, "<main id=\"main\"")) fail_msg("no <main id=\"main\">");
    /* the CSP forbids inline style and script: none is written */
    const char *inline_bits[] = {" style=", "<script>", " onclick="};
    for (size_t i = 0; i < sizeof inline_bits / sizeof inline_bits[0]; i++)
        if (strstr(r->body, inline_bits[i])) fail_msg("inline %s in the page", inline_bits[i]);
    const char *key = key_prefix ? strstr(r->body, key_prefix) : NULL;
    if (key) fail_msg("a translation key shows: %.80s", key);
}

char *page_location(const struct resp *r)
{
    if (r->status != 303) fail_msg("status %ld, want 303: %.600s", r->status, r->body);
    char *loc = resp_header(r, "Location");
    if (!loc) fail_msg("303 without a Location");
    return loc;
}

void test_id_number(const char *birth, int seq, char *out)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "440604%.8s%03d", birth, seq % 1000);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = 0;
}

void html_assert_well_formed(const char *html)
{
    static const char *voids[] = {"meta", "link", "img", "input", "br", "hr", NULL};
    char stack[64][16];
    int depth = 0;
    assert_non_null(strstr(html, "<!doctype html>"));
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        if (p[1] == '!') continue;
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        char name[16];
        int i = 0;
        while (isalnum((unsigned char)n[i]) && i < 15) {
            name[i] = (char)tolower((unsigned char)n[i]);
            i++;
        }
        name[i] = 0;
        if (!i) fail_msg("stray '<' in HTML near: %.40s", p);
        if (!strchr(" >\n", n[i])) fail_msg("bad tag name near: %.40s", p);
        int is_void = 0;
        for (int v = 0; voids[v]; v++)
            is_void |= strcmp(voids[v], name) == 0;
        if (is_void) {
            if (closing) fail_msg("</%s> closes a void element", name);
            continue;
        }
        if (!closing) {
            assert_true(depth < 64);
            strcpy(stack[depth++], name);
        } else {
            if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
                fail_msg("</%s> closes <%s> near: %.60s", name,
                         depth ? stack[depth - 1] : "nothing", p);
            depth--;
        }
    }
    if (depth) fail_msg("<%s> never closed", stack[depth - 1]);
}

/* Counts the elements carrying id="id". */
static int id_count(const char *html, const char *id)
{
    char pat[96];
    snprintf(pat, sizeof pat, " id=\"%s\"", id);
    int n = 0;
    for (const char *p = strstr(html, pat); p; p = strstr(p + 1, pat))
        n++;
    return n;
}

void html_assert_refs(const char *html)
{
    for (const char *p = strstr(html, " id=\""); p; p = strstr(p + 1, " id=\"")) {
        char id[64];
        if (sscanf(p + 5, "%63[^\"]", id) == 1 && id_count(html, id) != 1)
            fail_msg("id \"%s\" appears %d times", id, id_count(html, id));
    }
    static const char *attrs[] = {" for=\"", " aria-describedby=\"", " aria-labelledby=\"", NULL};
    for (int a = 0; attrs[a]; a++) {
        size_t al = strlen(attrs[a]);
        for (const char *p = strstr(html, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            char list[256];
            if (sscanf(p + al, "%255[^\"]", list) != 1) fail_msg("empty%s\"", attrs[a]);
            for (char *save, *id = strtok_r(list, " ", &save); id; id = strtok_r(NULL, " ", &save))
                if (id_count(html, id) != 1) fail_msg("%s\"%s\" names no element", attrs[a], id);
        }
    }
    for (const char *p = strstr(html, "href=\"#"); p; p = strstr(p + 1, "href=\"#")) {
        char id[64];
        if (sscanf(p + 7, "%63[^\"]", id) == 1 && id_count(html, id) != 1)
            fail_msg("link to #%s names no element", id);
    }
}

char *test_urlenc(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_')
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = 0;
    return out;
}
