/**
 * @file test_config.c
 * @brief Settings come from flags, then environment, then the config file,
 *        then defaults; bad values are refused with a message.
 */
#include "core/config.h"
#include "testlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *write_conf(const char *dir, const char *text)
{
    char *path = malloc(512);
    snprintf(path, 512, "%s/onehall.conf", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_defaults(void **state)
{
    unsetenv("ONEHALL_LISTEN");
    unsetenv("ONEHALL_CONFIG");
    char *argv[] = {"serve", "--data", "/nonexistent-onehall", NULL};
    int argc = 3;
    struct config cfg;
    char err[256];
    assert_int_equal(config_load(&cfg, &argc, argv, err, sizeof err), 0);
    assert_string_equal(cfg.listen, "127.0.0.1:8080");
    assert_string_equal(cfg.data_dir, "/nonexistent-onehall");
    assert_int_equal(cfg.max_body, 1048576);
    assert_int_equal(argc, 1);
    config_free(&cfg);
}

static void test_precedence(void **state)
{
    char *dir = test_tmpdir();
    char *path = write_conf(dir, "# comment\nlisten = 127.0.0.1:7000\ntimeout = 5\n"
                                 "max-per-ip = 9\n");
    setenv("ONEHALL_TIMEOUT", "6", 1);
    setenv("ONEHALL_MAX_PER_IP", "10", 1);
    char *argv[] = {"serve", "--data", dir, "--max-per-ip=11", "extra", NULL};
    int argc = 5;
    struct config cfg;
    char err[256];
    assert_int_equal(config_load(&cfg, &argc, argv, err, sizeof err), 0);
    assert_string_equal(cfg.listen, "127.0.0.1:7000"); /* file */
    assert_int_equal(cfg.timeout_s, 6);                /* env beats file */
    assert_int_equal(cfg.max_per_ip, 11);              /* flag beats env */
    assert_non_null(cfg.config_file);
    assert_int_equal(argc, 2); /* unknown words stay for the sub-command */
    assert_string_equal(argv[1], "extra");
    config_free(&cfg);
    unsetenv("ONEHALL_TIMEOUT");
    unsetenv("ONEHALL_MAX_PER_IP");
    test_rmrf(dir);
    free(path);
    free(dir);
}

static void test_bad_values(void **state)
{
    char *dir = test_tmpdir();
    char err[256];
    struct config cfg;
    char *argv1[] = {"serve", "--data", dir, "--threads", "many", NULL};
    int argc = 5;
    assert_int_equal(config_load(&cfg, &argc, argv1, err, sizeof err), -1);
    assert_non_null(strstr(err, "threads"));
    config_free(&cfg);

    char *path = write_conf(dir, "lisen = 1.2.3.4:5\n");
    char *argv2[] = {"serve", "--data", dir, NULL};
    argc = 3;
    assert_int_equal(config_load(&cfg, &argc, argv2, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1"));
    assert_non_null(strstr(err, "lisen"));
    config_free(&cfg);

    char *argv3[] = {"serve", "--listen", NULL};
    argc = 2;
    assert_int_equal(config_load(&cfg, &argc, argv3, err, sizeof err), -1);
    config_free(&cfg);
    test_rmrf(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
