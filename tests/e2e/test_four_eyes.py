"""Four eyes: two distinct ministry reviewers who did not write the text
agree to a plan or roster the akimat approved; each agreement is a commit
naming the exact text it agrees to."""
import unittest

from kenes_harness import (APPROVERS, ServerTest, commit_count, git, plan_body, roster_body,
                           walk_chain)


class FourEyes(ServerTest):
    def agreeing(self, doc_id, etag, author):
        """doc_id, sent by author to the akimat and approved there (by the
        region's approver, or the admin acting for the akimat where the
        harness has none): the version awaiting the ministry's agreement."""
        region = doc_id.split("/")[1]
        r = walk_chain(self.srv, doc_id, etag, official=author,
                       approver=APPROVERS.get(region, "adm"), until="ministry-agreement")
        return r.header("ETag")

    def submitted_plan(self, region, period, author="adm"):
        r = self.srv.post("/api/v1/documents", plan_body(region=region, period=period), author)
        self.assertEqual(r.status, 201, r)
        pid = f"plan/{region}/{period}"
        return pid, self.agreeing(pid, r.header("ETag"), author)

    def test_author_cannot_agree(self):
        s = self.srv
        pid, etag = self.submitted_plan("KZ-19", 2026, author="adm")
        before = commit_count(s.docs_git)
        r = s.act(pid, "agree", "adm", etag)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["error"]["code"], "author_cannot_approve")
        self.assertEqual(commit_count(s.docs_git), before)

    def test_one_agreement_is_not_enough_and_two_distinct_are(self):
        s = self.srv
        pid, etag = self.submitted_plan("KZ-23", 2026)
        r = s.act(pid, "agree", "rev1", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "ministry-agreement")
        before = commit_count(s.docs_git)
        again = s.act(pid, "agree", "rev1", r.header("ETag"))
        self.assertEqual(again.status, 409, again)
        self.assertEqual(again.json["error"]["code"], "already_approved")
        self.assertEqual(commit_count(s.docs_git), before)
        r = s.act(pid, "agree", "rev2", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "in-force")
        # Both agreements are in git, with the count and the exact text agreed to.
        log = git(s.docs_git, "log", "-2", "--format=%H|%an|%(trailers:key=Kenes-Approval,valueonly,separator=)|"
                  "%(trailers:key=Kenes-Content,valueonly,separator=)|%(trailers:key=Kenes-Stage,valueonly,separator=)",
                  "main")
        (c2, a2, n2, b2, st2), (c1, a1, n1, b1, st1) = [l.split("|") for l in log.splitlines() if l]
        self.assertEqual((a1, n1, st1), ("rev1", "1/2", "ministry-agreement -> ministry-agreement"))
        self.assertEqual((a2, n2, st2), ("rev2", "2/2", "ministry-agreement -> in-force"))
        reviewed = git(s.docs_git, "rev-parse", f"{c1}^:{pid}.md").strip()
        self.assertEqual(b1, reviewed)
        self.assertEqual(b2, reviewed)  # both agreed to the same text (the akimat's act in it)
        self.assertIn("№ 15", git(s.docs_git, "show", f"{c1}^:{pid}.md"))

    def test_a_return_and_edit_void_earlier_agreements(self):
        s = self.srv
        pid, etag = self.submitted_plan("KZ-27", 2026, author="adm")
        r = s.act(pid, "agree", "rev1", etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(pid, "return", "rev2", r.header("ETag"), comment="Исправьте показатели")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        fields = r.json["fields"]
        fields["local_specifics"] = "Исправлено после возврата."
        r = s.put(f"/api/v1/documents/{pid}", {"fields": fields}, "adm", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        etag = self.agreeing(pid, r.header("ETag"), "adm")
        # rev1's first agreement no longer counts: this one is 1 of 2 again.
        r = s.act(pid, "agree", "rev1", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "ministry-agreement")
        h = s.get(f"/api/v1/documents/{pid}/history", "aud").json["versions"]
        self.assertEqual(h[0]["approval"], "1/2")
        r = s.act(pid, "agree", "rev2", r.header("ETag"))
        self.assertEqual(r.json["stage"], "in-force", r)

    def test_a_reviewer_who_edited_cannot_agree(self):
        s = self.srv
        # rev1 agrees once; after a return the admin edits the text: from then
        # on the admin authored this round and may not agree to it.
        pid, etag = self.submitted_plan("KZ-31", 2026)
        r = s.act(pid, "agree", "rev1", etag)
        r = s.act(pid, "return", "rev2", r.header("ETag"), comment="Доработать")
        r = s.put(f"/api/v1/documents/{pid}", {"title": "План KZ-31, исправленный"}, "adm",
                  r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        etag = self.agreeing(pid, r.header("ETag"), "adm")
        g = s.act(pid, "agree", "adm", etag)
        self.assertEqual(g.status, 403, g)
        self.assertEqual(g.json["error"]["code"], "author_cannot_approve")

    def test_an_admins_agreement_does_not_count(self):
        # Admins may act in every role, but they are nobody's second pair of eyes.
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-15", period=2027), "off15")
        self.assertEqual(r.status, 201, r)
        pid = "plan/KZ-15/2027"
        etag = self.agreeing(pid, r.header("ETag"), "off15")
        before = commit_count(s.docs_git)
        g = s.act(pid, "agree", "adm", etag)
        self.assertEqual(g.status, 403, g)
        self.assertEqual(g.json["error"]["code"], "admin_cannot_approve")
        self.assertEqual(commit_count(s.docs_git), before)
        # Two reviewers still make the quorum, and the admin's try counted for nothing.
        r = s.act(pid, "agree", "rev1", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "ministry-agreement"), r)
        g = s.act(pid, "agree", "adm", r.header("ETag"))
        self.assertEqual(g.json["error"]["code"], "admin_cannot_approve", g)
        r = s.act(pid, "agree", "rev2", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "in-force"), r)

    def test_roster_needs_two_reviewers(self):
        s = self.srv
        r = s.post("/api/v1/documents", roster_body(region="KZ-33"), "adm")
        self.assertEqual(r.status, 201, r)
        rid = "roster/KZ-33/2026-02"
        etag = self.agreeing(rid, r.header("ETag"), "adm")
        self.assertEqual(s.act(rid, "agree", "adm", etag).status, 403)
        r = s.act(rid, "agree", "rev1", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "ministry-agreement"), r)
        r = s.act(rid, "agree", "rev2", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "in-force")
        msg = git(s.docs_git, "log", "-1", "--format=%B", "main")
        self.assertIn("Kenes-Approval: 2/2", msg)
        self.assertIn("Kenes-Content: ", msg)


if __name__ == "__main__":
    unittest.main()
