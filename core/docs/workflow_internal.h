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

/* A stage's deadline: and remind: (workflow_due.c), into s. */
int wf_parse_deadline(wf_load_ctx *c, yaml_node_t *n, wf_stage *s);
int wf_parse_remind(wf_load_ctx *c, yaml_node_t *n, wf_stage *s);

/* labels: (required) and record: (optional), after everything they name. */
int wf_parse_labels(wf_load_ctx *c, yaml_node_t *root);
int wf_parse_record(wf_load_ctx *c, yaml_node_t *root);

void wf_free_labels(wf_label_entry *v, size_t n);
void wf_free_record(wf_record_field *v, size_t n);

#endif
