/**
 * @file test_workbench_pages.c
 * @brief The department workbench through its pages, as a clerk's browser
 *        uses it (forms with the CSRF token, no JavaScript): who may come
 *        in; a clerk of the owning department sees a citizen's case in the
 *        list, views its material inline, accepts it and requests a
 *        supplement listing two materials, and the case page shows the
 *        history; a refused form comes back with the message at its field;
 *        a clerk of another department gets 404; two clerks acting with the
 *        same expected_version: one succeeds, the other sees the conflict;
 *        the filters and the ratings page; the history gives every
 *        member of a step's detail in words (labels and codes translated,
 *        no raw keys); every page well-formed with working label and aria
 *        references, in both languages.
 */
#include "apitest.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL ONEHALL_SOURCE_DIR "/tests/data/catalog/small.json"
#define ITEM "440600-GA-0001"

static struct hall *H;
static struct client *citizen; /* A staff account of a department (hall_create_user makes none). */
static void staff(const char *user, const char *name, const char *dept, const char *role,
                  const char *password)
{
    const char *args[] = {"user",         "create", "--username", user, "--name",           name,
                          "--department", dept,     "--role",     role, "--password-stdin", NULL};
    char line[128];
    snprintf(line, sizeof line, "%s\n", password);
    assert_int_equal(hall_cli(H, line, NULL, args), 0);
}

static int up(void **state)
{
    H = hall_start(test_db_url(), NULL);
    if (!H) return -1;
    hall_create_user(H, "editor1", "目录编辑", "edit-pass-01", "catalog_editor");
    struct client *ed = api_client(H, "editor1", "edit-pass-01");
    char *doc = test_read_file(SMALL);
    struct resp *r = client_json(ed, "POST", "/api/v1/catalog/import", doc);
    if (r->status != 200) fail_msg("import: %ld %s", r->status, r->body);
    resp_free(r);
    free(doc);
    client_free(ed);
    staff("gaclerk1", "公安窗口一", "FS-GA", "staff", "ga-clerk-pass-1");
    staff("gaclerk2", "公安窗口二", "FS-GA", "staff", "ga-clerk-pass-2");
    staff("gaadmin", "公安管理员", "FS-GA", "dept_admin", "ga-admin-pass-1");
    staff("scjgclerk", "市监窗口", "FS-SCJG", "staff", "scjg-clerk-pass");

    char id[19];
    test_id_number("19880808", 8, id);
    json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "name", "陈申请", "id_number", id, "phone",
                          "13800138008", "password", "citizen-pass-8");
    char *s = json_dumps(b, 0);
    struct client *anon = client_new(H);
    r = client_json(anon, "POST", "/api/v1/accounts", s);
    if (r->status != 201) fail_msg("register: %ld %s", r->status, r->body);
    resp_free(r);
    client_free(anon);
    free(s);
    json_decref(b);
    citizen = api_client(H, "13800138008", "citizen-pass-8");
    return 0;
}

static int down(void **state)
{
    client_free(citizen);
    assert_int_equal(hall_stop(H), 0);
    return 0;
}

static void expect_location_prefix(struct resp *r, const char *where)
{
    char *loc = page_location(r);
    if (strncmp(loc, where, strlen(where)) != 0) fail_msg("Location %s, want %s...", loc, where);
    free(loc);
}

/* The case page as the client sees it now (status checked by the caller). */
static struct resp *case_page(struct client *c, const char *number)
{
    char path[96];
    snprintf(path, sizeof path, "/workbench/cases/%s", number);
    return client_get(c, path);
}

/* Posts action on number with the CSRF token of the page and the given
 * expected_version (NULL: the one the page shows now), then fields. */
static struct resp *act(struct client *c, const char *number, const char *action,
                        const char *version, const char *fields)
{
    struct resp *page = case_page(c, number);
    page_expect(page, 200, "zh-CN", "workbench.");
    char *csrf = html_input_value(page->body, "csrf");
    char *v = version ? strdup(version) : html_input_value(page->body, "expected_version");
    assert_non_null(csrf);
    assert_non_null(v);
    resp_free(page);
    size_t n = strlen(csrf) + strlen(v) + strlen(fields) + 64;
    char *form = malloc(n);
    snprintf(form, n, "csrf=%s&expected_version=%s%s%s", csrf, v, *fields ? "&" : "", fields);
    char path[128];
    snprintf(path, sizeof path, "/workbench/cases/%s/%s", number, action);
    struct resp *r = client_form(c, path, form);
    free(form);
    free(csrf);
    free(v);
    return r;
}

/* A citizen's submitted application for ITEM with one uploaded PDF (the
 * ID card) and the residence registration from government data; returns
 * its number (malloc'd). */
static char *new_case(void)
{
    const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                        "filename=\"身份证.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                        "%PDF-1.4 workbench test\r\n--XyZ--\r\n";
    struct resp *r = client_req(citizen, "POST", "/api/v1/uploads",
                                "multipart/form-data; boundary=XyZ", body, sizeof body - 1, NULL);
    if (r->status != 201) fail_msg("upload: %ld %s", r->status, r->body);
    json_t *j = resp_json(r);
    json_int_t uid =
        json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
    json_decref(j);
    resp_free(r);
    json_t *app = json_pack("{s:s, s:{}, s:[{s:i, s:I}, {s:i, s:s}], s:b}", "item", ITEM, "form",
                            "materials", "index", 0, "upload_id", uid, "index", 1, "source",
                            "government_data", "submit", 1);
    char *s = json_dumps(app, 0);
    json_decref(app);
    r = client_json(citizen, "POST", "/api/v1/applications", s);
    free(s);
    if (r->status != 201 && r->status != 200) fail_msg("apply: %ld %s", r->status, r->body);
    j = resp_json(r);
    const char *n = json_string_value(json_object_get(j, "number"));
    assert_non_null(n);
    char *number = strdup(n);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "submitted");
    json_decref(j);
    resp_free(r);
    return number;
}

/* The state of a case as the applicant sees it through the API. */
static char *api_state(const char *number)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/applications/%s", number);
    struct resp *r = client_get(citizen, path);
    if (r->status != 200) fail_msg("%s: %ld %s", path, r->status, r->body);
    json_t *j = resp_json(r);
    char *s = strdup(json_string_value(json_object_get(j, "state")));
    json_decref(j);
    resp_free(r);
    return s;
}

/* --- tests --- */

static void test_who_may_come_in(void **state)
{
    struct client *anon = client_new(H);
    struct resp *r = client_get(anon, "/workbench");
    expect_location_prefix(r, "/login?next=/workbench");
    resp_free(r);
    r = client_get(anon, "/workbench/cases/261148273915");
    expect_location_prefix(r, "/login?next=/workbench/cases/261148273915");
    resp_free(r);
    r = client_get(anon, "/workbench/ratings");
    expect_location_prefix(r, "/login?next=/workbench/ratings");
    resp_free(r);
    client_free(anon);

    struct client *person = page_client(H, "13800138008", "citizen-pass-8");
    static const char *const pages[] = {"/workbench", "/workbench/ratings",
                                        "/workbench/cases/261148273915"};
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        r = client_get(person, pages[i]);
        page_expect(r, 403, "zh-CN", "workbench.");
        resp_free(r);
    }
    client_free(person);

    struct client *clerk = page_client(H, "gaclerk1", "ga-clerk-pass-1");
    r = client_get(clerk, "/workbench");
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "部门工作台"));
    assert_non_null(strstr(r->body, "佛山市公安局"));
    assert_non_null(strstr(r->body, "id=\"f-state\""));
    assert_non_null(strstr(r->body, "href=\"/workbench/ratings\""));
    resp_free(r);
    r = client_get(clerk, "/workbench?lang=en");
    page_expect(r, 200, "en", "workbench.");
    assert_non_null(strstr(r->body, "Department workbench"));
    resp_free(r);
    /* a number that cannot be one, and one that does not exist */
    r = client_get(clerk, "/workbench/cases/not-a-number?lang=zh-CN");
    page_expect(r, 404, "zh-CN", "workbench.");
    resp_free(r);
    client_free(clerk);
}

static void test_clerk_handles_case(void **state)
{
    char *number = new_case();
    struct client *clerk = page_client(H, "gaclerk1", "ga-clerk-pass-1");

    /* in the list, linked */
    struct resp *r = client_get(clerk, "/workbench");
    page_expect(r, 200, "zh-CN", "workbench.");
    char href[96];
    snprintf(href, sizeof href, "href=\"/workbench/cases/%s\"", number);
    assert_non_null(strstr(r->body, href));
    assert_non_null(strstr(r->body, "居住证申领"));
    assert_non_null(strstr(r->body, "陈申请"));
    resp_free(r);

    /* the case: applicant, materials with a view link, the forms allowed */
    r = case_page(clerk, number);
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "陈申请"));
    assert_non_null(strstr(r->body, "居民身份证"));
    assert_non_null(strstr(r->body, "居住登记凭证"));
    char action[128];
    snprintf(action, sizeof action, "action=\"/workbench/cases/%s/accept\"", number);
    assert_non_null(strstr(r->body, action));
    snprintf(action, sizeof action, "action=\"/workbench/cases/%s/approve\"", number);
    assert_null(strstr(r->body, action)); /* not allowed before acceptance */
    assert_non_null(strstr(r->body, "name=\"expected_version\""));
    char mat[96];
    snprintf(mat, sizeof mat, "href=\"/workbench/cases/%s/materials/", number);
    const char *link = strstr(r->body, mat);
    assert_non_null(link);
    char path[160];
    assert_int_equal(sscanf(link + 6, "%159[^\"]", path), 1);
    resp_free(r);

    /* the material, viewed in the browser, with a restrictive policy */
    r = client_get(clerk, path);
    if (r->status != 200) fail_msg("%s: %ld %s", path, r->status, r->body);
    char *h = resp_header(r, "Content-Type");
    assert_string_equal(h, "application/pdf");
    free(h);
    h = resp_header(r, "Content-Disposition");
    assert_non_null(h);
    assert_int_equal(strncmp(h, "inline", 6), 0);
    free(h);
    assert_int_equal(r->len, strlen("%PDF-1.4 workbench test"));
    assert_memory_equal(r->body, "%PDF-1.4 workbench test", r->len);
    resp_free(r);

    /* a refused form: the reason is missing, said at its field */
    r = act(clerk, number, "decline", NULL, "reason=");
    page_expect(r, 422, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "id=\"e-decline-reason\""));
    assert_non_null(strstr(r->body, "href=\"#f-decline-reason\""));
    assert_non_null(strstr(r->body, "aria-invalid=\"true\""));
    resp_free(r);
    char *st = api_state(number);
    assert_string_equal(st, "submitted");
    free(st);

    /* accept */
    r = act(clerk, number, "accept", NULL, "");
    char want[128];
    snprintf(want, sizeof want, "/workbench/cases/%s?done=accept", number);
    expect_location_prefix(r, want);
    resp_free(r);
    st = api_state(number);
    assert_string_equal(st, "accepted");
    free(st);
    r = client_get(clerk, want);
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "role=\"status\""));
    assert_non_null(strstr(r->body, "已受理"));
    resp_free(r);

    /* request a supplement listing both materials at once */
    char *m0 = test_urlenc("居民身份证"), *m1 = test_urlenc("居住登记凭证"),
         *note = test_urlenc("请上传清晰的扫描件");
    char fields[512];
    snprintf(fields, sizeof fields, "missing_n=2&missing_0=%s&missing_1=%s&note=%s", m0, m1, note);
    free(m0);
    free(m1);
    free(note);
    r = act(clerk, number, "request_supplement", NULL, fields);
    snprintf(want, sizeof want, "/workbench/cases/%s?done=request_supplement", number);
    expect_location_prefix(r, want);
    resp_free(r);
    st = api_state(number);
    assert_string_equal(st, "supplement");
    free(st);

    /* the history: submitted, accepted, supplement requested, who and why */
    r = case_page(clerk, number);
    page_expect(r, 200, "zh-CN", "workbench.");
    const char *hist = strstr(r->body, "id=\"h-history\"");
    assert_non_null(hist);
    assert_non_null(strstr(hist, "受理"));
    assert_non_null(strstr(hist, "补正告知"));
    assert_non_null(strstr(hist, "公安窗口一"));
    assert_non_null(strstr(r->body, "请上传清晰的扫描件"));
    assert_non_null(strstr(r->body, "居住登记凭证"));
    resp_free(r);
    /* in English too */
    r = client_get(clerk, "/workbench?lang=en");
    page_expect(r, 200, "en", "workbench.");
    resp_free(r);
    char en[96];
    snprintf(en, sizeof en, "/workbench/cases/%s", number);
    r = client_get(clerk, en);
    page_expect(r, 200, "en", "workbench.");
    assert_non_null(strstr(r->body, "History"));
    resp_free(r);
    r = client_get(clerk, "/workbench?lang=zh-CN");
    resp_free(r);

    /* the filters */
    r = client_get(clerk, "/workbench?state=supplement");
    page_expect(r, 200, "zh-CN", "workbench.");
    snprintf(href, sizeof href, "href=\"/workbench/cases/%s\"", number);
    assert_non_null(strstr(r->body, href));
    resp_free(r);
    r = client_get(clerk, "/workbench?state=declined");
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_null(strstr(r->body, href));
    resp_free(r);
    r = client_get(clerk, "/workbench?item=440600-GA-0002");
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_null(strstr(r->body, href));
    resp_free(r);
    client_free(clerk);
    free(number);
}

static void test_other_department_404(void **state)
{
    char *number = new_case();
    struct client *other = page_client(H, "scjgclerk", "scjg-clerk-pass");
    struct resp *r = case_page(other, number);
    page_expect(r, 404, "zh-CN", "workbench.");
    resp_free(r);
    r = client_get(other, "/workbench");
    page_expect(r, 200, "zh-CN", "workbench.");
    char href[96];
    snprintf(href, sizeof href, "href=\"/workbench/cases/%s\"", number);
    assert_null(strstr(r->body, href));
    char *csrf = html_input_value(r->body, "csrf");
    resp_free(r);
    char form[256], path[128];
    snprintf(form, sizeof form, "csrf=%s&expected_version=1", csrf);
    snprintf(path, sizeof path, "/workbench/cases/%s/accept", number);
    r = client_form(other, path, form);
    page_expect(r, 404, "zh-CN", "workbench.");
    resp_free(r);
    free(csrf);
    snprintf(path, sizeof path, "/workbench/cases/%s/materials/1", number);
    r = client_get(other, path);
    assert_int_equal(r->status, 404);
    resp_free(r);
    char *st = api_state(number);
    assert_string_equal(st, "submitted");
    free(st);
    client_free(other);
    free(number);
}

static void test_two_clerks_conflict(void **state)
{
    char *number = new_case();
    struct client *one = page_client(H, "gaclerk1", "ga-clerk-pass-1");
    struct client *two = page_client(H, "gaclerk2", "ga-clerk-pass-2");
    /* both open the case at the same version */
    struct resp *r = case_page(one, number);
    page_expect(r, 200, "zh-CN", "workbench.");
    char *v = html_input_value(r->body, "expected_version");
    assert_non_null(v);
    resp_free(r);
    r = case_page(two, number);
    page_expect(r, 200, "zh-CN", "workbench.");
    char *v2 = html_input_value(r->body, "expected_version");
    assert_string_equal(v, v2);
    free(v2);
    resp_free(r);

    r = act(one, number, "accept", v, "");
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    char *reason = test_urlenc("材料不全");
    char fields[128];
    snprintf(fields, sizeof fields, "reason=%s", reason);
    free(reason);
    r = act(two, number, "decline", v, fields);
    page_expect(r, 409, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "刚刚被其他人处理过"));
    assert_non_null(strstr(r->body, "已受理"));
    assert_non_null(strstr(r->body, "role=\"alert\""));
    /* the page shows the case as it is now: its forms carry the new version */
    char *now = html_input_value(r->body, "expected_version");
    if (now) {
        assert_string_not_equal(now, v);
        free(now);
    }
    resp_free(r);
    char *st = api_state(number);
    assert_string_equal(st, "accepted");
    free(st);
    free(v);
    client_free(one);
    client_free(two);
    free(number);
}

static void test_assign_and_ratings(void **state)
{
    char *number = new_case();
    struct client *admin = page_client(H, "gaadmin", "ga-admin-pass-1");
    struct resp *r = case_page(admin, number);
    page_expect(r, 200, "zh-CN", "workbench.");
    char action[128];
    snprintf(action, sizeof action, "action=\"/workbench/cases/%s/assign\"", number);
    if (strstr(r->body, action)) {
        /* the department's staff to choose from */
        assert_non_null(strstr(r->body, "id=\"f-assign-assignee\""));
        assert_non_null(strstr(r->body, "公安窗口二"));
        assert_null(strstr(r->body, "市监窗口"));
        resp_free(r);
        r = act(admin, number, "assign", NULL, "assignee=");
        page_expect(r, 422, "zh-CN", "workbench.");
        assert_non_null(strstr(r->body, "id=\"e-assign-assignee\""));
    }
    resp_free(r);
    /* a clerk may not give the case to someone else, but may take it */
    struct client *clerk = page_client(H, "gaclerk1", "ga-clerk-pass-1");
    r = act(clerk, number, "assign", NULL, "assignee=999999");
    page_expect(r, 403, "zh-CN", "workbench.");
    resp_free(r);
    r = case_page(clerk, number);
    page_expect(r, 200, "zh-CN", "workbench.");
    char *me = html_input_value(r->body, "assignee");
    assert_non_null(me);
    assert_non_null(strstr(r->body, "由我承办"));
    resp_free(r);
    char take[64];
    snprintf(take, sizeof take, "assignee=%s", me);
    free(me);
    r = act(clerk, number, "assign", NULL, take);
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    r = case_page(clerk, number);
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "公安窗口一 （本人）"));
    resp_free(r);
    client_free(clerk);
    /* the other clerk no longer sees it in the list */
    struct client *other = page_client(H, "gaclerk2", "ga-clerk-pass-2");
    r = client_get(other, "/workbench");
    page_expect(r, 200, "zh-CN", "workbench.");
    char href[96];
    snprintf(href, sizeof href, "href=\"/workbench/cases/%s\"", number);
    assert_null(strstr(r->body, href));
    resp_free(r);
    client_free(other);
    /* the admin sees who handles it */
    r = client_get(admin, "/workbench");
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, href));
    assert_non_null(strstr(r->body, "公安窗口一"));
    resp_free(r);

    r = client_get(admin, "/workbench/ratings");
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "好差评"));
    resp_free(r);
    r = client_get(admin, "/workbench?mine=1&overdue=1&due_soon=1&page=2");
    page_expect(r, 200, "zh-CN", "workbench.");
    resp_free(r);
    client_free(admin);
    free(number);
}

/* A bad rating: the department sees the call-back task on its ratings page
 * and closes it there with what was done. */
static void test_rectification_task(void **state)
{
    char *number = new_case();
    struct client *clerk = page_client(H, "gaclerk1", "ga-clerk-pass-1");
    struct resp *r = act(clerk, number, "accept", NULL, "");
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    r = act(clerk, number, "approve", NULL, "");
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/applications/%s/rating", number);
    r = client_json(citizen, "POST", path, "{\"level\":1,\"comment\":\"窗口推诿\"}");
    assert_int_equal(r->status, 200);
    resp_free(r);
    r = client_get(clerk, "/workbench/ratings");
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "窗口推诿"));
    char *csrf = html_input_value(r->body, "csrf");
    const char *form_at = strstr(r->body, "action=\"/workbench/rectifications/");
    assert_non_null(form_at);
    char action[96];
    sscanf(form_at, "action=\"%95[^\"]\"", action);
    resp_free(r);
    char *note = test_urlenc("已回访，向申请人致歉并整改");
    char form[512];
    snprintf(form, sizeof form, "csrf=%s&note=%s", csrf, note);
    r = client_form(clerk, action, form);
    expect_location_prefix(r, "/workbench/ratings");
    resp_free(r);
    r = client_get(clerk, "/workbench/ratings");
    page_expect(r, 200, "zh-CN", "workbench.");
    assert_non_null(strstr(r->body, "已回访，向申请人致歉并整改"));
    assert_null(strstr(r->body, "action=\"/workbench/rectifications/"));
    resp_free(r);
    free(note);
    free(csrf);
    client_free(clerk);
    free(number);
}

/* The uploaded PDF named filename, as the citizen's upload; returns its id. */
static json_int_t upload_pdf(const char *filename)
{
    char body[512];
    int n = snprintf(body, sizeof body,
                     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                     "filename=\"%s\"\r\nContent-Type: application/pdf\r\n\r\n"
                     "%%PDF-1.4 workbench history\r\n--XyZ--\r\n",
                     filename);
    struct resp *r = client_req(citizen, "POST", "/api/v1/uploads",
                                "multipart/form-data; boundary=XyZ", body, (size_t)n, NULL);
    if (r->status != 201) fail_msg("upload: %ld %s", r->status, r->body);
    json_t *j = resp_json(r);
    json_int_t id =
        json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
    json_decref(j);
    resp_free(r);
    return id;
}

/* The history section of a case page (malloc'd), its text without tags. */
static char *history_text(const char *body)
{
    const char *at = strstr(body, "id=\"h-history\"");
    assert_non_null(at);
    const char *end = strstr(at, "</section>");
    assert_non_null(end);
    char *out = malloc((size_t)(end - at) + 1);
    size_t n = 0;
    int in_tag = 1; /* inside the <h2 ...> the section starts from */
    for (const char *p = at; p < end; p++) {
        if (*p == '<')
            in_tag = 1;
        else if (*p == '>')
            in_tag = 0;
        else if (!in_tag)
            out[n++] = *p;
    }
    out[n] = '\0';
    return out;
}

/* Every member of a step's detail in words (no raw keys or codes), in both
 * languages: supplement requested, answered, accepted, taken, extended,
 * approved and delivered by post. */
static void test_history_in_words(void **state)
{
    char *number = new_case();
    struct client *clerk = page_client(H, "gaclerk1", "ga-clerk-pass-1");
    char *m0 = test_urlenc("居民身份证"), *note = test_urlenc("请上传清晰的扫描件");
    char fields[512];
    snprintf(fields, sizeof fields, "missing_n=1&missing_0=%s&note=%s", m0, note);
    free(m0);
    free(note);
    struct resp *r = act(clerk, number, "request_supplement", NULL, fields);
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);

    /* the citizen answers with a new upload */
    char body[256], path[128];
    snprintf(body, sizeof body, "{\"materials\":[{\"index\":0,\"upload_id\":%lld}]}",
             (long long)upload_pdf("身份证-清晰.pdf"));
    snprintf(path, sizeof path, "/api/v1/applications/%s/actions/supplement", number);
    r = client_json(citizen, "POST", path, body);
    if (r->status != 200) fail_msg("supplement: %ld %s", r->status, r->body);
    resp_free(r);

    r = act(clerk, number, "accept", NULL, "");
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    r = case_page(clerk, number);
    char *me = html_input_value(r->body, "assignee");
    assert_non_null(me);
    resp_free(r);
    snprintf(fields, sizeof fields, "assignee=%s", me);
    free(me);
    r = act(clerk, number, "assign", NULL, fields);
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    r = act(clerk, number, "review", NULL, "");
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    char *why = test_urlenc("需要实地核查");
    snprintf(fields, sizeof fields, "reason=%s&days=", why);
    free(why);
    r = act(clerk, number, "extend", NULL, fields);
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    r = act(clerk, number, "approve", NULL, "");
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    r = act(clerk, number, "deliver", NULL, "method=post");
    expect_location_prefix(r, "/workbench/cases/");
    resp_free(r);
    char *st = api_state(number);
    assert_string_equal(st, "delivered");
    free(st);

    /* in Chinese: every label and code in words */
    r = case_page(clerk, number);
    page_expect(r, 200, "zh-CN", "workbench.");
    char *h = history_text(r->body);
    static const char *const zh[] = {
        "需要补正的材料：居民身份证", "说明：请上传清晰的扫描件", "补正期限：",
        "已补正的材料：居民身份证",   "承办人：公安窗口一",       "延长的工作日数：10",
        "送达方式：邮寄送达",
    };
    for (size_t i = 0; i < sizeof zh / sizeof *zh; i++)
        if (!strstr(h, zh[i])) fail_msg("the history lacks %s: %s", zh[i], h);
    /* no raw key or code: no two Latin letters in a row */
    for (const char *p = h; *p && p[1]; p++)
        if (isalpha((unsigned char)p[0]) && isalpha((unsigned char)p[1]))
            fail_msg("raw text in the Chinese history: %.40s", p);
    assert_null(strstr(h, "due："));
    assert_null(strstr(h, "answered："));
    assert_null(strstr(h, "post"));
    free(h);
    resp_free(r);

    /* in English, as the browser asks for it */
    struct client *en = page_client(H, "gaclerk1", "ga-clerk-pass-1");
    client_header(en, "Accept-Language: en");
    r = case_page(en, number);
    page_expect(r, 200, "en", "workbench.");
    h = history_text(r->body);
    static const char *const enl[] = {
        "Materials to supplement: 居民身份证",
        "Note: 请上传清晰的扫描件",
        "Supplement due by: ",
        "Materials now provided: 居民身份证",
        "Assign to: 公安窗口一",
        "Working days added: 10",
        "Delivered by: By post",
    };
    for (size_t i = 0; i < sizeof enl / sizeof *enl; i++)
        if (!strstr(h, enl[i])) fail_msg("the English history lacks %s: %s", enl[i], h);
    assert_null(strstr(h, "due:"));
    assert_null(strstr(h, "answered:"));
    assert_null(strstr(h, ": post"));
    free(h);
    resp_free(r);
    client_free(en);
    client_free(clerk);
    free(number);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_who_may_come_in),      cmocka_unit_test(test_clerk_handles_case),
        cmocka_unit_test(test_other_department_404), cmocka_unit_test(test_two_clerks_conflict),
        cmocka_unit_test(test_assign_and_ratings),   cmocka_unit_test(test_rectification_task),
        cmocka_unit_test(test_history_in_words),
    };
    return cmocka_run_group_tests(tests, up, down);
}
