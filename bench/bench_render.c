/*
 * bench_render: how long render_markdown() takes at the edges of its budget.
 *
 *   bench_render [ROUNDS]
 *
 * test_render checks what each input of tests/unit/render_inputs.h gives:
 * valid text as deep and large as it gets renders, cmark-gfm's super-linear
 * cases are refused by the budget (a count of steps) before cmark sees them.
 * How long that takes is a question for a benchmark, not a test: a unit test
 * that asserted it failed on a loaded machine.  Each round renders every
 * input once; the program prints, per input, the median and the worst of the
 * thread's CPU time (on a shared machine the wall clock says more about the
 * other jobs than about cmark) and the median wall time, and marks an input
 * whose median CPU time is over render.h's claim (about half a second).
 * Exit status 1 if any is.
 *
 * Build (no CMake target), from the source tree, after a build in build/:
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -Icore -Icore/include -Itests/unit bench/bench_render.c \
 *       build/core/publish/libkenes_publish.a build/core/base/libkenes_base.a \
 *       $(pkg-config --libs libcmark-gfm libzip libsodium) -o build/bench_render
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kenes/plugin.h"
#include "render_inputs.h"

#define CLAIM_S 0.5 /* "within about half a second" (render.h) */

static double seconds(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Render md `rounds` times; print a row; 1 if over the claim. */
static int measure(const char *name, const char *md, size_t len, int want, int rounds)
{
    double *cpu = calloc((size_t)rounds, sizeof(*cpu));
    double *wall = calloc((size_t)rounds, sizeof(*wall));
    if (!cpu || !wall)
        ri_out_of_memory();
    for (int r = 0; r < rounds; r++) {
        char *html;
        size_t hlen;
        double c0 = seconds(CLOCK_THREAD_CPUTIME_ID), w0 = seconds(CLOCK_MONOTONIC);
        int rc = render_markdown(&html, &hlen, md, len);
        cpu[r] = seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
        wall[r] = seconds(CLOCK_MONOTONIC) - w0;
        free(html);
        if (rc != want) {
            fprintf(stderr, "bench_render: %s: rc %d, wanted %d\n", name, rc, want);
            exit(2);
        }
    }
    qsort(cpu, (size_t)rounds, sizeof(*cpu), by_value);
    qsort(wall, (size_t)rounds, sizeof(*wall), by_value);
    double median = cpu[rounds / 2];
    int over = median >= CLAIM_S;
    printf("%-64s %8s %9.1f %9.1f %9.1f%s\n", name, want == 0 ? "renders" : "refused",
           median * 1e3, cpu[rounds - 1] * 1e3, wall[rounds / 2] * 1e3, over ? "  OVER" : "");
    free(cpu);
    free(wall);
    return over;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    if (rounds < 1) {
        fprintf(stderr, "usage: bench_render [ROUNDS]\n");
        return 2;
    }
    render_init();
    printf("%-64s %8s %9s %9s %9s\n", "input", "", "cpu ms", "cpu max", "wall ms");
    int over = 0;
    for (int i = 0; i < RI_VALID_COUNT; i++) {
        size_t len, units;
        char *md = ri_valid(i, &len, &units);
        over |= measure(ri_valid_name(i), md, len, 0, rounds);
        free(md);
    }
    for (size_t i = 0; i < RI_HOSTILE_COUNT; i++) {
        size_t len;
        char *md = ri_hostile(i, &len);
        over |= measure(ri_hostile_cases[i].name, md, len, KENES_ETOOBIG, rounds);
        free(md);
    }
    return over;
}
