/*
 * Shared bodies (http/bytes.h): references counted right (ASan, in the
 * sanitizer build, finds a body freed twice, used after its free, or never
 * freed), a body written to a socket as it is with a tail after it, and the
 * store of prepared answers: tags, the byte budget, pinned entries, drops.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "base/error.h"
#include "http/bytes.h"

static void refs_count(void **state)
{
    (void)state;
    http_bytes *b = http_bytes_new("hello", 5);
    assert_non_null(b);
    assert_int_equal(b->refs, 1);
    assert_int_equal(b->len, 5);
    assert_memory_equal(b->data, "hello", 6); /* NUL after len */
    assert_ptr_equal(http_bytes_ref(b), b);
    assert_ptr_equal(http_bytes_ref(b), b);
    assert_int_equal(b->refs, 3);
    http_bytes_unref(b);
    http_bytes_unref(b);
    assert_int_equal(b->refs, 1);
    http_bytes_unref(b); /* the last: freed (ASan would see a leak otherwise) */
    http_bytes_unref(NULL);
    assert_null(http_bytes_ref(NULL));

    char *owned = strdup("taken");
    http_bytes *t = http_bytes_take(owned, 5);
    assert_ptr_equal(t->data, owned); /* not copied */
    http_bytes_unref(t);
    assert_null(http_bytes_take(NULL, 0));
    http_bytes *empty = http_bytes_new("", 0);
    assert_int_equal(empty->len, 0);
    http_bytes_unref(empty);
}

static void store_tags_budget_pins(void **state)
{
    (void)state;
    http_store *s;
    assert_int_equal(http_store_new(&s, 10), 0);
    http_bytes *a = http_bytes_new("aaaa", 4), *b = http_bytes_new("bbbb", 4),
               *c = http_bytes_new("cccc", 4), *big = http_bytes_new("0123456789x", 11),
               *pin = http_bytes_new("pinned-pinned", 13);
    assert_int_equal(http_store_put(s, "doc:a", "v1", a, 0), 0);
    assert_int_equal(a->refs, 2); /* the store's own */
    assert_ptr_equal(http_store_get(s, "doc:a", "v1"), a);
    assert_null(http_store_get(s, "doc:a", "v2"));  /* another version */
    assert_null(http_store_get(s, "doc:a", NULL));
    assert_null(http_store_get(s, "doc:x", "v1"));
    /* Replaced: the old reference goes. */
    assert_int_equal(http_store_put(s, "doc:a", "v2", a, 0), 0);
    assert_int_equal(a->refs, 2);
    assert_null(http_store_get(s, "doc:a", "v1"));
    assert_int_equal(http_store_put(s, "doc:b", "v1", b, 0), 0);
    assert_int_equal(http_store_bytes(s), 8);
    /* a used last: b is the least recently used, and goes for c. */
    assert_non_null(http_store_get(s, "doc:a", "v2"));
    assert_int_equal(http_store_put(s, "doc:c", "v1", c, 0), 0);
    assert_null(http_store_get(s, "doc:b", "v1"));
    assert_int_equal(b->refs, 1);
    assert_non_null(http_store_get(s, "doc:a", "v2"));
    assert_non_null(http_store_get(s, "doc:c", "v1"));
    assert_int_equal(http_store_bytes(s), 8);
    /* Bigger than the budget: not kept, nothing pushed out. */
    assert_int_equal(http_store_put(s, "doc:big", NULL, big, 0), 0);
    assert_null(http_store_get(s, "doc:big", NULL));
    assert_int_equal(big->refs, 1);
    assert_int_equal(http_store_count(s), 2);
    /* Pinned: outside the budget, never pushed out. */
    assert_int_equal(http_store_put(s, "reports/page:x", NULL, pin, 1), 0);
    assert_int_equal(http_store_bytes(s), 8 + 13);
    assert_int_equal(http_store_put(s, "doc:b", "v1", b, 0), 0);
    assert_ptr_equal(http_store_get(s, "reports/page:x", NULL), pin);
    assert_int_equal(http_store_count(s), 3); /* a or c went for b */
    http_store_drop_prefix(s, "reports/");
    assert_null(http_store_get(s, "reports/page:x", NULL));
    assert_int_equal(pin->refs, 1);
    http_store_drop_prefix(s, "doc:");
    assert_int_equal(http_store_count(s), 0);
    assert_int_equal(http_store_bytes(s), 0);
    assert_int_equal(a->refs + b->refs + c->refs, 3);
    /* Freed with what it holds. */
    assert_int_equal(http_store_put(s, "doc:a", "v3", a, 0), 0);
    http_store_free(s);
    assert_int_equal(a->refs, 1);
    http_bytes_unref(a);
    http_bytes_unref(b);
    http_bytes_unref(c);
    http_bytes_unref(big);
    http_bytes_unref(pin);
    http_store_free(NULL);
}

/* ---- a body written to a socket ---- */

typedef struct fixture {
    uv_loop_t loop;
    uv_thread_t thread;
    uv_async_t stop_async;
    uv_sem_t ready;
    http_server *srv;
    int port;
    http_bytes *body; /* the loop thread's once the server runs */
    atomic_size_t refs_seen; /* body's references while an answer was queued */
} fixture;

static void handler(http_request *req, void *payload)
{
    fixture *fx = payload;
    int get = strcmp(req->method, "GET") == 0;
    http_respond_bytes(req, 200, "text/plain", "X-Test: 1\r\n", fx->body, "!\n", 2);
    /* Queued: the answer holds a reference until the socket has it (a
     * HEAD's answer has no body, so none). */
    if (get)
        atomic_store(&fx->refs_seen, fx->body->refs);
}

static void on_stopped(void *payload)
{
    fixture *fx = payload;
    uv_close((uv_handle_t *)&fx->stop_async, NULL);
}

static void on_stop(uv_async_t *a)
{
    fixture *fx = a->data;
    http_server_stop(fx->srv, on_stopped, fx);
}

static void server_thread(void *arg)
{
    fixture *fx = arg;
    uv_loop_init(&fx->loop);
    uv_async_init(&fx->loop, &fx->stop_async, on_stop);
    fx->stop_async.data = fx;
    assert_int_equal(http_server_new(&fx->srv, &fx->loop, NULL, handler, fx), 0);
    assert_int_equal(http_server_listen(fx->srv, "127.0.0.1", 0), 0);
    fx->port = http_server_port(fx->srv);
    uv_sem_post(&fx->ready);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    http_server_free(fx->srv);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    uv_loop_close(&fx->loop);
}

/* Everything the server sends until it closes. */
static size_t exchange(int port, const char *send_text, char *out, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(write(fd, send_text, strlen(send_text)), (ssize_t)strlen(send_text));
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, out + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fd);
    return n;
}

static void written_as_is(void **state)
{
    (void)state;
    fixture fx = {0};
    /* Big enough that the socket may take it in more than one write. */
    size_t len = 300 * 1024;
    char *text = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        text[i] = (char)('a' + i % 26);
    text[len] = '\0';
    fx.body = http_bytes_take(text, len);
    uv_sem_init(&fx.ready, 0);
    uv_thread_create(&fx.thread, server_thread, &fx);
    uv_sem_wait(&fx.ready);

    size_t cap = 2 * len + 4096;
    char *got = malloc(cap);
    /* Two answers on one connection (the second a HEAD: no body), then a close. */
    size_t n = exchange(fx.port,
                        "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                        "HEAD /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        got, cap);
    char want_len[64];
    snprintf(want_len, sizeof(want_len), "Content-Length: %zu\r\n", len + 2);
    char *head_end = strstr(got, "\r\n\r\n");
    assert_non_null(head_end);
    assert_non_null(strstr(got, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(got, want_len));
    assert_non_null(strstr(got, "X-Test: 1\r\n"));
    assert_non_null(strstr(got, "Date: "));
    char *body = head_end + 4;
    assert_true((size_t)(got + n - body) > len + 2);
    assert_memory_equal(body, text, len);
    assert_memory_equal(body + len, "!\n", 2);
    /* The HEAD's answer: the same head, no body. */
    char *second = body + len + 2;
    assert_int_equal(strncmp(second, "HTTP/1.1 200 OK\r\n", 17), 0);
    assert_non_null(strstr(second, want_len));
    assert_non_null(strstr(second, "Connection: close\r\n"));
    assert_string_equal(strstr(second, "\r\n\r\n"), "\r\n\r\n");
    assert_int_equal(atomic_load(&fx.refs_seen), 2);

    uv_async_send(&fx.stop_async);
    uv_thread_join(&fx.thread);
    /* Every answer's reference is gone: the test's is the last. */
    assert_int_equal(fx.body->refs, 1);
    http_bytes_unref(fx.body);
    uv_sem_destroy(&fx.ready);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refs_count),
        cmocka_unit_test(store_tags_budget_pins),
        cmocka_unit_test(written_as_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
