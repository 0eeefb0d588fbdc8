"""`kenes gc` keeps what every ref names, not only main: an auditor's
annotated tag and a branch kept aside by a recovery, whose objects are hours
old, survive it; `git fsck --strict` is clean and both refs read (probe16
finding 8). And a gc.pid naming a live git gc makes it wait its turn, one
naming a process that ended does not (finding 10)."""
import os
import subprocess
import unittest

from gc_files import ended_pid, write_gc_pid
from kenes_harness import Server, git, plan_body, run_cli


class GcRefs(unittest.TestCase):
    def setUp(self):
        self.srv = Server().start()
        r = self.srv.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        self.srv.stop()
        self.repo = self.srv.docs_git

    def tearDown(self):
        self.srv.cleanup()

    def test_tag_and_branch_survive(self):
        repo = self.repo
        ident = ["-c", "user.name=auditor", "-c", "user.email=a@example.kz"]
        git(repo, *ident, "tag", "-a", "audit-2026", "-m", "auditor's pin", "main")
        blob = subprocess.run(["git", "-C", repo, "hash-object", "-w", "--stdin"],
                              input="kept aside\n", capture_output=True, text=True,
                              check=True).stdout.strip()
        tree = subprocess.run(["git", "-C", repo, "mktree"],
                              input="100644 blob %s\tnote.md\n" % blob, capture_output=True,
                              text=True, check=True).stdout.strip()
        commit = git(repo, *ident, "commit-tree", tree, "-p", "main", "-m", "bad head").strip()
        git(repo, "update-ref", "refs/heads/backup", commit)
        subprocess.run(["find", os.path.join(repo, "objects"), "-type", "f", "-exec", "touch",
                        "-d", "3 hours ago", "{}", "+"], check=True)
        code, out, err = run_cli("gc", "--data", self.srv.data)
        self.assertEqual(code, 0, err)
        git(repo, "fsck", "--strict", "--no-progress")
        self.assertEqual(git(repo, "cat-file", "-t", "refs/tags/audit-2026").strip(), "tag")
        self.assertEqual(git(repo, "show", "refs/heads/backup:note.md"), "kept aside\n")
        self.assertEqual(git(repo, "count-objects", "-v").split("count: ")[1].split("\n")[0],
                         "0")

    def test_a_live_git_gc_is_waited_for(self):
        write_gc_pid(self.repo, os.getpid())  # this test's process: alive
        code, out, err = run_cli("gc", "--data", self.srv.data)
        self.assertEqual(code, 1, out)
        self.assertIn("git gc runs", err)
        self.assertFalse(os.path.exists(os.path.join(self.repo, "gc.pid.lock")))
        write_gc_pid(self.repo, ended_pid())  # ended: a git gc that died
        code, out, err = run_cli("gc", "--data", self.srv.data)
        self.assertEqual(code, 0, err)


if __name__ == "__main__":
    unittest.main()
