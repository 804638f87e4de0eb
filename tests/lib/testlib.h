/**
 * @file testlib.h
 * @brief Helpers shared by the tests (cmocka).
 */
#ifndef ONEHALL_TESTLIB_H
#define ONEHALL_TESTLIB_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/** Makes a fresh directory under /tmp; caller frees the string. */
char *test_tmpdir(void);
/** Removes a directory made by test_tmpdir, recursively. */
void test_rmrf(const char *dir);
/** The whole file, NUL-terminated (caller frees); fails the test when it
 *  cannot be read. */
char *test_read_file(const char *path);
/** Entries of a directory besides . and ..; -1 when it cannot be read. */
int test_dir_entries(const char *path);
#endif
