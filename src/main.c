/**
 * @file main.c
 * @brief onehall: one program, sub-commands for operators.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/i18n.h"
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: onehall COMMAND [OPTIONS]\n\nCommands:\n");
    for (const struct cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\nRun 'onehall COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        argv[1] = "version";
    if (clock_init_from_env() < 0) {
        fprintf(stderr, "onehall: ONEHALL_NOW is not an ISO 8601 instant\n");
        return 2;
    }
    if (i18n_init() < 0)
        return 1;
    for (const struct cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "onehall: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
