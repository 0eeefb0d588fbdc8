/*
 * kenes gc --data DIR: consolidate both repositories now, safe while a
 * server serves DIR (store_consolidate() takes the same pack lock as the
 * server's writer), dropping only objects no ref reaches that sit in files
 * older than an hour before the run.  Prints, per repository, packs, loose
 * objects, objects and bytes before and after.  Refused, before anything is
 * created, unless run by the user who owns DATA and its repositories.
 */
#ifndef KENES_CMD_GC_H
#define KENES_CMD_GC_H

#include <stddef.h>

#include "base/config.h"

/* 0, or negative with one line in err (the repositories done before the
 * failure stay done). */
int gc_run(const config *cfg, char *err, size_t errcap);

/* 0 when this process runs as the user who owns DATA and its
 * repositories; else KENES_EFORBIDDEN with the line naming the owner and
 * the way to run cmd as them (lock files made by another user would stop
 * the server). */
int gc_owner_check(const config *cfg, const char *cmd, char *err, size_t errcap);

#endif
