/**
 * @file catalog_demo.h
 * @brief The demo catalog: a whole "onehall-catalog/1" document for Foshan
 *        (157 departments, 6 halls, 5,349 published items) generated from
 *        built-in word lists, the same for the same seed (docs/catalog-demo.md).
 */
#ifndef ONEHALL_CATALOG_DEMO_H
#define ONEHALL_CATALOG_DEMO_H
#include <jansson.h>

/** The figures of the demo catalog; tests and docs rely on them. */
enum {
    CATALOG_DEMO_DEPARTMENTS = 157,
    CATALOG_DEMO_HALLS = 6,
    CATALOG_DEMO_ITEMS = 5349,
};

/** The seed `onehall demo` uses when none is given. */
#define CATALOG_DEMO_SEED 20260101UL

/** Builds the demo exchange document {"format", "departments", "halls",
 *  "items"}. Department, hall and item codes and item names do not depend on
 *  seed; what varies with it is which items get which depth of online
 *  service, their time limits, windows, commitments and preferences. The
 *  document passes catalog_doc_check with no errors, and every item's
 *  catalog_item_level is at least 1. The caller owns the result
 *  (json_decref); NULL only when jansson runs out of memory. */
json_t *catalog_demo_build(unsigned long seed);
#endif
