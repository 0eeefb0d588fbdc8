"""Must show (issue 14): a child's case from registration to closure, the
way the order of January 2026 wants it worked.  Registered by the official;
reviewed at a commission meeting that the secretary records (the child and
the legal representative present, the child's own view heard) and the chair
signs; an accompanying person assigned; a check comes due and reminds the
chair and the accompanier (the clock moved: the server restarts with
another KENES_NOW); the check finds the measures effective; a second signed
meeting closes the case.  At the end nothing typed about the child is in
documents.git or in any public report, in any language: lists show the
pseudonym, reports not even that."""
import re
import subprocess
import unittest

from kenes_harness import (USERS, Browser, ServerTest, approved_roster, git, with_commission)

USERS_L = with_commission(USERS) + [("acc11", "regional-official", "KZ-11")]

# What is typed about the child: none of it may leave the sealed files.
CHILD = {"pseudonym": "L-0314", "full_name": "Тимур Асанов", "birth_date": "2012-09-14",
         "address": "Кокшетау, ул. Ауэзова 12, кв. 7", "school": "Школа-лицей №3"}
CHILD_VIEW = "Хочу остаться в своём классе и ходить в секцию борьбы"
PARENT = "Асанова Гульмира Ерлановна"
SECRETS = [CHILD["full_name"], "Асанов", CHILD["birth_date"], CHILD["address"], "Ауэзова",
           CHILD["school"], CHILD_VIEW, PARENT]


class CaseLife(ServerTest):
    users = USERS_L
    env = {"KENES_NOW": "2026-03-02T09:00:00Z"}

    def restart(self, now):
        """The same data folder, another day."""
        self.assertEqual(self.srv.restart_at(now), 0)

    def inbox(self, user):
        return {i["id"]: i for i in self.srv.get("/api/v1/inbox", user).json["items"]}

    def meeting(self, number, date, cid, decision, text, points):
        """The secretary schedules the meeting, records it held with the
        family present and the child heard, and the chair signs it."""
        s = self.srv
        members = [m["full_name"] for m in
                   s.get("/api/v1/documents/" + self.roster, "sec11").json["fields"]["members"]]
        present = members[:5]
        agenda = [{"kind": "case", "case": cid,
                   "participants": {"notified": True, "child": False, "representative": False,
                                    "accompanier": False}}]
        body = {"type": "commission-meeting", "region": "KZ-11",
                "body": "# Заседание комиссии\n\nПовестка: рассмотрение дела ребёнка.\n",
                "fields": {"number": number, "date": date,
                           "place": "Кокшетау, акимат области, зал заседаний",
                           "agenda": agenda}}
        r = s.post("/api/v1/documents", body, "sec11")
        self.assertEqual(r.status, 201, r)
        mid = r.json["id"]
        self.assertEqual(r.json["stage"], "scheduled")
        # Held: who came, the child's view, the decision, the vote, the resolution.
        agenda[0].update({"participants": {"notified": True, "child": True, "representative": True,
                                           "accompanier": decision == "close"},
                          "child_view": CHILD_VIEW,
                          "decision": decision, "decision_text": text,
                          "vote": {"for": 4, "against": 0, "abstained": 1}})
        fields = dict(body["fields"], attendance=present, agenda=agenda,
                      guests=[f"{PARENT}, законный представитель"],
                      resolution={"points": points})
        r = s.put("/api/v1/documents/" + mid, {"fields": fields}, "sec11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        r = s.act(mid, "record", "sec11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "held"), r)
        # Four eyes: the secretary who recorded it cannot sign; the chair does.
        self.assertNotEqual(s.act(mid, "sign", "sec11", r.header("ETag")).status, 200)
        r = s.act(mid, "sign", "chair11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "signed"), r)
        return mid

    def test_a_case_from_registration_to_closure(self):
        s = self.srv
        self.roster = approved_roster(s, "KZ-11")

        # 2 March: the official registers the case: measures, a check ahead.
        fields = {"child": dict(CHILD), "grounds": ["suicide-risk", "family"],
                  "measures": [{"what": "Консультации психолога раз в неделю",
                                "who": "Управление здравоохранения", "due": "2026-03-20"},
                               {"what": "Занятия в спортивной секции",
                                "who": "Управление физической культуры и спорта",
                                "due": "2026-03-25"}],
                  "follow_ups": [{"due": "2026-03-26", "measure": 1},
                                 {"due": "2026-03-26", "measure": 2}]}
        r = s.post("/api/v1/documents", {"type": "case-review", "region": "KZ-11",
                                         "body": "# Рассмотрение дела\n", "fields": fields}, "off11")
        self.assertEqual(r.status, 201, r)
        cid = r.json["id"]
        self.assertEqual((r.json["stage"], r.json["due"]), ("registered", "2026-03-17T09:00:00Z"))
        r = s.act(cid, "start-review", "off11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "under-review"), r)
        etag = r.header("ETag")

        # Reviewed at a meeting: the child and the legal representative present.
        first = self.meeting(1, "2026-03-02", cid, "approve-plan",
                             "Утвердить план мер и назначить сопровождающего",
                             [{"text": "Утвердить план мер поддержки по делу",
                               "executor": "Управление образования", "due": "2026-03-25"}])
        # The case page lists the meeting (what the chair decided from).
        self.assertEqual(s.get(f"/api/v1/documents/{first}", "chair11").json["fields"]["agenda"][0]
                         ["case"], cid)

        # The accompanying person assigned; the chair approves as resolved.
        fields["accompanier"] = {"name": "Оспанова Динара Маратовна",
                                 "organisation": "Центр психологической поддержки",
                                 "user": "acc11"}
        r = s.put("/api/v1/documents/" + cid, {"fields": fields}, "off11", etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "approve-plan", "chair11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "plan-approved"), r)
        r = s.act(cid, "begin-accompaniment", "off11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "in-accompaniment"), r)
        self.assertEqual(r.json["due"], "2026-03-26T00:00:00Z")  # the checks
        # Three weeks and more away: nobody is reminded yet.
        self.assertNotIn(cid, self.inbox("chair11"))
        self.assertFalse(self.inbox("acc11")[cid]["reminder"])

        # 21 March: the checks are five days away.
        self.restart("2026-03-21T09:00:00Z")
        item = self.inbox("chair11")[cid]
        self.assertEqual((item["reminder"], item["actions"], item["pseudonym"]),
                         (True, [], CHILD["pseudonym"]))
        self.assertTrue(self.inbox("acc11")[cid]["reminder"])
        page = Browser(s).signed_in("chair11").get("/ui/inbox")
        self.assertIn("Подходит срок проверки", page.raw)
        self.assertIn(CHILD["pseudonym"], page.raw)
        for secret in SECRETS:
            self.assertNotIn(secret, page.raw)

        # 27 March: the checks are made; both measures work.
        self.restart("2026-03-27T09:00:00Z")
        self.assertTrue(self.inbox("chair11")[cid]["overdue"])
        r = s.get("/api/v1/documents/" + cid, "off11")
        fields = r.json["fields"]
        for check in fields["follow_ups"]:
            check.update({"done": "2026-03-27", "outcome": "effective",
                          "next_steps": "Сопровождение завершить"})
        fields["closure"] = {"reason": "goals-met",
                             "comment": "Меры сработали: проверки подтвердили результат"}
        r = s.put("/api/v1/documents/" + cid, {"fields": fields}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["overdue"])
        r = s.act(cid, "request-closure", "off11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "closure-requested"), r)
        etag = r.header("ETag")

        # Closed at a second meeting.
        second = self.meeting(2, "2026-03-27", cid, "close", "Закрыть дело: цели достигнуты",
                              [{"text": "Снять дело с контроля", "executor": "Секретарь комиссии",
                                "due": "2026-03-31"}])
        r = s.act(cid, "close", "chair11", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "closed"), r)
        self.assertNotIn(cid, self.inbox("chair11"))

        # Lists: the case by its pseudonym, the meetings by date and items.
        cases = {d["id"]: d for d in s.get("/api/v1/documents?type=case-review", "aud")
                 .json["documents"]}
        self.assertEqual(cases[cid]["pseudonym"], CHILD["pseudonym"])
        meetings = {d["id"]: d for d in s.get("/api/v1/documents?type=commission-meeting", "aud")
                    .json["documents"]}
        self.assertEqual({(meetings[m]["date"], meetings[m]["items"]) for m in (first, second)},
                         {("2026-03-02", 1), ("2026-03-27", 1)})
        listing = s.get("/api/v1/documents", "aud").raw
        for secret in SECRETS:
            self.assertNotIn(secret, listing)

        # documents.git and the reports: nothing of the child, not even the pseudonym.
        r = s.request("POST", "/api/v1/reports/generate", token=s.token("adm"))
        self.assertEqual(r.status, 200, r)
        everything = git(s.docs_git, "log", "--all", "-p")
        for secret in SECRETS + [CHILD["pseudonym"], cid, "case/KZ-11/"]:
            self.assertNotIn(secret, everything)
        pages = self.public_reports()
        self.assertTrue(any(p.startswith("/reports/cases") for p in pages), sorted(pages))
        for lang in ("kk", "en"):
            if f"/reports/{lang}/" in pages:  # published in that language too: read it all
                self.assertTrue(any(p.startswith(f"/reports/{lang}/cases") for p in pages), lang)
        for path, text in pages.items():
            for secret in SECRETS + [CHILD["pseudonym"], cid]:
                self.assertNotIn(secret, text, path)
        # The sealed repository holds no clear text of the child or the meetings.
        sealed = subprocess.run(["git", "-C", s.cases_git, "log", "--all", "-p"],
                                capture_output=True, timeout=120, check=True).stdout
        for secret in SECRETS:
            self.assertNotIn(secret.encode(), sealed)

    def public_reports(self):
        """Every page under /reports/ the index leads to, in every language
        the index links (and the Markdown beside each): {path: text}."""
        s = self.srv
        # The Russian index, the landing page, and each other language's index
        # where the server publishes one (reports/kk/, reports/en/).
        optional = {"/reports/kk/", "/reports/en/"}
        seen, todo = {}, ["/reports/", "/"] + sorted(optional)
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            r = s.request("GET", path)
            if (path.endswith(".md") or path in optional) and r.status in (400, 404):
                continue  # not every page has its Markdown beside it
            self.assertEqual(r.status, 200, (path, r))
            seen[path] = r.raw
            if path.endswith(".zip") or path.endswith(".md"):
                continue
            for link in re.findall(r'href="(/reports/[^"#?]*)"', r.raw):
                if link not in seen and not link.endswith(".zip"):
                    todo.append(link)
                    if not link.endswith("/") and not link.endswith(".md"):
                        todo.append(link + ".md")
        del seen["/"]
        return seen


if __name__ == "__main__":
    unittest.main()
