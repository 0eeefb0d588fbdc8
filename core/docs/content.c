#include "docs/content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/util.h"
#include "storage/docfile.h"

const char *const content_lists[] = {"concept", "agencies", NULL};

int content_load(json_t **out, const char *content_dir, char *err, size_t errcap)
{
    *out = json_object();
    if (!*out)
        return KENES_ENOMEM;
    for (size_t i = 0; content_lists[i]; i++) {
        char path[4096], name[64];
        snprintf(name, sizeof(name), "%s.yaml", content_lists[i]);
        util_path(path, sizeof(path), content_dir, name);
        char *buf = NULL;
        size_t len = 0;
        int rc = util_read_file(&buf, &len, path);
        if (rc == KENES_ENOTFOUND)
            continue;
        if (rc < 0) {
            util_set_err(err, errcap, "%s: cannot be read", path);
            json_decref(*out);
            *out = NULL;
            return rc;
        }
        json_t *list = NULL;
        char why[256] = "";
        rc = doc_parse_yaml(&list, buf, len, why, sizeof(why));
        free(buf);
        if (rc == 0 && json_object_set_new(*out, content_lists[i], list) < 0)
            rc = KENES_ENOMEM;
        if (rc < 0) {
            if (rc == KENES_EINVAL)
                util_set_err(err, errcap, "%s: %s", path, why);
            json_decref(*out);
            *out = NULL;
            return rc;
        }
    }
    return 0;
}

const json_t *content_kapi(const void *payload, const char *name)
{
    return payload && name ? json_object_get(payload, name) : NULL;
}

int content_agency_known(const json_t *lists, const char *region, const char *code)
{
    /* The file agencies.yaml is {agencies: {KZ-11: [...]}}, kept whole under its name. */
    const json_t *file = json_object_get(lists, "agencies");
    const json_t *of = json_object_get(json_object_get(file, "agencies"), region ? region : "");
    size_t i;
    json_t *a;
    json_array_foreach(of, i, a) {
        const char *c = json_string_value(json_object_get(a, "code"));
        if (c && code && strcmp(c, code) == 0)
            return 1;
    }
    return 0;
}

int content_agency_fn(const char *region, const char *code, void *lists)
{
    return content_agency_known(lists, region, code);
}
