#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "map.h"
#include "util.h"
#include "yml.h"

typedef struct session {
    char *user;
    uint64_t last_used; /* uv_now() */
} session;

struct auth {
    uv_loop_t *loop;
    auth_user *users;
    size_t nusers;
    map *sessions; /* hex(blake2b(token)) -> session */
    uint64_t idle_ms;
    char *dummy_hash; /* verified against for unknown users, so timing does not tell */
    int logins_running;
};

static void users_free(auth_user *u, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(u[i].name);
        free(u[i].region);
        if (u[i].hash)
            sodium_memzero(u[i].hash, strlen(u[i].hash));
        free(u[i].hash);
    }
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

/* Read users.yaml; a missing file is an empty list. */
static int users_load(auth_user **out, size_t *count, const char *path, char *err,
                      size_t errcap)
{
    *out = NULL;
    *count = 0;
    if (access(path, F_OK) != 0)
        return 0;
    yml_doc y;
    int rc = yml_load_file(&y, path, err, errcap);
    if (rc < 0)
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
        if (!name || !name_valid(name) || role_parse(role) == ROLE_NONE || !hash ||
            (role_needs_region(role_parse(role)) && (!region || !*region))) {
            yml_fail(err, errcap, path, u, "a user needs a valid name, role, password%s",
                     role_needs_region(role_parse(role)) ? " and region" : "");
            users_free(users, i);
            yml_dispose(&y);
            return KENES_EINVAL;
        }
        users[i].name = strdup(name);
        users[i].role = role_parse(role);
        users[i].region = region && *region ? strdup(region) : NULL;
        users[i].hash = strdup(hash);
        users[i].disabled = disabled && strcmp(disabled, "true") == 0;
    }
    yml_dispose(&y);
    *out = users;
    *count = n;
    return 0;
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
    int rc = ok ? util_write_file_atomic(path, b.data, b.len, 0600) : -1;
    util_buf_dispose(&b);
    return rc < 0 ? KENES_EIO : 0;
}

int auth_users_add(const char *path, const char *name, enum role role, const char *region,
                   const char *password, char *err, size_t errcap)
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
    if (util_utf8_length(password) < AUTH_MIN_PASSWORD) {
        snprintf(err, errcap, "a password needs at least %d characters", AUTH_MIN_PASSWORD);
        return KENES_EINVAL;
    }
    auth_user *users;
    size_t n;
    int rc = users_load(&users, &n, path, err, errcap);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(users[i].name, name) == 0) {
            snprintf(err, errcap, "a user named '%s' exists already", name);
            users_free(users, n);
            return KENES_EEXISTS;
        }
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        snprintf(err, errcap, "out of memory while hashing the password");
        users_free(users, n);
        return KENES_ENOMEM;
    }
    auth_user *grown = realloc(users, (n + 1) * sizeof(*grown));
    if (!grown) {
        users_free(users, n);
        return KENES_ENOMEM;
    }
    users = grown;
    users[n] = (auth_user){strdup(name), role, region && *region ? strdup(region) : NULL,
                           strdup(hash), 0};
    rc = users_save(path, users, n + 1);
    if (rc < 0)
        snprintf(err, errcap, "cannot write %s", path);
    users_free(users, n + 1);
    return rc;
}

int auth_open(auth **out, uv_loop_t *loop, const char *path, unsigned idle_s, char *err,
              size_t errcap)
{
    if (sodium_init() < 0)
        return KENES_ENOMEM;
    auth *a = calloc(1, sizeof(*a));
    if (!a)
        return KENES_ENOMEM;
    a->loop = loop;
    a->idle_ms = (uint64_t)idle_s * 1000;
    int rc = users_load(&a->users, &a->nusers, path, err, errcap);
    if (rc == 0)
        rc = map_new(&a->sessions);
    if (rc == 0) {
        /* A throwaway hash with the same cost as real ones. */
        char hash[crypto_pwhash_STRBYTES];
        unsigned char junk[16];
        randombytes_buf(junk, sizeof(junk));
        if (crypto_pwhash_str(hash, (const char *)junk, sizeof(junk),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            rc = KENES_ENOMEM;
        else
            a->dummy_hash = strdup(hash);
    }
    if (rc < 0) {
        auth_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

void auth_close(auth *a)
{
    if (!a)
        return;
    if (a->sessions) {
        map_iter it;
        const char *k;
        void *v;
        map_iter_init(&it, a->sessions);
        while (map_iter_next(&it, &k, &v)) {
            free(((session *)v)->user);
            free(v);
        }
        map_free(a->sessions);
    }
    users_free(a->users, a->nusers);
    free(a->dummy_hash);
    free(a);
}

const auth_user *auth_user_find(const auth *a, const char *name)
{
    for (size_t i = 0; name && i < a->nusers; i++)
        if (strcmp(a->users[i].name, name) == 0)
            return &a->users[i];
    return NULL;
}

size_t auth_user_count(const auth *a)
{
    return a->nusers;
}

const auth_user *auth_user_at(const auth *a, size_t i)
{
    return i < a->nusers ? &a->users[i] : NULL;
}

static void token_key(char out[65], const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

typedef struct login_job {
    uv_work_t work;
    auth *a;
    char *name;
    char *password;
    char *hash;
    int real_user; /* the user exists and is enabled */
    int verified;
    auth_login_cb cb;
    void *payload;
} login_job;

static void login_work(uv_work_t *w)
{
    login_job *j = w->data;
    j->verified = crypto_pwhash_str_verify(j->hash, j->password, strlen(j->password)) == 0;
}

static void sessions_sweep(auth *a)
{
    map_iter it;
    const char *k;
    void *v;
    uint64_t now = uv_now(a->loop);
    for (;;) {
        const char *stale = NULL;
        map_iter_init(&it, a->sessions);
        while (map_iter_next(&it, &k, &v))
            if (now - ((session *)v)->last_used > a->idle_ms) {
                stale = k;
                break;
            }
        if (!stale)
            return;
        session *s = map_remove(a->sessions, stale);
        free(s->user);
        free(s);
    }
}

static void login_done(uv_work_t *w, int status)
{
    login_job *j = w->data;
    auth *a = j->a;
    a->logins_running--;
    const auth_user *u = auth_user_find(a, j->name);
    int ok = status == 0 && j->verified && j->real_user && u && !u->disabled;
    char token[AUTH_TOKEN_CHARS] = "";
    if (ok) {
        unsigned char raw[32];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2base64(token, sizeof(token), raw, sizeof(raw),
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        char key[65];
        token_key(key, token);
        session *s = malloc(sizeof(*s));
        if (s && (s->user = strdup(u->name)) != NULL) {
            s->last_used = uv_now(a->loop);
            sessions_sweep(a);
            ok = map_set(a->sessions, key, s) == 0;
        } else {
            free(s);
            ok = 0;
        }
    }
    j->cb(ok ? 0 : KENES_EFORBIDDEN, ok ? token : NULL, ok ? u : NULL, j->payload);
    sodium_memzero(token, sizeof(token));
    sodium_memzero(j->password, strlen(j->password));
    free(j->password);
    free(j->name);
    free(j->hash);
    free(j);
}

int auth_login(auth *a, const char *name, const char *password, auth_login_cb cb, void *payload)
{
    login_job *j = calloc(1, sizeof(*j));
    if (!j)
        return KENES_ENOMEM;
    const auth_user *u = auth_user_find(a, name);
    j->a = a;
    j->real_user = u && !u->disabled;
    j->name = strdup(name);
    j->password = strdup(password);
    j->hash = strdup(u ? u->hash : a->dummy_hash);
    j->cb = cb;
    j->payload = payload;
    j->work.data = j;
    if (!j->name || !j->password || !j->hash ||
        uv_queue_work(a->loop, &j->work, login_work, login_done) != 0) {
        free(j->name);
        free(j->password);
        free(j->hash);
        free(j);
        return KENES_ENOMEM;
    }
    a->logins_running++;
    return 0;
}

int auth_busy(const auth *a)
{
    return a->logins_running > 0;
}

const auth_user *auth_session(auth *a, const char *token)
{
    if (!token || strlen(token) != AUTH_TOKEN_CHARS - 1)
        return NULL;
    char key[65];
    token_key(key, token);
    session *s = map_get(a->sessions, key);
    if (!s)
        return NULL;
    uint64_t now = uv_now(a->loop);
    const auth_user *u = auth_user_find(a, s->user);
    if (now - s->last_used > a->idle_ms || !u || u->disabled) {
        map_remove(a->sessions, key);
        free(s->user);
        free(s);
        return NULL;
    }
    s->last_used = now;
    return u;
}

int auth_logout(auth *a, const char *token)
{
    char key[65];
    if (!token)
        return KENES_ENOTFOUND;
    token_key(key, token);
    session *s = map_remove(a->sessions, key);
    if (!s)
        return KENES_ENOTFOUND;
    free(s->user);
    free(s);
    return 0;
}
