/*
 * bench_checkpoint: what the signed checkpoint adds to a read of a case.
 *
 *   bench_checkpoint DIR [ROUNDS]
 *
 * A read waits for its access log line to be appended and fdatasynced, then
 * (since issue 11) for the checkpoint to be signed and rewritten (temporary
 * file, fsync, rename).  Each round does one of each in turn on DIR (a fresh
 * folder on the disk DATA lives on), so both see the same load; it prints
 * the median and p90 of each, and of the signing alone, in milliseconds.
 * Concurrent reads share a batch, and a batch one rewrite.
 *
 * Build (no CMake target), from the source tree, after a build in build/:
 *
 *   gcc -O2 -Icore -Icore/include bench/bench_checkpoint.c build/core/audit/libkenes_audit.a \
 *       build/core/storage/libkenes_storage.a build/core/base/libkenes_base.a \
 *       $(pkg-config --libs libsodium libuv yaml-0.1 jansson libgit2) -o build/bench_checkpoint
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/checkpoint.h"
#include "storage/sign.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), by_value);
    printf("%-44s median %7.3f ms   p90 %7.3f ms\n", what, v[n / 2], v[n * 9 / 10]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_checkpoint DIR [ROUNDS]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 300;
    char keys[4096], path[4096], logp[4096], err[256], head[CKPT_HASH_HEX];
    snprintf(keys, sizeof(keys), "%s/keys", argv[1]);
    snprintf(path, sizeof(path), "%s/%s", argv[1], CKPT_FILE);
    snprintf(logp, sizeof(logp), "%s/access.log", argv[1]);
    signer *sig;
    checkpoint *c;
    ckpt_state st = {0};
    memset(st.log_head, '0', CKPT_HASH_HEX - 1);
    memset(head, 'a', CKPT_HASH_HEX - 1);
    head[CKPT_HASH_HEX - 1] = '\0';
    if ((sign_create_key(keys) < 0 && access(keys, F_OK) != 0) ||
        sign_open(&sig, keys, err, sizeof(err)) < 0 ||
        ckpt_new(&c, path, sig, &st, err, sizeof(err)) < 0) {
        fprintf(stderr, "bench_checkpoint: %s\n", err);
        return 1;
    }
    int fd = open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    static const char line[] =
        "{\"time\":\"2026-12-05T06:00:00Z\",\"user\":\"off11\",\"role\":\"regional-official\","
        "\"document\":\"case/KZ-11/00000000-0000-4000-8000-000000000000\",\"action\":\"read\","
        "\"prev\":\"0000000000000000000000000000000000000000000000000000000000000000\"}\n";
    double *logv = calloc((size_t)n, sizeof(double)), *ckv = calloc((size_t)n, sizeof(double)),
           *sgv = calloc((size_t)n, sizeof(double));
    if (fd < 0 || !logv || !ckv || !sgv)
        return 1;
    for (int i = 0; i < n; i++) {
        double t0 = now_ms();
        if (write(fd, line, sizeof(line) - 1) < 0 || fdatasync(fd) < 0)
            return 1;
        double t1 = now_ms();
        if (ckpt_advance_log(c, (size_t)i + 1, head) < 0)
            return 1;
        double t2 = now_ms();
        char *text;
        size_t len;
        if (ckpt_format(&text, &len, &st, sig) < 0)
            return 1;
        free(text);
        logv[i] = t1 - t0;
        ckv[i] = t2 - t1;
        sgv[i] = now_ms() - t2;
    }
    printf("%d rounds in %s\n", n, argv[1]);
    report("access log line + fdatasync (before)", logv, n);
    report("checkpoint: sign + write + fsync + rename", ckv, n);
    report("  of which signing (Ed25519, SSHSIG)", sgv, n);
    close(fd);
    ckpt_free(c);
    sign_free(sig);
    free(logv);
    free(ckv);
    free(sgv);
    return 0;
}
