/**
 * @file err.c
 * @brief The error registry.
 */
#include "core/err.h"
#include <stdio.h>
#include <string.h>

static const struct {
    const char *slug;
    int status;
} registry[] = {
#define ERR(name, slug, status) {slug, status},
#include "core/errors.def"
#undef ERR
};

int err_set(struct err *e, enum err_code code, const char *field, const char *key,
            const char *arg)
{
    if (e) {
        e->code = code;
        snprintf(e->field, sizeof e->field, "%s", field ? field : "");
        snprintf(e->key, sizeof e->key, "%s", key ? key : "");
        snprintf(e->arg, sizeof e->arg, "%s", arg ? arg : "");
    }
    return -(int)code;
}

void err_clear(struct err *e)
{
    memset(e, 0, sizeof *e);
}

int err_status(enum err_code code)
{
    return (unsigned)code < ERR__COUNT ? registry[code].status : 500;
}

const char *err_slug(enum err_code code)
{
    return (unsigned)code < ERR__COUNT ? registry[code].slug : "internal-error";
}
