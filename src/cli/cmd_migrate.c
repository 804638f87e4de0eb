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
    struct config cfg;
    char errbuf[512];
    if (config_load(&cfg, &argc, argv, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "onehall migrate: %s\n", errbuf);
        return 2;
    }
    struct app_ctx app;
    if (app_open(&cfg, 1, &app, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "onehall migrate: %s\n", errbuf);
        config_free(&cfg);
        return 1;
    }
    struct store_conn *c = store_acquire(app.store);
    printf("schema version %d\n", store_schema_version(c));
    store_release(c);
    app_close(&app);
    config_free(&cfg);
    return 0;
}
