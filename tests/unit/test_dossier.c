/* Dossiers: zips that unzip and Python's zipfile accept, with exactly the entries promised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <unistd.h>
#include <zip.h>

#include "publish/dossier.h"
#include "kenes/plugin.h"
#include "fixture_files.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* 2026-02-07T10:00:00Z: an even second, so the DOS time keeps it exactly. */
#define NOW_RFC3339 "2026-02-07T10:00:00Z"
#define NOW_SECONDS 1770458400

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a"
#define C3 "3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b"

static const char V1[] = "---\nid: plan/KZ-11/2026\nstage: draft\ntitle: План Алматинской области\n---\n"
                         "# Цели\n\nЗащита прав детей.\n\n# Меры\n\nСоздать службу сопровождения.\n";
static const char V2[] = "---\nid: plan/KZ-11/2026\nstage: draft\ntitle: План Алматинской области\n---\n"
                         "# Цели\n\nЗащита прав и интересов детей.\n\n# Меры\n\nСоздать службу сопровождения.\n";
static const char V3[] = "---\nid: plan/KZ-11/2026\nstage: ministry-review\ntitle: План Алматинской области\n---\n"
                         "# Цели\n\nЗащита прав и интересов детей.\n\n# Меры\n\nСоздать службу сопровождения.\n";

static const char HISTORY[] =
    "{\"id\":\"plan/KZ-11/2026\",\"versions\":["
    "{\"commit\":\"" C3 "\",\"time\":\"2026-02-03T09:00:00Z\",\"author\":\"official-kz11\","
    "\"action\":\"submit\",\"from\":\"draft\",\"to\":\"ministry-review\",\"comment\":\"Прошу рассмотреть\","
    "\"role\":\"regional-official\"},"
    "{\"commit\":\"" C2 "\",\"time\":\"2026-02-02T09:00:00Z\",\"author\":\"official-kz11\","
    "\"action\":\"edit\",\"to\":\"draft\",\"role\":\"regional-official\"},"
    "{\"commit\":\"" C1 "\",\"time\":\"2026-02-01T09:00:00Z\",\"author\":\"official-kz11\","
    "\"action\":\"create\",\"to\":\"draft\",\"role\":\"regional-official\"}]}";

#define KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkenestestkeytestkeytestkeytestkeytestke kenes"
#define SIGNERS "kenes@localhost namespaces=\"git\" " KEY

/* ---- helpers ---- */

/* Temp files and folders, removed after each test even when an assertion failed. */
static char tracked[8][128];
static size_t ntracked;

static void track(const char *path)
{
    assert_true(ntracked < LEN(tracked));
    snprintf(tracked[ntracked++], sizeof(tracked[0]), "%s", path);
}

static int remove_tracked(void **state)
{
    (void)state;
    char cmd[256];
    for (size_t i = 0; i < ntracked; i++) {
        int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tracked[i]);
        if (n < 0 || (size_t)n >= sizeof(cmd) || system(cmd) != 0)
            return -1;
    }
    ntracked = 0;
    return 0;
}

typedef struct built {
    char *zip;
    size_t len;
    char path[64];
} built;

static void build_ok(built *b, const dossier_input *in)
{
    memset(b, 0, sizeof(*b));
    assert_int_equal(dossier_build(&b->zip, &b->len, in), 0);
    assert_non_null(b->zip);
    assert_true(b->len > 22); /* more than an empty archive's end record */
    strcpy(b->path, "/tmp/kenes-dossier-XXXXXX.zip");
    int fd = mkstemps(b->path, 4);
    assert_true(fd >= 0);
    track(b->path);
    assert_int_equal(write(fd, b->zip, b->len), (ssize_t)b->len);
    assert_int_equal(close(fd), 0);
}

static void built_dispose(built *b)
{
    unlink(b->path);
    free(b->zip);
}

/* The real tools, not libzip reading its own output. */
static void check_with_tools(const built *b)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "unzip -tq '%s' >/dev/null", b->path);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "python3 -m zipfile -t '%s' >/dev/null", b->path);
    assert_int_equal(system(cmd), 0);
}

static zip_t *open_zip(const built *b)
{
    int err = 0;
    zip_t *za = zip_open(b->path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    assert_non_null(za);
    return za;
}

/* Entry i's bytes, NUL-terminated; free() them. */
static char *read_entry(zip_t *za, const char *name, size_t *len)
{
    zip_stat_t st;
    assert_int_equal(zip_stat(za, name, 0, &st), 0);
    char *buf = malloc(st.size + 1);
    zip_file_t *f = zip_fopen(za, name, 0);
    assert_non_null(f);
    assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
    zip_fclose(f);
    buf[st.size] = '\0';
    if (len)
        *len = st.size;
    return buf;
}

/* Exactly these names, in this order, each deflated, dated NOW, mode 0644. */
static void check_entries(zip_t *za, const char *const *want, size_t nwant)
{
    assert_int_equal(zip_get_num_entries(za, 0), (zip_int64_t)nwant);
    for (size_t i = 0; i < nwant; i++) {
        const char *name = zip_get_name(za, i, 0);
        assert_non_null(name);
        assert_string_equal(name, want[i]);
        assert_null(strstr(name, ".."));
        assert_true(name[0] != '/');
        zip_stat_t st;
        assert_int_equal(zip_stat_index(za, i, 0, &st), 0);
        assert_int_equal(st.comp_method, ZIP_CM_DEFLATE);
        assert_int_equal(st.mtime, NOW_SECONDS);
        zip_uint8_t os;
        zip_uint32_t attr;
        assert_int_equal(zip_file_get_external_attributes(za, i, 0, &os, &attr), 0);
        assert_int_equal(os, ZIP_OPSYS_UNIX);
        assert_int_equal(attr >> 16, 0100644);
        /* The UTC timestamp unzip restores, in both headers. */
        zip_uint16_t ulen;
        const zip_uint8_t *ut =
            zip_file_extra_field_get_by_id(za, i, 0x5455, 0, &ulen, ZIP_FL_CENTRAL);
        assert_non_null(ut);
        assert_int_equal(ulen, 5);
        assert_int_equal(ut[0], 1);
        assert_int_equal((uint32_t)ut[1] | (uint32_t)ut[2] << 8 | (uint32_t)ut[3] << 16 |
                             (uint32_t)ut[4] << 24,
                         NOW_SECONDS);
        assert_non_null(zip_file_extra_field_get_by_id(za, i, 0x5455, 0, &ulen, ZIP_FL_LOCAL));
    }
}

static void check_entry_bytes(zip_t *za, const char *name, const char *want, size_t wlen)
{
    size_t len;
    char *got = read_entry(za, name, &len);
    assert_int_equal(len, wlen);
    assert_memory_equal(got, want, wlen);
    free(got);
}

static const dossier_version three[] = {
    {C1, V1, sizeof(V1) - 1},
    {C2, V2, sizeof(V2) - 1},
    {C3, V3, sizeof(V3) - 1},
};

static dossier_input three_input(void)
{
    dossier_input in = {.id = "plan/KZ-11/2026",
                        .versions = three,
                        .nversions = 3,
                        .history_json = HISTORY,
                        .signing_key = KEY,
                        .allowed_signers = SIGNERS};
    return in;
}

static int setup_clock(void **state)
{
    (void)state;
    return setenv("KENES_NOW", NOW_RFC3339, 1);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* ---- tests ---- */

static void test_three_versions(void **state)
{
    (void)state;
    dossier_input in = three_input();
    built b;
    build_ok(&b, &in);
    check_with_tools(&b);
    zip_t *za = open_zip(&b);

    const char *const want[] = {
        "README.md",
        "history.json",
        "signing-key.pub",
        "allowed_signers",
        "versions/001-" C1 ".md",
        "versions/002-" C2 ".md",
        "versions/003-" C3 ".md",
        "diffs/001-002.diff",
        "diffs/002-003.diff",
    };
    check_entries(za, want, LEN(want));
    for (size_t i = 0; i < 3; i++)
        check_entry_bytes(za, want[4 + i], three[i].text, three[i].len);
    check_entry_bytes(za, "signing-key.pub", KEY "\n", strlen(KEY) + 1);
    check_entry_bytes(za, "allowed_signers", SIGNERS "\n", strlen(SIGNERS) + 1);

    /* The diffs: git's unified form for <id>.md, the changed lines with - and +. */
    char *d = read_entry(za, "diffs/001-002.diff", NULL);
    assert_non_null(strstr(d, "diff --git a/plan/KZ-11/2026.md b/plan/KZ-11/2026.md\n"));
    assert_non_null(strstr(d, "--- a/plan/KZ-11/2026.md\n+++ b/plan/KZ-11/2026.md\n"));
    assert_non_null(strstr(d, "\n-Защита прав детей.\n"));
    assert_non_null(strstr(d, "\n+Защита прав и интересов детей.\n"));
    assert_null(strstr(d, "stage: ministry-review"));
    free(d);
    d = read_entry(za, "diffs/002-003.diff", NULL);
    assert_non_null(strstr(d, "\n-stage: draft\n"));
    assert_non_null(strstr(d, "\n+stage: ministry-review\n"));
    assert_null(strstr(d, "интересов детей.\n+"));
    free(d);

    /* history.json: the same JSON, pretty, UTF-8 left as it is. */
    char *h = read_entry(za, "history.json", NULL);
    json_error_t err;
    json_t *got = json_loads(h, 0, &err), *orig = json_loads(HISTORY, 0, &err);
    assert_non_null(got);
    assert_true(json_equal(got, orig));
    assert_int_equal(json_array_size(json_object_get(got, "versions")), 3);
    assert_non_null(strstr(h, "\n  \"versions\": [\n"));
    assert_non_null(strstr(h, "\"comment\": \"Прошу рассмотреть\""));
    assert_int_equal(h[strlen(h) - 1], '\n');
    json_decref(got);
    json_decref(orig);
    free(h);

    /* The README gives the commands for this document, in English and Russian. */
    char *r = read_entry(za, "README.md", NULL);
    assert_non_null(strstr(r, "# Dossier of plan/KZ-11/2026\n"));
    assert_non_null(strstr(r, "git show " C1 ":plan/KZ-11/2026.md | cmp - "
                              "\"$DOSSIER/versions/001-" C1 ".md\""));
    assert_non_null(strstr(r, "-c gpg.ssh.allowedSignersFile=\"$DOSSIER/allowed_signers\""));
    assert_non_null(strstr(r, "git -c gpg.format=ssh"));
    assert_non_null(strstr(r, "verify-commit " C1));
    assert_non_null(strstr(r, "sealed"));
    assert_non_null(strstr(r, NOW_RFC3339));
    assert_non_null(strstr(r, "## По-русски"));
    assert_non_null(strstr(r, "побайтно совпадает"));
    assert_non_null(strstr(r, "signing-key.pub"));
    free(r);

    zip_close(za);
    built_dispose(&b);
}

static void test_single_version_has_no_diffs(void **state)
{
    (void)state;
    dossier_input in = three_input();
    in.nversions = 1;
    built b;
    build_ok(&b, &in);
    check_with_tools(&b);
    zip_t *za = open_zip(&b);
    const char *const want[] = {"README.md", "history.json", "signing-key.pub", "allowed_signers",
                                "versions/001-" C1 ".md"};
    check_entries(za, want, LEN(want));
    check_entry_bytes(za, want[4], V1, sizeof(V1) - 1);
    char *r = read_entry(za, "README.md", NULL);
    assert_null(strstr(r, "diffs/"));
    free(r);
    zip_close(za);
    built_dispose(&b);
}

static void test_no_key_leaves_key_files_out(void **state)
{
    (void)state;
    dossier_input in = three_input();
    in.nversions = 2;
    in.signing_key = NULL;
    in.allowed_signers = NULL;
    built b;
    build_ok(&b, &in);
    check_with_tools(&b);
    zip_t *za = open_zip(&b);
    const char *const want[] = {"README.md", "history.json", "versions/001-" C1 ".md",
                                "versions/002-" C2 ".md", "diffs/001-002.diff"};
    check_entries(za, want, LEN(want));
    assert_int_equal(zip_name_locate(za, "signing-key.pub", 0), -1);
    char *r = read_entry(za, "README.md", NULL);
    assert_null(strstr(r, "signing-key.pub"));
    assert_null(strstr(r, "allowedSignersFile=\"$DOSSIER"));
    assert_non_null(strstr(r, "no signing key"));
    free(r);
    zip_close(za);
    built_dispose(&b);

    /* The key alone: its file, and no allowed_signers. */
    in.signing_key = KEY "\n";
    build_ok(&b, &in);
    za = open_zip(&b);
    const char *const want2[] = {"README.md", "history.json", "signing-key.pub",
                                 "versions/001-" C1 ".md", "versions/002-" C2 ".md",
                                 "diffs/001-002.diff"};
    check_entries(za, want2, LEN(want2));
    check_entry_bytes(za, "signing-key.pub", KEY "\n", strlen(KEY) + 1); /* no second newline */
    zip_close(za);
    built_dispose(&b);
}

/* A commit that left the file as it was (a counted approval) still has its diff: empty. */
static void test_unchanged_version_has_empty_diff(void **state)
{
    (void)state;
    const dossier_version same[] = {{C1, V1, sizeof(V1) - 1}, {C2, V1, sizeof(V1) - 1}};
    dossier_input in = three_input();
    in.versions = same;
    in.nversions = 2;
    built b;
    build_ok(&b, &in);
    check_with_tools(&b);
    zip_t *za = open_zip(&b);
    zip_stat_t st;
    assert_int_equal(zip_stat(za, "diffs/001-002.diff", 0, &st), 0);
    assert_int_equal(st.size, 0);
    check_entry_bytes(za, "versions/002-" C2 ".md", V1, sizeof(V1) - 1);
    zip_close(za);
    built_dispose(&b);
}

/* 999 versions keep three digits; 1000 need four, in versions/ and diffs/ alike. */
static void test_width_grows_past_999(void **state)
{
    (void)state;
    size_t counts[] = {999, 1000};
    for (size_t k = 0; k < 2; k++) {
        size_t n = counts[k];
        dossier_version *v = calloc(n, sizeof(*v));
        char(*commits)[41] = calloc(n, sizeof(*commits));
        char(*texts)[32] = calloc(n, sizeof(*texts));
        for (size_t i = 0; i < n; i++) {
            snprintf(commits[i], 41, "%040zx", i + 1);
            snprintf(texts[i], 32, "version %zu\n", i + 1);
            v[i] = (dossier_version){commits[i], texts[i], strlen(texts[i])};
        }
        dossier_input in = {.id = "roster/KZ-19/2026-02",
                            .versions = v,
                            .nversions = n,
                            .history_json = "{\"versions\":[]}"};
        built b;
        build_ok(&b, &in);
        check_with_tools(&b);
        zip_t *za = open_zip(&b);
        assert_int_equal(zip_get_num_entries(za, 0), (zip_int64_t)(2 + n + n - 1));
        char name[128];
        if (n == 999) {
            assert_string_equal(zip_get_name(za, 2, 0), "versions/001-" "0000000000000000000000000000000000000001.md");
            snprintf(name, sizeof(name), "versions/999-%s.md", commits[998]);
            assert_string_equal(zip_get_name(za, 2 + 998, 0), name);
            assert_string_equal(zip_get_name(za, 2 + n + n - 2, 0), "diffs/998-999.diff");
        } else {
            assert_string_equal(zip_get_name(za, 2, 0), "versions/0001-" "0000000000000000000000000000000000000001.md");
            snprintf(name, sizeof(name), "versions/1000-%s.md", commits[999]);
            assert_string_equal(zip_get_name(za, 2 + 999, 0), name);
            assert_string_equal(zip_get_name(za, 2 + n, 0), "diffs/0001-0002.diff");
            assert_string_equal(zip_get_name(za, 2 + n + n - 2, 0), "diffs/0999-1000.diff");
        }
        snprintf(name, sizeof(name), "versions/%0*zu-%s.md", n == 999 ? 3 : 4, n, commits[n - 1]);
        check_entry_bytes(za, name, texts[n - 1], strlen(texts[n - 1]));
        zip_close(za);
        built_dispose(&b);
        free(texts);
        free(commits);
        free(v);
    }
}

/* With the clock fixed, the same input makes the same bytes. */
static void test_same_input_same_bytes(void **state)
{
    (void)state;
    dossier_input in = three_input();
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    assert_int_equal(dossier_build(&a, &alen, &in), 0);
    assert_int_equal(dossier_build(&b, &blen, &in), 0);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    free(a);
    free(b);
}

static void expect_einval(const dossier_input *in)
{
    char *zip = (char *)1;
    size_t len = 7;
    assert_int_equal(dossier_build(&zip, &len, in), KENES_EINVAL);
    assert_null(zip);
    assert_int_equal(len, 0);
}

static void test_bad_input(void **state)
{
    (void)state;
    dossier_input in = three_input();
    char *zip = NULL;
    size_t len = 0;
    assert_int_equal(dossier_build(NULL, &len, &in), KENES_EINVAL);
    assert_int_equal(dossier_build(&zip, NULL, &in), KENES_EINVAL);
    expect_einval(NULL);

    const char *bad_ids[] = {"../etc/passwd", "/plan/KZ-11/2026", "plan//KZ-11", "plan/KZ-11/",
                             "plan", "plan/../KZ-11", "plan/./KZ", "plan/KZ 11",
                             "plan/KZ-11\n# forged", "plan/KZ-11\"x", "", "план/KZ-11"};
    for (size_t i = 0; i < LEN(bad_ids); i++) {
        in = three_input();
        in.id = bad_ids[i];
        expect_einval(&in);
    }
    in = three_input();
    in.id = NULL;
    expect_einval(&in);

    const char *bad_commits[] = {
        "111111111111111111111111111111111111111",   /* 39 */
        "11111111111111111111111111111111111111111", /* 41 */
        "../../../../../../../../../../../../etc/x", /* 40, not hex */
        "111111111111111111111111111111111111111g",
        "11111111111111111111111111111111111/1111",
        NULL,
    };
    for (size_t i = 0; i < LEN(bad_commits); i++) {
        dossier_version v[3] = {three[0], three[1], three[2]};
        v[2].commit = bad_commits[i];
        in = three_input();
        in.versions = v;
        expect_einval(&in);
    }

    in = three_input();
    in.nversions = 0;
    expect_einval(&in);
    in = three_input();
    in.versions = NULL;
    expect_einval(&in);
    dossier_version nulltext[1] = {{C1, NULL, 5}};
    in = three_input();
    in.versions = nulltext;
    in.nversions = 1;
    expect_einval(&in);

    const char *bad_json[] = {"", "{", "\"just a string\"", "{\"a\":1,\"a\":2}", "{} trailing"};
    for (size_t i = 0; i < LEN(bad_json); i++) {
        in = three_input();
        in.history_json = bad_json[i];
        expect_einval(&in);
    }
    in = three_input();
    in.history_json = NULL;
    expect_einval(&in);

    in = three_input();
    in.signing_key = "";
    expect_einval(&in);
    in = three_input();
    in.allowed_signers = "kenes \xff\xfe";
    expect_einval(&in);

    /* An empty version is a version: allowed, with a NULL text. */
    dossier_version empty[1] = {{C1, NULL, 0}};
    in = three_input();
    in.versions = empty;
    in.nversions = 1;
    built b;
    build_ok(&b, &in);
    check_with_tools(&b);
    zip_t *za = open_zip(&b);
    zip_stat_t st;
    assert_int_equal(zip_stat(za, "versions/001-" C1 ".md", 0, &st), 0);
    assert_int_equal(st.size, 0);
    zip_close(za);
    built_dispose(&b);
}

/*
 * What the README tells a reader to do works: a real repository with SSH-signed
 * commits (git, ssh-keygen), the dossier of its versions unzipped, and the
 * README's own commands run in a clone.  Then each check is shown to bite:
 * an altered version file fails cmp, another key fails verify-commit.
 */
static void test_readme_commands_work_with_git(void **state)
{
    (void)state;
    char dir[] = "/tmp/kenes-dossier-git-XXXXXX";
    assert_non_null(mkdtemp(dir));
    track(dir);
    setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    assert_int_equal(sh("cd %s && ssh-keygen -q -t ed25519 -N '' -C kenes -f key && "
                        "ssh-keygen -q -t ed25519 -N '' -C other -f other && "
                        "git init -q -b main repo && cd repo && git config user.name kenes && "
                        "git config user.email kenes@localhost && git config gpg.format ssh && "
                        "git config user.signingkey %s/key.pub && git config commit.gpgsign true && "
                        "mkdir -p plan/KZ-11",
                        dir, dir),
                     0);
    /* Three edits, then an approval that leaves the file as it was. */
    const char *texts[] = {V1, V2, V3, V3};
    char path[256];
    snprintf(path, sizeof(path), "%s/repo/plan/KZ-11/2026.md", dir);
    for (int i = 0; i < 4; i++) {
        write_text(path, texts[i]);
        assert_int_equal(sh("cd %s/repo && git add -A && git commit -q --allow-empty -m v%d", dir, i),
                         0);
    }
    assert_int_equal(sh("cd %s/repo && git rev-list --reverse main > ../commits", dir), 0);
    char commits[4][41], line[128];
    snprintf(path, sizeof(path), "%s/commits", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    for (int i = 0; i < 4; i++) {
        assert_non_null(fgets(line, sizeof(line), f));
        assert_int_equal(strlen(line), 41);
        memcpy(commits[i], line, 40);
        commits[i][40] = '\0';
    }
    fclose(f);
    char key[256], signers[512];
    snprintf(path, sizeof(path), "%s/key.pub", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(key, sizeof(key), f));
    fclose(f);
    key[strcspn(key, "\n")] = '\0';
    snprintf(signers, sizeof(signers), "kenes@localhost namespaces=\"git\" %s", key);

    dossier_version v[4];
    for (int i = 0; i < 4; i++)
        v[i] = (dossier_version){commits[i], texts[i], strlen(texts[i])};
    dossier_input in = {.id = "plan/KZ-11/2026",
                        .versions = v,
                        .nversions = 4,
                        .history_json = HISTORY,
                        .signing_key = key,
                        .allowed_signers = signers};
    built b;
    build_ok(&b, &in);
    assert_int_equal(sh("mkdir %s/dossier && cd %s/dossier && unzip -q '%s' && "
                        "git clone -q ../repo ../clone",
                        dir, dir, b.path),
                     0);

    /* The README's commands, as the README spells them. */
    zip_t *za = open_zip(&b);
    char *r = read_entry(za, "README.md", NULL);
    const char *loop = "for f in \"$DOSSIER\"/versions/*.md; do\n"
                       "  c=$(basename \"$f\" .md); c=${c#*-}\n"
                       "  git show \"$c:plan/KZ-11/2026.md\" | cmp - \"$f\" && echo \"same: $c\"\n"
                       "done\n";
    const char *verify = "git -c gpg.format=ssh \\\n"
                         "    -c gpg.ssh.allowedSignersFile=\"$DOSSIER/allowed_signers\" \\\n"
                         "    verify-commit ";
    char indented[512];
    /* In the README they sit in an indented block: compare line by line. */
    for (const char *text = loop; text; text = text == loop ? verify : NULL) {
        const char *p = text;
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            snprintf(indented, sizeof(indented), "       %.*s", (int)len, p);
            assert_non_null(strstr(r, indented));
            p += len + (nl != NULL);
        }
    }
    assert_non_null(strstr(r, "DOSSIER=\"$PWD\""));
    free(r);
    zip_close(za);

    const char *run = "cd %s/dossier && DOSSIER=\"$PWD\" && cd ../clone && (\n%s) > ../same 2>&1 && "
                      "test $(grep -c '^same: ' ../same) -eq 4";
    assert_int_equal(sh(run, dir, loop), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(sh("cd %s/dossier && DOSSIER=\"$PWD\" && cd ../clone && %s%s 2>/dev/null",
                            dir, verify, commits[i]),
                         0);

    /* An altered version no longer matches; a key that did not sign fails. */
    assert_int_equal(sh("cd %s/dossier && printf x >> versions/003-%s.md", dir, commits[2]), 0);
    assert_true(sh(run, dir, loop) != 0);
    assert_int_equal(sh("cd %s/dossier && printf 'kenes@localhost namespaces=\"git\" %%s\\n' "
                        "\"$(cat ../other.pub)\" > allowed_signers",
                        dir),
                     0);
    assert_true(sh("cd %s/dossier && DOSSIER=\"$PWD\" && cd ../clone && %s%s 2>/dev/null", dir,
                   verify, commits[0]) != 0);

    built_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_three_versions, remove_tracked),
        cmocka_unit_test_teardown(test_single_version_has_no_diffs, remove_tracked),
        cmocka_unit_test_teardown(test_no_key_leaves_key_files_out, remove_tracked),
        cmocka_unit_test_teardown(test_unchanged_version_has_empty_diff, remove_tracked),
        cmocka_unit_test_teardown(test_width_grows_past_999, remove_tracked),
        cmocka_unit_test_teardown(test_same_input_same_bytes, remove_tracked),
        cmocka_unit_test_teardown(test_bad_input, remove_tracked),
        cmocka_unit_test_teardown(test_readme_commands_work_with_git, remove_tracked),
    };
    return cmocka_run_group_tests(tests, setup_clock, NULL);
}
