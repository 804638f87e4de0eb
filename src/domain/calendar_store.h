/**
 * @file calendar_store.h
 * @brief Calendar years loaded after the build, kept in the database so
 *        that every process of the hall, and every restart, knows them.
 */
#ifndef ONEHALL_CALENDAR_STORE_H
#define ONEHALL_CALENDAR_STORE_H
#include "core/err.h"
#include <stddef.h>
#include <stdint.h>

struct store_conn;

/** Adds every stored year to the in-process calendar (a stored year
 *  replaces a built-in one: it is the operator's correction). 0 or < 0. */
int calendar_store_load_all(struct store_conn *c, struct err *e);

/** Validates a year file (JSON as in data/calendar/YYYY.json), checks it
 *  against the loaded calendar, stores it and adds it. Refused with nothing
 *  changed: invalid (ERR_INVALID), a year already loaded (ERR_CONFLICT)
 *  unless replace. *year receives the year. */
int calendar_store_add(struct store_conn *c, const char *json, size_t len, int replace,
                       int64_t actor_id, const char *ip, int *year, struct err *e);
#endif
