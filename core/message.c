#include "message.h"

#include <ctype.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"
#include "util.h"

/* "plan/KZ-11/2026" -> "KZ-11 2026": the id without its type prefix. */
static void describe(util_buf *b, const char *id)
{
    const char *rest = strchr(id, '/');
    rest = rest ? rest + 1 : id;
    for (; *rest; rest++)
        util_buf_append(b, *rest == '/' ? " " : rest, 1);
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
    if (in->comment && *in->comment) {
        /* A comment must not end in something git would read as our trailers,
         * so it always stands in its own paragraph before them. */
        for (const char *p = in->comment; *p; p++)
            if (*p != '\r')
                util_buf_append(&b, p, 1);
        while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
            b.data[--b.len] = '\0';
        util_buf_puts(&b, "\n\n");
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
    memset(p, 0, sizeof(*p));
}

/* The comment is whatever stands between the summary paragraph and the
 * trailer paragraph. */
static char *extract_comment(const char *message)
{
    const char *start = strstr(message, "\n\n");
    if (!start)
        return NULL;
    start += 2;
    const char *end = NULL;
    for (const char *p = start; (p = strstr(p, "\n\n")) != NULL; p++)
        end = p;
    if (!end || end <= start)
        return NULL;
    return strndup(start, (size_t)(end - start));
}

int msg_parse(msg_parsed *out, const char *message)
{
    git_message_trailer_array arr = {0};
    memset(out, 0, sizeof(*out));
    if (git_message_trailers(&arr, message) < 0)
        return KENES_EINVAL;
    for (size_t i = 0; i < arr.count; i++) {
        const char *k = arr.trailers[i].key, *v = arr.trailers[i].value;
        if (strcmp(k, "Kenes-Document") == 0 && !out->document)
            out->document = strdup(v);
        else if (strcmp(k, "Kenes-Action") == 0 && !out->action)
            out->action = strdup(v);
        else if (strcmp(k, "Kenes-Role") == 0 && !out->role)
            out->role = strdup(v);
        else if (strcmp(k, "Kenes-Approval") == 0 && !out->approval)
            out->approval = strdup(v);
        else if (strcmp(k, "Kenes-Content") == 0 && !out->content)
            out->content = strdup(v);
        else if (strcmp(k, "Kenes-Stage") == 0 && !out->to) {
            const char *arrow = strstr(v, " -> ");
            if (arrow) {
                out->from = strndup(v, (size_t)(arrow - v));
                out->to = strdup(arrow + 4);
            } else {
                out->to = strdup(v);
            }
        }
    }
    git_message_trailer_array_free(&arr);
    /* A publication of the reports concerns no document. */
    if (out->action && strcmp(out->action, "publish") == 0 && !out->document) {
        out->comment = extract_comment(message);
        return MSG_PUBLISH;
    }
    if (!out->document || !out->action || !out->to) {
        msg_parsed_dispose(out);
        return KENES_EINVAL;
    }
    out->comment = extract_comment(message);
    return 0;
}
