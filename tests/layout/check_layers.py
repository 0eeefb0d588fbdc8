#!/usr/bin/env python3
"""The core's folders are its layers: each may include only the folders
below it (LAYERS, the same table core/README.md draws).  Reads every
#include "folder/file.h" under core/ and fails on one that climbs, on a
folder the table does not know, and on a core file over MAX_LINES lines."""
import os
import re
import sys

LAYERS = {
    'base': [],
    'storage': ['base'],
    'auth': ['base'],
    'audit': ['base', 'storage'],
    'plugin': ['base', 'storage'],
    'docs': ['base', 'storage', 'auth', 'audit', 'plugin'],
    'publish': ['base', 'storage', 'plugin', 'docs'],
    'ui': ['base'],
    'notify': ['base', 'storage', 'auth', 'audit', 'plugin', 'docs', 'ui'],
    'http': ['base'],
    'api': ['base', 'storage', 'auth', 'audit', 'plugin', 'docs', 'publish', 'ui', 'http'],
    'web': ['base', 'storage', 'auth', 'audit', 'plugin', 'docs', 'publish', 'ui', 'http'],
    'cmd': ['base', 'storage', 'auth', 'audit', 'plugin', 'docs', 'publish', 'ui', 'notify', 'http',
            'api', 'web'],
}
PUBLIC = 'include'   # core/include/kenes/plugin.h: the plugins' header, any layer may use it
MAX_LINES = 800
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def acyclic(layers):
    seen, done = set(), set()

    def visit(n):
        if n in done:
            return True
        if n in seen:
            return False
        seen.add(n)
        ok = all(visit(d) for d in layers[n])
        done.add(n)
        return ok
    return all(visit(n) for n in layers)


def check(core):
    faults = []
    if not acyclic(LAYERS):
        faults.append('the layer table itself has a cycle')
    for folder in sorted(os.listdir(core)):
        path = os.path.join(core, folder)
        if not os.path.isdir(path) or folder == PUBLIC:
            continue
        if folder not in LAYERS:
            faults.append('core/%s: a folder the layer table does not know' % folder)
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith(('.c', '.h')):
                continue
            rel = 'core/%s/%s' % (folder, name)
            with open(os.path.join(path, name), encoding='utf-8') as f:
                lines = f.read().split('\n')
            if len(lines) - 1 > MAX_LINES:
                faults.append('%s: %d lines, more than %d' % (rel, len(lines) - 1, MAX_LINES))
            for no, line in enumerate(lines, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = m.group(1)
                if target.startswith('kenes/'):
                    continue
                if '/' not in target:
                    faults.append('%s:%d: include "%s" names no folder' % (rel, no, target))
                    continue
                to = target.split('/')[0]
                if to == folder:
                    continue
                if to not in LAYERS:
                    faults.append('%s:%d: include "%s": no such layer' % (rel, no, target))
                elif to not in LAYERS[folder]:
                    faults.append('%s:%d: %s includes %s, a layer above it or beside it'
                                  % (rel, no, folder, target))
    return faults


def main():
    core = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', '..', 'core')
    faults = check(core)
    for f in faults:
        print(f)
    print('%d fault%s' % (len(faults), '' if len(faults) == 1 else 's'))
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main())
