/*
 * The core side of the plugin ABI: the kenes_api table and the opaque
 * handles (kenes_doc, kenes_ctx, kenes_errors) plugins read through it.
 */
#ifndef KENES_KAPI_H
#define KENES_KAPI_H

#include <jansson.h>

#include "kenes/plugin.h"
#include "base/util.h"

struct kenes_doc {
    const json_t *json; /* {"id","type","region","title","stage","fields","body"} */
    const char *version; /* its head commit, when the core knows it (doc_each), else NULL */
    /* The commit that last wrote its fields (its create or latest edit, up to
     * version), when the core knows it, else NULL: doc_get(doc, "written"). */
    const char *written;
    /* RFC 3339 time of its first commit, when the core knows it (doc_each,
     * doc_with), else NULL: when a referral was sent, say. */
    const char *created;
};

struct kenes_ctx {
    const char *action, *comment, *user, *role, *from, *to;
};

/* A report being written: the core fills kind, region and the documents of
 * one type; the plugin appends Markdown to out. */
struct kenes_report {
    int kind;
    const char *region;
    const struct kenes_doc *docs;
    size_t ndocs;
    util_buf *out;
    /* For report_doc_history: the index entries docs were made from (NULL:
     * none), and their histories (ndocs slots): given, or made from sources
     * on first request; the owner json_decref()s them. */
    const struct idx_doc *const *sources;
    json_t **histories;
    /* Filled by report_doc_history when a history cannot be read now
     * (KENES_EIO or KENES_ENOMEM, and the document's id): the section the
     * plugin wrote without it is no report (publish/report.c publishes none).
     * A pointer: the plugin is handed the report const. */
    struct kenes_report_failure {
        int rc;
        const char *doc;
    } *failure;
    const char *published; /* the report as last published, or NULL */
    const char *lang;      /* "ru", "kk" or "en" (NULL: "ru") */
};

struct kenes_errors {
    json_t *fields;   /* [{"path","code","message"}], at most KENES_ERRORS_MAX */
    char message[512]; /* the first message without a path (guards) */
    char code[KENES_CODE_MAX + 1]; /* and its code ("" with no such message) */
    int count;         /* every error reported, listed or not */
    int unlisted;      /* errors with a path past KENES_ERRORS_MAX: counted only
                        * (a validator stops once full, so more may exist unseen) */
};

const kenes_api *kapi_get(void);

void kapi_errors_init(kenes_errors *e);
void kapi_errors_dispose(kenes_errors *e);

/* Append text to Markdown so that nothing in it is markup (one line). */
void kapi_md_escape(util_buf *out, const char *text);

/* A count as it may be published: "< 5" for 1 to 4. */
void kapi_count_text(char out[16], long n);

/* 0 if s is a calendar date YYYY-MM-DD. */
int kapi_parse_date(const char *s, int *y, int *m, int *d);

/* 1 if code is one of the 20 regions. */
int kapi_region_valid(const char *code);

/* Where api->label looks: fn(payload, type, what, name, lang), or NULL for
 * nowhere (every label NULL).  The workflows set it once loaded
 * (wf_set_label); kapi_forget_labels(payload) unsets it if payload is the
 * one set, so that a freed set is never read. */
typedef const char *(*kapi_label_fn)(const void *payload, const char *type, const char *what,
                                     const char *name, const char *lang);
void kapi_set_labels(kapi_label_fn fn, const void *payload);
void kapi_forget_labels(const void *payload);

/* Where api->doc_each, doc_with and param look: the document service
 * attaches its index and workflows (docs/lookup.c) once they are loaded, and
 * kapi_forget_docs(payload) detaches them if payload is the one attached.
 * Unattached, doc_each visits nothing, doc_with finds nothing and param is
 * NULL. */
typedef struct kapi_docs {
    int (*each)(void *payload, const char *type, const char *region,
                int (*fn)(const kenes_doc *doc, void *arg), void *arg);
    int (*with)(void *payload, const char *id, int (*fn)(const kenes_doc *doc, void *arg),
                void *arg);
    const char *(*param)(void *payload, const char *type, const char *name);
    /* api->doc_each_public and doc_public_with */
    int (*each_public)(void *payload, const char *type, const char *region,
                       int (*fn)(const kenes_doc *doc, void *arg), void *arg);
    int (*with_public)(void *payload, const char *id,
                       int (*fn)(const kenes_doc *doc, void *arg), void *arg);
    void *payload;
    /* api->version_before (NULL: never known, 0) */
    int (*before)(void *payload, const char *doc_a, const char *a, const char *doc_b,
                  const char *b);
} kapi_docs;
void kapi_set_docs(const kapi_docs *d);
void kapi_forget_docs(const void *payload);

/* Where api->order_dates looks (content/orders.yaml, loaded by whoever
 * reads content): fn(payload, name, date_ms, due_ms), or NULL for nowhere. */
typedef int (*kapi_order_fn)(const void *payload, const char *name, long long *date_ms,
                             long long *due_ms);
void kapi_set_orders(kapi_order_fn fn, const void *payload);
void kapi_forget_orders(const void *payload);

/* Where api->content looks: fn(payload, name), or NULL for nowhere (no
 * list).  kapi_forget_content(payload) unsets it if payload is the one set. */
typedef const json_t *(*kapi_content_fn)(const void *payload, const char *name);
void kapi_set_content(kapi_content_fn fn, const void *payload);
void kapi_forget_content(const void *payload);

/* Type t's section for reports of kind (KENES_REPORT_*), or NULL if it has
 * no part in them. */
const kenes_report_section *kapi_report_section(const kenes_doctype *t, int kind);

#endif
