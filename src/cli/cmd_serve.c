/**
 * @file cmd_serve.c
 * @brief onehall serve: runs the hall until SIGTERM or SIGINT, then stops
 *        accepting, lets in-flight requests finish, closes the database
 *        and exits 0.
 */
#include "app/app.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/workday.h"
#include "domain/calendar_store.h"
#include "domain/accounts.h"
#include "domain/catalog_view.h"
#include "domain/notify.h"
#include "store/store.h"
#include "http/server.h"
#include "store/store.h"
#include "web/web.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
    printf("usage: onehall serve [--listen HOST:PORT] [--data DIR] [--db postgres://...]\n\n"
           "Serves the hall over HTTP (HTTPS with --tls-cert and --tls-key). With no --db the\n"
           "embedded SQLite database in DIR is used, created when absent. Migrations are\n"
           "applied at start. SIGTERM or SIGINT stops it gracefully.\n\n");
    config_print_help();
}

int cmd_serve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return help(), 0;
    struct config cfg;
    char errbuf[512];
    if (config_load(&cfg, &argc, argv, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "onehall serve: %s\n", errbuf);
        return 2;
    }
    if (argc > 1) {
        fprintf(stderr, "onehall serve: unexpected argument '%s' (see --help)\n", argv[1]);
        config_free(&cfg);
        return 2;
    }
    int lvl = log_parse_level(cfg.log_level);
    if (lvl < 0) {
        fprintf(stderr, "onehall serve: unknown log level '%s'\n", cfg.log_level);
        return 2;
    }
    log_set_level((enum log_level)lvl);

    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    int pg = cfg.db_url && *cfg.db_url;
    int threads = cfg.threads > 0 ? cfg.threads : (int)cores * (pg ? 8 : 2);
    crypto_init((unsigned)(cfg.hash_concurrency > 0 ? cfg.hash_concurrency : cores), 2000);
    accounts_configure(cfg.session_idle_s, cfg.session_max_s);

    struct app_ctx app;
    if (app_open(&cfg, threads + 2, &app, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "onehall serve: %s\n", errbuf);
        config_free(&cfg);
        return 1;
    }
    /* The working-day calendar: built-in years, then those loaded since. */
    struct err cerr;
    struct store_conn *cc = store_acquire(app.store);
    int crc = workday_init() < 0 ? -1 : calendar_store_load_all(cc, &cerr);
    store_release(cc);
    if (crc < 0) {
        fprintf(stderr, "onehall serve: cannot load the holiday calendars\n");
        app_close(&app);
        config_free(&cfg);
        return 1;
    }
    struct server_app sapp = {app_routes, app_nroutes, app_authenticate, web_error_page, {0}};
    struct store_conn *c = store_acquire(app.store);
    int rc = app_secret(c, "csrf", sapp.csrf_secret);
    store_release(c);
    if (rc < 0) {
        fprintf(stderr, "onehall serve: cannot read the server secret from the database\n");
        app_close(&app);
        config_free(&cfg);
        return 1;
    }
    FILE *access = NULL;
    if (strcmp(cfg.access_log, "off") == 0)
        access = NULL;
    else if (strcmp(cfg.access_log, "-") == 0)
        access = stderr;
    else if (!(access = fopen(cfg.access_log, "a"))) {
        fprintf(stderr, "onehall serve: cannot open access log %s\n", cfg.access_log);
        app_close(&app);
        config_free(&cfg);
        return 1;
    }
    if (access && access != stderr)
        setvbuf(access, NULL, _IOLBF, 0);
    struct server_config scfg = {
        .listen = cfg.listen,
        .threads = threads,
        .max_body = (size_t)cfg.max_body,
        .max_upload = (size_t)cfg.max_upload,
        .max_header = (size_t)cfg.max_header,
        .max_conns = (unsigned)cfg.max_conns,
        .max_per_ip = (unsigned)cfg.max_per_ip,
        .timeout_s = (unsigned)cfg.timeout_s,
        .tls_cert = *cfg.tls_cert ? cfg.tls_cert : NULL,
        .tls_key = *cfg.tls_key ? cfg.tls_key : NULL,
        .trust_proxy = cfg.trust_proxy,
        .access_log = access,
    };
    /* the catalog is in memory before the first request */
    struct store_conn *vc = store_acquire(app.store);
    catalog_view_put(catalog_view_get(vc));
    store_release(vc);
    struct server *srv = server_start(&scfg, &sapp, app.store, app.blobs, errbuf, sizeof errbuf);
    if (!srv) {
        fprintf(stderr, "onehall serve: %s\n", errbuf);
        app_close(&app);
        config_free(&cfg);
        return 1;
    }
    /* The e-mail/SMS sender: stopped below before the database closes. */
    struct notify_settings nset = {
        .smtp_url = cfg.smtp_url,
        .smtp_from = cfg.smtp_from,
        .smtp_user = cfg.smtp_user,
        .smtp_password = cfg.smtp_password,
        .sms_sender = cfg.sms_sender,
        .data_dir = cfg.data_dir,
        .interval_s = cfg.outbox_interval_s,
        .give_up_s = cfg.outbox_give_up_s,
    };
    struct notify_outbox *outbox = notify_outbox_start(app.store, &nset, errbuf, sizeof errbuf);
    if (!outbox) {
        fprintf(stderr, "onehall serve: %s\n", errbuf);
        server_stop(srv, 0);
        app_close(&app);
        config_free(&cfg);
        return 1;
    }
    log_info("onehall %s serving on %s://%s (port %u), %s, %d threads", ONEHALL_VERSION,
             scfg.tls_cert ? "https" : "http", cfg.listen, server_port(srv),
             pg ? "PostgreSQL" : "SQLite", threads);
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("received %s: finishing requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server_stop(srv, 10000);
    notify_outbox_stop(outbox);
    catalog_view_shutdown();
    app_close(&app);
    workday_cleanup();
    if (access && access != stderr)
        fclose(access);
    config_free(&cfg);
    log_info("stopped");
    return 0;
}
