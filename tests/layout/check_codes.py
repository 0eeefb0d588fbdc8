#!/usr/bin/env python3
"""Every validation code a plugin (or the document service) reports has a
sentence in content/ui/strings/validation.yaml, the words a form shows
beside the input.  Reads the C sources for the calls that take a code --
chk_problem(r, path, CODE, fmt, ...), api->error_code(errs, path, CODE,
fmt, ...), and core/docs' docs_problem(path, CODE, ...) and docs_one_field(path,
CODE, ...) -- and collects the string literals in that argument (both
sides of a ?: too).  Fails on a code the file lacks, on a literal that is
no code ([a-z][a-z0-9_]*), and on a file that lacks ru, kk or en for a code.

Usage: check_codes.py SOURCE_DIR"""
import os
import re
import sys

# Function name -> index of its code argument.
CALLS = {'chk_problem': 2, 'error_code': 2, 'problem': 1, 'one_field': 1, 'docs_problem': 1,
         'docs_one_field': 1}
CALL = re.compile(r'\b(' + '|'.join(CALLS) + r')\s*\(')
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
CODE = re.compile(r'^[a-z][a-z0-9_]*$')
DIRS = ['plugins', os.path.join('tests', 'plugins'), os.path.join('core', 'docs')]


def strip_comments(text):
    return re.sub(r'/\*.*?\*/|//[^\n]*', lambda m: ' ' * len(m.group(0)), text, flags=re.S)


def arguments(text, start):
    """The top-level arguments of the call whose '(' is at text[start - 1]."""
    args, depth, cur, i = [], 0, [], start
    while i < len(text):
        c = text[i]
        if c == '"':
            m = LITERAL.match(text, i)
            cur.append(m.group(0))
            i = m.end()
            continue
        if c == "'":
            j = text.index("'", i + 1 + (text[i + 1] == '\\'))
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            if depth == 0:
                args.append(''.join(cur))
                return args
            depth -= 1
        elif c == ',' and depth == 0:
            args.append(''.join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return args


def codes_in(path):
    """[(code, line)] of every literal in a code argument of path."""
    text = strip_comments(open(path, encoding='utf-8').read())
    found = []
    for m in CALL.finditer(text):
        args = arguments(text, m.end())
        index = CALLS[m.group(1)]
        if len(args) <= index:
            continue
        line = text.count('\n', 0, m.start()) + 1
        for lit in LITERAL.findall(args[index]):
            found.append((lit, line))
    return found


def sentences(path):
    """{code: set of languages} from validation.yaml (two-level keys only)."""
    out, key = {}, None
    for raw in open(path, encoding='utf-8'):
        line = raw.rstrip('\n')
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        top = re.match(r'^([A-Za-z0-9_]+):\s*$', line)
        if top:
            key = top.group(1)
            out.setdefault(key, set())
            continue
        lang = re.match(r'^\s+(ru|kk|en):\s*"(.*)"\s*$', line)
        if lang and key and lang.group(2).strip():
            out[key].add(lang.group(1))
    return out


def main(src):
    words = sentences(os.path.join(src, 'content', 'ui', 'strings', 'validation.yaml'))
    problems, used = [], {}
    for d in DIRS:
        for root, _, files in os.walk(os.path.join(src, d)):
            for f in sorted(files):
                if not f.endswith('.c'):
                    continue
                path = os.path.join(root, f)
                for code, line in codes_in(path):
                    where = '%s:%d' % (os.path.relpath(path, src), line)
                    if not CODE.match(code):
                        problems.append('%s: "%s" is not a code (a-z, 0-9, _)' % (where, code))
                    elif code not in words:
                        problems.append('%s: code "%s" has no sentence in '
                                        'content/ui/strings/validation.yaml' % (where, code))
                    used.setdefault(code, where)
    for code, langs in sorted(words.items()):
        for lang in ('ru', 'kk', 'en'):
            if lang not in langs:
                problems.append('validation.yaml: %s has no %s sentence' % (code, lang))
    # The scan must see the calls at all: a rename that hid them would pass.
    for must in ('required', 'direction_missing', 'comment_required', 'act_missing'):
        if must not in used:
            problems.append('no call reports the code "%s": is the scan still finding the '
                            'calls?' % must)
    for p in problems:
        print(p)
    print('%d codes used, %d worded' % (len(used), len(words)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.'))
