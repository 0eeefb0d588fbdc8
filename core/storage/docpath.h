/*
 * Where a document's files live in its repository: the one mapping from a
 * document id to a path, and back.
 *
 * Ids whose last segment is a uuid the server chose ("case/KZ-11/<uuid>",
 * "referral/KZ-11/<uuid>") are the ones that grow without bound, so their
 * files fan out under the uuid's first two characters:
 *
 *   case/KZ-11/<uuid>.md            flat (every data folder before issue 16)
 *   case/KZ-11/3f/<uuid>.md         fan-out (new data folders; kenes migrate)
 *
 * 256 folders per region folder, ~400 files each at 100,000 cases in one
 * region, so no tree a write rewrites grows with the past.  The rule is the
 * id's shape, not a workflow's setting: start-up reads a file before it knows
 * the type, verify reads it to learn the type, and storage (sealed notes)
 * knows no workflows; only ids a plugin builds from api->uuid end in one.
 * Ids that end otherwise (plans, rosters, meetings, execution reports, one
 * per region and period) keep "<id>.md" in both layouts.  The id itself
 * never changes: API, journal, trailers and messages say it as it is.
 *
 * Beside "<stem>.md" the same stem holds a case's sealed note "<stem>.note"
 * and attachments "<stem>.files/<attachment id>": they move together.
 *
 * A repository is in one layout at any commit (docpath_tree_layout checks
 * it).  Reads at a commit find a file in either (store_blob_in tries the
 * other layout's path), so history reads across kenes migrate's commit.
 */
#ifndef KENES_DOCPATH_H
#define KENES_DOCPATH_H

#include <stddef.h>

struct git_repository;
struct git_tree;

/* Room for any document file's path: an id (at most 256 bytes), the fan-out
 * folder and a suffix. */
#define DOCPATH_MAX 400

/* The folder a fanned-out file goes in: this many first characters of its uuid. */
#define DOCPATH_FANOUT_CHARS 2

typedef enum docpath_layout {
    DOCPATH_FLAT = 0,   /* "<id><suffix>" for every id */
    DOCPATH_FANOUT = 1, /* "<prefix>/<hh>/<uuid><suffix>" for an id that fans out */
} docpath_layout;

/* 1 if id's files fan out (its last segment a lowercase uuid, after at
 * least one segment that is not two characters long), else 0. */
int docpath_fans_out(const char *id);

/* The path of id's file with suffix (".md", ".note", ".files/<aid>") in
 * layout.  KENES_EINVAL for an empty id or suffix, or one that does not fit. */
int docpath_of(char *out, size_t cap, const char *id, const char *suffix, docpath_layout layout);

/* The inverse, for walks over a tree: the id (into id, cap bytes) whose file
 * path is, where its suffix starts in path, and which layout path is in.
 * KENES_ENOTFOUND for a path that is no file of an id that fans out (a
 * plan's, a report); KENES_EINVAL if id does not fit. */
int docpath_parse(char *id, size_t cap, const char **suffix, docpath_layout *layout,
                  const char *path);

/* The same file's path in the other layout; KENES_ENOTFOUND when path is no
 * file of an id that fans out (then it is the same in both). */
int docpath_other(char *out, size_t cap, const char *path);

/* What a tree holds: FLAT if any file of an id that fans out sits flat,
 * FANOUT if any sits fanned out or none is there (a new repository writes
 * fanned out).  KENES_EINVAL when it holds both (a mixed repository is a
 * fault: detail names a folder of each), KENES_EIO when a tree cannot be read. */
int docpath_tree_layout(docpath_layout *out, struct git_repository *repo,
                        const struct git_tree *tree, char *detail, size_t cap);

/* docpath_tree_layout of main's head in the store (FANOUT with no commit). */
struct store;
int docpath_store_layout(docpath_layout *out, struct store *s, char *detail, size_t cap);

/* "flat" or "fan-out", for messages. */
const char *docpath_layout_name(docpath_layout layout);

#endif
