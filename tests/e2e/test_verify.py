"""kenes verify from the history alone: every commit's SSH signature checked
against allowed_signers, four eyes re-derived from the commits before each
approval, and all of it on a mirror copy of the repositories with nothing
but allowed_signers beside them."""
import os
import shutil
import subprocess
import tempfile
import unittest

from kenes_harness import Server, git, plan_body, run_cli, walk_chain
from test_cases import USERS_C, case_body

PLAN = "plan/KZ-15/2026"  # approved by the akimat, agreed to once by rev1: its round is open


def fault_lines(out, commit):
    return [l for l in out.splitlines() if f"commit {commit}:" in l]


class Verify(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.srv = Server(users=USERS_C)
        s.start()
        # A plan the akimat approved and two reviewers who did not write it agreed to.
        r = s.post("/api/v1/documents", plan_body(), "off11")
        assert r.status == 201, r
        walk_chain(s, "plan/KZ-11/2026", r.header("ETag"))
        # A plan returned once by the ministry (voiding rev1's agreement),
        # approved by the akimat again, then agreed to once.
        r = s.post("/api/v1/documents", plan_body(region="KZ-15"), "off15")
        assert r.status == 201, r
        r = walk_chain(s, PLAN, r.header("ETag"), until="ministry-agreement")
        r = s.act(PLAN, "agree", "rev1", r.header("ETag"))
        r = s.act(PLAN, "return", "rev2", r.header("ETag"), comment="Уточните показатели")
        assert r.status == 200 and r.json["stage"] == "draft", r
        r = walk_chain(s, PLAN, r.header("ETag"), until="ministry-agreement")
        r = s.act(PLAN, "agree", "rev1", r.header("ETag"))
        assert r.status == 200 and r.json["stage"] == "ministry-agreement", r
        # A case, sealed in cases.git.
        r = s.post("/api/v1/documents", case_body(), "off11")
        assert r.status == 201, r
        r = s.act(r.json["id"], "start-review", "off11", r.header("ETag"))
        assert r.status == 200, r
        assert s.stop() == 0
        cls.commits = sum(len(git(repo, "rev-list", "main").split())
                          for repo in (s.docs_git, s.cases_git))
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def copy(self):
        """A fresh copy of the data folder to tamper with."""
        Verify.n += 1
        dst = os.path.join(self.srv.tmp, f"copy{Verify.n}")
        shutil.copytree(self.srv.data, dst)
        return dst

    def verify(self, data, code):
        c, out, err = run_cli("verify", "--data", data)
        self.assertEqual(c, code, out + err)
        return out

    def commit_behind_the_server(self, data, message, author, stage=None, sign_key=None):
        """Change PLAN's file with the git command (a clone, a push) and return the commit."""
        work = tempfile.mkdtemp(prefix="kenes-verify-", dir=self.srv.tmp)
        clone = os.path.join(work, "clone")
        subprocess.run(["git", "clone", "-q", "-b", "main", os.path.join(data, "documents.git"),
                        clone], check=True, capture_output=True, timeout=120)
        path = os.path.join(clone, PLAN + ".md")
        if stage:
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace('stage: "ministry-agreement"', f'stage: "{stage}"')
                        .replace("stage: ministry-agreement", f"stage: {stage}"))
        env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=f"{author}@users.kenes",
                   GIT_COMMITTER_NAME="kenes", GIT_COMMITTER_EMAIL="kenes@localhost")
        sign = []
        if sign_key:
            sign = ["-c", "gpg.format=ssh", "-c", "user.signingkey=" + sign_key, "commit", "-S"]
        else:
            sign = ["commit"]
        subprocess.run(["git", "-C", clone, *sign, "-q", "--allow-empty", "-a", "-m", message],
                       check=True, env=env, capture_output=True, timeout=120)
        subprocess.run(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"], check=True,
                       capture_output=True, timeout=120)
        return git(clone, "rev-parse", "HEAD").strip()

    def approval(self, data, count, content=None, to="ministry-agreement", role="ministry-reviewer"):
        """A ministry agreement (the chain's four-eyes step) as kenes writes one."""
        blob = content or git(os.path.join(data, "documents.git"), "rev-parse",
                              f"main:{PLAN}.md").strip()
        return ("Agree regional plan KZ-15 2026\n\n"
                f"Kenes-Document: {PLAN}\nKenes-Action: agree\n"
                f"Kenes-Stage: ministry-agreement -> {to}\nKenes-Role: {role}\n"
                f"Kenes-Approval: {count}\nKenes-Content: {blob}\n")

    # ---- a clean history ----

    def test_clean_data_folder(self):
        out = self.verify(self.srv.data, 0)
        self.assertIn(f"ok: {self.commits} commits checked", out)
        self.assertIn(" 0 faults", out)

    def test_mirror_copy_with_allowed_signers(self):
        """What an auditor gets: the repositories cloned with --mirror and
        allowed_signers; no keys, no kenes.yaml, no journal, no access log."""
        mirror = os.path.join(self.srv.tmp, "mirror")
        os.makedirs(mirror)
        for repo in ("documents.git", "cases.git"):
            subprocess.run(["git", "clone", "-q", "--mirror", os.path.join(self.srv.data, repo),
                            os.path.join(mirror, repo)], check=True, capture_output=True,
                           timeout=120)
        shutil.copy(os.path.join(self.srv.data, "allowed_signers"), mirror)
        out = self.verify(mirror, 0)
        self.assertIn(f"ok: {self.commits} commits checked, 0 access log lines checked, 0 faults",
                      out)
        self.assertFalse(os.path.exists(os.path.join(mirror, "keys")))

        # Without allowed_signers nothing vouches for the signatures.
        os.unlink(os.path.join(mirror, "allowed_signers"))
        out = self.verify(mirror, 1)
        self.assertIn("allowed_signers: missing", out)

        # A key that is not the server's: every commit is named.
        key = os.path.join(self.srv.tmp, "id_mirror")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True,
                       capture_output=True, timeout=120)
        with open(key + ".pub") as f:
            other = f.read().split()
        with open(os.path.join(mirror, "allowed_signers"), "w") as f:
            f.write(f'kenes@localhost namespaces="git" {other[0]} {other[1]}\n')
        out = self.verify(mirror, 1)
        self.assertEqual(out.count("signed by a key that allowed_signers does not list"),
                         self.commits)

        # signing.pub alone serves when there is no allowed_signers.
        os.unlink(os.path.join(mirror, "allowed_signers"))
        os.makedirs(os.path.join(mirror, "keys"))
        shutil.copy(os.path.join(self.srv.data, "keys", "signing.pub"),
                    os.path.join(mirror, "keys"))
        self.verify(mirror, 0)

    def test_replace_ref(self):
        # git replace swaps the plan in force's text for another in what git
        # show and git log print (and a mirror clone carries it), while every
        # signature still verifies: verify names any ref but main.
        data = self.copy()
        repo = os.path.join(data, "documents.git")
        blob = git(repo, "rev-parse", "main:plan/KZ-11/2026.md").strip()
        text = git(repo, "cat-file", "blob", blob)
        p = subprocess.run(["git", "-C", repo, "hash-object", "-w", "--stdin"],
                           input=text.replace("2026", "2027", 1), capture_output=True,
                           text=True, check=True, timeout=120)
        git(repo, "replace", blob, p.stdout.strip())
        self.assertIn("2027", git(repo, "show", "main:plan/KZ-11/2026.md"))
        out = self.verify(data, 1)
        self.assertIn("documents.git: refs/replace/" + blob + ": a ref kenes did not write", out)
        for repo_name in ("documents.git", "cases.git"):
            git(os.path.join(data, repo_name), "branch", "other", "main")
        out = self.verify(data, 1)
        self.assertIn("documents.git: refs/heads/other: a ref kenes did not write", out)
        self.assertIn("cases.git: refs/heads/other: a ref kenes did not write", out)

    # ---- signatures ----

    def test_unsigned_commit(self):
        # A well-formed second approval by a reviewer who may give it, but
        # made with the git command: only the missing signature gives it away.
        data = self.copy()
        commit = self.commit_behind_the_server(data, self.approval(data, "2/2", to="in-force"),
                                               "rev2", stage="in-force")
        out = self.verify(data, 1)
        lines = fault_lines(out, commit)
        self.assertEqual(lines, [f"documents.git: commit {commit}: unsigned: it carries no "
                                 "gpgsig signature"], out)
        self.assertIn("FAULTY", out)

    def test_commit_signed_by_another_key(self):
        data = self.copy()
        key = os.path.join(self.srv.tmp, "id_other")
        if not os.path.exists(key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key],
                           check=True, capture_output=True, timeout=120)
        commit = self.commit_behind_the_server(data, self.approval(data, "2/2", to="in-force"),
                                               "rev2", stage="in-force", sign_key=key)
        out = self.verify(data, 1)
        self.assertEqual(fault_lines(out, commit),
                         [f"documents.git: commit {commit}: signed by a key that "
                          "allowed_signers does not list"], out)

    def test_altered_signed_commit(self):
        # The server's signed commit with its message changed by git plumbing:
        # the signature is still there, but it is no longer of this commit.
        data = self.copy()
        repo = os.path.join(data, "documents.git")
        head = git(repo, "rev-parse", "main").strip()
        raw = subprocess.run(["git", "-C", repo, "cat-file", "commit", head], check=True,
                             capture_output=True, timeout=120).stdout
        self.assertIn(b"\ngpgsig -----BEGIN SSH SIGNATURE-----", raw)
        forged = raw.replace(b"Kenes-Role: ministry-reviewer", b"Kenes-Role: admin")
        self.assertNotEqual(forged, raw)
        new = subprocess.run(["git", "-C", repo, "hash-object", "-t", "commit", "-w", "--stdin"],
                             input=forged, check=True, capture_output=True,
                             timeout=120).stdout.decode().strip()
        git(repo, "update-ref", "refs/heads/main", new, head)
        out = self.verify(data, 1)
        self.assertIn(f"documents.git: commit {new}: its signature does not verify", out)
        # The forged role is judged too: an admin's approval counts for no quorum.
        self.assertIn(f"documents.git: commit {new}: an admin's approval", out)
        self.assertEqual(len(fault_lines(out, new)), 2, out)

    # ---- four eyes, from history (the rule itself: tests/unit/test_quorum.c) ----

    def test_same_reviewer_twice(self):
        data = self.copy()
        commit = self.commit_behind_the_server(data, self.approval(data, "2/2", to="in-force"),
                                               "rev1", stage="in-force")
        out = self.verify(data, 1)
        self.assertIn(f"documents.git: commit {commit}: approved twice in one round by the same "
                      "person: rev1", out)

    def test_author_approves(self):
        data = self.copy()
        commit = self.commit_behind_the_server(data, self.approval(data, "2/2", to="in-force"),
                                               "off15", stage="in-force")
        out = self.verify(data, 1)
        self.assertIn(f"documents.git: commit {commit}: approved by an author of the text it "
                      "approves: off15", out)

    def test_admin_approves(self):
        # What the server refuses (403 admin_cannot_approve), verify finds in
        # the history: an admin's approval counts toward no quorum.
        data = self.copy()
        commit = self.commit_behind_the_server(
            data, self.approval(data, "2/2", to="in-force", role="admin"), "adm",
            stage="in-force")
        out = self.verify(data, 1)
        self.assertIn(f"documents.git: commit {commit}: an admin's approval, which counts toward "
                      "no four-eyes quorum: adm", out)

    def test_count_not_the_next_one(self):
        data = self.copy()
        commit = self.commit_behind_the_server(data, self.approval(data, "1/2"), "rev2")
        out = self.verify(data, 1)
        self.assertIn(f"documents.git: commit {commit}: the approval count is not the next one: "
                      "Kenes-Approval 1/2, where the round had 1 before it", out)

    def test_approval_of_another_text(self):
        data = self.copy()
        other = git(os.path.join(data, "documents.git"), "rev-parse",
                    "main:plan/KZ-11/2026.md").strip()
        commit = self.commit_behind_the_server(
            data, self.approval(data, "2/2", content=other, to="in-force"), "rev2",
            stage="in-force")
        out = self.verify(data, 1)
        self.assertIn(f"documents.git: commit {commit}: the approval names another text than the "
                      f"one it approves: Kenes-Content {other}", out)
        # Nothing else is wrong with it but the signature.
        self.assertEqual(len(fault_lines(out, commit)), 2, out)


if __name__ == "__main__":
    unittest.main()
