/* Group commit and packs: a batch is one pack and one move of main; a
 * batch that cannot move main answers every write with an error; packs are
 * consolidated; `kenes gc` prunes only what is unreachable and old. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <utime.h>

#include <cmocka.h>
#include <fcntl.h>
#include <git2.h>
#include <unistd.h>

#include "fixture_files.h"
#include "kenes/plugin.h"
#include "storage/store_internal.h"
#include "store_fixture.h"
#include "base/util.h"

#define NW 8

/* Every test on a repository whose commits are signed, as the server's are. */
typedef store_fixture fixture;

/* ---- helpers ---- */

/* Write an object no commit names, as git would (loose). */
static void git_hash(fixture *f, char out[STORE_OID_HEX], const char *text)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "printf '%%s\\n' '%s' | git --git-dir='%s' hash-object -w --stdin",
             text, f->gitdir);
    sh_first_line(out, STORE_OID_HEX, cmd);
    assert_int_equal(strlen(out), 40);
}

static long count_field(fixture *f, const char *field)
{
    char out[256], args[128];
    snprintf(args, sizeof(args), "count-objects -v | sed -n 's/^%s: //p'", field);
    git_out(f, out, sizeof(out), args);
    return atol(out);
}

static void head(fixture *f, char out[STORE_OID_HEX])
{
    assert_int_equal(store_head(f->s, out), 0);
}

/* Submit writes[0] alone (its job starts at once), then the rest while it
 * runs: they queue and form the next batch. */
static long lines_of(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    if (util_read_file(&text, &len, path) < 0)
        return 0;
    long n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    free(text);
    return n;
}

/* ---- tests ---- */

/* Writes queued together: each its own signed commit, chained in order,
 * main at the last; the batch is one pack and no loose object. */
static void test_batch_is_one_pack(void **state)
{
    fixture *f = *state;
    char journal[256], paths[NW][32], bodies[NW][32], lines[NW][64], out[256], args[256];
    store_write ws[NW];
    snprintf(journal, sizeof(journal), "%s/documents.jsonl", f->dir);
    assert_int_equal(store_set_journal(f->s, journal), 0);
    for (int i = 0; i < NW; i++) {
        snprintf(paths[i], sizeof(paths[i]), "plan/KZ-%02d/2026.md", 10 + i);
        snprintf(bodies[i], sizeof(bodies[i]), "version %d\n", i);
        snprintf(lines[i], sizeof(lines[i]), "{\"n\":%d}", i);
        store_fixture_edit(&ws[i], paths[i], bodies[i], i);
        ws[i].journal = lines[i];
    }
    store_fixture_submit_all(f, ws, NW);
    for (int i = 0; i < NW; i++) {
        assert_int_equal(ws[i].status, 0);
        assert_int_equal(strlen(ws[i].commit), 40);
        snprintf(args, sizeof(args), "rev-parse -q --verify %s^", ws[i].commit);
        git_out(f, out, sizeof(out), args);
        assert_string_equal(out, i ? ws[i - 1].commit : ws[i].commit + 40 /* "" */);
        snprintf(args, sizeof(args), "cat-file commit %s | grep -c '^gpgsig '", ws[i].commit);
        git_out(f, out, sizeof(out), args);
        assert_string_equal(out, "1");
    }
    head(f, out);
    assert_string_equal(out, ws[NW - 1].commit);
    /* The first write's batch, then the seven that queued behind it. */
    assert_int_equal(count_field(f, "packs"), 2);
    assert_int_equal(count_field(f, "count"), 0);
    assert_int_equal(lines_of(journal), NW);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

static int g_move_at = -1, g_trailers;
static char g_moved_to[STORE_OID_HEX];
static fixture *g_f;

/* The anchor's trailer runs on the writer for each commit: the hook where a
 * test moves main behind the batch's back, between its check and its move. */
static int moving_trailer(char *out, size_t cap, void *payload)
{
    (void)payload;
    if (g_trailers++ == g_move_at) {
        char args[256];
        git_out(g_f, g_moved_to, sizeof(g_moved_to),
                "-c user.name=x -c user.email=x@x commit-tree -p main -m external main^{tree}");
        snprintf(args, sizeof(args), "update-ref refs/heads/main %s", g_moved_to);
        assert_true(git_ok(g_f, args));
    }
    snprintf(out, cap, "Kenes-Anchor: test");
    return 0;
}

static int g_committed;
static void on_committed(const char *h, void *payload)
{
    (void)h;
    (void)payload;
    g_committed++;
}

/* main moves while the batch is being built: the compare-and-swap fails,
 * every write of the batch errs, main stays where they put it, no journal
 * line, and the key file a write of the batch brought is removed again. */
static void test_batch_whose_cas_fails(void **state)
{
    fixture *f = *state;
    char journal[256], key[256], out[256], c1[STORE_OID_HEX];
    snprintf(journal, sizeof(journal), "%s/cases.jsonl", f->dir);
    snprintf(key, sizeof(key), "%s/case-key", f->dir);
    assert_int_equal(store_set_journal(f->s, journal), 0);
    store_write w0;
    store_fixture_edit(&w0, "a.md", "a\n", 0);
    w0.journal = "{\"n\":0}";
    store_fixture_submit_all(f, &w0, 1);
    assert_int_equal(w0.status, 0);
    snprintf(c1, sizeof(c1), "%s", w0.commit);

    g_f = f;
    g_trailers = 0;
    g_move_at = 1; /* at the second commit of the batch */
    g_committed = 0;
    assert_int_equal(store_set_anchor(f->s, moving_trailer, on_committed, NULL), 0);
    store_write ws[3];
    store_fixture_edit(&ws[0], "b.md", "b\n", 1);
    store_fixture_edit(&ws[1], "c.md", "c\n", 2);
    store_fixture_edit(&ws[2], "d.md", "d\n", 3);
    ws[1].side_path = key;
    ws[1].side_data = "wrapped";
    ws[1].side_len = 7;
    for (int i = 0; i < 3; i++)
        ws[i].journal = "{\"n\":1}";
    /* One job for the three: submitted before the loop runs, none started. */
    store_fixture_submit_all(f, ws, 3);
    /* The first write ran alone (its job started at submit); the other two
     * were one batch, which the move caught. */
    assert_int_equal(ws[0].status, 0);
    for (int i = 1; i < 3; i++) {
        assert_int_equal(ws[i].status, KENES_ESTALE);
        assert_string_equal(ws[i].commit, "");
        if (!strstr(ws[i].errmsg, "moved"))
            fail_msg("errmsg: %s", ws[i].errmsg);
    }
    assert_int_equal(access(key, F_OK), -1);
    git_out(f, out, sizeof(out), "rev-parse main");
    assert_string_equal(out, g_moved_to);
    assert_int_equal(lines_of(journal), 2);
    assert_int_equal(g_committed, 1);
    assert_int_equal(store_set_anchor(f->s, NULL, NULL, NULL), 0);
    (void)c1;
}

/* A lock someone holds on main: every write of the batch errs with git's
 * reason, main and the journal stay, the key file goes; then it works. */
static void test_batch_with_main_locked(void **state)
{
    fixture *f = *state;
    char journal[256], key[256], lock[256], c1[STORE_OID_HEX], out[256];
    snprintf(journal, sizeof(journal), "%s/documents.jsonl", f->dir);
    snprintf(key, sizeof(key), "%s/case-key", f->dir);
    snprintf(lock, sizeof(lock), "%s/refs/heads/main.lock", f->gitdir);
    assert_int_equal(store_set_journal(f->s, journal), 0);
    store_write w0;
    store_fixture_edit(&w0, "a.md", "a\n", 0);
    w0.journal = "{\"n\":0}";
    store_fixture_submit_all(f, &w0, 1);
    snprintf(c1, sizeof(c1), "%s", w0.commit);
    FILE *fp = fopen(lock, "w");
    assert_non_null(fp);
    fclose(fp);

    store_write ws[4];
    const char *names[] = {"b.md", "c.md", "d.md", "e.md"};
    for (int i = 0; i < 4; i++) {
        store_fixture_edit(&ws[i], names[i], names[i], i + 1);
        ws[i].journal = "{\"n\":1}";
    }
    ws[2].side_path = key;
    ws[2].side_data = "wrapped";
    ws[2].side_len = 7;
    store_fixture_submit_all(f, ws, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ws[i].status, KENES_EIO);
        assert_string_equal(ws[i].commit, "");
        if (!strstr(ws[i].errmsg, "refs/heads/main") || !strstr(ws[i].errmsg, "lock"))
            fail_msg("errmsg: %s", ws[i].errmsg);
    }
    head(f, out);
    assert_string_equal(out, c1);
    assert_int_equal(access(key, F_OK), -1);
    assert_int_equal(lines_of(journal), 1);

    assert_int_equal(unlink(lock), 0);
    store_write w5;
    store_fixture_edit(&w5, "f.md", "f\n", 5);
    store_fixture_submit_all(f, &w5, 1);
    assert_int_equal(w5.status, 0);
    git_out(f, out, sizeof(out), "rev-parse main^");
    assert_string_equal(out, c1);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* A write refused on its own (deleting a file that is not there) fails
 * alone; the batch's chain goes on from the commit before it. */
static void test_refused_write_fails_alone(void **state)
{
    fixture *f = *state;
    char out[256], args[128];
    store_write ws[4];
    store_fixture_edit(&ws[0], "a.md", "a\n", 0);
    store_fixture_edit(&ws[1], "b.md", "b\n", 1);
    store_fixture_edit(&ws[2], "missing.md", NULL, 2);
    store_fixture_edit(&ws[3], "c.md", "c\n", 3);
    store_fixture_submit_all(f, ws, 4);
    assert_int_equal(ws[0].status, 0);
    assert_int_equal(ws[1].status, 0);
    assert_int_equal(ws[2].status, KENES_ENOTFOUND);
    assert_int_equal(ws[3].status, 0);
    snprintf(args, sizeof(args), "rev-parse %s^", ws[3].commit);
    git_out(f, out, sizeof(out), args);
    assert_string_equal(out, ws[1].commit);
    head(f, out);
    assert_string_equal(out, ws[3].commit);
    size_t n;
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 3);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* Past max packs a consolidation merges them, loose objects an older kenes
 * left included (and removed once packed), and writes go on after it. */
static void test_consolidation(void **state)
{
    fixture *f = *state;
    char out[256], loose[STORE_OID_HEX], args[256], bodies[8][32];
    git_hash(f, loose, "left by an older kenes");
    assert_int_equal(strlen(loose), 40);
    assert_int_equal(count_field(f, "count"), 1);
    assert_int_equal(store_set_max_packs(f->s, 3), 0);
    for (int i = 0; i < 8; i++) {
        store_write w;
        snprintf(bodies[i], sizeof(bodies[i]), "version %d\n", i);
        store_fixture_edit(&w, "plan/KZ-11/2026.md", bodies[i], i);
        store_fixture_submit_all(f, &w, 1); /* waits for the consolidation too (store_idle) */
        assert_int_equal(w.status, 0);
        assert_true(count_field(f, "packs") <= 4);
    }
    assert_int_equal(count_field(f, "count"), 0);
    snprintf(args, sizeof(args), "cat-file -e %s && echo ok", loose);
    git_out(f, out, sizeof(out), args);
    assert_string_equal(out, "ok");
    size_t n;
    assert_int_equal(store_count(f->s, &n), 0);
    assert_int_equal(n, 8);
    char path[256];
    snprintf(path, sizeof(path), "%s/objects/info/commit-graph", f->gitdir);
    assert_int_equal(access(path, F_OK), 0);
    assert_true(git_ok(f, "commit-graph verify"));
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

static void set_age(fixture *f, const char *hex, time_t when)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/objects/%.2s/%s", f->gitdir, hex, hex + 2);
    struct utimbuf t = {when, when};
    assert_int_equal(utime(path, &t), 0);
}

/* gc drops an unreachable object older than its cut-off, keeps a younger
 * one and everything reachable, and reports before and after. */
static void test_gc_prunes_old_unreachable(void **state)
{
    fixture *f = *state;
    char old[STORE_OID_HEX], young[STORE_OID_HEX], out[256], args[256], msg[256];
    store_write ws[3];
    store_fixture_edit(&ws[0], "a.md", "a\n", 0);
    store_fixture_edit(&ws[1], "b.md", "b\n", 1);
    store_fixture_edit(&ws[2], "c.md", "c\n", 2);
    store_fixture_submit_all(f, ws, 3);
    git_hash(f, old, "unreachable, old");
    git_hash(f, young, "unreachable, young");
    time_t now = time(NULL);
    set_age(f, old, now - 7200);
    store_pack_stats st;
    assert_int_equal(store_consolidate(&st, f->gitdir, (int64_t)now - 3600, 1, msg, sizeof(msg)), 0);
    assert_int_equal(st.packs_before, 2);
    assert_int_equal(st.loose_before, 2);
    assert_int_equal(st.packs_after, 1);
    assert_int_equal(st.loose_after, 0);
    assert_true(st.bytes_before > 0 && st.bytes_after > 0);
    snprintf(args, sizeof(args), "cat-file -e %s 2>/dev/null && echo yes || echo no", old);
    git_out(f, out, sizeof(out), args);
    assert_string_equal(out, "no");
    snprintf(args, sizeof(args), "cat-file -e %s 2>/dev/null && echo yes || echo no", young);
    git_out(f, out, sizeof(out), args);
    assert_string_equal(out, "yes");
    assert_true(git_ok(f, "fsck --strict --no-progress"));
    /* The writer goes on after packs it held open were removed. */
    store_write w;
    store_fixture_edit(&w, "d.md", "d\n", 3);
    store_fixture_submit_all(f, &w, 1);
    assert_int_equal(w.status, 0);
    git_out(f, out, sizeof(out), "rev-parse main^");
    assert_string_equal(out, ws[2].commit);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

static int has_pack(fixture *f, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/objects/pack/%s.pack", f->gitdir, name);
    return access(path, F_OK) == 0;
}

static void only_pack(fixture *f, char *name, size_t cap)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "ls '%s/objects/pack' | sed -n 's/\\.pack$//p'", f->gitdir);
    sh_first_line(name, cap, cmd);
}

/* While the largest pack is twice the others together, a consolidation
 * merges only the others: the history is not rewritten each time. */
static void test_consolidation_keeps_a_large_base(void **state)
{
    fixture *f = *state;
    char msg[256], base[128], out[256];
    enum { BIG = 64 * 1024 };
    char *big = malloc(BIG + 1);
    assert_non_null(big);
    uint32_t x = 2463534242u; /* xorshift: bytes zlib cannot shrink */
    for (int i = 0; i < BIG; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        big[i] = (char)('a' + x % 26);
    }
    big[BIG] = '\0';
    store_write w0;
    store_fixture_edit(&w0, "attachment.txt", big, 0);
    store_fixture_submit_all(f, &w0, 1);
    assert_int_equal(w0.status, 0);
    store_pack_stats st;
    assert_int_equal(store_consolidate(&st, f->gitdir, 0, 1, msg, sizeof(msg)), 0);
    assert_int_equal(st.packs_after, 1);
    only_pack(f, base, sizeof(base));
    assert_true(base[0] != '\0');

    store_write ws[3];
    store_fixture_edit(&ws[0], "a.md", "a\n", 1);
    store_fixture_edit(&ws[1], "b.md", "b\n", 2);
    store_fixture_edit(&ws[2], "c.md", "c\n", 3);
    store_fixture_submit_all(f, ws, 3);
    assert_int_equal(count_field(f, "packs"), 3);
    assert_int_equal(store_consolidate(&st, f->gitdir, 0, 1, msg, sizeof(msg)), 0);
    assert_int_equal(st.packs_before, 3);
    assert_int_equal(st.packs_after, 2);
    assert_true(has_pack(f, base));
    head(f, out);
    assert_string_equal(out, ws[2].commit);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
    free(big);
}

/* The pack lock excludes another holder in the same process as well. */
static void test_pack_lock_excludes(void **state)
{
    fixture *f = *state;
    char path[256];
    int fd;
    assert_int_equal(store_pack_lock(&fd, f->gitdir), 0);
    snprintf(path, sizeof(path), "%s/kenes-pack.lock", f->gitdir);
    int other = open(path, O_RDWR);
    assert_true(other >= 0);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
    close(fd);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
    close(other);
}

/* ---- a move of main that errs after it happened (finding 2) ---- */

static int g_fault_after, g_fault_read, g_fault_calls;
static char g_fault_reset[STORE_OID_HEX]; /* put main back here at the fault: "not moved" */

static int fault(const char *gitdir, int step)
{
    (void)gitdir;
    g_fault_calls++;
    if (step == STORE_FAULT_REF_AFTER && g_fault_after) {
        g_fault_after--;
        if (g_fault_reset[0]) {
            char args[128];
            snprintf(args, sizeof(args), "update-ref refs/heads/main %s", g_fault_reset);
            assert_true(git_ok(g_f, args));
        }
        git_error_set_str(GIT_ERROR_OS, "failed to fsync directory: Input/output error");
        return -1;
    }
    if (step == STORE_FAULT_REF_READ && g_fault_read) {
        git_error_set_str(GIT_ERROR_OS, "cannot read refs/heads/main: Input/output error");
        return -1;
    }
    return 0;
}

/* A new case's key file goes with w. */
static void with_key(store_write *w, const char *key)
{
    w->side_path = key;
    w->side_data = "wrapped";
    w->side_len = 7;
}

static void fault_reset(fixture *f)
{
    g_f = f;
    g_fault_after = g_fault_read = g_fault_calls = 0;
    g_fault_reset[0] = '\0';
    store_test_fault = fault;
}

/* The sync after main's rename fails: main holds the batch, so the writes
 * are answered as made, the new case's key stays, the journal has their
 * lines, and the next write goes on from them (not "moved behind"). */
static void test_ref_error_after_main_moved(void **state)
{
    fixture *f = *state;
    char journal[256], key[256], out[256], why[256];
    snprintf(journal, sizeof(journal), "%s/cases.jsonl", f->dir);
    snprintf(key, sizeof(key), "%s/case-key", f->dir);
    assert_int_equal(store_set_journal(f->s, journal), 0);
    fault_reset(f);
    g_fault_after = 1;
    store_write w;
    store_fixture_edit(&w, "case/a.json", "{}\n", 0);
    with_key(&w, key);
    w.journal = "{\"n\":0}";
    store_fixture_submit_all(f, &w, 1);
    store_test_fault = NULL;
    assert_true(g_fault_calls >= 1);
    assert_int_equal(w.status, 0);
    assert_int_equal(strlen(w.commit), 40);
    assert_int_equal(access(key, F_OK), 0);
    git_out(f, out, sizeof(out), "rev-parse main");
    assert_string_equal(out, w.commit);
    assert_int_equal(lines_of(journal), 1);
    assert_int_equal(store_health(f->s, why, sizeof(why)), 0);
    store_write w2;
    store_fixture_edit(&w2, "case/b.json", "{}\n", 1);
    store_fixture_submit_all(f, &w2, 1);
    assert_int_equal(w2.status, 0);
    git_out(f, out, sizeof(out), "rev-parse main^");
    assert_string_equal(out, w.commit);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* The move errs and main cannot be read back: the write errs, its key file
 * stays, /healthz's store_health says so, and nothing is written until main
 * is read: where the batch began (it was not made), writing goes on. */
static void test_ref_outcome_unknown_then_not_made(void **state)
{
    fixture *f = *state;
    char key[256], out[256], why[256], c0[STORE_OID_HEX];
    snprintf(key, sizeof(key), "%s/case-key", f->dir);
    store_write w0;
    store_fixture_edit(&w0, "a.md", "a\n", 0);
    store_fixture_submit_all(f, &w0, 1);
    snprintf(c0, sizeof(c0), "%s", w0.commit);
    fault_reset(f);
    g_fault_after = 1;
    g_fault_read = 1;
    snprintf(g_fault_reset, sizeof(g_fault_reset), "%s", c0); /* the move did not happen */
    store_write w;
    store_fixture_edit(&w, "case/a.json", "{}\n", 1);
    with_key(&w, key);
    store_fixture_submit_all(f, &w, 1);
    assert_int_equal(w.status, KENES_EIO);
    assert_int_equal(access(key, F_OK), 0); /* kept: main might hold it */
    assert_true(store_health(f->s, why, sizeof(why)) < 0);
    if (!strstr(why, "not known"))
        fail_msg("health: %s", why);
    /* Still unreadable: refused, nothing written. */
    store_write w2;
    store_fixture_edit(&w2, "b.md", "b\n", 2);
    store_fixture_submit_all(f, &w2, 1);
    assert_int_equal(w2.status, KENES_EIO);
    git_out(f, out, sizeof(out), "rev-parse main");
    assert_string_equal(out, c0);
    /* Readable, and main is where the batch began: writing goes on. */
    g_fault_read = 0;
    store_write w3;
    store_fixture_edit(&w3, "c.md", "c\n", 3);
    store_fixture_submit_all(f, &w3, 1);
    store_test_fault = NULL;
    assert_int_equal(w3.status, 0);
    git_out(f, out, sizeof(out), "rev-parse main^");
    assert_string_equal(out, c0);
    assert_int_equal(store_health(f->s, why, sizeof(why)), 0);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* Unknown, then main turns out to hold the batch answered as failed: the
 * writer stays stopped until a restart, and says so. */
static void test_ref_outcome_unknown_then_made(void **state)
{
    fixture *f = *state;
    char key[256], why[256];
    snprintf(key, sizeof(key), "%s/case-key", f->dir);
    fault_reset(f);
    g_fault_after = 1;
    g_fault_read = 1;
    store_write w;
    store_fixture_edit(&w, "case/a.json", "{}\n", 0);
    with_key(&w, key);
    store_fixture_submit_all(f, &w, 1);
    assert_int_equal(w.status, KENES_EIO);
    assert_int_equal(access(key, F_OK), 0);
    g_fault_read = 0;
    store_write w2;
    store_fixture_edit(&w2, "b.md", "b\n", 1);
    store_fixture_submit_all(f, &w2, 1);
    store_test_fault = NULL;
    assert_int_equal(w2.status, KENES_EIO);
    if (!strstr(w2.errmsg, "restart"))
        fail_msg("errmsg: %s", w2.errmsg);
    assert_true(store_health(f->s, why, sizeof(why)) < 0);
    assert_int_equal(access(key, F_OK), 0);
}

/* main moved behind the server: /healthz's store_health says so from the
 * first write it refused. */
static void test_health_main_moved_behind(void **state)
{
    fixture *f = *state;
    char why[256];
    store_write w0;
    store_fixture_edit(&w0, "a.md", "a\n", 0);
    store_fixture_submit_all(f, &w0, 1);
    assert_int_equal(store_health(f->s, why, sizeof(why)), 0);
    assert_string_equal(why, "ok");
    char out[STORE_OID_HEX], args[256];
    git_out(f, out, sizeof(out),
            "-c user.name=x -c user.email=x@x commit-tree -p main -m external main^{tree}");
    snprintf(args, sizeof(args), "update-ref refs/heads/main %s", out);
    assert_true(git_ok(f, args));
    store_write w;
    store_fixture_edit(&w, "b.md", "b\n", 1);
    store_fixture_submit_all(f, &w, 1);
    assert_int_equal(w.status, KENES_ESTALE);
    assert_true(store_health(f->s, why, sizeof(why)) < 0);
    if (!strstr(why, "moved behind"))
        fail_msg("health: %s", why);
}

/* The seq /healthz reads around its look at main.lock: even when idle,
 * moved by two per batch. */
static void test_publish_seq(void **state)
{
    fixture *f = *state;
    unsigned before = store_publish_seq(f->s);
    assert_int_equal(before % 2, 0);
    store_write w;
    store_fixture_edit(&w, "a.md", "a\n", 0);
    store_fixture_submit_all(f, &w, 1);
    assert_int_equal(store_publish_seq(f->s), before + 2);
}

/* ---- what gc keeps and whom it yields to ---- */

/* An annotated tag and a second branch whose objects are old: gc prunes
 * neither (findings 8). */
static void test_gc_keeps_every_ref(void **state)
{
    fixture *f = *state;
    char out[256], cmd[1024], msg[256], branch[STORE_OID_HEX], tag[STORE_OID_HEX];
    store_write ws[2];
    store_fixture_edit(&ws[0], "a.md", "a\n", 0);
    store_fixture_edit(&ws[1], "b.md", "b\n", 1);
    store_fixture_submit_all(f, ws, 2);
    assert_true(git_ok(f, "-c user.name=x -c user.email=x@x tag -a audit-2026 -m pin main"));
    git_hash(f, out, "a note only the backup branch names");
    snprintf(cmd, sizeof(cmd), "-c user.name=x -c user.email=x@x commit-tree -p main -m note "
             "$(printf '100644 blob %s\\tnote.md\\n' | git --git-dir='%s' mktree)", out,
             f->gitdir);
    git_out(f, branch, sizeof(branch), cmd);
    assert_int_equal(strlen(branch), 40);
    snprintf(cmd, sizeof(cmd), "update-ref refs/heads/backup %s", branch);
    assert_true(git_ok(f, cmd));
    git_out(f, tag, sizeof(tag), "rev-parse refs/tags/audit-2026");
    assert_int_equal(sh("find '%s/objects' -type f -exec touch -d '3 hours ago' {} +",
                        f->gitdir), 0);
    store_pack_stats st;
    assert_int_equal(store_consolidate(&st, f->gitdir, (int64_t)time(NULL) - 3600, 1, msg,
                                       sizeof(msg)), 0);
    assert_int_equal(st.loose_after, 0);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
    snprintf(cmd, sizeof(cmd), "cat-file -e %s", tag);
    assert_true(git_ok(f, cmd));
    assert_true(git_ok(f, "cat-file -e refs/heads/backup:note.md"));
    assert_true(git_ok(f, "log --oneline refs/tags/audit-2026"));
}

/* A gc.pid naming a live process of this host is a git gc at work: busy;
 * one naming a process that ended is not (finding 10). */
static void test_gc_pid_of_a_live_git_gc(void **state)
{
    fixture *f = *state;
    char path[256], host[256] = "", msg[256];
    store_pack_stats st;
    store_write w;
    store_fixture_edit(&w, "a.md", "a\n", 0);
    store_fixture_submit_all(f, &w, 1);
    assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
    snprintf(path, sizeof(path), "%s/gc.pid", f->gitdir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "%ld %s", (long)getpid(), host);
    fclose(fp);
    assert_int_equal(store_consolidate(&st, f->gitdir, 0, 1, msg, sizeof(msg)), KENES_EBUSY);
    if (!strstr(msg, "git gc"))
        fail_msg("msg: %s", msg);
    snprintf(path, sizeof(path), "%s/gc.pid.lock", f->gitdir);
    assert_int_equal(access(path, F_OK), -1); /* ours let go */
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    assert_true(child > 0);
    assert_int_equal(waitpid(child, NULL, 0), child);
    snprintf(path, sizeof(path), "%s/gc.pid", f->gitdir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "%ld %s", (long)child, host);
    fclose(fp);
    assert_int_equal(store_consolidate(&st, f->gitdir, 0, 1, msg, sizeof(msg)), 0);
}

/* A consolidation that fails is tried again after 8, then 16 batches, not
 * after each (finding 13b). */
static void test_consolidation_backs_off(void **state)
{
    fixture *f = *state;
    char path[256], bodies[80][32];
    snprintf(path, sizeof(path), "%s/kenes-tmp-pack", f->gitdir);
    FILE *fp = fopen(path, "w"); /* a file where its folder goes: every try fails */
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(store_set_max_packs(f->s, 2), 0);
    for (int i = 0; i < 30; i++) {
        store_write w;
        snprintf(bodies[i], sizeof(bodies[i]), "version %d\n", i);
        store_fixture_edit(&w, "plan/KZ-11/2026.md", bodies[i], i);
        store_fixture_submit_all(f, &w, 1);
        assert_int_equal(w.status, 0);
    }
    /* Past the limit from the 3rd batch: tries after batches 3, 12 (8
     * waited) and 29 (16 waited); one after each batch would be 28. */
    assert_int_equal(f->s->pack_attempts, 3);
    assert_int_equal(unlink(path), 0);
    size_t was = f->s->pack_attempts;
    for (int i = 30; i < 80 && f->s->pack_attempts == was; i++) {
        store_write w;
        snprintf(bodies[i], sizeof(bodies[i]), "version %d\n", i);
        store_fixture_edit(&w, "plan/KZ-11/2026.md", bodies[i], i);
        store_fixture_submit_all(f, &w, 1);
        assert_int_equal(w.status, 0);
    }
    assert_int_equal(f->s->pack_attempts, was + 1);
    assert_true(count_field(f, "packs") <= 2);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
}

/* A .pack whose .idx never came (a gc killed between its two renames): the
 * next consolidation indexes and merges it, removing nothing it alone held
 * (finding 14). */
static void test_lone_pack_is_indexed(void **state)
{
    fixture *f = *state;
    char msg[256], name[128], path[512], out[256];
    store_write ws[3];
    store_fixture_edit(&ws[0], "a.md", "a\n", 0);
    store_fixture_edit(&ws[1], "b.md", "b\n", 1);
    store_fixture_edit(&ws[2], "c.md", "c\n", 2);
    store_fixture_submit_all(f, ws, 3);
    store_pack_stats st;
    assert_int_equal(store_consolidate(&st, f->gitdir, 0, 1, msg, sizeof(msg)), 0);
    assert_int_equal(st.packs_after, 1);
    only_pack(f, name, sizeof(name));
    snprintf(path, sizeof(path), "%s/objects/pack/%s.idx", f->gitdir, name);
    assert_int_equal(unlink(path), 0);
    assert_false(git_ok(f, "cat-file -e main"));
    assert_int_equal(store_consolidate(&st, f->gitdir, (int64_t)time(NULL) + 60, 1, msg,
                                       sizeof(msg)), 0);
    assert_true(git_ok(f, "fsck --strict --no-progress"));
    git_out(f, out, sizeof(out), "rev-parse main");
    assert_string_equal(out, ws[2].commit);
    assert_true(git_ok(f, "cat-file -e main:a.md"));
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, store_fixture_setup_signed, store_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_batch_is_one_pack),
        T(test_batch_whose_cas_fails),
        T(test_batch_with_main_locked),
        T(test_refused_write_fails_alone),
        T(test_consolidation),
        T(test_gc_prunes_old_unreachable),
        T(test_consolidation_keeps_a_large_base),
        T(test_pack_lock_excludes),
        T(test_ref_error_after_main_moved),
        T(test_ref_outcome_unknown_then_not_made),
        T(test_ref_outcome_unknown_then_made),
        T(test_health_main_moved_behind),
        T(test_publish_seq),
        T(test_gc_keeps_every_ref),
        T(test_gc_pid_of_a_live_git_gc),
        T(test_consolidation_backs_off),
        T(test_lone_pack_is_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
