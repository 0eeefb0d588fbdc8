"""Commission meetings: the secretary schedules and records, the chair signs
(four eyes), quorum and decisions enforced; every bad input refused with 422
at its field or guard and nothing written; the meeting sealed in cases.git,
nothing of it in documents.git, lists showing only what may be listed."""
import subprocess
import unittest

from kenes_harness import USERS, ServerTest, commit_count, git, roster_body, walk_chain

USERS_M = USERS + [
    ("chair11", "commission-chair", "KZ-11"),
    ("chair15", "commission-chair", "KZ-15"),
    ("sec11", "commission-secretary", "KZ-11"),
    ("sec15", "commission-secretary", "KZ-15"),
]

CHILD_NAME = "Зарина Кенесбаева"
PLACE = "Кокшетау, зал заседаний акимата, каб. 214"
CHILD_VIEW = "Хочу ходить в секцию бокса и не менять школу"
GUEST = "Оспанова Динара, ОФ «Дети — наше будущее»"

# The harness's roster: seven members, so a quorum is four.
PRESENT = ["Серикова Айжан", "Абдрахманова Гульнара", "Жумабеков Ерлан", "Петрова Наталья"]

# What any list entry has, and what a meeting's summary adds.
LIST_KEYS = {"id", "type", "region", "stage", "version", "due", "overdue", "date", "items"}


def git_bytes(repo, *args):
    """git's output as bytes: sealed files are no text."""
    p = subprocess.run(["git", "-C", repo, *args], capture_output=True, timeout=120, check=True)
    return p.stdout


def case_body(region, pseudonym):
    return {"type": "case-review", "region": region, "body": "# Рассмотрение\n",
            "fields": {"child": {"pseudonym": pseudonym, "full_name": CHILD_NAME,
                                 "birth_date": "2012-03-04"},
                       "grounds": ["running-away"],
                       "measures": [{"what": "Встречи с психологом", "due": "2026-05-30"}],
                       "follow_ups": []}}


class Meetings(ServerTest):
    users = USERS_M
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        for region, official in (("KZ-11", "off11"), ("KZ-15", "off15")):
            r = s.post("/api/v1/documents", roster_body(region=region), official)
            assert r.status == 201, r
            walk_chain(s, r.json["id"], r.header("ETag"))
        cls.cases = {}
        for name, region, official in (("a", "KZ-11", "off11"), ("b", "KZ-11", "off11"),
                                       ("c", "KZ-15", "off15")):
            r = s.post("/api/v1/documents", case_body(region, f"M-{name}"), official)
            assert r.status == 201, r
            cls.cases[name] = r.json["id"]

    def meeting(self, number, *items, region="KZ-11", **fields):
        f = {"number": number, "date": "2026-03-20", "place": PLACE,
             "agenda": list(items) or [self.case_item("a")]}
        f.update(fields)
        return {"type": "commission-meeting", "region": region, "body": "# Заседание\n",
                "fields": f}

    def case_item(self, case, **more):
        item = {"kind": "case", "case": self.cases[case]}
        item.update(more)
        return item

    def decided(self, case, votes=(4, 0, 0), decision="approve-plan"):
        return self.case_item(case, participants={"notified": True, "child": True,
                                                  "representative": True, "accompanier": False},
                              child_view=CHILD_VIEW, decision=decision,
                              decision_text="Утвердить план мер и назначить сопровождающего",
                              vote=dict(zip(("for", "against", "abstained"), votes)))

    def create(self, body, user="sec11"):
        r = self.srv.post("/api/v1/documents", body, user)
        self.assertEqual(r.status, 201, r)
        return r.json["id"], r.header("ETag")

    def refused(self, r, reason="validation"):
        """{path: [code]} of a 422 answer."""
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["code"], reason, r)
        out = {}
        for p in r.json["error"]["fields"]:
            out.setdefault(p["path"], []).append(p["code"])
        return out

    def unchanged(self):
        """A context in which nothing may be written to either repository."""
        test = self

        class Same:
            def __enter__(self):
                self.before = (commit_count(test.srv.docs_git), commit_count(test.srv.cases_git))

            def __exit__(self, *exc):
                if exc[0] is None:
                    test.assertEqual((commit_count(test.srv.docs_git),
                                      commit_count(test.srv.cases_git)), self.before,
                                     "a refused request wrote a commit")
        return Same()

    # ---- the whole life ----------------------------------------------------------

    def test_meeting_life(self):
        s = self.srv
        docs_before = commit_count(s.docs_git)
        mid, etag = self.create(self.meeting(1, self.case_item("a"),
                                             {"kind": "matter",
                                              "matter": "О летней занятости подростков"}))
        self.assertEqual(mid, "meeting/KZ-11/2026-1")
        self.assertEqual(s.get("/api/v1/documents/" + mid, "sec11").json["stage"], "scheduled")
        # Nobody outside the region's commission reads it.
        for user in ("off15", "chair15", "sec15", "rev1"):
            r = s.get("/api/v1/documents/" + mid, user)
            self.assertIn(r.status, (403, 404), (user, r))
        for user in ("off11", "chair11", "aud"):
            self.assertEqual(s.get("/api/v1/documents/" + mid, user).status, 200, user)
        # Only the secretary schedules and records.
        with self.unchanged():
            r = s.post("/api/v1/documents", self.meeting(2), "chair11")
            self.assertEqual(r.status, 403, r)
            r = s.post("/api/v1/documents", self.meeting(2), "off11")
            self.assertEqual(r.status, 403, r)

        # Held: attendance, the family's presence, the child's view, decisions, votes.
        body = self.meeting(1, self.decided("a"),
                            {"kind": "matter", "matter": "О летней занятости подростков",
                             "decision_text": "Принять к сведению",
                             "vote": {"for": 3, "against": 0, "abstained": 1}},
                            attendance=PRESENT, guests=[GUEST],
                            resolution={"points": [{"text": "Утвердить план мер",
                                                    "executor": "Управление образования",
                                                    "due": "2026-04-30"}]})
        r = s.put("/api/v1/documents/" + mid, {"fields": body["fields"]}, "sec11", etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(mid, "record", "sec11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "held"), r)
        etag = r.header("ETag")
        # Four eyes: the recorder cannot sign, nor can another region's chair.
        with self.unchanged():
            r = s.act(mid, "sign", "sec11", etag)
            self.assertIn(r.status, (403, 422), r)
            r = s.act(mid, "sign", "chair15", etag)
            self.assertIn(r.status, (403, 404), r)
        r = s.act(mid, "sign", "chair11", etag)
        self.assertEqual((r.status, r.json["stage"]), (200, "signed"), r)
        # Signed: no more edits.
        with self.unchanged():
            r = s.put("/api/v1/documents/" + mid, {"fields": body["fields"]}, "sec11",
                      r.header("ETag"))
            self.assertIn(r.status, (403, 409, 422), r)

        # documents.git holds nothing of it; cases.git holds it sealed.
        self.assertEqual(commit_count(s.docs_git), docs_before)
        log = git(s.docs_git, "log", "--all", "-p")
        for text in ("meeting/", PLACE, CHILD_VIEW, "Кокшетау", "секцию"):
            self.assertNotIn(text, log)
        sealed = git_bytes(s.cases_git, "log", "--all", "-p")
        self.assertIn(b"Kenes-Document: meeting/KZ-11/2026-1", sealed)
        for text in (PLACE, CHILD_VIEW, "Кокшетау", "секцию", GUEST, "Серикова", "Зарина"):
            self.assertNotIn(text.encode(), sealed)

        # Lists: id, type, region, stage, date and items (and the core's version, due).
        for user in ("sec11", "chair11", "aud"):
            r = s.get("/api/v1/documents?type=commission-meeting", user)
            self.assertEqual(r.status, 200, r)
            entries = [d for d in r.json["documents"] if d["id"] == mid]
            self.assertEqual(len(entries), 1, r)
            self.assertLessEqual(set(entries[0]), LIST_KEYS, entries[0])
            self.assertEqual((entries[0]["date"], entries[0]["items"]), ("2026-03-20", 2))
            self.assertNotIn(PLACE, r.raw)
            self.assertNotIn(CHILD_VIEW, r.raw)
        r = s.get("/api/v1/documents?type=commission-meeting", "chair15")
        self.assertNotIn(mid, r.raw)
        # The server's log names ids, never what was typed.
        log = s.read_log()
        for text in (PLACE, CHILD_VIEW, "Серикова", CHILD_NAME):
            self.assertNotIn(text, log)

    def test_return_and_cancel(self):
        s = self.srv
        mid, etag = self.create(self.meeting(3, self.decided("b"), attendance=PRESENT))
        r = s.act(mid, "record", "sec11", etag)
        self.assertEqual(r.status, 200, r)
        with self.unchanged():
            g = s.act(mid, "return", "chair11", r.header("ETag"), comment=" ")
            self.assertEqual(self.refused(g, "guard"), {"": ["comment_required"]})
        r = s.act(mid, "return", "chair11", r.header("ETag"), comment="Уточнить голосование")
        self.assertEqual((r.status, r.json["stage"]), (200, "scheduled"), r)
        r = s.act(mid, "cancel", "sec11", r.header("ETag"), comment="Перенесено")
        self.assertEqual((r.status, r.json["stage"]), (200, "cancelled"), r)

    # ---- fix round: a date ahead, annulment, the inbox, list limits ----------------

    def test_a_meeting_dated_ahead_is_not_recorded(self):
        s = self.srv
        mid, etag = self.create(self.meeting(40, self.decided("b"), attendance=PRESENT,
                                             date="2026-03-26"))
        with self.unchanged():
            g = s.act(mid, "record", "sec11", etag)
            self.assertEqual(self.refused(g, "guard"), {"": ["meeting_in_future"]})
        # Held today (the clock's 25 March): recorded; then moved ahead by an edit: no.
        fields = s.get("/api/v1/documents/" + mid, "sec11").json["fields"]
        fields["date"] = "2026-03-25"
        r = s.put("/api/v1/documents/" + mid, {"fields": fields}, "sec11", etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(mid, "record", "sec11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "held"), r)
        fields["date"] = "2026-12-01"
        with self.unchanged():
            g = s.put("/api/v1/documents/" + mid, {"fields": fields}, "sec11", r.header("ETag"))
            self.assertEqual(self.refused(g), {"fields.date": ["meeting_in_future"]})

    def test_annul_a_signed_resolution(self):
        s = self.srv
        r = s.post("/api/v1/documents", case_body("KZ-11", "M-annul"), "off11")
        self.assertEqual(r.status, 201, r)
        self.cases["annul"] = r.json["id"]
        mid, etag = self.create(self.meeting(41, self.decided("annul"), attendance=PRESENT))
        r = s.act(mid, "record", "sec11", etag)
        r = s.act(mid, "sign", "chair11", r.header("ETag"))
        self.assertEqual((r.status, r.json["stage"]), (200, "signed"), r)
        # Annulment is no to-do: a signed meeting is in no inbox.
        self.assertNotIn(mid, s.get("/api/v1/inbox", "chair11").raw)
        with self.unchanged():
            g = s.act(mid, "annul", "chair11", r.header("ETag"), comment="  ")
            self.assertEqual(self.refused(g, "guard"), {"": ["comment_required"]})
            g = s.act(mid, "annul", "sec11", r.header("ETag"), comment="Ошибка")
            self.assertEqual(g.status, 403, g)
        r = s.act(mid, "annul", "chair11", r.header("ETag"),
                  comment="Подписано по ошибке: кворума не было")
        self.assertEqual((r.status, r.json["stage"]), (200, "annulled"), r)
        # Its decision approves nothing now.
        case = self.cases["annul"]
        r = s.act(case, "start-review", "off11", s.get("/api/v1/documents/" + case, "off11")
                  .header("ETag"))
        self.assertEqual(r.status, 200, r)
        fields = r.json["fields"]
        fields["accompanier"] = {"name": "Оспанова Динара", "organisation": "Центр поддержки"}
        fields["follow_ups"] = [{"due": "2026-04-10", "measure": 1}]
        r = s.put("/api/v1/documents/" + case, {"fields": fields}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        with self.unchanged():
            g = s.act(case, "approve-plan", "chair11", r.header("ETag"))
            self.assertEqual(self.refused(g, "guard"), {"": ["resolution_missing"]})

    def test_cancel_is_no_to_do(self):
        s = self.srv
        mid, _ = self.create(self.meeting(42, self.case_item("b")))
        self.assertNotIn(mid, s.get("/api/v1/inbox", "chair11").raw)

    def test_lists_are_limited_and_names_visible(self):
        s = self.srv
        matter = {"kind": "matter", "matter": "Разное"}
        with self.unchanged():
            r = s.post("/api/v1/documents", self.meeting(43, *([matter] * 101)), "sec11")
            self.assertEqual(self.refused(r), {"fields.agenda": ["too_many"]})
            r = s.post("/api/v1/documents",
                       self.meeting(43, matter, attendance=[PRESENT[0]] * 101), "sec11")
            self.assertEqual(self.refused(r), {"fields.attendance": ["too_many"]})
            hidden = [PRESENT[0], PRESENT[1][:5] + "\u200b" + PRESENT[1][5:]]
            r = s.post("/api/v1/documents", self.meeting(43, matter, attendance=hidden), "sec11")
            self.assertEqual(self.refused(r), {"fields.attendance[1]": ["invisible_char"]})
        self.create(self.meeting(43, *([matter] * 100)))

    # ---- bad input: 422 at the field or guard, nothing written ---------------------

    def test_case_of_another_region(self):
        with self.unchanged():
            r = self.srv.post("/api/v1/documents", self.meeting(10, self.case_item("c")), "sec11")
            self.assertEqual(self.refused(r), {"fields.agenda[0].case": ["case_other_region"]})
            self.assertNotIn(self.cases["c"], r.raw)

    def test_unknown_case(self):
        with self.unchanged():
            bogus = "case/KZ-11/00000000-0000-4000-8000-000000000000"
            r = self.srv.post("/api/v1/documents",
                              self.meeting(11, {"kind": "case", "case": bogus}), "sec11")
            self.assertEqual(self.refused(r), {"fields.agenda[0].case": ["case_unknown"]})
            # A roster's id is no case either.
            r = self.srv.post("/api/v1/documents",
                              self.meeting(11, {"kind": "case", "case": "roster/KZ-11/2026-02"}),
                              "sec11")
            self.assertEqual(self.refused(r), {"fields.agenda[0].case": ["case_unknown"]})

    def test_case_twice_and_required(self):
        with self.unchanged():
            r = self.srv.post("/api/v1/documents",
                              self.meeting(12, self.case_item("a"), self.case_item("a"),
                                           {"kind": "case"}, {"kind": "matter"}), "sec11")
            self.assertEqual(self.refused(r), {"fields.agenda[1].case": ["case_twice"],
                                               "fields.agenda[2].case": ["case_required"],
                                               "fields.agenda[3].matter": ["matter_required"]})

    def test_attendee_not_on_roster(self):
        s = self.srv
        mid, etag = self.create(self.meeting(13))
        with self.unchanged():
            body = self.meeting(13, attendance=PRESENT + ["Посторонний Человек"])
            r = s.put("/api/v1/documents/" + mid, {"fields": body["fields"]}, "sec11", etag)
            self.assertEqual(self.refused(r), {"fields.attendance[4]": ["not_on_roster"]})
            self.assertNotIn("Посторонний", r.raw)
        # Another region's roster in force is not this one's.
        with self.unchanged():
            r = s.post("/api/v1/documents",
                       self.meeting(13, self.case_item("c"), region="KZ-15",
                                    attendance=["Серикова Айжан", "Ким Олег", "Петрова Наталья",
                                                "Не Из Состава"]), "sec15")
            self.assertEqual(self.refused(r), {"fields.attendance[3]": ["not_on_roster"]})

    def test_vote_does_not_add_up(self):
        s = self.srv
        mid, etag = self.create(self.meeting(14))
        with self.unchanged():
            body = self.meeting(14, self.decided("a", votes=(3, 0, 0)), attendance=PRESENT)
            r = s.put("/api/v1/documents/" + mid, {"fields": body["fields"]}, "sec11", etag)
            self.assertEqual(self.refused(r), {"fields.agenda[0].vote": ["vote_total"]})

    def test_number_is_fixed(self):
        s = self.srv
        mid, etag = self.create(self.meeting(19))
        with self.unchanged():
            body = self.meeting(20)
            r = s.put("/api/v1/documents/" + mid, {"fields": body["fields"]}, "sec11", etag)
            self.assertEqual(self.refused(r), {"fields.number": ["meeting_renumbered"]})
        # The same number twice in a year is the same id: refused.
        with self.unchanged():
            r = s.post("/api/v1/documents", self.meeting(19), "sec11")
            self.assertEqual(r.status, 409, r)

    def test_no_quorum_at_record(self):
        s = self.srv
        mid, etag = self.create(self.meeting(15, self.decided("a", votes=(3, 0, 0)),
                                             attendance=PRESENT[:3]))
        with self.unchanged():
            r = s.act(mid, "record", "sec11", etag)
            self.assertEqual(self.refused(r, "guard"), {"": ["quorum_missing"]})
            self.assertIn("3 members", r.json["error"]["message"])
            self.assertNotIn("Серикова", r.raw)
        # Nobody listed at all: no quorum either.
        mid, etag = self.create(self.meeting(16, self.decided("a", votes=(3, 0, 0))))
        with self.unchanged():
            r = s.act(mid, "record", "sec11", etag)
            self.assertEqual(self.refused(r, "guard"), {"": ["quorum_missing"]})

    def test_decisions_missing_at_record(self):
        s = self.srv
        mid, etag = self.create(self.meeting(17, self.case_item("a"), attendance=PRESENT))
        with self.unchanged():
            r = s.act(mid, "record", "sec11", etag)
            self.assertEqual(self.refused(r, "guard"), {"": ["decisions_missing"]})

    def test_other_region_cannot_write(self):
        with self.unchanged():
            r = self.srv.post("/api/v1/documents", self.meeting(18), "sec15")
            self.assertEqual(r.status, 403, r)


if __name__ == "__main__":
    unittest.main()
