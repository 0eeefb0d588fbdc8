"""Meetings and references in the web interface and the API: a `ref` field
offers the documents of its type the user may read in the form's region
(named by what their list entry shows: a case by its pseudonym, stage and
short id, never its child), the page links it, GET /api/v1/documents/{id}
answers "referenced_by", and a case's page lists the meetings about it with
each one's date, number, stage and the decision on this case."""
import re
import unittest

from kenes_harness import Browser, ServerTest, commit_count, roster_body, walk_chain
# The meeting tests' people, words and case (a module import: their tests do not run here).
from test_meetings import CHILD_NAME, CHILD_VIEW, PLACE, PRESENT, USERS_M, case_body


def options_of(html, name):
    """[(value, label)] of the select named name."""
    m = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % re.escape(name), html, re.S)
    assert m, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', m.group(1))


class WebMeetings(ServerTest):
    users = USERS_M
    env = {"KENES_NOW": "2026-03-25T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        # Akmola's roster in force (the record needs a quorum of it); cases in two regions.
        r = s.post("/api/v1/documents", roster_body(region="KZ-11"), "off11")
        walk_chain(s, r.json["id"], r.header("ETag"))
        cls.cases = {name: s.post("/api/v1/documents", case_body(region, f"W-{name}"),
                                  official).json["id"]
                     for name, region, official in (("a", "KZ-11", "off11"),
                                                    ("b", "KZ-11", "off11"),
                                                    ("c", "KZ-15", "off15"),
                                                    ("d", "KZ-11", "off11"))}
        # Meeting 1 decides on case a (held and signed); meeting 2 only schedules it.
        item = {"kind": "case", "case": cls.cases["a"],
                "participants": {"notified": True, "child": True, "representative": True},
                "child_view": CHILD_VIEW, "decision": "approve-plan",
                "decision_text": "Утвердить план", "vote": {"for": 4, "against": 0,
                                                            "abstained": 0}}
        body = {"type": "commission-meeting", "region": "KZ-11", "body": "",
                "fields": {"number": 7, "date": "2026-03-20", "place": PLACE,
                           "attendance": PRESENT, "agenda": [item]}}
        r = s.post("/api/v1/documents", body, "sec11")
        assert r.status == 201, r
        cls.signed = r.json["id"]
        r = s.act(cls.signed, "record", "sec11", r.header("ETag"))
        assert r.status == 200, r
        r = s.act(cls.signed, "sign", "chair11", r.header("ETag"))
        assert r.status == 200 and r.json["stage"] == "signed", r
        body["fields"] = {"number": 8, "date": "2026-04-02", "place": PLACE,
                          "agenda": [{"kind": "matter", "matter": "О летнем отдыхе"},
                                     {"kind": "case", "case": cls.cases["a"]}]}
        r = s.post("/api/v1/documents", body, "sec11")
        assert r.status == 201, r
        cls.scheduled = r.json["id"]

    # ---- the API ------------------------------------------------------------------

    def test_referenced_by(self):
        s = self.srv
        r = s.get("/api/v1/documents/" + self.cases["a"], "chair11")
        self.assertEqual(r.status, 200, r)
        refs = r.json["referenced_by"]
        self.assertEqual([x["id"] for x in refs], sorted([self.signed, self.scheduled]))
        by_id = {x["id"]: x for x in refs}
        self.assertEqual(by_id[self.signed]["stage"], "signed")
        self.assertEqual(by_id[self.signed]["type"], "commission-meeting")
        self.assertEqual(by_id[self.signed]["region"], "KZ-11")
        self.assertEqual(by_id[self.signed]["date"], "2026-03-20")
        # A list entry's worth: nothing the meeting's fields say.
        for x in refs:
            self.assertNotIn("fields", x)
            self.assertNotIn("paths", x)
        self.assertNotIn(PLACE, r.raw)
        self.assertNotIn(CHILD_VIEW, r.raw)
        # A case no meeting names, and the meeting itself: none.
        self.assertEqual(s.get("/api/v1/documents/" + self.cases["b"], "off11")
                         .json["referenced_by"], [])
        self.assertEqual(s.get("/api/v1/documents/" + self.signed, "aud")
                         .json["referenced_by"], [])
        # As it stood (?at=) is the version then, without today's referrers.
        r = s.get("/api/v1/documents/" + self.cases["a"] + "?at=2026-03-25T08:59:00Z", "aud")
        self.assertNotIn("referenced_by", r.json)

    def test_referrers_only_those_the_reader_may_read(self):
        s = self.srv
        # The auditor reads every meeting; another region's chair reads neither.
        r = s.get("/api/v1/documents/" + self.cases["a"], "aud")
        self.assertEqual(len(r.json["referenced_by"]), 2, r)
        self.assertEqual(s.get("/api/v1/documents/" + self.cases["a"], "chair15").status, 403)

    def test_ref_to_another_region_refused_and_nothing_written(self):
        s = self.srv
        before = commit_count(s.cases_git)
        body = {"type": "commission-meeting", "region": "KZ-11", "body": "",
                "fields": {"number": 30, "date": "2026-03-21", "place": PLACE,
                           "agenda": [{"kind": "case", "case": self.cases["c"]}]}}
        r = s.post("/api/v1/documents", body, "sec11")
        self.assertEqual(r.status, 422, r)
        self.assertIn({"path": "fields.agenda[0].case", "code": "case_other_region"},
                      [{"path": p["path"], "code": p["code"]} for p in r.json["error"]["fields"]])
        self.assertEqual(commit_count(s.cases_git), before)

    # ---- the form -----------------------------------------------------------------

    def test_form_offers_the_regions_cases(self):
        b = Browser(self.srv, lang="ru").signed_in("sec11")
        r = b.get("/ui/new/commission-meeting")
        self.assertEqual(r.status, 200, r)
        opts = options_of(r.raw, "fields.agenda[0].case")
        self.assertEqual(opts[0][0], "", "an empty choice first")
        values = [v for v, _ in opts[1:]]
        self.assertEqual(sorted(values), sorted([self.cases[k] for k in "abd"]))
        self.assertNotIn(self.cases["c"], r.raw)  # another region's case
        labels = dict(opts)
        short = self.cases["a"].rsplit("/", 1)[1][:8]
        self.assertIn("W-a", labels[self.cases["a"]])
        self.assertIn("Зарегистрировано", labels[self.cases["a"]])
        self.assertIn(short, labels[self.cases["a"]])
        self.assertNotIn(CHILD_NAME, r.raw)
        self.assertNotIn("Зарина", r.raw)
        # Participants are checkboxes; the kind of item a select in words.
        self.assertRegex(r.raw, r'<input type="checkbox" id="[^"]+" '
                                r'name="fields.agenda\[0\].participants.child" value="true"')
        self.assertEqual([l for _, l in options_of(r.raw, "fields.agenda[0].kind")][1:],
                         ["Дело ребёнка", "Другой вопрос"])

    def test_form_in_kazakh_and_a_save_through_it(self):
        s = self.srv
        b = Browser(s, lang="kk").signed_in("sec11")
        r = b.get("/ui/new/commission-meeting")
        self.assertIn("Тіркелді", dict(options_of(r.raw, "fields.agenda[0].case"))
                      [self.cases["d"]])
        csrf = re.search(r'name="csrf" value="([^"]+)"', r.raw).group(1)
        before = commit_count(s.cases_git)
        form = {"csrf": csrf, "region": "KZ-11", "title": "", "body": "",
                "fields.number": "12", "fields.date": "2026-04-10", "fields.place": PLACE,
                "fields.agenda[0].kind": "case", "fields.agenda[0].case": self.cases["d"],
                "fields.agenda[0].participants.notified": "true"}
        r = b.post("/ui/new/commission-meeting", form)
        self.assertEqual(r.status, 303, r)
        mid = "meeting/KZ-11/2026-12"
        self.assertEqual(r.header("Location"), "/ui/d/" + mid)
        self.assertEqual(commit_count(s.cases_git), before + 1)
        doc = s.get("/api/v1/documents/" + mid, "sec11").json
        item = doc["fields"]["agenda"][0]
        self.assertEqual(item["case"], self.cases["d"])
        self.assertEqual(item["participants"], {"notified": True})  # unticked: left out
        # The page links the case by its label; the case's page names the meeting.
        page = b.get("/ui/d/" + mid)
        self.assertIn('<a href="/ui/d/%s">W-d' % self.cases["d"], page.raw)
        case_page = b.get("/ui/d/" + self.cases["d"])
        self.assertIn("Іс бойынша комиссия отырыстары", case_page.raw)
        self.assertIn('href="/ui/d/%s"' % mid, case_page.raw)

    def test_bad_ref_in_form_refused_with_sentence_nothing_written(self):
        s = self.srv
        b = Browser(s, lang="ru").signed_in("sec11")
        csrf = b.csrf("/ui/new/commission-meeting")
        before = commit_count(s.cases_git)
        # A case id of another region, as a hand-made form might send it.
        form = {"csrf": csrf, "region": "KZ-11", "title": "", "body": "",
                "fields.number": "13", "fields.date": "2026-04-10", "fields.place": PLACE,
                "fields.agenda[0].kind": "case", "fields.agenda[0].case": self.cases["c"]}
        r = b.post("/ui/new/commission-meeting", form)
        self.assertEqual(r.status, 422, r)
        self.assertIn('role="alert"', r.raw)
        self.assertRegex(r.raw, r'<select id="f-fields-agenda-0-case" name="fields.agenda\[0\].case"'
                                r'[^>]*aria-invalid="true"')
        self.assertEqual(commit_count(s.cases_git), before)

    # ---- the pages ----------------------------------------------------------------

    def test_case_page_lists_its_meetings(self):
        s = self.srv
        for lang, heading, decision, stage in (
                ("ru", "Заседания комиссии по делу", "Утвердить план и назначить сопровождение",
                 "Подписано"),
                ("kk", "Іс бойынша комиссия отырыстары", "Жоспарды бекітіп, сүйемелдеуді тағайындау",
                 "Қол қойылды"),
                ("en", "Commission meetings on this case", "Approve the plan and assign accompaniment",
                 "Signed")):
            b = Browser(s, lang=lang).signed_in("chair11")
            r = b.get("/ui/d/" + self.cases["a"])
            self.assertEqual(r.status, 200, r)
            self.assertIn(heading, r.raw)
            section = r.raw[r.raw.index('data-kenes="referrers"'):]
            section = section[:section.index("</section>")]
            self.assertIn('href="/ui/d/%s"' % self.signed, section)
            self.assertIn('href="/ui/d/%s"' % self.scheduled, section)
            self.assertIn(decision, section)
            self.assertIn(stage, section)
            self.assertIn("<td>7</td>", section)
            self.assertNotIn(CHILD_VIEW, section)
            self.assertNotIn(PLACE, section)
        # A case page with no meeting has no such section.
        b = Browser(s, lang="ru").signed_in("off11")
        self.assertNotIn('data-kenes="referrers"', b.get("/ui/d/" + self.cases["b"]).raw)

    def test_meeting_page_links_the_case_for_readers_only(self):
        s = self.srv
        b = Browser(s, lang="ru").signed_in("chair11")
        r = b.get("/ui/d/" + self.signed)
        self.assertEqual(r.status, 200, r)
        self.assertIn('<a href="/ui/d/%s">W-a · ' % self.cases["a"], r.raw)
        self.assertNotIn(CHILD_NAME, r.raw)

    def test_reading_a_case_page_logs_the_meetings_it_shows(self):
        s = self.srv
        b = Browser(s, lang="ru").signed_in("aud")
        b.get("/ui/d/" + self.cases["a"])
        log = s.get("/api/v1/audit/access?user=aud", "aud").json["events"]
        read = {e["document"] for e in log if e["action"] == "read"}
        self.assertIn(self.cases["a"], read)
        self.assertIn(self.signed, read)
        self.assertIn(self.scheduled, read)


if __name__ == "__main__":
    unittest.main()
