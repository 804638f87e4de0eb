/**
 * @file log.h
 * @brief Logging to stderr with a timestamp and level; thread-safe (one
 *        fprintf per line). The layer that knows why logs, once.
 */
#ifndef ONEHALL_LOG_H
#define ONEHALL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
/** Parses "debug", "info", "warn", "error"; returns -1 when unknown. */
int log_parse_level(const char *s);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#endif
