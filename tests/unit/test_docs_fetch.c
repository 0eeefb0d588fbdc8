/* Documents read on demand (docs/fetch.c): a cache bounded by bytes keeps
 * the most recently used, drops the least recently used, never drops one
 * pinned, reads each miss once however many ask, and reads again what it
 * dropped.  Reads are counted through docs_fetch_read_hook: no timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "docs/docs.h"
#include "docs/fetch.h"
#include "plugin/kapi.h"
#include "storage/docfile.h"
#include "store_fixture.h"

typedef struct fixture {
    store_fixture st; /* the documents' repository and the loop */
    docs_service svc;
    idx_doc *d[3];
} fixture;

static size_t reads;
static char last_read[64];

static void count_read(const char *id, const char *version)
{
    (void)version;
    reads++;
    snprintf(last_read, sizeof(last_read), "%s", id);
}

static const char *const ids[3] = {"plan/KZ-11/2026", "plan/KZ-15/2026", "plan/KZ-19/2026"};

/* Three plans of the same size, one commit each, in the index as the
 * journal would leave them: versions, no JSON. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || store_fixture_open(&f->st, "fetch", 0) != 0 || index_new(&f->svc.index) != 0)
        return -1;
    f->svc.repos[REPO_DOCUMENTS] = f->st.s;
    f->svc.loop = &f->st.loop;
    f->svc.layout[REPO_DOCUMENTS] = DOCPATH_FLAT;
    char body[1200];
    memset(body, 'x', sizeof(body) - 1);
    body[sizeof(body) - 1] = '\0';
    for (int i = 0; i < 3; i++) {
        json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}, s:s}", "id", ids[i], "type",
                                "regional-plan", "region", "KZ-11", "title", ids[i], "stage",
                                "draft", "fields", "body", body);
        char *text;
        size_t len;
        if (doc_serialize(&text, &len, doc) != 0)
            return -1;
        json_decref(doc);
        int rc = store_fixture_commit_doc(&f->d[i], f->svc.repos[REPO_DOCUMENTS], f->svc.index,
                                          ids[i], text, len, "draft", REPO_DOCUMENTS);
        free(text);
        if (rc != 0)
            return -1;
    }
    reads = 0;
    docs_fetch_read_hook = count_read;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    docs_fetch_read_hook = NULL;
    docs_cache_free(f->svc.cache, f->svc.index);
    index_free(f->svc.index);
    store_fixture_close(&f->st);
    free(f);
    return 0;
}

typedef struct got {
    int calls;
    int code;
    char title[64];
} got;

static void got_doc(int code, const json_t *doc, void *payload)
{
    got *g = payload;
    g->calls++;
    g->code = code;
    snprintf(g->title, sizeof(g->title), "%s",
             doc ? json_string_value(json_object_get(doc, "title")) : "");
}

/* Fetch d and run the loop until it is answered. */
static void fetch(fixture *f, idx_doc *d)
{
    got g = {0};
    docs_fetch(&f->svc, d, NULL, got_doc, &g);
    uv_run(&f->st.loop, UV_RUN_DEFAULT);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.code, 0);
    assert_string_equal(g.title, d->id);
    assert_non_null(d->doc);
}

/* What one of the plans weighs in the cache. */
static size_t weight_of_one(fixture *f)
{
    docs_cache_stats st;
    assert_int_equal(docs_cache_new(&f->svc.cache, 1u << 30), 0);
    fetch(f, f->d[0]);
    docs_cache_stats_of(&st, f->svc.cache);
    docs_cache_free(f->svc.cache, f->svc.index);
    f->svc.cache = NULL;
    assert_null(f->d[0]->doc); /* what the cache lent goes with it */
    reads = 0;
    return st.bytes;
}

/* Room for two plans, not three: the least recently used goes, and is
 * read again when asked for. */
static void test_evicts_and_reads_again(void **state)
{
    fixture *f = *state;
    size_t w = weight_of_one(f);
    assert_true(w > 1200);
    assert_int_equal(docs_cache_new(&f->svc.cache, 2 * w + w / 2), 0);
    idx_doc *a = f->d[0], *b = f->d[1], *c = f->d[2];

    fetch(f, a);
    assert_int_equal(reads, 1);
    assert_string_equal(last_read, a->id);
    fetch(f, a); /* in memory: answered at once, no read */
    assert_int_equal(reads, 1);
    assert_int_equal(docs_fetch_ready(&f->svc, a), 1);

    fetch(f, b);
    assert_int_equal(reads, 2);
    fetch(f, a); /* a is the most recently used now, b the least */
    fetch(f, c);
    assert_int_equal(reads, 3);
    assert_null(b->doc);
    assert_non_null(a->doc);
    assert_non_null(c->doc);
    assert_int_equal(docs_fetch_ready(&f->svc, b), 0);

    fetch(f, b); /* read again; a goes now */
    assert_int_equal(reads, 4);
    assert_string_equal(last_read, b->id);
    assert_null(a->doc);

    docs_cache_stats st;
    docs_cache_stats_of(&st, f->svc.cache);
    assert_int_equal(st.reads, 4);
    assert_int_equal(st.evicted, 2);
    assert_int_equal(st.entries, 2);
    assert_true(st.bytes <= 2 * w + w / 2);
}

/* A pinned document (a request between two steps) or one being written
 * stays, over the bound if it must; unpinned, the bound holds again. */
static void test_pinned_stay(void **state)
{
    fixture *f = *state;
    size_t w = weight_of_one(f);
    assert_int_equal(docs_cache_new(&f->svc.cache, w + w / 2), 0); /* room for one */
    idx_doc *a = f->d[0], *b = f->d[1], *c = f->d[2];

    fetch(f, a);
    docs_fetch_pin(a);
    fetch(f, b);
    assert_non_null(a->doc); /* pinned: kept */
    assert_non_null(b->doc); /* just read: kept for its reader */
    c->busy = 1;             /* a write on its way */
    fetch(f, c);
    assert_non_null(c->doc);
    assert_null(b->doc); /* neither pinned nor new */
    assert_non_null(a->doc);
    assert_int_equal(reads, 3);

    docs_fetch_unpin(&f->svc, a); /* the bound holds again: a goes, c stays */
    assert_null(a->doc);
    assert_non_null(c->doc);
    c->busy = 0;
    fetch(f, a);
    assert_int_equal(reads, 4);
    assert_null(c->doc);
}

/* Two readers of a miss: one read, both answered. */
static void test_one_read_for_many(void **state)
{
    fixture *f = *state;
    assert_int_equal(docs_cache_new(&f->svc.cache, 1u << 20), 0);
    got g1 = {0}, g2 = {0};
    docs_fetch(&f->svc, f->d[1], NULL, got_doc, &g1);
    docs_fetch(&f->svc, f->d[1], NULL, got_doc, &g2);
    assert_int_equal(g1.calls + g2.calls, 0); /* not before the loop runs */
    uv_run(&f->st.loop, UV_RUN_DEFAULT);
    assert_int_equal(reads, 1);
    assert_int_equal(g1.calls, 1);
    assert_int_equal(g2.calls, 1);
    assert_string_equal(g2.title, f->d[1]->id);
}

/* Two readers of a miss with room for one: the first, answered, commits
 * another document (a request handled again), which would push the one
 * read out; the second still finds it in memory (job_done pins it until
 * every reader is answered), as docs_fetch_redo's docs_find needs; it
 * goes with the next read. */
typedef struct waiter_pair {
    fixture *f;
    idx_doc *read, *other;
    int later_found;
} waiter_pair;

static void first_commits_another(int code, const json_t *doc, void *payload)
{
    waiter_pair *p = payload;
    (void)doc;
    assert_int_equal(code, 0);
    docs_fetch_keep(&p->f->svc, p->other,
                    json_pack("{s:s, s:s}", "id", p->other->id, "title", "committed"), 1200);
}

static void second_reads(int code, const json_t *doc, void *payload)
{
    waiter_pair *p = payload;
    assert_int_equal(code, 0);
    assert_non_null(doc);
    p->later_found = p->read->doc != NULL && docs_fetch_now(&p->f->svc, p->read) != NULL;
}

static void test_later_reader_finds_it(void **state)
{
    fixture *f = *state;
    size_t w = weight_of_one(f);
    assert_int_equal(docs_cache_new(&f->svc.cache, w + w / 2), 0); /* room for one */
    waiter_pair p = {f, f->d[1], f->d[2], 0};
    docs_fetch(&f->svc, p.read, NULL, second_reads, &p); /* answered last */
    docs_fetch(&f->svc, p.read, NULL, first_commits_another, &p);
    uv_run(&f->st.loop, UV_RUN_DEFAULT);
    assert_int_equal(reads, 1);
    assert_int_equal(p.later_found, 1);
    assert_non_null(p.other->doc);
    fetch(f, f->d[0]); /* unpinned once all were answered: the bound holds again */
    assert_null(p.read->doc);
}

/* A request waiting for its document's read (docs_fetch_redo) while a
 * commit makes another version current, whose JSON then leaves the cache:
 * it is handled once that version is read too, never with the document
 * out of memory (its docs_find would answer "storage"). */
typedef struct redo_seen {
    fixture *f;
    idx_doc *d;
    int calls, ready;
} redo_seen;

static void redone(void *req, void *ctx)
{
    redo_seen *r = req;
    (void)ctx;
    r->calls++;
    r->ready = docs_fetch_now(&r->f->svc, r->d) != NULL;
}

static void test_redo_reads_what_a_commit_made(void **state)
{
    fixture *f = *state;
    size_t w = weight_of_one(f);
    assert_int_equal(docs_cache_new(&f->svc.cache, w + w / 2), 0); /* room for one */
    idx_doc *a = f->d[0];
    /* The new version is in git before the read starts (the read names
     * its commit), in the index only once it has started. */
    char body[1200], *text, path[256];
    memset(body, 'y', sizeof(body) - 1); /* weighs as much as the others */
    body[sizeof(body) - 1] = '\0';
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}, s:s}", "id", a->id, "type",
                            "regional-plan", "region", "KZ-11", "title", "edited", "stage",
                            "draft", "fields", "body", body);
    size_t len;
    assert_int_equal(doc_serialize(&text, &len, doc), 0);
    snprintf(path, sizeof(path), "%s.md", a->id);
    store_write sw = {.path = path, .content = text, .content_len = len,
                      .author_name = "off11", .author_email = "off11@users.kenes",
                      .message = "Edit\n\nKenes-Action: edit\n"};
    assert_int_equal(store_commit_now(f->svc.repos[REPO_DOCUMENTS], &sw), 0);
    free(text);
    redo_seen r = {f, a, 0, 0};
    assert_int_equal(docs_fetch_redo(&f->svc, NULL, a->id, redone, &r, NULL), 1);
    idx_version v = {.time_ms = 1770458500000LL, .author = "off11", .role = "official",
                     .action = "edit", .to = "draft"};
    memcpy(v.commit, sw.commit, sizeof(v.commit));
    assert_int_equal(index_add_version(a, &v), 0);
    docs_fetch_keep(&f->svc, a, doc, len);
    docs_fetch_keep(&f->svc, f->d[1],
                    json_pack("{s:s, s:s}", "id", f->d[1]->id, "title", "other"), 1200);
    assert_null(a->doc); /* pushed out by the other commit */
    uv_run(&f->st.loop, UV_RUN_DEFAULT);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.ready, 1);
    assert_int_equal(reads, 2); /* the version the read named, then the new one */
    assert_string_equal(json_string_value(json_object_get(a->doc, "title")), "edited");
}

/* A commit's JSON goes in as the current version, and what was kept of
 * the document before goes. */
static void test_commit_keeps_the_new(void **state)
{
    fixture *f = *state;
    assert_int_equal(docs_cache_new(&f->svc.cache, 1u << 20), 0);
    idx_doc *a = f->d[0];
    fetch(f, a);
    idx_version v = {.time_ms = 1770458500000LL, .author = "off11", .role = "official",
                     .action = "edit", .to = "draft"};
    memset(v.commit, 'a', 40);
    assert_int_equal(index_add_version(a, &v), 0);
    docs_fetch_keep(&f->svc, a, json_pack("{s:s, s:s}", "id", a->id, "title", "edited"), 100);
    assert_string_equal(json_string_value(json_object_get(a->doc, "title")), "edited");
    assert_int_equal(docs_fetch_ready(&f->svc, a), 1);
    docs_cache_stats st;
    docs_cache_stats_of(&st, f->svc.cache);
    assert_int_equal(st.entries, 1);
    assert_int_equal(reads, 1);
}

static int visited(const kenes_doc *doc, void *arg)
{
    snprintf(arg, 64, "%s", json_string_value(json_object_get(doc->json, "title")));
    return 0;
}

static void judged_again(void *args)
{
    fixture *f = args;
    char title[64] = "";
    /* What the plugin asks for is read now, and pinned while it is judged. */
    assert_int_equal(kapi_get()->doc_with(ids[2], visited, title), 0);
    assert_string_equal(title, ids[2]);
    assert_true(f->d[2]->pins > 0);
}

/* A plugin's doc_with of a document not in memory: KENES_EBUSY and noted
 * (the loop never reads git); the write fetches what was noted and is
 * judged again. */
static void test_doc_with_misses_then_reads(void **state)
{
    fixture *f = *state;
    assert_int_equal(docs_cache_new(&f->svc.cache, 1u << 20), 0);
    docs_attach_api(&f->svc);
    char title[64] = "";
    docs_fetch_clear_misses();
    assert_int_equal(kapi_get()->doc_with(ids[2], visited, title), KENES_EBUSY);
    assert_int_equal(kapi_get()->doc_with("plan/KZ-99/2026", visited, title), KENES_ENOTFOUND);
    assert_int_equal(docs_fetch_misses(), 1);
    assert_int_equal(reads, 0);
    assert_int_equal(docs_fetch_missed(&f->svc, judged_again, f), 1);
    assert_int_equal(docs_fetch_misses(), 0);
    uv_run(&f->st.loop, UV_RUN_DEFAULT);
    assert_int_equal(reads, 1);
    assert_int_equal(f->d[2]->pins, 0);
    assert_int_equal(docs_fetch_missed(&f->svc, judged_again, f), 0); /* nothing noted */
    docs_detach_api(&f->svc);
}

/* d's text as a resident document keeps it (docs/resident.h): compact
 * JSON titled title. */
static void keep_text(idx_doc *d, const char *title)
{
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "id", d->id, "type", "regional-plan",
                            "title", title, "stage", "draft");
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_non_null(text);
    index_set_text(d, text, strlen(text));
}

static const char *title_of(const json_t *doc)
{
    return json_string_value(json_object_get(doc, "title"));
}

/* A resident document's text is parsed on use into the cache, on the spot
 * and without a read; pushed out, it is parsed again; a reference taken
 * (a walk's) outlives its eviction; a text that does not parse gives
 * nothing. */
static void test_resident_text_parsed_on_use(void **state)
{
    fixture *f = *state;
    assert_int_equal(docs_cache_new(&f->svc.cache, 0), 0); /* KENES_TEST_DROP's: room for none */
    idx_doc *a = f->d[0], *b = f->d[1], *c = f->d[2];
    keep_text(a, "kept a");
    keep_text(b, "kept b");
    assert_null(a->doc);

    const json_t *da = docs_fetch_now(&f->svc, a);
    assert_non_null(da);
    assert_ptr_equal(da, a->doc);
    assert_string_equal(title_of(da), "kept a");
    json_t *held = json_incref((json_t *)da);

    assert_string_equal(title_of(docs_fetch_now(&f->svc, b)), "kept b");
    assert_null(a->doc); /* the last one parsed stays, a went */
    assert_string_equal(title_of(held), "kept a"); /* the reference still reads */
    json_decref(held);

    assert_int_equal(docs_fetch_ready(&f->svc, a), 1); /* parsed again */
    assert_string_equal(title_of(a->doc), "kept a");
    got g = {0};
    docs_fetch(&f->svc, b, NULL, got_doc, &g); /* answered at once */
    assert_int_equal(g.calls, 1);
    assert_string_equal(g.title, "kept b");
    assert_int_equal(reads, 0);

    assert_null(docs_fetch_now(&f->svc, c)); /* no text, not cached: a read's */
    index_set_text(c, strdup("{\"id\":"), 6);
    assert_null(docs_fetch_now(&f->svc, c));
    assert_null(c->doc);
    assert_null(c->text); /* dropped: read from git from now on */
    assert_int_equal(reads, 0);
    fetch(f, c);
    assert_int_equal(reads, 1);
}

int main(void)
{
    /* Nothing resident (docs/entry.c's test knob): a commit's JSON goes to
     * the cache like a read one. */
    setenv("KENES_TEST_DROP", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_evicts_and_reads_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pinned_stay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_read_for_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_reader_finds_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redo_reads_what_a_commit_made, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_keeps_the_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_with_misses_then_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resident_text_parsed_on_use, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
