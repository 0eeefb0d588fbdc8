#include "notify/outbox.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"

static const char *const kind_names[] = {"webhook", "mail", "notice"};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

notify_item *notify_item_new(const char *dir, int kind, const char *id, const char *target,
                             const char *who, const char *event, const char *body,
                             const char *lang, int64_t created_ms)
{
    notify_item *it = calloc(1, sizeof(*it));
    if (!it)
        return NULL;
    unsigned char h[16];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)id, strlen(id) + 1);
    crypto_generichash_update(&st, (const unsigned char *)target, strlen(target) + 1);
    crypto_generichash_final(&st, h, sizeof(h));
    char hex[33], name[64], path[4096];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(name, sizeof(name), "%s-%s.json", kind_names[kind], hex);
    util_path(path, sizeof(path), dir, name);
    it->kind = kind;
    it->created_ms = created_ms;
    it->next_ms = created_ms;
    it->file = strdup(path);
    it->id = strdup(id);
    it->target = strdup(target);
    it->who = strdup(who);
    it->event = dup_or_null(event);
    it->body = strdup(body);
    it->lang = dup_or_null(lang);
    if (!it->file || !it->id || !it->target || !it->who || !it->body ||
        (event && !it->event) || (lang && !it->lang)) {
        notify_item_free(it);
        return NULL;
    }
    return it;
}

void notify_item_free(notify_item *it)
{
    if (!it)
        return;
    free(it->file);
    free(it->id);
    free(it->target);
    free(it->who);
    free(it->event);
    free(it->body);
    free(it->lang);
    free(it);
}

void notify_items_free(notify_item *list)
{
    while (list) {
        notify_item *next = list->next;
        notify_item_free(list);
        list = next;
    }
}

int notify_item_write(const notify_item *it)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "id", it->id, "kind",
                          kind_names[it->kind], "target", it->target, "who", it->who, "body",
                          it->body, "created", (json_int_t)it->created_ms);
    if (o && it->event)
        json_object_set_new(o, "event", json_string(it->event));
    if (o && it->lang)
        json_object_set_new(o, "lang", json_string(it->lang));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return KENES_ENOMEM;
    int rc = util_write_file_atomic(it->file, text, strlen(text), 0600);
    free(text);
    return rc;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int notify_item_read(notify_item **out, const char *path)
{
    *out = NULL;
    char *text;
    size_t len;
    int rc = util_read_file(&text, &len, path);
    if (rc < 0)
        return rc;
    json_t *o = NULL;
    rc = util_json_parse(&o, text, len);
    free(text);
    if (rc < 0)
        return rc;
    const char *kind = str(o, "kind");
    int k = -1;
    for (int i = 0; kind && i < 3; i++)
        if (strcmp(kind, kind_names[i]) == 0)
            k = i;
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (k < 0 || !str(o, "id") || !str(o, "target") || !str(o, "who") || !str(o, "body") ||
        !json_is_integer(json_object_get(o, "created")))
        rc = KENES_EINVAL;
    else if (!(*out = notify_item_new(dir, k, str(o, "id"), str(o, "target"), str(o, "who"),
                                      str(o, "event"), str(o, "body"), str(o, "lang"),
                                      json_integer_value(json_object_get(o, "created")))))
        rc = KENES_ENOMEM;
    /* The file it came from, whatever the hash says now. */
    if (*out) {
        free((*out)->file);
        if (!((*out)->file = strdup(path))) {
            notify_item_free(*out);
            *out = NULL;
            rc = KENES_ENOMEM;
        }
    }
    json_decref(o);
    return rc;
}

/* What util_write_file_atomic leaves when cut short: "<name>.json.tmp.<pid>". */
static void remove_leftovers(const char *dir)
{
    char **names;
    size_t n;
    if (util_list_dir(&names, &n, dir, "") < 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (strstr(names[i], ".json.tmp.")) {
            char path[4096];
            util_path(path, sizeof(path), dir, names[i]);
            unlink(path);
        }
    util_free_list(names, n);
}

int notify_outbox_load(notify_item **out, const char *dir)
{
    *out = NULL;
    remove_leftovers(dir);
    char **names;
    size_t n;
    int rc = util_list_dir(&names, &n, dir, ".json");
    if (rc < 0)
        return rc;
    notify_item *head = NULL, **tail = &head;
    for (size_t i = 0; i < n; i++) {
        char path[4096], bad[4200];
        util_path(path, sizeof(path), dir, names[i]);
        notify_item *it;
        int r = notify_item_read(&it, path);
        if (r == KENES_ENOMEM) {
            rc = r;
            break;
        }
        if (r < 0) {
            snprintf(bad, sizeof(bad), "%s.bad", path);
            log_error("notify", "outbox: %s is no delivery kenes wrote; moved aside to %s",
                      names[i], bad);
            rename(path, bad);
            continue;
        }
        *tail = it;
        tail = &it->next;
    }
    util_free_list(names, n);
    if (rc < 0) {
        notify_items_free(head);
        return rc;
    }
    /* Oldest first: in the order they were queued. */
    for (notify_item **a = &head; *a; a = &(*a)->next)
        for (notify_item **b = &(*a)->next; *b;) {
            if ((*b)->created_ms < (*a)->created_ms) {
                notify_item *x = *b;
                *b = x->next;
                x->next = *a;
                *a = x;
            } else {
                b = &(*b)->next;
            }
        }
    *out = head;
    return 0;
}
