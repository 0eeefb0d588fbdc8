/* The document file format: exact round trips and clear refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "storage/docfile.h"
#include "kenes/plugin.h"

/* Serialise, parse back, and demand the same JSON.  Returns the text
 * (free it) so a test can also look at how it was written. */
static char *roundtrip(const json_t *doc)
{
    char *text = NULL;
    size_t len = 0;
    char err[256] = "";
    json_t *back = NULL;
    assert_int_equal(doc_serialize(&text, &len, doc), 0);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    int rc = doc_parse(&back, text, len, err, sizeof(err));
    if (rc != 0)
        fail_msg("parse failed: %s\n%s", err, text);
    if (!json_equal(doc, back)) {
        char *a = json_dumps(doc, JSON_ENCODE_ANY), *b = json_dumps(back, JSON_ENCODE_ANY);
        fail_msg("round trip differs\nin:   %s\nout:  %s\ntext:\n%s", a, b, text);
    }
    json_decref(back);
    return text;
}

static json_t *load(const char *js)
{
    json_error_t e;
    json_t *v = json_loads(js, JSON_ALLOW_NUL, &e);
    if (!v)
        fail_msg("bad JSON in test: %s", e.text);
    return v;
}

static void test_plan_roundtrip_cyrillic(void **state)
{
    (void)state;
    /* Built out of order: the file must still lead with id, type, region, title, stage. */
    json_t *doc = load("{\"fields\": {\"period\": 2026, \"priorities\": [\"Балалар\", \"Қамқор\"]},"
                       " \"stage\": \"draft\", \"title\": \"План Акмолинской области на 2026 год — "
                       "Ақмола облысы\", \"region\": \"KZ-11\", \"type\": \"regional-plan\","
                       " \"id\": \"plan/KZ-11/2026\", \"body\": \"# План\\n\\nТекст.\\n\"}");
    char *text = roundtrip(doc);
    const char *want = "---\n"
                       "id: plan/KZ-11/2026\n"
                       "type: regional-plan\n"
                       "region: KZ-11\n"
                       "title: План Акмолинской области на 2026 год — Ақмола облысы\n"
                       "stage: draft\n"
                       "fields:\n"
                       "  period: 2026\n"
                       "  priorities:\n"
                       "  - Балалар\n"
                       "  - Қамқор\n"
                       "---\n"
                       "# План\n\nТекст.\n";
    assert_string_equal(text, want);
    free(text);
    json_decref(doc);
}

static void test_numbers_vs_numeric_strings(void **state)
{
    (void)state;
    json_t *doc = load("{\"id\": \"x\", \"fields\": {\"period\": 2026, \"year\": \"2026\","
                       " \"ratio\": 0.5, \"whole\": 3.0, \"neg\": -7, \"big\": 9007199254740993,"
                       " \"tiny\": 1e-300, \"s_true\": \"true\", \"s_False\": \"False\","
                       " \"s_null\": \"null\", \"s_tilde\": \"~\", \"s_exp\": \"1e5\","
                       " \"s_hex\": \"0x1F\", \"s_oct\": \"0o17\", \"s_inf\": \".inf\","
                       " \"s_nan\": \".NaN\", \"s_plus\": \"+12\", \"s_dot\": \".5\","
                       " \"s_empty\": \"\", \"s_date\": \"2026-02-07\", \"s_yes\": \"yes\","
                       " \"s_space\": \" padded \", \"s_lead0\": \"007\"}, \"body\": \"\"}");
    char *text = roundtrip(doc);
    assert_non_null(strstr(text, "\n  period: 2026\n"));
    assert_non_null(strstr(text, "\n  year: \"2026\"\n"));
    assert_non_null(strstr(text, "\n  whole: 3.0\n"));
    assert_non_null(strstr(text, "\n  ratio: 0.5\n"));

    json_t *back;
    char err[128];
    assert_int_equal(doc_parse(&back, text, strlen(text), err, sizeof(err)), 0);
    const json_t *f = json_object_get(back, "fields");
    assert_true(json_is_integer(json_object_get(f, "period")));
    assert_true(json_is_string(json_object_get(f, "year")));
    assert_true(json_is_real(json_object_get(f, "whole")));
    assert_true(json_is_integer(json_object_get(f, "big")));
    assert_true(json_integer_value(json_object_get(f, "big")) == 9007199254740993LL);
    assert_true(json_is_string(json_object_get(f, "s_true")));
    assert_true(json_is_string(json_object_get(f, "s_empty")));
    json_decref(back);
    free(text);
    json_decref(doc);
}

static void test_nested_null_bool(void **state)
{
    (void)state;
    json_t *doc = load(
        "{\"id\": \"case/KZ-75/2026/0001\", \"type\": \"case-review\", \"region\": \"KZ-75\","
        " \"title\": null, \"stage\": \"registered\", \"fields\": {"
        "  \"child\": {\"pseudonym\": \"A-1\", \"school\": null},"
        "  \"grounds\": [\"неблагополучная семья\", \"пропуски\"],"
        "  \"meeting\": {\"date\": \"2026-02-07\", \"participants\": []},"
        "  \"measures\": [{\"what\": \"консультация\", \"who\": \"психолог\", \"due\": \"2026-03-01\"},"
        "               {\"what\": \"кружок\", \"who\": null, \"due\": null}],"
        "  \"follow_ups\": [{\"done\": true, \"outcome\": 1}, {\"done\": false}],"
        "  \"matrix\": [[1, [2, []]], {}, [{}]],"
        "  \"empty\": {}},"
        " \"extra_top\": {\"a\": [true, false, null]}, \"body\": \"text\"}");
    char *text = roundtrip(doc);
    assert_non_null(strstr(text, "title: null\n"));
    free(text);
    json_decref(doc);
}

static void test_body_edge_cases(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "",
        "---\n",
        "---",
        "# Title\n---\nid: not front matter\n---\n",
        "no final newline",
        "\n\nleading blank lines\n",
        "crlf\r\n---\r\nbody\r\n",
        "...\n--- \n----\n",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        json_t *doc = json_pack("{s:s, s:s, s:s}", "id", "a/b", "stage", "draft", "body",
                                bodies[i]);
        char *text = roundtrip(doc);
        /* The body is written verbatim after the closing line. */
        size_t tl = strlen(text), bl = strlen(bodies[i]);
        assert_true(tl >= bl + 4);
        assert_memory_equal(text + tl - bl - 4, "---\n", 4);
        assert_string_equal(text + tl - bl, bodies[i]);
        free(text);
        json_decref(doc);
    }
}

static void test_multiline_and_special_strings(void **state)
{
    (void)state;
    static const char *const strs[] = {
        "line1\nline2", "line1\nline2\n", "a\n\n", "a\n\n\n", "\na", "\n", "\n\n", " lead\nx",
        "x\n lead", "trail \nx", "x\ntrail ", "tab\there", "a\r\nb", "a\rb", "\xc2\x85nel",
        "ls\xe2\x80\xa8ps\xe2\x80\xa9", "---", "...", "--- x", "- item", "? q", ": c", "a: b",
        "a #b", "#c", "'single'", "\"double\"", "back\\slash", "@at", "`tick", "%pct", "&a",
        "*a", "!tag", "|", ">", "[x]", "{y: 1}", "x,y", "a:", "a:b", "Қазақстан\n---\nтекст",
        "  ", " ", "=", "<<", "\xef\xbb\xbf" "bom", "a\x01" "b", "\x7f",
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        json_t *doc = json_pack("{s:s, s:{s:s, s:[s]}, s:s}", "id", "x", "fields", "text",
                                strs[i], strs[i], strs[i], "body", "b");
        assert_non_null(doc);
        free(roundtrip(doc));
        json_decref(doc);
    }
    /* A NUL inside a value survives too. */
    json_t *doc = load("{\"id\": \"x\", \"v\": \"a\\u0000b\", \"body\": \"\"}");
    free(roundtrip(doc));
    json_decref(doc);
    /* Multi-line text is written as a readable literal block. */
    doc = load("{\"id\": \"x\", \"decision\": \"Первое.\\nВторое.\\n\", \"body\": \"\"}");
    char *text = roundtrip(doc);
    assert_non_null(strstr(text, "decision: |\n  Первое.\n  Второе.\n"));
    free(text);
    json_decref(doc);
}

/* Random strings over an alphabet of YAML's troublemakers: every one must
 * come back as itself, as a value and as a key. */
static void test_random_strings(void **state)
{
    (void)state;
    static const char *const frags[] = {"a", " ", "\n", "-", ":", "#", "'", "\"", "\\", "\t",
                                        "\r", "?", ",", "[", "{", "!", "&", "*", "1", "0x",
                                        ".", "e", "~", "null", "я", "Қ", "---", "...", "|"};
    uint32_t seed = 12345;
    for (int iter = 0; iter < 4000; iter++) {
        char buf[64] = "";
        size_t n = 0;
        int parts = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 7;
        for (int k = 0; k < parts; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *f = frags[(seed >> 16) % (sizeof(frags) / sizeof(frags[0]))];
            size_t fl = strlen(f);
            if (n + fl >= sizeof(buf))
                break;
            memcpy(buf + n, f, fl);
            n += fl;
            buf[n] = '\0';
        }
        json_t *doc = json_pack("{s:s, s:{s:s}, s:s}", "id", buf, "fields", buf, buf, "body",
                                buf);
        assert_non_null(doc);
        free(roundtrip(doc));
        json_decref(doc);
    }
}

static void test_reals_roundtrip(void **state)
{
    (void)state;
    static const double vals[] = {0.0, -0.0, 0.1, 1.0 / 3.0, 1e300, -2.5e-310, 123456789.125,
                                  1e16, 4.35, 100.0};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        json_t *doc = json_pack("{s:s, s:f, s:s}", "id", "x", "v", vals[i], "body", "");
        char *text = roundtrip(doc);
        json_t *back;
        char err[64];
        assert_int_equal(doc_parse(&back, text, strlen(text), err, sizeof(err)), 0);
        assert_true(json_is_real(json_object_get(back, "v")));
        assert_true(json_real_value(json_object_get(back, "v")) == vals[i]);
        json_decref(back);
        free(text);
        json_decref(doc);
    }
}

/* Files written by hand: plain scalars resolve per the YAML 1.2 core schema. */
static void test_parse_hand_written(void **state)
{
    (void)state;
    const char *text = "---\r\n"
                       "id: plan/KZ-11/2026\r\n"
                       "n: 12\r\n"
                       "neg: -3\r\n"
                       "f: 1.5\r\n"
                       "e: 2e3\r\n"
                       "o: 0o17\r\n"
                       "x: 0x1f\r\n"
                       "b: True\r\n"
                       "nul: ~\r\n"
                       "empty:\r\n"
                       "s: hello world\r\n"
                       "q: '12'\r\n"
                       "yes_word: yes\r\n"
                       "tagged: !!str 12\r\n"
                       "flow: [1, \"a\", {k: null}]\r\n"
                       "folded: >\r\n"
                       "  one\r\n"
                       "  two\r\n"
                       "---\r\n"
                       "body\r\n";
    json_t *d;
    char err[128] = "";
    assert_int_equal(doc_parse(&d, text, strlen(text), err, sizeof(err)), 0);
    json_t *want = load("{\"id\": \"plan/KZ-11/2026\", \"n\": 12, \"neg\": -3, \"f\": 1.5,"
                        " \"e\": 2000.0, \"o\": 15, \"x\": 31, \"b\": true, \"nul\": null,"
                        " \"empty\": null, \"s\": \"hello world\", \"q\": \"12\","
                        " \"yes_word\": \"yes\", \"tagged\": \"12\","
                        " \"flow\": [1, \"a\", {\"k\": null}], \"folded\": \"one two\\n\","
                        " \"body\": \"body\\r\\n\"}");
    if (!json_equal(d, want)) {
        char *s = json_dumps(d, 0);
        fail_msg("got %s", s);
    }
    json_decref(want);
    json_decref(d);
}

static void expect_invalid(const char *text, const char *want_in_err)
{
    json_t *d = (json_t *)0x1;
    char err[256] = "";
    int rc = doc_parse(&d, text, strlen(text), err, sizeof(err));
    if (rc != KENES_EINVAL)
        fail_msg("expected KENES_EINVAL for %s, got %d", text, rc);
    assert_null(d);
    if (!strstr(err, want_in_err))
        fail_msg("error for %s is \"%s\", wanted \"%s\" in it", text, err, want_in_err);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_invalid("", "no front matter");
    expect_invalid("# just markdown\n", "no front matter");
    expect_invalid(" ---\nid: x\n---\n", "no front matter");
    expect_invalid("--- {}\n---\n", "no front matter");
    expect_invalid("---\nid: x\ntitle: y\n", "unterminated");
    expect_invalid("---", "no front matter");
    expect_invalid("---\nid: x\n----\n", "unterminated");
    expect_invalid("---\n- a\n- b\n---\nbody", "must be a mapping");
    expect_invalid("---\njust a string\n---\n", "must be a mapping");
    expect_invalid("---\n---\nbody\n", "must be a mapping");
    expect_invalid("---\nid: [unclosed\n---\n", "line ");
    expect_invalid("---\nid: x\na: b: c\n---\n", "line 3");
    expect_invalid("---\nid: x\n\tbad: tab\n---\n", "line 3");
    expect_invalid("---\nid: \"unterminated\n---\n", "line ");
    expect_invalid("---\nid: x\nid: y\n---\n", "duplicate key \"id\"");
    expect_invalid("---\na: &x [1]\nb: *x\n---\n", "aliases");
    expect_invalid("---\nbody: x\n---\n", "body");
    expect_invalid("---\n[a]: 1\n---\n", "key must be a string");
    expect_invalid("---\nn: 99999999999999999999\n---\n", "out of range");
    expect_invalid("---\nn: .inf\n---\n", "not finite");
    expect_invalid("---\nn: 1e999\n---\n", "not finite");
    expect_invalid("---\nn: !!binary aGk=\n---\n", "unsupported tag");
    expect_invalid("---\nid: x\n--- {a: 1}\n---\n", "more than one");
    expect_invalid("---\nid: x\n...\nother: doc\n---\n", "line 4");
    expect_invalid("---\nid: x\n---\nbad utf8 \xff\n", "UTF-8");
    expect_invalid("---\nid: \xff\n---\n", "line ");

    /* Nesting without bound would exhaust the stack. */
    char deep[1024] = "---\nv: ";
    size_t n = strlen(deep);
    for (int i = 0; i < 200; i++)
        deep[n++] = '[';
    for (int i = 0; i < 200; i++)
        deep[n++] = ']';
    memcpy(deep + n, "\n---\n", 6);
    expect_invalid(deep, "nested too deeply");

    /* A tiny error buffer is not overrun, and a NULL one is allowed. */
    json_t *d;
    char small[8];
    memset(small, 'x', sizeof(small));
    assert_int_equal(doc_parse(&d, "nope", 4, small, 5), KENES_EINVAL);
    assert_int_equal(small[4], '\0');
    assert_int_equal(small[5], 'x');
    assert_int_equal(doc_parse(&d, "nope", 4, NULL, 0), KENES_EINVAL);
}

static void test_serialize_rejects(void **state)
{
    (void)state;
    char *text = (char *)0x1;
    size_t len = 7;
    json_t *arr = json_array();
    assert_int_equal(doc_serialize(&text, &len, arr), KENES_EINVAL);
    assert_null(text);
    assert_int_equal(len, 0);
    json_decref(arr);
    json_t *doc = json_pack("{s:s, s:i}", "id", "x", "body", 5);
    assert_int_equal(doc_serialize(&text, &len, doc), KENES_EINVAL);
    json_decref(doc);
    /* Nor is JSON nested without bound written out. */
    json_t *deep = json_array();
    for (int i = 0; i < 200; i++)
        deep = json_pack("[o]", deep);
    doc = json_pack("{s:s, s:o}", "id", "x", "v", deep);
    assert_int_equal(doc_serialize(&text, &len, doc), KENES_EINVAL);
    assert_null(text);
    json_decref(doc);
    /* No body at all is an empty body. */
    doc = json_pack("{s:s}", "id", "x");
    assert_int_equal(doc_serialize(&text, &len, doc), 0);
    assert_string_equal(text, "---\nid: x\n---\n");
    free(text);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_roundtrip_cyrillic),
        cmocka_unit_test(test_numbers_vs_numeric_strings),
        cmocka_unit_test(test_nested_null_bool),
        cmocka_unit_test(test_body_edge_cases),
        cmocka_unit_test(test_multiline_and_special_strings),
        cmocka_unit_test(test_random_strings),
        cmocka_unit_test(test_reals_roundtrip),
        cmocka_unit_test(test_parse_hand_written),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_serialize_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
