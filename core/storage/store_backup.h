/*
 * A repository taken out for `kenes backup` and put back by `kenes restore`:
 * main's head and one pack of every object it reaches, nothing else (no
 * batch's pack whose commit is not on main yet, no reflog, no other ref).
 * Beside a running server: the consolidations of kenes and git gc are held
 * off for as long as the packs are read (store_gc_hold), so no pack is
 * removed under the reader; the writer's batches go on, and what they add
 * after the head was read is simply not in the pack.
 */
#ifndef KENES_STORE_BACKUP_H
#define KENES_STORE_BACKUP_H

#include <stddef.h>

#include "storage/store.h"

/* Hold the repository's consolidation lock (<gitdir>/kenes-gc.lock,
 * waiting for a consolidation that runs) and git gc's lock, as kenes gc
 * does.  0 with *fd to give to store_gc_release(), or negative
 * (KENES_EBUSY while a git gc runs) with msg saying why. */
int store_gc_hold(int *fd, const char *gitdir, char *msg, size_t cap);
void store_gc_release(int fd, const char *gitdir);

/* main's head as 40 hex digits, "" when there is no main yet. */
int store_backup_head(char head[STORE_OID_HEX], const char *gitdir);

/* 1 when commit is head or one of its ancestors, 0 when not, negative
 * when either cannot be read. */
int store_backup_reaches(const char *gitdir, const char *head, const char *commit);

/* Write to out (created, 0600; it must not exist) a pack of head and
 * every object it reaches; *objects their count.  The builder's memory is
 * bounded by store_pack_limits() through a builder.config written in out's
 * folder (the caller's own).  msg says why on failure. */
int store_backup_pack(size_t *objects, const char *gitdir, const char *head, const char *out,
                      char *msg, size_t cap);

/* Make a new bare repository at gitdir (as kenes init does), index the
 * pack at pack into it, point main at head (which must be a commit of the
 * pack) and, when config is not NULL, write it as the repository's config.
 * head "" makes an empty repository (pack unused).  msg says why. */
int store_restore_repo(const char *gitdir, const char *pack, const char *head, const char *config,
                       size_t config_len, char *msg, size_t cap);

#endif
