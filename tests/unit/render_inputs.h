/*
 * The Markdown at the edges of render_markdown()'s budget, built in memory:
 * valid text as large and as deep as it gets, which must render, and the
 * inputs on which Debian 12's cmark-gfm goes super-linear, which the budget
 * must refuse before cmark sees them.  test_render checks what each one
 * gives; bench/bench_render.c times them (a unit test asserts no time).
 *
 * Header-only, every function static and marked unused, so that each
 * program takes what it needs and still builds with -Werror.
 */
#ifndef KENES_TEST_RENDER_INPUTS_H
#define KENES_TEST_RENDER_INPUTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "publish/render.h"

#define RI_UNUSED __attribute__((unused))

static RI_UNUSED void ri_out_of_memory(void)
{
    fprintf(stderr, "render_inputs: out of memory\n");
    abort();
}

static RI_UNUSED void *ri_alloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        ri_out_of_memory();
    return p;
}

/* head, then unit repeated until the buffer holds want bytes (the last cut short). */
static RI_UNUSED char *ri_repeat(const char *head, const char *unit, size_t want)
{
    char *s = ri_alloc(want + 1);
    size_t hl = strlen(head), ul = strlen(unit), n = hl < want ? hl : want;
    memcpy(s, head, n);
    while (n < want) {
        size_t k = want - n < ul ? want - n : ul;
        memcpy(s + n, unit, k);
        n += k;
    }
    s[want] = '\0';
    return s;
}

/* ---- valid text that must render ---- */

enum {
    RI_NESTED_QUOTES,  /* 10,000 nested quotes around "deep" */
    RI_NESTED_LISTS,   /* 100,000 nested list items on one line */
    RI_TABLE_MEBIBYTE, /* a 3-column table to 1 MiB, cut at a line end */
    RI_LONG_DOCUMENT,  /* a 1 MiB report: sections nested, linked, quoted, with tables */
    RI_WIDE_TABLE,     /* 20 columns to 1 MiB, emphasis in the cells */
    RI_VALID_COUNT
};

static const char ri_section[] =
    "## Раздел\n\n"
    "Комиссия рассмотрела [дела](/reports/KZ-11/) за квартал; см. ![график](/img/q1.png).\n"
    "Продолжение абзаца с *выделением*, **важным** и `кодом` [1].\n\n"
    "- Пункт первый\n  - вложенный [a](https://example.org/a)\n    - глубже\n\n"
    "      код внутри списка\n\n"
    "- Пункт второй\n\n"
    "> Цитата\n>\n> > вложенная, с ![x](/x.png) и [y](/y)\n\n"
    "| Регион | Дел |\n|---|---|\n| KZ-11 | < 5 |\n\n"
    "| Код | Дел | Примечание |\n|:---|---:|---|\n| KZ_11 | *12* | _оценка_ |\n"
    "| KZ_15 | **7** | snake_case_note |\n| KZ_19 | < 5 | |\n\n"
    "1. раз\n2. два\n   3. три\n\n";

static const char ri_wide_row[] =
    "| KZ_11 | *12* | < 5 | _n_ | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 "
    "| 13 | 14 | 15 | 16 | 17 | 18 | 19 |\n";

static RI_UNUSED const char *ri_valid_name(int which)
{
    static const char *names[RI_VALID_COUNT] = {
        "10,000 nested quotes", "100,000 nested list items", "a 1 MiB table",
        "a 1 MiB report", "a 20-column table to 1 MiB"};
    return names[which];
}

/* The input `which` (malloc'd, NUL-terminated), its length in *len and in
 * *units how many sections (RI_LONG_DOCUMENT) or rows (RI_WIDE_TABLE) it has. */
static RI_UNUSED char *ri_valid(int which, size_t *len, size_t *units)
{
    char *md = NULL;
    *units = 0;
    if (which == RI_NESTED_QUOTES || which == RI_NESTED_LISTS) {
        int quotes = which == RI_NESTED_QUOTES;
        size_t n = quotes ? 10000 : 200000;
        char *run = ri_repeat("", quotes ? ">" : "- ", n);
        md = ri_alloc(n + 8);
        snprintf(md, n + 8, "%s%s", run, quotes ? " deep\n" : "x\n");
        free(run);
    } else if (which == RI_TABLE_MEBIBYTE) {
        md = ri_repeat("| Регион | Дел | Закрыто |\n|---|---:|---:|\n", "| KZ-11 | 12 | < 5 |\n",
                       RENDER_MAX_MARKDOWN);
        /* Cut at a line end, so the input stays UTF-8 whatever the unit's length. */
        strrchr(md, '\n')[1] = '\0';
    } else {
        util_buf b;
        util_buf_init(&b);
        int rc = 0;
        if (which == RI_LONG_DOCUMENT) {
            for (size_t i = 0; i < RENDER_MAX_MARKDOWN / (sizeof(ri_section) - 1); i++, (*units)++)
                rc |= util_buf_puts(&b, ri_section);
        } else {
            for (int i = 0; i < 20; i++)
                rc |= util_buf_printf(&b, "| col_%d ", i);
            rc |= util_buf_puts(&b, "|\n");
            for (int i = 0; i < 20; i++)
                rc |= util_buf_puts(&b, "|---:");
            rc |= util_buf_puts(&b, "|\n");
            for (; b.len + sizeof(ri_wide_row) - 1 <= RENDER_MAX_MARKDOWN; (*units)++)
                rc |= util_buf_puts(&b, ri_wide_row);
        }
        if (rc != 0)
            ri_out_of_memory();
        md = b.data;
    }
    *len = strlen(md);
    return md;
}

/* ---- hostile input that must be refused ----
 *
 * cmark-gfm 0.29.0.gfm.6's super-linear cases (see render.c), each at the
 * size limit: on the Debian library each takes from seconds to hours without
 * the budget, or (the wide header) gigabytes until cmark aborts the process.
 */

typedef struct ri_hostile_case {
    const char *name, *head, *head_unit, *fill;
    size_t head_count, size; /* size 0: the limit */
} ri_hostile_case;

static const ri_hostile_case ri_hostile_cases[] = {
    {"![[]() repeated", "", "", "![[]()", 0, 0},
    {"image openers, then links", "", "![", "[]()", RENDER_MAX_MARKDOWN / 4, 0},
    {"blank lines under nested lists", "", "- ", "\n", 30000, 0},
    {"quote-blank lines under nested lists", "> ", "- ", ">\n", 30000, 0},
    {"emphasis under nested quotes", "", ">", "a*", 100000, 0},
    {"blank lines under an indented list", "", "", "\n", 0, 0},
    {"'*' openers, then '_' closers", "", "*a ", "*a_* ", 150000, 0},
    {"'_' openers, then '*' closers", "", "_a ", "_a*_ ", 150000, 0},
    /* These two stay under the cell budget: each has a budget of its own. */
    {"a row of 60,000 pipes under a table", "a|b\n-|-\n", "|", "\n", 60000, 0},
    {"delimiter rows re-reading the paragraph", "", "a\n-|-\n", "\n", 8000, 0},
    {"a wide header over one-letter rows",
     "|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|\n"
     "|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|\n",
     "", "x\n", 0, 0},
    /* Smaller, so that each takes seconds, not minutes, without its budget. */
    {"links over a stack of emphasis closers", "", "", "\v a** a*[]()", 0, 256 << 10},
    {"unclosed CDATA in a paragraph", "a", "", "<![CDATA[", 0, 256 << 10},
    {"lines of a paragraph walked back over, under a delimiter row", "", ";\n", "|---|---|\n",
     160000, 0},
};

#define RI_HOSTILE_COUNT (sizeof(ri_hostile_cases) / sizeof(ri_hostile_cases[0]))
#define RI_INDENTED_LIST 5 /* the case built by indentation */

/* Hostile input i (malloc'd), its length in *len. */
static RI_UNUSED char *ri_hostile(size_t i, size_t *len)
{
    const ri_hostile_case *c = &ri_hostile_cases[i];
    *len = c->size ? c->size : RENDER_MAX_MARKDOWN;
    char *md = ri_repeat("", c->fill, *len);
    size_t off = strlen(c->head);
    memcpy(md, c->head, off);
    for (size_t k = 0; k < c->head_count; k++) {
        memcpy(md + off, c->head_unit, strlen(c->head_unit));
        off += strlen(c->head_unit);
    }
    if (strcmp(c->head_unit, "- ") == 0)
        memcpy(md + off, "x\n", 2); /* the item's text, after the deepest marker */
    if (i == RI_INDENTED_LIST) /* 500 levels by indentation, 2 columns each */
        for (size_t d = 0; d < 500; d++) {
            memset(md + off, ' ', 2 * d);
            memcpy(md + off + 2 * d, "* a\n", 4);
            off += 2 * d + 4;
        }
    return md;
}

#endif
