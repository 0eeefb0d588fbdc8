/* Four eyes: the round's state the server decides by, and the same rule
 * judging approvals found in a history (what kenes verify does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "docs/quorum.h"
#include "storage/hpack.h"
#include "storage/index.h"

#include <stdio.h>
#include <unistd.h>

/* The regional plan's workflow, as far as four eyes reads it. */
static wf_stage stages[] = {
    {.name = "draft", .editable = 1},
    {.name = "ministry-review"},
    {.name = "approved"},
    {.name = "returned", .editable = 1},
};
static wf_workflow plan_wf = {.type = "regional-plan", .initial = "draft", .stages = stages,
                              .nstages = 4};
/* approvals: 2, not_by: authors */
static wf_transition approve2 = {.action = "approve", .to = "approved", .approvals = 2,
                                 .not_by_authors = 1};
/* approvals: 1, not_by: authors (the roster's) */
static wf_transition approve1 = {.action = "approve", .to = "approved", .approvals = 1,
                                 .not_by_authors = 1};
/* approvals: 2 alone */
static wf_transition approve2_any = {.action = "approve", .to = "approved", .approvals = 2};

typedef struct history {
    idx_version v[32];
    size_t n;
} history;

static idx_version version(const char *author, const char *action, const char *from,
                           const char *to, const char *approval)
{
    idx_version v = {0};
    v.author = (char *)author;
    v.action = (char *)action;
    v.from = (char *)from;
    v.to = (char *)to;
    v.approval = (char *)approval;
    return v;
}

static void add(history *h, const char *author, const char *action, const char *from,
                const char *to, const char *approval)
{
    assert_true(h->n < 32);
    h->v[h->n++] = version(author, action, from, to, approval);
}

/* Created and submitted by off11. */
static void submitted(history *h)
{
    h->n = 0;
    add(h, "off11", "create", NULL, "draft", NULL);
    add(h, "off11", "submit", "draft", "ministry-review", NULL);
}

/* The faults quorum_check finds in an approval by author with this count,
 * after h; the approval is then added to h. */
static unsigned approve(history *h, const wf_transition *tr, const char *author,
                        const char *approval, int completes)
{
    idx_version v = version(author, "approve", "ministry-review",
                            completes ? "approved" : "ministry-review", approval);
    unsigned faults = 99;
    assert_int_equal(quorum_check(&faults, &plan_wf, tr, h->v, h->n, &v), 0);
    add(h, author, "approve", "ministry-review", completes ? "approved" : "ministry-review",
        approval);
    return faults;
}

static void test_round_state(void **state)
{
    (void)state;
    history h;
    quorum_round q;
    submitted(&h);
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "off11");
    assert_int_equal(q.given, 0);
    assert_false(q.again);
    assert_true(q.author); /* created it, and submitted it */
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "rev1");
    assert_int_equal(q.given, 0);
    assert_false(q.author);

    add(&h, "rev1", "approve", "ministry-review", "ministry-review", "1/2");
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "rev1");
    assert_int_equal(q.given, 1);
    assert_true(q.again);
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "rev2");
    assert_int_equal(q.given, 1);
    assert_false(q.again);

    /* A return, an edit by someone else and a new submit: the earlier
     * approval no longer counts, and the editor is an author now. */
    add(&h, "rev2", "return", "ministry-review", "returned", NULL);
    add(&h, "adm", "edit", NULL, "returned", NULL);
    add(&h, "off11", "submit", "returned", "ministry-review", NULL);
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "rev1");
    assert_int_equal(q.given, 0);
    assert_false(q.again);
    assert_false(q.author);
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "adm");
    assert_true(q.author);
    /* Returning is not writing. */
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "rev2");
    assert_false(q.author);

    /* Once the quorum is reached a new round begins: nobody gave anything
     * in it, and nobody wrote it. */
    add(&h, "rev1", "approve", "ministry-review", "ministry-review", "1/2");
    add(&h, "rev2", "approve", "ministry-review", "approved", "2/2");
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "rev1");
    assert_int_equal(q.given, 0);
    assert_false(q.again);
    quorum_state(&q, &plan_wf, &approve2, h.v, h.n, "off11");
    assert_false(q.author);

    /* No history at all. */
    quorum_state(&q, &plan_wf, &approve2, NULL, 0, "rev1");
    assert_int_equal(q.given, 0);
    assert_false(q.again || q.author);
}

static void test_clean_history_has_no_fault(void **state)
{
    (void)state;
    history h;
    submitted(&h);
    assert_int_equal(approve(&h, &approve2, "rev1", "1/2", 0), 0);
    assert_int_equal(approve(&h, &approve2, "rev2", "2/2", 1), 0);

    /* After a return the same reviewer may approve the new text again. */
    submitted(&h);
    assert_int_equal(approve(&h, &approve2, "rev1", "1/2", 0), 0);
    add(&h, "rev2", "return", "ministry-review", "returned", NULL);
    add(&h, "off11", "edit", NULL, "returned", NULL);
    add(&h, "off11", "submit", "returned", "ministry-review", NULL);
    assert_int_equal(approve(&h, &approve2, "rev1", "1/2", 0), 0);
    assert_int_equal(approve(&h, &approve2, "rev2", "2/2", 1), 0);

    /* One approval, by someone who did not write it. */
    submitted(&h);
    assert_int_equal(approve(&h, &approve1, "rev1", "1/1", 1), 0);
}

static void test_same_reviewer_twice(void **state)
{
    (void)state;
    history h;
    submitted(&h);
    assert_int_equal(approve(&h, &approve2, "rev1", "1/2", 0), 0);
    assert_int_equal(approve(&h, &approve2, "rev1", "2/2", 1), QUORUM_AGAIN);
    /* Also where four eyes asks only for two people. */
    submitted(&h);
    assert_int_equal(approve(&h, &approve2_any, "rev1", "1/2", 0), 0);
    assert_int_equal(approve(&h, &approve2_any, "rev1", "2/2", 1), QUORUM_AGAIN);
}

static void test_author_approves(void **state)
{
    (void)state;
    history h;
    submitted(&h);
    assert_int_equal(approve(&h, &approve2, "off11", "1/2", 0), QUORUM_BY_AUTHOR);
    submitted(&h);
    assert_int_equal(approve(&h, &approve1, "off11", "1/1", 1), QUORUM_BY_AUTHOR);
    /* An editor of this round is an author, even one with the reviewer role. */
    submitted(&h);
    add(&h, "rev2", "return", "ministry-review", "returned", NULL);
    add(&h, "rev1", "edit", NULL, "returned", NULL);
    add(&h, "off11", "submit", "returned", "ministry-review", NULL);
    assert_int_equal(approve(&h, &approve2, "rev1", "1/2", 0), QUORUM_BY_AUTHOR);
    /* Without not_by: authors, an author may approve. */
    submitted(&h);
    assert_int_equal(approve(&h, &approve2_any, "off11", "1/2", 0), 0);
}

static void test_count_skipped_or_repeated(void **state)
{
    (void)state;
    history h;
    /* The first approval claims to be the second: the quorum skipped. */
    submitted(&h);
    assert_int_equal(approve(&h, &approve2, "rev1", "2/2", 1), QUORUM_BAD_COUNT);
    /* Two approvals both counted as the first. */
    submitted(&h);
    assert_int_equal(approve(&h, &approve2, "rev1", "1/2", 0), 0);
    assert_int_equal(approve(&h, &approve2, "rev2", "1/2", 0), QUORUM_BAD_COUNT);
    /* An approval voided by a return still counted. */
    submitted(&h);
    assert_int_equal(approve(&h, &approve2, "rev1", "1/2", 0), 0);
    add(&h, "rev2", "return", "ministry-review", "returned", NULL);
    add(&h, "off11", "submit", "returned", "ministry-review", NULL);
    assert_int_equal(approve(&h, &approve2, "rev2", "2/2", 1), QUORUM_BAD_COUNT);
    /* The wrong quorum, no count, a count the server never writes. */
    static const char *const bad[] = {"1/3", "1/1", "0/2", " 1/2", "1/2 ", "01/2", "1", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        submitted(&h);
        assert_int_equal(approve(&h, &approve2, "rev1", bad[i], 0), QUORUM_BAD_COUNT);
    }
    submitted(&h);
    assert_int_equal(approve(&h, &approve2, "rev1", NULL, 0), QUORUM_BAD_COUNT);
}

static void test_faults_add_up(void **state)
{
    (void)state;
    history h;
    submitted(&h);
    /* The author approves, and approves again, counting it as the third. */
    assert_int_equal(approve(&h, &approve2, "off11", "1/2", 0), QUORUM_BY_AUTHOR);
    assert_int_equal(approve(&h, &approve2, "off11", "3/2", 0),
                     QUORUM_BY_AUTHOR | QUORUM_AGAIN | QUORUM_BAD_COUNT);

    unsigned faults;
    idx_version v = version("rev1", "approve", "ministry-review", "approved", "1/1");
    assert_int_equal(quorum_check(NULL, &plan_wf, &approve1, h.v, h.n, &v), KENES_EINVAL);
    assert_int_equal(quorum_check(&faults, NULL, &approve1, h.v, h.n, &v), KENES_EINVAL);
    assert_int_equal(quorum_check(&faults, &plan_wf, NULL, h.v, h.n, &v), KENES_EINVAL);
    assert_int_equal(quorum_check(&faults, &plan_wf, &approve1, NULL, 1, &v), KENES_EINVAL);
    assert_int_equal(quorum_check(&faults, &plan_wf, &approve1, h.v, h.n, NULL), KENES_EINVAL);
    assert_int_equal(quorum_check(&faults, &plan_wf, &approve1, NULL, 0, &v), 0);
    assert_int_equal(faults, 0);
}

/* The server's question over a document whose author's versions are
 * packed into the scratch file: off11 created and submitted it, then off12
 * took it through many rounds.  When that file cannot be read, the round
 * must not come out as one off11 had no part in. */
static void test_unreadable_history_is_no_clean_round(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof(dir), "%s/kenes-quorum-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    doc_index *ix;
    idx_doc *d;
    assert_int_equal(index_new(&ix), 0);
    assert_int_equal(index_pack_old(ix), 0);
    assert_int_equal(index_spill_to(ix, dir), 0);
    assert_int_equal(index_add(&d, ix, "plan/KZ-11/2026"), 0);
    int64_t t = 1767225600000LL;
    unsigned n = 0;
    idx_version v = version("off11", "create", NULL, "draft", NULL);
    for (unsigned r = 0; r <= 3 * 200; r++) {
        if (r) {
            static const char *const cycle[3][3] = {{"return", "ministry-review", "draft"},
                                                    {"edit", "draft", "draft"},
                                                    {"submit", "draft", "ministry-review"}};
            const char *const *s = cycle[(r - 1) % 3];
            v = version(r == 1 ? "off11" : "off12", s[0], s[1], s[2], NULL);
            if (r == 1) /* off11's own submit first */
                v = version("off11", "submit", "draft", "ministry-review", NULL);
        }
        snprintf(v.commit, sizeof(v.commit), "%08x%032x", n * 2654435761u, n);
        n++;
        v.time_ms = t + r * 1000;
        v.author = (char *)index_intern(v.author);
        assert_int_equal(index_record(ix, d, &v), 0);
    }
    assert_true(d->old.nspilled > 0);
    quorum_round q;
    assert_int_equal(quorum_state_of(&q, &plan_wf, &approve2, d, "off11"), 0);
    assert_true(q.author);
    /* A chunk the file does not have: its read fails, and says so. */
    uint32_t slot = d->old.refs[0].slot;
    d->old.refs[0].slot = 1u << 30;
    assert_int_equal(quorum_state_of(&q, &plan_wf, &approve2, d, "off11"), KENES_EIO);
    d->old.refs[0].slot = slot;
    index_free(ix);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_state),
        cmocka_unit_test(test_clean_history_has_no_fault),
        cmocka_unit_test(test_same_reviewer_twice),
        cmocka_unit_test(test_author_approves),
        cmocka_unit_test(test_count_skipped_or_repeated),
        cmocka_unit_test(test_faults_add_up),
        cmocka_unit_test(test_unreadable_history_is_no_clean_round),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
