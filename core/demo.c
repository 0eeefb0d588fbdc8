#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "docs.h"
#include "log.h"
#include "util.h"

typedef struct demo_run {
    server *srv;
    json_t *steps;
    json_t *names; /* name -> document id */
    size_t next;
    int failed;
    char *err;
    size_t errcap;
    const char *path;
} demo_run;

static void run_step(demo_run *run);

static void step_done(const docs_result *r, void *payload)
{
    demo_run *run = payload;
    json_t *step = json_array_get(run->steps, run->next);
    if (!r->doc) {
        char *fields = r->fields ? json_dumps(r->fields, JSON_COMPACT) : NULL;
        snprintf(run->err, run->errcap, "%s: step %zu: %d %s: %s %s", run->path, run->next + 1,
                 r->status, r->code, r->message, fields ? fields : "");
        free(fields);
        run->failed = 1;
        return;
    }
    const char *name = json_string_value(json_object_get(step, "name"));
    if (name)
        json_object_set_new(run->names, name, json_string(r->doc->id));
    run->next++;
    run_step(run);
}

static void step_fail(demo_run *run, const char *why)
{
    snprintf(run->err, run->errcap, "%s: step %zu: %s", run->path, run->next + 1, why);
    run->failed = 1;
}

static void run_step(demo_run *run)
{
    if (run->failed || run->next >= json_array_size(run->steps))
        return;
    json_t *step = json_array_get(run->steps, run->next);
    const char *as = json_string_value(json_object_get(step, "as"));
    const auth_user *u = as ? auth_user_find(run->srv->auth, as) : NULL;
    if (!u)
        return step_fail(run, "'as' must name a demo user");
    json_t *create = json_object_get(step, "create");
    if (create)
        return docs_create(run->srv, u, create, step_done, run);
    const char *ref = json_string_value(json_object_get(step, "doc"));
    const char *id = ref ? json_string_value(json_object_get(run->names, ref)) : NULL;
    idx_doc *d = index_get(run->srv->index, id ? id : ref ? ref : "");
    if (!d || !d->version[0])
        return step_fail(run, "'doc' names no document created so far");
    char etag[48];
    snprintf(etag, sizeof(etag), "\"%s\"", d->version);
    json_t *edit = json_object_get(step, "edit");
    const char *act = json_string_value(json_object_get(step, "act"));
    if (edit)
        return docs_edit(run->srv, u, d, edit, etag, step_done, run);
    if (act)
        return docs_transition(run->srv, u, d, act,
                               json_string_value(json_object_get(step, "comment")), etag,
                               step_done, run);
    step_fail(run, "a step needs create, edit or act");
}

int demo_load(server *srv, const char *path, char *err, size_t errcap)
{
    char *text;
    size_t len;
    json_t *root = NULL;
    if (util_read_file(&text, &len, path) < 0) {
        snprintf(err, errcap, "%s: cannot read the file", path);
        return KENES_EIO;
    }
    char why[256];
    int rc = doc_parse_yaml(&root, text, len, why, sizeof(why));
    free(text);
    if (rc < 0) {
        snprintf(err, errcap, "%s: %s", path, why);
        return rc;
    }
    demo_run run = {srv, json_object_get(root, "steps"), json_object(), 0, 0, err, errcap, path};
    if (!json_is_array(run.steps)) {
        snprintf(err, errcap, "%s: expected a list 'steps'", path);
        rc = KENES_EINVAL;
    } else {
        run_step(&run);
        /* The writes finish on the thread pool; their callbacks chain the steps. */
        uv_run(srv->loop, UV_RUN_DEFAULT);
        if (run.failed)
            rc = KENES_EINVAL;
        else
            log_info("demo", "%zu demo steps played", run.next);
    }
    json_decref(run.names);
    json_decref(root);
    return rc;
}
