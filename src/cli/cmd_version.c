/**
 * @file cmd_version.c
 * @brief onehall version
 */
#include "cli/cli.h"
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>

int cmd_version(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: onehall version\n\nPrints the version of onehall and of its libraries.\n");
        return 0;
    }
    printf("onehall %s\n", ONEHALL_VERSION);
    printf("libmicrohttpd %s, jansson %s, sqlite %s, libsodium %s\n", MHD_get_version(),
           JANSSON_VERSION, sqlite3_libversion(), sodium_version_string());
    return 0;
}
