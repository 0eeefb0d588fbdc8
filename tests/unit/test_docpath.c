/* Where a document's files live (storage/docpath.h): the mapping, its
 * inverse, the layout of a tree, and the size of the trees it makes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <git2.h>
#include <sodium.h>

#include "kenes/plugin.h"
#include "storage/docpath.h"
#include "fixture_files.h"

#define UUID "3fa85f64-5717-4562-b3fc-2c963f66afa6"
#define CASE "case/KZ-11/" UUID

static void which_ids_fan_out(void **state)
{
    (void)state;
    assert_int_equal(docpath_fans_out(CASE), 1);
    assert_int_equal(docpath_fans_out("referral/KZ-75/" UUID), 1);
    /* Ids a plugin builds from its fields keep their paths. */
    assert_int_equal(docpath_fans_out("plan/KZ-11/2026"), 0);
    assert_int_equal(docpath_fans_out("roster/KZ-11/2026-02-02"), 0);
    assert_int_equal(docpath_fans_out("meeting/KZ-11/2026-1"), 0);
    assert_int_equal(docpath_fans_out("execution/KZ-11/2026-h1"), 0);
    /* Not a uuid as the server writes one: upper case, short, no prefix. */
    assert_int_equal(docpath_fans_out("case/KZ-11/3FA85F64-5717-4562-B3FC-2C963F66AFA6"), 0);
    assert_int_equal(docpath_fans_out("case/KZ-11/3fa85f64-5717-4562-b3fc-2c963f66afa"), 0);
    assert_int_equal(docpath_fans_out(UUID), 0);
    assert_int_equal(docpath_fans_out("/" UUID), 0);
    assert_int_equal(docpath_fans_out(NULL), 0);
    /* A two-character segment before it would read as a fan-out folder. */
    assert_int_equal(docpath_fans_out("case/3f/" UUID), 0);
}

static void paths_in_each_layout(void **state)
{
    (void)state;
    char p[DOCPATH_MAX];
    assert_int_equal(docpath_of(p, sizeof(p), CASE, ".md", DOCPATH_FANOUT), 0);
    assert_string_equal(p, "case/KZ-11/3f/" UUID ".md");
    assert_int_equal(docpath_of(p, sizeof(p), CASE, ".note", DOCPATH_FANOUT), 0);
    assert_string_equal(p, "case/KZ-11/3f/" UUID ".note");
    assert_int_equal(docpath_of(p, sizeof(p), CASE, ".files/00ff", DOCPATH_FANOUT), 0);
    assert_string_equal(p, "case/KZ-11/3f/" UUID ".files/00ff");
    assert_int_equal(docpath_of(p, sizeof(p), CASE, ".md", DOCPATH_FLAT), 0);
    assert_string_equal(p, CASE ".md");
    assert_int_equal(docpath_of(p, sizeof(p), "plan/KZ-11/2026", ".md", DOCPATH_FANOUT), 0);
    assert_string_equal(p, "plan/KZ-11/2026.md");
    /* What does not fit, or names nothing, is refused. */
    assert_int_equal(docpath_of(p, 20, CASE, ".md", DOCPATH_FANOUT), KENES_EINVAL);
    assert_int_equal(docpath_of(p, sizeof(p), "", ".md", DOCPATH_FANOUT), KENES_EINVAL);
    assert_int_equal(docpath_of(p, sizeof(p), CASE, "", DOCPATH_FANOUT), KENES_EINVAL);
}

static void back_from_a_path(void **state)
{
    (void)state;
    char id[DOCPATH_MAX], other[DOCPATH_MAX];
    const char *suffix;
    docpath_layout layout;
    assert_int_equal(docpath_parse(id, sizeof(id), &suffix, &layout, "case/KZ-11/3f/" UUID ".md"), 0);
    assert_string_equal(id, CASE);
    assert_string_equal(suffix, ".md");
    assert_int_equal(layout, DOCPATH_FANOUT);
    assert_int_equal(docpath_parse(id, sizeof(id), &suffix, &layout, CASE ".files/ab12"), 0);
    assert_string_equal(id, CASE);
    assert_string_equal(suffix, ".files/ab12");
    assert_int_equal(layout, DOCPATH_FLAT);
    /* An attachment named like a uuid does not end the id. */
    assert_int_equal(docpath_parse(id, sizeof(id), &suffix, &layout,
                                   "case/KZ-11/3f/" UUID ".files/" UUID ".pdf"), 0);
    assert_string_equal(id, CASE);
    /* Files of ids that do not fan out, and the reports, are no case's. */
    assert_int_equal(docpath_parse(id, sizeof(id), &suffix, &layout, "plan/KZ-11/2026.md"),
                     KENES_ENOTFOUND);
    assert_int_equal(docpath_parse(id, sizeof(id), &suffix, &layout, "reports/kk/national.md"),
                     KENES_ENOTFOUND);
    assert_int_equal(docpath_parse(id, sizeof(id), &suffix, &layout, UUID ".md"), KENES_ENOTFOUND);
    /* A fan-out folder that is not the uuid's own is no fan-out folder. */
    assert_int_equal(docpath_parse(id, sizeof(id), &suffix, &layout, "case/KZ-11/00/" UUID ".md"),
                     KENES_ENOTFOUND);
    assert_int_equal(docpath_parse(id, 10, &suffix, &layout, CASE ".md"), KENES_EINVAL);
    /* The other layout, both ways; the same file stays itself. */
    assert_int_equal(docpath_other(other, sizeof(other), CASE ".note"), 0);
    assert_string_equal(other, "case/KZ-11/3f/" UUID ".note");
    assert_int_equal(docpath_other(other, sizeof(other), "case/KZ-11/3f/" UUID ".files/x"), 0);
    assert_string_equal(other, CASE ".files/x");
    assert_int_equal(docpath_other(other, sizeof(other), "plan/KZ-11/2026.md"), KENES_ENOTFOUND);
}

/* A uuid as api->uuid makes one. */
static void random_uuid(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-4%01x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6] & 0xf, b[7], (b[8] & 0x3f) | 0x80, b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
}

/*
 * Issue 16: no tree a write rewrites holds more than about 1,000 entries at
 * 100,000 documents.  A case write rewrites the root, "case/", the region's
 * folder and the fan-out folder (and, for a file, "<uuid>.files/").  Worst
 * case: all 100,000 cases in ONE region, each with its .md and a sealed
 * .note (two entries); the region folder then holds at most 256.
 */
static void trees_stay_small_at_100k(void **state)
{
    (void)state;
    enum { DOCS = 100000, ENTRIES_PER_DOC = 2 };
    static unsigned folder[256];
    char uuid[37], id[64], path[DOCPATH_MAX];
    memset(folder, 0, sizeof(folder));
    for (int i = 0; i < DOCS; i++) {
        random_uuid(uuid);
        snprintf(id, sizeof(id), "case/KZ-11/%s", uuid);
        assert_int_equal(docpath_of(path, sizeof(path), id, ".md", DOCPATH_FANOUT), 0);
        /* "case/KZ-11/hh/...": the folder is the uuid's first two characters */
        unsigned hh;
        assert_int_equal(sscanf(path + strlen("case/KZ-11/"), "%2x/", &hh), 1);
        folder[hh]++;
    }
    unsigned most = 0, used = 0;
    for (int i = 0; i < 256; i++) {
        most = folder[i] > most ? folder[i] : most;
        used += folder[i] > 0;
    }
    assert_true(used <= 256);                     /* the region folder's entries */
    assert_true(most * ENTRIES_PER_DOC <= 1000);  /* the fullest fan-out folder's */
    /* The same 100,000 flat: one folder of 200,000 entries. */
    assert_true((unsigned)DOCS * ENTRIES_PER_DOC > 100 * 1000);
}

/* ---- the layout of a real tree ---- */

typedef struct repo_fixture {
    char dir[64];
    git_repository *repo;
} repo_fixture;

static int repo_setup(void **state)
{
    repo_fixture *f = calloc(1, sizeof(*f));
    git_libgit2_init();
    if (!f || scratch_dir_new(f->dir, sizeof(f->dir), "docpath") != 0 ||
        git_repository_init(&f->repo, f->dir, 1) < 0)
        return -1;
    *state = f;
    return 0;
}

static int repo_teardown(void **state)
{
    repo_fixture *f = *state;
    git_repository_free(f->repo);
    scratch_dir_remove(f->dir);
    free(f);
    git_libgit2_shutdown();
    return 0;
}

/* A tree holding the files at paths (NULL-terminated), each a small blob. */
static git_tree *tree_of(git_repository *repo, const char *const *paths)
{
    git_tree_update u[16];
    git_oid blob, id;
    git_tree *tree = NULL;
    size_t n = 0;
    assert_int_equal(git_blob_create_from_buffer(&blob, repo, "x", 1), 0);
    for (; paths[n]; n++)
        u[n] = (git_tree_update){.action = GIT_TREE_UPDATE_UPSERT, .id = blob,
                                 .filemode = GIT_FILEMODE_BLOB, .path = paths[n]};
    assert_int_equal(git_tree_create_updated(&id, repo, NULL, n, u), 0);
    assert_int_equal(git_tree_lookup(&tree, repo, &id), 0);
    return tree;
}

static int layout_of(docpath_layout *out, git_repository *repo, const char *const *paths,
                     char *detail, size_t cap)
{
    git_tree *tree = tree_of(repo, paths);
    int rc = docpath_tree_layout(out, repo, tree, detail, cap);
    git_tree_free(tree);
    return rc;
}

static void layout_of_trees(void **state)
{
    repo_fixture *f = *state;
    docpath_layout l;
    char detail[400];
    static const char *const flat[] = {"plan/KZ-11/2026.md", CASE ".md", CASE ".note",
                                       "case/KZ-11/" UUID ".files/ab", NULL};
    static const char *const fanned[] = {"plan/KZ-11/2026.md", "case/KZ-11/3f/" UUID ".md",
                                         "case/KZ-15/3f/" UUID ".md",
                                         "referral/KZ-11/3f/" UUID ".files/a", NULL};
    static const char *const none[] = {"plan/KZ-11/2026.md", "reports/kk/national.md",
                                       "meeting/KZ-11/2026-1.md", NULL};
    static const char *const mixed[] = {"case/KZ-11/3f/" UUID ".md",
                                        "case/KZ-15/" UUID ".md", NULL};
    assert_int_equal(layout_of(&l, f->repo, flat, detail, sizeof(detail)), 0);
    assert_int_equal(l, DOCPATH_FLAT);
    assert_int_equal(layout_of(&l, f->repo, fanned, detail, sizeof(detail)), 0);
    assert_int_equal(l, DOCPATH_FANOUT);
    /* Nothing that fans out: new writes fan out. */
    assert_int_equal(layout_of(&l, f->repo, none, detail, sizeof(detail)), 0);
    assert_int_equal(l, DOCPATH_FANOUT);
    assert_int_equal(docpath_tree_layout(&l, f->repo, NULL, detail, sizeof(detail)), 0);
    assert_int_equal(l, DOCPATH_FANOUT);
    /* Both: a fault that names a file of each. */
    assert_int_equal(layout_of(&l, f->repo, mixed, detail, sizeof(detail)), KENES_EINVAL);
    assert_non_null(strstr(detail, "case/KZ-15/" UUID ".md is flat"));
    assert_non_null(strstr(detail, "case/KZ-11/3f/"));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(which_ids_fan_out),
        cmocka_unit_test(paths_in_each_layout),
        cmocka_unit_test(back_from_a_path),
        cmocka_unit_test(trees_stay_small_at_100k),
        cmocka_unit_test_setup_teardown(layout_of_trees, repo_setup, repo_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
