/*
 * The one fixture of the plugin unit tests (test_regional_plan,
 * test_commission_roster, test_case_review, test_common): it loads a plugin
 * the way the server does, and gives the tests documents, contexts and error
 * collectors to hand it.  It sets things up and checks what every validator
 * and guard must answer; what a plugin's report or label says stays in the
 * test files.
 *
 * One group per executable: plugin_fixture_setup() fills the globals below,
 * which the helpers read, so a test reads `expect_valid(doc)` and no more.
 * Include <cmocka.h> (and what it needs) first.
 */
#ifndef KENES_TEST_PLUGIN_FIXTURE_H
#define KENES_TEST_PLUGIN_FIXTURE_H

#include <stddef.h>

#include <jansson.h>

#include "plugin/kapi.h"
#include "plugin/loader.h"

extern plugin_set *plugins;          /* the set holding the plugin under test */
extern const kenes_api *api;         /* the core's table, as plugins get it */
extern const kenes_doctype *fixture_type; /* what validate() runs, or NULL */

/* Load regions from regions_path (NULL: none) and the plugin at so into
 * plugins.  *type (when type is not NULL) and fixture_type become its type
 * named type_name (NULL: a plugin of guards only); then come pairs of a
 * guard's name and a `const kenes_guard **` to put it in, ending in NULL.
 * 0, or -1 after saying why on stderr, as a cmocka group setup answers. */
int plugin_fixture_setup(const kenes_doctype **type, const char *so, const char *regions_path,
                         const char *type_name, ...);
void plugin_fixture_teardown(void);
/* plugin_fixture_teardown() as a cmocka group teardown. */
int plugin_fixture_teardown_group(void **state);

/* ---- validation ----------------------------------------------------------- */

/* Validate doc (consumed) with fixture_type and return the result; errs
 * filled, for the caller to kapi_errors_dispose(). */
int validate(json_t *doc, kenes_errors *errs);
/* 1 if errs lists an error at path. */
int has_error(const kenes_errors *errs, const char *path);
/* Print what (a path, or what was expected) and the errors listed. */
void print_errors(const char *what, const kenes_errors *errs);
/* doc fails validation with exactly one error, at path, whose message is
 * some text and mentions word (when not NULL). */
void expect_only_error_mentioning(json_t *doc, const char *path, const char *word);
void expect_only_error(json_t *doc, const char *path);
/* doc fails validation with exactly one problem, at path, with code. */
void expect_only_code(json_t *doc, const char *path, const char *code);
/* doc fails validation with errors at exactly the paths given (ending in
 * NULL), one each. */
void expect_errors(json_t *doc, const char *path, ...);
/* doc passes validation: no error counted, none listed. */
void expect_valid(json_t *doc);

/* n copies of a UTF-8 character, as a JSON string. */
json_t *repeat(const char *ch, size_t n);

/* ---- guards --------------------------------------------------------------- */

/* A ministry reviewer's context: the action, moving the document from
 * ministry-review to to, with comment (NULL: none). */
kenes_ctx review_ctx(const char *action, const char *comment, const char *to);
/* Run g on doc (consumed) in ctx and return the result; errs filled. */
int guard_run(const kenes_guard *g, json_t *doc, const kenes_ctx *ctx, kenes_errors *errs);
/* g refuses doc (consumed) with message alone: one error, none on a field. */
void expect_guard_refuses(const kenes_guard *g, json_t *doc, const kenes_ctx *ctx,
                          const char *message);
/* g allows doc (consumed): nothing counted, no message; errs left to the
 * caller to look at further and dispose. */
void expect_guard_allows(const kenes_guard *g, json_t *doc, const kenes_ctx *ctx,
                         kenes_errors *errs);

/* ---- what a report is handed ---------------------------------------------- */

/* The section type t writes for kind (region: a region report's region)
 * over docs and their histories (n each, both consumed; histories may be
 * NULL), given what was published before (NULL: never); the section must
 * succeed, and a kind t writes nothing for gives "".  free() it. */
char *fixture_report(const kenes_doctype *t, int kind, const char *region, json_t **docs,
                     json_t **histories, size_t n, const char *published);
/* fixture_report, written in lang ("ru", "kk", "en"; NULL: "ru"). */
char *fixture_report_in(const kenes_doctype *t, int kind, const char *region, const char *lang,
                        json_t **docs, json_t **histories, size_t n, const char *published);

/* ---- reading Markdown ----------------------------------------------------- */

/* 1 if md has this exact line. */
int has_line(const char *md, const char *line);
void expect_line(const char *md, const char *line);
/* md without its backslashes, as a reader sees escaped text; free() it. */
char *md_plain(const char *md);
/* Lines of md that begin with prefix. */
int count_lines(const char *md, const char *prefix);

/* The node of root at a path such as "fields.agenda[1].vote" ("" is root);
 * the test fails when there is none. */
json_t *fixture_node(json_t *root, const char *path);

/* Stand in for the document service behind api->doc_each and doc_with: the
 * documents of the JSON array *store (in id order; the test may replace the
 * array), filtered by type and region as the core filters, each lent for
 * the call with a fixed version.  api->param answers through param (NULL:
 * every param unset).  kapi_set_docs(NULL) detaches. */
/* A stored document with "_unreadable": true answers doc_public_with with
 * KENES_EIO, as the core does when its face's history cannot be read now. */
void fixture_docs_attach(json_t *const *store,
                         const char *(*param)(void *payload, const char *type, const char *name));

/* ---- part refer (issue 15) ------------------------------------------------ */

/* JSON text as a test writes it (any value); the test fails on bad JSON. */
json_t *fixture_parse(const char *text);
/* doc (returned) with parent.key (parent a fixture_node path) set to the
 * JSON text value, or deleted when value is NULL. */
json_t *fixture_set(json_t *doc, const char *parent, const char *key, const char *value);

#endif
