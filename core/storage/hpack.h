/*
 * A document's older versions packed, and kept out of memory (issue 16,
 * item 10): the index knows every version of every document, and any
 * bytes a version keeps in the heap grow the server for as long as it
 * runs.  Packed, a version is about 30 bytes and its comment, in chunks of
 * HPACK_CHUNK bytes; once a chunk is full it goes to a scratch file
 * (hpack_spill), so a document keeps in memory its last chunk and 16 bytes
 * for each of the others: a history of any length costs the heap next to
 * nothing, and the page cache holds what is read again.
 *
 * Record (oldest first, one after the other):
 *   commit        20 bytes: its object id
 *   seq           varint, zigzag of (its seq - the previous record's; 0 before the first)
 *   time          varint, zigzag of (time_ms - the previous record's time_ms; 0 before the first)
 *   author, role, action, from, to, approval
 *                 varint each: 0 for NULL, else 1 + the string's interned number
 *   comment, note varint each: 0 for NULL, else 1 + length; then length bytes and a NUL
 *
 * Records never straddle two chunks: a chunk is HPACK_CHUNK bytes (a larger
 * record gets one of its own size), but a document's first, which grows to
 * that size, so a short history takes only what it uses.
 */
#ifndef KENES_STORAGE_HPACK_H
#define KENES_STORAGE_HPACK_H

#include <stddef.h>
#include <stdint.h>

#include "storage/hpack_spill.h"
#include "storage/index.h"

/* One chunk: in memory (mem, used of its bytes), or in the spill file from
 * slot on (slot * HPACK_CHUNK; a record larger than a chunk takes several). */
struct hpack_ref {
    unsigned char *mem;
    uint32_t used;
    uint32_t slot;
};

/* Append v (its author, role, action, from, to and approval interned,
 * index_intern, or NULL).  0, KENES_EINVAL (its commit is no object id) or
 * KENES_ENOMEM; nothing appended on a failure. */
int hpack_add(idx_packed *h, const idx_version *v);
/* h's full chunks written to its spill file (none: they stay in memory),
 * all but the last one it appends to.  How many it wrote, or KENES_EIO
 * when the disk refuses (errno says why; what was not written stays in
 * memory, and goes next time). */
int hpack_spill_full(idx_packed *h);
/* The bytes of h's chunks in the spill file: what hpack_decode reads. */
size_t hpack_spilled_len(const idx_packed *h);
/* Decode every version into out[0..h->count), the spilled chunks read
 * into buf (hpack_spilled_len(h) bytes): the comments and notes point into
 * buf or into h's chunks in memory.  0, or KENES_EIO when the file cannot
 * be read or the bytes do not read (a bug). */
int hpack_decode(idx_version *out, unsigned char *buf, const idx_packed *h);
/* Where h stands, to come back to with hpack_rewind (a batch of versions
 * packed all or none; hpack_spill_full only after the batch). */
typedef struct hpack_mark {
    size_t nrefs, tail_used, tail_cap, len, count;
    int64_t first_ms, last_ms;
    uint64_t last_seq;
} hpack_mark;
void hpack_mark_of(hpack_mark *out, const idx_packed *h);
void hpack_rewind(idx_packed *h, const hpack_mark *m);
/* The first version's time, or -1 when none is packed. */
int64_t hpack_first_ms(const idx_packed *h);
/* Its chunks freed, its room in the spill file given back. */
void hpack_dispose(idx_packed *h);

#endif
