/* One line per event on stderr: time, level, subsystem, message.
 * Never log a child's identifying data: callers pass ids and counts only. */
#ifndef KENES_LOG_H
#define KENES_LOG_H

#include "kenes/plugin.h" /* KENES_LOG_* levels */

void log_set_level(int level);
void log_msg(int level, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* in with control characters, bidirectional and invisible marks escaped
 * (\x0A, \u202E) and a backslash doubled, cut to cap on a whole character.
 * log_msg does this to every message, so request data cannot forge a line. */
void log_escape(char *out, size_t cap, const char *in);

#define log_debug(sub, ...) log_msg(KENES_LOG_DEBUG, sub, __VA_ARGS__)
#define log_info(sub, ...) log_msg(KENES_LOG_INFO, sub, __VA_ARGS__)
#define log_warn(sub, ...) log_msg(KENES_LOG_WARN, sub, __VA_ARGS__)
#define log_error(sub, ...) log_msg(KENES_LOG_ERROR, sub, __VA_ARGS__)

#endif
