/**
 * @file page_editor.c
 * @brief The catalog editor console (docs/catalog-editor.md): the items a
 *        person may edit, the edit form of an item (its draft, or the
 *        published version, whose edit becomes the next version's draft),
 *        publishing, withdrawing, the history of versions and the carding
 *        report.
 *
 * The form is described once, as a table of fields (struct efield): each
 * says where its value lives in the item (a dotted path of the exchange
 * format) and how it is typed (a line, a number, one line per list entry,
 * JSON for the structured lists, a select, checkboxes). The same table
 * turns an item into form values, form values back into an item, and a
 * problem found at a path of the item into the field that shows it. So a
 * refused form comes back with what was typed and every problem next to its
 * field, the way the other pages answer (docs/ui.md).
 *
 * A field that is not posted at all keeps the stored value: a browser posts
 * every field, so this only matters to scripts and tests that change one
 * member. Checkboxes, which are not posted when unchecked, carry a hidden
 * "<name>_shown" marker for that reason.
 */
#include "core/html.h"
#include "core/url.h"
#include "domain/catalog.h"
#include "domain/catalog_store.h"
#include "domain/catalog_view.h"
#include "web/editor.h"
#include "web/page.h"
#include "web/web.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Above this many items the console lists departments only until one is
 * chosen: a page of 5,000 rows helps nobody. */
#define HOME_MAX_ROWS 300

/* --- the form --- */

enum fkind {
    FK_TEXT,   /* one line of text; empty is null unless required */
    FK_CODE,   /* an ASCII code (full-width input folded) */
    FK_INT,    /* an integer; empty is null */
    FK_LINES,  /* a list of lines, one per line of a textarea */
    FK_JSON,   /* a structured member as JSON in a textarea */
    FK_DEPT,   /* the department: a select of the departments one edits */
    FK_ENUM,   /* a select of options */
    FK_UNIT,   /* a time limit unit: a select with "not stated" (null limit) */
    FK_CHECK,  /* a yes/no checkbox */
    FK_CHECKS, /* a group of checkboxes making a list of options */
};

static const char *const handlings[] = {"promised", "immediate", NULL};
static const char *const targets[] = {"person", "enterprise", "both", NULL};
static const char *const units[] = {"working_days", "calendar_days", "hours",
                                    "immediate",    "none",          NULL};

/** One field of the edit form. Its id is "f-<name>", its label the
 *  translation "editor.f.<name>", its hint (when hint is set)
 *  "editor.h.<name>". */
struct efield {
    const char *name; /**< form field name */
    const char *path; /**< where it lives in the item ("fee.items") */
    enum fkind kind;
    int hint;                   /**< has a hint */
    int required;               /**< aria-required; empty text stays "" */
    int maxlength;              /**< 0 for none */
    const char *const *options; /**< FK_ENUM, FK_UNIT, FK_CHECKS */
    const char *option_key;     /**< label of an option: key prefix, the option appended */
};

/* The code is a field of new items only; an item's code never changes. */
static const struct efield code_field = {"code", "code", FK_CODE, 1, 1, 64, NULL, NULL};

static const struct efield basic_fields[] = {
    {"name", "name", FK_TEXT, 0, 1, 100, NULL, NULL},
    {"short_name", "short_name", FK_TEXT, 0, 0, 50, NULL, NULL},
    {"department", "department", FK_DEPT, 0, 1, 0, NULL, NULL},
    {"region", "region", FK_CODE, 1, 0, 12, NULL, NULL},
    {"basic_code", "basic_code", FK_CODE, 1, 0, 64, NULL, NULL},
    {"type", "type", FK_ENUM, 0, 1, 0, catalog_item_types, "catalog.type."},
    {"handling", "handling", FK_ENUM, 0, 1, 0, handlings, "catalog.handling."},
    {"target", "target", FK_ENUM, 0, 1, 0, targets, "catalog.target."},
    {"themes", "themes", FK_CHECKS, 0, 0, 0, catalog_themes, "catalog.theme."},
    {"keywords", "keywords", FK_LINES, 1, 0, 0, NULL, NULL},
    {"categories", "categories", FK_LINES, 1, 0, 0, NULL, NULL},
    {"conditions", "conditions", FK_LINES, 1, 0, 0, NULL, NULL},
};

static const struct efield service_fields[] = {
    {"channels", "channels", FK_CHECKS, 0, 0, 0, catalog_channels, "catalog.channel."},
    {"visits", "visits", FK_INT, 1, 0, 1, NULL, NULL},
    {"acceptance_with_missing", "acceptance_with_missing", FK_CHECK, 1, 0, 0, NULL, NULL},
    {"statutory_unit", "time_limit.statutory.unit", FK_UNIT, 0, 0, 0, units, "editor.unit."},
    {"statutory_value", "time_limit.statutory.value", FK_INT, 1, 0, 4, NULL, NULL},
    {"promised_unit", "time_limit.promised.unit", FK_UNIT, 0, 0, 0, units, "editor.unit."},
    {"promised_value", "time_limit.promised.value", FK_INT, 0, 0, 4, NULL, NULL},
    {"fee_free", "fee.free", FK_CHECK, 1, 0, 0, NULL, NULL},
    {"consultation", "contacts.consultation", FK_TEXT, 0, 0, 100, NULL, NULL},
    {"complaint", "contacts.complaint", FK_TEXT, 0, 0, 100, NULL, NULL},
};

static const struct efield detail_fields[] = {
    {"legal_basis", "legal_basis", FK_JSON, 1, 0, 0, NULL, NULL},
    {"process", "process", FK_JSON, 1, 0, 0, NULL, NULL},
    {"materials", "materials", FK_JSON, 1, 0, 0, NULL, NULL},
    {"fee_items", "fee.items", FK_JSON, 1, 0, 0, NULL, NULL},
    {"locations", "locations", FK_JSON, 1, 0, 0, NULL, NULL},
    {"result", "result", FK_JSON, 1, 0, 0, NULL, NULL},
    {"preferences", "preferences", FK_JSON, 1, 0, 0, NULL, NULL},
    {"commitment", "commitment", FK_JSON, 1, 0, 0, NULL, NULL},
    {"form_schema", "form_schema", FK_JSON, 1, 0, 0, NULL, NULL},
};


struct section {
    const char *title_key;
    const struct efield *fields;
    size_t n;
};

static const struct section sections[] = {
    {"editor.section.basic", basic_fields, PAGE_NELEM(basic_fields)},
    {"editor.section.service", service_fields, PAGE_NELEM(service_fields)},
    {"editor.section.detail", detail_fields, PAGE_NELEM(detail_fields)},
};

/* Every field of the form, in order (the code only for new items). */
struct field_list {
    const struct efield *v[40];
    size_t n;
};

static void form_fields(int is_new, struct field_list *fl)
{
    fl->n = 0;
    if (is_new) fl->v[fl->n++] = &code_field;
    for (size_t s = 0; s < PAGE_NELEM(sections); s++)
        for (size_t i = 0; i < sections[s].n; i++)
            fl->v[fl->n++] = &sections[s].fields[i];
}

/* Problems found in an item or in the form, placed at their fields. */
struct problem {
    int error;         /* 0: a warning of carding */
    const char *field; /* form field name, "" when no field shows it */
    const char *path;  /* path in the item, "" when none */
    const char
        *sub; /* what to show before the message ("materials[0].copies", "Line 3"), or NULL */
    const char *msg; /* the message in the request's language */
};

struct problems {
    struct problem *v;
    size_t n, cap, errors;
};

/* --- small helpers --- */

static const char *str_of(json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* The value at a dotted path ("time_limit.statutory.unit"), or NULL. */
static json_t *path_get(json_t *item, const char *path)
{
    char part[64];
    json_t *v = item;
    for (const char *p = path; v && *p;) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof part) return NULL;
        memcpy(part, p, n);
        part[n] = 0;
        v = json_is_object(v) ? json_object_get(v, part) : NULL;
        p += n + (p[n] == '.');
    }
    return v;
}

/* Sets the value at a dotted path (taking value over), making the objects
 * on the way when they are missing or null. */
static void path_set(json_t *item, const char *path, json_t *value)
{
    char part[64];
    json_t *o = item;
    const char *p = path;
    for (;;) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof part) {
            json_decref(value);
            return;
        }
        memcpy(part, p, n);
        part[n] = 0;
        if (!p[n]) {
            json_object_set_new(o, part, value);
            return;
        }
        json_t *next = json_object_get(o, part);
        if (!json_is_object(next)) {
            next = json_object();
            json_object_set_new(o, part, next);
        }
        o = next;
        p += n + 1;
    }
}

/* T(key) with "{}" replaced by arg, in the request's arena. */
static const char *tra(struct http_req *r, const char *key, const char *arg)
{
    char out[768];
    return arena_strdup(r->arena, trf(r->lang, key, arg, out, sizeof out));
}

/* Writes T(key) with "{}" replaced by arg, escaped. */
static void put_trf(struct http_req *r, struct buf *b, const char *key, const char *arg)
{
    html_text(b, tra(r, key, arg));
}

static void put_count(struct http_req *r, struct buf *b, const char *key, long long n)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", n);
    put_trf(r, b, key, num);
}

/* The translated label of an option ("catalog.type." with "01"). */
static const char *option_label(struct http_req *r, const char *prefix, const char *value)
{
    char key[96];
    snprintf(key, sizeof key, "%s%s", prefix, value);
    return T(r, key);
}

static void label_of(struct http_req *r, struct buf *b, const char *field)
{
    char key[96];
    snprintf(key, sizeof key, "editor.f.%s", field);
    page_t(r, b, key);
}

/* Whether s is a whole decimal integer (optionally negative); sets *out. */
static int parse_int(const char *s, long long *out)
{
    char *end;
    if (!*s || strlen(s) > 12) return 0;
    long long v = strtoll(s, &end, 10);
    if (*end) return 0;
    *out = v;
    return 1;
}

/* A query argument that is a version number, or NULL. */
static const char *version_arg(struct http_req *r, const char *name)
{
    const char *s = http_query(r, name);
    long long v;
    return s && parse_int(s, &v) && v > 0 ? s : NULL;
}

/* The name of a department in the request's language. */
static const char *dept_name(struct http_req *r, json_t *d)
{
    const char *en = str_of(d, "name_en");
    return r->lang == LANG_EN && en && *en ? en : str_of(d, "name");
}

static json_t *dept_find(json_t *depts, const char *code)
{
    size_t i;
    json_t *d;
    json_array_foreach(depts, i, d) if (code && !strcmp(str_of(d, "code"), code)) return d;
    return NULL;
}

/* "Name (CODE)" of a department, or the code alone when unknown. */
static void put_dept(struct http_req *r, struct buf *b, json_t *depts, const char *code)
{
    json_t *d = dept_find(depts, code);
    if (d) {
        html_text(b, dept_name(r, d));
        buf_puts(b, " (");
    }
    html_text(b, code);
    if (d) buf_puts(b, ")");
}

/* --- who may come in --- */

/* Sends an anonymous visitor to log in (and back here after, for a GET) and
 * refuses other roles with a 403 page. Returns 1 when it has answered. */
static int gate(struct http_req *r)
{
    return page_gate(r, EDITOR_ROLES, "/editor", "editor.forbidden");
}

/* The departments the person edits, by code (owned by the caller); NULL
 * after answering a database failure. */
static json_t *editable_departments(struct http_req *r)
{
    json_t *all = catalog_departments(http_db(r));
    if (!all) {
        http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
        return NULL;
    }
    if (r->principal->roles & (ROLE_CATALOG_EDITOR | ROLE_SYSADMIN)) return all;
    json_t *mine = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(all, i, d) if (catalog_may_edit(http_db(r), r->principal, str_of(d, "code")))
        json_array_append(mine, d);
    json_decref(all);
    return mine;
}

/* The ?department= filter when it names a department the person edits. */
static const char *department_filter(struct http_req *r, json_t *depts)
{
    const char *q = http_query(r, "department");
    return q && *q && dept_find(depts, q) ? q : NULL;
}

/* --- problems --- */

/* The field of the form that shows a problem found at path: the field
 * whose path is the longest prefix of it, or a few whole members shown by
 * one of their parts. "" when no field shows it. */
static const struct efield *field_for_path(const char *path, int is_new)
{
    static const struct {
        const char *path;
        const char *field;
    } aliases[] = {
        {"time_limit", "statutory_unit"},
        {"time_limit.statutory", "statutory_unit"},
        {"time_limit.promised", "promised_unit"},
        {"fee", "fee_free"},
        {"contacts", "consultation"},
    };
    struct field_list fl;
    form_fields(is_new, &fl);
    const struct efield *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < fl.n; i++) {
        size_t n = strlen(fl.v[i]->path);
        if (n > best_len && !strncmp(path, fl.v[i]->path, n) &&
            (path[n] == 0 || path[n] == '.' || path[n] == '[')) {
            best = fl.v[i];
            best_len = n;
        }
    }
    for (size_t k = 0; !best && k < PAGE_NELEM(aliases); k++)
        for (size_t i = 0; i < fl.n && !strcmp(path, aliases[k].path); i++)
            if (!strcmp(fl.v[i]->name, aliases[k].field)) best = fl.v[i];
    return best;
}

static void problem_add(struct http_req *r, struct problems *ps, int error, const char *path,
                        const char *key, const char *arg, int is_new)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        struct problem *v = arena_alloc(r->arena, cap * sizeof *v);
        if (ps->n) memcpy(v, ps->v, ps->n * sizeof *v);
        ps->v = v;
        ps->cap = cap;
    }
    struct problem *p = &ps->v[ps->n++];
    const struct efield *f = field_for_path(path ? path : "", is_new);
    p->error = error;
    p->field = f ? f->name : "";
    p->path = arena_strdup(r->arena, path ? path : "");
    p->msg = tra(r, key, arg);
    p->sub = NULL;
    if (f && strlen(p->path) > strlen(f->path)) {
        const char *rest = p->path + strlen(f->path);
        long long line;
        char num[24];
        /* "keywords[2]" is the third line of the keywords box */
        if (f->kind == FK_LINES && rest[0] == '[' && sscanf(rest, "[%lld]", &line) == 1) {
            snprintf(num, sizeof num, "%lld", line + 1);
            p->sub = tra(r, "editor.line", num);
        } else if (f->kind == FK_JSON) {
            p->sub = p->path;
        }
    }
    if (error) ps->errors++;
}

static void problems_from_report(struct http_req *r, struct problems *ps,
                                 const struct catalog_report *rep, int is_new)
{
    for (size_t i = 0; i < rep->n; i++)
        problem_add(r, ps, rep->v[i].error, rep->v[i].field, rep->v[i].key, rep->v[i].arg, is_new);
}

static int field_has_problem(const struct problems *ps, const char *field)
{
    for (size_t i = 0; ps && i < ps->n; i++)
        if (!strcmp(ps->v[i].field, field)) return 1;
    return 0;
}

static void put_problem_text(struct buf *b, const struct problem *p)
{
    if (p->sub) {
        buf_puts(b, "<code>");
        html_text(b, p->sub);
        buf_puts(b, "</code> ");
    }
    html_text(b, p->msg);
}

/* One problem as a list entry linking to its field. */
static void put_problem_li(struct http_req *r, struct buf *b, const struct problem *p, int severity)
{
    buf_puts(b, "<li>");
    if (severity) {
        buf_puts(b, "<strong>");
        page_t(r, b, p->error ? "editor.severity.error" : "editor.severity.warning");
        buf_puts(b, "</strong> ");
    }
    if (p->field[0]) {
        buf_puts(b, "<a href=\"#f-");
        html_attr(b, p->field);
        buf_puts(b, "\">");
        label_of(r, b, p->field);
        buf_puts(b, "</a>");
        page_t(r, b, "editor.colon");
        buf_putc(b, ' ');
    }
    put_problem_text(b, p);
    buf_puts(b, "</li>");
}

/* The summary at the top of a refused form: the error's title and detail,
 * then every problem with a link to its field. */
static void error_summary(struct http_req *r, struct buf *b, const struct err *e,
                          const struct problems *ps)
{
    char key[96];
    snprintf(key, sizeof key, "err.%s", err_slug(e->code));
    buf_puts(b, "<div class=\"alert\" role=\"alert\" id=\"form-error\" tabindex=\"-1\"><h2>");
    page_t(r, b, key);
    buf_puts(b, "</h2>");
    if (e->key[0]) {
        buf_puts(b, "<p>");
        put_trf(r, b, e->key, e->arg);
        buf_puts(b, "</p>");
    }
    if (ps && ps->n) {
        buf_puts(b, "<ul>");
        for (size_t i = 0; i < ps->n; i++)
            put_problem_li(r, b, &ps->v[i], 0);
        buf_puts(b, "</ul>");
    }
    buf_puts(b, "</div>\n");
}

/* --- item <-> form values --- */

/* Checkbox "name_option". */
static const char *check_name(struct http_req *r, const struct efield *f, const char *option)
{
    return arena_printf(r->arena, "%s_%s", f->name, option);
}

static void set_val(json_t *vals, const char *name, const char *s)
{
    json_object_set_new(vals, name, json_string(s ? s : ""));
}

static const char *val(json_t *vals, const char *name)
{
    const char *s = str_of(vals, name);
    return s ? s : "";
}

/* The form values (strings by field name) showing an item. */
static json_t *item_to_values(struct http_req *r, json_t *item, int is_new)
{
    json_t *vals = json_object();
    struct field_list fl;
    form_fields(is_new, &fl);
    for (size_t fi = 0; fi < fl.n; fi++) {
        const struct efield *f = fl.v[fi];
        json_t *v = path_get(item, f->path);
        switch (f->kind) {
        case FK_TEXT:
        case FK_CODE:
        case FK_DEPT:
        case FK_ENUM:
        case FK_UNIT:
            set_val(vals, f->name, json_string_value(v));
            break;
        case FK_INT: {
            char num[24] = "";
            if (json_is_integer(v))
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            set_val(vals, f->name, num);
            break;
        }
        case FK_LINES: {
            struct buf b = BUF_INIT;
            size_t k;
            json_t *e;
            json_array_foreach(v, k, e)
            {
                if (k) buf_putc(&b, '\n');
                buf_puts(&b, json_string_value(e) ? json_string_value(e) : "");
            }
            set_val(vals, f->name, buf_str(&b));
            buf_free(&b);
            break;
        }
        case FK_JSON: {
            char *s = v ? json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY) : NULL;
            set_val(vals, f->name, s ? s : "[]");
            free(s);
            break;
        }
        case FK_CHECK:
            set_val(vals, f->name, json_is_true(v) ? "1" : "");
            break;
        case FK_CHECKS:
            for (size_t k = 0; f->options[k]; k++) {
                size_t j;
                json_t *e;
                int on = 0;
                json_array_foreach(v, j, e) on |=
                    json_is_string(e) && !strcmp(json_string_value(e), f->options[k]);
                set_val(vals, check_name(r, f, f->options[k]), on ? "1" : "");
            }
            break;
        }
    }
    return vals;
}

/* The values posted, over those of the stored item (a field not posted
 * keeps its value). Lines and JSON are taken as typed; one-line fields are
 * trimmed, and codes and numbers have full-width ASCII folded. */
static void values_from_form(struct http_req *r, json_t *vals, int is_new)
{
    struct field_list fl;
    form_fields(is_new, &fl);
    for (size_t fi = 0; fi < fl.n; fi++) {
        const struct efield *f = fl.v[fi];
        switch (f->kind) {
        case FK_CHECK:
        case FK_CHECKS: {
            const char *shown = arena_printf(r->arena, "%s_shown", f->name);
            if (!http_form(r, shown)) break;
            if (f->kind == FK_CHECK)
                set_val(vals, f->name, http_form(r, f->name) ? "1" : "");
            else
                for (size_t k = 0; f->options[k]; k++) {
                    const char *n = check_name(r, f, f->options[k]);
                    set_val(vals, n, http_form(r, n) ? "1" : "");
                }
            break;
        }
        case FK_LINES:
        case FK_JSON:
            if (http_form(r, f->name)) set_val(vals, f->name, http_form(r, f->name));
            break;
        default:
            if (http_form(r, f->name))
                set_val(vals, f->name,
                        page_form_clean(r, f->name, f->kind == FK_CODE || f->kind == FK_INT));
            break;
        }
    }
}

/* The lines of s, blanks trimmed, empty ones left out. */
static json_t *split_lines(const char *s)
{
    json_t *out = json_array();
    while (*s) {
        size_t n = strcspn(s, "\n");
        const char *a = s, *z = s + n;
        while (a < z && strchr(" \t\r", *a))
            a++;
        while (z > a && strchr(" \t\r", z[-1]))
            z--;
        if (z > a) json_array_append_new(out, json_stringn(a, (size_t)(z - a)));
        s += n + (s[n] == '\n');
    }
    return out;
}

/* Puts the form values into item (a copy of the stored version). Values
 * that cannot be read (a number that is not one, JSON that does not parse)
 * become problems and leave the stored value. */
static void values_to_item(struct http_req *r, json_t *vals, json_t *item, struct problems *ps,
                           int is_new)
{
    json_t *fee_before = json_object_get(item, "fee");
    int fee_was_null = !fee_before || json_is_null(fee_before);
    struct field_list fl;
    form_fields(is_new, &fl);
    for (size_t fi = 0; fi < fl.n; fi++) {
        const struct efield *f = fl.v[fi];
        const char *s = val(vals, f->name);
        switch (f->kind) {
        case FK_TEXT:
        case FK_CODE:
            path_set(item, f->path, *s || f->required ? json_string(s) : json_null());
            break;
        case FK_DEPT:
        case FK_ENUM:
            path_set(item, f->path, json_string(s));
            break;
        case FK_UNIT:
            path_set(item, f->path, *s ? json_string(s) : json_null());
            break;
        case FK_INT: {
            long long n;
            if (!*s)
                path_set(item, f->path, json_null());
            else if (parse_int(s, &n))
                path_set(item, f->path, json_integer(n));
            else
                problem_add(r, ps, 1, f->path, "catalog.want_integer", NULL, is_new);
            break;
        }
        case FK_LINES:
            path_set(item, f->path, split_lines(s));
            break;
        case FK_JSON: {
            size_t blank = strspn(s, " \t\r\n");
            if (!s[blank]) {
                /* an emptied box: no entries (no result for the result) */
                path_set(item, f->path, strcmp(f->name, "result") ? json_array() : json_null());
                break;
            }
            json_error_t je;
            json_t *v = json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
            if (!v) {
                char where[48];
                snprintf(where, sizeof where, "%d:%d", je.line, je.column);
                problem_add(r, ps, 1, f->path, "editor.json_bad", where, is_new);
            } else {
                path_set(item, f->path, v);
            }
            break;
        }
        case FK_CHECK:
            path_set(item, f->path, json_boolean(*s));
            break;
        case FK_CHECKS: {
            json_t *list = json_array();
            for (size_t k = 0; f->options[k]; k++)
                if (*val(vals, check_name(r, f, f->options[k])))
                    json_array_append_new(list, json_string(f->options[k]));
            path_set(item, f->path, list);
            break;
        }
        }
    }
    /* a limit without a unit is a limit not stated */
    json_t *tl = json_object_get(item, "time_limit");
    if (!*val(vals, "statutory_unit")) json_object_set_new(tl, "statutory", json_null());
    if (!*val(vals, "promised_unit")) json_object_set_new(tl, "promised", json_null());
    /* a fee never stated stays unstated until something is said about it */
    json_t *fee = json_object_get(item, "fee");
    if (fee_was_null && json_is_object(fee) && !json_is_true(json_object_get(fee, "free")) &&
        json_array_size(json_object_get(fee, "items")) == 0 &&
        json_is_array(json_object_get(fee, "items")))
        json_object_set_new(item, "fee", json_null());
    /* a new draft takes effect when published */
    json_object_set_new(item, "effective_from", json_null());
    json_object_del(item, "level");
    json_object_del(item, "department_name");
    json_object_del(item, "changes");
}

/* The empty item a new one starts from. */
static json_t *new_item_template(void)
{
    return json_pack(
        "{s:s, s:i, s:s, s:n, s:n, s:s, s:n, s:s, s:n, s:s, s:s, s:s, s:[], s:[], s:[], s:[], "
        "s:[], s:[], s:[], s:{s:b, s:[]}, s:{s:n, s:n}, s:n, s:b, s:{s:b, s:[]}, s:[], s:[], "
        "s:n, s:[], s:{s:n, s:n}, s:[]}",
        "code", "", "version", 1, "status", "draft", "effective_from", "basic_code", "name", "",
        "short_name", "department", "", "region", "type", "01", "handling", "promised", "target",
        "person", "themes", "categories", "keywords", "legal_basis", "conditions", "process",
        "materials", "fee", "free", 1, "items", "time_limit", "statutory", "promised", "visits",
        "acceptance_with_missing", 0, "commitment", "allowed", 0, "waived_materials", "channels",
        "locations", "result", "preferences", "contacts", "consultation", "complaint",
        "form_schema");
}

/* --- the edit page --- */

/* What is stored of an item: its versions and the one to edit. */
struct item_state {
    const char *code;
    json_t *versions; /* newest first */
    json_t *item;     /* the draft, else the published version, else the newest */
    long long draft_v, published_v;
};

static void item_state_free(struct item_state *st)
{
    json_decref(st->versions);
    json_decref(st->item);
}

/* Loads code and checks the person may edit it; answers 404 / 403 and
 * returns -1 otherwise. */
static int item_state_load(struct http_req *r, const char *code, struct item_state *st)
{
    memset(st, 0, sizeof *st);
    st->code = code;
    st->versions = catalog_versions(http_db(r), code);
    if (!st->versions) return http_fail(r, ERR_NOT_FOUND, NULL, "catalog.not_found", NULL), -1;
    size_t i;
    json_t *v;
    json_array_foreach(st->versions, i, v)
    {
        const char *s = str_of(v, "status");
        long long n = (long long)json_integer_value(json_object_get(v, "version"));
        if (s && !strcmp(s, "draft"))
            st->draft_v = n;
        else if (s && !strcmp(s, "published"))
            st->published_v = n;
    }
    long long edit = st->draft_v       ? st->draft_v
                     : st->published_v ? st->published_v
                                       : (long long)json_integer_value(json_object_get(
                                             json_array_get(st->versions, 0), "version"));
    st->item = catalog_item_get(http_db(r), code, edit);
    if (!st->item) {
        item_state_free(st);
        return http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL), -1;
    }
    /* the department of the newest version owns the code (catalog_save_draft) */
    const char *owner = str_of(json_array_get(st->versions, 0), "department");
    if (!catalog_may_edit(http_db(r), r->principal, str_of(st->item, "department")) ||
        (owner && !catalog_may_edit(http_db(r), r->principal, owner))) {
        item_state_free(st);
        return http_fail(r, ERR_FORBIDDEN, NULL, "catalog.not_your_item", code), -1;
    }
    return 0;
}

struct edit_view {
    const struct item_state *st; /* NULL for a new item */
    json_t *vals;
    json_t *depts;
    const struct problems *ps; /* problems at fields of a refused form, or NULL */
    const struct err *e;       /* why it was refused, or NULL */
};

static void field_open(struct http_req *r, struct buf *b, const struct efield *f,
                       const struct problems *ps, int group)
{
    int bad = field_has_problem(ps, f->name);
    if (group) {
        buf_printf(b, "<fieldset class=\"field%s\" id=\"f-%s\"", bad ? " invalid" : "", f->name);
        if (bad || f->hint) {
            buf_puts(b, " aria-describedby=\"");
            if (bad) buf_printf(b, "e-%s%s", f->name, f->hint ? " " : "");
            if (f->hint) buf_printf(b, "h-%s", f->name);
            buf_puts(b, "\"");
        }
        buf_puts(b, "><legend>");
        label_of(r, b, f->name);
        buf_puts(b, "</legend>");
    } else {
        buf_printf(b, "<div class=\"field%s\"><label for=\"f-%s\">", bad ? " invalid" : "",
                   f->name);
        label_of(r, b, f->name);
        buf_puts(b, "</label>");
    }
    if (f->hint) {
        char key[96];
        snprintf(key, sizeof key, "editor.h.%s", f->name);
        buf_printf(b, "<p class=\"hint\" id=\"h-%s\">", f->name);
        page_t(r, b, key);
        buf_puts(b, "</p>");
    }
    if (bad) {
        buf_printf(b, "<p class=\"error\" id=\"e-%s\"><span class=\"sr-only\">", f->name);
        page_t(r, b, "web.form.error_prefix");
        buf_puts(b, " </span>");
        int first = 1;
        for (size_t i = 0; i < ps->n; i++) {
            if (strcmp(ps->v[i].field, f->name)) continue;
            if (!first) buf_puts(b, " ");
            put_problem_text(b, &ps->v[i]);
            first = 0;
        }
        buf_puts(b, "</p>");
    }
}

/* The attributes every control carries: id, name, and the message and
 * hint tied to it. */
static void control_attrs(struct buf *b, const struct efield *f, const struct problems *ps)
{
    int bad = field_has_problem(ps, f->name);
    buf_printf(b, " id=\"f-%s\" name=\"%s\"", f->name, f->name);
    if (f->required) buf_puts(b, " aria-required=\"true\"");
    if (bad) buf_puts(b, " aria-invalid=\"true\"");
    if (bad || f->hint) {
        buf_puts(b, " aria-describedby=\"");
        if (bad) buf_printf(b, "e-%s%s", f->name, f->hint ? " " : "");
        if (f->hint) buf_printf(b, "h-%s", f->name);
        buf_puts(b, "\"");
    }
}

static void option(struct buf *b, const char *value, const char *label, int selected)
{
    buf_puts(b, "<option value=\"");
    html_attr(b, value);
    buf_puts(b, selected ? "\" selected>" : "\">");
    html_text(b, label);
    buf_puts(b, "</option>");
}

static void render_field(struct http_req *r, struct buf *b, const struct edit_view *x,
                         const struct efield *f)
{
    const char *v = val(x->vals, f->name);
    switch (f->kind) {
    case FK_TEXT:
    case FK_CODE:
    case FK_INT:
        field_open(r, b, f, x->ps, 0);
        buf_puts(b, "<input type=\"text\"");
        control_attrs(b, f, x->ps);
        if (f->maxlength) buf_printf(b, " maxlength=\"%d\"", f->maxlength);
        if (f->kind == FK_INT) buf_puts(b, " inputmode=\"numeric\"");
        buf_puts(b, " spellcheck=\"false\" autocomplete=\"off\"");
        if (*v) {
            buf_puts(b, " value=\"");
            html_attr(b, v);
            buf_puts(b, "\"");
        }
        buf_puts(b, "></div>\n");
        break;
    case FK_LINES:
    case FK_JSON:
        field_open(r, b, f, x->ps, 0);
        buf_printf(b, "<textarea rows=\"%d\"", f->kind == FK_JSON ? 8 : 4);
        control_attrs(b, f, x->ps);
        buf_puts(b, " spellcheck=\"false\">");
        /* a textarea drops one leading newline: keep a real one */
        if (*v == '\n') buf_putc(b, '\n');
        html_text(b, v);
        buf_puts(b, "</textarea></div>\n");
        break;
    case FK_DEPT: {
        field_open(r, b, f, x->ps, 0);
        buf_puts(b, "<select");
        control_attrs(b, f, x->ps);
        buf_puts(b, ">");
        size_t i;
        json_t *d;
        int found = 0;
        json_array_foreach(x->depts, i, d)
        {
            const char *code = str_of(d, "code");
            char *label = arena_printf(r->arena, "%s (%s)", dept_name(r, d), code);
            option(b, code, label, !strcmp(code, v));
            found |= !strcmp(code, v);
        }
        /* an empty or foreign value is shown as "choose", never kept silently */
        if (!found) option(b, "", T(r, "editor.choose"), 1);
        buf_puts(b, "</select></div>\n");
        break;
    }
    case FK_ENUM:
    case FK_UNIT:
        field_open(r, b, f, x->ps, 0);
        buf_puts(b, "<select");
        control_attrs(b, f, x->ps);
        buf_puts(b, ">");
        if (f->kind == FK_UNIT) option(b, "", T(r, "editor.unit.unset"), !*v);
        for (size_t k = 0; f->options[k]; k++)
            option(b, f->options[k], option_label(r, f->option_key, f->options[k]),
                   !strcmp(f->options[k], v));
        buf_puts(b, "</select></div>\n");
        break;
    case FK_CHECK:
        field_open(r, b, f, x->ps, 1);
        buf_printf(b, "<input type=\"hidden\" name=\"%s_shown\" value=\"1\">", f->name);
        buf_printf(b,
                   "<div class=\"check\"><input type=\"checkbox\" id=\"f-%s-yes\" "
                   "name=\"%s\" value=\"1\"%s><label for=\"f-%s-yes\">",
                   f->name, f->name, *v ? " checked" : "", f->name);
        page_t(r, b, "editor.yes");
        buf_puts(b, "</label></div></fieldset>\n");
        break;
    case FK_CHECKS:
        field_open(r, b, f, x->ps, 1);
        buf_printf(b, "<input type=\"hidden\" name=\"%s_shown\" value=\"1\">", f->name);
        for (size_t k = 0; f->options[k]; k++) {
            const char *n = check_name(r, f, f->options[k]);
            buf_printf(b,
                       "<div class=\"check\"><input type=\"checkbox\" id=\"f-%s\" "
                       "name=\"%s\" value=\"1\"%s><label for=\"f-%s\">",
                       n, n, *val(x->vals, n) ? " checked" : "", n);
            html_text(b, option_label(r, f->option_key, f->options[k]));
            buf_puts(b, "</label></div>");
        }
        buf_puts(b, "</fieldset>\n");
        break;
    }
}

/* The notice after a change that worked (?saved=N, ?published=N,
 * ?withdrawn=N). */
static void notice(struct http_req *r, struct buf *b)
{
    static const char *const kinds[] = {"saved", "published", "withdrawn"};
    for (size_t k = 0; k < PAGE_NELEM(kinds); k++) {
        const char *n = version_arg(r, kinds[k]);
        if (!n) continue;
        char key[48];
        snprintf(key, sizeof key, "editor.notice.%s", kinds[k]);
        buf_puts(b, "<div class=\"note\" role=\"status\"><p>");
        put_trf(r, b, key, n);
        buf_puts(b, "</p></div>\n");
        return;
    }
}

/* "Draft (version 2)", "Published (version 1)". */
static void put_status(struct http_req *r, struct buf *b, const char *status, long long version)
{
    char key[48], num[24];
    snprintf(key, sizeof key, "editor.status.%s", status ? status : "draft");
    snprintf(num, sizeof num, "%lld", version);
    put_trf(r, b, key, num);
}

/* The carding of the stored version under the form: what keeps it from
 * being published, each linking to its field. */
static void carding_section(struct http_req *r, struct buf *b, const struct item_state *st)
{
    struct catalog_report rep = {0};
    catalog_item_card(st->item, &rep);
    struct problems ps = {0};
    problems_from_report(r, &ps, &rep, 0);
    catalog_report_free(&rep);
    buf_puts(b, "<section class=\"card\" aria-labelledby=\"h-carding\"><h2 id=\"h-carding\">");
    page_t(r, b, "editor.item.carding");
    buf_puts(b, "</h2><p>");
    char key[32];
    snprintf(key, sizeof key, "catalog.level.%d", catalog_item_level(st->item));
    page_t(r, b, "editor.level");
    page_t(r, b, "editor.colon");
    buf_putc(b, ' ');
    page_t(r, b, key);
    buf_puts(b, "</p>");
    if (!ps.n) {
        buf_puts(b, "<p>");
        page_t(r, b, "editor.item.carding_ok");
        buf_puts(b, "</p>");
    } else {
        buf_puts(b, "<p>");
        put_count(r, b, "editor.count.errors", (long long)ps.errors);
        buf_puts(b, " · ");
        put_count(r, b, "editor.count.warnings", (long long)(ps.n - ps.errors));
        buf_puts(b, "</p><ul class=\"problems\">");
        for (size_t i = 0; i < ps.n; i++)
            put_problem_li(r, b, &ps.v[i], 1);
        buf_puts(b, "</ul>");
    }
    buf_puts(b, "</section>\n");
}

static int render_edit(struct http_req *r, const struct edit_view *x, int status)
{
    const struct item_state *st = x->st;
    struct buf b = BUF_INIT;
    const char *name = st ? str_of(st->item, "name") : NULL;
    if (st)
        page_open_title(r, &b, tra(r, "editor.item.title", name ? name : st->code), NAV_EDITOR);
    else
        page_open(r, &b, "editor.new.title", NAV_EDITOR);
    buf_puts(&b, "<section aria-labelledby=\"h-edit\"><p><a href=\"/editor\">");
    page_t(r, &b, "editor.back");
    buf_puts(&b, "</a></p><h1 id=\"h-edit\">");
    if (st)
        put_trf(r, &b, "editor.item.title", name ? name : st->code);
    else
        page_t(r, &b, "editor.new.title");
    buf_puts(&b, "</h1>");
    if (st) {
        buf_puts(&b, "<dl class=\"facts\"><div><dt>");
        page_t(r, &b, "editor.f.code");
        buf_puts(&b, "</dt><dd>");
        html_text(&b, st->code);
        buf_puts(&b, "</dd></div><div><dt>");
        page_t(r, &b, "editor.item.state");
        buf_puts(&b, "</dt><dd>");
        if (st->published_v) put_status(r, &b, "published", st->published_v);
        if (st->published_v && st->draft_v) {
            page_t(r, &b, "editor.and");
            buf_putc(&b, ' ');
        }
        if (st->draft_v) put_status(r, &b, "draft", st->draft_v);
        if (!st->published_v && !st->draft_v)
            put_status(r, &b, str_of(st->item, "status"),
                       (long long)json_integer_value(json_object_get(st->item, "version")));
        buf_puts(&b, "</dd></div></dl><ul class=\"actions\">");
        long long preview = st->draft_v ? st->draft_v : st->published_v;
        if (preview) {
            buf_printf(&b, "<li><a href=\"/items/");
            html_attr(&b, st->code);
            buf_printf(&b, "?version=%lld\">", preview);
            page_t(r, &b, st->draft_v ? "editor.item.preview" : "editor.item.view");
            buf_puts(&b, "</a></li>");
        }
        buf_puts(&b, "<li><a href=\"/editor/items/");
        html_attr(&b, st->code);
        buf_puts(&b, "/history\">");
        page_t(r, &b, "editor.item.history");
        buf_puts(&b, "</a></li></ul>");
        notice(r, &b);
        buf_puts(&b, "<p class=\"hint\">");
        page_t(r, &b, st->draft_v ? "editor.item.editing_draft" : "editor.item.editing_published");
        buf_puts(&b, "</p>");
    } else {
        page_para(r, &b, "hint", "editor.new.intro");
        if (json_array_size(x->depts) == 0) {
            page_para(r, &b, "note", "editor.no_departments");
        }
    }
    if (x->e) error_summary(r, &b, x->e, x->ps);
    buf_puts(&b, "<form method=\"post\" novalidate action=\"");
    if (st) {
        buf_puts(&b, "/editor/items/");
        html_attr(&b, st->code);
    } else {
        buf_puts(&b, "/editor/new");
    }
    buf_puts(&b, "\">");
    page_csrf(r, &b);
    if (!st) render_field(r, &b, x, &code_field);
    for (size_t s = 0; s < PAGE_NELEM(sections); s++) {
        buf_printf(&b, "<fieldset class=\"group\" aria-labelledby=\"g-%zu\"><h2 id=\"g-%zu\">", s,
                   s);
        page_t(r, &b, sections[s].title_key);
        buf_puts(&b, "</h2>");
        if (sections[s].fields == detail_fields) {
            page_para(r, &b, "hint", "editor.section.detail.hint");
        }
        for (size_t i = 0; i < sections[s].n; i++)
            render_field(r, &b, x, &sections[s].fields[i]);
        buf_puts(&b, "</fieldset>\n");
    }
    buf_puts(&b, "<button type=\"submit\">");
    page_t(r, &b, "editor.save");
    buf_puts(&b, "</button></form></section>\n");
    if (st) {
        carding_section(r, &b, st);
        if (st->draft_v || st->published_v) {
            buf_puts(&b, "<section class=\"card\" aria-labelledby=\"h-life\"><h2 id=\"h-life\">");
            page_t(r, &b, "editor.item.life");
            buf_puts(&b, "</h2>");
        }
        if (st->draft_v) {
            buf_puts(&b, "<form method=\"post\" class=\"inline\" action=\"/editor/items/");
            html_attr(&b, st->code);
            buf_puts(&b, "/publish\">");
            page_csrf(r, &b);
            buf_puts(&b, "<button type=\"submit\">");
            put_count(r, &b, "editor.publish", st->draft_v);
            buf_puts(&b, "</button></form> ");
        }
        if (st->published_v) {
            buf_puts(&b, "<form method=\"post\" class=\"inline\" action=\"/editor/items/");
            html_attr(&b, st->code);
            buf_puts(&b, "/withdraw\">");
            page_csrf(r, &b);
            buf_puts(&b, "<button type=\"submit\" class=\"button secondary\">");
            put_count(r, &b, "editor.withdraw", st->published_v);
            buf_puts(&b, "</button></form>");
            page_para(r, &b, "hint", "editor.withdraw.hint");
        }
        if (st->draft_v || st->published_v) buf_puts(&b, "</section>\n");
    }
    return page_send(r, &b, status);
}

int page_editor_item(struct http_req *r)
{
    if (gate(r)) return 0;
    struct item_state st;
    if (item_state_load(r, http_param(r, "code"), &st) < 0) return 0;
    json_t *depts = editable_departments(r);
    if (!depts) {
        item_state_free(&st);
        return 0;
    }
    struct edit_view x = {&st, item_to_values(r, st.item, 0), depts, NULL, NULL};
    int rc = render_edit(r, &x, 200);
    json_decref(x.vals);
    json_decref(depts);
    item_state_free(&st);
    return rc;
}

/* Checks and saves the item built from the form; on success redirects to
 * its edit page, otherwise shows the form again with every problem at its
 * field. ps holds the problems of reading the form. */
static int save_item(struct http_req *r, struct edit_view *x, json_t *item, struct problems *ps,
                     const char *code)
{
    int is_new = x->st == NULL;
    struct err e;
    err_clear(&e);
    struct catalog_report rep = {0};
    if (ps->n) {
        /* the other fields' problems too, so one round fixes them all */
        catalog_item_check(item, &rep);
        size_t ours = ps->n;
        for (size_t i = 0; i < rep.n; i++) {
            /* a field that could not be read kept the stored value: what
             * the check says of that value is beside the point */
            const struct efield *f = field_for_path(rep.v[i].field, is_new);
            int read_failed = 0;
            for (size_t k = 0; f && k < ours; k++)
                read_failed |= !strcmp(ps->v[k].field, f->name);
            if (!read_failed)
                problem_add(r, ps, rep.v[i].error, rep.v[i].field, rep.v[i].key, rep.v[i].arg,
                            is_new);
        }
        catalog_report_free(&rep);
        char n[24];
        snprintf(n, sizeof n, "%zu", ps->errors);
        err_set(&e, ERR_INVALID, NULL, "catalog.item_invalid", n);
        x->ps = ps;
        x->e = &e;
        return render_edit(r, x, 422);
    }
    int64_t version = 0;
    if (catalog_save_draft(http_db(r), r->principal, item, r->ip, &rep, &version, &e) == 0) {
        catalog_report_free(&rep);
        return http_redirect(
            r, arena_printf(r->arena, "/editor/items/%s?saved=%lld", code, (long long)version));
    }
    problems_from_report(r, ps, &rep, is_new);
    catalog_report_free(&rep);
    if (e.code == ERR_INVALID || e.code == ERR_FORBIDDEN || e.code == ERR_CONFLICT) {
        if (!ps->n && e.field[0] && e.key[0]) problem_add(r, ps, 1, e.field, e.key, e.arg, is_new);
        x->ps = ps;
        x->e = &e;
        return render_edit(r, x, err_status(e.code));
    }
    return http_reply_err(r, &e);
}

int page_editor_save(struct http_req *r)
{
    if (gate(r)) return 0;
    struct item_state st;
    const char *code = http_param(r, "code");
    if (item_state_load(r, code, &st) < 0) return 0;
    json_t *depts = editable_departments(r);
    if (!depts) {
        item_state_free(&st);
        return 0;
    }
    struct edit_view x = {&st, item_to_values(r, st.item, 0), depts, NULL, NULL};
    values_from_form(r, x.vals, 0);
    json_t *item = json_deep_copy(st.item);
    struct problems ps = {0};
    values_to_item(r, x.vals, item, &ps, 0);
    json_object_set_new(item, "code", json_string(code));
    int rc = save_item(r, &x, item, &ps, code);
    json_decref(item);
    json_decref(x.vals);
    json_decref(depts);
    item_state_free(&st);
    return rc;
}

int page_editor_new(struct http_req *r)
{
    if (gate(r)) return 0;
    json_t *depts = editable_departments(r);
    if (!depts) return 0;
    json_t *item = new_item_template();
    /* with one department there is nothing to choose */
    if (json_array_size(depts) == 1)
        json_object_set_new(item, "department",
                            json_string(str_of(json_array_get(depts, 0), "code")));
    struct edit_view x = {NULL, item_to_values(r, item, 1), depts, NULL, NULL};
    int rc = render_edit(r, &x, 200);
    json_decref(x.vals);
    json_decref(item);
    json_decref(depts);
    return rc;
}

int page_editor_create(struct http_req *r)
{
    if (gate(r)) return 0;
    json_t *depts = editable_departments(r);
    if (!depts) return 0;
    json_t *item = new_item_template();
    struct edit_view x = {NULL, item_to_values(r, item, 1), depts, NULL, NULL};
    values_from_form(r, x.vals, 1);
    struct problems ps = {0};
    values_to_item(r, x.vals, item, &ps, 1);
    const char *code = val(x.vals, "code");
    json_t *existing = *code ? catalog_versions(http_db(r), code) : NULL;
    if (!*code) {
        problem_add(r, &ps, 1, "code", "catalog.empty", NULL, 1);
    } else if (existing) {
        problem_add(r, &ps, 1, "code", "editor.code_taken", code, 1);
        json_decref(existing);
    }
    /* the region of the department, unless one is given */
    json_t *d = dept_find(depts, str_of(item, "department"));
    if (json_is_null(json_object_get(item, "region")) && d && str_of(d, "region"))
        json_object_set_new(item, "region", json_string(str_of(d, "region")));
    int rc = save_item(r, &x, item, &ps, code);
    json_decref(item);
    json_decref(x.vals);
    json_decref(depts);
    return rc;
}

int page_editor_publish(struct http_req *r)
{
    if (gate(r)) return 0;
    const char *code = http_param(r, "code");
    struct catalog_report rep = {0};
    struct err e;
    int64_t version = 0;
    if (catalog_publish(http_db(r), r->principal, code, r->ip, &rep, &version, &e) == 0) {
        catalog_report_free(&rep);
        catalog_view_stale();
        return http_redirect(
            r, arena_printf(r->arena, "/editor/items/%s?published=%lld", code, (long long)version));
    }
    if (e.code != ERR_INVALID) {
        catalog_report_free(&rep);
        return http_reply_err(r, &e);
    }
    /* carding refused it: the draft's form with every problem at its field */
    struct item_state st;
    if (item_state_load(r, code, &st) < 0) {
        catalog_report_free(&rep);
        return 0;
    }
    json_t *depts = editable_departments(r);
    if (!depts) {
        catalog_report_free(&rep);
        item_state_free(&st);
        return 0;
    }
    struct problems ps = {0};
    problems_from_report(r, &ps, &rep, 0);
    catalog_report_free(&rep);
    struct edit_view x = {&st, item_to_values(r, st.item, 0), depts, &ps, &e};
    int rc = render_edit(r, &x, 422);
    json_decref(x.vals);
    json_decref(depts);
    item_state_free(&st);
    return rc;
}

int page_editor_withdraw(struct http_req *r)
{
    if (gate(r)) return 0;
    const char *code = http_param(r, "code");
    struct err e;
    struct item_state st;
    if (item_state_load(r, code, &st) < 0) return 0;
    long long v = st.published_v;
    item_state_free(&st);
    if (catalog_withdraw(http_db(r), r->principal, code, r->ip, &e) < 0)
        return http_reply_err(r, &e);
    catalog_view_stale();
    return http_redirect(r, arena_printf(r->arena, "/editor/items/%s?withdrawn=%lld", code, v));
}

/* --- history --- */

/* The changed members in words, joined as each language lists things. */
static void put_changes(struct http_req *r, struct buf *b, json_t *changes)
{
    struct buf out = BUF_INIT;
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c)
    {
        char key[96];
        snprintf(key, sizeof key, "editor.m.%s", json_string_value(c));
        if (i) {
            char more[256];
            buf_puts(&out, trf(r->lang, "web.list.more", T(r, key), more, sizeof more));
        } else {
            buf_puts(&out, T(r, key));
        }
    }
    html_text(b, buf_str(&out));
    buf_free(&out);
}

int page_editor_history(struct http_req *r)
{
    if (gate(r)) return 0;
    struct item_state st;
    if (item_state_load(r, http_param(r, "code"), &st) < 0) return 0;
    struct buf b = BUF_INIT;
    const char *name = str_of(st.item, "name");
    page_open_title(r, &b, tra(r, "editor.history.title", name ? name : st.code), NAV_EDITOR);
    buf_puts(&b, "<section aria-labelledby=\"h-history\"><p><a href=\"/editor/items/");
    html_attr(&b, st.code);
    buf_puts(&b, "\">");
    page_t(r, &b, "editor.history.back");
    buf_puts(&b, "</a></p><h1 id=\"h-history\">");
    put_trf(r, &b, "editor.history.title", name ? name : st.code);
    buf_puts(&b, "</h1><table><caption>");
    html_text(&b, st.code);
    buf_puts(&b, "</caption>");
    static const char *const cols[] = {"editor.col.version",   "editor.col.status",
                                       "editor.col.effective", "editor.col.level",
                                       "editor.col.changes",   "editor.col.view"};
    page_table_head(r, &b, cols, PAGE_NELEM(cols));
    size_t n = json_array_size(st.versions);
    /* newest first; each compared with the one before it */
    json_t *older = NULL;
    json_t **docs = arena_alloc(r->arena, (n + 1) * sizeof *docs);
    for (size_t i = n; i-- > 0;)
        docs[i] = catalog_item_get(
            http_db(r), st.code,
            json_integer_value(json_object_get(json_array_get(st.versions, i), "version")));
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(st.versions, i);
        long long ver = (long long)json_integer_value(json_object_get(v, "version"));
        const char *status = str_of(v, "status");
        older = i + 1 < n ? docs[i + 1] : NULL;
        buf_printf(&b, "<tr><th scope=\"row\">%lld</th><td>", ver);
        char key[48];
        snprintf(key, sizeof key, "editor.state.%s", status ? status : "draft");
        page_t(r, &b, key);
        buf_puts(&b, "</td><td>");
        const char *eff = str_of(v, "effective_from");
        if (eff)
            html_text(&b, eff);
        else
            page_t(r, &b, "editor.none");
        buf_puts(&b, "</td><td>");
        snprintf(key, sizeof key, "catalog.level.%lld",
                 (long long)json_integer_value(json_object_get(v, "level")));
        if (status && !strcmp(status, "draft") && docs[i])
            snprintf(key, sizeof key, "catalog.level.%d", catalog_item_level(docs[i]));
        page_t(r, &b, key);
        buf_puts(&b, "</td><td>");
        if (!older) {
            page_t(r, &b, "editor.history.first");
        } else if (docs[i]) {
            json_t *changes = catalog_item_changes(older, docs[i]);
            if (json_array_size(changes))
                put_changes(r, &b, changes);
            else
                page_t(r, &b, "editor.history.same");
            json_decref(changes);
        }
        buf_puts(&b, "</td><td><a href=\"/items/");
        html_attr(&b, st.code);
        buf_printf(&b, "?version=%lld\">", ver);
        put_count(r, &b, "editor.history.view", ver);
        buf_puts(&b, "</a></td></tr>");
    }
    for (size_t i = 0; i < n; i++)
        json_decref(docs[i]);
    buf_puts(&b, "</tbody></table></section>");
    item_state_free(&st);
    return page_send(r, &b, 200);
}

/* --- the console and the carding report --- */

/* The department filter (a GET form). */
static void filter_form(struct http_req *r, struct buf *b, const char *action, json_t *depts,
                        const char *only)
{
    buf_puts(b, "<form method=\"get\" class=\"filter\" action=\"");
    buf_puts(b, action);
    buf_puts(b, "\"><div class=\"field\"><label for=\"f-department\">");
    page_t(r, b, "editor.filter.department");
    buf_puts(b, "</label><select id=\"f-department\" name=\"department\">");
    option(b, "", T(r, "editor.filter.all"), !only);
    size_t i;
    json_t *d;
    json_array_foreach(depts, i, d)
    {
        const char *code = str_of(d, "code");
        option(b, code, arena_printf(r->arena, "%s (%s)", dept_name(r, d), code),
               only && !strcmp(only, code));
    }
    buf_puts(b, "</select></div><button type=\"submit\" class=\"button secondary\">");
    page_t(r, b, "editor.filter.submit");
    buf_puts(b, "</button></form>\n");
}

/* The items in force and drafts of the departments shown (owned by the
 * caller), or NULL after answering a database failure. */
static json_t *current_items(struct http_req *r, json_t *depts, const char *only)
{
    json_t *all = catalog_current(http_db(r), only);
    if (!all) {
        http_fail(r, ERR_UNAVAILABLE, NULL, "err.detail.storage", NULL);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(all, i, it) if (dept_find(depts, str_of(it, "department")))
        json_array_append(out, it);
    json_decref(all);
    return out;
}

/* One row of the console per code: the published version and the draft. */
struct row {
    const char *code, *name, *department;
    long long published_v, draft_v;
    int level;
    size_t errors;
};

int page_editor_home(struct http_req *r)
{
    if (gate(r)) return 0;
    json_t *depts = editable_departments(r);
    if (!depts) return 0;
    const char *only = department_filter(r, depts);
    json_t *items = current_items(r, depts, only);
    if (!items) {
        json_decref(depts);
        return 0;
    }
    /* rows by code (catalog_current is by code, then version: the draft
     * comes after the published version and describes the item now) */
    size_t nitems = json_array_size(items), n = 0;
    struct row *rows = arena_alloc(r->arena, (nitems + 1) * sizeof *rows);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *code = str_of(it, "code");
        if (!n || strcmp(rows[n - 1].code, code)) memset(&rows[n++], 0, sizeof *rows);
        struct row *w = &rows[n - 1];
        w->code = code;
        w->name = str_of(it, "name");
        w->department = str_of(it, "department");
        long long v = (long long)json_integer_value(json_object_get(it, "version"));
        if (!strcmp(str_of(it, "status"), "draft"))
            w->draft_v = v;
        else
            w->published_v = v;
        struct catalog_report rep = {0};
        w->errors = catalog_item_card(it, &rep);
        catalog_report_free(&rep);
        w->level = catalog_item_level(it);
    }
    struct buf b = BUF_INIT;
    page_open(r, &b, "editor.home.title", NAV_EDITOR);
    buf_puts(&b, "<section aria-labelledby=\"h-editor\"><h1 id=\"h-editor\">");
    page_t(r, &b, "editor.home.title");
    buf_puts(&b, "</h1>");
    page_para(r, &b, "lead", "editor.home.lead");
    buf_puts(&b, "<ul class=\"actions\"><li><a class=\"button\" href=\"/editor/new\">");
    page_t(r, &b, "editor.home.new");
    buf_puts(&b, "</a></li><li><a href=\"/editor/carding");
    if (only) {
        buf_puts(&b, "?department=");
        html_attr(&b, only);
    }
    buf_puts(&b, "\">");
    page_t(r, &b, "editor.home.carding");
    buf_puts(&b, "</a></li></ul>");
    if (json_array_size(depts) == 0) {
        page_para(r, &b, "note", "editor.no_departments");
    } else {
        filter_form(r, &b, "/editor", depts, only);
    }
    buf_puts(&b, "<p>");
    put_count(r, &b, "editor.count.items", (long long)n);
    buf_puts(&b, "</p>");
    int list_items = only || n <= HOME_MAX_ROWS;
    if (!list_items) {
        page_para(r, &b, "note", "editor.home.choose");
    }
    json_t *d;
    size_t k = 0;
    json_array_foreach(depts, i, d)
    {
        const char *dc = str_of(d, "code");
        size_t count = 0, drafts = 0, bad = 0;
        for (size_t j = 0; j < n; j++)
            if (!strcmp(rows[j].department, dc)) {
                count++;
                drafts += rows[j].draft_v != 0;
                bad += rows[j].errors != 0;
            }
        if (!count) continue;
        k++;
        buf_printf(&b, "<section aria-labelledby=\"d-%zu\"><h2 id=\"d-%zu\">", k, k);
        if (!list_items) {
            buf_puts(&b, "<a href=\"/editor?department=");
            html_attr(&b, dc);
            buf_puts(&b, "\">");
        }
        put_dept(r, &b, depts, dc);
        if (!list_items) buf_puts(&b, "</a>");
        buf_puts(&b, "</h2><p>");
        put_count(r, &b, "editor.count.items", (long long)count);
        buf_puts(&b, " · ");
        put_count(r, &b, "editor.count.drafts", (long long)drafts);
        buf_puts(&b, " · ");
        put_count(r, &b, "editor.count.failing", (long long)bad);
        buf_puts(&b, "</p>");
        if (!list_items) {
            buf_puts(&b, "</section>\n");
            continue;
        }
        buf_puts(&b, "<table>");
        static const char *const cols[] = {"editor.col.item", "editor.col.status",
                                           "editor.col.level", "editor.col.errors",
                                           "editor.col.actions"};
        page_table_head(r, &b, cols, PAGE_NELEM(cols));
        for (size_t j = 0; j < n; j++) {
            const struct row *w = &rows[j];
            if (strcmp(w->department, dc)) continue;
            buf_puts(&b, "<tr><th scope=\"row\"><a href=\"/editor/items/");
            html_attr(&b, w->code);
            buf_puts(&b, "\">");
            html_text(&b, w->name);
            buf_puts(&b, "</a><br><code>");
            html_text(&b, w->code);
            buf_puts(&b, "</code></th><td>");
            if (w->published_v) put_status(r, &b, "published", w->published_v);
            if (w->published_v && w->draft_v) {
                page_t(r, &b, "editor.and");
                buf_putc(&b, ' ');
            }
            if (w->draft_v) put_status(r, &b, "draft", w->draft_v);
            buf_printf(&b, "</td><td>");
            char key[32];
            snprintf(key, sizeof key, "catalog.level.%d", w->level);
            page_t(r, &b, key);
            buf_printf(&b, "</td><td>%zu</td><td><a href=\"/editor/items/", w->errors);
            html_attr(&b, w->code);
            buf_puts(&b, "/history\">");
            page_t(r, &b, "editor.item.history");
            buf_puts(&b, "</a></td></tr>");
        }
        buf_puts(&b, "</tbody></table></section>\n");
    }
    buf_puts(&b, "</section>");
    json_decref(items);
    json_decref(depts);
    return page_send(r, &b, 200);
}

int page_editor_carding(struct http_req *r)
{
    if (gate(r)) return 0;
    json_t *depts = editable_departments(r);
    if (!depts) return 0;
    const char *only = department_filter(r, depts);
    json_t *items = current_items(r, depts, only);
    if (!items) {
        json_decref(depts);
        return 0;
    }
    struct buf b = BUF_INIT;
    page_open(r, &b, "editor.carding.title", NAV_EDITOR);
    buf_puts(&b, "<section aria-labelledby=\"h-carding\"><p><a href=\"/editor\">");
    page_t(r, &b, "editor.back");
    buf_puts(&b, "</a></p><h1 id=\"h-carding\">");
    page_t(r, &b, "editor.carding.title");
    buf_puts(&b, "</h1>");
    page_para(r, &b, "lead", "editor.carding.lead");
    filter_form(r, &b, "/editor/carding", depts, only);
    /* every item carded once; problems kept per item for the tables */
    size_t nitems = json_array_size(items), total_err = 0, total_warn = 0;
    struct problems *per = arena_alloc(r->arena, (nitems + 1) * sizeof *per);
    memset(per, 0, (nitems + 1) * sizeof *per);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        struct catalog_report rep = {0};
        catalog_item_card(it, &rep);
        problems_from_report(r, &per[i], &rep, 0);
        total_err += rep.errors;
        total_warn += rep.warnings;
        catalog_report_free(&rep);
    }
    buf_puts(&b, "<p>");
    put_count(r, &b, "editor.count.items", (long long)nitems);
    buf_puts(&b, " · ");
    put_count(r, &b, "editor.count.errors", (long long)total_err);
    buf_puts(&b, " · ");
    put_count(r, &b, "editor.count.warnings", (long long)total_warn);
    buf_puts(&b, "</p>");
    json_t *d;
    size_t k = 0;
    json_array_foreach(depts, i, d)
    {
        const char *dc = str_of(d, "code");
        size_t count = 0, np = 0, ne = 0;
        size_t j;
        json_array_foreach(items, j, it) if (!strcmp(str_of(it, "department"), dc))
        {
            count++;
            np += per[j].n;
            ne += per[j].errors;
        }
        if (!count) continue;
        k++;
        buf_printf(&b, "<section aria-labelledby=\"d-%zu\"><h2 id=\"d-%zu\">", k, k);
        put_dept(r, &b, depts, dc);
        buf_puts(&b, "</h2><p>");
        put_count(r, &b, "editor.count.items", (long long)count);
        buf_puts(&b, " · ");
        put_count(r, &b, "editor.count.errors", (long long)ne);
        buf_puts(&b, " · ");
        put_count(r, &b, "editor.count.warnings", (long long)(np - ne));
        buf_puts(&b, "</p>");
        if (!np) {
            buf_puts(&b, "<p>");
            page_t(r, &b, "editor.carding.clean");
            buf_puts(&b, "</p></section>\n");
            continue;
        }
        buf_puts(&b, "<table>");
        static const char *const cols[] = {"editor.col.item", "editor.col.status",
                                           "editor.col.field", "editor.col.problem"};
        page_table_head(r, &b, cols, PAGE_NELEM(cols));
        json_array_foreach(items, j, it)
        {
            if (strcmp(str_of(it, "department"), dc)) continue;
            for (size_t p = 0; p < per[j].n; p++) {
                const struct problem *pr = &per[j].v[p];
                buf_puts(&b, "<tr><th scope=\"row\"><a href=\"/editor/items/");
                html_attr(&b, str_of(it, "code"));
                buf_puts(&b, "\">");
                html_text(&b, str_of(it, "name"));
                buf_puts(&b, "</a><br><code>");
                html_text(&b, str_of(it, "code"));
                buf_puts(&b, "</code></th><td>");
                put_status(r, &b, str_of(it, "status"),
                           (long long)json_integer_value(json_object_get(it, "version")));
                buf_puts(&b, "</td><td>");
                if (pr->field[0])
                    label_of(r, &b, pr->field);
                else
                    html_text(&b, pr->path);
                buf_puts(&b, "</td><td><strong>");
                page_t(r, &b, pr->error ? "editor.severity.error" : "editor.severity.warning");
                buf_puts(&b, "</strong> ");
                put_problem_text(&b, pr);
                buf_puts(&b, "</td></tr>");
            }
        }
        buf_puts(&b, "</tbody></table></section>\n");
    }
    buf_puts(&b, "</section>");
    json_decref(items);
    json_decref(depts);
    return page_send(r, &b, 200);
}
