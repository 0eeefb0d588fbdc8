/*
 * An e-mail address as kenes accepts one: a plain addr-spec (RFC 5322
 * 3.4.1) of the common kind, local@domain, with nothing that could end a
 * header line or start another.  `kenes user add --email`, `kenes user
 * email` and users.yaml are checked with it, and a message is built only
 * for an address that passes.
 */
#ifndef KENES_MAILADDR_H
#define KENES_MAILADDR_H

/* 1 if s is one: 3-254 bytes; one '@'; the local part 1-64 bytes of
 * letters, digits and !#$%&'*+/=?^_`{|}~.- (atext), no dot first, last or
 * twice in a row; the domain two or more labels of letters, digits and '-'
 * (no '-' first or last in a label, 1-63 bytes each) joined by single dots.
 * No space, CR, LF, quote, comment, bracket or non-ASCII byte. */
int mailaddr_valid(const char *s);

#endif
