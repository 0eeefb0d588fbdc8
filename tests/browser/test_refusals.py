"""Issue 14's refusals as a person meets them: a meeting recorded without a
quorum, a plan approved without a signed resolution, a case closed as
goals-met while a measure did not work — each refused page says why in the
guard code's own sentence, in Russian and Kazakh (screenshotted), never the
general «Действие пока невозможно».  The case's page marks a tied decision
«не принято» / «қабылданбады»."""
import kenes_browser as kb
import kenes_harness as kh

USERS = kh.USERS + [("chair11", "commission-chair", "KZ-11"),
                    ("sec11", "commission-secretary", "KZ-11")]
NOW = "2026-03-02T09:00:00Z"
WHY = {
    "quorum": {"ru": "Кворума нет", "kk": "Кворум жоқ"},
    "resolution": {"ru": "Нужно подписанное постановление", "kk": "қол қойылған қаулысы қажет"},
    "goals": {"ru": "Причина «Цели достигнуты» возможна", "kk": "себебі барлық шаралардың"},
}
GENERIC = {"ru": "Действие пока невозможно", "kk": "Әрекет әзірге мүмкін емес"}


def case_body(pseudonym):
    return {"type": "case-review", "region": "KZ-11", "body": "# Рассмотрение\n",
            "fields": {"child": {"pseudonym": pseudonym, "full_name": "Вымышленный Арман",
                                 "birth_date": "2012-05-14"},
                       "grounds": ["online-risks"],
                       "accompanier": {"name": "Оспанова Динара", "organisation": "Центр"},
                       "measures": [{"what": "Встречи с психологом", "due": "2026-03-02"},
                                    {"what": "Занятия по безопасности", "due": "2026-03-02"}],
                       "follow_ups": [{"due": "2026-03-10", "measure": 1}]}}


class Refusals(kb.BrowserTest):
    demo = False
    users = USERS
    env = {"KENES_NOW": NOW}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        roster = s.get("/api/v1/documents/" + kh.approved_roster(s, "KZ-11"), "aud")
        members = [m["full_name"] for m in roster.json["fields"]["members"]]

        def reviewed(pseudonym):
            r = s.post("/api/v1/documents", case_body(pseudonym), "off11")
            assert r.status == 201, r
            r = s.act(r.json["id"], "start-review", "off11", r.header("ETag"))
            assert r.status == 200, r
            return r.json["id"], r.header("ETag")

        # Under review, no resolution; and a tie on closing it.
        cls.unresolved, _ = reviewed("B-0001")
        kh.hold_meeting(s, "KZ-11", {cls.unresolved: kh.meeting_item(
            cls.unresolved, "close", votes=(2, 2, 0))})
        # In accompaniment, measure 2 only partially effective, goals-met asked.
        cid, etag = reviewed("B-0002")
        kh.hold_meeting(s, "KZ-11", {cid: "approve-plan"})
        r = s.act(cid, "approve-plan", "chair11", etag)
        r = s.act(cid, "begin-accompaniment", "off11", r.header("ETag"))
        assert r.status == 200, r
        fields = r.json["fields"]
        fields["closure"] = {"reason": "goals-met"}
        fields["follow_ups"] = [
            {"due": f"2026-03-1{k}", "measure": k + 1, "done": "2026-03-02", "outcome": o}
            for k, o in enumerate(("effective", "partially-effective"))]
        r = s.put("/api/v1/documents/" + cid, {"fields": fields}, "off11", r.header("ETag"))
        assert r.status == 200, r
        cls.accompanied = cid
        # A meeting with two members present: no quorum.
        body = {"type": "commission-meeting", "region": "KZ-11", "body": "",
                "fields": {"number": 30, "date": NOW[:10], "place": "Кокшетау, зал акимата",
                           "attendance": members[:2],
                           "agenda": [{"kind": "matter", "matter": "О летнем отдыхе",
                                       "decision_text": "Принять к сведению",
                                       "vote": {"for": 2, "against": 0, "abstained": 0}}]}}
        r = s.post("/api/v1/documents", body, "sec11")
        assert r.status == 201, r
        cls.meeting = r.json["id"]

    def refused(self, user, doc_id, action, why, name):
        """action pressed on doc_id's page in ru and kk: 422, why's sentence in
        the alert, nothing written; screenshotted."""
        for lang in ("ru", "kk"):
            self.sign_in(user, lang=lang)
            self.open("/ui/d/" + doc_id, lang)
            before = (self.commits(), self.commits(self.srv.cases_git))
            self.click_action(action, expect=422)
            alerts = " ".join(self.alerts())
            self.assertIn(WHY[why][lang], alerts)
            self.assertNotIn(GENERIC[lang], alerts)
            self.assertEqual((self.commits(), self.commits(self.srv.cases_git)), before)
            self.check_page(lang, name)

    def test_1_quorum_missing(self):
        self.refused("sec11", self.meeting, "record", "quorum", "refused-quorum")

    def test_2_resolution_missing(self):
        self.refused("chair11", self.unresolved, "approve-plan", "resolution",
                     "refused-resolution")

    def test_3_goals_not_met(self):
        self.refused("off11", self.accompanied, "request-closure", "goals", "refused-goals")

    def test_4_tie_not_adopted(self):
        self.sign_in("chair11", lang="ru")
        self.open("/ui/d/" + self.unresolved, "ru")
        self.assertIn("Закрыть дело — не принято", self.text())
        self.shoot_langs("case-tie")
        self.open("/ui/d/" + self.unresolved, "kk")
        self.assertIn("қабылданбады", self.text())


if __name__ == "__main__":
    kb.main()
