/*
 * The index entry of a document (entry.h): what requests over many
 * documents read instead of its JSON.  The type, region and stage are
 * interned (a few hundred distinct strings for 100,000 documents); the
 * rest of an entry is one allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "docs/entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/map.h"
#include "base/util.h"
#include "docs/internal.h"
#include "plugin/kapi.h"
#include "storage/docfile.h"

/* ---- interned strings ---- */

/* One table for the process: the loop is its only user (like kapi's). */
static map *interned;

static const char *intern(const char *s)
{
    if (!s)
        return NULL;
    if (!interned && map_new(&interned) < 0)
        return NULL;
    const char *have = map_get(interned, s);
    if (have)
        return have;
    char *copy = strdup(s);
    if (!copy || map_set(interned, s, copy) < 0) {
        free(copy);
        return NULL;
    }
    return copy;
}

/* ---- reading an entry ---- */

const char *docs_type(const idx_doc *d)
{
    return index_doc_type(d);
}

const char *docs_region(const idx_doc *d)
{
    return index_doc_region(d);
}

const char *docs_stage(const idx_doc *d)
{
    return index_doc_stage(d);
}

const char *docs_title(const idx_doc *d)
{
    return d->entry.kept ? d->entry.title : doc_str(d->doc, "title");
}

void docs_access_view(access_view *v, const idx_doc *d)
{
    if (d->entry.kept)
        *v = (access_view){.region = d->entry.region, .fields = d->entry.access};
    else
        *v = (access_view){.region = doc_str(d->doc, "region"), .doc = d->doc};
}

int docs_resident(const docs_service *svc, const idx_doc *d)
{
    const wf_workflow *wf = wf_set_find(svc->workflows, docs_type(d));
    return wf && wf->resident;
}

void docs_entry_listed(json_t *e, const idx_doc *d)
{
    json_t *listed = d->entry.listed ? json_loads(d->entry.listed, 0, NULL) : NULL;
    const char *k;
    json_t *v;
    json_object_foreach(listed, k, v) if (!json_object_get(e, k)) json_object_set(e, k, v);
    json_decref(listed);
}

json_t *docs_entry_view(const idx_doc *d)
{
    json_t *fields = d->entry.projection ? json_loads(d->entry.projection, 0, NULL) : NULL;
    return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:o, s:s}", "id", d->id, "type",
                     docs_type(d), "region", docs_region(d), "stage", docs_stage(d), "title",
                     docs_title(d), "fields", fields ? fields : json_object(), "body", "");
}

const char *docs_entry_ref(const char *p, const char **target, const char **path)
{
    if (!p || !*p)
        return NULL;
    *target = p;
    *path = p + strlen(p) + 1;
    return *path + strlen(*path) + 1;
}

/* ---- computing an entry ---- */

/* Appends s and its '\0' to b. */
static void put(util_buf *b, const char *s)
{
    util_buf_append(b, s, strlen(s) + 1);
}

#define REF_PATH_CAP 512

/* Appends "target\0path\0" to b for every ref under decl (a schema's
 * fields) that obj fills: groups and lists of groups at any depth. */
static void refs_of(util_buf *b, const json_t *decl, const json_t *obj, const char *prefix)
{
    size_t i;
    const json_t *f;
    if (!json_is_object(obj))
        return;
    json_array_foreach(decl, i, f)
    {
        const char *name = doc_str(f, "name"), *kind = doc_str(f, "kind");
        const json_t *v = name ? json_object_get(obj, name) : NULL;
        char path[REF_PATH_CAP];
        if (!v || !kind ||
            (size_t)snprintf(path, sizeof(path), "%s%s", prefix, name) >= sizeof(path) - 1)
            continue;
        if (strcmp(kind, "ref") == 0 && json_is_string(v) && *json_string_value(v)) {
            put(b, json_string_value(v));
            put(b, path);
        } else if (strcmp(kind, "group") == 0) {
            /* The check above left a byte to spare: the dot fits. */
            size_t n = strlen(path);
            path[n] = '.';
            path[n + 1] = '\0';
            refs_of(b, json_object_get(f, "fields"), v, path);
        } else if (strcmp(kind, "list") == 0 && json_is_array(v) && json_object_get(f, "fields")) {
            size_t k;
            const json_t *row;
            json_array_foreach(v, k, row)
            {
                char rowpath[REF_PATH_CAP];
                if ((size_t)snprintf(rowpath, sizeof(rowpath), "%s[%zu].", path, k) <
                    sizeof(rowpath))
                    refs_of(b, json_object_get(f, "fields"), row, rowpath);
            }
        }
    }
}

/* The fields index_fields names ("name", "list[].key"), as a new object. */
static json_t *projection_of(const kenes_doctype *t, const json_t *fields)
{
    json_t *out = json_object();
    for (size_t i = 0; t && t->index_fields && t->index_fields[i]; i++) {
        const char *spec = t->index_fields[i], *brackets = strstr(spec, "[].");
        if (!brackets) {
            json_t *v = json_object_get(fields, spec);
            if (v)
                json_object_set_new(out, spec, json_deep_copy(v));
            continue;
        }
        char list[64];
        snprintf(list, sizeof(list), "%.*s", (int)(brackets - spec), spec);
        const json_t *rows = json_object_get(fields, list);
        if (!json_is_array(rows))
            continue;
        json_t *mine = json_object_get(out, list);
        if (!mine) {
            mine = json_array();
            for (size_t k = 0; k < json_array_size(rows); k++)
                json_array_append_new(mine, json_object());
            json_object_set_new(out, list, mine);
        }
        const char *key = brackets + 3;
        for (size_t k = 0; k < json_array_size(rows); k++) {
            json_t *v = json_object_get(json_array_get(rows, k), key);
            if (v)
                json_object_set_new(json_array_get(mine, k), key, json_deep_copy(v));
        }
    }
    return out;
}

/* The keys summary() adds (strings and whole numbers only, as list.c keeps
 * them), compact JSON text (malloc'd), or NULL when it adds none. */
static char *listed_of(const kenes_doctype *t, const json_t *doc)
{
    if (!t || !t->summary)
        return NULL;
    json_t *extra = json_object(), *kept = json_object();
    struct kenes_doc view = {.json = doc};
    if (t->summary(kapi_get(), &view, extra) == 0) {
        const char *k;
        json_t *v;
        json_object_foreach(extra, k, v) if (json_is_string(v) || json_is_integer(v))
            json_object_set(kept, k, v);
    }
    char *text = json_object_size(kept) ? json_dumps(kept, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(extra);
    json_decref(kept);
    return text;
}

/* "path\0value\0" for each field the rights and reminders of wf read. */
static void access_of(util_buf *b, const wf_workflow *wf, const json_t *doc)
{
    const char *paths[2] = {wf ? wf->region_field : NULL, wf ? wf->agency_field : NULL};
    for (size_t i = 0; i < 2; i++) {
        const char *v = paths[i] ? access_field(doc, paths[i]) : NULL;
        if (v) {
            put(b, paths[i]);
            put(b, v);
        }
    }
    for (size_t s = 0; wf && s < wf->nstages; s++) {
        const char *path = wf->stages[s].remind_user_field;
        const char *v = path ? access_field(doc, path) : NULL;
        if (v) {
            put(b, path);
            put(b, v);
        }
    }
}

/* Where each part of the entry starts in its blob (-1: none). */
typedef struct parts {
    long title, listed, access, refs, projection;
} parts;

/* Appends s (with its '\0') as a part, or marks it absent. */
static long part(util_buf *b, const char *s)
{
    if (!s)
        return -1;
    long at = (long)b->len;
    put(b, s);
    return at;
}

/* Appends a list of pairs, ended by an empty string; absent when empty. */
static long pairs_part(util_buf *b, const util_buf *pairs)
{
    if (!pairs->len)
        return -1;
    long at = (long)b->len;
    util_buf_append(b, pairs->data, pairs->len);
    util_buf_append(b, "", 1);
    return at;
}

static const char *at(const char *blob, long off)
{
    return off < 0 ? NULL : blob + off;
}

/* Remove d from the reverse map under each target its entry names. */
static void refs_forget(docs_service *svc, idx_doc *d)
{
    const char *target, *path;
    for (const char *p = d->entry.refs; (p = docs_entry_ref(p, &target, &path));)
        index_ref_remove(svc->index, target, d);
}

/* d's entry from now on: these strings (interned here), b (taken, blen
 * bytes) and its parts; its due time computed and its refs mapped. */
static int install(docs_service *svc, idx_doc *d, const char *type, const char *region,
                   const char *stage, char *b, size_t blen, const parts *p, int64_t due_from)
{
    refs_forget(svc, d);
    free(d->entry.blob);
    d->entry = (idx_entry){.kept = 1,
                           .type = intern(type),
                           .region = intern(region),
                           .stage = intern(stage),
                           .title = at(b, p->title),
                           .listed = at(b, p->listed),
                           .access = at(b, p->access),
                           .refs = at(b, p->refs),
                           .projection = at(b, p->projection),
                           .due_from_ms = due_from,
                           .blob = b,
                           .blob_len = b ? blen : 0};
    /* Its due time, from the entry just kept and the versions (a commit's
     * is recorded before its entry is kept): a list or the deadlines' timer
     * then computes nothing per document. */
    int64_t due;
    int known = docs_due(svc, d, &due) == 0; /* else asked again next time */
    d->entry.due_ms = due;
    d->entry.due_known = known;
    int rc = 0;
    const char *target, *path;
    for (const char *q = d->entry.refs; (q = docs_entry_ref(q, &target, &path));)
        if (strcmp(target, d->id) != 0 && index_ref_add(svc->index, target, d) < 0)
            rc = KENES_ENOMEM;
    if ((type && !d->entry.type) || (region && !d->entry.region) || (stage && !d->entry.stage) ||
        index_group_note(svc->index, d) < 0) /* a transfer moves it */
        rc = KENES_ENOMEM;
    return rc;
}

int docs_entry_keep(docs_service *svc, idx_doc *d, const json_t *doc)
{
    if (!doc)
        return 0;
    const char *type = doc_str(doc, "type");
    const wf_workflow *wf = wf_set_find(svc->workflows, type);
    const kenes_doctype *t = type ? plugin_find_type(svc->plugins, type) : NULL;
    int confidential = !t || (t->flags & KENES_DOCTYPE_CONFIDENTIAL);
    const char *stage = doc_str(doc, "stage");
    if (wf && stage && wf_is_former_stage(wf, stage))
        stage = wf_stage_now(wf, stage);
    const json_t *fields = json_object_get(doc, "fields");

    util_buf blob, access, refs;
    util_buf_init(&blob);
    util_buf_init(&access);
    util_buf_init(&refs);
    access_of(&access, wf, doc);
    const json_t *schema = type ? docs_schema(svc, type) : NULL;
    if (schema)
        refs_of(&refs, json_object_get(schema, "fields"), fields, "fields.");
    char *listed = confidential ? listed_of(t, doc) : NULL;
    json_t *proj = projection_of(t, fields);
    char *projection = json_object_size(proj) ? json_dumps(proj, JSON_COMPACT) : NULL;
    json_decref(proj);
    parts p = {.title = part(&blob, confidential ? NULL : doc_str(doc, "title")),
               .listed = part(&blob, listed),
               .access = pairs_part(&blob, &access),
               .refs = pairs_part(&blob, &refs),
               .projection = part(&blob, projection)};
    free(listed);
    free(projection);
    util_buf_dispose(&access);
    util_buf_dispose(&refs);

    /* The date a field-based deadline of its stage counts from. */
    const wf_stage *st = wf && stage ? wf_find_stage(wf, stage) : NULL;
    int64_t due_from = -1;
    if (st && st->has_deadline && st->deadline_from)
        docs_due_from(&due_from, fields, st);
    size_t blen = blob.len;
    char *b = blob.len ? util_buf_detach(&blob, &blen) : NULL;
    util_buf_dispose(&blob);
    char *fit = b ? realloc(b, blen + 1) : NULL; /* the buffer grew by doubling */
    if (fit)
        b = fit;
    return install(svc, d, type, doc_str(doc, "region"), stage, b, blen, &p, due_from);
}

/* ---- an entry as bytes (the start-up snapshot's records) ---- */

/* Layout, little-endian: u8 ENTRY_FORMAT; i64 due_from_ms; type, region and
 * stage each as u8 present and its text with its '\0'; five i32 offsets
 * into the blob (title, listed, access, refs, projection; -1: none); u32
 * blob length; the blob. */
#define ENTRY_FORMAT 1

static void put_le(util_buf *b, uint64_t v, int n)
{
    char c[8];
    for (int i = 0; i < n; i++)
        c[i] = (char)(v >> (8 * i));
    util_buf_append(b, c, (size_t)n);
}

static void put_opt(util_buf *b, const char *s)
{
    util_buf_append(b, s ? "\1" : "\0", 1);
    if (s)
        put(b, s);
}

static long off_in(const idx_entry *e, const char *part)
{
    return part ? (long)(part - e->blob) : -1;
}

int docs_entry_pack(util_buf *out, const idx_doc *d)
{
    const idx_entry *e = &d->entry;
    if (!e->kept)
        return KENES_EINVAL;
    size_t before = out->len;
    util_buf_append(out, "\1", 1);
    put_le(out, (uint64_t)e->due_from_ms, 8);
    put_opt(out, e->type);
    put_opt(out, e->region);
    put_opt(out, e->stage);
    const char *parts_at[5] = {e->title, e->listed, e->access, e->refs, e->projection};
    for (size_t i = 0; i < 5; i++)
        put_le(out, (uint64_t)(uint32_t)(int32_t)off_in(e, parts_at[i]), 4);
    put_le(out, e->blob_len, 4);
    if (e->blob_len)
        util_buf_append(out, e->blob, e->blob_len);
    return out->len > before ? 0 : KENES_ENOMEM;
}

typedef struct cursor {
    const unsigned char *p;
    size_t left;
    int bad;
} cursor;

static uint64_t take_le(cursor *c, int n)
{
    uint64_t v = 0;
    if (c->left < (size_t)n) {
        c->bad = 1;
        return 0;
    }
    for (int i = 0; i < n; i++)
        v |= (uint64_t)c->p[i] << (8 * i);
    c->p += n;
    c->left -= (size_t)n;
    return v;
}

static const char *take_opt(cursor *c)
{
    if (take_le(c, 1) == 0 || c->bad)
        return NULL;
    const char *s = (const char *)c->p;
    const char *end = memchr(s, '\0', c->left);
    if (!end) {
        c->bad = 1;
        return NULL;
    }
    c->left -= (size_t)(end - s) + 1;
    c->p = (const unsigned char *)end + 1;
    return s;
}

int docs_entry_unpack(docs_service *svc, idx_doc *d, const char *bytes, size_t len)
{
    cursor c = {(const unsigned char *)bytes, len, 0};
    if (take_le(&c, 1) != ENTRY_FORMAT)
        return KENES_EINVAL;
    int64_t due_from = (int64_t)take_le(&c, 8);
    const char *type = take_opt(&c), *region = take_opt(&c), *stage = take_opt(&c);
    long off[5];
    for (size_t i = 0; i < 5; i++)
        off[i] = (int32_t)(uint32_t)take_le(&c, 4);
    size_t blen = take_le(&c, 4);
    if (c.bad || c.left != blen)
        return KENES_EINVAL;
    /* Every part starts inside the blob, and the blob ends with a '\0':
     * no part reads past it. */
    for (size_t i = 0; i < 5; i++)
        if (off[i] < -1 || (off[i] >= 0 && (size_t)off[i] >= blen))
            return KENES_EINVAL;
    if (blen && c.p[blen - 1] != '\0')
        return KENES_EINVAL;
    char *b = NULL;
    if (blen && !(b = malloc(blen)))
        return KENES_ENOMEM;
    if (blen)
        memcpy(b, c.p, blen);
    parts p = {off[0], off[1], off[2], off[3], off[4]};
    return install(svc, d, type, region, stage, b, blen, &p, due_from);
}

/* ---- the test knob ---- */

int docs_test_drop(void)
{
    static int knob = -1;
    if (knob < 0) {
        const char *v = getenv("KENES_TEST_DROP");
        knob = v && strcmp(v, "1") == 0;
    }
    return knob;
}

void docs_entry_drop(const docs_service *svc, idx_doc *d)
{
    if (docs_test_drop() && d->doc && d->entry.kept && (!docs_resident(svc, d) || d->text))
        index_set_doc(d, NULL);
}
