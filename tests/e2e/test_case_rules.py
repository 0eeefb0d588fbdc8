"""The rules of issue 14 about cases: a case moves by the decisions of signed
commission meetings of its own region; its plan is approved only with a
check of the measures ahead; a check follows the plan's approval and names
its measure; a case closes as goals-met only once every measure's term has
come and its latest check found it effective.  Every refusal is a 422 that
names the field or the guard's code, with nothing written.  And what the
inbox does with cases: the review deadlines (15 and 30 days), no closed
case as a to-do, the reminders of checks coming due."""
import unittest

from kenes_harness import (USERS, Browser, ServerTest, approved_roster, commit_count,
                           hold_meeting, meeting_item, with_commission)

NOW = "2026-03-02T09:00:00Z"
USERS_R = with_commission(USERS) + [("acc11", "regional-official", "KZ-11")]
CHILD_NAME = "Ержан Правилов"


def case_body(region="KZ-11", pseudonym="R-0001", **fields):
    """A case ready for approval: an accompanier (whose login gets the
    reminders), two measures whose terms have come, a check ahead."""
    f = {"child": {"pseudonym": pseudonym, "full_name": CHILD_NAME, "birth_date": "2011-05-06"},
         "grounds": ["online-risks"],
         "accompanier": {"name": "Оспанова Динара", "organisation": "Центр поддержки",
                         "user": "acc11"},
         "measures": [{"what": "Встречи с психологом", "who": "Психолог школы", "due": "2026-03-02"},
                      {"what": "Занятия по цифровой безопасности", "who": "Управление образования",
                       "due": "2026-03-02"}],
         "follow_ups": [{"due": "2026-03-10", "measure": 1}]}
    f.update(fields)
    return {"type": "case-review", "region": region, "body": "# Рассмотрение\n", "fields": f}


class CaseRules(ServerTest):
    users = USERS_R
    env = {"KENES_NOW": NOW}
    pseudonyms = iter(f"R-{i:04d}" for i in range(1, 1000))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for region in ("KZ-11", "KZ-15"):
            approved_roster(cls.srv, region)

    # ---- helpers -------------------------------------------------------------

    def create(self, region="KZ-11", **fields):
        official = "off" + region[3:]
        r = self.srv.post("/api/v1/documents",
                          case_body(region, next(self.pseudonyms), **fields), official)
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def reviewed(self, **fields):
        """A case under review."""
        cid, etag = self.create(**fields)
        r = self.srv.act(cid, "start-review", "off11", etag)
        self.assertEqual(r.status, 200, r)
        return cid, r.header("ETag")

    def accompanied(self, **fields):
        """A case whose plan a signed meeting approved today, in accompaniment: (id, answer)."""
        s = self.srv
        cid, etag = self.reviewed(**fields)
        hold_meeting(s, "KZ-11", {cid: "approve-plan"})
        r = s.act(cid, "approve-plan", "chair11", etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "begin-accompaniment", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        return cid, r

    def checks_made(self, outcomes=("effective", "effective"), **fields):
        """A case in accompaniment whose two checks (one per measure) were made
        today with outcomes, to close as goals-met: (id, fields, etag)."""
        cid, r = self.accompanied(**fields)
        fields = r.json["fields"]
        fields["closure"] = {"reason": "goals-met"}
        fields["follow_ups"] = [
            {"due": f"2026-03-1{k}", "measure": k + 1, "done": "2026-03-02", "outcome": outcome}
            for k, outcome in enumerate(outcomes)]
        r = self.edit(cid, fields, r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        return cid, fields, r.header("ETag")

    def edit(self, cid, fields, etag, user="off11"):
        return self.srv.put("/api/v1/documents/" + cid, {"fields": fields}, user, etag)

    def counts(self):
        return commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)

    def refused_by_guard(self, r, code):
        """r is a guard's 422 with code; its message names no child."""
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["code"], "guard", r)
        self.assertEqual([f["code"] for f in r.json["error"]["fields"]], [code], r)
        self.assertNotIn(CHILD_NAME, r.raw)
        return r.json["error"]["message"]

    def refused_at(self, r, path, code):
        """r is a validation 422 listing code at path."""
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["code"], "validation", r)
        found = [(f["path"], f["code"]) for f in r.json["error"]["fields"]]
        self.assertIn((path, code), found, r)
        self.assertNotIn(CHILD_NAME, r.raw)

    def inbox(self, user):
        return {i["id"]: i for i in self.srv.get("/api/v1/inbox", user).json["items"]}

    # ---- the plan: a signed resolution of the region's commission ----------

    def test_approve_needs_a_signed_resolution_of_the_region(self):
        s = self.srv
        cid, etag = self.reviewed()
        before = self.counts()
        self.refused_by_guard(s.act(cid, "approve-plan", "chair11", etag), "resolution_missing")
        # Held but not signed; signed but not adopted (a tie); signed but
        # deciding something else: none of them approves the plan.
        hold_meeting(s, "KZ-11", {cid: "approve-plan"}, sign=False)
        hold_meeting(s, "KZ-11", {cid: meeting_item(cid, "approve-plan", votes=(2, 2, 0))})
        hold_meeting(s, "KZ-11", {cid: "continue"})
        before = self.counts()
        self.refused_by_guard(s.act(cid, "approve-plan", "chair11", etag), "resolution_missing")
        self.assertEqual(self.counts(), before)
        # Another region's commission cannot decide on it: its meeting is refused.
        body = {"type": "commission-meeting", "region": "KZ-15", "body": "",
                "fields": {"number": 90, "date": "2026-03-02", "place": "Актобе",
                           "agenda": [meeting_item(cid)]}}
        r = s.post("/api/v1/documents", body, "sec15")
        self.refused_at(r, "fields.agenda[0].case", "case_other_region")
        self.assertEqual(self.counts(), before)
        self.refused_by_guard(s.act(cid, "approve-plan", "chair11", etag), "resolution_missing")
        # The region's signed decision.
        hold_meeting(s, "KZ-11", {cid: "approve-plan"})
        r = s.act(cid, "approve-plan", "chair11", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "plan-approved"), r)

    def test_approve_needs_a_check_ahead(self):
        s = self.srv
        cid, etag = self.reviewed(follow_ups=[])
        hold_meeting(s, "KZ-11", {cid: "approve-plan"})
        before = self.counts()
        self.refused_by_guard(s.act(cid, "approve-plan", "chair11", etag), "check_not_scheduled")
        # Due today is not ahead.
        r = self.edit(cid, case_body(follow_ups=[{"due": "2026-03-02", "measure": 1}])["fields"],
                      etag)
        self.assertEqual(r.status, 200, r)
        before = self.counts()
        self.refused_by_guard(s.act(cid, "approve-plan", "chair11", r.header("ETag")),
                              "check_not_scheduled")
        self.assertEqual(self.counts(), before)
        # Approved at the meeting: the check recorded stays, one ahead is added.
        r = self.edit(cid, case_body(follow_ups=[{"due": "2026-03-02", "measure": 1},
                                                 {"due": "2026-03-03", "measure": 2}])["fields"],
                      r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "approve-plan", "chair11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)

    # ---- checks: after the approval, of a measure ---------------------------

    def test_a_check_before_the_plans_approval(self):
        s = self.srv
        cid, etag = self.reviewed()
        # Before any meeting decided, the date is the official's to choose.
        fields = case_body(follow_ups=[{"due": "2026-03-10", "measure": 1},
                                       {"due": "2026-02-27", "measure": 2}])["fields"]
        r = self.edit(cid, fields, etag)
        self.assertEqual(r.status, 200, r)
        etag = r.header("ETag")
        hold_meeting(s, "KZ-11", {cid: "approve-plan"}, date="2026-03-01")
        # A new check dated before the meeting that approved the plan.
        fields["follow_ups"].append({"due": "2026-02-28", "measure": 2})
        before = self.counts()
        self.refused_at(self.edit(cid, fields, etag), "fields.follow_ups[2].due",
                        "check_before_approval")
        self.assertEqual(self.counts(), before)
        # The checks recorded before stay; a new one on the meeting's day is fine.
        fields["follow_ups"][2]["due"] = "2026-03-01"
        r = self.edit(cid, fields, etag)
        self.assertEqual(r.status, 200, r)

    def test_a_check_names_its_measure(self):
        s = self.srv
        before = self.counts()
        r = s.post("/api/v1/documents", case_body(pseudonym="R-0900",
                                                  follow_ups=[{"due": "2026-03-10"}]), "off11")
        self.refused_at(r, "fields.follow_ups[0].measure", "required")
        r = s.post("/api/v1/documents", case_body(pseudonym="R-0900",
                                                  follow_ups=[{"due": "2026-03-10", "measure": 3}]),
                   "off11")
        self.refused_at(r, "fields.follow_ups[0].measure", "measure_unknown")
        r = s.post("/api/v1/documents", case_body(pseudonym="R-0900",
                                                  follow_ups=[{"due": "2026-03-10", "measure": 0}]),
                   "off11")
        self.refused_at(r, "fields.follow_ups[0].measure", "out_of_range")
        self.assertEqual(self.counts(), before)

    # ---- once approved: checks made after it, kept; measures kept ----------

    def test_a_check_made_before_the_approval_or_ahead(self):
        cid, r = self.accompanied()
        fields, etag = r.json["fields"], r.header("ETag")
        before = self.counts()
        fields["follow_ups"][0].update({"done": "2026-03-01", "outcome": "effective"})
        self.refused_at(self.edit(cid, fields, etag), "fields.follow_ups[0].done",
                        "check_done_before_approval")
        fields["follow_ups"][0].update({"done": "2026-03-03", "outcome": "effective"})
        self.refused_at(self.edit(cid, fields, etag), "fields.follow_ups[0].done",
                        "date_in_future")
        self.assertEqual(self.counts(), before)
        fields["follow_ups"][0]["done"] = "2026-03-02"  # the meeting's day, today
        r = self.edit(cid, fields, etag)
        self.assertEqual(r.status, 200, r)

    def test_a_recorded_check_stays_once_approved(self):
        s = self.srv
        cid, r = self.accompanied()
        fields, etag = r.json["fields"], r.header("ETag")
        fields["closure"] = {"reason": "goals-met"}
        before = self.counts()
        for checks in ([], [{"due": "2026-03-20", "measure": 1}]):
            fields["follow_ups"] = checks
            self.refused_at(self.edit(cid, fields, etag), "fields.follow_ups", "check_removed")
        self.assertEqual(self.counts(), before)
        # Its outcome recorded and a check added: fine.
        fields["follow_ups"] = [{"due": "2026-03-10", "measure": 1, "done": "2026-03-02",
                                 "outcome": "effective"}, {"due": "2026-03-20", "measure": 2}]
        r = self.edit(cid, fields, etag)
        self.assertEqual(r.status, 200, r)
        self.refused_by_guard(s.act(cid, "request-closure", "off11", r.header("ETag")),
                              "goals_not_met")

    def test_approved_measures_stay(self):
        cid, r = self.accompanied()
        fields, etag = r.json["fields"], r.header("ETag")
        before = self.counts()
        fields["measures"][0]["due"] = "2026-01-10"
        self.refused_at(self.edit(cid, fields, etag), "fields.measures[0]", "measure_frozen")
        fields["measures"][0]["due"] = "2026-03-02"
        fields["measures"][1]["what"] = "Другая мера"
        self.refused_at(self.edit(cid, fields, etag), "fields.measures[1]", "measure_frozen")
        fields["measures"][1]["what"] = "Занятия по цифровой безопасности"
        fields["measures"].append({"what": "Летний лагерь", "due": "2026-03-01"})
        self.refused_at(self.edit(cid, fields, etag), "fields.measures[2].due",
                        "measure_due_past")
        self.assertEqual(self.counts(), before)
        fields["measures"][2]["due"] = "2026-06-30"
        r = self.edit(cid, fields, etag)
        self.assertEqual(r.status, 200, r)

    def test_a_new_measure_is_not_dated_in_the_past(self):
        before = self.counts()
        r = self.srv.post("/api/v1/documents", case_body(pseudonym="R-0901", measures=[
            {"what": "Встречи с психологом", "due": "2026-03-01"}]), "off11")
        self.refused_at(r, "fields.measures[0].due", "measure_due_past")
        self.assertEqual(self.counts(), before)

    def test_checks_of_one_day_the_worse_counts(self):
        s = self.srv
        cid, fields, etag = self.checks_made()
        # A second check of measure 1 the same day, listed first, found it not effective.
        fields["follow_ups"].insert(0, {"due": "2026-03-02", "measure": 1, "done": "2026-03-02",
                                        "outcome": "not-effective"})
        r = self.edit(cid, fields, etag)
        self.assertEqual(r.status, 200, r)
        msg = self.refused_by_guard(s.act(cid, "request-closure", "off11", r.header("ETag")),
                                    "goals_not_met")
        self.assertIn("does not find effective: measure 1", msg)

    def test_the_secretary_sees_cases_waiting_for_a_decision(self):
        s = self.srv
        cid, etag = self.reviewed()
        item = self.inbox("sec11")[cid]
        self.assertTrue(item["reminder"], item)
        cid2, fields, etag = self.checks_made()
        r = s.act(cid2, "request-closure", "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["due"], "2026-03-16T09:00:00Z")
        self.assertTrue(self.inbox("sec11")[cid2]["reminder"])

    # ---- closing as goals-met ------------------------------------------------

    def test_goals_met_only_when_every_measure_worked(self):
        s = self.srv
        cid, fields, etag = self.checks_made(("effective", "partially-effective"))

        def refused(fields, etag, words):
            r = self.edit(cid, fields, etag)
            self.assertEqual(r.status, 200, r)
            before = self.counts()
            msg = self.refused_by_guard(s.act(cid, "request-closure", "off11", r.header("ETag")),
                                        "goals_not_met")
            self.assertIn(words, msg)
            self.assertEqual(self.counts(), before)
            return r.header("ETag")

        # The latest check of measure 2 partially effective, then not effective.
        etag = refused(fields, etag,
                       "the latest done check does not find effective: measure 2")
        fields["follow_ups"][1]["outcome"] = "not-effective"
        etag = refused(fields, etag, "the latest done check does not find effective: measure 2")
        # Found effective, but another check of it is still pending.
        fields["follow_ups"][1]["outcome"] = "effective"
        fields["follow_ups"].append({"due": "2026-03-20", "measure": 2})
        etag = refused(fields, etag, "no outcome yet: check 3")
        # Another reason closes whatever the checks say.
        fields["closure"] = {"reason": "moved-away"}
        r = self.edit(cid, fields, etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "request-closure", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)

    def test_goals_met_not_before_a_measures_term(self):
        s = self.srv
        cid, fields, etag = self.checks_made(measures=[
            {"what": "Встречи с психологом", "due": "2026-03-02"},
            {"what": "Летний лагерь", "due": "2026-06-30"}])
        before = self.counts()
        msg = self.refused_by_guard(s.act(cid, "request-closure", "off11", etag), "goals_not_met")
        self.assertIn("not yet due: measure 2", msg)
        self.assertEqual(self.counts(), before)

    # ---- closing at a meeting; the chair's inbox -----------------------------

    def test_closed_by_a_signed_meeting_and_no_longer_a_to_do(self):
        s = self.srv
        cid, _, etag = self.checks_made()
        r = s.act(cid, "request-closure", "off11", etag)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.inbox("chair11")[cid]["actions"], ["close"])
        before = self.counts()
        self.refused_by_guard(s.act(cid, "close", "chair11", r.header("ETag")),
                              "resolution_missing")
        self.assertEqual(self.counts(), before)
        hold_meeting(s, "KZ-11", {cid: "close"})
        r = s.act(cid, "close", "chair11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "closed"), r)
        # Closed: reopening is possible, but no one's to-do.
        self.assertNotIn(cid, self.inbox("chair11"))
        page = Browser(s).signed_in("chair11").get("/ui/inbox")
        self.assertEqual(page.status, 200, page)
        self.assertNotIn(cid, page.raw)
        # A plan approved again after reopening needs a new decision.
        r = s.act(cid, "reopen", "chair11", r.header("ETag"), comment="Новые обстоятельства")
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "approve-plan", "chair11", r.header("ETag"))
        self.refused_by_guard(r, "resolution_missing")

    # ---- checks coming due remind the chair and the accompanier -------------

    def test_checks_coming_due_remind_the_chair_and_the_accompanier(self):
        s = self.srv
        soon, _ = self.accompanied(follow_ups=[{"due": "2026-03-06", "measure": 1}])
        later, _ = self.accompanied(follow_ups=[{"due": "2026-03-25", "measure": 1}])
        # Four days away: the chair and the accompanying person are reminded.
        chair = self.inbox("chair11")
        self.assertEqual((chair[soon]["actions"], chair[soon]["reminder"]), ([], True))
        self.assertNotIn(later, chair)
        acc = self.inbox("acc11")
        self.assertTrue(acc[soon]["reminder"])
        self.assertFalse(acc[later]["reminder"])  # an official's to-do, not yet a reminder
        # The other official is not the accompanier: a to-do, no reminder.
        self.assertFalse(self.inbox("off11")[soon]["reminder"])
        for user in ("chair15", "off15", "sec15"):
            self.assertNotIn(soon, self.inbox(user))
        # The chair's page says it in words, with the pseudonym, not the child.
        page = Browser(s).signed_in("chair11").get("/ui/inbox")
        self.assertIn("Подходит срок проверки", page.raw)
        self.assertNotIn(CHILD_NAME, page.raw)
        page = Browser(s, lang="kk").signed_in("chair11").get("/ui/inbox")
        self.assertIn("Тексеру мерзімі жақындады", page.raw)


class ReviewDeadlines(ServerTest):
    """A new case is taken up within 15 days and reviewed within 30 more,
    overdue like every other deadline once the clock passes them."""
    users = USERS_R
    env = {"KENES_NOW": NOW}

    def test_review_deadlines(self):
        s = self.srv
        r = s.post("/api/v1/documents", case_body(pseudonym="D-0001"), "off11")
        self.assertEqual(r.status, 201, r)
        waiting = r.json["id"]
        self.assertEqual((r.json["due"], r.json["overdue"]), ("2026-03-17T09:00:00Z", False))
        r = s.post("/api/v1/documents", case_body(pseudonym="D-0002"), "off11")
        taken = r.json["id"]
        r = s.act(taken, "start-review", "off11", r.header("ETag"))
        self.assertEqual((r.json["due"], r.json["overdue"]), ("2026-04-01T09:00:00Z", False))

        self.srv.restart_at("2026-03-18T09:00:00Z")
        box = {i["id"]: i for i in s.get("/api/v1/inbox", "off11").json["items"]}
        self.assertTrue(box[waiting]["overdue"])
        self.assertEqual(list(box)[0], waiting)  # overdue first
        listed = [d["id"] for d in s.get("/api/v1/documents?overdue=true", "aud").json["documents"]]
        self.assertIn(waiting, listed)
        self.assertNotIn(taken, listed)

        self.srv.restart_at("2026-04-02T09:00:00Z")
        listed = [d["id"] for d in s.get("/api/v1/documents?overdue=true", "aud").json["documents"]]
        self.assertIn(taken, listed)
        # The chair decides under review: the overdue case is in the chair's inbox.
        self.assertTrue({i["id"]: i for i in s.get("/api/v1/inbox", "chair11").json["items"]}
                        [taken]["overdue"])


if __name__ == "__main__":
    unittest.main()
