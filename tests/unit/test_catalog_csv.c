/**
 * @file test_catalog_csv.c
 * @brief The catalog as CSV tables: a complete document written and read
 *        back gives the same canonical JSON; broken files give every problem
 *        with its file, line and column; problems found by the document check
 *        are placed on the CSV row that holds the value.
 */
#include "domain/catalog.h"
#include "domain/catalog_csv.h"
#include "testlib.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Two departments, one hall and three items (a published one using every
 * member, a draft of its next version with every nullable member null and
 * empty lists, and a withdrawn service with a free fee and no statutory
 * limit); commas, quotes, CR/LF and LF line breaks, Chinese and a character
 * beyond the BMP in the values. */
static const char doc_text[] =
    "{\"format\": \"onehall-catalog/1\","
    " \"departments\": ["
    "  {\"code\": \"FS-SCJG\", \"name\": \"佛山市市场监督管理局\","
    "   \"name_en\": \"Foshan Market Supervision, \\\"Admin\\\"\", \"parent\": null,"
    "   \"region\": \"440600\", \"contact\": {\"phone\": \"0757-83030000\","
    "   \"address\": \"佛山市禅城区岭南大道北 20 号\", \"hours\": \"\"}},"
    "  {\"code\": \"FS-SCJG-CC\", \"name\": \"禅城分局\", \"name_en\": null,"
    "   \"parent\": \"FS-SCJG\", \"region\": null, \"contact\": null}],"
    " \"halls\": ["
    "  {\"code\": \"HALL-CC\", \"name\": \"禅城区行政服务中心\", \"region\": \"440604\","
    "   \"address\": \"佛山市禅城区, 季华五路\", \"phone\": null, \"hours\": \"\","
    "   \"lat\": 23.0215, \"lng\": 113, \"kiosks\": 12}],"
    " \"items\": ["
    "  {\"code\": \"440600-SCJG-0001\", \"version\": 1, \"status\": \"published\","
    "   \"effective_from\": \"2026-01-01\", \"basic_code\": \"000201001000\","
    "   \"name\": \"企业营业执照变更登记\", \"short_name\": \"营业执照变更\","
    "   \"department\": \"FS-SCJG\", \"region\": \"440600\", \"type\": \"01\","
    "   \"handling\": \"promised\", \"target\": \"enterprise\","
    "   \"themes\": [\"starting_business\", \"tax\"],"
    "   \"categories\": [\"市场主体登记\", \"变更, 备案\"],"
    "   \"keywords\": [\"营业执照\", \"\\\"变更\\\"\", \"公司 𠀀\"],"
    "   \"legal_basis\": ["
    "    {\"law\": \"中华人民共和国市场主体登记管理条例\", \"article\": \"第二十四条\","
    "     \"text\": \"市场主体变更登记事项，应当……\\n第二款：\\\"自作出变更决议\\\"之日起 30 "
    "日内\","
    "     \"url\": \"https://www.gov.cn/zhengce/content_5632964.htm\"},"
    "    {\"law\": \"市场主体登记管理条例实施细则\", \"article\": \"\", \"text\": null, \"url\": "
    "null}],"
    "   \"conditions\": [\"已领取营业执照的企业\", \"变更事项, 已作出决议\"],"
    "   \"process\": [{\"step\": \"申请\", \"description\": \"网上提交\\r\\n或窗口提交\"},"
    "    {\"step\": \"受理\", \"description\": null}, {\"step\": \"审查\", \"description\": \"\"}],"
    "   \"materials\": ["
    "    {\"name\": \"变更登记申请书\", \"form\": \"electronic\", \"copies\": 1, \"required\": "
    "true,"
    "     \"condition\": null, \"notes\": \"法定代表人签署\","
    "     \"blank_form\": \"https://example.gov.cn/form.docx\", \"example\": null,"
    "     \"verification\": \"系统校验电子签名\","
    "     \"substitute\": {\"certificate_type\": null, \"government_data\": null}},"
    "    {\"name\": \"营业执照\", \"form\": \"original\", \"copies\": 1, \"required\": true,"
    "     \"condition\": null, \"notes\": \"\", \"blank_form\": null, \"example\": null,"
    "     \"verification\": \"窗口核验原件\","
    "     \"substitute\": {\"certificate_type\": \"营业执照\", \"government_data\": null}},"
    "    {\"name\": \"股东会决议, 副本\", \"form\": \"copy\", \"copies\": 2, \"required\": false,"
    "     \"condition\": \"涉及股东变更的\", \"notes\": \"第一行\\n第二行 \\\"盖章\\\"\","
    "     \"blank_form\": null, \"example\": \"示例\", \"verification\": \"人工核对\","
    "     \"substitute\": {\"certificate_type\": null, \"government_data\": \"市场监管数据\"}}],"
    "   \"fee\": {\"free\": false, \"items\": ["
    "    {\"name\": \"工本费\", \"amount_fen\": 1000, \"basis\": \"粤价〔2020〕1 号\"},"
    "    {\"name\": \"副本, 加印\", \"amount_fen\": 0, \"basis\": \"同上, \\\"第二条\\\"\"}]},"
    "   \"time_limit\": {\"statutory\": {\"unit\": \"working_days\", \"value\": 15},"
    "    \"promised\": {\"unit\": \"working_days\", \"value\": 3}},"
    "   \"visits\": 0, \"acceptance_with_missing\": true,"
    "   \"commitment\": {\"allowed\": true, \"waived_materials\": [\"股东会决议, 副本\"]},"
    "   \"channels\": [\"online\", \"mobile\", \"counter\"],"
    "   \"locations\": [{\"hall\": \"HALL-CC\", \"window\": \"A 区 12 号窗口\", \"hours\": null},"
    "    {\"hall\": \"HALL-CC\", \"window\": \"\", \"hours\": \"周六 9:00-12:00\"}],"
    "   \"result\": {\"name\": \"营业执照\", \"certificate_type\": \"营业执照\","
    "    \"delivery\": [\"electronic\", \"post\", \"pickup\"]},"
    "   \"preferences\": [{\"kind\": \"promised_days_reduced\", \"value\": 1,"
    "     \"condition\": \"all_electronic\"},"
    "    {\"kind\": \"fee_reduced\", \"value\": 50, \"condition\": null}],"
    "   \"contacts\": {\"consultation\": \"0757-12345\", \"complaint\": \"0757-12345, 12315\"},"
    "   \"form_schema\": [{\"name\": \"new_name\", \"type\": \"text\", \"label\": \"新名称\","
    "     \"required\": true},"
    "    {\"name\": \"reason\", \"type\": \"choice\", \"label\": \"变更原因\", \"required\": false,"
    "     \"choices\": [\"迁址\", \"改名, 扩营\", \"其他\"]},"
    "    {\"name\": \"date\", \"type\": \"date\", \"label\": \"日期\", \"required\": false}]},"
    "  {\"code\": \"440600-SCJG-0001\", \"version\": 2, \"status\": \"draft\","
    "   \"effective_from\": null, \"basic_code\": null, \"name\": \"企业营业执照变更登记（修订）\","
    "   \"short_name\": null, \"department\": \"FS-SCJG-CC\", \"region\": null, \"type\": \"01\","
    "   \"handling\": \"promised\", \"target\": \"both\", \"themes\": [], \"categories\": [],"
    "   \"keywords\": [], \"legal_basis\": [], \"conditions\": [], \"process\": [],"
    "   \"materials\": [{\"name\": \"申请书\", \"form\": \"electronic\", \"copies\": 0,"
    "     \"required\": false, \"condition\": null, \"notes\": null, \"blank_form\": null,"
    "     \"example\": null, \"verification\": null,"
    "     \"substitute\": {\"certificate_type\": null, \"government_data\": null}}],"
    "   \"fee\": null, \"time_limit\": {\"statutory\": null, \"promised\": null},"
    "   \"visits\": null, \"acceptance_with_missing\": false,"
    "   \"commitment\": {\"allowed\": false, \"waived_materials\": []},"
    "   \"channels\": [], \"locations\": [], \"result\": null, \"preferences\": [],"
    "   \"contacts\": {\"consultation\": null, \"complaint\": \"\"}, \"form_schema\": []},"
    "  {\"code\": \"440604-MZ-0100\", \"version\": 3, \"status\": \"withdrawn\","
    "   \"effective_from\": \"2025-03-01\", \"basic_code\": \"001\", \"name\": "
    "\"出生医学证明办理\","
    "   \"short_name\": \"出生证\", \"department\": \"FS-SCJG-CC\", \"region\": \"440604\","
    "   \"type\": \"20\", \"handling\": \"immediate\", \"target\": \"person\","
    "   \"themes\": [\"birth\", \"health\"], \"categories\": [\"出生\"], \"keywords\": [],"
    "   \"legal_basis\": [{\"law\": \"母婴保健法\", \"article\": null, \"text\": \"\","
    "     \"url\": \"http://example.org/a?b=1,2\"}],"
    "   \"conditions\": [], \"process\": [{\"step\": \"办理\", \"description\": \"即来即办\"}],"
    "   \"materials\": [{\"name\": \"身份证\", \"form\": \"original\", \"copies\": 1,"
    "     \"required\": true, \"condition\": null, \"notes\": null, \"blank_form\": null,"
    "     \"example\": null, \"verification\": \"刷证\","
    "     \"substitute\": {\"certificate_type\": \"居民身份证\", \"government_data\": "
    "\"公安人口库\"}}],"
    "   \"fee\": {\"free\": true, \"items\": []},"
    "   \"time_limit\": {\"statutory\": {\"unit\": \"none\", \"value\": null},"
    "    \"promised\": {\"unit\": \"immediate\", \"value\": 0}},"
    "   \"visits\": 1, \"acceptance_with_missing\": false,"
    "   \"commitment\": {\"allowed\": false, \"waived_materials\": []},"
    "   \"channels\": [\"counter\", \"kiosk\"],"
    "   \"locations\": [{\"hall\": \"HALL-CC\", \"window\": null, \"hours\": null}],"
    "   \"result\": {\"name\": \"出生医学证明\", \"certificate_type\": null, \"delivery\": "
    "[\"pickup\"]},"
    "   \"preferences\": [], \"contacts\": {\"consultation\": \"12345\", \"complaint\": \"12345\"},"
    "   \"form_schema\": [{\"name\": \"sex\", \"type\": \"choice\", \"label\": \"性别\","
    "     \"required\": true, \"choices\": [\"男\", \"女\"]}]}]}";

static const char *const files[] = {
    "departments.csv",      "halls.csv",          "items.csv",
    "item_legal_basis.csv", "item_process.csv",   "item_materials.csv",
    "item_fees.csv",        "item_locations.csv", "item_preferences.csv",
    "item_form_fields.csv", "item_lists.csv",     NULL};

static json_t *load_doc(void)
{
    json_error_t err;
    json_t *doc = json_loads(doc_text, 0, &err);
    if (!doc) fail_msg("test document: %s at %d", err.text, err.position);
    return doc;
}

static char *dump_new(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    return s;
}

/** The canonical dumps of a's and b's records are the same, one by one. */
static void assert_same_catalog(json_t *a, json_t *b)
{
    assert_string_equal(json_string_value(json_object_get(a, "format")),
                        json_string_value(json_object_get(b, "format")));
    static const char *const sections[] = {"departments", "halls", "items"};
    for (int s = 0; s < 3; s++) {
        json_t *x = json_object_get(a, sections[s]), *y = json_object_get(b, sections[s]);
        assert_int_equal(json_array_size(x), json_array_size(y));
        for (size_t i = 0; i < json_array_size(x); i++) {
            json_t *ex = json_array_get(x, i), *ey = json_array_get(y, i);
            char *dx, *dy;
            if (s == 0) {
                dx = dump_new(catalog_department_canonical(ex));
                dy = dump_new(catalog_department_canonical(ey));
            } else if (s == 1) {
                dx = dump_new(catalog_hall_canonical(ex));
                dy = dump_new(catalog_hall_canonical(ey));
            } else {
                dx = dump_new(
                    catalog_item_canonical(ex, json_string_value(json_object_get(ex, "status"))));
                dy = dump_new(
                    catalog_item_canonical(ey, json_string_value(json_object_get(ey, "status"))));
            }
            assert_string_equal(dx, dy);
            free(dx);
            free(dy);
        }
    }
    /* and exactly equal as JSON (integers stay integers, reals reals) */
    assert_true(json_equal(a, b));
}

/** A file's contents with room for 63 more bytes; caller frees. */
static char *read_text(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = calloc(1, (size_t)n + 64); /* room for small edits in place */
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void append_text(const char *dir, const char *name, const char *text)
{
    char *old = read_text(dir, name);
    char *s = malloc(strlen(old) + strlen(text) + 1);
    strcpy(s, old);
    strcat(s, text);
    write_text(dir, name, s);
    free(old);
    free(s);
}

/** The physical line (1-based) where needle first appears in a file. */
static long line_of(const char *dir, const char *name, const char *needle)
{
    char *s = read_text(dir, name);
    char *at = strstr(s, needle);
    if (!at) fail_msg("%s not in %s", needle, name);
    long line = 1;
    for (char *p = s; p < at; p++)
        line += *p == '\n';
    free(s);
    return line;
}

/** The number of lines of a file ending with a line break. */
static long lines_in(const char *dir, const char *name)
{
    char *s = read_text(dir, name);
    long n = 0;
    for (char *p = s; *p; p++)
        n += *p == '\n';
    free(s);
    return n;
}

static void print_report(const struct catalog_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const struct catalog_problem *p = &rep->v[i];
        fprintf(stderr, "  %s:%ld [%s] %s %s (%s)\n", p->file, p->line, p->item, p->field, p->key,
                p->arg);
    }
}

/** Asserts that rep holds the problem (file, line, field, key). */
static void expect(const struct catalog_report *rep, const char *file, long line, const char *field,
                   const char *key)
{
    for (size_t i = 0; i < rep->n; i++) {
        const struct catalog_problem *p = &rep->v[i];
        if (!strcmp(p->file, file) && p->line == line && !strcmp(p->field, field) &&
            !strcmp(p->key, key))
            return;
    }
    print_report(rep);
    fail_msg("expected %s:%ld %s %s", file, line, field, key);
}

/** The document is valid, and reads back from CSV the same. */
static void test_round_trip(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    struct catalog_report rep = {0};
    assert_int_equal(catalog_doc_check(doc, &rep, NULL, NULL), 0);
    catalog_report_free(&rep);

    char *dir = test_tmpdir();
    char sub[512], err[256] = "";
    snprintf(sub, sizeof sub, "%s/export/csv", dir); /* created on the way */
    assert_int_equal(catalog_csv_write(doc, sub, err, sizeof err), 0);
    /* written twice: the files are replaced, no temporary file is left */
    assert_int_equal(catalog_csv_write(doc, sub, err, sizeof err), 0);
    DIR *d = opendir(sub);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))) n++;
    closedir(d);
    assert_int_equal(n, 11);

    /* the form: a header, CRLF, null vs "" */
    char *depts = read_text(sub, "departments.csv");
    assert_non_null(strstr(depts, "code,name,name_en,parent,region,contact,contact.phone,"
                                  "contact.address,contact.hours\r\n"));
    assert_non_null(strstr(depts, "FS-SCJG,佛山市市场监督管理局,"
                                  "\"Foshan Market Supervision, \"\"Admin\"\"\",,440600,true,"
                                  "0757-83030000,佛山市禅城区岭南大道北 20 号,\"\"\r\n"));
    assert_non_null(strstr(depts, "FS-SCJG-CC,禅城分局,,FS-SCJG,,false,,,\r\n"));
    free(depts);
    char *halls = read_text(sub, "halls.csv");
    assert_non_null(strstr(halls, ",23.0215,113,12\r\n"));
    free(halls);

    json_t *back = NULL;
    struct catalog_csv_src *src = NULL;
    assert_int_equal(catalog_csv_read(sub, &rep, &back, &src), 0);
    assert_int_equal(rep.n, 0);
    assert_same_catalog(doc, back);
    assert_int_equal(catalog_doc_check(back, &rep, catalog_csv_locate, src), 0);
    json_decref(back);
    catalog_csv_src_free(src);
    catalog_report_free(&rep);

    /* what spreadsheets do: a BOM, LF line ends, TRUE, quoted numbers */
    char *text = read_text(sub, "departments.csv");
    char *lf = malloc(strlen(text) + 4);
    strcpy(lf, "\xEF\xBB\xBF");
    for (char *p = text, *q = lf + 3;; p++) {
        if (p[0] == '\r' && p[1] == '\n') continue;
        *q++ = *p;
        if (!*p) break;
    }
    char *t = strstr(lf, ",true,");
    assert_non_null(t);
    memcpy(t, ",TRUE,", 6);
    write_text(sub, "departments.csv", lf);
    free(text);
    free(lf);
    text = read_text(sub, "halls.csv");
    t = strstr(text, ",12\r\n");
    assert_non_null(t);
    strcpy(t, ",\"12\"\r\n");
    write_text(sub, "halls.csv", text);
    free(text);
    assert_int_equal(catalog_csv_read(sub, &rep, &back, &src), 0);
    assert_same_catalog(doc, back);
    json_decref(back);
    catalog_csv_src_free(src);
    catalog_report_free(&rep);

    json_decref(doc);
    test_rmrf(dir);
    free(dir);
}

/** A document that cannot be written leaves nothing half done. */
static void test_write_errors(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char err[256] = "", path[512];
    json_t *doc = load_doc();
    /* a member of the wrong type */
    json_t *m = json_array_get(
        json_object_get(json_array_get(json_object_get(doc, "items"), 0), "materials"), 1);
    json_object_set_new(m, "copies", json_string("one"));
    assert_int_equal(catalog_csv_write(doc, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "item_materials.csv"));
    assert_non_null(strstr(err, "copies"));
    snprintf(path, sizeof path, "%s/items.csv", dir);
    assert_int_equal(access(path, F_OK), -1);
    json_decref(doc);
    /* not a catalog */
    doc = json_pack("{s:s}", "format", "other/1");
    assert_int_equal(catalog_csv_write(doc, dir, err, sizeof err), -1);
    json_decref(doc);
    /* a directory that cannot be made */
    doc = load_doc();
    write_text(dir, "file", "x");
    snprintf(path, sizeof path, "%s/file/sub", dir);
    err[0] = 0;
    assert_int_equal(catalog_csv_write(doc, path, err, sizeof err), -1);
    assert_true(err[0] != 0);
    json_decref(doc);
    test_rmrf(dir);
    free(dir);
}

/** Broken files: every problem is listed with its file, line and column. */
static void test_broken_files(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char err[256];
    json_t *doc = load_doc();
    assert_int_equal(catalog_csv_write(doc, dir, err, sizeof err), 0);
    json_decref(doc);

    /* items.csv line 3 (the draft, version 2): a bad integer; its material
     * row then belongs to no item */
    char *text = read_text(dir, "items.csv");
    char *l3 = strchr(strchr(text, '\n') + 1, '\n') + 1;
    char *v = strchr(l3, ',') + 1;
    assert_memory_equal(v, "2,", 2);
    memmove(v + 1, v, strlen(v) + 1);
    memcpy(v, "2x", 2);
    write_text(dir, "items.csv", text);
    free(text);
    long draft_material = line_of(dir, "item_materials.csv", ",申请书,electronic");

    /* an unknown column */
    text = read_text(dir, "halls.csv");
    char *fixed = malloc(strlen(text) + 32);
    char *eol = strstr(text, "\r\n");
    sprintf(fixed, "%.*s,extra\r\n%.*s,x\r\n", (int)(eol - text), text, (int)(strlen(eol + 2) - 2),
            eol + 2);
    write_text(dir, "halls.csv", fixed);
    free(fixed);
    free(text);

    /* a child row for an unknown item */
    long loc_line = lines_in(dir, "item_locations.csv") + 1;
    append_text(dir, "item_locations.csv", "NO-SUCH,1,0,HALL-CC,,\r\n");
    /* an unterminated quote */
    long proc_line = lines_in(dir, "item_process.csv") + 1;
    append_text(dir, "item_process.csv", "440604-MZ-0100,3,1,\"办理,unterminated\r\n");
    /* a missing file */
    char path[512];
    snprintf(path, sizeof path, "%s/item_preferences.csv", dir);
    assert_int_equal(unlink(path), 0);
    /* invalid UTF-8 */
    append_text(dir, "departments.csv", "FS-X,\xff\xfe,,,,false,,,\r\n");
    /* an unknown list, a repeated position, a list the item does not have */
    long list_line = lines_in(dir, "item_lists.csv") + 1;
    append_text(dir, "item_lists.csv",
                "440604-MZ-0100,3,nonsense,0,x\r\n"
                "440604-MZ-0100,3,themes,0,tax\r\n"
                "440600-SCJG-0001,1,form_schema[0].choices,0,x\r\n"
                "440600-SCJG-0001,1,themes,-1,x\r\n");
    /* a wrong number of cells */
    long fee_line = lines_in(dir, "item_fees.csv") + 1;
    append_text(dir, "item_fees.csv", "440604-MZ-0100,3,0,x\r\n");
    /* a quote inside an unquoted cell, a bad boolean */
    long field_line = lines_in(dir, "item_form_fields.csv") + 1;
    append_text(dir, "item_form_fields.csv", "440604-MZ-0100,3,1,a\"b,text,L,true,false\r\n");
    long mat_line = lines_in(dir, "item_materials.csv") + 1;
    append_text(dir, "item_materials.csv", "440604-MZ-0100,3,1,证,copy,1,yes,,,,,ok,,\r\n");
    /* values for an object that is null */
    text = read_text(dir, "departments.csv");
    char *row = strstr(text, "FS-SCJG-CC,禅城分局,,FS-SCJG,,false,,,");
    assert_non_null(row);
    row = strstr(row, "false,,,") + 6;
    memmove(row + 3, row, strlen(row) + 1);
    memcpy(row, "123", 3);
    write_text(dir, "departments.csv", text);
    free(text);

    struct catalog_report rep = {0};
    json_t *back = NULL;
    struct catalog_csv_src *src = NULL;
    size_t errors = catalog_csv_read(dir, &rep, &back, &src);
    expect(&rep, "items.csv", 3, "version", "catalog.csv.bad_integer");
    expect(&rep, "item_materials.csv", draft_material, "item_code", "catalog.csv.unknown_item");
    expect(&rep, "halls.csv", 1, "extra", "catalog.csv.unknown_column");
    expect(&rep, "item_locations.csv", loc_line, "item_code", "catalog.csv.unknown_item");
    expect(&rep, "item_process.csv", proc_line, "step", "catalog.csv.unterminated_quote");
    expect(&rep, "item_preferences.csv", 0, "", "catalog.csv.missing_file");
    expect(&rep, "departments.csv", 4, "name", "catalog.csv.bad_utf8");
    expect(&rep, "departments.csv", 3, "contact.phone", "catalog.csv.values_without_object");
    expect(&rep, "item_lists.csv", list_line, "list", "catalog.csv.unknown_list");
    expect(&rep, "item_lists.csv", list_line + 1, "position", "catalog.csv.repeated_position");
    expect(&rep, "item_lists.csv", list_line + 2, "list", "catalog.csv.orphan_row");
    expect(&rep, "item_lists.csv", list_line + 3, "position", "catalog.csv.bad_position");
    expect(&rep, "item_fees.csv", fee_line, "", "catalog.csv.cell_count");
    expect(&rep, "item_form_fields.csv", field_line, "name", "catalog.csv.bad_quoting");
    expect(&rep, "item_materials.csv", mat_line, "required", "catalog.csv.bad_boolean");
    if (errors != 15 || rep.n != 15) print_report(&rep);
    assert_int_equal(errors, 15);
    assert_int_equal(rep.n, 15);
    /* the problem names the item */
    for (size_t i = 0; i < rep.n; i++)
        if (!strcmp(rep.v[i].key, "catalog.csv.bad_boolean"))
            assert_string_equal(rep.v[i].item, "440604-MZ-0100");
    assert_non_null(back);
    assert_non_null(src);
    json_decref(back);
    catalog_csv_src_free(src);
    catalog_report_free(&rep);

    /* missing columns, and a file with nothing in it */
    write_text(dir, "halls.csv", "code,name\r\nHALL-CC,x\r\n");
    write_text(dir, "item_preferences.csv", "");
    errors = catalog_csv_read(dir, &rep, &back, &src);
    expect(&rep, "halls.csv", 1, "lat", "catalog.csv.missing_column");
    expect(&rep, "halls.csv", 1, "kiosks", "catalog.csv.missing_column");
    expect(&rep, "item_preferences.csv", 1, "", "catalog.csv.no_header");
    assert_true(errors >= 3);
    json_decref(back);
    catalog_csv_src_free(src);
    catalog_report_free(&rep);

    /* an empty directory: every file is missing */
    char *empty = test_tmpdir();
    errors = catalog_csv_read(empty, &rep, &back, &src);
    assert_int_equal(errors, 11);
    for (int i = 0; files[i]; i++)
        expect(&rep, files[i], 0, "", "catalog.csv.missing_file");
    json_decref(back);
    catalog_csv_src_free(src);
    catalog_report_free(&rep);
    test_rmrf(empty);
    free(empty);
    test_rmrf(dir);
    free(dir);
}

/** Problems found by the document check are placed on the CSV row that
 *  holds the value: the record's row, or the child table's row. */
static void test_locate(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    json_t *items = json_object_get(doc, "items");
    json_t *a = json_array_get(items, 0), *c = json_array_get(items, 2);
    json_object_set_new(c, "department", json_string("NO-SUCH"));
    json_object_set_new(json_array_get(json_object_get(c, "locations"), 0), "hall",
                        json_string("HALL-X"));
    json_object_set_new(json_array_get(json_object_get(a, "materials"), 2), "copies",
                        json_integer(1000));
    json_object_set_new(json_array_get(json_object_get(json_object_get(a, "fee"), "items"), 1),
                        "amount_fen", json_integer(-5));
    json_array_set_new(json_object_get(a, "themes"), 1, json_string("nonsense"));
    json_array_set_new(
        json_object_get(json_array_get(json_object_get(a, "form_schema"), 1), "choices"), 2,
        json_string(""));
    json_object_set_new(json_array_get(json_object_get(doc, "departments"), 1), "parent",
                        json_string("NOPE"));

    char *dir = test_tmpdir();
    char err[256];
    assert_int_equal(catalog_csv_write(doc, dir, err, sizeof err), 0);
    struct catalog_report rep = {0};
    json_t *back = NULL;
    struct catalog_csv_src *src = NULL;
    assert_int_equal(catalog_csv_read(dir, &rep, &back, &src), 0);
    assert_same_catalog(doc, back);
    assert_true(catalog_doc_check(back, &rep, catalog_csv_locate, src) > 0);
    expect(&rep, "items.csv", 4, "department", "catalog.unknown_department");
    expect(&rep, "item_locations.csv", line_of(dir, "item_locations.csv", "HALL-X"),
           "locations[0].hall", "catalog.unknown_hall");
    expect(&rep, "item_materials.csv", line_of(dir, "item_materials.csv", "股东会决议"),
           "materials[2].copies", "catalog.out_of_range");
    expect(&rep, "item_fees.csv", line_of(dir, "item_fees.csv", "副本, 加印"),
           "fee.items[1].amount_fen", "catalog.negative");
    expect(&rep, "item_lists.csv", line_of(dir, "item_lists.csv", "nonsense"), "themes[1]",
           "catalog.bad_value");
    expect(&rep, "item_lists.csv", line_of(dir, "item_lists.csv", "form_schema[1].choices,2,"),
           "form_schema[1].choices[2]", "catalog.empty");
    expect(&rep, "departments.csv", 3, "parent", "catalog.unknown_department");

    /* the locator alone */
    char file[64] = "";
    long line = 0;
    catalog_csv_locate(src, "items", 0, "materials[1]", file, sizeof file, &line);
    assert_string_equal(file, "item_materials.csv");
    assert_int_equal(line, line_of(dir, "item_materials.csv", ",营业执照,original"));
    catalog_csv_locate(src, "items", 0, "materials", file, sizeof file, &line);
    assert_string_equal(file, "items.csv");
    assert_int_equal(line, 2);
    catalog_csv_locate(src, "items", 0, "form_schema[1].choices", file, sizeof file, &line);
    assert_string_equal(file, "item_form_fields.csv");
    assert_int_equal(line, line_of(dir, "item_form_fields.csv", "reason"));
    catalog_csv_locate(src, "items", 1, "materials[0].name", file, sizeof file, &line);
    assert_string_equal(file, "item_materials.csv");
    assert_int_equal(line, line_of(dir, "item_materials.csv", ",申请书,electronic"));
    catalog_csv_locate(src, "halls", 0, "lat", file, sizeof file, &line);
    assert_string_equal(file, "halls.csv");
    assert_int_equal(line, 2);
    strcpy(file, "unchanged");
    line = 7;
    catalog_csv_locate(src, "items", 99, "code", file, sizeof file, &line);
    assert_string_equal(file, "unchanged");
    assert_int_equal(line, 7);

    json_decref(back);
    catalog_csv_src_free(src);
    catalog_report_free(&rep);
    json_decref(doc);
    test_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_locate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
