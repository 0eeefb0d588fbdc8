/*
 * HTML templates (tmpl.h).  The parser turns the text into a tree of nodes
 * that point into a private copy of it; the renderer walks the tree, counting
 * its steps and its output so that no template and value can make it run
 * or grow without end.
 */
#include "ui/tmpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kenes/plugin.h"

enum kind { N_TEXT, N_VAR, N_INDEX, N_EACH, N_IF };

typedef struct node node;

typedef struct nodes {
    node *items;
    size_t n;
    size_t cap;
} nodes;

struct node {
    enum kind kind;
    const char *s; /* N_TEXT: the text; N_VAR, N_EACH, N_IF: the path */
    size_t n;
    int from_root;  /* the path began with "@root" (stripped from s) */
    nodes body;     /* N_EACH, N_IF */
    nodes alt;      /* N_IF: after {{else}} */
};

struct tmpl {
    char *text;
    nodes top;
};

/* ---- parsing ---- */

typedef struct parser {
    const char *s;
    size_t len;
    size_t pos;
    char *err;
    size_t errcap;
} parser;

/* The block being parsed: what closes it, and where it opened. */
typedef struct block {
    const char *name; /* "if", "each", or NULL at the top */
    size_t at;
    int in_each; /* this block or one around it is an each: {{@index}} means something */
    int depth;
} block;

static void where(const parser *p, size_t at, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at && i < p->len; i++) {
        if (p->s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

__attribute__((format(printf, 4, 5))) static int fail(const parser *p, size_t at, int rc,
                                                      const char *fmt, ...)
{
    if (!p->err || p->errcap == 0)
        return rc;
    size_t line, col;
    where(p, at, &line, &col);
    int n = snprintf(p->err, p->errcap, "%zu:%zu: ", line, col);
    if (n >= 0 && (size_t)n < p->errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errcap - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static void nodes_free(nodes *l)
{
    for (size_t i = 0; i < l->n; i++) {
        nodes_free(&l->items[i].body);
        nodes_free(&l->items[i].alt);
    }
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

static node *nodes_add(nodes *l, enum kind kind, const char *s, size_t n)
{
    if (l->n == l->cap) {
        node *grown = util_grow(l->items, &l->cap, l->n, sizeof(node), 8);
        if (!grown)
            return NULL;
        l->items = grown;
    }
    node *x = &l->items[l->n++];
    memset(x, 0, sizeof(*x));
    x->kind = kind;
    x->s = s;
    x->n = n;
    return x;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* "." or "@root", "@root.a.b", "a.b": names of name characters joined by
 * single dots.  Sets the node's path with "@root" and its dot stripped. */
static int set_path(const parser *p, size_t at, node *x, const char *s, size_t n)
{
    if (n == 1 && s[0] == '.') {
        x->s = s;
        x->n = n;
        return 0;
    }
    if (n >= 5 && memcmp(s, "@root", 5) == 0 && (n == 5 || s[5] == '.')) {
        x->from_root = 1;
        s += n == 5 ? 5 : 6;
        n -= n == 5 ? 5 : 6;
        if (n == 0 && s[-1] == '.')
            return fail(p, at, KENES_EINVAL, "a path may not end in '.'");
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? (i == 0 || i + 1 == n || s[i + 1] == '.') : !is_name_char(s[i]))
            return fail(p, at, KENES_EINVAL, "bad path \"%.*s\"", (int)(n > 40 ? 40 : n), s);
    }
    if (n == 0 && !x->from_root)
        return fail(p, at, KENES_EINVAL, "empty tag");
    x->s = s;
    x->n = n;
    return 0;
}

static int word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

static int parse_nodes(parser *p, nodes *into, const block *b);

/* {{#each path}} or {{#if path}}, its content c[0..n) after the '#'. */
static int parse_open(parser *p, nodes *into, const block *b, size_t at, const char *c, size_t n)
{
    size_t w = 0;
    while (w < n && !is_space(c[w]))
        w++;
    const char *name = word_is(c, w, "each") ? "each" : word_is(c, w, "if") ? "if" : NULL;
    if (!name)
        return fail(p, at, KENES_EINVAL, "unknown block {{#%.*s}}", (int)(w > 20 ? 20 : w), c);
    if (b->depth + 1 > TMPL_MAX_DEPTH)
        return fail(p, at, KENES_ETOOBIG, "blocks nested deeper than %d", TMPL_MAX_DEPTH);
    const char *path = c + w;
    size_t plen = n - w;
    while (plen && is_space(*path))
        path++, plen--;
    if (plen == 0)
        return fail(p, at, KENES_EINVAL, "{{#%s}} names no path", name);
    node *x = nodes_add(into, name[0] == 'e' ? N_EACH : N_IF, NULL, 0);
    if (!x)
        return KENES_ENOMEM;
    int rc = set_path(p, at, x, path, plen);
    if (rc < 0)
        return rc;
    block inner = {name, at, b->in_each || name[0] == 'e', b->depth + 1};
    rc = parse_nodes(p, &x->body, &inner);
    if (rc == 1) /* {{else}}; x stays put: only its own lists grow meanwhile */
        rc = parse_nodes(p, &x->alt, &(block){"else", at, inner.in_each, inner.depth});
    return rc < 0 ? rc : 0;
}

/* One tag, its content c[0..n) trimmed, at offset at.  0 to go on; 2 when
 * it closed block b; 1 when it was b's {{else}}. */
static int parse_tag(parser *p, nodes *into, const block *b, size_t at, const char *c, size_t n)
{
    if (n > 0 && c[0] == '!')
        return 0;
    if (n > 0 && c[0] == '#')
        return parse_open(p, into, b, at, c + 1, n - 1);
    if (n > 0 && c[0] == '/') {
        const char *want = b->name && strcmp(b->name, "else") == 0 ? "if" : b->name;
        if (!want)
            return fail(p, at, KENES_EINVAL, "stray {{/%.*s}}: no block is open",
                        (int)(n > 21 ? 20 : n - 1), c + 1);
        if (!word_is(c + 1, n - 1, want)) {
            size_t line, col;
            where(p, b->at, &line, &col);
            return fail(p, at, KENES_EINVAL, "{{/%.*s}} where {{#%s}} from %zu:%zu is open",
                        (int)(n > 21 ? 20 : n - 1), c + 1, want, line, col);
        }
        return 2;
    }
    if (word_is(c, n, "else")) {
        if (!b->name || strcmp(b->name, "if") != 0)
            return fail(p, at, KENES_EINVAL, "stray {{else}}: no {{#if}} is open");
        return 1;
    }
    if (word_is(c, n, "@index")) {
        if (!b->in_each)
            return fail(p, at, KENES_EINVAL, "{{@index}} outside {{#each}}");
        return nodes_add(into, N_INDEX, NULL, 0) ? 0 : KENES_ENOMEM;
    }
    int root = n >= 5 && memcmp(c, "@root", 5) == 0;
    if (n > 0 && (c[0] == '{' || c[0] == '>' || c[0] == '&' || c[0] == '^' ||
                  (c[0] == '@' && !root) || c[0] == '='))
        return fail(p, at, KENES_EINVAL, "unknown directive {{%c...}}", c[0]);
    node *x = nodes_add(into, N_VAR, NULL, 0);
    if (!x)
        return KENES_ENOMEM;
    return set_path(p, at, x, c, n);
}

/* Text and tags into `into` until the end (at the top) or the tag that
 * closes b.  0 when b was closed (or the text ended at the top); 1 when
 * b's {{else}} came; negative on an error. */
static int parse_nodes(parser *p, nodes *into, const block *b)
{
    for (;;) {
        size_t start = p->pos;
        const char *open = NULL;
        for (size_t i = p->pos; i + 1 < p->len; i++)
            if (p->s[i] == '{' && p->s[i + 1] == '{') {
                open = p->s + i;
                break;
            }
        size_t end = open ? (size_t)(open - p->s) : p->len;
        if (end > start && !nodes_add(into, N_TEXT, p->s + start, end - start))
            return KENES_ENOMEM;
        if (!open) {
            p->pos = p->len;
            if (b->name)
                return fail(p, b->at, KENES_EINVAL, "unclosed {{#%s}}",
                            strcmp(b->name, "else") == 0 ? "if" : b->name);
            return 0;
        }
        size_t at = end;
        const char *close = NULL;
        for (size_t i = at + 2; i + 1 < p->len; i++)
            if (p->s[i] == '}' && p->s[i + 1] == '}') {
                close = p->s + i;
                break;
            }
        if (!close)
            return fail(p, at, KENES_EINVAL, "unclosed {{: no }} follows");
        const char *c = p->s + at + 2;
        size_t n = (size_t)(close - c);
        while (n && is_space(*c))
            c++, n--;
        while (n && is_space(c[n - 1]))
            n--;
        p->pos = (size_t)(close - p->s) + 2;
        int rc = parse_tag(p, into, b, at, c, n);
        if (rc < 0)
            return rc;
        if (rc == 2)
            return 0;
        if (rc == 1)
            return 1;
    }
}

int tmpl_new(tmpl **out, const char *text, size_t len, char *err, size_t errcap)
{
    *out = NULL;
    if (err && errcap)
        err[0] = '\0';
    if (!text && len)
        return KENES_EINVAL;
    parser p = {NULL, len, 0, err, errcap};
    if (len > TMPL_MAX_TEXT)
        return fail(&p, 0, KENES_ETOOBIG, "a template over %u bytes", TMPL_MAX_TEXT);
    tmpl *t = calloc(1, sizeof(*t));
    if (!t || !(t->text = malloc(len + 1))) {
        free(t);
        return KENES_ENOMEM;
    }
    if (len)
        memcpy(t->text, text, len);
    t->text[len] = '\0';
    p.s = t->text;
    int rc = parse_nodes(&p, &t->top, &(block){NULL, 0, 0, 0});
    if (rc < 0) {
        tmpl_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void tmpl_free(tmpl *t)
{
    if (!t)
        return;
    nodes_free(&t->top);
    free(t->text);
    free(t);
}

/* ---- rendering ---- */

typedef struct render {
    util_buf *out;
    size_t start;
    size_t steps;
    const json_t *root;
} render;

static int emit(render *r, const char *s, size_t n)
{
    if (r->out->len - r->start + n > TMPL_MAX_OUT)
        return KENES_ETOOBIG;
    return util_buf_append(r->out, s, n);
}

/* s[0..n) with & < > " ' as entities and NUL as U+FFFD: safe in text and
 * in a quoted attribute. */
static int emit_escaped(render *r, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ent;
        switch (s[i]) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        case '\0': ent = "\xEF\xBF\xBD"; break;
        default: continue;
        }
        int rc = emit(r, s + run, i - run);
        if (rc == 0)
            rc = emit(r, ent, strlen(ent));
        if (rc < 0)
            return rc;
        run = i + 1;
    }
    return emit(r, s + run, n - run);
}

/* A lookup costs steps by its path's length, so that long paths in a long
 * loop stop too. */
static const json_t *lookup(render *r, const node *x, const json_t *ctx)
{
    r->steps += x->n / 16;
    const json_t *v = x->from_root ? r->root : ctx;
    if (x->n == 1 && x->s[0] == '.')
        return ctx;
    size_t i = 0;
    while (v && i < x->n) {
        size_t j = i;
        while (j < x->n && x->s[j] != '.')
            j++;
        if (json_is_object(v)) {
            v = json_object_getn(v, x->s + i, j - i);
        } else if (json_is_array(v) && j - i <= 9) {
            size_t k = 0;
            for (size_t d = i; d < j && v; d++)
                if (x->s[d] >= '0' && x->s[d] <= '9')
                    k = k * 10 + (size_t)(x->s[d] - '0');
                else
                    v = NULL;
            v = v ? json_array_get(v, k) : NULL;
        } else {
            v = NULL;
        }
        i = j + 1;
    }
    return v;
}

static int truthy(const json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_STRING: return json_string_length(v) > 0;
    case JSON_ARRAY: return json_array_size(v) > 0;
    case JSON_OBJECT: return json_object_size(v) > 0;
    case JSON_TRUE: return 1;
    case JSON_INTEGER: return json_integer_value(v) != 0;
    case JSON_REAL: return json_real_value(v) != 0.0;
    default: return 0;
    }
}

static int emit_value(render *r, const json_t *v)
{
    char num[64];
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_STRING: return emit_escaped(r, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return emit(r, num, strlen(num));
    case JSON_REAL:
        snprintf(num, sizeof(num), "%.15g", json_real_value(v));
        return emit_escaped(r, num, strlen(num));
    case JSON_TRUE: return emit(r, "true", 4);
    case JSON_FALSE: return emit(r, "false", 5);
    default: return 0;
    }
}

static int render_nodes(render *r, const nodes *l, const json_t *ctx, size_t index);

static int render_each(render *r, const node *x, const json_t *ctx)
{
    const json_t *v = lookup(r, x, ctx);
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            int rc = render_nodes(r, &x->body, json_array_get(v, i), i);
            if (rc < 0)
                return rc;
        }
    } else if (json_is_object(v)) {
        size_t i = 0;
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it), i++) {
            int rc = render_nodes(r, &x->body, json_object_iter_value(it), i);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static int render_nodes(render *r, const nodes *l, const json_t *ctx, size_t index)
{
    int rc = 0;
    if (++r->steps > TMPL_MAX_STEPS)
        return KENES_ETOOBIG;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const node *x = &l->items[i];
        if (++r->steps > TMPL_MAX_STEPS)
            return KENES_ETOOBIG;
        switch (x->kind) {
        case N_TEXT: rc = emit(r, x->s, x->n); break;
        case N_VAR: rc = emit_value(r, lookup(r, x, ctx)); break;
        case N_INDEX: {
            char num[32];
            snprintf(num, sizeof(num), "%zu", index);
            rc = emit(r, num, strlen(num));
            break;
        }
        case N_EACH: rc = render_each(r, x, ctx); break;
        case N_IF:
            rc = render_nodes(r, truthy(lookup(r, x, ctx)) ? &x->body : &x->alt, ctx, index);
            break;
        }
    }
    return rc;
}

int tmpl_render(util_buf *out, const tmpl *t, const json_t *ctx)
{
    render r = {out, out->len, 0, ctx};
    int rc = render_nodes(&r, &t->top, ctx, 0);
    if (rc < 0) {
        out->len = r.start;
        if (out->data)
            out->data[out->len] = '\0';
    }
    return rc;
}
