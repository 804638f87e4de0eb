/**
 * @file enterprises.h
 * @brief Enterprises (identified by their unified social credit code) and
 *        the persons authorised to act for them (agents).
 */
#ifndef ONEHALL_ENTERPRISES_H
#define ONEHALL_ENTERPRISES_H
#include "core/err.h"
#include <stdint.h>

struct store_conn;
struct arena;
struct principal;

struct enterprise {
    int64_t id;
    const char *name;
    const char *uscc;
    const char *override_reason; /**< set when staff accepted a code failing the GB 11714 check */
    const char *created_at;
};

/** Registers an enterprise. A person who registers it becomes its first
 *  agent (role "agent"). The code is checked by GB 32100 and its embedded
 *  GB 11714 organisation code; a code that fails only the latter (issued in
 *  early pilot areas) is accepted when staff give a reason (recorded, and
 *  audited); for anyone else that failure is refused like the others.
 *  ERR_CONFLICT when the code is registered. */
int enterprises_register(struct store_conn *c, const struct principal *by, const char *name,
                         const char *uscc, const char *override_reason, const char *ip,
                         int64_t *id, struct err *e);

/** Makes account an agent of the enterprise. Allowed to the enterprise's
 *  agents and to staff. ERR_FORBIDDEN otherwise. */
int enterprises_add_agent(struct store_conn *c, const struct principal *by, int64_t enterprise,
                          int64_t account, const char *ip, struct err *e);

/** Whether account acts for enterprise. */
int enterprises_is_agent(struct store_conn *c, int64_t enterprise, int64_t account);

/** Calls fn for each enterprise account acts for (strings valid during the call). */
int enterprises_of(struct store_conn *c, int64_t account,
                   void (*fn)(const struct enterprise *en, void *ctx), void *ctx);
#endif
