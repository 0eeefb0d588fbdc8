/*
 * The fuzzers' main() outside libFuzzer: runs LLVMFuzzerTestOneInput once on
 * each file named, or on each file of each folder named (sorted, so a
 * failure is found again in the same order).  This is how ctest replays the
 * corpus in fuzz/corpus/ on every build, with gcc and without clang's
 * runtime; scripts/fuzz.sh builds the same targets with -fsanitize=fuzzer
 * instead, to search for new inputs.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: cannot open\n", path);
        return -1;
    }
    /* Read the whole file; inputs are small, but nothing here assumes so. */
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    int failed = ferror(f) || !buf;
    fclose(f);
    if (failed) {
        free(buf);
        fprintf(stderr, "replay: %s: cannot read\n", path);
        return -1;
    }
    /* A copy of exactly len bytes, so ASan sees a read past the input. */
    uint8_t *input = malloc(len ? len : 1);
    if (!input) {
        free(buf);
        return -1;
    }
    memcpy(input, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(input, len);
    free(input);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    size_t runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: no such file or folder\n", argv[i]);
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) < 0)
                return 1;
            runs++;
            continue;
        }
        struct dirent **names;
        int n = scandir(argv[i], &names, NULL, by_name);
        if (n < 0) {
            fprintf(stderr, "replay: %s: cannot list\n", argv[i]);
            return 1;
        }
        int rc = 0;
        for (int k = 0; k < n; k++) {
            char path[4096];
            int len = snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]->d_name);
            struct stat fst;
            if (rc == 0 && len > 0 && (size_t)len < sizeof(path) && stat(path, &fst) == 0 &&
                S_ISREG(fst.st_mode)) {
                if (run_file(path) < 0)
                    rc = 1;
                runs++;
            }
            free(names[k]);
        }
        free(names);
        if (rc)
            return rc;
    }
    /* An empty corpus would make the test pass without running anything. */
    if (runs == 0) {
        fprintf(stderr, "replay: no input\n");
        return 1;
    }
    printf("replay: %zu inputs, no fault\n", runs);
    return 0;
}
