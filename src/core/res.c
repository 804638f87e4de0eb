/**
 * @file res.c
 * @brief Lookup in the generated resource table.
 */
#include "core/res.h"
#include <string.h>

const struct res *res_find(const char *path)
{
    size_t lo = 0, hi = res_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, res_table[mid].path);
        if (c == 0)
            return &res_table[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

void res_each(const char *prefix, void (*fn)(const struct res *r, void *ctx), void *ctx)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < res_count; i++)
        if (strncmp(res_table[i].path, prefix, n) == 0)
            fn(&res_table[i], ctx);
}
