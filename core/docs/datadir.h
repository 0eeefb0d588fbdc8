/*
 * The data folder and what start-up reads into the document service:
 * creating DATA (its repositories, keys and kenes.yaml), the signing key
 * and the allowed_signers file, the plugins and workflows, the templates,
 * and the index rebuilt from the history journals and git.  serve, verify,
 * accept and key rotate share these, so each lives here once.
 */
#ifndef KENES_DOCS_DATADIR_H
#define KENES_DOCS_DATADIR_H

#include <jansson.h>
#include <stddef.h>

#include "base/config.h"
#include "docs/service.h"
#include "docs/workflow.h"
#include "plugin/loader.h"
#include "storage/index.h"
#include "storage/journal.h"
#include "storage/sign.h"
#include "storage/store.h"
#include "storage/vault.h"

extern const char *const datadir_repo_names[2]; /* "documents.git", "cases.git" (REPO_*) */

/* Create DIR, its repositories, keys and kenes.yaml.  KENES_EEXISTS if done before. */
int datadir_init(const char *dir, char *err, size_t errcap);

/* Load plugins, the national orders (content/orders.yaml: the workflows'
 * deadlines and api->order_dates read them; the set keeps them) and
 * workflows the way serve does (also used by verify).  On failure both are
 * NULL and err says which file and why. */
int datadir_load_rules(plugin_set **plugins, wf_set **workflows, const config *cfg, char *err,
                       size_t errcap);

/* content/templates/<type>.<lang>.md of every workflow type, read once:
 * *out = {"regional-plan": {"ru": "...", ...}, ...}.  A missing file is a
 * gap, not a fault; a file that is not UTF-8 is KENES_EINVAL. */
int datadir_load_templates(json_t **out, const wf_set *workflows, const char *content_dir,
                           char *err, size_t errcap);

/* Add the line of sg's key for principal to DIR/allowed_signers unless the
 * file has it, keeping the lines it holds.  0, or negative with err. */
int datadir_allow_signer(const char *dir, const signer *sg, const char *principal, char *err,
                         size_t errcap);

/* The signing key of DIR (DIR/keys/signing.key): created first when create
 * is set; with out NULL it is published at once (datadir_signing_publish)
 * and freed, else *out gets it.  A missing key is never replaced. */
int datadir_signing_open(signer **out, const char *dir, const char *principal, int create,
                         char *err, size_t errcap);

/* DIR/keys/signing.pub and sg's line in DIR/allowed_signers for principal. */
int datadir_signing_publish(const signer *sg, const char *dir, const char *principal, char *err,
                            size_t errcap);

/* The layout repo's documents are in at main's head (docpath.h), into
 * *out; a flat one is logged (kenes migrate moves it).  KENES_EINVAL when
 * it holds both, with err saying where. */
int datadir_check_layout(docpath_layout *out, store *s, int repo, char *err, size_t errcap);

/* DATA/index/<repository>.jsonl, the history journal of REPO_*. */
void datadir_journal_path(char *out, size_t cap, const char *data_dir, int repo);

/* What the start-up load asks of its caller, beside the journal and git. */
typedef struct datadir_load_hooks {
    /* Judges the commits after the journal's end first; may be NULL. */
    journal_unseen_cb unseen;
    void *unseen_payload;
    /* Once the journal is read, before any file: entries kept from
     * elsewhere (the snapshot, docs/snap.h) for documents whose head did
     * not move; those are not read.  May be NULL. */
    int (*restore)(doc_index *ix, int repo, void *payload);
    /* 1 if d, its entry restored, needs its JSON all the same (a resident
     * type's).  May be NULL: none does. */
    int (*needs_json)(const idx_doc *d, void *payload);
    /* Each document read, as soon as its JSON is at hand (its entry kept,
     * the JSON dropped: docs/entry.h); non-zero stops the load.  May be NULL. */
    int (*keep)(idx_doc *d, void *payload);
    void *payload; /* restore's, needs_json's and keep's */
} datadir_load_hooks;

/* Add a repository's documents to the index (start-up) from its journal and
 * git; entries get repo.  *read (may be NULL) counts the documents whose
 * file was read.  KENES_ESTALE if its history was rewritten.  When h's
 * unseen leaves the commits after the journal to the caller (journal.h),
 * only the journal's documents are loaded, each read at its own version. */
int datadir_rebuild_index(size_t *read, doc_index *ix, store *s, vault *v, int repo,
                          const char *journal, const datadir_load_hooks *h, char *err,
                          size_t errcap);

/* The document id's file at commit at (hex), parsed, into *out (and its
 * size in *bytes, which may be NULL); sealed ones
 * opened with v's key (v NULL: KENES_EINVAL).  shown is how err names the
 * commit.  KENES_EUNAVAILABLE when its key is gone.  Reads git only: safe on
 * the thread pool with a store no other thread uses. */
int datadir_read_doc(json_t **out, size_t *bytes, store *s, vault *v, const char *id,
                     const char *at, const char *shown, char *err, size_t errcap);

/* After datadir_rebuild_index: give each document of repo whose current
 * stage is not public, while an earlier version's was, that version as its
 * version in force (idx_doc.public_doc, read from git at its commit).
 * 0, or negative with err. */
int datadir_load_public_faces(doc_index *ix, store *s, vault *v, int repo,
                              const wf_set *workflows, char *err, size_t errcap);

/* After the rebuild: each document whose JSON is in memory and whose stage
 * is a former one (a workflow's former: stages:) takes the stage's name of
 * today.  A server keeps none by then but an erased case's (a resident
 * document is kept as text, the others read on demand): those are mapped
 * where they are parsed (docs/fetch.c), their entries where computed
 * (docs/entry.c); an index a tool built keeps every JSON. */
int datadir_map_former_stages(doc_index *ix, const wf_set *workflows);

/* ---- one process per data folder, and what a crash leaves (datadir_safe.c) ---- */

/* Take DATA/kenes.lock (flock, LOCK_EX|LOCK_NB) for command ("serve",
 * "accept", ...) and write "<pid> <command>" into it; *fd holds it until
 * datadir_unlock or the process's end (a crash included).  KENES_EBUSY with
 * err "DATA is served by PID n (DATA/kenes.lock)" when another process holds
 * it; KENES_EIO when it cannot be opened.  Nothing in DATA is changed then. */
int datadir_lock(int *fd, const char *dir, const char *command, char *err, size_t errcap);
void datadir_unlock(int fd); /* -1 is a no-op */

/* With the lock held, before the repository is opened: remove what a crash
 * of the only writer left in gitdir (repo names it in the log) -- lock
 * files under refs/ and objects/info/, index.lock, packed-refs.lock,
 * objects never finished (tmp_obj*), packs never finished (tmp_*,
 * pack_git2_*, a .pack without its .idx or the reverse, unless a .keep),
 * the kenes-tmp-* folders a batch's or a consolidation's pack was being
 * written in, and git gc's gc.pid.lock when a consolidation took it (it
 * says "kenes consolidation"); the last two only while no consolidation
 * runs (`kenes gc` may, beside the server: kenes-gc.lock is then held).
 * One log line per file or folder.  *removed (if not NULL) counts them.  0, or
 * KENES_EIO when one could not be removed (logged). */
int datadir_clear_leftovers(size_t *removed, const char *gitdir, const char *repo);

/* Whether the writer could commit to gitdir now: 0 with why "ok", or
 * negative with why saying what stops it (a refs/heads/main.lock, a folder
 * it cannot write, a full disk).  A few stat calls: cheap enough for /healthz.
 * writer (NULL: none) is this server's store of gitdir: a main.lock seen
 * while it moves main (store_publish_seq) is its own, not a fault. */
int datadir_repo_writable(char *why, size_t cap, const char *gitdir, const store *writer);

#endif
