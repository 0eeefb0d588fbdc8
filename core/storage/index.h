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
} idx_version;

typedef struct idx_doc {
    char *id;
    json_t *doc;       /* {"id","type","region","title","stage","fields","body"}; NULL until the first commit lands */
    char version[41];  /* head commit; "" until the first commit lands */
    idx_version *versions; /* oldest first */
    size_t nversions;
    size_t cap;
    int busy; /* a write is queued or running: further writes wait their turn */
    int pins; /* requests between two steps that read doc: it stays (docs/fetch.h) */
    int repo; /* which repository holds it (REPO_DOCUMENTS, REPO_CASES) */
    /* The version in force while the current one is not (an amendment on
     * its way): the JSON and commit of the latest version in a public
     * stage, kept when a commit leaves that stage and dropped when one
     * enters a public stage again; NULL and "" otherwise (docs/public_face.c). */
    json_t *public_doc;
    char public_version[41];
} idx_doc;

typedef struct doc_index doc_index;

int index_new(doc_index **out);
void index_free(doc_index *ix);

idx_doc *index_get(const doc_index *ix, const char *id);
/* Add an empty entry (KENES_EEXISTS if the id is taken). */
int index_add(idx_doc **out, doc_index *ix, const char *id);
/* Drop an entry that never got a commit (a create that failed). */
void index_remove(doc_index *ix, const char *id);

/* Append a version (strings copied) and make it the head. */
int index_add_version(idx_doc *d, const idx_version *v);
/* The same, and record it as the newest event of ix. */
int index_record(doc_index *ix, idx_doc *d, const idx_version *v);
/* Replace the current JSON (takes the reference). */
void index_set_doc(idx_doc *d, json_t *doc);
/* Keep doc (takes the reference) as d's version in force, at commit; doc
 * NULL (or commit NULL) forgets it. */
void index_set_public(idx_doc *d, json_t *doc, const char *commit);

/* Every version of every document in the order it happened: what the
 * audit feed pages through.  Append-only, so a position stays valid. */
typedef struct idx_event {
    idx_doc *doc;
    size_t version; /* index into doc->versions */
} idx_event;
size_t index_event_count(const doc_index *ix);
const idx_event *index_event_at(const doc_index *ix, size_t i);
/* Order the events by time (stably): after the start-up load, which reads
 * one repository after the other. */
void index_sort_events(doc_index *ix);

/* The latest version of d at or before time at_ms, or NULL if d did not exist yet. */
const idx_version *index_version_at(const idx_doc *d, int64_t at_ms);

/* Every committed document, sorted by id.  *out is malloc'd; free() it. */
int index_list(idx_doc ***out, size_t *count, const doc_index *ix);
size_t index_count(const doc_index *ix);
/* Visit every entry, committed or not; a non-zero return stops and is returned. */
int index_foreach(doc_index *ix, int (*cb)(idx_doc *d, void *payload), void *payload);

#endif
