"""`kenes gc` (and `kenes backup`) run by a user who does not own DATA
(`sudo kenes gc`) refuses at once, names the owner, and creates nothing: no lock file of its own that
the server could not open afterwards (probe16 finding 4). Needs root, to
give the folder to another user; skipped otherwise."""
import os
import pwd
import shutil
import tempfile
import unittest

from kenes_harness import run_cli


def listing(top):
    out = set()
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(root, name)
            st = os.lstat(path)
            out.add((os.path.relpath(path, top), st.st_uid, st.st_mtime_ns))
    return out


def chown_all(top, uid, gid):
    os.chown(top, uid, gid)
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, gid)


@unittest.skipUnless(os.geteuid() == 0, "giving DATA to another user needs root")
class GcOwner(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-e2e-")
        self.data = os.path.join(self.tmp, "data")
        code, out, err = run_cli("init", "--data", self.data)
        self.assertEqual(code, 0, err)
        self.nobody = pwd.getpwnam("nobody")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_refused_for_another_users_folder(self):
        chown_all(self.data, self.nobody.pw_uid, self.nobody.pw_gid)
        before = listing(self.data)
        code, out, err = run_cli("gc", "--data", self.data)
        self.assertEqual(code, 1, (out, err))
        self.assertIn("run it as nobody", err)
        self.assertEqual(out, "")
        self.assertEqual(listing(self.data), before)  # nothing created, nothing touched

    def test_backup_refused_likewise(self):
        # kenes backup takes the same locks: refused the same way, nothing
        # created in DATA nor beside the archive.
        chown_all(self.data, self.nobody.pw_uid, self.nobody.pw_gid)
        before = listing(self.data)
        target = os.path.join(self.tmp, "b.kenes")
        code, out, err = run_cli("backup", "--data", self.data, "--to", target)
        self.assertEqual(code, 1, (out, err))
        self.assertIn("run it as nobody (for example: runuser -u nobody -- kenes backup", err)
        self.assertEqual(listing(self.data), before)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["data"])

    def test_the_owner_runs_it(self):
        code, out, err = run_cli("gc", "--data", self.data)
        self.assertEqual(code, 0, err)
        self.assertIn("documents.git: before", out)
        self.assertIn("cases.git: before", out)


if __name__ == "__main__":
    unittest.main()
