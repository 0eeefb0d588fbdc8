#include "storage/message.h"

#include <ctype.h>
#include <stddef.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "base/util.h"

/* "plan/KZ-11/2026" -> "KZ-11 2026": the id without its type prefix. */
static void describe(util_buf *b, const char *id)
{
    const char *rest = strchr(id, '/');
    rest = rest ? rest + 1 : id;
    for (; *rest; rest++)
        util_buf_append(b, *rest == '/' ? " " : rest, 1);
}

/*
 * git (and libgit2's git_message_trailers()) reads a message only up to a
 * line starting with "---", where a patch would begin: a comment holding
 * such a line would hide the trailers after it.  So a comment's line that
 * starts with "---" after any spaces gets one more space in the message,
 * and parsing takes one space back from such a line: a lossless escape.
 * min_spaces: 0 to find the lines to escape, 1 the lines to unescape.
 */
static int is_patch_line(const char *line, size_t min_spaces)
{
    size_t spaces = strspn(line, " ");
    return spaces >= min_spaces && strncmp(line + spaces, "---", 3) == 0;
}

int msg_comment_clean(char **out, const char *comment)
{
    *out = NULL;
    if (!comment)
        return 0;
    size_t n = 0;
    char *c = malloc(strlen(comment) + 1);
    if (!c)
        return KENES_ENOMEM;
    for (const char *p = comment; *p; p++)
        if (*p != '\r')
            c[n++] = *p;
    while (n && (c[n - 1] == '\n' || c[n - 1] == ' '))
        n--;
    c[n] = '\0';
    if (n == 0)
        free(c);
    else
        *out = c;
    return 0;
}

int msg_compose(char **out, const msg_info *in)
{
    util_buf b;
    util_buf_init(&b);
    /* "start-review" -> "Start review" */
    for (const char *p = in->action; *p; p++) {
        char c = *p == '-' ? ' ' : *p;
        if (p == in->action)
            c = (char)toupper((unsigned char)c);
        util_buf_append(&b, &c, 1);
    }
    util_buf_printf(&b, " %s ", in->noun ? in->noun : "document");
    describe(&b, in->document);
    util_buf_puts(&b, "\n\n");
    char *comment = NULL;
    if (msg_comment_clean(&comment, in->comment) < 0) {
        util_buf_dispose(&b);
        return KENES_ENOMEM;
    }
    if (comment) {
        /* A comment must not end in something git would read as our trailers,
         * so it always stands in its own paragraph before them. */
        for (const char *line = comment; *line;) {
            if (is_patch_line(line, 0))
                util_buf_puts(&b, " ");
            const char *nl = strchr(line, '\n');
            size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
            util_buf_append(&b, line, n);
            line += n;
        }
        util_buf_puts(&b, "\n\n");
        free(comment);
    }
    util_buf_printf(&b, "Kenes-Document: %s\nKenes-Action: %s\n", in->document, in->action);
    if (in->from)
        util_buf_printf(&b, "Kenes-Stage: %s -> %s\n", in->from, in->to);
    else
        util_buf_printf(&b, "Kenes-Stage: %s\n", in->to);
    util_buf_printf(&b, "Kenes-Role: %s\n", in->role);
    if (in->approval)
        util_buf_printf(&b, "Kenes-Approval: %s\n", in->approval);
    if (in->content)
        util_buf_printf(&b, "Kenes-Content: %s\n", in->content);
    if (in->note)
        util_buf_printf(&b, "Kenes-Note: %s\n", in->note);
    *out = util_buf_detach(&b, NULL);
    return *out ? 0 : KENES_ENOMEM;
}

void msg_parsed_dispose(msg_parsed *p)
{
    free(p->document);
    free(p->action);
    free(p->from);
    free(p->to);
    free(p->role);
    free(p->comment);
    free(p->approval);
    free(p->content);
    free(p->note);
    free(p->access_log);
    memset(p, 0, sizeof(*p));
}

/* The comment is whatever stands between the summary paragraph and the
 * trailer paragraph: *out malloc'd, or NULL when there is none.  0 or
 * KENES_ENOMEM. */
static int extract_comment(char **out, const char *message)
{
    *out = NULL;
    const char *start = strstr(message, "\n\n");
    if (!start)
        return 0;
    start += 2;
    const char *end = NULL;
    for (const char *p = start; (p = strstr(p, "\n\n")) != NULL; p++)
        end = p;
    if (!end || end <= start)
        return 0;
    char *c = malloc((size_t)(end - start) + 1);
    if (!c)
        return KENES_ENOMEM;
    size_t n = 0;
    for (const char *line = start; line < end;) {
        if (is_patch_line(line, 1))
            line++;
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl ? (size_t)(nl - line) + 1 : (size_t)(end - line);
        memcpy(c + n, line, len);
        n += len;
        line += len;
    }
    c[n] = '\0';
    *out = c;
    return 0;
}

/* The trailer value v into *slot, if no earlier trailer filled it: 0, or
 * KENES_ENOMEM. */
static int take(char **slot, const char *v, size_t n)
{
    if (*slot)
        return 0;
    *slot = strndup(v, n);
    return *slot ? 0 : KENES_ENOMEM;
}

int msg_parse(msg_parsed *out, const char *message)
{
    static const struct {
        const char *key;
        size_t field;
    } fields[] = {
        {"Kenes-Document", offsetof(msg_parsed, document)},
        {"Kenes-Action", offsetof(msg_parsed, action)},
        {"Kenes-Role", offsetof(msg_parsed, role)},
        {"Kenes-Approval", offsetof(msg_parsed, approval)},
        {"Kenes-Content", offsetof(msg_parsed, content)},
        {"Kenes-Note", offsetof(msg_parsed, note)},
        {"Kenes-Access-Log", offsetof(msg_parsed, access_log)},
    };
    git_message_trailer_array arr = {0};
    memset(out, 0, sizeof(*out));
    int grc = git_message_trailers(&arr, message);
    if (grc < 0) {
        const git_error *e = git_error_last();
        return e && e->klass == GIT_ERROR_NOMEMORY ? KENES_ENOMEM : KENES_EINVAL;
    }
    int rc = 0;
    for (size_t i = 0; i < arr.count && rc == 0; i++) {
        const char *k = arr.trailers[i].key, *v = arr.trailers[i].value;
        for (size_t f = 0; f < UTIL_ARRAY_LEN(fields); f++)
            if (strcmp(k, fields[f].key) == 0)
                rc = take((char **)((char *)out + fields[f].field), v, strlen(v));
        if (strcmp(k, "Kenes-Stage") == 0 && !out->to) {
            const char *arrow = strstr(v, " -> ");
            if (arrow && (rc = take(&out->from, v, (size_t)(arrow - v))) == 0)
                rc = take(&out->to, arrow + 4, strlen(arrow + 4));
            else if (!arrow)
                rc = take(&out->to, v, strlen(v));
        }
    }
    git_message_trailer_array_free(&arr);
    int kind = KENES_EINVAL;
    if (rc < 0)
        kind = rc;
    /* A publication of the reports concerns no document. */
    else if (out->action && strcmp(out->action, "publish") == 0 && !out->document)
        kind = MSG_PUBLISH;
    else if (out->action && !out->document &&
             (strcmp(out->action, "accept") == 0 || strcmp(out->action, "rotate-key") == 0 ||
              strcmp(out->action, "migrate") == 0))
        kind = MSG_ADMIN;
    else if (out->document && out->action && out->to)
        kind = 0;
    if (kind == 0 || kind == MSG_PUBLISH)
        kind = extract_comment(&out->comment, message) < 0 ? KENES_ENOMEM : kind;
    if (kind < 0)
        msg_parsed_dispose(out);
    return kind;
}

int msg_trailer_values(char ***out, size_t *n, const char *message, const char *key)
{
    git_message_trailer_array arr = {0};
    *out = NULL;
    *n = 0;
    if (git_message_trailers(&arr, message) < 0)
        return KENES_EINVAL;
    char **list = calloc(arr.count + 1, sizeof(*list));
    int rc = list ? 0 : KENES_ENOMEM;
    for (size_t i = 0; rc == 0 && i < arr.count; i++)
        if (strcmp(arr.trailers[i].key, key) == 0 && !(list[(*n)++] = strdup(arr.trailers[i].value)))
            rc = KENES_ENOMEM;
    git_message_trailer_array_free(&arr);
    if (rc < 0) {
        msg_values_free(list);
        *n = 0;
        return rc;
    }
    *out = list;
    return 0;
}

void msg_values_free(char **values)
{
    for (size_t i = 0; values && values[i]; i++)
        free(values[i]);
    free(values);
}
