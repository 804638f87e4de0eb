/**
 * @file commands.c
 * @brief The table of sub-commands: one place, one line each.
 */
#include "cli/cli.h"
#include <string.h>

int cmd_audit(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_version(int argc, char **argv);

const struct cli_command cli_commands[] = {
    {"serve", "serve the hall over HTTP", cmd_serve},
    {"migrate", "apply database migrations", cmd_migrate},
    {"demo", "load the demo data", cmd_demo},
    {"import", "import the catalog (JSON or CSV), all or nothing", cmd_import},
    {"export", "export the catalog as JSON or CSV", cmd_export},
    {"user", "create, list, disable accounts; grant roles", cmd_user},
    {"audit", "verify the audit trail", cmd_audit},
    {"calendar", "working-day calendar: due dates, working days, load a year", cmd_calendar},
    {"version", "print the version", cmd_version},
    {NULL, NULL, NULL},
};

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}
