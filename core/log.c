#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static int log_level = KENES_LOG_INFO;

void log_set_level(int level)
{
    log_level = level;
}

void log_msg(int level, const char *subsystem, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < log_level || level < 0 || level > KENES_LOG_ERROR)
        return;
    char when[32];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);

    /* Build the line first so concurrent writers (thread pool) do not interleave. */
    char line[2048];
    int n = snprintf(line, sizeof(line), "%s.%03ldZ %s %s: ", when, ts.tv_nsec / 1000000,
                     names[level], subsystem);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}
