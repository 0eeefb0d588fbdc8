/*
 * Commit messages.  Two properties:
 *
 * 1. msg_parse() takes any text (a commit made behind the server's back is
 *    read by the journal's rebuild and by verify) without a fault.
 * 2. Whatever comment a user writes, the message msg_compose() makes parses
 *    back to the same trailers, and to the comment as msg_comment_clean()
 *    keeps it: a comment can neither hide the trailers nor add any.
 */
#include <git2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialised;
    if (!initialised)
        initialised = git_libgit2_init() > 0; /* msg_parse() reads trailers with libgit2 */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    msg_parsed p;
    if (msg_parse(&p, text) >= 0)
        msg_parsed_dispose(&p);

    /* The comment as the API passes it: a C string. */
    msg_info in = {.document = "plan/KZ-11/2026",
                   .action = "approve",
                   .from = "ministry-review",
                   .to = "approved",
                   .role = "ministry-reviewer",
                   .comment = text,
                   .noun = "regional plan",
                   .approval = "2/2",
                   .content = "0123456789abcdef0123456789abcdef01234567"};
    char *msg = NULL;
    if (msg_compose(&msg, &in) != 0)
        abort();
    char *kept = NULL;
    if (msg_comment_clean(&kept, text) != 0)
        abort();
    if (msg_parse(&p, msg) != 0)
        abort();
    if (!same(p.document, in.document) || !same(p.action, in.action) ||
        !same(p.from, in.from) || !same(p.to, in.to) || !same(p.role, in.role) ||
        !same(p.approval, in.approval) || !same(p.content, in.content))
        abort();
    if (!same(p.comment && *p.comment ? p.comment : NULL, kept))
        abort();
    msg_parsed_dispose(&p);
    free(kept);
    free(msg);
    free(text);
    return 0;
}
