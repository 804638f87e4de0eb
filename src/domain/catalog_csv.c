/**
 * @file catalog_csv.c
 * @brief The exchange document as CSV tables (docs/catalog-csv.md).
 *
 * Every table is described once, as a list of columns named by the member
 * path they hold inside the row's object ("contact.phone",
 * "time_limit.statutory.value") and the kind of cell; the writer and the
 * reader both walk these lists, so a member cannot be written and forgotten
 * on the way back. Lists of objects are child tables keyed by (item_code,
 * item_version, position); lists of strings share one child table,
 * item_lists.csv, that also names the list.
 *
 * Null and the empty string are told apart by quoting: an unquoted empty
 * cell is null, a quoted empty cell ("") the empty string. Nullable objects
 * have a presence column named after the object (true / false).
 */
#include "domain/catalog_csv.h"
#include "core/fs.h"
#include "core/mem.h"
#include "core/utf8.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the tables --- */

enum ckind {
    C_STR,  /* text: unquoted empty cell = null, quoted empty cell = "" */
    C_INT,  /* decimal integer; empty = null */
    C_NUM,  /* JSON number (integer or real); empty = null */
    C_BOOL, /* true / false; empty = null */
    C_OBJ,  /* presence of a nullable object: true = object, false = null */
    C_LIST, /* presence of an optional list: true = list, false = no member */
};

struct column {
    const char *name; /* header, and the member path inside the row object */
    enum ckind kind;
};

static const struct column dept_cols[] = {{"code", C_STR},          {"name", C_STR},
                                          {"name_en", C_STR},       {"parent", C_STR},
                                          {"region", C_STR},        {"contact", C_OBJ},
                                          {"contact.phone", C_STR}, {"contact.address", C_STR},
                                          {"contact.hours", C_STR}, {NULL, 0}};
static const struct column hall_cols[] = {
    {"code", C_STR},  {"name", C_STR}, {"region", C_STR}, {"address", C_STR}, {"phone", C_STR},
    {"hours", C_STR}, {"lat", C_NUM},  {"lng", C_NUM},    {"kiosks", C_INT},  {NULL, 0}};
static const struct column item_cols[] = {{"code", C_STR},
                                          {"version", C_INT},
                                          {"status", C_STR},
                                          {"effective_from", C_STR},
                                          {"basic_code", C_STR},
                                          {"name", C_STR},
                                          {"short_name", C_STR},
                                          {"department", C_STR},
                                          {"region", C_STR},
                                          {"type", C_STR},
                                          {"handling", C_STR},
                                          {"target", C_STR},
                                          {"fee", C_OBJ},
                                          {"fee.free", C_BOOL},
                                          {"time_limit.statutory", C_OBJ},
                                          {"time_limit.statutory.unit", C_STR},
                                          {"time_limit.statutory.value", C_INT},
                                          {"time_limit.promised", C_OBJ},
                                          {"time_limit.promised.unit", C_STR},
                                          {"time_limit.promised.value", C_INT},
                                          {"visits", C_INT},
                                          {"acceptance_with_missing", C_BOOL},
                                          {"commitment.allowed", C_BOOL},
                                          {"result", C_OBJ},
                                          {"result.name", C_STR},
                                          {"result.certificate_type", C_STR},
                                          {"contacts.consultation", C_STR},
                                          {"contacts.complaint", C_STR},
                                          {NULL, 0}};
static const struct column legal_cols[] = {
    {"law", C_STR}, {"article", C_STR}, {"text", C_STR}, {"url", C_STR}, {NULL, 0}};
static const struct column step_cols[] = {{"step", C_STR}, {"description", C_STR}, {NULL, 0}};
static const struct column material_cols[] = {{"name", C_STR},
                                              {"form", C_STR},
                                              {"copies", C_INT},
                                              {"required", C_BOOL},
                                              {"condition", C_STR},
                                              {"notes", C_STR},
                                              {"blank_form", C_STR},
                                              {"example", C_STR},
                                              {"verification", C_STR},
                                              {"substitute.certificate_type", C_STR},
                                              {"substitute.government_data", C_STR},
                                              {NULL, 0}};
static const struct column fee_cols[] = {
    {"name", C_STR}, {"amount_fen", C_INT}, {"basis", C_STR}, {NULL, 0}};
static const struct column location_cols[] = {
    {"hall", C_STR}, {"window", C_STR}, {"hours", C_STR}, {NULL, 0}};
static const struct column pref_cols[] = {
    {"kind", C_STR}, {"value", C_INT}, {"condition", C_STR}, {NULL, 0}};
static const struct column field_cols[] = {{"name", C_STR},     {"type", C_STR},
                                           {"label", C_STR},    {"required", C_BOOL},
                                           {"choices", C_LIST}, {NULL, 0}};
static const struct column list_cols[] = {{"value", C_STR}, {NULL, 0}};

enum tkind {
    T_MAIN,  /* departments, halls, items: one row per record */
    T_CHILD, /* a list of objects of an item: (item_code, item_version, position) */
    T_LISTS, /* the lists of strings of items: (item_code, item_version, list, position) */
};

struct table {
    const char *file;
    enum tkind kind;
    const char *member; /* T_MAIN: the section; T_CHILD: the list inside the item */
    const struct column *cols;
};

enum { TB_DEPTS, TB_HALLS, TB_ITEMS, TB_LISTS = 10, N_TABLES = 11, MAX_COLS = 40 };

static const struct table tables[N_TABLES] = {
    {"departments.csv", T_MAIN, "departments", dept_cols},
    {"halls.csv", T_MAIN, "halls", hall_cols},
    {"items.csv", T_MAIN, "items", item_cols},
    {"item_legal_basis.csv", T_CHILD, "legal_basis", legal_cols},
    {"item_process.csv", T_CHILD, "process", step_cols},
    {"item_materials.csv", T_CHILD, "materials", material_cols},
    {"item_fees.csv", T_CHILD, "fee.items", fee_cols},
    {"item_locations.csv", T_CHILD, "locations", location_cols},
    {"item_preferences.csv", T_CHILD, "preferences", pref_cols},
    {"item_form_fields.csv", T_CHILD, "form_schema", field_cols},
    {"item_lists.csv", T_LISTS, NULL, list_cols},
};

/* The lists of strings kept in item_lists.csv, in the order they are
 * written; besides these, "form_schema[N].choices". */
static const char *const string_lists[] = {"themes",          "categories",
                                           "keywords",        "conditions",
                                           "channels",        "commitment.waived_materials",
                                           "result.delivery", NULL};

/* Lists an item always has (empty when no row names them). fee.items,
 * result.delivery and choices exist only with their object or presence. */
static const char *const item_lists_always[] = {
    "themes",      "categories",  "keywords",  "legal_basis",
    "conditions",  "process",     "materials", "locations",
    "preferences", "form_schema", "channels",  "commitment.waived_materials",
    NULL};

/* All columns of a table in file order: the key columns, then the data. */
static size_t table_columns(const struct table *t, struct column *out)
{
    size_t n = 0;
    if (t->kind != T_MAIN) {
        out[n++] = (struct column){"item_code", C_STR};
        out[n++] = (struct column){"item_version", C_INT};
        if (t->kind == T_LISTS) out[n++] = (struct column){"list", C_STR};
        out[n++] = (struct column){"position", C_INT};
    }
    for (const struct column *c = t->cols; c->name; c++)
        out[n++] = *c;
    return n;
}

/* --- member paths: "a.b", "form_schema[3].choices" --- */

/* The value at path inside root, or NULL when some step is missing. */
static json_t *path_get(json_t *root, const char *path)
{
    json_t *v = root;
    const char *p = path;
    while (v && *p) {
        size_t n = strcspn(p, ".[");
        char name[64];
        if (n >= sizeof name) return NULL;
        memcpy(name, p, n);
        name[n] = 0;
        v = json_object_get(v, name);
        p += n;
        while (v && *p == '[') {
            char *end;
            unsigned long i = strtoul(p + 1, &end, 10);
            if (*end != ']') return NULL;
            v = json_array_get(v, i);
            p = end + 1;
        }
        if (*p == '.') p++;
    }
    return v;
}

/* Sets the member at a dotted path of names, creating the objects on the
 * way. Returns 0, or 1 (nothing set) when an object on the way is null or
 * not an object. v is not stolen. */
static int path_set(json_t *root, const char *path, json_t *v)
{
    json_t *o = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        if (!dot) return json_object_set(o, p, v) ? 1 : 0;
        char name[64];
        size_t n = (size_t)(dot - p);
        if (n >= sizeof name) return 1;
        memcpy(name, p, n);
        name[n] = 0;
        json_t *next = json_object_get(o, name);
        if (!next) {
            next = json_object();
            json_object_set_new(o, name, next);
        }
        if (!json_is_object(next)) return 1;
        o = next;
        p = dot + 1;
    }
}

/* path_set that steals v. */
static int set_new(json_t *root, const char *path, json_t *v)
{
    int rc = path_set(root, path, v);
    json_decref(v);
    return rc;
}

/* --- writing --- */

struct writer {
    struct buf out[N_TABLES];
    char *err;
    size_t errlen;
    int failed;
};

static void wfail(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wfail(struct writer *w, const char *fmt, ...)
{
    if (w->failed++) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, w->errlen, fmt, ap);
    va_end(ap);
}

/* A text cell: quoted when empty (to tell it from null) or when it holds a
 * separator, a quote or a line break. */
static void put_text(struct buf *b, const char *s, size_t n)
{
    int quote = n == 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        buf_append(b, s, n);
        return;
    }
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') buf_putc(b, '"');
        buf_putc(b, s[i]);
    }
    buf_putc(b, '"');
}

/* The shortest decimal form that reads back as the same double, with ".0"
 * when it would look like an integer (so it reads back as a real). */
static void put_real(struct buf *b, double x)
{
    char s[48];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, x);
        if (strtod(s, NULL) == x) break;
    }
    if (!strpbrk(s, ".eE")) strcat(s, ".0");
    buf_puts(b, s);
}

/* One cell of kind k for v (NULL: no member). -1 when v cannot be one. */
static int put_value(struct buf *b, json_t *v, enum ckind k)
{
    switch (k) {
    case C_OBJ:
        if (!json_is_object(v) && !json_is_null(v)) return -1;
        buf_puts(b, json_is_object(v) ? "true" : "false");
        return 0;
    case C_LIST:
        if (v && !json_is_array(v)) return -1;
        buf_puts(b, v ? "true" : "false");
        return 0;
    default:
        break;
    }
    if (!v || json_is_null(v)) return 0;
    switch (k) {
    case C_STR:
        if (!json_is_string(v)) return -1;
        put_text(b, json_string_value(v), json_string_length(v));
        return 0;
    case C_INT:
        if (!json_is_integer(v)) return -1;
        buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return 0;
    case C_NUM:
        if (json_is_integer(v))
            buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_real(v))
            put_real(b, json_real_value(v));
        else
            return -1;
        return 0;
    case C_BOOL:
        if (!json_is_boolean(v)) return -1;
        buf_puts(b, json_is_true(v) ? "true" : "false");
        return 0;
    default:
        return -1;
    }
}

static const char *kind_name(enum ckind k)
{
    static const char *const names[] = {"a text",    "an integer",        "a number",
                                        "a boolean", "an object or null", "a list"};
    return names[k];
}

static void put_header(struct buf *b, const struct table *t)
{
    struct column cols[MAX_COLS];
    size_t n = table_columns(t, cols);
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        buf_puts(b, cols[i].name);
    }
    buf_puts(b, "\r\n");
}

/* The data cells of obj (after a separator when there are key cells
 * before), then the end of the record. where names obj for messages. */
static void put_cells(struct writer *w, int t, json_t *obj, int after_keys, const char *where)
{
    struct buf *b = &w->out[t];
    for (const struct column *c = tables[t].cols; c->name; c++) {
        if (after_keys || c != tables[t].cols) buf_putc(b, ',');
        if (put_value(b, path_get(obj, c->name), c->kind) < 0)
            wfail(w, "%s: %s: %s is not %s", tables[t].file, where, c->name, kind_name(c->kind));
    }
    buf_puts(b, "\r\n");
}

static void put_keys(struct buf *b, json_t *code, json_t *version, const char *list, size_t pos)
{
    put_text(b, json_string_value(code), json_string_length(code));
    buf_printf(b, ",%" JSON_INTEGER_FORMAT ",", json_integer_value(version));
    if (list) {
        put_text(b, list, strlen(list));
        buf_putc(b, ',');
    }
    buf_printf(b, "%zu", pos);
}

/* The rows of the string list at path of an item into item_lists.csv. */
static void put_string_list(struct writer *w, json_t *item, const char *where, const char *path)
{
    json_t *arr = path_get(item, path);
    if (!arr || json_is_null(arr)) return;
    if (!json_is_array(arr)) {
        wfail(w, "items: %s: %s is not a list", where, path);
        return;
    }
    struct buf *b = &w->out[TB_LISTS];
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        put_keys(b, json_object_get(item, "code"), json_object_get(item, "version"), path, i);
        buf_putc(b, ',');
        if (!json_is_string(e))
            wfail(w, "items: %s: %s[%zu] is not a text", where, path, i);
        else
            put_text(b, json_string_value(e), json_string_length(e));
        buf_puts(b, "\r\n");
    }
}

static void put_item(struct writer *w, json_t *item, size_t index)
{
    json_t *code = json_object_get(item, "code"), *version = json_object_get(item, "version");
    char where[128];
    if (!json_is_object(item) || !json_is_string(code) || !json_is_integer(version)) {
        wfail(w, "items[%zu]: not an object with a code and an integer version", index);
        return;
    }
    snprintf(where, sizeof where, "%s version %" JSON_INTEGER_FORMAT, json_string_value(code),
             json_integer_value(version));
    put_cells(w, TB_ITEMS, item, 0, where);
    for (int t = TB_ITEMS + 1; t < TB_LISTS; t++) {
        json_t *arr = path_get(item, tables[t].member);
        if (!arr || json_is_null(arr)) continue; /* fee.items of a null fee */
        if (!json_is_array(arr)) {
            wfail(w, "items: %s: %s is not a list", where, tables[t].member);
            continue;
        }
        size_t i;
        json_t *e;
        json_array_foreach(arr, i, e)
        {
            if (!json_is_object(e)) {
                wfail(w, "items: %s: %s[%zu] is not an object", where, tables[t].member, i);
                continue;
            }
            put_keys(&w->out[t], code, version, NULL, i);
            put_cells(w, t, e, 1, where);
        }
    }
    for (const char *const *l = string_lists; *l; l++)
        put_string_list(w, item, where, *l);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(item, "form_schema"), i, f)
    {
        char path[64];
        snprintf(path, sizeof path, "form_schema[%zu].choices", i);
        put_string_list(w, item, where, path);
    }
}

/* Writes all of n bytes; 0 or -1 (errno set). */
static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Every table to a temporary file of dir, fsynced; then all renamed into
 * place and dir fsynced. */
static int write_files(struct writer *w, const char *dir)
{
    char *tmp[N_TABLES] = {0};
    int rc = 0;
    for (int t = 0; t < N_TABLES && rc == 0; t++) {
        tmp[t] = xasprintf("%s/.%s.XXXXXX", dir, tables[t].file);
        int fd = mkstemp(tmp[t]);
        if (fd < 0) {
            wfail(w, "%s: %s", tmp[t], strerror(errno));
            free(tmp[t]);
            tmp[t] = NULL;
            rc = -1;
            break;
        }
        if (fchmod(fd, 0644) < 0 ||
            write_all(fd, w->out[t].data ? w->out[t].data : "", w->out[t].len) < 0 ||
            fsync(fd) < 0) {
            wfail(w, "%s: %s", tmp[t], strerror(errno));
            rc = -1;
        }
        if (close(fd) < 0 && rc == 0) {
            wfail(w, "%s: %s", tmp[t], strerror(errno));
            rc = -1;
        }
    }
    for (int t = 0; t < N_TABLES && rc == 0; t++) {
        char *final = xasprintf("%s/%s", dir, tables[t].file);
        if (rename(tmp[t], final) < 0) {
            wfail(w, "%s: %s", final, strerror(errno));
            rc = -1;
        } else {
            free(tmp[t]);
            tmp[t] = NULL;
        }
        free(final);
    }
    if (rc == 0 && fs_fsync_dir(dir) < 0) {
        wfail(w, "%s: %s", dir, strerror(errno));
        rc = -1;
    }
    for (int t = 0; t < N_TABLES; t++) {
        if (tmp[t]) unlink(tmp[t]);
        free(tmp[t]);
    }
    return rc;
}

int catalog_csv_write(json_t *doc, const char *dir, char *errbuf, size_t errlen)
{
    struct writer w = {.err = errbuf, .errlen = errlen};
    const char *format = json_string_value(json_object_get(doc, "format"));
    if (!json_is_object(doc) || !format || strcmp(format, CATALOG_FORMAT)) {
        wfail(&w, "not an %s document", CATALOG_FORMAT);
        return -1;
    }
    for (int t = 0; t < N_TABLES; t++)
        put_header(&w.out[t], &tables[t]);
    for (int s = TB_DEPTS; s <= TB_ITEMS; s++) {
        json_t *arr = json_object_get(doc, tables[s].member);
        if (!json_is_array(arr)) wfail(&w, "%s is not a list", tables[s].member);
        size_t i;
        json_t *e;
        json_array_foreach(arr, i, e)
        {
            if (s == TB_ITEMS) {
                put_item(&w, e, i);
                continue;
            }
            char where[96];
            snprintf(where, sizeof where, "%s[%zu]", tables[s].member, i);
            if (!json_is_object(e))
                wfail(&w, "%s is not an object", where);
            else
                put_cells(&w, s, e, 0, where);
        }
    }
    int rc = -1;
    if (!w.failed) {
        if (fs_mkdir_p(dir) < 0)
            wfail(&w, "%s: %s", dir, strerror(errno));
        else
            rc = write_files(&w, dir);
    }
    for (int t = 0; t < N_TABLES; t++)
        buf_free(&w.out[t]);
    return w.failed ? -1 : rc;
}

/* --- reading: CSV records --- */

struct cell {
    const char *s; /* NUL-terminated, may hold NULs before len */
    size_t len;
    int quoted;
};

struct rec {
    long line; /* physical line where the record starts */
    size_t n;
    struct cell *cells;
};

/* One file read: its well-formed records and where each column is. */
struct csv {
    int t;
    int present;
    struct arena *a;
    struct rec *recs;
    size_t nrec, cap;
    long header_line;
    const char **header; /* the header's cells */
    size_t ncols;        /* cells in the header */
    struct column cols[MAX_COLS];
    size_t ncolumns;  /* columns of the table */
    int at[MAX_COLS]; /* index of each column in a record, -1 when missing */
};

/* The place of a list element, for catalog_csv_locate. */
struct loc {
    char *path; /* "materials[2]" */
    int t;
    long line;
};

struct rec_src {
    long line;
    struct loc *v;
    size_t n, cap;
};

struct catalog_csv_src {
    struct rec_src *recs[3];
    size_t n[3], cap[3];
};

struct reader {
    struct catalog_report *rep;
    struct csv csv[N_TABLES];
    json_t *arrays[3];
    struct catalog_csv_src *src;
};

static void report(struct reader *r, int t, long line, const char *item, const char *field,
                   const char *key, const char *arg)
{
    catalog_report_add(r->rep, 1, item, field, key, arg);
    struct catalog_problem *p = &r->rep->v[r->rep->n - 1];
    snprintf(p->file, sizeof p->file, "%s", tables[t].file);
    p->line = line;
}

/* A cell as a printable argument (cut to fit a problem's arg). */
static void cell_arg(const struct cell *c, char *out, size_t n)
{
    size_t k = c->len < n - 1 ? c->len : n - 1;
    /* do not cut a UTF-8 sequence */
    while (k > 0 && k < c->len && ((unsigned char)c->s[k] & 0xC0) == 0x80)
        k--;
    memcpy(out, c->s, k);
    out[k] = 0;
}

/* The name of the column at index i of a record, "" when unknown. */
static const char *col_name_at(const struct csv *c, size_t i)
{
    return c->header && i < c->ncols ? c->header[i] : "";
}

/* The code of the record (its "code" or "item_code" cell) for problems. */
static void rec_code(const struct csv *c, const struct rec *rec, char *out, size_t n)
{
    int k = c->at[0];
    out[0] = 0;
    if (k >= 0 && (size_t)k < rec->n) cell_arg(&rec->cells[k], out, n);
    if (utf8_validate(out, strlen(out), NULL) < 0) out[0] = 0;
}

static void take_header(struct reader *r, struct csv *c, const struct cell *cells, size_t n,
                        long line)
{
    c->header_line = line;
    c->ncols = n;
    c->header = arena_alloc(c->a, (n + 1) * sizeof *c->header);
    for (size_t i = 0; i < n; i++) {
        c->header[i] = cells[i].s;
        if (utf8_validate(cells[i].s, cells[i].len, NULL) < 0 ||
            strlen(cells[i].s) != cells[i].len) {
            report(r, c->t, line, NULL, "", "catalog.csv.bad_utf8", NULL);
            c->header[i] = "";
            continue;
        }
        size_t k = 0;
        while (k < c->ncolumns && strcmp(c->cols[k].name, cells[i].s))
            k++;
        if (k == c->ncolumns)
            report(r, c->t, line, NULL, cells[i].s, "catalog.csv.unknown_column", cells[i].s);
        else if (c->at[k] >= 0)
            report(r, c->t, line, NULL, cells[i].s, "catalog.csv.repeated_column", cells[i].s);
        else
            c->at[k] = (int)i;
    }
    for (size_t k = 0; k < c->ncolumns; k++)
        if (c->at[k] < 0)
            report(r, c->t, line, NULL, c->cols[k].name, "catalog.csv.missing_column",
                   c->cols[k].name);
}

/* A data record: checked for its number of cells and UTF-8, then kept. */
static void take_record(struct reader *r, struct csv *c, const struct cell *cells, size_t n,
                        long line)
{
    struct rec rec = {line, n, (struct cell *)cells};
    char code[256];
    rec_code(c, &rec, code, sizeof code);
    if (n != c->ncols) {
        char arg[64];
        snprintf(arg, sizeof arg, "%zu/%zu", n, c->ncols);
        report(r, c->t, line, code, "", "catalog.csv.cell_count", arg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (utf8_validate(cells[i].s, cells[i].len, NULL) < 0) {
            report(r, c->t, line, code, col_name_at(c, i), "catalog.csv.bad_utf8", NULL);
            return;
        }
    }
    if (c->nrec == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->recs = xrealloc(c->recs, c->cap * sizeof *c->recs);
    }
    rec.cells = arena_alloc(c->a, n * sizeof *cells);
    memcpy(rec.cells, cells, n * sizeof *cells);
    c->recs[c->nrec++] = rec;
}

static int ends_record(const char *d, size_t n, size_t pos)
{
    return d[pos] == '\n' || (d[pos] == '\r' && (pos + 1 == n || d[pos + 1] == '\n'));
}

/* Splits a file into records (RFC 4180; LF or CRLF; a BOM skipped) and
 * hands them to take_header / take_record. A record with malformed quoting
 * is reported and dropped; an unterminated quote ends the file. */
static void csv_parse(struct reader *r, struct csv *c, const char *d, size_t n)
{
    size_t pos = 0, ncells = 0, capcells = 0;
    long line = 1;
    struct cell *cells = NULL;
    struct buf val = BUF_INIT;
    int have_header = 0, stopped = 0;
    if (n >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3)) pos = 3;
    while (pos < n) {
        long start = line;
        size_t bad = 0; /* 1 + index of the first cell with malformed quoting */
        ncells = 0;
        for (;;) {
            buf_reset(&val);
            int quoted = 0;
            if (pos < n && d[pos] == '"') {
                quoted = 1;
                pos++;
                for (;;) {
                    if (pos >= n) {
                        report(r, c->t, start, NULL, col_name_at(c, ncells),
                               "catalog.csv.unterminated_quote", NULL);
                        stopped = 1;
                        goto out;
                    }
                    if (d[pos] == '"') {
                        if (pos + 1 < n && d[pos + 1] == '"') {
                            buf_putc(&val, '"');
                            pos += 2;
                            continue;
                        }
                        pos++;
                        break;
                    }
                    if (d[pos] == '\n') line++;
                    buf_putc(&val, d[pos++]);
                }
                /* only a separator or the end of the record may follow */
                while (pos < n && d[pos] != ',' && !ends_record(d, n, pos)) {
                    if (!bad) bad = ncells + 1;
                    pos++;
                }
            } else {
                while (pos < n && d[pos] != ',' && !ends_record(d, n, pos)) {
                    if (d[pos] == '"' && !bad) bad = ncells + 1;
                    buf_putc(&val, d[pos++]);
                }
            }
            if (ncells == capcells) {
                capcells = capcells ? capcells * 2 : 32;
                cells = xrealloc(cells, capcells * sizeof *cells);
            }
            cells[ncells++] =
                (struct cell){arena_strndup(c->a, buf_str(&val), val.len), val.len, quoted};
            if (pos < n && d[pos] == ',') {
                pos++;
                continue;
            }
            if (pos < n && d[pos] == '\r') pos++;
            if (pos < n && d[pos] == '\n') {
                pos++;
                line++;
            }
            break;
        }
        if (ncells == 1 && !cells[0].quoted && cells[0].len == 0) continue; /* a blank line */
        if (bad) {
            report(r, c->t, start, NULL, col_name_at(c, bad - 1), "catalog.csv.bad_quoting", NULL);
            if (have_header) continue;
        }
        if (!have_header) {
            have_header = 1;
            take_header(r, c, cells, ncells, start);
        } else {
            take_record(r, c, cells, ncells, start);
        }
    }
out:
    if (!have_header && !stopped) report(r, c->t, 1, NULL, "", "catalog.csv.no_header", NULL);
    free(cells);
    buf_free(&val);
}

static void csv_load(struct reader *r, struct csv *c, const char *dir)
{
    c->ncolumns = table_columns(&tables[c->t], c->cols);
    for (size_t k = 0; k < MAX_COLS; k++)
        c->at[k] = -1;
    c->a = arena_new();
    char *path = xasprintf("%s/%s", dir, tables[c->t].file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0) {
        report(r, c->t, 0, NULL, "",
               errno == ENOENT ? "catalog.csv.missing_file" : "catalog.csv.unreadable",
               errno == ENOENT ? tables[c->t].file : strerror(errno));
        return;
    }
    struct buf data = BUF_INIT;
    char chunk[65536];
    ssize_t k;
    while ((k = read(fd, chunk, sizeof chunk)) != 0) {
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            report(r, c->t, 0, NULL, "", "catalog.csv.unreadable", strerror(errno));
            close(fd);
            buf_free(&data);
            return;
        }
        buf_append(&data, chunk, (size_t)k);
    }
    close(fd);
    c->present = 1;
    csv_parse(r, c, buf_str(&data), data.len);
    buf_free(&data);
}

/* --- reading: cells to values --- */

static int is_digits(const char *s, size_t n)
{
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* JSON number syntax: -?digits(.digits)?([eE][+-]?digits)? */
static int is_number(const char *s, size_t n, int *is_int)
{
    size_t i = 0, k;
    if (i < n && s[i] == '-') i++;
    for (k = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i == k) return 0;
    *is_int = 1;
    if (i < n && s[i] == '.') {
        *is_int = 0;
        for (k = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == k) return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        *is_int = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        for (k = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == k) return 0;
    }
    return i == n;
}

static int parse_int(const char *s, size_t n, json_int_t *out)
{
    int neg = n > 0 && s[0] == '-';
    if (!is_digits(s + neg, n - (size_t)neg) || n > 40) return -1;
    char tmp[48];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    errno = 0;
    long long v = strtoll(tmp, NULL, 10);
    if (errno == ERANGE) return -1;
    *out = (json_int_t)v;
    return 0;
}

static int parse_bool(const struct cell *c)
{
    if (c->len == 4 && !strncasecmp(c->s, "true", 4)) return 1;
    if (c->len == 5 && !strncasecmp(c->s, "false", 5)) return 0;
    return -1;
}

/* The value of a cell of kind k (new reference; json null for null), or
 * NULL with *key set to the problem. */
static json_t *cell_value(const struct cell *c, enum ckind k, const char **key)
{
    if (k == C_STR) return !c->quoted && c->len == 0 ? json_null() : json_stringn(c->s, c->len);
    if (c->len == 0 && k != C_OBJ && k != C_LIST)
        return json_null(); /* no empty string to tell apart from: quoted or not */
    switch (k) {
    case C_INT: {
        json_int_t v;
        if (parse_int(c->s, c->len, &v) < 0) return *key = "catalog.csv.bad_integer", NULL;
        return json_integer(v);
    }
    case C_NUM: {
        int is_int = 0;
        json_int_t v;
        if (!is_number(c->s, c->len, &is_int)) return *key = "catalog.csv.bad_number", NULL;
        if (is_int && parse_int(c->s, c->len, &v) == 0) return json_integer(v);
        double x = strtod(c->s, NULL);
        if (!isfinite(x)) return *key = "catalog.csv.bad_number", NULL;
        return json_real(x);
    }
    default: {
        int b = parse_bool(c);
        if (b < 0) return *key = "catalog.csv.bad_boolean", NULL;
        return json_boolean(b);
    }
    }
}

/* The object of a record from the data columns of its table. Problems go
 * to rep with code as the item. */
static json_t *build_object(struct reader *r, struct csv *c, const struct rec *rec,
                            const char *code)
{
    json_t *obj = json_object();
    size_t first = c->ncolumns;
    for (const struct column *col = tables[c->t].cols; col->name; col++)
        first--;
    for (size_t k = first; k < c->ncolumns; k++) {
        const struct column *col = &c->cols[k];
        if (c->at[k] < 0) continue;
        const struct cell *cell = &rec->cells[c->at[k]];
        const char *key = NULL;
        json_t *v = cell_value(cell, col->kind, &key);
        if (!v) {
            char arg[160];
            cell_arg(cell, arg, sizeof arg);
            report(r, c->t, rec->line, code, col->name, key, arg);
            continue;
        }
        if (col->kind == C_OBJ)
            set_new(obj, col->name, json_is_true(v) ? json_object() : json_null());
        else if (col->kind == C_LIST && json_is_true(v))
            set_new(obj, col->name, json_array());
        else if (col->kind != C_LIST && path_set(obj, col->name, v) && !json_is_null(v)) {
            char owner[64];
            const char *dot = strrchr(col->name, '.');
            snprintf(owner, sizeof owner, "%.*s",
                     (int)(dot ? (size_t)(dot - col->name) : strlen(col->name)), col->name);
            report(r, c->t, rec->line, code, col->name, "catalog.csv.values_without_object", owner);
        }
        json_decref(v);
    }
    return obj;
}

static void src_add_rec(struct catalog_csv_src *src, int s, long line)
{
    if (src->n[s] == src->cap[s]) {
        src->cap[s] = src->cap[s] ? src->cap[s] * 2 : 64;
        src->recs[s] = xrealloc(src->recs[s], src->cap[s] * sizeof *src->recs[s]);
    }
    src->recs[s][src->n[s]++] = (struct rec_src){line, NULL, 0, 0};
}

static void src_add_loc(struct rec_src *rs, char *path, int t, long line)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 8;
        rs->v = xrealloc(rs->v, rs->cap * sizeof *rs->v);
    }
    rs->v[rs->n++] = (struct loc){path, t, line};
}

static void read_main(struct reader *r, int s)
{
    struct csv *c = &r->csv[s];
    for (size_t i = 0; i < c->nrec; i++) {
        const struct rec *rec = &c->recs[i];
        char code[256];
        rec_code(c, rec, code, sizeof code);
        json_t *obj = build_object(r, c, rec, code);
        if (s == TB_ITEMS) {
            for (const char *const *l = item_lists_always; *l; l++)
                set_new(obj, *l, json_array());
            if (json_is_object(json_object_get(obj, "fee")))
                set_new(obj, "fee.items", json_array());
            if (json_is_object(json_object_get(obj, "result")))
                set_new(obj, "result.delivery", json_array());
        }
        json_array_append_new(r->arrays[s], obj);
        src_add_rec(r->src, s, rec->line);
    }
}

/* --- reading: child rows --- */

/* Items by (code, version), for the rows of the child tables. */
struct key {
    const char *code;
    json_int_t version;
    size_t index;
};

static int key_cmp(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    if (c) return c;
    if (x->version != y->version) return x->version < y->version ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* One row of a child table, waiting to be put in its list. */
struct child {
    size_t item;
    char *list; /* the list's member path in the item */
    json_int_t pos;
    long line;
    int t;
    json_t *val;
};

static int child_cmp(const void *a, const void *b)
{
    const struct child *x = a, *y = b;
    if (x->item != y->item) return x->item < y->item ? -1 : 1;
    int c = strcmp(x->list, y->list);
    if (c) return c;
    if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

struct children {
    struct child *v;
    size_t n, cap;
};

/* The list named by the "list" cell of item_lists.csv, or NULL. */
static char *list_name(const struct cell *c)
{
    for (const char *const *l = string_lists; *l; l++)
        if (c->len == strlen(*l) && !memcmp(c->s, *l, c->len)) return xstrdup(*l);
    static const char pre[] = "form_schema[", post[] = "].choices";
    size_t np = sizeof pre - 1, nq = sizeof post - 1;
    if (c->len > np + nq && !memcmp(c->s, pre, np) && !memcmp(c->s + c->len - nq, post, nq) &&
        c->len - np - nq <= 6 && is_digits(c->s + np, c->len - np - nq)) {
        return xasprintf("form_schema[%ld].choices", strtol(c->s + np, NULL, 10));
    }
    return NULL;
}

/* The cell of the key column named name in a record, or NULL. */
static const struct cell *key_cell(const struct csv *c, const struct rec *rec, const char *name)
{
    for (size_t k = 0; k < c->ncolumns; k++)
        if (!strcmp(c->cols[k].name, name)) return c->at[k] >= 0 ? &rec->cells[c->at[k]] : NULL;
    return NULL;
}

static void collect_children(struct reader *r, int t, const struct key *keys, size_t nkeys,
                             struct children *out)
{
    struct csv *c = &r->csv[t];
    for (size_t i = 0; i < c->nrec; i++) {
        const struct rec *rec = &c->recs[i];
        char code[256], arg[160];
        rec_code(c, rec, code, sizeof code);
        const struct cell *cc = key_cell(c, rec, "item_code");
        const struct cell *cv = key_cell(c, rec, "item_version");
        const struct cell *cp = key_cell(c, rec, "position");
        const struct cell *cl = t == TB_LISTS ? key_cell(c, rec, "list") : NULL;
        int bad = 0;
        json_int_t version = 0, pos = -1;
        if (!cc || !cv || !cp || (t == TB_LISTS && !cl))
            continue; /* a missing key column: reported with the header */
        if (cv->len && parse_int(cv->s, cv->len, &version) < 0) {
            cell_arg(cv, arg, sizeof arg);
            report(r, t, rec->line, code, "item_version", "catalog.csv.bad_integer", arg);
            bad = 1;
        }
        if (parse_int(cp->s, cp->len, &pos) < 0 || pos < 0) {
            cell_arg(cp, arg, sizeof arg);
            report(r, t, rec->line, code, "position", "catalog.csv.bad_position", arg);
            bad = 1;
        }
        char *list = cl ? list_name(cl) : xstrdup(tables[t].member);
        if (!list) {
            cell_arg(cl, arg, sizeof arg);
            report(r, t, rec->line, code, "list", "catalog.csv.unknown_list", arg);
            bad = 1;
        }
        const struct key *found = NULL;
        if (!bad) {
            struct key want = {code, version, 0};
            size_t lo = 0, hi = nkeys;
            /* the first item with this code and version */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (key_cmp(&keys[mid], &want) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < nkeys && cv->len && !strcmp(keys[lo].code, code) &&
                keys[lo].version == version && (size_t)cc->len == strlen(code))
                found = &keys[lo];
            if (!found) {
                if (snprintf(arg, sizeof arg, "%s %.*s", code, (int)cv->len, cv->s) >= (int)sizeof arg)
                    arg[sizeof arg - 2] = '~'; /* cut: a message, not data */
                report(r, t, rec->line, code, "item_code", "catalog.csv.unknown_item", arg);
                bad = 1;
            }
        }
        if (bad) {
            free(list);
            continue;
        }
        json_t *val;
        if (t == TB_LISTS) {
            const struct cell *cell = key_cell(c, rec, "value");
            val = cell ? cell_value(cell, C_STR, NULL) : json_null();
        } else {
            val = build_object(r, c, rec, code);
        }
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 256;
            out->v = xrealloc(out->v, out->cap * sizeof *out->v);
        }
        out->v[out->n++] = (struct child){found->index, list, pos, rec->line, t, val};
    }
}

/* Puts the collected rows in their lists, in the order of their positions,
 * and notes where each element came from. */
static void attach_children(struct reader *r, struct children *ch)
{
    if (ch->n) qsort(ch->v, ch->n, sizeof *ch->v, child_cmp);
    for (size_t k = 0; k < ch->n; k++) {
        struct child *x = &ch->v[k];
        json_t *item = json_array_get(r->arrays[TB_ITEMS], x->item);
        const char *code = json_string_value(json_object_get(item, "code"));
        json_t *arr = path_get(item, x->list);
        if (k > 0 && ch->v[k - 1].item == x->item && !strcmp(ch->v[k - 1].list, x->list) &&
            ch->v[k - 1].pos == x->pos) {
            char arg[32];
            snprintf(arg, sizeof arg, "%" JSON_INTEGER_FORMAT, x->pos);
            report(r, x->t, x->line, code, "position", "catalog.csv.repeated_position", arg);
        } else if (!json_is_array(arr)) {
            report(r, x->t, x->line, code, x->t == TB_LISTS ? "list" : "item_code",
                   "catalog.csv.orphan_row", x->list);
        } else {
            char *path = xasprintf("%s[%zu]", x->list, json_array_size(arr));
            json_array_append(arr, x->val);
            src_add_loc(&r->src->recs[TB_ITEMS][x->item], path, x->t, x->line);
        }
        json_decref(x->val);
    }
    for (size_t k = 0; k < ch->n; k++)
        free(ch->v[k].list);
    free(ch->v);
    memset(ch, 0, sizeof *ch);
}

size_t catalog_csv_read(const char *dir, struct catalog_report *rep, json_t **out,
                        struct catalog_csv_src **src)
{
    size_t errors0 = rep->errors;
    struct reader r = {.rep = rep, .src = xcalloc(1, sizeof *r.src)};
    for (int t = 0; t < N_TABLES; t++) {
        r.csv[t].t = t;
        csv_load(&r, &r.csv[t], dir);
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string(CATALOG_FORMAT));
    for (int s = TB_DEPTS; s <= TB_ITEMS; s++) {
        r.arrays[s] = json_array();
        json_object_set_new(doc, tables[s].member, r.arrays[s]);
        read_main(&r, s);
    }
    /* items by (code, version); the first of equal keys wins (a repeated key
     * is reported by catalog_doc_check) */
    json_t *items = r.arrays[TB_ITEMS];
    struct key *keys = xcalloc(json_array_size(items) + 1, sizeof *keys);
    size_t nkeys = 0, i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        json_t *code = json_object_get(e, "code"), *version = json_object_get(e, "version");
        if (json_is_string(code) && json_is_integer(version) &&
            strlen(json_string_value(code)) == json_string_length(code))
            keys[nkeys++] = (struct key){json_string_value(code), json_integer_value(version), i};
    }
    if (nkeys) qsort(keys, nkeys, sizeof *keys, key_cmp);
    /* lists of objects first: choices live in form_schema's objects */
    struct children ch = {0};
    for (int t = TB_ITEMS + 1; t < TB_LISTS; t++)
        collect_children(&r, t, keys, nkeys, &ch);
    attach_children(&r, &ch);
    collect_children(&r, TB_LISTS, keys, nkeys, &ch);
    attach_children(&r, &ch);
    free(keys);
    for (int t = 0; t < N_TABLES; t++) {
        arena_free(r.csv[t].a);
        free(r.csv[t].recs);
    }
    *out = doc;
    *src = r.src;
    return rep->errors - errors0;
}

/* --- locating --- */

void catalog_csv_locate(void *ctx, const char *section, size_t index, const char *field, char *file,
                        size_t filesz, long *line)
{
    struct catalog_csv_src *src = ctx;
    int s = -1;
    for (int k = TB_DEPTS; k <= TB_ITEMS; k++)
        if (section && !strcmp(section, tables[k].member)) s = k;
    if (!src || s < 0 || index >= src->n[s]) return;
    const struct rec_src *rs = &src->recs[s][index];
    const struct loc *best = NULL;
    size_t best_len = 0;
    if (!field) field = "";
    for (size_t k = 0; k < rs->n; k++) {
        size_t n = strlen(rs->v[k].path);
        if (n > best_len && !strncmp(field, rs->v[k].path, n) &&
            (field[n] == 0 || field[n] == '.' || field[n] == '[')) {
            best = &rs->v[k];
            best_len = n;
        }
    }
    snprintf(file, filesz, "%s", tables[best ? best->t : s].file);
    *line = best ? best->line : rs->line;
}

void catalog_csv_src_free(struct catalog_csv_src *src)
{
    if (!src) return;
    for (int s = 0; s < 3; s++) {
        for (size_t i = 0; i < src->n[s]; i++) {
            for (size_t k = 0; k < src->recs[s][i].n; k++)
                free(src->recs[s][i].v[k].path);
            free(src->recs[s][i].v);
        }
        free(src->recs[s]);
    }
    free(src);
}
