/*
 * Sessions (POST /api/v1/sessions, DELETE /api/v1/sessions/current) and the
 * small reads every signed-in user may make: /healthz, /me, /workflows,
 * /regions, /templates/{type}, /signing-key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/call.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/datadir.h"
#include "docs/rights.h"
#include "plugin/region.h"
#include "storage/mirror.h"
#include "storage/sign.h"
#include "storage/store.h"

#define API_LOGIN_BODY_MAX 4096

static void login_done(int status, const char *token, const auth_user *u, void *payload)
{
    http_request *req = payload;
    if (status < 0) {
        api_reply_error(req, 401, "unauthorized", NULL, "wrong user name or password");
        return;
    }
    json_t *out = json_pack("{s:s, s:s, s:s, s:o}", "token", token, "user", u->name, "role",
                            role_name(u->role), "region",
                            u->region ? json_string(u->region) : json_null());
    log_info("auth", "user %s logged in", u->name);
    api_reply_json(req, 201, out, NULL);
}

/* 429 with Retry-After: the caller may try again, later. */
static void too_many(http_request *req, const char *reason, const char *message, unsigned wait_s)
{
    char extra[48];
    snprintf(extra, sizeof(extra), "Retry-After: %u\r\n", wait_s);
    log_info("api", "%s %s -> 429 %s", req->method, req->path, reason);
    api_reply_json(req, 429,
                   json_pack("{s:{s:s, s:s}}", "error", "code", reason, "message", message),
                   extra);
}

void api_login(api_call *c)
{
    static const char *const allowed[] = {"user", "password", NULL};
    http_request *req = c->req;
    /* Anyone may call this: a big body is refused before it costs a parse. */
    if (req->body_len > API_LOGIN_BODY_MAX) {
        api_reply_error(req, 413, "body_too_large", NULL, "a login body is at most %d bytes",
                        API_LOGIN_BODY_MAX);
        return;
    }
    json_t *body = api_body_object(req, allowed);
    if (!body)
        return;
    const char *user = json_string_value(json_object_get(body, "user"));
    const char *password = json_string_value(json_object_get(body, "password"));
    unsigned wait_s = 0;
    int rc;
    if (!user || !password) {
        api_reply_error(req, 400, "bad_request", NULL, "user and password are required strings");
    } else if (auth_throttled(c->ctx->auth, user, req->peer, &wait_s)) {
        /* Too many failures for this name or from this address: refuse
         * before any password is checked. */
        too_many(req, "too_many_attempts", "too many failed logins: try again later", wait_s);
    } else if ((rc = auth_login(c->ctx->auth, user, password, req->peer, login_done, req)) ==
               KENES_ETOOBIG) {
        /* Logins in flight are capped (argon2id is costly); one is checked in
         * well under a second, so a second is the honest wait. */
        too_many(req, "too_many_logins",
                 "too many logins are being checked: try again in a second", 1);
    } else if (rc < 0) {
        api_reply_error(req, 500, "internal", NULL, "cannot start the login");
    }
    json_decref(body);
}

void api_logout(api_call *c)
{
    auth_logout(c->ctx->auth, c->token);
    http_respond(c->req, 204, NULL, api_security_headers, NULL, 0);
}

/* Whether each repository could take a commit now: a monitor learns of a
 * lock left behind or a full disk before the writes that fail on it, and of
 * a writer that is stuck.  A few stat calls per repository on the loop, no
 * git.  repos[r] is datadir_repo_names[r]'s store (REPO_DOCUMENTS, REPO_CASES). */
void api_healthz(api_call *c)
{
    static const char *const names[2] = {"documents", "cases"};
    json_t *repos = json_object();
    int status = 200;
    for (int r = 0; r < 2; r++) {
        char path[4096], why[256];
        util_path(path, sizeof(path), c->svc->cfg->data_dir, datadir_repo_names[r]);
        char failed[160];
        /* The writer's own main.lock is no fault; what its last job found
         * stuck (main moved behind it, no pack lock, a move of main whose
         * outcome is unknown) is one, though the files look fine. */
        const store *st = c->svc->repos[r];
        if (c->ctx->replica_json) {
            /* A replica writes nothing: whether it could is no question;
             * a push in flight holds main.lock, as it should. */
            json_object_set_new(repos, names[r], json_string("read-only (replica)"));
            continue;
        }
        if (datadir_repo_writable(why, sizeof(why), path, st) < 0 ||
            (st && store_health(st, why, sizeof(why)) < 0)) {
            status = 503;
        } else if (store_last_batch(c->svc->repos[r], failed, sizeof(failed)) < 0) {
            /* Writable as far as a few stat calls see, but the disk refused
             * the last batch (full, a quota, an I/O error): until one
             * succeeds, writes to it may fail (503). */
            status = 503;
            snprintf(why, sizeof(why), "the last batch of writes failed (%s); the next one "
                                       "may succeed: see the log", failed);
        }
        json_object_set_new(repos, names[r], json_string(why));
    }
    json_t *answer = json_pack("{s:s, s:o}", "status", status == 200 ? "ok" : "unavailable",
                               "repos", repos);
    /* Each mirror's state and lag.  Never a reason for 503: a mirror is a
     * copy elsewhere, not the service, which writes and serves without it. */
    if (mirror_set_count(c->ctx->mirrors[0]) || mirror_set_count(c->ctx->mirrors[1]))
        json_object_set_new(answer, "mirrors",
                            json_pack("{s:o, s:o}", names[0], mirror_set_json(c->ctx->mirrors[0]),
                                      names[1], mirror_set_json(c->ctx->mirrors[1])));
    /* A replica's lag; 503 once following stopped (a commit not signed by
     * a listed key, a rewritten main): what it serves is old from then on. */
    if (c->ctx->replica_json) {
        int ok = 1;
        json_object_set_new(answer, "replica", c->ctx->replica_json(&ok, c->ctx->replica_payload));
        if (!ok) {
            status = 503;
            json_object_set_new(answer, "status", json_string("unavailable"));
        }
    }
    api_reply_json(c->req, status, answer, NULL);
}

void api_me(api_call *c)
{
    json_t *me = access_me(c->user, c->svc->workflows);
    json_object_set_new(me, "routes", api_routes_json(c->user));
    api_reply_json(c->req, 200, me, NULL);
}

void api_workflows(api_call *c)
{
    json_t *list = json_array();
    for (size_t i = 0; i < wf_set_count(c->svc->workflows); i++)
        json_array_append_new(list, wf_to_json(wf_set_at(c->svc->workflows, i)));
    api_reply_json(c->req, 200, json_pack("{s:o}", "workflows", list), NULL);
}

void api_regions(api_call *c)
{
    api_reply_json(c->req, 200, json_pack("{s:o}", "regions", region_to_json()), NULL);
}

/* GET /api/v1/templates/{type}?lang=ru|kk|en (ru by default) */
void api_template(api_call *c)
{
    char lang[8] = "ru";
    int has = http_query(c->req, "lang", lang, sizeof(lang));
    if (has < 0 || (strcmp(lang, "ru") != 0 && strcmp(lang, "kk") != 0 && strcmp(lang, "en") != 0)) {
        api_reply_error(c->req, 400, "bad_request", NULL, "lang must be ru, kk or en");
        return;
    }
    json_t *text = json_object_get(json_object_get(c->svc->templates, c->type), lang);
    if (!text) {
        api_reply_error(c->req, 404, "not_found", NULL, "no template for that type and language");
        return;
    }
    api_reply_json(c->req, 200,
                   json_pack("{s:s, s:s, s:O}", "type", c->type, "lang", lang, "body", text),
                   NULL);
}

/* What an auditor needs to check every commit with git alone. */
void api_signing_key(api_call *c)
{
    const signer *sg = store_signer(c->svc->repos[REPO_DOCUMENTS]);
    char pub[SIGN_LINE_MAX], allowed[1024];
    if (!sg || sign_public_line(sg, pub, sizeof(pub)) < 0 ||
        sign_allowed_signers_line(sg, c->svc->cfg->committer_email, allowed, sizeof(allowed)) < 0)
        api_reply_error(c->req, 500, "internal", NULL, "no signing key");
    else
        api_reply_json(c->req, 200,
                       json_pack("{s:s, s:s}", "public_key", pub, "allowed_signers", allowed),
                       NULL);
}
