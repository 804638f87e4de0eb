/**
 * @file cmd_calendar.c
 * @brief onehall calendar (placeholder until the working-day engine lands)
 */
#include "cli/cli.h"
#include <stdio.h>

int cmd_calendar(int argc, char **argv)
{
    fprintf(stderr, "onehall calendar: not built yet\n");
    return 1;
}
