"""Referrals, the fix round of issue 15 (probe findings 3, 4, 15 and the
erasure of a case):

- what a referral carries to the agency is judged against the case's child
  by the rules a case's title and pseudonym follow (the SDK's identity.c):
  no title at all, and a task or body naming the child, giving its birth
  date, its address or its school is 422 at that input, nothing written;
- a case is not transferred while an agency works on one of its referrals
  (sent or accepted): the chair withdraws them or waits for the reports;
  after the move the old region's chair and agency see nothing new of it;
- a referral's due date runs to the end of that day in Kazakhstan (UTC+5),
  and its outcome is not dated before the day it was sent;
- a case's erasure waits for its referrals, which an admin erases first;
  kenes verify passes afterwards."""
import unittest

from kenes_harness import USERS, ServerTest, commit_count, run_cli, with_commission, stop_and_verify

NOW = "2026-03-02T09:00:00Z"
USERS_R = with_commission(USERS) + [("agp15", "agency-officer", "KZ-15")]
CHILD_NAME = "Ернар Направленов"
BIRTH = "2011-05-06"
ADDRESS = "г. Кокшетау, ул. Абая, д. 12, кв. 5"
SCHOOL = "Школа-гимназия № 913"
TASK = "Профилактическая беседа инспектора с подростком и матерью, раз в две недели"


def case_body(pseudonym, region="KZ-11"):
    return {"type": "case-review", "region": region, "body": "# Рассмотрение\n",
            "fields": {"child": {"pseudonym": pseudonym, "full_name": CHILD_NAME,
                                 "birth_date": BIRTH, "address": ADDRESS, "school": SCHOOL},
                       "grounds": ["offence"],
                       "measures": [{"what": "Беседы с инспектором ПДН", "who": "Полиция",
                                     "due": "2026-04-01"},
                                    {"what": "Кружок после уроков", "who": "Школа",
                                     "due": "2026-04-15"}]}}


def referral_body(case_id, pseudonym, region="KZ-11", agency="kz11-police", due="2026-03-20",
                  task=TASK, **header):
    body = {"type": "referral", "region": region,
            "fields": {"case": case_id, "measure": 1, "agency": agency, "due": due,
                       "pseudonym": pseudonym, "task": task}}
    body.update(header)
    return body


class Base(ServerTest):
    users = USERS_R
    env = {"KENES_NOW": NOW}

    def setUp(self):
        super().setUp()
        self.n = 0

    def new_case(self, under_review=False):
        self.n += 1
        p = f"{self.prefix}-{self.n:04d}"
        r = self.srv.post("/api/v1/documents", case_body(p), "off11")
        self.assertEqual(r.status, 201, r)
        if under_review:
            r = self.act(r.json["id"], "start-review", "off11", r.header("ETag"))
            self.assertEqual(r.status, 200, r)
        return r.json["id"], p, r.header("ETag")

    def send(self, cid, p, **kw):
        r = self.srv.post("/api/v1/documents", referral_body(cid, p, **kw), "chair11")
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def act(self, *args, **kw):
        return self.srv.act(*args, **kw)

    def counts(self):
        return commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)

    def refused_at(self, r, path, code):
        self.assertEqual(r.status, 422, r)
        self.assertIn((path, code), [(f["path"], f["code"]) for f in r.json["error"]["fields"]], r)
        for secret in (CHILD_NAME, "Абая", "913", BIRTH):
            self.assertNotIn(secret, r.raw, secret)

    def refused_by_guard(self, r, code):
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["code"], "guard", r)
        self.assertEqual([f["code"] for f in r.json["error"]["fields"]], [code], r)

    def ids(self, path, user):
        r = self.srv.get(path, user)
        self.assertEqual(r.status, 200, r)
        key = "items" if "inbox" in path else "documents"
        return {d["id"] for d in r.json[key]}


class WhatTheAgencyReads(Base):
    """Finding 3: the agency reads the task and the body; neither may give
    the child away, and a referral has no title."""
    prefix = "W"

    def test_refused_at_the_input_nothing_written(self):
        cid, p, _ = self.new_case()
        n = self.counts()
        post = lambda body: self.srv.post("/api/v1/documents", body, "chair11")
        task, body, title = "fields.task", "body", "title"
        cases = [
            # No title: the list hides it, the page would head with it.
            (title, "Направление", "referral_title"),
            (title, CHILD_NAME, "referral_title"),
            # The name, whole, in another spelling, declined.
            (task, "Беседы с Ернар Направленов", "text_names_child"),
            (task, "Беседы: Yernar NAPRAVLENOV", "text_names_child"),
            (task, "Беседы с Ернаром раз в неделю", "text_names_child"),
            (task, "Посетить семью Направленовых", "text_names_child"),
            # The birth date, however written.
            (task, "Подросток 06.05.2011 г.р., беседы", "text_birth_date"),
            (task, "Родился 6 мая 2011 года", "text_birth_date"),
            (task, "Дата рождения 2011-05-06", "text_birth_date"),
            # The address, the school.
            (task, "Посетить семью: Абая, 12", "text_address"),
            (task, "Беседы в школе № 913", "text_school"),
            (body, "Учится: школа-гимназия №913.", "text_school"),
            (body, "Ребёнок: Направленов Ернар, 2011-05-06, ул. Абая 12", "text_names_child"),
        ]
        for path, text, code in cases:
            doc = referral_body(cid, p)
            if path == task:
                doc["fields"]["task"] = text
            else:
                doc[path] = text
            with self.subTest(path=path, code=code, text=text):
                self.refused_at(post(doc), path, code)
        self.assertEqual(self.counts(), n)

        # What an agency needs passes: numbers and words that say nothing alone.
        for task in (TASK, "12 занятий в школе, по 2 в неделю, с 2026-03-10",
                     "Направить к психологу; школа сообщает о пропусках"):
            r = post(referral_body(cid, p, task=task, body="# Направление\n\nПо делу " + p))
            self.assertEqual(r.status, 201, (task, r))
            self.assertIsNone(r.json.get("title"))


class TransferWaitsForReferrals(Base):
    """Finding 4: a case is not transferred while its referrals are open."""
    prefix = "T"

    def test_transfer_refused_then_allowed(self):
        s = self.srv
        cid, p, etag = self.new_case(under_review=True)
        sent, sent_etag = self.send(cid, p)
        accepted, acc_etag = self.send(cid, p)
        r = self.act(accepted, "accept", "agp1", acc_etag)
        self.assertEqual(r.status, 200, r)
        acc_etag = r.header("ETag")
        transfer = {"transfer": {"to": "KZ-15", "reason": "Семья переехала"}}

        n = self.counts()
        r = self.act(cid, "transfer", "chair11", etag, fields=transfer)
        self.refused_by_guard(r, "referrals_open")
        self.assertIn("2 referrals", r.json["error"]["message"])
        self.assertEqual(self.counts(), n)

        # One withdrawn, one still accepted: refused still.
        r = self.act(sent, "withdraw", "chair11", sent_etag, comment="Мера не нужна")
        self.assertEqual(r.status, 200, r)
        r = self.act(cid, "transfer", "chair11", etag, fields=transfer)
        self.refused_by_guard(r, "referrals_open")
        self.assertIn("1 referral of", r.json["error"]["message"])
        # Reported: nothing open any more, the transfer goes.
        r = self.act(accepted, "report", "agp1", acc_etag,
                     fields={"outcome": {"date": "2026-03-02", "result": "done"}})
        self.assertEqual(r.status, 200, r)
        r = self.act(cid, "transfer", "chair11", etag, fields=transfer)
        self.assertEqual((r.status, r.json["stage"]), (200, "transfer-requested"), r)

        # While it is offered, no new referral is sent from here.
        n = self.counts()
        self.refused_at(s.post("/api/v1/documents", referral_body(cid, p), "chair11"),
                        "fields.case", "case_in_transfer")
        self.assertEqual(self.counts(), n)

        r = self.act(cid, "accept-transfer", "chair15", r.header("ETag"))
        self.assertEqual((r.status, r.json["region"]), (200, "KZ-15"), r)

        # KZ-15 refers the case to its own police; KZ-11 sees nothing of it.
        r = s.post("/api/v1/documents", referral_body(cid, p, region="KZ-15",
                                                      agency="kz15-police"), "chair15")
        self.assertEqual(r.status, 201, r)
        new = r.json["id"]
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair11").status, 403)
        self.assertEqual(s.get("/api/v1/documents/" + new, "chair11").status, 403)
        self.assertEqual(s.get("/api/v1/documents/" + new, "agp1").status, 403)
        for user in ("chair11", "agp1"):
            for path in ("/api/v1/documents", "/api/v1/inbox"):
                self.assertNotIn(new, self.ids(path, user), (user, path))
        self.assertNotIn(cid, self.ids("/api/v1/documents", "chair11"))
        # Nothing of KZ-11's is open for its agency: the inbox holds none of the case's.
        self.assertFalse({sent, accepted} & self.ids("/api/v1/inbox", "agp1"))
        # KZ-11 may not refer it any more either.
        self.refused_at(s.post("/api/v1/documents", referral_body(cid, p), "chair11"),
                        "fields.case", "case_other_region")
        self.assertIn(new, self.ids("/api/v1/inbox", "agp15"))


class ReferralDays(Base):
    """Finding 15: due to the end of the day in Kazakhstan; an outcome not
    dated before the referral was sent."""
    prefix = "D"

    def test_due_today_is_not_overdue_until_the_day_ends(self):
        s = self.srv
        cid, p, _ = self.new_case()
        rid, _ = self.send(cid, p, due="2026-03-02")  # today
        r = s.get("/api/v1/documents/" + rid, "chair11")
        self.assertEqual((r.json["due"], r.json["overdue"]), ("2026-03-02T18:59:59Z", False))
        self.assertNotIn(rid, self.ids("/api/v1/inbox", "chair11"))
        # 23:00 in Astana: still that day.
        s.restart_at("2026-03-02T18:00:00Z")
        self.assertFalse(s.get("/api/v1/documents/" + rid, "chair11").json["overdue"])
        # 00:00:01 of the next day in Astana: overdue, in the chair's inbox.
        s.restart_at("2026-03-02T19:00:01Z")
        self.assertTrue(s.get("/api/v1/documents/" + rid, "chair11").json["overdue"])
        self.assertIn(rid, self.ids("/api/v1/inbox", "chair11"))
        # And 2 March is past there: a referral due then is refused.
        n = self.counts()
        self.refused_at(s.post("/api/v1/documents", referral_body(cid, p, due="2026-03-02"),
                               "chair11"), "fields.due", "due_past")
        self.assertEqual(self.counts(), n)
        self.assertEqual(s.post("/api/v1/documents", referral_body(cid, p, due="2026-03-03"),
                                "chair11").status, 201)

    def test_outcome_not_before_sent(self):
        cid, p, _ = self.new_case()
        rid, etag = self.send(cid, p)
        r = self.act(rid, "accept", "agp1", etag)
        etag = r.header("ETag")
        n = self.counts()
        for date in ("2020-01-01", "2026-03-01"):
            r = self.act(rid, "report", "agp1", etag,
                         fields={"outcome": {"date": date, "result": "done"}})
            self.refused_at(r, "fields.outcome.date", "outcome_before_sent")
        self.assertEqual(self.counts(), n)
        # The next day in Astana (19:30 UTC): that day is today there.
        self.srv.restart_at("2026-03-02T19:30:00Z")
        r = self.act(rid, "report", "agp1", etag,
                     fields={"outcome": {"date": "2026-03-03", "result": "done"}})
        self.assertEqual((r.status, r.json["stage"]), (200, "reported"), r)


class ErasingACase(Base):
    """A case's erasure waits for its referrals, which an admin erases
    first; verify passes afterwards."""
    prefix = "E"

    def delete(self, doc_id, user, etag, reason="Срок хранения истёк"):
        return self.srv.request("DELETE", "/api/v1/documents/" + doc_id, {"reason": reason},
                                token=self.srv.token(user), headers={"If-Match": etag})

    def test_referrals_first(self):
        s = self.srv
        cid, p, etag = self.new_case()
        rid, retag = self.send(cid, p, task="Секретное поручение Зиябек")
        n = self.counts()
        r = self.delete(cid, "adm", etag)
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "referrers_not_erased"), r)
        self.assertEqual(self.delete(rid, "chair11", retag).status, 403)
        self.assertEqual(self.counts(), n)

        r = self.delete(rid, "adm", retag)
        self.assertEqual((r.status, r.json["stage"]), (200, "erased"), r)
        self.assertEqual(s.get("/api/v1/documents/" + rid, "chair11").status, 410)
        self.assertEqual(s.get("/api/v1/documents/" + rid, "agp1").status in (403, 410), True)
        self.assertNotIn(rid, self.ids("/api/v1/documents", "agp1"))
        self.assertNotIn(rid, self.ids("/api/v1/inbox", "agp1"))
        self.assertEqual(s.get("/api/v1/documents/" + cid, "chair11").json["referenced_by"], [])

        r = self.delete(cid, "adm", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "erased"), r)
        self.assertEqual(self.counts(), (n[0], n[1] + 2))
        stop_and_verify(self, s)


if __name__ == "__main__":
    unittest.main()
