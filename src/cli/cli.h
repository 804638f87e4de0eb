/**
 * @file cli.h
 * @brief The onehall sub-commands. Each takes argc/argv starting at its own
 *        name and returns the process exit code (0 ok, 1 failure, 2 usage).
 */
#ifndef ONEHALL_CLI_H
#define ONEHALL_CLI_H
#include "app/app.h"
#include "core/config.h"
#include "core/i18n.h"
#include <stdio.h>

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/** The command table, NULL-terminated (defined in cli/commands.c). */
extern const struct cli_command cli_commands[];

/** An opened hall for an operator command. */
struct cli_hall {
    struct config cfg;
    struct app_ctx app;
    struct store_conn *conn;
};

/** Reads the settings from argv (known flags removed) and opens the hall's
 *  database, migrated. Returns 0, or the exit code after saying why
 *  (2 bad settings, 1 database unavailable). */
int cli_hall_open(const char *cmd, int *argc, char **argv, struct cli_hall *h);
void cli_hall_close(struct cli_hall *h);

/** True when argv holds -h or --help (anywhere after the command name). */
int cli_wants_help(int argc, char **argv);
struct catalog_report;
/** Prints a catalog report, one "file:line: error: item field: message" per
 *  problem, in lang. */
void cli_print_problems(FILE *out, enum lang lang, const struct catalog_report *rep);
#endif
