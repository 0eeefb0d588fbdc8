#include "docs/datadir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/content.h"
#include "docs/docs.h"
#include "plugin/kapi.h"
#include "storage/docfile.h"
#include "storage/docpath.h"

const char *const datadir_repo_names[2] = {"documents.git", "cases.git"};

static const kenes_guard *resolve_guard(const char *name, void *payload)
{
    return plugin_find_guard(payload, name);
}

static int resolve_type(const char *type, void *payload)
{
    return plugin_find_type(payload, type) != NULL;
}

int datadir_load_rules(plugin_set **plugins, wf_set **workflows, const config *cfg, char *err,
                       size_t errcap)
{
    *plugins = NULL;
    *workflows = NULL;
    orders *ord = NULL;
    char path[4096];
    util_path(path, sizeof(path), cfg->content_dir, "orders.yaml");
    int rc = plugin_set_new(plugins, kapi_get());
    if (rc == 0)
        rc = plugin_load_dir(*plugins, cfg->plugins_dir, err, errcap);
    /* The national orders first: a workflow's deadline may name one. */
    if (rc == 0)
        rc = orders_load(&ord, path, err, errcap);
    json_t *lists = NULL;
    if (rc == 0)
        rc = content_load(&lists, cfg->content_dir, err, errcap);
    /* The enums whose values are a content list (a measure's concept item). */
    if (rc == 0)
        rc = plugin_set_fill_values(*plugins, lists, err, errcap);
    if (rc == 0) {
        wf_resolver res = {resolve_guard, resolve_type, *plugins, ord};
        rc = wf_set_load_dir(workflows, cfg->workflows_dir, &res, err, errcap);
    }
    if (rc == 0) {
        /* api->label and api->order_dates read them; wf_set_free stops both */
        wf_set_adopt_orders(*workflows, ord);
        kapi_set_labels(wf_set_label, *workflows);
        kapi_set_orders(orders_kapi, ord);
        wf_set_adopt_content(*workflows, lists);
        kapi_set_content(content_kapi, lists);
    } else {
        orders_free(ord);
        json_decref(lists);
    }
    if (rc < 0) {
        wf_set_free(*workflows);
        plugin_set_free(*plugins);
        *workflows = NULL;
        *plugins = NULL;
    }
    return rc;
}

/* ---- rebuilding the index ---- */

typedef struct load_ctx {
    store *s;
    vault *vault;
    int repo;
    /* main's head, when every commit in it is one of ours: then each
     * document's latest file is the one in main's tree, and all are read
     * from that one tree, whose folders libgit2 then keeps parsed.  "" to
     * read each at its own latest version (a tree apart for each). */
    char head[STORE_OID_HEX];
    const datadir_load_hooks *hooks; /* NULL: none */
    size_t read;
    char *err;
    size_t errcap;
} load_ctx;

int datadir_read_doc(json_t **out, size_t *bytes, store *s, vault *v, const char *id,
                     const char *at, const char *shown, char *err, size_t errcap)
{
    char path[DOCPATH_MAX], *text = NULL;
    size_t len;
    *out = NULL;
    if (bytes)
        *bytes = 0;
    /* A version from before kenes migrate is found at its flat path too. */
    docpath_of(path, sizeof(path), id, ".md", DOCPATH_FANOUT);
    int rc = store_read_at(s, &text, &len, at, path);
    if (rc < 0) {
        snprintf(err, errcap, "%s is missing at %.12s", path, shown);
        return rc;
    }
    if (vault_is_sealed(text, len)) {
        char *plain = NULL;
        rc = v ? vault_unseal(v, id, text, len, &plain, &len) : KENES_EINVAL;
        free(text);
        text = plain;
        if (rc == KENES_ENOTFOUND || rc == KENES_EUNAVAILABLE)
            return KENES_EUNAVAILABLE; /* vault_unavailable says why, if it knows */
        if (rc < 0) {
            snprintf(err, errcap, "%s at %.12s cannot be opened with its key", id, shown);
            return rc;
        }
    }
    if (bytes)
        *bytes = len;
    rc = doc_parse(out, text, len, err, errcap);
    free(text);
    return rc;
}

static int read_doc(json_t **out, load_ctx *lc, const idx_doc *d, const char *at,
                    const char *shown)
{
    return datadir_read_doc(out, NULL, lc->s, lc->vault, d->id, at, shown, lc->err, lc->errcap);
}

/* A sealed document whose key cannot be used (its file missing or
 * damaged): the rest is served, and it answers "unavailable" (docs_find)
 * until the file is restored.  Only a case's latest version is sealed
 * without a key when its key is lost: an erasure writes its tombstone in
 * the clear. */
static int key_lost(load_ctx *lc, const idx_doc *d)
{
    char why[4200];
    const char *known = vault_unavailable(lc->vault, d->id);
    if (!known) {
        char path[4096];
        vault_key_path(lc->vault, d->id, path, sizeof(path));
        snprintf(why, sizeof(why), "its key file %s is missing", path);
        if (vault_set_unavailable(lc->vault, d->id, why) < 0)
            return KENES_ENOMEM;
    }
    log_error("index", "%s: %s; it answers 503 (case_key_unavailable) until the file is "
                       "restored from the backup of DATA/keys and the server restarted",
              d->id, known ? known : why);
    return 0;
}

/* Give an entry the JSON of its latest version. */
static int load_head(idx_doc *d, void *payload)
{
    load_ctx *lc = payload;
    const datadir_load_hooks *h = lc->hooks;
    if (d->repo != lc->repo || d->doc || d->text) /* a resident one's text: restored */
        return 0;
    if (d->entry.kept && !(h && h->needs_json && h->needs_json(d, h->payload)))
        return 0;
    json_t *doc;
    int rc = read_doc(&doc, lc, d, lc->head[0] ? lc->head : d->version, d->version);
    if (rc == KENES_EUNAVAILABLE && lc->vault)
        return key_lost(lc, d);
    if (rc < 0)
        return rc;
    lc->read++;
    index_set_doc(d, doc);
    return h && h->keep ? h->keep(d, h->payload) : 0;
}

int datadir_check_layout(docpath_layout *out, store *s, int repo, char *err, size_t errcap)
{
    char detail[400];
    int rc = docpath_store_layout(out, s, detail, sizeof(detail));
    if (rc == KENES_EINVAL)
        snprintf(err, errcap, "%s holds documents in two layouts (%s): a repository is in "
                 "one; kenes migrate moves a flat one whole", datadir_repo_names[repo], detail);
    else if (rc < 0)
        snprintf(err, errcap, "%s: cannot read main's tree", datadir_repo_names[repo]);
    else if (*out == DOCPATH_FLAT)
        log_warn("index", "%s: cases are stored flat, as before issue 16 (a folder per region "
                 "grows with every case): stop the server and run kenes migrate",
                 datadir_repo_names[repo]);
    return rc;
}

void datadir_journal_path(char *out, size_t cap, const char *data_dir, int repo)
{
    char leaf[64];
    snprintf(leaf, sizeof(leaf), "index/%.*s.jsonl",
             (int)(strlen(datadir_repo_names[repo]) - 4), datadir_repo_names[repo]);
    util_path(out, cap, data_dir, leaf);
}

int datadir_rebuild_index(size_t *read, doc_index *ix, store *s, vault *v, int repo,
                          const char *journal, const datadir_load_hooks *h, char *err,
                          size_t errcap)
{
    int foreign;
    if (read)
        *read = 0;
    int rc = journal_load(ix, s, repo, journal, &foreign, h ? h->unseen : NULL,
                          h ? h->unseen_payload : NULL, err, errcap);
    if (rc < 0)
        return rc;
    /* The commits after the journal left to the caller (a replica): main's
     * head is beyond what is served, so each document is read at its own
     * latest version. */
    int left = rc > 0;
    /* Before the entries and documents are allocated, so that they fill
     * the room given back. */
    index_trim(ix);
    if (h && h->restore && (rc = h->restore(ix, repo, h->payload)) < 0) {
        snprintf(err, errcap, "%s: cannot restore the index: %s", datadir_repo_names[repo],
                 kenes_strerror(rc));
        return rc;
    }
    load_ctx lc = {.s = s, .vault = v, .repo = repo, .hooks = h, .err = err, .errcap = errcap};
    if (!foreign && !left && store_head(s, lc.head) < 0)
        lc.head[0] = '\0';
    if (foreign)
        log_warn("index", "%s: commits made outside kenes: each document is read at its "
                          "latest version", datadir_repo_names[repo]);
    rc = index_foreach(ix, load_head, &lc);
    if (read)
        *read = lc.read;
    return rc;
}

/* ---- the versions in force behind an amendment ---- */

typedef struct face_ctx {
    load_ctx lc;
    const wf_set *workflows;
    size_t found;
} face_ctx;

/* The version in force of a document whose current stage is not public
 * while an earlier version's was: its latest version in a public stage,
 * read from git (public_face.c keeps it from then on). */
static int load_face(idx_doc *d, void *payload)
{
    face_ctx *fc = payload;
    load_ctx *lc = &fc->lc;
    const char *type = index_doc_type(d); /* from the entry: the JSON may be dropped */
    const wf_workflow *wf = type ? wf_set_find(fc->workflows, type) : NULL;
    if (d->repo != lc->repo || !wf || docs_wf_stage_public(wf, index_doc_stage(d)))
        return 0;
    idx_version *all;
    size_t n;
    char commit[41] = "";
    int rc = index_versions(&all, &n, d);
    if (rc < 0) {
        /* server.c prints it after the repository's path: never "out of memory". */
        snprintf(lc->err, lc->errcap, "the older versions of %s cannot be read back: %s", d->id,
                 kenes_strerror(rc));
        return rc;
    }
    for (size_t i = n; i-- > 0 && !commit[0];)
        if (docs_wf_stage_public(wf, all[i].to))
            memcpy(commit, all[i].commit, sizeof(commit));
    free(all);
    if (!commit[0])
        return 0;
    json_t *doc;
    rc = read_doc(&doc, lc, d, commit, commit);
    if (rc == KENES_EUNAVAILABLE)
        return 0; /* an erased case shows nothing, in force or not */
    if (rc < 0)
        return rc;
    /* A file written before a stage was renamed says the former name. */
    const char *stage = json_string_value(json_object_get(doc, "stage"));
    if (stage && wf_is_former_stage(wf, stage))
        json_object_set_new(doc, "stage", json_string(wf_stage_now(wf, stage)));
    index_set_public(d, doc, commit);
    fc->found++;
    return 0;
}

int datadir_load_public_faces(doc_index *ix, store *s, vault *v, int repo,
                              const wf_set *workflows, char *err, size_t errcap)
{
    face_ctx fc = {.lc = {.s = s, .vault = v, .repo = repo, .err = err, .errcap = errcap},
                   .workflows = workflows};
    int rc = index_foreach(ix, load_face, &fc);
    if (rc == 0 && fc.found)
        log_info("index", "%s: %zu document(s) amended while in force: their versions in "
                          "force read", datadir_repo_names[repo], fc.found);
    return rc;
}

/* ---- the data folder ---- */

/* 1 if text holds line as a whole line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0)
            return 1;
        p = eol ? eol + 1 : NULL;
    }
    return 0;
}

int datadir_allow_signer(const char *dir, const signer *sg, const char *principal, char *err,
                         size_t errcap)
{
    char path[4200], line[1024], *text = NULL;
    size_t len = 0;
    int rc = sign_allowed_signers_line(sg, principal, line, sizeof(line));
    if (rc < 0) {
        snprintf(err, errcap, "the committer email '%.200s' cannot name a signer", principal);
        return rc;
    }
    util_path(path, sizeof(path), dir, "allowed_signers");
    /* A missing file is one to start; any other failure to read it is a fault. */
    int missing = access(path, F_OK) != 0 && errno == ENOENT;
    int rrc = missing ? 0 : util_read_file(&text, &len, path);
    if (rrc < 0) {
        snprintf(err, errcap, "cannot read %.900s: %s", path, kenes_strerror(rrc));
        rc = KENES_EIO;
    } else if (!text || !has_line(text, line)) {
        util_buf b;
        util_buf_init(&b);
        if (text && len)
            util_buf_printf(&b, "%s%s", text, text[len - 1] == '\n' ? "" : "\n");
        util_buf_printf(&b, "%s\n", line);
        if (!b.data || util_write_file_atomic(path, b.data, b.len, 0644) < 0) {
            snprintf(err, errcap, "cannot write %.900s", path);
            rc = KENES_EIO;
        }
        util_buf_dispose(&b);
    }
    free(text);
    return rc;
}

/* signing.pub and the key's line in DATA/allowed_signers naming principal,
 * added to what the file holds so that keys listed before stay listed.  serve
 * writes them only once the commits have been judged by the lines there. */
int datadir_signing_publish(const signer *sg, const char *dir, const char *principal, char *err,
                            size_t errcap)
{
    char path[4200], line[1024], *text = NULL;
    size_t len = 0;
    int rc;
    /* signing.pub is only for people; the key file decides what it says. */
    snprintf(path, sizeof(path), "%s/keys/%s", dir, SIGN_PUB_FILE);
    if ((rc = sign_public_line(sg, line, sizeof(line) - 1)) == 0) {
        strcat(line, "\n");
        if (util_read_file(&text, &len, path) < 0 || strcmp(text, line) != 0)
            rc = util_write_file_atomic(path, line, strlen(line), 0644) < 0 ? KENES_EIO : 0;
        free(text);
    }
    if (rc < 0)
        snprintf(err, errcap, "cannot write %.900s", path);
    else
        rc = datadir_allow_signer(dir, sg, principal, err, errcap);
    return rc;
}

/* The commit signing key, DATA/keys/signing.key: made only with a new data
 * folder (create set; then published at once, out NULL); a key that goes
 * missing later is never replaced behind the operator's back (see
 * keyrotate.h).  *out gets the signer. */
int datadir_signing_open(signer **out, const char *dir, const char *principal, int create,
                         char *err, size_t errcap)
{
    char keys[4096];
    signer *sg = NULL;
    if (out)
        *out = NULL;
    util_path(keys, sizeof(keys), dir, "keys");
    int rc = create ? sign_create_key(keys) : 0;
    if (rc < 0 && rc != KENES_EEXISTS) {
        snprintf(err, errcap, "cannot create the signing key in %.900s", keys);
        return rc;
    }
    if ((rc = sign_open(&sg, keys, err, errcap)) == KENES_ENOTFOUND)
        snprintf(err, errcap, "%.900s/%s is missing: kenes never makes a new key for a data "
                 "folder that has one; restore it from the backup of DATA/keys (a new key "
                 "comes in only with 'kenes key rotate', which the old key signs)", keys,
                 SIGN_KEY_FILE);
    if (rc < 0)
        return rc;
    if (!out)
        rc = datadir_signing_publish(sg, dir, principal, err, errcap);
    if (rc < 0 || !out)
        sign_free(sg);
    else
        *out = sg;
    return rc;
}

int datadir_init(const char *dir, char *err, size_t errcap)
{
    char path[4096];
    int rc = util_mkdirs(dir, 0750);
    if (rc < 0) {
        snprintf(err, errcap, "cannot create %s: %s", dir, kenes_strerror(rc));
        return KENES_EIO;
    }
    util_path(path, sizeof(path), dir, "documents.git");
    if (access(path, F_OK) == 0) {
        snprintf(err, errcap, "%s is initialised already", dir);
        return KENES_EEXISTS;
    }
    for (size_t i = 0; i < UTIL_ARRAY_LEN(datadir_repo_names); i++) {
        util_path(path, sizeof(path), dir, datadir_repo_names[i]);
        if (store_init_repo(path) < 0) {
            snprintf(err, errcap, "cannot create the repository %s", path);
            return KENES_EIO;
        }
    }
    util_path(path, sizeof(path), dir, "index");
    if (util_mkdirs(path, 0700) < 0) {
        snprintf(err, errcap, "cannot create %.900s", path);
        return KENES_EIO;
    }
    util_path(path, sizeof(path), dir, "keys");
    if (util_mkdirs(path, 0700) < 0) {
        snprintf(err, errcap, "cannot create %.900s", path);
        return KENES_EIO;
    }
    util_path(path, sizeof(path), dir, "keys/master.key");
    int vrc = getenv("KENES_MASTER_KEY_FILE") && *getenv("KENES_MASTER_KEY_FILE")
                  ? 0 /* the master key lives elsewhere, by choice */
                  : vault_create_master(path);
    if (vrc < 0 && vrc != KENES_EEXISTS) {
        snprintf(err, errcap, "cannot create the master key %.900s", path);
        return KENES_EIO;
    }
    util_path(path, sizeof(path), dir, "kenes.yaml");
    if (access(path, F_OK) != 0 && config_write_default(dir) < 0) {
        snprintf(err, errcap, "cannot write %s", path);
        return KENES_EIO;
    }
    /* allowed_signers names the committer that kenes.yaml configures. */
    config cfg;
    if ((rc = config_load(&cfg, dir, err, errcap)) == 0)
        rc = datadir_signing_open(NULL, dir, cfg.committer_email, 1, err, errcap);
    config_dispose(&cfg);
    return rc;
}

/* ---- templates ---- */

/* content/templates/<type>.<lang>.md for every workflow type, read once:
 * {"regional-plan": {"ru": "...", ...}, ...}.  A missing file is a gap, not a fault. */
int datadir_load_templates(json_t **out, const wf_set *workflows, const char *content_dir,
                            char *err, size_t errcap)
{
    static const char *const langs[] = {"ru", "kk", "en"};
    json_t *all = json_object();
    *out = NULL;
    for (size_t i = 0; i < wf_set_count(workflows); i++) {
        const char *type = wf_set_at(workflows, i)->type;
        json_t *per = json_object();
        for (size_t l = 0; l < UTIL_ARRAY_LEN(langs); l++) {
            char path[4096], *text;
            size_t len;
            snprintf(path, sizeof(path), "%s/templates/%s.%s.md", content_dir, type,
                     langs[l]);
            if (util_read_file(&text, &len, path) < 0)
                continue;
            json_t *s = json_stringn(text, len);
            free(text);
            if (!s) {
                snprintf(err, errcap, "%.900s: not valid UTF-8", path);
                json_decref(per);
                json_decref(all);
                return KENES_EINVAL;
            }
            json_object_set_new(per, langs[l], s);
        }
        json_object_set_new(all, type, per);
    }
    *out = all;
    return 0;
}


/* A document whose file says a stage of the workflow's earlier version
 * (former: stages:) is in the index under its name of today; its next
 * commit writes that name. */
static int map_former(idx_doc *d, void *payload)
{
    const wf_set *workflows = payload;
    const char *type = json_string_value(json_object_get(d->doc, "type"));
    const char *stage = json_string_value(json_object_get(d->doc, "stage"));
    const wf_workflow *wf = wf_set_find(workflows, type);
    if (wf && stage && wf_is_former_stage(wf, stage))
        return json_object_set_new(d->doc, "stage", json_string(wf_stage_now(wf, stage))) < 0
                   ? KENES_ENOMEM
                   : 0;
    return 0;
}

int datadir_map_former_stages(doc_index *ix, const wf_set *workflows)
{
    return index_foreach(ix, map_former, (void *)workflows);
}
