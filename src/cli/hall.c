/**
 * @file hall.c
 * @brief What the operator commands share: reading the settings and opening
 *        the hall's database (migrated) with one connection.
 */
#include "cli/cli.h"
#include "store/store.h"
#include <stdio.h>

int cli_hall_open(const char *cmd, int *argc, char **argv, struct cli_hall *h)
{
    char errbuf[512];
    if (config_load(&h->cfg, argc, argv, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "onehall %s: %s\n", cmd, errbuf);
        config_free(&h->cfg);
        return 2;
    }
    if (app_open(&h->cfg, 1, &h->app, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "onehall %s: %s\n", cmd, errbuf);
        config_free(&h->cfg);
        return 1;
    }
    h->conn = store_acquire(h->app.store);
    return 0;
}

void cli_hall_close(struct cli_hall *h)
{
    if (h->conn)
        store_release(h->conn);
    h->conn = NULL;
    app_close(&h->app);
    config_free(&h->cfg);
}
