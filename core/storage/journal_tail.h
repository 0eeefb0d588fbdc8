/*
 * A history journal (journal.h) read backwards, newest line first, from
 * its end or from a position given back (the audit feed's cursor):
 * the journal only grows, so a line's start stays one while lines are
 * appended after it.  Only the versions' lines are given (an
 * administrator's or a foreign commit's line is passed over), and what
 * one call reads is bounded by a budget of bytes, so that a job on the
 * thread pool can stop and be taken up again.  Blocking: the thread pool,
 * or a start before anything is served.
 */
#ifndef KENES_JOURNAL_TAIL_H
#define KENES_JOURNAL_TAIL_H

#include <stddef.h>
#include <stdint.h>

#include "storage/store.h"

/* What the feed and notify need of a version's line: never its comment or
 * sealed note, which they do not show. */
typedef struct journal_line {
    char commit[STORE_OID_HEX];
    int64_t time_ms;
    /* Into text, one allocation (journal_line_dispose); role and from may be NULL. */
    const char *document, *author, *role, *action, *from, *to;
    char *text;
    uint64_t at, end; /* where the line starts, and where its newline ends */
} journal_line;

typedef struct journal_tail {
    int is_open;  /* a zeroed tail is closed */
    int fd;       /* -1: no journal, read as empty */
    uint64_t end; /* what is not read yet ends here: a line's start or the last line's end */
    char *buf;    /* the journal's bytes [end - len, end), read ahead */
    size_t len;
} journal_tail;

#define JOURNAL_TAIL_END UINT64_MAX
enum { JOURNAL_TAIL_PAUSE = 2 };

/* Open path to read back from at, or from JOURNAL_TAIL_END: the end of its
 * last whole line (a line being appended is not read).  A missing journal
 * reads as empty.  0; KENES_EINVAL when at is past the end or not at a
 * line's start (nothing is open then); KENES_EIO; KENES_ENOMEM. */
int journal_tail_open(journal_tail *t, const char *path, uint64_t at);
/* The version line before t->end into *line (t->end moves to its start):
 * 1; 0 when the journal's start is reached; JOURNAL_TAIL_PAUSE when
 * *budget ran out first (nothing is lost: call again with a new budget);
 * KENES_EIO or KENES_ENOMEM.  Each byte read lowers *budget; a call reads
 * at least one byte when *budget is not 0. */
int journal_tail_prev(journal_line *line, journal_tail *t, size_t *budget);
void journal_line_dispose(journal_line *line);
/* A closed (or zeroed) tail is left as it is. */
void journal_tail_close(journal_tail *t);

#endif
