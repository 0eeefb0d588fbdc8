"""Accounts and sessions (issue 11, items 7 and 9): a new password ends the
user's sessions, running or stopped; sessions end after an absolute
lifetime whatever their use; they survive a restart, kept as token hashes
in a 0600 file; cracklib refuses weak passwords; serve --demo refuses a folder
it did not make; kenes creates everything under umask 077 and serve refuses
secret files that group or others can open."""
import os
import stat
import subprocess
import unittest

from kenes_harness import KENES, PASSWORD, SOURCE, Server, commit_count, plan_body, run_cli, wait_until

T0 = "2026-03-02T08:00:00Z"


def at(seconds):
    """T0 plus seconds, as KENES_NOW takes it."""
    import datetime
    t = datetime.datetime(2026, 3, 2, 8, 0, 0) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Base(unittest.TestCase):
    def server(self, **kw):
        s = Server(**kw)
        self.addCleanup(s.cleanup)
        return s

    def me(self, s, token):
        return s.request("GET", "/api/v1/me", token=token).status

    def clocked_server(self, old, new):
        """One user, the clock fixed at T0, and kenes.yaml's line old made new."""
        s = self.server(users=[("aud", "auditor", None)], env={"KENES_NOW": T0})
        path = os.path.join(s.data, "kenes.yaml")
        with open(path) as f:
            cfg = f.read()
        with open(path, "w") as f:
            f.write(cfg.replace(old, new))
        s.start()
        return s

    def restart(self, s, now=None):
        self.assertEqual(s.stop(), 0)
        if now:
            s.env["KENES_NOW"] = now
        s.start()


class Sessions(Base):
    def test_passwd_ends_the_users_sessions_at_once(self):
        s = self.server(users=[("rev1", "ministry-reviewer", None), ("aud", "auditor", None)])
        s.start()
        rev, aud = s.login("rev1"), s.login("aud")
        code, out, err = run_cli("user", "passwd", "--data", s.data, "--name", "rev1",
                                 "--password-stdin", stdin="a-brand-new-password\n")
        self.assertEqual(code, 0, err)
        # Within a second: the server stats users.yaml at most once a second.
        wait_until(lambda: self.me(s, rev) == 401, "the old password's session lives on")
        self.assertEqual(self.me(s, aud), 200, "another user's session ended")
        self.assertEqual(self.me(s, s.login("rev1", "a-brand-new-password")), 200)

    def test_sessions_survive_a_restart_as_hashes(self):
        s = self.server(users=[("rev1", "ministry-reviewer", None), ("aud", "auditor", None)])
        s.start()
        rev, aud, gone = s.login("rev1"), s.login("aud"), s.login("aud")
        self.assertEqual(s.request("DELETE", "/api/v1/sessions/current", token=gone).status, 204)
        self.restart(s)
        self.assertEqual(self.me(s, rev), 200, "a restart signed rev1 out")
        self.assertEqual(self.me(s, aud), 200, "a restart signed aud out")
        self.assertEqual(self.me(s, gone), 401, "a logout came back after a restart")
        path = os.path.join(s.data, "sessions.json")
        self.assertEqual(mode(path), 0o600)
        text = read(path)
        for token in (rev, aud, gone):
            self.assertNotIn(token.encode(), text)

        # A password changed while the server is stopped ends that user's sessions too.
        self.assertEqual(s.stop(), 0)
        code, out, err = run_cli("user", "passwd", "--data", s.data, "--name", "rev1",
                                 "--password-stdin", stdin="a-brand-new-password\n")
        self.assertEqual(code, 0, err)
        s.start()
        self.assertEqual(self.me(s, rev), 401, "a session outlived its password")
        self.assertEqual(self.me(s, aud), 200)

        # So does a user disabled and enabled again while it is stopped.
        aud2 = s.login("aud")
        self.assertEqual(s.stop(), 0)
        for sub in ("disable", "enable"):
            code, out, err = run_cli("user", sub, "--data", s.data, "--name", "aud")
            self.assertEqual(code, 0, err)
        self.assertNotIn(b'"user":"aud"', read(path).replace(b" ", b""))
        s.start()
        self.assertEqual(self.me(s, aud), 401, "a session outlived its user's disabling")
        self.assertEqual(self.me(s, aud2), 401, "a session outlived its user's disabling")

    def test_absolute_lifetime_whatever_the_use(self):
        # Idle time 10 hours, so only the lifetime (12 hours by default) ends the session.
        s = self.clocked_server("idle_timeout_seconds: 28800", "idle_timeout_seconds: 36000")
        token = s.login("aud")
        for seconds in (6 * 3600, 12 * 3600 - 60):
            self.restart(s, at(seconds))
            self.assertEqual(self.me(s, token), 200, f"ended after {seconds} s")
        self.restart(s, at(12 * 3600))
        self.assertEqual(self.me(s, token), 401, "used an hour ago, but 12 hours old")

    def test_lifetime_is_configured(self):
        s = self.clocked_server("max_lifetime_seconds: 43200", "max_lifetime_seconds: 3600")
        token = s.login("aud")
        self.restart(s, at(3599))
        self.assertEqual(self.me(s, token), 200)
        self.restart(s, at(3600))
        self.assertEqual(self.me(s, token), 401)


class Passwords(Base):
    WEAK = ["            ", "aaaaaaaaaaaa", "abcdefghijklmn"]

    def test_cracklib_refuses_weak_passwords(self):
        s = self.server(users=[("aud", "auditor", None)])
        users = os.path.join(s.data, "users.yaml")
        before = read(users)
        for weak in self.WEAK:
            for args in (("add", "--name", "new1", "--role", "auditor"), ("passwd", "--name", "aud")):
                code, out, err = run_cli("user", args[0], "--data", s.data, *args[1:],
                                         "--password-stdin", stdin=weak + "\n")
                self.assertEqual(code, 2, (weak, args, out, err))
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn("too easy to guess", err)
                self.assertEqual(read(users), before, "a refused password changed users.yaml")
        s.start()
        self.assertEqual(self.me(s, s.login("aud")), 200)  # the old password still works

    def test_demo_and_test_passwords_pass(self):
        s = self.server(users=[])
        with open(os.path.join(SOURCE, "content/demo/users.yaml")) as f:
            demo = [l.split("password: ")[1].rstrip("}\n") for l in f if "password: " in l]
        self.assertGreaterEqual(len(demo), 6)
        for i, pw in enumerate(demo + [PASSWORD]):
            code, out, err = run_cli("user", "add", "--data", s.data, "--name", f"u{i}", "--role",
                                     "auditor", "--password-stdin", stdin=pw + "\n")
            self.assertEqual(code, 0, (pw, err))


class DemoRefusesForeignData(Base):
    def assertRefused(self, s, what):
        users = os.path.join(s.data, "users.yaml")
        before = read(users) if os.path.exists(users) else None
        commits = commit_count(s.docs_git), commit_count(s.cases_git)
        s.demo = True
        code = s.start(expect_fail=True)
        self.assertEqual(code, 1, "serve --demo took a folder it did not make")
        lines = [l for l in s.read_log().splitlines() if l.startswith("kenes:")]
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("--demo refused", lines[0])
        self.assertIn(what, lines[0])
        self.assertEqual(read(users) if os.path.exists(users) else None, before)
        self.assertEqual((commit_count(s.docs_git), commit_count(s.cases_git)), commits)

    def test_real_users(self):
        self.assertRefused(self.server(users=[("off11", "regional-official", "KZ-11")]), "off11")

    def test_a_user_with_a_demo_name_but_not_its_password(self):
        self.assertRefused(self.server(users=[("admin", "admin", None)]), "admin")

    def test_documents_not_made_by_the_demo(self):
        s = self.server(users=[("off11", "regional-official", "KZ-11")])
        s.start()
        self.assertEqual(s.post("/api/v1/documents", plan_body(), "off11").status, 201)
        self.assertEqual(s.stop(), 0)
        os.unlink(os.path.join(s.data, "users.yaml"))  # no users left, but a document
        self.assertRefused(s, "plan/KZ-11/2026")


class FileModes(Base):
    def test_umask_077_whatever_the_callers(self):
        s = self.server(users=[])
        data = os.path.join(s.tmp, "fresh")

        def cli(*args, stdin=None):
            p = subprocess.run([KENES, *args], input=stdin, capture_output=True, text=True,
                               timeout=120, preexec_fn=lambda: os.umask(0o022))
            self.assertEqual(p.returncode, 0, p.stderr)

        cli("init", "--data", data)
        cli("user", "add", "--data", data, "--name", "aud", "--role", "auditor",
            "--password-stdin", stdin=PASSWORD + "\n")
        for leaf in ("", "cases.git", "documents.git", "keys", "index"):
            self.assertEqual(mode(os.path.join(data, leaf)) & 0o077, 0, leaf or "the folder")
        for leaf in ("users.yaml", "keys/signing.key", "kenes.yaml"):
            self.assertEqual(mode(os.path.join(data, leaf)), 0o600, leaf)
        # Meant for everyone, on purpose.
        for leaf in ("allowed_signers", "keys/signing.pub"):
            self.assertEqual(mode(os.path.join(data, leaf)), 0o644, leaf)
        s2 = Server(data=data, users=[])
        self.addCleanup(s2.cleanup)
        s2.start()
        s2.login("aud")
        self.assertEqual(s2.stop(), 0)
        self.assertEqual(mode(os.path.join(data, "sessions.json")), 0o600)
        self.assertEqual(mode(os.path.join(data, "access.log")) & 0o077, 0)

    def test_serve_refuses_secrets_open_to_others(self):
        s = self.server(users=[("aud", "auditor", None)])
        s.start()
        s.login("aud")
        self.assertEqual(s.stop(), 0)
        for leaf, bad, fix in (("users.yaml", 0o640, "600"), ("sessions.json", 0o604, "600"),
                               ("keys", 0o711, "700"), ("cases.git", 0o755, "700"),
                               ("index", 0o750, "700"), ("access.log", 0o644, "600"),
                               ("access.log.checkpoint", 0o640, "600")):
            path = os.path.join(s.data, leaf)
            good = mode(path)
            os.chmod(path, bad)
            commits = commit_count(s.docs_git), commit_count(s.cases_git)
            code = s.start(expect_fail=True)
            self.assertEqual(code, 1, f"serve started with {leaf} at {bad:o}")
            lines = [l for l in s.read_log().splitlines() if l.startswith("kenes:")]
            self.assertTrue(lines, leaf)
            self.assertIn(path, lines[-1])
            self.assertIn(f"chmod {fix} {path}", lines[-1])
            self.assertEqual((commit_count(s.docs_git), commit_count(s.cases_git)), commits)
            self.assertEqual(mode(path), bad, "serve changed the mode itself")
            s.stop()
            os.chmod(path, good)
        s.start()
        self.assertEqual(self.me(s, s.login("aud")), 200)


if __name__ == "__main__":
    unittest.main()
