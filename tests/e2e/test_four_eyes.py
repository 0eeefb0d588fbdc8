"""Four eyes: two distinct reviewers who did not write the text approve a
plan; each approval is a commit naming the exact text it approves."""
import unittest

from kenes_harness import ServerTest, commit_count, git, plan_body, roster_body


class FourEyes(ServerTest):
    def submitted_plan(self, region, period, author="adm"):
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region=region, period=period), author)
        self.assertEqual(r.status, 201, r)
        r = s.act(f"plan/{region}/{period}", "submit", author, r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        return f"plan/{region}/{period}", r.header("ETag")

    def test_author_cannot_approve(self):
        s = self.srv
        pid, etag = self.submitted_plan("KZ-19", 2026, author="adm")
        before = commit_count(s.docs_git)
        r = s.act(pid, "approve", "adm", etag)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["error"]["code"], "author_cannot_approve")
        self.assertEqual(commit_count(s.docs_git), before)

    def test_one_approval_is_not_enough_and_two_distinct_are(self):
        s = self.srv
        pid, etag = self.submitted_plan("KZ-23", 2026)
        r = s.act(pid, "approve", "rev1", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "ministry-review")
        before = commit_count(s.docs_git)
        again = s.act(pid, "approve", "rev1", r.header("ETag"))
        self.assertEqual(again.status, 409, again)
        self.assertEqual(again.json["error"]["code"], "already_approved")
        self.assertEqual(commit_count(s.docs_git), before)
        r = s.act(pid, "approve", "rev2", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "approved")
        # Both approvals are in git, with the count and the exact text approved.
        log = git(s.docs_git, "log", "-2", "--format=%H|%an|%(trailers:key=Kenes-Approval,valueonly,separator=)|"
                  "%(trailers:key=Kenes-Content,valueonly,separator=)|%(trailers:key=Kenes-Stage,valueonly,separator=)",
                  "main")
        (c2, a2, n2, b2, st2), (c1, a1, n1, b1, st1) = [l.split("|") for l in log.splitlines() if l]
        self.assertEqual((a1, n1, st1), ("rev1", "1/2", "ministry-review -> ministry-review"))
        self.assertEqual((a2, n2, st2), ("rev2", "2/2", "ministry-review -> approved"))
        reviewed = git(s.docs_git, "rev-parse", f"{c1}^:{pid}.md").strip()
        self.assertEqual(b1, reviewed)
        self.assertEqual(b2, reviewed)  # both approved the same text

    def test_a_return_and_edit_void_earlier_approvals(self):
        s = self.srv
        pid, etag = self.submitted_plan("KZ-27", 2026, author="adm")
        r = s.act(pid, "approve", "rev1", etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(pid, "return", "rev2", r.header("ETag"), comment="Исправьте показатели")
        self.assertEqual(r.status, 200, r)
        body = plan_body(region="KZ-27", period=2026)
        body["fields"]["local_specifics"] = "Исправлено после возврата."
        r = s.put(f"/api/v1/documents/{pid}", {"fields": body["fields"]}, "adm", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(pid, "submit", "adm", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        # rev1's first approval no longer counts: this one is 1 of 2 again.
        r = s.act(pid, "approve", "rev1", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "ministry-review")
        h = s.get(f"/api/v1/documents/{pid}/history", "aud").json["versions"]
        self.assertEqual(h[0]["approval"], "1/2")
        r = s.act(pid, "approve", "rev2", r.header("ETag"))
        self.assertEqual(r.json["stage"], "approved", r)

    def test_an_approver_who_edited_cannot_approve(self):
        s = self.srv
        # The admin approves once; after a return the admin edits the text:
        # from then on the admin authored this round and may not approve it.
        pid, etag = self.submitted_plan("KZ-31", 2026)
        r = s.act(pid, "approve", "rev1", etag)
        r = s.act(pid, "return", "rev2", r.header("ETag"), comment="Доработать")
        body = plan_body(region="KZ-31", period=2026)
        body["title"] = "План KZ-31, исправленный"
        r = s.put(f"/api/v1/documents/{pid}", {"title": body["title"]}, "adm", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(pid, "submit", "adm", r.header("ETag"))
        g = s.act(pid, "approve", "adm", r.header("ETag"))
        self.assertEqual(g.status, 403, g)
        self.assertEqual(g.json["error"]["code"], "author_cannot_approve")

    def test_an_admins_approval_does_not_count(self):
        # Admins may act in every role, but they are nobody's second pair of eyes.
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-15", period=2027), "off15")
        self.assertEqual(r.status, 201, r)
        pid = "plan/KZ-15/2027"
        r = s.act(pid, "submit", "off15", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        etag = r.header("ETag")
        before = commit_count(s.docs_git)
        g = s.act(pid, "approve", "adm", etag)
        self.assertEqual(g.status, 403, g)
        self.assertEqual(g.json["error"]["code"], "admin_cannot_approve")
        self.assertEqual(commit_count(s.docs_git), before)
        # Two reviewers still make the quorum, and the admin's try counted for nothing.
        r = s.act(pid, "approve", "rev1", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "ministry-review"), r)
        g = s.act(pid, "approve", "adm", r.header("ETag"))
        self.assertEqual(g.json["error"]["code"], "admin_cannot_approve", g)
        r = s.act(pid, "approve", "rev2", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "approved"), r)

    def test_roster_needs_one_reviewer(self):
        s = self.srv
        r = s.post("/api/v1/documents", roster_body(region="KZ-33"), "adm")
        self.assertEqual(r.status, 201, r)
        r = s.act("roster/KZ-33/2026-02", "submit", "adm", r.header("ETag"))
        self.assertEqual(s.act("roster/KZ-33/2026-02", "approve", "adm", r.header("ETag")).status, 403)
        r = s.act("roster/KZ-33/2026-02", "approve", "rev1", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "approved")
        msg = git(s.docs_git, "log", "-1", "--format=%B", "main")
        self.assertIn("Kenes-Approval: 1/1", msg)
        self.assertIn("Kenes-Content: ", msg)


if __name__ == "__main__":
    unittest.main()
