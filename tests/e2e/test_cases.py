"""Case reviews: one child, one case, in their own repository; who may read
them; and no child's identity anywhere outside the case itself."""
import subprocess
import unittest

from kenes_harness import USERS, ServerTest, approved_roster, commit_count, git, hold_meeting, with_commission

CHILD_NAME = "Айгерим Нурланова"
BIRTH = "2012-03-04"
ADDRESS = "ул. Абая 1, кв. 5"
SCHOOL = "Школа-гимназия №5"

USERS_C = with_commission(USERS)


def case_body(region="KZ-11", **fields):
    f = {
        "child": {"pseudonym": "K11-0042", "full_name": CHILD_NAME, "birth_date": BIRTH,
                  "address": ADDRESS, "school": SCHOOL},
        "grounds": ["bullying-victim"],
        "meeting": {"date": "2026-02-20", "participants": ["Секретарь КДН", "Школьный психолог"]},
        "decision": "Назначить сопровождающего",
        "measures": [{"what": "Встречи с психологом", "who": "Психолог школы", "due": "2099-04-30"}],
        "follow_ups": [],
    }
    f.update(fields)
    return {"type": "case-review", "region": region, "body": "# Рассмотрение\n", "fields": f}


def case_under_review(test, srv, **fields):
    """A case of KZ-11 created by off11 (case_body with fields) and taken
    into review: its id and ETag; each step must succeed."""
    r = srv.post("/api/v1/documents", case_body(**fields), "off11")
    test.assertEqual(r.status, 201, r)
    cid = r.json["id"]
    r = srv.act(cid, "start-review", "off11", r.header("ETag"))
    test.assertEqual(r.status, 200, r)
    return cid, r.header("ETag")


class Cases(ServerTest):
    users = USERS_C
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    def create(self, **fields):
        r = self.srv.post("/api/v1/documents", case_body(**fields), "off11")
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def test_every_transition_in_cases_git(self):
        s = self.srv
        approved_roster(s, "KZ-11")  # meetings judge attendance by it (documents.git)
        docs_before = commit_count(s.docs_git)
        cid, etag = self.create(measures=[{"what": "Встречи с психологом", "who": "Психолог школы",
                                           "due": "2026-03-25"}])
        self.assertRegex(cid, r"^case/KZ-11/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        r = s.act(cid, "start-review", "off11", etag)
        self.assertEqual(r.status, 200, r)
        # The chair cannot approve the plan before an accompanier is assigned.
        g = s.act(cid, "approve-plan", "chair11", r.header("ETag"))
        self.assertEqual(g.status, 422, g)
        self.assertEqual(g.json["error"]["code"], "guard")
        fields = r.json["fields"]
        fields["accompanier"] = {"name": "Оспанова Динара", "organisation": "Центр поддержки"}
        fields["follow_ups"] = [{"due": "2026-04-10", "measure": 1, "done": None, "outcome": None}]
        r = s.put("/api/v1/documents/" + cid, {"fields": fields}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        # Nor before the commission decided so at a signed meeting.
        g = s.act(cid, "approve-plan", "chair11", r.header("ETag"))
        self.assertEqual((g.status, g.json["error"]["fields"][0]["code"]), (422, "resolution_missing"), g)
        hold_meeting(s, "KZ-11", {cid: "approve-plan"}, date="2026-03-01")
        r = s.act(cid, "approve-plan", "chair11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "begin-accompaniment", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        # A follow-up due on 20 March has no outcome yet: no closure.
        fields = r.json["fields"]
        fields["follow_ups"].insert(0, {"due": "2026-03-20", "measure": 1, "done": None, "outcome": None,
                                        "next_steps": ""})
        fields["closure"] = {"reason": "goals-met", "comment": "Цели достигнуты"}
        r = s.put("/api/v1/documents/" + cid, {"fields": fields}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        g = s.act(cid, "request-closure", "off11", r.header("ETag"))
        self.assertEqual(g.status, 422, g)
        self.assertIn("follow-up", g.json["error"]["message"])
        fields["follow_ups"][0].update({"done": "2026-03-19", "outcome": "effective"})
        fields["follow_ups"][1].update({"done": "2026-03-24", "outcome": "effective"})
        r = s.put("/api/v1/documents/" + cid, {"fields": fields}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "request-closure", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        # The chair closes what a signed meeting decided to close.
        g = s.act(cid, "close", "chair11", r.header("ETag"))
        self.assertEqual((g.status, g.json["error"]["fields"][0]["code"]), (422, "resolution_missing"), g)
        hold_meeting(s, "KZ-11", {cid: "close"})
        r = s.act(cid, "close", "chair11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        g = s.act(cid, "reopen", "chair11", r.header("ETag"), comment="  ")
        self.assertEqual(g.status, 422, g)
        r = s.act(cid, "reopen", "chair11", r.header("ETag"), comment="Новые обстоятельства")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "under-review")

        # One commit per step, in cases.git; none in documents.git.
        self.assertEqual(commit_count(s.docs_git), docs_before)
        log = git(s.cases_git, "log", "--format=%an|%(trailers:key=Kenes-Action,valueonly,separator=)|"
                  "%(trailers:key=Kenes-Document,valueonly,separator=)", "main")
        mine = [l.split("|") for l in log.splitlines() if cid in l]
        self.assertEqual([m[1] for m in mine],
                         ["reopen", "close", "request-closure", "edit", "edit", "begin-accompaniment",
                          "approve-plan", "edit", "start-review", "create"])
        # The meetings' commits are in cases.git too, naming the case nowhere.
        meetings = [l for l in log.splitlines() if "meeting/KZ-11/" in l]
        self.assertEqual(len(meetings), 6)  # two meetings: create, record, sign
        self.assertEqual(mine[0][0], "chair11")
        fsck = subprocess.run(["git", "-C", s.cases_git, "fsck", "--strict"], capture_output=True, text=True)
        self.assertEqual(fsck.returncode, 0, fsck.stderr)
        everything = git(s.docs_git, "log", "--all", "-p")
        self.assertNotIn("case/", everything)
        self.assertNotIn(CHILD_NAME, everything)
        # Commit messages of cases.git carry no identity either.
        messages = git(s.cases_git, "log", "--format=%B", "main")
        for secret in (CHILD_NAME, BIRTH, ADDRESS, SCHOOL, "Нурланова"):
            self.assertNotIn(secret, messages)
        # History answers who and when, never what.
        h = s.get(f"/api/v1/documents/{cid}/history", "aud")
        self.assertEqual(h.status, 200, h)
        self.assertEqual(len(h.json["versions"]), 10)

    def test_who_may_read_a_case(self):
        s = self.srv
        cid, _ = self.create(child={"pseudonym": "K11-0100", "full_name": "Ерлан Касымов",
                                    "birth_date": "2011-01-01"})
        for user in ("off11", "chair11", "aud", "adm"):
            self.assertEqual(s.get("/api/v1/documents/" + cid, user).status, 200, user)
        for user in ("rev1", "off15", "chair15"):
            r = s.get("/api/v1/documents/" + cid, user)
            self.assertEqual(r.status, 403, (user, r))
            self.assertEqual(s.get(f"/api/v1/documents/{cid}/history", user).status, 403, user)
            listed = [d["id"] for d in s.get("/api/v1/documents", user).json["documents"]]
            self.assertNotIn(cid, listed, user)

    def test_lists_show_the_pseudonym_only(self):
        s = self.srv
        cid, _ = self.create(child={"pseudonym": "K11-0200", "full_name": "Дана Омарова",
                                    "birth_date": "2013-05-05", "school": "Лицей №1"})
        entry = [d for d in s.get("/api/v1/documents?type=case-review", "aud").json["documents"]
                 if d["id"] == cid][0]
        self.assertEqual(entry["pseudonym"], "K11-0200")
        self.assertEqual(set(entry), {"id", "type", "region", "stage", "version", "due", "overdue", "pseudonym"})

    def validation_paths(self, body):
        before = commit_count(self.srv.cases_git)
        r = self.srv.post("/api/v1/documents", body, "off11")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(commit_count(self.srv.cases_git), before)
        for secret in (CHILD_NAME, BIRTH, ADDRESS, SCHOOL):
            self.assertNotIn(secret, r.raw)
        return [f["path"] for f in r.json["error"]["fields"]]

    def test_validation_rules(self):
        self.assertIn("fields.grounds[0]", self.validation_paths(case_body(grounds=["naughty"])))
        self.assertIn("fields.grounds", self.validation_paths(case_body(grounds=[])))
        self.assertIn("fields.follow_ups[1].outcome", self.validation_paths(case_body(follow_ups=[
            {"due": "2026-03-01", "done": "2026-03-01", "outcome": "effective", "next_steps": ""},
            {"due": "2026-03-10", "done": "2026-03-10", "outcome": "great", "next_steps": ""}])))
        self.assertIn("fields.measures[0].due", self.validation_paths(case_body(measures=[
            {"what": "Встречи", "who": "Психолог", "due": "30.04.2026"}])))
        child = case_body()["fields"]["child"]
        self.assertIn("fields.child.birth_date", self.validation_paths(case_body(child=dict(child, birth_date="2030-01-01"))))
        self.assertIn("fields.child.pseudonym", self.validation_paths(case_body(child=dict(child, pseudonym="Aigerim-1"))))
        self.assertIn("fields.child.full_name", self.validation_paths(case_body(child={"pseudonym": "K11-1"})))
        self.assertIn("fields.closure.reason", self.validation_paths(case_body(closure={"reason": "bored"})))

    def test_no_identity_in_logs_or_other_answers(self):
        s = self.srv
        cid, etag = self.create()
        s.act(cid, "approve-plan", "chair11", etag)          # refused: wrong stage
        s.put("/api/v1/documents/" + cid, {"fields": {"child": {"full_name": CHILD_NAME}}}, "off11", etag)
        s.get("/api/v1/documents/" + cid, "rev1")            # refused: a reviewer
        s.get("/api/v1/documents", "aud")
        s.get(f"/api/v1/documents/{cid}/history", "aud")
        for method, path, status, raw in s.transcript:
            case_answer = 200 <= status < 300 and (
                (path.startswith("/api/v1/documents/case/") and not path.endswith("/history"))
                or (method == "POST" and path == "/api/v1/documents"))
            if case_answer:
                continue
            for secret in (CHILD_NAME, BIRTH, ADDRESS, SCHOOL):
                self.assertNotIn(secret, raw, (method, path, status))
        log = s.read_log()
        self.assertIn(cid, log)  # the log does name the case, by its pseudonymous id
        for secret in (CHILD_NAME, BIRTH, ADDRESS, SCHOOL, "Нурланова"):
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    unittest.main()
