/*
 * The history journal's commits checked against git, on the thread pool
 * (store.h, store_check_journal): start-up reads each document at main's
 * newest tree, so a repository that lost older packs (objects the journal
 * names are gone: a pack removed or damaged by hand, a bad disk) starts,
 * serves and writes as if whole (probe finding 3).  This says so in the
 * log and /healthz once the server listens, without delaying it.
 */
#include "storage/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "kenes/plugin.h"

typedef struct check_job {
    uv_work_t work;
    store *s;
    char journal[4096];
    size_t checked, missing;
    char first[STORE_OID_HEX];
    int status;
    int64_t ms;
} check_job;

/* The commit a journal line names ("{\"commit\":\"<40 hex>\",..."), or 0. */
static int line_commit(git_oid *id, const char *line)
{
    static const char pre[] = "{\"commit\":\"";
    char hex[STORE_OID_HEX];
    if (strncmp(line, pre, sizeof(pre) - 1) != 0)
        return 0;
    memcpy(hex, line + sizeof(pre) - 1, STORE_OID_HEX - 1);
    hex[STORE_OID_HEX - 1] = '\0';
    return strlen(hex) == STORE_OID_HEX - 1 && line[sizeof(pre) - 1 + STORE_OID_HEX - 1] == '"' &&
           store_parse_oid(id, hex) == 0;
}

static void check_work(uv_work_t *w)
{
    check_job *j = w->data;
    git_repository *repo = NULL;
    git_odb *odb = NULL;
    int64_t t0 = util_now_ms();
    FILE *f = fopen(j->journal, "rb");
    j->status = !f ? KENES_EIO : store_open_repo(&repo, j->s->gitdir);
    if (j->status == 0 && git_repository_odb(&odb, repo) < 0)
        j->status = KENES_EIO;
    char *line = NULL;
    size_t cap = 0;
    git_oid id;
    while (j->status == 0 && getline(&line, &cap, f) > 0) {
        if (!line_commit(&id, line))
            continue;
        j->checked++;
        if (git_odb_exists(odb, &id))
            continue;
        if (j->missing++ == 0)
            git_oid_tostr(j->first, sizeof(j->first), &id);
    }
    free(line);
    if (f)
        fclose(f);
    git_odb_free(odb);
    git_repository_free(repo);
    j->ms = util_now_ms() - t0;
}

static void check_done(uv_work_t *w, int status)
{
    check_job *j = w->data;
    store *s = j->s;
    const char *name = strrchr(s->gitdir, '/') ? strrchr(s->gitdir, '/') + 1 : s->gitdir;
    if (status < 0 || j->status < 0) {
        log_warn("store", "%s: the history journal's commits could not be checked", name);
    } else if (j->missing) {
        snprintf(s->history_fault, sizeof(s->history_fault),
                 "%zu of the %zu commits its history journal names are not in git (the first: "
                 "%s): objects are missing; restore objects/pack from the backup",
                 j->missing, j->checked, j->first);
        log_error("store", "%s: %s. The server goes on (the newest version of every document "
                  "is read), but older versions of some cannot be read; kenes verify names "
                  "what is unreadable", name, s->history_fault);
    } else if (j->checked) { /* an empty history is no news */
        log_info("store", "%s: the %zu commits of its history journal are in git (checked "
                 "in %lld ms)", name, j->checked, (long long)j->ms);
    }
    s->reads--;
    free(j);
    store_maybe_free(s);
}

int store_check_journal(store *s, const char *journal)
{
    if (!s || !journal || s->closing)
        return KENES_EINVAL;
    check_job *j = calloc(1, sizeof(*j));
    if (!j)
        return KENES_ENOMEM;
    j->s = s;
    j->work.data = j;
    snprintf(j->journal, sizeof(j->journal), "%s", journal);
    if (uv_queue_work(s->loop, &j->work, check_work, check_done) != 0) {
        free(j);
        return KENES_EIO;
    }
    s->reads++;
    return 0;
}
