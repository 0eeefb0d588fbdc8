/*
 * The loop's in-memory index of every document: its current JSON, its
 * head version and the list of its versions.  Rebuilt from git at start;
 * updated by the loop after each durable write.  Reads are answered from
 * here and never wait for the writer.
 */
#ifndef KENES_INDEX_H
#define KENES_INDEX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct idx_version {
    char commit[41];
    int64_t time_ms;
    char *author; /* user name */
    char *role;
    char *action; /* create, edit, or a workflow action */
    char *from;   /* NULL on create */
    char *to;
    char *comment; /* NULL if none */
    char *approval; /* "1/2" when the version is an approval towards a quorum */
    /* A case's comment sealed with its key (base64 of the <id>.note blob the
     * commit wrote), or NULL: only the case's key opens it (note.h). */
    char *note;
    /* Its place in the order the index recorded versions (index_record),
     * from 1, which is each repository's order of commits; 0 when it was
     * never recorded so (index_add_version).  Not kept on disk: each start
     * numbers them anew as it reads the journals. */
    uint64_t seq;
} idx_version;

/* What the index keeps of a document for the requests over many documents
 * (lists, inbox, deadlines, rights, referrers, reports), so that its JSON
 * may leave memory (issue 16, item 4).  docs/entry.c fills it from the
 * JSON at commit and at the start-up load; until then kept is 0. */
typedef struct idx_entry {
    int kept;
    /* Interned (docs/entry.c's table): compare them with strcmp all the same. */
    const char *type, *region, *stage; /* stage: today's name (former: mapped) */
    /* The rest live in blob, one allocation, or are NULL: */
    const char *title;      /* a non-confidential type's title */
    const char *listed;     /* a confidential type's summary keys, compact JSON object */
    const char *access;     /* "path\0value\0...\0": the fields the rights read */
    const char *refs;       /* "target\0path\0...\0": what its ref fields name */
    const char *projection; /* compact JSON of the fields its type's index_fields names */
    /* The date a field-based deadline of its stage counts from (ms), -1: none. */
    int64_t due_from_ms;
    /* When it is due in its stage (docs_due's answer, -1: no deadline),
     * computed at keep from the stage, the versions and the workflow, which
     * change only by a commit; due_known 0 until then. */
    int64_t due_ms;
    int due_known;
    char *blob;
    size_t blob_len;
} idx_entry;

/* A document's versions before its recent ones, packed (storage/hpack.h):
 * count of them in len bytes, in chunks (refs), the full ones written to
 * the index's scratch file (hpack_spill.h) once there is one: the first
 * nspilled of them, spilled_len bytes. */
struct hpack_ref;
struct hpack_spill;
typedef struct idx_packed {
    struct hpack_ref *refs;
    size_t nrefs, refs_cap, nspilled;
    size_t tail_cap; /* the room of the last chunk, which records go to */
    size_t len, count, spilled_len;
    int64_t first_ms, last_ms; /* the first and newest one's times */
    uint64_t last_seq;         /* and the newest one's seq */
    struct hpack_spill *spill; /* where full chunks go, or NULL: they stay in memory */
} idx_packed;

typedef struct idx_doc {
    char *id;
    json_t *doc;       /* {"id","type","region","title","stage","fields","body"}; NULL until the first commit lands */
    /* A resident document's current version as compact JSON text, sealed
     * with its case's key in cases.git (docs/fetch.h: parsed on use into
     * the bounded cache, which lends doc), or NULL; text_len its bytes. */
    char *text;
    size_t text_len;
    char version[41];  /* head commit; "" until the first commit lands */
    /* Its recent versions, oldest first: in an index that packs
     * (index_pack_old), from its newest version that brought it into its
     * current stage (or created it) on, which is what its inbox and
     * deadline read; in one that does not, every version. */
    idx_version *recent;
    size_t nrecent, recent_cap;
    /* Every version before recent[0], packed (issue 16, item 10: ~33 bytes
     * and its comment instead of a 120-byte record and its own strings),
     * and out of memory once the index has its scratch file
     * (index_spill_to).  index_versions() gives them all back. */
    idx_packed old;
    int busy; /* a write is queued or running: further writes wait their turn */
    int pins; /* requests between two steps that read doc: it stays (docs/fetch.h) */
    int repo; /* which repository holds it (REPO_DOCUMENTS, REPO_CASES) */
    /* The version in force while the current one is not (an amendment on
     * its way): the JSON and commit of the latest version in a public
     * stage, kept when a commit leaves that stage and dropped when one
     * enters a public stage again; NULL and "" otherwise (docs/public_face.c). */
    json_t *public_doc;
    char public_version[41];
    idx_entry entry;
    /* The list of its (type, region) it is filed in (index_group_note), or NULL. */
    struct idx_group *group;
} idx_doc;

typedef struct doc_index doc_index;

int index_new(doc_index **out);
void index_free(doc_index *ix);

idx_doc *index_get(const doc_index *ix, const char *id);
/* d's type, region and stage from its entry (idx_entry), or from its JSON
 * while no entry is kept; NULL when neither says. */
const char *index_doc_type(const idx_doc *d);
const char *index_doc_region(const idx_doc *d);
const char *index_doc_stage(const idx_doc *d);
/* Add an empty entry (KENES_EEXISTS if the id is taken). */
int index_add(idx_doc **out, doc_index *ix, const char *id);
/* Drop an entry that never got a commit (a create that failed). */
void index_remove(doc_index *ix, const char *id);

/* Append a version and make it the head.  Its author, role, action, from,
 * to and approval are interned (index_intern: never free or change them),
 * its comment and note copied. */
int index_add_version(idx_doc *d, const idx_version *v);
/* From now on, index_record packs a document's versions before both its
 * newest that brought it into a stage and its latest create or edit (the
 * server's index, from its creation; a scratch one keeps every version as
 * a record), and packs what ix recorded before now likewise.  0 or
 * KENES_ENOMEM (what did not pack stays as records). */
int index_pack_old(doc_index *ix);
/* From now on, the packed versions' full chunks go to an unnamed scratch
 * file made in dir (storage/hpack_spill.h) rather than stay in memory.  0,
 * KENES_ENOMEM, or KENES_EIO (errno says why: they stay in memory). */
int index_spill_to(doc_index *ix, const char *dir);
/* The bytes of packed versions in the scratch file now. */
size_t index_spilled_bytes(const doc_index *ix);
/* How many versions ix has packed so far, in how many bytes. */
void index_packed(size_t *versions, size_t *bytes, const doc_index *ix);
/* How many versions d has, packed and recent. */
size_t index_version_count(const idx_doc *d);
/* d's newest version, or NULL before its first commit. */
const idx_version *index_head(const idx_doc *d);
/* d's newest version that brought it into a stage (a change of stage, or
 * its create): what its deadline counts from.  Always a recent one, which
 * packing keeps (index_pack_old).  NULL when it has none. */
const idx_version *index_stage_entry(const idx_doc *d);
/* d's version number no (from 1) into *out: 1, 0 when it has none, or
 * KENES_ENOMEM or KENES_EIO (index_versions': the packed ones cannot be
 * read now, which says nothing of whether it is there).
 * Here and in index_version_at and index_find_version, a packed version
 * comes without its comment and note (NULL: they were in a read of the
 * scratch file, freed before the answer); index_versions has them. */
int index_version_no(idx_version *out, const idx_doc *d, size_t no);
/* The time of d's first version, or -1. */
int64_t index_created_ms(const idx_doc *d);
/* Every version of d, oldest first, into *out (malloc'd: free() it; NULL
 * when *n is 0).  The records' strings are the index's or in the same
 * allocation: valid until it is freed and d's next version is recorded.
 * 0, KENES_ENOMEM, or KENES_EIO (the scratch file cannot be read, or
 * packed bytes that do not read: a bug). */
int index_versions(idx_version **out, size_t *n, const idx_doc *d);
/* Its number in the string table (for hpack.c) of a string index_intern
 * returned, and the string of a number (NULL when none has it). */
uint32_t index_intern_id(const char *interned);
const char *index_interned_at(uint32_t id);
/* The same, and record it in ix (its seq, index_version_total). */
int index_record(doc_index *ix, idx_doc *d, const idx_version *v);
/* 1 if a is a version of da, b a version of db, both documents are in one
 * repository and a was recorded before b (each repository's history is one
 * line, recorded in its order: the journal's at start, the writer's after);
 * 0 if not: either not found in its document (or a document NULL), two
 * repositories, the same commit, b first; KENES_ENOMEM or KENES_EIO when
 * a document's packed versions cannot be read now (index_find_version).
 * Asked per document so that the answer needs no table of every commit
 * (issue 16, item 10): compared by idx_version.seq. */
int index_commit_before(const idx_doc *da, const char *a, const idx_doc *db, const char *b);
/* Replace the current JSON (takes the reference). */
void index_set_doc(idx_doc *d, json_t *doc);
/* Replace the kept text (takes text, malloc'd; NULL forgets it).  The text
 * left is wiped before it is freed. */
void index_set_text(idx_doc *d, char *text, size_t len);
/* Keep doc (takes the reference) as d's version in force, at commit; doc
 * NULL (or commit NULL) forgets it. */
void index_set_public(idx_doc *d, json_t *doc, const char *commit);

/* How many versions ix has recorded (index_record) since it was made: a
 * number that moves with every commit, for what is kept until one lands
 * (api/prepared.c's tags).  The versions themselves, in the order they
 * happened, are in the history journals (journal.h), which the audit feed
 * reads. */
size_t index_version_total(const doc_index *ix);

/* Give back what the arrays of versions grew by while a journal was read
 * (each doubles: a third of the versions' memory at 100,000 documents was
 * room never used).  A later version grows the array again. */
void index_trim(doc_index *ix);

/* The latest version of d at or before time at_ms into *out (its strings
 * the index's, as a record's; a packed one without comment and note, see
 * index_version_no), and, when no is not NULL, its number
 * from 1: 1 when found, 0 if d did not exist yet, or index_version_no's
 * failures. */
int index_version_at(idx_version *out, size_t *no, const idx_doc *d, int64_t at_ms);
/* The version of d that is commit, likewise: 1, 0 when none is, or a
 * failure. */
int index_find_version(idx_version *out, size_t *no, const idx_doc *d, const char *commit);

/* Every committed document (with its JSON), sorted by id.  *out is
 * malloc'd; free() it.  No sort per call: the index keeps the order. */
int index_list(idx_doc ***out, size_t *count, const doc_index *ix);
/* Every entry, committed or not (version "" until its first commit), sorted
 * by id, with no copy: the index's own array, valid until the next
 * index_add or index_remove.  Entries made since the last call are put in
 * order now. */
idx_doc *const *index_sorted(const doc_index *ix, size_t *count);

/* The one copy of s kept for the life of the process (the same pointer for
 * the same text), or NULL when s is NULL or out of memory.  For the few
 * hundred values many entries repeat: users, roles, actions, stages. */
const char *index_intern(const char *s);
size_t index_count(const doc_index *ix);

/* The reverse map of refs: which documents name target in a ref field
 * (docs/entry.c keeps it as entries change).  Each adds or removes one
 * (referrer, target) pair; a pair added twice is kept once. */
int index_ref_add(doc_index *ix, const char *target, idx_doc *referrer);
void index_ref_remove(doc_index *ix, const char *target, const idx_doc *referrer);
/* The documents naming target (borrowed, in no order; *n of them). */
idx_doc *const *index_referrers(const doc_index *ix, const char *target, size_t *n);
/* Lists per (type, region) (storage/groups.h): d filed under its entry's
 * type and region, moved out of where it was (a transfer changes the
 * region).  docs/entry.c calls it each time it keeps an entry.  0 or
 * KENES_ENOMEM. */
int index_group_note(doc_index *ix, idx_doc *d);
/* The documents filed under (type, region), sorted by id, borrowed (valid
 * until the next index_group_note, index_add or index_remove); *n of them. */
idx_doc *const *index_group(const doc_index *ix, const char *type, const char *region,
                            size_t *n);
/* Visit every entry, committed or not; a non-zero return stops and is returned. */
int index_foreach(doc_index *ix, int (*cb)(idx_doc *d, void *payload), void *payload);

#endif
