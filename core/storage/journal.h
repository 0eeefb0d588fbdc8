/*
 * The history journal: DATA/index/<repository>.jsonl, one JSON line per
 * commit kenes made, oldest first:
 *
 *   {"commit","time","author","role","action","document","from","to","comment","approval","note"}
 *
 * "comment" is a plan's or roster's comment; a case's is never here in the
 * clear: "note" holds it sealed with the case's key (see note.h).
 *
 * The writer appends it in the same job as the commits (store_set_journal),
 * so at start the index is read from it instead of walking all of git, and a
 * document's history costs its own versions.  It can always be rebuilt from
 * git alone (kenes reindex); kenes verify checks that it matches git.  Its
 * last line is also the commit kenes wrote last: a main that no longer
 * contains it was rewritten behind the server's back, and serve refuses it.
 */
#ifndef KENES_JOURNAL_H
#define KENES_JOURNAL_H

#include <stddef.h>

#include "base/util.h"
#include "storage/index.h"
#include "storage/store.h"

/* The journal object for a write (without its commit, which the writer adds). */
char *journal_entry(const char *document, const idx_version *v);

/* Read a version's line (n bytes, without its newline) as journal_entry
 * writes it, behind its "commit": the keys in that order, compact, strings
 * without \u escapes.  1 when recognised: its strings are decoded in place
 * (line is changed) and *commit, *document and v's strings point into it.
 * 0 when not (an administrator's or a foreign commit's line, another
 * writer's spacing or order, a damaged line): line is untouched, for the
 * general JSON parser, which judges it as before.  It never recognises a
 * line that parser would read to other values, or refuse. */
int journal_scan(char *line, size_t n, const char **commit, const char **document,
                 idx_version *v);

/* For journal_load: called once the journal is read into ix, before any
 * commit after it is taken from git.  since is the journal's last commit
 * (NULL: there is none, all of main is new).  A negative return, with the
 * why in err, stops the load and is returned; a positive one leaves the
 * commits after the journal to the caller (a read replica judges and takes
 * them itself, journal_follow): none is read, and journal_load returns it. */
typedef int (*journal_unseen_cb)(const char *since, char *err, size_t errcap, void *payload);

/* Fill ix with repo's documents' versions: from the journal, then from the
 * commits after its last one (a crash between commit and journal), which
 * are appended.  Without a journal, from git (and the journal is written).
 * A commit without Kenes trailers (made behind the server's back) has a line
 * {"commit","foreign":true}, an administrator's decision (accept, rotate-key)
 * {"commit","admin":"<action>"}; *foreign says whether the history has one, for
 * then main's tree may hold a document's file as no version of it does.
 * KENES_ESTALE (with the why in err) if main no longer holds the journal's last commit. */
int journal_load(doc_index *ix, store *s, int repo, const char *path, int *foreign,
                 journal_unseen_cb unseen, void *payload, char *err, size_t errcap);

/* A version journal_follow took: its document in the caller's index and
 * its place among that document's records (d->recent: a scratch index
 * packs none, index_pack_old). */
typedef struct journal_taken {
    idx_doc *doc;
    size_t version;
} journal_taken;

/* A read replica's step (cmd/replica.c), on the thread pool: the commits of
 * main after since (NULL: all) up to and including until (NULL: main's
 * head), oldest first, read as journal_load reads them: their journal lines
 * appended to *lines, their versions recorded in ix (a scratch index of the
 * caller's own) and listed in that order in *taken (*ntaken of them;
 * malloc'd, free() it; NULL when none).  0 or a KENES_E* code;
 * KENES_ENOTFOUND if since is no commit of the repository. */
int journal_follow(journal_taken **taken, size_t *ntaken, doc_index *ix, util_buf *lines,
                   store *s, int repo, const char *since, const char *until);
/* Append lines (journal lines, each with its newline) to the journal at
 * path, durably (fdatasync).  0 or KENES_EIO. */
int journal_append_lines(const char *path, const util_buf *lines);

/* Write the journal anew from git alone. */
int journal_rebuild(store *s, const char *path, size_t *commits, char *err, size_t errcap);

/* Compare the journal with git's commits; fault(what, commit) per difference.
 * Commits of git past the end of a journal that agrees with git so far (a
 * crash between a commit and its line, which the next journal_load
 * recovers) go to note(what, commit) instead, when note is not NULL.  Returns the number of faults, or a
 * negative KENES_E* code if it could not compare. */
long journal_check(store *s, const char *path,
                   void (*fault)(const char *what, const char *commit, void *payload),
                   void (*note)(const char *what, const char *commit, void *payload),
                   void *payload);

#endif
