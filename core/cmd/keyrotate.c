#include "cmd/keyrotate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "cmd/accept.h"
#include "cmd/server.h"
#include "storage/sign.h"
#include "storage/store.h"
#include "base/error.h"
#include "base/util.h"
#include "cmd/verify.h"

/* Where the new key waits until every repository has recorded it. */
#define NEXT_DIR "keys/next"

static int key_is(const unsigned char *a, const signer *sg)
{
    unsigned char pk[SIGN_PUBKEY_BYTES];
    sign_public_key(sg, pk);
    return memcmp(a, pk, sizeof(pk)) == 0;
}

/* Move the new key into DATA/keys: the rotation is done. */
static int install(const config *cfg, char *err, size_t errcap)
{
    static const char *const leaves[] = {SIGN_KEY_FILE, SIGN_PUB_FILE};
    char from[4200], to[4200], dir[4096];
    util_path(dir, sizeof(dir), cfg->data_dir, NEXT_DIR);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(leaves); i++) {
        snprintf(from, sizeof(from), "%s/%s", dir, leaves[i]);
        snprintf(to, sizeof(to), "%s/keys/%s", cfg->data_dir, leaves[i]);
        int rc = util_rename_durable(from, to);
        if (rc < 0) {
            snprintf(err, errcap, "cannot move %.900s to %.900s: %s", from, to, kenes_strerror(rc));
            return KENES_EIO;
        }
    }
    rmdir(dir);
    return 0;
}

/* No key to rotate: a data folder from before signed commits gets its first
 * one, for there is no chain to break; any other is refused, for the key
 * that signed its commits must sign the next one's coming. */
static int first_key(const config *cfg, const char *keys, char *err, size_t errcap)
{
    signer *sg = NULL;
    for (int r = 0; r < 2; r++) {
        unsigned char in_force[SIGN_PUBKEY_BYTES];
        int has;
        if (verify_key_at_head(in_force, &has, cfg, r) < 0 || has) {
            snprintf(err, errcap, "%.900s/%s is missing: a rotation is signed by the key it "
                     "replaces; restore it from the backup of DATA/keys", keys, SIGN_KEY_FILE);
            return KENES_ENOTFOUND;
        }
    }
    int rc = sign_create_key(keys);
    if (rc == 0)
        rc = sign_open(&sg, keys, err, errcap);
    if (rc == 0)
        rc = datadir_allow_signer(cfg->data_dir, sg, cfg->committer_email, err, errcap);
    else if (!err[0])
        snprintf(err, errcap, "cannot make the signing key in %.900s", keys);
    if (rc == 0) {
        unsigned char pk[SIGN_PUBKEY_BYTES];
        char fp[SIGN_FINGERPRINT_MAX];
        sign_public_key(sg, pk);
        sign_key_fingerprint(fp, sizeof(fp), pk);
        printf("Made the first signing key, %s: no commit in either repository is signed, so "
               "there was no key to rotate\n", fp);
    }
    sign_free(sg);
    return rc;
}

int keyrotate_run(const config *cfg, const char *by, char *err, size_t errcap)
{
    char keys[4096], next[4096], key_line[SIGN_LINE_MAX], made[2][STORE_OID_HEX] = {"", ""};
    signer *old = NULL, *fresh = NULL;
    int rc = 0;
    git_libgit2_init();
    util_path(keys, sizeof(keys), cfg->data_dir, "keys");
    util_path(next, sizeof(next), cfg->data_dir, NEXT_DIR);
    if (by && (rc = accept_check_admin(cfg, by, err, errcap)) < 0)
        goto out;
    if ((rc = sign_open(&old, keys, err, errcap)) == KENES_ENOTFOUND) {
        rc = first_key(cfg, keys, err, errcap);
        goto out;
    }
    if (rc < 0)
        goto out;
    /* A rotation cut short left its new key waiting: finish that one. */
    rc = sign_create_key(next);
    if ((rc < 0 && rc != KENES_EEXISTS) || (rc = sign_open(&fresh, next, err, errcap)) < 0) {
        if (!err[0])
            snprintf(err, errcap, "cannot make the new key in %.900s", next);
        goto out;
    }
    unsigned char pk[SIGN_PUBKEY_BYTES];
    sign_public_key(fresh, pk);
    if ((rc = sign_key_line(key_line, sizeof(key_line), pk)) < 0 ||
        (rc = datadir_allow_signer(cfg->data_dir, fresh, cfg->committer_email, err, errcap)) < 0)
        goto out;
    for (int r = 0; r < 2 && rc == 0; r++) {
        unsigned char in_force[SIGN_PUBKEY_BYTES];
        int has;
        if ((rc = verify_key_at_head(in_force, &has, cfg, r)) < 0) {
            snprintf(err, errcap, "%s: cannot read its signatures", datadir_repo_names[r]);
            break;
        }
        if (has && key_is(in_force, fresh))
            continue; /* recorded before the interruption */
        if (has && !key_is(in_force, old)) {
            snprintf(err, errcap, "%s: keys/%s is not the key in force there, so it cannot "
                     "sign its rotation; restore the right one from the backup of DATA/keys",
                     datadir_repo_names[r], SIGN_KEY_FILE);
            rc = KENES_EFORBIDDEN;
            break;
        }
        char message[400];
        snprintf(message, sizeof(message), "Rotate the signing key\n\nKenes-Action: rotate-key\n"
                 "Kenes-Role: admin\nKenes-Key: %s\n", key_line);
        rc = accept_record(made[r], cfg, r, old, by, message, err, errcap);
    }
    if (rc == 0)
        rc = install(cfg, err, errcap);
    if (rc == 0) {
        char was[SIGN_FINGERPRINT_MAX], now[SIGN_FINGERPRINT_MAX];
        sign_public_key(old, pk);
        sign_key_fingerprint(was, sizeof(was), pk);
        sign_public_key(fresh, pk);
        sign_key_fingerprint(now, sizeof(now), pk);
        printf("Rotated the signing key: %s -> %s (documents.git %s, cases.git %s)\n", was, now,
               made[0][0] ? made[0] : "done before", made[1][0] ? made[1] : "done before");
    }
out:
    sign_free(old);
    sign_free(fresh);
    git_libgit2_shutdown();
    return rc;
}
