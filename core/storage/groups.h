/*
 * The index's lists per (type, region) (issue 16, item 4): a plugin's
 * api->doc_each(type, region) over the region's roster or referrals walks
 * the few documents filed there instead of every document.  Each list is
 * kept sorted by id (the order a walk over every document had).  A
 * document is filed under its entry's type and region each time its entry
 * is kept (index_group_note), so a transfer to another region moves it.
 */
#ifndef KENES_STORAGE_GROUPS_H
#define KENES_STORAGE_GROUPS_H

#include <stddef.h>

struct idx_doc;
typedef struct idx_groups idx_groups;
typedef struct idx_group idx_group;

int groups_new(idx_groups **out);
/* NULL is a no-op. */
void groups_free(idx_groups *g);

/* File d under (type, region), out of the list it was in (d->group); type
 * or region NULL files it nowhere.  0, or KENES_ENOMEM (d is then in no
 * list). */
int groups_file(idx_groups *g, struct idx_doc *d, const char *type, const char *region);
/* Take d out of its list (it is going). */
void groups_forget(idx_groups *g, struct idx_doc *d);
/* The documents filed under (type, region), sorted by id (borrowed: valid
 * until the next change); *n of them. */
struct idx_doc *const *groups_get(const idx_groups *g, const char *type, const char *region,
                                  size_t *n);

#endif
