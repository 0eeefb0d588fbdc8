#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kenes/plugin.h"
#include "ui/tmpl.h"

/* text rendered against the JSON ctx; the output, to free(), or NULL
 * with *rc set when the render failed. */
static char *render_rc(const char *text, const char *ctx, int *rc)
{
    tmpl *t;
    char err[200];
    int prc = tmpl_new(&t, text, strlen(text), err, sizeof(err));
    if (prc != 0)
        fail_msg("tmpl_new(%s): %d %s", text, prc, err);
    json_error_t jerr;
    json_t *v = ctx ? json_loads(ctx, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr) : NULL;
    if (ctx && !v)
        fail_msg("bad test JSON %s: %s", ctx, jerr.text);
    util_buf b;
    util_buf_init(&b);
    *rc = tmpl_render(&b, t, v);
    json_decref(v);
    tmpl_free(t);
    if (*rc != 0) {
        assert_int_equal(b.len, 0);
        util_buf_dispose(&b);
        return NULL;
    }
    size_t len;
    char *s = util_buf_detach(&b, &len);
    return s ? s : strdup("");
}

static void expect(const char *text, const char *ctx, const char *want)
{
    int rc;
    char *got = render_rc(text, ctx, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, want);
    free(got);
}

/* tmpl_new refuses text with rc and an error that starts with where. */
static void refused(const char *text, int want_rc, const char *where)
{
    tmpl *t = (tmpl *)1;
    char err[200];
    int rc = tmpl_new(&t, text, strlen(text), err, sizeof(err));
    assert_int_equal(rc, want_rc);
    assert_null(t);
    if (strncmp(err, where, strlen(where)) != 0)
        fail_msg("%s: error \"%s\", wanted it at %s", text, err, where);
}

static void plain_text_and_values(void **state)
{
    (void)state;
    expect("", NULL, "");
    expect("<p>hello</p>", NULL, "<p>hello</p>");
    expect("a { b } }} c", NULL, "a { b } }} c");
    expect("<h1>{{title}}</h1>", "{\"title\":\"План\"}", "<h1>План</h1>");
    expect("{{ doc.title }}|{{doc.n}}", "{\"doc\":{\"title\":\"t\",\"n\":3}}", "t|3");
    expect("{{a.1}}", "{\"a\":[\"x\",\"y\"]}", "y");
    expect("{{.}}", "\"self\"", "self");
}

static void escapes_every_special_character(void **state)
{
    (void)state;
    const char *ctx = "{\"v\":\"a&b<c>d\\\"e'f\"}";
    expect("{{v}}", ctx, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    expect("<input value=\"{{v}}\">", ctx, "<input value=\"a&amp;b&lt;c&gt;d&quot;e&#39;f\">");
    expect("<a title='{{v}}'>", ctx, "<a title='a&amp;b&lt;c&gt;d&quot;e&#39;f'>");
    expect("{{v}}", "{\"v\":\"&amp;\"}", "&amp;amp;");
    expect("[{{v}}]", "{\"v\":\"a\\u0000b\"}", "[a\xEF\xBF\xBD" "b]");
}

static void hostile_values_never_come_out_raw(void **state)
{
    (void)state;
    const char *ctx = "{\"x\":\"<script>alert(1)</script>\",\"y\":\"\\\" onmouseover=alert(1) \\\"\","
                      "\"l\":[\"<img src=x onerror=1>\",{\"z\":\"'><svg onload=1>\"}]}";
    const char *text = "<p>{{x}}</p><div class=\"{{y}}\" data-a='{{y}}'>"
                       "{{#each l}}{{.}}{{z}}{{/each}}{{@root.x}}{{#if x}}{{x}}{{/if}}</div>";
    int rc;
    char *got = render_rc(text, ctx, &rc);
    assert_int_equal(rc, 0);
    assert_null(strstr(got, "<script"));
    assert_null(strstr(got, "<img"));
    assert_null(strstr(got, "<svg"));
    assert_null(strstr(got, "\" onmouseover"));
    assert_non_null(strstr(got, "&#39;&gt;&lt;svg onload=1&gt;"));
    /* The only quotes and angle brackets are the template's own. */
    size_t lt = 0, q = 0;
    for (const char *p = got; *p; p++) {
        lt += *p == '<';
        q += *p == '"' || *p == '\'';
    }
    assert_int_equal(lt, 4);
    assert_int_equal(q, 4);
    free(got);
}

static void numbers_and_other_values(void **state)
{
    (void)state;
    expect("{{i}} {{n}} {{r}} {{t}} {{f}} [{{z}}] [{{o}}] [{{a}}]",
           "{\"i\":42,\"n\":-7,\"r\":2.5,\"t\":true,\"f\":false,\"z\":null,\"o\":{\"k\":1},"
           "\"a\":[1]}",
           "42 -7 2.5 true false [] [] []");
    expect("{{big}}", "{\"big\":9007199254740993}", "9007199254740993");
}

static void missing_paths_render_empty(void **state)
{
    (void)state;
    expect("[{{nope}}|{{a.b.c}}|{{a.x}}|{{s.x}}|{{l.5}}|{{l.x}}]",
           "{\"a\":{\"b\":{}},\"s\":\"str\",\"l\":[1]}", "[|||||]");
    expect("[{{x}}]", NULL, "[]");
    expect("[{{#each nope}}x{{/each}}{{#if nope}}y{{else}}n{{/if}}]", "{}", "[n]");
}

static void each_and_index(void **state)
{
    (void)state;
    expect("<ul>{{#each items}}<li id=\"i{{@index}}\">{{name}}</li>{{/each}}</ul>",
           "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
           "<ul><li id=\"i0\">a</li><li id=\"i1\">b</li></ul>");
    expect("{{#each o}}{{@index}}={{.}};{{/each}}", "{\"o\":{\"k\":\"v\",\"m\":\"w\"}}",
           "0=v;1=w;");
    expect("{{#each s}}x{{/each}}", "{\"s\":\"not a list\"}", "");
    expect("{{#each e}}x{{/each}}", "{\"e\":[]}", "");
}

static void nested_each(void **state)
{
    (void)state;
    expect("{{#each rows}}[{{@index}}:{{#each cells}}{{@index}}{{.}} {{/each}}]{{/each}}",
           "{\"rows\":[{\"cells\":[\"a\",\"b\"]},{\"cells\":[]},{\"cells\":[\"c\"]}]}",
           "[0:0a 1b ][1:][2:0c ]");
    expect("{{#each l}}{{@root.t}}{{.}}{{/each}}", "{\"t\":\"-\",\"l\":[1,2]}", "-1-2");
}

static void if_else_and_truthiness(void **state)
{
    (void)state;
    const char *text = "{{#if v}}y{{else}}n{{/if}}";
    const char *yes[] = {"{\"v\":\"s\"}", "{\"v\":[0]}", "{\"v\":{\"a\":0}}", "{\"v\":true}",
                         "{\"v\":1}",     "{\"v\":-1}",  "{\"v\":0.5}"};
    const char *no[] = {"{\"v\":\"\"}", "{\"v\":[]}", "{\"v\":{}}", "{\"v\":false}",
                        "{\"v\":0}",    "{\"v\":0.0}", "{\"v\":null}", "{}"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        expect(text, yes[i], "y");
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        expect(text, no[i], "n");
    expect("{{#if a}}A{{#if b}}B{{else}}b{{/if}}{{/if}}", "{\"a\":1}", "Ab");
    expect("{{#if a}}A{{/if}}.", "{}", ".");
    expect("{{! a comment }}x{{!}}", NULL, "x");
    expect("{{#each l}}{{#if .}}{{@index}}{{else}}-{{@index}}{{/if}}{{/each}}",
           "{\"l\":[1,0,2]}", "0-12");
}

static void parse_errors_say_where(void **state)
{
    (void)state;
    refused("ab{{#if x}}c", KENES_EINVAL, "1:3: unclosed {{#if}}");
    refused("\n\n  {{#each l}}{{#if x}}{{/if}}", KENES_EINVAL, "3:3: unclosed {{#each}}");
    refused("{{#if x}}{{else}}", KENES_EINVAL, "1:1: unclosed {{#if}}");
    refused("x\n{{/if}}", KENES_EINVAL, "2:1: stray {{/if}}");
    refused("{{#if x}}\n {{/each}}", KENES_EINVAL, "2:2: {{/each}} where {{#if}} from 1:1");
    refused("{{#each x}}{{else}}{{/each}}", KENES_EINVAL, "1:12: stray {{else}}");
    refused("{{#if x}}{{else}}{{else}}{{/if}}", KENES_EINVAL, "1:18: stray {{else}}");
    refused("{{else}}", KENES_EINVAL, "1:1: stray {{else}}");
    refused("a {{#with x}}{{/with}}", KENES_EINVAL, "1:3: unknown block {{#with}}");
    refused("{{> partial}}", KENES_EINVAL, "1:1: unknown directive");
    refused("{{{raw}}}", KENES_EINVAL, "1:1: unknown directive");
    refused("{{&raw}}", KENES_EINVAL, "1:1: unknown directive");
    refused("\t{{@key}}", KENES_EINVAL, "1:2: unknown directive");
    refused("{{@index}}", KENES_EINVAL, "1:1: {{@index}} outside {{#each}}");
    refused("x {{name", KENES_EINVAL, "1:3: unclosed {{");
    refused("{{}}", KENES_EINVAL, "1:1: empty tag");
    refused("{{ a b }}", KENES_EINVAL, "1:1: bad path");
    refused("{{a..b}}", KENES_EINVAL, "1:1: bad path");
    refused("{{.a}}", KENES_EINVAL, "1:1: bad path");
    refused("{{a.}}", KENES_EINVAL, "1:1: bad path");
    refused("{{<b>}}", KENES_EINVAL, "1:1: bad path");
    refused("{{#if}}{{/if}}", KENES_EINVAL, "1:1: {{#if}} names no path");
    refused("{{@root.}}", KENES_EINVAL, "1:1: a path may not end");
    /* A NULL error buffer is fine. */
    tmpl *t;
    assert_int_equal(tmpl_new(&t, "{{/if}}", 7, NULL, 0), KENES_EINVAL);
    char tiny[4];
    assert_int_equal(tmpl_new(&t, "{{/if}}", 7, tiny, sizeof(tiny)), KENES_EINVAL);
    assert_string_equal(tiny, "1:1");
}

static void nesting_limit(void **state)
{
    (void)state;
    util_buf b;
    util_buf_init(&b);
    for (int i = 0; i < TMPL_MAX_DEPTH; i++)
        util_buf_puts(&b, "{{#if a}}");
    for (int i = 0; i < TMPL_MAX_DEPTH; i++)
        util_buf_puts(&b, "{{/if}}");
    tmpl *t;
    char err[200];
    assert_int_equal(tmpl_new(&t, b.data, b.len, err, sizeof(err)), 0);
    tmpl_free(t);
    b.len = 0;
    for (int i = 0; i <= TMPL_MAX_DEPTH; i++)
        util_buf_puts(&b, "{{#if a}}");
    assert_int_equal(tmpl_new(&t, b.data, b.len, err, sizeof(err)), KENES_ETOOBIG);
    char want[64];
    snprintf(want, sizeof(want), "1:%d: blocks nested deeper", 9 * TMPL_MAX_DEPTH + 1);
    assert_true(strncmp(err, want, strlen(want)) == 0);
    util_buf_dispose(&b);
}

static void size_limits(void **state)
{
    (void)state;
    size_t len = TMPL_MAX_TEXT + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'x', len);
    tmpl *t;
    char err[200];
    assert_int_equal(tmpl_new(&t, big, len, err, sizeof(err)), KENES_ETOOBIG);
    assert_int_equal(tmpl_new(&t, big, len - 1, err, sizeof(err)), 0);
    tmpl_free(t);
    free(big);

    /* Output: a 1 MiB string written 17 times is past 16 MiB. */
    json_t *ctx = json_object();
    char *s = malloc(1u << 20);
    assert_non_null(s);
    memset(s, 'y', 1u << 20);
    json_object_set_new(ctx, "s", json_stringn(s, 1u << 20));
    free(s);
    json_t *l = json_array();
    for (int i = 0; i < 17; i++)
        json_array_append_new(l, json_integer(i));
    json_object_set_new(ctx, "l", l);
    const char *text = "{{#each l}}{{@root.s}}{{/each}}";
    assert_int_equal(tmpl_new(&t, text, strlen(text), err, sizeof(err)), 0);
    util_buf b;
    util_buf_init(&b);
    util_buf_puts(&b, "kept");
    assert_int_equal(tmpl_render(&b, t, ctx), KENES_ETOOBIG);
    assert_string_equal(b.data, "kept"); /* cut back to what it held */
    json_array_remove(l, 16);
    assert_int_equal(tmpl_render(&b, t, ctx), 0);
    assert_int_equal(b.len, 4 + 16 * (1u << 20));
    util_buf_dispose(&b);
    tmpl_free(t);

    /* Work: nested loops that write nothing still stop. */
    json_t *wide = json_array();
    for (int i = 0; i < 1000; i++)
        json_array_append_new(wide, json_null());
    json_t *ctx2 = json_pack("{s:O}", "w", wide);
    json_decref(wide);
    const char *loops = "{{#each @root.w}}{{#each @root.w}}{{#each @root.w}}{{/each}}"
                        "{{/each}}{{/each}}";
    assert_int_equal(tmpl_new(&t, loops, strlen(loops), err, sizeof(err)), 0);
    util_buf_init(&b);
    assert_int_equal(tmpl_render(&b, t, ctx2), KENES_ETOOBIG);
    util_buf_dispose(&b);
    tmpl_free(t);

    /* Work: a long path looked up in a long loop stops too. */
    json_t *many = json_array();
    for (int i = 0; i < 20000; i++)
        json_array_append_new(many, json_object());
    json_object_set_new(ctx2, "m", many);
    util_buf_init(&b);
    util_buf_puts(&b, "{{#each m}}{{");
    for (int i = 0; i < 100000; i++)
        util_buf_puts(&b, "a");
    util_buf_puts(&b, "}}{{/each}}");
    assert_int_equal(tmpl_new(&t, b.data, b.len, err, sizeof(err)), 0);
    b.len = 0;
    assert_int_equal(tmpl_render(&b, t, ctx2), KENES_ETOOBIG);
    util_buf_dispose(&b);
    tmpl_free(t);
    json_decref(ctx2);
    json_decref(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_and_values),
        cmocka_unit_test(escapes_every_special_character),
        cmocka_unit_test(hostile_values_never_come_out_raw),
        cmocka_unit_test(numbers_and_other_values),
        cmocka_unit_test(missing_paths_render_empty),
        cmocka_unit_test(each_and_index),
        cmocka_unit_test(nested_each),
        cmocka_unit_test(if_else_and_truthiness),
        cmocka_unit_test(parse_errors_say_where),
        cmocka_unit_test(nesting_limit),
        cmocka_unit_test(size_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
