"""One server per data folder (issue 16, item 7): serve holds a flock on
DATA/kenes.lock naming its PID; a second serve, and the commands that change
DATA with the server stopped, exit 1 naming that PID and write nothing."""
import os
import subprocess
import unittest

from kenes_harness import (KENES, USERS, Server, commit_count, plan_body, run_cli)


def tree_state(data):
    """Every file under data (but the server's own logs) with its size and
    mtime: what "wrote nothing" is checked against."""
    out = {}
    for root, dirs, files in os.walk(data):
        for f in files:
            p = os.path.join(root, f)
            st = os.stat(p)
            out[os.path.relpath(p, data)] = (st.st_size, st.st_mtime_ns)
    return out


class OneServerPerFolder(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(users=USERS)
        cls.srv.start()

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        cls.srv.cleanup()
        assert code == 0, code

    def test_the_lock_file_names_the_server(self):
        with open(os.path.join(self.srv.data, "kenes.lock")) as f:
            self.assertEqual(f.read(), f"{self.srv.proc.pid} serve\n")

    def test_a_second_serve_exits_naming_the_first_and_writes_nothing(self):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(period=2027), "off11")
        self.assertEqual(r.status, 201, r)
        before_commits = commit_count(s.docs_git)
        before = tree_state(s.data)
        p = subprocess.run([KENES, "serve", "--data", s.data, "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 1, p)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr.strip(),
                         f"kenes: {s.data} is served by PID {s.proc.pid} "
                         f"({s.data}/kenes.lock)")
        # Nothing changed: not a file, not a commit; the first still serves.
        after = tree_state(s.data)
        self.assertEqual({k: v for k, v in after.items() if k != "access.log"},
                         {k: v for k, v in before.items() if k != "access.log"})
        self.assertEqual(commit_count(s.docs_git), before_commits)
        self.assertEqual(s.get("/api/v1/documents/plan/KZ-11/2027", "off11").status, 200)

    def test_commands_that_need_the_server_stopped_are_refused(self):
        s = self.srv
        before = commit_count(s.docs_git)
        for args in (["accept", "--data", s.data, "--by", "adm", "0" * 40],
                     ["key", "rotate", "--data", s.data, "--by", "adm"],
                     ["migrate", "--data", s.data, "--by", "adm"],
                     ["reindex", "--data", s.data]):
            code, out, err = run_cli(*args)
            self.assertEqual(code, 1, (args, out, err))
            self.assertIn(f"{s.data} is served by PID {s.proc.pid} ({s.data}/kenes.lock)", err,
                          args)
        self.assertEqual(commit_count(s.docs_git), before)

    def test_verify_reads_while_serving(self):
        code, out, err = run_cli("verify", "--data", self.srv.data)
        self.assertEqual(code, 0, out + err)


class LockAfterTheServer(unittest.TestCase):
    def test_a_server_killed_leaves_no_lock_held(self):
        s = Server(users=[])
        try:
            s.start()
            s.proc.kill()  # SIGKILL: no clean-up of its own
            s.proc.wait()
            s.stop()
            # The file stays with the dead PID in it; the kernel dropped the flock.
            self.assertTrue(os.path.exists(os.path.join(s.data, "kenes.lock")))
            s.start()
            with open(os.path.join(s.data, "kenes.lock")) as f:
                self.assertEqual(f.read(), f"{s.proc.pid} serve\n")
            self.assertEqual(s.stop(), 0)
            # A command run with the server stopped takes the lock and gives it back.
            code, out, err = run_cli("reindex", "--data", s.data)
            self.assertEqual(code, 0, err)
            s.start()
            self.assertEqual(s.stop(), 0)
        finally:
            s.cleanup()


class CommandsClearWhatACrashLeft(unittest.TestCase):
    def test_key_rotate_after_a_crash_that_left_main_locked(self):
        """A command that commits with the server stopped holds DATA's lock,
        so a main.lock it finds is a crash's: it clears it, as serve does,
        and needs no serve first."""
        s = Server(users=USERS)
        try:
            s.start()
            self.assertEqual(s.stop(), 0)
            lock = os.path.join(s.docs_git, "refs/heads/main.lock")
            with open(lock, "w") as f:
                f.write("0" * 40 + "\n")
            before = commit_count(s.docs_git)
            code, out, err = run_cli("key", "rotate", "--data", s.data, "--by", "adm")
            self.assertEqual(code, 0, out + err)
            self.assertFalse(os.path.exists(lock))
            self.assertIn("documents.git: removed refs/heads/main.lock", err)
            self.assertEqual(commit_count(s.docs_git), before + 1)
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertEqual(code, 0, out + err)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
