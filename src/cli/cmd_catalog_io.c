/**
 * @file cmd_catalog_io.c
 * @brief onehall import / onehall export: the whole catalog as one JSON
 *        document (docs/catalog-format.md) or as CSV, one file per table
 *        (docs/catalog-csv.md). An import is checked as a whole and changes
 *        nothing unless all of it is valid; every problem is printed with
 *        its file, line and field.
 */
#include "cli/cli.h"
#include "core/fs.h"
#include "core/i18n.h"
#include "domain/catalog.h"
#include "domain/catalog_csv.h"
#include "domain/catalog_store.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest JSON document import reads (the demo catalog is ~20 MB). */
#define MAX_IMPORT (512u << 20)

void cli_print_problems(FILE *out, enum lang lang, const struct catalog_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const struct catalog_problem *p = &rep->v[i];
        char msg[512];
        trf(lang, p->key, p->arg, msg, sizeof msg);
        if (p->file[0])
            fprintf(out, "%s:%ld: ", p->file, p->line);
        fprintf(out, "%s: %s%s%s%s%s\n", p->error ? "error" : "warning", p->item,
                p->item[0] ? " " : "", p->field, p->field[0] || p->item[0] ? ": " : "", msg);
    }
}

/* Pulls "--csv DIR", "--lang L" and the file argument out of argv; the
 * settings ("--name VALUE" or "--name=VALUE") stay for config_load. */
static int take_opts(int *argc, char **argv, const char **csv, const char **file, enum lang *lang)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--csv") && i + 1 < *argc) {
            *csv = argv[++i];
        } else if (!strcmp(a, "--lang") && i + 1 < *argc) {
            int l = lang_parse(argv[++i]);
            if (l < 0)
                return -1;
            *lang = (enum lang)l;
        } else if (a[0] == '-' && a[1]) {
            argv[out++] = argv[i];
            if (!strchr(a, '=') && i + 1 < *argc)
                argv[out++] = argv[++i];
        } else if (!*file) {
            *file = a;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int cmd_import(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: onehall import FILE.json [--lang zh-CN|en] [settings]\n"
               "       onehall import --csv DIR [--lang zh-CN|en] [settings]\n\n"
               "Imports a whole catalog (docs/catalog-format.md, docs/catalog-csv.md).\n"
               "It is checked as a whole first; when anything is wrong every problem is\n"
               "listed with its file, line and field, and nothing changes.\n"
               "FILE may be - for standard input.\n");
        return 0;
    }
    const char *csv = NULL, *file = NULL;
    enum lang lang = LANG_ZH;
    if (take_opts(&argc, argv, &csv, &file, &lang) < 0 || (!csv == !file)) {
        fprintf(stderr, "usage: onehall import FILE.json | --csv DIR (see --help)\n");
        return 2;
    }
    struct catalog_report rep = {0};
    json_t *doc = NULL;
    struct catalog_csv_src *src = NULL;
    struct catalog_json_lines *jl = NULL;
    catalog_locate_fn locate = NULL;
    void *locate_ctx = NULL;
    char *text = NULL;
    int rc = 1;
    if (csv) {
        if (catalog_csv_read(csv, &rep, &doc, &src) > 0 || !doc) {
            cli_print_problems(stderr, lang, &rep);
            fprintf(stderr, "onehall import: %zu errors in %s; nothing was imported\n",
                    rep.errors, csv);
            goto out;
        }
        locate = catalog_csv_locate;
        locate_ctx = src;
    } else {
        size_t len = 0;
        if (!strcmp(file, "-")) {
            struct buf b = BUF_INIT;
            char chunk[65536];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0 && b.len < MAX_IMPORT)
                buf_append(&b, chunk, got);
            len = b.len;
            text = buf_steal(&b);
        } else if (!(text = fs_read_file(file, MAX_IMPORT, &len))) {
            fprintf(stderr, "onehall import: cannot read %s: %s\n", file, strerror(errno));
            goto out;
        }
        json_error_t je;
        doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!doc) {
            fprintf(stderr, "%s:%d:%d: error: not valid JSON: %s\n", file, je.line, je.column,
                    je.text);
            goto out;
        }
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        jl = catalog_json_lines_new(base, text, len);
        locate = catalog_json_locate;
        locate_ctx = jl;
    }
    struct catalog_import_counts n;
    struct err e;
    struct cli_hall h;
    if ((rc = cli_hall_open("import", &argc, argv, &h)) != 0)
        goto out;
    if (catalog_import(h.conn, doc, 0, NULL, locate, locate_ctx, &rep, &n, &e) < 0) {
        cli_print_problems(stderr, lang, &rep);
        char msg[512];
        trf(lang, e.key[0] ? e.key : "err.internal-error", e.arg, msg, sizeof msg);
        fprintf(stderr, "onehall import: %s\n", msg);
        rc = 1;
    } else {
        cli_print_problems(stderr, lang, &rep); /* warnings */
        printf("imported: %ld departments, %ld halls; items: %ld added, %ld unchanged, "
               "%ld drafts replaced\n",
               n.departments, n.halls, n.items_added, n.items_unchanged, n.items_replaced);
        rc = 0;
    }
    cli_hall_close(&h);
out:
    catalog_report_free(&rep);
    catalog_json_lines_free(jl);
    catalog_csv_src_free(src);
    json_decref(doc);
    free(text);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: onehall export [FILE.json] [settings]\n"
               "       onehall export --csv DIR [settings]\n\n"
               "Writes the whole catalog, every version of every item, as JSON (to FILE or\n"
               "standard output) or as CSV files in DIR. Importing it into an empty hall\n"
               "and exporting again gives the same bytes.\n");
        return 0;
    }
    const char *csv = NULL, *file = NULL;
    enum lang lang = LANG_ZH;
    if (take_opts(&argc, argv, &csv, &file, &lang) < 0 || (csv && file)) {
        fprintf(stderr, "usage: onehall export [FILE.json] | --csv DIR (see --help)\n");
        return 2;
    }
    struct cli_hall h;
    int rc = cli_hall_open("export", &argc, argv, &h);
    if (rc)
        return rc;
    json_t *doc = catalog_export(h.conn);
    cli_hall_close(&h);
    if (!doc) {
        fprintf(stderr, "onehall export: cannot read the catalog\n");
        return 1;
    }
    rc = 0;
    if (csv) {
        char err[512];
        if (catalog_csv_write(doc, csv, err, sizeof err) < 0) {
            fprintf(stderr, "onehall export: %s\n", err);
            rc = 1;
        }
    } else {
        const size_t flags = JSON_INDENT(1) | JSON_PRESERVE_ORDER;
        FILE *out = file && strcmp(file, "-") ? fopen(file, "w") : stdout;
        if (!out || json_dumpf(doc, out, flags) < 0 || fputc('\n', out) == EOF ||
            fflush(out) != 0 || (out != stdout && fclose(out) != 0)) {
            fprintf(stderr, "onehall export: cannot write %s: %s\n", file ? file : "output",
                    strerror(errno));
            rc = 1;
        }
    }
    json_decref(doc);
    return rc;
}
