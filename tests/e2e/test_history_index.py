"""The history journal: written with every commit, read at start, checked by
verify, rebuilt by reindex; a rewritten main stops serve."""
import json
import os
import subprocess
import unittest

from kenes_harness import Server, commit_count, git, plan_body, run_cli


class HistoryIndex(unittest.TestCase):
    def setUp(self):
        self.s = Server()
        self.s.start()
        s = self.s
        for region in ("KZ-11", "KZ-15"):
            r = s.post("/api/v1/documents", plan_body(region=region), "adm")
            self.assertEqual(r.status, 201, r)
            r = s.act(f"plan/{region}/2026", "submit", "adm", r.header("ETag"))
            self.assertEqual(r.status, 200, r)
        self.history = s.get("/api/v1/documents/plan/KZ-11/2026/history", "aud").json
        self.assertEqual(s.stop(), 0)
        self.journal = os.path.join(s.data, "index", "documents.jsonl")

    def tearDown(self):
        self.s.cleanup()

    def lines(self):
        with open(self.journal) as f:
            return [json.loads(l) for l in f if l.strip()]

    def test_journal_matches_git_and_serves_history(self):
        s = self.s
        commits = git(s.docs_git, "rev-list", "--reverse", "main").split()
        self.assertEqual([l["commit"] for l in self.lines()], commits)
        self.assertEqual(self.lines()[0]["action"], "create")
        s.start()
        s.tokens.clear()
        self.assertEqual(s.get("/api/v1/documents/plan/KZ-11/2026/history", "aud").json, self.history)
        s.stop()
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)

    def test_a_line_lost_in_a_crash_is_recovered(self):
        s = self.s
        with open(self.journal) as f:
            text = f.read().splitlines(keepends=True)
        with open(self.journal, "w") as f:
            f.write("".join(text[:-1]) + text[-1][:20])  # the last line cut short
        s.start()
        s.tokens.clear()
        self.assertEqual(s.get("/api/v1/documents/plan/KZ-11/2026/history", "aud").json, self.history)
        s.stop()
        self.assertEqual(len(self.lines()), commit_count(s.docs_git))
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)

    def test_rewritten_main_stops_serve_until_reindex(self):
        s = self.s
        last = git(s.docs_git, "rev-parse", "main").strip()
        git(s.docs_git, "update-ref", "refs/heads/main", "main~1")
        code = s.start(expect_fail=True)
        self.assertEqual(code, 1)
        log = s.read_log()
        self.assertIn("no longer contains commit " + last, log)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn(last, out)
        code, out, err = run_cli("reindex", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        self.assertIn("documents.git: 3 commits indexed", out)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        s.start()
        s.tokens.clear()
        r = s.get("/api/v1/documents/plan/KZ-15/2026", "aud")
        self.assertEqual(r.json["stage"], "draft")  # its submit is no longer in main

    def test_a_comment_as_typed_keeps_its_commit_readable(self):
        """A browser sends "\r\n"; a reviewer may draw a "---" line, where git
        would stop reading the message and lose the trailers after it."""
        s = self.s
        s.start()
        s.tokens.clear()
        etag = s.get("/api/v1/documents/plan/KZ-11/2026", "appr1").header("ETag")
        typed = "Таблица мер:\r\n---\r\n| мера | срок |\r\n  --- \r\nИсправьте.\r\n\r\n"
        r = s.act("plan/KZ-11/2026", "return", "appr1", etag, comment=typed)
        self.assertEqual(r.status, 200, r)
        kept = "Таблица мер:\n---\n| мера | срок |\n  --- \nИсправьте."
        history = s.get("/api/v1/documents/plan/KZ-11/2026/history", "aud").json
        self.assertEqual(history["versions"][0]["comment"], kept)
        self.assertEqual(s.stop(), 0)
        # The plain git command still finds every trailer.
        trailers = git(s.docs_git, "log", "-1", "--format=%(trailers:only,unfold)", "main")
        self.assertIn("Kenes-Action: return\n", trailers)
        self.assertIn("Kenes-Stage: regional-approval -> draft\n", trailers)
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        code, out, err = run_cli("reindex", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        s.start()
        s.tokens.clear()
        self.assertEqual(s.get("/api/v1/documents/plan/KZ-11/2026/history", "aud").json, history)
        s.stop()

    def test_a_file_changed_outside_kenes_is_not_served(self):
        """Start-up reads each document from main's one tree only while every
        commit in main is one of ours.  A commit made with the git command
        that edits a document (kept by an admin with kenes accept) must not
        put its text into the served document: that is read at the
        document's own latest version, and the journal records the foreign
        commit."""
        s = self.s
        clone = os.path.join(s.tmp, "clone")
        subprocess.run(["git", "clone", "-q", "-b", "main", s.docs_git, clone], check=True,
                       capture_output=True, timeout=120)
        path = os.path.join(clone, "plan/KZ-11/2026.md")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\nДописано в обход сервера.\n")
        subprocess.run(["git", "-C", clone, "-c", "user.name=x", "-c", "user.email=x@x", "commit",
                        "-q", "-a", "-m", "edit behind the server"], check=True, capture_output=True)
        subprocess.run(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"], check=True,
                       capture_output=True, timeout=120)
        foreign = git(clone, "rev-parse", "HEAD").strip()
        code, out, err = run_cli("accept", "--data", s.data, foreign)
        self.assertEqual(code, 0, out + err)
        s.start()
        self.assertIn({"commit": foreign, "foreign": True}, self.lines())
        s.tokens.clear()
        doc = s.get("/api/v1/documents/plan/KZ-11/2026", "aud")
        self.assertNotIn("в обход сервера", doc.json["body"])
        self.assertEqual(doc.header("ETag"), '"%s"' % self.history["versions"][0]["commit"])
        self.assertIn("commits made outside kenes", s.read_log())
        s.stop()
        # verify waives the accepted commit's faults; its journal line is no fault.
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 0, out + err)
        self.assertIn("accepted (kenes accept), not counted", out)
        self.assertNotIn("journal", out)

    def test_verify_finds_an_edited_journal(self):
        s = self.s
        lines = self.lines()
        lines[1]["author"] = "someone-else"
        with open(self.journal, "w") as f:
            f.write("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines))
        code, out, err = run_cli("verify", "--data", s.data)
        self.assertEqual(code, 1, out + err)
        self.assertIn("journal differs from git at " + lines[1]["commit"], out)


if __name__ == "__main__":
    unittest.main()
