/**
 * @file test_apply_pages.c
 * @brief The applicant's pages as a browser meets them: anonymous visitors
 *        sent to log in; the apply page of 居住证申领 saying what is
 *        already covered (e-certificate, government data); submitting
 *        creates one case even when the form is sent twice, and the receipt
 *        and "my cases" show it; withdrawing with a confirmation; a form
 *        value of the wrong type refused at its field with nothing created;
 *        a draft saved and submitted later; the form's one-time token free
 *        again after a refused post and leading to its case once used; a supplement answered with a
 *        locker file, a rating, the locker and who looked at the case.
 *        Every page well-formed, with working label and aria references.
 */
#include "apitest.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SMALL ONEHALL_SOURCE_DIR "/tests/data/catalog/small.json"
/* An item of the test's own, a copy of 440600-GA-0001 with a form schema
 * (a number and a date), added to the small catalog at import. */
#define FORM_ITEM "440600-GA-0101"

static struct hall *H;
static struct client *clerk;

static void expect_page(struct resp *r, long status)
{
    page_expect(r, status, NULL, NULL);
}

static void must(const struct resp *r, const char *text)
{
    if (!strstr(r->body, text)) fail_msg("page lacks %s", text);
}

/* The Location of a 303; malloc'd. */
static char *location(struct resp *r)
{
    return page_location(r);
}

static struct resp *get(struct client *c, const char *path, long status)
{
    struct resp *r = client_get(c, path);
    expect_page(r, status);
    return r;
}

/* --- forms --- */

static void enc(char *out, size_t n, const char *s)
{
    size_t k = strlen(out);
    for (; *s && k + 4 < n; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || strchr("-._~", ch))
            out[k++] = (char)ch;
        else
            k += (size_t)snprintf(out + k, n - k, "%%%02X", ch);
    }
    out[k] = 0;
}

/* POSTs name=value pairs (a NULL-terminated list, values unencoded) after
 * the csrf token of the page at from. */
static struct resp *post(struct client *c, const char *from, const char *path,
                         const char *const *pairs)
{
    struct resp *p = client_get(c, from);
    char *csrf = html_input_value(p->body, "csrf");
    resp_free(p);
    assert_non_null(csrf);
    char form[4096] = "csrf=";
    enc(form, sizeof form, csrf);
    free(csrf);
    for (int i = 0; pairs[i]; i += 2) {
        strcat(form, "&");
        enc(form, sizeof form, pairs[i]);
        strcat(form, "=");
        enc(form, sizeof form, pairs[i + 1]);
    }
    return client_form(c, path, form);
}

/* A person registered through the API and logged in through the login
 * page, like a browser. */
static struct client *citizen(int seq, const char *phone)
{
    char id[19], body[256];
    test_id_number("19900101", seq, id);
    snprintf(body, sizeof body,
             "{\"name\":\"申请人%d\",\"id_number\":\"%s\",\"phone\":\"%s\",\"password\":\"apply-"
             "pass-1\"}",
             seq, id, phone);
    struct client *anon = client_new(H);
    struct resp *r = client_json(anon, "POST", "/api/v1/accounts", body);
    assert_int_equal(r->status, 201);
    resp_free(r);
    client_free(anon);
    struct client *c = client_new(H);
    const char *login[] = {"username", phone, "password", "apply-pass-1", NULL};
    r = post(c, "/login", "/login", login);
    free(location(r));
    resp_free(r);
    return c;
}

/* Sends the apply form of code (fields after the hidden ones of the page
 * at from); returns the answer. */
static struct resp *apply_form(struct client *c, const char *from, const char *code,
                               const char *const *fields, char **idem_out)
{
    struct resp *p = get(c, from, 200);
    char *csrf = html_input_value(p->body, "csrf"), *idem = html_input_value(p->body, "idem");
    char *draft = html_input_value(p->body, "draft");
    resp_free(p);
    assert_non_null(csrf);
    assert_non_null(idem);
    char form[4096] = "csrf=";
    enc(form, sizeof form, csrf);
    strcat(form, "&idem=");
    enc(form, sizeof form, idem);
    if (draft) {
        strcat(form, "&draft=");
        enc(form, sizeof form, draft);
    }
    for (int i = 0; fields[i]; i += 2) {
        strcat(form, "&");
        enc(form, sizeof form, fields[i]);
        strcat(form, "=");
        enc(form, sizeof form, fields[i + 1]);
    }
    char path[96];
    snprintf(path, sizeof path, "/items/%s/apply", code);
    struct resp *r = client_form(c, path, form);
    if (idem_out) *idem_out = strdup(form); /* the whole form, to send it again */
    free(csrf);
    free(idem);
    free(draft);
    return r;
}

/* The number in "/cases/NUMBER/receipt". */
static void number_of(const char *loc, char number[16])
{
    assert_int_equal(sscanf(loc, "/cases/%15[0-9]", number), 1);
    assert_int_equal(strlen(number), 12);
}

static void display(const char *number, char out[16])
{
    snprintf(out, 16, "%.4s-%.4s-%.4s", number, number + 4, number + 8);
}

/* A submitted case of 居住证申领 for c; its number in number. */
static void submitted_case(struct client *c, char number[16])
{
    const char *f[] = {
        "materials[0]", "certificate", "materials[1]", "government_data", "submit", "1", NULL};
    struct resp *r = apply_form(c, "/items/440600-GA-0001/apply", "440600-GA-0001", f, NULL);
    char *loc = location(r);
    number_of(loc, number);
    free(loc);
    resp_free(r);
}

/* --- set-up --- */

/* small.json with FORM_ITEM added; the file name in path (>= 64). */
static void catalog_with_form_item(char *path)
{
    json_error_t err;
    json_t *doc = json_load_file(SMALL, 0, &err);
    assert_non_null(doc);
    json_t *items = json_object_get(doc, "items"), *copy = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (!strcmp(json_string_value(json_object_get(it, "code")),
                                                 "440600-GA-0001")) copy = json_deep_copy(it);
    assert_non_null(copy);
    json_object_set_new(copy, "code", json_string(FORM_ITEM));
    json_object_set_new(copy, "name", json_string("居住证签注"));
    json_object_set_new(copy, "short_name", json_string("居住证签注"));
    json_object_set_new(copy, "form_schema",
                        json_pack("[{s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:b}]", "name", "months",
                                  "type", "number", "label", "已居住月数", "required", 1, "name",
                                  "moved_in", "type", "date", "label", "入住日期", "required", 0));
    json_array_append_new(items, copy);
    snprintf(path, 64, "/tmp/onehall-apply-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(json_dump_file(doc, path, JSON_INDENT(1)), 0);
    json_decref(doc);
}

static int up(void **state)
{
    H = hall_start(test_db_url(), NULL);
    if (!H) return -1;
    char path[64];
    catalog_with_form_item(path);
    const char *args[] = {"import", path, NULL};
    char *out = NULL;
    int rc = hall_cli(H, NULL, &out, args);
    if (rc != 0) fprintf(stderr, "import: %s\n", out ? out : "");
    free(out);
    unlink(path);
    assert_int_equal(rc, 0);
    const char *staff[] = {"user",   "create", "--username",       "gaclerk7",
                           "--name", "窗口七", "--department",     "FS-GA",
                           "--role", "staff",  "--password-stdin", NULL};
    assert_int_equal(hall_cli(H, "staff-pass-07\n", NULL, staff), 0);
    clerk = client_new(H);
    char *tok = api_login(H, "gaclerk7", "staff-pass-07");
    assert_non_null(tok);
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    client_header(clerk, auth);
    free(tok);
    /* the server sees another process's import within its polling period */
    for (int i = 0; i < 60; i++) {
        struct resp *r = client_get(clerk, "/api/v1/items/" FORM_ITEM);
        long st = r->status;
        resp_free(r);
        if (st == 200) return 0;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the import did not show within 6 s");
    return -1;
}

static int down(void **state)
{
    client_free(clerk);
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

/* A staff step through the API; the answer must be 200. */
static void staff_act(const char *number, const char *action, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/applications/%s/actions/%s", number, action);
    struct resp *r = client_json(clerk, "POST", path, body ? body : "{}");
    if (r->status != 200) fail_msg("%s: %ld %s", action, r->status, r->body);
    resp_free(r);
}

/* --- tests --- */

static void test_anonymous_sent_to_login(void **state)
{
    struct client *c = client_new(H);
    static const char *const paths[][2] = {
        {"/items/440600-GA-0001/apply", "/login?next=/items/440600-GA-0001/apply"},
        {"/cases", "/login?next=/cases"},
        {"/cases/123456789012", "/login?next=/cases/123456789012"},
        {"/locker", "/login?next=/locker"},
        {"/access-log", "/login?next=/access-log"},
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct resp *r = client_get(c, paths[i][0]);
        char *loc = location(r);
        assert_string_equal(loc, paths[i][1]);
        free(loc);
        resp_free(r);
    }
    client_free(c);
}

static void test_apply_submit_receipt_and_list(void **state)
{
    struct client *c = citizen(41, "13700000041");
    /* Before starting: what covers each material, and that nothing remains. */
    struct resp *r = get(c, "/items/440600-GA-0001/apply", 200);
    must(r, "<h1 id=\"h-apply\">网上申请：居住证申领</h1>");
    must(r, "佛山市公安局");
    must(r, "居民身份证</strong>：由电子证照提供（居民身份证），无需上传");
    must(r, "居住登记凭证</strong>：由政府部门共享数据提供（居住登记信息），无需上传");
    must(r, "还需上传 0 项");
    must(r, "承诺办结时限：5 个工作日");
    /* The account's data prefilled, and the choices of each material. */
    must(r, "value=\"申请人41\"");
    must(r, "value=\"13700000041\"");
    must(r, "<option value=\"certificate\" selected>");
    must(r, "<option value=\"government_data\" selected>");
    must(r, "href=\"/locker?next=%2Fitems%2F440600-GA-0001%2Fapply\"");
    resp_free(r);

    /* Submitted: the receipt. Sending the same form again makes no second case. */
    const char *f[] = {"form.applicant_name",
                       "申请人41",
                       "form.applicant_phone",
                       "13700000041",
                       "materials[0]",
                       "certificate",
                       "materials[1]",
                       "government_data",
                       "submit",
                       "1",
                       NULL};
    char *again = NULL;
    r = apply_form(c, "/items/440600-GA-0001/apply", "440600-GA-0001", f, &again);
    char *loc = location(r);
    resp_free(r);
    char number[16], disp[16];
    number_of(loc, number);
    display(number, disp);
    r = client_form(c, "/items/440600-GA-0001/apply", again);
    char *loc2 = location(r);
    assert_string_equal(loc, loc2);
    resp_free(r);
    free(loc2);
    free(again);

    r = get(c, loc, 200);
    must(r, "<h1 id=\"h-rcpt\">办件回执</h1>");
    must(r, disp);
    must(r, "居住证申领");
    must(r, "佛山市公安局");
    must(r, "承诺办结日期");
    must(r, "法定办结期限"); /* both dates: the promised one and the law's */
    assert_null(strstr(r->body, "提交后按承诺时限计算"));
    must(r, "电子证照");
    must(r, "data-print");
    resp_free(r);
    free(loc);

    /* My cases: exactly that one, with its state. */
    r = get(c, "/cases", 200);
    must(r, "共 1 件");
    must(r, disp);
    must(r, "居住证申领");
    must(r, "已提交，待受理");
    resp_free(r);

    /* The case page: promised date from the start, the timeline. */
    char path[64];
    snprintf(path, sizeof path, "/cases/%s", number);
    r = get(c, path, 200);
    must(r, "承诺办结日期");
    must(r, "提交申请");
    must(r, "申请人");
    resp_free(r);
    /* In English too. */
    snprintf(path, sizeof path, "/cases/%s?lang=en", number);
    r = get(c, path, 200);
    must(r, "Promised by");
    must(r, "Submitted, awaiting acceptance");
    resp_free(r);
    resp_free(client_get(c, "/cases?lang=zh-CN"));

    /* Someone else's case is as if it did not exist. */
    struct client *o = citizen(42, "13700000042");
    snprintf(path, sizeof path, "/cases/%s", number);
    r = get(o, path, 404);
    resp_free(r);
    snprintf(path, sizeof path, "/cases/%s/receipt", number);
    r = get(o, path, 404);
    resp_free(r);
    client_free(o);
    client_free(c);
}

static void test_withdraw_with_confirmation(void **state)
{
    struct client *c = citizen(43, "13700000043");
    char number[16], path[96], from[64];
    submitted_case(c, number);
    snprintf(from, sizeof from, "/cases/%s", number);
    struct resp *r = get(c, from, 200);
    snprintf(path, sizeof path, "action=\"/cases/%s/withdraw\"", number);
    must(r, path);
    resp_free(r);
    /* Without the box ticked: said at the box, nothing done. */
    snprintf(path, sizeof path, "/cases/%s/withdraw", number);
    const char *none[] = {"reason", "办错了", NULL};
    r = post(c, from, path, none);
    expect_page(r, 422);
    must(r, "<p class=\"error\" id=\"e-confirm\">");
    must(r, "aria-invalid=\"true\"");
    must(r, "<a href=\"#f-confirm\">");
    must(r, "办错了"); /* what was typed stays */
    must(r, "已提交，待受理");
    resp_free(r);
    const char *yes[] = {"confirm", "1", "reason", "办错了", NULL};
    r = post(c, from, path, yes);
    char *loc = location(r);
    snprintf(path, sizeof path, "/cases/%s?done=withdrawn", number);
    assert_string_equal(loc, path);
    resp_free(r);
    r = get(c, loc, 200);
    free(loc);
    must(r, "申请已撤回");
    must(r, "已撤回");
    must(r, "办错了");
    assert_null(strstr(r->body, "/withdraw\""));
    resp_free(r);
    client_free(c);
}

static void test_wrong_type_refused_at_field(void **state)
{
    struct client *c = citizen(44, "13700000044");
    const char *from = "/items/" FORM_ITEM "/apply";
    struct resp *r = get(c, from, 200);
    must(r, "<label for=\"f-form.months\">已居住月数</label>");
    must(r, "type=\"date\" id=\"f-form.moved_in\"");
    resp_free(r);
    const char *bad[] = {"form.months",
                         "十二",
                         "materials[0]",
                         "certificate",
                         "materials[1]",
                         "government_data",
                         "submit",
                         "1",
                         NULL};
    r = apply_form(c, from, FORM_ITEM, bad, NULL);
    expect_page(r, 422);
    must(r, "<p class=\"error\" id=\"e-form.months\">");
    must(r, "“已居住月数”应填写数字");
    must(r, "<a href=\"#f-form.months\">");
    must(r, "value=\"十二\""); /* what was typed stays */
    must(r, "<option value=\"certificate\" selected>");
    resp_free(r);
    const char *date[] = {"form.months", "12", "form.moved_in", "2026-02-30", "submit", "1", NULL};
    r = apply_form(c, from, FORM_ITEM, date, NULL);
    expect_page(r, 422);
    must(r, "<p class=\"error\" id=\"e-form.moved_in\">");
    must(r, "value=\"12\"");
    resp_free(r);
    /* A required value missing on submit: the domain's word, at the field. */
    const char *missing[] = {
        "materials[0]", "certificate", "materials[1]", "government_data", "submit", "1", NULL};
    r = apply_form(c, from, FORM_ITEM, missing, NULL);
    expect_page(r, 422);
    must(r, "id=\"e-form.months\"");
    resp_free(r);
    /* Nothing was created. */
    r = get(c, "/cases", 200);
    must(r, "共 0 件");
    resp_free(r);

    /* A draft may be incomplete; it comes back with what it holds. */
    const char *draft[] = {"form.months", "12", "materials[0]", "certificate", "submit", "0", NULL};
    r = apply_form(c, from, FORM_ITEM, draft, NULL);
    char *loc = location(r);
    resp_free(r);
    assert_non_null(strstr(loc, "/items/" FORM_ITEM "/apply?draft="));
    r = get(c, loc, 200);
    must(r, "草稿已保存");
    must(r, "value=\"12\"");
    must(r, "<option value=\"certificate\" selected>");
    must(r, "name=\"draft\"");
    resp_free(r);
    r = get(c, "/cases", 200);
    must(r, "共 1 件");
    must(r, "草稿");
    resp_free(r);
    /* ... and is submitted from there: the same case, now with a receipt. */
    const char *fin[] = {
        "form.months", "12",           "form.moved_in",   "2025-06-01", "materials[0]",
        "certificate", "materials[1]", "government_data", "submit",     "1",
        NULL};
    r = apply_form(c, loc, FORM_ITEM, fin, NULL);
    char *rcpt = location(r);
    resp_free(r);
    assert_non_null(strstr(rcpt, "/receipt"));
    /* the same case: the draft's number is the receipt's */
    assert_int_equal(strncmp(strstr(loc, "draft=") + 6, rcpt + strlen("/cases/"), 12), 0);
    resp_free(get(c, rcpt, 200));
    r = get(c, "/cases", 200);
    must(r, "共 1 件");
    must(r, "已提交，待受理");
    resp_free(r);
    free(rcpt);
    free(loc);
    client_free(c);
}

/* The urlencoded form of csrf, idem and fields (NULL-terminated pairs) in
 * out (4096 bytes). */
static void form_of(char *out, const char *csrf, const char *idem, const char *const *fields)
{
    snprintf(out, 4096, "csrf=");
    enc(out, 4096, csrf);
    strcat(out, "&idem=");
    enc(out, 4096, idem);
    for (int i = 0; fields[i]; i += 2) {
        strcat(out, "&");
        enc(out, 4096, fields[i]);
        strcat(out, "=");
        enc(out, 4096, fields[i + 1]);
    }
}

static void test_form_token_once(void **state)
{
    struct client *c = citizen(46, "13700000046");
    const char *from = "/items/" FORM_ITEM "/apply", *to = "/items/" FORM_ITEM "/apply";
    struct resp *r = get(c, from, 200);
    char *csrf = html_input_value(r->body, "csrf"), *idem = html_input_value(r->body, "idem");
    resp_free(r);
    assert_non_null(csrf);
    assert_non_null(idem);
    /* Refused at a field: the page comes back with the same token ... */
    const char *wrong[] = {
        "materials[0]", "certificate", "materials[1]", "government_data", "submit", "1", NULL};
    char form[4096], value[128];
    form_of(form, csrf, idem, wrong);
    r = client_form(c, to, form);
    expect_page(r, 422);
    must(r, "id=\"e-form.months\"");
    snprintf(value, sizeof value, "value=\"%s\"", idem);
    must(r, value);
    resp_free(r);
    /* ... which the corrected form uses to create the case. */
    const char *right[] = {
        "form.months", "12",           "form.moved_in",   "2025-06-01", "materials[0]",
        "certificate", "materials[1]", "government_data", "submit",     "1",
        NULL};
    form_of(form, csrf, idem, right);
    r = client_form(c, to, form);
    char *rcpt = location(r);
    resp_free(r);
    assert_non_null(strstr(rcpt, "/receipt"));
    /* Sent again, or the refused one again (the back button): that case. */
    r = client_form(c, to, form);
    char *again = location(r);
    resp_free(r);
    assert_string_equal(again, rcpt);
    free(again);
    form_of(form, csrf, idem, wrong);
    r = client_form(c, to, form);
    again = location(r);
    resp_free(r);
    assert_string_equal(again, rcpt);
    free(again);
    r = get(c, "/cases", 200);
    must(r, "共 1 件");
    resp_free(r);

    /* A draft saved twice with one token: one draft, both times its page. */
    free(idem);
    r = get(c, from, 200);
    idem = html_input_value(r->body, "idem");
    resp_free(r);
    assert_non_null(idem);
    const char *draft[] = {"form.months", "12", "submit", "0", NULL};
    form_of(form, csrf, idem, draft);
    r = client_form(c, to, form);
    char *saved = location(r);
    resp_free(r);
    assert_non_null(strstr(saved, "?draft="));
    r = client_form(c, to, form);
    again = location(r);
    resp_free(r);
    assert_int_equal(strncmp(strstr(saved, "draft=") + 6, strstr(again, "draft=") + 6, 12), 0);
    free(again);
    r = get(c, "/cases", 200);
    must(r, "共 2 件");
    resp_free(r);
    free(saved);
    free(rcpt);
    free(csrf);
    free(idem);
    client_free(c);
}

/* Uploads a small PDF to the locker through the API (bearer of the same
 * person); returns its id. */
static long long locker_file(const char *phone, const char *name)
{
    struct client *b = api_client(H, phone, "apply-pass-1");
    long long id = (long long)api_upload_pdf(b, name);
    client_free(b);
    return id;
}

/* An item that promises nothing shorter than the law (出生登记: 30 working
 * days, no promised limit): the form says the statutory limit before
 * applying, and the receipt gives a date at once, named as the law's. */
static void test_statutory_date_on_receipt(void **state)
{
    struct client *c = citizen(47, "13700000047");
    struct resp *r = get(c, "/items/440600-GA-0002/apply", 200);
    must(r, "法定办结时限：30 个工作日");
    resp_free(r);
    long long id = locker_file("13700000047", "birth.pdf");
    char pick[24];
    snprintf(pick, sizeof pick, "u%lld", id);
    const char *f[] = {"form.applicant_name", "申请人47", "form.applicant_phone", "13700000047",
                       "materials[0]",        pick,      "materials[1]",        "certificate",
                       "submit",              "1",       NULL};
    r = apply_form(c, "/items/440600-GA-0002/apply", "440600-GA-0002", f, NULL);
    char *loc = location(r);
    resp_free(r);
    assert_non_null(strstr(loc, "/receipt"));
    r = get(c, loc, 200);
    must(r, "承诺办结日期");
    must(r, "（预计） （法定办结期限）");
    assert_null(strstr(r->body, "提交后按承诺时限计算"));
    /* the date itself: YYYY-MM-DD right before the marks */
    const char *m = strstr(r->body, " （预计） （法定办结期限）");
    assert_non_null(m);
    assert_true(m - r->body >= 10 && m[-3] == '-' && m[-6] == '-');
    resp_free(r);
    char path[96];
    snprintf(path, sizeof path, "%s?lang=en", loc);
    r = get(c, path, 200);
    must(r, "(expected) (the statutory time limit)");
    resp_free(r);
    free(loc);
    client_free(c);
}

static void test_supplement_rating_locker_access(void **state)
{
    struct client *c = citizen(45, "13700000045");
    char number[16], disp[16], from[64], path[96];
    submitted_case(c, number);
    display(number, disp);
    snprintf(from, sizeof from, "/cases/%s", number);
    /* The clerk looks (logged for the person) and asks for one material. */
    snprintf(path, sizeof path, "/api/v1/applications/%s", number);
    resp_free(client_get(clerk, path));
    staff_act(number, "request_supplement",
              "{\"missing\":[\"居住登记凭证\"],\"note\":\"请上传居住登记凭证的扫描件\"}");
    struct resp *r = get(c, from, 200);
    must(r, "需要补正的材料");
    must(r, "请上传居住登记凭证的扫描件");
    must(r, "name=\"materials[1]\"");
    assert_null(strstr(r->body, "name=\"materials[0]\""));
    resp_free(r);
    /* Nothing chosen: said at the material. */
    snprintf(path, sizeof path, "/cases/%s/supplement", number);
    const char *none[] = {"materials[1]", "", NULL};
    r = post(c, from, path, none);
    expect_page(r, 422);
    must(r, "<p class=\"error\" id=\"e-materials[1]\">");
    resp_free(r);
    /* A file of the locker answers it. */
    long long id = locker_file("13700000045", "juzhu.pdf");
    char pick[24];
    snprintf(pick, sizeof pick, "u%lld", id);
    r = get(c, from, 200);
    must(r, "juzhu.pdf");
    resp_free(r);
    const char *give[] = {"materials[1]", pick, NULL};
    r = post(c, from, path, give);
    char *loc = location(r);
    resp_free(r);
    r = get(c, loc, 200);
    free(loc);
    must(r, "补正材料已提交");
    must(r, "补正告知");
    must(r, "提交补正材料");
    /* settled, the request still says in the timeline what was asked and
     * what answered it */
    must(r, "需要补正：居住登记凭证");
    must(r, "说明：请上传居住登记凭证的扫描件");
    must(r, "已补正：居住登记凭证");
    resp_free(r);

    /* Concluded: the rating form; a rating without a level is refused. */
    staff_act(number, "accept", NULL);
    staff_act(number, "approve", NULL);
    r = get(c, from, 200);
    must(r, "已办结（准予）");
    must(r, "非常满意");
    must(r, "非常不满意");
    must(r, "办事指南准确清晰");
    assert_null(strstr(r->body, "/withdraw\""));
    resp_free(r);
    snprintf(path, sizeof path, "/cases/%s/rate", number);
    const char *nolevel[] = {"comment", "很快", NULL};
    r = post(c, from, path, nolevel);
    expect_page(r, 422);
    must(r, "id=\"e-level\"");
    must(r, "<a href=\"#f-level\">");
    resp_free(r);
    const char *rate[] = {"level", "5",       "ind.on_time", "1", "ind.attitude",
                          "1",     "comment", "很快",        NULL};
    r = post(c, from, path, rate);
    loc = location(r);
    resp_free(r);
    r = get(c, loc, 200);
    free(loc);
    must(r, "感谢您的评价");
    must(r, "您的评价");
    must(r, "按承诺时限办结、服务态度好");
    resp_free(r);

    /* The locker: the file, where it is used, not deletable. */
    r = get(c, "/locker", 200);
    must(r, "juzhu.pdf");
    must(r, disp);
    must(r, "使用中，不能删除");
    resp_free(r);
    /* An unused file can be deleted. */
    long long spare = locker_file("13700000045", "spare.pdf");
    snprintf(path, sizeof path, "/locker/%lld/delete", spare);
    const char *nothing[] = {NULL};
    r = post(c, "/locker", path, nothing);
    loc = location(r);
    assert_string_equal(loc, "/locker?done=deleted");
    free(loc);
    resp_free(r);
    r = get(c, "/locker", 200);
    assert_null(strstr(r->body, "spare.pdf"));
    resp_free(r);
    /* One in use cannot. */
    snprintf(path, sizeof path, "/locker/%lld/delete", id);
    r = post(c, "/locker", path, nothing);
    expect_page(r, 409);
    resp_free(r);

    /* Who looked: the clerk, for this case. */
    r = get(c, "/access-log", 200);
    must(r, "窗口七");
    must(r, disp);
    resp_free(r);
    client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anonymous_sent_to_login),
        cmocka_unit_test(test_apply_submit_receipt_and_list),
        cmocka_unit_test(test_statutory_date_on_receipt),
        cmocka_unit_test(test_withdraw_with_confirmation),
        cmocka_unit_test(test_wrong_type_refused_at_field),
        cmocka_unit_test(test_form_token_once),
        cmocka_unit_test(test_supplement_rating_locker_access),
    };
    return cmocka_run_group_tests(tests, up, down);
}
