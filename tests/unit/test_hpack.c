/* A document's older versions packed (storage/hpack.h) and the index that
 * packs them (index_pack_old): every version comes back as it was
 * recorded, in order, and what stays a record is what the loop reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "storage/hpack.h"
#include "storage/index.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

static void commit_of(char out[41], unsigned n)
{
    /* A different, valid object id per n. */
    snprintf(out, 41, "%08x%032x", n * 2654435761u, n);
}

/* A folder of its own for a scratch file, empty (the file has no name). */
static void scratch_dir(char dir[64])
{
    snprintf(dir, 64, "%s/kenes-hpack-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_same_version(const idx_version *got, const idx_version *want)
{
    assert_string_equal(got->commit, want->commit);
    assert_true(got->time_ms == want->time_ms);
    assert_true(same_text(got->author, want->author));
    assert_true(same_text(got->role, want->role));
    assert_true(same_text(got->action, want->action));
    assert_true(same_text(got->from, want->from));
    assert_true(same_text(got->to, want->to));
    assert_true(same_text(got->approval, want->approval));
    assert_true(same_text(got->comment, want->comment));
    assert_true(same_text(got->note, want->note));
    assert_true(got->seq == want->seq);
}

/* Every field, NULL or not, times that go back, texts in Cyrillic and
 * empty: decoded as written. */
static void packs_and_unpacks(void **state)
{
    (void)state;
    enum { N = 300 };
    idx_version want[N];
    char comments[N][64];
    idx_packed p = {0};
    for (unsigned i = 0; i < N; i++) {
        idx_version *v = &want[i];
        memset(v, 0, sizeof(*v));
        commit_of(v->commit, i);
        /* Mostly forward, sometimes back (a clock set back), once far. */
        v->time_ms = 1767225600000LL + (int64_t)i * 1500 - (i % 7 == 3 ? 90000 : 0) +
                     (i == 200 ? 86400000LL * 400 : 0);
        v->author = (char *)index_intern(i % 3 ? "off11" : "rev1");
        v->role = i % 5 ? (char *)index_intern("regional-officer") : NULL;
        v->action = (char *)index_intern(i % 2 ? "edit" : "submit");
        v->from = i ? (char *)index_intern("draft") : NULL;
        v->to = (char *)index_intern(i % 2 ? "draft" : "agreement");
        v->approval = i % 11 == 0 ? (char *)index_intern("1/2") : NULL;
        comments[i][0] = '\0'; /* an empty comment stays one */
        if (i % 4 == 1)
            snprintf(comments[i], sizeof(comments[i]), "Уточните меры (%u).", i);
        v->comment = i % 4 == 0 ? NULL : comments[i];
        v->note = i % 9 == 0 ? "c2VhbGVkIG5vdGU=" : NULL;
        /* Seqs as a document's are: rising, by jumps. */
        v->seq = 1 + (uint64_t)i * 37 + (i > 100 ? 5000000000ULL : 0);
        assert_int_equal(hpack_add(&p, v), 0);
    }
    assert_int_equal(p.count, N);
    assert_true(hpack_first_ms(&p) == want[0].time_ms);
    idx_version *got = calloc(N, sizeof(*got));
    assert_non_null(got);
    assert_int_equal(hpack_decode(got, NULL, &p), 0);
    for (unsigned i = 0; i < N; i++)
        assert_same_version(&got[i], &want[i]);
    /* More records claimed than there are bytes for: they do not read. */
    p.count++;
    assert_int_equal(hpack_decode(got, NULL, &p), KENES_EIO);
    p.count--;
    free(got);

    /* A commit that is no object id is refused, and nothing appended. */
    idx_version bad = want[0];
    snprintf(bad.commit, sizeof(bad.commit), "c1");
    size_t len = p.len;
    assert_int_equal(hpack_add(&p, &bad), KENES_EINVAL);
    snprintf(bad.commit, sizeof(bad.commit), "%040d", 0);
    bad.commit[7] = 'g';
    assert_int_equal(hpack_add(&p, &bad), KENES_EINVAL);
    assert_int_equal(p.count, N);
    assert_int_equal(p.len, len);
    hpack_dispose(&p);
    assert_int_equal(hpack_first_ms(&p), -1);
}

/* The soak's cycle (return, edit, submit) and a create: what each version
 * was when recorded comes back, in order; the records kept are the last
 * create or edit and what followed. */
static idx_version step(unsigned n, const char *action, const char *from, const char *to,
                        const char *comment)
{
    idx_version v = {.time_ms = 1767225600000LL + n * 1000LL,
                     .author = n % 2 ? "off11" : "rev1",
                     .role = n % 2 ? "regional-officer" : "ministry-reviewer",
                     .action = (char *)action,
                     .from = (char *)from,
                     .to = (char *)to,
                     .comment = (char *)comment};
    commit_of(v.commit, n);
    return v;
}

static void record(doc_index *ix, idx_doc *d, idx_version *log, size_t *n, idx_version v)
{
    assert_int_equal(index_record(ix, d, &v), 0);
    /* The index's own copy: interned strings, a comment of its own. */
    log[(*n)++] = d->recent[d->nrecent - 1];
}

static void packs_what_it_may(int spill)
{
    doc_index *ix;
    char dir[64];
    assert_int_equal(index_new(&ix), 0);
    if (spill) {
        scratch_dir(dir);
        assert_int_equal(index_spill_to(ix, dir), 0);
    }
    idx_doc *d;
    assert_int_equal(index_add(&d, ix, "plan/KZ-11/2026"), 0);
    enum { ROUNDS = 500 };
    idx_version *log = calloc(2 + 3 * ROUNDS, sizeof(*log));
    char (*comments)[48] = calloc(ROUNDS, sizeof(*comments));
    assert_non_null(log);
    assert_non_null(comments);
    size_t n = 0;
    unsigned t = 0;
    record(ix, d, log, &n, step(t++, "create", NULL, "draft", NULL));
    /* Recorded at start as records, then packed at once. */
    record(ix, d, log, &n, step(t++, "submit", "draft", "agreement", NULL));
    assert_int_equal(index_pack_old(ix), 0);
    assert_int_equal(d->old.count, 0); /* the create is its latest edit */
    for (unsigned r = 0; r < ROUNDS; r++) {
        snprintf(comments[r], sizeof(comments[r]), "Уточните меры (%u).", r);
        record(ix, d, log, &n, step(t++, "return", "agreement", "draft", comments[r]));
        record(ix, d, log, &n, step(t++, "edit", "draft", "draft", NULL));
        record(ix, d, log, &n, step(t++, "submit", "draft", "agreement", NULL));
        /* Kept as records: the latest edit and the submit after it. */
        assert_int_equal(d->nrecent, 2);
        assert_string_equal(d->recent[0].action, "edit");
    }
    assert_int_equal(index_version_count(d), n);
    assert_int_equal(d->old.count, n - 2);
    assert_true(index_created_ms(d) == log[0].time_ms);
    assert_ptr_equal(index_head(d), &d->recent[1]);
    /* Packed, a version is a dozen bytes and its comment. */
    size_t texts = 0;
    for (unsigned r = 0; r < ROUNDS; r++)
        texts += strlen(comments[r]) + 1;
    printf("packed: %zu versions in %zu bytes, %zu of them comments: %.1f bytes a version "
           "besides\n", n - 2, d->old.len, texts, (double)(d->old.len - texts) / (double)(n - 2));
    assert_true(d->old.len <= (n - 2) * 36 + texts);
    /* With a scratch file only the chunk being filled stays in memory. */
    if (spill) {
        assert_true(d->old.nrefs > 4);
        assert_int_equal(d->old.nspilled, d->old.nrefs - 1);
        assert_true(index_spilled_bytes(ix) == d->old.spilled_len);
        assert_true(d->old.spilled_len + HPACK_CHUNK > d->old.len);
    } else {
        assert_int_equal(d->old.nspilled, 0);
        assert_int_equal(index_spilled_bytes(ix), 0);
    }

    idx_version *all;
    size_t got;
    assert_int_equal(index_versions(&all, &got, d), 0);
    assert_int_equal(got, n);
    /* The log's packed entries point at freed records: compare what was
     * copied, the commit and time, and the strings by value. */
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(all[i].commit, log[i].commit);
        assert_true(all[i].time_ms == log[i].time_ms);
        assert_string_equal(all[i].action, log[i].action);
        assert_ptr_equal(all[i].author, log[i].author); /* interned: the same pointer */
    }
    assert_string_equal(all[3 * 123 + 2].comment, "Уточните меры (123).");
    assert_null(all[3 * 123 + 3].comment);

    /* By time and by commit, packed or not, with the number from 1. */
    idx_version v;
    size_t no;
    assert_int_equal(index_version_at(&v, &no, d, all[10].time_ms + 500), 1);
    assert_string_equal(v.commit, all[10].commit);
    assert_int_equal(no, 11);
    assert_int_equal(index_version_at(&v, NULL, d, all[0].time_ms - 1), 0);
    assert_int_equal(index_find_version(&v, &no, d, all[n - 1].commit), 1);
    assert_int_equal(no, n);
    assert_int_equal(index_find_version(&v, &no, d, all[7].commit), 1);
    assert_int_equal(no, 8);
    assert_string_equal(v.action, all[7].action);
    assert_int_equal(index_find_version(&v, NULL, d, "ffffffffffffffffffffffffffffffffffffffff"), 0);
    /* By number, packed and recent; the stage entry is the last submit, a record. */
    assert_int_equal(index_version_no(&v, d, 8), 1);
    assert_string_equal(v.commit, all[7].commit);
    assert_int_equal(index_version_no(&v, d, n), 1);
    assert_string_equal(v.commit, all[n - 1].commit);
    assert_int_equal(index_version_no(&v, d, 0), 0);
    assert_int_equal(index_version_no(&v, d, n + 1), 0);
    assert_ptr_equal(index_stage_entry(d), index_head(d));
    assert_string_equal(index_stage_entry(d)->action, "submit");

    assert_int_equal(index_version_total(ix), n);
    /* Each version numbered in the order recorded, packed or not. */
    for (size_t i = 0; i < n; i++)
        assert_true(all[i].seq == i + 1);
    free(all);
    free(log);
    free(comments);
    index_free(ix);
    if (spill) /* the scratch file had no name: nothing left behind */
        assert_int_equal(rmdir(dir), 0);
}

static void index_packs_what_it_may(void **state)
{
    (void)state;
    packs_what_it_may(0);
}

static void index_spills_full_chunks(void **state)
{
    (void)state;
    packs_what_it_may(1);
}

/* An index that does not pack (a replica's step, kenes verify's seed)
 * keeps every version a record. */
static void scratch_index_keeps_records(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    idx_doc *d;
    assert_int_equal(index_add(&d, ix, "plan/KZ-11/2026"), 0);
    for (unsigned t = 0; t < 30; t++) {
        idx_version v = step(t, t ? "submit" : "create", t ? "draft" : NULL,
                             t % 2 ? "agreement" : "draft", NULL);
        assert_int_equal(index_record(ix, d, &v), 0);
    }
    assert_int_equal(d->nrecent, 30);
    assert_int_equal(d->old.count, 0);
    index_free(ix);
}

/* A document that stays in one stage and is edited again and again keeps
 * its records until it moves, then gives the room back. */
static void long_stage_gives_room_back(void **state)
{
    (void)state;
    doc_index *ix;
    assert_int_equal(index_new(&ix), 0);
    assert_int_equal(index_pack_old(ix), 0);
    idx_doc *d;
    assert_int_equal(index_add(&d, ix, "plan/KZ-11/2026"), 0);
    idx_version v = step(0, "create", NULL, "draft", NULL);
    assert_int_equal(index_record(ix, d, &v), 0);
    for (unsigned t = 1; t <= 200; t++) {
        v = step(t, "edit", "draft", "draft", NULL);
        assert_int_equal(index_record(ix, d, &v), 0);
    }
    assert_int_equal(d->nrecent, 201);
    v = step(201, "submit", "draft", "agreement", NULL);
    assert_int_equal(index_record(ix, d, &v), 0);
    assert_int_equal(d->nrecent, 2);
    assert_true(d->recent_cap <= 4);
    assert_int_equal(index_version_count(d), 202);
    index_free(ix);
}

/* Which of two versions came first, for versions of two documents of one
 * repository recorded in turn, packed, spilled or records. */
static void seq_orders_versions(void **state)
{
    (void)state;
    doc_index *ix;
    char dir[64];
    scratch_dir(dir);
    assert_int_equal(index_new(&ix), 0);
    assert_int_equal(index_pack_old(ix), 0);
    assert_int_equal(index_spill_to(ix, dir), 0);
    idx_doc *a, *b, *c;
    assert_int_equal(index_add(&a, ix, "plan/KZ-11/2026"), 0);
    assert_int_equal(index_add(&b, ix, "plan/KZ-12/2026"), 0);
    assert_int_equal(index_add(&c, ix, "case/KZ-11/x"), 0);
    c->repo = 1;
    unsigned t = 0;
    idx_doc *docs[3] = {a, b, c};
    char first[3][41];
    for (int k = 0; k < 3; k++) {
        idx_version v = step(t++, "create", NULL, "draft", NULL);
        assert_int_equal(index_record(ix, docs[k], &v), 0);
        memcpy(first[k], v.commit, 41);
    }
    /* Edit, submit, return, in turn for each document. */
    static const char *const cycle[3][3] = {
        {"edit", "draft", "draft"}, {"submit", "draft", "agreement"}, {"return", "agreement", "draft"}};
    for (unsigned r = 0; r < 600; r++)
        for (int k = 0; k < 3; k++) {
            const char *const *s = cycle[r % 3];
            idx_version v = step(t++, s[0], s[1], s[2], "Уточните меры.");
            assert_int_equal(index_record(ix, docs[k], &v), 0);
        }
    assert_true(a->old.nspilled > 0);
    const char *ha = index_head(a)->commit, *hb = index_head(b)->commit;
    assert_int_equal(index_commit_before(a, first[0], b, first[1]), 1); /* both packed */
    assert_int_equal(index_commit_before(b, first[1], a, first[0]), 0);
    assert_int_equal(index_commit_before(a, first[0], b, hb), 1); /* packed, record */
    assert_int_equal(index_commit_before(b, hb, a, first[0]), 0);
    assert_int_equal(index_commit_before(a, ha, b, hb), 1);
    assert_int_equal(index_commit_before(a, ha, a, ha), 0);
    /* Named with the wrong document, in another repository, unknown, NULL. */
    assert_int_equal(index_commit_before(b, first[0], b, hb), 0);
    assert_int_equal(index_commit_before(c, first[2], b, hb), 0);
    assert_int_equal(index_commit_before(a, "ffffffffffffffffffffffffffffffffffffffff", b, hb), 0);
    assert_int_equal(index_commit_before(NULL, first[0], b, hb), 0);
    index_free(ix);
    assert_int_equal(rmdir(dir), 0);
}

/* A history whose older versions are in the scratch file, recorded as
 * the soak does (return with a comment, edit, submit): round r's return
 * is version 3 * r + 2. */
static void soak_history(doc_index **ix, idx_doc **d, char dir[64], unsigned rounds)
{
    static char comments[400][48];
    assert_true(rounds <= 400);
    scratch_dir(dir);
    assert_int_equal(index_new(ix), 0);
    assert_int_equal(index_pack_old(*ix), 0);
    assert_int_equal(index_spill_to(*ix, dir), 0);
    assert_int_equal(index_add(d, *ix, "plan/KZ-11/2026"), 0);
    unsigned t = 0;
    idx_version v = step(t++, "create", NULL, "draft", NULL);
    assert_int_equal(index_record(*ix, *d, &v), 0);
    v = step(t++, "submit", "draft", "agreement", NULL);
    assert_int_equal(index_record(*ix, *d, &v), 0);
    for (unsigned r = 0; r < rounds; r++) {
        snprintf(comments[r], sizeof(comments[r]), "Уточните меры (%u).", r);
        v = step(t++, "return", "agreement", "draft", comments[r]);
        assert_int_equal(index_record(*ix, *d, &v), 0);
        v = step(t++, "edit", "draft", "draft", NULL);
        assert_int_equal(index_record(*ix, *d, &v), 0);
        v = step(t++, "submit", "draft", "agreement", NULL);
        assert_int_equal(index_record(*ix, *d, &v), 0);
    }
    assert_true((*d)->old.nspilled > 1);
}

/* One version looked up (by commit, time or number) is handed back by
 * value after the read of the scratch file is freed: a packed one comes
 * without its comment (index_versions has it), never with a pointer into
 * freed memory. */
static void found_version_outlives_the_read(void **state)
{
    (void)state;
    doc_index *ix;
    idx_doc *d;
    char dir[64];
    soak_history(&ix, &d, dir, 300);
    idx_version *all;
    size_t n;
    assert_int_equal(index_versions(&all, &n, d), 0);
    const idx_version *want = &all[3 * 5 + 2]; /* in the first chunk, spilled */
    assert_string_equal(want->comment, "Уточните меры (5).");
    idx_version v;
    size_t no;
    assert_int_equal(index_find_version(&v, &no, d, want->commit), 1);
    assert_int_equal(no, 3 * 5 + 3);
    assert_null(v.comment);
    assert_string_equal(v.action, "return");
    assert_int_equal(index_version_at(&v, NULL, d, want->time_ms), 1);
    assert_string_equal(v.commit, want->commit);
    assert_null(v.comment);
    assert_int_equal(index_version_no(&v, d, 3 * 5 + 3), 1);
    assert_string_equal(v.commit, want->commit);
    assert_null(v.comment);
    /* The newest return is packed too (the records are its edit and submit). */
    assert_int_equal(index_version_no(&v, d, n - 2), 1);
    assert_null(v.comment);
    free(all);
    index_free(ix);
    assert_int_equal(rmdir(dir), 0);
}

/* When the scratch file does not read back, a lookup among the packed
 * versions says so: never "no such version" for one that is there (a 404
 * for a version the history lists), nor "not before" for a commit that
 * was. */
static void unreadable_is_no_not_found(void **state)
{
    (void)state;
    doc_index *ix;
    idx_doc *d;
    char dir[64];
    soak_history(&ix, &d, dir, 300);
    idx_doc *b;
    assert_int_equal(index_add(&b, ix, "plan/KZ-12/2026"), 0);
    idx_version later = step(9999, "create", NULL, "draft", NULL);
    assert_int_equal(index_record(ix, b, &later), 0);
    idx_version first = step(0, "create", NULL, "draft", NULL);
    idx_version v;
    size_t no;
    assert_int_equal(index_find_version(&v, &no, d, first.commit), 1);
    assert_int_equal(index_commit_before(d, first.commit, b, later.commit), 1);
    /* A chunk the file does not have: its read fails. */
    uint32_t slot = d->old.refs[0].slot;
    d->old.refs[0].slot = 1u << 30;
    assert_int_equal(index_find_version(&v, &no, d, first.commit), KENES_EIO);
    assert_int_equal(index_version_at(&v, &no, d, first.time_ms), KENES_EIO);
    assert_int_equal(index_version_no(&v, d, 1), KENES_EIO);
    assert_int_equal(index_commit_before(d, first.commit, b, later.commit), KENES_EIO);
    /* What the records answer needs no read. */
    assert_int_equal(index_find_version(&v, &no, d, index_head(d)->commit), 1);
    assert_int_equal(index_version_no(&v, d, index_version_count(d)), 1);
    d->old.refs[0].slot = slot;
    index_free(ix);
    assert_int_equal(rmdir(dir), 0);
}

/* Chunks: a history of many chunks, a record larger than a chunk, and a
 * batch taken back (hpack_rewind) across a chunk's end, all read back. */
static void chunks_and_rewind(void **state)
{
    (void)state;
    enum { N = 3000 };
    static char big[3 * HPACK_CHUNK];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char dir[64];
    scratch_dir(dir);
    idx_packed p = {0};
    assert_int_equal(hpack_spill_open(&p.spill, dir), 0);
    idx_version v = {.author = (char *)index_intern("off11"), .action = (char *)index_intern("edit"),
                     .to = (char *)index_intern("draft")};
    hpack_mark m;
    for (unsigned i = 0; i < N; i++) {
        commit_of(v.commit, i);
        v.time_ms = 1000 + i;
        v.seq = i + 1;
        v.comment = i == 1234 ? big : NULL;
        if (i == 1500) /* what the index does after each batch */
            assert_true(hpack_spill_full(&p) > 0);
        if (i == 2000)
            hpack_mark_of(&m, &p);
        assert_int_equal(hpack_add(&p, &v), 0);
    }
    assert_true(p.nrefs > 8);
    assert_true(p.nspilled > 1 && p.nspilled < p.nrefs - 1);
    idx_version *got = calloc(N, sizeof(*got));
    unsigned char *buf = malloc(hpack_spilled_len(&p) + 1);
    assert_non_null(got);
    assert_int_equal(hpack_decode(got, buf, &p), 0);
    for (unsigned i = 0; i < N; i++) {
        char c[41];
        commit_of(c, i);
        assert_string_equal(got[i].commit, c);
        assert_true(got[i].time_ms == 1000 + (int64_t)i);
    }
    assert_int_equal(strlen(got[1234].comment), sizeof(big) - 1);
    assert_null(got[1235].comment);
    /* Back to version 2000, then on again: the same bytes as a straight run. */
    hpack_rewind(&p, &m);
    assert_int_equal(p.count, 2000);
    assert_int_equal(hpack_decode(got, buf, &p), 0);
    for (unsigned i = 2000; i < N; i++) {
        commit_of(v.commit, i);
        v.time_ms = 1000 + i;
        v.seq = i + 1;
        v.comment = NULL;
        assert_int_equal(hpack_add(&p, &v), 0);
    }
    assert_true(hpack_spill_full(&p) > 0);
    assert_int_equal(hpack_spill_full(&p), 0); /* nothing more to write */
    assert_int_equal(p.nspilled, p.nrefs - 1);
    assert_true(hpack_spill_bytes(p.spill) == hpack_spilled_len(&p));
    free(buf);
    buf = malloc(hpack_spilled_len(&p));
    assert_int_equal(hpack_decode(got, buf, &p), 0);
    for (unsigned i = 0; i < N; i++)
        assert_true(got[i].time_ms == 1000 + (int64_t)i && got[i].seq == i + 1);
    assert_int_equal(strlen(got[1234].comment), sizeof(big) - 1);
    /* A chunk the file does not have: an error, not a wrong answer. */
    uint32_t slot = p.refs[1].slot;
    p.refs[1].slot = 1u << 30;
    assert_int_equal(hpack_decode(got, buf, &p), KENES_EIO);
    p.refs[1].slot = slot;
    /* Disposed, the file's room is given back; taken back to nothing. */
    hpack_spill *spill = p.spill;
    hpack_dispose(&p);
    assert_int_equal(hpack_spill_bytes(spill), 0);
    assert_ptr_equal(p.spill, spill);
    for (unsigned i = 0; i < 100; i++) {
        commit_of(v.commit, i);
        assert_int_equal(hpack_add(&p, &v), 0);
    }
    hpack_mark_of(&m, &(idx_packed){0});
    hpack_rewind(&p, &m);
    assert_int_equal(p.count, 0);
    assert_int_equal(p.nrefs, 0);
    assert_int_equal(hpack_decode(got, buf, &p), 0);
    free(got);
    free(buf);
    hpack_dispose(&p);
    hpack_spill_close(spill);
    assert_int_equal(rmdir(dir), 0);
    /* A folder that is not there: no scratch file, and why. */
    assert_int_equal(hpack_spill_open(&spill, "/nonexistent/kenes"), KENES_EIO);
}

/* A disk that refuses midway (RLIMIT_FSIZE as a full one): the chunk
 * half written is not taken, what was not written stays in memory and
 * reads back, and the next try, room made, writes it over: every version
 * comes back and the file counts each chunk once. */
static void disk_full_midway(void **state)
{
    (void)state;
    enum { N = 1200 };
    char dir[64];
    scratch_dir(dir);
    idx_packed p = {0};
    assert_int_equal(hpack_spill_open(&p.spill, dir), 0);
    idx_version v = {.author = (char *)index_intern("off11"), .action = (char *)index_intern("edit"),
                     .comment = "Уточните меры."};
    for (unsigned i = 0; i < N; i++) {
        commit_of(v.commit, i);
        v.time_ms = 1000 + i;
        v.seq = i + 1;
        assert_int_equal(hpack_add(&p, &v), 0);
    }
    assert_true(p.nrefs > 4);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = HPACK_CHUNK + 100; /* the first chunk, and 100 bytes of the second */
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = hpack_spill_full(&p);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(rc, KENES_EIO);
    assert_int_equal(p.nspilled, 1);
    assert_true(hpack_spill_bytes(p.spill) == p.refs[0].used);
    idx_version *got = calloc(N, sizeof(*got));
    unsigned char *buf = malloc(hpack_spilled_len(&p));
    assert_non_null(got);
    assert_int_equal(hpack_decode(got, buf, &p), 0);
    free(buf);
    assert_int_equal(hpack_spill_full(&p), (int)(p.nrefs - 2));
    assert_int_equal(p.nspilled, p.nrefs - 1);
    assert_true(hpack_spill_bytes(p.spill) == hpack_spilled_len(&p));
    buf = malloc(hpack_spilled_len(&p));
    assert_int_equal(hpack_decode(got, buf, &p), 0);
    for (unsigned i = 0; i < N; i++) {
        char c[41];
        commit_of(c, i);
        assert_string_equal(got[i].commit, c);
        assert_true(got[i].seq == i + 1);
        assert_string_equal(got[i].comment, "Уточните меры.");
    }
    free(got);
    free(buf);
    hpack_spill *spill = p.spill;
    hpack_dispose(&p);
    hpack_spill_close(spill);
    assert_int_equal(rmdir(dir), 0);
}

/* stderr, where the log goes, into a file for the while: its descriptor
 * back with stderr_back. */
static int stderr_to(const char *path)
{
    fflush(stderr);
    int saved = dup(2);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(saved >= 0 && dup2(fileno(f), 2) == 2);
    fclose(f);
    return saved;
}

static char *stderr_back(int saved, const char *path)
{
    fflush(stderr);
    assert_int_equal(dup2(saved, 2), 2);
    close(saved);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char text[4096];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    return text;
}

/* An index whose scratch file the disk refuses says so once, keeps the
 * chunks in memory and every version readable, and says so again when the
 * disk takes them, which the next batch writes. */
static void index_says_when_the_disk_refuses(void **state)
{
    (void)state;
    doc_index *ix;
    char dir[64], logpath[96];
    scratch_dir(dir);
    snprintf(logpath, sizeof(logpath), "%s.log", dir);
    assert_int_equal(index_new(&ix), 0);
    assert_int_equal(index_pack_old(ix), 0);
    assert_int_equal(index_spill_to(ix, dir), 0);
    idx_doc *d;
    assert_int_equal(index_add(&d, ix, "plan/KZ-11/2026"), 0);
    unsigned t = 0;
    idx_version v = step(t++, "create", NULL, "draft", NULL);
    assert_int_equal(index_record(ix, d, &v), 0);
    static const char *const cycle[3][3] = {
        {"edit", "draft", "draft"}, {"submit", "draft", "agreement"}, {"return", "agreement", "draft"}};
    /* The file may hold one chunk, no more. */
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = HPACK_CHUNK;
    signal(SIGXFSZ, SIG_IGN);
    int saved = stderr_to(logpath);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    for (unsigned r = 0; r < 900; r++) {
        const char *const *c = cycle[r % 3];
        v = step(t++, c[0], c[1], c[2], "Уточните меры и сроки.");
        assert_int_equal(index_record(ix, d, &v), 0);
    }
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    char *log = stderr_back(saved, logpath);
    assert_int_equal(d->old.nspilled, 1);
    assert_true(d->old.nrefs > 4);
    const char *say = "index: the scratch file refuses older versions (File too large): they stay "
                      "in memory until it takes them";
    const char *at = strstr(log, say);
    assert_non_null(at);
    assert_null(strstr(at + 1, say)); /* once */
    idx_version *all;
    size_t n;
    assert_int_equal(index_versions(&all, &n, d), 0);
    assert_int_equal(n, t);
    free(all);
    /* Room again: the next batch writes them all, and says so. */
    saved = stderr_to(logpath);
    for (unsigned r = 0; r < 3; r++) {
        const char *const *c = cycle[r % 3];
        v = step(t++, c[0], c[1], c[2], NULL);
        assert_int_equal(index_record(ix, d, &v), 0);
    }
    log = stderr_back(saved, logpath);
    assert_non_null(strstr(log, "index: the scratch file takes older versions again"));
    assert_int_equal(d->old.nspilled, d->old.nrefs - 1);
    assert_int_equal(index_versions(&all, &n, d), 0);
    assert_int_equal(n, t);
    for (size_t i = 0; i < n; i++)
        assert_true(all[i].seq == i + 1);
    free(all);
    index_free(ix);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(packs_and_unpacks),
                                       cmocka_unit_test(index_packs_what_it_may),
                                       cmocka_unit_test(index_spills_full_chunks),
                                       cmocka_unit_test(scratch_index_keeps_records),
                                       cmocka_unit_test(long_stage_gives_room_back),
                                       cmocka_unit_test(seq_orders_versions),
                                       cmocka_unit_test(chunks_and_rewind),
                                       cmocka_unit_test(found_version_outlives_the_read),
                                       cmocka_unit_test(unreadable_is_no_not_found),
                                       cmocka_unit_test(disk_full_midway),
                                       cmocka_unit_test(index_says_when_the_disk_refuses)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
