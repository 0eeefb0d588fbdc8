/*
 * Dossiers: every version of one document in one zip file, with the diffs
 * between them, the history and what a reader needs to check it all by hand
 * against a clone of the repository.
 *
 * dossier_build is a pure builder: no loop, no globals, no files; the zip
 * is made in memory, so it may run on a libuv thread-pool thread.
 * dossier_make gets a document's versions through the document service
 * (docs_export), which reads and opens them, has dossier_build pack them on
 * the thread pool, and hands the zip over once the access log holds the
 * download.  Layout (NNN is the version's
 * place, oldest first, zero-padded to 3 digits or to as many as the count
 * needs: 0001 ... 1000):
 *
 *   README.md                  how to verify by hand (English, then Russian)
 *   history.json               in->history_json, pretty-printed (UTF-8)
 *   signing-key.pub            in->signing_key + "\n"     (only when given)
 *   allowed_signers            in->allowed_signers + "\n" (only when given)
 *   files.json                 each version's attached files and where git
 *                              keeps them (only when a version has one)
 *   versions/NNN-<commit>.md   each version's text, byte for byte
 *   diffs/NNN-MMM.diff         unified diff of <id>.md between consecutive
 *                              versions (none for a single version; empty
 *                              when a commit left the file as it was)
 *
 * Only the commit goes into a version's name, never the id, so no entry
 * name has a ".." or a folder beyond versions/ and diffs/.  Every entry is
 * deflated, mode 0644, and dated with the time the dossier is made (the
 * core's clock, util_now_ms(), which KENES_NOW fixes): the commit times are
 * in history.json, and the README says so.
 */
#ifndef KENES_DOSSIER_H
#define KENES_DOSSIER_H

#include <stddef.h>

#include "docs/docs.h"

typedef struct dossier_version {
    const char *commit; /* 40 hex */
    const char *text;   /* the document file at that version (plain text, UTF-8) */
    size_t len;
} dossier_version;

typedef struct dossier_input {
    const char *id;                  /* "plan/KZ-11/2026" */
    const dossier_version *versions; /* oldest first */
    size_t nversions;
    const char *history_json;        /* the API's history answer, pretty-printed by you */
    const char *signing_key;         /* the server's public key line "ssh-ed25519 ..." or NULL */
    const char *allowed_signers;     /* the allowed_signers line or NULL */
    /* Where git keeps the document's file now ("case/KZ-11/3f/<uuid>.md",
     * storage/docpath.h); NULL: "<id>.md". */
    const char *path;
} dossier_input;

/*
 * Build the dossier of in; *zip is malloc'd (free() it), *zip_len its size.
 * 0, or KENES_EINVAL (a bad id or commit, no versions, history_json not a
 * JSON object or array, a key line that is empty or not UTF-8),
 * KENES_ENOMEM, KENES_EIO (libzip or libgit2 failed); on error *zip is NULL.
 */
int dossier_build(char **zip, size_t *zip_len, const dossier_input *in);

/*
 * The dossier of d for u: cb gets the zip (r->data, r->data_len, borrowed)
 * once the download is in the access log, or a refusal as docs_export
 * gives it ("dossier" when the zip cannot be built).  The signing key and
 * the allowed_signers line are the documents repository's, when it signs.
 */
void dossier_make(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
                  void *payload);

#endif
