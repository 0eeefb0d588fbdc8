/*
 * kenes plugin ABI — the only header a plugin includes.
 *
 * A plugin is a shared object exporting one symbol, kenes_plugin_init().
 * It receives a table of core functions (kenes_api) and hands back a
 * descriptor (kenes_plugin) that declares, as data, the document types,
 * guards and validators it provides.  Workflow files refer to these by name.
 *
 * Rules that keep old plugins working with new cores and vice versa:
 *  - kenes_api and kenes_plugin only grow at the end; nothing is reordered.
 *  - Each carries abi_version and struct_size; the core refuses a plugin
 *    whose abi_version differs from KENES_ABI_VERSION.  A plugin asks
 *    KENES_API_HAS(api, member) before it calls a member appended after
 *    the core it may meet was built.
 *  - kenes_doctype and kenes_guard come in arrays, whose stride is their
 *    size: they carry no struct_size, so their layout is fixed for an ABI
 *    version.  A member added to either means a new KENES_ABI_VERSION (and
 *    plugins rebuilt), never a silent append.
 *  - Plugins never see core structs: documents, contexts and error
 *    collectors are opaque handles read through the api table.
 *  - Structured values (a document's fields) are jansson json_t, borrowed:
 *    a plugin must not keep or free them.
 *
 * Every function returns 0 or a negative KENES_E* code.
 */
#ifndef KENES_PLUGIN_H
#define KENES_PLUGIN_H

#include <stddef.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: a document type's report sections became a table, one callback per
 * report kind (kenes_doctype.reports), where ABI 1 had one callback that
 * switched on api->report_kind.
 * 3: a document type declares its fields as data (kenes_doctype.schema), so
 * that the web interface builds its forms and tables with no code of its own
 * per type; kenes_doctype has no struct_size, so the member appended to it
 * means a new ABI.
 * 4: a document type names the fields the core keeps in its index for
 * reports and other documents' plugins (kenes_doctype.index_fields), so
 * that a document's JSON need not stay in memory.
 * 5: kenes_api.version_before names each commit's document
 * (version_before(doc_a, a, doc_b, b)), so that the core answers from the
 * two documents' versions and keeps no table of every commit; a member's
 * signature changed in place, which a plugin built for 4 would call wrong. */
#define KENES_ABI_VERSION 5

enum {
    KENES_OK = 0,
    KENES_EINVAL = -1,      /* bad argument or malformed input */
    KENES_ENOMEM = -2,
    KENES_ENOTFOUND = -3,
    KENES_EEXISTS = -4,
    KENES_EVALIDATION = -5, /* a document failed validation (fields named) */
    KENES_EGUARD = -6,      /* a transition guard said no */
    KENES_EABI = -7,        /* a plugin built for another ABI */
    KENES_EIO = -8,
    KENES_ESTAGE = -9,      /* action not allowed from the current stage */
    KENES_EFORBIDDEN = -10,
    KENES_ESTALE = -11,     /* If-Match does not name the latest version */
    KENES_ETOOBIG = -12,
    KENES_EPLUGIN = -13,    /* a plugin misbehaved */
    KENES_EPRECONDITION = -14, /* the request must name the version it changes */
    KENES_EGONE = -15,      /* it existed and was erased */
    KENES_EBUSY = -16,      /* a limit is reached; try again later */
    KENES_ECONFLICT = -17,  /* the request contradicts what is recorded */
    KENES_EUNAUTHORIZED = -18, /* no valid credentials */
    KENES_EUNAVAILABLE = -19 /* there, but cannot be served now (a case whose key is missing) */
};

enum { KENES_LOG_DEBUG = 0, KENES_LOG_INFO = 1, KENES_LOG_WARN = 2, KENES_LOG_ERROR = 3 };

typedef struct kenes_doc kenes_doc;       /* a document as the API sees it */
typedef struct kenes_report kenes_report; /* a Markdown report being written */
typedef struct kenes_ctx kenes_ctx;       /* the action being attempted */
typedef struct kenes_errors kenes_errors; /* collects what is wrong */

typedef struct kenes_api {
    unsigned abi_version;
    size_t struct_size;

    /* --- ABI 1 --- */
    void (*log)(int level, const char *plugin, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* Record what is wrong.  path names the field ("measures[0].direction",
     * "title"); NULL for a message that concerns no single field (a guard). */
    void (*error)(kenes_errors *errs, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* "id", "type", "region", "title", "stage", "body"; NULL if unset. */
    const char *(*doc_get)(const kenes_doc *doc, const char *key);
    /* The type-specific object "fields"; never NULL (an empty object). */
    const json_t *(*doc_fields)(const kenes_doc *doc);

    /* "action", "comment", "user", "role", "from", "to"; NULL if unset. */
    const char *(*ctx_get)(const kenes_ctx *ctx, const char *key);

    /* 1 if code is one of the regions the core knows (ISO 3166-2:KZ). */
    int (*region_valid)(const char *code);
    /* 1 if s[0..len) is well-formed UTF-8 without NUL. */
    int (*utf8_valid)(const char *s, size_t len);
    /* Number of Unicode code points in a valid UTF-8 string. */
    size_t (*utf8_length)(const char *s);
    /* 0 if s is a calendar date "YYYY-MM-DD" (then *y, *m, *d set; any may be NULL). */
    int (*parse_date)(const char *s, int *y, int *m, int *d);
    /* A random (version 4) UUID, lower-case, 36 characters + NUL. */
    void (*uuid)(char out[37]);
    /* Milliseconds since the epoch from the core's one clock (KENES_NOW fixes it in tests). */
    long long (*now_ms)(void);

    /* --- reports (each document type writes its own sections) --- */
    /* KENES_REPORT_*: which report is being written. */
    int (*report_kind)(const kenes_report *r);
    /* The region of a KENES_REPORT_REGION report ("KZ-11"), else NULL. */
    const char *(*report_region)(const kenes_report *r);
    /* The documents of the plugin's type this report covers (for a region
     * report, that region's), sorted by id.  Besides the usual keys,
     * doc_get() answers "due" (RFC 3339 or NULL), "overdue" ("true" or
     * "false") and "stage_since" (RFC 3339: when it entered its stage). */
    size_t (*report_count)(const kenes_report *r);
    const kenes_doc *(*report_doc)(const kenes_report *r, size_t i);
    /* Append Markdown written by the plugin itself. */
    void (*report_printf)(kenes_report *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
    /* Append text from a document (a title, a name) with everything Markdown
     * would read as markup escaped, on one line. */
    void (*report_text)(kenes_report *r, const char *text);
    /* A count as it may be published: "0", "< 5" for 1 to 4, else the number. */
    void (*report_count_text)(char out[16], long n);
    /* A region's name in "ru", "kk" or "en"; NULL for an unknown code. */
    const char *(*region_name)(const char *code, const char *lang);

    /* --- text comparison (appended; check struct_size before calling) --- */
    /* s (NUL-terminated UTF-8) as text is compared in: Unicode NFKC and
     * case folding (libunistring), so full-width letters, ligatures and
     * case vanish ("Ｚｚｙｚｘ", "ZZYZX" -> "zzyzx").  With KENES_FOLD_WORDS
     * each run of characters other than letters, marks and digits becomes
     * one space, none at either end ("«Ай-Гүл»,  7" -> "ай гүл 7").  Into
     * out (cap bytes, NUL-terminated).  0; KENES_EINVAL for invalid UTF-8;
     * KENES_ETOOBIG when out is too small (try a larger one: folding may
     * lengthen text); out is "" on error. */
    int (*text_fold)(char *out, size_t cap, const char *s, unsigned flags);
    /* --- reports per closed period (appended) --- */
    /* The versions of report document i, oldest first, as a borrowed JSON
     * array of {"time": milliseconds since the epoch (an integer),
     * "action": "create", "edit" or a workflow action, "from": the stage
     * before (null on create), "to": the stage after}: when it was created
     * and what happened to it when, so that a report can count what
     * happened in a period and say what stage it was in at the period's
     * end.  Nothing anyone typed.  NULL outside a report. */
    const json_t *(*report_doc_history)(const kenes_report *r, size_t i);
    /* This report's whole text as it was last published (every type's
     * sections, the core's title too), or NULL if it never was: what a type
     * that publishes each period once copies rather than computing again. */
    const char *(*report_published)(const kenes_report *r);
    /* --- validation (appended; check struct_size before calling) --- */
    /* 1 once errs holds KENES_ERRORS_MAX problems.  An answer lists no more
     * (further errors are only counted), so a validator should stop looking:
     * a long list of bad items must not cost time for nothing. */
    int (*errors_full)(const kenes_errors *errs);

    /* --- regions, dates and labels (appended; ask KENES_API_HAS) --- */
    /* The regions the core knows (content/regions.yaml), in that file's
     * order: region_code(i) for i below region_count(), NULL past the last.
     * Their names are region_name(code, lang). */
    size_t (*region_count)(void);
    const char *(*region_code)(size_t i);
    /* *ms (since the epoch) of a date "YYYY-MM-DD" (its midnight, UTC) or of
     * an RFC 3339 time ("2026-02-07T10:00:00Z", "2026-02-07T15:00:00.5+05:00",
     * fractions kept to the millisecond).  0, or KENES_EINVAL for anything
     * else (*ms untouched). */
    int (*time_parse)(const char *s, long long *ms);
    /* The calendar date (UTC) of ms since the epoch; any of y, m, d may be NULL. */
    void (*date_of_ms)(long long ms, int *y, int *m, int *d);
    /* ms since the epoch at 00:00 UTC of a date y-m-d (m 1..12, d 1..31;
     * a day past the month's end runs into the next month). */
    long long (*date_ms)(int y, int m, int d);
    /* Today's date (UTC) by the core's clock, the one now_ms reads. */
    void (*today)(int *y, int *m, int *d);
    /* What the workflow of document type `type` calls a stage (what
     * "stage") or an action (what "action") in lang ("ru", "kk" or "en"):
     * the workflow file's `labels:`.  NULL when no loaded workflow names it. */
    const char *(*label)(const char *type, const char *what, const char *name, const char *lang);

    /* --- problems with a code (appended; ask KENES_API_HAS) --- */
    /* error() with a code: a word of a-z, 0-9 and _ starting with a letter
     * (at most KENES_CODE_MAX bytes) naming the rule broken, so that an interface can say it in
     * the reader's language beside the input at path (every code a plugin
     * uses has a sentence in content/ui/strings/validation.yaml).  fmt
     * stays the English message API clients read.  Generic codes: required,
     * blank, too_long, not_text, not_integer, not_number, out_of_range,
     * not_date, not_date_or_quarter, not_in_list, not_list, too_few,
     * not_object, unknown_key, not_utf8, invalid; a plugin adds its own
     * (direction_missing, ...).  A code that is no such word is recorded as
     * "invalid"; error() records "invalid".  A guard refuses with a NULL
     * path, and the code of its first such message is kept with it. */
    void (*error_code)(kenes_errors *errs, const char *path, const char *code, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

    /* --- other documents, workflow data, languages, orders (appended; ask
     * KENES_API_HAS) --- */
    /* Visit the latest committed version of every document of `type` (NULL:
     * every type) in `region` (NULL: every region), in id order, erased ones
     * left out.  fn's doc is borrowed for the call only (doc_get and
     * doc_fields read it; doc_get also answers "version", its head commit,
     * and "created", the RFC 3339 time of its first commit);
     * a non-zero return stops the walk and is returned, else 0.  Confidential
     * types are visited too: what a plugin reads so may decide its answer,
     * never be copied into a message, an id or a summary.  Only from the
     * callbacks the core calls (validate, guards, summary, reports). */
    int (*doc_each)(const char *type, const char *region,
                    int (*fn)(const kenes_doc *doc, void *arg), void *arg);
    /* fn(doc, arg) with the latest committed version of document `id`, and
     * its return; KENES_ENOTFOUND when there is no such document (or it was
     * erased). */
    int (*doc_with)(const char *id, int (*fn)(const kenes_doc *doc, void *arg), void *arg);
    /* A value the workflow of `type` sets in its `params:` map (README,
     * "Workflows and plugins"), as text; NULL when it sets none, so that the
     * plugin's default applies. */
    const char *(*param)(const char *type, const char *name);
    /* The language report r is written in: "ru", "kk" or "en". */
    const char *(*report_lang)(const kenes_report *r);
    /* A national order of content/orders.yaml by its name ("roster-2026"):
     * *date_ms its date, *due_ms the end of its term (either may be NULL),
     * both midnight UTC of the day; KENES_ENOTFOUND for an unknown name. */
    int (*order_dates)(const char *name, long long *date_ms, long long *due_ms);

    /* --- what is in force, content lists (appended; ask KENES_API_HAS) --- */
    /* doc_each, but visiting each document's public face: its latest version
     * in a stage its workflow marks public (a plan in force while an
     * amendment of it is drafted: the version in force); documents never
     * public are left out.  fn's doc answers that version's "version". */
    int (*doc_each_public)(const char *type, const char *region,
                           int (*fn)(const kenes_doc *doc, void *arg), void *arg);
    /* doc_with for the public face of `id`; KENES_ENOTFOUND when it has none.
     * Both answer KENES_EIO (or KENES_ENOMEM) when a face is an older version
     * whose "written" needs the document's older versions and the core cannot
     * read them now: neither "not public" nor written by nothing. */
    int (*doc_public_with)(const char *id, int (*fn)(const kenes_doc *doc, void *arg),
                           void *arg);
    /* The list content/<name>.yaml holds ("concept", "agencies"), parsed as
     * the document files' front matter is (JSON, borrowed, lives as long as
     * the server), or NULL when there is no such file. */
    const json_t *(*content)(const char *name);

    /* --- the order of versions (appended; ask KENES_API_HAS) --- */
    /* 1 if commit a, a version of document doc_a, came before commit b, a
     * version of document doc_b, in the repository that holds both (a is an
     * ancestor of b); 0 if not (the same commit, b first, the documents in
     * two repositories, no such document, or a commit that is no version of
     * the document named with it); KENES_EINVAL if any argument is NULL;
     * KENES_EIO (or KENES_ENOMEM) when the core cannot read a document's
     * older versions now, which answers neither way.
     * Each commit is named with its document: the core answers from that
     * document's versions (ABI 5; ABI 4 took the two commits alone).  With
     * doc_get(doc, "written") — the commit that last wrote a document's
     * fields (its create or latest edit), answered by doc_each/doc_with and
     * their public twins — a plugin tells whether another document (a plan's
     * version in force) was already there when this one was written. */
    int (*version_before)(const char *doc_a, const char *a, const char *doc_b, const char *b);
} kenes_api;

/* 1 if the table api has member: a core built before the member was
 * appended hands over a shorter table, and reading past it is undefined. */
#define KENES_API_HAS(api, member)                                                              \
    ((api) != NULL &&                                                                          \
     (api)->struct_size >= offsetof(kenes_api, member) + sizeof((api)->member))

/* text_fold flags */
#define KENES_FOLD_WORDS 0x1u

/* Problems one validation lists (the answer then says there are more); a
 * problem's path is cut at KENES_ERROR_PATH_MAX bytes. */
#define KENES_ERRORS_MAX 100
#define KENES_ERROR_PATH_MAX 200
/* The longest code error_code() records. */
#define KENES_CODE_MAX 40

enum {
    KENES_REPORT_NATIONAL = 1, /* reports/national.md: every region at a glance */
    KENES_REPORT_REGION = 2,   /* reports/regions/<code>.md: one region in detail */
    KENES_REPORT_CASES = 3     /* reports/cases.md: case outcomes, aggregates only */
};

/* One section a document type writes into one kind of report: write()
 * appends Markdown with api->report_printf/report_text.  Reports are public:
 * a confidential type writes aggregates only, every count through
 * api->report_count_text.  A type has no part in a report kind it lists no
 * section for. */
typedef struct kenes_report_section {
    int kind; /* KENES_REPORT_*; 0 ends a table */
    int (*write)(const kenes_api *api, kenes_report *r);
} kenes_report_section;

typedef struct kenes_doctype {
    const char *name; /* "regional-plan": the API's "type" */
    const char *noun; /* "regional plan": used in commit summaries */

    /* Fill the document's id ("plan/KZ-11/2026") from its region and
     * fields.  Called after validate() succeeded.  The id must not name
     * a child: it appears in commit messages and logs. */
    int (*make_id)(const kenes_api *api, const kenes_doc *doc, char *out, size_t cap);

    /* Check a document about to be written.  Report each problem with
     * api->error_code(errs, path, code, ...) and return KENES_EVALIDATION.  Messages
     * must not repeat the values they judge: they reach logs and answers. */
    int (*validate)(const kenes_api *api, const kenes_doc *doc, kenes_errors *errs);

    /* Which repository holds its documents: "documents" (NULL means this)
     * or "cases", the separate repository for files about children. */
    const char *repository;
    /* KENES_DOCTYPE_* bits. */
    unsigned flags;
    /* Add what may be listed about a document to its list entry (an object
     * that already has id, type, region, stage, version, due, overdue), for
     * example a case's pseudonym.  May be NULL. */
    int (*summary)(const kenes_api *api, const kenes_doc *doc, json_t *entry);

    /* This type's sections of the reports, one per kind it has a part in,
     * ended by an entry with kind 0.  May be NULL (no part in any). */
    const kenes_report_section *reports;

    /* --- ABI 3 --- */
    /* The type's fields, declared once as YAML text (README, "Workflows and
     * plugins": the schema): kinds, labels in ru/kk/en, what is required.
     * The core checks it when the plugin loads (a bad schema stops the
     * start) and the web interface builds the type's forms from it.  NULL:
     * the type has no form.  Usually plugins/<dir>/<type>.schema.yaml, which
     * the build turns into a string constant (kenes_plugin_schema()). */
    const char *schema;

    /* --- ABI 4 --- */
    /* The fields of a document that others read without reading the whole
     * document: this type's report sections (a case's grounds and
     * follow-ups) and other types' plugins walking it (api->doc_each: a
     * case's guard counts its referrals by their "case").  NULL-terminated
     * paths under fields: "name" (the whole value) or "list[].key" (that
     * key of each row, the rest left out).  The core keeps their values in
     * its index; a plugin walking a type its workflow does not make
     * resident (README, "Workflows and plugins") sees only these fields.
     * NULL: none. */
    const char *const *index_fields;
} kenes_doctype;

/* Lists and logs show nothing of such a document but its id, type, region,
 * stage and what summary() adds: never its title, fields or body. */
#define KENES_DOCTYPE_CONFIDENTIAL 0x1u

typedef struct kenes_guard {
    const char *name; /* what a workflow's "guards:" list names */
    /* 0 to allow; KENES_EGUARD after api->error_code(errs, NULL, "code",
     * "why") to refuse. */
    int (*check)(const kenes_api *api, const kenes_doc *doc, const kenes_ctx *ctx,
                 kenes_errors *errs);
} kenes_guard;

typedef struct kenes_plugin {
    unsigned abi_version; /* KENES_ABI_VERSION the plugin was built with */
    size_t struct_size;   /* sizeof(kenes_plugin) the plugin was built with */
    const char *name;     /* unique among loaded plugins */
    const char *version;

    const kenes_doctype *types; /* terminated by an entry with name == NULL */
    const kenes_guard *guards;  /* terminated by an entry with name == NULL */

    /* Called once before the shared object is unloaded; may be NULL. */
    void (*fini)(void);
} kenes_plugin;

#define KENES_PLUGIN_INIT_SYMBOL "kenes_plugin_init"

/* The one symbol a plugin exports.  Return 0 and point *out at a
 * descriptor that lives as long as the plugin is loaded. */
typedef int (*kenes_plugin_init_fn)(const kenes_api *api, kenes_plugin **out);

#if defined(__GNUC__)
#define KENES_EXPORT __attribute__((visibility("default")))
#else
#define KENES_EXPORT
#endif

KENES_EXPORT int kenes_plugin_init(const kenes_api *api, kenes_plugin **out);

#ifdef __cplusplus
}
#endif
#endif
