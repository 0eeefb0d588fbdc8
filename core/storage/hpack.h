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
 * A decoded version's comment and note point into the packed bytes: valid
 * while they are not changed (the next version the index records for that
 * document may move them).
 */
#ifndef KENES_STORAGE_HPACK_H
#define KENES_STORAGE_HPACK_H

#include <stddef.h>
#include <stdint.h>

#include "storage/index.h"

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
/* The first version's time, or -1 when none is packed. */
int64_t hpack_first_ms(const idx_packed *h);
void hpack_dispose(idx_packed *h);

#endif
