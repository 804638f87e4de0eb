/**
 * @file testlib.c
 * @brief Helpers shared by the tests.
 */
#include "testlib.h"
#include "core/fs.h"
#include <dirent.h>
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

int test_dir_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}
