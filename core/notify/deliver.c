#include "notify/deliver.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "base/error.h"
#include "base/log.h"
#include "base/util.h"

struct deliverer {
    const notify_conf *conf;
    uv_thread_t thread;
    uv_mutex_t lock;
    CURLM *multi;
    notify_item *incoming; /* handed over by the loop, under lock */
    int stop;              /* under lock */
    notify_item *items;    /* the thread's own */
    unsigned *busy; /* per receiver (each webhook, then the SMTP server): attempts under way */
};

int notify_retry_at(int64_t *next_ms, unsigned attempts, int64_t created_ms, int64_t now_ms,
                    unsigned give_up_days)
{
    if (now_ms - created_ms >= (int64_t)give_up_days * 86400000LL)
        return 1;
    int64_t pause = NOTIFY_RETRY_FIRST_S;
    for (unsigned i = 1; i < attempts && pause < NOTIFY_RETRY_MAX_S; i++)
        pause *= 2;
    if (pause > NOTIFY_RETRY_MAX_S)
        pause = NOTIFY_RETRY_MAX_S;
    *next_ms = now_ms + pause * 1000;
    return 0;
}

void notify_sign(char out[NOTIFY_SIGNATURE_CAP], const char *secret, const char *body)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, NOTIFY_SIGNATURE_CAP - 7, mac, sizeof(mac));
}

int64_t notify_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t discard(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

/* The message, read into the SMTP upload. */
static size_t read_body(char *buf, size_t size, size_t n, void *payload)
{
    notify_item *it = payload;
    size_t left = strlen(it->body) - it->sent, take = size * n < left ? size * n : left;
    memcpy(buf, it->body + it->sent, take);
    it->sent += take;
    return take;
}

static const notify_webhook *webhook_of(const deliverer *d, const char *url)
{
    for (size_t i = 0; i < d->conf->nwebhooks; i++)
        if (strcmp(d->conf->webhooks[i].url, url) == 0)
            return &d->conf->webhooks[i];
    return NULL;
}

static int setup_webhook(deliverer *d, notify_item *it, CURL *e)
{
    const notify_webhook *w = webhook_of(d, it->target);
    if (!w)
        return KENES_ENOTFOUND;
    char sig[NOTIFY_SIGNATURE_CAP], line[400];
    notify_sign(sig, w->secret, it->body);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(line, sizeof(line), "X-Kenes-Signature: %s", sig);
    h = h ? curl_slist_append(h, line) : NULL;
    snprintf(line, sizeof(line), "X-Kenes-Event: %s", it->event ? it->event : "commit");
    h = h ? curl_slist_append(h, line) : NULL;
    snprintf(line, sizeof(line), "X-Kenes-Delivery: %s", it->id);
    h = h ? curl_slist_append(h, line) : NULL;
    h = h ? curl_slist_append(h, "User-Agent: kenes/" KENES_VERSION) : NULL;
    if (!h)
        return KENES_ENOMEM;
    it->headers = h;
    curl_easy_setopt(e, CURLOPT_URL, it->target);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, it->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(it->body));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    return 0;
}

static int setup_mail(deliverer *d, notify_item *it, CURL *e)
{
    const notify_conf *c = d->conf;
    char who[300];
    snprintf(who, sizeof(who), "<%s>", it->target);
    struct curl_slist *rcpt = curl_slist_append(NULL, who);
    if (!rcpt)
        return KENES_ENOMEM;
    it->headers = rcpt;
    it->sent = 0;
    snprintf(who, sizeof(who), "<%s>", c->from);
    curl_easy_setopt(e, CURLOPT_URL, c->smtp_url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, who);
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(e, CURLOPT_READDATA, it);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    /* required: STARTTLS or no mail (CURLUSESSL_ALL); off: plain SMTP. */
    curl_easy_setopt(e, CURLOPT_USE_SSL, c->starttls_required ? (long)CURLUSESSL_ALL
                                                              : (long)CURLUSESSL_NONE);
    if (c->user) {
        curl_easy_setopt(e, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, c->password);
    }
    return 0;
}

static void end_transfer(deliverer *d, notify_item *it)
{
    if (it->easy) {
        curl_multi_remove_handle(d->multi, it->easy);
        curl_easy_cleanup(it->easy);
    }
    curl_slist_free_all(it->headers);
    it->easy = it->headers = NULL;
    it->running = 0;
}

static void begin(deliverer *d, notify_item *it)
{
    CURL *e = curl_easy_init();
    if (!e) {
        it->next_ms = notify_wall_ms() + 1000; /* out of memory: not a busy loop */
        return;
    }
    it->easy = e;
    it->error[0] = '\0';
    curl_easy_setopt(e, CURLOPT_PRIVATE, it);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, it->error);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)NOTIFY_CONNECT_TIMEOUT_S);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)NOTIFY_ATTEMPT_TIMEOUT_S);
    int rc = it->kind == NOTIFY_WEBHOOK ? setup_webhook(d, it, e) : setup_mail(d, it, e);
    if (rc == KENES_ENOTFOUND) {
        /* kenes.yaml no longer lists it: nobody to deliver to. */
        log_warn("notify", "%s: the webhook %s is no longer in kenes.yaml; dropped", it->id,
                 it->who);
        it->attempts = ~0u;
    }
    if (rc < 0 || curl_multi_add_handle(d->multi, e) != CURLM_OK) {
        end_transfer(d, it);
        it->next_ms = notify_wall_ms() + NOTIFY_RETRY_FIRST_S * 1000;
        return;
    }
    it->running = 1;
}

static void unlink_item(deliverer *d, notify_item *it)
{
    for (notify_item **p = &d->items; *p; p = &(*p)->next)
        if (*p == it) {
            *p = it->next;
            break;
        }
    /* Gone from the outbox: a crash before this resends it, at least once. */
    if (util_unlink_durable(it->file) < 0)
        log_warn("notify", "outbox: cannot remove %s; it will be sent again at the next start",
                 it->file);
    notify_item_free(it);
}

static void finished(deliverer *d, notify_item *it, CURLcode res)
{
    long status = 0;
    curl_easy_getinfo(it->easy, CURLINFO_RESPONSE_CODE, &status);
    char why[320];
    int ok = res == CURLE_OK && (it->kind != NOTIFY_WEBHOOK || (status >= 200 && status < 300));
    if (res != CURLE_OK)
        snprintf(why, sizeof(why), "%s", it->error[0] ? it->error : curl_easy_strerror(res));
    else
        snprintf(why, sizeof(why), "answered %ld", status);
    end_transfer(d, it);
    const char *what = it->kind == NOTIFY_WEBHOOK ? "webhook" : "mail to";
    if (ok) {
        log_info("notify", "%s %s: delivered %s", what, it->who, it->id);
        unlink_item(d, it);
        return;
    }
    it->attempts++;
    int64_t now = notify_wall_ms();
    if (notify_retry_at(&it->next_ms, it->attempts, it->created_ms, now,
                        d->conf->give_up_days)) {
        log_error("notify", "%s %s: gave up on %s after %u attempts in %u days (last: %s)", what,
                  it->who, it->id, it->attempts, d->conf->give_up_days, why);
        unlink_item(d, it);
        return;
    }
    log_warn("notify", "%s %s: %s not delivered (%s); attempt %u, next in %lld s", what, it->who,
             it->id, why, it->attempts, (long long)((it->next_ms - now) / 1000));
}

/* Which receiver it goes to: its webhook's place in conf, or, for mail,
 * the SMTP server's (after the webhooks). */
static size_t receiver_of(const deliverer *d, const notify_item *it)
{
    for (size_t i = 0; it->kind == NOTIFY_WEBHOOK && i < d->conf->nwebhooks; i++)
        if (strcmp(d->conf->webhooks[i].url, it->target) == 0)
            return i;
    return d->conf->nwebhooks;
}

static void *thread_main_ret(deliverer *d)
{
    for (;;) {
        uv_mutex_lock(&d->lock);
        int stop = d->stop;
        notify_item *in = d->incoming;
        d->incoming = NULL;
        uv_mutex_unlock(&d->lock);
        /* Listed before a stop too: deliverer_stop frees (and counts) what
         * the thread holds, and items handed over just before it are held. */
        while (in) {
            notify_item *next = in->next;
            in->next = d->items;
            d->items = in;
            in = next;
        }
        if (stop)
            break;
        int64_t now = notify_wall_ms(), wait = 1000;
        memset(d->busy, 0, (d->conf->nwebhooks + 1) * sizeof(*d->busy));
        for (notify_item *it = d->items; it; it = it->next)
            d->busy[receiver_of(d, it)] += it->running != 0;
        for (notify_item *it = d->items, *next; it; it = next) {
            next = it->next;
            if (it->attempts == ~0u) {
                unlink_item(d, it);
                continue;
            }
            unsigned *busy = &d->busy[receiver_of(d, it)];
            if (it->running || it->next_ms > now) {
                if (!it->running && it->next_ms - now < wait)
                    wait = it->next_ms - now;
                continue;
            }
            /* Due, but its receiver has its share under way: it starts when
             * one of those ends (which wakes the poll), not before. */
            if (*busy >= NOTIFY_PER_RECEIVER)
                continue;
            begin(d, it);
            *busy += it->running != 0;
            if (!it->running && it->next_ms - now < wait)
                wait = it->next_ms - now;
        }
        curl_multi_poll(d->multi, NULL, 0, (int)(wait > 0 ? wait : 0), NULL);
        int running;
        curl_multi_perform(d->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(d->multi, &left)))
            if (m->msg == CURLMSG_DONE) {
                notify_item *it = NULL;
                curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&it);
                if (it)
                    finished(d, it, m->data.result);
            }
    }
    return NULL;
}

static void thread_main(void *arg)
{
    thread_main_ret(arg);
}

int deliverer_start(deliverer **out, const notify_conf *conf)
{
    *out = NULL;
    deliverer *d = calloc(1, sizeof(*d));
    if (!d)
        return KENES_ENOMEM;
    d->conf = conf;
    if (!(d->busy = calloc(conf->nwebhooks + 1, sizeof(*d->busy))) ||
        uv_mutex_init(&d->lock) != 0) {
        free(d->busy);
        free(d);
        return KENES_ENOMEM;
    }
    if (!(d->multi = curl_multi_init()) || uv_thread_create(&d->thread, thread_main, d) != 0) {
        curl_multi_cleanup(d->multi);
        uv_mutex_destroy(&d->lock);
        free(d->busy);
        free(d);
        return KENES_ENOMEM;
    }
    *out = d;
    return 0;
}

void deliverer_add(deliverer *d, notify_item *items)
{
    if (!items)
        return;
    notify_item *last = items;
    while (last->next)
        last = last->next;
    uv_mutex_lock(&d->lock);
    last->next = d->incoming;
    d->incoming = items;
    uv_mutex_unlock(&d->lock);
    curl_multi_wakeup(d->multi);
}

void deliverer_stop(size_t *left, deliverer *d)
{
    if (left)
        *left = 0;
    if (!d)
        return;
    uv_mutex_lock(&d->lock);
    d->stop = 1;
    uv_mutex_unlock(&d->lock);
    curl_multi_wakeup(d->multi);
    uv_thread_join(&d->thread);
    for (notify_item *it = d->items; it; it = it->next) {
        end_transfer(d, it);
        if (left)
            (*left)++;
    }
    for (notify_item *it = d->incoming; left && it; it = it->next)
        (*left)++;
    notify_items_free(d->items);
    notify_items_free(d->incoming);
    curl_multi_cleanup(d->multi);
    uv_mutex_destroy(&d->lock);
    free(d->busy);
    free(d);
}
