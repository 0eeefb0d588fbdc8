/*
 * Complementary suppression (plugins/case-review/suppress.c): no count shown
 * as "< 5" can be worked out from a total or the other cells, and what it
 * takes to make sure is withheld smallest first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <kenes/plugin.h>

#include "suppress.h"

/* A one-line table: cells 0..n-1 and their total at n. */
typedef struct {
    sup_cell cells[16];
    sup_term terms[16];
    sup_relation rel;
    size_t n;
} line;

static void line_init(line *l, const long *values, size_t n)
{
    long sum = 0;
    for (size_t i = 0; i < n; i++) {
        l->cells[i] = (sup_cell){.value = values[i]};
        l->terms[i] = (sup_term){i, 1};
        sum += values[i];
    }
    l->cells[n] = (sup_cell){.value = sum, .total = 1};
    l->terms[n] = (sup_term){n, -1};
    l->rel = (sup_relation){SUP_EQ, l->terms, n + 1};
    l->n = n;
}

/* Every "< 5" cell has at least two possible values for a reader. */
static void assert_protected(const sup_cell *cells, size_t n, const sup_relation *rels,
                             size_t nrels)
{
    for (size_t i = 0; i < n; i++) {
        if (cells[i].state != SUP_SMALL)
            continue;
        long lo, hi;
        assert_int_equal(sup_bounds(&lo, &hi, cells, n, rels, nrels, i), 0);
        assert_true(lo <= cells[i].value && cells[i].value <= hi);
        assert_true(lo < hi);
    }
}

/* The attack itself: with the total published, one "< 5" is the total less
 * the other cells. */
static void test_one_small_cell_is_the_total_less_the_rest(void **state)
{
    (void)state;
    line l;
    line_init(&l, (const long[]){7, 2, 9}, 3);
    for (size_t i = 0; i <= 3; i++)
        l.cells[i].state = l.cells[i].value >= 1 && l.cells[i].value <= 4 ? SUP_SMALL : SUP_SHOWN;
    long lo, hi;
    assert_int_equal(sup_bounds(&lo, &hi, l.cells, 4, &l.rel, 1, 1), 0);
    assert_int_equal(lo, 2);
    assert_int_equal(hi, 2); /* 18 - 7 - 9 */

    assert_int_equal(sup_protect(l.cells, 4, &l.rel, 1), 0);
    assert_int_equal(l.cells[1].state, SUP_SMALL);
    assert_int_equal(l.cells[0].state, SUP_HIDDEN); /* the smallest other: 7, not 9 */
    assert_int_equal(l.cells[2].state, SUP_SHOWN);
    assert_int_equal(l.cells[3].state, SUP_SHOWN); /* the total stays */
    assert_int_equal(sup_bounds(&lo, &hi, l.cells, 4, &l.rel, 1, 1), 0);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 4);
    assert_protected(l.cells, 4, &l.rel, 1);
}

/* Two "< 5" in one row are not enough when their sum pins them: 1 + 1 = 2
 * (both 1) or 4 + 4 = 8 (both 4). */
static void test_two_small_cells_in_a_row(void **state)
{
    (void)state;
    static const long rows[][4] = {{1, 1, 8, 0}, {4, 4, 6, 0}, {2, 3, 9, 12}};
    for (size_t k = 0; k < 3; k++) {
        line l;
        line_init(&l, rows[k], 4);
        assert_int_equal(sup_protect(l.cells, 5, &l.rel, 1), 0);
        assert_int_equal(l.cells[0].state, SUP_SMALL);
        assert_int_equal(l.cells[1].state, SUP_SMALL);
        if (k < 2) {
            assert_int_equal(l.cells[2].state, SUP_HIDDEN);
        } else {
            /* 2 + 3 = 5 leaves each 1 to 4: nothing more to withhold. */
            assert_int_equal(l.cells[2].state, SUP_SHOWN);
            assert_int_equal(l.cells[3].state, SUP_SHOWN);
        }
        assert_int_equal(l.cells[4].state, SUP_SHOWN);
        assert_protected(l.cells, 5, &l.rel, 1);
    }
}

/* A withheld 5 is known to be at least 5: next to 1 + 1 it pins them again
 * (x + y = 27 - 20 - z, z >= 5), so the next smallest goes too. */
static void test_a_withheld_five_is_not_enough(void **state)
{
    (void)state;
    line l;
    line_init(&l, (const long[]){1, 1, 5, 20}, 4);
    assert_int_equal(sup_protect(l.cells, 5, &l.rel, 1), 0);
    assert_int_equal(l.cells[2].state, SUP_HIDDEN);
    assert_int_equal(l.cells[3].state, SUP_HIDDEN);
    assert_int_equal(l.cells[4].state, SUP_SHOWN);
    assert_protected(l.cells, 5, &l.rel, 1);
}

/* Nothing else to withhold beside "< 5" cells but zeros: the total goes
 * when it gives them away (a total that exposes a cell is not published). */
static void test_only_zeros_beside_it_withholds_the_total(void **state)
{
    (void)state;
    line l;
    /* One "< 5" among zeros is its total, also "< 5": 1 to 4 both. */
    line_init(&l, (const long[]){0, 2, 0, 0}, 4);
    assert_int_equal(sup_protect(l.cells, 5, &l.rel, 1), 0);
    assert_int_equal(l.cells[1].state, SUP_SMALL);
    assert_int_equal(l.cells[0].state, SUP_SHOWN); /* 0 stays 0 */
    assert_int_equal(l.cells[4].state, SUP_SMALL);
    assert_protected(l.cells, 5, &l.rel, 1);

    /* Four "< 5" under a "< 5" total: each is 1 and the total 4. */
    line_init(&l, (const long[]){1, 1, 1, 1, 0}, 5);
    assert_int_equal(sup_protect(l.cells, 6, &l.rel, 1), 0);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(l.cells[i].state, SUP_SMALL);
    assert_int_equal(l.cells[5].state, SUP_HIDDEN);
    assert_protected(l.cells, 6, &l.rel, 1);

    /* Three under a total of 3 leave each 1 or 2: all published. */
    line_init(&l, (const long[]){1, 1, 1, 0}, 4);
    assert_int_equal(sup_protect(l.cells, 5, &l.rel, 1), 0);
    assert_int_equal(l.cells[4].state, SUP_SMALL);
    assert_protected(l.cells, 5, &l.rel, 1);
}

/* Without a total nothing ties the cells: "< 5" is all a reader learns. */
static void test_no_relation_no_secondary(void **state)
{
    (void)state;
    sup_cell cells[3] = {{.value = 3}, {.value = 7}, {.value = 0}};
    assert_int_equal(sup_protect(cells, 3, NULL, 0), 0);
    assert_int_equal(cells[0].state, SUP_SMALL);
    assert_int_equal(cells[1].state, SUP_SHOWN);
    assert_int_equal(cells[2].state, SUP_SHOWN);
}

/* 2x2 with row, column and grand totals: a "< 5" corner needs a rectangle
 * of withheld cells, and no margin may give it away. */
static void test_rows_and_columns(void **state)
{
    (void)state;
    /*        c0  c1 | row
     *  r0     3  10 | 13      cells 0 1 | 4
     *  r1    10  12 | 22      cells 2 3 | 5
     *  col   13  22 | 35      cells 6 7 | 8 */
    sup_cell cells[9] = {{.value = 3},  {.value = 10}, {.value = 10},
                         {.value = 12}, {.value = 13, .total = 1}, {.value = 22, .total = 1},
                         {.value = 13, .total = 1}, {.value = 22, .total = 1},
                         {.value = 35, .total = 1}};
    const sup_term r0[] = {{0, 1}, {1, 1}, {4, -1}}, r1[] = {{2, 1}, {3, 1}, {5, -1}},
                   c0[] = {{0, 1}, {2, 1}, {6, -1}}, c1[] = {{1, 1}, {3, 1}, {7, -1}},
                   rows[] = {{4, 1}, {5, 1}, {8, -1}}, cols[] = {{6, 1}, {7, 1}, {8, -1}};
    const sup_relation rels[] = {{SUP_EQ, r0, 3},   {SUP_EQ, r1, 3},   {SUP_EQ, c0, 3},
                                 {SUP_EQ, c1, 3},   {SUP_EQ, rows, 3}, {SUP_EQ, cols, 3}};
    assert_int_equal(sup_protect(cells, 9, rels, 6), 0);
    assert_int_equal(cells[0].state, SUP_SMALL);
    /* The rectangle 3 10 / 10 12, smallest first; every total stays. */
    assert_int_equal(cells[1].state, SUP_HIDDEN);
    assert_int_equal(cells[2].state, SUP_HIDDEN);
    assert_int_equal(cells[3].state, SUP_HIDDEN);
    for (size_t i = 4; i < 9; i++)
        assert_int_equal(cells[i].state, SUP_SHOWN);
    assert_protected(cells, 9, rels, 6);
}

/* One table bounds another: each ground is given for at most every new
 * case and every case has one, so with 9 new cases, grounds 5 and "< 5"
 * make the "< 5" a 4 unless the 5 is withheld. */
static void test_a_bound_from_another_table(void **state)
{
    (void)state;
    sup_cell cells[4] = {{.value = 9, .total = 1}, {.value = 5}, {.value = 4}, {.value = 0}};
    const sup_term le1[] = {{1, 1}, {0, -1}}, le2[] = {{2, 1}, {0, -1}}, le3[] = {{3, 1}, {0, -1}},
                   ge[] = {{1, 1}, {2, 1}, {3, 1}, {0, -1}};
    const sup_relation rels[] = {
        {SUP_LE, le1, 2}, {SUP_LE, le2, 2}, {SUP_LE, le3, 2}, {SUP_GE, ge, 4}};
    assert_int_equal(sup_protect(cells, 4, rels, 4), 0);
    assert_int_equal(cells[2].state, SUP_SMALL);
    assert_int_equal(cells[1].state, SUP_HIDDEN);
    assert_int_equal(cells[0].state, SUP_SHOWN);
    assert_protected(cells, 4, rels, 4);
}

/* Random tables of 3 x 3 with all their margins: whatever the counts,
 * every "< 5" left has two values or more. */
static void test_random_tables(void **state)
{
    (void)state;
    unsigned seed = 11;
    for (int round = 0; round < 150; round++) {
        sup_cell cells[16];
        long v[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                seed = seed * 1103515245u + 12345u;
                v[i][j] = (long)((seed >> 16) % 14); /* 0..13: many below 5 */
                cells[i * 3 + j] = (sup_cell){.value = v[i][j]};
            }
        /* 9..11 row totals, 12..14 column totals, 15 the grand total. */
        long grand = 0;
        for (int i = 0; i < 3; i++) {
            cells[9 + i] = (sup_cell){.value = v[i][0] + v[i][1] + v[i][2], .total = 1};
            cells[12 + i] = (sup_cell){.value = v[0][i] + v[1][i] + v[2][i], .total = 1};
            grand += cells[9 + i].value;
        }
        cells[15] = (sup_cell){.value = grand, .total = 1};
        sup_term t[8][4];
        sup_relation rels[8];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                t[i][j] = (sup_term){(size_t)(i * 3 + j), 1};
                t[3 + i][j] = (sup_term){(size_t)(j * 3 + i), 1};
            }
            t[i][3] = (sup_term){(size_t)(9 + i), -1};
            t[3 + i][3] = (sup_term){(size_t)(12 + i), -1};
            t[6][i] = (sup_term){(size_t)(9 + i), 1};
            t[7][i] = (sup_term){(size_t)(12 + i), 1};
        }
        t[6][3] = t[7][3] = (sup_term){15, -1};
        for (int k = 0; k < 8; k++)
            rels[k] = (sup_relation){SUP_EQ, t[k], 4};
        assert_int_equal(sup_protect(cells, 16, rels, 8), 0);
        for (int i = 0; i < 16; i++) {
            /* "< 5" only for 1 to 4; a zero is never withheld but as a last resort. */
            if (cells[i].state == SUP_SMALL)
                assert_true(cells[i].value >= 1 && cells[i].value <= 4);
            if (cells[i].value == 0)
                assert_int_equal(cells[i].state, SUP_SHOWN);
        }
        assert_protected(cells, 16, rels, 8);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    sup_cell cells[2] = {{.value = -1}, {.value = 3}};
    assert_int_equal(sup_protect(cells, 2, NULL, 0), KENES_EINVAL);
    cells[0].value = 1;
    const sup_term far[] = {{5, 1}};
    const sup_relation bad[] = {{SUP_EQ, far, 1}};
    assert_int_equal(sup_protect(cells, 2, bad, 1), KENES_EINVAL);
    const sup_relation empty[] = {{SUP_EQ, far, 0}};
    assert_int_equal(sup_protect(cells, 2, empty, 1), KENES_EINVAL);
    long lo, hi;
    assert_int_equal(sup_bounds(&lo, &hi, cells, 2, NULL, 0, 2), KENES_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_small_cell_is_the_total_less_the_rest),
        cmocka_unit_test(test_two_small_cells_in_a_row),
        cmocka_unit_test(test_a_withheld_five_is_not_enough),
        cmocka_unit_test(test_only_zeros_beside_it_withholds_the_total),
        cmocka_unit_test(test_no_relation_no_secondary),
        cmocka_unit_test(test_rows_and_columns),
        cmocka_unit_test(test_a_bound_from_another_table),
        cmocka_unit_test(test_random_tables),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
