/*
 * Inside the workflow loader: one load in progress and the checks its two
 * files share.  workflow.c parses what moves a document (stages,
 * transitions, who may); workflow_words.c what people read (labels, the
 * public record).  Nothing outside core/docs/workflow*.c includes this.
 */
#ifndef KENES_WORKFLOW_INTERNAL_H
#define KENES_WORKFLOW_INTERNAL_H

#include "base/yml.h"
#include "docs/workflow.h"

/* One load in progress: the parsed file, the workflow being filled and
 * where the first error goes. */
typedef struct wf_load_ctx {
    yml_doc doc;
    const char *path;
    const wf_resolver *res;
    wf_workflow *wf;
    int *stage_lines; /* where each stage was declared, for duplicate messages */
    char *err;
    size_t errcap;
} wf_load_ctx;

/* "file:line: message" for node n into the load's err; KENES_EINVAL. */
int wf_fail(wf_load_ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Refuse keys outside allowed (NULL-terminated; NULL: any name) and keys
 * given twice; where names the mapping in messages (NULL: the top level). */
int wf_check_keys(wf_load_ctx *c, yaml_node_t *map, const char *const *allowed,
                  const char *where);

/* A required or optional non-empty scalar; *out NULL when absent and optional. */
int wf_get_scalar(wf_load_ctx *c, yaml_node_t *map, const char *key, int required,
                  const char *where, yaml_node_t **node, const char **out);

/* roles: one name or a list, as a bit set of enum role. */
int wf_parse_roles(wf_load_ctx *c, yaml_node_t *n, unsigned *roles);

/* key: true or false (absent: false). */
int wf_get_bool(wf_load_ctx *c, yaml_node_t *map, const char *key, int *out);

/* "a" or [a, b]: the scalar nodes (*out malloc'd; free() it, not the nodes). */
int wf_name_list(wf_load_ctx *c, yaml_node_t *n, const char *key, yaml_node_t ***out,
                 size_t *count);

/* map's scope: (absent: all); named_ok 0 where named-region means nothing
 * (create:, edit:).  Needs region_field/agency_field parsed first. */
int wf_parse_scope(wf_load_ctx *c, yaml_node_t *map, int named_ok, enum scope *scope);

/* One transition; former 1 for an item of former.transitions (its stages
 * may be former ones, it may repeat a current action). */
int wf_parse_transition(wf_load_ctx *c, yaml_node_t *tn, int former, wf_transition *t);

/* workflow_keys.c: issue 15's keys.  A transition's records, clears and
 * moves (its back is read with to:); the workflow's region_field and
 * agency_field, former: (stages first, transitions after the current
 * ones) and attach:. */
int wf_parse_transition_keys(wf_load_ctx *c, yaml_node_t *tn, wf_transition *t);
int wf_parse_fields(wf_load_ctx *c, yaml_node_t *root);
int wf_parse_former_stages(wf_load_ctx *c, yaml_node_t *root);
int wf_parse_former_transitions(wf_load_ctx *c, yaml_node_t *root);
int wf_parse_attach(wf_load_ctx *c, yaml_node_t *root);

/* a.b.c: names of a-z, 0-9, _ and - joined by single dots. */
int wf_valid_path(const char *p);

void wf_free_strv(char **v, size_t n);

/* A stage's deadline: and remind: (workflow_due.c), into s. */
int wf_parse_deadline(wf_load_ctx *c, yaml_node_t *n, wf_stage *s);
int wf_parse_remind(wf_load_ctx *c, yaml_node_t *n, wf_stage *s);

/* labels: (required) and record: (optional), after everything they name. */
int wf_parse_labels(wf_load_ctx *c, yaml_node_t *root);
int wf_parse_record(wf_load_ctx *c, yaml_node_t *root);

void wf_free_labels(wf_label_entry *v, size_t n);
void wf_free_record(wf_record_field *v, size_t n);

#endif
