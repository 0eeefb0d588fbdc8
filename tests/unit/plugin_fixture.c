/* The plugin unit tests' fixture: see plugin_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/workflow.h"
#include "plugin/kapi.h"
#include "plugin/region.h"
#include "plugin_fixture.h"

plugin_set *plugins;
const kenes_api *api;
const kenes_doctype *fixture_type;
static int regions_loaded;

/* The shipped workflows behind api->label, for the report texts: every built
 * plugin is loaded (the workflows name their guards), then workflows/. */
static plugin_set *labels_plugins;
static wf_set *labels_workflows;

static const kenes_guard *labels_find_guard(const char *name, void *payload)
{
    return plugin_find_guard(payload, name);
}

static int labels_type_known(const char *type, void *payload)
{
    return plugin_find_type(payload, type) != NULL;
}

static int labels_setup(void)
{
    char err[512];
    if (plugin_set_new(&labels_plugins, kapi_get()) != 0 ||
        plugin_load_dir(labels_plugins, KENES_PLUGIN_BUILD_DIR, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    /* The national orders too: the roster's deadline names one, and
     * api->order_dates answers from them. */
    orders *ord = NULL;
    if (orders_load(&ord, KENES_SOURCE_DIR "/content/orders.yaml", err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    wf_resolver res = {labels_find_guard, labels_type_known, labels_plugins, ord};
    if (wf_set_load_dir(&labels_workflows, KENES_SOURCE_DIR "/workflows", &res, err,
                        sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        orders_free(ord);
        return -1;
    }
    wf_set_adopt_orders(labels_workflows, ord);
    kapi_set_labels(wf_set_label, labels_workflows);
    kapi_set_orders(orders_kapi, ord);
    return 0;
}

static void labels_teardown(void)
{
    wf_set_free(labels_workflows);
    plugin_set_free(labels_plugins);
    labels_workflows = NULL;
    labels_plugins = NULL;
}

int plugin_fixture_setup(const kenes_doctype **type, const char *so, const char *regions_path,
                         const char *type_name, ...)
{
    char err[512];
    if (regions_path) {
        if (region_load(regions_path, err, sizeof(err)) != 0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
        regions_loaded = 1;
    }
    api = kapi_get();
    if (labels_setup() != 0)
        return -1;
    if (plugin_set_new(&plugins, api) != 0 || plugin_load(plugins, so, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    int rc = 0;
    if (type_name) {
        fixture_type = plugin_find_type(plugins, type_name);
        rc = fixture_type ? 0 : -1;
    }
    if (type)
        *type = fixture_type;
    va_list ap;
    va_start(ap, type_name);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
        const kenes_guard **g = va_arg(ap, const kenes_guard **);
        *g = plugin_find_guard(plugins, name);
        if (!*g) {
            fprintf(stderr, "%s has no guard %s\n", so, name);
            rc = -1;
        }
    }
    va_end(ap);
    return rc;
}

void plugin_fixture_teardown(void)
{
    labels_teardown();
    plugin_set_free(plugins);
    plugins = NULL;
    fixture_type = NULL;
    if (regions_loaded)
        region_unload();
    regions_loaded = 0;
}

int plugin_fixture_teardown_group(void **state)
{
    (void)state;
    plugin_fixture_teardown();
    return 0;
}

/* ---- validation ----------------------------------------------------------- */

int validate(json_t *doc, kenes_errors *errs)
{
    kenes_doc d = {.json = doc};
    kapi_errors_init(errs);
    assert_non_null(fixture_type);
    int rc = fixture_type->validate(api, &d, errs);
    json_decref(doc);
    return rc;
}

int has_error(const kenes_errors *errs, const char *path)
{
    size_t i;
    json_t *e;
    json_array_foreach(errs->fields, i, e)
        if (strcmp(json_string_value(json_object_get(e, "path")), path) == 0)
            return 1;
    return 0;
}

void print_errors(const char *what, const kenes_errors *errs)
{
    char *s = errs->fields ? json_dumps(errs->fields, 0) : NULL;
    print_message("%s, got: %s\n", what, s ? s : "none");
    free(s);
}

void expect_only_error_mentioning(json_t *doc, const char *path, const char *word)
{
    kenes_errors errs;
    int rc = validate(doc, &errs);
    if (json_array_size(errs.fields) != 1 || !has_error(&errs, path))
        print_errors(path, &errs);
    assert_int_equal(rc, KENES_EVALIDATION);
    assert_int_equal(errs.count, 1);
    assert_int_equal(json_array_size(errs.fields), 1);
    assert_true(has_error(&errs, path));
    /* The message is for people: some text. */
    const char *msg = json_string_value(json_object_get(json_array_get(errs.fields, 0), "message"));
    assert_non_null(msg);
    assert_true(strlen(msg) > 0);
    if (word)
        assert_non_null(strstr(msg, word));
    kapi_errors_dispose(&errs);
}

void expect_only_error(json_t *doc, const char *path)
{
    expect_only_error_mentioning(doc, path, NULL);
}

void expect_only_code(json_t *doc, const char *path, const char *code)
{
    kenes_errors errs;
    int rc = validate(doc, &errs);
    if (json_array_size(errs.fields) != 1 || !has_error(&errs, path))
        print_errors(path, &errs);
    assert_int_equal(rc, KENES_EVALIDATION);
    assert_int_equal(json_array_size(errs.fields), 1);
    const json_t *e = json_array_get(errs.fields, 0);
    assert_string_equal(json_string_value(json_object_get(e, "path")), path);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    kapi_errors_dispose(&errs);
}

void expect_errors(json_t *doc, const char *path, ...)
{
    kenes_errors errs;
    assert_int_equal(validate(doc, &errs), KENES_EVALIDATION);
    size_t n = 0;
    va_list ap;
    va_start(ap, path);
    for (const char *p = path; p; p = va_arg(ap, const char *))
        n++;
    va_end(ap);
    if (json_array_size(errs.fields) != n)
        print_errors("expected an error at each path", &errs);
    assert_int_equal(json_array_size(errs.fields), n);
    va_start(ap, path);
    for (const char *p = path; p; p = va_arg(ap, const char *))
        assert_true(has_error(&errs, p));
    va_end(ap);
    kapi_errors_dispose(&errs);
}

void expect_valid(json_t *doc)
{
    kenes_errors errs;
    int rc = validate(doc, &errs);
    if (errs.fields)
        print_errors("expected no error", &errs);
    assert_int_equal(rc, 0);
    assert_int_equal(errs.count, 0);
    assert_null(errs.fields);
    kapi_errors_dispose(&errs);
}

json_t *repeat(const char *ch, size_t n)
{
    size_t k = strlen(ch);
    char *s = malloc(n * k + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * k, ch, k);
    s[n * k] = '\0';
    json_t *j = json_string(s);
    free(s);
    assert_non_null(j);
    return j;
}

/* ---- guards --------------------------------------------------------------- */

kenes_ctx review_ctx(const char *action, const char *comment, const char *to)
{
    kenes_ctx ctx = {.action = action,
                     .comment = comment,
                     .user = "reviewer",
                     .role = "ministry-reviewer",
                     .from = "ministry-review",
                     .to = to};
    return ctx;
}

int guard_run(const kenes_guard *g, json_t *doc, const kenes_ctx *ctx, kenes_errors *errs)
{
    kenes_doc d = {.json = doc};
    kapi_errors_init(errs);
    int rc = g->check(api, &d, ctx, errs);
    json_decref(doc);
    return rc;
}

void expect_guard_refuses(const kenes_guard *g, json_t *doc, const kenes_ctx *ctx,
                          const char *message)
{
    kenes_errors errs;
    assert_int_equal(guard_run(g, doc, ctx, &errs), KENES_EGUARD);
    assert_string_equal(errs.message, message);
    assert_int_equal(errs.count, 1);
    assert_null(errs.fields); /* a guard's message names no field */
    kapi_errors_dispose(&errs);
}

void expect_guard_allows(const kenes_guard *g, json_t *doc, const kenes_ctx *ctx,
                         kenes_errors *errs)
{
    int rc = guard_run(g, doc, ctx, errs);
    if (rc != 0)
        print_message("%s refused: %s\n", g->name, errs->message);
    assert_int_equal(rc, 0);
    assert_int_equal(errs->count, 0);
    assert_string_equal(errs->message, "");
}

/* ---- what a report is handed ---------------------------------------------- */

char *fixture_report(const kenes_doctype *t, int kind, const char *region, json_t **docs,
                     json_t **histories, size_t n, const char *published)
{
    return fixture_report_in(t, kind, region, NULL, docs, histories, n, published);
}

char *fixture_report_in(const kenes_doctype *t, int kind, const char *region, const char *lang,
                        json_t **docs, json_t **histories, size_t n, const char *published)
{
    struct kenes_doc *d = calloc(n ? n : 1, sizeof(*d));
    json_t **h = calloc(n ? n : 1, sizeof(*h));
    assert_non_null(d);
    assert_non_null(h);
    for (size_t i = 0; i < n; i++) {
        d[i].json = docs[i];
        h[i] = histories ? histories[i] : NULL;
    }
    util_buf out;
    util_buf_init(&out);
    struct kenes_report r = {.kind = kind,
                             .region = region,
                             .docs = d,
                             .ndocs = n,
                             .out = &out,
                             .histories = h,
                             .published = published,
                             .lang = lang};
    const kenes_report_section *section = kapi_report_section(t, kind);
    assert_int_equal(section ? section->write(api, &r) : 0, 0);
    for (size_t i = 0; i < n; i++) {
        json_decref(docs[i]);
        json_decref(h[i]);
    }
    free(d);
    free(h);
    char *md = util_buf_detach(&out, NULL);
    assert_non_null(md);
    return md;
}

/* ---- reading Markdown ----------------------------------------------------- */

int has_line(const char *md, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = md; (p = strstr(p, line)) != NULL; p++)
        if ((p == md || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

void expect_line(const char *md, const char *line)
{
    if (!has_line(md, line))
        fprintf(stderr, "no line\n  %s\nin\n%s\n", line, md);
    assert_true(has_line(md, line));
}

char *md_plain(const char *md)
{
    char *plain = strdup(md);
    assert_non_null(plain);
    size_t at = 0;
    for (const char *p = md; *p; p++)
        if (*p != '\\')
            plain[at++] = *p;
    plain[at] = '\0';
    return plain;
}

int count_lines(const char *md, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *p = md; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += strncmp(p, prefix, len) == 0;
    return n;
}

json_t *fixture_node(json_t *root, const char *path)
{
    json_t *n = root;
    const char *p = path;
    while (*p && n) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            char *end;
            size_t i = strtoul(p + 1, &end, 10);
            n = json_array_get(n, i);
            p = end + 1;
        } else {
            size_t len = strcspn(p, ".[");
            char key[64];
            assert_true(len < sizeof(key));
            memcpy(key, p, len);
            key[len] = '\0';
            n = json_object_get(n, key);
            p += len;
        }
    }
    assert_non_null(n);
    return n;
}

/* The fixture's commits: a stored document's "_version" (else a fixed one)
 * and "_written" (else "1", after every fixture version: written after
 * everything it refers to); api->version_before orders them as text. */
static const char *fixture_version(const json_t *d)
{
    const char *v = json_string_value(json_object_get(d, "_version"));
    return v ? v : "0123456789abcdef";
}

static const char *fixture_written(const json_t *d)
{
    const char *v = json_string_value(json_object_get(d, "_written"));
    return v ? v : "1";
}

/* 1 if commit is a version of stored document id: its own or its public
 * face's "_version" or "_written" (the core finds each commit in the
 * document named with it, so a plugin that named the wrong one is told 0). */
static int store_has_version(json_t *const *store, const char *id, const char *commit)
{
    size_t i;
    json_t *d;
    json_array_foreach(*store, i, d) {
        if (strcmp(json_string_value(json_object_get(d, "id")), id) != 0)
            continue;
        const json_t *p = json_object_get(d, "_public");
        return strcmp(commit, fixture_version(d)) == 0 ||
               strcmp(commit, fixture_written(d)) == 0 ||
               (p && (strcmp(commit, fixture_version(p)) == 0 ||
                      strcmp(commit, fixture_written(p)) == 0));
    }
    return 0;
}

static int store_before(void *payload, const char *doc_a, const char *a, const char *doc_b,
                        const char *b)
{
    json_t *const *store = payload;
    if (!store_has_version(store, doc_a, a) || !store_has_version(store, doc_b, b))
        return 0;
    return strcmp(a, b) < 0;
}

static int store_each(void *payload, const char *type, const char *region,
                      int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    json_t *const *store = payload;
    size_t i;
    json_t *d;
    json_array_foreach(*store, i, d) {
        const char *t = json_string_value(json_object_get(d, "type"));
        const char *r = json_string_value(json_object_get(d, "region"));
        if ((type && strcmp(t, type) != 0) || (region && strcmp(r, region) != 0))
            continue;
        struct kenes_doc view = {.json = d, .version = fixture_version(d),
                                 .written = fixture_written(d)};
        int rc = fn(&view, arg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int store_with(void *payload, const char *id, int (*fn)(const kenes_doc *doc, void *arg),
                      void *arg)
{
    json_t *const *store = payload;
    size_t i;
    json_t *d;
    json_array_foreach(*store, i, d) {
        if (strcmp(json_string_value(json_object_get(d, "id")), id) == 0) {
            struct kenes_doc view = {.json = d, .version = fixture_version(d),
                                     .written = fixture_written(d)};
            return fn(&view, arg);
        }
    }
    return KENES_ENOTFOUND;
}

/* The fixture's rule for a public face, standing in for the workflows':
 * a stored document is public in stage in-force or accepted, and one with a
 * member "_public" (an amendment under way) shows that object instead. */
static const json_t *fixture_face(const json_t *d)
{
    const json_t *face = json_object_get(d, "_public");
    if (face)
        return face;
    const char *stage = json_string_value(json_object_get(d, "stage"));
    return stage && (strcmp(stage, "in-force") == 0 || strcmp(stage, "accepted") == 0) ? d
                                                                                       : NULL;
}

static int store_each_public(void *payload, const char *type, const char *region,
                             int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    json_t *const *store = payload;
    size_t i;
    json_t *d;
    json_array_foreach(*store, i, d) {
        const json_t *face = fixture_face(d);
        const char *t = json_string_value(json_object_get(d, "type"));
        const char *r = json_string_value(json_object_get(d, "region"));
        if (!face || (type && strcmp(t, type) != 0) || (region && strcmp(r, region) != 0))
            continue;
        struct kenes_doc view = {.json = face, .version = fixture_version(face),
                                 .written = fixture_written(face)};
        int rc = fn(&view, arg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int store_with_public(void *payload, const char *id,
                             int (*fn)(const kenes_doc *doc, void *arg), void *arg)
{
    json_t *const *store = payload;
    size_t i;
    json_t *d;
    json_array_foreach(*store, i, d) {
        if (strcmp(json_string_value(json_object_get(d, "id")), id) != 0)
            continue;
        /* "_unreadable": its face's history does not read back now (the core's
         * KENES_EIO: plugin.h, doc_public_with). */
        if (json_is_true(json_object_get(d, "_unreadable")))
            return KENES_EIO;
        const json_t *face = fixture_face(d);
        if (!face)
            return KENES_ENOTFOUND;
        struct kenes_doc view = {.json = face, .version = fixture_version(face),
                                 .written = fixture_written(face)};
        return fn(&view, arg);
    }
    return KENES_ENOTFOUND;
}

void fixture_docs_attach(json_t *const *store,
                         const char *(*param)(void *payload, const char *type, const char *name))
{
    kapi_docs src = {store_each, store_with, param, store_each_public, store_with_public,
                     (void *)store, store_before};
    kapi_set_docs(&src);
}

json_t *fixture_parse(const char *text)
{
    json_error_t e;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
    if (!doc)
        print_message("bad test JSON at %d: %s\n", e.position, e.text);
    assert_non_null(doc);
    return doc;
}

json_t *fixture_set(json_t *doc, const char *parent, const char *key, const char *value)
{
    json_t *obj = fixture_node(doc, parent);
    if (value)
        assert_int_equal(json_object_set_new(obj, key, fixture_parse(value)), 0);
    else
        json_object_del(obj, key);
    return doc;
}
