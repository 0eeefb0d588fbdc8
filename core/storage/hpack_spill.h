/*
 * The scratch file where packed history chunks go once full (hpack.h).
 * It is made unnamed (O_TMPFILE) in the folder it is given: nobody else
 * sees it, a crash leaves nothing behind, and each start writes it anew
 * from the journal, so it is never synced.  It holds what the journal
 * holds (a case's comment sealed as there).  Read and written with
 * pread/pwrite, not mapped: what it holds is the page cache's, never the
 * server's resident memory.  Only the thread that owns the index uses it.
 */
#ifndef KENES_STORAGE_HPACK_SPILL_H
#define KENES_STORAGE_HPACK_SPILL_H

#include <stddef.h>
#include <stdint.h>

#define HPACK_CHUNK 4096

typedef struct hpack_spill hpack_spill;

/* The scratch file made in dir: 0, KENES_ENOMEM, or KENES_EIO (errno says
 * why). */
int hpack_spill_open(hpack_spill **out, const char *dir);
void hpack_spill_close(hpack_spill *s);
/* The bytes of chunks it holds now. */
size_t hpack_spill_bytes(const hpack_spill *s);
/* len bytes (> 0) written from a free slot on (a free one for a chunk
 * that fits in one, else at the end), that slot into *slot: 0, or KENES_EIO
 * (nothing taken). */
int hpack_spill_put(uint32_t *slot, hpack_spill *s, const void *data, size_t len);
/* The len bytes written from slot on, read back into buf: 0 or KENES_EIO. */
int hpack_spill_get(void *buf, const hpack_spill *s, uint32_t slot, size_t len);
/* The slots of len bytes from slot on given back for later chunks. */
void hpack_spill_drop(hpack_spill *s, uint32_t slot, size_t len);

#endif
