"""What people type about a case (a transition's comment, the erase reason) is
sealed with the case's key: no commit message, journal, log line or answer
outside the case's own holds it.  Its readers see the comment in its history
while the case lives; after erasure the history keeps who, when and which
step, and nothing typed.  The history is the same from the journal, from git
after a lost journal line, and after kenes reindex; kenes verify passes."""
import json
import os
import signal
import subprocess
import unittest

from kenes_harness import Server, commit_count, doc_path, git, plan_body, run_cli
from test_case_secrecy import all_objects
from test_cases import USERS_C, case_body

COMMENT = "Заметка-QZX417: отец угрожает семье"
REASON = "Причина-QZX903: срок хранения истёк"
PLAN_COMMENT = "План-QZX55: уточните показатели"
SECRETS = (COMMENT, REASON, "QZX417", "QZX903")


def journal_facts_of(lines):
    """A journal's lines without their times (git keeps seconds, the writer milliseconds)."""
    facts = []
    for line in lines:
        j = json.loads(line)
        j["time"] //= 1000
        facts.append(j)
    return facts


def journal_facts(path):
    with open(path) as f:
        return journal_facts_of(f.read().splitlines())


class SealedNotes(unittest.TestCase):
    def setUp(self):
        self.s = Server(users=USERS_C, reports=True)
        self.s.start()
        self.out = ""  # the server's stdout, every run

    def tearDown(self):
        self.s.cleanup()

    def stop(self):
        """Stop the server, keeping what it wrote to stdout."""
        s = self.s
        s.proc.send_signal(signal.SIGTERM)
        s.proc.wait(timeout=60)
        self.out += "".join(s.stdout_lines) + s.proc.stdout.read()
        self.assertEqual(s.stop(), 0)

    def restart(self):
        self.stop()
        self.s.start()
        self.s.tokens.clear()

    def history(self, cid, user="chair11"):
        r = self.s.get(f"/api/v1/documents/{cid}/history", user)
        self.assertEqual(r.status, 200, r)
        return r.json["versions"]

    def assert_clean(self, text, where):
        for secret in SECRETS:
            self.assertNotIn(secret, text, where)

    def test_comments_and_reason_are_sealed_everywhere(self):
        s = self.s
        # A plan keeps its comment in the clear, as before.
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2029), "off11")
        self.assertEqual(r.status, 201, r)
        r = s.act("plan/KZ-11/2029", "submit", "off11", r.header("ETag"))
        r = s.act("plan/KZ-11/2029", "return", "appr1", r.header("ETag"), comment=PLAN_COMMENT)
        self.assertEqual(r.status, 200, r)

        r = s.post("/api/v1/documents", case_body(), "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        r = s.act(cid, "start-review", "off11", r.header("ETag"), comment=COMMENT + "\r\n")
        self.assertEqual(r.status, 200, r)
        etag = r.header("ETag")

        # The case's readers see the comment in its history (the server opens it).
        for user in ("chair11", "off11", "aud"):
            h = self.history(cid, user)
            self.assertEqual(h[0]["action"], "start-review")
            self.assertEqual(h[0]["comment"], COMMENT, user)
        before = self.history(cid)
        # In git: no body, a Kenes-Note naming the sealed <id>.note of the same commit.
        msg = git(s.cases_git, "log", "-1", "--format=%B", "main")
        self.assertNotIn("QZX417", msg)
        note_id = git(s.cases_git, "log", "-1",
                      "--format=%(trailers:key=Kenes-Note,valueonly,separator=)", "main").strip()
        self.assertRegex(note_id, r"^[0-9a-f]{40}$")
        self.assertEqual(git(s.cases_git, "rev-parse", f"main:{doc_path(cid, '.note')}").strip(), note_id)
        sealed = subprocess.run(["git", "-C", s.cases_git, "cat-file", "blob", note_id],
                                capture_output=True, check=True).stdout
        self.assertTrue(sealed.startswith(b"KENESENC1\n"), sealed[:20])
        # Plans are not sealed.
        self.assertIn(PLAN_COMMENT, git(s.docs_git, "log", "-1", "--format=%B", "main"))
        plan_h = s.get("/api/v1/documents/plan/KZ-11/2029/history", "aud").json["versions"]
        self.assertEqual(plan_h[0]["comment"], PLAN_COMMENT)

        # The same history from the journal after a restart ...
        self.restart()
        self.assertEqual(self.history(cid), before)
        # ... from git when the journal lost its last line (a crash) ...
        self.stop()
        journal = os.path.join(s.data, "index", "cases.jsonl")
        with open(journal) as f:
            lines = f.read().splitlines(True)
        with open(journal, "w") as f:
            f.writelines(lines[:-1])
        s.start()
        s.tokens.clear()
        self.assertEqual(self.history(cid), before)
        self.assertEqual(journal_facts(journal), journal_facts_of(lines))
        # ... and after kenes reindex; verify finds nothing wrong.
        self.stop()
        code, out, err = run_cli("reindex", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        self.assertEqual(journal_facts(journal), journal_facts_of(lines))
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        s.start()
        s.tokens.clear()
        self.assertEqual(self.history(cid), before)

        # A blank reason is refused and nothing is written.
        n = commit_count(s.cases_git)
        r = s.request("DELETE", "/api/v1/documents/" + cid, {"reason": " \r\n "},
                      token=s.token("adm"), headers={"If-Match": etag})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(commit_count(s.cases_git), n)

        mark = len(s.transcript)
        r = s.request("DELETE", "/api/v1/documents/" + cid, {"reason": REASON},
                      token=s.token("adm"), headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(commit_count(s.cases_git), n + 1)
        self.assertIn("Kenes-Note: ", git(s.cases_git, "log", "-1", "--format=%B", "main"))

        # After erasure: who, when, which step and stages; nothing typed.
        def typed_free(h):
            self.assertEqual(len(h), len(before) + 1)
            self.assertEqual(h[0]["action"], "erase")
            for v in h:
                self.assertIsNone(v.get("comment"), v)
                for key in ("commit", "time", "author", "action", "to", "role"):
                    self.assertIn(key, v)
            self.assertEqual([(v["time"], v["author"], v["action"], v.get("from"), v["to"])
                              for v in h[1:]],
                             [(v["time"], v["author"], v["action"], v.get("from"), v["to"])
                              for v in before])
        typed_free(self.history(cid, "aud"))
        self.assertEqual(s.get(f"/api/v1/documents/{cid}/dossier.zip", "aud").status, 410)
        self.restart()
        after = self.history(cid, "aud")
        typed_free(after)
        self.stop()
        code, out, err = run_cli("reindex", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        s.start()
        s.tokens.clear()
        self.assertEqual(self.history(cid, "aud"), after)

        # Every other answer, to everyone.
        for user in ("off11", "off15", "chair11", "rev1", "aud", "adm"):
            for path in ("/api/v1/documents", "/api/v1/inbox", "/api/v1/me",
                         "/api/v1/documents?at=2099-01-01T00:00:00Z"):
                s.get(path, user)
        for path in ("/api/v1/audit?limit=500", "/api/v1/audit/access", f"/api/v1/audit?type=case-review",
                     "/api/v1/documents/" + cid, f"/api/v1/documents/{cid}/diff",
                     f"/api/v1/documents/{cid}/versions/{before[0]['commit']}"):
            s.get(path, "aud")
        r = s.request("POST", "/api/v1/reports/generate", token=s.token("adm"))
        self.assertLess(r.status, 300, r)
        for path in ("/reports/", "/reports/cases.md", "/reports/national.md",
                     "/reports/regions/KZ-11.md", "/reports/cases", "/public/" + cid):
            s.request("GET", path)
        for i, (method, path, status, raw) in enumerate(s.transcript):
            if i < mark and path.startswith(f"/api/v1/documents/{cid}/"):
                continue  # the case's own answers to its readers, before erasure
            self.assert_clean(raw, f"{method} {path} {status}")

        # Nothing at rest: both repositories' objects, the index, the logs.
        self.stop()
        for repo in (s.cases_git, s.docs_git):
            blob = all_objects(repo).decode("utf-8", "replace")
            self.assert_clean(blob, repo)
        self.assertIn(PLAN_COMMENT, all_objects(s.docs_git).decode("utf-8", "replace"))
        index_dir = os.path.join(s.data, "index")
        for name in os.listdir(index_dir):
            with open(os.path.join(index_dir, name), "rb") as f:
                self.assert_clean(f.read().decode("utf-8", "replace"), name)
        with open(os.path.join(s.data, "access.log")) as f:
            self.assert_clean(f.read(), "access.log")
        with open(s.log_path, "rb") as f:
            self.assert_clean(f.read().decode("utf-8", "replace"), "the server's stderr")
        self.assert_clean(self.out, "the server's stdout")
        for repo in (s.cases_git, s.docs_git):
            fsck = subprocess.run(["git", "-C", repo, "fsck", "--strict"], capture_output=True, text=True)
            self.assertEqual(fsck.returncode, 0, fsck.stderr)

    def test_verify_finds_a_replaced_note(self):
        """Kenes-Note binds the sealed note: another blob at <id>.note (a note put
        back from an older commit, or made up) is a fault, judged from the trailers."""
        s = self.s
        r = s.post("/api/v1/documents", case_body(), "off11")
        cid = r.json["id"]
        r = s.act(cid, "start-review", "off11", r.header("ETag"), comment=COMMENT)
        self.assertEqual(r.status, 200, r)
        self.stop()
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        # Rewrite the tip with another note blob but the same message (unsigned, as a
        # forger would; the Kenes-Note no longer matches the tree).
        repo = s.cases_git
        env = dict(os.environ, GIT_INDEX_FILE=os.path.join(s.tmp, "forged-index"))
        fake = subprocess.run(["git", "-C", repo, "hash-object", "-w", "--stdin"], input=b"KENESENC1\nforged",
                              capture_output=True, check=True).stdout.decode().strip()
        subprocess.run(["git", "-C", repo, "read-tree", "main"], env=env, check=True)
        subprocess.run(["git", "-C", repo, "update-index", "--add", "--cacheinfo", f"100644,{fake},{doc_path(cid, '.note')}"],
                       env=env, check=True)
        tree = subprocess.run(["git", "-C", repo, "write-tree"], env=env, capture_output=True,
                              check=True, text=True).stdout.strip()
        msg = git(repo, "log", "-1", "--format=%B", "main")
        parent = git(repo, "rev-parse", "main~1").strip()
        forged = subprocess.run(["git", "-C", repo, "commit-tree", tree, "-p", parent],
                                input=msg, capture_output=True, check=True, text=True,
                                env=dict(os.environ, GIT_AUTHOR_NAME="off11",
                                         GIT_AUTHOR_EMAIL="off11@users.kenes",
                                         GIT_COMMITTER_NAME="kenes",
                                         GIT_COMMITTER_EMAIL="kenes@localhost")).stdout.strip()
        git(repo, "update-ref", "refs/heads/main", forged)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn("sealed note is not the blob Kenes-Note names", out)


if __name__ == "__main__":
    unittest.main()
