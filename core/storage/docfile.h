/*
 * The document file format: YAML front matter, then a Markdown body.
 *
 *   ---
 *   id: plan/KZ-11/2026
 *   type: regional-plan
 *   region: KZ-11
 *   title: ...
 *   stage: draft
 *   fields:
 *     period: 2026
 *   ---
 *   # Markdown body
 *
 * In memory a document is the JSON object the API answers:
 * {"id","type","region","title","stage","fields","body"}.  Serialising and
 * parsing round-trip exactly: strings stay strings ("2026" quoted), numbers
 * numbers, null/true/false themselves, objects and arrays nest.
 */
#ifndef KENES_DOC_H
#define KENES_DOC_H

#include <jansson.h>
#include <stddef.h>

/* Emit the file for a document (with libyaml's emitter).  *out is
 * malloc'd, free() it.  0 or a negative KENES_E* code. */
int doc_serialize(char **out, size_t *out_len, const json_t *doc);

/* Parse a file back into the JSON form (with libyaml's parser).
 * On failure returns KENES_EINVAL and writes a one-line reason to err. */
int doc_parse(json_t **out, const char *buf, size_t len, char *err, size_t errcap);

/* Parse a YAML text holding one mapping (a content file) into JSON with the
 * same typing rules as the front matter.  KENES_EINVAL with "line N: why". */
int doc_parse_yaml(json_t **out, const char *buf, size_t len, char *err, size_t errcap);

#endif
