/**
 * @file cmd_audit.c
 * @brief onehall audit verify: checks the audit trail's hash chains; exit 0
 *        when intact, 1 when an entry was edited or deleted.
 */
#include "app/app.h"
#include "cli/cli.h"
#include "core/config.h"
#include "domain/audit.h"
#include "store/store.h"
#include <stdio.h>
#include <string.h>

int cmd_audit(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc < 2 || strcmp(argv[1], "verify") != 0) {
        printf("usage: onehall audit verify [--data DIR] [--db URL]\n\n"
               "Recomputes every link of the audit trail's hash chains. Exits 0 when intact,\n"
               "1 when an entry was changed, deleted or inserted out of chain (it says which).\n");
        return cli_wants_help(argc, argv) ? 0 : 2;
    }
    struct cli_hall h;
    int rc = cli_hall_open("audit", &argc, argv, &h);
    if (rc)
        return rc;
    struct audit_report rep;
    rc = audit_verify(h.conn, &rep);
    cli_hall_close(&h);
    if (rc < 0) {
        fprintf(stderr, "onehall audit verify: the database failed\n");
        return 1;
    }
    if (rc) {
        printf("TAMPERED: %s (%lld entries checked before it)\n", rep.problem,
               (long long)rep.rows);
        return 1;
    }
    printf("intact: %lld entries in %d chains\n", (long long)rep.rows, AUDIT_SHARDS);
    return 0;
}
