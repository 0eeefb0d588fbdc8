#include "ui/ui.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/map.h"
#include "ui/tmpl.h"

typedef struct ui_view {
    char *name;
    tmpl *t;
} ui_view;

typedef struct ui_file {
    ui_asset a;
    char *name, *data, *etag;
} ui_file;

struct ui {
    ui_strings *words;
    ui_view *views;
    size_t nviews;
    ui_file *files;
    size_t nfiles;
};

static const struct {
    const char *suffix, *type;
} types[] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
};

static const char *type_of(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(types); i++) {
        size_t s = strlen(types[i].suffix);
        if (n > s && strcmp(name + n - s, types[i].suffix) == 0)
            return types[i].type;
    }
    return NULL;
}

static int load_views(ui *u, const char *dir, char *err, size_t errcap)
{
    char **names = NULL;
    size_t n = 0;
    int rc = util_list_dir(&names, &n, dir, ".html");
    if (rc < 0) {
        util_set_err(err, errcap, "%s: cannot list the folder", dir);
        return rc;
    }
    u->views = calloc(n ? n : 1, sizeof(*u->views));
    if (!u->views)
        rc = KENES_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char path[4096], why[256] = "";
        char *text = NULL;
        size_t len = 0;
        util_path(path, sizeof(path), dir, names[i]);
        if ((rc = util_read_file(&text, &len, path)) < 0) {
            util_set_err(err, errcap, "%s: cannot read it", path);
            break;
        }
        ui_view *v = &u->views[u->nviews];
        rc = tmpl_new(&v->t, text, len, why, sizeof(why));
        free(text);
        if (rc < 0) {
            util_set_err(err, errcap, "%s:%s", path, why);
            break;
        }
        v->name = strndup(names[i], strlen(names[i]) - 5);
        u->nviews++;
    }
    util_free_list(names, n);
    if (rc == 0 && (!ui_has_view(u, "layout_top") || !ui_has_view(u, "layout_bottom"))) {
        util_set_err(err, errcap, "%s: layout_top.html and layout_bottom.html are required", dir);
        rc = KENES_EINVAL;
    }
    return rc;
}

static int load_files(ui *u, const char *dir, char *err, size_t errcap)
{
    char **names = NULL;
    size_t n = 0;
    int rc = util_list_dir(&names, &n, dir, "");
    if (rc < 0) {
        util_set_err(err, errcap, "%s: cannot list the folder", dir);
        return rc;
    }
    u->files = calloc(n ? n : 1, sizeof(*u->files));
    if (!u->files)
        rc = KENES_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *type = type_of(names[i]);
        if (!type || names[i][0] == '.')
            continue; /* an editor's backup, a README: not served */
        char path[4096];
        util_path(path, sizeof(path), dir, names[i]);
        ui_file *f = &u->files[u->nfiles];
        size_t len = 0;
        if ((rc = util_read_file(&f->data, &len, path)) < 0) {
            util_set_err(err, errcap, "%s: cannot read it", path);
            break;
        }
        unsigned char h[16];
        char hex[33];
        crypto_generichash(h, sizeof(h), (const unsigned char *)f->data, len, NULL, 0);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        f->name = strdup(names[i]);
        f->etag = malloc(36);
        if (!f->name || !f->etag) {
            rc = KENES_ENOMEM;
            break;
        }
        snprintf(f->etag, 36, "\"%s\"", hex);
        f->a = (ui_asset){f->name, type, f->data, len, f->etag};
        u->nfiles++;
    }
    util_free_list(names, n);
    return rc;
}

int ui_open(ui **out, const char *dir, char *err, size_t errcap)
{
    *out = NULL;
    ui *u = calloc(1, sizeof(*u));
    if (!u)
        return KENES_ENOMEM;
    char sub[4096];
    util_path(sub, sizeof(sub), dir, "strings");
    int rc = ui_strings_load(&u->words, sub, err, errcap);
    if (rc == 0)
        rc = load_views(u, dir, err, errcap);
    util_path(sub, sizeof(sub), dir, "static");
    if (rc == 0)
        rc = load_files(u, sub, err, errcap);
    if (rc < 0) {
        ui_close(u);
        return rc;
    }
    *out = u;
    return 0;
}

void ui_close(ui *u)
{
    if (!u)
        return;
    ui_strings_free(u->words);
    for (size_t i = 0; i < u->nviews; i++) {
        tmpl_free(u->views[i].t);
        free(u->views[i].name);
    }
    for (size_t i = 0; i < u->nfiles; i++) {
        free(u->files[i].name);
        free(u->files[i].data);
        free(u->files[i].etag);
    }
    free(u->views);
    free(u->files);
    free(u);
}

const ui_strings *ui_words(const ui *u)
{
    return u->words;
}

static const tmpl *view_find(const ui *u, const char *name)
{
    for (size_t i = 0; i < u->nviews; i++)
        if (strcmp(u->views[i].name, name) == 0)
            return u->views[i].t;
    return NULL;
}

int ui_has_view(const ui *u, const char *view)
{
    return view_find(u, view) != NULL;
}

int ui_render(util_buf *out, const ui *u, const char *view, const json_t *model)
{
    const tmpl *t = view_find(u, view);
    return t ? tmpl_render(out, t, model) : KENES_ENOTFOUND;
}

int ui_render_page(util_buf *out, const ui *u, const char *view, const json_t *model)
{
    size_t start = out->len;
    int rc = ui_render(out, u, "layout_top", model);
    if (rc == 0)
        rc = ui_render(out, u, view, model);
    if (rc == 0)
        rc = ui_render(out, u, "layout_bottom", model);
    if (rc < 0)
        out->len = start;
    return rc;
}

const ui_asset *ui_asset_find(const ui *u, const char *name)
{
    for (size_t i = 0; i < u->nfiles; i++)
        if (strcmp(u->files[i].name, name) == 0)
            return &u->files[i].a;
    return NULL;
}
