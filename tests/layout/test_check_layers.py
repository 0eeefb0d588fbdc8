#!/usr/bin/env python3
"""The layer check itself: it must fail on a climbing include, an unknown
folder, a bare include and a long file, and pass a tree that keeps the rules."""
import os
import tempfile
import unittest

import check_layers


def tree(files):
    root = tempfile.mkdtemp()
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    return root


class CheckLayers(unittest.TestCase):
    def test_a_tree_that_keeps_the_rules_passes(self):
        root = tree({'base/util.c': '#include "base/util.h"\n#include <stdio.h>\n',
                     'docs/docs.c': '#include "storage/store.h"\n#include "kenes/plugin.h"\n',
                     'include/kenes/plugin.h': ''})
        self.assertEqual(check_layers.check(root), [])

    def test_an_include_that_climbs_fails(self):
        root = tree({'storage/store.c': '#include "docs/docs.h"\n'})
        faults = check_layers.check(root)
        self.assertEqual(len(faults), 1)
        self.assertIn('core/storage/store.c:1: storage includes docs/docs.h', faults[0])

    def test_a_sideways_include_fails(self):
        self.assertEqual(len(check_layers.check(tree({'auth/a.c': '#include "storage/s.h"\n'}))), 1)

    def test_unknown_folder_bare_include_and_long_file_fail(self):
        root = tree({'misc/x.c': '', 'base/y.c': '#include "util.h"\n',
                     'base/z.c': 'x\n' * (check_layers.MAX_LINES + 1)})
        faults = check_layers.check(root)
        self.assertEqual(len(faults), 3, faults)


if __name__ == '__main__':
    unittest.main()
