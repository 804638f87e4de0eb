/**
 * @file router.c
 * @brief Matches method + path against the route table. Patterns are split
 *        on "/"; "{name}" binds one segment, "{name*}" the rest of the path.
 */
#include "http/http_priv.h"
#include <string.h>

/* Matches one pattern; on success prepends bound parameters to r->priv->params. */
static int match(struct http_req *r, const char *pat, const char *path)
{
    struct kv *bound = NULL;
    while (*pat && *path) {
        if (*pat == '{') {
            const char *close = strchr(pat, '}');
            if (!close)
                return 0;
            int rest = close[-1] == '*';
            size_t nlen = (size_t)(close - pat - 1 - rest);
            size_t vlen = rest ? strlen(path) : strcspn(path, "/");
            if (vlen == 0)
                return 0;
            struct kv *p = arena_alloc(r->arena, sizeof *p);
            p->name = arena_strndup(r->arena, pat + 1, nlen);
            p->value = arena_strndup(r->arena, path, vlen);
            p->next = bound;
            bound = p;
            pat = close + 1;
            path += vlen;
            continue;
        }
        if (*pat != *path)
            return 0;
        pat++;
        path++;
    }
    if (*pat || *path)
        return 0;
    if (bound) {
        struct kv *last = bound;
        while (last->next)
            last = last->next;
        last->next = r->priv->params;
        r->priv->params = bound;
    }
    return 1;
}

const struct route *router_match(struct http_req *r, const struct route *routes, size_t n,
                                 int *status)
{
    int path_matched = 0;
    int is_head = strcmp(r->method, "HEAD") == 0;
    for (size_t i = 0; i < n; i++) {
        struct kv *saved = r->priv->params;
        if (!match(r, routes[i].pattern, r->path))
            continue;
        if (strcmp(routes[i].method, r->method) == 0 ||
            (is_head && strcmp(routes[i].method, "GET") == 0)) {
            *status = 0;
            return &routes[i];
        }
        r->priv->params = saved;
        path_matched = 1;
    }
    *status = path_matched ? 405 : 404;
    return NULL;
}
