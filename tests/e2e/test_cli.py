"""The command line: exit codes, one-line errors, init, user add, verify."""
import os
import shutil
import subprocess
import tempfile
import unittest

from kenes_harness import PASSWORD, Server, git, plan_body, run_cli, stop_and_verify


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kenes-cli-")
        self.data = os.path.join(self.tmp, "data")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_version_and_help(self):
        code, out, _ = run_cli("--version")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"^kenes \d+\.\d+\.\d+")
        code, out, _ = run_cli("help")
        self.assertEqual(code, 0)
        for word in ("init", "user add", "serve", "verify"):
            self.assertIn(word, out)

    def test_usage_errors_exit_2(self):
        for args in ([], ["frobnicate"], ["init"], ["init", "--data"], ["serve", "--bogus"],
                     ["user", "add", "--data", self.data], ["verify"]):
            code, out, err = run_cli(*args)
            self.assertEqual(code, 2, args)
            self.assertEqual(len(err.strip().splitlines()), 1, (args, err))

    def test_init_creates_repositories(self):
        code, out, err = run_cli("init", "--data", self.data)
        self.assertEqual(code, 0, err)
        for repo in ("documents.git", "cases.git"):
            path = os.path.join(self.data, repo)
            self.assertEqual(git(path, "rev-parse", "--is-bare-repository").strip(), "true")
            self.assertEqual(git(path, "symbolic-ref", "HEAD").strip(), "refs/heads/main")
        self.assertTrue(os.path.exists(os.path.join(self.data, "kenes.yaml")))
        code, out, err = run_cli("init", "--data", self.data)
        self.assertEqual(code, 1)
        self.assertIn("initialised already", err)

    def test_user_add_rules(self):
        run_cli("init", "--data", self.data)
        base = ["user", "add", "--data", self.data, "--password-stdin"]
        cases = [
            (["--name", "a", "--role", "regional-official"], PASSWORD, "needs --region"),
            (["--name", "a", "--role", "commission-secretary"], PASSWORD, "needs --region"),
            (["--name", "a", "--role", "regional-official", "--region", "KZ-99"], PASSWORD, "unknown region"),
            (["--name", "a", "--role", "wizard"], PASSWORD, "unknown role"),
            (["--name", "a", "--role", "auditor"], "short", "12 characters"),
            (["--name", "Bad Name", "--role", "auditor"], PASSWORD, "user name"),
        ]
        for extra, pw, msg in cases:
            code, out, err = run_cli(*base, *extra, stdin=pw + "\n")
            self.assertEqual(code, 2, (extra, err))
            self.assertIn(msg, err)
        self.assertFalse(os.path.exists(os.path.join(self.data, "users.yaml")))
        code, out, err = run_cli(*base, "--name", "aud", "--role", "auditor", stdin=PASSWORD + "\n")
        self.assertEqual(code, 0, err)
        code, out, err = run_cli(*base, "--name", "aud", "--role", "auditor", stdin=PASSWORD + "\n")
        self.assertEqual(code, 1)
        self.assertIn("exists already", err)
        with open(os.path.join(self.data, "users.yaml")) as f:
            text = f.read()
        self.assertIn("$argon2id$", text)
        self.assertNotIn(PASSWORD, text)
        self.assertEqual(os.stat(os.path.join(self.data, "users.yaml")).st_mode & 0o777, 0o600)

    def test_verify_clean_and_tampered(self):
        s = Server()
        try:
            s.start()
            r = s.post("/api/v1/documents", plan_body(), "off11")
            self.assertEqual(r.status, 201, r)
            r = s.act("plan/KZ-11/2026", "submit", "off11", r.header("ETag"))
            self.assertEqual(r.status, 200, r)
            out = stop_and_verify(self, s)
            self.assertIn("2 commits checked, 0 access log lines checked, 0 faults", out)

            # A commit made behind the server's back with the git CLI.
            work = os.path.join(s.tmp, "work")
            subprocess.run(["git", "clone", "-q", s.docs_git, work], check=True)
            path = os.path.join(work, "plan/KZ-11/2026.md")
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace("stage: \"regional-approval\"", "stage: \"in-force\"")
                        .replace("stage: regional-approval", "stage: in-force"))
            env = dict(os.environ, GIT_AUTHOR_NAME="x", GIT_AUTHOR_EMAIL="x@x",
                       GIT_COMMITTER_NAME="x", GIT_COMMITTER_EMAIL="x@x")
            subprocess.run(["git", "-C", work, "commit", "-qam", "sneaky approval"], check=True, env=env)
            subprocess.run(["git", "-C", work, "push", "-q", "origin", "HEAD:main"], check=True)
            sneaky = git(work, "rev-parse", "HEAD").strip()
            code, out, err = run_cli("verify", "--data", s.data)
            self.assertEqual(code, 1, out + err)
            self.assertIn(sneaky, out)
            self.assertIn("FAULTY", out)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
