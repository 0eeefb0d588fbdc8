"""The server's consolidation merges only what the batches wrote since
(issue 16, items 2 and 10): packs that already grow by a factor of 2 stay
as they are, the small tail is merged, and the whole history is left to
`kenes gc`.

The folder is arranged as a long-running server leaves it: one large pack
(`kenes gc`), one middle pack (a consolidation of some batches) and the
batches' small packs since.  The middle and the small ones together weigh
more than half the large one, so a consolidation that keeps only a pack
twice all others together would rewrite the history here; this one keeps
both the large and the middle pack and merges the small ones alone."""
import base64
import os
import re
import subprocess
import unittest

from kenes_harness import Server, commit_count, git, plan_body, run_cli, wait_until

DOC = "plan/KZ-11/2026"


def pack_sizes(repo):
    d = os.path.join(repo, "objects", "pack")
    return {f[:-5]: os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
            if f.endswith(".pack") and os.path.exists(os.path.join(d, f[:-5] + ".idx"))}


def noise(n, seed):
    """n bytes zlib cannot shrink (base64 of random bytes, reproducible)."""
    import random
    rnd = random.Random(seed)
    return base64.b64encode(bytes(rnd.getrandbits(8) for _ in range(n))).decode()


class GeometricConsolidation(unittest.TestCase):
    def setUp(self):
        self.s = Server(extra_config="storage:\n  max_packs: 6\n")
        self.s.start()
        self.versions = []

    def tearDown(self):
        self.s.cleanup()

    def edit(self, body):
        s = self.s
        etag = '"%s"' % self.versions[-1]
        r = s.put("/api/v1/documents/" + DOC, {"body": body}, "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.versions.append(r.json["version"])

    def consolidations(self):
        return re.findall(r"documents\.git: consolidated (\d+) packs .*", self.s.read_log())

    def merged(self):
        return re.findall(r"documents\.git: consolidated (\d+) packs .*?merging (\d+) of the "
                          r"packs, into (\d+) packs", self.s.read_log())

    def test_only_the_small_packs_are_merged(self):
        s = self.s
        r = s.post("/api/v1/documents", plan_body("KZ-11", 2026), "off11")
        self.assertEqual(r.status, 201, r)
        self.versions.append(r.json["version"])
        # The history: edits of incompressible text, then one pack by kenes gc.
        for i in range(5):
            self.edit("# План\n\n%s\n" % noise(10000, i))
        self.assertEqual(s.stop(), 0)
        code, out, err = run_cli("gc", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        (large, large_size), = pack_sizes(s.docs_git).items()

        # Six batches (seven packs, past max_packs 6): merged beside the
        # large pack into the middle one.  Their text is sized from the large
        # pack's (a batch adds about 1.3 KiB of trees and commit to its text),
        # so that they weigh a little less than half of it.
        s.start()
        s.tokens.clear()
        mid = max(200, int((0.46 * large_size / 6 - 1300) / 1.05))
        for i in range(6):
            self.edit("# План\n\n%s\n" % noise(mid, 100 + i))
        wait_until(lambda: len(self.consolidations()) >= 1, "the first consolidation")
        wait_until(lambda: len(pack_sizes(s.docs_git)) == 2, "the batches' packs removed")
        self.assertEqual(self.merged()[0], ("7", "6", "2"))
        middle, middle_size = [(n, z) for n, z in pack_sizes(s.docs_git).items()
                               if n != large][0]

        # Five small batches (seven packs again), together about halfway
        # between what makes the middle and small packs outweigh half the
        # large one and half the middle one.
        goal = ((large_size / 2 - middle_size) + middle_size / 2) / 2
        small = max(100, int((goal / 5 - 500) / 1.05))
        for i in range(5):
            self.edit("# План\n\nРедакция %d.\n\n%s\n" % (i, noise(small, 200 + i)))
        wait_until(lambda: len(self.consolidations()) >= 2, "the second consolidation")
        wait_until(lambda: len(pack_sizes(s.docs_git)) <= 3, "the small packs removed")
        packs = pack_sizes(s.docs_git)
        self.assertIn(large, packs)   # the history's pack is the same file
        self.assertIn(middle, packs)
        tail = sum(z for n, z in pack_sizes(s.docs_git).items() if n not in (large, middle))
        sizes = (large_size, middle_size, tail)
        # What the arrangement needs (a failure here is the fixture's, not
        # kenes's): the middle and small packs outweigh half the large one,
        # so a rule keeping only a pack twice all others together would
        # rewrite the history; the progression large >= 2 middle >= 4 tail.
        self.assertGreater(2 * (middle_size + tail), large_size, sizes)
        self.assertGreaterEqual(large_size, 2 * middle_size, sizes)
        self.assertGreaterEqual(middle_size, 2 * tail, sizes)
        self.assertEqual(self.merged()[1], ("7", "5", "3"))

        # Every acknowledged write is on main, with its version.
        r = s.get("/api/v1/documents/" + DOC, "off11")
        self.assertEqual(r.json["version"], self.versions[-1])
        for v in self.versions:
            p = subprocess.run(["git", "--git-dir", s.docs_git, "merge-base", "--is-ancestor",
                                v, "main"], capture_output=True)
            self.assertEqual(p.returncode, 0, v)
        self.assertEqual(s.stop(), 0)
        git(s.docs_git, "fsck", "--strict", "--no-progress")
        self.assertEqual(commit_count(s.docs_git), len(self.versions))
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        # kenes gc still merges everything into one pack.
        code, out, err = run_cli("gc", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(len(pack_sizes(s.docs_git)), 1)
        git(s.docs_git, "fsck", "--strict", "--no-progress")


if __name__ == "__main__":
    unittest.main()
