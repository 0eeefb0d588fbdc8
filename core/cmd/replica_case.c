#include "cmd/replica_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"
#include "storage/docfile.h"
#include "storage/docpath.h"
#include "storage/store.h"
#include "storage/vault.h"

int replica_case_read(replica_case *c, store *s, const vault *v, const char *id,
                      const char *commit, char *err, size_t errcap)
{
    char path[DOCPATH_MAX];
    memset(c, 0, sizeof(*c));
    docpath_of(path, sizeof(path), id, ".md", DOCPATH_FANOUT);
    int rc = store_read_at(s, &c->text, &c->len, commit, path);
    if (rc < 0) {
        snprintf(err, errcap, "%s is missing at %.12s", path, commit);
        return rc;
    }
    vault_key_path(v, id, c->key_path, sizeof(c->key_path));
    if (!c->key_path[0])
        return 0;
    if (!vault_is_sealed(c->text, c->len)) {
        /* Erased on the primary, whose key file is gone: this copy goes too. */
        c->key_removed = unlink(c->key_path) == 0;
        return 0;
    }
    if (util_read_file(&c->key, &c->key_len, c->key_path) < 0)
        c->key = NULL; /* not here (yet): the case answers 503 */
    return 0;
}

/* Why id cannot be opened here, recorded once. */
static int unavailable(vault *v, const char *id, const char *why)
{
    if (!vault_unavailable(v, id)) {
        if (vault_set_unavailable(v, id, why) < 0)
            return KENES_ENOMEM;
        log_error("replica", "%s: %s; it answers 503 (case_key_unavailable) here until then",
                  id, why);
    }
    return KENES_EUNAVAILABLE;
}

int replica_case_open(json_t **out, size_t *len, docs_service *svc, replica_case *c,
                      const char *id)
{
    vault *v = svc->vault;
    char why[4400], err[300], *plain = NULL;
    size_t plen = c->len;
    *out = NULL;
    *len = 0;
    if (!vault_is_sealed(c->text, c->len)) {
        if (vault_has_key(v, id))
            vault_forget_key(v, id); /* erased: its history stays, nothing else */
        if (c->key_removed)
            log_info("replica", "%s: erased on the primary: this replica's copy of its key "
                     "file is removed", id);
        *len = c->len;
        return doc_parse(out, c->text, c->len, err, sizeof(err));
    }
    if (!vault_has_key(v, id) && !vault_unavailable(v, id) && c->key)
        vault_key_arrived(v, id);
    if (!vault_has_key(v, id)) {
        snprintf(why, sizeof(why), "its key file %s has not reached this replica: copy "
                 "DATA/keys/cases/ from the primary, then restart the replica", c->key_path);
        return unavailable(v, id, why);
    }
    /* The bytes read on the pool: the loop reads no key file. */
    if (vault_key_listed(v, id) && c->key &&
        vault_key_supply(v, id, c->key, c->key_len) == KENES_EUNAVAILABLE)
        return KENES_EUNAVAILABLE; /* recorded by the vault: a damaged or foreign key */
    int rc = vault_unseal(v, id, c->text, c->len, &plain, &plen);
    if (rc == KENES_ENOTFOUND || rc == KENES_EUNAVAILABLE)
        return KENES_EUNAVAILABLE;
    if (rc < 0) {
        snprintf(why, sizeof(why), "its file does not open with the key this replica holds "
                 "(%s): the primary's DATA/keys/master.key is needed here too",
                 kenes_strerror(rc));
        return unavailable(v, id, why);
    }
    *len = plen;
    rc = doc_parse(out, plain, plen, err, sizeof(err));
    free(plain);
    return rc;
}

void replica_case_dispose(replica_case *c)
{
    free(c->text);
    free(c->key);
    memset(c, 0, sizeof(*c));
}
