/*
 * The journal's scanner (journal_scan.c): every line journal_entry writes
 * is read back to the values it was written from, and to the values
 * jansson reads from it; a line it does not know (another key order,
 * spacing, an administrator's line, a \u escape) is left untouched for
 * jansson; a damaged line is not recognised, and jansson refuses it as
 * before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "kenes/plugin.h"
#include "base/util.h"
#include "storage/index.h"
#include "storage/journal.h"

#define OID "0123456789abcdef0123456789abcdef01234567"

/* The line kenes writes for (document, v), as store_write.c does. */
static char *line_of(const char *document, const idx_version *v)
{
    char *entry = journal_entry(document, v);
    assert_non_null(entry);
    size_t n = strlen(entry) + 64;
    char *line = malloc(n);
    assert_non_null(line);
    snprintf(line, n, "{\"commit\":\"%s\",%s", OID, entry + 1);
    free(entry);
    return line;
}

static void same_str(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
}

/* What jansson reads from the line: the general path's values. */
static void same_as_jansson(const char *original, const char *commit, const char *document,
                            const idx_version *v)
{
    json_t *j = NULL;
    assert_int_equal(util_json_parse(&j, original, strlen(original)), 0);
    same_str(commit, json_string_value(json_object_get(j, "commit")));
    same_str(document, json_string_value(json_object_get(j, "document")));
    assert_int_equal(v->time_ms, json_integer_value(json_object_get(j, "time")));
    same_str(v->author, json_string_value(json_object_get(j, "author")));
    same_str(v->role, json_string_value(json_object_get(j, "role")));
    same_str(v->action, json_string_value(json_object_get(j, "action")));
    same_str(v->from, json_string_value(json_object_get(j, "from")));
    same_str(v->to, json_string_value(json_object_get(j, "to")));
    same_str(v->comment, json_string_value(json_object_get(j, "comment")));
    same_str(v->approval, json_string_value(json_object_get(j, "approval")));
    same_str(v->note, json_string_value(json_object_get(j, "note")));
    json_decref(j);
}

/* Scan a copy of line: 1 if recognised (then checked against jansson),
 * 0 if not (then the copy must be untouched). */
static int scan(const char *line, const char **commit, const char **document, idx_version *v,
                char **copy)
{
    *copy = strdup(line);
    assert_non_null(*copy);
    int got = journal_scan(*copy, strlen(line), commit, document, v);
    if (got)
        same_as_jansson(line, *commit, *document, v);
    else
        assert_string_equal(*copy, line);
    return got;
}

static const idx_version versions[] = {
    {.time_ms = 1770458400000LL, .author = "off11", .role = "regional-official",
     .action = "create", .to = "draft"},
    {.time_ms = 1770458400123LL, .author = "rev1", .role = "ministry-reviewer", .action = "return",
     .from = "ministry-review", .to = "draft", .comment = "Нужно уточнить \"меры\" / сроки",
     .approval = "1/2"},
    {.time_ms = 0, .author = "a\\b", .action = "edit", .from = "x", .to = "y",
     .comment = "line one\nline two\ttab\rcr\bbs\fff", .note = "bm90ZQ=="},
    {.time_ms = -5, .author = "Әсел Қайратқызы", .role = "commission-secretary",
     .action = "agree", .from = "review", .to = "agreed", .comment = "Келісілді 🙂 — 100%"},
    {.time_ms = 999999999999999999LL, .author = "x", .action = "y", .to = "z"},
};

static void every_line_kenes_writes_round_trips(void **state)
{
    (void)state;
    const char *docs[] = {"plan/KZ-11/2026", "case/KZ-11/0f0e-ж", "roster/KZ-15/2026"};
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        for (size_t k = 0; k < sizeof(docs) / sizeof(docs[0]); k++) {
            const idx_version *want = &versions[i];
            char *line = line_of(docs[k], want), *copy;
            const char *commit, *document;
            idx_version v;
            if (!scan(line, &commit, &document, &v, &copy))
                fail_msg("not recognised: %s", line);
            assert_string_equal(commit, OID);
            assert_string_equal(document, docs[k]);
            assert_int_equal(v.time_ms, want->time_ms);
            same_str(v.author, want->author);
            same_str(v.role, want->role);
            same_str(v.action, want->action);
            same_str(v.from, want->from);
            same_str(v.to, want->to);
            same_str(v.comment, want->comment);
            same_str(v.approval, want->approval);
            same_str(v.note, want->note);
            free(copy);
            free(line);
        }
    }
}

/* jansson writes a control character other than \b\f\n\r\t as \u00XX: the
 * scanner leaves such a line to jansson, which reads it. */
static void a_u_escape_goes_to_jansson(void **state)
{
    (void)state;
    idx_version want = {.time_ms = 1, .author = "a", .action = "b", .to = "c",
                        .comment = "bell \a and \x1f"};
    char *line = line_of("plan/KZ-11/2026", &want), *copy;
    assert_non_null(strstr(line, "\\u0007"));
    const char *commit, *document;
    idx_version v;
    assert_int_equal(scan(line, &commit, &document, &v, &copy), 0);
    free(copy);
    free(line);
}

static void unknown_lines_are_left_to_jansson(void **state)
{
    (void)state;
    const char *lines[] = {
        /* an administrator's decision and a foreign commit */
        "{\"commit\":\"" OID "\",\"admin\":\"accept\"}",
        "{\"commit\":\"" OID "\",\"foreign\":true}",
        /* spacing, another order, a key more, a key absent instead of null */
        "{\"commit\": \"" OID "\",\"time\":1,\"author\":\"a\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}",
        "{\"commit\":\"" OID "\",\"author\":\"a\",\"time\":1,\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}",
        "{\"commit\":\"" OID "\",\"time\":1,\"author\":\"a\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null,\"extra\":1}",
        "{\"commit\":\"" OID "\",\"time\":1,\"author\":\"a\",\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}",
        /* a commit in capitals, numbers jansson reads otherwise or not at all */
        "{\"commit\":\"0123456789ABCDEF0123456789abcdef01234567\",\"time\":1,\"author\":\"a\","
        "\"role\":null,\"action\":\"b\",\"document\":\"d\",\"from\":null,\"to\":\"c\","
        "\"comment\":null,\"approval\":null,\"note\":null}",
        "{\"commit\":\"" OID "\",\"time\":1.5,\"author\":\"a\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}",
        "{\"commit\":\"" OID "\",\"time\":1234567890123456789,\"author\":\"a\",\"role\":null,"
        "\"action\":\"b\",\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,"
        "\"approval\":null,\"note\":null}",
        /* a non-string where a string goes */
        "{\"commit\":\"" OID "\",\"time\":1,\"author\":\"a\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":7,\"approval\":null,"
        "\"note\":null}",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        const char *commit, *document;
        idx_version v;
        char *copy;
        if (scan(lines[i], &commit, &document, &v, &copy))
            fail_msg("recognised: %s", lines[i]);
        free(copy);
        /* Still JSON: jansson reads them (read_journal judges them). */
        json_t *j = NULL;
        assert_int_equal(util_json_parse(&j, lines[i], strlen(lines[i])), 0);
        json_decref(j);
    }
}

/* Damaged lines: not recognised, and jansson refuses them, so the load
 * says "not a journal line" (or, for the last, recovers it) as before. */
static void damaged_lines_are_refused(void **state)
{
    (void)state;
    char *good = line_of("plan/KZ-11/2026", &versions[1]);
    size_t n = strlen(good);
    char *bad = malloc(n + 8);
    assert_non_null(bad);
    const char *commit, *document;
    idx_version v;
    /* Cut short anywhere. */
    for (size_t cut = 0; cut < n; cut++) {
        memcpy(bad, good, cut);
        bad[cut] = '\0';
        char *copy;
        if (scan(bad, &commit, &document, &v, &copy))
            fail_msg("recognised a line cut at %zu", cut);
        free(copy);
        json_t *j = NULL;
        assert_int_equal(util_json_parse(&j, bad, cut), KENES_EINVAL);
    }
    /* One byte changed to what no JSON string or structure holds. */
    const char bytes[] = {'\x01', '\xff', '\xc0', '"', '\\'};
    size_t at[] = {n - 5, 20, 60, n / 2};
    for (size_t i = 0; i < sizeof(bytes); i++) {
        for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
            memcpy(bad, good, n + 1);
            bad[at[k]] = bytes[i];
            char *copy;
            json_t *j = NULL;
            int refused = util_json_parse(&j, bad, n) == KENES_EINVAL;
            json_decref(j);
            int got = scan(bad, &commit, &document, &v, &copy); /* checked against jansson */
            free(copy);
            if (refused && got)
                fail_msg("recognised what jansson refuses: %s", bad);
        }
    }
    /* Invalid UTF-8 inside a string, a raw newline in one, trailing bytes. */
    const char *worse[] = {
        "{\"commit\":\"" OID "\",\"time\":1,\"author\":\"\xd0\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}",
        "{\"commit\":\"" OID "\",\"time\":1,\"author\":\"\xed\xa0\x80\",\"role\":null,"
        "\"action\":\"b\",\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,"
        "\"approval\":null,\"note\":null}",
        "{\"commit\":\"" OID "\",\"time\":1,\"author\":\"a\nb\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}",
        "{\"commit\":\"" OID "\",\"time\":01,\"author\":\"a\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}",
        "{\"commit\":\"" OID "\",\"time\":1,\"author\":\"a\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}}",
        "{\"commit\":\"" OID "\",\"time\":1,\"author\":\"a\\x\",\"role\":null,\"action\":\"b\","
        "\"document\":\"d\",\"from\":null,\"to\":\"c\",\"comment\":null,\"approval\":null,"
        "\"note\":null}",
    };
    for (size_t i = 0; i < sizeof(worse) / sizeof(worse[0]); i++) {
        char *copy;
        if (scan(worse[i], &commit, &document, &v, &copy))
            fail_msg("recognised: %s", worse[i]);
        free(copy);
        json_t *j = NULL;
        assert_int_equal(util_json_parse(&j, worse[i], strlen(worse[i])), KENES_EINVAL);
    }
    free(bad);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_line_kenes_writes_round_trips),
        cmocka_unit_test(a_u_escape_goes_to_jansson),
        cmocka_unit_test(unknown_lines_are_left_to_jansson),
        cmocka_unit_test(damaged_lines_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
