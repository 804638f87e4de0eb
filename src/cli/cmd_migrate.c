/**
 * @file cmd_migrate.c
 * @brief onehall migrate: applies pending migrations and exits.
 */
#include "app/app.h"
#include "cli/cli.h"
#include "core/config.h"
#include "store/store.h"
#include <stdio.h>

int cmd_migrate(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: onehall migrate [--data DIR] [--db postgres://...]\n\n"
               "Applies the database migrations not yet applied and prints the schema version.\n");
        return 0;
    }
    struct cli_hall h;
    int rc = cli_hall_open("migrate", &argc, argv, &h);
    if (rc)
        return rc;
    printf("schema version %d\n", store_schema_version(h.conn));
    cli_hall_close(&h);
    return 0;
}
