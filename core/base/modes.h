/*
 * File modes of the data folder.  kenes runs under umask 077 (main.c), so
 * what it creates is its user's alone; the few files meant for everyone
 * (keys/signing.pub, allowed_signers) get 0644 explicitly.  serve checks the
 * files that hold secrets before it starts, because a copy made readable by
 * hand (a backup restored, a `cp -r`) would otherwise go unnoticed.
 */
#ifndef KENES_MODES_H
#define KENES_MODES_H

#include <stddef.h>

/* The umask kenes sets before it creates anything. */
#define MODES_UMASK 077

/* The secret files of the data folder: users.yaml, keys/, cases.git, index/
 * and sessions.json (those that exist).  0 if none can be read, written or
 * entered by group or others; KENES_EFORBIDDEN with one line in err naming
 * the first that can and the chmod that fixes it; KENES_EIO if one cannot
 * be looked at. */
int modes_check_private(const char *data_dir, char *err, size_t errcap);

#endif
