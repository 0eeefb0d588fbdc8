/*
 * The roster a meeting's attendance is judged against: the members of the
 * region's commission-roster in force (its public face, api->doc_each_public:
 * while an amendment of it is drafted, the version in force still counts),
 * the latest by id when there are several (ids are roster/<region>/<YYYY-MM>,
 * so the latest order's).  Names are compared folded as words, the way the core folds
 * text (NFKC, case folding; punctuation and runs of spaces as one space),
 * so "Серикова  Айжан" and "СЕРИКОВА Айжан" are one person.
 *
 * And the quorum: a share of the roster, the workflow's params: quorum.
 */
#include <kenes/plugin.h>

#include <stdlib.h>
#include <string.h>

#include "commission_meeting.h"
#include "kenes_sdk.h"

typedef struct latest {
    const kenes_api *api;
    char *id; /* the latest roster in force so far */
    int failed;
} latest;

static int note_in_force(const kenes_doc *doc, void *arg)
{
    latest *l = arg;
    const char *id = l->api->doc_get(doc, "id");
    if (!id)
        return 0;
    /* Visited in id order: a later one replaces the one before. */
    char *copy = strdup(id);
    if (!copy) {
        l->failed = 1;
        return KENES_ENOMEM;
    }
    free(l->id);
    l->id = copy;
    return 0;
}

typedef struct fold_members {
    const kenes_api *api;
    cm_roster *r;
} fold_members;

static int fold_all(const kenes_doc *doc, void *arg)
{
    fold_members *f = arg;
    const json_t *members = json_object_get(f->api->doc_fields(doc), "members");
    size_t n = json_array_size(members);
    f->r->folded = calloc(n ? n : 1, sizeof(char *));
    if (!f->r->folded)
        return KENES_ENOMEM;
    size_t i;
    const json_t *m;
    json_array_foreach(members, i, m) {
        const char *name = json_string_value(json_object_get(m, "full_name"));
        char *folded;
        if (!name)
            continue;
        int rc = chk_fold(&folded, f->api, name, KENES_FOLD_WORDS);
        if (rc == KENES_ENOMEM)
            return rc;
        if (rc != 0 || !folded[0]) {
            free(folded); /* NULL on error: a name that cannot be read matches nobody */
            continue;
        }
        f->r->folded[f->r->n++] = folded;
    }
    return 0;
}

int cm_roster_load(cm_roster *r, const kenes_api *api, const char *region)
{
    memset(r, 0, sizeof(*r));
    /* A core without public faces has no roster in force to offer. */
    if (!region || !KENES_API_HAS(api, doc_public_with))
        return 0;
    latest l = {.api = api};
    int rc = api->doc_each_public(CM_ROSTER_TYPE, region, note_in_force, &l);
    if (rc == 0 && l.id) {
        fold_members f = {api, r};
        rc = api->doc_public_with(l.id, fold_all, &f);
        if (rc == 0)
            r->found = 1;
        else if (rc == KENES_ENOTFOUND)
            rc = 0;
    }
    free(l.id);
    if (rc != 0) {
        cm_roster_dispose(r);
        /* KENES_EIO: the core cannot read the roster's history now. */
        return rc < 0 ? rc : KENES_ENOMEM;
    }
    return 0;
}

void cm_roster_dispose(cm_roster *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->folded[i]);
    free(r->folded);
    memset(r, 0, sizeof(*r));
}

long cm_roster_find(const cm_roster *r, const char *folded)
{
    for (size_t i = 0; folded && i < r->n; i++)
        if (strcmp(r->folded[i], folded) == 0)
            return (long)i;
    return -1;
}

/* "p/q": digits, a slash, digits; 0 <= p < q <= 1000.  A share of 1 or
 * more could never be exceeded: no meeting would ever be quorate. */
static int parse_share(const char *s, unsigned *p, unsigned *q)
{
    unsigned v[2] = {0, 0};
    for (int part = 0; part < 2; part++) {
        size_t digits = 0;
        for (; *s >= '0' && *s <= '9'; s++, digits++) {
            if (digits == 4)
                return -1;
            v[part] = v[part] * 10 + (unsigned)(*s - '0');
        }
        if (!digits || (part == 0 ? *s++ != '/' : *s != '\0'))
            return -1;
    }
    if (v[1] == 0 || v[1] > 1000 || v[0] >= v[1])
        return -1;
    *p = v[0];
    *q = v[1];
    return 0;
}

void cm_quorum_share(const kenes_api *api, unsigned *p, unsigned *q)
{
    *p = 1;
    *q = 2;
    const char *s = api->param(CM_TYPE, "quorum");
    if (!s)
        return;
    if (parse_share(s, p, q) != 0) {
        *p = 1;
        *q = 2;
        /* The value is the workflow's, not anyone's data: but a line is
         * enough to find it, so it is not repeated. */
        api->log(KENES_LOG_WARN, CM_TYPE,
                 "workflow param quorum is not a share p/q below 1 (such as 1/2 or 2/3): "
                 "using 1/2");
    }
}

size_t cm_quorum_needed(size_t members, unsigned p, unsigned q)
{
    /* more than members * p / q: the least n with n * q > members * p */
    return (size_t)((unsigned long long)members * p / q) + 1;
}
