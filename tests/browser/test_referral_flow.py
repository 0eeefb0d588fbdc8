"""Issue 15: a referral as the agency's officer meets it.  The chair of
Akmola's commission has sent a measure of a child's case to the police's
juvenile inspectorate; the inspector signs in, finds it in the inbox, opens
it (the task, the due date, the pseudonym, the agency by its name: never the
child's name, nor the case), accepts it, and reports back what was done, the
outcome recorded with the action.  Each step is screenshotted in Russian and
Kazakh; the chair then sees the outcome on the case's page."""
from urllib.parse import urlsplit

import kenes_browser as kb
import kenes_harness as kh

CHILD = "Вымышленный Нурсултан"
PSEUDONYM = "P-0007"
TASK = "Профилактическая беседа инспектора ПДН с подростком и матерью, раз в две недели"
USERS = kh.USERS + [("chair11", "commission-chair", "KZ-11")]


class ReferralFlow(kb.BrowserTest):
    demo = False
    users = USERS
    env = {"KENES_NOW": "2026-03-02T09:00:00Z"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.srv
        case = {"type": "case-review", "region": "KZ-11", "body": "# Рассмотрение\n",
                "fields": {"child": {"pseudonym": PSEUDONYM, "full_name": CHILD,
                                     "birth_date": "2011-09-14"},
                           "grounds": ["offence"],
                           "measures": [{"what": "Беседы с инспектором ПДН", "due": "2026-04-30"}]}}
        r = s.post("/api/v1/documents", case, "off11")
        assert r.status == 201, r
        cls.case = r.json["id"]
        r = s.post("/api/v1/documents", {
            "type": "referral", "region": "KZ-11",
            "fields": {"case": cls.case, "measure": 1, "agency": "kz11-police",
                       "due": "2026-04-15", "pseudonym": PSEUDONYM, "task": TASK}}, "chair11")
        assert r.status == 201, r
        cls.referral = r.json["id"]

    def test_accept_and_report(self):
        self.sign_in("agp1", lang="ru")
        self.check_page("ru", "inbox-agency")
        self.assertIn(PSEUDONYM, self.text())
        self.assertIn("Инспекция по делам несовершеннолетних", self.text())
        link = self.find_all(f'a[href="/ui/d/{self.referral}"]')
        self.assertTrue(link, "the inbox does not link the referral")
        self.submit_with(link[0], expect=200)
        self.assertEqual(self.path(), f"/ui/d/{self.referral}")
        text = self.text()
        for words in (TASK, PSEUDONYM, "Направлено", "Инспекция по делам несовершеннолетних "
                      "Департамента полиции Акмолинской области", "15 апреля 2026"):
            self.assertIn(words, text, words)
        self.assertNotIn(CHILD, self.driver.page_source)
        self.assertNotIn(self.case, text)
        self.assertEqual(sorted(self.actions()), ["accept", "decline"])
        self.shoot_langs("referral-sent")

        before = self.commits(self.srv.cases_git)
        self.click_action("accept", expect=200)
        self.assertIn("Принято к исполнению", self.text())
        self.assertEqual(self.commits(self.srv.cases_git), before + 1)
        self.shoot_langs("referral-accepted")

        # The report: its button opens the action's own form (the outcome's
        # inputs, from the schema), which writes nothing until it is sent.
        self.click_action("report", expect=200)
        self.assertTrue(self.has_field("fields.outcome.date"),
                        f"no outcome to fill in on {self.path()}: {self.text()[:400]}")
        self.assertEqual(self.commits(self.srv.cases_git), before + 1)
        self.check_page("ru", "referral-report-form")
        self.fill("fields.outcome.date", "2026-03-02")
        self.fill("fields.outcome.result", "done")
        self.fill("fields.outcome.text", "Проведены две беседы, подросток посещает секцию")
        self.submit_form(of="fields.outcome.date", expect=200)
        self.assertEqual(urlsplit(self.driver.current_url).path, f"/ui/d/{self.referral}")
        text = self.text()
        self.assertIn("Исполнение завершено", text)
        self.assertIn("Исполнено", text)
        self.assertEqual(self.commits(self.srv.cases_git), before + 2)
        self.shoot_langs("referral-reported")

        # The chair sees the outcome on the case's page.
        self.sign_in("chair11", lang="kk")
        self.open(f"/ui/d/{self.case}", "kk")
        self.assertIn("Іс бойынша ведомстволарға жолдамалар", self.text())
        self.assertIn("Орындалды", self.text())
        self.shoot_langs("case-referrals", langs=("kk", "ru"))
        self.assertEqual(urlsplit(self.driver.current_url).path, f"/ui/d/{self.case}")


if __name__ == "__main__":
    kb.main(failfast=True)
