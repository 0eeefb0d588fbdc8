/*
 * The writer's object database (store_writer_ready): its batch's memory
 * pack first, then the repository's packs and loose objects behind
 * wrappers that read as libgit2's own backends do but never answer a
 * write's question "is this object already stored?".
 *
 * Why: git_odb_write asks every backend to freshen the object first (a
 * binary search in every pack's index, an open() of the loose path) and, on
 * a miss, re-reads objects/pack and asks again.  The writer's objects are
 * nearly all new, and each goes into the batch's pack anyway; the look-ups
 * only kept the pages of every index in memory and cost a readdir per
 * object.  An object that is already stored is written again into the
 * batch's pack (consolidation keeps one copy).
 */
#ifndef KENES_STORAGE_ODB_NOFRESH_H
#define KENES_STORAGE_ODB_NOFRESH_H

#include <git2.h>

/* A new object database on <gitdir>/objects: mem (a new git_mempack) at
 * priority 999, then the packs (*packs, to refresh) and the loose objects.
 * The odb owns both backends; *mem and *packs live as long as it.
 * 0, or a negative libgit2 code. */
int odb_nofresh_open(git_odb **out, git_odb_backend **mem, git_odb_backend **packs,
                     const char *gitdir);

/* Read objects/pack again (packs written or removed since): the odb itself
 * never does, not on a write.  (A read that misses in the packs does, once,
 * in the pack backend's wrapper.)  0, or a negative libgit2 code. */
int odb_nofresh_refresh(git_odb_backend *packs);

#endif
