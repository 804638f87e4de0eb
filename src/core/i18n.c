/**
 * @file i18n.c
 * @brief Translation catalogs: parsed once into sorted arrays, looked up by
 *        binary search. Read-only after i18n_init, so threads share them.
 */
#include "core/i18n.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/res.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
    char *key;
    char *text;
};

static struct catalog {
    struct entry *v;
    unsigned n;
} catalogs[LANG__COUNT];

/* Each language's texts may be split over several files, one per module:
 * i18n/zh-CN.txt and i18n/zh-CN/NAME.txt (likewise for en). */
static const char *prefixes[LANG__COUNT] = {"i18n/zh-CN", "i18n/en"};

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *end = 0;
    return s;
}

/* Unescapes "\n" and "\\" in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] == 'n') {
            *w++ = '\n';
            r++;
        } else if (r[0] == '\\' && r[1] == '\\') {
            *w++ = '\\';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = 0;
}

struct load_ctx {
    enum lang lang;
    unsigned cap;
    int failed;
};

static void load_file(const struct res *r, void *arg)
{
    struct load_ctx *ctx = arg;
    /* "i18n/en" must not pick up a hypothetical "i18n/enx.txt". */
    const char *rest = r->path + strlen(prefixes[ctx->lang]);
    if (strcmp(rest, ".txt") != 0 && rest[0] != '/')
        return;
    char *copy = xstrndup((const char *)r->data, r->len);
    struct catalog *c = &catalogs[ctx->lang];
    int lineno = 0;
    for (char *line = copy, *next; line && *line; line = next) {
        lineno++;
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        char *end = nl ? nl : line + strlen(line);
        char *eq = memchr(line, '=', (size_t)(end - line));
        char *k = line;
        while (k < end && (*k == ' ' || *k == '\t'))
            k++;
        if (k == end || *k == '#' || *k == '\r')
            continue;
        if (!eq) {
            log_error("i18n: %s:%d: no '='", r->path, lineno);
            ctx->failed = 1;
            continue;
        }
        char *key = trim(k, eq);
        char *text = trim(eq + 1, end);
        unescape(text);
        if (c->n == ctx->cap) {
            ctx->cap = ctx->cap ? ctx->cap * 2 : 256;
            c->v = xrealloc(c->v, ctx->cap * sizeof *c->v);
        }
        c->v[c->n].key = xstrdup(key);
        c->v[c->n].text = xstrdup(text);
        c->n++;
    }
    free(copy);
}

static int load(enum lang lang)
{
    struct load_ctx ctx = {lang, 0, 0};
    res_each(prefixes[lang], load_file, &ctx);
    struct catalog *c = &catalogs[lang];
    if (ctx.failed || c->n == 0) {
        log_error("i18n: the %s texts are missing or malformed", lang_tag(lang));
        return -1;
    }
    qsort(c->v, c->n, sizeof *c->v, cmp_entry);
    for (unsigned i = 1; i < c->n; i++)
        if (strcmp(c->v[i - 1].key, c->v[i].key) == 0) {
            log_error("i18n: %s: key %s defined twice", lang_tag(lang), c->v[i].key);
            return -1;
        }
    return 0;
}

int i18n_init(void)
{
    if (catalogs[LANG_ZH].v)
        return 0;
    for (int l = 0; l < LANG__COUNT; l++)
        if (load((enum lang)l) < 0)
            return -1;
    return 0;
}

static const char *lookup(enum lang lang, const char *key)
{
    struct catalog *c = &catalogs[lang];
    struct entry probe = {(char *)key, NULL};
    struct entry *e = c->v ? bsearch(&probe, c->v, c->n, sizeof *c->v, cmp_entry) : NULL;
    return e ? e->text : NULL;
}

const char *tr(enum lang lang, const char *key)
{
    if ((unsigned)lang >= LANG__COUNT)
        lang = LANG_ZH;
    const char *t = lookup(lang, key);
    if (!t && lang != LANG_ZH)
        t = lookup(LANG_ZH, key);
    return t ? t : key;
}

const char *trf(enum lang lang, const char *key, const char *arg, char *out, unsigned n)
{
    const char *t = tr(lang, key);
    const char *hole = strstr(t, "{}");
    if (!hole)
        snprintf(out, n, "%s", t);
    else
        snprintf(out, n, "%.*s%s%s", (int)(hole - t), t, arg ? arg : "", hole + 2);
    return out;
}

const char *lang_tag(enum lang lang)
{
    return lang == LANG_EN ? "en" : "zh-CN";
}

int lang_parse(const char *tag)
{
    if (!tag)
        return -1;
    if (strncasecmp(tag, "zh", 2) == 0 && (tag[2] == 0 || tag[2] == '-' || tag[2] == '_'))
        return LANG_ZH;
    if (strncasecmp(tag, "en", 2) == 0 && (tag[2] == 0 || tag[2] == '-' || tag[2] == '_'))
        return LANG_EN;
    return -1;
}

enum lang lang_from_accept(const char *h)
{
    /* The first listed language we have wins; q-values are in practice
     * ordered by browsers, so order is enough here. */
    while (h && *h) {
        while (*h == ' ' || *h == ',')
            h++;
        char tag[16];
        size_t n = strcspn(h, ",;");
        snprintf(tag, sizeof tag, "%.*s", (int)(n < 15 ? n : 15), h);
        int l = lang_parse(tag);
        if (l >= 0)
            return (enum lang)l;
        h = strchr(h, ',');
    }
    return LANG_ZH;
}

unsigned i18n_count(enum lang lang)
{
    return catalogs[lang].n;
}

const char *i18n_key_at(enum lang lang, unsigned i)
{
    return i < catalogs[lang].n ? catalogs[lang].v[i].key : NULL;
}
