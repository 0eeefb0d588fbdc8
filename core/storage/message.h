/*
 * Commit messages: a human summary line, the comment (if any) as the body,
 * and Kenes-* trailers that a plain `git log` shows and git's own trailer
 * parser reads:
 *
 *   Approve regional plan KZ-11 2026
 *
 *   <comment>
 *
 *   Kenes-Document: plan/KZ-11/2026
 *   Kenes-Action: approve
 *   Kenes-Stage: ministry-review -> approved
 *   Kenes-Role: ministry-reviewer
 *   Kenes-Approval: 2/2                (approvals counted towards a quorum)
 *   Kenes-Content: <blob id>           (the exact text an approval approves)
 *   Kenes-Note: <blob id>              (a case's comment, sealed in <id>.note)
 *   Kenes-Access-Log: <lines> <hash>   (the access log then; the store's writer adds it)
 *
 * Kenes-Stage is "a -> b" for a transition and the stage alone for a
 * create or an edit.  Nothing identifying a child may go in here: the
 * summary names the document by its id, which for a case is pseudonymous.
 * Nothing typed about a case either: a case's comment (or erase reason) is
 * sealed with the case's key into the file <id>.note of the same commit,
 * which Kenes-Note names by its blob id, and the message has no body.
 */
#ifndef KENES_MESSAGE_H
#define KENES_MESSAGE_H

#include <stddef.h>

typedef struct msg_info {
    const char *document;
    const char *action;
    const char *from; /* NULL for create/edit */
    const char *to;
    const char *role;
    const char *comment; /* NULL or "" for none */
    const char *noun;    /* "regional plan" */
    const char *approval; /* "1/2" for an approval counted towards a quorum, or NULL */
    const char *content;  /* blob id of the text an approval approves, or NULL */
    const char *note;     /* blob id of the commit's sealed note (<id>.note), or NULL */
} msg_info;

/* *out malloc'd.  0 or KENES_ENOMEM.  The comment goes in as
 * msg_comment_clean() makes it, and msg_parse() gives it back so. */
int msg_compose(char **out, const msg_info *info);

/* The comment as a commit keeps it: without '\r' (a browser sends "\r\n"),
 * trailing newlines and spaces; *out malloc'd, or NULL when nothing is left
 * (or comment is NULL).  The index records this text, so that the history
 * read from the journal and the one rebuilt from git agree.  0 or
 * KENES_ENOMEM. */
int msg_comment_clean(char **out, const char *comment);

/* A parsed message; strings owned by the struct. */
typedef struct msg_parsed {
    char *document, *action, *from, *to, *role, *comment, *approval, *content;
    char *note; /* Kenes-Note: the blob id of a sealed note, or NULL */
    char *access_log; /* Kenes-Access-Log, which the writer adds (checkpoint.h), or NULL */
} msg_parsed;

/* The reports' publications: "Publish reports", Kenes-Action: publish,
 * Kenes-Role: system, no Kenes-Document; msg_parse answers MSG_PUBLISH. */
#define MSG_PUBLISH 1
/* An administrator's decision about the history itself, on record in a
 * commit that changes no file: "Kenes-Action: accept" (Kenes-Accepts: <commit>
 * for each commit made outside kenes that it keeps) or "Kenes-Action:
 * rotate-key" (Kenes-Key: the new signing key), or "Kenes-Action: migrate"
 * (the one that moves files, migrate.h), Kenes-Role: admin, no
 * Kenes-Document; msg_parse answers MSG_ADMIN (see accept.h, keyrotate.h). */
#define MSG_ADMIN 2

/* 0 for a document's commit, MSG_PUBLISH for a publication of the reports,
 * MSG_ADMIN for an administrator's decision (action in out->action),
 * KENES_EINVAL if the message carries no Kenes-Document/Kenes-Action trailers,
 * KENES_ENOMEM (never to be taken for a message without trailers). */
int msg_parse(msg_parsed *out, const char *message);
void msg_parsed_dispose(msg_parsed *p);

/* Every value of the trailer key, in order: *out a NULL-terminated array of
 * *n malloc'd strings (free with msg_values_free).  0 or a negative code. */
int msg_trailer_values(char ***out, size_t *n, const char *message, const char *key);
void msg_values_free(char **values);

#endif
