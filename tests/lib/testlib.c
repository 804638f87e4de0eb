/**
 * @file testlib.c
 * @brief Helpers shared by the tests.
 */
#include "testlib.h"
#include "core/fs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *test_tmpdir(void)
{
    char tmpl[] = "/tmp/onehall-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

void test_rmrf(const char *dir)
{
    if (!dir || strncmp(dir, "/tmp/", 5) != 0) return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

char *test_read_file(const char *path)
{
    char *s = fs_read_file(path, (size_t)1 << 30, NULL);
    if (!s) fail_msg("cannot read %s", path);
    return s;
}
