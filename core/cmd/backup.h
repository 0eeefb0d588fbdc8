/*
 * kenes backup --data DIR --to FILE [--with-keys] [--force]: one archive
 * (storage/archive.h) of a consistent state of DIR, taken while a server
 * serves it or not, without DATA/kenes.lock.  The order of the reads is
 * what makes it consistent (README, Backup and restore):
 *
 *   1. both repositories' consolidation and git gc locks (store_gc_hold):
 *      no pack is removed while the packs are read; the writer goes on;
 *   2. both heads of main, then the signed checkpoint, again until the
 *      heads it names are the ones read or their ancestors (it is rewritten
 *      right after main moves); after HEAD_TRIES, the heads it names.  Every
 *      commit up to the heads taken then carries a Kenes-Access-Log position
 *      the checkpoint signs, and every write answered before is in them;
 *   3. the history journals, whole lines, cut after the line of the head
 *      taken (a journal is main's history from its start, in order);
 *   4. a pack of every object each head reaches; the locks go;
 *   5. the access log's first lines, as many as the checkpoint signs (the
 *      log is synced before the checkpoint that covers it is written);
 *   6. users.yaml, kenes.yaml, allowed_signers, keys/signing.pub and, with
 *      --with-keys, everything under keys/ but files being written (a case
 *      made after the heads has a key and no commit: harmless), sealed with
 *      the passphrase.
 */
#ifndef KENES_CMD_BACKUP_H
#define KENES_CMD_BACKUP_H

#include <stddef.h>

#include "base/config.h"

typedef struct backup_opts {
    const char *to;
    int force;             /* replace an existing FILE */
    const char *passphrase; /* NULL: no keys in the archive */
} backup_opts;

/* 0, or negative with one line in err; nothing is left beside FILE. */
int backup_run(const config *cfg, const backup_opts *o, char *err, size_t errcap);

#endif
