"""The server serves only what it wrote or was told to accept, and its signing
key is never replaced behind the operator's back (issue 11, items 2 and 8).

A commit put on main with the git command (unsigned, or with Kenes trailers
that put a plan in force) stops serve with one line naming it; `kenes
accept` (an admin's decision, a signed commit) or a reset of main lets it
start.  A commit pushed while the server runs makes the next write fail and
nothing is signed on top of it.  A missing signing key stops serve; `kenes key
rotate` is the only way to a new key, and a key merely added to
allowed_signers does not make its commits pass verify."""
import json
import os
import re
import shutil
import subprocess
import unittest

from kenes_harness import Server, commit_count, git, plan_body, run_cli, stop_and_verify

PLAN = "plan/KZ-11/2026"


def verify_commit(repo, allowed, commit):
    return subprocess.run(["git", "-C", repo, "-c", "gpg.format=ssh",
                           "-c", "gpg.ssh.allowedSignersFile=" + allowed,
                           "verify-commit", commit], capture_output=True, text=True, timeout=120)


def trailers(repo, commit):
    return git(repo, "log", "-1", "--format=%(trailers:only,unfold)", commit)


class Integrity(unittest.TestCase):
    def setUp(self):
        self.s = Server()
        s = self.s
        s.start()
        r = s.post("/api/v1/documents", plan_body(), "off11")
        self.assertEqual(r.status, 201, r)
        r = s.act(PLAN, "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.stop(), 0)
        self.journal = os.path.join(s.data, "index", "documents.jsonl")

    def tearDown(self):
        self.s.cleanup()

    def read(self, path):
        with open(path) as f:
            return f.read()

    def push_behind_the_server(self, message, stage=None, sign_key=None, author="rev1"):
        """A commit made with the git command in a clone and pushed to main."""
        s = self.s
        clone = os.path.join(s.tmp, "clone")
        shutil.rmtree(clone, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", "-b", "main", s.docs_git, clone], check=True,
                       capture_output=True, timeout=120)
        path = os.path.join(clone, PLAN + ".md")
        if stage:
            text = self.read(path)
            new = re.sub(r'stage: "?regional-approval"?', f"stage: {stage}", text)
            self.assertNotEqual(new, text)
            with open(path, "w") as f:
                f.write(new)
        env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=f"{author}@users.kenes",
                   GIT_COMMITTER_NAME="kenes", GIT_COMMITTER_EMAIL="kenes@localhost")
        sign = ["-c", "gpg.format=ssh", "-c", "user.signingkey=" + sign_key, "commit", "-S"] \
            if sign_key else ["commit"]
        subprocess.run(["git", "-C", clone, *sign, "-q", "--allow-empty", "-a", "-m", message],
                       check=True, env=env, capture_output=True, timeout=120)
        subprocess.run(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"], check=True,
                       capture_output=True, timeout=120)
        return git(clone, "rev-parse", "HEAD").strip()

    def fake_approval(self):
        blob = git(self.s.docs_git, "rev-parse", f"main:{PLAN}.md").strip()
        return ("Agree regional plan KZ-11 2026\n\n"
                f"Kenes-Document: {PLAN}\nKenes-Action: agree\n"
                "Kenes-Stage: regional-approval -> in-force\nKenes-Role: ministry-reviewer\n"
                f"Kenes-Approval: 2/2\nKenes-Content: {blob}\n")

    def refused_start(self, commit):
        """serve exits 1 with one line naming the repository and the commit."""
        s = self.s
        journal = self.read(self.journal)
        count = commit_count(s.docs_git)
        code = s.start(expect_fail=True)
        self.assertEqual(code, 1, "serve started on a commit kenes did not make")
        log = s.read_log()
        lines = [l for l in log.splitlines() if commit in l]
        self.assertEqual(len(lines), 1, log)
        self.assertIn("documents.git: commit " + commit, lines[0])
        self.assertIn(f"kenes accept --data {s.data} {commit}", lines[0])
        self.assertIn("update-ref refs/heads/main", lines[0])
        self.assertNotIn("listening", "".join(s.stdout_lines))
        # Nothing written: no commit, and the journal has not taken it in.
        self.assertEqual(commit_count(s.docs_git), count)
        self.assertEqual(self.read(self.journal), journal)
        s.stop()
        return lines[0]

    # ---- item 2: commits made outside kenes ----

    def test_unsigned_commit_stops_serve_until_reset(self):
        s = self.s
        good = git(s.docs_git, "rev-parse", "main").strip()
        forged = self.push_behind_the_server("Edit behind the server")
        line = self.refused_start(forged)
        self.assertIn("unsigned", line)
        self.assertIn(f"update-ref refs/heads/main {good} {forged}", line)
        # The reset the line offers is the way back.
        git(s.docs_git, "update-ref", "refs/heads/main", good, forged)
        s.start()
        s.tokens.clear()
        self.assertEqual(s.get("/api/v1/documents/" + PLAN, "aud").json["stage"],
                         "regional-approval")
        self.assertEqual(s.stop(), 0)

    def test_fake_approval_stops_serve_and_publishes_nothing_until_accepted(self):
        s = self.s
        # Reports published after approvals: a start that took the forged
        # approval would publish it (a commit of its own, and /public).
        cfg_path = os.path.join(s.data, "kenes.yaml")
        cfg = self.read(cfg_path)
        with open(cfg_path, "w") as f:
            f.write(cfg.replace("after_approval: false", "after_approval: true"))
        forged = self.push_behind_the_server(self.fake_approval(), stage="in-force")
        line = self.refused_start(forged)
        self.assertIn("unsigned", line)
        # verify names it too.
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn(forged, out)

        # Bad input to accept: each refused, nothing committed.
        count = commit_count(s.docs_git)
        for args, want in ((["0123456789abcdef0123456789abcdef01234567"], 2),
                           (["main"], 2), ([forged, "--by", "rev1"], 2),
                           ([forged, "--by", "nobody"], 2), ([], 2)):
            code, out, err = run_cli("accept", "--data", s.data, *args)
            self.assertEqual(code, want, (args, out, err))
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertEqual(commit_count(s.docs_git), count)

        code, out, err = run_cli("accept", "--data", s.data, "--by", "adm", forged)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(commit_count(s.docs_git), count + 1)
        t = trailers(s.docs_git, "main")
        self.assertIn("Kenes-Action: accept\n", t)
        self.assertIn("Kenes-Role: admin\n", t)
        self.assertIn(f"Kenes-Accepts: {forged}\n", t)
        self.assertEqual(git(s.docs_git, "log", "-1", "--format=%an", "main").strip(), "adm")
        # The decision changes no file and is signed by kenes.
        self.assertEqual(git(s.docs_git, "rev-parse", "main^{tree}"),
                         git(s.docs_git, "rev-parse", "main~1^{tree}"))
        p = verify_commit(s.docs_git, os.path.join(s.data, "allowed_signers"), "main")
        self.assertEqual(p.returncode, 0, p.stderr)

        s.start()
        s.tokens.clear()
        self.assertEqual(s.get("/api/v1/documents/" + PLAN, "aud").json["stage"], "in-force")
        out = stop_and_verify(self, s)
        self.assertIn("accepted (kenes accept), not counted", out)
        # A restart has nothing new to judge.
        s.start()
        self.assertEqual(s.stop(), 0)

    def test_a_journal_line_does_not_pass_a_forged_commit_off_as_seen(self):
        # The journal is not signed: a line appended for the forged commit
        # (as kenes would write it, or as a foreign one) must not let serve
        # skip judging it, nor let kenes sign on top of it.
        s = self.s
        forged = self.push_behind_the_server(self.fake_approval(), stage="in-force")
        t = int(git(s.docs_git, "log", "-1", "--format=%ct", forged).strip()) * 1000
        last = json.loads(self.read(self.journal).splitlines()[-1])
        for line in (dict(last, commit=forged, time=t, author="rev1", role="ministry-reviewer",
                          action="agree", **{"from": "regional-approval", "to": "in-force",
                                               "approval": "2/2"}),
                     {"commit": forged, "foreign": True}):
            with open(self.journal) as f:
                before = f.read()
            with open(self.journal, "a") as f:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
            count = commit_count(s.docs_git)
            code = s.start(expect_fail=True)
            self.assertEqual(code, 1, "serve started on a commit the journal passed off as seen")
            log = s.read_log()
            self.assertIn(forged, log)
            self.assertIn("kenes did not sign it", log)
            self.assertNotIn("listening", "".join(s.stdout_lines))
            self.assertEqual(commit_count(s.docs_git), count)
            s.stop()
            with open(self.journal, "w") as f:
                f.write(before)

    def test_several_commits_accepted_at_once(self):
        s = self.s
        first = self.push_behind_the_server("First edit behind the server")
        second = self.push_behind_the_server("Second edit behind the server")
        line = self.refused_start(first)
        self.assertIn("1 more commit after it", line)
        count = commit_count(s.docs_git)
        code, out, err = run_cli("accept", "--data", s.data, first[:12], second)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(commit_count(s.docs_git), count + 1)  # one decision for both
        t = trailers(s.docs_git, "main")
        self.assertIn(f"Kenes-Accepts: {first}\nKenes-Accepts: {second}\n", t)
        s.start()
        stop_and_verify(self, s)

    def test_reindex_does_not_swallow_a_forged_commit(self):
        s = self.s
        forged = self.push_behind_the_server("Edit behind the server")
        journal = self.read(self.journal)
        code, out, err = run_cli("reindex", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn(forged, err)
        self.assertEqual(self.read(self.journal), journal)
        self.refused_start(forged)

    def test_commit_pushed_while_serving_fails_the_next_write(self):
        s = self.s
        s.start()
        s.tokens.clear()
        forged = self.push_behind_the_server("Pushed while the server runs")
        count = commit_count(s.docs_git)
        r = s.post("/api/v1/documents", plan_body(region="KZ-15"), "off15")
        self.assertEqual(r.status, 503, r)  # the repository refuses: /healthz says so
        self.assertEqual(r.json["error"]["code"], "storage")
        self.assertEqual(s.request("GET", "/healthz").status, 503)
        etag = s.get("/api/v1/documents/" + PLAN, "appr1").header("ETag")
        r = s.act(PLAN, "return", "appr1", etag, comment="Уточните")
        self.assertEqual(r.status, 503, r)
        # Nothing signed on top of it; the log says why.
        self.assertEqual(commit_count(s.docs_git), count)
        self.assertEqual(git(s.docs_git, "rev-parse", "main").strip(), forged)
        self.assertIn("main moved behind the server's back", s.read_log())
        self.assertEqual(s.stop(), 0)
        self.refused_start(forged)

    # ---- item 8: the signing key ----

    def test_missing_signing_key_stops_serve(self):
        s = self.s
        key = os.path.join(s.data, "keys", "signing.key")
        allowed = self.read(os.path.join(s.data, "allowed_signers"))
        os.unlink(key)
        code = s.start(expect_fail=True)
        self.assertEqual(code, 1)
        log = s.read_log()
        self.assertIn("signing.key is missing", log)
        self.assertIn("restore it from the backup", log)
        s.stop()
        self.assertFalse(os.path.exists(key))
        self.assertEqual(self.read(os.path.join(s.data, "allowed_signers")), allowed)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        # Without its old key, no rotation either.
        count = commit_count(s.docs_git)
        code, out, err = run_cli("key", "rotate", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn("signing.key is missing", err)
        self.assertEqual(commit_count(s.docs_git), count)
        self.assertFalse(os.path.exists(key))

    def test_another_key_in_place_stops_serve(self):
        s = self.s
        other = os.path.join(s.tmp, "other")
        code, out, err = run_cli("init", "--data", other)
        self.assertEqual(code, 0, err)
        shutil.copy(os.path.join(other, "keys", "signing.key"),
                    os.path.join(s.data, "keys", "signing.key"))
        count = commit_count(s.docs_git)
        allowed = self.read(os.path.join(s.data, "allowed_signers"))
        pub = self.read(os.path.join(s.data, "keys", "signing.pub"))
        code = s.start(expect_fail=True)
        self.assertEqual(code, 1)
        self.assertIn("is not the key in force", s.read_log())
        s.stop()
        # Nothing written: no commit, and the other key is listed nowhere.
        self.assertEqual(commit_count(s.docs_git), count)
        self.assertEqual(self.read(os.path.join(s.data, "allowed_signers")), allowed)
        self.assertEqual(self.read(os.path.join(s.data, "keys", "signing.pub")), pub)

    def test_rotation(self):
        s = self.s
        allowed_path = os.path.join(s.data, "allowed_signers")
        old_pub = self.read(os.path.join(s.data, "keys", "signing.pub")).split()[1]
        counts = [commit_count(s.docs_git), commit_count(s.cases_git)]
        code, out, err = run_cli("key", "rotate", "--data", s.data, "--by", "adm")
        self.assertEqual(code, 0, out + err)
        self.assertIn("Rotated the signing key", out)
        new_pub = self.read(os.path.join(s.data, "keys", "signing.pub")).split()[1]
        self.assertNotEqual(new_pub, old_pub)
        self.assertFalse(os.path.exists(os.path.join(s.data, "keys", "next")))
        allowed = self.read(allowed_path)
        self.assertIn(old_pub, allowed)
        self.assertIn(new_pub, allowed)
        for repo, n in zip((s.docs_git, s.cases_git), counts):
            self.assertEqual(commit_count(repo), n + 1)
            t = trailers(repo, "main")
            self.assertIn("Kenes-Action: rotate-key\n", t)
            self.assertIn(f"Kenes-Key: ssh-ed25519 {new_pub} kenes\n", t)
            # Signed by the old key.
            p = verify_commit(repo, allowed_path, "main")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(self.fingerprint(old_pub), p.stderr)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)

        # Commits go on being signed, by the new key.
        s.start()
        s.tokens.clear()
        etag = s.get("/api/v1/documents/" + PLAN, "appr1").header("ETag")
        r = s.act(PLAN, "return", "appr1", etag, comment="Уточните")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.stop(), 0)
        p = verify_commit(s.docs_git, allowed_path, "main")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(self.fingerprint(new_pub), p.stderr)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        journal = [json.loads(l) for l in self.read(self.journal).splitlines()]
        self.assertIn("rotate-key", [l.get("admin") for l in journal])
        # A second rotation chains on.
        code, out, err = run_cli("key", "rotate", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        s.start()
        self.assertEqual(s.stop(), 0)

    def fingerprint(self, b64):
        p = subprocess.run(["ssh-keygen", "-l", "-f", "-"], input=f"ssh-ed25519 {b64}\n",
                           capture_output=True, text=True, timeout=60)
        return p.stdout.split()[1]

    def key_added_by_hand(self, name):
        """A new SSH key, listed in allowed_signers as if it were the server's."""
        key = os.path.join(self.s.tmp, name)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True,
                       capture_output=True, timeout=120)
        pub = self.read(key + ".pub").split()
        with open(os.path.join(self.s.data, "allowed_signers"), "a") as f:
            f.write(f'kenes@localhost namespaces="git" {pub[0]} {pub[1]}\n')
        return key

    def test_key_added_by_hand_is_not_enough(self):
        s = self.s
        key = self.key_added_by_hand("id_hand")
        forged = self.push_behind_the_server(self.fake_approval(), stage="in-force",
                                             sign_key=key)
        # git itself takes the signature: allowed_signers lists the key.
        p = verify_commit(s.docs_git, os.path.join(s.data, "allowed_signers"), forged)
        self.assertEqual(p.returncode, 0, p.stderr)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn(f"commit {forged}: signed by a key that no key rotation introduced", out)
        line = self.refused_start(forged)
        self.assertIn("no key rotation introduced", line)

    def test_key_added_by_hand_cannot_start_an_empty_repository(self):
        # cases.git has no commit yet: its first signature must still be by a
        # key the server's chain knows, not by any key allowed_signers lists.
        s = self.s
        self.assertEqual(commit_count(s.cases_git), 0)
        key = self.key_added_by_hand("id_first")
        clone = os.path.join(s.tmp, "cases-clone")
        subprocess.run(["git", "init", "-q", "-b", "main", clone], check=True,
                       capture_output=True, timeout=120)
        cid = "case/KZ-11/11111111-2222-4333-8444-555555555555"
        os.makedirs(os.path.join(clone, "case", "KZ-11"))
        with open(os.path.join(clone, cid + ".md"), "w") as f:
            f.write(f"---\nid: {cid}\ntype: case-review\nregion: KZ-11\nstage: registered\n"
                    "---\nnot sealed\n")
        env = dict(os.environ, GIT_AUTHOR_NAME="off11", GIT_AUTHOR_EMAIL="off11@users.kenes",
                   GIT_COMMITTER_NAME="kenes", GIT_COMMITTER_EMAIL="kenes@localhost")
        subprocess.run(["git", "-C", clone, "add", "."], check=True, capture_output=True,
                       timeout=120)
        subprocess.run(["git", "-C", clone, "-c", "gpg.format=ssh", "-c",
                        "user.signingkey=" + key, "commit", "-S", "-q", "-m",
                        f"Create case review KZ-11\n\nKenes-Document: {cid}\n"
                        "Kenes-Action: create\nKenes-Stage: registered\n"
                        "Kenes-Role: regional-official\n"], check=True, env=env,
                       capture_output=True, timeout=120)
        subprocess.run(["git", "-C", clone, "push", "-q", s.cases_git, "main:main"], check=True,
                       capture_output=True, timeout=120)
        forged = git(s.cases_git, "rev-parse", "main").strip()
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn(f"cases.git: commit {forged}: its first signature is by a key the other "
                      "repository never had in force", out)


class LegacyDataFolder(unittest.TestCase):
    """A data folder from before signed commits (no key, unsigned commits):
    serve makes no key for it; key rotate makes the first one, since no
    commit is signed, and kenes accept keeps the old commits."""

    def test_first_key_and_accepting_the_old_commits(self):
        s = Server()
        try:
            for leaf in ("keys/signing.key", "keys/signing.pub", "allowed_signers"):
                os.unlink(os.path.join(s.data, leaf))
            clone = os.path.join(s.tmp, "clone")
            subprocess.run(["git", "clone", "-q", s.docs_git, clone], check=True,
                           capture_output=True, timeout=120)
            with open(os.path.join(clone, "README"), "w") as f:
                f.write("before signed commits\n")
            git(clone, "add", "README")
            git(clone, "-c", "user.name=old", "-c", "user.email=old@x", "commit", "-q", "-m",
                "Old commit")
            git(clone, "push", "-q", "origin", "HEAD:main")
            old = git(clone, "rev-parse", "HEAD").strip()

            self.assertEqual(s.start(expect_fail=True), 1)
            self.assertIn("signing.key is missing", s.read_log())
            s.stop()
            code, out, err = run_cli("key", "rotate", "--data", s.data)
            self.assertEqual(code, 0, out + err)
            self.assertIn("Made the first signing key", out)
            self.assertEqual(commit_count(s.docs_git), 1)
            # Its old commit is judged like any commit kenes has not seen.
            self.assertEqual(s.start(expect_fail=True), 1)
            self.assertIn(f"documents.git: commit {old} is not one kenes made", s.read_log())
            s.stop()
            code, out, err = run_cli("accept", "--data", s.data, old)
            self.assertEqual(code, 0, out + err)
            s.start()
            r = s.post("/api/v1/documents", plan_body(), "off11")
            self.assertEqual(r.status, 201, r)
            stop_and_verify(self, s)
            # Now that a commit is signed, a lost key is not made anew.
            os.unlink(os.path.join(s.data, "keys", "signing.key"))
            code, out, err = run_cli("key", "rotate", "--data", s.data)
            self.assertEqual(code, 1, out + err)
            self.assertIn("restore it from the backup", err)
            self.assertFalse(os.path.exists(os.path.join(s.data, "keys", "signing.key")))
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
