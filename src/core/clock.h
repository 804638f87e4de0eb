/**
 * @file clock.h
 * @brief The one clock of the program. Tests set it (clock_set, or the
 *        ONEHALL_NOW environment variable holding an ISO 8601 instant) so
 *        that time-dependent behaviour is reproducible.
 */
#ifndef ONEHALL_CLOCK_H
#define ONEHALL_CLOCK_H
#include <stdint.h>

/** Milliseconds since the Unix epoch, from the real or the set clock. */
int64_t clock_now_ms(void);
/** Fixes the clock at ms (0 returns to the real clock). A fixed clock advances
 *  only when set again or with clock_advance. */
void clock_set(int64_t ms);
void clock_advance(int64_t ms);
/** Reads ONEHALL_NOW if present; returns -1 when it is malformed. */
int clock_init_from_env(void);
/** Formats ms as ISO 8601 in the display zone Asia/Shanghai (+08:00). out >= 32 bytes. */
void clock_format_iso(int64_t ms, char *out);
/** Parses "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)" into ms; -1 when malformed. */
int clock_parse_iso(const char *s, int64_t *ms);
#endif
