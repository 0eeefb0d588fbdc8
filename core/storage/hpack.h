/*
 * A document's older versions packed into one byte string (issue 16, item
 * 10): the index keeps every version of every document, and 120-byte
 * records with their own strings grew the server by ~300 bytes a write.
 * Packed, a version costs its commit's place in its repository's order
 * (order.h, which keeps the 20-byte id once for everyone), its time, the
 * numbers of its interned strings (index_intern_id) and its comment and
 * note as they are: about 12 bytes and its comment.
 *
 * Record (oldest first, one after the other):
 *   place         varint, zigzag of (its order_place - the previous record's; 0 before the first)
 *   time          varint, zigzag of (time_ms - the previous record's time_ms; 0 before the first)
 *   author, role, action, from, to, approval
 *                 varint each: 0 for NULL, else 1 + the string's interned number
 *   comment, note varint each: 0 for NULL, else 1 + length; then length bytes and a NUL
 *
 * Records never straddle two chunks: a chunk is HPACK_CHUNK bytes (a larger
 * record gets one of its own size), but a document's first, which grows to
 * that size, so a short history takes only what it uses.
 *
 * A decoded version's comment and note point into the packed bytes: valid
 * until the document's packed versions are disposed of (chunks never move
 * once a second one exists; the first may move while it grows).
 */
#ifndef KENES_STORAGE_HPACK_H
#define KENES_STORAGE_HPACK_H

#include <stddef.h>
#include <stdint.h>

#include "storage/index.h"

#define HPACK_CHUNK 4096

/* The commit at place into out (41 bytes): 0, or a KENES_E* code. */
typedef int (*hpack_commit_fn)(char out[41], uint32_t place, const void *arg);

/* Append v, whose commit is at place (non-zero) and whose author, role,
 * action, from, to and approval are interned (index_intern) or NULL.  0,
 * KENES_EINVAL (place 0) or KENES_ENOMEM (nothing appended). */
int hpack_add(idx_packed *h, const idx_version *v, uint32_t place);
/* Decode every version into out[0..h->count), each commit through
 * commit_at: 0, or KENES_EIO if the bytes do not read (a bug: they are
 * never written anywhere) or a commit is not found. */
int hpack_decode(idx_version *out, const idx_packed *h, hpack_commit_fn commit_at,
                 const void *arg);
/* Where h stands, to come back to with hpack_rewind (a batch of versions
 * packed all or none). */
typedef struct hpack_mark {
    size_t nchunks, tail_used, len, count;
    int64_t last_ms;
    uint32_t last_place;
} hpack_mark;
void hpack_mark_of(hpack_mark *out, const idx_packed *h);
void hpack_rewind(idx_packed *h, const hpack_mark *m);
/* The first version's time, or -1 when none is packed. */
int64_t hpack_first_ms(const idx_packed *h);
void hpack_dispose(idx_packed *h);

#endif
