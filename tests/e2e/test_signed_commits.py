"""Signed commits: every commit kenes makes, in both repositories, passes
git verify-commit with DATA/allowed_signers and nothing else; a commit made
without the server's key does not."""
import os
import stat
import subprocess
import tempfile
import unittest

from kenes_harness import Server, ServerTest, git, plan_body
from test_cases import USERS_C, case_body

ENV = {"KENES_NOW": "2026-03-25T09:00:00Z"}


def verify_commit(repo, allowed_signers, commit):
    """The plain git command an auditor runs; returns the completed process."""
    return subprocess.run(["git", "-C", repo, "-c", "gpg.format=ssh",
                           "-c", "gpg.ssh.allowedSignersFile=" + allowed_signers,
                           "verify-commit", commit],
                          capture_output=True, text=True, timeout=120)


def read(path):
    with open(path) as f:
        return f.read()


class SignedCommitsBase:
    def assert_all_signed(self, srv, at_least=1):
        allowed = os.path.join(srv.data, "allowed_signers")
        for repo in (srv.docs_git, srv.cases_git):
            commits = git(repo, "rev-list", "main").split()
            self.assertGreaterEqual(len(commits), at_least, repo)
            for c in commits:
                p = verify_commit(repo, allowed, c)
                self.assertEqual(p.returncode, 0, f"{repo} {c}: {p.stderr}")
                self.assertIn('Good "git" signature', p.stderr)


class SignedCommits(SignedCommitsBase, ServerTest):
    users = USERS_C
    env = ENV

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        # A few writes of each kind: create, transition, approval, a case.
        r = s.post("/api/v1/documents", plan_body(), "off11")
        assert r.status == 201, r
        r = s.act("plan/KZ-11/2026", "submit", "off11", r.header("ETag"))
        assert r.status == 200, r
        r = s.act("plan/KZ-11/2026", "approve", "appr1", r.header("ETag"),
                  fields={"act": {"number": "№ 15", "date": "2026-02-05"}})
        assert r.status == 200, r
        r = s.post("/api/v1/documents", plan_body(region="KZ-15"), "off15")
        assert r.status == 201, r
        r = s.post("/api/v1/documents", case_body(), "off11")
        assert r.status == 201, r
        r = s.act(r.json["id"], "start-review", "off11", r.header("ETag"))
        assert r.status == 200, r

    def test_every_commit_verifies(self):
        s = self.srv
        self.assertEqual(len(git(s.docs_git, "rev-list", "main").split()), 4)
        self.assertEqual(len(git(s.cases_git, "rev-list", "main").split()), 2)
        self.assert_all_signed(s)
        # git log shows the same verdict.
        out = git(s.docs_git, "-c", "gpg.format=ssh", "-c",
                  "gpg.ssh.allowedSignersFile=" + os.path.join(s.data, "allowed_signers"),
                  "log", "--format=%G? %H", "main")
        self.assertEqual({line.split()[0] for line in out.splitlines()}, {"G"})
        # The commits are still plain git: fsck finds nothing to say.
        for repo in (s.docs_git, s.cases_git):
            git(repo, "fsck", "--strict")

    def test_other_commits_fail(self):
        s = self.srv
        allowed = os.path.join(s.data, "allowed_signers")
        with tempfile.TemporaryDirectory(prefix="kenes-sign-") as tmp:
            clone = os.path.join(tmp, "clone")
            subprocess.run(["git", "clone", "-q", "-b", "main", s.docs_git, clone], check=True,
                           capture_output=True, timeout=120)
            ident = ["-c", "user.name=Someone", "-c", "user.email=someone@example.kz"]
            with open(os.path.join(clone, "plan", "KZ-11", "2026.md"), "a") as f:
                f.write("\nforged line\n")
            git(clone, *ident, "commit", "-q", "-a", "-m", "Unsigned change")
            p = verify_commit(clone, allowed, "HEAD")
            self.assertNotEqual(p.returncode, 0, p.stderr)
            # Signed, but with a key that allowed_signers does not list.
            key = os.path.join(tmp, "id_other")
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key],
                           check=True, capture_output=True, timeout=120)
            with open(os.path.join(clone, "plan", "KZ-11", "2026.md"), "a") as f:
                f.write("\nanother forged line\n")
            git(clone, *ident, "-c", "gpg.format=ssh", "-c", "user.signingkey=" + key,
                "commit", "-q", "-S", "-a", "-m", "Signed by someone else")
            p = verify_commit(clone, allowed, "HEAD")
            self.assertNotEqual(p.returncode, 0, p.stderr)
            # (git still shows that the signature itself is sound.)
            self.assertIn("No principal matched", p.stderr)
            # The server's own commits in the clone still verify.
            p = verify_commit(clone, allowed, "HEAD~2")
            self.assertEqual(p.returncode, 0, p.stderr)

    def test_key_files(self):
        s = self.srv
        keys = os.path.join(s.data, "keys")
        st = os.stat(os.path.join(keys, "signing.key"))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        self.assertEqual(st.st_size, 64)
        pub = read(os.path.join(keys, "signing.pub"))
        self.assertRegex(pub, r"^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} kenes\n$")
        allowed_path = os.path.join(s.data, "allowed_signers")
        self.assertEqual(stat.S_IMODE(os.stat(allowed_path).st_mode), 0o644)
        key = pub.split()[1]
        self.assertEqual(read(allowed_path),
                         f'kenes@localhost namespaces="git" ssh-ed25519 {key}\n')

    def test_signing_key_endpoint(self):
        s = self.srv
        pub = read(os.path.join(s.data, "keys", "signing.pub")).strip()
        allowed = read(os.path.join(s.data, "allowed_signers")).splitlines()
        for user, _, _ in USERS_C:
            r = s.get("/api/v1/signing-key", user)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["public_key"], pub)
            self.assertIn(r.json["allowed_signers"], allowed)
            self.assertEqual(set(r.json), {"public_key", "allowed_signers"})
        self.assertEqual(s.request("GET", "/api/v1/signing-key").status, 401)
        self.assertEqual(s.request("POST", "/api/v1/signing-key", {}, token=s.token("adm")).status,
                         405)
        # /me lists it as open to everyone signed in.
        me = s.get("/api/v1/me", "rev1").json
        self.assertIn({"method": "GET", "path": "/api/v1/signing-key", "allowed": True},
                      me["routes"])


class CommitterEmail(SignedCommitsBase, unittest.TestCase):
    """serve rewrites a missing signing.pub from the key (never the key
    itself: see test_integrity.py), and a changed committer email is added
    to allowed_signers beside the old one."""

    def test_key_lines_made_at_start(self):
        srv = Server(users=USERS_C, env=ENV)
        try:
            keys = os.path.join(srv.data, "keys")
            allowed_path = os.path.join(srv.data, "allowed_signers")
            os.unlink(os.path.join(keys, "signing.pub"))
            key = read(allowed_path).split()[-1]
            cfg_path = os.path.join(srv.data, "kenes.yaml")
            cfg = read(cfg_path).replace("email: kenes@localhost", "email: registry@edu.gov.kz")
            with open(cfg_path, "w") as f:
                f.write(cfg)
            srv.start()
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(keys, "signing.key")).st_mode),
                             0o600)
            self.assertEqual(read(os.path.join(keys, "signing.pub")).split()[1], key)
            both = (f'kenes@localhost namespaces="git" ssh-ed25519 {key}\n'
                    f'registry@edu.gov.kz namespaces="git" ssh-ed25519 {key}\n')
            self.assertEqual(read(allowed_path), both)
            r = srv.post("/api/v1/documents", plan_body(), "off11")
            self.assertEqual(r.status, 201, r)
            r = srv.post("/api/v1/documents", case_body(), "off11")
            self.assertEqual(r.status, 201, r)
            self.assertEqual(srv.get("/api/v1/signing-key", "aud").json["allowed_signers"],
                             f'registry@edu.gov.kz namespaces="git" ssh-ed25519 {key}')
            self.assertEqual(srv.stop(), 0)

            # Back to the old email: its line is there already, both stay.
            with open(cfg_path, "w") as f:
                f.write(cfg.replace("registry@edu.gov.kz", "kenes@localhost"))
            srv.start()
            self.assertEqual(read(allowed_path), both)
            r = srv.post("/api/v1/documents", plan_body(region="KZ-15"), "off15")
            self.assertEqual(r.status, 201, r)
            self.assertEqual(srv.stop(), 0)
            # The key survived the restart: one key signed all of them.
            self.assertEqual(read(os.path.join(keys, "signing.pub")).split()[1], key)
            self.assert_all_signed(srv)
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
