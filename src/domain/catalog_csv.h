/**
 * @file catalog_csv.h
 * @brief The catalog exchange document ("onehall-catalog/1") as a directory
 *        of CSV files, one per table (docs/catalog-csv.md), both ways and
 *        losslessly: JSON -> CSV -> JSON gives the same canonical document.
 *
 * Reading reports every problem of form with its file, line and column, and
 * gives a locator so that the problems that catalog_doc_check finds in the
 * document read back are placed on the CSV row that holds the value.
 */
#ifndef ONEHALL_CATALOG_CSV_H
#define ONEHALL_CATALOG_CSV_H
#include "domain/catalog.h"
#include <stddef.h>

/** Writes doc (a valid exchange document) as CSV files into dir (created,
 *  mode 0700, if missing). Each file is written to a temporary file in dir,
 *  fsynced and renamed over the old one only when all of them are written,
 *  then dir is fsynced; on failure the old files are left as they were.
 *  Returns 0, or -1 with a message for people in errbuf. */
int catalog_csv_write(json_t *doc, const char *dir, char *errbuf, size_t errlen);

/** Where the rows of a document read from CSV came from. */
struct catalog_csv_src;

/** Reads the CSV files of dir back into an exchange document.
 *
 *  Every problem of form (a missing file, an unknown, repeated or missing
 *  column, a bad boolean, integer, number or position, a child row for an
 *  unknown item or list, malformed quoting, a wrong number of cells, invalid
 *  UTF-8) is added to rep as an error with its file ("items.csv"), the
 *  physical line where the record starts and the column name as field; the
 *  reading goes on to list every problem.
 *
 *  *out always receives a document and *src a locator, both for the caller
 *  to free (json_decref, catalog_csv_src_free). When errors were found the
 *  document is incomplete and must not be imported; otherwise pass it to
 *  catalog_doc_check(doc, rep, catalog_csv_locate, *src).
 *
 *  Returns the number of errors added (0 = *out is usable). */
size_t catalog_csv_read(const char *dir, struct catalog_report *rep, json_t **out,
                        struct catalog_csv_src **src);

/** A catalog_locate_fn for a document read by catalog_csv_read (ctx is its
 *  struct catalog_csv_src): maps section/index/field to the CSV file and the
 *  line of the row that holds the field - the child table row when field names
 *  an element of a list kept in a child table ("materials[2].copies",
 *  "fee.items[0].amount_fen", "themes[1]", "form_schema[0].choices[2]"), else
 *  the record's row in departments.csv, halls.csv or items.csv. */
void catalog_csv_locate(void *ctx, const char *section, size_t index, const char *field, char *file,
                        size_t filesz, long *line);

/** Frees a locator (NULL is fine). */
void catalog_csv_src_free(struct catalog_csv_src *src);
#endif
