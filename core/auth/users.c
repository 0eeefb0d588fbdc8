/*
 * users.yaml: the accounts, their roles and argon2id password hashes.  The
 * command line adds, re-keys, disables and enables users (each a whole new
 * file, written durably); the server reads the file at start and again
 * whenever stat says it changed, keeping the records it handed out valid.
 */
#include "auth/auth_internal.h"

#include <crack.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/log.h"
#include "base/mailaddr.h"
#include "base/util.h"
#include "base/yml.h"

static void user_dispose(auth_user *u)
{
    free(u->name);
    free(u->region);
    free(u->agency);
    free(u->email);
    free(u->lang);
    if (u->hash)
        sodium_memzero(u->hash, strlen(u->hash));
    free(u->hash);
}

void users_list_free(auth_user *u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        user_dispose(&u[i]);
    free(u);
}

static int name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
              *s == '.'))
            return 0;
    return 1;
}

/* An agency's code as content/agencies.yaml writes them: a-z, 0-9 and '-'. */
static int agency_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

/* An agency for exactly the agency officers: NULL, or why not. */
static const char *agency_refused(enum role role, const char *agency)
{
    if (role == ROLE_AGENCY && (!agency || !*agency))
        return "role agency-officer needs an agency";
    if (role != ROLE_AGENCY && agency && *agency)
        return "only an agency-officer has an agency";
    if (agency && *agency && !agency_valid(agency))
        return "an agency's code is 1-64 characters of a-z, 0-9 and '-'";
    return NULL;
}

/* A notice's address and language: NULL, or why not. */
static const char *contact_refused(const char *email, const char *lang)
{
    if (email && *email && !mailaddr_valid(email))
        return "not an e-mail address (a plain name@domain.kz: one @, no spaces, a dot in "
               "the domain)";
    if (lang && strcmp(lang, "ru") != 0 && strcmp(lang, "kk") != 0 && strcmp(lang, "en") != 0)
        return "a language is ru, kk or en";
    return NULL;
}

/* dst = a copy of s (NULL or "": NULL); 0 or KENES_ENOMEM. */
static int set_opt(char **dst, const char *s)
{
    free(*dst);
    *dst = s && *s ? strdup(s) : NULL;
    return s && *s && !*dst ? KENES_ENOMEM : 0;
}

int users_list_load(auth_user **out, size_t *count, const char *path, char *err,
                    size_t errcap)
{
    *out = NULL;
    *count = 0;
    yml_doc y;
    int found;
    int rc = yml_load_optional(&y, &found, path, err, errcap);
    if (rc < 0 || !found)
        return rc;
    size_t n;
    yaml_node_t *list = yml_get(&y, yml_root(&y), "users");
    yaml_node_item_t *items = yml_items(list, &n);
    auth_user *users = calloc(n ? n : 1, sizeof(*users));
    if (!users) {
        yml_dispose(&y);
        return KENES_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *u = yml_node(&y, items[i]);
        const char *name = yml_scalar(yml_get(&y, u, "name"));
        const char *role = yml_scalar(yml_get(&y, u, "role"));
        const char *region = yml_scalar(yml_get(&y, u, "region"));
        const char *hash = yml_scalar(yml_get(&y, u, "password"));
        const char *disabled = yml_scalar(yml_get(&y, u, "disabled"));
        const char *agency = yml_scalar(yml_get(&y, u, "agency"));
        if (!name || !name_valid(name) || role_parse(role) == ROLE_NONE || !hash ||
            (role_needs_region(role_parse(role)) && (!region || !*region))) {
            rc = yml_fail(err, errcap, path, u, "a user needs a valid name, role, password%s",
                          role_needs_region(role_parse(role)) ? " and region" : "");
            goto fail;
        }
        const char *email = yml_scalar(yml_get(&y, u, "email"));
        const char *lang = yml_scalar(yml_get(&y, u, "lang"));
        const char *why = agency_refused(role_parse(role), agency);
        if (!why)
            why = contact_refused(email, lang);
        if (why) {
            rc = yml_fail(err, errcap, path, u, "user '%s': %s", name, why);
            goto fail;
        }
        /* The server finds users by name: two of one name would be ambiguous. */
        for (size_t k = 0; k < i; k++)
            if (strcmp(users[k].name, name) == 0) {
                rc = yml_fail(err, errcap, path, u, "a second user named '%s'", name);
                goto fail;
            }
        users[i].name = strdup(name);
        users[i].role = role_parse(role);
        users[i].region = region && *region ? strdup(region) : NULL;
        users[i].agency = agency && *agency ? strdup(agency) : NULL;
        users[i].hash = strdup(hash);
        users[i].disabled = disabled && strcmp(disabled, "true") == 0;
        if (set_opt(&users[i].email, email) < 0 || set_opt(&users[i].lang, lang) < 0 ||
            !users[i].name || !users[i].hash || (region && *region && !users[i].region) ||
            (agency && *agency && !users[i].agency)) {
            snprintf(err, errcap, "out of memory reading %s", path);
            rc = KENES_ENOMEM;
            goto fail;
        }
    }
    yml_dispose(&y);
    *out = users;
    *count = n;
    return 0;
fail:
    users_list_free(users, n); /* calloc'd: the entries not reached yet are empty */
    yml_dispose(&y);
    return rc;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, int quoted)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                 quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
    return yaml_emitter_emit(e, &ev);
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    return util_buf_append(data, (const char *)buffer, size) == 0;
}

/* Write users.yaml durably with libyaml's emitter. */
static int users_save(const char *path, const auth_user *users, size_t n)
{
    util_buf b;
    util_buf_init(&b);
    util_buf_puts(&b, "# kenes users: argon2id password hashes (libsodium). Change them with\n"
                      "# `kenes user ...`, not by hand.\n");
    yaml_emitter_t e;
    yaml_event_t ev;
    int ok = yaml_emitter_initialize(&e);
    yaml_emitter_set_output(&e, write_handler, &b);
    yaml_emitter_set_unicode(&e, 1);
    ok = ok && yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
         yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
         yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) &&
         yaml_emitter_emit(&e, &ev);
    ok = ok && emit_scalar(&e, "users", 0);
    ok = ok && yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                    YAML_BLOCK_SEQUENCE_STYLE) &&
         yaml_emitter_emit(&e, &ev);
    for (size_t i = 0; ok && i < n; i++) {
        ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) &&
             yaml_emitter_emit(&e, &ev);
        ok = ok && emit_scalar(&e, "name", 0) && emit_scalar(&e, users[i].name, 1);
        ok = ok && emit_scalar(&e, "role", 0) && emit_scalar(&e, role_name(users[i].role), 1);
        if (users[i].region)
            ok = ok && emit_scalar(&e, "region", 0) && emit_scalar(&e, users[i].region, 1);
        if (users[i].agency)
            ok = ok && emit_scalar(&e, "agency", 0) && emit_scalar(&e, users[i].agency, 1);
        if (users[i].email)
            ok = ok && emit_scalar(&e, "email", 0) && emit_scalar(&e, users[i].email, 1);
        if (users[i].lang)
            ok = ok && emit_scalar(&e, "lang", 0) && emit_scalar(&e, users[i].lang, 1);
        ok = ok && emit_scalar(&e, "password", 0) && emit_scalar(&e, users[i].hash, 1);
        ok = ok && emit_scalar(&e, "disabled", 0) &&
             emit_scalar(&e, users[i].disabled ? "true" : "false", 0);
        ok = ok && yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev);
    }
    ok = ok && yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&e, &ev);
    yaml_emitter_delete(&e);
    int rc = ok ? util_write_file_atomic(path, b.data, b.len, 0600) : KENES_ENOMEM;
    util_buf_dispose(&b);
    /* The command line says "cannot write" whatever the cause. */
    return rc < 0 ? KENES_EIO : 0;
}

/* argon2id at libsodium's interactive cost, like every hash in the file. */
static int hash_password(char out[crypto_pwhash_STRBYTES], const char *password, char *err,
                         size_t errcap)
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        snprintf(err, errcap, "out of memory while hashing the password");
        return KENES_ENOMEM;
    }
    return 0;
}

/* Length first, then cracklib (its default dictionary, and its rules on
 * repeated, systematic and too few distinct characters).  why (whycap > 0)
 * gets cracklib's own reason when it refuses, for a caller that words it
 * for people in their language.  cracklib keeps its dictionary's state in
 * statics: callers on threads hold the hasher's lock around this. */
static int password_check(const char *password, char *why, size_t whycap, char *err,
                          size_t errcap)
{
    if (util_utf8_length(password) < AUTH_MIN_PASSWORD) {
        snprintf(err, errcap, "a password needs at least %d characters", AUTH_MIN_PASSWORD);
        return KENES_EINVAL;
    }
    const char *dict = GetDefaultCracklibDict();
    char pwd[4096];
    snprintf(pwd, sizeof(pwd), "%s.pwd", dict);
    /* FascistCheck cannot say that its dictionary is missing (Debian #682735). */
    if (access(pwd, R_OK) != 0) {
        snprintf(err, errcap,
                 "cannot check the password: cracklib's dictionary %s is missing "
                 "(install cracklib-runtime)",
                 pwd);
        return KENES_EIO;
    }
    const char *reason = FascistCheck(password, dict);
    if (reason) {
        snprintf(err, errcap, "this password is too easy to guess: %s (cracklib)", reason);
        if (whycap)
            snprintf(why, whycap, "%s", reason);
        return KENES_EINVAL;
    }
    return 0;
}

int auth_users_add(const char *path, const char *name, enum role role, const char *region,
                   const char *password, char *err, size_t errcap)
{
    return auth_users_add_agency(path, name, role, region, NULL, password, err, errcap);
}

int auth_users_add_agency(const char *path, const char *name, enum role role,
                          const char *region, const char *agency, const char *password,
                          char *err, size_t errcap)
{
    return auth_users_add_contact(path, name, role, region, agency, NULL, NULL, password, err,
                                  errcap);
}

int auth_users_add_contact(const char *path, const char *name, enum role role,
                           const char *region, const char *agency, const char *email,
                           const char *lang, const char *password, char *err, size_t errcap)
{
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    if (!name_valid(name)) {
        snprintf(err, errcap, "a user name is 1-64 characters of a-z, 0-9, '.', '-', '_'");
        return KENES_EINVAL;
    }
    if (role == ROLE_NONE) {
        snprintf(err, errcap, "unknown role");
        return KENES_EINVAL;
    }
    if (role_needs_region(role) && (!region || !*region)) {
        snprintf(err, errcap, "role %s needs --region", role_name(role));
        return KENES_EINVAL;
    }
    if (!role_needs_region(role) && region && *region) {
        snprintf(err, errcap, "role %s acts for no single region: drop --region", role_name(role));
        return KENES_EINVAL;
    }
    if (role == ROLE_AGENCY && (!agency || !*agency)) {
        snprintf(err, errcap, "role %s needs --agency", role_name(role));
        return KENES_EINVAL;
    }
    const char *why = agency_refused(role, agency);
    if (why) {
        snprintf(err, errcap, "%s%s", why,
                 role != ROLE_AGENCY ? ": drop --agency" : "");
        return KENES_EINVAL;
    }
    if ((why = contact_refused(email, lang))) {
        snprintf(err, errcap, "%s", why);
        return KENES_EINVAL;
    }
    int rc = password_check(password, NULL, 0, err, errcap);
    if (rc < 0)
        return rc;
    auth_user *users;
    size_t n;
    rc = users_list_load(&users, &n, path, err, errcap);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(users[i].name, name) == 0) {
            snprintf(err, errcap, "a user named '%s' exists already", name);
            users_list_free(users, n);
            return KENES_EEXISTS;
        }
    }
    char hash[crypto_pwhash_STRBYTES];
    if (hash_password(hash, password, err, errcap) < 0) {
        users_list_free(users, n);
        return KENES_ENOMEM;
    }
    auth_user *grown = realloc(users, (n + 1) * sizeof(*grown));
    if (!grown) {
        users_list_free(users, n);
        return KENES_ENOMEM;
    }
    users = grown;
    users[n] = (auth_user){.name = strdup(name),
                           .role = role,
                           .region = region && *region ? strdup(region) : NULL,
                           .agency = agency && *agency ? strdup(agency) : NULL,
                           .hash = strdup(hash)};
    sodium_memzero(hash, sizeof(hash));
    if (set_opt(&users[n].email, email) < 0 || set_opt(&users[n].lang, lang) < 0 ||
        !users[n].name || !users[n].hash || (region && *region && !users[n].region) ||
        (agency && *agency && !users[n].agency))
        rc = KENES_ENOMEM;
    else if ((rc = users_save(path, users, n + 1)) < 0)
        snprintf(err, errcap, "cannot write %s", path);
    users_list_free(users, n + 1);
    return rc;
}

/* Load the file and find `name` in it: 0 with *users (to save and free),
 * *n and *at, or KENES_ENOTFOUND / a load error with the reason in err. */
static int users_load_one(auth_user **users, size_t *n, size_t *at, const char *path,
                          const char *name, char *err, size_t errcap)
{
    int rc = users_list_load(users, n, path, err, errcap);
    if (rc < 0)
        return rc;
    for (*at = 0; *at < *n; (*at)++)
        if (strcmp((*users)[*at].name, name) == 0)
            return 0;
    snprintf(err, errcap, "no user named '%s' in %s", name, path);
    users_list_free(*users, *n);
    return KENES_ENOTFOUND;
}

int users_set_password(const char *path, const char *name, const char *expected_hash,
                       const char *password, char *why, size_t whycap, char *err,
                       size_t errcap)
{
    int rc = password_check(password, why, whycap, err, errcap);
    if (rc < 0)
        return rc;
    auth_user *users;
    size_t n, at;
    rc = users_load_one(&users, &n, &at, path, name, err, errcap);
    if (rc < 0)
        return rc;
    /* Between the check of the current password and now, an administrator
     * may have set another or disabled the user: theirs stands. */
    if (expected_hash && (users[at].disabled || strcmp(users[at].hash, expected_hash) != 0)) {
        snprintf(err, errcap, "the password of '%s' changed meanwhile", name);
        users_list_free(users, n);
        return KENES_ESTALE;
    }
    char hash[crypto_pwhash_STRBYTES];
    char *copy = NULL;
    rc = hash_password(hash, password, err, errcap);
    if (rc == 0 && !(copy = strdup(hash)))
        rc = KENES_ENOMEM;
    if (rc == 0) {
        sodium_memzero(users[at].hash, strlen(users[at].hash));
        free(users[at].hash);
        users[at].hash = copy;
        sodium_memzero(hash, sizeof(hash));
        if ((rc = users_save(path, users, n)) < 0)
            snprintf(err, errcap, "cannot write %s", path);
    }
    users_list_free(users, n);
    return rc;
}

int auth_users_passwd(const char *path, const char *name, const char *password, char *err,
                      size_t errcap)
{
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    return users_set_password(path, name, NULL, password, NULL, 0, err, errcap);
}

int auth_users_set_disabled(const char *path, const char *name, int disabled, char *err,
                            size_t errcap)
{
    auth_user *users;
    size_t n, at;
    int rc = users_load_one(&users, &n, &at, path, name, err, errcap);
    if (rc < 0)
        return rc;
    /* Unchanged: leave the file (and the server's view of it) alone. */
    if (users[at].disabled != !!disabled) {
        users[at].disabled = !!disabled;
        if ((rc = users_save(path, users, n)) < 0)
            snprintf(err, errcap, "cannot write %s", path);
    }
    users_list_free(users, n);
    return rc;
}

int auth_users_set_email(const char *path, const char *name, const char *email,
                         const char *lang, char *err, size_t errcap)
{
    const char *why = contact_refused(email, lang);
    if (why) {
        snprintf(err, errcap, "%s", why);
        return KENES_EINVAL;
    }
    auth_user *users;
    size_t n, at;
    int rc = users_load_one(&users, &n, &at, path, name, err, errcap);
    if (rc < 0)
        return rc;
    if (set_opt(&users[at].email, email) < 0 || (lang && set_opt(&users[at].lang, lang) < 0))
        rc = KENES_ENOMEM;
    else if ((rc = users_save(path, users, n)) < 0)
        snprintf(err, errcap, "cannot write %s", path);
    users_list_free(users, n);
    return rc;
}

/* ---- the server's users: users.yaml, read at start and whenever it changes ---- */

void file_id_get(file_id *f, const char *path)
{
    struct stat st;
    memset(f, 0, sizeof(*f));
    if (stat(path, &st) != 0)
        return;
    f->exists = 1;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtime = st.st_mtim;
}

static int file_id_same(const file_id *x, const file_id *y)
{
    return x->exists == y->exists && x->dev == y->dev && x->ino == y->ino &&
           x->size == y->size && x->mtime.tv_sec == y->mtime.tv_sec &&
           x->mtime.tv_nsec == y->mtime.tv_nsec;
}

static int user_same(const auth_user *x, const auth_user *y)
{
    return strcmp(x->name, y->name) == 0 && x->role == y->role &&
           strcmp(x->region ? x->region : "", y->region ? y->region : "") == 0 &&
           strcmp(x->agency ? x->agency : "", y->agency ? y->agency : "") == 0 &&
           strcmp(x->hash, y->hash) == 0 && x->disabled == y->disabled &&
           strcmp(x->email ? x->email : "", y->email ? y->email : "") == 0 &&
           strcmp(x->lang ? x->lang : "", y->lang ? y->lang : "") == 0;
}

/* Make `loaded` (from users_list_load) the current users: a user that did not
 * change keeps its record, the others get new ones and their old records are
 * retired.  Takes `loaded` on success; on KENES_ENOMEM nothing changed. */
int users_adopt(auth *a, auth_user *loaded, size_t n)
{
    auth_user **now = calloc(n ? n : 1, sizeof(*now));
    unsigned char *fresh = calloc(n ? n : 1, 1);
    auth_user **retired = realloc(a->retired, (a->nretired + a->nusers + 1) * sizeof(*retired));
    if (retired)
        a->retired = retired;
    int rc = now && fresh && retired ? 0 : KENES_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        for (size_t k = 0; k < a->nusers && !now[i]; k++)
            if (user_same(a->users[k], &loaded[i]))
                now[i] = a->users[k];
        if (!now[i]) {
            fresh[i] = 1;
            if (!(now[i] = malloc(sizeof(**now))))
                rc = KENES_ENOMEM;
        }
    }
    if (rc < 0) {
        for (size_t i = 0; now && fresh && i < n; i++)
            if (fresh[i])
                free(now[i]);
        free(now);
        free(fresh);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (fresh[i])
            *now[i] = loaded[i]; /* its strings move */
        else
            user_dispose(&loaded[i]);
    }
    for (size_t k = 0; k < a->nusers; k++) {
        size_t i = 0;
        while (i < n && now[i] != a->users[k])
            i++;
        if (i == n) {
            /* Whoever still holds it holds a record that grants nothing new. */
            a->users[k]->disabled = 1;
            a->retired[a->nretired++] = a->users[k];
        }
    }
    free(loaded);
    free(fresh);
    free(a->users);
    a->users = now;
    a->nusers = n;
    return 0;
}

int auth_reload(auth *a)
{
    file_id id;
    file_id_get(&id, a->path);
    if (file_id_same(&id, &a->file))
        return 0;
    /* Remembered even when the file is broken: one error per change, not one per request. */
    a->file = id;
    auth_user *loaded;
    size_t n;
    char err[512] = "out of memory";
    int rc = users_list_load(&loaded, &n, a->path, err, sizeof(err));
    if (rc == 0 && a->agency_known) {
        const auth_user **each = calloc(n ? n : 1, sizeof(*each));
        for (size_t i = 0; each && i < n; i++)
            each[i] = &loaded[i];
        rc = each ? users_check_agencies(a, each, n, err, sizeof(err)) : KENES_ENOMEM;
        free(each);
        if (rc < 0)
            users_list_free(loaded, n);
    }
    if (rc == 0 && (rc = users_adopt(a, loaded, n)) < 0)
        users_list_free(loaded, n);
    if (rc < 0) {
        if (rc == KENES_ENOMEM)
            a->file.exists = -1; /* matches no file: try again on the next call */
        log_error("auth", "%s changed but cannot be read; keeping the users read before: %s",
                  a->path, err);
        return rc;
    }
    /* A user removed, disabled or given a new password: their sessions end now. */
    if (auth_sessions_prune(a) > 0)
        auth_sessions_changed(a);
    log_info("auth", "%s re-read: %zu users", a->path, a->nusers);
    return 1;
}

static void record_free(auth_user *u)
{
    user_dispose(u);
    free(u);
}

void users_records_free(auth *a)
{
    for (size_t i = 0; i < a->nusers; i++)
        record_free(a->users[i]);
    for (size_t i = 0; i < a->nretired; i++)
        record_free(a->retired[i]);
    free(a->users);
    free(a->retired);
    a->users = a->retired = NULL;
    a->nusers = a->nretired = 0;
}

const auth_user *auth_user_find(const auth *a, const char *name)
{
    for (size_t i = 0; name && i < a->nusers; i++)
        if (strcmp(a->users[i]->name, name) == 0)
            return a->users[i];
    return NULL;
}

size_t auth_user_count(const auth *a)
{
    return a->nusers;
}

const auth_user *auth_user_at(const auth *a, size_t i)
{
    return i < a->nusers ? a->users[i] : NULL;
}

int users_check_agencies(const auth *a, const auth_user *const *users, size_t n, char *err,
                         size_t errcap)
{
    for (size_t i = 0; a->agency_known && i < n; i++) {
        const auth_user *u = users[i];
        if (u->role != ROLE_AGENCY)
            continue;
        if (!u->region || !u->agency || !a->agency_known(u->region, u->agency, a->agency_payload)) {
            snprintf(err, errcap, "%s: user '%s': agency '%s' is not one of %s's in %s", a->path,
                     u->name, u->agency ? u->agency : "", u->region ? u->region : "?",
                     a->agency_list ? a->agency_list : "the agencies");
            return KENES_EINVAL;
        }
    }
    return 0;
}

int auth_check_agencies(auth *a, auth_agency_fn known, void *payload, const char *list,
                        char *err, size_t errcap)
{
    char *copy = list ? strdup(list) : NULL;
    if (list && !copy)
        return KENES_ENOMEM;
    free(a->agency_list);
    a->agency_list = copy;
    a->agency_known = known;
    a->agency_payload = payload;
    return users_check_agencies(a, (const auth_user *const *)a->users, a->nusers, err, errcap);
}
