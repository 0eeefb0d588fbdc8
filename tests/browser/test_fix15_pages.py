"""Must show (issue 15, fix round "web"), on the demo: the official reads why
the akimat returned the roster at the top of its page and in the inbox; the
plan's page lists its execution reports by half-year; the chair's inbox says
a transfer awaits a decision; the public execution report names its plan by
title; the agency officer's header names the agency; the Kazakh edition
heading dates in the official form.  Every page in Russian and Kazakh,
checked and screenshotted."""
import kenes_browser as kb

ROSTER = "roster/KZ-71/2026-03"  # at the akimat in the demo
REASON = "Нет подписи акима на скане."
PLAN = "plan/KZ-11/2026"
EXEC = "execution/KZ-11/2026-h1"


class Fix15Pages(kb.BrowserTest):
    """The steps run in order on one server (demo data: its logins)."""

    def test_1_the_returned_roster_says_why(self):
        # The demo's March roster of Astana is at the akimat: its approver returns it.
        token = self.srv.login("approver-kz71", kb.password_of("approver-kz71"))
        r = self.srv.request("GET", f"/api/v1/documents/{ROSTER}", token=token)
        r = self.srv.request("POST", f"/api/v1/documents/{ROSTER}/transitions",
                             {"action": "return", "comment": REASON}, token=token,
                             headers={"If-Match": r.header("ETag")})
        self.assertEqual((r.status, r.json["stage"]), (200, "draft"), r)
        self.sign_in("official-kz71", lang="ru")
        line = [r.text for r in self.find_all("main tr")
                if r.find_elements("css selector", f'a[href="/ui/d/{ROSTER}"]')]
        self.assertTrue(line and "Возвращён на доработку" in line[0],
                        "the inbox line does not say the roster was returned: " + self.text()[:800])
        self.shoot_langs("inbox-returned")
        self.open(f"/ui/d/{ROSTER}", "ru")
        note = self.find('[data-kenes="returned"]').text
        self.assertIn("Возвращён на доработку (акимат)", note)
        self.assertIn(REASON, note)
        self.shoot_langs("roster-returned")
        self.open(f"/ui/d/{ROSTER}", "kk")
        self.assertIn("Пысықтауға қайтарылды (әкімдік)", self.find('[data-kenes="returned"]').text)

    def test_2_the_plan_lists_its_execution_reports(self):
        self.sign_in("official-kz11", lang="ru")
        self.open(f"/ui/d/{PLAN}", "ru")
        text = self.text()
        self.assertIn("Отчёты об исполнении плана", text)
        self.assertNotIn("Дата заседания", text)
        links = [a.text for a in self.find_all('[data-kenes="referrers"] a')]
        self.assertEqual(sorted(links), ["I полугодие", "II полугодие"], links)
        self.shoot_langs("plan-with-reports")

    def test_3_the_chair_sees_the_transfer_waiting(self):
        self.sign_in("chair-kz11", lang="ru")
        self.assertIn("Ожидает решения о передаче", self.text())
        self.shoot_langs("chair-inbox-transfer")
        self.open("/ui/inbox", "kk")
        self.assertIn("Беру туралы шешімді күтуде", self.text())

    def test_4_the_public_report_names_its_plan(self):
        self.sign_out()
        self.open(f"/public/{EXEC}", "ru")
        links = [a for a in self.find_all("main a") if a.get_attribute("href").endswith(
            f"/public/{PLAN}")]
        self.assertTrue(links, "the public report does not link its plan: " + self.text()[:800])
        self.assertNotIn(PLAN, self.text())
        self.shoot_langs("public-execution")

    def test_5_the_agency_officer_sees_the_agency(self):
        self.sign_in("agency-kz11-police", lang="ru")
        self.assertRegex(self.find("header").text, r"Специалист ведомства, .*полиции")
        self.shoot_langs("agency-header")

    def test_6_kk_edition_heading(self):
        token = self.srv.login("official-kz11", kb.password_of("official-kz11"))
        r = self.srv.request("GET", f"/api/v1/documents/{PLAN}", token=token)
        r = self.srv.request("POST", f"/api/v1/documents/{PLAN}/transitions",
                             {"action": "amend", "comment": "Новая мера по здоровью"},
                             token=token, headers={"If-Match": r.header("ETag")})
        self.assertEqual(r.status, 200, r)
        self.sign_in("official-kz11", lang="kk")
        self.open(f"/ui/d/{PLAN}/history", "kk")
        self.assertRegex(self.text(), r"\d{4} жылғы \d{1,2} \w+(нан|нен|дан|ден|тан|тен) бастап")
        self.shoot_langs("history-editions", langs=("kk", "ru"))


if __name__ == "__main__":
    kb.main()
