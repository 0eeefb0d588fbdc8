#include "web/diffcols.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

typedef struct side_run {
    json_t *dels, *adds; /* the pending run: [{"no","text","kind"}] */
} side_run;

static json_t *line_of(int no, const char *text, size_t len, const char *kind,
                       diffcols_word_fn word, void *payload)
{
    char *copy = strndup(text, len);
    if (!copy)
        return NULL;
    char *shown = word ? word(copy, payload) : NULL;
    json_t *j = json_pack("{s:i, s:s, s:s, s:b}", "no", no, "text", shown ? shown : copy, "kind",
                          kind, "changed", strcmp(kind, "same") != 0);
    free(shown);
    free(copy);
    return j;
}

/* The pending run of removed lines facing the added ones, row by row. */
static int flush(json_t *rows, side_run *run, int *changes)
{
    size_t nd = json_array_size(run->dels), na = json_array_size(run->adds);
    for (size_t i = 0; i < nd || i < na; i++) {
        json_t *row = json_object();
        if (!row)
            return KENES_ENOMEM;
        if (i < nd)
            json_object_set(row, "left", json_array_get(run->dels, i));
        if (i < na)
            json_object_set(row, "right", json_array_get(run->adds, i));
        if (json_array_append_new(rows, row) < 0)
            return KENES_ENOMEM;
        (*changes)++;
    }
    json_array_clear(run->dels);
    json_array_clear(run->adds);
    return 0;
}

/* "@@ -a[,b] +c[,d] @@...": a and c. */
static int hunk_header(const char *s, int *left, int *right)
{
    char *end;
    if (strncmp(s, "@@ -", 4) != 0)
        return KENES_EINVAL;
    long a = strtol(s + 4, &end, 10);
    if (*end == ',')
        strtol(end + 1, &end, 10);
    if (strncmp(end, " +", 2) != 0)
        return KENES_EINVAL;
    long c = strtol(end + 2, &end, 10);
    if (*end == ',')
        strtol(end + 1, &end, 10);
    if (strncmp(end, " @@", 3) != 0 || a < 0 || c < 0 || a > 100000000 || c > 100000000)
        return KENES_EINVAL;
    *left = (int)a;
    *right = (int)c;
    return 0;
}

int diffcols_build(json_t **out, int *changes, const char *patch, diffcols_word_fn word,
                   void *payload)
{
    json_t *rows = json_array();
    side_run run = {json_array(), json_array()};
    int rc = rows && run.dels && run.adds ? 0 : KENES_ENOMEM;
    int in_hunk = 0, lno = 0, rno = 0;
    *out = NULL;
    *changes = 0;
    for (const char *p = patch ? patch : ""; rc == 0 && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (strncmp(p, "@@", 2) == 0) {
            rc = flush(rows, &run, changes);
            if (rc == 0)
                rc = hunk_header(p, &lno, &rno);
            if (rc == 0 && json_array_append_new(rows, json_pack("{s:b, s:i, s:i}", "hunk", 1,
                                                                 "left_from", lno, "right_from",
                                                                 rno)) < 0)
                rc = KENES_ENOMEM;
            in_hunk = 1;
        } else if (in_hunk && len > 0 && (*p == '-' || *p == '+')) {
            json_t *l = line_of(*p == '-' ? lno++ : rno++, p + 1, len - 1,
                                *p == '-' ? "del" : "add", word, payload);
            if (!l || json_array_append_new(*p == '-' ? run.dels : run.adds, l) < 0)
                rc = KENES_ENOMEM;
        } else if (in_hunk && (*p == ' ' || len == 0)) {
            /* Context (an empty line may come without its leading space). */
            rc = flush(rows, &run, changes);
            const char *t = len ? p + 1 : p;
            size_t tl = len ? len - 1 : 0;
            json_t *row = rc == 0 ? json_object() : NULL;
            json_t *l = row ? line_of(lno++, t, tl, "same", word, payload) : NULL;
            json_t *r = l ? line_of(rno++, t, tl, "same", word, payload) : NULL;
            if (!r || json_object_set_new(row, "left", l) < 0 ||
                json_object_set_new(row, "right", r) < 0 || json_array_append_new(rows, row) < 0) {
                if (!r) {
                    json_decref(l);
                    json_decref(row);
                }
                rc = KENES_ENOMEM;
            }
        } else if (*p != '\\') {
            /* A file header (diff --git, index, ---, +++): a new file's hunks follow. */
            if (in_hunk)
                rc = flush(rows, &run, changes);
            in_hunk = 0;
        }
        p += len + (nl ? 1 : 0);
    }
    if (rc == 0)
        rc = flush(rows, &run, changes);
    json_decref(run.dels);
    json_decref(run.adds);
    if (rc < 0) {
        json_decref(rows);
        return rc;
    }
    *out = rows;
    return 0;
}
