/*
 * kenes restore --from FILE --data NEWDIR: check the archive whole (its
 * checksum, then each file against the manifest), build the data folder
 * in a folder of its own beside NEWDIR, move it to NEWDIR only when all of
 * it is there, then run verify on it (the same code as kenes verify).
 * NEWDIR must not exist or be empty; on any failure before the move
 * nothing is left, not even the folder.
 */
#ifndef KENES_CMD_RESTORE_H
#define KENES_CMD_RESTORE_H

#include <stddef.h>
#include <stdio.h>

/* 0 when restored and verified clean; 1 when restored and verify found a
 * fault (it printed them); negative with one line in err when nothing was
 * restored: KENES_EPRECONDITION when the archive holds keys and `in` gives
 * no passphrase (a usage error), KENES_EFORBIDDEN for a wrong one. */
int restore_run(const char *from, const char *newdir, FILE *in, char *err, size_t errcap);

#endif
