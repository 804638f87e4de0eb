/**
 * @file config.h
 * @brief Configuration of the program, from (highest first) command-line
 *        flags, environment variables ONEHALL_<NAME>, an optional config
 *        file ("name = value" lines), and defaults. docs/configuration.md
 *        lists every setting.
 */
#ifndef ONEHALL_CONFIG_H
#define ONEHALL_CONFIG_H
#include <stddef.h>

struct config {
    char *listen;
    char *data_dir;
    char *db_url;
    char *config_file;
    int threads;
    long max_body;
    long max_upload;
    long max_header;
    int max_conns;
    int max_per_ip;
    int timeout_s;
    char *tls_cert;
    char *tls_key;
    int trust_proxy;
    char *access_log;
    char *log_level;
    int hash_concurrency;
    int session_idle_s;
    int session_max_s;
    /* notifications (docs/notifications.md) */
    char *smtp_url;
    char *smtp_from;
    char *smtp_user;
    char *smtp_password;
    char *sms_sender;
    int outbox_interval_s;
    int outbox_give_up_s;
};

/** Fills cfg from all sources. Flags it knows are removed from argv (argc
 *  updated); the rest stay for the sub-command, argv[0] first. Returns 0, or
 *  -1 with a message in errbuf. */
int config_load(struct config *cfg, int *argc, char **argv, char *errbuf, size_t errlen);
void config_free(struct config *cfg);
/** Prints the settings as "--name VALUE  help" lines for --help texts. */
void config_print_help(void);
#endif
