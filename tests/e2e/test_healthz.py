"""/healthz says whether each repository can take a commit (issue 16, item
6): a refs/heads/main.lock planted while serving (not at start, where it
would be cleared) turns it to 503 naming the file, until it goes; a write
refused meanwhile keeps it 503 until a batch succeeds (test_batch_failure)."""
import os
import unittest

from kenes_harness import ServerTest, commit_count, plan_body


class Healthz(ServerTest):
    def health(self):
        r = self.srv.request("GET", "/healthz")
        self.assertIsNotNone(r.json, r)
        return r

    def test_both_repositories_writable(self):
        r = self.health()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"status": "ok", "repos": {"documents": "ok", "cases": "ok"}})

    def test_a_lock_left_on_main_is_reported_while_serving(self):
        s = self.srv
        for repo, name in ((s.docs_git, "documents"), (s.cases_git, "cases")):
            lock = os.path.join(repo, "refs", "heads", "main.lock")
            with open(lock, "w") as f:
                f.write("0" * 40 + "\n")
            try:
                r = self.health()
                self.assertEqual(r.status, 503, r)
                self.assertEqual(r.json["status"], "unavailable")
                self.assertIn("refs/heads/main.lock", r.json["repos"][name])
                if name == "documents":
                    self.assertEqual(r.json["repos"]["cases"], "ok")
                if name == "documents":
                    # The write it predicts fails, and moves nothing.
                    before = commit_count(s.docs_git)
                    w = s.post("/api/v1/documents", plan_body(period=2029), "off11")
                    self.assertGreaterEqual(w.status, 500, w)
                    self.assertEqual(commit_count(s.docs_git), before)
                    self.assertEqual(s.get("/api/v1/documents/plan/KZ-11/2029", "off11").status,
                                     404)
            finally:
                os.unlink(lock)
            r = self.health()
            if name == "documents":
                # The batch that failed is reported until one succeeds.
                self.assertEqual(r.status, 503, r)
                self.assertIn("the last batch of writes failed (updating refs/heads/main)",
                              r.json["repos"]["documents"])
            else:
                self.assertEqual(r.json["repos"]["cases"], "ok")
        # Once the lock is gone, writes work again, and so does /healthz.
        w = s.post("/api/v1/documents", plan_body(period=2029), "off11")
        self.assertEqual(w.status, 201, w)
        self.assertEqual(self.health().status, 200)


if __name__ == "__main__":
    unittest.main()
