/*
 * kenes key rotate: the only way a new signing key comes in.
 *
 * With the server stopped, it makes a new Ed25519 key (DATA/keys/next/ until
 * the rotation is done), lists it in DATA/allowed_signers, and records the
 * rotation in each repository with a commit that the OLD key signs and that
 * changes no file:
 *
 *   Rotate the signing key
 *
 *   Kenes-Action: rotate-key
 *   Kenes-Role: admin
 *   Kenes-Key: ssh-ed25519 AAAA... kenes      (the new key)
 *
 * then puts the new key in DATA/keys/signing.key (the old one is gone: its
 * public half stays in allowed_signers for the commits it signed).  verify
 * follows the chain: a repository's first signed commit puts its key in
 * force, each rotation signed by the key in force puts the key it names in
 * force, and a commit signed by any other key is a fault, even when
 * allowed_signers lists it.  serve refuses a signing.key that is not the
 * key in force at main's head.
 *
 * Without a key, it makes the first one only when no commit of either
 * repository is signed (a data folder from before signed commits): there is
 * no chain to break.  Otherwise a lost key is restored from a backup.
 *
 * Interrupted (a crash, a full disk), it is run again and finishes: the new
 * key waiting in keys/next/ is taken, and a repository whose head already
 * has the new key in force gets no second rotation.
 */
#ifndef KENES_KEYROTATE_H
#define KENES_KEYROTATE_H

#include <stddef.h>

#include "base/config.h"

/* by: an admin's user name for the commits' author, or NULL.  0, or
 * negative with one line in err. */
int keyrotate_run(const config *cfg, const char *by, char *err, size_t errcap);

#endif
