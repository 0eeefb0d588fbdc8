"""Validation problems and guard refusals carry a code (kenes/plugin.h's
error_code) beside the path and the English message, and every code the
server answers with has its sentence in content/ui/strings/validation.yaml,
which the web interface shows beside the input.  A refusal writes nothing."""
import os
import re
import unittest

from kenes_harness import SOURCE, ServerTest, commit_count, plan_body, roster_body, roster_member

def worded_codes():
    path = os.path.join(SOURCE, "content", "ui", "strings", "validation.yaml")
    with open(path, encoding="utf-8") as f:
        return set(re.findall(r"^([a-z][a-z0-9_]*):\s*$", f.read(), re.M))


class ValidationCodes(ServerTest):
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.words = worded_codes()

    def setUp(self):
        self.before = (commit_count(self.srv.docs_git), commit_count(self.srv.cases_git))

    def tearDown(self):
        self.assertEqual((commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)),
                         self.before, "a refused request wrote a commit")

    def problems(self, r, reason="validation"):
        """{path: [code, ...]} of a 422 answer, each code worded."""
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["code"], reason, r)
        out = {}
        for p in r.json["error"]["fields"]:
            self.assertEqual(set(p), {"path", "code", "message"}, p)
            self.assertIn(p["code"], self.words, p)
            self.assertTrue(p["message"], p)
            out.setdefault(p["path"], []).append(p["code"])
        return out

    def plan(self, **changes):
        body = plan_body(region="KZ-11", period=2027, act=False)
        for key, value in changes.items():
            body["fields"][key] = value
        return self.problems(self.srv.post("/api/v1/documents", body, "off11"))

    def test_period(self):
        self.assertEqual(self.plan(period=2031)["fields.period"], ["period_out_of_range"])
        self.assertEqual(self.plan(period="2027")["fields.period"], ["not_integer"])
        body = plan_body(region="KZ-11", period=2027)
        del body["fields"]["period"]
        p = self.problems(self.srv.post("/api/v1/documents", body, "off11"))
        self.assertEqual(p["fields.period"], ["required"])

    def test_measures(self):
        measures = plan_body(period=2027)["fields"]["measures"]
        measures[2]["direction"] = "sport"
        measures[0]["deadline"] = "soon"
        measures[1]["funding"]["amount_kzt"] = -5
        measures[3]["colour"] = "red"
        measures[3]["title"] = "  "
        p = self.plan(measures=measures)
        self.assertEqual(p["fields.measures[2].direction"], ["not_in_list"])
        self.assertEqual(p["fields.measures[0].deadline"], ["not_date_or_quarter"])
        self.assertEqual(p["fields.measures[1].funding.amount_kzt"], ["not_amount"])
        self.assertEqual(p["fields.measures[3].colour"], ["unknown_key"])
        self.assertEqual(p["fields.measures[3].title"], ["blank"])
        # The health measure lost its direction: the plan lacks one.
        self.assertEqual(p["fields.measures"], ["direction_missing"])

    def test_header(self):
        body = plan_body(region="KZ-99", period=2027)
        body["title"] = "я" * 201
        p = self.problems(self.srv.post("/api/v1/documents", body, "adm"))
        self.assertEqual(p["region"], ["not_in_list"])
        self.assertEqual(p["title"], ["too_long"])
        body = plan_body(period=2027)
        body["fields"] = "period=2027"
        p = self.problems(self.srv.post("/api/v1/documents", body, "off11"))
        self.assertEqual(p["fields"], ["not_object"])

    def test_roster(self):
        members = [roster_member("Серикова Айжан", "chair", "state-body"),
                   roster_member("Ким Олег", "chair", "law-enforcement"),
                   roster_member("серикова  айжан", "secretary", "ngo")]
        p = self.problems(self.srv.post("/api/v1/documents", roster_body(members=members),
                                        "off11"))
        self.assertEqual(p["fields.members[1].role"], ["chair_twice"])
        self.assertEqual(p["fields.members[2].full_name"], ["duplicate_member"])
        self.assertEqual(p["fields.members"], ["category_missing"] * 3)

    def test_case(self):
        body = {"type": "case-review", "region": "KZ-11", "body": "",
                "fields": {"child": {"pseudonym": "a b", "full_name": "Айгерим Нурланова",
                                     "birth_date": "2030-01-01"},
                           "grounds": ["flying", "flying"]}}
        p = self.problems(self.srv.post("/api/v1/documents", body, "off11"))
        self.assertEqual(p["fields.child.pseudonym"], ["pseudonym_form"])
        self.assertEqual(p["fields.child.birth_date"], ["date_not_past"])
        self.assertEqual(p["fields.grounds[0]"], ["not_in_list"])
        body["fields"]["grounds"] = []
        p = self.problems(self.srv.post("/api/v1/documents", body, "off11"))
        self.assertEqual(p["fields.grounds"], ["too_few"])

    def test_guards(self):
        """A guard's refusal: one problem at path "" with the guard's code."""
        s = self.srv
        r = s.post("/api/v1/documents", plan_body(region="KZ-11", period=2029, act=False), "off11")
        self.assertEqual(r.status, 201, r)
        r = s.act("plan/KZ-11/2029", "submit", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.before = (self.before[0] + 2, self.before[1])
        etag = r.header("ETag")
        # The akimat approves with its resolution, or not at all.
        p = self.problems(s.act("plan/KZ-11/2029", "approve", "appr1", etag), "guard")
        self.assertEqual(p, {"": ["act_missing"]})
        p = self.problems(s.act("plan/KZ-11/2029", "return", "appr1", etag, comment=" "), "guard")
        self.assertEqual(p, {"": ["comment_required"]})


if __name__ == "__main__":
    unittest.main()
