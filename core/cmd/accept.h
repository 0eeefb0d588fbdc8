/*
 * kenes accept: an administrator's decision to keep commits that were made
 * on main outside kenes (the git command, a push), which serve refuses to
 * start on and verify names as faults.
 *
 * Run with the server stopped.  The decision is itself a commit on the same
 * main, signed by the server's key and changing no file:
 *
 *   Accept commits made outside kenes
 *
 *   Kenes-Action: accept
 *   Kenes-Role: admin
 *   Kenes-Accepts: <commit>        (one line per commit kept)
 *
 * authored by the admin named with --by (a user of DATA/users.yaml with the
 * admin role) or else by the committer.  From then on serve takes those
 * commits as part of the history (what their trailers say is recorded in the
 * journal and served like any version), and verify waives their faults,
 * counting them apart.  The alternative is to drop them: reset main to the
 * last good commit with git update-ref.
 */
#ifndef KENES_ACCEPT_H
#define KENES_ACCEPT_H

#include <stddef.h>

#include "base/config.h"
#include "storage/sign.h"

/* Accept the commits (full or abbreviated ids, each on main of one of the
 * repositories) in one commit per repository.  by: an admin's user name, or
 * NULL.  0, or negative with one line in err (KENES_EINVAL: a usage fault). */
int accept_run(const config *cfg, const char *const *commits, size_t n, const char *by,
               char *err, size_t errcap);

/* Shared with kenes key rotate. */
/* by must be an enabled user of DATA/users.yaml with the admin role.  0, or
 * KENES_EINVAL with the why in err. */
int accept_check_admin(const config *cfg, const char *by, char *err, size_t errcap);
/* Commit message on repo's main as a record that changes no file, signed by
 * sg, authored by the admin by (or the committer when NULL); *commit gets
 * its id.  0, or negative with err. */
int accept_record(char commit[41], const config *cfg, int repo, const signer *sg, const char *by,
                  const char *message, char *err, size_t errcap);
/* The same with tree (hex, in the repository already) as the commit's tree:
 * kenes migrate's one commit that moves files. */
int accept_record_tree(char commit[41], const config *cfg, int repo, const signer *sg,
                       const char *by, const char *message, const char *tree, char *err,
                       size_t errcap);

#endif
