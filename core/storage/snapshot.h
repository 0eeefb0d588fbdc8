/*
 * The start-up snapshot of one repository's index (DATA/index/<repo>.snap):
 * per document its id, the version the entry was computed from and the
 * entry itself (docs/entry.h's, as the caller serialises it), so that a
 * start reads one file instead of every document (issue 16, item 4).
 *
 * Derived data like the journal: a snapshot that is missing, damaged,
 * written by another format, or computed under other rules (the caller's
 * digest: workflows, plugins) is not used, and the documents are read once
 * more.  An entry whose version is not the document's head any more is the
 * caller's to ignore.
 *
 * The records are sealed (XChaCha20-Poly1305 in libsodium's secretstream,
 * chunk by chunk, the header as the first chunk's associated data, the last
 * chunk tagged final) with a key the caller derives from the master key: a
 * case's entry holds its list summary, which must not lie in DATA/index in
 * the clear.
 *
 * A record may carry the document itself besides its entry (the caller's
 * bytes: a resident type's JSON, sealed again with its case's key when the
 * document is sealed), so that a start does not read it from git either.
 *
 * Layout, little-endian: "KENESNAP", u32 format, u32 count, 32-byte digest,
 * the stream's 24-byte header; then chunks, each u32 length and sealed
 * bytes.  Opened, the chunks are the records: count times u16 id length, id,
 * 20-byte version, u32 entry length, entry, u32 document length, document
 * (0 and nothing: none).
 */
#ifndef KENES_SNAPSHOT_H
#define KENES_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#define SNAP_DIGEST_BYTES 32
#define SNAP_KEY_BYTES 32
/* Records are sealed in chunks of this many bytes (libsodium's
 * secretstream): reading or writing holds one chunk, not a copy of the
 * whole file, and an altered or missing chunk is found where it is. */
#define SNAP_CHUNK_BYTES (256u * 1024u)

/* ---- writing: the records gathered in memory (on the loop, where the
 * index lives), the file written by snap_writer_commit (on the pool) ---- */

typedef struct snap_writer snap_writer;

/* A replacement for path's snapshot, sealed with key. */
int snap_writer_open(snap_writer **out, const char *path,
                     const unsigned char digest[SNAP_DIGEST_BYTES],
                     const unsigned char key[SNAP_KEY_BYTES]);
/* One document: id, its version (40 hex), its entry's bytes and, doc_len
 * not 0, the document's. */
int snap_writer_add(snap_writer *w, const char *id, const char *version, const char *entry,
                    size_t len, const char *doc, size_t doc_len);
/* Seal, write beside path, sync and put in place of path's; w is freed
 * either way. */
int snap_writer_commit(snap_writer *w);
/* Drop what was written; path keeps its old file.  NULL is a no-op. */
void snap_writer_abort(snap_writer *w);

/* ---- reading ---- */

typedef struct snap_reader snap_reader;

/* 0; KENES_ENOTFOUND: no snapshot; KENES_ESTALE: computed under another
 * digest; KENES_EINVAL: damaged, cut short, of another format or sealed
 * with another key. */
int snap_reader_open(snap_reader **out, const char *path,
                     const unsigned char digest[SNAP_DIGEST_BYTES],
                     const unsigned char key[SNAP_KEY_BYTES]);
size_t snap_reader_count(const snap_reader *r);
/* The next record: 1 and its parts (valid until the next call), 0 after
 * the last, KENES_EINVAL when a chunk further on is altered or the file was
 * cut short (the records handed out before were whole and authentic), or
 * KENES_ENOMEM.  entry and doc are not NUL-terminated; doc is NULL with
 * doc_len 0 when the record carries no document. */
int snap_reader_next(snap_reader *r, const char **id, char version[41], const char **entry,
                     size_t *len, const char **doc, size_t *doc_len);
/* NULL is a no-op. */
void snap_reader_close(snap_reader *r);

#endif
