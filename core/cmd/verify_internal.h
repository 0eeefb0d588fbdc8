/*
 * What the files of kenes verify share (verify.h is what others call):
 * verify.c walks the repositories and says what it found, verify_keys.c
 * judges signatures and the keys in force, verify_commit.c judges one
 * commit against the document it names and its workflow.
 */
#ifndef KENES_VERIFY_INTERNAL_H
#define KENES_VERIFY_INTERNAL_H

#include <git2.h>

#include "base/map.h"
#include "cmd/verify.h"
#include "storage/docpath.h"
#include "storage/message.h"
#include "storage/sign.h"
#include "plugin/loader.h"

/* The keys a repository's history put in force, in order: the first good
 * signature's, then each rotation's.  Both repositories are signed by one
 * server, so each one's first key must be one the other had in force. */
#define VERIFY_CHAIN_MAX 64
typedef struct vchain {
    unsigned char keys[VERIFY_CHAIN_MAX][SIGN_PUBKEY_BYTES];
    size_t n;
    char first_commit[STORE_OID_HEX]; /* signed by keys[0] */
} vchain;

/* What verify knows of one document so far. */
typedef struct vdoc {
    char *stage;
    idx_version *versions; /* its commits so far, oldest first, as the index holds them */
    size_t n, cap;
} vdoc;

typedef struct vctx {
    store *s;
    git_repository *git; /* the same repository: signatures, parents' trees */
    const wf_set *workflows;
    const char *sealed_type; /* a type of the sealed files in this repository, if any */
    const plugin_set *plugins; /* which types those are (verify_sealed_type) */
    map *docs;               /* document id -> vdoc */
    const unsigned char (*keys)[SIGN_PUBKEY_BYTES]; /* who may sign commits */
    size_t nkeys;
    const char *key_source; /* "allowed_signers" or "keys/signing.pub" */
    size_t commits;
    size_t faults;
    const char *repo;
    anchor_check *anchors; /* the access log's positions the commits carry */
    /* The documents' versions before the first commit walked (serve's
     * start-up: the journal's), copied into docs as commits name them. */
    const doc_index *seed;
    int seed_repo;
    /* 0, KENES_ENOMEM, or KENES_EIO: the seed's older versions do not read
     * back (its scratch file): the walk stops with it. */
    int failed;
    /* Commits an administrator accepted (kenes accept): their faults are
     * waived, counted apart. */
    map *accepted;
    int waive;
    size_t waived;
    /* The key in force: the first good signature's, then each rotation's. */
    unsigned char in_force[SIGN_PUBKEY_BYTES];
    int has_in_force;
    verify_finding *finding; /* set: record the first fault there, print nothing */
    vchain chain;            /* of the repository being walked */
    char last_faulty[STORE_OID_HEX];
    size_t notes; /* what a restart recovers by itself (the journal's lag): said, not faults */
    /* The layout documents' files are in (docpath.h), known once a commit
     * of an id that fans out or a migration was met. */
    int layout_known;
    docpath_layout layout;
} vctx;

/* A fault of commit: counted, waived (an accepted commit's), recorded in
 * v->finding or printed. */
void verify_fault(vctx *v, const char *commit, const char *what, const char *detail);
/* A fault of no one commit (the keys, a ref). */
void verify_general_fault(vctx *v, const char *line);

/* ---- verify_keys.c ---- */

/* 1 if the chain put pk in force. */
int verify_chain_has(const vchain *c, const unsigned char pk[SIGN_PUBKEY_BYTES]);
/* The listed key whose good SSH signature of itself the commit carries, as
 * git verify-commit checks it: 0 with pk set, or KENES_EFORBIDDEN with the
 * fault's words in what and detail. */
int verify_signed_by(vctx *v, unsigned char pk[SIGN_PUBKEY_BYTES], char *what, size_t cap,
                     const char **detail, const char *commit);
/* 1 if commit is signed by the key in force (which the first good
 * signature sets), else 0 with the fault said. */
int verify_check_signature(vctx *v, const char *commit);
/* An administrator's decision (accept, rotate-key). */
void verify_check_admin(vctx *v, const store_commit_info *c, const msg_parsed *m, int good_sig);
/* store_walk callback: the commits accepted commits name, into v->accepted. */
int verify_collect_accepted(const store_commit_info *c, void *payload);
/* The key in force at commit, for a walk that starts after it. */
int verify_seed_key(vctx *v, const char *commit);
/* The keys that may sign commits into *keys (malloc'd) and v->keys. */
int verify_load_keys(vctx *v, unsigned char (**keys)[SIGN_PUBKEY_BYTES], const char *data_dir);

/* ---- verify_commit.c ---- */

/* store_walk callback: judge one commit.  0, or KENES_ENOMEM. */
int verify_check_commit(const store_commit_info *c, void *payload);
/* Free a map of document id -> what verify knows of it. */
void verify_docs_free(map *docs);

/* The type of the sealed file a commit of the cases repository writes:
 * of the types that live there, the one whose noun its subject names
 * before the document ("Record commission meeting KZ-11 2026-1"); the only
 * one when there is one; NULL when none fits. */
const char *verify_sealed_type(const vctx *v, const char *message, const char *document);

/* ---- verify_files.c ---- */

/* An attach or detach commit judged (1), or 0 when m is neither.  prev: the
 * document's stage before it; doc: its text after it (NULL when sealed);
 * md: its file's path in the commit (docpath.h). */
int verify_files_commit(vctx *v, const store_commit_info *c, const msg_parsed *m,
                        const wf_workflow *wf, const char *prev, const json_t *doc, int sealed,
                        const char *md);

/* ---- migrate.c ---- */

/* kenes migrate's commit (Kenes-Action: migrate): every file of an id that
 * fans out moved from its flat path to its fan-out path, unchanged, and
 * nothing else; the layout in force is fan-out from then on. */
void verify_check_migrate(vctx *v, const store_commit_info *c);

/* A transition's commit adds no file and removes files only if the
 * transition clears them (clears_files: then all of the version's; none
 * removed is history from before the workflow said so). */
void verify_files_transition(vctx *v, const store_commit_info *c, const msg_parsed *m,
                             const wf_transition *tr, const char *md);

#endif
