/*
 * Complementary cell suppression for the published case counts.
 *
 * A release of reports/cases.md is a set of counts (cells) and relations a
 * reader knows between them: a table's total is the sum of its rows, a
 * ground is given for at most every new case, every new case has at least
 * one ground.  A count from 1 to 4 is published as "< 5" (primary
 * suppression); sup_protect() then withholds further cells ("скрыто"),
 * the smallest first, until no "< 5" cell can be worked out exactly from
 * the published cells and the relations.
 *
 * What a reader is taken to know: a published cell exactly; a "< 5" cell
 * is 1 to 4; a withheld cell of 5 or more is at least 5 (the rule is public:
 * secondary suppression withholds only such cells); a withheld total below
 * 5 (the last resort, when no cell of 5 or more is left to withhold) is any
 * number from 0.  Whether a "< 5" cell is determined is decided exactly, by
 * integer programming over those bounds (GLPK): its smallest and largest
 * possible values must differ.
 *
 * Generic: nothing here knows what the cells count.
 */
#ifndef CASE_REVIEW_SUPPRESS_H
#define CASE_REVIEW_SUPPRESS_H

#include <limits.h>
#include <stddef.h>

enum {
    SUP_SHOWN = 0,  /* published as the number (0 included) */
    SUP_SMALL = 1,  /* 1 to 4: published as "< 5" */
    SUP_HIDDEN = 2  /* withheld: published as "скрыто" */
};

enum { SUP_EQ = 0, SUP_LE = 1, SUP_GE = 2 }; /* sum of coef * cell  =, <=, >=  0 */

#define SUP_SMALL_MAX 4 /* the largest count shown as "< 5" */
#define SUP_UNBOUNDED LONG_MAX

typedef struct sup_cell {
    long value;          /* the true count, >= 0 */
    unsigned char total; /* a total: may be withheld as a last resort even below 5 */
    unsigned char state; /* SUP_*: set by sup_protect */
} sup_cell;

typedef struct sup_term {
    size_t cell;
    int coef;
} sup_term;

typedef struct sup_relation {
    int op; /* SUP_EQ, SUP_LE, SUP_GE */
    const sup_term *terms;
    size_t nterms;
} sup_relation;

/* Set every cell's state: SUP_SMALL for 1 to 4, then SUP_HIDDEN for as few
 * further cells as it takes (smallest first among those sharing a relation
 * with a determined "< 5" cell) until none is determined.  0, KENES_EINVAL
 * (a negative count, a relation naming no cell), KENES_ENOMEM or
 * KENES_EPLUGIN (the solver failed: then publish nothing). */
int sup_protect(sup_cell *cells, size_t ncells, const sup_relation *rels, size_t nrels);

/* What a reader can work out of cell i from the cells' states and the
 * relations: *lo and *hi (SUP_UNBOUNDED: no upper bound).  0 or as above. */
int sup_bounds(long *lo, long *hi, const sup_cell *cells, size_t ncells,
               const sup_relation *rels, size_t nrels, size_t i);

#endif
