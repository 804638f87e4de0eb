/**
 * @file config.c
 * @brief One table of settings drives flags, environment and file alike.
 */
#include "core/config.h"
#include "core/mem.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum opt_type { OPT_STR, OPT_INT, OPT_LONG, OPT_BOOL };

static const struct opt {
    const char *name;
    enum opt_type type;
    size_t off;
    const char *def;
    const char *help;
} opts[] = {
    {"listen", OPT_STR, offsetof(struct config, listen), "127.0.0.1:8080", "address to listen on, HOST:PORT"},
    {"data", OPT_STR, offsetof(struct config, data_dir), "onehall-data", "data directory (SQLite database, uploaded files)"},
    {"db", OPT_STR, offsetof(struct config, db_url), "", "postgres://... to use PostgreSQL; empty for embedded SQLite"},
    {"threads", OPT_INT, offsetof(struct config, threads), "0", "HTTP worker threads (0: 2 per core on SQLite, 8 per core on PostgreSQL)"},
    {"max-body", OPT_LONG, offsetof(struct config, max_body), "1048576", "largest JSON or form body, bytes"},
    {"max-upload", OPT_LONG, offsetof(struct config, max_upload), "20971520", "largest upload body, bytes"},
    {"max-header", OPT_LONG, offsetof(struct config, max_header), "16384", "largest request header block, bytes"},
    {"max-conns", OPT_INT, offsetof(struct config, max_conns), "1024", "concurrent connections"},
    {"max-per-ip", OPT_INT, offsetof(struct config, max_per_ip), "64", "concurrent connections per client address (0: no limit)"},
    {"timeout", OPT_INT, offsetof(struct config, timeout_s), "30", "idle connection timeout, seconds"},
    {"tls-cert", OPT_STR, offsetof(struct config, tls_cert), "", "PEM certificate: serve HTTPS directly"},
    {"tls-key", OPT_STR, offsetof(struct config, tls_key), "", "PEM private key for --tls-cert"},
    {"trust-proxy", OPT_BOOL, offsetof(struct config, trust_proxy), "0", "believe X-Forwarded-For/-Proto from a TLS-terminating proxy"},
    {"access-log", OPT_STR, offsetof(struct config, access_log), "-", "access log file, '-' for stderr, 'off' for none"},
    {"log-level", OPT_STR, offsetof(struct config, log_level), "info", "debug, info, warn or error"},
    {"hash-concurrency", OPT_INT, offsetof(struct config, hash_concurrency), "0", "password hashes at once (0: one per core)"},
    {"session-idle", OPT_INT, offsetof(struct config, session_idle_s), "1800", "session idle expiry, seconds"},
    {"session-max", OPT_INT, offsetof(struct config, session_max_s), "43200", "session absolute expiry, seconds"},
    {"smtp-url", OPT_STR, offsetof(struct config, smtp_url), "", "smtp://HOST:PORT or smtps://... for e-mail; empty writes e-mail to DATA/mail.log"},
    {"smtp-from", OPT_STR, offsetof(struct config, smtp_from), "noreply@onehall.invalid", "sender address of e-mail"},
    {"smtp-user", OPT_STR, offsetof(struct config, smtp_user), "", "SMTP login (then STARTTLS is required); empty for none"},
    {"smtp-password", OPT_STR, offsetof(struct config, smtp_password), "", "SMTP password (prefer ONEHALL_SMTP_PASSWORD)"},
    {"sms-sender", OPT_STR, offsetof(struct config, sms_sender), "log", "SMS sender: log (DATA/sms.log)"},
    {"outbox-interval", OPT_INT, offsetof(struct config, outbox_interval_s), "5", "seconds between passes of the e-mail/SMS sender"},
    {"outbox-give-up", OPT_INT, offsetof(struct config, outbox_give_up_s), "86400", "seconds after which an undeliverable e-mail/SMS is marked failed"},
};
#define NOPTS (sizeof opts / sizeof opts[0])

static const struct opt *find(const char *name, size_t n)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (strlen(opts[i].name) == n && strncmp(opts[i].name, name, n) == 0)
            return &opts[i];
    return NULL;
}

static int set(struct config *cfg, const struct opt *o, const char *v, const char *from,
               char *errbuf, size_t errlen)
{
    void *p = (char *)cfg + o->off;
    char *end;
    switch (o->type) {
    case OPT_STR:
        free(*(char **)p);
        *(char **)p = xstrdup(v);
        return 0;
    case OPT_BOOL:
        if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
            *(int *)p = 1;
        else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
            *(int *)p = 0;
        else
            goto bad;
        return 0;
    case OPT_INT:
    case OPT_LONG: {
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < 0 || (o->type == OPT_INT && n > INT_MAX))
            goto bad;
        if (o->type == OPT_INT)
            *(int *)p = (int)n;
        else
            *(long *)p = n;
        return 0;
    }
    }
bad:
    snprintf(errbuf, errlen, "%s: '%s' is not a valid value for %s", from, v, o->name);
    return -1;
}

static int load_file(struct config *cfg, const char *path, int required, char *errbuf,
                     size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!required)
            return 0;
        snprintf(errbuf, errlen, "cannot read config file %s", path);
        return -1;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        char where[1100];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (!eq) {
            snprintf(errbuf, errlen, "%s: expected 'name = value'", where);
            rc = -1;
            break;
        }
        char *ke = eq;
        while (ke > s && isspace((unsigned char)ke[-1]))
            ke--;
        char *v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        size_t vl = strlen(v);
        while (vl && isspace((unsigned char)v[vl - 1]))
            v[--vl] = 0;
        const struct opt *o = find(s, (size_t)(ke - s));
        if (!o) {
            snprintf(errbuf, errlen, "%s: unknown setting '%.*s'", where, (int)(ke - s), s);
            rc = -1;
            break;
        }
        rc = set(cfg, o, v, where, errbuf, errlen);
    }
    fclose(f);
    return rc;
}

int config_load(struct config *cfg, int *argc, char **argv, char *errbuf, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NOPTS; i++)
        if (set(cfg, &opts[i], opts[i].def, "default", errbuf, errlen) < 0)
            return -1;

    /* Collect known flags first: the config file's location may depend on them. */
    const char *flag_val[NOPTS] = {0};
    const char *config_flag = NULL;
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == 0) {
            argv[out++] = a;
            continue;
        }
        char *name = a + 2, *eq = strchr(name, '=');
        size_t nl = eq ? (size_t)(eq - name) : strlen(name);
        int is_config = nl == 6 && strncmp(name, "config", 6) == 0;
        const struct opt *o = is_config ? NULL : find(name, nl);
        if (!o && !is_config) {
            argv[out++] = a;
            continue;
        }
        const char *v = eq ? eq + 1 : NULL;
        if (!v && o && o->type == OPT_BOOL)
            v = "1";
        if (!v) {
            if (i + 1 >= *argc) {
                snprintf(errbuf, errlen, "--%.*s needs a value", (int)nl, name);
                return -1;
            }
            v = argv[++i];
        }
        if (is_config)
            config_flag = v;
        else
            flag_val[o - opts] = v;
    }
    argv[out] = NULL;
    *argc = out;

    const char *file = config_flag ? config_flag : getenv("ONEHALL_CONFIG");
    if (file && *file) {
        if (load_file(cfg, file, 1, errbuf, errlen) < 0)
            return -1;
        cfg->config_file = xstrdup(file);
    } else {
        const char *data = flag_val[1] ? flag_val[1] : getenv("ONEHALL_DATA");
        char *path = xasprintf("%s/onehall.conf", data && *data ? data : cfg->data_dir);
        int rc = load_file(cfg, path, 0, errbuf, errlen);
        if (rc == 0 && access(path, R_OK) == 0)
            cfg->config_file = path;
        else
            free(path);
        if (rc < 0)
            return -1;
    }
    for (size_t i = 0; i < NOPTS; i++) {
        char env[64] = "ONEHALL_";
        size_t n = strlen(env);
        for (const char *p = opts[i].name; *p && n < sizeof env - 1; p++)
            env[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
        env[n] = 0;
        const char *v = getenv(env);
        if (v && set(cfg, &opts[i], v, env, errbuf, errlen) < 0)
            return -1;
    }
    for (size_t i = 0; i < NOPTS; i++)
        if (flag_val[i]) {
            char from[64];
            snprintf(from, sizeof from, "--%s", opts[i].name);
            if (set(cfg, &opts[i], flag_val[i], from, errbuf, errlen) < 0)
                return -1;
        }
    return 0;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (opts[i].type == OPT_STR) {
            char **p = (char **)((char *)cfg + opts[i].off);
            free(*p);
            *p = NULL;
        }
    free(cfg->config_file);
    cfg->config_file = NULL;
}

void config_print_help(void)
{
    printf("Settings (flag, or environment ONEHALL_NAME, or 'name = value' in the config file):\n");
    printf("  --%-18s %s\n", "config FILE", "config file (default DATA/onehall.conf when present)");
    for (size_t i = 0; i < NOPTS; i++) {
        char flag[48];
        snprintf(flag, sizeof flag, "%s%s", opts[i].name, opts[i].type == OPT_BOOL ? "" : " V");
        printf("  --%-18s %s [%s]\n", flag, opts[i].help, opts[i].def);
    }
}
