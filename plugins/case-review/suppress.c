/*
 * Complementary cell suppression: see suppress.h.  The bounds a reader can
 * work out are integer programs (the cells are counts), solved with GLPK:
 * the tables here have a few dozen cells, so each solve takes well under a
 * millisecond, and a release is computed once.
 */
#include "suppress.h"

#include <glpk.h>
#include <stdlib.h>
#include <string.h>

#include <kenes/plugin.h>

/* The bounds a reader knows for cell c before any relation: see suppress.h. */
static void reader_bounds(const sup_cell *c, long *lo, long *hi)
{
    if (c->state == SUP_SHOWN) {
        *lo = *hi = c->value;
    } else if (c->state == SUP_SMALL) {
        *lo = 1;
        *hi = SUP_SMALL_MAX;
    } else {
        *lo = c->value > SUP_SMALL_MAX ? SUP_SMALL_MAX + 1 : 0;
        *hi = SUP_UNBOUNDED;
    }
}

static int check_input(const sup_cell *cells, size_t ncells, const sup_relation *rels,
                       size_t nrels)
{
    for (size_t i = 0; i < ncells; i++)
        if (cells[i].value < 0)
            return KENES_EINVAL;
    for (size_t r = 0; r < nrels; r++) {
        if (rels[r].nterms == 0 || !rels[r].terms || rels[r].op < SUP_EQ || rels[r].op > SUP_GE)
            return KENES_EINVAL;
        for (size_t t = 0; t < rels[r].nterms; t++)
            if (rels[r].terms[t].cell >= ncells || rels[r].terms[t].coef == 0)
                return KENES_EINVAL;
    }
    return 0;
}

/* One integer program over the cells that are not shown: a column each
 * (col[i], 1-based; 0 for a shown cell), a row per relation that involves
 * one, the shown cells moved to the right-hand side. */
static int build(glp_prob **out, int *col, const sup_cell *cells, size_t ncells,
                 const sup_relation *rels, size_t nrels)
{
    glp_prob *lp = glp_create_prob();
    int ncols = 0;
    for (size_t i = 0; i < ncells; i++)
        col[i] = cells[i].state == SUP_SHOWN ? 0 : ++ncols;
    if (ncols > 0)
        glp_add_cols(lp, ncols);
    for (size_t i = 0; i < ncells; i++) {
        if (!col[i])
            continue;
        long lo, hi;
        reader_bounds(&cells[i], &lo, &hi);
        if (hi == SUP_UNBOUNDED)
            glp_set_col_bnds(lp, col[i], GLP_LO, (double)lo, 0.0);
        else
            glp_set_col_bnds(lp, col[i], GLP_DB, (double)lo, (double)hi);
        glp_set_col_kind(lp, col[i], GLP_IV);
    }
    size_t most = 0;
    for (size_t r = 0; r < nrels; r++)
        most = rels[r].nterms > most ? rels[r].nterms : most;
    /* GLPK's arrays start at 1. */
    int *ind = malloc((most + 1) * sizeof(*ind));
    double *val = malloc((most + 1) * sizeof(*val));
    if (!ind || !val) {
        free(ind);
        free(val);
        glp_delete_prob(lp);
        return KENES_ENOMEM;
    }
    for (size_t r = 0; r < nrels; r++) {
        int len = 0;
        double rhs = 0;
        for (size_t t = 0; t < rels[r].nterms; t++) {
            const sup_term *term = &rels[r].terms[t];
            if (col[term->cell]) {
                /* A cell named twice in one relation adds up. */
                int k = 1;
                while (k <= len && ind[k] != col[term->cell])
                    k++;
                if (k > len) {
                    ind[++len] = col[term->cell];
                    val[k] = 0;
                }
                val[k] += term->coef;
            } else {
                rhs -= (double)term->coef * (double)cells[term->cell].value;
            }
        }
        if (len == 0)
            continue; /* only shown cells: nothing a reader does not see */
        int row = glp_add_rows(lp, 1);
        int type = rels[r].op == SUP_EQ ? GLP_FX : rels[r].op == SUP_LE ? GLP_UP : GLP_LO;
        glp_set_row_bnds(lp, row, type, rhs, rhs);
        glp_set_mat_row(lp, row, len, ind, val);
    }
    free(ind);
    free(val);
    *out = lp;
    return 0;
}

/* Optimise column c in direction dir: 0 and *v, 1 when unbounded, or
 * KENES_EPLUGIN. */
static int solve(glp_prob *lp, int c, int dir, long *v)
{
    for (int j = 1; j <= glp_get_num_cols(lp); j++)
        glp_set_obj_coef(lp, j, j == c ? 1.0 : 0.0);
    glp_set_obj_dir(lp, dir);
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    int ret = glp_intopt(lp, &parm);
    if (ret == GLP_ENODFS)
        return 1; /* the relaxation is unbounded in this direction */
    if (ret != 0 || glp_mip_status(lp) != GLP_OPT)
        return KENES_EPLUGIN; /* the true counts are a solution: this cannot be */
    double x = glp_mip_obj_val(lp);
    *v = (long)(x < 0 ? x - 0.5 : x + 0.5);
    return 0;
}

static int bounds_with(long *lo, long *hi, int *col, const sup_cell *cells, size_t ncells,
                       const sup_relation *rels, size_t nrels, size_t i)
{
    if (cells[i].state == SUP_SHOWN) {
        *lo = *hi = cells[i].value;
        return 0;
    }
    glp_prob *lp;
    int rc = build(&lp, col, cells, ncells, rels, nrels);
    if (rc < 0)
        return rc;
    rc = solve(lp, col[i], GLP_MIN, lo);
    if (rc == 0) {
        rc = solve(lp, col[i], GLP_MAX, hi);
        if (rc == 1) {
            *hi = SUP_UNBOUNDED;
            rc = 0;
        }
    } else if (rc == 1) {
        rc = KENES_EPLUGIN; /* counts have a lower bound */
    }
    glp_delete_prob(lp);
    return rc;
}

int sup_bounds(long *lo, long *hi, const sup_cell *cells, size_t ncells,
               const sup_relation *rels, size_t nrels, size_t i)
{
    if (i >= ncells || check_input(cells, ncells, rels, nrels) < 0)
        return KENES_EINVAL;
    int *col = malloc((ncells ? ncells : 1) * sizeof(*col));
    if (!col)
        return KENES_ENOMEM;
    glp_term_out(GLP_OFF);
    int rc = bounds_with(lo, hi, col, cells, ncells, rels, nrels, i);
    free(col);
    /* GLPK keeps its environment per thread: give it back, nothing stays. */
    glp_free_env();
    return rc;
}

/* The cells a reader would combine to work out p: p, and every withheld or
 * "< 5" cell tied to it by relations through such cells (in[i] = 1). */
static void reach(unsigned char *in, const sup_cell *cells, size_t ncells,
                  const sup_relation *rels, size_t nrels, size_t p)
{
    memset(in, 0, ncells);
    in[p] = 1;
    for (int grew = 1; grew;) {
        grew = 0;
        for (size_t r = 0; r < nrels; r++) {
            int touches = 0;
            for (size_t t = 0; t < rels[r].nterms; t++)
                touches |= in[rels[r].terms[t].cell];
            for (size_t t = 0; touches && t < rels[r].nterms; t++) {
                size_t c = rels[r].terms[t].cell;
                if (!in[c] && cells[c].state != SUP_SHOWN) {
                    in[c] = 1;
                    grew = 1;
                }
            }
        }
    }
}

/* 1 if cell j shares a relation with a cell marked in[]. */
static int touches(const unsigned char *in, const sup_relation *rels, size_t nrels, size_t j)
{
    for (size_t r = 0; r < nrels; r++) {
        int has_in = 0, has_j = 0;
        for (size_t t = 0; t < rels[r].nterms; t++) {
            has_in |= in[rels[r].terms[t].cell];
            has_j |= rels[r].terms[t].cell == j;
        }
        if (has_in && has_j)
            return 1;
    }
    return 0;
}

/* The next cell to withhold so that the determined "< 5" cell p may not
 * be: the smallest published count (5 or more) that shares a relation with
 * p or with the withheld cells tied to it (a "< 5" in a table with row and
 * column totals needs a rectangle of them); failing that a total shown as
 * "< 5" there (publish no total that exposes a cell); failing that p. */
static size_t next_to_hide(unsigned char *in, const sup_cell *cells, size_t ncells,
                           const sup_relation *rels, size_t nrels, size_t p)
{
    reach(in, cells, ncells, rels, nrels, p);
    size_t best = ncells;
    for (size_t j = 0; j < ncells; j++)
        if (cells[j].state == SUP_SHOWN && cells[j].value > 0 &&
            (best == ncells || cells[j].value < cells[best].value) && touches(in, rels, nrels, j))
            best = j;
    if (best < ncells)
        return best;
    for (size_t j = 0; j < ncells; j++)
        if (cells[j].total && cells[j].state == SUP_SMALL && (in[j] || touches(in, rels, nrels, j)))
            return j;
    return p;
}

/* 1 if cell i appears in a relation: else a "< 5" is 1 to 4 whatever else is shown. */
static int in_a_relation(const sup_relation *rels, size_t nrels, size_t i)
{
    for (size_t r = 0; r < nrels; r++)
        for (size_t t = 0; t < rels[r].nterms; t++)
            if (rels[r].terms[t].cell == i)
                return 1;
    return 0;
}

int sup_protect(sup_cell *cells, size_t ncells, const sup_relation *rels, size_t nrels)
{
    int rc = check_input(cells, ncells, rels, nrels);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < ncells; i++)
        cells[i].state = cells[i].value >= 1 && cells[i].value <= SUP_SMALL_MAX ? SUP_SMALL
                                                                                 : SUP_SHOWN;
    int *col = malloc((ncells ? ncells : 1) * sizeof(*col));
    unsigned char *in = malloc(ncells ? ncells : 1);
    if (!col || !in) {
        free(col);
        free(in);
        return KENES_ENOMEM;
    }
    glp_term_out(GLP_OFF);
    /* Each round withholds one more cell, so this ends (at worst with every
     * related cell withheld); each round starts over, because a cell
     * withheld for one "< 5" may expose another through its own bounds. */
    for (int again = 1; again && rc == 0;) {
        again = 0;
        for (size_t i = 0; i < ncells && rc == 0; i++) {
            if (cells[i].state != SUP_SMALL || !in_a_relation(rels, nrels, i))
                continue;
            long lo, hi;
            rc = bounds_with(&lo, &hi, col, cells, ncells, rels, nrels, i);
            if (rc == 0 && lo == hi) {
                cells[next_to_hide(in, cells, ncells, rels, nrels, i)].state = SUP_HIDDEN;
                again = 1;
                break;
            }
        }
    }
    free(col);
    free(in);
    glp_free_env();
    return rc;
}
