"""Referrals (issue 15): the commission sends one measure of a child's case
to an agency of the case's region; an officer of that agency sees it in its
inbox and list (and nothing else: not the case, not another agency's
referral), accepts or declines it, and reports back the outcome, recorded
with the action.  The case's page lists its referrals with their state; a
referral past its due date is in the chair's inbox.  Every bad input is a
422 (or 403) with nothing written; nothing typed leaves the sealed files."""
import subprocess
import unittest

from kenes_harness import USERS, Browser, ServerTest, commit_count, with_commission

NOW = "2026-03-02T09:00:00Z"
USERS_R = with_commission(USERS) + [("agp15", "agency-officer", "KZ-15")]
CHILD_NAME = "Ернар Направленов"
TASK = "Профилактическая беседа инспектора с подростком и матерью, раз в две недели"


def case_body(region="KZ-11", pseudonym="N-0001"):
    return {"type": "case-review", "region": region, "body": "# Рассмотрение\n",
            "fields": {"child": {"pseudonym": pseudonym, "full_name": CHILD_NAME,
                                 "birth_date": "2011-05-06"},
                       "grounds": ["offence"],
                       "measures": [{"what": "Беседы с инспектором ПДН", "who": "Полиция",
                                     "due": "2026-04-01"},
                                    {"what": "Кружок после уроков", "who": "Школа",
                                     "due": "2026-04-15"}]}}


def referral_body(case_id, pseudonym, region="KZ-11", agency="kz11-police", measure=1,
                  due="2026-03-20", task=TASK):
    return {"type": "referral", "region": region,
            "fields": {"case": case_id, "measure": measure, "agency": agency, "due": due,
                       "pseudonym": pseudonym, "task": task}}


class Referrals(ServerTest):
    users = USERS_R
    env = {"KENES_NOW": NOW}
    pseudonyms = iter(f"N-{i:04d}" for i in range(1, 1000))

    # ---- helpers -------------------------------------------------------------

    def new_case(self, region="KZ-11"):
        p = next(self.pseudonyms)
        r = self.srv.post("/api/v1/documents", case_body(region, p), "off" + region[3:])
        self.assertEqual(r.status, 201, r)
        return r.json["id"], p

    def send(self, user="chair11", **kw):
        cid, p = self.new_case()
        r = self.srv.post("/api/v1/documents", referral_body(cid, p, **kw), user)
        self.assertEqual(r.status, 201, r)
        return cid, p, r

    def act(self, doc_id, action, user, etag, comment=None, fields=None):
        body = {"action": action}
        if comment is not None:
            body["comment"] = comment
        if fields is not None:
            body["fields"] = fields
        return self.srv.post(f"/api/v1/documents/{doc_id}/transitions", body, user, etag)

    def counts(self):
        return commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)

    def inbox(self, user):
        return {i["id"]: i for i in self.srv.get("/api/v1/inbox", user).json["items"]}

    def listed(self, user, query=""):
        return {d["id"]: d for d in
                self.srv.get("/api/v1/documents" + query, user).json["documents"]}

    def refused_at(self, r, path, code):
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["code"], "validation", r)
        self.assertIn((path, code), [(f["path"], f["code"]) for f in r.json["error"]["fields"]], r)
        self.assertNotIn(CHILD_NAME, r.raw)

    def refused_by_guard(self, r, code):
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["code"], "guard", r)
        self.assertEqual([f["code"] for f in r.json["error"]["fields"]], [code], r)

    # ---- the life of a referral ------------------------------------------------

    def test_sent_accepted_reported(self):
        s = self.srv
        before = self.counts()
        cid, p, r = self.send()
        rid = r.json["id"]
        self.assertTrue(rid.startswith("referral/KZ-11/"), rid)
        self.assertEqual(r.json["stage"], "sent")
        # Due to the end of that day in Kazakhstan (23:59:59 at UTC+5).
        self.assertEqual((r.json["due"], r.json["overdue"]), ("2026-03-20T18:59:59Z", False))
        # A case's commit and the referral's, both in the sealed repository.
        self.assertEqual(self.counts(), (before[0], before[1] + 2))

        # The police officer: its referral, in its inbox and its list, and only that.
        self.assertEqual(s.get("/api/v1/documents/" + rid, "agp1").status, 200)
        got = s.get("/api/v1/documents/" + rid, "agp1").json
        self.assertEqual((got["fields"]["task"], got["fields"]["pseudonym"]), (TASK, p))
        self.assertEqual(s.get("/api/v1/documents/" + cid, "agp1").status, 403)
        self.assertEqual(self.inbox("agp1")[rid]["actions"], ["accept", "decline"])
        mine = self.listed("agp1")
        self.assertIn(rid, mine)
        self.assertEqual({d["type"] for d in mine.values()}, {"referral"})
        self.assertEqual(mine[rid]["pseudonym"], p)
        self.assertEqual(mine[rid]["agency"], "kz11-police")
        self.assertNotIn("task", mine[rid])
        self.assertEqual(self.listed("agp1", "?type=case-review"), {})
        # The school's officer, KZ-15's police: neither sees it nor acts on it.
        for other in ("ags1", "agp15"):
            self.assertEqual(s.get("/api/v1/documents/" + rid, other).status, 403, other)
            self.assertNotIn(rid, self.listed(other), other)
            self.assertNotIn(rid, self.inbox(other), other)
        etag = r.header("ETag")
        r = self.act(rid, "accept", "ags1", etag)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.counts(), (before[0], before[1] + 2))

        r = self.act(rid, "accept", "agp1", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "accepted"), r)
        self.assertEqual(self.inbox("agp1")[rid]["actions"], ["report"])

        # Reporting back records the outcome with the action, and needs one.
        etag = r.header("ETag")
        n = self.counts()
        self.refused_by_guard(self.act(rid, "report", "agp1", etag), "referral_outcome_missing")
        r = self.act(rid, "report", "agp1", etag,
                     fields={"outcome": {"date": "2026-03-03", "result": "bad"}})
        self.refused_at(r, "fields.outcome.result", "not_in_list")
        r = self.act(rid, "report", "agp1", etag,
                     fields={"outcome": {"date": "2026-03-05", "result": "done"}})
        self.refused_at(r, "fields.outcome.date", "date_in_future")
        r = self.act(rid, "report", "agp1", etag, fields={"task": "Ничего не делать"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.counts(), n)
        outcome = {"date": "2026-03-02", "result": "partly",
                   "text": "Проведены две беседы, третья перенесена"}
        r = self.act(rid, "report", "agp1", etag, fields={"outcome": outcome})
        self.assertEqual((r.status, r.json["stage"]), (200, "reported"), r)
        self.assertEqual(r.json["fields"]["outcome"], outcome)
        self.assertEqual(r.json["fields"]["task"], TASK)
        self.assertEqual(self.counts(), (n[0], n[1] + 1))
        self.assertNotIn(rid, self.inbox("agp1"))

        # The case shows its referral and its state.
        refs = s.get("/api/v1/documents/" + cid, "chair11").json["referenced_by"]
        self.assertEqual([(x["id"], x["type"], x["stage"]) for x in refs],
                         [(rid, "referral", "reported")])
        page = Browser(s).signed_in("chair11").get("/ui/d/" + cid)
        self.assertEqual(page.status, 200)
        for words in ("Направления по делу в ведомства",
                      "Инспекция по делам несовершеннолетних Департамента полиции "
                      "Акмолинской области", "Исполнение завершено", "Исполнено частично"):
            self.assertIn(words, page.raw, words)
        page = Browser(s, lang="kk").signed_in("chair11").get("/ui/d/" + cid)
        self.assertIn("Іс бойынша ведомстволарға жолдамалар", page.raw)
        self.assertIn("Ішінара орындалды", page.raw)

        # What the agency's officer reads: the task, the agency by its name.
        page = Browser(s).signed_in("agp1").get("/ui/d/" + rid)
        self.assertEqual(page.status, 200)
        self.assertIn(TASK, page.raw)
        self.assertIn("Инспекция по делам несовершеннолетних", page.raw)
        self.assertNotIn("kz11-police", page.raw)
        self.assertNotIn(CHILD_NAME, page.raw)

    def test_decline_needs_a_reason(self):
        _, _, r = self.send(agency="kz11-school")
        rid, etag = r.json["id"], r.header("ETag")
        self.assertIn(rid, self.inbox("ags1"))
        self.assertNotIn(rid, self.inbox("agp1"))
        n = self.counts()
        self.refused_by_guard(self.act(rid, "decline", "ags1", etag), "comment_required")
        self.refused_by_guard(self.act(rid, "decline", "ags1", etag, comment=" \u00a0"),
                              "comment_required")
        self.assertEqual(self.counts(), n)
        r = self.act(rid, "decline", "ags1", etag, comment="Ребёнок не обучается в школах района")
        self.assertEqual((r.status, r.json["stage"]), (200, "declined"), r)
        self.assertNotIn(rid, self.inbox("ags1"))

    def test_withdraw(self):
        _, _, r = self.send(user="sec11")
        rid, etag = r.json["id"], r.header("ETag")
        n = self.counts()
        self.assertEqual(self.act(rid, "withdraw", "sec11", etag, comment="Ошибка").status, 403)
        self.assertEqual(self.act(rid, "withdraw", "agp1", etag, comment="Ошибка").status, 403)
        self.refused_by_guard(self.act(rid, "withdraw", "chair11", etag), "comment_required")
        self.assertEqual(self.counts(), n)
        r = self.act(rid, "withdraw", "chair11", etag, comment="Мера снята решением комиссии")
        self.assertEqual((r.status, r.json["stage"]), (200, "withdrawn"), r)
        self.assertNotIn(rid, self.inbox("agp1"))
        # Withdrawing is no one's to-do.
        self.assertNotIn("withdraw", self.inbox("chair11").get(rid, {}).get("actions", []))

    # ---- bad input: nothing written -----------------------------------------------

    def test_bad_input(self):
        s = self.srv
        cid, p = self.new_case()
        cid15, p15 = self.new_case("KZ-15")
        n = self.counts()
        post = lambda body, user="chair11": s.post("/api/v1/documents", body, user)
        # An agency of another region, or none.
        self.refused_at(post(referral_body(cid, p, agency="kz15-police")), "fields.agency",
                        "agency_unknown")
        self.refused_at(post(referral_body(cid, p, agency="kz11-court")), "fields.agency",
                        "agency_unknown")
        # Not the case's pseudonym.
        self.refused_at(post(referral_body(cid, p15)), "fields.pseudonym", "pseudonym_mismatch")
        # A case of another region.
        self.refused_at(post(referral_body(cid15, p15)), "fields.case", "case_other_region")
        # No such measure; a due date past; a task too long; none.
        self.refused_at(post(referral_body(cid, p, measure=3)), "fields.measure",
                        "measure_unknown")
        self.refused_at(post(referral_body(cid, p, due="2026-03-01")), "fields.due", "due_past")
        self.refused_at(post(referral_body(cid, p, task="ж" * 1001)), "fields.task", "too_long")
        self.refused_at(post(referral_body(cid, p, task=None)), "fields.task", "required")
        self.refused_at(post(referral_body(cid, p, task=" \u00a0 ")), "fields.task", "blank")
        # The outcome is the agency's, recorded with `report`: no create sets it.
        body = referral_body(cid, p)
        body["fields"]["outcome"] = {"date": "2026-03-02", "result": "done"}
        r = post(body)
        self.assertEqual(r.status, 422, r)
        self.assertIn("fields.outcome", [f["path"] for f in r.json["error"]["fields"]], r)
        # Who may not send one: an agency officer, an official, another region's chair.
        for user in ("agp1", "off11", "chair15", "rev1"):
            self.assertEqual(post(referral_body(cid, p), user).status, 403, user)
        self.assertEqual(self.counts(), n)
        # A referral in KZ-15 by KZ-11's chair: the region is the chair's own only.
        self.assertEqual(post(referral_body(cid15, p15, region="KZ-15",
                                            agency="kz15-police")).status, 403)
        self.assertEqual(self.counts(), n)

    def test_sealed(self):
        """The referral's file is sealed with the case's: no task, pseudonym
        or agency in the cases repository's history as git shows it, nor in
        any commit message."""
        _, p, r = self.send(task="Секретное поручение Зиябек")
        log = subprocess.run(["git", "-C", self.srv.cases_git, "log", "-p", "--all"],
                             capture_output=True, text=True, errors="replace").stdout
        for secret in ("Зиябек", p, "kz11-police", CHILD_NAME):
            self.assertNotIn(secret, log, secret)
        self.assertNotIn("Зиябек", self.srv.read_log())


class OverdueReferrals(ServerTest):
    """A referral past its due date is in the chair's inbox (a reminder), and
    the agency's, overdue."""
    users = USERS_R
    env = {"KENES_NOW": NOW}

    def test_overdue_in_the_chairs_inbox(self):
        s = self.srv
        r = s.post("/api/v1/documents", case_body(pseudonym="O-0001"), "off11")
        cid = r.json["id"]
        r = s.post("/api/v1/documents", referral_body(cid, "O-0001", due="2026-03-05"), "sec11")
        self.assertEqual(r.status, 201, r)
        late = r.json["id"]
        r = s.post("/api/v1/documents", referral_body(cid, "O-0001", due="2026-04-30",
                                                      agency="kz11-school"), "sec11")
        in_time = r.json["id"]
        box = {i["id"]: i for i in s.get("/api/v1/inbox", "chair11").json["items"]}
        self.assertNotIn(late, box)  # not due yet: nothing for the chair to do

        self.srv.restart_at("2026-03-06T09:00:00Z")
        box = {i["id"]: i for i in s.get("/api/v1/inbox", "chair11").json["items"]}
        self.assertIn(late, box)
        self.assertTrue(box[late]["overdue"])
        self.assertTrue(box[late]["reminder"])
        self.assertNotIn(in_time, box)
        self.assertNotIn(late, {i["id"] for i in s.get("/api/v1/inbox", "chair15").json["items"]})
        police = {i["id"]: i for i in s.get("/api/v1/inbox", "agp1").json["items"]}
        self.assertTrue(police[late]["overdue"])
        # The chair's inbox page names it by pseudonym and agency, in words.
        page = Browser(s).signed_in("chair11").get("/ui/inbox")
        self.assertIn("O-0001 · Инспекция по делам несовершеннолетних", page.raw)


if __name__ == "__main__":
    unittest.main()
