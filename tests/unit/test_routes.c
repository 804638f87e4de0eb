/**
 * @file test_routes.c
 * @brief The route table and the OpenAPI document agree: every API route is
 *        described with its method, every route declares who may call it.
 */
#include "app/app.h"
#include "core/res.h"
#include "testlib.h"
#include <ctype.h>
#include <jansson.h>
#include <string.h>

static void test_every_route_declares_access(void **state)
{
    for (size_t i = 0; i < app_nroutes; i++)
        if (app_routes[i].access == 0)
            fail_msg("%s %s refuses everyone: give it an access mask", app_routes[i].method,
                     app_routes[i].pattern);
}

static void test_api_routes_documented(void **state)
{
    const struct res *doc = res_find("data/openapi.json");
    assert_non_null(doc);
    json_error_t je;
    json_t *j = json_loadb((const char *)doc->data, doc->len, 0, &je);
    assert_non_null(j);
    json_t *paths = json_object_get(j, "paths");
    for (size_t i = 0; i < app_nroutes; i++) {
        const struct route *rt = &app_routes[i];
        if (strncmp(rt->pattern, "/api/", 5) != 0 && strcmp(rt->pattern, "/healthz") != 0)
            continue;
        json_t *p = json_object_get(paths, rt->pattern);
        if (!p)
            fail_msg("%s is not in the OpenAPI document", rt->pattern);
        char m[16];
        size_t n = strlen(rt->method);
        for (size_t k = 0; k <= n && k < sizeof m; k++)
            m[k] = (char)tolower((unsigned char)rt->method[k]);
        if (!json_object_get(p, m))
            fail_msg("%s %s is not in the OpenAPI document", rt->method, rt->pattern);
    }
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_declares_access),
        cmocka_unit_test(test_api_routes_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
