/*
 * The history journal's load under a failing allocator.  Out of memory once
 * read as "no journal yet" (KENES_ENOMEM and -ENOENT were both -2): the load
 * then took all of git again and appended every line a second time.  Here
 * each allocation of the load fails in turn, one per run: the load must say
 * KENES_ENOMEM (or recover whole), and the journal on disk must never hold
 * more than the history's lines, in order.
 *
 * The allocations fail for real: this test is linked with --wrap for the
 * malloc family (tests/CMakeLists.txt), so the calls kenes's own libraries
 * make go through fail_now(), and so do jansson's, which kenes's
 * util_json_parse gives an allocator of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "storage/index.h"
#include "storage/journal.h"
#include "storage/message.h"
#include "storage/store.h"
#include "store_fixture.h"

#define T0 1770458400000LL /* 2026-02-07T10:00:00Z */
#define NDOCS 3
#define NEDITS 2 /* versions per document after its creation */

/* ---- a failing allocator ---- */

static long fail_at = -1; /* the allocation (counted from 0) that fails; -1: none */
static long allocations;  /* made since arm() */
static int failed;        /* 1 once the armed one has failed */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

static int fail_now(void)
{
    if (fail_at < 0 || allocations++ != fail_at)
        return 0;
    failed = 1;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fail_now() ? NULL : __real_strndup(s, n);
}

static void arm(long at)
{
    fail_at = at;
    allocations = 0;
    failed = 0;
}

static void disarm(void)
{
    fail_at = -1;
}

/* ---- a repository with a journal ---- */

typedef struct fixture {
    store_fixture st; /* documents.git, the loop, the store */
    char journal[128];
    char *lines; /* the whole journal, as journal_rebuild writes it */
    size_t len;
} fixture;

static void doc_id(char *out, size_t cap, int i)
{
    snprintf(out, cap, "plan/KZ-%02d/2026", i);
}

static void commit(fixture *f, int doc, int version)
{
    char id[64], path[80], content[128], *message = NULL;
    doc_id(id, sizeof(id), doc);
    snprintf(path, sizeof(path), "%s.md", id);
    snprintf(content, sizeof(content), "---\nid: %s\n---\nversion %d\n", id, version);
    msg_info info = {.document = id, .action = version ? "edit" : "create", .to = "draft",
                     .role = "regional-editor", .comment = version ? "a change" : NULL,
                     .noun = "regional plan"};
    assert_int_equal(msg_compose(&message, &info), 0);
    store_write w = {.path = path, .content = content, .content_len = strlen(content),
                     .author_name = "Aigerim", .author_email = "aigerim@example.kz",
                     .message = message, .time_ms = T0 + doc * 1000 + version};
    assert_int_equal(store_commit_now(f->st.s, &w), 0);
    free(message);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    size_t commits = 0;
    char err[256] = "";
    if (!f || store_fixture_open(&f->st, "journal", 0) != 0)
        return -1;
    snprintf(f->journal, sizeof(f->journal), "%s/documents.jsonl", f->st.dir);
    for (int v = 0; v <= NEDITS; v++)
        for (int d = 0; d < NDOCS; d++)
            commit(f, d, v);
    if (journal_rebuild(f->st.s, f->journal, &commits, err, sizeof(err)) != 0 ||
        commits != NDOCS * (NEDITS + 1) || util_read_file(&f->lines, &f->len, f->journal) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    disarm();
    store_fixture_close(&f->st);
    free(f->lines);
    free(f);
    return 0;
}

/* The journal on disk: the history's first lines in order, at least
 * `least` bytes of them, and nothing else; whole lines but for `cut`, the
 * length of one the test cut short. */
static void assert_journal_prefix(const fixture *f, size_t least, size_t cut)
{
    char *now = NULL;
    size_t len = 0;
    assert_int_equal(util_read_file(&now, &len, f->journal), 0);
    assert_true(len >= least);
    assert_true(len <= f->len);
    assert_memory_equal(now, f->lines, len);
    assert_true(len == 0 || len == cut || now[len - 1] == '\n');
    free(now);
}

static void assert_index_whole(const doc_index *ix)
{
    for (int d = 0; d < NDOCS; d++) {
        char id[64];
        doc_id(id, sizeof(id), d);
        const idx_doc *x = index_get(ix, id);
        assert_non_null(x);
        assert_int_equal(x->nrecent, NEDITS + 1);
        for (size_t i = 0; i < x->nrecent; i++) {
            assert_non_null(x->recent[i].author);
            assert_non_null(x->recent[i].action);
            assert_non_null(x->recent[i].to);
            assert_non_null(x->recent[i].role);
            assert_true(i == 0 || x->recent[i].comment);
        }
    }
}

/* Load with allocation `at` failing (-1: none); the load's code.  *hit says
 * whether the load made that many allocations at all. */
static int load(fixture *f, long at, int *hit)
{
    doc_index *ix = NULL;
    int foreign = 0;
    char err[512] = "";
    assert_int_equal(index_new(&ix), 0);
    arm(at);
    int rc = journal_load(ix, f->st.s, 0, f->journal, &foreign, NULL, NULL, err, sizeof(err));
    if (getenv("DEBUG_J")) fprintf(stderr, "at %ld rc %d err %s\n", at, rc, err);
    disarm();
    *hit = failed;
    if (rc == 0)
        assert_index_whole(ix);
    else
        assert_int_equal(rc, KENES_ENOMEM);
    index_free(ix);
    return rc;
}

/* Every allocation of a load from a journal that is up to date. */
static void test_out_of_memory_while_the_journal_loads(void **state)
{
    fixture *f = *state;
    int hit = 1, nomem = 0;
    long at;
    for (at = 0; hit; at++) {
        int rc = load(f, at, &hit);
        if (!hit)
            assert_int_equal(rc, 0);
        nomem += rc == KENES_ENOMEM;
        assert_journal_prefix(f, f->len, 0);
    }
    /* The load allocates (the file, the lines, the index): most of them fail it. */
    assert_true(at > NDOCS * (NEDITS + 1));
    assert_true(nomem > 0);
}

/* Every allocation of a load that finds commits after the journal's end (a
 * crash between a commit and its line) and appends them. */
static void test_out_of_memory_while_the_journal_catches_up(void **state)
{
    fixture *f = *state;
    /* The last line lost, the one before it cut short. */
    size_t starts[NDOCS * (NEDITS + 1)], n = 0;
    for (size_t i = 0; i < f->len; i++)
        if (i == 0 || f->lines[i - 1] == '\n')
            starts[n++] = i;
    assert_int_equal(n, NDOCS * (NEDITS + 1));
    size_t whole = starts[n - 2], keep = whole + 20;
    int hit = 1, nomem = 0;
    long at;
    for (at = 0; hit; at++) {
        assert_int_equal(util_write_file_atomic(f->journal, f->lines, keep, 0600), 0);
        int rc = load(f, at, &hit);
        if (!hit)
            assert_int_equal(rc, 0);
        nomem += rc == KENES_ENOMEM;
        /* Failed: the cut line may be gone, nothing was added twice.
         * Recovered: the journal is whole. */
        assert_journal_prefix(f, rc == 0 ? f->len : whole, keep);
    }
    assert_true(nomem > 0);
}

/* A replica's start-up (an unseen that leaves the commits after the
 * journal to its caller), then its follower's steps (journal_follow): the
 * lines it appends are the ones journal_rebuild writes, up to until and
 * not beyond, and its scratch index holds their versions in order. */
static int leave_to_caller(const char *since, char *err, size_t errcap, void *payload)
{
    (void)err;
    (void)errcap;
    snprintf(payload, STORE_OID_HEX, "%s", since ? since : "");
    return 1;
}

/* The commit of line i (0-based) of the whole journal. */
static void commit_of_line(char out[STORE_OID_HEX], const fixture *f, size_t i)
{
    const char *p = f->lines;
    while (i--)
        p = strchr(p, '\n') + 1;
    assert_memory_equal(p, "{\"commit\":\"", 11);
    memcpy(out, p + 11, STORE_OID_HEX - 1);
    out[STORE_OID_HEX - 1] = '\0';
}

static size_t line_end(const fixture *f, size_t lines)
{
    size_t at = 0;
    while (lines--)
        at = (size_t)(strchr(f->lines + at, '\n') - f->lines) + 1;
    return at;
}

static void test_a_replica_follows_from_its_journal(void **state)
{
    fixture *f = *state;
    const size_t total = NDOCS * (NEDITS + 1), kept = 2, upto = total - 2;
    char since[STORE_OID_HEX] = "x", until[STORE_OID_HEX], err[256] = "";
    doc_index *ix = NULL, *got = NULL;
    int foreign = 0;
    assert_int_equal(util_write_file_atomic(f->journal, f->lines, line_end(f, kept), 0600), 0);
    assert_int_equal(index_new(&ix), 0);
    /* The start-up takes the journal's lines only, and names its end. */
    assert_int_equal(journal_load(ix, f->st.s, 0, f->journal, &foreign, leave_to_caller, since,
                                  err, sizeof(err)),
                     1);
    char want[STORE_OID_HEX];
    commit_of_line(want, f, kept - 1);
    assert_string_equal(since, want);
    assert_journal_prefix(f, line_end(f, kept), 0);
    assert_int_equal(index_version_total(ix), kept);
    /* One step, up to until (inclusive): the lines in between, no more. */
    commit_of_line(until, f, upto - 1);
    util_buf lines;
    util_buf_init(&lines);
    assert_int_equal(index_new(&got), 0);
    journal_taken *taken;
    size_t ntaken;
    assert_int_equal(journal_follow(&taken, &ntaken, got, &lines, f->st.s, 0, since, until), 0);
    assert_int_equal(lines.len, line_end(f, upto) - line_end(f, kept));
    assert_memory_equal(lines.data, f->lines + line_end(f, kept), lines.len);
    assert_int_equal(ntaken, upto - kept);
    assert_int_equal(index_version_total(got), upto - kept);
    const journal_taken *e = &taken[upto - kept - 1];
    assert_string_equal(e->doc->recent[e->version].commit, until);
    free(taken);
    assert_int_equal(journal_append_lines(f->journal, &lines), 0);
    assert_journal_prefix(f, line_end(f, upto), 0);
    /* The next step, to main's head: the journal is whole. */
    util_buf_dispose(&lines);
    util_buf_init(&lines);
    assert_int_equal(journal_follow(&taken, &ntaken, got, &lines, f->st.s, 0, until, NULL), 0);
    assert_int_equal(ntaken, total - upto);
    free(taken);
    assert_int_equal(journal_append_lines(f->journal, &lines), 0);
    assert_journal_prefix(f, f->len, 0);
    assert_int_equal(index_version_total(got), total - kept);
    /* A since that is no commit of the repository. */
    assert_int_equal(journal_follow(&taken, &ntaken, got, &lines, f->st.s, 0,
                                    "0123456789012345678901234567890123456789", NULL),
                     KENES_ENOTFOUND);
    assert_null(taken);
    util_buf_dispose(&lines);
    index_free(got);
    index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_out_of_memory_while_the_journal_loads, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory_while_the_journal_catches_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_replica_follows_from_its_journal, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
