/**
 * @file catalog.c
 * @brief Checking, carding and grading catalog items (docs/catalog.md).
 *
 * The form of the exchange format is described once, as tables of members
 * (struct member), and one walker checks any object against them: unknown
 * members, types, enumerations, ranges, codes and dates. What tables cannot
 * say (time limits, fee statements, versions) is checked after it.
 */
#include "domain/catalog.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "core/workday.h"
#include <stdio.h>
#include <string.h>

const char *const catalog_item_types[] = {"01", "02", "03", "04", "05", "06", "07",
                                          "08", "09", "10", "20", "30", NULL};
const char *const catalog_themes[] = {
    "birth",      "schooling",      "employment", "housing", "marriage",  "starting_business",
    "retirement", "death",          "health",     "social_security", "transport", "tax", NULL};
const char *const catalog_channels[] = {"online", "mobile", "kiosk", "counter", "post", NULL};

static const char *const statuses[] = {"draft", "published", "withdrawn", "superseded", NULL};
static const char *const handlings[] = {"promised", "immediate", NULL};
static const char *const targets[] = {"person", "enterprise", "both", NULL};
static const char *const forms[] = {"original", "copy", "electronic", NULL};
static const char *const units[] = {"working_days", "calendar_days", "hours", "immediate",
                                    "none", NULL};
static const char *const deliveries[] = {"electronic", "post", "pickup", NULL};
static const char *const pref_kinds[] = {"promised_days_reduced", "fee_reduced", NULL};
static const char *const field_types[] = {"text", "number", "date", "choice", "file", NULL};

/* --- reports --- */

void catalog_report_free(struct catalog_report *rep)
{
    free(rep->v);
    memset(rep, 0, sizeof *rep);
}

static void copy_str(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

void catalog_report_add(struct catalog_report *rep, int error, const char *item,
                        const char *field, const char *key, const char *arg)
{
    if (rep->n == rep->cap) {
        rep->cap = rep->cap ? rep->cap * 2 : 16;
        rep->v = xrealloc(rep->v, rep->cap * sizeof *rep->v);
    }
    struct catalog_problem *p = &rep->v[rep->n++];
    memset(p, 0, sizeof *p);
    p->error = error;
    copy_str(p->item, sizeof p->item, item);
    copy_str(p->field, sizeof p->field, field);
    copy_str(p->key, sizeof p->key, key);
    copy_str(p->arg, sizeof p->arg, arg);
    if (error)
        rep->errors++;
    else
        rep->warnings++;
}

/* --- the form of the format --- */

enum kind {
    K_LINE,  /* one-line text */
    K_TEXT,  /* text that may span lines */
    K_CODE,  /* ASCII code: letters, digits, . _ - */
    K_DATE,  /* YYYY-MM-DD */
    K_INT,
    K_NUM,
    K_BOOL,
    K_ENUM,  /* one of sub (const char *const[]) */
    K_LINES, /* array of one-line texts */
    K_ENUMS, /* array of values of sub, no repeats */
    K_OBJ,   /* object described by sub (const struct member[]) */
    K_OBJS,  /* array of such objects */
    K_URL,   /* http(s) URL */
};
enum { M_REQ = 1, M_NULL = 2 };

struct member {
    const char *name;
    enum kind kind;
    unsigned flags;
    const void *sub;
    long min, max; /* length in code points for text, value for numbers; 0,0 = default */
};

static const struct member contact_m[] = {
    {"phone", K_LINE, M_REQ | M_NULL, NULL, 0, 40},
    {"address", K_LINE, M_REQ | M_NULL, NULL, 0, 200},
    {"hours", K_LINE, M_REQ | M_NULL, NULL, 0, 200},
    {NULL}};
static const struct member dept_m[] = {
    {"code", K_CODE, M_REQ, NULL, 1, 64},
    {"name", K_LINE, M_REQ, NULL, 1, 100},
    {"name_en", K_LINE, M_REQ | M_NULL, NULL, 0, 200},
    {"parent", K_CODE, M_REQ | M_NULL, NULL, 1, 64},
    {"region", K_CODE, M_REQ | M_NULL, NULL, 1, 12},
    {"contact", K_OBJ, M_REQ | M_NULL, contact_m, 0, 0},
    {NULL}};
static const struct member hall_m[] = {
    {"code", K_CODE, M_REQ, NULL, 1, 64},
    {"name", K_LINE, M_REQ, NULL, 1, 100},
    {"region", K_CODE, M_REQ | M_NULL, NULL, 1, 12},
    {"address", K_LINE, M_REQ | M_NULL, NULL, 0, 200},
    {"phone", K_LINE, M_REQ | M_NULL, NULL, 0, 40},
    {"hours", K_LINE, M_REQ | M_NULL, NULL, 0, 200},
    {"lat", K_NUM, M_REQ | M_NULL, NULL, -90, 90},
    {"lng", K_NUM, M_REQ | M_NULL, NULL, -180, 180},
    {"kiosks", K_INT, M_REQ | M_NULL, NULL, 0, 10000},
    {NULL}};
static const struct member legal_m[] = {
    {"law", K_LINE, M_REQ, NULL, 1, 200},
    {"article", K_LINE, M_REQ | M_NULL, NULL, 0, 100},
    {"text", K_TEXT, M_REQ | M_NULL, NULL, 0, 4000},
    {"url", K_URL, M_REQ | M_NULL, NULL, 0, 500},
    {NULL}};
static const struct member step_m[] = {
    {"step", K_LINE, M_REQ, NULL, 1, 100},
    {"description", K_TEXT, M_REQ | M_NULL, NULL, 0, 2000},
    {NULL}};
static const struct member substitute_m[] = {
    {"certificate_type", K_LINE, M_REQ | M_NULL, NULL, 1, 100},
    {"government_data", K_LINE, M_REQ | M_NULL, NULL, 1, 100},
    {NULL}};
static const struct member material_m[] = {
    {"name", K_LINE, M_REQ, NULL, 1, 200},
    {"form", K_ENUM, M_REQ, forms, 0, 0},
    {"copies", K_INT, M_REQ, NULL, 0, 100},
    {"required", K_BOOL, M_REQ, NULL, 0, 0},
    {"condition", K_LINE, M_REQ | M_NULL, NULL, 1, 500},
    {"notes", K_TEXT, M_REQ | M_NULL, NULL, 0, 2000},
    {"blank_form", K_LINE, M_REQ | M_NULL, NULL, 1, 500},
    {"example", K_LINE, M_REQ | M_NULL, NULL, 1, 500},
    {"verification", K_LINE, M_REQ | M_NULL, NULL, 1, 500},
    {"substitute", K_OBJ, M_REQ, substitute_m, 0, 0},
    {NULL}};
static const struct member fee_item_m[] = {
    {"name", K_LINE, M_REQ, NULL, 1, 200},
    {"amount_fen", K_INT, M_REQ, NULL, 0, 100000000000L},
    {"basis", K_LINE, M_REQ | M_NULL, NULL, 0, 500},
    {NULL}};
static const struct member fee_m[] = {
    {"free", K_BOOL, M_REQ, NULL, 0, 0},
    {"items", K_OBJS, M_REQ, fee_item_m, 0, 0},
    {NULL}};
static const struct member limit_m[] = {
    {"unit", K_ENUM, M_REQ, units, 0, 0},
    {"value", K_INT, M_REQ | M_NULL, NULL, 0, 3650},
    {NULL}};
static const struct member limits_m[] = {
    {"statutory", K_OBJ, M_REQ | M_NULL, limit_m, 0, 0},
    {"promised", K_OBJ, M_REQ | M_NULL, limit_m, 0, 0},
    {NULL}};
static const struct member commitment_m[] = {
    {"allowed", K_BOOL, M_REQ, NULL, 0, 0},
    {"waived_materials", K_LINES, M_REQ, NULL, 1, 200},
    {NULL}};
static const struct member location_m[] = {
    {"hall", K_CODE, M_REQ, NULL, 1, 64},
    {"window", K_LINE, M_REQ | M_NULL, NULL, 0, 100},
    {"hours", K_LINE, M_REQ | M_NULL, NULL, 0, 200},
    {NULL}};
static const struct member result_m[] = {
    {"name", K_LINE, M_REQ, NULL, 1, 200},
    {"certificate_type", K_LINE, M_REQ | M_NULL, NULL, 1, 100},
    {"delivery", K_ENUMS, M_REQ, deliveries, 0, 0},
    {NULL}};
static const struct member pref_m[] = {
    {"kind", K_ENUM, M_REQ, pref_kinds, 0, 0},
    {"value", K_INT, M_REQ, NULL, 1, 100},
    {"condition", K_LINE, M_REQ | M_NULL, NULL, 1, 200},
    {NULL}};
static const struct member contacts_m[] = {
    {"consultation", K_LINE, M_REQ | M_NULL, NULL, 0, 100},
    {"complaint", K_LINE, M_REQ | M_NULL, NULL, 0, 100},
    {NULL}};
static const struct member form_field_m[] = {
    {"name", K_CODE, M_REQ, NULL, 1, 64},
    {"type", K_ENUM, M_REQ, field_types, 0, 0},
    {"label", K_LINE, M_REQ, NULL, 1, 100},
    {"required", K_BOOL, M_REQ, NULL, 0, 0},
    {"choices", K_LINES, 0, NULL, 1, 100},
    {NULL}};
static const struct member item_m[] = {
    {"code", K_CODE, M_REQ, NULL, 1, 64},
    {"version", K_INT, M_REQ, NULL, 1, 100000},
    {"status", K_ENUM, M_REQ, statuses, 0, 0},
    {"effective_from", K_DATE, M_REQ | M_NULL, NULL, 0, 0},
    {"basic_code", K_CODE, M_REQ | M_NULL, NULL, 1, 64},
    {"name", K_LINE, M_REQ, NULL, 1, 100},
    {"short_name", K_LINE, M_REQ | M_NULL, NULL, 1, 50},
    {"department", K_CODE, M_REQ, NULL, 1, 64},
    {"region", K_CODE, M_REQ | M_NULL, NULL, 1, 12},
    {"type", K_ENUM, M_REQ, catalog_item_types, 0, 0},
    {"handling", K_ENUM, M_REQ, handlings, 0, 0},
    {"target", K_ENUM, M_REQ, targets, 0, 0},
    {"themes", K_ENUMS, M_REQ, catalog_themes, 0, 0},
    {"categories", K_LINES, M_REQ, NULL, 1, 50},
    {"keywords", K_LINES, M_REQ, NULL, 1, 50},
    {"legal_basis", K_OBJS, M_REQ, legal_m, 0, 0},
    {"conditions", K_LINES, M_REQ, NULL, 1, 1000},
    {"process", K_OBJS, M_REQ, step_m, 0, 0},
    {"materials", K_OBJS, M_REQ, material_m, 0, 0},
    {"fee", K_OBJ, M_REQ | M_NULL, fee_m, 0, 0},
    {"time_limit", K_OBJ, M_REQ, limits_m, 0, 0},
    {"visits", K_INT, M_REQ | M_NULL, NULL, 0, 3},
    {"acceptance_with_missing", K_BOOL, M_REQ, NULL, 0, 0},
    {"commitment", K_OBJ, M_REQ, commitment_m, 0, 0},
    {"channels", K_ENUMS, M_REQ, catalog_channels, 0, 0},
    {"locations", K_OBJS, M_REQ, location_m, 0, 0},
    {"result", K_OBJ, M_REQ | M_NULL, result_m, 0, 0},
    {"preferences", K_OBJS, M_REQ, pref_m, 0, 0},
    {"contacts", K_OBJ, M_REQ, contacts_m, 0, 0},
    {"form_schema", K_OBJS, M_REQ, form_field_m, 0, 0},
    {NULL}};

/* A walk over one record: its code for problems, and where we are in it. */
struct walk {
    struct catalog_report *rep;
    const char *code;
    char path[160];
    size_t errors;
};

static void problem(struct walk *w, int error, const char *key, const char *arg)
{
    catalog_report_add(w->rep, error, w->code, w->path, key, arg);
    if (error)
        w->errors++;
}

/* Appends ".name" or "[i]" to the path; returns the old length to restore. */
static size_t path_push(struct walk *w, const char *name, long index)
{
    size_t n = strlen(w->path);
    if (name)
        snprintf(w->path + n, sizeof w->path - n, "%s%s", n ? "." : "", name);
    else
        snprintf(w->path + n, sizeof w->path - n, "[%ld]", index);
    return n;
}

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

static int valid_code(const char *s, long max)
{
    size_t n = strlen(s);
    if (n == 0 || (long)n > max)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static void check_text(struct walk *w, const char *s, const struct member *m, int line)
{
    size_t n = strlen(s), cps = 0;
    if ((line ? utf8_check_line(s, n) : utf8_check_text(s, n)) < 0) {
        problem(w, 1, "catalog.bad_text", NULL);
        return;
    }
    utf8_count(s, n, &cps);
    long min = m->min, max = m->max ? m->max : 1000;
    if ((long)cps < min) {
        problem(w, 1, "catalog.empty", NULL);
    } else if ((long)cps > max) {
        char arg[24];
        snprintf(arg, sizeof arg, "%ld", max);
        problem(w, 1, "catalog.too_long", arg);
    }
}

static void check_object(struct walk *w, json_t *obj, const struct member *spec);

static void check_value(struct walk *w, json_t *v, const struct member *m)
{
    char arg[64];
    switch (m->kind) {
    case K_LINE:
    case K_TEXT:
        if (!json_is_string(v))
            return problem(w, 1, "catalog.want_text", NULL);
        check_text(w, json_string_value(v), m, m->kind == K_LINE);
        return;
    case K_CODE:
        if (!json_is_string(v))
            return problem(w, 1, "catalog.want_text", NULL);
        if (!valid_code(json_string_value(v), m->max ? m->max : 64))
            return problem(w, 1, "catalog.bad_code", json_string_value(v));
        return;
    case K_URL: {
        if (!json_is_string(v))
            return problem(w, 1, "catalog.want_text", NULL);
        const char *s = json_string_value(v);
        if ((strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) ||
            utf8_check_line(s, strlen(s)) < 0 || strpbrk(s, " <>\"") || strlen(s) > 500)
            return problem(w, 1, "catalog.bad_url", NULL);
        return;
    }
    case K_DATE: {
        workday_date d;
        if (!json_is_string(v))
            return problem(w, 1, "catalog.want_date", NULL);
        if (strlen(json_string_value(v)) != 10 || workday_date_parse(json_string_value(v), &d) < 0)
            return problem(w, 1, "catalog.bad_date", json_string_value(v));
        return;
    }
    case K_INT:
    case K_NUM: {
        if (m->kind == K_INT ? !json_is_integer(v) : !json_is_number(v))
            return problem(w, 1, m->kind == K_INT ? "catalog.want_integer" : "catalog.want_number",
                           NULL);
        double x = json_number_value(v);
        if (x < m->min || (m->max && x > m->max)) {
            snprintf(arg, sizeof arg, "%ld–%ld", m->min, m->max);
            return problem(w, 1, x < 0 && m->min == 0 ? "catalog.negative" : "catalog.out_of_range",
                           arg);
        }
        return;
    }
    case K_BOOL:
        if (!json_is_boolean(v))
            return problem(w, 1, "catalog.want_boolean", NULL);
        return;
    case K_ENUM:
        if (!json_is_string(v))
            return problem(w, 1, "catalog.want_text", NULL);
        if (!in_list(m->sub, json_string_value(v)))
            return problem(w, 1, "catalog.bad_value", json_string_value(v));
        return;
    case K_LINES:
    case K_ENUMS:
    case K_OBJS: {
        if (!json_is_array(v))
            return problem(w, 1, "catalog.want_list", NULL);
        if (json_array_size(v) > 200)
            return problem(w, 1, "catalog.list_too_long", "200");
        struct member elem = *m;
        elem.kind = m->kind == K_LINES ? K_LINE : m->kind == K_ENUMS ? K_ENUM : K_OBJ;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            size_t old = path_push(w, NULL, (long)i);
            if (json_is_null(e))
                problem(w, 1, "catalog.null_in_list", NULL);
            else
                check_value(w, e, &elem);
            if (m->kind == K_ENUMS && json_is_string(e))
                for (size_t j = 0; j < i; j++)
                    if (json_equal(json_array_get(v, j), e))
                        problem(w, 1, "catalog.repeated", json_string_value(e));
            w->path[old] = 0;
        }
        return;
    }
    case K_OBJ:
        if (!json_is_object(v))
            return problem(w, 1, "catalog.want_object", NULL);
        check_object(w, v, m->sub);
        return;
    }
}

static void check_object(struct walk *w, json_t *obj, const struct member *spec)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const struct member *m = spec;
        while (m->name && strcmp(m->name, key))
            m++;
        if (!m->name) {
            size_t old = path_push(w, key, 0);
            problem(w, 1, "catalog.unknown_member", key);
            w->path[old] = 0;
        }
    }
    for (const struct member *m = spec; m->name; m++) {
        size_t old = path_push(w, m->name, 0);
        json_t *val = json_object_get(obj, m->name);
        if (!val) {
            if (m->flags & M_REQ)
                problem(w, 1, "catalog.missing", NULL);
        } else if (json_is_null(val)) {
            if (!(m->flags & M_NULL))
                problem(w, 1, "catalog.missing", NULL);
        } else {
            check_value(w, val, m);
        }
        w->path[old] = 0;
    }
}

/* --- items --- */

static const char *str_of(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static void check_limit(struct walk *w, json_t *limit, const char *which)
{
    if (!json_is_object(limit))
        return;
    const char *unit = str_of(limit, "unit");
    json_t *value = json_object_get(limit, "value");
    if (!unit || (value && !json_is_null(value) && !json_is_integer(value)))
        return; /* reported by the form check */
    size_t old = path_push(w, "time_limit", 0);
    path_push(w, which, 0);
    path_push(w, "value", 0);
    int counted = strcmp(unit, "immediate") && strcmp(unit, "none");
    if (counted && (!json_is_integer(value) || json_integer_value(value) < 1))
        problem(w, 1, "catalog.limit_needs_value", unit);
    else if (!counted && json_is_integer(value) && json_integer_value(value) != 0)
        problem(w, 1, "catalog.limit_no_value", unit);
    w->path[old] = 0;
}

size_t catalog_item_check(json_t *item, struct catalog_report *rep)
{
    struct walk w = {rep, "", "", 0};
    if (!json_is_object(item)) {
        problem(&w, 1, "catalog.want_object", NULL);
        return w.errors;
    }
    const char *code = str_of(item, "code");
    w.code = code ? code : "";
    check_object(&w, item, item_m);
    json_t *tl = json_object_get(item, "time_limit");
    check_limit(&w, json_object_get(tl, "statutory"), "statutory");
    check_limit(&w, json_object_get(tl, "promised"), "promised");
    const char *status = str_of(item, "status");
    json_t *eff = json_object_get(item, "effective_from");
    if (status && strcmp(status, "draft") && (!eff || json_is_null(eff))) {
        strcpy(w.path, "effective_from");
        problem(&w, 1, "catalog.needs_effective_date", status);
    }
    json_t *fs = json_object_get(item, "form_schema");
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f)
    {
        const char *type = str_of(f, "type");
        json_t *choices = json_object_get(f, "choices");
        snprintf(w.path, sizeof w.path, "form_schema[%zu].choices", i);
        if (type && !strcmp(type, "choice") && json_array_size(choices) == 0)
            problem(&w, 1, "catalog.choices_missing", NULL);
        else if (type && strcmp(type, "choice") && choices)
            problem(&w, 1, "catalog.choices_unexpected", NULL);
        for (size_t j = 0; j < i; j++)
            if (str_of(f, "name") && str_of(json_array_get(fs, j), "name") &&
                !strcmp(str_of(f, "name"), str_of(json_array_get(fs, j), "name"))) {
                snprintf(w.path, sizeof w.path, "form_schema[%zu].name", i);
                problem(&w, 1, "catalog.repeated", str_of(f, "name"));
            }
    }
    return w.errors;
}

unsigned catalog_item_channels(json_t *item)
{
    unsigned bits = 0;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(item, "channels"), i, c)
    {
        for (unsigned k = 0; catalog_channels[k]; k++)
            if (json_is_string(c) && !strcmp(json_string_value(c), catalog_channels[k]))
                bits |= 1u << k;
    }
    return bits;
}

static int has_value(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), s)) return 1;
    return 0;
}

static int blank(json_t *s)
{
    return !json_is_string(s) || !*json_string_value(s);
}

/* Statutory powers (types 01..10) have a limit set by law; public and social
 * services (20, 30) often have none. */
static int law_sets_limit(json_t *item)
{
    const char *type = str_of(item, "type");
    return type && type[0] == '0' ? 1 : type && !strcmp(type, "10");
}

/* A limit in comparable units: hours for hours, days otherwise (a working
 * day counted as 1.4 calendar days so 15 working days > 15 calendar days).
 * -1 when not comparable (none). */
static double limit_span(json_t *limit)
{
    const char *unit = str_of(limit, "unit");
    long v = (long)json_integer_value(json_object_get(limit, "value"));
    if (!unit || !strcmp(unit, "none"))
        return -1;
    if (!strcmp(unit, "immediate"))
        return 0;
    if (!strcmp(unit, "hours"))
        return v / 24.0;
    if (!strcmp(unit, "working_days"))
        return v * 1.4;
    return v;
}

size_t catalog_item_card(json_t *item, struct catalog_report *rep)
{
    const char *code = str_of(item, "code");
    struct walk w = {rep, code ? code : "", "", 0};
#define AT(p) snprintf(w.path, sizeof w.path, "%s", p)
    if (json_array_size(json_object_get(item, "legal_basis")) == 0)
        AT("legal_basis"), problem(&w, 1, "catalog.card.no_legal_basis", NULL);
    if (json_array_size(json_object_get(item, "materials")) == 0)
        AT("materials"), problem(&w, 1, "catalog.card.no_materials", NULL);
    if (json_array_size(json_object_get(item, "channels")) == 0)
        AT("channels"), problem(&w, 1, "catalog.card.no_channels", NULL);
    if (json_array_size(json_object_get(item, "conditions")) == 0)
        AT("conditions"), problem(&w, 0, "catalog.card.no_conditions", NULL);
    if (json_array_size(json_object_get(item, "process")) == 0)
        AT("process"), problem(&w, 0, "catalog.card.no_process", NULL);
    json_t *contacts = json_object_get(item, "contacts");
    if (blank(json_object_get(contacts, "consultation")))
        AT("contacts.consultation"), problem(&w, 1, "catalog.card.no_consultation", NULL);
    if (blank(json_object_get(contacts, "complaint")))
        AT("contacts.complaint"), problem(&w, 1, "catalog.card.no_complaint", NULL);

    /* the fee statement */
    json_t *fee = json_object_get(item, "fee");
    json_t *fee_items = json_object_get(fee, "items");
    int is_free = json_is_true(json_object_get(fee, "free"));
    if (!json_is_object(fee)) {
        AT("fee"), problem(&w, 1, "catalog.card.no_fee", NULL);
    } else if (is_free && json_array_size(fee_items)) {
        AT("fee.items"), problem(&w, 1, "catalog.card.free_with_fees", NULL);
    } else if (!is_free && !json_array_size(fee_items)) {
        AT("fee.items"), problem(&w, 1, "catalog.card.fee_without_items", NULL);
    }
    size_t i;
    json_t *x;
    json_array_foreach(fee_items, i, x)
    {
        if (blank(json_object_get(x, "basis"))) {
            snprintf(w.path, sizeof w.path, "fee.items[%zu].basis", i);
            problem(&w, 1, "catalog.card.fee_without_basis", str_of(x, "name"));
        }
    }

    /* time limits */
    json_t *tl = json_object_get(item, "time_limit");
    json_t *stat = json_object_get(tl, "statutory"), *prom = json_object_get(tl, "promised");
    const char *su = str_of(stat, "unit"), *pu = str_of(prom, "unit");
    if (!json_is_object(stat))
        AT("time_limit.statutory"), problem(&w, 1, "catalog.card.no_statutory", NULL);
    else if (!strcmp(su ? su : "", "none") && law_sets_limit(item))
        AT("time_limit.statutory"), problem(&w, 1, "catalog.card.statutory_required", NULL);
    if (!json_is_object(prom) || !strcmp(pu ? pu : "", "none"))
        AT("time_limit.promised"), problem(&w, 0, "catalog.card.no_promised", NULL);
    else if (json_is_object(stat)) {
        double s = limit_span(stat), p = limit_span(prom);
        int same = su && pu && !strcmp(su, pu);
        long sv = (long)json_integer_value(json_object_get(stat, "value"));
        long pv = (long)json_integer_value(json_object_get(prom, "value"));
        if (s >= 0 && p >= 0 && (same ? pv > sv : p > s))
            AT("time_limit.promised"), problem(&w, 1, "catalog.card.promised_too_long", NULL);
    }
    const char *handling = str_of(item, "handling");
    if (handling && !strcmp(handling, "immediate") && (!pu || strcmp(pu, "immediate")))
        AT("time_limit.promised"), problem(&w, 1, "catalog.card.immediate_not_immediate", NULL);

    /* materials: how each is checked; visits against originals */
    json_t *visits = json_object_get(item, "visits");
    json_t *mats = json_object_get(item, "materials");
    if (!json_is_integer(visits))
        AT("visits"), problem(&w, 1, "catalog.card.no_visits", NULL);
    json_array_foreach(mats, i, x)
    {
        if (blank(json_object_get(x, "verification"))) {
            snprintf(w.path, sizeof w.path, "materials[%zu].verification", i);
            problem(&w, 1, "catalog.card.material_unchecked", str_of(x, "name"));
        }
        json_t *sub = json_object_get(x, "substitute");
        int substituted = !blank(json_object_get(sub, "certificate_type")) ||
                          !blank(json_object_get(sub, "government_data"));
        if (json_is_integer(visits) && json_integer_value(visits) == 0 &&
            json_is_true(json_object_get(x, "required")) && !substituted &&
            !strcmp(str_of(x, "form") ? str_of(x, "form") : "", "original")) {
            snprintf(w.path, sizeof w.path, "materials[%zu].form", i);
            problem(&w, 1, "catalog.card.original_without_visit", str_of(x, "name"));
        }
    }
    unsigned ch = catalog_item_channels(item);
    json_t *delivery = json_object_get(json_object_get(item, "result"), "delivery");
    if (json_is_integer(visits) && json_integer_value(visits) == 0) {
        if (!(ch & (CH_ONLINE | CH_MOBILE | CH_POST)))
            AT("visits"), problem(&w, 1, "catalog.card.no_visit_no_remote_channel", NULL);
        if (json_array_size(delivery) && !has_value(delivery, "electronic") &&
            !has_value(delivery, "post"))
            AT("result.delivery"), problem(&w, 1, "catalog.card.no_visit_pickup_only", NULL);
    }
    if ((ch & CH_COUNTER) && json_array_size(json_object_get(item, "locations")) == 0)
        AT("locations"), problem(&w, 0, "catalog.card.counter_without_location", NULL);

    /* commitment: the waived materials are materials of the item */
    json_t *waived = json_object_get(json_object_get(item, "commitment"), "waived_materials");
    json_array_foreach(waived, i, x)
    {
        int found = 0;
        size_t j;
        json_t *m;
        json_array_foreach(mats, j, m) if (json_equal(json_object_get(m, "name"), x)) found = 1;
        if (!found) {
            snprintf(w.path, sizeof w.path, "commitment.waived_materials[%zu]", i);
            problem(&w, 1, "catalog.card.waived_unknown", json_string_value(x));
        }
    }
    if (!json_is_true(json_object_get(json_object_get(item, "commitment"), "allowed")) &&
        json_array_size(waived))
        AT("commitment.allowed"), problem(&w, 1, "catalog.card.waived_not_allowed", NULL);
    json_array_foreach(json_object_get(item, "preferences"), i, x)
    {
        const char *kind = str_of(x, "kind");
        if (kind && !strcmp(kind, "fee_reduced") && is_free) {
            snprintf(w.path, sizeof w.path, "preferences[%zu]", i);
            problem(&w, 1, "catalog.card.fee_reduced_free", NULL);
        }
    }
#undef AT
    return w.errors;
}

int catalog_item_level(json_t *item)
{
    struct catalog_report scratch = {0};
    size_t errors = catalog_item_card(item, &scratch);
    catalog_report_free(&scratch);
    if (errors)
        return 0;
    unsigned ch = catalog_item_channels(item);
    json_int_t visits = json_integer_value(json_object_get(item, "visits"));
    if (!(ch & (CH_ONLINE | CH_MOBILE)) || visits > 2)
        return 1;
    if (visits == 2)
        return 2;
    if (visits == 1)
        return 3;
    json_t *delivery = json_object_get(json_object_get(item, "result"), "delivery");
    if (!json_array_size(delivery) || has_value(delivery, "electronic") ||
        has_value(delivery, "post"))
        return 4;
    return 3;
}

/* --- whole documents --- */

/* Codes seen in a section, for uniqueness and references: a sorted array. */
struct codeset {
    const char **v;
    size_t n;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void codeset_build(struct codeset *cs, json_t *arr)
{
    cs->v = xcalloc(json_array_size(arr) + 1, sizeof *cs->v);
    cs->n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) if (str_of(e, "code")) cs->v[cs->n++] = str_of(e, "code");
    qsort(cs->v, cs->n, sizeof *cs->v, cmp_str);
}

static int codeset_has(const struct codeset *cs, const char *code)
{
    return code && bsearch(&code, cs->v, cs->n, sizeof *cs->v, cmp_str) != NULL;
}

/* Adds the problems found since from with their place in the source. */
static void locate_from(struct catalog_report *rep, size_t from, const char *section,
                        size_t index, catalog_locate_fn locate, void *ctx)
{
    if (!locate)
        return;
    for (size_t k = from; k < rep->n; k++)
        locate(ctx, section, index, rep->v[k].field, rep->v[k].file, sizeof rep->v[k].file,
               &rep->v[k].line);
}

static void check_unique(struct catalog_report *rep, json_t *arr, const char *section,
                         catalog_locate_fn locate, void *ctx)
{
    size_t n = json_array_size(arr);
    struct {
        const char *code;
        json_int_t version;
        size_t index;
    } *v = xcalloc(n + 1, sizeof *v);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        if (!str_of(e, "code"))
            continue;
        v[m].code = str_of(e, "code");
        v[m].version = json_integer_value(json_object_get(e, "version"));
        v[m].index = i;
        /* insertion into a small list would be quadratic at 5,349 items */
        m++;
    }
    /* sort indexes by (code, version) */
    for (size_t gap = m / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < m; i++)
            for (size_t j = i; j >= gap; j -= gap) {
                int c = strcmp(v[j - gap].code, v[j].code);
                if (c < 0 || (c == 0 && v[j - gap].version <= v[j].version))
                    break;
                __typeof__(*v) t = v[j];
                v[j] = v[j - gap];
                v[j - gap] = t;
            }
    for (size_t i = 1; i < m; i++) {
        if (strcmp(v[i - 1].code, v[i].code) || v[i - 1].version != v[i].version)
            continue;
        size_t from = rep->n;
        catalog_report_add(rep, 1, v[i].code, "code", "catalog.duplicate_code", v[i].code);
        locate_from(rep, from, section, v[i].index, locate, ctx);
    }
    /* per item code: at most one published version and one draft, the
     * draft being the newest */
    for (size_t i = 0; i < m;) {
        size_t j = i, published = 0, drafts = 0;
        json_int_t newest = 0, draft_version = 0;
        for (; j < m && !strcmp(v[j].code, v[i].code); j++) {
            const char *st = str_of(json_array_get(arr, v[j].index), "status");
            published += st && !strcmp(st, "published");
            if (st && !strcmp(st, "draft"))
                drafts++, draft_version = v[j].version;
            if (v[j].version > newest)
                newest = v[j].version;
        }
        if (!strcmp(section, "items") && (published > 1 || drafts > 1 ||
                                          (drafts && draft_version != newest))) {
            size_t from = rep->n;
            catalog_report_add(rep, 1, v[i].code, "status", "catalog.versions_conflict", NULL);
            locate_from(rep, from, section, v[j - 1].index, locate, ctx);
        }
        i = j;
    }
    free(v);
}

size_t catalog_doc_check(json_t *doc, struct catalog_report *rep, catalog_locate_fn locate,
                         void *ctx)
{
    size_t errors0 = rep->errors;
    struct walk w = {rep, "", "", 0};
    if (!json_is_object(doc)) {
        problem(&w, 1, "catalog.want_object", NULL);
        return rep->errors - errors0;
    }
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        if (strcmp(key, "format") && strcmp(key, "departments") && strcmp(key, "halls") &&
            strcmp(key, "items")) {
            snprintf(w.path, sizeof w.path, "%s", key);
            problem(&w, 1, "catalog.unknown_member", key);
        }
    }
    const char *format = str_of(doc, "format");
    if (!format || strcmp(format, CATALOG_FORMAT)) {
        strcpy(w.path, "format");
        problem(&w, 1, "catalog.bad_format", CATALOG_FORMAT);
    }
    json_t *depts = json_object_get(doc, "departments");
    json_t *halls = json_object_get(doc, "halls");
    json_t *items = json_object_get(doc, "items");
    static const char *const sections[] = {"departments", "halls", "items"};
    json_t *arrays[] = {depts, halls, items};
    for (int s = 0; s < 3; s++) {
        if (!json_is_array(arrays[s])) {
            snprintf(w.path, sizeof w.path, "%s", sections[s]);
            problem(&w, 1, arrays[s] ? "catalog.want_list" : "catalog.missing", NULL);
        }
    }
    struct codeset dcodes, hcodes;
    codeset_build(&dcodes, depts);
    codeset_build(&hcodes, halls);
    size_t i;
    json_t *e;
    json_array_foreach(depts, i, e)
    {
        size_t from = rep->n;
        struct walk dw = {rep, str_of(e, "code") ? str_of(e, "code") : "", "", 0};
        if (!json_is_object(e))
            problem(&dw, 1, "catalog.want_object", NULL);
        else
            check_object(&dw, e, dept_m);
        const char *parent = str_of(e, "parent");
        if (parent && !codeset_has(&dcodes, parent)) {
            strcpy(dw.path, "parent");
            problem(&dw, 1, "catalog.unknown_department", parent);
        } else if (parent) {
            /* a parent chain longer than the list is a cycle */
            const char *at = parent;
            size_t steps = 0;
            while (at && steps <= json_array_size(depts)) {
                json_t *p = NULL;
                size_t k;
                json_t *d;
                json_array_foreach(depts, k, d) if (str_of(d, "code") && !strcmp(str_of(d, "code"), at)) p = d;
                at = p ? str_of(p, "parent") : NULL;
                steps++;
                if (steps > 16)
                    break; /* deeper than any real hierarchy: cycle or nonsense */
            }
            if (at) {
                strcpy(dw.path, "parent");
                problem(&dw, 1, "catalog.parent_cycle", parent);
            }
        }
        locate_from(rep, from, "departments", i, locate, ctx);
    }
    json_array_foreach(halls, i, e)
    {
        size_t from = rep->n;
        struct walk hw = {rep, str_of(e, "code") ? str_of(e, "code") : "", "", 0};
        if (!json_is_object(e))
            problem(&hw, 1, "catalog.want_object", NULL);
        else
            check_object(&hw, e, hall_m);
        locate_from(rep, from, "halls", i, locate, ctx);
    }
    json_array_foreach(items, i, e)
    {
        size_t from = rep->n;
        /* references are checked even in a malformed item, so one pass
         * lists every error */
        struct walk iw = {rep, str_of(e, "code") ? str_of(e, "code") : "", "", 0};
        const char *dept = str_of(e, "department");
        if (dept && !codeset_has(&dcodes, dept)) {
            strcpy(iw.path, "department");
            problem(&iw, 1, "catalog.unknown_department", dept);
        }
        size_t k;
        json_t *loc;
        json_array_foreach(json_object_get(e, "locations"), k, loc)
        {
            const char *hall = str_of(loc, "hall");
            if (hall && !codeset_has(&hcodes, hall)) {
                snprintf(iw.path, sizeof iw.path, "locations[%zu].hall", k);
                problem(&iw, 1, "catalog.unknown_hall", hall);
            }
        }
        if (catalog_item_check(e, rep) == 0) {
            /* what is or was published has passed carding; drafts may be
             * incomplete (that is what editing them is for) */
            const char *st = str_of(e, "status");
            struct catalog_report card = {0};
            catalog_item_card(e, &card);
            for (size_t p = 0; p < card.n; p++) {
                struct catalog_problem *cp = &card.v[p];
                int error = cp->error && st && strcmp(st, "draft");
                if (error || !cp->error) {
                    catalog_report_add(rep, error, cp->item, cp->field, cp->key, cp->arg);
                }
            }
            catalog_report_free(&card);
        }
        locate_from(rep, from, "items", i, locate, ctx);
    }
    check_unique(rep, depts, "departments", locate, ctx);
    check_unique(rep, halls, "halls", locate, ctx);
    check_unique(rep, items, "items", locate, ctx);
    free(dcodes.v);
    free(hcodes.v);
    return rep->errors - errors0;
}

/* --- line numbers of a JSON text --- */

struct catalog_json_lines {
    char file[64];
    long *lines[3]; /* departments, halls, items: the line of each element */
    size_t n[3], cap[3];
};

static int section_index(const char *s, size_t n)
{
    if (n == 11 && !memcmp(s, "departments", 11))
        return 0;
    if (n == 5 && !memcmp(s, "halls", 5))
        return 1;
    if (n == 5 && !memcmp(s, "items", 5))
        return 2;
    return -1;
}

struct catalog_json_lines *catalog_json_lines_new(const char *file, const char *text, size_t len)
{
    struct catalog_json_lines *jl = xcalloc(1, sizeof *jl);
    copy_str(jl->file, sizeof jl->file, file);
    char stack[64];
    int depth = 0, expect_key = 0, section = -1;
    long line = 1;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n') {
            line++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ':') {
            if (c == ',' && depth > 0 && stack[depth - 1] == '{')
                expect_key = 1;
            continue;
        }
        /* a value (or key) starts here */
        int is_key = depth > 0 && stack[depth - 1] == '{' && expect_key;
        if (!is_key && depth == 2 && stack[0] == '{' && stack[1] == '[' && section >= 0 &&
            c != ']') {
            if (jl->n[section] == jl->cap[section]) {
                jl->cap[section] = jl->cap[section] ? jl->cap[section] * 2 : 64;
                jl->lines[section] =
                    xrealloc(jl->lines[section], jl->cap[section] * sizeof(long));
            }
            jl->lines[section][jl->n[section]++] = line;
        }
        if (c == '"') {
            size_t start = ++i;
            while (i < len && text[i] != '"') {
                if (text[i] == '\\')
                    i++;
                else if (text[i] == '\n')
                    line++;
                i++;
            }
            if (is_key) {
                expect_key = 0;
                if (depth == 1)
                    section = section_index(text + start, i - start);
            }
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth < (int)sizeof stack)
                stack[depth] = c;
            depth++;
            expect_key = c == '{';
            continue;
        }
        if (c == '}' || c == ']') {
            depth--;
            expect_key = 0;
            if (depth == 1)
                section = -1;
            continue;
        }
        /* a scalar: skip to its end */
        while (i + 1 < len && !strchr(",:]}\n \t\r", text[i + 1]))
            i++;
    }
    return jl;
}

void catalog_json_lines_free(struct catalog_json_lines *jl)
{
    if (!jl)
        return;
    for (int s = 0; s < 3; s++)
        free(jl->lines[s]);
    free(jl);
}

void catalog_json_locate(void *ctx, const char *section, size_t index, const char *field,
                         char *file, size_t filesz, long *line)
{
    struct catalog_json_lines *jl = ctx;
    int s = section_index(section, strlen(section));
    snprintf(file, filesz, "%s", jl->file);
    if (s >= 0 && index < jl->n[s])
        *line = jl->lines[s][index];
}

/* --- canonical form and changes --- */

static json_t *canon_value(json_t *v, const struct member *m);

static json_t *canon_object(json_t *obj, const struct member *spec)
{
    json_t *out = json_object();
    for (const struct member *m = spec; m->name; m++) {
        json_t *v = json_object_get(obj, m->name);
        if (v)
            json_object_set_new(out, m->name, canon_value(v, m));
    }
    return out;
}

static json_t *canon_value(json_t *v, const struct member *m)
{
    if (m->kind == K_OBJ && json_is_object(v))
        return canon_object(v, m->sub);
    if (m->kind == K_OBJS && json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            json_array_append_new(out, json_is_object(e) ? canon_object(e, m->sub)
                                                         : json_deep_copy(e));
        return out;
    }
    return json_deep_copy(v);
}

json_t *catalog_item_canonical(json_t *item, const char *status)
{
    json_t *out = json_object();
    for (const struct member *m = item_m; m->name; m++) {
        if (!strcmp(m->name, "status")) {
            if (status)
                json_object_set_new(out, "status", json_string(status));
            continue;
        }
        json_t *v = json_object_get(item, m->name);
        if (v)
            json_object_set_new(out, m->name, canon_value(v, m));
    }
    return out;
}

json_t *catalog_department_canonical(json_t *dept)
{
    return canon_object(dept, dept_m);
}

json_t *catalog_hall_canonical(json_t *hall)
{
    return canon_object(hall, hall_m);
}

json_t *catalog_item_changes(json_t *older, json_t *newer)
{
    json_t *out = json_array();
    for (const struct member *m = item_m; m->name; m++) {
        if (!strcmp(m->name, "version") || !strcmp(m->name, "status") ||
            !strcmp(m->name, "effective_from"))
            continue;
        json_t *a = json_object_get(older, m->name), *b = json_object_get(newer, m->name);
        if (!(a == b || (a && b && json_equal(a, b))))
            json_array_append_new(out, json_string(m->name));
    }
    return out;
}

json_t *catalog_item_summary(json_t *item)
{
    static const char *const copied[] = {"code",    "version",  "name",     "short_name",
                                         "department", "region", "type",   "target",
                                         "handling", "channels", "themes", "keywords",
                                         "visits",  "time_limit", "effective_from", NULL};
    json_t *out = json_object();
    for (size_t i = 0; copied[i]; i++) {
        json_t *v = json_object_get(item, copied[i]);
        json_object_set(out, copied[i], v ? v : json_null());
        if (i == 8) /* after handling, as lists show it */
            json_object_set_new(out, "level", json_integer(catalog_item_level(item)));
    }
    json_object_set_new(out, "free",
                        json_boolean(json_is_true(json_object_get(json_object_get(item, "fee"), "free"))));
    return out;
}
