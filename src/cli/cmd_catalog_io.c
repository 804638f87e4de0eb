/**
 * @file cmd_catalog_io.c
 * @brief onehall import / onehall export (placeholder until the catalog lands)
 */
#include "cli/cli.h"
#include <stdio.h>

int cmd_import(int argc, char **argv)
{
    fprintf(stderr, "onehall import: the catalog is not built yet\n");
    return 1;
}

int cmd_export(int argc, char **argv)
{
    fprintf(stderr, "onehall export: the catalog is not built yet\n");
    return 1;
}
