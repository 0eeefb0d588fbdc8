/*
 * kenes migrate: move a data folder written before issue 16 to the fan-out
 * layout (storage/docpath.h), with the server stopped.
 *
 * In each repository whose documents' files are flat, every file of an id
 * that fans out (a case's .md, its sealed .note, its .files/) moves to its
 * fan-out path, unchanged, in ONE commit signed by the server's key:
 *
 *   Move documents' files into fan-out folders
 *
 *   Kenes-Action: migrate
 *   Kenes-Role: admin
 *   Kenes-Moved: <files>
 *
 * authored by the admin named with --by (or the committer).  Ids do not
 * change: the journal, the API and every trailer name documents as before,
 * and a file's history follows it by id (reads at a commit from before the
 * move find it at its flat path).  The history journal gets the commit's
 * line at once when it is whole up to the parent (else the next start adds
 * it from git, as it does for kenes accept).  verify judges the commit:
 * nothing but moves, every flat file moved (verify_check_migrate).  A
 * repository already fanned out, or holding no such file, is left alone.
 */
#ifndef KENES_MIGRATE_H
#define KENES_MIGRATE_H

#include <stddef.h>

#include "base/config.h"

/* 0 (each repository moved or left alone, one line each on stdout), or
 * negative with one line in err (KENES_EINVAL: a usage fault or a mixed
 * repository). */
int migrate_run(const config *cfg, const char *by, char *err, size_t errcap);

#endif
