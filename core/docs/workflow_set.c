/*
 * Workflows once loaded: the set of a directory's files, the lookups the
 * core makes (stages, transitions, what is public, what publishes, labels)
 * and the JSON the API serves.  Parsing is workflow.c's.
 */
#include "docs/workflow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "plugin/kapi.h"

struct wf_set {
    wf_workflow **items;
    size_t count;
    orders *orders; /* what the deadlines named, owned (wf_set_adopt_orders) */
    json_t *content; /* content/ lists for api->content, owned (wf_set_adopt_content) */
};

/* The *.yaml names in dir, sorted so that load order (and so which of two
 * clashing files is blamed) does not depend on the file system.  0, or the
 * code of what failed, said in err. */
static int list_yaml(char ***out, size_t *count, const char *dir, char *err, size_t errcap)
{
    int rc = util_list_dir(out, count, dir, ".yaml");
    if (rc == KENES_ENOMEM)
        util_set_err(err, errcap, "%s: out of memory", dir);
    else if (rc < 0)
        util_set_err(err, errcap, "%s: cannot read the workflow directory: %s", dir,
                     strerror(errno));
    return rc;
}

int wf_set_load_dir(wf_set **out, const char *dir, const wf_resolver *res, char *err,
                    size_t errcap)
{
    *out = NULL;
    char **names;
    size_t n;
    int rc = list_yaml(&names, &n, dir, err, errcap);
    if (rc < 0)
        return rc;
    wf_set *set = calloc(1, sizeof(*set));
    if (!set || (n && !(set->items = calloc(n, sizeof(*set->items))))) {
        free(set);
        util_free_list(names, n);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
            if (err && errcap)
                snprintf(err, errcap, "%s/%s: path too long", dir, names[i]);
            rc = KENES_EINVAL;
            break;
        }
        wf_workflow *wf;
        if ((rc = wf_load_file(&wf, path, res, err, errcap)) < 0)
            break;
        const wf_workflow *prev = wf_set_find(set, wf->type);
        if (prev) {
            if (err && errcap)
                snprintf(err, errcap, "%s:%d: a workflow for type '%s' is already defined in %s",
                         path, wf->type_line, wf->type, prev->file);
            wf_workflow_free(wf);
            rc = KENES_EINVAL;
            break;
        }
        set->items[set->count++] = wf;
    }
    util_free_list(names, n);
    if (rc < 0) {
        wf_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

void wf_set_free(wf_set *set)
{
    if (!set)
        return;
    kapi_forget_labels(set); /* api->label must not read a freed set */
    kapi_forget_content(set->content);
    orders_free(set->orders);
    json_decref(set->content);
    for (size_t i = 0; i < set->count; i++)
        wf_workflow_free(set->items[i]);
    free(set->items);
    free(set);
}

void wf_set_adopt_orders(wf_set *set, orders *o)
{
    orders_free(set->orders);
    set->orders = o;
}

const orders *wf_set_orders(const wf_set *set)
{
    return set ? set->orders : NULL;
}

void wf_set_adopt_content(wf_set *set, json_t *lists)
{
    json_decref(set->content);
    set->content = lists;
}

const json_t *wf_set_content(const wf_set *set)
{
    return set ? set->content : NULL;
}

size_t wf_set_count(const wf_set *set)
{
    return set ? set->count : 0;
}

const wf_workflow *wf_set_at(const wf_set *set, size_t i)
{
    return set && i < set->count ? set->items[i] : NULL;
}

const wf_workflow *wf_set_find(const wf_set *set, const char *type)
{
    for (size_t i = 0; set && type && i < set->count; i++)
        if (strcmp(set->items[i]->type, type) == 0)
            return set->items[i];
    return NULL;
}

const wf_stage *wf_find_stage(const wf_workflow *wf, const char *name)
{
    for (size_t i = 0; wf && name && i < wf->nstages; i++)
        if (strcmp(wf->stages[i].name, name) == 0)
            return &wf->stages[i];
    return NULL;
}

/* The transition for action from stage among the current (former 0) or the
 * former ones. */
static const wf_transition *find_transition(const wf_workflow *wf, const char *action,
                                            const char *from, int former)
{
    if (!wf || !action || !from)
        return NULL;
    for (size_t i = 0; i < wf->ntransitions; i++) {
        const wf_transition *t = &wf->transitions[i];
        if (t->former != former || !t->action || strcmp(t->action, action) != 0)
            continue;
        for (size_t j = 0; j < t->nfrom; j++)
            if (strcmp(t->from[j], from) == 0)
                return t;
    }
    return NULL;
}

const wf_transition *wf_find_transition(const wf_workflow *wf, const char *action,
                                        const char *from)
{
    return find_transition(wf, action, from, 0);
}

const wf_transition *wf_find_former_transition(const wf_workflow *wf, const char *action,
                                               const char *from)
{
    return find_transition(wf, action, from, 1);
}

int wf_has_action(const wf_workflow *wf, const char *action)
{
    for (size_t i = 0; wf && action && i < wf->ntransitions; i++)
        if (!wf->transitions[i].former && wf->transitions[i].action &&
            strcmp(wf->transitions[i].action, action) == 0)
            return 1;
    return 0;
}

int wf_is_former_stage(const wf_workflow *wf, const char *name)
{
    for (size_t i = 0; wf && name && i < wf->nformer_stages; i++)
        if (strcmp(wf->former_stages[i].name, name) == 0)
            return 1;
    return 0;
}

const char *wf_stage_now(const wf_workflow *wf, const char *name)
{
    for (size_t i = 0; wf && name && i < wf->nformer_stages; i++)
        if (strcmp(wf->former_stages[i].name, name) == 0)
            return wf->former_stages[i].value;
    return name;
}

int wf_records_field(const wf_workflow *wf, const char *key)
{
    for (size_t i = 0; wf && key && i < wf->ntransitions; i++)
        for (size_t j = 0; !wf->transitions[i].former && j < wf->transitions[i].nrecords; j++)
            if (strcmp(wf->transitions[i].records[j], key) == 0)
                return 1;
    return 0;
}

int wf_transition_records(const wf_transition *t, const char *key)
{
    for (size_t j = 0; t && key && j < t->nrecords; j++)
        if (strcmp(t->records[j], key) == 0)
            return 1;
    return 0;
}

int wf_attach_stage(const wf_workflow *wf, const char *stage)
{
    for (size_t i = 0; wf && wf->has_attach && stage && i < wf->nattach_stages; i++)
        if (strcmp(wf->attach_stages[i], stage) == 0)
            return 1;
    return 0;
}

int wf_stage_public(const wf_workflow *wf, const char *stage)
{
    const wf_stage *st = wf_find_stage(wf, stage);
    return st && st->is_public;
}

int wf_action_publishes(const wf_workflow *wf, const char *action, const char *from)
{
    const wf_transition *t = wf_find_transition(wf, action, from);
    return t && t->publishes;
}

int wf_is_erasure(const wf_workflow *wf, const char *action)
{
    return wf && wf->erase_action && action && strcmp(wf->erase_action, action) == 0;
}

/* ---- labels ------------------------------------------------------------- */

const char *wf_label(const wf_workflow *wf, const char *what, const char *name,
                     const char *lang)
{
    if (!wf || !what || !lang)
        return NULL;
    for (int l = 0; strcmp(what, "type") == 0 && l < WF_NLANGS; l++)
        if (strcmp(wf_langs[l], lang) == 0)
            return wf->type_label[l];
    if (!name)
        return NULL;
    int stage = strcmp(what, "stage") == 0;
    if (!stage && strcmp(what, "action") != 0)
        return NULL;
    const wf_label_entry *v = stage ? wf->stage_labels : wf->action_labels;
    size_t n = stage ? wf->nstage_labels : wf->naction_labels;
    for (int l = 0; l < WF_NLANGS; l++) {
        if (strcmp(wf_langs[l], lang) != 0)
            continue;
        for (size_t i = 0; i < n; i++)
            if (strcmp(v[i].name, name) == 0)
                return v[i].text[l];
    }
    return NULL;
}

const char *wf_set_label(const void *set, const char *type, const char *what, const char *name,
                         const char *lang)
{
    return wf_label(wf_set_find(set, type), what, name, lang);
}

/* {ru, kk, en}, or null for a text the file leaves out */
static json_t *langs_json(char *const text[WF_NLANGS])
{
    if (!text[WF_LANG_RU])
        return json_null();
    return json_pack("{s:s, s:s, s:s}", wf_langs[WF_LANG_RU], text[WF_LANG_RU],
                     wf_langs[WF_LANG_KK], text[WF_LANG_KK], wf_langs[WF_LANG_EN],
                     text[WF_LANG_EN]);
}

/* {name: {ru, kk, en}} */
static json_t *labels_json(const wf_label_entry *v, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        json_object_set_new(o, v[i].name, langs_json(v[i].text));
    return o;
}

/* [{field, label, text}] */
static json_t *record_json(const wf_record_field *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:o, s:o}", "field", v[i].label.name, "label",
                                           langs_json(v[i].label.text), "text",
                                           langs_json(v[i].text)));
    return a;
}

/* ---- JSON --------------------------------------------------------------- */

const char *wf_scope_name(enum scope s)
{
    switch (s) {
    case SCOPE_OWN_REGION:
        return "own-region";
    case SCOPE_NAMED_REGION:
        return "named-region";
    case SCOPE_OWN_AGENCY:
        return "own-agency";
    default:
        return "all";
    }
}

static json_t *roles_json(unsigned roles)
{
    json_t *a = json_array();
    for (unsigned bit = 1; a && bit; bit <<= 1)
        if (roles & bit)
            json_array_append_new(a, json_string(role_name((enum role)bit)));
    return a;
}

static json_t *strv_json(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *transition_json(const wf_transition *t)
{
    return json_pack("{s:s, s:o, s:s?, s:o, s:s, s:o, s:i, s:b, s:b, s:b, s:o, s:o, s:b, s:b, s:b}",
                     "action", t->action, "from", strv_json(t->from, t->nfrom), "to", t->to,
                     "roles", roles_json(t->roles), "scope", wf_scope_name(t->scope), "guards",
                     strv_json(t->guard_names, t->nguards), "approvals", (int)t->approvals,
                     "not_by_authors", t->not_by_authors, "publishes", t->publishes, "inbox",
                     !t->no_inbox, "records", strv_json(t->records, t->nrecords), "clears",
                     strv_json(t->clears, t->nclears), "clears_files", t->clears_files, "back",
                     t->back, "moves", t->moves);
}

json_t *wf_to_json(const wf_workflow *wf)
{
    if (!wf)
        return NULL;
    json_t *stages = json_array();
    for (size_t i = 0; stages && i < wf->nstages; i++) {
        const wf_stage *st = &wf->stages[i];
        json_t *sj = json_pack("{s:s, s:b, s:b}", "name", st->name, "editable", st->editable,
                               "public", st->is_public);
        if (st->has_deadline)
            json_object_set_new(sj, "deadline",
                                json_pack("{s:s?, s:I, s:s?, s:s?, s:b, s:s}", "from_field",
                                          st->deadline_from, "after_hours",
                                          (json_int_t)(st->deadline_after_ms / 3600000),
                                          "closed_by", st->deadline_closed_by, "order",
                                          st->deadline_order, "end_of_day",
                                          st->deadline_end_of_day, "editions",
                                          st->deadline_first_edition ? "first" : "all"));
        if (st->has_remind)
            json_object_set_new(sj, "remind",
                                json_pack("{s:o, s:s?, s:I}", "roles", roles_json(st->remind_roles),
                                          "user_field", st->remind_user_field, "before_hours",
                                          (json_int_t)(st->remind_before_ms / 3600000)));
        json_array_append_new(stages, sj);
    }
    json_t *read = json_array();
    for (size_t i = 0; read && i < wf->nread; i++)
        json_array_append_new(read, json_pack("{s:o, s:s}", "roles", roles_json(wf->read[i].roles),
                                              "scope", wf_scope_name(wf->read[i].scope)));
    json_t *transitions = json_array(), *former_tr = json_array();
    for (size_t i = 0; transitions && former_tr && i < wf->ntransitions; i++) {
        const wf_transition *t = &wf->transitions[i];
        json_array_append_new(t->former ? former_tr : transitions, transition_json(t));
    }
    json_t *former = json_null(), *attach = json_null();
    if (wf->nformer_stages || json_array_size(former_tr)) {
        json_t *map = json_object();
        for (size_t i = 0; map && i < wf->nformer_stages; i++)
            json_object_set_new(map, wf->former_stages[i].name,
                                json_string(wf->former_stages[i].value));
        former = json_pack("{s:o, s:O}", "stages", map, "transitions", former_tr);
    }
    json_decref(former_tr);
    if (wf->has_attach)
        attach = json_pack("{s:o, s:s, s:o}", "roles", roles_json(wf->attach_roles), "scope",
                           wf_scope_name(wf->attach_scope), "stages",
                           strv_json(wf->attach_stages, wf->nattach_stages));
    json_t *erase = wf->erase_action ? json_pack("{s:s, s:s}", "action", wf->erase_action,
                                                 "stage", wf->erased_stage)
                                     : json_null();
    return json_pack("{s:s, s:s, s:o, s:{s:o, s:s}, s:{s:o, s:s}, s:o, s:o, s:o, s:{s:o, s:o}, "
                     "s:o, s:s?, s:s?, s:o, s:o}",
                     "type", wf->type, "initial", wf->initial, "stages", stages, "create",
                     "roles", roles_json(wf->create_roles), "scope",
                     wf_scope_name(wf->create_scope), "edit", "roles", roles_json(wf->edit_roles),
                     "scope", wf_scope_name(wf->edit_scope), "read", read, "transitions",
                     transitions, "erase", erase, "labels", "stages",
                     labels_json(wf->stage_labels, wf->nstage_labels), "actions",
                     labels_json(wf->action_labels, wf->naction_labels), "record",
                     record_json(wf->record, wf->nrecord), "region_field", wf->region_field,
                     "agency_field", wf->agency_field, "attach", attach, "former", former);
}
