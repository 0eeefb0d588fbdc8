#include "publish/dossier.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kenes/plugin.h"
#include "publish/zipbuf.h"
#include "storage/docfile.h"

#define DOSSIER_PATH_MAX 400

/* Where git keeps the document's file now: in->path, else "<id>.md". */
static void file_path(char *out, size_t cap, const dossier_input *in)
{
    snprintf(out, cap, "%s", in->path ? in->path : "");
    if (!in->path)
        snprintf(out, cap, "%s.md", in->id); /* id_valid: at most 256 bytes */
}
#include "storage/sign.h"
#include "storage/store.h"

/* A generated file of the dossier (zipbuf_add() copies it into the archive). */
typedef struct part {
    char *data;
    size_t len;
} part;

typedef struct parts {
    part history, readme, key, signers;
    part files; /* files.json: each version's attachments; none when no version has one */
    part *diffs; /* nversions - 1 */
    size_t ndiffs;
} parts;

static void parts_dispose(parts *p)
{
    free(p->history.data);
    free(p->readme.data);
    free(p->key.data);
    free(p->signers.data);
    free(p->files.data);
    for (size_t i = 0; i < p->ndiffs; i++)
        free(p->diffs[i].data);
    free(p->diffs);
}

/* ---- input checks ---- */

/* Ids follow the API's rule (util_id_valid): the id never names an entry, but it
 * goes into the README's commands and the diffs' headers, where a newline or a
 * quote would forge text. */
/* The commit names an entry: 40 hex digits and nothing else keeps it a plain name. */
static int commit_valid(const char *c)
{
    return c && strlen(c) == 40 && strspn(c, "0123456789abcdefABCDEF") == 40;
}

static int line_valid(const char *s)
{
    return !s || (*s && util_utf8_valid(s, strlen(s)));
}

static int check_input(const dossier_input *in)
{
    if (!in || !in->id || !util_id_valid(in->id) || !in->versions || in->nversions == 0 ||
        !in->history_json || !line_valid(in->signing_key) || !line_valid(in->allowed_signers))
        return KENES_EINVAL;
    for (size_t i = 0; i < in->nversions; i++) {
        const dossier_version *v = &in->versions[i];
        if (!commit_valid(v->commit) || (!v->text && v->len > 0))
            return KENES_EINVAL;
    }
    return 0;
}

/* ---- the generated files ---- */

static int pretty_json(part *out, const char *text)
{
    json_error_t err;
    json_t *root = json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return KENES_EINVAL;
    /* Not JSON_ENSURE_ASCII: Cyrillic comments stay readable UTF-8. */
    char *s = json_dumps(root, JSON_INDENT(2));
    json_decref(root);
    if (!s)
        return KENES_ENOMEM;
    util_buf b;
    util_buf_init(&b);
    int rc = util_buf_puts(&b, s) < 0 || util_buf_puts(&b, "\n") < 0 ? KENES_ENOMEM : 0;
    free(s);
    if (rc == 0 && !(out->data = util_buf_detach(&b, &out->len)))
        rc = KENES_ENOMEM;
    util_buf_dispose(&b);
    return rc;
}

/* A key line as a file: what ssh-keygen and git read ends in a newline. */
static int line_file(part *out, const char *line)
{
    size_t n = strlen(line);
    int nl = line[n - 1] != '\n';
    if (!(out->data = malloc(n + nl + 1)))
        return KENES_ENOMEM;
    memcpy(out->data, line, n);
    if (nl)
        out->data[n] = '\n';
    out->data[n + nl] = '\0';
    out->len = n + nl;
    return 0;
}

static int digits_for(size_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d < 3 ? 3 : d;
}

static int make_diffs(parts *p, const dossier_input *in, const char *path)
{
    p->ndiffs = 0;
    if (in->nversions < 2)
        return 0;
    if (!(p->diffs = calloc(in->nversions - 1, sizeof(*p->diffs))))
        return KENES_ENOMEM;
    p->ndiffs = in->nversions - 1; /* all freed by parts_dispose(), made or not */
    for (size_t i = 0; i < p->ndiffs; i++) {
        const dossier_version *a = &in->versions[i], *b = &in->versions[i + 1];
        int rc = store_diff_buffers(&p->diffs[i].data, &p->diffs[i].len, path,
                                    a->text ? a->text : "", a->len, b->text ? b->text : "",
                                    b->len);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* files.json: {"id", "versions": [{"version": n, "commit", "files": [{...the
 * version's "attachments" entry, "path": where git keeps it}]}]}, or nothing
 * when no version carries a file.  A version that does not parse lists none:
 * its text is in versions/ all the same. */
static int make_files(part *out, const dossier_input *in)
{
    json_t *root = json_pack("{s:s, s:[]}", "id", in->id, "versions");
    json_t *list = json_object_get(root, "versions");
    int any = 0, rc = root ? 0 : KENES_ENOMEM;
    for (size_t i = 0; rc == 0 && i < in->nversions; i++) {
        const dossier_version *v = &in->versions[i];
        json_t *doc = NULL, *files = json_array();
        char err[64];
        if (v->text && doc_parse(&doc, v->text, v->len, err, sizeof(err)) == 0) {
            size_t k;
            json_t *a;
            json_array_foreach(json_object_get(doc, "attachments"), k, a)
            {
                const char *aid = json_string_value(json_object_get(a, "id"));
                json_t *e = json_deep_copy(a);
                char path[DOSSIER_PATH_MAX + 64], md[DOSSIER_PATH_MAX];
                file_path(md, sizeof(md), in);
                snprintf(path, sizeof(path), "%.*s.files/%s", (int)strlen(md) - 3, md,
                         aid ? aid : "");
                json_object_set_new(e, "path", json_string(path));
                json_array_append_new(files, e);
                any = 1;
            }
        }
        json_decref(doc);
        json_array_append_new(list, json_pack("{s:I, s:s, s:o}", "version", (json_int_t)(i + 1),
                                              "commit", v->commit, "files", files));
    }
    char *text = rc == 0 && any ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (rc < 0 || !any)
        return rc;
    if (!text)
        return KENES_ENOMEM;
    out->len = strlen(text);
    out->data = text;
    return 0;
}

/* How to check the dossier by hand, with the real commands for this document. */
static int make_readme(part *out, const dossier_input *in, int width, int64_t made_ms,
                       int has_files)
{
    const char *id = in->id, *first = in->versions[0].commit;
    size_t n = in->nversions;
    char md[DOSSIER_PATH_MAX], flat[DOSSIER_PATH_MAX];
    file_path(md, sizeof(md), in);
    snprintf(flat, sizeof(flat), "%s.md", id);
    int moved = strcmp(md, flat) != 0;
    int has_key = in->signing_key != NULL, has_signers = in->allowed_signers != NULL;
    char made[32];
    util_format_rfc3339(made, sizeof(made), made_ms);
    util_buf b;
    util_buf_init(&b);
    int bad = 0;
#define P(...) (bad |= util_buf_printf(&b, __VA_ARGS__) < 0)

    P("# Dossier of %s\n\n", id);
    P("This archive holds every version of the document %s (%zu in all),\n"
      "exactly as the kenes server keeps them in its git repository, and what you need\n"
      "to check that by hand. It was made on %s (UTC). The files in it are dated\n"
      "with that time, not with the times of the commits: those are in history.json.\n\n",
      id, n, made);

    P("## Contents\n\n");
    P("- `versions/%0*d-<commit>.md`", width, 1);
    if (n > 1)
        P(" ... `versions/%0*zu-<commit>.md`", width, n);
    P(": the document file `%s` at each version, oldest first. The number is the\n"
      "  version's place; the 40 hexadecimal digits are the git commit that made it.\n",
      md);
    if (moved)
        P("  A version from before the repository's `kenes migrate` commit is at `%s`\n"
          "  in git: use that path for it below.\n", flat);
    if (n > 1) {
        P("- `diffs/%0*d-%0*d.diff`", width, 1, width, 2);
        if (n > 2)
            P(" ... `diffs/%0*zu-%0*zu.diff`", width, n - 1, width, n);
        P(": what changed from one version to the next, as a unified diff\n"
          "  (the form `git diff` prints). An empty diff means that commit left the file as\n"
          "  it was (an approval that did not change the stage, for example).\n");
    }
    P("- `history.json`: the server's record of the document's commits: commit, time,\n"
      "  author, action, stages, comment, role.\n");
    if (has_key)
        P("- `signing-key.pub`: the public key the server signs its commits with.\n");
    if (has_signers)
        P("- `allowed_signers`: the server's key in the form git reads to check signatures.\n");
    if (has_files)
        P("- `files.json`: the files attached to each version (a signed scan, ...): their\n"
          "  names, types, sizes and SHA-256, and where git keeps each (`path`). Check one:\n"
          "  `git show <commit>:<path> | sha256sum` (a case's are stored sealed: they match\n"
          "  once opened).\n");
    P("- `README.md`: this file.\n\n");

    P("## Checking it by hand\n\n"
      "You need git (2.34 or newer) and a clone of the repository that holds the document\n"
      "(any git client can clone it; the server's administrator can tell you where it is).\n"
      "Unzip this archive, then:\n\n"
      "    DOSSIER=\"$PWD\"          # the folder this README is in\n"
      "    git clone <repository> kenes-repository\n"
      "    cd kenes-repository\n\n");

    P("1. Each version file is byte for byte the file git stores at its commit:\n\n"
      "       git show %s:%s | cmp - \"$DOSSIER/versions/%0*d-%s.md\"\n\n"
      "   `cmp` prints nothing when the two are identical. All versions at once:\n\n"
      "       for f in \"$DOSSIER\"/versions/*.md; do\n"
      "         c=$(basename \"$f\" .md); c=${c#*-}\n"
      "         git show \"$c:%s\" | cmp - \"$f\" && echo \"same: $c\"\n"
      "       done\n\n"
      "   Case reviews (ids beginning with `case/`) are the one exception: their repository\n"
      "   stores every version sealed (encrypted with a key only the server holds), so\n"
      "   `git show` prints the sealed bytes. The version files here are those versions\n"
      "   opened: identical once opened, not byte for byte with what git prints. Their\n"
      "   commits, signatures and history check as below.\n\n",
      first, md, width, 1, first, md);

    if (has_signers) {
        P("2. Each commit carries the server's SSH signature. Check it, commit by commit:\n\n"
          "       git -c gpg.format=ssh \\\n"
          "           -c gpg.ssh.allowedSignersFile=\"$DOSSIER/allowed_signers\" \\\n"
          "           verify-commit %s\n\n"
          "   git says `Good \"git\" signature` for a signed commit that nobody altered, and\n"
          "   fails otherwise. A key proves nothing merely because it came in this archive:\n",
          first);
        if (has_key)
            P("   compare the fingerprint `ssh-keygen -lf \"$DOSSIER/signing-key.pub\"` prints\n"
              "   with the one the server's operator publishes.\n\n");
        else
            P("   compare the key in allowed_signers with the one the server's operator\n"
              "   publishes.\n\n");
    } else if (has_key) {
        P("2. Each commit carries the server's SSH signature, made with signing-key.pub. This\n"
          "   dossier has no allowed_signers file: write one line\n"
          "   `<committer e-mail> namespaces=\"git\" <the key from signing-key.pub>` into a file\n"
          "   allowed_signers, then:\n\n"
          "       git -c gpg.format=ssh \\\n"
          "           -c gpg.ssh.allowedSignersFile=\"$DOSSIER/allowed_signers\" \\\n"
          "           verify-commit %s\n\n"
          "   A key proves nothing merely because it came in this archive: compare the\n"
          "   fingerprint `ssh-keygen -lf \"$DOSSIER/signing-key.pub\"` prints with the one\n"
          "   the server's operator publishes.\n\n",
          first);
    } else {
        P("2. This dossier carries no signing key: the server that made it gave none, so\n"
          "   signatures cannot be checked from here. Each commit id still fixes the version\n"
          "   and everything before it; `git fsck` checks that nothing in the clone is\n"
          "   damaged.\n\n");
    }

    P("3. history.json lists the commits. Every commit it names is in the repository:\n"
      "   `git show -s <commit>` prints its message, with its `Kenes-Document`,\n"
      "   `Kenes-Action` and `Kenes-Stage` lines. Those that changed the file are the ones\n"
      "   `git log --format=%%H -- %s%s%s` lists.\n\n",
      md, moved ? " " : "", moved ? flat : "");

    P("## По-русски\n\n"
      "Архив содержит все версии документа %s (%zu) в том виде, в каком сервер kenes\n"
      "хранит их в git. Каждый файл в versions/ побайтно совпадает с выводом\n"
      "`git show <коммит>:%s` в клоне репозитория; дела (case/...) хранятся там\n"
      "зашифрованными, и совпадение наступает после расшифровки. Подпись коммита\n"
      "проверяет `git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=allowed_signers\n"
      "verify-commit <коммит>`%s. history.json перечисляет коммиты документа%s.\n"
      "Даты файлов в архиве — время его создания (%s UTC), а не время коммитов.\n",
      id, n, md, has_key || has_signers ? "" : " (в этом архиве ключа подписи нет)",
      n > 1 ? ", diffs/ показывает изменения между соседними версиями" : "", made);
#undef P

    if (bad || !(out->data = util_buf_detach(&b, &out->len))) {
        util_buf_dispose(&b);
        return KENES_ENOMEM;
    }
    return 0;
}

static int make_parts(parts *p, const dossier_input *in, int width, int64_t made_ms)
{
    char path[DOSSIER_PATH_MAX];
    file_path(path, sizeof(path), in);
    int rc = pretty_json(&p->history, in->history_json);
    if (rc == 0 && in->signing_key)
        rc = line_file(&p->key, in->signing_key);
    if (rc == 0 && in->allowed_signers)
        rc = line_file(&p->signers, in->allowed_signers);
    if (rc == 0)
        rc = make_diffs(p, in, path);
    if (rc == 0)
        rc = make_files(&p->files, in);
    if (rc == 0)
        rc = make_readme(&p->readme, in, width, made_ms, p->files.data != NULL);
    return rc;
}

/* ---- the archive ---- */

static int add_entries(zipbuf *zb, const parts *p, const dossier_input *in, int width)
{
    int rc = zipbuf_add(zb, "README.md", p->readme.data, p->readme.len);
    if (rc == 0)
        rc = zipbuf_add(zb, "history.json", p->history.data, p->history.len);
    if (rc == 0 && p->key.data)
        rc = zipbuf_add(zb, "signing-key.pub", p->key.data, p->key.len);
    if (rc == 0 && p->signers.data)
        rc = zipbuf_add(zb, "allowed_signers", p->signers.data, p->signers.len);
    if (rc == 0 && p->files.data)
        rc = zipbuf_add(zb, "files.json", p->files.data, p->files.len);
    /* width <= 20 and a commit is 40 characters: a name never reaches 128. */
    char name[128];
    for (size_t i = 0; rc == 0 && i < in->nversions; i++) {
        const dossier_version *v = &in->versions[i];
        int n = snprintf(name, sizeof(name), "versions/%0*zu-%s.md", width, i + 1, v->commit);
        rc = n < 0 || (size_t)n >= sizeof(name) ? KENES_EINVAL
                                                : zipbuf_add(zb, name, v->text, v->len);
    }
    for (size_t i = 0; rc == 0 && i < p->ndiffs; i++) {
        int n = snprintf(name, sizeof(name), "diffs/%0*zu-%0*zu.diff", width, i + 1, width, i + 2);
        rc = n < 0 || (size_t)n >= sizeof(name) ? KENES_EINVAL
                                                : zipbuf_add(zb, name, p->diffs[i].data,
                                                             p->diffs[i].len);
    }
    return rc;
}

static int write_zip(char **out, size_t *len, const parts *p, const dossier_input *in, int width,
                     int64_t made_ms)
{
    zipbuf *zb;
    int rc = zipbuf_new(&zb, made_ms / 1000);
    if (rc < 0)
        return rc;
    rc = add_entries(zb, p, in, width);
    if (rc == 0)
        rc = zipbuf_finish(out, len, zb);
    zipbuf_free(zb);
    return rc;
}

int dossier_build(char **zip, size_t *zip_len, const dossier_input *in)
{
    if (!zip || !zip_len)
        return KENES_EINVAL;
    *zip = NULL;
    *zip_len = 0;
    int rc = check_input(in);
    if (rc < 0)
        return rc;
    int width = digits_for(in->nversions);
    int64_t made_ms = util_now_ms();
    parts p = {0};
    rc = make_parts(&p, in, width, made_ms);
    if (rc == 0)
        rc = write_zip(zip, zip_len, &p, in, width, made_ms);
    parts_dispose(&p);
    return rc;
}

/* ---- a document's dossier, through the document service ---- */

/* What the packer needs beyond the versions, made on the loop. */
typedef struct dossier_job {
    char pub[512];
    char allowed[1024];
    docs_cb cb;
    void *payload;
} dossier_job;

static int pack_dossier(char **out, size_t *out_len, const docs_versions *v, void *payload)
{
    const dossier_job *j = payload;
    dossier_version *dv = calloc(v->n, sizeof(*dv));
    if (!dv)
        return KENES_ENOMEM;
    for (size_t i = 0; i < v->n; i++)
        dv[i] = (dossier_version){v->commits[i], v->texts[i], v->lens[i]};
    dossier_input in = {v->id, dv, v->n, v->history, j->pub[0] ? j->pub : NULL,
                        j->allowed[0] ? j->allowed : NULL, v->path};
    int rc = dossier_build(out, out_len, &in);
    free(dv);
    return rc;
}

static void dossier_made(const docs_result *r, void *payload)
{
    dossier_job *j = payload;
    j->cb(r, j->payload);
    free(j);
}

void dossier_make(docs_service *svc, const auth_user *u, const idx_doc *d, docs_cb cb,
                  void *payload)
{
    dossier_job *j = calloc(1, sizeof(*j));
    if (!j) {
        docs_result r = {.code = KENES_ENOMEM, .reason = "internal", .message = "out of memory"};
        cb(&r, payload);
        return;
    }
    j->cb = cb;
    j->payload = payload;
    const signer *sg = store_signer(svc->repos[REPO_DOCUMENTS]);
    if (sg && (sign_public_line(sg, j->pub, sizeof(j->pub)) < 0 ||
               sign_allowed_signers_line(sg, svc->cfg->committer_email, j->allowed,
                                         sizeof(j->allowed)) < 0))
        j->pub[0] = j->allowed[0] = '\0';
    docs_packer pk = {"dossier", pack_dossier, j};
    docs_export(svc, u, d, &pk, dossier_made, j);
}
