/*
 * The words of a workflow file, what people read: the labels of its stages
 * and actions, and the fields the public page's record shows.  workflow.c
 * parses the rest and calls these last, once everything they name is known.
 */
#include "docs/workflow_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define WF_KEY_MAX 64

/* The length of the placeholder "{key}" at s (a key of a-z, 0-9, _ and -,
 * at most WF_KEY_MAX long), or 0 if s holds none. */
static size_t placeholder_len(const char *s)
{
    size_t n = 1;
    if (s[0] != '{')
        return 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
           s[n] == '-')
        n++;
    return n > 1 && n <= WF_KEY_MAX + 1 && s[n] == '}' ? n + 1 : 0;
}

/* 1 if s has a Latin letter outside its placeholders (with_keys) or at all. */
static int has_latin(const char *s, int with_keys)
{
    for (; *s; s++) {
        size_t k = with_keys ? placeholder_len(s) : 0;
        if (k)
            s += k - 1;
        else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
            return 1;
    }
    return 0;
}

/* 1 if every brace of s opens or closes a placeholder "{key}". */
static int braces_close(const char *s)
{
    for (; *s; s++) {
        size_t k = placeholder_len(s);
        if (k)
            s += k - 1;
        else if (*s == '{' || *s == '}')
            return 0;
    }
    return 1;
}

/* {ru: ..., kk: ..., en: ...} into text[]: the label (what: "label") or the
 * text (what: "text", placeholders allowed) of kind `of` called name. */
static int parse_langs(wf_load_ctx *c, yaml_node_t *n, const char *what, const char *of,
                       const char *name, char *text[WF_NLANGS])
{
    int with_keys = strcmp(what, "text") == 0;
    if (!n || n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "the %s of %s '%s' must be a mapping {ru: ..., kk: ..., en: ...}",
                       what, of, name);
    static const char *const keys[] = {"ru", "kk", "en", NULL};
    char where[16];
    snprintf(where, sizeof(where), "a %s", what);
    int rc = wf_check_keys(c, n, keys, where);
    for (int l = 0; rc == 0 && l < WF_NLANGS; l++) {
        yaml_node_t *tn;
        const char *s;
        if ((rc = wf_get_scalar(c, n, wf_langs[l], 1, where, &tn, &s)) < 0)
            break;
        /* Russian and Kazakh are written in Cyrillic: a Latin letter there
         * is a code or an English word left in by mistake. */
        if (with_keys && !braces_close(s))
            rc = wf_fail(c, tn, "the %s %s of %s '%s': a brace that is not a {key}",
                         wf_langs[l], what, of, name);
        else if (l != WF_LANG_EN && has_latin(s, with_keys))
            rc = wf_fail(c, tn, "the %s %s of %s '%s' must be written in Cyrillic", wf_langs[l],
                         what, of, name);
        else if (!(text[l] = strdup(s)))
            rc = KENES_ENOMEM;
    }
    return rc;
}

/* 1 if name is among the labels so far. */
static const wf_label_entry *find_label(const wf_label_entry *v, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return &v[i];
    return NULL;
}

/* labels.stages or labels.actions: a label for each name known (1 from
 * known()), every one of them labelled. */
static int parse_label_map(wf_load_ctx *c, yaml_node_t *labels, const char *key, const char *what,
                           int (*known)(const wf_workflow *, const char *),
                           wf_label_entry **out, size_t *count)
{
    yaml_node_t *n = yml_get(&c->doc, labels, key);
    if (!n)
        return wf_fail(c, labels, "missing required key '%s' in the labels", key);
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "'labels.%s' must map each %s to {ru, kk, en}", key, what);
    int rc = wf_check_keys(c, n, NULL, NULL);
    size_t np;
    yaml_node_pair_t *pairs = yml_pairs(n, &np);
    if (rc < 0 || !(*out = calloc(np ? np : 1, sizeof(**out))))
        return rc < 0 ? rc : KENES_ENOMEM;
    for (size_t i = 0; i < np; i++) {
        yaml_node_t *kn = yml_node(&c->doc, pairs[i].key);
        const char *name = yml_scalar(kn);
        if (!name || !known(c->wf, name))
            return wf_fail(c, kn, "a label for an unknown %s '%s'", what, name ? name : "?");
        wf_label_entry *e = &(*out)[(*count)++];
        if (!(e->name = strdup(name)))
            return KENES_ENOMEM;
        if ((rc = parse_langs(c, yml_node(&c->doc, pairs[i].value), "label", what,
                                e->name, e->text)) < 0)
            return rc;
    }
    return 0;
}

/* Former stages and actions keep their labels: history shows them. */
static int stage_known(const wf_workflow *wf, const char *name)
{
    return wf_find_stage(wf, name) || wf_is_former_stage(wf, name) ||
           (wf->erased_stage && strcmp(wf->erased_stage, name) == 0);
}

static int action_known(const wf_workflow *wf, const char *name)
{
    for (size_t i = 0; i < wf->ntransitions; i++)
        if (strcmp(wf->transitions[i].action, name) == 0)
            return 1;
    return wf_is_erasure(wf, name);
}

/* labels: {stages: {...}, actions: {...}}: every stage and action the
 * workflow declares, in each language, for the people who read them. */
int wf_parse_labels(wf_load_ctx *c, yaml_node_t *root)
{
    static const char *const keys[] = {"stages", "actions", "type", NULL};
    wf_workflow *wf = c->wf;
    yaml_node_t *n = yml_get(&c->doc, root, "labels");
    if (!n)
        return wf_fail(c, root, "missing required top-level key 'labels' (each stage and action "
                             "in ru, kk and en)");
    if (n->type != YAML_MAPPING_NODE)
        return wf_fail(c, n, "'labels' must be a mapping {stages: {...}, actions: {...}}");
    int rc = wf_check_keys(c, n, keys, "the labels");
    if (rc < 0 ||
        (rc = parse_label_map(c, n, "stages", "stage", stage_known, &wf->stage_labels,
                              &wf->nstage_labels)) < 0 ||
        (rc = parse_label_map(c, n, "actions", "action", action_known, &wf->action_labels,
                              &wf->naction_labels)) < 0)
        return rc;
    /* labels.type: what people call a document of this type (optional: a
     * page shows the type's code without it). */
    yaml_node_t *tn = yml_get(&c->doc, n, "type");
    if (tn && (rc = parse_langs(c, tn, "label", "type", wf->type, wf->type_label)) < 0)
        return rc;
    yaml_node_t *sn = yml_get(&c->doc, n, "stages"), *an = yml_get(&c->doc, n, "actions");
    for (size_t i = 0; i < wf->nstages; i++)
        if (!find_label(wf->stage_labels, wf->nstage_labels, wf->stages[i].name))
            return wf_fail(c, sn, "stage '%s' has no label", wf->stages[i].name);
    for (size_t i = 0; i < wf->nformer_stages; i++)
        if (!find_label(wf->stage_labels, wf->nstage_labels, wf->former_stages[i].name))
            return wf_fail(c, sn, "former stage '%s' has no label (history shows it)",
                           wf->former_stages[i].name);
    if (wf->erased_stage && !find_label(wf->stage_labels, wf->nstage_labels, wf->erased_stage))
        return wf_fail(c, sn, "stage '%s' (erase) has no label", wf->erased_stage);
    for (size_t i = 0; i < wf->ntransitions; i++)
        if (!find_label(wf->action_labels, wf->naction_labels, wf->transitions[i].action))
            return wf_fail(c, an, "action '%s' has no label", wf->transitions[i].action);
    if (wf->erase_action && !find_label(wf->action_labels, wf->naction_labels, wf->erase_action))
        return wf_fail(c, an, "action '%s' (erase) has no label", wf->erase_action);
    return 0;
}

void wf_free_labels(wf_label_entry *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].name);
        for (int l = 0; l < WF_NLANGS; l++)
            free(v[i].text[l]);
    }
    free(v);
}

/* ---- the public record -------------------------------------------------- */

/* record: [{field, label: {ru, kk, en}, text: {ru, kk, en}}, ...] */
int wf_parse_record(wf_load_ctx *c, yaml_node_t *root)
{
    static const char *const keys[] = {"field", "label", "text", NULL};
    wf_workflow *wf = c->wf;
    yaml_node_t *n = yml_get(&c->doc, root, "record");
    if (!n)
        return 0;
    size_t k;
    yaml_node_item_t *items = yml_items(n, &k);
    if (!items || k == 0)
        return wf_fail(c, n, "'record' must be a non-empty list of {field, label, text}");
    if (!(wf->record = calloc(k, sizeof(*wf->record))))
        return KENES_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        yaml_node_t *item = yml_node(&c->doc, items[i]), *fn;
        const char *field;
        if (!item || item->type != YAML_MAPPING_NODE)
            return wf_fail(c, item ? item : n, "an item of 'record' must be a mapping "
                                               "{field, label, text}");
        int rc = wf_check_keys(c, item, keys, "an item of 'record'");
        if (rc < 0 ||
            (rc = wf_get_scalar(c, item, "field", 1, "an item of 'record'", &fn, &field)) < 0)
            return rc;
        for (size_t j = 0; j < wf->nrecord; j++)
            if (strcmp(wf->record[j].label.name, field) == 0)
                return wf_fail(c, fn, "the record shows field '%s' twice", field);
        wf_record_field *f = &wf->record[wf->nrecord++];
        if (!(f->label.name = strdup(field)))
            return KENES_ENOMEM;
        yaml_node_t *ln = yml_get(&c->doc, item, "label"), *tn = yml_get(&c->doc, item, "text");
        if (!ln)
            return wf_fail(c, item, "missing required key 'label' in an item of 'record'");
        if ((rc = parse_langs(c, ln, "label", "field", field, f->label.text)) < 0 ||
            (tn && (rc = parse_langs(c, tn, "text", "field", field, f->text)) < 0))
            return rc;
    }
    return 0;
}

void wf_free_record(wf_record_field *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].label.name);
        for (int l = 0; l < WF_NLANGS; l++) {
            free(v[i].label.text[l]);
            free(v[i].text[l]);
        }
    }
    free(v);
}

/* ---- a document's record ------------------------------------------------ */

static int lang_index(const char *lang)
{
    for (int l = 0; lang && l < WF_NLANGS; l++)
        if (strcmp(wf_langs[l], lang) == 0)
            return l;
    return -1;
}

int wf_record_text(char **out, const wf_record_field *f, const char *lang, const json_t *fields)
{
    *out = NULL;
    int l = lang_index(lang);
    if (!f || l < 0)
        return KENES_EINVAL;
    const json_t *v = json_object_get(fields, f->label.name);
    if (!f->text[l]) {
        /* No text: the field is its own, when it is one. */
        if (json_is_string(v) && !(*out = strdup(json_string_value(v))))
            return KENES_ENOMEM;
        return 0;
    }
    util_buf b;
    util_buf_init(&b);
    int shown = 0, bad = 0;
    for (const char *s = f->text[l]; *s && !bad; s++) {
        size_t k = placeholder_len(s);
        if (!k) {
            bad = util_buf_append(&b, s, 1) < 0;
            continue;
        }
        char key[WF_KEY_MAX + 1];
        snprintf(key, sizeof(key), "%.*s", (int)(k - 2), s + 1);
        const char *value = json_string_value(json_object_get(v, key));
        shown |= value != NULL;
        bad = util_buf_puts(&b, value ? value : "—") < 0;
        s += k - 1;
    }
    if (!bad && shown && !(*out = util_buf_detach(&b, NULL)))
        bad = 1;
    if (bad || !shown)
        util_buf_dispose(&b);
    return bad ? KENES_ENOMEM : 0;
}
