/**
 * @file cli.h
 * @brief The onehall sub-commands. Each takes argc/argv starting at its own
 *        name and returns the process exit code (0 ok, 1 failure, 2 usage).
 */
#ifndef ONEHALL_CLI_H
#define ONEHALL_CLI_H

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/** The command table, NULL-terminated (defined in cli/commands.c). */
extern const struct cli_command cli_commands[];

/** True when argv holds -h or --help (anywhere after the command name). */
int cli_wants_help(int argc, char **argv);
#endif
