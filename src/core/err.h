/**
 * @file err.h
 * @brief Errors as values: a stable code from one registry (errors.def), the
 *        field at fault, and a translation key for the detail. Library code
 *        fills a struct err and returns a negative code; the HTTP layer turns
 *        it into problem+json or an error page in one place.
 */
#ifndef ONEHALL_ERR_H
#define ONEHALL_ERR_H

enum err_code {
#define ERR(name, slug, status) ERR_##name,
#include "core/errors.def"
#undef ERR
    ERR__COUNT
};

struct err {
    enum err_code code;
    char field[64]; /**< request field at fault, "" when none */
    char key[64];   /**< translation key of the detail; "" means use the title */
    char arg[256];  /**< substituted for "{}" in the translated detail */
};

/** Fills e (when not NULL) and returns -code, so callers can `return err_set(...)`. */
int err_set(struct err *e, enum err_code code, const char *field, const char *key,
            const char *arg);
int err_status(enum err_code code);
const char *err_slug(enum err_code code);
/** Clears e to ERR_OK. */
void err_clear(struct err *e);
#endif
