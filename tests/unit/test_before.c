/* index_commit_before (storage/index.h): "was commit a, a version of da,
 * recorded before commit b, a version of db", which an execution report
 * asks of its plan's version in force (api->version_before) and the
 * document page of a list's edition (web/choices.c).  Asked per document,
 * so the answer must not lean on a commit of another document, of another
 * repository, or on a document not named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "storage/index.h"

/* Storage knows no repository by name: docs/service.h's REPO_DOCUMENTS
 * and REPO_CASES are these. */
enum { DOCUMENTS = 0, CASES = 1 };

typedef struct fixture {
    doc_index *ix;
    idx_doc *plan, *report, *other, *kase;
    /* Interleaved in one repository: p1 r1 p2 r2 p3 o1, and c1 in the
     * cases' repository between p2 and r2. */
    char p1[41], p2[41], p3[41], r1[41], r2[41], o1[41], c1[41];
} fixture;

static unsigned clock_ms;

/* Through index_record with the index: what the server does (a scratch
 * index's index_add_version keeps no order to answer from). */
static void record(fixture *f, idx_doc *d, char commit[41], unsigned n, const char *action,
                   const char *from, const char *to)
{
    snprintf(commit, 41, "%08x%032x", n * 2654435761u, n);
    idx_version v = {.time_ms = 1770000000000 + clock_ms++, .author = "off11",
                     .role = "regional-official", .action = (char *)action,
                     .from = (char *)from, .to = (char *)to};
    memcpy(v.commit, commit, 41);
    assert_int_equal(index_record(f->ix, d, &v), 0);
}

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof(f));
    assert_int_equal(index_new(&f.ix), 0);
    assert_int_equal(index_add(&f.plan, f.ix, "plan/KZ-11/2026"), 0);
    assert_int_equal(index_add(&f.report, f.ix, "execution/KZ-11/2026-h1"), 0);
    assert_int_equal(index_add(&f.other, f.ix, "plan/KZ-15/2026"), 0);
    assert_int_equal(index_add(&f.kase, f.ix, "case/KZ-11/0001"), 0);
    f.plan->repo = f.report->repo = f.other->repo = DOCUMENTS;
    f.kase->repo = CASES;
    record(&f, f.plan, f.p1, 1, "create", NULL, "draft");
    record(&f, f.report, f.r1, 2, "create", NULL, "draft");
    record(&f, f.plan, f.p2, 3, "edit", "draft", "draft");
    record(&f, f.kase, f.c1, 4, "create", NULL, "screening");
    record(&f, f.report, f.r2, 5, "edit", "draft", "draft");
    record(&f, f.plan, f.p3, 6, "submit", "draft", "agreement");
    record(&f, f.other, f.o1, 7, "create", NULL, "draft");
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    index_free(f->ix);
    return 0;
}

/* One question and the answer it must get. */
typedef struct ask {
    const idx_doc *da;
    const char *a;
    const idx_doc *db;
    const char *b;
    int want;
} ask;

static void expect(const ask *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int got = index_commit_before(q[i].da, q[i].a, q[i].db, q[i].b);
        if (got != q[i].want)
            fail_msg("question %zu: %s@%.8s before %s@%.8s answered %d, not %d", i,
                     q[i].da ? q[i].da->id : "(null)", q[i].a ? q[i].a : "(null)",
                     q[i].db ? q[i].db->id : "(null)", q[i].b ? q[i].b : "(null)", got,
                     q[i].want);
    }
}

#define EXPECT(q) expect((q), sizeof(q) / sizeof((q)[0]))

static void interleaved_documents_both_ways(void **state)
{
    fixture *f = *state;
    const ask q[] = {
        /* The plan's create came before the report's create and edit. */
        {f->plan, f->p1, f->report, f->r1, 1},
        {f->plan, f->p1, f->report, f->r2, 1},
        {f->report, f->r1, f->plan, f->p1, 0},
        /* Its edit came between them: after r1, before r2. */
        {f->plan, f->p2, f->report, f->r1, 0},
        {f->report, f->r1, f->plan, f->p2, 1},
        {f->plan, f->p2, f->report, f->r2, 1},
        {f->report, f->r2, f->plan, f->p2, 0},
        /* Its submit after both. */
        {f->report, f->r2, f->plan, f->p3, 1},
        {f->plan, f->p3, f->report, f->r2, 0},
        /* Two versions of one document, and two documents of one type. */
        {f->plan, f->p1, f->plan, f->p3, 1},
        {f->plan, f->p3, f->plan, f->p1, 0},
        {f->plan, f->p3, f->other, f->o1, 1},
        {f->other, f->o1, f->plan, f->p3, 0},
    };
    EXPECT(q);
}

static void the_same_commit_is_not_before_itself(void **state)
{
    fixture *f = *state;
    const ask q[] = {
        {f->plan, f->p2, f->plan, f->p2, 0},
        {f->report, f->r1, f->report, f->r1, 0},
    };
    EXPECT(q);
}

static void an_unknown_commit_is_not_before(void **state)
{
    fixture *f = *state;
    const char *unknown = "ffffffffffffffffffffffffffffffffffffffff";
    const ask q[] = {
        {f->plan, unknown, f->report, f->r2, 0},
        {f->plan, f->p1, f->report, unknown, 0},
        {f->plan, "", f->report, f->r2, 0},
        {f->plan, NULL, f->report, f->r2, 0},
        {f->plan, f->p1, f->report, NULL, 0},
    };
    EXPECT(q);
}

/* A commit named with a document it is no version of: 0, although the
 * order of the two commits alone would say 1. */
static void a_commit_of_another_document_is_not_found(void **state)
{
    fixture *f = *state;
    const ask q[] = {
        {f->report, f->p1, f->report, f->r2, 0},
        {f->plan, f->p1, f->plan, f->r2, 0},
        {f->other, f->p1, f->report, f->r1, 0},
        {f->plan, f->p1, f->other, f->r1, 0},
        /* Swapped: each commit with the other's document. */
        {f->report, f->p1, f->plan, f->r1, 0},
    };
    EXPECT(q);
}

/* Each repository's history is its own line: no order across them. */
static void two_repositories_have_no_order(void **state)
{
    fixture *f = *state;
    const ask q[] = {
        {f->plan, f->p1, f->kase, f->c1, 0},
        {f->kase, f->c1, f->report, f->r2, 0},
        {f->kase, f->c1, f->plan, f->p3, 0},
        /* The case's commit named with a plan: no version of it either. */
        {f->plan, f->c1, f->plan, f->p3, 0},
    };
    EXPECT(q);
}

static void no_document_no_answer(void **state)
{
    fixture *f = *state;
    idx_doc *empty; /* a document with no commit yet */
    assert_int_equal(index_add(&empty, f->ix, "plan/KZ-19/2026"), 0);
    const ask q[] = {
        {NULL, f->p1, f->report, f->r1, 0},
        {f->plan, f->p1, NULL, f->r1, 0},
        {NULL, f->p1, NULL, f->r1, 0},
        {empty, f->p1, f->report, f->r1, 0},
        {f->plan, f->p1, empty, f->r1, 0},
    };
    EXPECT(q);
    index_remove(f->ix, "plan/KZ-19/2026");
}

/* A plan amended many times: its earlier versions leave the records
 * (index_pack_old), and are still found and ordered against a report's. */
static void packed_versions_keep_their_order(void **state)
{
    fixture *f = *state;
    assert_int_equal(index_pack_old(f->ix), 0);
    enum { ROUNDS = 20, LAST = 3 * ROUNDS - 1, MID = 3 * ROUNDS / 2 };
    char v[3 * ROUNDS][41], wrote[41];
    unsigned n = 100;
    for (unsigned i = 0; i < ROUNDS; i++) {
        record(f, f->plan, v[3 * i], n++, "amend", "agreement", "draft");
        record(f, f->plan, v[3 * i + 1], n++, "edit", "draft", "draft");
        record(f, f->plan, v[3 * i + 2], n++, "submit", "draft", "agreement");
        if (i == ROUNDS / 2 - 1) /* after v[MID - 1], before v[MID] */
            record(f, f->report, wrote, n++, "edit", "draft", "draft");
    }
    /* All but the last edit and submit are packed: the case asked. */
    assert_int_equal(f->plan->nrecent, 2);
    assert_int_equal(index_version_count(f->plan), 3 + 3 * ROUNDS);
    const ask q[] = {
        {f->plan, f->p1, f->report, wrote, 1},
        {f->plan, v[0], f->report, wrote, 1},
        {f->plan, v[MID - 1], f->report, wrote, 1},
        {f->report, wrote, f->plan, v[MID - 1], 0},
        {f->plan, v[MID], f->report, wrote, 0},
        {f->report, wrote, f->plan, v[MID], 1},
        /* The newest, still records. */
        {f->report, wrote, f->plan, v[LAST], 1},
        {f->plan, v[LAST], f->report, wrote, 0},
        {f->plan, f->p1, f->plan, v[LAST], 1},
        {f->plan, v[LAST - 1], f->plan, v[0], 0},
        /* A packed commit of the plan, named with the report. */
        {f->report, v[0], f->report, wrote, 0},
    };
    EXPECT(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(interleaved_documents_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(the_same_commit_is_not_before_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unknown_commit_is_not_before, setup, teardown),
        cmocka_unit_test_setup_teardown(a_commit_of_another_document_is_not_found, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(two_repositories_have_no_order, setup, teardown),
        cmocka_unit_test_setup_teardown(no_document_no_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(packed_versions_keep_their_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
