/*
 * A document's older versions packed into one byte string (issue 16, item
 * 10): the index keeps every version of every document, and 120-byte
 * records with their own strings grew the server by ~300 bytes a write.
 * Packed, a version costs its 20-byte commit, its time as a difference
 * from the one before, the numbers of its interned strings (index_intern_id)
 * and its comment and note as they are: ~26 bytes and its comment.
 *
 * Record (oldest first, one after the other):
 *   commit        20 bytes, raw
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

/* Append v, whose author, role, action, from, to and approval are interned
 * (index_intern) or NULL.  0 or KENES_ENOMEM (nothing appended). */
int hpack_add(idx_packed *h, const idx_version *v);
/* Decode every version into out[0..h->count): 0, or KENES_EIO if the bytes
 * do not read (a bug: they are never written anywhere). */
int hpack_decode(idx_version *out, const idx_packed *h);
/* The first version's time, or -1 when none is packed. */
int64_t hpack_first_ms(const idx_packed *h);
void hpack_dispose(idx_packed *h);

#endif
