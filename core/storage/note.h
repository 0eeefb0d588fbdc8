/*
 * Sealed notes: what a user types about a case (a transition's comment, an
 * erase reason) kept where only the case's key opens it.
 *
 * A commit of cases.git that carries such text writes it, sealed with the
 * case's key (vault_seal, the id as associated data), to the file
 * "<id>.note" beside "<id>.md" in the same commit, and names that blob in
 * the trailer "Kenes-Note: <blob id>"; the message itself has no body.  The
 * history journal and the index keep the same sealed bytes, base64
 * (sodium's original variant, padded), as "note", so the history read from
 * the journal and the one rebuilt from git agree byte for byte, and neither
 * holds the text in the clear.  Destroying the key (erasure) leaves every
 * note of the case, the erase reason included, unreadable: that is the
 * point.
 *
 * The sealed plain text is a JSON object {"comment": "..."}, so that a
 * sealed case file moved to a note's path (same key, same associated data)
 * does not open as a note.
 */
#ifndef KENES_NOTE_H
#define KENES_NOTE_H

#include <stddef.h>

#include "storage/docpath.h"
#include "storage/store.h"
#include "storage/vault.h"

/* A note is padded to a whole number of these bytes before it is sealed. */
#define NOTE_PAD_BLOCK 256

/* "<doc_id>.note" where layout puts it (docpath.h); KENES_EINVAL if it
 * does not fit cap. */
int note_path(char *out, size_t cap, const char *doc_id, docpath_layout layout);

/* Seal comment (non-empty) for doc_id.  *sealed (the file's bytes) and *b64
 * (the journal's form) malloc'd.  KENES_ENOTFOUND if doc_id has no key. */
int note_seal(char **sealed, size_t *sealed_len, char **b64, vault *v, const char *doc_id,
              const char *comment);

/* The comment in a note (b64 as note_seal made it); *comment malloc'd.
 * KENES_ENOTFOUND once the case's key was destroyed, KENES_EINVAL if the
 * note was altered or is not one. */
int note_open(char **comment, vault *v, const char *doc_id, const char *b64);

/* The note a commit names: "<doc_id>.note" in commit, which must be the blob
 * blob_id (its Kenes-Note), as base64; *b64 malloc'd.  KENES_ENOTFOUND if
 * the commit has no such file, KENES_EINVAL if it is another blob.
 * Synchronous (start-up, reindex and verify only). */
int note_read(char **b64, store *s, const char *commit, const char *doc_id, const char *blob_id);

#endif
