/**
 * @file catalog.h
 * @brief The catalog model: service items in the exchange format
 *        (docs/catalog-format.md, "onehall-catalog/1") checked as a whole,
 *        carded for completeness and consistency, and graded by depth of
 *        online service (docs/catalog.md).
 *
 * An item is kept as its JSON object, exactly as it is exchanged: that is
 * what makes import and export lossless. This module only reads it.
 */
#ifndef ONEHALL_CATALOG_H
#define ONEHALL_CATALOG_H
#include <jansson.h>
#include <stddef.h>

#define CATALOG_FORMAT "onehall-catalog/1"

/** Depth of online service (docs/catalog.md "Depth"). 0: the guide is not
 *  complete (fails carding); 1: the complete guide is online; 2: applied for
 *  online, at most two visits; 3: at most one; 4: none. */
enum { CATALOG_LEVEL_MAX = 4 };

/** Channel bits (the "channels" member). */
enum catalog_channel {
    CH_ONLINE = 1u << 0,
    CH_MOBILE = 1u << 1,
    CH_KIOSK = 1u << 2,
    CH_COUNTER = 1u << 3,
    CH_POST = 1u << 4,
};

/** One problem found in a document or an item. */
struct catalog_problem {
    int error;         /**< 1 an error (refuses import / publishing), 0 a warning */
    char file[64];     /**< source file, "" when not from a file */
    long line;         /**< 1-based line in file, 0 when unknown */
    char item[64];     /**< item or department code, "" when none */
    char field[160];   /**< path inside the record: "fee.items[0].amount_fen" */
    char key[64];      /**< translation key of the message (i18n/<lang>/catalog.txt) */
    char arg[160];     /**< substituted for "{}" in the message */
};

struct catalog_report {
    struct catalog_problem *v;
    size_t n, cap;
    size_t errors, warnings;
};

/** Where a record of a document came from, for problems. section is
 *  "departments", "halls" or "items"; index its position in that array; field
 *  the path inside it (may name a child row: "materials[2].copies"). Fills
 *  file and line (leave them as they are when unknown). */
typedef void (*catalog_locate_fn)(void *ctx, const char *section, size_t index,
                                  const char *field, char *file, size_t filesz, long *line);

void catalog_report_free(struct catalog_report *rep);
/** Adds a problem (printf-free: arg is substituted when the message is shown). */
void catalog_report_add(struct catalog_report *rep, int error, const char *item,
                        const char *field, const char *key, const char *arg);

/** Checks the form of one item object: members known and of the right type,
 *  codes and enumerations valid, no negative fee, time limits valid. Problems
 *  go to rep (with item's code). Returns the number of errors found. */
size_t catalog_item_check(json_t *item, struct catalog_report *rep);

/** Carding: completeness and consistency of one well-formed item (legal basis,
 *  time limits, materials, fee statement, contacts, channels; contradictions
 *  such as a promised limit longer than the statutory one). Errors keep the
 *  item from being published; a missing promised limit is a warning. Returns
 *  the number of errors. */
size_t catalog_item_card(json_t *item, struct catalog_report *rep);

/** Depth level 0..4 of a well-formed item (0 when carding finds an error). */
int catalog_item_level(json_t *item);

/** The channel bits of an item. */
unsigned catalog_item_channels(json_t *item);

/** Checks a whole exchange document: its format tag, departments (codes
 *  unique, parents known), halls, items (catalog_item_check, codes unique per
 *  version, departments and halls known, published items carded). locate (may
 *  be NULL) places each problem in its file and line. Returns the number of
 *  errors; the document is importable when 0. */
size_t catalog_doc_check(json_t *doc, struct catalog_report *rep, catalog_locate_fn locate,
                         void *locate_ctx);

/** A locator for a JSON text: finds the line where each element of the
 *  document's top-level arrays starts. Build with catalog_json_lines_new on
 *  the very text that was parsed; pass catalog_json_locate and it. */
struct catalog_json_lines;
struct catalog_json_lines *catalog_json_lines_new(const char *file, const char *text, size_t len);
void catalog_json_lines_free(struct catalog_json_lines *jl);
void catalog_json_locate(void *ctx, const char *section, size_t index, const char *field,
                         char *file, size_t filesz, long *line);

/** A copy of item with its members in the format's order (nested objects
 *  too), status set to status (left out when NULL). Two items that differ only
 *  in member order have the same canonical form. */
json_t *catalog_item_canonical(json_t *item, const char *status);
json_t *catalog_department_canonical(json_t *dept);
json_t *catalog_hall_canonical(json_t *hall);

/** What lists and the search need of an item, computed once when it is
 *  stored (catalog_items.summary) so the serving view never parses whole
 *  items: code, version, name, short_name, department, region, type,
 *  target, handling, level, channels, themes, keywords, visits, free,
 *  time_limit, effective_from. */
json_t *catalog_item_summary(json_t *item);

/** The names of the item members that differ between two versions (version,
 *  status and effective date left out), in the format's order. */
json_t *catalog_item_changes(json_t *older, json_t *newer);

/** Valid values, for forms and CSV. NULL-terminated. */
extern const char *const catalog_item_types[];   /* "01".."10", "20", "30" */
extern const char *const catalog_themes[];
extern const char *const catalog_channels[];     /* in enum catalog_channel bit order */
#endif
