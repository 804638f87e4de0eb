/**
 * @file accounts.h
 * @brief Persons, staff, enterprises and their roles; passwords; sessions
 *        for the web (cookie) and the API (bearer token); login throttling;
 *        the verified claim of an ID number. No HTTP in here.
 */
#ifndef ONEHALL_ACCOUNTS_H
#define ONEHALL_ACCOUNTS_H
#include "core/err.h"
#include "http/http.h" /* enum role and struct principal only */
#include <stdint.h>

struct store_conn;
struct arena;

/** Real-name levels. */
enum realname_level {
    REALNAME_NONE = 0,    /**< self-registered, unverified */
    REALNAME_COUNTER = 1, /**< verified at a counter by staff */
    REALNAME_KIOSK = 2,   /**< verified by an ID-card read at a kiosk */
};

struct account {
    int64_t id;
    const char *kind;      /**< "person" or "staff" */
    const char *username;  /**< staff login name, NULL for persons */
    const char *name;
    const char *id_number; /**< whole; mask it for display (idcheck) */
    const char *phone;
    const char *email;
    int realname_level;
    int64_t department_id;
    const char *department_name;
    unsigned roles;
    int disabled;
    const char *created_at;
};

/** Input of a person's registration. */
struct person_input {
    const char *name;
    const char *id_number;
    const char *phone;
    const char *email;    /**< may be NULL */
    const char *password;
};

/** Validates and creates a self-registered person with the citizen role.
 *  Errors: ERR_INVALID with the field (name, id_number, phone, email,
 *  password) and a detail key; ERR_ID_TAKEN when the ID number is registered;
 *  ERR_CONFLICT when the phone is. Records the audit entry. */
int accounts_register(struct store_conn *c, const struct person_input *in, const char *ip,
                      int64_t *account_id, struct err *e);

/** Creates a staff account (login name, name, password, department code or
 *  NULL) for the CLI and system admins. */
int accounts_create_staff(struct store_conn *c, const char *username, const char *name,
                          const char *password, const char *department_code, int64_t actor_id,
                          int64_t *account_id, struct err *e);

/** Grants / revokes a role by its name (citizen, agent, staff, dept_admin,
 *  hall_admin, catalog_editor, sysadmin, auditor, terminal). */
int accounts_grant(struct store_conn *c, int64_t account_id, const char *role, int64_t actor_id,
                   struct err *e);
int accounts_disable(struct store_conn *c, int64_t account_id, int disabled, int64_t actor_id,
                     struct err *e);

/** Loads an account (strings allocated in arena). ERR_NOT_FOUND when absent. */
int accounts_get(struct store_conn *c, struct arena *a, int64_t id, struct account *out,
                 struct err *e);

/** Session expiry: idle and absolute, in seconds (0 keeps the default). */
void accounts_configure(int session_idle_s, int session_max_s);

/** Role name <-> bit. role_bit returns 0 for an unknown name. */
unsigned role_bit(const char *name);
const char *role_name(unsigned bit);

enum session_kind { SESSION_WEB, SESSION_API };

/** Checks credentials (username: ID number, phone or staff login name) and
 *  opens a session. The token (43 chars, base64url) is written to token
 *  (>= 64 bytes); only its hash is stored. Errors: ERR_BAD_CREDENTIALS,
 *  ERR_LOCKED (arg = seconds to wait), ERR_UNAVAILABLE when hashing is
 *  saturated. Failed attempts are counted per username: from the 4th, each
 *  try must wait longer (2, 4, 8... s); after 10, 15 minutes. */
int accounts_login(struct store_conn *c, const char *username, const char *password,
                   enum session_kind kind, const char *ip, char *token, int64_t *account_id,
                   struct err *e);

/** Revokes the session holding token. */
int accounts_logout(struct store_conn *c, const char *token, const char *ip);

/** Resolves a token into a principal (allocated in arena), refreshing its
 *  idle timer. Returns 1 when valid, 0 when unknown or expired, < 0 on
 *  database error. */
int accounts_session_principal(struct store_conn *c, struct arena *a, const char *token,
                               enum session_kind kind, struct principal *out);

/** A staff member or kiosk verified the person's ID card: the account
 *  holding id_number is raised to level; an unverified account of someone
 *  else holding it (a different phone) loses the number, so a leaked number
 *  cannot lock its owner out. Creates the account when none exists. */
int accounts_verify_claim(struct store_conn *c, const struct person_input *in, int level,
                          int64_t actor_id, const char *ip, int64_t *account_id, struct err *e);
#endif
