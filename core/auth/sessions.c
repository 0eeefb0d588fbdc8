#include "auth/sessions.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kenes/plugin.h"
#include "base/error.h"
#include "base/log.h"
#include "base/util.h"

#define SESSIONS_FORMAT 1

void session_token_key(char out[SESSION_KEY_CHARS], const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, SESSION_KEY_CHARS, h, sizeof(h));
}

void session_password_tag(char out[SESSION_TAG_CHARS], const char *password_hash)
{
    unsigned char h[16];
    crypto_generichash(h, sizeof(h), (const unsigned char *)password_hash, strlen(password_hash),
                       NULL, 0);
    sodium_bin2hex(out, SESSION_TAG_CHARS, h, sizeof(h));
}

session *session_new(const char *user, int64_t created_ms, int64_t last_used_ms,
                     const char *password_tag)
{
    session *s = calloc(1, sizeof(*s));
    if (!s || !(s->user = strdup(user))) {
        free(s);
        return NULL;
    }
    s->created_ms = created_ms;
    s->last_used_ms = last_used_ms;
    snprintf(s->password_tag, sizeof(s->password_tag), "%s", password_tag);
    return s;
}

void session_free(session *s)
{
    if (!s)
        return;
    free(s->user);
    free(s);
}

int sessions_serialize(char **out, size_t *len, const map *table)
{
    *out = NULL;
    json_t *list = json_array();
    json_t *root = json_pack("{s:i, s:o}", "kenes_sessions", SESSIONS_FORMAT, "sessions", list);
    if (!root)
        return KENES_ENOMEM;
    map_iter it;
    const char *k;
    void *v;
    map_iter_init(&it, table);
    while (map_iter_next(&it, &k, &v)) {
        const session *s = v;
        if (json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:s}", "token_hash", k,
                                                  "user", s->user, "created_ms",
                                                  (json_int_t)s->created_ms, "last_used_ms",
                                                  (json_int_t)s->last_used_ms, "password_tag",
                                                  s->password_tag)) < 0) {
            json_decref(root);
            return KENES_ENOMEM;
        }
    }
    *out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!*out)
        return KENES_ENOMEM;
    *len = strlen(*out);
    return 0;
}

/* 1 if s is n lowercase hex digits and nothing more. */
static int is_hex(const char *s, size_t n)
{
    return s && strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

int sessions_read(map *table, const char *path, char *err, size_t errcap)
{
    if (access(path, F_OK) != 0)
        return 0; /* none kept yet */
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errcap, "%s:%d: %s", path, jerr.line, jerr.text);
        return KENES_EINVAL;
    }
    json_t *list = json_object_get(root, "sessions");
    size_t i;
    json_t *e;
    if (json_integer_value(json_object_get(root, "kenes_sessions")) != SESSIONS_FORMAT ||
        !json_is_array(list)) {
        snprintf(err, errcap, "%s: not a kenes sessions file (format %d)", path,
                 SESSIONS_FORMAT);
        json_decref(root);
        return KENES_EINVAL;
    }
    /* All checked before any is added: a broken file adds nothing. */
    json_array_foreach(list, i, e)
    {
        const char *key = json_string_value(json_object_get(e, "token_hash"));
        const char *user = json_string_value(json_object_get(e, "user"));
        const char *tag = json_string_value(json_object_get(e, "password_tag"));
        if (!is_hex(key, SESSION_KEY_CHARS - 1) || !user ||
            !is_hex(tag, SESSION_TAG_CHARS - 1) ||
            !json_is_integer(json_object_get(e, "created_ms")) ||
            !json_is_integer(json_object_get(e, "last_used_ms"))) {
            snprintf(err, errcap, "%s: session %zu is malformed", path, i + 1);
            json_decref(root);
            return KENES_EINVAL;
        }
    }
    int rc = 0;
    json_array_foreach(list, i, e)
    {
        const char *key = json_string_value(json_object_get(e, "token_hash"));
        if (map_get(table, key))
            continue; /* the first of two wins, and is not leaked */
        session *s = session_new(json_string_value(json_object_get(e, "user")),
                                 json_integer_value(json_object_get(e, "created_ms")),
                                 json_integer_value(json_object_get(e, "last_used_ms")),
                                 json_string_value(json_object_get(e, "password_tag")));
        if (!s || map_set(table, key, s) < 0) {
            session_free(s);
            rc = KENES_ENOMEM;
            break;
        }
    }
    json_decref(root);
    return rc;
}

/* ---- writing on the thread pool ---- */

struct sessions_writer {
    uv_loop_t *loop;
    uv_work_t work;
    char *path;
    char *writing; /* the text being written, owned by the running write */
    size_t writing_len;
    char *next; /* the text to write once it is done; NULL if none */
    size_t next_len;
    int busy;
    int orphaned; /* freed while writing: the write's end frees it */
    int result;   /* of the last write */
    int failing;  /* the last write failed: logged once until one succeeds */
};

int sessions_writer_new(sessions_writer **out, uv_loop_t *loop, const char *path)
{
    sessions_writer *w = calloc(1, sizeof(*w));
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return KENES_ENOMEM;
    }
    w->loop = loop;
    w->work.data = w;
    *out = w;
    return 0;
}

static void note_result(sessions_writer *w, int rc)
{
    if (rc < 0 && !w->failing)
        log_error("auth", "cannot write %s: %s; the sessions live on in memory", w->path,
                  kenes_strerror(rc));
    else if (rc == 0 && w->failing)
        log_info("auth", "%s written again", w->path);
    w->failing = rc < 0;
}

static void write_work(uv_work_t *req)
{
    sessions_writer *w = req->data;
    /* 0600: the hashes let no one in, but who holds a session is nobody else's business. */
    w->result = util_write_file_atomic(w->path, w->writing, w->writing_len, 0600);
}

static void start_write(sessions_writer *w);

static void write_done(uv_work_t *req, int status)
{
    sessions_writer *w = req->data;
    free(w->writing);
    w->writing = NULL;
    w->busy = 0;
    if (w->orphaned) {
        free(w->next);
        free(w->path);
        free(w);
        return;
    }
    /* status is libuv's (a negative errno): the one edge where it becomes a code. */
    note_result(w, status < 0 ? kenes_error_from_errno(-status) : w->result);
    if (w->next)
        start_write(w);
}

static void start_write(sessions_writer *w)
{
    w->writing = w->next;
    w->writing_len = w->next_len;
    w->next = NULL;
    if (uv_queue_work(w->loop, &w->work, write_work, write_done) != 0) {
        /* Not expected of libuv; the next change tries again. */
        free(w->writing);
        w->writing = NULL;
        note_result(w, KENES_ENOMEM);
        return;
    }
    w->busy = 1;
}

void sessions_writer_put(sessions_writer *w, char *text, size_t len)
{
    free(w->next);
    w->next = text;
    w->next_len = len;
    if (!w->busy && text)
        start_write(w);
}

int sessions_writer_write_now(sessions_writer *w, char *text, size_t len)
{
    if (w->busy) {
        /* Two writers would share the temporary file: the running one wins. */
        free(text);
        return KENES_EBUSY;
    }
    free(w->next);
    w->next = NULL;
    int rc = util_write_file_atomic(w->path, text, len, 0600);
    free(text);
    note_result(w, rc);
    return rc;
}

int sessions_writer_busy(const sessions_writer *w)
{
    return w->busy;
}

void sessions_writer_free(sessions_writer *w)
{
    if (!w)
        return;
    if (w->busy) {
        w->orphaned = 1;
        return;
    }
    free(w->next);
    free(w->path);
    free(w);
}

/* Keys are collected first: removing while iterating is not something map.h
 * promises. */
size_t sessions_remove_if(map *table, int (*ends)(const session *s, void *payload),
                          void *payload, int *all)
{
    char(*gone)[SESSION_KEY_CHARS] = NULL;
    size_t n = 0, cap = 0;
    map_iter it;
    const char *k;
    void *v;
    *all = 1;
    map_iter_init(&it, table);
    while (map_iter_next(&it, &k, &v)) {
        if (!ends(v, payload))
            continue;
        if (n == cap) {
            size_t c = cap ? cap * 2 : 16;
            void *grown = realloc(gone, c * sizeof(*gone));
            if (!grown) {
                *all = 0; /* the rest goes next time */
                break;
            }
            gone = grown;
            cap = c;
        }
        snprintf(gone[n++], sizeof(*gone), "%s", k);
    }
    for (size_t i = 0; i < n; i++)
        session_free(map_remove(table, gone[i]));
    free(gone);
    return n;
}

void sessions_table_free(map *table)
{
    if (!table)
        return;
    map_iter it;
    const char *k;
    void *v;
    map_iter_init(&it, table);
    while (map_iter_next(&it, &k, &v))
        session_free(v);
    map_free(table);
}

static int of_user(const session *s, void *payload)
{
    return strcmp(s->user, payload) == 0;
}

int sessions_drop_user(const char *path, const char *user, char *err, size_t errcap)
{
    if (access(path, F_OK) != 0)
        return 0; /* no sessions kept */
    map *table;
    if (map_new(&table) < 0)
        return KENES_ENOMEM;
    int rc = sessions_read(table, path, err, errcap);
    if (rc == KENES_EINVAL)
        rc = 0; /* not a sessions file: the server drops it at start anyway */
    int all = 1;
    size_t dropped = rc == 0 ? sessions_remove_if(table, of_user, (void *)user, &all) : 0;
    if (!all)
        rc = KENES_ENOMEM;
    char *text = NULL;
    size_t len = 0;
    if (rc == 0 && dropped && (rc = sessions_serialize(&text, &len, table)) == 0 &&
        util_write_file_atomic(path, text, len, 0600) < 0) {
        snprintf(err, errcap, "cannot write %.3000s", path);
        rc = KENES_EIO;
    }
    free(text);
    sessions_table_free(table);
    return rc;
}
