"""The access log and the heads of the repositories are anchored in what the
server signs: each commit's Kenes-Access-Log trailer and the signed
DATA/access.log.checkpoint.  kenes verify finds a cut tail, a recomputed
chain, a removed log and a rolled-back main; a rollback of everything to an
earlier copy shows only against what an auditor pinned (GET
/api/v1/audit/head, verify --descends-from / --log-at)."""
import hashlib
import json
import os
import shutil
import unittest

from kenes_harness import Server, commit_count, git, run_cli
from test_cases import USERS_C, case_body

CKPT = "access.log.checkpoint"


def read_lines(path):
    with open(path) as f:
        return f.read().splitlines()


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("".join(l + "\n" for l in lines))


def rechain(lines):
    """Recompute every line's "prev" as kenes does: SHA-256 hex of the line before."""
    prev = "0" * 64
    out = []
    for l in lines:
        e = json.loads(l)
        e["prev"] = prev
        text = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
        out.append(text)
        prev = hashlib.sha256(text.encode()).hexdigest()
    return out


def trailers(repo):
    out = git(repo, "log", "--format=%(trailers:key=Kenes-Access-Log,valueonly,separator=)",
              "main")
    return [l for l in out.splitlines() if l.strip()]


def verify(data, *extra):
    return run_cli("verify", "--data", data, *extra)


def counts(data):
    return (commit_count(os.path.join(data, "documents.git")),
            commit_count(os.path.join(data, "cases.git")))


class Anchor(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = s = Server(users=USERS_C)
        s.start()
        cls.cases = []
        for i in range(3):
            r = s.post("/api/v1/documents", case_body(), "off11")
            assert r.status == 201, r
            cls.cases.append(r.json["id"])
            for _ in range(3):  # reads, logged before the next commit
                assert s.get("/api/v1/documents/" + r.json["id"], "off11").status == 200
        # Reads after the last commit: only the checkpoint covers them.
        for _ in range(4):
            assert s.get("/api/v1/documents/" + cls.cases[0], "aud").status == 200
        cls.head = s.get("/api/v1/audit/head", "aud")
        assert s.stop() == 0
        cls.tmp = s.tmp

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def copy(self, name):
        dst = os.path.join(self.tmp, name)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(self.srv.data, dst, symlinks=True)
        return dst

    def assertFault(self, data, needle, *extra):
        before = counts(data)
        code, out, err = verify(data, *extra)
        self.assertEqual(code, 1, out + err)
        self.assertIn(needle, out)
        self.assertIn("FAULTY", out)
        self.assertEqual(counts(data), before)  # verify writes nothing
        return out

    def test_untampered_verifies_and_commits_carry_the_trailer(self):
        code, out, err = verify(self.srv.data)
        self.assertEqual(code, 0, out + err)
        self.assertTrue(out.startswith("ok:"), out)
        t = trailers(self.srv.cases_git)
        self.assertEqual(len(t), 3)
        # Newest first: each case's creation is logged (the answer shows it),
        # then its three reads; the third case came after eight lines.
        self.assertEqual([int(x.split()[0]) for x in t], [8, 4, 0])
        log = read_lines(os.path.join(self.srv.data, "access.log"))
        self.assertEqual(t[0].split()[1], hashlib.sha256(log[7].encode()).hexdigest())
        with open(os.path.join(self.srv.data, CKPT)) as f:
            text = f.read()
        self.assertTrue(text.startswith("kenes checkpoint 1\n"), text)
        self.assertIn(f"access.log 16 {hashlib.sha256(log[15].encode()).hexdigest()}\n", text)
        self.assertIn("cases.git " + git(self.srv.cases_git, "rev-parse", "main").strip(), text)
        self.assertIn("-----BEGIN SSH SIGNATURE-----", text)

    def test_a_cut_tail_is_found(self):
        d = self.copy("cut")
        p = os.path.join(d, "access.log")
        write_lines(p, read_lines(p)[:-2])  # head -n -2: only the checkpoint knows them
        out = self.assertFault(d, "access.log: cut: it holds 14 lines, but the signed checkpoint")
        self.assertEqual(len([l for l in out.splitlines() if l.startswith("access.log")]), 1)
        # Five lines back reaches before the last commit: its trailer knows too.
        write_lines(p, read_lines(p)[:-3])
        self.assertFault(d, "access.log: cut: it holds 11 lines")

    def test_a_recomputed_chain_is_found(self):
        d = self.copy("rechain")
        p = os.path.join(d, "access.log")
        lines = read_lines(p)
        del lines[1]  # a read someone wants forgotten
        write_lines(p, rechain(lines))
        # The chain alone is intact again...
        self.assertIn("line", self.assertFault(d, "access.log: rewritten: line 4 is not the line "))

    def test_a_recomputed_chain_of_the_tail_is_found(self):
        d = self.copy("rechain-tail")
        p = os.path.join(d, "access.log")
        lines = read_lines(p)
        del lines[-2]
        write_lines(p, rechain(lines))
        self.assertFault(d, "access.log: cut: it holds 15 lines, but the signed checkpoint")

    def test_a_removed_log_is_found(self):
        d = self.copy("rm")
        os.unlink(os.path.join(d, "access.log"))
        self.assertFault(d, "access.log: missing, but the signed checkpoint")
        os.unlink(os.path.join(d, CKPT))  # both gone: the commits still know
        out = self.assertFault(d, "access.log: missing, but cases.git commit")
        self.assertIn(CKPT + ": missing, though 3 commits carry Kenes-Access-Log", out)

    def test_a_line_added_past_the_checkpoint_is_dropped_at_start(self):
        # A read that never happened, chained correctly after the last line:
        # past the signed position, so no answer waited for it.
        d = self.copy("added")
        p = os.path.join(d, "access.log")
        lines = read_lines(p)
        e = json.loads(lines[-1])
        e.update(prev=hashlib.sha256(lines[-1].encode()).hexdigest(), user="chair15",
                 role="commission-chair")
        forged = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
        write_lines(p, lines + [forged])
        s = Server(data=d, users=[])
        try:
            before = counts(d)
            s.start()
            self.assertIn("1 line after the signed checkpoint (16) recorded no read that was "
                          "answered; dropped", s.read_log())
            self.assertEqual(s.stop(), 0)
            self.assertEqual(read_lines(p), lines)
            self.assertEqual(counts(d), before)
            code, out, err = verify(d)
            self.assertEqual(code, 0, out + err)
        finally:
            s.cleanup()

    def test_a_missing_checkpoint_stops_serve(self):
        # Cut the reads after the last commit, and the checkpoint that
        # records them: a start must not sign the cut log as its own.
        d = self.copy("cut-and-rm")
        p = os.path.join(d, "access.log")
        write_lines(p, read_lines(p)[:12])
        os.unlink(os.path.join(d, CKPT))
        s = Server(data=d, users=[])
        try:
            before = counts(d)
            self.assertEqual(s.start(expect_fail=True), 1)
            self.assertIn(CKPT + " is missing while access.log holds 12 lines", s.read_log())
            self.assertFalse(os.path.exists(os.path.join(d, CKPT)))
            self.assertEqual(counts(d), before)
            self.assertFault(d, CKPT + ": missing, though")
            # An operator who accepts the log as it stands signs it with reindex.
            code, out, err = run_cli("reindex", "--data", d)
            self.assertEqual(code, 0, out + err)
            self.assertTrue(os.path.exists(os.path.join(d, CKPT)))
            s.start()
            self.assertEqual(s.stop(), 0)
        finally:
            s.cleanup()

    def test_a_rolled_back_main_is_found(self):
        d = self.copy("rollback")
        cases = os.path.join(d, "cases.git")
        git(cases, "update-ref", "refs/heads/main", "main~2")
        j = os.path.join(d, "index", "cases.jsonl")
        write_lines(j, read_lines(j)[:-2])
        seen = git(self.srv.cases_git, "rev-parse", "main").strip()
        self.assertFault(d, f"cases.git: main does not contain {seen}, its head in the signed "
                            "checkpoint")
        # serve will not sign the rolled-back state as its own...
        s = Server(data=d, users=[])
        try:
            self.assertEqual(s.start(expect_fail=True), 1)
            self.assertIn(f"cases.git: main no longer contains {seen}, its head in the signed "
                          "checkpoint", s.read_log())
            self.assertIn("kenes reindex", s.read_log())
            # ... until the operator accepts the history as it is (reindex signs
            # the heads anew, keeping the log's position).
            code, out, err = run_cli("reindex", "--data", d)
            self.assertEqual(code, 0, out + err)
            code, out, err = verify(d)
            self.assertEqual(code, 0, out + err)
            s.start()
            self.assertEqual(s.stop(), 0)
        finally:
            s.cleanup()
        # The auditor who saw the head still finds it gone.
        self.assertFault(d, f"cases.git: main does not contain {seen} (--descends-from)",
                         "--descends-from", seen)

    def test_a_mirror_of_the_repositories(self):
        """An auditor's copy: the repositories and allowed_signers; the log is
        checked only when its file and the checkpoint come with them."""
        m = os.path.join(self.tmp, "mirror")
        shutil.rmtree(m, ignore_errors=True)
        os.makedirs(m)
        for repo in ("documents.git", "cases.git"):
            git(self.tmp, "clone", "-q", "--mirror", os.path.join(self.srv.data, repo),
                os.path.join(m, repo))
        shutil.copy(os.path.join(self.srv.data, "allowed_signers"), m)
        code, out, err = verify(m)
        self.assertEqual(code, 0, out + err)
        self.assertIn("access.log: not in this copy of the repositories, so not checked", out)
        for f in ("access.log", CKPT):
            shutil.copy(os.path.join(self.srv.data, f), m)
        code, out, err = verify(m)
        self.assertEqual(code, 0, out + err)
        self.assertIn("16 access log lines checked", out)
        p = os.path.join(m, "access.log")
        write_lines(p, read_lines(p)[:-1])
        self.assertFault(m, "access.log: cut: it holds 15 lines")

    def test_a_forged_checkpoint_is_found(self):
        d = self.copy("forged")
        p = os.path.join(d, CKPT)
        with open(p) as f:
            text = f.read()
        lines = read_lines(os.path.join(d, "access.log"))[:-3]
        write_lines(os.path.join(d, "access.log"), lines)
        h = hashlib.sha256(lines[-1].encode()).hexdigest()
        import re
        text = re.sub(r"access.log \d+ [0-9a-f]+", f"access.log {len(lines)} {h}", text)
        with open(p, "w") as f:
            f.write(text)
        self.assertFault(d, CKPT + ": its signature does not verify")
        with open(p, "w") as f:
            f.write("kenes checkpoint 1\nnonsense\n")
        self.assertFault(d, CKPT + ": not a checkpoint kenes wrote")

    def test_an_auditors_pins(self):
        self.assertEqual(self.head.status, 200, self.head)
        h = self.head.json
        self.assertEqual(h["access_log"]["lines"], 16)
        cases_head = git(self.srv.cases_git, "rev-parse", "main").strip()
        self.assertEqual(h["heads"]["cases.git"], cases_head)
        self.assertTrue(h["checkpoint"].startswith("kenes checkpoint 1\n"))
        pin = ["--descends-from", cases_head, "--descends-from", h["heads"]["documents.git"] or
               cases_head, "--log-at", f"{h['access_log']['lines']}:{h['access_log']['head']}"]
        code, out, err = verify(self.srv.data, *pin)
        self.assertEqual(code, 0, out + err)
        # Bad pins: a usage error, and nothing written.
        before = counts(self.srv.data)
        code, out, err = verify(self.srv.data, "--log-at", "16-deadbeef")
        self.assertEqual(code, 2, out + err)
        self.assertIn("--log-at", err)
        code, out, err = verify(self.srv.data, "--descends-from")
        self.assertEqual(code, 2, out + err)
        code, out, err = verify(self.srv.data, "--descends-from", "not-a-commit")
        self.assertEqual(code, 1, out + err)
        self.assertIn("--descends-from not-a-commit: no repository holds this commit", out)
        self.assertEqual(counts(self.srv.data), before)

    def test_the_audit_head_is_for_auditors(self):
        s = Server(data=self.copy("who"), users=[])
        try:
            s.start()
            for user in ("off11", "rev1", "chair11"):
                self.assertEqual(s.get("/api/v1/audit/head", user).status, 403, user)
            self.assertEqual(s.request("GET", "/api/v1/audit/head").status, 401)
        finally:
            s.cleanup()


class Rollback(unittest.TestCase):
    """A whole earlier copy is consistent: only a witness shows it."""

    def test_rollback_of_everything_against_a_pinned_head(self):
        s = Server(users=USERS_C)
        try:
            s.start()
            r = s.post("/api/v1/documents", case_body(), "off11")
            self.assertEqual(r.status, 201, r)
            s.get("/api/v1/documents/" + r.json["id"], "off11")
            self.assertEqual(s.stop(), 0)
            backup = os.path.join(s.tmp, "backup")
            shutil.copytree(s.data, backup, symlinks=True)

            # The checkpoint and the trailers survive a restart and go on.
            s.start()
            s.tokens.clear()
            r2 = s.post("/api/v1/documents", case_body(), "off11")
            self.assertEqual(r2.status, 201, r2)
            s.get("/api/v1/documents/" + r2.json["id"], "off11")
            head = s.get("/api/v1/audit/head", "aud").json
            self.assertEqual(s.stop(), 0)
            self.assertEqual([int(x.split()[0]) for x in trailers(s.cases_git)], [2, 0])
            self.assertEqual(head["access_log"]["lines"], 4)
            code, out, err = verify(s.data)
            self.assertEqual(code, 0, out + err)

            # Everything put back as it was: a copy alone cannot tell...
            shutil.rmtree(s.data)
            shutil.copytree(backup, s.data, symlinks=True)
            code, out, err = verify(s.data)
            self.assertEqual(code, 0, out + err)
            # ... the auditor's witness can.
            before = counts(s.data)
            code, out, err = verify(s.data, "--descends-from", head["heads"]["cases.git"])
            self.assertEqual(code, 1, out + err)
            self.assertIn(f"--descends-from {head['heads']['cases.git']}: no repository holds "
                          "this commit", out)
            log_at = f"{head['access_log']['lines']}:{head['access_log']['head']}"
            code, out, err = verify(s.data, "--log-at", log_at)
            self.assertEqual(code, 1, out + err)
            self.assertIn("access.log: cut: it holds 2 lines, but the pinned position "
                          "(--log-at) records 4", out)
            self.assertEqual(counts(s.data), before)
        finally:
            s.cleanup()

    def test_serve_refuses_a_cut_log_rather_than_sign_it(self):
        s = Server(users=USERS_C)
        try:
            s.start()
            r = s.post("/api/v1/documents", case_body(), "off11")
            self.assertEqual(r.status, 201, r)
            for _ in range(3):
                s.get("/api/v1/documents/" + r.json["id"], "off11")
            self.assertEqual(s.stop(), 0)
            p = os.path.join(s.data, "access.log")
            write_lines(p, read_lines(p)[:-1])
            with open(os.path.join(s.data, CKPT)) as f:
                ckpt = f.read()
            before = counts(s.data)
            code = s.start(expect_fail=True)
            self.assertEqual(code, 1)
            self.assertIn("access.log: cut: it holds 3 lines, but the signed checkpoint records 4",
                          s.read_log())
            with open(os.path.join(s.data, CKPT)) as f:
                self.assertEqual(f.read(), ckpt)  # not signed anew
            self.assertEqual(counts(s.data), before)
            code, out, err = verify(s.data)
            self.assertEqual(code, 1, out + err)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
