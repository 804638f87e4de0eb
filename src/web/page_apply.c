/**
 * @file page_apply.c
 * @brief The applicant's side of the hall (docs/applying.md): the apply form
 *        of an item built from its guide and what cases_prepare says is
 *        already covered; my cases; a case with its progress timeline, the
 *        promised date, the supplement request and its answer, withdrawal
 *        and rating; the printable receipt; the material locker (upload,
 *        where each file is used, delete the unused); who looked at my case
 *        data. Everything a person reads is looked up by key (apply.*);
 *        every piece of data goes through the escaping helpers.
 */
#include "api/api.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/html.h"
#include "core/idcheck.h"
#include "core/url.h"
#include "domain/cases.h"
#include "domain/catalog_store.h"
#include "domain/catalog_view.h"
#include "domain/enterprises.h"
#include "store/store.h"
#include "web/apply.h"
#include "web/page.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_PAGE 20

/* Asked of the lead for api/api.h, shared with POST /api/v1/uploads:
 * checks every file the request received (not empty, PDF, JPEG, PNG or
 * OFD judged from its bytes) and records them all in the caller's locker,
 * or none; 0 with items [{"id", "filename", ...}], or a negative code with
 * e set (ERR_INVALID, ERR_MEDIA_TYPE, ERR_UNAVAILABLE) and nothing
 * written. Weak until it lands, so the program links without it; the
 * locker page then says uploading is not open yet. */


/* The national 好差评 indicators a rating may name (docs/applying.md). */
static const char *const indicators[] = {
    "guide_accuracy", "fewer_materials",    "on_time", "attitude",
    "done_in_one",    "online_convenience", NULL};

/* States in which the applicant may still withdraw, when the case does not
 * say what the caller may do ("allowed"). */
static const char *const open_states[] = {"draft",      "submitted",    "pre_accepted", "accepted",
                                          "supplement", "under_review", "special",      NULL};

/* --- small helpers --- */

static const char *jstr(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* A member by dotted path ("item.name"). */
static json_t *jpath(json_t *o, const char *path)
{
    char part[64];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof part) return NULL;
        memcpy(part, path, n);
        part[n] = 0;
        o = json_object_get(o, part);
        path += n + (dot ? 1 : 0);
    }
    return o;
}

static const char *jpstr(json_t *o, const char *path)
{
    return json_string_value(jpath(o, path));
}

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0) return 1;
    return 0;
}

/* The translation of prefix.value; the value itself when there is none
 * (a state or role the domain adds later still reads as something). */
static const char *label_or(struct http_req *r, const char *prefix, const char *value)
{
    if (!value) return "";
    char key[96];
    snprintf(key, sizeof key, "%s.%s", prefix, value);
    const char *t = T(r, key);
    return strcmp(t, key) == 0 ? value : t;
}

/* Writes T(key) with "{}" replaced by arg, escaped. */
static void text_f(struct http_req *r, struct buf *b, const char *key, const char *arg)
{
    char out[768];
    html_text(b, trf(r->lang, key, arg ? arg : "", out, sizeof out));
}

static void text_n(struct http_req *r, struct buf *b, const char *key, long long n)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", n);
    text_f(r, b, key, num);
}

/* The colon after a name ("：" / ": "). */
static void colon(struct http_req *r, struct buf *b)
{
    page_t(r, b, "apply.colon");
    if (r->lang != LANG_ZH) buf_putc(b, ' ');
}

/* An instant as "2026-03-02 09:15" in the display zone; a date as it is. */
static void when_text(struct buf *b, const char *iso)
{
    int64_t ms;
    if (!iso) return;
    if (strlen(iso) > 10 && clock_parse_iso(iso, &ms) == 0) {
        char out[32];
        clock_format_iso(ms, out);
        out[10] = ' ';
        out[16] = 0;
        html_text(b, out);
    } else {
        html_text(b, iso);
    }
}

static void size_text(struct buf *b, long long n)
{
    if (n < 1024)
        buf_printf(b, "%lld B", n);
    else if (n < 1024 * 1024)
        buf_printf(b, "%.1f KB", (double)n / 1024);
    else
        buf_printf(b, "%.1f MB", (double)n / (1024 * 1024));
}

/* The message of e in the request's language (as page.c writes it). */
static const char *err_text(struct http_req *r, const struct err *e, char *out, unsigned n)
{
    if (e->key[0]) return trf(r->lang, e->key, e->arg, out, n);
    char key[96];
    snprintf(key, sizeof key, "err.%s", err_slug(e->code));
    snprintf(out, n, "%s", T(r, key));
    return out;
}



/* The page number from ?page=, 1 when absent or not a positive number. */
static long page_number(struct http_req *r)
{
    const char *s = http_query(r, "page");
    char *end;
    long v = s ? strtol(s, &end, 10) : 1;
    return s && (*end || v < 1 || v > 1000000) ? 1 : v;
}

/* What the last step did, said once at the top of the page it led to. */
static void done_note(struct http_req *r, struct buf *b)
{
    static const char *const done[] = {"saved", "submitted", "withdrawn", "supplemented",
                                       "rated", "uploaded",  "deleted",   NULL};
    const char *d = http_query(r, "done");
    if (!in_list(done, d)) return;
    char key[48];
    snprintf(key, sizeof key, "apply.done.%s", d);
    buf_puts(b, "<p class=\"note\" role=\"status\">");
    page_t(r, b, key);
    buf_puts(b, "</p>");
}

/* One row of a list of facts. value is text; NULL or "" reads "none". */
static void fact(struct http_req *r, struct buf *b, const char *key, const char *value)
{
    page_fact(r, b, key, value, "apply.none");
}

static void fact_when(struct http_req *r, struct buf *b, const char *key, const char *iso)
{
    page_fact_open(r, b, key);
    if (iso && *iso)
        when_text(b, iso);
    else
        page_t(r, b, "apply.none");
    page_fact_close(b);
}

/* --- form fields with the markup of page_field --- */

struct fld {
    const char *name;  /**< form name; the error's field; id "f-NAME" */
    const char *label; /**< text (translated or from the catalog) */
    const char *hint;  /**< text or NULL */
    int required;
};

/* Writes the label, hint and error message of a field and, into attrs,
 * the attributes tying the control to them. Returns whether e names it. */
static int field_open(struct http_req *r, struct buf *b, const struct fld *f, const struct err *e,
                      struct buf *attrs)
{
    int bad = e && e->code != ERR_OK && strcmp(e->field, f->name) == 0;
    buf_puts(b, bad ? "<div class=\"field invalid\"><label for=\"f-"
                    : "<div class=\"field\"><label for=\"f-");
    html_attr(b, f->name);
    buf_puts(b, "\">");
    html_text(b, f->label);
    if (!f->required) {
        if (r->lang != LANG_ZH) buf_putc(b, ' ');
        page_t(r, b, "apply.optional");
    }
    buf_puts(b, "</label>");
    if (f->hint) {
        buf_puts(b, "<p class=\"hint\" id=\"h-");
        html_attr(b, f->name);
        buf_puts(b, "\">");
        html_text(b, f->hint);
        buf_puts(b, "</p>");
    }
    if (bad) {
        char msg[512];
        buf_puts(b, "<p class=\"error\" id=\"e-");
        html_attr(b, f->name);
        buf_puts(b, "\"><span class=\"sr-only\">");
        page_t(r, b, "web.form.error_prefix");
        buf_puts(b, " </span>");
        html_text(b, err_text(r, e, msg, sizeof msg));
        buf_puts(b, "</p>");
    }
    buf_puts(attrs, " id=\"f-");
    html_attr(attrs, f->name);
    buf_puts(attrs, "\" name=\"");
    html_attr(attrs, f->name);
    buf_puts(attrs, "\"");
    if (f->required) buf_puts(attrs, " aria-required=\"true\"");
    if (bad) buf_puts(attrs, " aria-invalid=\"true\"");
    if (bad || f->hint) {
        buf_puts(attrs, " aria-describedby=\"");
        if (bad) {
            buf_puts(attrs, "e-");
            html_attr(attrs, f->name);
        }
        if (bad && f->hint) buf_putc(attrs, ' ');
        if (f->hint) {
            buf_puts(attrs, "h-");
            html_attr(attrs, f->name);
        }
        buf_puts(attrs, "\"");
    }
    return bad;
}

static void input_field(struct http_req *r, struct buf *b, const struct fld *f, const char *type,
                        const char *extra, const char *value, const struct err *e)
{
    struct buf attrs = BUF_INIT;
    field_open(r, b, f, e, &attrs);
    buf_printf(b, "<input type=\"%s\"", type);
    buf_puts(b, buf_str(&attrs));
    if (extra) buf_puts(b, extra);
    if (value && *value) {
        buf_puts(b, " value=\"");
        html_attr(b, value);
        buf_puts(b, "\"");
    }
    buf_puts(b, "></div>\n");
    buf_free(&attrs);
}

static void option(struct buf *b, const char *value, const char *text, const char *current)
{
    buf_puts(b, "<option value=\"");
    html_attr(b, value);
    buf_puts(b, "\"");
    if (current && strcmp(current, value) == 0) buf_puts(b, " selected");
    buf_puts(b, ">");
    html_text(b, text);
    buf_puts(b, "</option>");
}

/* The locker's files as options "u<id>": "name (size, date)". */
static void locker_options(struct http_req *r, struct buf *b, json_t *locker, const char *current)
{
    size_t i;
    json_t *f;
    json_array_foreach(locker, i, f)
    {
        char value[32];
        snprintf(value, sizeof value, "u%lld",
                 (long long)json_integer_value(json_object_get(f, "id")));
        struct buf t = BUF_INIT, sz = BUF_INIT;
        size_text(&sz, (long long)json_integer_value(json_object_get(f, "size")));
        const char *fn = jstr(f, "filename");
        buf_printf(&t, "%s (%s)", fn ? fn : "", buf_str(&sz));
        char out[512];
        option(b, value, trf(r->lang, "apply.material.locker", buf_str(&t), out, sizeof out),
               current);
        buf_free(&t);
        buf_free(&sz);
    }
}

/* The locker file "u<id>" names, or 0. */
static int64_t locker_pick(json_t *locker, const char *v)
{
    if (!v || v[0] != 'u' || !isdigit((unsigned char)v[1])) return 0;
    char *end;
    long long id = strtoll(v + 1, &end, 10);
    if (*end || id <= 0) return 0;
    size_t i;
    json_t *f;
    json_array_foreach(locker, i,
                       f) if (json_integer_value(json_object_get(f, "id")) == id) return id;
    return 0;
}

/* --- idempotent creation from a form ---
 *
 * The apply form carries a random token (hidden "idem"), given to
 * cases_create as the key of the creation (scope "web.apply", per person):
 * the first post with it creates the case; a second post of the same form
 * (a double tap, a reload of the answer, the back button) is answered that
 * case instead of creating another, whatever it carries. A post that fails
 * (a field at fault) leaves the token free for the corrected form. */

#define SCOPE_APPLY "web.apply"

/* The posted token when it looks like one of ours, else NULL. */
static const char *idem_token(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 16 || n > 64) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_') return NULL;
    return s;
}

/* A time limit of the catalog in words ("5 个工作日"); NULL when none. */
static const char *limit_words(struct http_req *r, json_t *limit)
{
    const char *unit = jstr(limit, "unit");
    if (!unit) return NULL;
    char key[64], val[24], out[160];
    snprintf(key, sizeof key, "catalog.unit.%s", unit);
    snprintf(val, sizeof val, "%lld",
             (long long)json_integer_value(json_object_get(limit, "value")));
    return arena_strdup(r->arena, trf(r->lang, key, val, out, sizeof out));
}

/* --- the apply form --- */

struct apply {
    const char *code;
    json_t *item;      /**< the published item (exchange object) */
    json_t *prep;      /**< what cases_prepare says */
    json_t *locker;    /**< the person's files (array) */
    json_t *ents;      /**< enterprises the person acts for [{"id","name","uscc"}] */
    json_t *values;    /**< input name -> text shown in the form */
    const char *draft; /**< the draft's number when editing one */
    const char *idem;
    const char *dept; /**< the department's name */
};

static void apply_free(struct apply *a)
{
    json_decref(a->item);
    json_decref(a->prep);
    json_decref(a->locker);
    json_decref(a->ents);
    json_decref(a->values);
}

/* The applicant's own data, prefilled from the account. */
static const struct {
    const char *name, *label_key, *type, *autocomplete, *inputmode;
    int fold;
} person_fields[] = {
    {"applicant_name", "apply.field.name", "text", "name", NULL, 0},
    {"applicant_id_number", "apply.field.id_number", "text", "off", NULL, 1},
    {"applicant_phone", "apply.field.phone", "tel", "tel-national", "tel", 1},
};
#define NPERSON (sizeof person_fields / sizeof person_fields[0])

static void ent_add(const struct enterprise *en, void *ctx)
{
    json_array_append_new(ctx,
                          json_pack("{s:I, s:s, s:s}", "id", (json_int_t)en->id, "name",
                                    en->name ? en->name : "", "uscc", en->uscc ? en->uscc : ""));
}

static json_t *locker_items(struct http_req *r, struct err *e)
{
    json_t *lk = locker_list(http_db(r), r->principal, e);
    if (!lk) return NULL;
    json_t *items = json_incref(json_object_get(lk, "items"));
    json_decref(lk);
    return items ? items : json_array();
}

/* Everything the form is built from. 0, or -1 when answered. */
static int apply_load(struct http_req *r, struct apply *a)
{
    struct err e;
    err_clear(&e);
    struct store_conn *c = http_db(r);
    a->values = json_object();
    a->prep = cases_prepare(c, r->principal, a->code, &e);
    if (!a->prep) return http_reply_err(r, &e), -1;
    struct catalog_view *v = catalog_view_get(c);
    if (!v) return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL), -1;
    const struct cv_item *it = catalog_view_item(v, a->code);
    a->item = it ? catalog_item_get(c, a->code, it->version) : NULL;
    if (it && it->dept < v->ndepts)
        a->dept = arena_strdup(r->arena, r->lang == LANG_EN && v->depts[it->dept].name_en
                                             ? v->depts[it->dept].name_en
                                             : v->depts[it->dept].name);
    catalog_view_put(v);
    if (!a->item) return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL), -1;
    a->locker = locker_items(r, &e);
    if (!a->locker) return http_reply_err(r, &e), -1;
    a->ents = json_array();
    enterprises_of(c, r->principal->account_id, ent_add, a->ents);
    return 0;
}

static const char *val(const struct apply *a, const char *name)
{
    return jstr(a->values, name);
}

static void set_val(struct apply *a, const char *name, const char *v)
{
    if (v) json_object_set_new(a->values, name, json_string(v));
}

static json_t *prefill_of(const struct apply *a, const char *name)
{
    return json_object_get(json_object_get(a->prep, "prefill"), name);
}

static const char *prefill_value(const struct apply *a, const char *name)
{
    json_t *p = prefill_of(a, name);
    return json_is_string(p) ? json_string_value(p) : jstr(p, "value");
}

static int prefill_verified(const struct apply *a, const char *name)
{
    return json_is_true(json_object_get(prefill_of(a, name), "verified"));
}

static json_t *schema(const struct apply *a)
{
    return json_object_get(a->item, "form_schema");
}

static json_t *materials(const struct apply *a)
{
    return json_object_get(a->item, "materials");
}

/* The material's input name: "materials[i]", the domain's field too. */
static const char *mat_input(struct http_req *r, size_t i)
{
    return arena_printf(r->arena, "materials[%zu]", i);
}

static const char *form_input(struct http_req *r, const char *name)
{
    return arena_printf(r->arena, "form.%s", name);
}

/* A JSON value of a form as the text of its input. */
static const char *value_text(struct http_req *r, json_t *v, int file)
{
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v))
        return arena_printf(r->arena, file ? "u%lld" : "%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) return arena_printf(r->arena, "%g", json_real_value(v));
    if (json_is_object(v) && json_is_integer(json_object_get(v, "upload_id")))
        return arena_printf(r->arena, "u%lld",
                            (long long)json_integer_value(json_object_get(v, "upload_id")));
    return NULL;
}

/* A material's choice as the text of its select. */
static const char *material_text(struct http_req *r, const char *source, json_t *upload)
{
    if (json_is_object(upload) && json_integer_value(json_object_get(upload, "id")) > 0)
        return arena_printf(r->arena, "u%lld",
                            (long long)json_integer_value(json_object_get(upload, "id")));
    if (source && (!strcmp(source, "government_data") || !strcmp(source, "certificate") ||
                   !strcmp(source, "pledge")))
        return source;
    return NULL;
}

/* A new application: the account's data and what is already covered. */
static void values_initial(struct http_req *r, struct apply *a)
{
    for (size_t i = 0; i < NPERSON; i++)
        set_val(a, form_input(r, person_fields[i].name), prefill_value(a, person_fields[i].name));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(a->prep, "materials"), i, m)
    {
        json_t *ix = json_object_get(m, "index");
        size_t k = json_is_integer(ix) ? (size_t)json_integer_value(ix) : i;
        const char *by = jstr(m, "covered_by");
        const char *t =
            material_text(r, by, by && !strcmp(by, "locker") ? json_object_get(m, "upload") : NULL);
        set_val(a, mat_input(r, k), t);
    }
}

/* A draft coming back: what it holds. */
static void values_from_case(struct http_req *r, struct apply *a, json_t *cs)
{
    json_t *form = json_object_get(cs, "form");
    for (size_t i = 0; i < NPERSON; i++) {
        const char *t = value_text(r, json_object_get(form, person_fields[i].name), 0);
        set_val(a, form_input(r, person_fields[i].name),
                t ? t : prefill_value(a, person_fields[i].name));
    }
    size_t i;
    json_t *f;
    json_array_foreach(schema(a), i, f)
    {
        const char *name = jstr(f, "name"), *type = jstr(f, "type");
        if (name)
            set_val(a, form_input(r, name),
                    value_text(r, json_object_get(form, name), type && !strcmp(type, "file")));
    }
    json_t *m;
    json_array_foreach(json_object_get(cs, "materials"), i, m)
    {
        json_t *ix = json_object_get(m, "index");
        size_t k = json_is_integer(ix) ? (size_t)json_integer_value(ix) : i;
        set_val(a, mat_input(r, k),
                material_text(r, jstr(m, "source"), json_object_get(m, "upload")));
    }
    json_t *en = json_object_get(json_object_get(cs, "enterprise"), "id");
    if (json_is_integer(en))
        set_val(a, "enterprise_id",
                arena_printf(r->arena, "%lld", (long long)json_integer_value(en)));
}

/* What was posted, trimmed (numbers, dates, ID and phone numbers folded
 * to half-width). */
static void values_from_post(struct http_req *r, struct apply *a)
{
    for (size_t i = 0; i < NPERSON; i++) {
        const char *in = form_input(r, person_fields[i].name);
        set_val(a, in, page_form_clean(r, in, person_fields[i].fold));
    }
    size_t i;
    json_t *f;
    json_array_foreach(schema(a), i, f)
    {
        const char *name = jstr(f, "name"), *type = jstr(f, "type");
        if (!name) continue;
        const char *in = form_input(r, name);
        int fold = type && (!strcmp(type, "number") || !strcmp(type, "date"));
        set_val(a, in, page_form_clean(r, in, fold));
    }
    for (i = 0; i < json_array_size(materials(a)); i++)
        set_val(a, mat_input(r, i), http_form(r, mat_input(r, i)));
    set_val(a, "enterprise_id", http_form(r, "enterprise_id"));
}

/* A calendar date "YYYY-MM-DD". */
static int date_ok(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        s[4] != '-' || s[7] != '-' || !isdigit((unsigned char)s[0]) || y < 1900 || y > 2200 ||
        m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* A number as typed: "12", "-3", "2.5". NULL when it is not one. */
static json_t *number_of(const char *s)
{
    char *end;
    if (!*s || isspace((unsigned char)*s)) return NULL;
    if (strspn(s, "-0123456789") == strlen(s)) {
        long long v = strtoll(s, &end, 10);
        return *end || (s[0] == '-' && !s[1]) ? NULL : json_integer(v);
    }
    if (strpbrk(s, "xXpPnN")) /* hex floats, inf, nan: not what people type */
        return NULL;
    double d = strtod(s, &end);
    return *end || !isfinite(d) ? NULL : json_real(d);
}

static int choice_ok(json_t *f, const char *v)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(f, "choices"), i,
                       c) if (json_is_string(c) && !strcmp(json_string_value(c), v)) return 1;
    return 0;
}

/* What a material may be satisfied by besides a file. */
static int source_allowed(const struct apply *a, json_t *m, const char *source)
{
    json_t *sub = json_object_get(m, "substitute");
    if (!strcmp(source, "government_data"))
        return json_is_string(json_object_get(sub, "government_data"));
    if (!strcmp(source, "certificate"))
        return json_is_string(json_object_get(sub, "certificate_type"));
    if (!strcmp(source, "pledge")) {
        json_t *cm = json_object_get(a->item, "commitment");
        if (!json_is_true(json_object_get(cm, "allowed"))) return 0;
        size_t i;
        json_t *w;
        const char *name = jstr(m, "name");
        json_array_foreach(json_object_get(cm, "waived_materials"), i,
                           w) if (name && json_is_string(w) &&
                                  !strcmp(json_string_value(w), name)) return 1;
    }
    return 0;
}

/* The body of cases_create from what was posted. What the page can tell
 * by itself (a value of the wrong type, a choice it did not offer) is
 * refused here, at its field, before anything is written; everything else
 * (required values and materials on submit ...) the domain decides. NULL
 * with e set. */
static json_t *apply_body(struct http_req *r, struct apply *a, int submit, struct err *e)
{
    json_t *form = json_object();
    for (size_t i = 0; i < NPERSON; i++) {
        const char *v = val(a, form_input(r, person_fields[i].name));
        if (v && *v) json_object_set_new(form, person_fields[i].name, json_string(v));
    }
    size_t i;
    json_t *f;
    json_array_foreach(schema(a), i, f)
    {
        const char *name = jstr(f, "name"), *type = jstr(f, "type"), *label = jstr(f, "label");
        if (!name || !type) continue;
        const char *in = form_input(r, name), *v = val(a, in);
        if (!v || !*v) continue;
        json_t *j = NULL;
        const char *bad = NULL;
        if (!strcmp(type, "number")) {
            if (!(j = number_of(v))) bad = "apply.err.number";
        } else if (!strcmp(type, "date")) {
            if (date_ok(v))
                j = json_string(v);
            else
                bad = "apply.err.date";
        } else if (!strcmp(type, "choice")) {
            if (choice_ok(f, v))
                j = json_string(v);
            else
                bad = "apply.err.choice";
        } else if (!strcmp(type, "file")) {
            int64_t id = locker_pick(a->locker, v);
            if (id)
                j = json_integer(id);
            else
                bad = "apply.err.file";
        } else {
            j = json_string(v);
        }
        if (bad) {
            json_decref(form);
            err_set(e, ERR_INVALID, in, bad, label ? label : name);
            return NULL;
        }
        json_object_set_new(form, name, j);
    }
    json_t *mats = json_array();
    json_t *m;
    json_array_foreach(materials(a), i, m)
    {
        const char *in = mat_input(r, i), *v = val(a, in);
        if (!v || !*v) continue;
        int64_t id = locker_pick(a->locker, v);
        if (id)
            json_array_append_new(
                mats, json_pack("{s:I, s:I}", "index", (json_int_t)i, "upload_id", (json_int_t)id));
        else if (source_allowed(a, m, v))
            json_array_append_new(mats,
                                  json_pack("{s:I, s:s}", "index", (json_int_t)i, "source", v));
        else {
            json_decref(form);
            json_decref(mats);
            const char *name = jstr(m, "name");
            err_set(e, ERR_INVALID, in, "apply.err.material_choice", name ? name : "");
            return NULL;
        }
    }
    json_t *body = json_pack("{s:s, s:o, s:o, s:b}", "item", a->code, "form", form, "materials",
                             mats, "submit", submit);
    const char *en = val(a, "enterprise_id");
    if (en && *en) {
        size_t k;
        json_t *x;
        json_int_t id = 0;
        json_array_foreach(a->ents, k,
                           x) if (!strcmp(en, arena_printf(r->arena, "%lld",
                                                           (long long)json_integer_value(
                                                               json_object_get(x, "id"))))) id =
            json_integer_value(json_object_get(x, "id"));
        if (!id) {
            json_decref(body);
            err_set(e, ERR_INVALID, "enterprise_id", "apply.err.enterprise", NULL);
            return NULL;
        }
        json_object_set_new(body, "enterprise_id", json_integer(id));
    }
    return body;
}

/* The domain names a field in its own terms ("form.x", "x",
 * "materials[1]", "materials/1" or the material by name in arg); the page
 * names its inputs "form.x" and "materials[i]", so the message can stand
 * at the input. */
static void field_from_domain(struct http_req *r, struct apply *a, struct err *e)
{
    const char *f = e->field[0] == '/' ? e->field + 1 : e->field;
    if (!strncmp(f, "materials", 9) || !*f) {
        /* The domain counts "materials[i]" in the list it was given, which
         * holds only the materials chosen; its message names the material,
         * which finds the input. */
        size_t i;
        json_t *m;
        json_array_foreach(materials(a), i, m)
        {
            if (jstr(m, "name") && !strcmp(jstr(m, "name"), e->arg)) {
                snprintf(e->field, sizeof e->field, "materials[%zu]", i);
                return;
            }
        }
        return;
    }
    const char *name = !strncmp(f, "form.", 5) || !strncmp(f, "form/", 5) ? f + 5 : f;
    int known = 0;
    for (size_t i = 0; i < NPERSON; i++)
        known |= !strcmp(person_fields[i].name, name);
    size_t i;
    json_t *s;
    json_array_foreach(schema(a), i, s) known |= jstr(s, "name") && !strcmp(jstr(s, "name"), name);
    /* Schema names are at most 64 characters (catalog.c); longer ones stay
     * as the domain gave them. */
    if (known && strlen(name) + 5 < sizeof e->field) {
        char in[sizeof e->field];
        snprintf(in, sizeof in, "form.%.58s", name);
        memcpy(e->field, in, sizeof in);
    }
    (void)r;
}

/* What cases_prepare says before starting: per material what covers it,
 * and how many remain to upload. */
static void coverage(struct http_req *r, struct buf *b, struct apply *a)
{
    json_t *pm = json_object_get(a->prep, "materials");
    size_t total = json_array_size(pm), covered = 0, i;
    json_t *m;
    json_array_foreach(pm, i, m) covered += jstr(m, "covered_by") != NULL;
    buf_puts(b, "<section class=\"coverage\" aria-labelledby=\"h-cover\"><h2 id=\"h-cover\">");
    page_t(r, b, "apply.cover.title");
    buf_puts(b, "</h2><p>");
    text_n(r, b, "apply.cover.total", (long long)total);
    text_n(r, b, "apply.cover.covered", (long long)covered);
    json_t *rem = json_object_get(a->prep, "remaining");
    text_n(r, b, "apply.cover.remaining",
           json_is_integer(rem) ? (long long)json_integer_value(rem)
                                : (long long)(total - covered));
    buf_puts(b, "</p><ul>");
    json_array_foreach(pm, i, m)
    {
        json_t *ix = json_object_get(m, "index");
        json_t *im =
            json_array_get(materials(a), json_is_integer(ix) ? (size_t)json_integer_value(ix) : i);
        json_t *sub = json_object_get(im, "substitute");
        const char *by = jstr(m, "covered_by");
        const char *name = jstr(m, "name") ? jstr(m, "name") : jstr(im, "name");
        buf_puts(b, "<li><strong>");
        html_text(b, name);
        buf_puts(b, "</strong>");
        colon(r, b);
        if (by && !strcmp(by, "locker"))
            text_f(r, b, "apply.cover.locker", jpstr(m, "upload.filename"));
        else if (by && !strcmp(by, "government_data"))
            text_f(r, b, "apply.cover.government_data", jstr(sub, "government_data"));
        else if (by && !strcmp(by, "certificate"))
            text_f(r, b, "apply.cover.certificate", jstr(sub, "certificate_type"));
        else if (by)
            html_text(b, label_or(r, "apply.source", by));
        else
            page_t(r, b,
                   json_is_false(json_object_get(m, "required")) ? "apply.cover.optional"
                                                                 : "apply.cover.upload");
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul></section>\n");
}

static void fieldset_open(struct http_req *r, struct buf *b, const char *legend_key)
{
    buf_puts(b, "<fieldset><legend>");
    page_t(r, b, legend_key);
    buf_puts(b, "</legend>");
}

static void person_fieldset(struct http_req *r, struct buf *b, struct apply *a, const struct err *e)
{
    fieldset_open(r, b, "apply.form.person");
    for (size_t i = 0; i < NPERSON; i++) {
        const char *in = form_input(r, person_fields[i].name), *v = val(a, in);
        const char *pre = prefill_value(a, person_fields[i].name);
        /* The mark says where the value came from; a value the person
         * changed is theirs and is no longer marked verified. */
        const char *hint = NULL;
        if (pre && prefill_verified(a, person_fields[i].name))
            hint =
                T(r, v && strcmp(v, pre) != 0 ? "apply.prefill.changed" : "apply.prefill.verified");
        else if (pre)
            hint = T(r, v && strcmp(v, pre) != 0 ? "apply.prefill.changed_plain"
                                                 : "apply.prefill.account");
        struct fld f = {in, T(r, person_fields[i].label_key), hint, 1};
        char extra[128];
        snprintf(extra, sizeof extra, " autocomplete=\"%s\"%s%s%s spellcheck=\"false\"",
                 person_fields[i].autocomplete, person_fields[i].inputmode ? " inputmode=\"" : "",
                 person_fields[i].inputmode ? person_fields[i].inputmode : "",
                 person_fields[i].inputmode ? "\"" : "");
        input_field(r, b, &f, person_fields[i].type, extra, v, e);
    }
    if (json_array_size(a->ents)) {
        const char *target = jstr(a->item, "target");
        int only_ent = target && !strcmp(target, "enterprise");
        struct fld f = {"enterprise_id", T(r, "apply.field.enterprise"),
                        T(r, "apply.field.enterprise.hint"), only_ent};
        struct buf attrs = BUF_INIT;
        field_open(r, b, &f, e, &attrs);
        buf_puts(b, "<select");
        buf_puts(b, buf_str(&attrs));
        buf_puts(b, ">");
        const char *cur = val(a, "enterprise_id");
        option(b, "", T(r, only_ent ? "apply.choose" : "apply.field.enterprise.self"), cur);
        size_t k;
        json_t *x;
        json_array_foreach(a->ents, k, x)
        {
            char id[24], text[400];
            snprintf(id, sizeof id, "%lld",
                     (long long)json_integer_value(json_object_get(x, "id")));
            snprintf(text, sizeof text, "%s (%s)", jstr(x, "name"), jstr(x, "uscc"));
            option(b, id, text, cur);
        }
        buf_puts(b, "</select></div>\n");
        buf_free(&attrs);
    }
    buf_puts(b, "</fieldset>\n");
}

static void schema_fieldset(struct http_req *r, struct buf *b, struct apply *a, const struct err *e)
{
    if (!json_array_size(schema(a))) return;
    fieldset_open(r, b, "apply.form.details");
    size_t i;
    json_t *s;
    json_array_foreach(schema(a), i, s)
    {
        const char *name = jstr(s, "name"), *type = jstr(s, "type");
        if (!name || !type) continue;
        const char *in = form_input(r, name), *v = val(a, in);
        const char *hint = !strcmp(type, "number") ? T(r, "apply.hint.number")
                           : !strcmp(type, "date") ? T(r, "apply.hint.date")
                                                   : NULL;
        struct fld f = {in, jstr(s, "label") ? jstr(s, "label") : name, hint,
                        json_is_true(json_object_get(s, "required"))};
        if (!strcmp(type, "choice") || !strcmp(type, "file")) {
            struct buf attrs = BUF_INIT;
            field_open(r, b, &f, e, &attrs);
            buf_puts(b, "<select");
            buf_puts(b, buf_str(&attrs));
            buf_puts(b, ">");
            option(b, "", T(r, "apply.choose"), v);
            if (!strcmp(type, "file")) {
                locker_options(r, b, a->locker, v);
            } else {
                size_t k;
                json_t *c;
                json_array_foreach(json_object_get(s, "choices"), k, c) if (json_is_string(c))
                    option(b, json_string_value(c), json_string_value(c), v);
            }
            buf_puts(b, "</select></div>\n");
            buf_free(&attrs);
        } else if (!strcmp(type, "number")) {
            /* Text, not type=number: a browser drops what is not a number
             * without a word; here the person is told at the field. */
            input_field(r, b, &f, "text", " inputmode=\"decimal\"", v, e);
        } else if (!strcmp(type, "date")) {
            input_field(r, b, &f, "date", NULL, v, e);
        } else {
            input_field(r, b, &f, "text", " maxlength=\"500\"", v, e);
        }
    }
    buf_puts(b, "</fieldset>\n");
}

/* The locker upload link that comes back to the page the person is on. */
static void upload_link(struct http_req *r, struct buf *b, const char *back)
{
    buf_puts(b, "<p><a href=\"/locker?next=");
    struct buf q = BUF_INIT;
    url_encode_str(&q, back);
    html_attr(b, buf_str(&q));
    buf_free(&q);
    buf_puts(b, "\">");
    page_t(r, b, "apply.material.upload_link");
    buf_puts(b, "</a></p>");
}

static void materials_fieldset(struct http_req *r, struct buf *b, struct apply *a,
                               const struct err *e)
{
    fieldset_open(r, b, "apply.form.materials");
    page_para(r, b, "hint", "apply.form.materials.hint");
    size_t i;
    json_t *m;
    json_array_foreach(materials(a), i, m)
    {
        const char *in = mat_input(r, i), *v = val(a, in);
        json_t *sub = json_object_get(m, "substitute");
        const char *notes = jstr(m, "notes");
        struct fld f = {in, jstr(m, "name") ? jstr(m, "name") : "", notes,
                        json_is_true(json_object_get(m, "required"))};
        struct buf attrs = BUF_INIT;
        field_open(r, b, &f, e, &attrs);
        buf_puts(b, "<select");
        buf_puts(b, buf_str(&attrs));
        buf_puts(b, ">");
        option(b, "", T(r, "apply.material.none"), v);
        char out[512];
        if (source_allowed(a, m, "certificate"))
            option(b, "certificate",
                   trf(r->lang, "apply.material.certificate", jstr(sub, "certificate_type"), out,
                       sizeof out),
                   v);
        if (source_allowed(a, m, "government_data"))
            option(b, "government_data",
                   trf(r->lang, "apply.material.government_data", jstr(sub, "government_data"), out,
                       sizeof out),
                   v);
        if (source_allowed(a, m, "pledge")) option(b, "pledge", T(r, "apply.material.pledge"), v);
        locker_options(r, b, a->locker, v);
        buf_puts(b, "</select></div>\n");
        buf_free(&attrs);
    }
    const char *back = a->draft
                           ? arena_printf(r->arena, "/items/%s/apply?draft=%s", a->code, a->draft)
                           : arena_printf(r->arena, "/items/%s/apply", a->code);
    upload_link(r, b, back);
    buf_puts(b, "</fieldset>\n");
}

static int apply_render(struct http_req *r, struct apply *a, int status, const struct err *e)
{
    struct buf b = BUF_INIT;
    const char *name = jstr(a->item, "name");
    char title[400];
    trf(r->lang, "apply.form.title", name ? name : a->code, title, sizeof title);
    page_open_title(r, &b, title, NAV_NONE);
    buf_puts(&b, "<section class=\"card\" aria-labelledby=\"h-apply\"><h1 id=\"h-apply\">");
    html_text(&b, title);
    buf_puts(&b, "</h1><p class=\"meta\">");
    if (a->dept) {
        html_text(&b, a->dept);
        buf_puts(&b, " · ");
    }
    /* how long it takes, before applying: the promised limit, else the
     * statutory one */
    const char *limit = limit_words(r, jpath(a->prep, "item.time_limit.promised"));
    const char *statutory = limit ? NULL : limit_words(r, jpath(a->prep, "item.time_limit.statutory"));
    if (limit || statutory) {
        text_f(r, &b, limit ? "apply.form.limit" : "apply.form.limit_statutory",
               limit ? limit : statutory);
        buf_puts(&b, " · ");
    }
    buf_puts(&b, "<a href=\"/items/");
    html_attr(&b, a->code);
    buf_puts(&b, "\">");
    page_t(r, &b, "apply.form.guide");
    buf_puts(&b, "</a></p>");
    if (a->draft) {
        char disp[16];
        case_number_display(a->draft, disp);
        buf_puts(&b, "<p class=\"note\" role=\"status\">");
        text_f(r, &b, http_query(r, "done") ? "apply.form.draft_saved" : "apply.form.draft", disp);
        buf_puts(&b, "</p>");
    }
    coverage(r, &b, a);
    if (e) page_error_box(r, &b, e);
    buf_puts(&b, "<form method=\"post\" action=\"/items/");
    html_attr(&b, a->code);
    buf_puts(&b, "/apply\" novalidate>");
    page_csrf(r, &b);
    buf_puts(&b, "<input type=\"hidden\" name=\"idem\" value=\"");
    html_attr(&b, a->idem);
    buf_puts(&b, "\">");
    if (a->draft) {
        buf_puts(&b, "<input type=\"hidden\" name=\"draft\" value=\"");
        html_attr(&b, a->draft);
        buf_puts(&b, "\">");
    }
    person_fieldset(r, &b, a, e);
    schema_fieldset(r, &b, a, e);
    materials_fieldset(r, &b, a, e);
    /* Save first: Enter in a field keeps a draft rather than filing it. */
    buf_puts(&b, "<ul class=\"actions\"><li><button type=\"submit\" name=\"submit\" value=\"0\" "
                 "class=\"secondary\">");
    page_t(r, &b, "apply.form.save");
    buf_puts(&b, "</button></li><li><button type=\"submit\" name=\"submit\" value=\"1\">");
    page_t(r, &b, "apply.form.submit");
    buf_puts(&b, "</button></li></ul>");
    page_para(r, &b, "hint", "apply.form.submit.hint");
    buf_puts(&b, "</form></section>");
    return page_send(r, &b, status);
}

/* The draft number of ?draft= / the hidden field, checked; NULL when none. */
static const char *draft_number(struct http_req *r, const char *typed)
{
    char n[16];
    if (!typed || !*typed || case_number_parse(typed, n) < 0) return NULL;
    return arena_strdup(r->arena, n);
}

static const char *new_token(struct http_req *r)
{
    char t[64];
    if (crypto_random_token(t) < 0) return NULL;
    return arena_strdup(r->arena, t);
}

int page_apply_form(struct http_req *r)
{
    if (page_gate(r, 0, "/cases", NULL)) return 0;
    struct apply a = {.code = http_param(r, "code")};
    if (apply_load(r, &a) < 0) {
        apply_free(&a);
        return 0;
    }
    a.idem = new_token(r);
    if (!a.idem) {
        apply_free(&a);
        return http_fail(r, ERR_INTERNAL, NULL, NULL, NULL);
    }
    values_initial(r, &a);
    a.draft = draft_number(r, http_query(r, "draft"));
    if (a.draft) {
        struct err e;
        err_clear(&e);
        json_t *cs = cases_get(http_db(r), r->principal, a.draft, r->ip, &e);
        const char *state = jstr(cs, "state");
        const char *code = jpstr(cs, "item.code");
        if (!cs || !code || strcmp(code, a.code) != 0) {
            json_decref(cs);
            apply_free(&a);
            return cs ? http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL) : http_reply_err(r, &e);
        }
        if (!state || strcmp(state, "draft") != 0) {
            /* Filed already: its page says where it stands. */
            const char *to = arena_printf(r->arena, "/cases/%s", a.draft);
            json_decref(cs);
            apply_free(&a);
            return http_redirect(r, to);
        }
        json_object_clear(a.values);
        values_from_case(r, &a, cs);
        json_decref(cs);
    }
    int rc = apply_render(r, &a, 200, NULL);
    apply_free(&a);
    return rc;
}

int page_apply_submit(struct http_req *r)
{
    if (page_gate(r, 0, "/cases", NULL)) return 0;
    struct apply a = {.code = http_param(r, "code")};
    if (apply_load(r, &a) < 0) {
        apply_free(&a);
        return 0;
    }
    values_from_post(r, &a);
    a.draft = draft_number(r, http_form(r, "draft"));
    a.idem = idem_token(http_form(r, "idem"));
    if (!a.idem) a.idem = new_token(r);
    int submit = http_form(r, "submit") && !strcmp(http_form(r, "submit"), "1");
    struct err e;
    err_clear(&e);
    json_t *body = apply_body(r, &a, submit, &e);
    if (!body) {
        int rc = apply_render(r, &a, err_status(e.code), &e);
        apply_free(&a);
        return rc;
    }
    struct store_conn *c = http_db(r);
    json_t *out = NULL;
    int rc, replayed = 0;
    if (a.draft) {
        rc = cases_update_draft(c, r->principal, a.draft, body, r->ip, &out, &e);
        if (rc < 0 && e.code == ERR_CONFLICT) {
            /* Submitted meanwhile (a second tap on "submit"). */
            const char *to = arena_printf(r->arena, "/cases/%s", a.draft);
            json_decref(body);
            apply_free(&a);
            return http_redirect(r, to);
        }
    } else {
        const struct case_idem idem = {SCOPE_APPLY, a.idem, NULL};
        rc = cases_create(c, r->principal, body, &idem, r->ip, &out, &replayed, &e);
    }
    json_decref(body);
    if (rc < 0) {
        field_from_domain(r, &a, &e);
        rc = apply_render(r, &a, err_status(e.code), &e);
        apply_free(&a);
        return rc;
    }
    const char *num = arena_strdup(r->arena, jstr(out, "number") ? jstr(out, "number") : "");
    const char *state = jstr(out, "state");
    int draft = state && !strcmp(state, "draft");
    /* a form sent again goes to its case: a draft to be completed, or the receipt */
    const char *item = jpstr(out, "item.code") ? jpstr(out, "item.code") : a.code;
    const char *to = draft ? arena_printf(r->arena, "/items/%s/apply?draft=%s%s", item, num,
                                          replayed ? "" : "&done=saved")
                           : arena_printf(r->arena, "/cases/%s/receipt", num);
    json_decref(out);
    apply_free(&a);
    return http_redirect(r, to);
}

/* --- my cases --- */

static const char *promised_due(json_t *cs)
{
    const char *d = jpstr(cs, "time_limit.promised.due");
    if (!d) d = jstr(cs, "promised_due");
    if (!d) d = jstr(cs, "due_promised");
    return d;
}

/* The promised limit of the item's version the case is bound to (a
 * reference), NULL when none. */
static json_t *item_promised_limit(struct http_req *r, json_t *cs)
{
    const char *code = jpstr(cs, "item.code");
    json_t *doc =
        code ? catalog_item_get(http_db(r), code, json_integer_value(jpath(cs, "item.version")))
             : NULL;
    json_t *lim = json_incref(jpath(doc, "time_limit.promised"));
    json_decref(doc);
    return lim;
}

/* The promised date; before the clock starts (the department has not
 * accepted yet), the promised limit in words, so the applicant knows from
 * the start how long it takes. */
static void promised_text(struct http_req *r, struct buf *b, json_t *cs)
{
    const char *due = promised_due(cs);
    const char *clock = "time_limit.promised.provisional";
    /* an item that promises nothing shorter is done within the law's limit:
     * that date is the answer, and says which limit it is */
    int statutory = !due && (due = jpstr(cs, "time_limit.statutory.due")) != NULL;
    if (statutory) clock = "time_limit.statutory.provisional";
    if (due) {
        when_text(b, due);
        if (json_is_true(jpath(cs, clock))) {
            buf_putc(b, ' ');
            page_t(r, b, "apply.case.provisional");
        }
        if (statutory) {
            buf_putc(b, ' ');
            page_t(r, b, "apply.case.by_statutory");
        }
        return;
    }
    json_t *lim = item_promised_limit(r, cs);
    const char *unit = jstr(lim, "unit");
    const char *words = limit_words(r, lim);
    if (unit && !strcmp(unit, "immediate"))
        html_text(b, words);
    else if (words && strcmp(unit, "none") != 0)
        text_f(r, b, "apply.case.promised_within", words);
    else
        page_t(r, b, jstr(cs, "submitted_at") ? "apply.case.no_limit" : "apply.case.promised_later");
    json_decref(lim);
}

/* The promised date as a fact, in bold: the question every applicant asks
 * is "when", answered with a date. */
static void promised_fact(struct http_req *r, struct buf *b, json_t *cs)
{
    page_fact_open(r, b, "apply.case.promised");
    buf_puts(b, "<strong>");
    promised_text(r, b, cs);
    buf_puts(b, "</strong>");
    page_fact_close(b);
}

/* How the dates are reckoned, step by step, in the person's language. */
static void limit_steps(struct http_req *r, struct buf *b, json_t *cs)
{
    json_t *steps = jpath(cs, "time_limit.promised.steps");
    if (!json_array_size(steps)) return;
    buf_puts(b, "<details class=\"steps\"><summary>");
    page_t(r, b, "apply.case.steps");
    buf_puts(b, "</summary><ul>");
    size_t i;
    json_t *st;
    json_array_foreach(steps, i, st)
    {
        const char *t = jpstr(st, r->lang == LANG_EN ? "text.en" : "text.zh-CN");
        if (!t) continue;
        buf_puts(b, "<li>");
        html_text(b, t);
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul></details>");
}

static const char *item_name(json_t *cs)
{
    const char *n = jpstr(cs, "item.name");
    return n ? n : jstr(cs, "item_name");
}

static void state_badge(struct http_req *r, struct buf *b, const char *state)
{
    buf_puts(b, "<span class=\"badge state-");
    html_attr(b, state ? state : "");
    buf_puts(b, "\">");
    html_text(b, label_or(r, "apply.state", state));
    buf_puts(b, "</span>");
}

static void case_link(struct buf *b, const char *number, const char *suffix)
{
    buf_puts(b, "<a href=\"/cases/");
    html_attr(b, number);
    if (suffix) html_attr(b, suffix);
    buf_puts(b, "\">");
}

static void pages_nav(struct http_req *r, struct buf *b, const char *base, long page, long total)
{
    long last = total > 0 ? (total + PER_PAGE - 1) / PER_PAGE : 1;
    if (last <= 1) return;
    buf_puts(b, "<nav class=\"pages\" aria-label=\"");
    page_t(r, b, "apply.pages");
    buf_puts(b, "\"><ul>");
    if (page > 1) {
        buf_printf(b, "<li><a href=\"%s?page=%ld\">", base, page - 1);
        page_t(r, b, "apply.pages.prev");
        buf_puts(b, "</a></li>");
    }
    if (page < last) {
        buf_printf(b, "<li><a href=\"%s?page=%ld\">", base, page + 1);
        page_t(r, b, "apply.pages.next");
        buf_puts(b, "</a></li>");
    }
    buf_puts(b, "</ul></nav>");
}

int page_my_cases(struct http_req *r)
{
    if (page_gate(r, 0, "/cases", NULL)) return 0;
    long page = page_number(r);
    struct err e;
    err_clear(&e);
    json_t *list = cases_list_mine(http_db(r), r->principal, page, PER_PAGE, &e);
    if (!list) return http_reply_err(r, &e);
    struct buf b = BUF_INIT;
    page_open(r, &b, "apply.mine.title", NAV_CASES);
    buf_puts(&b, "<section aria-labelledby=\"h-mine\"><h1 id=\"h-mine\">");
    page_t(r, &b, "apply.mine.title");
    buf_puts(&b, "</h1>");
    done_note(r, &b);
    json_t *items = json_object_get(list, "items");
    buf_puts(&b, "<p class=\"lead\">");
    json_t *total = json_object_get(list, "total");
    text_n(r, &b, "apply.mine.total",
           json_is_integer(total) ? (long long)json_integer_value(total)
                                  : (long long)json_array_size(items));
    buf_puts(&b, "</p>");
    if (!json_array_size(items)) {
        buf_puts(&b, "<p class=\"note\">");
        page_t(r, &b, "apply.mine.empty");
        buf_puts(&b, " <a href=\"/items\">");
        page_t(r, &b, "apply.mine.find");
        buf_puts(&b, "</a></p>");
    } else {
        buf_puts(
            &b,
            "<div class=\"table-wrap\"><table class=\"depth cases\"><caption class=\"sr-only\">");
        page_t(r, &b, "apply.mine.title");
        buf_puts(&b, "</caption>");
        static const char *const cols[] = {"apply.col.number",    "apply.col.item",
                                           "apply.col.state",     "apply.col.promised",
                                           "apply.col.submitted"};
        page_table_head(r, &b, cols, PAGE_NELEM(cols));
        size_t i;
        json_t *cs;
        json_array_foreach(items, i, cs)
        {
            const char *number = jstr(cs, "number");
            if (!number) continue;
            char disp[16];
            case_number_display(number, disp);
            buf_puts(&b, "<tr><td>");
            case_link(&b, number, NULL);
            html_text(&b, disp);
            buf_puts(&b, "</a></td><td>");
            html_text(&b, item_name(cs));
            const char *ent = jpstr(cs, "enterprise.name");
            if (ent) {
                buf_puts(&b, "<br><span class=\"meta\">");
                html_text(&b, ent);
                buf_puts(&b, "</span>");
            }
            buf_puts(&b, "</td><td>");
            state_badge(r, &b, jstr(cs, "state"));
            buf_puts(&b, "</td><td>");
            if (promised_due(cs))
                when_text(&b, promised_due(cs));
            else
                page_t(r, &b, "apply.mine.promised_pending");
            buf_puts(&b, "</td><td>");
            if (jstr(cs, "submitted_at"))
                when_text(&b, jstr(cs, "submitted_at"));
            else
                page_t(r, &b, "apply.not_submitted");
            buf_puts(&b, "</td></tr>");
        }
        buf_puts(&b, "</tbody></table></div>");
        pages_nav(r, &b, "/cases", page, json_integer_value(total));
    }
    buf_puts(&b, "<ul class=\"actions\"><li><a href=\"/locker\">");
    page_t(r, &b, "apply.locker.title");
    buf_puts(&b, "</a></li><li><a href=\"/access-log\">");
    page_t(r, &b, "apply.access.title");
    buf_puts(&b, "</a></li></ul></section>");
    json_decref(list);
    return page_send(r, &b, 200);
}

/* --- one case --- */

/* The case of the route's number as the caller may see it. 0, or -1 when
 * answered (someone else's case is answered as missing). */
static int case_load(struct http_req *r, char number[16], json_t **cs)
{
    const char *typed = http_param(r, "number");
    if (!typed || case_number_parse(typed, number) < 0)
        return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL), -1;
    struct err e;
    err_clear(&e);
    *cs = cases_get(http_db(r), r->principal, number, r->ip, &e);
    if (!*cs) return http_reply_err(r, &e), -1;
    return 0;
}

static int may(json_t *cs, const char *action)
{
    json_t *allowed = json_object_get(cs, "allowed");
    if (!json_is_array(allowed)) {
        if (!strcmp(action, "withdraw")) return in_list(open_states, jstr(cs, "state"));
        return 0;
    }
    size_t i;
    json_t *a;
    json_array_foreach(allowed, i,
                       a) if (json_is_string(a) && !strcmp(json_string_value(a), action)) return 1;
    return 0;
}

static int concluded(json_t *cs)
{
    static const char *const done[] = {"approved", "refused", "delivered", NULL};
    return in_list(done, jstr(cs, "state"));
}

/* How a material of the case was given, in words. */
static void material_given(struct http_req *r, struct buf *b, json_t *m)
{
    const char *source = jstr(m, "source");
    json_t *up = json_object_get(m, "upload");
    if (json_is_object(up)) {
        html_text(b, label_or(r, "apply.source", source ? source : "upload"));
        colon(r, b);
        html_text(b, jstr(up, "filename"));
    } else if (source) {
        html_text(b, label_or(r, "apply.source", source));
    } else {
        page_t(r, b, "apply.source.none");
    }
}

static void materials_table(struct http_req *r, struct buf *b, json_t *cs, const char *hid)
{
    buf_printf(b, "<section aria-labelledby=\"%s\"><h2 id=\"%s\">", hid, hid);
    page_t(r, b, "apply.case.materials");
    buf_puts(b, "</h2><ul>");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(cs, "materials"), i, m)
    {
        buf_puts(b, "<li><strong>");
        html_text(b, jstr(m, "name"));
        buf_puts(b, "</strong>");
        colon(r, b);
        material_given(r, b, m);
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul></section>");
}

/* The step of the history that did action, the latest one. */
static json_t *last_step(json_t *cs, const char *action)
{
    json_t *found = NULL, *h;
    size_t i;
    json_array_foreach(json_object_get(cs, "history"), i,
                       h) if (jstr(h, "action") && !strcmp(jstr(h, "action"), action)) found = h;
    return found;
}

/* A step's list of material names, "key: a、b" (nothing when empty). */
static void timeline_list(struct http_req *r, struct buf *b, const char *key, json_t *names)
{
    if (!json_array_size(names)) return;
    struct buf list = BUF_INIT;
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        if (!json_is_string(n)) continue;
        if (list.len) buf_puts(&list, r->lang == LANG_ZH ? "、" : ", ");
        buf_puts(&list, json_string_value(n));
    }
    if (list.len) {
        buf_puts(b, "<p>");
        text_f(r, b, key, buf_str(&list));
        buf_puts(b, "</p>");
    }
    buf_free(&list);
}

static void timeline(struct http_req *r, struct buf *b, json_t *cs)
{
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-hist\"><h2 id=\"h-hist\">");
    page_t(r, b, "apply.case.timeline");
    buf_puts(b, "</h2><ol class=\"timeline\">");
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(cs, "history"), i, h)
    {
        buf_puts(b, "<li><p><strong>");
        html_text(b, label_or(r, "apply.action", jstr(h, "action")));
        buf_puts(b, "</strong>");
        if (jstr(h, "to")) {
            buf_puts(b, " → ");
            html_text(b, label_or(r, "apply.state", jstr(h, "to")));
        }
        buf_puts(b, "</p><p class=\"meta\"><time>");
        when_text(b, jstr(h, "at"));
        buf_puts(b, "</time> · ");
        json_t *actor = json_object_get(h, "actor");
        const char *role = jstr(actor, "role");
        if (jstr(actor, "name")) {
            html_text(b, jstr(actor, "name"));
            if (role) {
                if (r->lang != LANG_ZH) buf_putc(b, ' ');
                text_f(r, b, "apply.paren", label_or(r, "apply.role", role));
            }
        } else {
            html_text(b, label_or(r, "apply.role", role ? role : "system"));
        }
        buf_puts(b, "</p>");
        if (jstr(h, "reason")) {
            buf_puts(b, "<p>");
            text_f(r, b, "apply.case.why", jstr(h, "reason"));
            buf_puts(b, "</p>");
        }
        /* what a supplement asked for and what answered it stay readable
         * after the request itself is settled */
        json_t *detail = json_object_get(h, "detail");
        timeline_list(r, b, "apply.case.asked", json_object_get(detail, "missing"));
        if (jstr(detail, "note")) { /* a note may be long: the label, then the text whole */
            buf_puts(b, "<p>");
            text_f(r, b, "apply.case.why", "");
            html_text(b, jstr(detail, "note"));
            buf_puts(b, "</p>");
        }
        timeline_list(r, b, "apply.case.provided", json_object_get(detail, "answered"));
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ol></section>\n");
}

/* Originals to show at the counter: what, where and by when. */
static void pre_accepted(struct http_req *r, struct buf *b, json_t *cs)
{
    json_t *pa = json_object_get(cs, "pre_accept");
    json_t *step = last_step(cs, "pre_accept");
    json_t *detail = json_object_get(step, "detail");
    const char *note = jstr(pa, "note") ? jstr(pa, "note") : jstr(detail, "note");
    if (!note) note = jstr(step, "reason");
    const char *by = jstr(pa, "bring_by") ? jstr(pa, "bring_by") : jstr(detail, "bring_by");
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-bring\"><h2 id=\"h-bring\">");
    page_t(r, b, "apply.case.bring");
    buf_puts(b, "</h2>");
    if (by) {
        buf_puts(b, "<p><strong>");
        text_f(r, b, "apply.case.bring_by", by);
        buf_puts(b, "</strong></p>");
    }
    if (note) {
        buf_puts(b, "<p>");
        html_text(b, note);
        buf_puts(b, "</p>");
    }
    buf_puts(b, "<p>");
    page_t(r, b, "apply.case.bring_what");
    buf_puts(b, "</p><ul>");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(cs, "materials"), i, m)
    {
        buf_puts(b, "<li>");
        html_text(b, jstr(m, "name"));
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul></section>\n");
}

/* The index of the case's material called name, or -1. */
static long material_index(json_t *cs, const char *name)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(cs, "materials"), i, m)
    {
        if (name && jstr(m, "name") && !strcmp(jstr(m, "name"), name)) {
            json_t *ix = json_object_get(m, "index");
            return json_is_integer(ix) ? (long)json_integer_value(ix) : (long)i;
        }
    }
    return -1;
}

/* A missing entry: a material name, or {"index", "name"}. */
static const char *missing_name(json_t *x)
{
    return json_is_string(x) ? json_string_value(x) : jstr(x, "name");
}

static long missing_index(json_t *cs, json_t *x)
{
    json_t *ix = json_object_get(x, "index");
    return json_is_integer(ix) ? (long)json_integer_value(ix) : material_index(cs, missing_name(x));
}

/* Everything missing, told at once (一次性告知), and the form answering
 * exactly that. */
static void supplement(struct http_req *r, struct buf *b, json_t *cs, json_t *locker,
                       const char *number, const struct err *e)
{
    json_t *s = json_object_get(cs, "supplement");
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-supp\"><h2 id=\"h-supp\">");
    page_t(r, b, "apply.supp.title");
    buf_puts(b, "</h2><p>");
    if (jstr(s, "requested_at")) {
        buf_puts(b, "<time>");
        when_text(b, jstr(s, "requested_at"));
        buf_puts(b, "</time> ");
    }
    page_t(r, b, "apply.supp.lead");
    buf_puts(b, "</p><ul>");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(s, "missing"), i, x)
    {
        buf_puts(b, "<li>");
        html_text(b, missing_name(x));
        buf_puts(b, "</li>");
    }
    buf_puts(b, "</ul>");
    if (jstr(s, "note")) {
        buf_puts(b, "<p>");
        text_f(r, b, "apply.supp.note", jstr(s, "note"));
        buf_puts(b, "</p>");
    }
    if (jstr(s, "due")) {
        buf_puts(b, "<p><strong>");
        text_f(r, b, "apply.supp.due", jstr(s, "due"));
        buf_puts(b, "</strong></p>");
    }
    if (may(cs, "supplement") || !json_is_array(json_object_get(cs, "allowed"))) {
        buf_puts(b, "<form method=\"post\" action=\"/cases/");
        html_attr(b, number);
        buf_puts(b, "/supplement\" novalidate>");
        page_csrf(r, b);
        json_array_foreach(json_object_get(s, "missing"), i, x)
        {
            long k = missing_index(cs, x);
            if (k < 0) continue;
            const char *in = arena_printf(r->arena, "materials[%ld]", k);
            struct fld f = {in, missing_name(x) ? missing_name(x) : "", NULL, 1};
            struct buf attrs = BUF_INIT;
            field_open(r, b, &f, e, &attrs);
            buf_puts(b, "<select");
            buf_puts(b, buf_str(&attrs));
            buf_puts(b, ">");
            option(b, "", T(r, "apply.choose"), http_form(r, in));
            locker_options(r, b, locker, http_form(r, in));
            buf_puts(b, "</select></div>\n");
            buf_free(&attrs);
        }
        upload_link(r, b, arena_printf(r->arena, "/cases/%s", number));
        buf_puts(b, "<button type=\"submit\">");
        page_t(r, b, "apply.supp.submit");
        buf_puts(b, "</button></form>");
    }
    buf_puts(b, "</section>\n");
}

static void decision(struct http_req *r, struct buf *b, json_t *cs)
{
    json_t *d = json_object_get(cs, "decision");
    if (!json_is_object(d)) return;
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-dec\"><h2 id=\"h-dec\">");
    page_t(r, b, "apply.case.decision");
    buf_puts(b, "</h2><dl class=\"facts\">");
    fact(r, b, "apply.case.result", label_or(r, "apply.result", jstr(d, "result")));
    if (jstr(d, "reasons")) fact(r, b, "apply.case.reasons", jstr(d, "reasons"));
    if (jstr(d, "legal_basis")) fact(r, b, "apply.case.legal_basis", jstr(d, "legal_basis"));
    if (jstr(d, "remedy")) fact(r, b, "apply.case.remedy", jstr(d, "remedy"));
    fact_when(r, b, "apply.case.decided_at", jstr(cs, "decided_at"));
    buf_puts(b, "</dl></section>\n");
}

static void withdraw_form(struct http_req *r, struct buf *b, const char *number,
                          const struct err *e)
{
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-wd\"><h2 id=\"h-wd\">");
    page_t(r, b, "apply.wd.title");
    buf_puts(b, "</h2><form method=\"post\" action=\"/cases/");
    html_attr(b, number);
    buf_puts(b, "/withdraw\" novalidate>");
    page_csrf(r, b);
    /* No script asks "are you sure?": the box to tick is the confirmation. */
    struct fld f = {"confirm", T(r, "apply.wd.confirm"), T(r, "apply.wd.confirm.hint"), 1};
    struct buf attrs = BUF_INIT;
    field_open(r, b, &f, e, &attrs);
    buf_puts(b, "<input type=\"checkbox\" value=\"1\"");
    buf_puts(b, buf_str(&attrs));
    buf_puts(b, "></div>\n");
    buf_reset(&attrs);
    struct fld reason = {"reason", T(r, "apply.wd.reason"), NULL, 0};
    field_open(r, b, &reason, e, &attrs);
    buf_puts(b, "<textarea maxlength=\"500\" rows=\"2\"");
    buf_puts(b, buf_str(&attrs));
    buf_puts(b, ">");
    html_text(b, http_form(r, "reason"));
    buf_puts(b, "</textarea></div>\n<button type=\"submit\" class=\"secondary\">");
    page_t(r, b, "apply.wd.submit");
    buf_puts(b, "</button></form></section>\n");
    buf_free(&attrs);
}

static void rating(struct http_req *r, struct buf *b, json_t *cs, const char *number,
                   const struct err *e)
{
    json_t *rt = json_object_get(cs, "rating");
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-rate\"><h2 id=\"h-rate\">");
    page_t(r, b, "apply.rate.title");
    buf_puts(b, "</h2>");
    char key[48];
    if (json_is_object(rt)) {
        buf_puts(b, "<dl class=\"facts\">");
        snprintf(key, sizeof key, "apply.rate.level.%lld",
                 (long long)json_integer_value(json_object_get(rt, "level")));
        fact(r, b, "apply.rate.your", T(r, key));
        if (jstr(rt, "comment")) fact(r, b, "apply.rate.comment", jstr(rt, "comment"));
        struct buf ind = BUF_INIT;
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(rt, "indicators"), i, x)
        {
            if (ind.len) {
                char more[200];
                buf_puts(&ind,
                         trf(r->lang, "web.list.more",
                             label_or(r, "apply.ind", json_string_value(x)), more, sizeof more));
            } else {
                buf_puts(&ind, label_or(r, "apply.ind", json_string_value(x)));
            }
        }
        if (ind.len) fact(r, b, "apply.rate.indicators", buf_str(&ind));
        buf_free(&ind);
        buf_puts(b, "</dl></section>\n");
        return;
    }
    buf_puts(b, "<form method=\"post\" action=\"/cases/");
    html_attr(b, number);
    buf_puts(b, "/rate\" novalidate>");
    page_csrf(r, b);
    int bad = e && e->code != ERR_OK && !strcmp(e->field, "level");
    buf_puts(b,
             bad ? "<fieldset id=\"f-level\" class=\"field invalid\" aria-describedby=\"e-level\">"
                 : "<fieldset id=\"f-level\" class=\"field\">");
    buf_puts(b, "<legend>");
    page_t(r, b, "apply.rate.level");
    buf_puts(b, "</legend>");
    if (bad) {
        char msg[512];
        buf_puts(b, "<p class=\"error\" id=\"e-level\"><span class=\"sr-only\">");
        page_t(r, b, "web.form.error_prefix");
        buf_puts(b, " </span>");
        html_text(b, err_text(r, e, msg, sizeof msg));
        buf_puts(b, "</p>");
    }
    const char *cur = http_form(r, "level");
    for (int l = 5; l >= 1; l--) {
        char v[12];
        snprintf(v, sizeof v, "%d", l);
        snprintf(key, sizeof key, "apply.rate.level.%d", l);
        buf_printf(b,
                   "<div><input type=\"radio\" name=\"level\" id=\"f-level-%d\" value=\"%d\"%s>"
                   "<label class=\"inline\" for=\"f-level-%d\">",
                   l, l, cur && !strcmp(cur, v) ? " checked" : "", l);
        page_t(r, b, key);
        buf_puts(b, "</label></div>");
    }
    buf_puts(b, "</fieldset><fieldset class=\"field\"><legend>");
    page_t(r, b, "apply.rate.indicators");
    buf_puts(b, "</legend>");
    page_para(r, b, "hint", "apply.rate.indicators.hint");
    for (int i = 0; indicators[i]; i++) {
        const char *in = arena_printf(r->arena, "ind.%s", indicators[i]);
        snprintf(key, sizeof key, "apply.ind.%s", indicators[i]);
        buf_printf(b,
                   "<div><input type=\"checkbox\" name=\"%s\" id=\"f-%s\" value=\"1\"%s>"
                   "<label class=\"inline\" for=\"f-%s\">",
                   in, in, http_form(r, in) ? " checked" : "", in);
        page_t(r, b, key);
        buf_puts(b, "</label></div>");
    }
    buf_puts(b, "</fieldset>");
    struct fld f = {"comment", T(r, "apply.rate.comment"), T(r, "apply.rate.comment.hint"), 0};
    struct buf attrs = BUF_INIT;
    field_open(r, b, &f, e, &attrs);
    buf_puts(b, "<textarea maxlength=\"500\" rows=\"3\"");
    buf_puts(b, buf_str(&attrs));
    buf_puts(b, ">");
    html_text(b, http_form(r, "comment"));
    buf_puts(b, "</textarea></div>\n<button type=\"submit\">");
    page_t(r, b, "apply.rate.submit");
    buf_puts(b, "</button></form></section>\n");
    buf_free(&attrs);
}

static int case_render(struct http_req *r, json_t *cs, const char *number, int status,
                       const struct err *e)
{
    const char *state = jstr(cs, "state");
    char disp[16];
    case_number_display(number, disp);
    struct buf b = BUF_INIT;
    const char *name = item_name(cs);
    page_open_title(r, &b, name ? name : disp, NAV_CASES);
    buf_puts(&b, "<section class=\"card\" aria-labelledby=\"h-case\"><p class=\"meta\">"
                 "<a href=\"/cases\">");
    page_t(r, &b, "apply.mine.back");
    buf_puts(&b, "</a></p><h1 id=\"h-case\">");
    html_text(&b, name ? name : disp);
    buf_puts(&b, "</h1>");
    done_note(r, &b);
    if (e) page_error_box(r, &b, e);
    buf_puts(&b, "<dl class=\"facts\">");
    fact(r, &b, "apply.case.number", disp);
    page_fact_open(r, &b, "apply.case.state");
    state_badge(r, &b, state);
    page_fact_close(&b);
    fact(r, &b, "apply.case.department", jpstr(cs, "item.department_name"));
    fact(r, &b, "apply.case.applicant", jpstr(cs, "applicant.name"));
    if (jpstr(cs, "enterprise.name"))
        fact(r, &b, "apply.case.enterprise", jpstr(cs, "enterprise.name"));
    /* The promised date from the start: the question every applicant
     * asks is "when", answered with a date. */
    promised_fact(r, &b, cs);
    if (jpstr(cs, "time_limit.statutory.due"))
        fact_when(r, &b, "apply.case.statutory", jpstr(cs, "time_limit.statutory.due"));
    if (jpstr(cs, "time_limit.delivery_due"))
        fact_when(r, &b, "apply.case.delivery_due", jpstr(cs, "time_limit.delivery_due"));
    fact_when(r, &b, "apply.case.submitted", jstr(cs, "submitted_at"));
    buf_puts(&b, "</dl>");
    limit_steps(r, &b, cs);
    buf_puts(&b, "<ul class=\"actions\">");
    if (state && !strcmp(state, "draft")) {
        buf_puts(&b, "<li><a class=\"button\" href=\"/items/");
        html_attr(&b, jpstr(cs, "item.code"));
        buf_puts(&b, "/apply?draft=");
        html_attr(&b, number);
        buf_puts(&b, "\">");
        page_t(r, &b, "apply.case.continue");
        buf_puts(&b, "</a></li>");
    }
    if (jstr(cs, "submitted_at")) {
        buf_puts(&b, "<li>");
        case_link(&b, number, "/receipt");
        page_t(r, &b, "apply.receipt.title");
        buf_puts(&b, "</a></li>");
    }
    buf_puts(&b, "</ul></section>\n");
    if (state && !strcmp(state, "pre_accepted")) pre_accepted(r, &b, cs);
    if (state && !strcmp(state, "supplement")) {
        struct err le;
        json_t *locker = locker_items(r, &le);
        supplement(r, &b, cs, locker ? locker : json_array(), number, e);
        json_decref(locker);
    }
    decision(r, &b, cs);
    timeline(r, &b, cs);
    buf_puts(&b, "<div class=\"card\">");
    materials_table(r, &b, cs, "h-mat");
    buf_puts(&b, "</div>\n");
    if (may(cs, "withdraw")) withdraw_form(r, &b, number, e);
    if (concluded(cs)) rating(r, &b, cs, number, e);
    return page_send(r, &b, status);
}

int page_case(struct http_req *r)
{
    if (page_gate(r, 0, "/cases", NULL)) return 0;
    char number[16];
    json_t *cs;
    if (case_load(r, number, &cs) < 0) return 0;
    int rc = case_render(r, cs, number, 200, NULL);
    json_decref(cs);
    return rc;
}

/* Answers a refused step on the case page (the case as it is now, the
 * message at its field), or the error page when the case is gone. */
static int case_refused(struct http_req *r, const char *number, const struct err *e)
{
    struct err ge;
    err_clear(&ge);
    json_t *cs = cases_get(http_db(r), r->principal, number, r->ip, &ge);
    if (!cs) return http_reply_err(r, e);
    int rc = case_render(r, cs, number, err_status(e->code), e);
    json_decref(cs);
    return rc;
}

/* Runs an applicant's step; success goes back to the case page. */
static int case_step(struct http_req *r, const char *number, int rate, enum case_action act,
                     json_t *body, const char *done)
{
    struct err e;
    err_clear(&e);
    json_t *out = NULL;
    int rc = rate ? cases_rate(http_db(r), r->principal, number, body, r->ip, &out, &e)
                  : cases_act(http_db(r), r->principal, number, act, body, r->ip, &out, &e);
    json_decref(body);
    json_decref(out);
    if (rc < 0) return case_refused(r, number, &e);
    return http_redirect(r, arena_printf(r->arena, "/cases/%s?done=%s", number, done));
}

int page_case_supplement(struct http_req *r)
{
    char number[16];
    json_t *cs;
    if (case_load(r, number, &cs) < 0) return 0;
    struct err e;
    err_clear(&e);
    json_t *lk = locker_items(r, &e);
    if (!lk) {
        json_decref(cs);
        return http_reply_err(r, &e);
    }
    json_t *mats = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(jpath(cs, "supplement.missing"), i, x)
    {
        long k = missing_index(cs, x);
        if (k < 0) continue;
        const char *in = arena_printf(r->arena, "materials[%ld]", k);
        int64_t id = locker_pick(lk, http_form(r, in));
        if (!id) {
            err_set(&e, ERR_INVALID, in, "apply.err.supplement_missing", missing_name(x));
            break;
        }
        json_array_append_new(
            mats, json_pack("{s:I, s:I}", "index", (json_int_t)k, "upload_id", (json_int_t)id));
    }
    json_decref(lk);
    if (e.code != ERR_OK) {
        json_decref(mats);
        int rc = case_render(r, cs, number, 422, &e);
        json_decref(cs);
        return rc;
    }
    json_t *body = json_pack("{s:o, s:I}", "materials", mats, "expected_version",
                             json_integer_value(json_object_get(cs, "version")));
    json_decref(cs);
    return case_step(r, number, 0, ACT_SUPPLEMENT, body, "supplemented");
}

int page_case_withdraw(struct http_req *r)
{
    char number[16];
    json_t *cs;
    if (case_load(r, number, &cs) < 0) return 0;
    const char *confirm = http_form(r, "confirm");
    if (!confirm || strcmp(confirm, "1") != 0) {
        struct err e;
        err_set(&e, ERR_INVALID, "confirm", "apply.err.confirm", NULL);
        int rc = case_render(r, cs, number, 422, &e);
        json_decref(cs);
        return rc;
    }
    json_t *body =
        json_pack("{s:I}", "expected_version", json_integer_value(json_object_get(cs, "version")));
    const char *reason = page_form_clean(r, "reason", 0);
    if (reason && *reason) json_object_set_new(body, "reason", json_string(reason));
    json_decref(cs);
    return case_step(r, number, 0, ACT_WITHDRAW, body, "withdrawn");
}

int page_case_rate(struct http_req *r)
{
    char number[16];
    json_t *cs;
    if (case_load(r, number, &cs) < 0) return 0;
    const char *lv = http_form(r, "level");
    if (!lv || strlen(lv) != 1 || lv[0] < '1' || lv[0] > '5') {
        struct err e;
        err_set(&e, ERR_INVALID, "level", "apply.err.level", NULL);
        int rc = case_render(r, cs, number, 422, &e);
        json_decref(cs);
        return rc;
    }
    json_decref(cs);
    json_t *ind = json_array();
    for (int i = 0; indicators[i]; i++)
        if (http_form(r, arena_printf(r->arena, "ind.%s", indicators[i])))
            json_array_append_new(ind, json_string(indicators[i]));
    json_t *body = json_pack("{s:i, s:o}", "level", lv[0] - '0', "indicators", ind);
    const char *comment = page_form_clean(r, "comment", 0);
    if (comment && *comment) json_object_set_new(body, "comment", json_string(comment));
    return case_step(r, number, 1, ACT_WITHDRAW, body, "rated");
}

/* --- the receipt --- */

int page_case_receipt(struct http_req *r)
{
    if (page_gate(r, 0, "/cases", NULL)) return 0;
    char number[16];
    json_t *cs;
    if (case_load(r, number, &cs) < 0) return 0;
    if (!jstr(cs, "submitted_at")) {
        /* A draft has no receipt yet; its page says how to go on. */
        json_decref(cs);
        return http_redirect(r, arena_printf(r->arena, "/cases/%s", number));
    }
    char disp[16];
    case_number_display(number, disp);
    struct buf b = BUF_INIT;
    page_open(r, &b, "apply.receipt.title", NAV_NONE);
    buf_puts(&b, "<section class=\"card receipt\" aria-labelledby=\"h-rcpt\"><h1 id=\"h-rcpt\">");
    page_t(r, &b, "apply.receipt.title");
    buf_puts(&b, "</h1>");
    done_note(r, &b);
    page_para(r, &b, "lead", "apply.receipt.lead");
    buf_puts(&b, "<p class=\"case-number\"><span>");
    page_t(r, &b, "apply.case.number");
    buf_puts(&b, "</span> <strong>");
    html_text(&b, disp);
    buf_puts(&b, "</strong></p><dl class=\"facts\">");
    fact(r, &b, "apply.case.item", item_name(cs));
    fact(r, &b, "apply.case.department", jpstr(cs, "item.department_name"));
    fact(r, &b, "apply.case.applicant", jpstr(cs, "applicant.name"));
    if (jpstr(cs, "enterprise.name"))
        fact(r, &b, "apply.case.enterprise", jpstr(cs, "enterprise.name"));
    fact_when(r, &b, "apply.case.submitted", jstr(cs, "submitted_at"));
    promised_fact(r, &b, cs);
    if (jpstr(cs, "time_limit.statutory.due") && promised_due(cs))
        fact_when(r, &b, "apply.case.statutory", jpstr(cs, "time_limit.statutory.due"));
    fact(r, &b, "apply.case.state", label_or(r, "apply.state", jstr(cs, "state")));
    buf_puts(&b, "</dl>");
    limit_steps(r, &b, cs);
    materials_table(r, &b, cs, "h-rmat");
    buf_puts(&b, "<p class=\"hint\">");
    page_t(r, &b, "apply.receipt.query");
    buf_puts(&b,
             "</p><ul class=\"actions no-print\"><li><button type=\"button\" class=\"secondary\" "
             "data-print>");
    page_t(r, &b, "apply.receipt.print");
    buf_puts(&b, "</button></li><li>");
    case_link(&b, number, NULL);
    page_t(r, &b, "apply.receipt.progress");
    buf_puts(&b, "</a></li></ul></section>");
    json_decref(cs);
    return page_send(r, &b, 200);
}

/* --- the material locker --- */

static int locker_render(struct http_req *r, int status, const struct err *e)
{
    struct err le;
    err_clear(&le);
    json_t *items = locker_items(r, &le);
    if (!items) return http_reply_err(r, &le);
    const char *next = http_query(r, "next");
    if (!next) next = http_form(r, "next");
    next = next && strcmp(page_safe_next(next), "/") ? page_safe_next(next) : NULL;
    struct buf b = BUF_INIT;
    page_open(r, &b, "apply.locker.title", NAV_NONE);
    buf_puts(&b, "<section aria-labelledby=\"h-locker\"><h1 id=\"h-locker\">");
    page_t(r, &b, "apply.locker.title");
    buf_puts(&b, "</h1>");
    page_para(r, &b, "lead", "apply.locker.lead");
    done_note(r, &b);
    if (e) page_error_box(r, &b, e);
    /* Upload */
    buf_puts(
        &b,
        "<form class=\"card\" method=\"post\" action=\"/locker\" enctype=\"multipart/form-data\" "
        "novalidate>");
    page_csrf(r, &b);
    if (next) {
        buf_puts(&b, "<input type=\"hidden\" name=\"next\" value=\"");
        html_attr(&b, next);
        buf_puts(&b, "\">");
    }
    struct fld f = {"file", T(r, "apply.locker.file"), T(r, "apply.locker.file.hint"), 1};
    input_field(r, &b, &f, "file",
                " accept=\".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png\"", NULL,
                e);
    buf_puts(&b, "<button type=\"submit\">");
    page_t(r, &b, "apply.locker.upload");
    buf_puts(&b, "</button>");
    if (next) {
        buf_puts(&b, " <a href=\"");
        html_attr(&b, next);
        buf_puts(&b, "\">");
        page_t(r, &b, "apply.locker.back");
        buf_puts(&b, "</a>");
    }
    buf_puts(&b, "</form>");
    if (!json_array_size(items)) {
        page_para(r, &b, "note", "apply.locker.empty");
    } else {
        buf_puts(
            &b,
            "<div class=\"table-wrap\"><table class=\"depth locker\"><caption class=\"sr-only\">");
        page_t(r, &b, "apply.locker.title");
        buf_puts(&b, "</caption>");
        static const char *const cols[] = {"apply.col.file",     "apply.col.size",
                                           "apply.col.uploaded", "apply.col.used",
                                           "apply.col.action"};
        page_table_head(r, &b, cols, PAGE_NELEM(cols));
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            long long id = (long long)json_integer_value(json_object_get(it, "id"));
            buf_puts(&b, "<tr><td>");
            html_text(&b, jstr(it, "filename"));
            buf_puts(&b, "<br><span class=\"meta\">");
            html_text(&b, label_or(r, "apply.type", jstr(it, "content_type")));
            buf_puts(&b, "</span></td><td>");
            size_text(&b, (long long)json_integer_value(json_object_get(it, "size")));
            buf_puts(&b, "</td><td>");
            when_text(&b, jstr(it, "created_at"));
            buf_puts(&b, "</td><td>");
            json_t *used = json_object_get(it, "used_in");
            size_t k;
            json_t *u;
            json_array_foreach(used, k, u)
            {
                if (!json_is_string(u)) continue;
                char disp[16];
                case_number_display(json_string_value(u), disp);
                if (k) buf_puts(&b, "<br>");
                case_link(&b, json_string_value(u), NULL);
                html_text(&b, disp);
                buf_puts(&b, "</a>");
            }
            if (!json_array_size(used)) page_t(r, &b, "apply.locker.unused");
            buf_puts(&b, "</td><td>");
            if (!json_array_size(used)) {
                buf_printf(&b,
                           "<form method=\"post\" action=\"/locker/%lld/delete\" class=\"inline\">",
                           id);
                page_csrf(r, &b);
                buf_printf(
                    &b, "<button type=\"submit\" class=\"secondary\" aria-describedby=\"fn-%lld\">",
                    id);
                page_t(r, &b, "apply.locker.delete");
                buf_printf(&b, "</button><span class=\"sr-only\" id=\"fn-%lld\">", id);
                html_text(&b, jstr(it, "filename"));
                buf_puts(&b, "</span></form>");
            } else {
                page_t(r, &b, "apply.locker.in_use");
            }
            buf_puts(&b, "</td></tr>");
        }
        buf_puts(&b, "</tbody></table></div>");
    }
    buf_puts(&b, "</section>");
    json_decref(items);
    return page_send(r, &b, status);
}

int page_locker(struct http_req *r)
{
    if (page_gate(r, 0, "/cases", NULL)) return 0;
    return locker_render(r, 200, NULL);
}

int page_locker_upload(struct http_req *r)
{
    struct err e;
    err_clear(&e);
    const struct http_upload *u = http_uploads(r);
    if (!u || (!u->next && u->size == 0 && (!u->filename || !*u->filename))) {
        err_set(&e, ERR_INVALID, "file", "apply.err.file_none", NULL);
        return locker_render(r, 422, &e);
    }
    json_t *items = NULL;
    if (api_uploads_store(r, &items, &e) < 0) {
        /* The message stands at the one file input of the form. */
        if (e.code == ERR_INVALID || e.code == ERR_MEDIA_TYPE || e.code == ERR_TOO_LARGE)
            snprintf(e.field, sizeof e.field, "file");
        return locker_render(r, err_status(e.code), &e);
    }
    json_decref(items);
    const char *next = http_form(r, "next");
    if (next && strcmp(page_safe_next(next), "/") != 0)
        return http_redirect(r, page_safe_next(next));
    return http_redirect(r, "/locker?done=uploaded");
}

int page_locker_delete(struct http_req *r)
{
    char *end;
    const char *s = http_param(r, "id");
    long long id = s ? strtoll(s, &end, 10) : 0;
    struct err e;
    err_clear(&e);
    if (!s || *end || id <= 0) return http_fail(r, ERR_NOT_FOUND, NULL, NULL, NULL);
    if (locker_delete(http_db(r), r->principal, id, r->ip, &e) < 0) {
        if (e.code == ERR_NOT_FOUND) return http_reply_err(r, &e);
        if (e.code == ERR_CONFLICT && !e.key[0])
            err_set(&e, ERR_CONFLICT, NULL, "apply.err.in_use", NULL);
        return locker_render(r, err_status(e.code), &e);
    }
    return http_redirect(r, "/locker?done=deleted");
}

/* --- who looked at my case data --- */

int page_access_log(struct http_req *r)
{
    if (page_gate(r, 0, "/cases", NULL)) return 0;
    long page = page_number(r);
    struct err e;
    err_clear(&e);
    json_t *log = cases_access_log(http_db(r), r->principal, page, PER_PAGE, &e);
    if (!log) return http_reply_err(r, &e);
    json_t *items = json_is_array(log) ? log : json_object_get(log, "items");
    struct buf b = BUF_INIT;
    page_open(r, &b, "apply.access.title", NAV_NONE);
    buf_puts(&b, "<section aria-labelledby=\"h-access\"><h1 id=\"h-access\">");
    page_t(r, &b, "apply.access.title");
    buf_puts(&b, "</h1>");
    page_para(r, &b, "lead", "apply.access.lead");
    if (!json_array_size(items)) {
        page_para(r, &b, "note", "apply.access.empty");
    } else {
        buf_puts(
            &b,
            "<div class=\"table-wrap\"><table class=\"depth access\"><caption class=\"sr-only\">");
        page_t(r, &b, "apply.access.title");
        buf_puts(&b, "</caption>");
        static const char *const cols[] = {"apply.col.when",  "apply.col.number",
                                           "apply.col.staff", "apply.col.department",
                                           "apply.col.what"};
        page_table_head(r, &b, cols, PAGE_NELEM(cols));
        size_t i;
        json_t *x;
        json_array_foreach(items, i, x)
        {
            buf_puts(&b, "<tr><td>");
            when_text(&b, jstr(x, "at"));
            buf_puts(&b, "</td><td>");
            json_t *c = json_object_get(x, "case");
            const char *num = json_is_string(c) ? json_string_value(c) : jstr(c, "number");
            if (num) {
                char disp[16];
                case_number_display(num, disp);
                case_link(&b, num, NULL);
                html_text(&b, disp);
                buf_puts(&b, "</a>");
            }
            const char *iname = json_is_object(c) ? item_name(c) : NULL;
            if (iname) {
                buf_puts(&b, "<br><span class=\"meta\">");
                html_text(&b, iname);
                buf_puts(&b, "</span>");
            }
            buf_puts(&b, "</td><td>");
            json_t *st = json_object_get(x, "staff");
            html_text(&b, json_is_string(st) ? json_string_value(st) : jstr(st, "name"));
            buf_puts(&b, "</td><td>");
            json_t *d = json_object_get(x, "department");
            html_text(&b, json_is_string(d) ? json_string_value(d) : jstr(d, "name"));
            buf_puts(&b, "</td><td>");
            html_text(&b, label_or(r, "apply.access.what", jstr(x, "what")));
            buf_puts(&b, "</td></tr>");
        }
        buf_puts(&b, "</tbody></table></div>");
        json_t *total = json_is_object(log) ? json_object_get(log, "total") : NULL;
        if (json_is_integer(total))
            pages_nav(r, &b, "/access-log", page, json_integer_value(total));
    }
    buf_puts(&b, "</section>");
    json_decref(log);
    return page_send(r, &b, 200);
}
