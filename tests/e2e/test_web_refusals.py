"""The web says why a guard refused, for every guard: a guard without a
sentence of its own in pages.yaml is explained by the sentence of the code
it refused with (validation.yaml), in ru, kk and en: a meeting recorded
without a quorum, a plan approved without a signed resolution, a case
closed as goals-met while a measure did not work.  Nothing is written.
Also: the case page marks a decision the vote did not adopt, and the
meeting form suggests the region's approved roster's names, and a document
too long for one form says so."""
import html
import re
import unittest

from kenes_harness import (Browser, ServerTest, approved_roster, commit_count, hold_meeting,
                           meeting_item, plan_body, plan_measure)
from test_case_rules import NOW, USERS_R, case_body

# validation.yaml's sentences (quorum_missing, resolution_missing, goals_not_met).
WHY = {
    "quorum_missing": {"ru": "Кворума нет", "kk": "Кворум жоқ", "en": "No quorum"},
    "resolution_missing": {"ru": "Нужно подписанное постановление заседания комиссии",
                           "kk": "комиссия отырысының қол қойылған қаулысы қажет",
                           "en": "A signed resolution of a commission meeting"},
    "goals_not_met": {"ru": "Причина «Цели достигнуты» возможна, только когда",
                      "kk": "себебі барлық шаралардың мерзімі өтіп",
                      "en": "is possible only once every measure is past its due date"},
}
GENERIC = {"ru": "Действие пока невозможно", "kk": "Әрекет әзірге мүмкін емес",
           "en": "The action is not possible yet"}
PLACE = "Кокшетау, зал заседаний акимата"


def text_of(page):
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


class WebRefusals(ServerTest):
    users = USERS_R
    env = {"KENES_NOW": NOW}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        roster = cls.srv.get("/api/v1/documents/" + approved_roster(cls.srv, "KZ-11"), "aud")
        cls.members = [m["full_name"] for m in roster.json["fields"]["members"]]
        cls.n = 0

    # ---- helpers -------------------------------------------------------------

    def browser(self, user, lang):
        return Browser(self.srv, lang=lang).signed_in(user)

    def act(self, b, doc_id, action):
        """The document page's button pressed: the answer."""
        page = b.get("/ui/d/" + doc_id).raw
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        return b.post(f"/ui/d/{doc_id}/act", {"csrf": hidden["csrf"], "version": hidden["version"],
                                               "action": action, "comment": ""})

    def case(self, **fields):
        """A case under review in KZ-11: (id, etag)."""
        WebRefusals.n += 1
        s = self.srv
        r = s.post("/api/v1/documents", case_body("KZ-11", f"WR-{self.n:04d}", **fields), "off11")
        self.assertEqual(r.status, 201, r)
        r = s.act(r.json["id"], "start-review", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        return r.json["id"], r.header("ETag")

    def counts(self):
        return commit_count(self.srv.docs_git), commit_count(self.srv.cases_git)

    def says_why(self, user, doc_id, action, code):
        """Pressing action's button is refused (422) with code's sentence in
        every language, not the general one; nothing is written."""
        for lang in ("ru", "kk", "en"):
            with self.subTest(code=code, lang=lang):
                before = self.counts()
                r = self.act(self.browser(user, lang), doc_id, action)
                self.assertEqual(r.status, 422, r)
                alert = re.search(r'role="alert"[^>]*>(.*?)</', r.raw, re.S)
                self.assertTrue(alert, r.raw[:2000])
                words = text_of(alert.group(1))
                self.assertIn(WHY[code][lang], words)
                self.assertNotIn(GENERIC[lang], words)
                self.assertNotIn(code, text_of(r.raw))  # no Latin code on the page
                self.assertEqual(self.counts(), before)

    # ---- the refusals -------------------------------------------------------

    def test_quorum_missing(self):
        s = self.srv
        cid, _ = self.case()
        body = {"type": "commission-meeting", "region": "KZ-11", "body": "",
                "fields": {"number": 40, "date": NOW[:10], "place": PLACE,
                           "attendance": self.members[:2],
                           "agenda": [meeting_item(cid, "continue", votes=(2, 0, 0))]}}
        r = s.post("/api/v1/documents", body, "sec11")
        self.assertEqual(r.status, 201, r)
        self.says_why("sec11", r.json["id"], "record", "quorum_missing")

    def test_resolution_missing(self):
        cid, _ = self.case()
        self.says_why("chair11", cid, "approve-plan", "resolution_missing")

    def test_goals_not_met(self):
        s = self.srv
        cid, etag = self.case()
        hold_meeting(s, "KZ-11", {cid: "approve-plan"})
        r = s.act(cid, "approve-plan", "chair11", etag)
        self.assertEqual(r.status, 200, r)
        r = s.act(cid, "begin-accompaniment", "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        fields = r.json["fields"]
        fields["closure"] = {"reason": "goals-met"}
        fields["follow_ups"] = [
            {"due": f"2026-03-1{k}", "measure": k + 1, "done": "2026-03-02", "outcome": outcome}
            for k, outcome in enumerate(("effective", "partially-effective"))]
        r = s.put("/api/v1/documents/" + cid, {"fields": fields}, "off11", r.header("ETag"))
        self.assertEqual(r.status, 200, r)
        self.says_why("off11", cid, "request-closure", "goals_not_met")

    # ---- the case page: a decision not adopted ------------------------------

    def test_decision_not_adopted_is_marked(self):
        cid, _ = self.case()
        present = len(self.members) // 2 + 1
        # A tie: not adopted.  (hold_meeting has just over half the roster present.)
        tie = (present // 2, present - present // 2, 0) if present % 2 == 0 else \
            (present // 2, present // 2, 1)
        hold_meeting(self.srv, "KZ-11", {cid: meeting_item(cid, "close", votes=tie)})
        for lang, decision, mark in (("ru", "Закрыть дело", "не принято"),
                                     ("kk", None, "қабылданбады"),
                                     ("en", None, "not adopted")):
            with self.subTest(lang=lang):
                page = text_of(self.browser("chair11", lang).get("/ui/d/" + cid).raw)
                self.assertIn(" — " + mark, page)
                if decision:
                    self.assertIn(f"{decision} — {mark}", page)
        # An adopted one is not marked.
        other, _ = self.case()
        hold_meeting(self.srv, "KZ-11", {other: "close"})
        page = text_of(self.browser("chair11", "ru").get("/ui/d/" + other).raw)
        self.assertIn("Закрыть дело", page)
        self.assertNotIn("не принято", page)

    # ---- the meeting form: the roster's names -------------------------------

    def test_attendance_suggests_the_approved_roster(self):
        s = self.srv
        body = {"type": "commission-meeting", "region": "KZ-11", "body": "",
                "fields": {"number": 41, "date": NOW[:10], "place": PLACE,
                           "attendance": self.members[:1],
                           "agenda": [{"kind": "matter", "matter": "О летнем отдыхе"}]}}
        r = s.post("/api/v1/documents", body, "sec11")
        self.assertEqual(r.status, 201, r)
        page = self.browser("sec11", "ru").get("/ui/d/" + r.json["id"] + "/edit").raw
        lists = re.findall(r'<datalist id="([^"]+)">(.*?)</datalist>', page, re.S)
        self.assertEqual(len(lists), 1, page[-3000:])
        list_id, options = lists[0]
        names = [html.unescape(v) for v in re.findall(r'<option value="([^"]*)">', options)]
        self.assertEqual(sorted(names), sorted(self.members))
        self.assertRegex(page, r'<input type="text" id="[^"]+" name="fields\.attendance\[0\]" '
                               r'value="[^"]*" list="%s"' % re.escape(list_id))
        # The names stay in the meeting's region: KZ-15's secretary is offered none of them.
        page15 = self.browser("sec15", "ru").get("/ui/new/commission-meeting").raw
        for name in self.members:
            self.assertNotIn(html.escape(name, quote=True), page15)
            self.assertNotIn(name, page15)

    def test_a_list_too_long_for_one_form_says_so(self):
        # More rows than one form shows (formview.h: FORMVIEW_MAX_ITEMS): the
        # edit page says why instead of a bare «too much data was sent».  A plan
        # (a meeting's lists stop at 100 names and items) with 800 measures.
        body = plan_body("KZ-11", period=2027)
        body["fields"]["measures"] += [
            plan_measure("safety", f"Мера {i}", "2027-Q4") for i in range(800)]
        r = self.srv.post("/api/v1/documents", body, "off11")
        self.assertEqual(r.status, 201, r)
        for lang, words in (("ru", "слишком много строк, чтобы изменить его в одной форме"),
                            ("kk", "бір формада өзгертуге болмайтындай тым көп жол бар")):
            with self.subTest(lang=lang):
                page = self.browser("off11", lang).get("/ui/d/" + r.json["id"] + "/edit")
                self.assertEqual(page.status, 413, page)
                self.assertIn(words, text_of(page.raw))


if __name__ == "__main__":
    unittest.main()
