"""Commission rosters: the widened roster's rules, its 7-day deadline, git."""
import copy
import subprocess
import unittest

from kenes_harness import ServerTest, commit_count, git, roster_body, roster_member, walk_chain


class Roster(ServerTest):
    # The clock is fixed: 12 February 2026, after the national order's week ran out.
    env = {"KENES_NOW": "2026-02-12T09:00:00Z"}

    def setUp(self):
        self.before = commit_count(self.srv.docs_git)

    def test_full_workflow_with_git(self):
        s = self.srv
        r = s.post("/api/v1/documents", roster_body(order_date="2026-02-10"), "off11")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["id"], "roster/KZ-11/2026-02")
        # Due when the national order's term ends (content/orders.yaml:
        # 31 January + 7 days), not 7 days after the date the region typed.
        self.assertEqual(r.json["due"], "2026-02-07T00:00:00Z")
        self.assertTrue(r.json["overdue"])
        rid = "roster/KZ-11/2026-02"
        r = s.act(rid, "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["due"], "2026-02-07T00:00:00Z")  # the akimat is late too
        r = s.act(rid, "return", "appr1", r.header("ETag"), comment="Нужен представитель НПО из района")
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        body = roster_body(order_date="2026-02-10")
        body["fields"]["members"].append(roster_member("Омарова Сауле", "member", "ngo"))
        r = s.put("/api/v1/documents/" + rid, {"fields": body["fields"]}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = walk_chain(s, rid, r.header("ETag"), until="ministry-agreement")
        self.assertEqual(r.json["due"], "2026-02-07T00:00:00Z")  # and the ministry
        r = s.act(rid, "agree", "rev1", r.header("ETag"))
        r = s.act(rid, "agree", "rev2", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "in-force")
        self.assertIsNone(r.json["due"])  # met: no deadline applies any more
        self.assertEqual(commit_count(s.docs_git), self.before + 8)
        log = git(s.docs_git, "log", "-8", "--format=%an|%s|%(trailers:key=Kenes-Stage,valueonly)", "main")
        lines = [l for l in log.splitlines() if l.strip()]
        self.assertEqual(lines[0], "rev2|Agree commission roster KZ-11 2026-02|ministry-agreement -> in-force")
        self.assertEqual(lines[2], "appr1|Approve commission roster KZ-11 2026-02|"
                                   "regional-approval -> ministry-agreement")
        self.assertEqual(lines[-1], "off11|Create commission roster KZ-11 2026-02|draft")
        fsck = subprocess.run(["git", "-C", s.docs_git, "fsck", "--strict"], capture_output=True, text=True)
        self.assertEqual(fsck.returncode, 0, fsck.stderr)
        shown = git(s.docs_git, "show", f"main:{rid}.md")
        self.assertIn("Омарова Сауле", shown)  # members are adults in a public role

    def test_overdue_after_seven_days(self):
        s = self.srv
        # A later order_date moves nothing: one national date for every region.
        r = s.post("/api/v1/documents", roster_body(region="KZ-15", order_date="2026-02-11"), "off15")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["due"], "2026-02-07T00:00:00Z")
        self.assertTrue(r.json["overdue"])
        r = s.get("/api/v1/documents/roster/KZ-15/2026-02", "aud")
        self.assertTrue(r.json["overdue"])
        entry = [d for d in s.get("/api/v1/documents?type=commission-roster", "aud").json["documents"]
                 if d["id"] == "roster/KZ-15/2026-02"][0]
        self.assertTrue(entry["overdue"])
        self.assertEqual(entry["due"], "2026-02-07T00:00:00Z")

    def paths(self, body, user="off11"):
        r = self.srv.post("/api/v1/documents", body, user)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["code"], "validation")
        self.assertEqual(commit_count(self.srv.docs_git), self.before)
        return [f["path"] for f in r.json["error"]["fields"]]

    def members(self):
        return copy.deepcopy(roster_body()["fields"]["members"])

    def test_rule_exactly_one_chair(self):
        m = self.members()
        m[1]["role"] = "chair"
        self.assertIn("fields.members[1].role", self.paths(roster_body(order_date="2026-03-01", members=m)))
        m = self.members()
        m[0]["role"] = "member"
        self.assertIn("fields.members", self.paths(roster_body(order_date="2026-03-01", members=m)))

    def test_rule_secretary(self):
        m = self.members()
        m[2]["role"] = "member"
        self.assertIn("fields.members", self.paths(roster_body(order_date="2026-03-01", members=m)))

    def test_rule_widened_categories(self):
        for i, cat in ((3, "expert-community"), (4, "parents-organisation"), (5, "ngo"), (6, "public-council")):
            m = self.members()
            m[i]["category"] = "education"
            r = self.srv.post("/api/v1/documents", roster_body(order_date="2026-03-01", members=m), "off11")
            self.assertEqual(r.status, 422, r)
            msgs = [f["message"] for f in r.json["error"]["fields"] if f["path"] == "fields.members"]
            self.assertTrue(any(cat in msg for msg in msgs), (cat, r.json))

    def test_rule_no_person_twice(self):
        m = self.members()
        m.append(roster_member("  серикова айжан ", "member", "health"))
        self.assertIn("fields.members[7].full_name",
                      self.paths(roster_body(order_date="2026-03-01", members=m)))

    def test_rule_category_and_role_values(self):
        m = self.members()
        m[3]["category"] = "friends"
        self.assertIn("fields.members[3].category", self.paths(roster_body(order_date="2026-03-01", members=m)))
        m = self.members()
        m[4]["role"] = "boss"
        self.assertIn("fields.members[4].role", self.paths(roster_body(order_date="2026-03-01", members=m)))
        m = self.members()
        del m[5]["organisation"]
        self.assertIn("fields.members[5].organisation", self.paths(roster_body(order_date="2026-03-01", members=m)))

    def test_rule_order_date(self):
        body = roster_body()
        body["fields"]["order_date"] = "2026-02-30"
        self.assertIn("fields.order_date", self.paths(body))

    def test_approve_needs_the_act(self):
        s = self.srv
        r = s.post("/api/v1/documents", roster_body(region="KZ-71", order_date="2026-02-03"), "adm")
        self.assertEqual(r.status, 201, r)
        r = s.act("roster/KZ-71/2026-02", "submit", "adm", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        # The admin acts for the akimat here (the harness has no approver of KZ-71).
        g = s.act("roster/KZ-71/2026-02", "approve", "adm", r.header("ETag"))
        self.assertEqual(g.status, 422, g)
        self.assertEqual(g.json["error"]["code"], "guard")
        self.assertEqual(commit_count(s.docs_git), self.before + 2)

if __name__ == "__main__":
    unittest.main()
