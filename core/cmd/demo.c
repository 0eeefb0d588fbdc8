#include "cmd/demo.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/docfile.h"
#include "docs/docs.h"
#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "base/yml.h"

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

/* A demo document refers to another by its step's name, and to days
 * around the day it is loaded, as a whole string value:
 *   "{{id:case2}}"   the id the step named case2 created (a case's is a
 *                    random uuid, known only once it exists);
 *   "{{date:-3}}"    the date (UTC, the core's clock) three days before today.
 * A meeting deciding on a case must be dated on or after the case was
 * created, which is the day the demo is loaded.  *out: a copy of v with
 * those replaced; 0, or -1 with why set. */
static int demo_resolve(json_t **out, const demo_run *run, const json_t *v, const char **why)
{
    *out = NULL;
    const char *s = json_string_value(v);
    if (s && strncmp(s, "{{id:", 5) == 0) {
        size_t n = strlen(s);
        char name[128];
        if (n < 8 || n - 7 >= sizeof(name) || strcmp(s + n - 2, "}}") != 0)
            return (*why = "a {{id:name}} is malformed", -1);
        memcpy(name, s + 5, n - 7);
        name[n - 7] = '\0';
        const char *id = json_string_value(json_object_get(run->names, name));
        if (!id)
            return (*why = "{{id:name}} names no document created so far", -1);
        return (*out = json_string(id)) ? 0 : (*why = "out of memory", -1);
    }
    if (s && strncmp(s, "{{date:", 7) == 0) {
        char *end;
        long days = strtol(s + 7, &end, 10);
        if (end == s + 7 || strcmp(end, "}}") != 0 || days < -3650 || days > 3650)
            return (*why = "a {{date:N}} is malformed", -1);
        time_t t = (time_t)(util_now_ms() / 1000) + (time_t)days * 86400;
        struct tm tm;
        char date[16];
        if (!gmtime_r(&t, &tm) || strftime(date, sizeof(date), "%Y-%m-%d", &tm) == 0)
            return (*why = "a {{date:N}} is out of range", -1);
        return (*out = json_string(date)) ? 0 : (*why = "out of memory", -1);
    }
    if (json_is_object(v) || json_is_array(v)) {
        json_t *copy = json_is_object(v) ? json_object() : json_array();
        const char *key;
        json_t *item;
        size_t i;
        int rc = copy ? 0 : (*why = "out of memory", -1);
        if (json_is_object(v)) {
            json_object_foreach((json_t *)v, key, item) {
                json_t *r;
                if (rc == 0 && (rc = demo_resolve(&r, run, item, why)) == 0)
                    json_object_set_new(copy, key, r);
            }
        } else {
            json_array_foreach(v, i, item) {
                json_t *r;
                if (rc == 0 && (rc = demo_resolve(&r, run, item, why)) == 0)
                    json_array_append_new(copy, r);
            }
        }
        if (rc != 0) {
            json_decref(copy);
            return rc;
        }
        *out = copy;
        return 0;
    }
    *out = json_deep_copy(v);
    return *out ? 0 : (*why = "out of memory", -1);
}

static void step_done(const docs_result *r, void *payload)
{
    demo_run *run = payload;
    json_t *step = json_array_get(run->steps, run->next);
    if (!r->doc) {
        char *fields = r->fields ? json_dumps(r->fields, JSON_COMPACT) : NULL;
        snprintf(run->err, run->errcap, "%s: step %zu: %s: %s %s", run->path, run->next + 1,
                 r->reason, r->message, fields ? fields : "");
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
    const char *why = NULL;
    json_t *create = NULL, *edit = NULL;
    if (json_object_get(step, "create") &&
        demo_resolve(&create, run, json_object_get(step, "create"), &why) != 0)
        return step_fail(run, why);
    if (create) {
        docs_create(&run->srv->svc, u, create, 0, step_done, run);
        json_decref(create);
        return;
    }
    const char *ref = json_string_value(json_object_get(step, "doc"));
    const char *id = ref ? json_string_value(json_object_get(run->names, ref)) : NULL;
    idx_doc *d = index_get(run->srv->svc.index, id ? id : ref ? ref : "");
    if (!d || !d->version[0])
        return step_fail(run, "'doc' names no document created so far");
    if (json_object_get(step, "edit") &&
        demo_resolve(&edit, run, json_object_get(step, "edit"), &why) != 0)
        return step_fail(run, why);
    const char *act = json_string_value(json_object_get(step, "act"));
    /* The demo shows nothing of what it writes: no DOCS_SHOW, no reads logged. */
    if (edit) {
        docs_edit(&run->srv->svc, u, d, edit, d->version, 0, step_done, run);
        json_decref(edit);
        return;
    }
    /* fields: what the action records (an approval's act, a referral's
     * outcome), its {{id:}} and {{date:}} resolved as a create's are. */
    json_t *fields = NULL;
    if (act && json_object_get(step, "fields") &&
        demo_resolve(&fields, run, json_object_get(step, "fields"), &why) != 0)
        return step_fail(run, why);
    if (act) {
        docs_transition_fields(&run->srv->svc, u, d, act,
                               json_string_value(json_object_get(step, "comment")), fields,
                               d->version, 0, step_done, run);
        json_decref(fields);
        return;
    }
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
        uv_run(srv->svc.loop, UV_RUN_DEFAULT);
        if (run.failed)
            rc = KENES_EINVAL;
        else
            log_info("demo", "%zu demo steps played", run.next);
    }
    json_decref(run.names);
    json_decref(root);
    return rc;
}

/* ---- the demo logins, and what a folder may hold before --demo ---- */

typedef struct demo_login {
    const char *name, *role, *region, *password;
    const char *agency; /* an agency officer's agency, else NULL */
} demo_login;

typedef int (*demo_login_cb)(const demo_login *l, void *payload);

/* cb for each login of content/demo/users.yaml, until one returns nonzero
 * (which is returned). */
static int demo_logins_each(const config *cfg, demo_login_cb cb, void *payload, char *err,
                            size_t errcap)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/demo/users.yaml", cfg->content_dir);
    yml_doc y;
    int rc = yml_load_file(&y, path, err, errcap);
    if (rc < 0)
        return rc;
    size_t n;
    yaml_node_item_t *items = yml_items(yml_get(&y, yml_root(&y), "users"), &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        yaml_node_t *u = yml_node(&y, items[i]);
        demo_login l = {yml_scalar(yml_get(&y, u, "name")), yml_scalar(yml_get(&y, u, "role")),
                        yml_scalar(yml_get(&y, u, "region")),
                        yml_scalar(yml_get(&y, u, "password")),
                        yml_scalar(yml_get(&y, u, "agency"))};
        if (!l.name || !l.role || !l.password)
            rc = yml_fail(err, errcap, path, u, "a demo user needs name, role and password");
        else
            rc = cb(&l, payload);
    }
    yml_dispose(&y);
    return rc;
}

typedef struct add_ctx {
    const char *users_path;
    char *err;
    size_t errcap;
    int name_w, role_w; /* the listing's columns: the longest login and role */
} add_ctx;

/* The first pass: how wide the listing's columns must be (an agency's
 * login, "agency-kz11-police", is longer than the others). */
static int measure_login(const demo_login *l, void *payload)
{
    add_ctx *c = payload;
    int n = (int)strlen(l->name), r = (int)strlen(l->role);
    c->name_w = n > c->name_w ? n : c->name_w;
    c->role_w = r > c->role_w ? r : c->role_w;
    return 0;
}

static int add_login(const demo_login *l, void *payload)
{
    add_ctx *c = payload;
    int rc = auth_users_add_agency(c->users_path, l->name, role_parse(l->role), l->region,
                                   l->agency, l->password, c->err, c->errcap);
    if (rc == KENES_EEXISTS)
        rc = 0;
    printf("  %-*s %-*s %-6s password: %s\n", c->name_w, l->name, c->role_w, l->role,
           l->region ? l->region : "", l->password);
    return rc;
}

int demo_users_add(const config *cfg, char *err, size_t errcap)
{
    char users_path[4096];
    util_path(users_path, sizeof(users_path), cfg->data_dir, "users.yaml");
    printf("Demo logins (public passwords: never use --demo on a real installation):\n");
    add_ctx c = {users_path, err, errcap, 0, 0};
    int rc = demo_logins_each(cfg, measure_login, &c, err, errcap);
    return rc < 0 ? rc : demo_logins_each(cfg, add_login, &c, err, errcap);
}

/* name -> {"role", "region", "password"} of every demo login. */
static int collect_login(const demo_login *l, void *payload)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "role", l->role, "region",
                          l->region ? l->region : "", "password", l->password);
    return o && json_object_set_new(payload, l->name, o) == 0 ? 0 : KENES_ENOMEM;
}

/* 1 if u is the demo login of its name, with the demo's role, region and password. */
static int is_demo_user(const json_t *logins, const auth_user *u)
{
    const json_t *l = json_object_get(logins, u->name);
    const char *password = json_string_value(json_object_get(l, "password"));
    /* A real user may have a demo login's name: only the demo's password
     * (argon2id, once per user) tells that it is the demo's. */
    return l && role_parse(json_string_value(json_object_get(l, "role"))) == u->role &&
           strcmp(json_string_value(json_object_get(l, "region")), u->region ? u->region : "") ==
               0 &&
           crypto_pwhash_str_verify(u->hash, password, strlen(password)) == 0;
}

typedef struct docs_ctx {
    const json_t *logins;
    const char *doc, *author; /* the first version by someone else */
} docs_ctx;

static int doc_by_demo(idx_doc *d, void *payload)
{
    docs_ctx *c = payload;
    idx_version *all;
    size_t n;
    int rc = index_versions(&all, &n, d);
    if (rc < 0) { /* never "all by the demo" for a history not read */
        c->doc = d->id;
        return rc;
    }
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        /* Interned: it outlives all. */
        const char *author = all[i].author ? all[i].author : "";
        if (!json_object_get(c->logins, author)) {
            c->doc = d->id;
            c->author = author;
            found = 1;
        }
    }
    free(all);
    return found;
}

int demo_check_data(server *srv, char *err, size_t errcap)
{
    static const char why[] =
        "--demo adds logins whose passwords are public: use an empty folder for the demo";
    json_t *logins = json_object();
    if (!logins || sodium_init() < 0) {
        json_decref(logins);
        return KENES_ENOMEM;
    }
    int rc = demo_logins_each(srv->svc.cfg, collect_login, logins, err, errcap);
    for (size_t i = 0; rc == 0 && i < auth_user_count(srv->auth); i++) {
        const auth_user *u = auth_user_at(srv->auth, i);
        if (!is_demo_user(logins, u)) {
            snprintf(err, errcap, "%s holds a user the demo did not make (%s); %s",
                     srv->svc.cfg->data_dir, u->name, why);
            rc = KENES_EEXISTS;
        }
    }
    docs_ctx dc = {logins, NULL, NULL};
    int walked = rc == 0 ? index_foreach(srv->svc.index, doc_by_demo, &dc) : 0;
    if (walked < 0) {
        snprintf(err, errcap, "%s: the older versions of %s cannot be read back: %s",
                 srv->svc.cfg->data_dir, dc.doc ? dc.doc : "a document", kenes_strerror(walked));
        rc = walked;
    } else if (rc == 0 && dc.doc) {
        snprintf(err, errcap, "%s holds a document the demo did not make (%s, by %s); %s",
                 srv->svc.cfg->data_dir, dc.doc, dc.author, why);
        rc = KENES_EEXISTS;
    }
    json_decref(logins);
    return rc;
}
