"""/healthz says whether each repository can take a commit (issue 16, item
6): a refs/heads/main.lock planted while serving (not at start, where it
would be cleared) turns it to 503 naming the file, until it goes; a write
refused meanwhile keeps it 503 until a batch succeeds (test_batch_failure)."""
import os
import threading
import unittest

from kenes_harness import ServerTest, commit_count, plan_body

WRITES_EACH = 12


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

    def test_the_writers_own_lock_is_no_fault(self):
        """8 writers at once: the writer holds main.lock for every move of
        main, and /healthz must not call that a lock left behind. Counted:
        every poll while they write answers 200."""
        s = self.srv
        errors, done = [], threading.Event()

        def writer(user, region, period):
            try:
                r = s.post("/api/v1/documents", plan_body(region, period), user)
                assert r.status == 201, r
                etag = r.header("ETag")
                for n in range(WRITES_EACH):
                    r = s.put("/api/v1/documents/plan/%s/%d" % (region, period),
                              {"body": "# План\n\nРедакция %d.\n" % n}, user, etag)
                    assert r.status == 200, r
                    etag = r.header("ETag")
            except Exception as e:  # reported below, in the test's thread
                errors.append(e)

        jobs = [("off11", "KZ-11", p) for p in (2026, 2027, 2028, 2030)]  # 2029: above
        jobs += [("off15", "KZ-15", p) for p in (2026, 2027, 2028, 2029)]
        threads = [threading.Thread(target=writer, args=j, daemon=True) for j in jobs]
        for t in threads:
            t.start()
        polls, unavailable = 0, []

        def alive():
            return any(t.is_alive() for t in threads)

        while alive() or polls < 50:
            r = self.health()
            polls += 1
            if r.status != 200:
                unavailable.append(r.json)
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(unavailable, [], "%d of %d polls" % (len(unavailable), polls))


if __name__ == "__main__":
    unittest.main()
